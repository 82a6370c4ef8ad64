//! Settings of compose files: each service's `environment` and `build.args`.

use std::ops::Range;

use super::{split_assignment, yaml_value, Place, Setting};
use crate::parse::yaml::Node;

pub fn settings(source: &[u8], doc: &Node, out: &mut Vec<Setting>) {
    let Some(services) = doc.get("services") else {
        return;
    };
    for entry in services.entries() {
        let Some(service) = entry.key.as_str() else {
            continue;
        };
        if let Some(environment) = entry.value.get("environment") {
            variables(source, environment, out, |list_form| {
                Place::ComposeEnvironment {
                    service: service.to_owned(),
                    list_form,
                }
            });
        }
        if let Some(args) = entry.value.get("build").and_then(|build| build.get("args")) {
            variables(source, args, out, |_| Place::ComposeBuildArg {
                service: service.to_owned(),
            });
        }
    }
}

/// A compose map (`NAME: value`) or list (`- NAME=value`) of variables.
fn variables(source: &[u8], node: &Node, out: &mut Vec<Setting>, place: impl Fn(bool) -> Place) {
    for entry in node.entries() {
        if let Some(name) = entry.key.as_str() {
            out.push(Setting {
                name: name.to_owned(),
                name_span: entry.key.span.clone(),
                value: yaml_value(source, &entry.value),
                place: place(false),
            });
        }
    }
    for item in node.items() {
        if let Some((name, name_span, value)) = split_assignment(source, item) {
            out.push(Setting {
                name,
                name_span,
                value,
                place: place(true),
            });
        }
    }
}

/// A compose file's services and secrets, for following keys across files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComposeFile {
    pub services: Vec<ComposeService>,
    /// Top-level `secrets:`: name, and the `file` or `environment` it comes from.
    pub secrets: Vec<ComposeSecret>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComposeService {
    pub name: String,
    pub name_span: Range<usize>,
    /// `build: ./dir` or `build: {context, dockerfile}`.
    pub build: Option<ComposeBuild>,
    pub image: Option<String>,
    pub env_files: Vec<EnvFileRef>,
    /// The service's `secrets:` list (short or long form).
    pub secrets: Vec<ServiceSecret>,
    /// Its own `entrypoint` and `command`, joined, when it overrides the image's.
    pub command: Option<String>,
    /// Whether it sets `entrypoint`: a `command` alone replaces only the image's `CMD`.
    pub replaces_entrypoint: bool,
    /// Other services wait for this one to finish (`depends_on` with
    /// `condition: service_completed_successfully`): a one-off task.
    pub awaited: bool,
    /// Container paths of `volumes` (bind mounts and named volumes).
    pub volume_targets: Vec<String>,
    /// `extends: {service, file}` or `extends: name`.
    pub extends: Option<(String, Option<String>)>,
}

/// A secret a service mounts: `source` names a top-level secret; the file is
/// `/run/secrets/<target>` (target defaults to source; an absolute target is the path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSecret {
    pub source: String,
    pub target: String,
    pub span: Range<usize>,
}

impl ServiceSecret {
    /// Where the container sees the secret.
    pub fn path(&self) -> String {
        if self.target.starts_with('/') {
            self.target.clone()
        } else {
            format!("/run/secrets/{}", self.target)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeBuild {
    pub context: String,
    pub dockerfile: Option<String>,
    /// The stage `target` to build.
    pub target: Option<String>,
}

/// An `env_file` entry: a path, and whether compose fails without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFileRef {
    pub path: String,
    pub span: Range<usize>,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeSecret {
    pub name: String,
    pub file: Option<String>,
    pub environment: Option<String>,
}

pub fn structure(doc: &Node) -> ComposeFile {
    let mut file = ComposeFile::default();
    for entry in doc.get("services").map(Node::entries).unwrap_or_default() {
        let Some(name) = entry.key.as_str() else {
            continue;
        };
        let service = &entry.value;
        file.services.push(ComposeService {
            name: name.to_owned(),
            name_span: entry.key.span.clone(),
            build: service.get("build").and_then(build),
            image: service
                .get("image")
                .and_then(Node::as_str)
                .map(str::to_owned),
            env_files: service.get("env_file").map(env_files).unwrap_or_default(),
            secrets: service
                .get("secrets")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(service_secret)
                .collect(),
            command: command_text(&[service.get("entrypoint"), service.get("command")]),
            replaces_entrypoint: service.get("entrypoint").is_some(),
            awaited: false,
            volume_targets: service
                .get("volumes")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(volume_target)
                .collect(),
            extends: service.get("extends").and_then(|extends| {
                let name = extends
                    .as_str()
                    .or_else(|| extends.get("service")?.as_str())?;
                let file = extends
                    .get("file")
                    .and_then(Node::as_str)
                    .map(str::to_owned);
                Some((name.to_owned(), file))
            }),
        });
    }
    // Services others wait on to complete are one-off tasks (migrations, prestart).
    for entry in doc.get("services").map(Node::entries).unwrap_or_default() {
        for dependency in entry
            .value
            .get("depends_on")
            .map(Node::entries)
            .unwrap_or_default()
        {
            let completes = dependency.value.get("condition").and_then(Node::as_str)
                == Some("service_completed_successfully");
            if let (true, Some(name)) = (completes, dependency.key.as_str()) {
                for service in file.services.iter_mut().filter(|s| s.name == name) {
                    service.awaited = true;
                }
            }
        }
    }
    for entry in doc.get("secrets").map(Node::entries).unwrap_or_default() {
        let Some(name) = entry.key.as_str() else {
            continue;
        };
        let field = |key: &str| {
            entry
                .value
                .get(key)
                .and_then(Node::as_str)
                .map(str::to_owned)
        };
        file.secrets.push(ComposeSecret {
            name: name.to_owned(),
            file: field("file"),
            environment: field("environment"),
        });
    }
    file
}

/// A command as one line: a string, or the items of a list, joined with spaces.
pub fn command_text(nodes: &[Option<&Node>]) -> Option<String> {
    let words: Vec<String> = nodes
        .iter()
        .flatten()
        .flat_map(|node| match node.as_str() {
            Some(text) => vec![text.to_owned()],
            None => node
                .items()
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// `./src:/target:ro`, `name:/target`, `/anonymous`, or the long form's `target`.
fn volume_target(item: &Node) -> Option<String> {
    if let Some(short) = item.as_str() {
        let mut parts = short.split(':');
        let first = parts.next()?;
        return Some(parts.next().unwrap_or(first).to_owned());
    }
    item.get("target")?.as_str().map(str::to_owned)
}

fn service_secret(item: &Node) -> Option<ServiceSecret> {
    let (source, node) = match item.as_str() {
        Some(name) => (name, item),
        None => {
            let node = item.get("source")?;
            (node.as_str()?, node)
        }
    };
    let target = item.get("target").and_then(Node::as_str).unwrap_or(source);
    Some(ServiceSecret {
        source: source.to_owned(),
        target: target.to_owned(),
        span: node.span.clone(),
    })
}

fn build(node: &Node) -> Option<ComposeBuild> {
    if let Some(context) = node.as_str() {
        return Some(ComposeBuild {
            context: context.to_owned(),
            dockerfile: None,
            target: None,
        });
    }
    node.entries().first()?;
    Some(ComposeBuild {
        context: node
            .get("context")
            .and_then(Node::as_str)
            .unwrap_or(".")
            .to_owned(),
        dockerfile: node
            .get("dockerfile")
            .and_then(Node::as_str)
            .map(str::to_owned),
        target: node.get("target").and_then(Node::as_str).map(str::to_owned),
    })
}

/// `env_file: path`, `env_file: [a, b]`, or the long form `- {path, required}`.
fn env_files(node: &Node) -> Vec<EnvFileRef> {
    let one = |item: &Node| -> Option<EnvFileRef> {
        if let Some(path) = item.as_str() {
            return Some(EnvFileRef {
                path: path.to_owned(),
                span: item.span.clone(),
                required: true,
            });
        }
        let path = item.get("path")?;
        Some(EnvFileRef {
            path: path.as_str()?.to_owned(),
            span: path.span.clone(),
            required: item.get("required").and_then(Node::as_str) != Some("false"),
        })
    };
    if node.items().is_empty() {
        one(node).into_iter().collect()
    } else {
        node.items().iter().filter_map(one).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    const COMPOSE: &str = "x-env: &env\n  OPENAI_API_KEY: ${OPENAI_API_KEY}\nservices:\n  web:\n    build: ./web\n    env_file: .env\n    environment:\n      <<: *env\n      PORT: \"8000\"\n    secrets: [openai]\n  worker:\n    build:\n      context: ./worker\n      dockerfile: Dockerfile.worker\n      args:\n        - OPENAI_API_KEY\n    env_file:\n      - path: ./worker.env\n        required: false\n      - common.env\n    environment:\n      - OPENAI_API_KEY=\"sk-x\"\n    extends:\n      service: base\n      file: base.yaml\n    secrets:\n      - source: openai\n        target: key\nsecrets:\n  openai:\n    file: ./openai.txt\n";

    #[test]
    fn services_and_their_settings() {
        let doc = &yaml::parse(COMPOSE).unwrap()[0];
        let file = structure(doc);
        let web = &file.services[0];
        assert_eq!(web.name, "web");
        assert_eq!(web.build.as_ref().unwrap().context, "./web");
        assert_eq!(web.env_files[0].path, ".env");
        assert!(web.env_files[0].required);
        assert_eq!(web.secrets[0].source, "openai");
        assert_eq!(web.secrets[0].path(), "/run/secrets/openai");
        let worker = &file.services[1];
        assert_eq!(
            worker.build,
            Some(ComposeBuild {
                context: "./worker".into(),
                dockerfile: Some("Dockerfile.worker".into()),
                target: None,
            })
        );
        let paths: Vec<(&str, bool)> = worker
            .env_files
            .iter()
            .map(|f| (f.path.as_str(), f.required))
            .collect();
        assert_eq!(paths, [("./worker.env", false), ("common.env", true)]);
        assert_eq!(
            worker.extends,
            Some(("base".into(), Some("base.yaml".into())))
        );
        assert_eq!(worker.secrets[0].source, "openai");
        assert_eq!(worker.secrets[0].path(), "/run/secrets/key");
        assert_eq!(&COMPOSE[worker.secrets[0].span.clone()], "openai");
        assert_eq!(file.secrets[0].file.as_deref(), Some("./openai.txt"));

        let mut settings = Vec::new();
        super::settings(COMPOSE.as_bytes(), doc, &mut settings);
        let seen: Vec<(&str, Option<&str>, &str)> = settings
            .iter()
            .map(|s| {
                let value = s.value.as_ref().map(|v| v.text.as_str());
                let at = &COMPOSE[s.name_span.clone()];
                (s.name.as_str(), value, at)
            })
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "OPENAI_API_KEY",
                    Some("${OPENAI_API_KEY}"),
                    "OPENAI_API_KEY"
                ),
                ("PORT", Some("8000"), "PORT"),
                ("OPENAI_API_KEY", Some("\"sk-x\""), "OPENAI_API_KEY"),
                ("OPENAI_API_KEY", None, "OPENAI_API_KEY"),
            ]
        );
        // The merged entry keeps the position of the anchored block.
        let merged = &settings[0];
        assert_eq!(
            &COMPOSE[merged.value.as_ref().unwrap().span.clone()],
            "${OPENAI_API_KEY}"
        );
        assert!(merged.value.as_ref().unwrap().span.start < COMPOSE.find("services").unwrap());
        // The list entry's value is verbatim, quotes included.
        let listed = settings[2].value.as_ref().unwrap();
        assert_eq!(&COMPOSE[listed.span.clone()], "\"sk-x\"");
    }
}
