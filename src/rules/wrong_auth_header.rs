//! KL204 wrong-auth-header: the header does not match the endpoint: `api-key`-style headers
//! toward api.openai.com, a Bearer API key toward Azure OpenAI, misspelled header names.

use crate::code::facts::Expr;
use crate::rules::code_helpers::{
    file_mentions, is_key_like, segments, Segment, AZURE_HOSTS, OPENAI_HOST,
};
use crate::rules::endpoint::Endpoint;
use crate::rules::{FileContext, Violation};

const KEY_HEADERS: &[&str] = &[
    "api-key",
    "x-api-key",
    "openai-api-key",
    "apikey",
    "x-openai-api-key",
];
const MISSPELLED: &[&str] = &[
    "authorisation",
    "authorizaton",
    "authorizarion",
    "autorization",
    "authorazation",
    "authorzation",
    "auth",
    "authorize",
    "authentication",
    "authorizations",
];

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    let file_to_openai = file_mentions(facts, &[OPENAI_HOST]);
    let file_to_azure = file_mentions(facts, AZURE_HOSTS);
    for header in &facts.headers {
        // The header's own request decides; what the file talks to only when it cannot.
        let (to_openai, to_azure) = match Endpoint::of_header(facts, header) {
            Endpoint::OpenAi => (true, false),
            Endpoint::Azure => (false, true),
            Endpoint::Unknown => (file_to_openai, file_to_azure),
            Endpoint::BearerApi | Endpoint::OwnScheme(_) | Endpoint::NotAi | Endpoint::Mock => {
                continue
            }
        };
        let lower = header.name.to_ascii_lowercase();
        let (message, help) = if to_openai && !to_azure && KEY_HEADERS.contains(&lower.as_str()) {
            (
                format!("api.openai.com ignores the `{}` header", header.name),
                "OpenAI reads the key only from `Authorization: Bearer <key>`".to_owned(),
            )
        } else if (to_openai || to_azure) && MISSPELLED.contains(&lower.as_str()) {
            (
                format!("`{}` is not the Authorization header", header.name),
                "the server sees no credentials and answers 401; spell it `Authorization`"
                    .to_owned(),
            )
        } else if to_azure && lower == "authorization" && bearer_api_key(file, &header.value) {
            (
                "Azure OpenAI takes API keys in the `api-key` header, not as a Bearer token"
                    .to_owned(),
                "send `api-key: <key>` (Bearer is only for Microsoft Entra ID tokens, e.g. from \
                 azure.identity), or use the `AzureOpenAI` client"
                    .to_owned(),
            )
        } else {
            continue;
        };
        violations.push(Violation {
            span: header.name_span.clone(),
            message,
            label: "wrong header for this endpoint".into(),
            help,
            provider: None,
            secret: None,
        });
    }
}

/// `Bearer <API key>` (not an Entra ID token).
fn bearer_api_key(file: &FileContext, value: &Expr) -> bool {
    let parts = segments(file, value);
    let Some(Segment::Text { text, .. }) = parts.first() else {
        return false;
    };
    if !text.trim_start().to_ascii_lowercase().starts_with("bearer") {
        return false;
    }
    parts.iter().skip(1).any(|part| match part {
        Segment::Hole(expr) => is_key_like(file, expr) && !is_token(expr),
        Segment::Interpolation { code } => {
            let lower = code.to_ascii_lowercase();
            lower.contains("key") && !lower.contains("token")
        }
        _ => false,
    })
}

fn is_token(expr: &Expr) -> bool {
    matches!(expr, Expr::Name { path, .. } if path.to_ascii_lowercase().contains("token"))
}
