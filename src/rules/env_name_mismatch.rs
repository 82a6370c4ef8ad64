//! KL302 env-name-mismatch: code reads a key variable that nothing in the repository provides,
//! while a close name is provided (`OPENAI_KEY`, `OPENAI_APIKEY`, `OPEN_AI_API_KEY`, a typo):
//! in an env file (examples included), compose, Kubernetes, CI or a shell `export`. The finding
//! is on the read and shows the close name. The rule looks across files, so it runs after the
//! walk; per file it does nothing.

use std::collections::HashSet;

use crate::finding::{Finding, Place};
use crate::lint::CrossFileFindings;
use crate::providers::catalog;
use crate::rules::registry::find;
use crate::rules::{FileContext, Violation};
use crate::wiring::names::close_variable;
use crate::wiring::{Provided, Summary, Wiring};

pub fn check(_file: &FileContext, _violations: &mut Vec<Violation>) {}

/// The close name provided for `variable`, when `variable` itself is provided nowhere
/// (computed once per variable when the wiring is built).
pub fn close_provider<'a>(
    wiring: &Wiring<'a>,
    variable: &str,
) -> Option<(&'a Summary, &'a Provided)> {
    wiring.close_names.get(variable).copied().flatten()
}

/// The first provided name close to `variable`, when `variable` itself is provided nowhere.
/// Names that are another provider's key variables are never close: they are other keys.
pub fn find_close<'a>(
    summaries: &'a [Summary],
    provided_names: &HashSet<String>,
    variable: &str,
) -> Option<(&'a Summary, &'a Provided)> {
    if provided_names.contains(variable) {
        return None;
    }
    let owner = catalog()
        .iter()
        .find(|p| p.env.iter().any(|env| env == variable));
    summaries
        .iter()
        .flat_map(|s| s.provided.iter().map(move |p| (s, p)))
        .filter(|(_, p)| close_variable(variable, &p.name))
        .find(|(_, p)| {
            !catalog().iter().any(|provider| {
                owner.is_none_or(|o| o.id != provider.id) && provider.env.contains(&p.name)
            })
        })
}

pub fn check_across<'a>(wiring: &Wiring<'a>, out: &CrossFileFindings<'_, 'a>) -> Vec<Finding> {
    let Some(rule) = find("KL302") else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for summary in wiring.summaries {
        for consumer in &summary.consumers {
            let Some((other, provided)) = close_provider(wiring, &consumer.variable) else {
                continue;
            };
            // `getenv("OPENAI_API_KEY") or getenv("OPENAI_KEY")`: the code takes both names.
            if summary.reads.contains(&provided.name) {
                continue;
            }
            let variable = &consumer.variable;
            let primary = Place {
                path: &summary.path,
                bytes: &summary.bytes,
                span: consumer.span.clone(),
            };
            let related = [(
                Place {
                    path: &other.path,
                    bytes: &other.bytes,
                    span: provided.span.clone(),
                },
                format!("{} provides {} here", provided.place, provided.name),
            )];
            findings.extend(out.finding(
                rule,
                &primary,
                format!(
                    "the code {}, but nothing in the repository provides it; {} provides the \
                     close name {} at {}",
                    consumer.verb(),
                    provided.place,
                    provided.name,
                    other.at(provided.span.start)
                ),
                format!("{variable} is provided nowhere"),
                format!(
                    "the code gets no key and every API call fails with 401; use one name on both \
                     ends: rename {} to {variable} where it is provided, or read {}",
                    provided.name, provided.name
                ),
                &related,
            ));
        }
    }
    findings
}
