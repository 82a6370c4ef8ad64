//! KL201 missing-bearer: an Authorization header that sends the key with no scheme.

use crate::code::facts::Expr;
use crate::rules::code_helpers::{code_is_key_like, is_key_like, segments, Segment};
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    for header in facts
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("authorization"))
    {
        // The first thing in the value, leading blanks skipped.
        let first = segments(file, &header.value).into_iter().find(|s| match s {
            Segment::Text { text, .. } => !text.trim().is_empty(),
            _ => true,
        });
        let key_first = match &first {
            Some(Segment::Hole(expr)) => is_key_like(file, expr),
            Some(Segment::Interpolation { code }) => code_is_key_like(code),
            Some(Segment::Text { text, .. }) => is_key_like(file, &Expr::Str(literal_of(text))),
            _ => false,
        };
        if !key_first {
            continue;
        }
        let span = header.value.span().clone();
        violations.push(Violation {
            span,
            message: "the Authorization header sends the key without the `Bearer ` scheme".into(),
            label: "no `Bearer ` before the key".into(),
            help: format!(
                "OpenAI-compatible APIs answer 401 to a bare key; send `Bearer <key>`: {}",
                suggestion(file)
            ),
            provider: None,
            secret: None,
        });
    }
}

fn literal_of(text: &str) -> crate::code::facts::StringLit {
    crate::code::facts::StringLit {
        span: 0..0,
        kind: crate::code::facts::StringKind::Plain,
        parts: vec![crate::code::facts::StringPart::Text {
            text: text.trim().to_owned(),
            span: 0..0,
        }],
    }
}

/// How to write `Bearer <key>` in the file's language.
pub fn suggestion(file: &FileContext) -> &'static str {
    let extension = file.path.rsplit('.').next().unwrap_or("");
    match extension {
        "py" | "ipynb" => "`f\"Bearer {api_key}\"`",
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "mts" | "cts" => "`` `Bearer ${apiKey}` ``",
        "go" => "`\"Bearer \" + apiKey`",
        "rs" => "`.bearer_auth(&api_key)` or `format!(\"Bearer {api_key}\")`",
        "http" | "rest" => "`Authorization: Bearer {{api_key}}`",
        _ => "`-H \"Authorization: Bearer $OPENAI_API_KEY\"` (double quotes)",
    }
}
