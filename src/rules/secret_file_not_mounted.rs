//! KL310 secret-file-not-mounted: code reads a key from a secret file (`/run/secrets/<name>`,
//! a path under a secrets directory) and the unit that runs it does not mount it: a compose
//! service without the secret in its `secrets:` list (or listing one the top-level `secrets:`
//! does not define), a Kubernetes container with no volume mounted over the path. The rule
//! looks across files, so it runs after the walk; per file it does nothing.

use crate::finding::CrossFileOut;
use crate::finding::{Finding, Place};
use crate::rules::registry::find;
use crate::rules::{FileContext, Violation};
use crate::wiring::units::{covers, dir_of, service_views, Provision, Runs};
use crate::wiring::Wiring;

pub fn check(_file: &FileContext, _violations: &mut Vec<Violation>) {}

pub fn check_across<'a>(wiring: &Wiring<'a>, out: &dyn CrossFileOut<'a>) -> Vec<Finding> {
    let Some(rule) = find("KL310") else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for unit in &wiring.units {
        for (code, read) in unit.secret_reads(wiring) {
            let path = &read.path;
            // `open("/run/secrets/k") if exists else os.environ["OPENAI_API_KEY"]`: the unit
            // may give the key the other way.
            let fallback = code
                .consumers
                .iter()
                .any(|c| matches!(unit.provides(wiring, &c.variable), Provision::Provided));
            // Candidate paths (one for compose, one for Kubernetes): one mounted is enough.
            let other_mounted = code
                .secret_reads
                .iter()
                .any(|r| r.path != *path && unit.mounts(wiring, &r.path));
            if fallback || other_mounted {
                continue;
            }
            let (span, message, label, help) = match unit.runs {
                Runs::Compose { service, .. } => {
                    if !path.starts_with("/run/secrets/") {
                        continue;
                    }
                    let views = service_views(wiring, unit.summary, &service.name);
                    let bind_mounted = views
                        .iter()
                        .flat_map(|(_, s)| &s.volume_targets)
                        .any(|target| covers(target, path));
                    if bind_mounted {
                        continue;
                    }
                    let listed = views
                        .iter()
                        .flat_map(|(_, s)| &s.secrets)
                        .find(|s| s.path() == *path);
                    match listed {
                        None => (
                            unit.span.clone(),
                            "but the service does not mount it".to_owned(),
                            format!("no secret mounted at {path}"),
                            format!(
                                "the read fails, or with a fallback yields no key (401); add \
                                 `secrets: [{name}]` to the service and define `{name}` in the \
                                 top-level `secrets:` (`file:` or `environment:`)",
                                name = &path["/run/secrets/".len()..]
                            ),
                        ),
                        Some(secret) => {
                            let defined = wiring
                                .compose_files(unit.summary)
                                .iter()
                                .filter_map(|s| s.compose.as_ref())
                                .any(|c| c.file.secrets.iter().any(|d| d.name == secret.source));
                            if defined {
                                continue;
                            }
                            (
                                secret.span.clone(),
                                format!(
                                    "but the top-level `secrets:` does not define `{}`",
                                    secret.source
                                ),
                                format!("`{}` is not defined", secret.source),
                                format!(
                                    "compose refuses to start the service; define it: \
                                     `secrets: {{{}: {{file: ./secrets/{}.txt}}}}` or \
                                     `{{environment: OPENAI_API_KEY}}`",
                                    secret.source, secret.source
                                ),
                            )
                        }
                    }
                }
                Runs::Kube(_) => {
                    if unit.mounts(wiring, path) {
                        continue;
                    }
                    (
                        unit.span.clone(),
                        "but no volume is mounted there".to_owned(),
                        format!("nothing mounted at {}", dir_of(path)),
                        format!(
                            "the read fails, or with a fallback yields no key (401); add a \
                             `secret` volume to the pod and a `volumeMounts` entry with \
                             `mountPath: {}` to the container",
                            dir_of(path)
                        ),
                    )
                }
            };
            let what = format!(
                "reads the secret file {path} at {}",
                code.at(read.span.start)
            );
            let related = unit.related([(
                code,
                read.span.clone(),
                format!("the code reads {path} here"),
            )]);
            findings.extend(out.finding(
                rule,
                &Place {
                    path: &unit.summary.path,
                    bytes: unit.summary.bytes(),
                    span,
                },
                format!("{}, {message}", unit.reaching(&what)),
                label,
                help,
                &related,
            ));
        }
    }
    findings
}
