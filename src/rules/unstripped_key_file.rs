//! KL108 unstripped-key-file: a key read from a file and used with its trailing newline.

use crate::code::facts::Expr;
use crate::rules::code_helpers::{authorization_headers, name_is_key_like, segments, Segment};
use crate::rules::key_setting::key_variable;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    let mut reads: Vec<&Expr> = Vec::new();
    for client in &facts.clients {
        reads.extend(client.key.iter());
    }
    for header in authorization_headers(facts) {
        for part in segments(file, &header.value) {
            if let Segment::Hole(expr) = part {
                reads.push(expr);
            }
        }
    }
    for assignment in &facts.assignments {
        let target = assignment.target.as_str();
        let env_name = target
            .split(['"', '\''])
            .find(|part| key_variable(file, part).is_some());
        if name_is_key_like(target) || env_name.is_some() {
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
