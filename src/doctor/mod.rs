//! `keylint doctor`: why a program here gets a 401 now. For each provider key variable the
//! project's code reads or the environment sets: where its value comes from (the process
//! environment, the `.env` files the code loads, a compose service), which value the program
//! sees and why, what is wrong with it, and with `--live` what the provider says of it.

pub mod checks;
pub mod live;
pub mod render;
pub mod sources;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::providers::{catalog, Provider};
use checks::Check;
use live::Verdict;
use sources::{Origin, Resolved};

/// Variables that point the SDK at another API, or name the organization and project.
/// (The openai SDKs for Python 1.x and Node read these; LangChain and openai<1.0 read the
/// `LEGACY_VARS` instead, which are only named in a note.)
pub const BASE_URL_VARS: &[&str] = &["OPENAI_BASE_URL"];
pub const ORG_VARS: &[&str] = &["OPENAI_ORG_ID"];
pub const PROJECT_VARS: &[&str] = &["OPENAI_PROJECT_ID"];
/// Older names, with the one the SDK reads now.
const LEGACY_VARS: &[(&str, &str)] = &[
    ("OPENAI_API_BASE", "OPENAI_BASE_URL"),
    ("OPENAI_ORGANIZATION", "OPENAI_ORG_ID"),
];

/// What the doctor is asked.
pub struct Request<'a> {
    pub project: &'a Path,
    /// The process environment (passed in, so tests never see the developer's own).
    pub environment: BTreeMap<String, String>,
    /// `--service NAME`: judge the value a compose service's container gets.
    pub service: Option<&'a str>,
    /// `--live`: ask the provider about each key.
    pub live: bool,
    /// More variables that hold keys (`key-vars`, `--key-var`), of no known provider.
    pub key_vars: Vec<String>,
}

/// What the doctor found.
#[derive(Serialize)]
pub struct Diagnosis {
    /// How `.env` files are loaded, as the project's code does it.
    pub loader: String,
    pub variables: Vec<Variable>,
    /// Things said about the run, not about one variable.
    pub notes: Vec<String>,
}

impl Diagnosis {
    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.variables
            .iter()
            .any(|v| v.checks.iter().any(|c| !c.ok) || v.live.as_ref().is_some_and(|l| !l.ok))
    }
}

/// One key variable.
#[derive(Serialize)]
pub struct Variable {
    pub name: String,
    /// The catalog id of the provider whose key it should hold (`openai`).
    pub provider: Option<String>,
    /// That provider's name, for people.
    #[serde(skip)]
    pub provider_name: Option<String>,
    /// Where the project's code reads it (`app.py:3`).
    pub read_at: Vec<String>,
    /// Every place that gives it a value, the winner first marked.
    pub sources: Vec<Origin>,
    /// Why the winner wins (when there is more than one source, or none).
    pub why: String,
    pub checks: Vec<Check>,
    /// `--live`: what the provider said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<Verdict>,
}

/// The diagnosis of `request`.
pub fn diagnose(request: &Request) -> Result<Diagnosis, String> {
    let is_key_var =
        |name: &str| provider_of(name).is_some() || request.key_vars.iter().any(|v| v == name);
    let project = sources::Project::read(request.project, &request.key_vars)?;
    let resolved = match request.service {
        Some(service) => sources::resolve_service(&project, service, &request.environment)?,
        None => sources::resolve_local(&project, &request.environment),
    };
    let mut names: Vec<String> = project.key_reads.keys().cloned().collect();
    let mut notes = resolved.notes.clone();
    for name in request.environment.keys() {
        if !is_key_var(name) || names.contains(name) {
            continue;
        }
        match request.service {
            // A shell variable no code here reads, which the service does not pass either:
            // nothing shows the service needs it.
            Some(service) if !resolved.values.contains_key(name) => notes.push(format!(
                "the shell sets {name}, which service `{service}` does not pass (no code here reads it)"
            )),
            _ => names.push(name.clone()),
        }
    }
    // What the values say, and what the service's own `environment` asks for.
    for name in resolved.values.keys().chain(&resolved.wanted) {
        if is_key_var(name) && !names.contains(name) {
            names.push(name.clone());
        }
    }
    names.sort();
    // Read only optionally, or only by examples, and set nowhere: nothing shows that the
    // program needs it.
    let (names, unneeded): (Vec<String>, Vec<String>) = names.into_iter().partition(|name| {
        let reads = project.key_reads.get(name);
        let wins = resolved
            .values
            .get(name)
            .is_some_and(|origins| origins.iter().any(|o| o.wins));
        let set_somewhere = resolved.values.contains_key(name);
        wins || reads.is_some_and(|reads| reads.iter().any(|r| r.needed))
            // The compose service's `environment` asks for it and does not get it.
            || resolved.wanted.contains(name)
            // A value that does not reach the program, for a read that may want it.
            || (set_somewhere && reads.is_some())
    });
    if !unneeded.is_empty() {
        notes.push(format!(
            "not set where the program runs, and read only optionally, by examples, or not at all: {}",
            unneeded.join(", ")
        ));
    }
    if names.is_empty() && unneeded.is_empty() {
        notes.push(
            "no provider key variable is read by the code here or set in the environment"
                .to_owned(),
        );
    }
    for (legacy, current) in LEGACY_VARS {
        if resolved.first_winner(&[legacy]).is_some() {
            notes.push(format!(
                "{legacy} is set: LangChain and openai<1.0 read it, the openai SDK 1.x reads \
                 {current} (keylint judges {current} only)"
            ));
        }
    }
    let base_url = resolved.first_winner(BASE_URL_VARS);
    let mut settings_checked = false;
    let mut variables = Vec::new();
    for name in names {
        let provider = provider_of(&name);
        // OPENAI_BASE_URL points the OpenAI SDK only.
        let base_url = base_url
            .as_ref()
            .filter(|_| provider.is_some_and(|p| p.id == "openai"));
        let sources = resolved.values.get(&name).cloned().unwrap_or_default();
        let value = sources.iter().find(|s| s.wins).map(|s| s.value.clone());
        let mut checks = checks::key(
            &name,
            value.as_deref(),
            provider,
            base_url,
            resolved.unset_fix.as_deref(),
        );
        // The organization and project ids once, beside the first OpenAI key.
        if provider.is_some_and(|p| p.id == "openai") && !settings_checked {
            settings_checked = true;
            checks.extend(checks::openai_settings(&resolved));
        }
        let live = match (&value, provider) {
            (Some(value), Some(provider)) if request.live => Some(ask(
                &name,
                provider,
                value,
                base_url.map(|b| b.1.as_str()),
                &resolved,
                request.service.is_some(),
            )),
            _ => None,
        };
        variables.push(Variable {
            read_at: project
                .key_reads
                .get(&name)
                .map(|reads| {
                    // The reads the program needs first.
                    let needed = reads.iter().filter(|r| r.needed);
                    let others = reads.iter().filter(|r| !r.needed);
                    needed.chain(others).map(|r| r.at.clone()).collect()
                })
                .unwrap_or_default(),
            provider: provider.map(|p| p.id.clone()),
            provider_name: provider.map(|p| p.name.clone()),
            why: resolved.why.get(&name).cloned().unwrap_or_else(|| {
                if sources.is_empty() {
                    "nothing sets it here".to_owned()
                } else {
                    String::new()
                }
            }),
            sources,
            name,
            checks,
            live,
        });
    }
    Ok(Diagnosis {
        loader: resolved.loader.clone(),
        variables,
        notes,
    })
}

/// `--live`: what `provider` says of `value`, the key alone (without the stray characters the
/// checks found around it); not asked when the value is no key of `provider`.
fn ask(
    name: &str,
    provider: &Provider,
    value: &str,
    base_url: Option<&str>,
    resolved: &Resolved,
    in_container: bool,
) -> Verdict {
    use crate::rules::key_setting::{clean, is_placeholder, whole_key};
    let key = clean(value);
    if key.is_empty() || is_placeholder(key) {
        return Verdict::skipped("not asked: the value is no key");
    }
    if let Some((found, _)) = whole_key(key, None) {
        let elsewhere = base_url.is_some_and(|url| {
            found
                .base_urls
                .iter()
                .any(|host| checks::host_of(url).ends_with(host.as_str()))
        });
        if found.id != provider.id && !elsewhere {
            return Verdict::skipped(&format!(
                "not asked: the value is {} {} key, not {} {} key",
                crate::rules::key_setting::article(&found.name),
                found.name,
                crate::rules::key_setting::article(&provider.name),
                provider.name
            ));
        }
    }
    if name.contains("ADMIN") {
        return Verdict::skipped("not asked: an admin key does not call the API's /models");
    }
    if let Some(url) = base_url {
        let host = checks::host_of(url);
        if let Some(other) = checks::refusing_host(key, url) {
            return Verdict::skipped(&format!(
                "not asked: {host} is {}'s API, which refuses this key (see above)",
                other.name
            ));
        }
        if in_container && (!host.contains('.') || live::is_loopback(url)) {
            return Verdict::skipped(&format!(
                "not asked: {host} is a name inside the container or its compose network, not \
                 reachable from here"
            ));
        }
        if url.trim().starts_with("http://") && !live::is_loopback(url) {
            return Verdict::skipped(&format!(
                "not asked: {} is plain http, which would send the key unencrypted",
                checks::shown_url(url)
            ));
        }
    }
    let mut verdict = live::probe(provider, key, base_url, resolved);
    if key != value {
        verdict
            .explanation
            .push_str(" (asked with the key alone, without the characters around it)");
    }
    verdict
}

/// The provider whose key variable `name` is.
pub fn provider_of(name: &str) -> Option<&'static Provider> {
    catalog()
        .iter()
        .find(|p| p.env.iter().any(|env| env == name))
}
