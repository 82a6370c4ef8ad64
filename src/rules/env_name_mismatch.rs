//! KL302 env-name-mismatch: code reads a key variable that nothing in the repository provides,
//! while a close name is provided (`OPENAI_KEY`, `OPENAI_APIKEY`, `OPEN_AI_API_KEY`, a typo):
//! in an env file (examples included), compose, Kubernetes, CI or a shell `export`. The finding
//! is on the read and shows the close name. The rule looks across files, so it runs after the
//! walk; per file it does nothing.

use std::collections::HashSet;

use crate::file_kind::FileKind;
use crate::finding::CrossFileOut;
use crate::finding::{Finding, Place};
use crate::providers::catalog;
use crate::rules::registry::find;
use crate::rules::{FileContext, Violation};
use crate::wiring::names::close_variable;
use crate::wiring::units::{deployed, dir_of, under, Unit};
use crate::wiring::{Consumer, Provided, Summary, Wiring};

pub fn check(_file: &FileContext, _violations: &mut Vec<Violation>) {}

/// Whether `variable` is provided nowhere while some close name is provided somewhere
/// (computed once per variable when the wiring is built).
pub fn provided_nowhere(wiring: &Wiring, variable: &str) -> bool {
    wiring
        .close_names
        .get(variable)
        .is_some_and(Option::is_some)
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
    close_among(
        summaries
            .iter()
            .flat_map(|s| s.provided.iter().map(move |p| (s, p))),
        variable,
    )
}

/// The first of `candidates` whose name is close to `variable` and is not another provider's
/// key variable.
pub fn close_among<'a>(
    candidates: impl Iterator<Item = (&'a Summary, &'a Provided)>,
    variable: &str,
) -> Option<(&'a Summary, &'a Provided)> {
    let owner = catalog()
        .iter()
        .find(|p| p.env.iter().any(|env| env == variable));
    candidates
        .filter(|(_, p)| close_variable(variable, &p.name))
        .find(|(_, p)| {
            !catalog().iter().any(|provider| {
                owner.is_none_or(|o| o.id != provider.id) && provider.env.contains(&p.name)
            })
        })
}

/// The close name a unit itself provides for `variable`, when `variable` is provided nowhere:
/// the read and the close name meet in the code the unit runs.
pub fn unit_close_name<'a>(
    wiring: &Wiring<'a>,
    unit: &Unit<'a>,
    variable: &str,
) -> Option<(&'a Summary, &'a Provided)> {
    if !provided_nowhere(wiring, variable) {
        return None;
    }
    close_among(unit.provided(wiring).into_iter(), variable)
}

/// A read, the close name provided instead, and the unit where they meet (None: an env file
/// the code loads).
type Mismatch<'w, 'a> = (
    &'a Summary,
    &'a Consumer,
    &'a Summary,
    &'a Provided,
    Option<&'w Unit<'a>>,
);

pub fn check_across<'a>(wiring: &Wiring<'a>, out: &dyn CrossFileOut<'a>) -> Vec<Finding> {
    let Some(rule) = find("KL302") else {
        return Vec::new();
    };
    let mut mismatches: Vec<Mismatch> = Vec::new();
    for unit in &wiring.units {
        for (variable, consumers) in unit.consumers(wiring) {
            if let Some((other, provided)) = unit_close_name(wiring, unit, variable) {
                let (file, consumer) = consumers[0];
                mismatches.push((file, consumer, other, provided, Some(unit)));
            }
        }
    }
    mismatches.extend(
        dotenv_mismatches(wiring)
            .into_iter()
            .map(|(file, consumer, other, provided)| (file, consumer, other, provided, None)),
    );
    mismatches.sort_by_key(|(file, consumer, ..)| (file.path.as_str(), consumer.span.start));
    mismatches.dedup_by(|a, b| a.0.path == b.0.path && a.1.span == b.1.span);
    let mut findings = Vec::new();
    for (summary, consumer, other, provided, unit) in mismatches {
        // `getenv("OPENAI_API_KEY") or getenv("OPENAI_KEY")`: the code takes both names.
        if summary.reads.contains(&provided.name) {
            continue;
        }
        let variable = &consumer.variable;
        let primary = Place {
            path: &summary.path,
            bytes: summary.bytes(),
            span: consumer.span.clone(),
        };
        let mut related = vec![(
            Place {
                path: &other.path,
                bytes: other.bytes(),
                span: provided.span.clone(),
            },
            format!("{} provides {} here", provided.place, provided.name),
        )];
        // How the unit was linked to this code (the Dockerfile that builds its image).
        related.extend(unit.map(|u| u.related([])).unwrap_or_default());
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
    findings
}

/// An env file (or its example) that the code loads with dotenv: a required read of
/// production code under the env file's directory, when the file gives only a close name.
fn dotenv_mismatches<'a>(
    wiring: &Wiring<'a>,
) -> Vec<(&'a Summary, &'a Consumer, &'a Summary, &'a Provided)> {
    // Required reads of variables provided nowhere: usually none, and then nothing to do.
    let candidates: Vec<(&Summary, &Consumer)> = wiring
        .summaries
        .iter()
        .flat_map(|s| s.consumers.iter().map(move |c| (s, c)))
        .filter(|(_, c)| c.kind.required() && provided_nowhere(wiring, &c.variable))
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let loaders: Vec<&Summary> = wiring
        .summaries
        .iter()
        .filter(|s| s.loads_dotenv && s.kind.is_source())
        .collect();
    let mut found = Vec::new();
    for env_file in wiring
        .summaries
        .iter()
        .filter(|s| matches!(s.kind, FileKind::Env | FileKind::EnvExample))
    {
        let dir = dir_of(&env_file.path);
        let production = |s: &Summary| under(dir, &s.path) && deployed(&s.path[dir.len()..]);
        if !loaders.iter().any(|s| production(s)) {
            continue;
        }
        for &(file, consumer) in candidates.iter().filter(|(file, _)| production(file)) {
            let provided = env_file.provided.iter().map(|p| (env_file, p));
            if let Some((other, close)) = close_among(provided, &consumer.variable) {
                found.push((file, consumer, other, close));
            }
        }
    }
    found
}
