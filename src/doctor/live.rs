//! `--live` and `check --verify`: one harmless authenticated request per key, to the
//! provider's key-check endpoint (`key_check` in rules/providers.yaml) or to the base URL the
//! user configured, and what its answer means. The key goes nowhere else and is never shown.

use std::time::Duration;

use serde::Serialize;

use super::sources::Resolved;
use super::{ORG_VARS, PROJECT_VARS};
use crate::providers::Provider;

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What the provider said of a key, and what it means.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The key works, or the answer is no authentication problem.
    pub ok: bool,
    /// `live` (the provider knows the key and it authenticates, even where the request is then
    /// refused: another organization, an IP allow list, a region, no quota), `revoked` (refused
    /// as a key), or `unknown` (no answer about the key itself).
    pub state: &'static str,
    /// Where the request went (scheme, host and path; never the key).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub endpoint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The API's error code (`invalid_api_key`, `insufficient_quota`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// What the answer means, and what to do.
    pub explanation: String,
}

impl Verdict {
    pub fn skipped(why: &str) -> Verdict {
        Verdict {
            ok: true,
            state: "unknown",
            endpoint: String::new(),
            status: None,
            code: None,
            explanation: why.to_owned(),
        }
    }
}

/// Whether `url` names this machine (`127.0.0.1`, `localhost`, `[::1]`).
pub fn is_loopback(url: &str) -> bool {
    let rest = url.trim().split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.starts_with("[::1]")
        || matches!(
            super::checks::host_of(url).as_str(),
            "127.0.0.1" | "localhost"
        )
}

/// The endpoint a key of `provider` is checked at: `{base_url}/models` when the user points an
/// OpenAI SDK elsewhere, else the catalog's.
pub fn endpoint(provider: &Provider, base_url: Option<&str>) -> Option<String> {
    match base_url {
        Some(base) if provider.id == "openai" => {
            Some(format!("{}/models", base.trim().trim_end_matches('/')))
        }
        _ => provider.key_check.as_ref().map(|c| c.url.clone()),
    }
}

/// Asks the provider about `key`, with the organization and project headers `resolved` gives.
pub fn probe(
    provider: &Provider,
    key: &str,
    base_url: Option<&str>,
    resolved: &Resolved,
) -> Verdict {
    let mut headers = Vec::new();
    if provider.id == "openai" {
        if let Some((_, org)) = resolved.first_winner(ORG_VARS) {
            headers.push(("OpenAI-Organization".to_owned(), org));
        }
        if let Some((_, project)) = resolved.first_winner(PROJECT_VARS) {
            headers.push(("OpenAI-Project".to_owned(), project));
        }
    }
    ask(provider, key, base_url, &headers)
}

/// One request with `key` and `headers`, explained.
pub fn ask(
    provider: &Provider,
    key: &str,
    base_url: Option<&str>,
    headers: &[(String, String)],
) -> Verdict {
    let Some(url) = endpoint(provider, base_url) else {
        return Verdict::skipped("keylint knows no key-check endpoint for this provider");
    };
    let shown_url = super::checks::shown_url(&url);
    let check = provider.key_check.as_ref();
    let (header, prefix) = check.map_or(("Authorization", "Bearer "), |c| {
        (c.header.as_str(), c.prefix.as_str())
    });
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                .build(),
        )
        .build()
        .into();
    let mut request = agent
        .get(&url)
        .header(header, format!("{prefix}{key}"))
        .header("User-Agent", concat!("keylint/", env!("CARGO_PKG_VERSION")));
    for (name, value) in check.map(|c| c.extra.as_slice()).unwrap_or_default() {
        request = request.header(name, value);
    }
    for (name, value) in headers {
        request = request.header(name, value);
    }
    match request.call() {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let body = response
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_string()
                .unwrap_or_default();
            explain(status, &body, shown_url, headers)
        }
        Err(err) => Verdict {
            ok: false,
            state: "unknown",
            endpoint: shown_url,
            status: None,
            code: None,
            explanation: format!(
                "no answer ({}): check the network, the proxy (HTTPS_PROXY) and the base URL",
                crate::keys::redact(&err.to_string())
            ),
        },
    }
}

/// What an answer means.
pub fn explain(status: u16, body: &str, endpoint: String, headers: &[(String, String)]) -> Verdict {
    let error: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let error = error.get("error").cloned().unwrap_or_default();
    let message = error
        .get("message")
        .and_then(|m| m.as_str())
        .map(crate::keys::redact)
        .unwrap_or_default();
    let code = error
        .get("code")
        .and_then(|c| c.as_str())
        .or_else(|| error.get("type").and_then(|t| t.as_str()))
        .map(str::to_owned);
    let lower = message.to_ascii_lowercase();
    let sent_org = headers
        .iter()
        .any(|(name, _)| name == "OpenAI-Organization");
    let (ok, state, explanation) = match status {
        200..=299 => (
            true,
            "live",
            "the key works from here: if the program still gets 401, it sends another value \
             (another process's environment, a key set in code) or another header".to_owned(),
        ),
        401 if code.as_deref() == Some("invalid_api_key") || lower.contains("incorrect api key") => (
            false,
            "revoked",
            "the key is wrong or revoked: create a new key and put it where the program reads it"
                .to_owned(),
        ),
        401 if code.as_deref() == Some("mismatched_organization")
            || lower.contains("should match organization") =>
        {
            (
                false,
                "live",
                format!(
                    "the key is not one of the organization {}: fix or unset OPENAI_ORG_ID ({message})",
                    if sent_org {
                        "sent in OpenAI-Organization (OPENAI_ORG_ID)"
                    } else {
                        "the request names"
                    }
                ),
            )
        }
        401 if code.as_deref() == Some("missing_scope")
            || lower.contains("insufficient permissions") =>
        {
            (
                false,
                "live",
                format!(
                    "the provider knows the key, but it is a restricted key without the \
                     permission this request needs; give it the scopes the program uses \
                     ({message})"
                ),
            )
        }
        401 if code.as_deref() == Some("no_organization")
            || lower.contains("member of an organization") =>
        {
            (
                false,
                "unknown",
                format!(
                    "the key's account belongs to no organization (it was removed, or the \
                     organization was deleted): ask an owner to invite it again, or create a key \
                     in an organization you belong to ({message})"
                ),
            )
        }
        401 if code.as_deref() == Some("ip_not_authorized")
            || (lower.contains("ip address")
                && (lower.contains("not authorized") || lower.contains("unauthorized"))) =>
        {
            (
                false,
                "live",
                format!(
                    "the key's project accepts requests only from some IP addresses, not this \
                     one: add this address to the project's allow list ({message})"
                ),
            )
        }
        401 => (
            false,
            "revoked",
            format!("the provider refuses the key: {}", if message.is_empty() { "401 Unauthorized".to_owned() } else { message.clone() }),
        ),
        403 => (
            false,
            "live",
            format!(
                "the provider knows the key but refuses this request (project permissions, or a region the API is not offered in){}",
                if message.is_empty() { String::new() } else { format!(": {message}") }
            ),
        ),
        429 if code.as_deref() == Some("insufficient_quota") => (
            false,
            "live",
            "the key works, but the account has no quota left: a billing problem, not an \
             authentication one (the API answers 429, not 401)"
                .to_owned(),
        ),
        429 => (
            true,
            "live",
            "the key works; the request was rate-limited".to_owned(),
        ),
        404 => (
            false,
            "unknown",
            "the endpoint answers 404 for /models: a base URL that is no OpenAI-compatible API, or lacks the /v1 path".to_owned(),
        ),
        _ => (
            false,
            "unknown",
            format!("unexpected answer {status}{}", if message.is_empty() { String::new() } else { format!(": {message}") }),
        ),
    };
    Verdict {
        ok,
        state,
        endpoint,
        status: Some(status),
        code,
        explanation,
    }
}
