//! What can be wrong with the value a program sees: the value rules' checks (empty,
//! placeholder, truncated, stray whitespace, newline, CR, quotes, `Bearer ` inside, another
//! provider's key), the base URL against the key's provider, and the organization and project
//! ids' formats.

use serde::Serialize;

use super::sources::Resolved;
use super::{ORG_VARS, PROJECT_VARS};
use crate::providers::Provider;
use crate::rules::key_setting::{is_placeholder, known_prefix, whole_key};

/// One check, passed or failed, and how to fix a failure.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub ok: bool,
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

fn pass(what: impl Into<String>) -> Check {
    Check {
        ok: true,
        what: what.into(),
        fix: None,
    }
}

fn fail(what: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        ok: false,
        what: what.into(),
        fix: Some(fix.into()),
    }
}

/// The checks of variable `name`'s winning value (None: unset), for a key of `provider`, with
/// the base URL in force (variable, value); `unset_fix` says how to set a variable here.
pub fn key(
    name: &str,
    value: Option<&str>,
    provider: Option<&'static Provider>,
    base_url: Option<&(String, String)>,
    unset_fix: Option<&str>,
) -> Vec<Check> {
    let Some(value) = value else {
        let fix = match unset_fix {
            Some(fix) => fix.replace("{NAME}", name),
            None => format!(
                "set {name} in the environment the program starts from, or in the .env file it loads"
            ),
        };
        return vec![fail(
            format!("{name} is not set where the program runs"),
            fix,
        )];
    };
    if value.is_empty() {
        return vec![fail(
            format!("{name} is set but empty"),
            "give it the key; an empty key is sent as `Authorization: Bearer ` and refused with 401",
        )];
    }
    let mut checks = vec![pass(format!("{name} is set"))];
    let raw_problems = [
        (
            value.contains('\n'),
            "holds a newline",
            "set it again without the line break (a pasted key, or `$(cat file)` without trimming)",
        ),
        (
            value.contains('\r'),
            "holds a carriage return (a Windows line ending)",
            "save the file with LF line endings, or strip the \\r",
        ),
        (
            {
                let inner = value.trim_matches(['\r', '\n']);
                inner != inner.trim()
            },
            "has spaces around it",
            "remove the spaces around the key",
        ),
        (
            value.trim().starts_with(['"', '\'']) || value.trim().ends_with(['"', '\'']),
            "is wrapped in quotes that are part of the value",
            "remove the quotes: the SDK sends them as part of the key",
        ),
        (
            value.trim().to_ascii_lowercase().starts_with("bearer "),
            "starts with `Bearer `",
            "store the key alone; the SDK adds `Bearer ` itself",
        ),
    ];
    let mut clean = true;
    for (wrong, what, fix) in raw_problems {
        if wrong {
            clean = false;
            checks.push(fail(format!("the value {what}"), fix));
        }
    }
    if clean {
        checks.push(pass(
            "no stray whitespace, newline, quotes or `Bearer ` in the value",
        ));
    }
    let bare = crate::rules::key_setting::clean(value);
    if is_placeholder(bare) {
        checks.push(fail(
            "the value is a placeholder, not a key",
            "put the real key here (create one where the provider lists your keys)",
        ));
        return checks;
    }
    // A gateway (LiteLLM, a company proxy, a local server) takes keys of its own making.
    let gateway = base_url.is_some_and(|(_, url)| is_gateway(url));
    match whole_key(bare, provider) {
        Some((found, _)) if gateway && provider.is_some_and(|p| p.id != found.id) => {}
        None if gateway => {}
        Some((found, shape)) => match provider {
            Some(expected) if expected.id != found.id => {
                let pointed = base_url
                    .is_some_and(|(_, url)| found.base_urls.iter().any(|host| url.contains(host.as_str())));
                if pointed {
                    checks.push(pass(format!(
                        "holds {} {} {}, and the base URL points at {}",
                        crate::rules::key_setting::article(&found.name),
                        found.name,
                        shape.kind,
                        found.name
                    )));
                } else {
                    checks.push(fail(
                        format!(
                            "holds {} {} {}, not {} key",
                            crate::rules::key_setting::article(&found.name),
                            found.name,
                            shape.kind,
                            crate::rules::key_setting::article(&expected.name).to_owned() + " " + &expected.name
                        ),
                        format!(
                            "put {} {} key in {name}, or point the SDK at {} (base URL)",
                            crate::rules::key_setting::article(&expected.name),
                            expected.name,
                            found.name
                        ),
                    ));
                }
            }
            _ => checks.push(pass(format!("looks like {} {} {}", crate::rules::key_setting::article(&found.name), found.name, shape.kind))),
        },
        None => match known_prefix(bare) {
            Some((found, prefix)) if !prefix.is_empty() => checks.push(fail(
                format!(
                    "starts like {} {} key ({prefix}) but has no complete key shape: truncated or mistyped",
                    crate::rules::key_setting::article(&found.name),
                    found.name
                ),
                "copy the whole key again",
            )),
            _ if provider.is_some_and(|p| p.shapes.iter().any(|s| !s.keep.is_empty())) => {
                checks.push(fail(
                    "does not look like a key of this provider",
                    "check that the whole key was copied into this variable",
                ))
            }
            _ => {}
        },
    }
    if let (Some(provider), Some((variable, url))) = (provider, base_url) {
        let host = host_of(url);
        match refusing_host(bare, url) {
            Some(other) if provider.id == "openai" => checks.push(fail(
                format!(
                    "{variable} points at {} ({host}), which refuses an OpenAI key",
                    other.name
                ),
                format!("unset {variable}, or set it to https://api.openai.com/v1"),
            )),
            _ => checks.push(pass(format!(
                "{variable} sends the SDK's requests to {}",
                shown_url(url)
            ))),
        }
    }
    checks
}

/// Whether `url` is neither OpenAI's API nor another catalog provider's: a gateway whose keys
/// need not look like any provider's.
pub fn is_gateway(url: &str) -> bool {
    let host = host_of(url);
    host != "api.openai.com"
        && !crate::providers::catalog().iter().any(|p| {
            p.base_urls
                .iter()
                .chain(&p.hosts)
                .any(|h| host.ends_with(h.as_str()))
        })
}

/// The catalog provider whose API `url` is, when it is not the provider of OpenAI key `key`
/// (an OpenAI key sent to Groq's API is refused there).
pub fn refusing_host(key: &str, url: &str) -> Option<&'static Provider> {
    let host = host_of(url);
    let (owner, _) = whole_key(key, None)?;
    if owner.id != "openai" {
        return None;
    }
    crate::providers::catalog()
        .iter()
        .find(|p| p.id != owner.id && p.base_urls.iter().any(|h| host.ends_with(h.as_str())))
}

/// A URL as the doctor shows it: no user name or password, no query or fragment, keys masked.
pub fn shown_url(url: &str) -> String {
    let url = url.trim();
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let shown = match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
    };
    crate::keys::redact(&shown).escape_debug().to_string()
}

/// The formats of the organization and project ids the SDK sends beside an OpenAI key.
pub fn openai_settings(resolved: &Resolved) -> Vec<Check> {
    let mut checks = Vec::new();
    for (names, prefix, what) in [
        (ORG_VARS, "org-", "organization id"),
        (PROJECT_VARS, "proj_", "project id"),
    ] {
        for name in names {
            let Some((_, value)) = resolved.first_winner(&[name]) else {
                continue;
            };
            let rest = value.strip_prefix(prefix).unwrap_or("");
            if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()) {
                checks.push(pass(format!("{name} is {value}")));
            } else {
                checks.push(fail(
                    format!(
                        "{name} is `{}`, not {} {what} ({prefix}…)",
                        crate::keys::redact(&value).escape_debug(),
                        crate::rules::key_setting::article(what)
                    ),
                    format!("copy the {what} from the OpenAI dashboard's settings, or unset {name}: a wrong one gives 401 even with a good key"),
                ));
            }
        }
    }
    checks
}

/// The host of a URL (`https://api.groq.com/openai/v1` → `api.groq.com`).
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    crate::rules::endpoint::host_after_scheme(rest)
}
