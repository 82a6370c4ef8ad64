//! KL206 missing-auth-header: a request to api.openai.com that sends no Authorization header.

use crate::code::facts::HeaderSource;
use crate::rules::code_helpers::{Language, OPENAI_HOST};
use crate::rules::{FileContext, Violation};

/// Headers that carry a key (a wrong one is KL204's business, not a missing one).
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "api-key", "x-api-key", "openai-api-key"];

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    for request in &facts.requests {
        let Some(url) = &request.url else { continue };
        if !url.contains(OPENAI_HOST) || facts.is_mocked(&request.span) {
            continue;
        }
        // Headers written in the call count only if one of them carries credentials.
        let sends_credentials = match request.headers {
            HeaderSource::None => false,
            HeaderSource::Opaque => true,
            // In the call, or set on the request in the same function (Go's `req.Header.Set`).
            HeaderSource::Literal => facts.headers.iter().any(|h| {
                let in_call = h.span.start >= request.span.start && h.span.end <= request.span.end;
                let same_function = request.function.is_some() && h.function == request.function;
                (in_call || same_function)
                    && CREDENTIAL_HEADERS.contains(&h.name.to_ascii_lowercase().as_str())
            }),
        };
        if sends_credentials {
            continue;
        }
        violations.push(Violation {
            span: request.span.clone(),
            message: format!(
                "`{}` calls api.openai.com without an Authorization header",
                request.tool
            ),
            label: "no Authorization header".into(),
            help: format!(
                "the API answers 401 to a request without a key; send it: {}",
                header_code(file.path)
            ),
            provider: None,
            secret: None,
        });
    }
}

/// The code that sends the key, in the file's language.
fn header_code(path: &str) -> &'static str {
    match Language::of(path) {
        Language::Python => {
            "`headers={\"Authorization\": f\"Bearer {os.environ['OPENAI_API_KEY']}\"}`"
        }
        Language::JavaScript => {
            "`` headers: { Authorization: `Bearer ${process.env.OPENAI_API_KEY}` } ``"
        }
        Language::Go => {
            "`req.Header.Set(\"Authorization\", \"Bearer \"+os.Getenv(\"OPENAI_API_KEY\"))`"
        }
        Language::Rust => "`.bearer_auth(std::env::var(\"OPENAI_API_KEY\")?)`",
        Language::Http => "`Authorization: Bearer {{$processEnv OPENAI_API_KEY}}`",
        Language::Shell | Language::Other => "`-H \"Authorization: Bearer $OPENAI_API_KEY\"`",
    }
}
