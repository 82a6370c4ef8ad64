//! Settings of `.env`-family files.

use super::{ConfigModel, Place, Setting, SettingValue};
use crate::parse::env;

pub fn model(bytes: &[u8]) -> ConfigModel {
    let file = env::parse(bytes);
    let settings = file
        .entries
        .into_iter()
        .map(|entry| Setting {
            value: entry.value.map(|value| {
                let mut setting =
                    SettingValue::new(bytes, value.text, value.raw_span, value.content_span);
                setting.unterminated = value.unterminated;
                setting.trailing_cr = value.trailing_cr;
                setting
            }),
            name: entry.name,
            name_span: entry.name_span,
            place: Place::DotEnv,
        })
        .collect();
    ConfigModel {
        settings,
        ..ConfigModel::default()
    }
}
