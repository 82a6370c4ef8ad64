//! KL206 missing-auth-header: a request to api.openai.com that sends no Authorization header.

use crate::code::facts::HeaderSource;
use crate::rules::code_helpers::OPENAI_HOST;
use crate::rules::missing_bearer::suggestion;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    for request in &facts.requests {
        let Some(url) = &request.url else { continue };
        if !url.contains(OPENAI_HOST) || request.headers != HeaderSource::None {
            continue;
        }
        violations.push(Violation {
            span: request.span.clone(),
            message: format!("`{}` calls api.openai.com without an Authorization header", request.tool),
            label: "no Authorization header".into(),
            help: format!(
                "the API answers 401 to a request without a key; add `Authorization: Bearer <key>`: {}",
                suggestion(file)
            ),
            provider: None,
            secret: None,
        });
    }
}
