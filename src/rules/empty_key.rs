//! KL107 empty-key: a key setting that is explicitly the empty string.

use crate::config::Place;
use crate::file_kind::FileKind;
use crate::rules::key_setting::key_settings;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.kind == FileKind::EnvExample {
        return;
    }
    for key in key_settings(file) {
        // An ARG without a value is only a build-time default; KL402 speaks of ARGs.
        if matches!(key.setting.place, Place::DockerArg { .. }) {
            continue;
        }
        let Some(value) = key.value() else { continue };
        if key.effective_text().is_none_or(|text| !text.is_empty()) {
            continue;
        }
        let name = &key.setting.name;
        let span = if value.span.is_empty() {
            key.setting.name_span.clone()
        } else {
            value.span.clone()
        };
        violations.push(Violation {
            span,
            message: format!(
                "`{name}` is set to the empty string in {}",
                key.setting.place.describe()
            ),
            label: "empty key".into(),
            help: format!(
                "an empty `{name}` overrides any real value and the SDK sends `Authorization: \
                 Bearer ` with nothing after it (401); remove the line, or pass the variable \
                 through from the environment"
            ),
            provider: key.provider,
            secret: None,
        });
    }
}
