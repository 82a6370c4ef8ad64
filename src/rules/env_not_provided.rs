//! KL301 env-not-provided: a unit (compose service, Kubernetes container) runs code that needs
//! a key variable and provides it by no route: no `environment` / `env` entry, no env file that
//! defines it, no `envFrom` object that holds it, no Dockerfile `ENV` default. The finding is on
//! the unit and shows where the code reads the key. Env files that exist but lack the key are
//! KL304's; a variable provided nowhere while a close name is provided is KL302's; CI jobs are
//! KL307's. The rule looks across files, so it runs after the walk; per file it does nothing.

use crate::finding::CrossFileOut;
use crate::finding::{Finding, Place};
use crate::rules::registry::{find, RuleInfo};
use crate::rules::{FileContext, Violation};
use crate::wiring::names::listed;
use crate::wiring::units::{prefixed_away, Need, Provision, Runs};
use crate::wiring::Wiring;

pub fn check(_file: &FileContext, _violations: &mut Vec<Violation>) {}

/// At most this many reads are shown with a finding.
const MAX_RELATED: usize = 3;

pub fn check_across<'a>(
    wiring: &Wiring<'a>,
    needs: &[Need<'_, 'a>],
    out: &dyn CrossFileOut<'a>,
) -> Vec<Finding> {
    let Some(rule) = find("KL301") else {
        return Vec::new();
    };
    let mut findings = none_of_its_providers(rule, wiring, needs, out);
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
        let names = listed(&variables, "and");
        let variable = first.variable;
        let primary = Place {
            path: &unit.summary.path,
            bytes: unit.summary.bytes(),
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

/// A unit whose code needs no key of its own but picks one of several providers by a
/// setting, and that gives none of their keys: whichever it picks gets no key.
fn none_of_its_providers<'a>(
    rule: &'static RuleInfo,
    wiring: &Wiring<'a>,
    needs: &[Need<'_, 'a>],
    out: &dyn CrossFileOut<'a>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for unit in &wiring.units {
        if needs.iter().any(|n| std::ptr::eq(n.unit, unit)) {
            continue;
        }
        let choices = unit.provider_choices(wiring);
        if choices.len() < 2
            || choices
                .iter()
                .any(|(_, c)| !matches!(unit.provides(wiring, &c.variable), Provision::NotProvided))
        {
            continue;
        }
        let variables: Vec<&str> = choices.iter().map(|(_, c)| c.variable.as_str()).collect();
        let names = listed(&variables, "or");
        let (file, first) = choices[0];
        let related = unit.related(
            choices
                .iter()
                .take(MAX_RELATED)
                .map(|(file, c)| (*file, c.span.clone(), format!("the code {} here", c.verb()))),
        );
        let primary = Place {
            path: &unit.summary.path,
            bytes: unit.summary.bytes(),
            span: unit.span.clone(),
        };
        findings.extend(
            out.finding(
                rule,
                &primary,
                format!(
                    "{}, but nothing provides any of them to it",
                    unit.reaching(&format!(
                        "needs the key of the provider it is set to use: {names} (it {} at {})",
                        first.verb(),
                        file.at(first.span.start)
                    ))
                ),
                format!("none of {names} here"),
                "whichever provider the code picks gets no key, and its API calls fail with 401; \
             give the unit the key of the provider it uses, and select that provider in its \
             settings"
                    .into(),
                &related,
            ),
        );
    }
    findings
}
