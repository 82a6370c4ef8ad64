//! KL304 missing-env-file: a compose `env_file` that a service needs for its keys is missing
//! (and not `required: false`, nor git-ignored with a template beside it that says how to make
//! it), or exists and lacks a key variable the service's code reads, when nothing else
//! provides it. Both look across files: only a service whose code needs a key is judged.

use crate::finding::CrossFileOut;
use crate::finding::{Finding, Place};
use crate::rules::registry::{find, RuleInfo};
use crate::rules::{FileContext, Violation};
use crate::wiring::units::{dir_of, join, service_views, Need, Provision, Runs};
use crate::wiring::Wiring;

pub fn check(_file: &FileContext, _violations: &mut Vec<Violation>) {}

/// Env files that do not exist, loaded by a service whose code needs a key from them.
fn missing<'a>(
    rule: &'static RuleInfo,
    wiring: &Wiring<'a>,
    needs: &[Need<'_, 'a>],
    out: &dyn CrossFileOut<'a>,
) -> Vec<Finding> {
    let mut reported: Vec<(&str, std::ops::Range<usize>)> = Vec::new();
    let mut findings = Vec::new();
    for need in needs {
        if !matches!(need.provision, Provision::EnvFileMissing) {
            continue;
        }
        let unit = need.unit;
        let Runs::Compose { service, .. } = &unit.runs else {
            continue;
        };
        for (file, view) in service_views(wiring, unit.summary, &service.name) {
            let Some(compose) = &file.compose else {
                continue;
            };
            for env_file in compose
                .env_files
                .iter()
                .filter(|f| f.service == view.name && f.names.is_none() && f.reference.required)
            {
                let span = env_file.reference.span.clone();
                if reported.iter().any(|(p, s)| *p == file.path && *s == span) {
                    continue;
                }
                reported.push((&file.path, span.clone()));
                let is_dir = wiring.disk.as_ref().is_some_and(|disk| {
                    join(dir_of(&file.path), &env_file.reference.path)
                        .is_some_and(|p| disk.is_dir(&p))
                });
                let what = if is_dir {
                    "is a directory, not a file"
                } else {
                    "does not exist"
                };
                findings.extend(out.finding(
                    rule,
                    &Place {
                        path: &file.path,
                        bytes: file.bytes(),
                        span,
                    },
                    format!(
                        "`{}` {what}, yet {} loads it, and {}",
                        env_file.reference.path,
                        if view.name == service.name {
                            "the service".to_owned()
                        } else {
                            format!("service `{}` it extends", view.name)
                        },
                        unit.reaching(&need.what())
                    ),
                    "no such file".into(),
                    format!(
                        "`docker compose up` fails, or, where the file is created by hand on \
                         some machines only, the service starts there without its keys (401); \
                         create it (for example from an example env file, committed beside it \
                         as `{0}.example`), or mark it optional: `env_file: [{{path: {0}, \
                         required: false}}]`",
                        env_file.reference.path
                    ),
                    &need.related(),
                ));
            }
        }
    }
    findings
}

/// Env files that are missing, or exist and lack a key variable the service's code reads.
pub fn check_across<'a>(
    wiring: &Wiring<'a>,
    needs: &[Need<'_, 'a>],
    out: &dyn CrossFileOut<'a>,
) -> Vec<Finding> {
    let Some(rule) = find("KL304") else {
        return Vec::new();
    };
    let mut findings = missing(rule, wiring, needs, out);
    for need in needs {
        let Provision::EnvFilesLack(env_files) = &need.provision else {
            continue;
        };
        let (unit, variable) = (need.unit, need.variable);
        // The service's own env file when it has one, else one it inherits.
        let owned: Vec<_> = env_files
            .iter()
            .filter_map(|f| Some((*f, compose_of(wiring, f)?)))
            .collect();
        let Some(&(env_file, owner)) = owned
            .iter()
            .find(|(_, owner)| std::ptr::eq(unit.summary, *owner))
            .or(owned.first())
        else {
            continue;
        };
        let listed: Vec<String> = env_files
            .iter()
            .map(|f| format!("`{}`", f.reference.path))
            .collect();
        let env_path = join(dir_of(&owner.path), &env_file.reference.path);
        let env_summary = wiring
            .summaries
            .iter()
            .find(|s| Some(&s.path) == env_path.as_ref());
        let mut related = need.related();
        if let Some(env_summary) = env_summary {
            let first_line = env_summary
                .bytes()
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(env_summary.bytes().len());
            related.push((
                Place {
                    path: &env_summary.path,
                    bytes: env_summary.bytes(),
                    span: 0..first_line,
                },
                format!("`{}` defines no {variable}", env_file.reference.path),
            ));
        }
        findings.extend(out.finding(
            rule,
            &Place {
                path: &owner.path,
                bytes: owner.bytes(),
                span: env_file.reference.span.clone(),
            },
            format!(
                "`{}` does not define {variable}, yet {}",
                env_file.reference.path,
                unit.reaching(&need.what())
            ),
            format!("no {variable} in this file"),
            format!(
                "nothing else provides {variable} to the service ({} {} its only env \
                     source), so the code gets no key and every API call fails with 401; add \
                     `{variable}=` to the env file, or `environment: {variable}: \
                     ${{{variable}:?{variable} must be set}}` to the service",
                listed.join(", "),
                if listed.len() == 1 { "is" } else { "are" },
            ),
            &related,
        ));
    }
    findings
}

/// The compose file that lists an env file.
fn compose_of<'a>(
    wiring: &Wiring<'a>,
    env_file: &crate::wiring::ResolvedEnvFile,
) -> Option<&'a crate::wiring::Summary> {
    wiring.summaries.iter().find(|s| {
        s.compose
            .as_ref()
            .is_some_and(|c| c.env_files.iter().any(|f| std::ptr::eq(f, env_file)))
    })
}
