//! KL301 env-not-provided: a unit (compose service, Kubernetes container) runs code that needs
//! a key variable and provides it by no route: no `environment` / `env` entry, no env file that
//! defines it, no `envFrom` object that holds it, no Dockerfile `ENV` default. The finding is on
//! the unit and shows where the code reads the key. Env files that exist but lack the key are
//! KL304's; a variable provided nowhere while a close name is provided is KL302's; CI jobs are
//! KL307's. The rule looks across files, so it runs after the walk; per file it does nothing.

use crate::finding::{Finding, Place};
use crate::lint::CrossFileFindings;
use crate::rules::registry::find;
use crate::rules::{FileContext, Violation};
use crate::wiring::units::{prefixed_away, Need, Provision, Runs};
use crate::wiring::Wiring;

pub fn check(_file: &FileContext, _violations: &mut Vec<Violation>) {}

/// At most this many reads are shown with a finding.
const MAX_RELATED: usize = 3;

pub fn check_across<'a>(wiring: &Wiring<'a>, out: &CrossFileFindings<'_, 'a>) -> Vec<Finding> {
    let Some(rule) = find("KL301") else {
        return Vec::new();
    };
    let needs = wiring.needs();
    let mut findings = Vec::new();
    // One finding per unit, naming every variable it lacks.
    let mut at = 0;
    while at < needs.len() {
        let unit = needs[at].unit;
        let same_unit = needs[at..]
            .iter()
            .take_while(|n| std::ptr::eq(n.unit, unit))
            .count();
        let lacking: Vec<&Need> = needs[at..at + same_unit]
            .iter()
            .filter(|n| matches!(n.provision, Provision::NotProvided))
            .collect();
        at += same_unit;
        let Some(first) = lacking.first() else {
            continue;
        };
        let variables: Vec<&str> = lacking.iter().map(|n| n.variable).collect();
        let names = list(&variables);
        let variable = first.variable;
        let primary = Place {
            path: &unit.summary.path,
            bytes: &unit.summary.bytes,
            span: unit.span.clone(),
        };
        let help = match unit.runs {
            Runs::Compose { .. } => format!(
                "the code gets no key and every API call fails with 401; add \
                     `environment: {variable}: ${{{variable}:?{variable} must be set}}` to the \
                     service, or an `env_file` that defines it (a `.env` beside the compose \
                     file only fills `${{...}}` in the compose file; it reaches containers only \
                     through `env_file`)"
            ),
            Runs::Kube(container) => match prefixed_away(wiring, container, variable) {
                Some((object, prefix)) => format!(
                    "`envFrom` of `{object}` adds the prefix `{prefix}`, so its {variable} \
                         arrives as {prefix}{variable}: the code gets no key and every API call \
                         fails with 401; drop the prefix, or add an `env` entry `{variable}` \
                         with `valueFrom.secretKeyRef`"
                ),
                None => format!(
                    "the code gets no key and every API call fails with 401; add an `env` \
                         entry `{variable}` with `valueFrom.secretKeyRef`, or `envFrom` a Secret \
                         that holds `{variable}`"
                ),
            },
        };
        let what = if let [only] = lacking[..] {
            only.what()
        } else {
            format!("needs {names} (it {})", first.what())
        };
        let related = unit.related(lacking.iter().take(MAX_RELATED).map(|n| {
            let (file, consumer) = n.consumers[0];
            let words = format!("the code {} here", consumer.verb());
            (file, consumer.span.clone(), words)
        }));
        findings.extend(out.finding(
            rule,
            &primary,
            format!(
                "{}, but nothing provides {names} to it",
                unit.reaching(&what)
            ),
            format!("no {names} here"),
            help,
            &related,
        ));
    }
    findings
}

/// "A", "A and B", "A, B and C".
fn list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
