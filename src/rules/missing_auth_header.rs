//! KL206 missing-auth-header: a request to api.openai.com that sends no Authorization header.

use crate::code::facts::HeaderSource;
use crate::rules::code_helpers::OPENAI_HOST;
use crate::rules::missing_bearer::suggestion;
use crate::rules::{FileContext, Violation};

/// Headers that carry a key (a wrong one is KL204's business, not a missing one).
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "api-key", "x-api-key", "openai-api-key"];

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    for request in &facts.requests {
        let Some(url) = &request.url else { continue };
        if !url.contains(OPENAI_HOST) {
            continue;
        }
        // Headers written in the call count only if one of them carries credentials.
        let sends_credentials = match request.headers {
            HeaderSource::None => false,
            HeaderSource::Opaque => true,
            HeaderSource::Literal => facts.headers.iter().any(|h| {
                h.span.start >= request.span.start
                    && h.span.end <= request.span.end
                    && CREDENTIAL_HEADERS.contains(&h.name.to_ascii_lowercase().as_str())
            }),
        };
        if sends_credentials {
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
