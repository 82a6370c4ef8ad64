//! KL203 uninterpolated-header: interpolation syntax the language will not fill in: Python
//! `"Bearer {key}"` without `f`, JS `'Bearer ${key}'`, shell `'Bearer $OPENAI_API_KEY'`, Rust
//! `"Bearer {key}"` outside `format!`, Go `"Bearer %s"` never passed to `Sprintf`. Also in SDK
//! key arguments.

use std::ops::Range;

use crate::code::facts::{Expr, StringKind, StringLit, StringPart};
use crate::rules::code_helpers::{sub_span, Language};
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    let language = Language::of(file.path);
    let mut judged: Vec<(&Expr, String)> = facts
        .headers
        .iter()
        .filter(|h| {
            (h.name.eq_ignore_ascii_case("authorization")
                || h.name.to_ascii_lowercase().contains("key"))
                && !facts.is_mocked(&h.span)
        })
        .map(|h| (&h.value, format!("the `{}` header", h.name)))
        .collect();
    judged.extend(
        facts
            .clients
            .iter()
            .filter_map(|c| Some((c.key.as_ref()?, format!("the key given to `{}`", c.sdk)))),
    );
    for (expr, what) in judged {
        for lit in literals(expr) {
            if let Some((span, placeholder)) = unfilled(file, lit, language) {
                let fix = env_read(file, &placeholder, language)
                    .or_else(|| rewritten(file, lit, language))
                    .map_or_else(
                        || how_to_fill(language).to_owned(),
                        |code| format!("write {}", quoted(&code)),
                    );
                violations.push(Violation {
                    span,
                    message: format!(
                        "{what} contains `{placeholder}`, which {} never fills in",
                        why_unfilled(language)
                    ),
                    label: "sent literally".into(),
                    help: format!(
                        "the API receives the placeholder text instead of the key (401); {fix}"
                    ),
                    provider: None,
                    secret: None,
                });
            }
        }
    }
}

/// String literals sent as they are: the value itself or the parts of a concatenation (not the
/// template of a format call, whose placeholders are filled).
fn literals(expr: &Expr) -> Vec<&StringLit> {
    match expr {
        Expr::Str(lit) => vec![lit],
        Expr::Concat { parts, .. } => parts.iter().flat_map(literals).collect(),
        _ => Vec::new(),
    }
}

/// The first placeholder in a literal that its kind does not interpolate.
fn unfilled(
    file: &FileContext,
    lit: &StringLit,
    language: Language,
) -> Option<(Range<usize>, String)> {
    if !matches!(
        lit.kind,
        StringKind::Plain | StringKind::Raw | StringKind::ShellSingle
    ) {
        return None;
    }
    for part in &lit.parts {
        let StringPart::Text { text, span } = part else {
            continue;
        };
        let verbatim = file.source.bytes.get(span.clone()) == Some(text.as_bytes());
        if let Some(range) = placeholder(text, language) {
            return Some((
                sub_span(span, verbatim, range.clone()),
                text[range].to_owned(),
            ));
        }
    }
    None
}

/// `code` as Markdown inline code, whatever backticks it holds.
fn quoted(code: &str) -> String {
    if code.contains('`') {
        format!("`` {code} ``")
    } else {
        format!("`{code}`")
    }
}

/// A placeholder naming a key variable (`{OPENAI_API_KEY}`) wants an environment read.
fn env_read(file: &FileContext, placeholder: &str, language: Language) -> Option<String> {
    let name = placeholder.trim_matches(|c| matches!(c, '{' | '}' | '$'));
    crate::rules::key_setting::key_variable(file, name)?;
    match language {
        Language::Python => Some(format!("os.environ[\"{name}\"]")),
        Language::JavaScript => Some(format!("process.env.{name}")),
        Language::Go => Some(format!("os.Getenv(\"{name}\")")),
        Language::Rust => Some(format!("std::env::var(\"{name}\")?")),
        Language::Shell | Language::Http | Language::Other => None,
    }
}

/// The literal written so that the language fills it in.
fn rewritten(file: &FileContext, lit: &StringLit, language: Language) -> Option<String> {
    let text = std::str::from_utf8(file.source.bytes.get(lit.span.clone())?).ok()?;
    let inner = text.get(1..text.len().checked_sub(1)?)?;
    let code = match language {
        Language::Python if text.starts_with(['"', '\'']) => format!("f{text}"),
        Language::JavaScript => format!("`{inner}`"),
        Language::Shell if lit.kind == StringKind::ShellSingle => format!("\"{text}\""),
        Language::Rust if text.starts_with('"') => format!("format!({text})"),
        Language::Go if text.starts_with('"') => format!("fmt.Sprintf({text}, apiKey)"),
        _ => return None,
    };
    (!code.contains('\n')).then(|| crate::keys::redact(&code))
}

/// Why the language leaves the placeholder as it is.
fn why_unfilled(language: Language) -> &'static str {
    match language {
        Language::Python => "Python (the string has no `f` prefix)",
        Language::JavaScript => "JavaScript (only backtick template literals interpolate)",
        Language::Go => "Go (the string never goes through `fmt.Sprintf`)",
        Language::Rust => "Rust (the literal is not a `format!` string)",
        Language::Shell => "the shell (single quotes do not expand variables)",
        Language::Http | Language::Other => "the language",
    }
}

/// How to make the language fill it in.
fn how_to_fill(language: Language) -> &'static str {
    match language {
        Language::Python => "add the `f` prefix: `f\"Bearer {api_key}\"`",
        Language::JavaScript => "use a template literal: `` `Bearer ${apiKey}` ``",
        Language::Go => "format it: `fmt.Sprintf(\"Bearer %s\", apiKey)` or `\"Bearer \" + apiKey`",
        Language::Rust => "use `format!(\"Bearer {api_key}\")` or `.bearer_auth(&api_key)`",
        Language::Shell => "use double quotes: `-H \"Authorization: Bearer $OPENAI_API_KEY\"`",
        Language::Http | Language::Other => "fill the value in before sending it",
    }
}

/// Where a placeholder of the language's own syntax stands in `text`.
fn placeholder(text: &str, language: Language) -> Option<Range<usize>> {
    let identifier = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
            && !s.as_bytes()[0].is_ascii_digit()
    };
    match language {
        Language::Python | Language::Rust => {
            let open = text.find('{')?;
            let close = open + text[open..].find('}')?;
            identifier(&text[open + 1..close]).then_some(open..close + 1)
        }
        Language::JavaScript => {
            let open = text.find("${")?;
            let close = open + text[open..].find('}')?;
            identifier(&text[open + 2..close]).then_some(open..close + 1)
        }
        Language::Go => {
            let at = text.find("%s").or_else(|| text.find("%v"))?;
            Some(at..at + 2)
        }
        Language::Shell => {
            let at = text.find('$')?;
            let rest = &text[at + 1..];
            let rest = rest.strip_prefix('{').unwrap_or(rest);
            let len = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            (len > 0 && !rest.as_bytes()[0].is_ascii_digit()).then(|| {
                let braced = text[at + 1..].starts_with('{');
                at..at + 1 + len + if braced { 2 } else { 0 }
            })
        }
        Language::Http | Language::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_by_language() {
        assert_eq!(placeholder("Bearer {key}", Language::Python), Some(7..12));
        assert_eq!(placeholder("Bearer {}", Language::Python), None);
        assert_eq!(
            placeholder("Bearer ${key}", Language::JavaScript),
            Some(7..13)
        );
        assert_eq!(placeholder("Bearer %s", Language::Go), Some(7..9));
        assert_eq!(
            placeholder("Authorization: Bearer $OPENAI_API_KEY", Language::Shell),
            Some(22..37)
        );
        assert_eq!(
            placeholder("Bearer ${OPENAI_API_KEY}", Language::Shell),
            Some(7..24)
        );
        assert_eq!(placeholder("price $5", Language::Shell), None);
    }
}
