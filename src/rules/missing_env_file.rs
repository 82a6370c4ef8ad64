//! KL304 missing-env-file: a compose `env_file` that does not exist (unless `required: false`,
//! or git ignores it and a template beside it says how to make it), checked per file; or one
//! that exists and lacks a key variable the service's code reads, when nothing else provides
//! it, checked across files after the walk.

use crate::file_kind::FileKind;
use crate::finding::{Finding, Place};
use crate::lint::CrossFileFindings;
use crate::rules::registry::find;
use crate::rules::{FileContext, Violation};
use crate::wiring::env_templates::setup_template;
use crate::wiring::units::{dir_of, join, Provision};
use crate::wiring::Wiring;

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.kind != FileKind::Compose {
        return;
    }
    let (Some(model), Some(dir)) = (file.config(), file.location.and_then(|p| p.parent())) else {
        return;
    };
    let Some(compose) = &model.compose else {
        return;
    };
    for service in &compose.services {
        for env_file in service.env_files.iter().filter(|f| f.required) {
            let full = dir.join(&env_file.path);
            if env_file.path.is_empty() || env_file.path.contains('$') || full.is_file() {
                continue;
            }
            let what = if full.is_dir() {
                "which is a directory, not a file"
            } else if setup_template(&full, file.scan_top).is_some() {
                // Made at setup from the template (`cp .env.example .env`).
                continue;
            } else {
                "which does not exist"
            };
            violations.push(Violation {
                span: env_file.span.clone(),
                message: format!(
                    "service `{}` loads `{}`, {what}",
                    service.name, env_file.path
                ),
                label: "no such file".into(),
                help: format!(
                    "`docker compose up` fails, or, where the file is created by hand on some \
                     machines only, the service starts there without its keys (401); create it \
                     (for example from an example env file), or mark it optional: \
                     `env_file: [{{path: {}, required: false}}]`",
                    env_file.path
                ),
                provider: None,
                secret: None,
            });
        }
    }
}

/// Env files that exist and lack a key variable the service's code reads.
pub fn check_across<'a>(wiring: &Wiring<'a>, out: &CrossFileFindings<'_, 'a>) -> Vec<Finding> {
    let Some(rule) = find("KL304") else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for need in wiring.needs() {
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
                .bytes
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(env_summary.bytes.len());
            related.push((
                Place {
                    path: &env_summary.path,
                    bytes: &env_summary.bytes,
                    span: 0..first_line,
                },
                format!("`{}` defines no {variable}", env_file.reference.path),
            ));
        }
        findings.extend(out.finding(
            rule,
            &Place {
                path: &owner.path,
                bytes: &owner.bytes,
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
