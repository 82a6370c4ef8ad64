//! KL104 malformed-key-value: the value the program sees differs from a clean key (stray
//! whitespace or quotes, a `\r`, an unterminated quote, a stored `Bearer ` prefix), or quotes
//! that stay around an interpolated key (`- OPENAI_API_KEY="${OPENAI_API_KEY}"` in compose).

use std::ops::Range;

use crate::config::{is_template, Place, SettingValue};
use crate::file_kind::FileKind;
use crate::rules::key_setting::{
    clean, corrected_line, is_placeholder, key_header, key_settings, known_prefix, line_with,
    refusal, strip_bearer, whole_key, KeySetting,
};
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.kind == FileKind::EnvExample {
        return;
    }
    for key in key_settings(file) {
        let Some(value) = key.value() else { continue };
        if value.base64 {
            continue;
        }
        if value.is_template() {
            violations.extend(quoted_reference(file, &key, value));
            continue;
        }
        let cleaned = clean(&value.text);
        let looks_like_key =
            whole_key(cleaned, key.provider).is_some() || known_prefix(cleaned).is_some();
        if !looks_like_key || is_placeholder(cleaned) {
            continue;
        }
        let Some(problem) = problem(&key, value) else {
            continue;
        };
        // The key itself, inside the value: masked in every output.
        let key_start = cleaned.as_ptr() as usize - value.text.as_ptr() as usize;
        let key_span = value.source_span(key_start..key_start + cleaned.len());
        let span = problem.span(value, &key_span);
        let fix = match problem {
            Problem::CarriageReturn => "save the file with LF line endings (`dos2unix`, or your \
                editor's line-ending setting)"
                .to_owned(),
            _ => match corrected_line(file, value, cleaned) {
                Some(line) if problem == Problem::Unterminated => {
                    let quote = char::from(file.source.bytes[value.span.start]);
                    format!("close the quote: `{line}{quote}`")
                }
                Some(line) => format!("write it as `{line}`"),
                None => "store the bare key, with nothing around it".to_owned(),
            },
        };
        violations.push(Violation {
            span,
            message: format!(
                "`{}` is not a clean key: {}",
                key.setting.name,
                problem.describe(&key)
            ),
            label: problem.label().into(),
            help: format!(
                "the API rejects the key with {}; {fix}",
                refusal(key.provider)
            ),
            provider: key.provider,
            secret: Some(key_span),
        });
    }
}

/// A reference filled in inside quotes that stay in the value: `- NAME="${NAME}"` in a compose
/// list, where the program receives the key with a quote at each end. (Where the quotes are
/// the file's own syntax, as in `NAME: "${NAME}"` or `- "NAME=${NAME}"`, the value has none.)
fn quoted_reference(
    file: &FileContext,
    key: &KeySetting,
    value: &SettingValue,
) -> Option<Violation> {
    let text = value.text.as_str();
    let leading = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    let quote = trimmed.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    if trimmed.len() < 2 || !trimmed.ends_with(quote) {
        return None;
    }
    let inner = &trimmed[1..trimmed.len() - 1];
    if !is_template(inner) {
        return None;
    }
    let problem = Problem::Quoted(leading);
    let fix = match line_with(file, value, inner) {
        Some(line) => format!("write it as `{line}`"),
        None => "write the reference without quotes around it".to_owned(),
    };
    Some(Violation {
        span: problem.span(value, &value.span),
        message: format!(
            "`{}` is not a clean key: {}, so the key arrives with a quote at each end",
            key.setting.name,
            problem.describe(key)
        ),
        label: problem.label().into(),
        help: format!(
            "the API rejects the key with {}; {fix}",
            refusal(key.provider)
        ),
        provider: key.provider,
        secret: None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    Unterminated,
    /// Quotes that are part of the value; `usize` is where the opening one is in the text.
    Quoted(usize),
    LeadingSpace(usize),
    TrailingSpace(usize),
    Bearer,
    CarriageReturn,
}

impl Problem {
    fn describe(self, key: &KeySetting) -> String {
        let place = &key.setting.place;
        let text = match self {
            Problem::Unterminated => {
                "its opening quote is never closed, so the value runs to the end of the line"
            }
            Problem::Quoted(_) => match place {
                Place::ComposeEnvironment {
                    list_form: true, ..
                } => "compose keeps the quotes of a `- NAME=\"value\"` list entry as part of the value",
                _ => "the quotes are part of the value the program reads",
            },
            Problem::LeadingSpace(_) => "it starts with whitespace inside the quotes",
            Problem::TrailingSpace(_) => "it ends with whitespace inside the quotes",
            Problem::Bearer => match key_header(key.provider) {
                "Authorization: Bearer" => {
                    "it starts with `Bearer`, so the SDK sends `Bearer Bearer sk-…`"
                }
                header => {
                    return format!(
                        "it starts with `Bearer`, which the SDK sends as part of the key in `{header}`"
                    )
                }
            },
            Problem::CarriageReturn => {
                "the line ends with `\\r` (CRLF), which `source .env` and `docker run --env-file` \
                 keep in the value"
            }
        };
        text.to_owned()
    }

    fn label(self) -> &'static str {
        match self {
            Problem::Unterminated => "quote never closed",
            Problem::Quoted(_) => "quote inside the value",
            Problem::LeadingSpace(_) => "leading whitespace",
            Problem::TrailingSpace(_) => "trailing whitespace",
            Problem::Bearer => "scheme stored in the key",
            Problem::CarriageReturn => "followed by a carriage return (\\r)",
        }
    }

    /// The offending characters; for the invisible `\r`, the key it follows.
    fn span(self, value: &SettingValue, key_span: &Range<usize>) -> Range<usize> {
        let text = &value.text;
        match self {
            Problem::Unterminated => value.span.start..value.span.start + 1,
            Problem::Quoted(at) => value.source_span(at..at + 1),
            Problem::LeadingSpace(len) => value.source_span(0..len),
            Problem::TrailingSpace(len) => value.source_span(text.len() - len..text.len()),
            Problem::Bearer => value.source_span(0..6),
            Problem::CarriageReturn => key_span.clone(),
        }
    }
}

/// The first thing wrong with the value.
fn problem(key: &KeySetting, value: &SettingValue) -> Option<Problem> {
    let text = value.text.as_str();
    if value.unterminated {
        return Some(Problem::Unterminated);
    }
    let leading = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    if let Some(quote) = trimmed
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))
    {
        if trimmed.len() >= 2 && trimmed.ends_with(quote) {
            return Some(Problem::Quoted(leading));
        }
    }
    if leading > 0 {
        return Some(Problem::LeadingSpace(leading));
    }
    let trailing = text.len() - text.trim_end().len();
    if trailing > 0 {
        return Some(Problem::TrailingSpace(trailing));
    }
    if strip_bearer(text).is_some() {
        return Some(Problem::Bearer);
    }
    match (value.trailing_cr, &key.setting.place) {
        (Some(_), Place::DotEnv) => Some(Problem::CarriageReturn),
        _ => None,
    }
}
