//! KL404 key-logged: a print or log call whose argument is a whole key.

use crate::code::facts::{CodeFacts, Expr, LogCall, StringPart};
use crate::rules::code_helpers::{is_key_like, last_segment, names_api_key, Language};
use crate::rules::key_setting::key_variable;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.key_code() else { return };
    let holders = key_holders(file, facts);
    for log in &facts.logs {
        if masks(log) {
            continue;
        }
        let logged = log
            .args
            .iter()
            .find_map(|arg| logged_key(file, &holders, arg));
        if let Some(span) = logged {
            violations.push(Violation {
                span,
                message: "a whole key is printed or logged".into(),
                label: "the key".into(),
                help: format!(
                    "logs end up in CI output, log services and bug reports, and the key leaks; {}",
                    fix(Language::of(file.path))
                ),
                provider: None,
                secret: None,
            });
        }
    }
}

/// What to log instead, in the file's language.
fn fix(language: Language) -> &'static str {
    match language {
        Language::Python => "log a prefix (`key[:8]`) or whether it is set (`key is not None`)",
        Language::JavaScript => {
            "log a prefix (`key.slice(0, 8)`) or whether it is set (`Boolean(key)`)"
        }
        Language::Go => "log a prefix (`key[:8]`) or whether it is set (`key != \"\"`)",
        Language::Rust => "log a prefix (`&key[..8]`) or whether it is set (`!key.is_empty()`)",
        Language::Shell => "print a prefix (`${KEY:0:8}`) or its length (`${#KEY}`)",
        Language::Http | Language::Other => "log a prefix of the key or whether it is set",
    }
}

/// GitHub's `echo "::add-mask::$KEY"`: a workflow command that hides the key in the log.
fn masks(log: &LogCall) -> bool {
    match log.args.first() {
        Some(Expr::Str(lit)) => matches!(
            lit.parts.first(),
            Some(StringPart::Text { text, .. }) if text.trim_start().starts_with("::add-mask::")
        ),
        _ => false,
    }
}

/// Variables that hold a key: assigned a key variable, a key literal, a key-named attribute or
/// subscript, another holder, or a file read into a variable or from a path named for a key.
fn key_holders<'a>(file: &FileContext, facts: &'a CodeFacts) -> Vec<&'a str> {
    let mut holders: Vec<&str> = Vec::new();
    // Holders of holders: a few rounds reach every chain real code writes.
    for _ in 0..4 {
        let before = holders.len();
        for assignment in &facts.assignments {
            let target = assignment.target.as_str();
            if !holders.contains(&target) && holds_key(file, &holders, target, &assignment.value) {
                holders.push(target);
            }
        }
        if holders.len() == before {
            break;
        }
    }
    holders
}

fn holds_key(file: &FileContext, holders: &[&str], target: &str, value: &Expr) -> bool {
    match value {
        Expr::Env(read) => key_variable(file, &read.name).is_some(),
        Expr::Str(_) => is_key_like(file, value),
        Expr::Name { path, .. } => key_path(file, holders, path),
        Expr::FileRead { span, .. } => {
            let read = file.source.bytes.get(span.clone()).unwrap_or_default();
            names_key(file, target) || names_key(file, &String::from_utf8_lossy(read))
        }
        _ => false,
    }
}

/// A key variable or a holder (`key`, `OPENAI_API_KEY`), or an attribute or subscript named
/// for a key (`settings.api_key`, `response.data["api_key"]`, `client.apiKey`).
fn key_path(file: &FileContext, holders: &[&str], path: &str) -> bool {
    if holders.contains(&path) || key_variable(file, path).is_some() {
        return true;
    }
    let compound = path.contains(['.', '[']);
    compound && names_key(file, last_segment(path))
}

/// A name or a path that says it is an API key: `api_key`, `OPENAI_API_KEY`,
/// `/run/secrets/openai_api_key`.
fn names_key(file: &FileContext, text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .any(|word| names_api_key(word) || key_variable(file, word).is_some())
}

/// The span of a whole key inside a logged argument.
fn logged_key(file: &FileContext, holders: &[&str], arg: &Expr) -> Option<std::ops::Range<usize>> {
    match arg {
        Expr::Env(read) => key_variable(file, &read.name).map(|_| arg.span().clone()),
        Expr::Name { path, span } => key_path(file, holders, path).then(|| span.clone()),
        Expr::Str(lit) => interpolated_key(file, holders, &lit.parts)
            .or_else(|| is_key_like(file, arg).then(|| lit.span.clone())),
        Expr::Concat { parts, .. } => parts.iter().find_map(|p| logged_key(file, holders, p)),
        Expr::Format { template, args, .. } => interpolated_key(file, holders, &template.parts)
            .or_else(|| args.iter().find_map(|a| logged_key(file, holders, a))),
        Expr::FileRead { .. }
        | Expr::Partial { .. }
        | Expr::Alternatives { .. }
        | Expr::Other { .. } => None,
    }
}

/// An interpolation that is a key holder, reads a key variable or a key-named attribute
/// (`{api_key}`, `{os.environ['OPENAI_API_KEY']}`, `${data["api_key"]}`, `$OPENAI_API_KEY`), not
/// a part of one (`{key[:5]}`).
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
                .any(|w| holders.contains(w) || key_variable(file, w).is_some())
                || plain_path(code).is_some_and(|path| key_path(file, holders, path));
            reads_key.then(|| span.clone())
        }
        _ => None,
    })
}

/// The code when it is a plain path (`data["api_key"]`, `self.api_key`), not a call.
fn plain_path(code: &str) -> Option<&str> {
    let code = code.trim();
    let plain = code.chars().all(|c| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '"' | '\'' | '-' | '?')
    });
    (plain && !code.is_empty()).then_some(code)
}

/// `key[:5]`, `len(key)`, `key.slice(0, 5)`, `&key[..5]`, shell `${#KEY}` and `${KEY:0:5}`
/// inside an interpolation; a subscript by a string (`data["api_key"]`) is not a part.
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
    sliced(code)
        || code.contains("len(")
        || code.contains(".slice(")
        || code.contains(".substring(")
        || code.contains(".length")
        || code.contains(".len()")
        || tests_key(code)
}

/// A test on the key, not the key: `key is not None`, `key == ""`, `bool(key)`, `!!key`,
/// `key ? "set" : "unset"`, shell `${KEY:+set}`.
fn tests_key(code: &str) -> bool {
    [
        " is ", "==", "!=", "bool(", "!!", " ? ", " if ", " and ", " or ", "&&", "||", ":+",
    ]
    .iter()
    .any(|test| code.contains(test))
        || code.trim_start().starts_with("not ")
}

/// Whether a bracket in the code slices or indexes (`[:5]`, `[0]`, `[..5]`) rather than reads a
/// string key.
fn sliced(code: &str) -> bool {
    code.match_indices('[')
        .any(|(at, _)| !code[at + 1..].trim_start().starts_with(['"', '\'']))
}
