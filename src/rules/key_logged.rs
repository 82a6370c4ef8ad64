//! KL404 key-logged: a print or log call whose argument is a whole key.

use crate::code::facts::{Expr, StringPart};
use crate::rules::code_helpers::is_key_like;
use crate::rules::key_setting::key_variable;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    // Variables that hold a key: assigned from a key variable, a key literal or a key file.
    let holders: Vec<&str> = facts
        .assignments
        .iter()
        .filter(|a| holds_key(file, &a.value))
        .map(|a| a.target.as_str())
        .collect();
    for log in &facts.logs {
        let logged = log
            .args
            .iter()
            .find_map(|arg| logged_key(file, &holders, arg));
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

/// A key source: an env read of a key variable, a key literal, a file's contents.
fn holds_key(file: &FileContext, value: &Expr) -> bool {
    match value {
        Expr::Env(read) => key_variable(file, &read.name).is_some(),
        Expr::Str(_) | Expr::FileRead { .. } => is_key_like(file, value),
        _ => false,
    }
}

/// The span of a whole key inside a logged argument.
fn logged_key(file: &FileContext, holders: &[&str], arg: &Expr) -> Option<std::ops::Range<usize>> {
    match arg {
        Expr::Env(read) => key_variable(file, &read.name).map(|_| arg.span().clone()),
        Expr::Name { path, span } => holders.contains(&path.as_str()).then(|| span.clone()),
        Expr::Str(lit) => interpolated_key(file, holders, &lit.parts)
            .or_else(|| is_key_like(file, arg).then(|| lit.span.clone())),
        Expr::Concat { parts, .. } => parts.iter().find_map(|p| logged_key(file, holders, p)),
        Expr::Format { template, args, .. } => interpolated_key(file, holders, &template.parts)
            .or_else(|| args.iter().find_map(|a| logged_key(file, holders, a))),
        Expr::FileRead { .. } | Expr::Partial { .. } | Expr::Other { .. } => None,
    }
}

/// An interpolation that is a key holder or reads a key variable (`{api_key}`,
/// `{os.environ['OPENAI_API_KEY']}`, `$OPENAI_API_KEY`), not a part of one (`{key[:5]}`).
fn interpolated_key(
    file: &FileContext,
    holders: &[&str],
    parts: &[StringPart],
) -> Option<std::ops::Range<usize>> {
    parts.iter().find_map(|part| match part {
        StringPart::Interpolation { code, span } if !partial(code) => {
            let words: Vec<&str> = code
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .filter(|w| !w.is_empty())
                .collect();
            let reads_key = words
                .iter()
                .any(|w| holders.contains(w) || key_variable(file, w).is_some());
            reads_key.then(|| span.clone())
        }
        _ => None,
    })
}

/// `key[:5]`, `len(key)`, `key.slice(0, 5)`, `&key[..5]`, shell `${#KEY}` and `${KEY:0:5}`
/// inside an interpolation.
fn partial(code: &str) -> bool {
    let shell_part = code.starts_with("${#")
        || code.find(':').is_some_and(|at| {
            code.starts_with("${")
                && code[at + 1..]
                    .trim_start()
                    .starts_with(|c: char| c.is_ascii_digit())
        });
    shell_part || plain_partial(code)
}

fn plain_partial(code: &str) -> bool {
    code.contains('[')
        || code.contains("len(")
        || code.contains(".slice(")
        || code.contains(".substring(")
        || code.contains(".length")
        || code.contains(".len()")
}
