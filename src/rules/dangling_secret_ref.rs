//! KL305 dangling-secret-ref: a `secretKeyRef` / `configMapKeyRef` / `envFrom` that points at a
//! Secret or ConfigMap defined in the repository (same namespace) but lacking the key, or at a
//! name one typo away from a defined one. References to objects defined elsewhere (kubectl,
//! External Secrets, Sealed Secrets, Helm) are not findings. The rule looks across files, so
//! it runs after the walk (see `crate::wiring`); per file it does nothing.

use crate::config::kubernetes::KubeObject;
use crate::finding::CrossFileOut;
use crate::finding::{Finding, Place};
use crate::rules::registry::find;
use crate::rules::{FileContext, Violation};
use crate::wiring::names::one_typo_apart;
use crate::wiring::Summary;

pub fn check(_file: &FileContext, _violations: &mut Vec<Violation>) {}

/// The findings over all manifests.
pub fn check_across<'a>(summaries: &'a [Summary], out: &dyn CrossFileOut<'a>) -> Vec<Finding> {
    let Some(rule) = find("KL305") else {
        return Vec::new();
    };
    let objects: Vec<(&Summary, &KubeObject)> = summaries
        .iter()
        .flat_map(|s| s.kube.objects.iter().map(move |o| (s, o)))
        .collect();
    let mut findings = Vec::new();
    for summary in summaries {
        for container in &summary.kube.containers {
            let same_namespace = |object: &KubeObject| {
                object.namespace.as_deref().unwrap_or("default")
                    == container.namespace.as_deref().unwrap_or("default")
            };
            let references = container
                .env_refs
                .iter()
                .map(|r| {
                    let spans = (&r.key_span, &r.object_span);
                    (&r.kind, &r.object, Some(&r.key), spans, r.optional)
                })
                .chain(
                    container
                        .env_from
                        .iter()
                        .map(|r| (&r.kind, &r.object, None, (&r.span, &r.span), r.optional)),
                );
            for (kind, name, key, (key_span, name_span), optional) in references {
                let defined = objects
                    .iter()
                    .find(|(_, o)| &o.kind == kind && &o.name == name && same_namespace(o));
                let primary = |span: &std::ops::Range<usize>| Place {
                    path: &summary.path,
                    bytes: summary.bytes(),
                    span: span.clone(),
                };
                let (message, label, help, (other, object), span) = match defined {
                    Some(found) => {
                        let Some(key) = key else { continue };
                        if found.1.keys.contains(key) || found.1.open || optional {
                            continue;
                        }
                        (
                            format!("{kind} `{name}` has no key `{key}`"),
                            format!("`{key}` is not in {kind} `{name}`"),
                            format!(
                                "the pod fails to start (CreateContainerConfigError); the {kind} \
                                 holds {}: use one of them, or add `{key}`",
                                listing(&found.1.keys)
                            ),
                            *found,
                            key_span,
                        )
                    }
                    None => {
                        let close = objects.iter().find(|(_, o)| {
                            &o.kind == kind && same_namespace(o) && one_typo_apart(&o.name, name)
                        });
                        let Some(close) = close else { continue };
                        (
                            format!("{kind} `{name}` is not defined; `{}` is", close.1.name),
                            format!("no {kind} named `{name}`"),
                            format!(
                                "the pod fails to start, or, with `optional: true`, runs with no \
                                 key (401); did you mean `{}`?",
                                close.1.name
                            ),
                            *close,
                            name_span,
                        )
                    }
                };
                let related = [(
                    Place {
                        path: &other.path,
                        bytes: other.bytes(),
                        span: object.span.clone(),
                    },
                    format!("{kind} `{}` is defined here", object.name),
                )];
                findings.extend(out.finding(rule, &primary(span), message, label, help, &related));
            }
        }
    }
    findings
}

fn listing(keys: &[String]) -> String {
    if keys.is_empty() {
        return "no keys".to_owned();
    }
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
