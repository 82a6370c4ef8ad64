//! Settings of Kubernetes manifests (Secrets, ConfigMaps, workload env) and kustomize generators.

use super::{split_assignment, yaml_value, Place, Setting};
use crate::parse::yaml::Node;

/// Kinds whose pod template holds containers, with the path to the pod spec.
const WORKLOADS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
];

pub fn settings(source: &[u8], doc: &Node, out: &mut Vec<Setting>) {
    let (Some(kind), Some(_)) = (
        doc.get("kind").and_then(Node::as_str),
        doc.get("apiVersion"),
    ) else {
        return;
    };
    let name = doc
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Node::as_str)
        .unwrap_or("(unnamed)")
        .to_owned();
    match kind {
        "List" => {
            for item in doc.get("items").map(Node::items).unwrap_or_default() {
                settings(source, item, out);
            }
        }
        "Secret" => {
            let place = |string_data| Place::KubeSecret {
                name: name.clone(),
                string_data,
            };
            data(source, doc.get("data"), true, place(false), out);
            data(source, doc.get("stringData"), false, place(true), out);
        }
        "ConfigMap" => data(
            source,
            doc.get("data"),
            false,
            Place::KubeConfigMap { name: name.clone() },
            out,
        ),
        _ => {
            let Some((_, path)) = WORKLOADS.iter().find(|(k, _)| *k == kind) else {
                return;
            };
            let pod = path.iter().try_fold(doc, |node, key| node.get(key));
            let workload = format!("{kind} `{name}`");
            for list in ["initContainers", "containers"] {
                for container in pod
                    .and_then(|p| p.get(list))
                    .map(Node::items)
                    .unwrap_or_default()
                {
                    container_env(source, container, &workload, out);
                }
            }
        }
    }
}

/// The entries of a Secret's or ConfigMap's `data` / `stringData`.
fn data(source: &[u8], node: Option<&Node>, base64: bool, place: Place, out: &mut Vec<Setting>) {
    for entry in node.map(Node::entries).unwrap_or_default() {
        if let Some(key) = entry.key.as_str() {
            let mut value = yaml_value(source, &entry.value);
            if let Some(value) = value.as_mut() {
                value.base64 = base64;
            }
            out.push(Setting {
                name: key.to_owned(),
                name_span: entry.key.span.clone(),
                value,
                place: place.clone(),
            });
        }
    }
}

fn container_env(source: &[u8], container: &Node, workload: &str, out: &mut Vec<Setting>) {
    let container_name = container
        .get("name")
        .and_then(Node::as_str)
        .unwrap_or("(unnamed)");
    for var in container.get("env").map(Node::items).unwrap_or_default() {
        let Some(name) = var.get("name") else {
            continue;
        };
        let Some(name_text) = name.as_str() else {
            continue;
        };
        out.push(Setting {
            name: name_text.to_owned(),
            name_span: name.span.clone(),
            value: var.get("value").and_then(|v| yaml_value(source, v)),
            place: Place::KubeEnv {
                workload: workload.to_owned(),
                container: container_name.to_owned(),
            },
        });
    }
}

/// `secretGenerator` / `configMapGenerator` literals of a kustomization.
pub fn kustomize_settings(source: &[u8], doc: &Node, out: &mut Vec<Setting>) {
    for (field, secret) in [("secretGenerator", true), ("configMapGenerator", false)] {
        for generator in doc.get(field).map(Node::items).unwrap_or_default() {
            let name = generator
                .get("name")
                .and_then(Node::as_str)
                .unwrap_or("(unnamed)")
                .to_owned();
            for literal in generator
                .get("literals")
                .map(Node::items)
                .unwrap_or_default()
            {
                if let Some((key, key_span, value)) = split_assignment(source, literal) {
                    out.push(Setting {
                        name: key,
                        name_span: key_span,
                        value,
                        place: Place::KustomizeLiteral {
                            generator: name.clone(),
                            secret,
                        },
                    });
                }
            }
        }
    }
}
