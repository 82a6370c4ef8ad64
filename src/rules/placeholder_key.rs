//! KL103 placeholder-key: a key setting holds a placeholder, so every request gets 401.

use crate::file_kind::FileKind;
use crate::rules::key_setting::{clean, is_placeholder, key_settings, whole_key};
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.kind == FileKind::EnvExample {
        return;
    }
    for key in key_settings(file) {
        let Some(value) = key.value() else { continue };
        let Some(text) = key.effective_text() else {
            continue;
        };
        if value.is_template() || crate::config::is_template(&text) {
            continue;
        }
        let cleaned = clean(&text);
        if !is_placeholder(cleaned) || whole_key(cleaned, key.provider).is_some() {
            continue;
        }
        let name = &key.setting.name;
        let decoded = if value.base64 {
            " (after base64 decoding)"
        } else {
            ""
        };
        let docs = key
            .provider
            .map_or(String::new(), |p| format!(" (create one at {})", p.docs));
        violations.push(Violation {
            span: value.span.clone(),
            message: format!(
                "`{name}` holds the placeholder `{}`{decoded} in {}",
                cleaned.chars().take(60).collect::<String>(),
                key.setting.place.describe()
            ),
            label: "placeholder, not a key".into(),
            help: format!(
                "every request made with this value fails with 401: put a real key in the \
                 deployment's secret store{docs}, or remove the line so the real value comes \
                 from the environment"
            ),
            provider: key.provider,
            secret: None,
        });
    }
}
