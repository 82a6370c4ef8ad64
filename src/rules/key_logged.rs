//! KL404 key-logged: a print or log call whose argument is a whole key.

use crate::code::facts::{Expr, StringPart};
use crate::rules::code_helpers::{code_is_key_like, is_key_like};
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    for log in &facts.logs {
        let logged = log.args.iter().find_map(|arg| logged_key(file, arg));
        if let Some(span) = logged {
            violations.push(Violation {
                span,
                message: "a whole key is printed or logged".into(),
                label: "the key".into(),
                help: "logs end up in CI output, log services and bug reports, and the key leaks; \
                       log a prefix (`key[:8]`) or whether it is set"
                    .into(),
                provider: None,
                secret: None,
            });
        }
    }
}

/// The span of a whole key inside a logged argument.
fn logged_key(file: &FileContext, arg: &Expr) -> Option<std::ops::Range<usize>> {
    match arg {
        Expr::Env(_) | Expr::Name { .. } => is_key_like(file, arg).then(|| arg.span().clone()),
        Expr::Str(lit) => interpolated_key(&lit.parts),
        Expr::Concat { parts, .. } => parts.iter().find_map(|p| logged_key(file, p)),
        Expr::Format { template, args, .. } => interpolated_key(&template.parts)
            .or_else(|| args.iter().find_map(|a| logged_key(file, a))),
        Expr::FileRead { .. } | Expr::Partial { .. } | Expr::Other { .. } => None,
    }
}

fn interpolated_key(parts: &[StringPart]) -> Option<std::ops::Range<usize>> {
    parts.iter().find_map(|part| match part {
        StringPart::Interpolation { code, span } if code_is_key_like(code) && !partial(code) => {
            Some(span.clone())
        }
        _ => None,
    })
}

/// `key[:5]`, `len(key)`, `key.slice(0, 5)`, `&key[..5]` inside an interpolation.
fn partial(code: &str) -> bool {
    code.contains('[')
        || code.contains("len(")
        || code.contains(".slice(")
        || code.contains(".substring(")
        || code.contains(".length")
        || code.contains(".len()")
}
