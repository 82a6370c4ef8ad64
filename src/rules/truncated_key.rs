//! KL105 truncated-key: a key setting starts like a known provider's key but matches none of
//! its shapes (cut short, too long, marker missing, `...` inside).

use crate::file_kind::FileKind;
use crate::providers::catalog;
use crate::rules::key_setting::{clean, is_placeholder, key_settings, known_prefix, whole_key};
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
        if value.is_template() {
            continue;
        }
        let cleaned = clean(&text);
        if is_placeholder(cleaned) || whole_key(cleaned, key.provider).is_some() {
            continue;
        }
        let Some((matched, prefix)) = known_prefix(cleaned) else {
            continue;
        };
        // `sk-` starts both OpenAI and DeepSeek keys: prefer the provider the name says.
        let provider = key
            .provider
            .filter(|named| named.id != matched.id && named.shapes.iter().any(|s| s.keep == prefix))
            .unwrap_or(matched);
        let name = &key.setting.name;
        let length = cleaned.chars().count();
        let expected: Vec<usize> = expected_lengths(provider.id.as_str(), prefix);
        let lengths = match expected.as_slice() {
            [] => String::new(),
            [one] => format!(" (a whole one is {one} characters)"),
            many => format!(
                " (whole ones are {} characters)",
                many.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        violations.push(Violation {
            span: value.span.clone(),
            message: format!(
                "`{name}` holds a truncated or damaged {} key: it starts with `{prefix}` but its \
                 {length} characters match no {} key shape",
                provider.name, provider.name
            ),
            label: format!("{length} characters{lengths}"),
            help: format!(
                "copy the whole key again from {}; a key cut short or with `...` in it gets 401",
                provider.docs
            ),
            provider: Some(provider),
            secret: Some(value.span.clone()),
        });
    }
}

/// The lengths of the provider's whole keys that start with `prefix`, from fixed-size shapes
/// (none for the bare `sk-`, shared by too many shapes to help).
fn expected_lengths(provider: &str, prefix: &str) -> Vec<usize> {
    let mut lengths: Vec<usize> = catalog()
        .iter()
        .filter(|p| p.id == provider)
        .flat_map(|p| &p.shapes)
        .filter(|s| s.keep == prefix && prefix.len() > 3)
        .filter_map(|s| s.fixed_length)
        .collect();
    lengths.sort_unstable();
    lengths.dedup();
    lengths
}
