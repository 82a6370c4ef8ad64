//! KL105 truncated-key: a key setting starts like a known provider's key but matches none of
//! its shapes (cut short, too long, marker missing, `...` inside), and what follows the prefix
//! keeps the look of a real key's random body. A dummy such as `sk-0000000000` is not a cut key.

use crate::file_kind::FileKind;
use crate::keys::looks_fake;
use crate::providers::catalog;
use crate::rules::key_setting::{
    clean, is_placeholder, key_settings, known_prefix, refusal, whole_key,
};
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
        if !random_body(&cleaned[prefix.len()..]) {
            continue;
        }
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
                "copy the whole key again from {}; a key cut short or with `...` in it gets {}",
                provider.docs,
                refusal(Some(provider))
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

/// Whether what follows a key prefix looks like a real key's random body, cut or damaged:
/// letters and digits mixed through it (digits not in one block at an end, as in `test1234`),
/// and not a dummy by `keys::looks_fake` (one repeated character, a run like `1234567890`,
/// `xxxx`, `your`). `...` where a key was cut does not count against it.
fn random_body(body: &str) -> bool {
    let characters: Vec<u8> = body.bytes().filter(u8::is_ascii_alphanumeric).collect();
    let letters = characters.iter().any(u8::is_ascii_alphabetic);
    let digits = characters.iter().any(u8::is_ascii_digit);
    let switches = characters
        .windows(2)
        .filter(|pair| pair[0].is_ascii_digit() != pair[1].is_ascii_digit())
        .count();
    letters && digits && switches >= 2 && !looks_fake(body.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_key_keeps_a_random_body_and_a_dummy_does_not() {
        for random in [
            "a-yDuvJXnTKZrtGZxdiMLWm6LnWAeqXl0RPclTmZ",
            "4fQ2mN8xZ1",
            "tbmp6hObBUH5zWFdzTqu...wW6LvH",
            "aoc5iyxf2si50dbs",
        ] {
            assert!(random_body(random), "{random}");
        }
        for dummy in [
            "0000000000",
            "xxxxxxxx",
            "1234567890",
            "test1234",
            "abcdefgh12",
            "abcdefghijklmnop",
            "a1",
            "",
        ] {
            assert!(!random_body(dummy), "{dummy}");
        }
    }
}
