//! Settings of Kubernetes manifests (Secrets, ConfigMaps, workload env) and kustomize generators.

use std::ops::Range;

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

/// The `metadata.name` of each document of a strategic-merge patch.
pub fn patched_names(text: &str) -> Vec<String> {
    crate::parse::yaml::parse(text)
        .unwrap_or_default()
        .iter()
        .filter_map(|doc| {
            let name = doc.get("metadata")?.get("name")?.as_str()?;
            Some(name.to_owned())
        })
        .collect()
}

/// Kubernetes objects and containers, for following keys across manifests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KubeModel {
    /// Secrets and ConfigMaps defined here, with their keys.
    pub objects: Vec<KubeObject>,
    pub containers: Vec<KubeContainer>,
    /// kustomize `secretGenerator` / `configMapGenerator` objects, whose keys may come from files.
    pub generated: Vec<Generated>,
    /// Workloads a kustomization patches (`patches`, `patchesStrategicMerge`,
    /// `patchesJson6902`): by name, or the patch files to read for their names.
    pub patched: Vec<String>,
    pub patch_files: Vec<String>,
}

/// An object a kustomize generator makes: the keys of its literals, and the files (paths relative
/// to the kustomization) that hold the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub object: KubeObject,
    /// `envs:` (and the older `env:`): dotenv files, one key per variable.
    pub env_files: Vec<String>,
    /// `files:`: one key per file, its name or the `key=` before the path.
    pub files: Vec<String>,
}

/// The objects of a kustomization's generators, and the workloads it patches.
pub fn kustomize_structure(doc: &Node, model: &mut KubeModel) {
    for field in ["patches", "patchesJson6902", "patchesStrategicMerge"] {
        for patch in doc.get(field).map(Node::items).unwrap_or_default() {
            if let Some(path) = patch.as_str().or_else(|| patch.get("path")?.as_str()) {
                model.patch_files.push(path.to_owned());
            }
            if let Some(name) = patch
                .get("target")
                .and_then(|t| t.get("name"))
                .and_then(Node::as_str)
            {
                model.patched.push(name.to_owned());
            }
            if let Some(inline) = patch.get("patch").and_then(Node::as_str) {
                model.patched.extend(patched_names(inline));
            }
        }
    }
    let namespace = doc
        .get("namespace")
        .and_then(Node::as_str)
        .map(str::to_owned);
    for (field, kind) in [
        ("secretGenerator", "Secret"),
        ("configMapGenerator", "ConfigMap"),
    ] {
        for generator in doc.get(field).map(Node::items).unwrap_or_default() {
            let Some(name) = generator.get("name") else {
                continue;
            };
            let strings = |key: &str| -> Vec<String> {
                generator
                    .get(key)
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_owned))
                    .collect()
            };
            let keys = strings("literals")
                .iter()
                .filter_map(|literal| literal.split_once('=').map(|(k, _)| k.trim().to_owned()))
                .collect();
            let mut env_files = strings("envs");
            env_files.extend(
                generator
                    .get("env")
                    .and_then(Node::as_str)
                    .map(str::to_owned),
            );
            model.generated.push(Generated {
                object: KubeObject {
                    kind: kind.to_owned(),
                    name: name.as_str().unwrap_or("(unnamed)").to_owned(),
                    namespace: generator
                        .get("namespace")
                        .and_then(Node::as_str)
                        .map(str::to_owned)
                        .or_else(|| namespace.clone()),
                    keys,
                    open: false,
                    span: name.span.clone(),
                },
                env_files,
                files: strings("files"),
            });
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeObject {
    /// `Secret` or `ConfigMap`.
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub keys: Vec<String>,
    /// Its keys are not all known (a generator whose files cannot be read): it may hold any.
    pub open: bool,
    /// The object's `metadata.name` (the document when it has none).
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KubeContainer {
    /// "Deployment `api`".
    pub workload: String,
    /// An init container (runs to completion before the others).
    pub init: bool,
    /// Belongs to a Job (not a CronJob).
    pub in_job: bool,
    /// Its own `command` and `args`, joined, when it overrides the image's.
    pub command: Option<String>,
    /// Whether it sets `command`: `args` alone replace only the image's `CMD`.
    pub replaces_entrypoint: bool,
    pub namespace: Option<String>,
    pub name: String,
    pub name_span: Range<usize>,
    pub image: Option<String>,
    /// Every `env[].name`, with or without a value.
    pub env_names: Vec<String>,
    /// `env[].valueFrom.secretKeyRef` / `configMapKeyRef`.
    pub env_refs: Vec<EnvRef>,
    /// `envFrom[].secretRef` / `configMapRef`.
    pub env_from: Vec<EnvFrom>,
    /// `volumeMounts[]`: volume name and mount path.
    pub volume_mounts: Vec<(String, String)>,
    /// The pod's Secret volumes: volume name and Secret name.
    pub secret_volumes: Vec<(String, String)>,
}

/// A variable filled from a key of a Secret or ConfigMap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRef {
    pub variable: String,
    pub variable_span: Range<usize>,
    /// `Secret` or `ConfigMap`.
    pub kind: String,
    pub object: String,
    /// The `name:` value naming the Secret or ConfigMap.
    pub object_span: Range<usize>,
    pub key: String,
    /// The `key:` value.
    pub key_span: Range<usize>,
    pub optional: bool,
    /// The `optional: ...` entry, when written.
    pub optional_span: Option<Range<usize>>,
    pub span: Range<usize>,
}

/// Every key of a Secret or ConfigMap as variables, with an optional prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFrom {
    pub kind: String,
    pub object: String,
    pub prefix: Option<String>,
    pub optional: bool,
    pub span: Range<usize>,
}

pub fn structure(doc: &Node, model: &mut KubeModel) {
    let (Some(kind), Some(_)) = (
        doc.get("kind").and_then(Node::as_str),
        doc.get("apiVersion"),
    ) else {
        return;
    };
    let metadata = doc.get("metadata");
    let text = |node: Option<&Node>, key: &str| {
        node.and_then(|n| n.get(key))
            .and_then(Node::as_str)
            .map(str::to_owned)
    };
    let name = text(metadata, "name").unwrap_or_else(|| "(unnamed)".into());
    let namespace = text(metadata, "namespace");
    match kind {
        "List" => {
            for item in doc.get("items").map(Node::items).unwrap_or_default() {
                structure(item, model);
            }
        }
        "Secret" | "ConfigMap" => {
            let keys = ["data", "stringData"]
                .iter()
                .flat_map(|field| doc.get(field).map(Node::entries).unwrap_or_default())
                .filter_map(|entry| entry.key.as_str().map(str::to_owned))
                .collect();
            let name_span = metadata
                .and_then(|m| m.get("name"))
                .map_or(doc.span.clone(), |n| n.span.clone());
            model.objects.push(KubeObject {
                kind: kind.to_owned(),
                name,
                namespace,
                keys,
                open: false,
                span: name_span,
            });
        }
        _ => {
            let Some((_, path)) = WORKLOADS.iter().find(|(k, _)| *k == kind) else {
                return;
            };
            let Some(pod) = path.iter().try_fold(doc, |node, key| node.get(key)) else {
                return;
            };
            let secret_volumes: Vec<(String, String)> = pod
                .get("volumes")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|volume| {
                    let secret = volume.get("secret")?.get("secretName")?.as_str()?;
                    Some((volume.get("name")?.as_str()?.to_owned(), secret.to_owned()))
                })
                .collect();
            for list in ["initContainers", "containers"] {
                for container in pod.get(list).map(Node::items).unwrap_or_default() {
                    model.containers.push(kube_container(
                        container,
                        list == "initContainers",
                        format!("{kind} `{name}`"),
                        namespace.clone(),
                        &secret_volumes,
                    ));
                }
            }
        }
    }
}

fn kube_container(
    container: &Node,
    init: bool,
    workload: String,
    namespace: Option<String>,
    secret_volumes: &[(String, String)],
) -> KubeContainer {
    let name_node = container.get("name");
    let optional = |node: &Node| node.get("optional").and_then(Node::as_str) == Some("true");
    let env_refs = container
        .get("env")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|var| {
            let variable = var.get("name")?;
            let from = var.get("valueFrom")?;
            let (kind, reference) = [("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")]
                .iter()
                .find_map(|(kind, field)| Some((*kind, from.get(field)?)))?;
            Some(EnvRef {
                variable: variable.as_str()?.to_owned(),
                variable_span: variable.span.clone(),
                kind: kind.to_owned(),
                object: reference.get("name")?.as_str()?.to_owned(),
                object_span: reference.get("name")?.span.clone(),
                key: reference.get("key")?.as_str()?.to_owned(),
                key_span: reference.get("key")?.span.clone(),
                optional: optional(reference),
                optional_span: reference
                    .get_entry("optional")
                    .map(|entry| entry.key.span.start..entry.value.span.end),
                span: reference.span.clone(),
            })
        })
        .collect();
    let env_from = container
        .get("envFrom")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|source| {
            let (kind, reference) = [("Secret", "secretRef"), ("ConfigMap", "configMapRef")]
                .iter()
                .find_map(|(kind, field)| Some((*kind, source.get(field)?)))?;
            Some(EnvFrom {
                kind: kind.to_owned(),
                object: reference.get("name")?.as_str()?.to_owned(),
                prefix: source
                    .get("prefix")
                    .and_then(Node::as_str)
                    .map(str::to_owned),
                optional: optional(reference),
                span: source.span.clone(),
            })
        })
        .collect();
    let env_names = container
        .get("env")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|var| Some(var.get("name")?.as_str()?.to_owned()))
        .collect();
    let volume_mounts = container
        .get("volumeMounts")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|mount| {
            Some((
                mount.get("name")?.as_str()?.to_owned(),
                mount.get("mountPath")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    KubeContainer {
        in_job: workload.starts_with("Job "),
        command: super::compose::command_text(&[container.get("command"), container.get("args")]),
        replaces_entrypoint: container.get("command").is_some(),
        workload,
        init,
        namespace,
        name: name_node
            .and_then(Node::as_str)
            .unwrap_or("(unnamed)")
            .to_owned(),
        name_span: name_node.map_or(container.span.clone(), |n| n.span.clone()),
        image: container
            .get("image")
            .and_then(Node::as_str)
            .map(str::to_owned),
        env_names,
        env_refs,
        env_from,
        volume_mounts,
        secret_volumes: secret_volumes.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    const MANIFESTS: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: prod\nspec:\n  template:\n    spec:\n      volumes:\n        - name: keys\n          secret:\n            secretName: openai\n      containers:\n        - name: api\n          image: example/api:1\n          env:\n            - name: OPENAI_API_KEY\n              valueFrom:\n                secretKeyRef:\n                  name: openai\n                  key: api-key\n                  optional: true\n            - name: MODEL\n              value: gpt-4o-mini\n          envFrom:\n            - prefix: APP_\n              configMapRef:\n                name: settings\n          volumeMounts:\n            - name: keys\n              mountPath: /var/run/keys\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: openai\n  namespace: prod\ndata:\n  api-key: c2stWU9VUl9LRVk=\nstringData:\n  other: x\n";

    #[test]
    fn containers_refs_and_objects() {
        let mut model = KubeModel::default();
        let mut settings = Vec::new();
        for doc in yaml::parse(MANIFESTS).unwrap() {
            structure(&doc, &mut model);
            super::settings(MANIFESTS.as_bytes(), &doc, &mut settings);
        }
        let api = &model.containers[0];
        assert_eq!(api.workload, "Deployment `api`");
        assert_eq!(api.namespace.as_deref(), Some("prod"));
        let reference = &api.env_refs[0];
        assert_eq!(
            (
                reference.variable.as_str(),
                reference.kind.as_str(),
                reference.object.as_str(),
                reference.key.as_str(),
                reference.optional
            ),
            ("OPENAI_API_KEY", "Secret", "openai", "api-key", true)
        );
        assert_eq!(
            &MANIFESTS[reference.variable_span.clone()],
            "OPENAI_API_KEY"
        );
        assert_eq!(api.env_from[0].prefix.as_deref(), Some("APP_"));
        assert_eq!(api.env_from[0].object, "settings");
        assert_eq!(
            api.volume_mounts,
            [("keys".to_owned(), "/var/run/keys".to_owned())]
        );
        assert_eq!(
            api.secret_volumes,
            [("keys".to_owned(), "openai".to_owned())]
        );
        assert_eq!(model.objects[0].keys, ["api-key", "other"]);
        let seen: Vec<(&str, Option<&str>, bool)> = settings
            .iter()
            .map(|s| {
                let value = s.value.as_ref();
                (
                    s.name.as_str(),
                    value.map(|v| v.text.as_str()),
                    value.is_some_and(|v| v.base64),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("OPENAI_API_KEY", None, false),
                ("MODEL", Some("gpt-4o-mini"), false),
                ("api-key", Some("c2stWU9VUl9LRVk="), true),
                ("other", Some("x"), false),
            ]
        );
    }
}
