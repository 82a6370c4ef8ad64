//! KL305 dangling-secret-ref: a `secretKeyRef` / `configMapKeyRef` / `envFrom` that points at a
//! Secret or ConfigMap defined in the repository (same namespace) but lacking the key, or at a
//! name one typo away from a defined one. References to objects defined elsewhere (kubectl,
//! External Secrets, Sealed Secrets, Helm) are not findings. The rule looks across files, so
//! it runs after the walk (see `crate::wiring`); per file it does nothing.

use crate::config::kubernetes::KubeObject;
use crate::lint::{Finding, Linter, Place};
use crate::rules::registry::find;
use crate::rules::{FileContext, Violation};
use crate::wiring::Summary;

pub fn check(_file: &FileContext, _violations: &mut Vec<Violation>) {}

/// The findings over all manifests.
pub fn check_across(summaries: &[Summary], linter: &Linter) -> Vec<Finding> {
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
                .map(|r| (&r.kind, &r.object, Some(&r.key), &r.key_span, r.optional))
                .chain(
                    container
                        .env_from
                        .iter()
                        .map(|r| (&r.kind, &r.object, None, &r.span, r.optional)),
                );
            for (kind, name, key, span, optional) in references {
                let defined = objects
                    .iter()
                    .find(|(_, o)| &o.kind == kind && &o.name == name && same_namespace(o));
                let primary = Place {
                    path: &summary.path,
                    bytes: &summary.bytes,
                    span: span.clone(),
                };
                let (message, label, help, (other, object)) = match defined {
                    Some(found) => {
                        let Some(key) = key else { continue };
                        if found.1.keys.contains(key) || optional {
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
                        )
                    }
                };
                let related = [(
                    Place {
                        path: &other.path,
                        bytes: &other.bytes,
                        span: object.span.clone(),
                    },
                    format!("{kind} `{}` is defined here", object.name),
                )];
                findings.extend(
                    linter.cross_file_finding(rule, &primary, message, label, help, &related),
                );
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

/// Names that differ only by case and separators, or by an edit distance of at most 2.
fn one_typo_apart(a: &str, b: &str) -> bool {
    let squash = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect::<String>()
    };
    a != b && (squash(a) == squash(b) || edit_distance(a, b) <= 2)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos() {
        assert!(one_typo_apart("openai-key", "openai-keys"));
        assert!(one_typo_apart("openai_key", "OpenAI-Key"));
        assert!(!one_typo_apart("openai", "openai"));
        assert!(!one_typo_apart("openai", "postgres"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
