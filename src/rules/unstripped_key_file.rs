//! KL108 unstripped-key-file: a key read from a file and used with its trailing newline.

use crate::code::facts::{Assignment, CodeFacts, Expr};
use crate::rules::code_helpers::{
    authorization_headers, name_is_key_like, names_tls_material, segments, Segment,
};
use crate::rules::key_setting::key_variable;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.key_code() else { return };
    // Where a key goes: a client's key, an Authorization header, a variable named like a key.
    let mut reads: Vec<&Expr> = Vec::new();
    for client in facts.clients.iter().filter(|c| !facts.is_mocked(&c.span)) {
        reads.extend(client.key.iter());
    }
    for header in authorization_headers(facts) {
        for part in segments(file, &header.value) {
            if let Segment::Hole(expr) = part {
                reads.push(expr);
            }
        }
    }
    let held: Vec<&Expr> = reads
        .iter()
        .filter_map(|expr| match expr {
            Expr::Name { path, .. } => held_read(facts, path),
            _ => None,
        })
        .collect();
    reads.extend(held);
    for assignment in &facts.assignments {
        let unstripped = matches!(
            assignment.value,
            Expr::FileRead {
                stripped: false,
                ..
            }
        );
        if unstripped
            && key_named(file, &assignment.target)
            && !tls_material(file, facts, assignment)
        {
            reads.push(&assignment.value);
        }
    }
    for expr in reads {
        if let Expr::FileRead {
            stripped: false,
            span,
        } = expr
        {
            if violations.iter().any(|v| v.span == *span) {
                continue;
            }
            violations.push(Violation {
                span: span.clone(),
                message: "a key read from a file keeps the file's trailing newline".into(),
                label: "not stripped".into(),
                help: "the newline becomes part of the key and the API answers 401; strip it: \
                       `.strip()` (Python), `.trim()` (JavaScript, Rust), `strings.TrimSpace` (Go)"
                    .into(),
                provider: None,
                secret: None,
            });
        }
    }
}

/// A variable named like a key (`api_key`, `token`), or an environment variable of a key
/// (`os.environ["OPENAI_API_KEY"] = ...`).
fn key_named(file: &FileContext, target: &str) -> bool {
    name_is_key_like(target)
        || target
            .split(['"', '\''])
            .any(|part| key_variable(file, part).is_some())
}

/// The unstripped file read a variable holds, when every assignment of it in the file is one
/// (`raw = open(p).read()` ... `OpenAI(api_key=raw)`).
fn held_read<'a>(facts: &'a CodeFacts, name: &str) -> Option<&'a Expr> {
    let unstripped = |value: &Expr| {
        matches!(
            value,
            Expr::FileRead {
                stripped: false,
                ..
            }
        )
    };
    let mut values = facts
        .assignments
        .iter()
        .filter(|a| a.target == name)
        .map(|a| &a.value);
    let first = values.next()?;
    (unstripped(first) && values.all(unstripped)).then_some(first)
}

/// A certificate or a private key, not an API key: the variable or the path read is named for
/// TLS (`tls_key`, `OPENAI_MTLS_KEY_PATH`, `client.pem`), or the variable is handed to TLS
/// settings (`{ cert, key }` of an https Agent, `load_cert_chain`).
fn tls_material(file: &FileContext, facts: &CodeFacts, assignment: &Assignment) -> bool {
    let read = file
        .source
        .bytes
        .get(assignment.value.span().clone())
        .map(String::from_utf8_lossy);
    names_tls_material(&assignment.target)
        || read.is_some_and(|code| names_tls_material(&code))
        || facts
            .tls_material
            .iter()
            .any(|value| matches!(value, Expr::Name { path, .. } if *path == assignment.target))
}
