//! KL201 missing-bearer: an Authorization header that sends the key with no scheme.

use crate::code::facts::Expr;
use crate::rules::code_helpers::{
    authorization_headers, code_is_key_like, is_key_like, segments, Language, Segment,
};
use crate::rules::endpoint::Endpoint;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    for header in authorization_headers(facts) {
        // A bare key is what some APIs want: judged only toward one that takes Bearer, or may.
        if !Endpoint::of_header(facts, header).may_take_bearer() {
            continue;
        }
        // Any value that can reach the header (each side of a fallback) may be the bare key.
        let mut options = Vec::new();
        options_of(&header.value, &mut options);
        if !options.iter().any(|option| starts_with_key(file, option)) {
            continue;
        }
        let span = header.value.span().clone();
        let fix = corrected(file, &header.value).unwrap_or_else(|| suggestion(file).to_owned());
        violations.push(Violation {
            span,
            message: "the Authorization header sends the key without the `Bearer ` scheme".into(),
            label: "no `Bearer ` before the key".into(),
            help: format!(
                "OpenAI-compatible APIs answer 401 to a bare key; send `Bearer <key>`: {fix}"
            ),
            provider: None,
            secret: None,
        });
    }
}

/// Whether the value's first thing, leading blanks skipped, is a key.
fn starts_with_key(file: &FileContext, value: &Expr) -> bool {
    let first = segments(file, value).into_iter().find(|s| match s {
        Segment::Text { text, .. } => !text.trim().is_empty(),
        _ => true,
    });
    match &first {
        Some(Segment::Hole(expr)) => is_key_like(file, expr),
        Some(Segment::Interpolation { code }) => code_is_key_like(code),
        Some(Segment::Text { text, .. }) => is_key_like(file, &Expr::Str(literal_of(text))),
        _ => false,
    }
}

/// The values a header may get: each option of a fallback (`a ?? b`, `c ? x : y`), or the value.
fn options_of<'a>(value: &'a Expr, out: &mut Vec<&'a Expr>) {
    match value {
        Expr::Alternatives { options, .. } => options.iter().for_each(|o| options_of(o, out)),
        single => out.push(single),
    }
}

/// The value rewritten with the scheme: `"Bearer " + X`, `format!("Bearer {}", X)`, or
/// `Bearer ` inserted before the first interpolation of a template or shell string.
fn corrected(file: &FileContext, value: &Expr) -> Option<String> {
    let source = |span: &std::ops::Range<usize>| {
        std::str::from_utf8(file.source.bytes.get(span.clone())?).ok()
    };
    let text = match value {
        Expr::Str(lit) => {
            let first = lit.parts.iter().find_map(|part| match part {
                crate::code::facts::StringPart::Interpolation { span, .. } => Some(span.start),
                crate::code::facts::StringPart::Text { text, .. } if !text.trim().is_empty() => {
                    None
                }
                _ => None,
            })?;
            let before = source(&(lit.span.start..first))?;
            let after = source(&(first..lit.span.end))?;
            format!("{before}Bearer {after}")
        }
        Expr::Env(_) | Expr::Name { .. } => {
            let expr = source(value.span())?;
            if Language::of(file.path) == Language::Rust {
                format!("format!(\"Bearer {{}}\", {expr})")
            } else {
                format!("\"Bearer \" + {expr}")
            }
        }
        _ => return None,
    };
    (!text.contains('\n')).then(|| format!("`{}`", crate::keys::redact(&text)))
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
    match Language::of(file.path) {
        Language::Python => "`f\"Bearer {api_key}\"`",
        Language::JavaScript => "`` `Bearer ${apiKey}` ``",
        Language::Go => "`\"Bearer \" + apiKey`",
        Language::Rust => "`.bearer_auth(&api_key)` or `format!(\"Bearer {api_key}\")`",
        Language::Http => "`Authorization: Bearer {{api_key}}`",
        Language::Shell | Language::Other => {
            "`-H \"Authorization: Bearer $OPENAI_API_KEY\"` (double quotes)"
        }
    }
}
