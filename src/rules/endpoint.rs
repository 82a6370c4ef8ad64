//! Where a header goes: the request or client it belongs to, and that request's host. The
//! rules about Authorization headers judge a header by its own request's API, and fall back to
//! what the file talks to only when the request's host cannot be read.

use std::ops::Range;

use crate::code::facts::{CodeFacts, Expr, Header};
use crate::providers::{auth_schemes, catalog, AuthScheme};
use crate::rules::code_helpers::{AZURE_HOSTS, OPENAI_HOST};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// api.openai.com.
    OpenAi,
    /// An Azure OpenAI resource (`*.openai.azure.com`).
    Azure,
    /// Another AI provider's OpenAI-compatible API, which takes `Authorization: Bearer`.
    BearerApi,
    /// Another AI provider's own API, with its own scheme (`x-api-key`, `Token`).
    OwnScheme(&'static AuthScheme),
    /// A host that is no AI provider's API (a search API, the app's own backend).
    NotAi,
    /// A mock transport answers the request: nothing is sent.
    Mock,
    /// The host cannot be read here: a URL from a variable or a setting, a local proxy.
    Unknown,
}

impl Endpoint {
    /// The endpoint of a URL, by its host.
    pub fn of_url(url: &str) -> Endpoint {
        let Some(host) = host(url) else {
            return Endpoint::Unknown;
        };
        if host == OPENAI_HOST {
            return Endpoint::OpenAi;
        }
        if AZURE_HOSTS.iter().any(|suffix| host.ends_with(suffix)) {
            return Endpoint::Azure;
        }
        if let Some(scheme) = auth_schemes().iter().find(|s| s.serves(&host)) {
            return Endpoint::OwnScheme(scheme);
        }
        if catalog().iter().any(|p| p.base_urls.contains(&host)) {
            return Endpoint::BearerApi;
        }
        if matches!(host.as_str(), "localhost" | "127.0.0.1" | "0.0.0.0" | "::1")
            || host.ends_with(".local")
            || host.ends_with(".internal")
        {
            return Endpoint::Unknown;
        }
        Endpoint::NotAi
    }

    /// The endpoint of a header: the request written around it, else the SDK client it is
    /// given to, else the one host every request of its function goes to.
    pub fn of_header(facts: &CodeFacts, header: &Header) -> Endpoint {
        if facts.is_mocked(&header.span) {
            return Endpoint::Mock;
        }
        if let Some(request) = innermost(&facts.requests, |r| &r.span, &header.span) {
            return request
                .url
                .as_deref()
                .map_or(Endpoint::Unknown, Endpoint::of_url);
        }
        if let Some(client) = innermost(&facts.clients, |c| &c.span, &header.span) {
            return match &client.base_url {
                Some(Expr::Str(url)) => url
                    .text()
                    .map_or(Endpoint::Unknown, |u| Endpoint::of_url(&u)),
                Some(_) => Endpoint::Unknown,
                None => Endpoint::of_sdk(&client.sdk),
            };
        }
        let Some(function) = &header.function else {
            return Endpoint::Unknown;
        };
        let mut hosts = facts
            .requests
            .iter()
            .filter(|r| r.function.as_ref() == Some(function))
            .map(|r| r.url.as_deref().map_or(Endpoint::Unknown, Endpoint::of_url));
        match hosts.next() {
            Some(first) if hosts.all(|other| other == first) => first,
            _ => Endpoint::Unknown,
        }
    }

    /// The default endpoint of an SDK client class.
    fn of_sdk(sdk: &str) -> Endpoint {
        let class = sdk.rsplit(['.', ':']).next().unwrap_or(sdk);
        match class {
            "OpenAI" | "AsyncOpenAI" | "ChatOpenAI" | "OpenAIEmbeddings" => Endpoint::OpenAi,
            "AzureOpenAI" | "AsyncAzureOpenAI" | "AzureChatOpenAI" => Endpoint::Azure,
            _ => Endpoint::Unknown,
        }
    }

    /// The header goes to an API that takes `Authorization: Bearer <key>`, or may.
    pub fn may_take_bearer(self) -> bool {
        !matches!(
            self,
            Endpoint::NotAi | Endpoint::OwnScheme(_) | Endpoint::Mock
        )
    }
}

/// The item whose span encloses `span` most tightly.
fn innermost<'f, T>(
    items: &'f [T],
    span_of: impl Fn(&T) -> &Range<usize>,
    span: &Range<usize>,
) -> Option<&'f T> {
    items
        .iter()
        .filter(|item| span_of(item).start <= span.start && span.end <= span_of(item).end)
        .min_by_key(|item| span_of(item).len())
}

/// The lower-case host of what follows a URL's `scheme://`: no user, port, path or query.
pub fn host_after_scheme(rest: &str) -> String {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    host.split(':').next().unwrap_or(host).to_ascii_lowercase()
}

/// The lower-case host of an absolute `http(s)` URL; None for a relative URL or a host built
/// at run time.
fn host(url: &str) -> Option<String> {
    let rest = url
        .trim()
        .strip_prefix("https://")
        .or_else(|| url.trim().strip_prefix("http://"))
        .or_else(|| url.trim().strip_prefix("wss://"))
        .or_else(|| url.trim().strip_prefix("ws://"))?;
    let host = host_after_scheme(rest);
    let plain = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    plain.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_by_host() {
        assert_eq!(
            Endpoint::of_url("https://api.openai.com/v1/chat/completions"),
            Endpoint::OpenAi
        );
        assert_eq!(
            Endpoint::of_url("https://my-res.openai.azure.com/openai/deployments/x"),
            Endpoint::Azure
        );
        assert!(matches!(
            Endpoint::of_url("https://api.replicate.com/v1/predictions"),
            Endpoint::OwnScheme(s) if s.provider == "replicate"
        ));
        assert!(matches!(
            Endpoint::of_url("https://api.anthropic.com/v1/messages"),
            Endpoint::OwnScheme(s) if s.header == "x-api-key"
        ));
        assert_eq!(
            Endpoint::of_url("https://api.groq.com/openai/v1"),
            Endpoint::BearerApi
        );
        assert_eq!(
            Endpoint::of_url("https://google.serper.dev/search"),
            Endpoint::NotAi
        );
        assert_eq!(
            Endpoint::of_url("http://localhost:8080/v1"),
            Endpoint::Unknown
        );
        assert_eq!(Endpoint::of_url("/api/chat"), Endpoint::Unknown);
        assert_eq!(Endpoint::of_url("https://${HOST}/v1"), Endpoint::Unknown);
    }
}
