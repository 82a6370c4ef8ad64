//! What configuration files provide: every environment variable a file sets (or passes
//! through), to which unit, with which value, where. Built from the parsers in `crate::parse`;
//! the KL1xx/KL4xx rules judge key settings here, and the wiring rules will follow them.

pub mod ci;
pub mod comments;
pub mod compose;
mod dockerfile;
mod dotenv;
pub mod interpolation;
pub mod kubernetes;

use std::ops::Range;

use crate::file_kind::FileKind;
use crate::parse::yaml;

/// One variable given a value, or passed through, by a configuration file.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub name: String,
    pub name_span: Range<usize>,
    /// None: no value here (a compose pass-through `- NAME`, `NAME:` null, an ARG without default).
    pub value: Option<SettingValue>,
    pub place: Place,
}

/// Where a setting sits, and for which unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A line of a `.env`-family file.
    DotEnv,
    DockerEnv {
        stage: Option<usize>,
    },
    DockerArg {
        stage: Option<usize>,
    },
    /// A compose service's `environment` entry; `list_form` for `- NAME=value`.
    ComposeEnvironment {
        service: String,
        list_form: bool,
    },
    ComposeBuildArg {
        service: String,
    },
    /// A container's `env[].value` in a Kubernetes workload.
    KubeEnv {
        workload: String,
        container: String,
    },
    /// A Kubernetes Secret's `data` (base64) or `stringData` entry.
    KubeSecret {
        name: String,
        string_data: bool,
    },
    KubeConfigMap {
        name: String,
    },
    /// A kustomize `secretGenerator` / `configMapGenerator` literal.
    KustomizeLiteral {
        generator: String,
        secret: bool,
    },
    /// GitHub Actions `env` (workflow, job or step level) or GitLab CI `variables`.
    CiEnv {
        job: Option<String>,
    },
}

impl Place {
    /// Words for messages: "compose service `web`".
    pub fn describe(&self) -> String {
        match self {
            Place::DotEnv => "env file".into(),
            Place::DockerEnv { .. } => "Dockerfile ENV".into(),
            Place::DockerArg { .. } => "Dockerfile ARG".into(),
            Place::ComposeEnvironment { service, .. } => format!("compose service `{service}`"),
            Place::ComposeBuildArg { service } => {
                format!("build args of compose service `{service}`")
            }
            Place::KubeEnv {
                workload,
                container,
            } => {
                format!("container `{container}` of {workload}")
            }
            Place::KubeSecret { name, .. } => format!("Secret `{name}`"),
            Place::KubeConfigMap { name } => format!("ConfigMap `{name}`"),
            Place::KustomizeLiteral { generator, .. } => {
                format!("kustomize generator `{generator}`")
            }
            Place::CiEnv { job: Some(job) } => format!("CI job `{job}`"),
            Place::CiEnv { job: None } => "CI workflow".into(),
        }
    }
}

/// A setting's value as written and as the program will see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingValue {
    /// What the program sees (for Kubernetes Secret `data`: the still-encoded base64 text).
    pub text: String,
    /// The value as written, quotes included.
    pub span: Range<usize>,
    /// Inside the quotes; equal to `span` when unquoted.
    pub content_span: Range<usize>,
    /// `text` is exactly the file's bytes at `content_span`, so offsets inside it map 1:1.
    pub verbatim: bool,
    /// An opening quote that is never closed.
    pub unterminated: bool,
    /// A `\r` ending the line in a CRLF `.env` file.
    pub trailing_cr: Option<usize>,
    /// Kubernetes Secret `data`: base64-encoded.
    pub base64: bool,
}

impl SettingValue {
    /// A value whose text is the file's bytes at `content_span` (checked).
    pub fn new(
        source: &[u8],
        text: String,
        span: Range<usize>,
        content_span: Range<usize>,
    ) -> Self {
        let verbatim = source.get(content_span.clone()) == Some(text.as_bytes());
        SettingValue {
            text,
            span,
            content_span,
            verbatim,
            unterminated: false,
            trailing_cr: None,
            base64: false,
        }
    }

    /// The file span of `range` (byte offsets into `text`), or the whole value when the text is
    /// not verbatim (escapes, folding).
    pub fn source_span(&self, range: Range<usize>) -> Range<usize> {
        if self.verbatim && range.end <= self.text.len() {
            self.content_span.start + range.start..self.content_span.start + range.end
        } else {
            self.span.clone()
        }
    }

    /// Whether the value is filled in elsewhere: `${X}`, `$X`, `$(...)`, `{{ ... }}`,
    /// `${{ secrets.X }}`, `#{...}`.
    pub fn is_template(&self) -> bool {
        is_template(&self.text)
    }
}

pub fn is_template(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.contains("{{")
        || text.contains("#{")
        || bytes.windows(2).any(|w| {
            w[0] == b'$'
                && (w[1] == b'{' || w[1] == b'(' || w[1] == b'_' || w[1].is_ascii_alphabetic())
        })
}

/// What one configuration file provides.
#[derive(Debug, Default)]
pub struct ConfigModel {
    pub settings: Vec<Setting>,
    /// Why the file was not understood structurally (shown with --verbose); the file is still
    /// scanned as text.
    pub parse_failure: Option<String>,
    /// `OPENAI_BASE_URL`-style settings pointing the OpenAI SDK elsewhere, by value.
    pub base_urls: Vec<String>,
    /// Compose files: services, their builds, env files and secrets.
    pub compose: Option<compose::ComposeFile>,
    /// Kubernetes manifests: Secrets and ConfigMaps defined, containers and their references.
    pub kube: kubernetes::KubeModel,
    /// CI files: triggers, jobs and their scripts.
    pub ci: Option<ci::CiFile>,
    /// Dockerfiles: the stages whose `ENV` the built image keeps (the last stage and the ones
    /// it is built `FROM`), last first.
    pub image_stages: Vec<usize>,
}

/// Variables that point the OpenAI SDK at another endpoint.
pub const BASE_URL_VARS: &[&str] = &[
    "OPENAI_BASE_URL",
    "OPENAI_API_BASE",
    "OPENAI_API_BASE_URL",
    "OPENAI_API_HOST",
];

/// Builds the model of a configuration file, or None for files that are not configuration.
pub fn model(kind: FileKind, bytes: &[u8]) -> Option<ConfigModel> {
    let mut model = match kind {
        FileKind::Env | FileKind::EnvExample => dotenv::model(bytes),
        FileKind::Dockerfile => dockerfile::model(bytes),
        FileKind::Compose
        | FileKind::Yaml
        | FileKind::GithubWorkflow
        | FileKind::GitlabCi
        | FileKind::Kustomization => yaml_model(kind, bytes),
        _ => return None,
    };
    model.base_urls = model
        .settings
        .iter()
        .filter(|s| BASE_URL_VARS.contains(&s.name.as_str()))
        .filter_map(|s| s.value.as_ref().map(|v| v.text.clone()))
        .collect();
    Some(model)
}

fn yaml_model(kind: FileKind, bytes: &[u8]) -> ConfigModel {
    // Other YAML gives settings only from Kubernetes objects, which name their `apiVersion`:
    // an OpenAPI document or a lock file is not parsed.
    let kubernetes_only = !matches!(
        kind,
        FileKind::Compose | FileKind::GithubWorkflow | FileKind::GitlabCi | FileKind::Kustomization
    );
    if kubernetes_only && memchr::memmem::find(bytes, b"apiVersion").is_none() {
        return ConfigModel::default();
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return ConfigModel {
            parse_failure: Some("not valid UTF-8; scanned as text only".into()),
            ..ConfigModel::default()
        };
    };
    if yaml::looks_templated(text) {
        return ConfigModel {
            parse_failure: Some("a template, not plain YAML; scanned as text only".into()),
            ..ConfigModel::default()
        };
    }
    let docs = match yaml::parse(text) {
        Ok(docs) => docs,
        Err(err) => {
            return ConfigModel {
                parse_failure: Some(format!(
                    "YAML error at {}:{}: {}; scanned as text only",
                    err.line, err.column, err.message
                )),
                ..ConfigModel::default()
            }
        }
    };
    let mut model = ConfigModel::default();
    match kind {
        FileKind::Compose => {
            for doc in &docs {
                compose::settings(bytes, doc, &mut model.settings);
                model.compose = Some(compose::structure(doc));
            }
        }
        FileKind::GithubWorkflow => {
            for doc in &docs {
                ci::github_settings(bytes, doc, &mut model.settings);
                model.ci = Some(ci::github_structure(doc));
            }
        }
        FileKind::GitlabCi => {
            for doc in &docs {
                ci::gitlab_settings(bytes, doc, &mut model.settings);
                model.ci = Some(ci::gitlab_structure(doc));
            }
        }
        FileKind::Kustomization => {
            for doc in &docs {
                kubernetes::kustomize_settings(bytes, doc, &mut model.settings);
                kubernetes::kustomize_structure(doc, &mut model.kube);
            }
        }
        _ => {
            for doc in &docs {
                kubernetes::settings(bytes, doc, &mut model.settings);
                kubernetes::structure(doc, &mut model.kube);
            }
        }
    }
    model
}

/// A setting's value from a YAML scalar node (None for null, mappings and sequences).
fn yaml_value(source: &[u8], node: &yaml::Node) -> Option<SettingValue> {
    let scalar = node.scalar()?;
    if node.is_null() {
        return None;
    }
    Some(SettingValue::new(
        source,
        scalar.text.clone(),
        node.span.clone(),
        scalar.content_span.clone(),
    ))
}

/// `NAME=value` as in compose list entries and kustomize literals: the text after `=` is the
/// value verbatim, quotes and all.
fn split_assignment(
    source: &[u8],
    node: &yaml::Node,
) -> Option<(String, Range<usize>, Option<SettingValue>)> {
    let scalar = node.scalar()?;
    let text = &scalar.text;
    let verbatim = source.get(scalar.content_span.clone()) == Some(text.as_bytes());
    let base = scalar.content_span.start;
    let at = |range: Range<usize>| {
        if verbatim {
            base + range.start..base + range.end
        } else {
            node.span.clone()
        }
    };
    match text.split_once('=') {
        None => Some((text.trim().to_owned(), at(0..text.len()), None)),
        Some((name, value)) => {
            let value_range = name.len() + 1..text.len();
            let value_span = at(value_range);
            let value = SettingValue::new(source, value.to_owned(), value_span.clone(), value_span);
            Some((name.trim().to_owned(), at(0..name.len()), Some(value)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        for yes in [
            "${OPENAI_API_KEY}",
            "$OPENAI_API_KEY",
            "$(cat k)",
            "{{ .Values.k }}",
            "${{ secrets.K }}",
            "#{K}#",
        ] {
            assert!(is_template(yes), "{yes}");
        }
        for no in ["sk-abc", "price $5", "a$"] {
            assert!(!is_template(no), "{no}");
        }
    }
}
