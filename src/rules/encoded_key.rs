//! KL102 encoded-key: a provider key visible only after base64 decoding (Kubernetes Secret
//! `data`, or a base64-looking value of a key setting).

use crate::config::Place;
use crate::keys::find_keys;
use crate::providers::catalog;
use crate::rules::key_setting::{
    article, clean, decode_base64, key_variable, looks_base64, whole_key,
};
use crate::rules::{FileContext, GitStatus, Violation};
use crate::source::SourceText;

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.git == GitStatus::Ignored {
        return;
    }
    let Some(model) = file.config() else { return };
    for setting in &model.settings {
        let Some(value) = &setting.value else {
            continue;
        };
        let named = key_variable(file, &setting.name).flatten();
        let secret_data = value.base64 && matches!(setting.place, Place::KubeSecret { .. });
        let encoded_setting = named.is_some() && looks_base64(&value.text);
        if !secret_data && !encoded_setting {
            continue;
        }
        let Some(decoded) = decode_base64(&value.text) else {
            continue;
        };
        let found = whole_key(clean(&decoded), named).or_else(|| {
            let all = vec![true; catalog().len()];
            find_keys(&SourceText::new(decoded.as_bytes()), &all)
                .first()
                .map(|key| (key.provider, key.shape))
        });
        let Some((provider, shape)) = found else {
            continue;
        };
        let place = setting.place.describe();
        violations.push(Violation {
            span: value.span.clone(),
            message: format!(
                "`{}` in {place} is a base64-encoded {} {}",
                setting.name, provider.name, shape.kind
            ),
            label: format!(
                "base64 of {} {} key",
                article(&provider.name),
                provider.name
            ),
            help: format!(
                "base64 is an encoding, not encryption: anyone who reads this file has the key. \
                 Revoke it at {}, and create the Secret from outside the repository (kubectl \
                 create secret, Sealed Secrets, External Secrets)",
                provider.docs
            ),
            provider: Some(provider),
            secret: Some(value.span.clone()),
        });
    }
}
