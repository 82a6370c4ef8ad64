//! What kind of file a path is, from its name alone. keylint keeps its own table: the `ignore`
//! crate's types put `.env` under `sh` and do not know `compose.yaml`.

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FileKind {
    Python,
    JavaScript,
    TypeScript,
    Go,
    Rust,
    Shell,
    Notebook,
    /// `.env`, `.env.*`, `*.env`.
    Env,
    /// `.env.example` and its kin: empty values and placeholders are normal there.
    EnvExample,
    Dockerfile,
    /// `compose.yaml`, `docker-compose.yml` and their variants: see [`is_compose_name`].
    Compose,
    /// `.github/workflows/*.yml`.
    GithubWorkflow,
    /// `.gitlab-ci.yml`.
    GitlabCi,
    /// `kustomization.yaml`.
    Kustomization,
    /// Other YAML: Kubernetes manifests among them.
    Yaml,
    Json,
    /// `.http` / `.rest` request files.
    Http,
    Markdown,
    Other,
}

const ENV_EXAMPLE_SUFFIXES: &[&str] = &["example", "sample", "template", "dist", "defaults"];

impl FileKind {
    pub fn of(path: &Path) -> FileKind {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
            let last = lower.rsplit('.').next().unwrap_or("");
            return if ENV_EXAMPLE_SUFFIXES.contains(&last) {
                FileKind::EnvExample
            } else {
                FileKind::Env
            };
        }
        if lower == "dockerfile"
            || lower.starts_with("dockerfile.")
            || lower.ends_with(".dockerfile")
            || lower == "containerfile"
        {
            return FileKind::Dockerfile;
        }
        let extension = lower.rsplit_once('.').map_or("", |(_, ext)| ext);
        let is_yaml = matches!(extension, "yml" | "yaml");
        if is_yaml && is_compose_name(&lower) {
            return FileKind::Compose;
        }
        if is_yaml && lower.starts_with(".gitlab-ci.") {
            return FileKind::GitlabCi;
        }
        if is_yaml && lower.starts_with("kustomization.") {
            return FileKind::Kustomization;
        }
        if is_yaml && in_github_workflows(path) {
            return FileKind::GithubWorkflow;
        }
        match extension {
            _ if is_yaml => FileKind::Yaml,
            "py" | "pyi" | "pyw" => FileKind::Python,
            "js" | "mjs" | "cjs" | "jsx" => FileKind::JavaScript,
            "ts" | "mts" | "cts" | "tsx" => FileKind::TypeScript,
            "go" => FileKind::Go,
            "rs" => FileKind::Rust,
            "sh" | "bash" | "zsh" => FileKind::Shell,
            "ipynb" => FileKind::Notebook,
            "json" => FileKind::Json,
            "http" | "rest" => FileKind::Http,
            "md" | "markdown" | "mdx" => FileKind::Markdown,
            _ => FileKind::Other,
        }
    }
}

impl FileKind {
    /// Source code that a front-end parses.
    pub fn is_source(self) -> bool {
        matches!(
            self,
            FileKind::Python
                | FileKind::JavaScript
                | FileKind::TypeScript
                | FileKind::Go
                | FileKind::Rust
                | FileKind::Shell
                | FileKind::Notebook
                | FileKind::Http
        )
    }
}

/// Whether a lower-case YAML file name is a compose file's: `compose` or `docker-compose`, then
/// the extension or a variant after `.`, `-` or `_` (`docker-compose.prod.yml`,
/// `docker-compose-dev.yaml`, `compose-gpu.yml`, `docker-compose_test.yml`).
/// `my-docker-compose.yml` and `composer.yaml` are not.
fn is_compose_name(lower: &str) -> bool {
    ["docker-compose", "compose"].iter().any(|stem| {
        lower
            .strip_prefix(stem)
            .is_some_and(|rest| rest.starts_with(['.', '-', '_']))
    })
}

fn in_github_workflows(path: &Path) -> bool {
    let mut parents = path.parent().into_iter().flat_map(Path::components).rev();
    let last = parents.next().map(|c| c.as_os_str().to_owned());
    let before = parents.next().map(|c| c.as_os_str().to_owned());
    last.is_some_and(|c| c == "workflows") && before.is_some_and(|c| c == ".github")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        for (name, kind) in [
            (".env", FileKind::Env),
            (".env.production", FileKind::Env),
            ("prod.env", FileKind::Env),
            (".env.example", FileKind::EnvExample),
            (".env.sample", FileKind::EnvExample),
            ("Dockerfile", FileKind::Dockerfile),
            ("Dockerfile.dev", FileKind::Dockerfile),
            ("api.Dockerfile", FileKind::Dockerfile),
            ("compose.yaml", FileKind::Compose),
            ("docker-compose.prod.yml", FileKind::Compose),
            ("docker-compose-prod.yml", FileKind::Compose),
            ("docker-compose-dev.yaml", FileKind::Compose),
            ("docker-compose_test.yml", FileKind::Compose),
            ("compose-gpu.yml", FileKind::Compose),
            ("compose.override.yaml", FileKind::Compose),
            ("deploy/Docker-Compose.yml", FileKind::Compose),
            ("compose-notes.md", FileKind::Markdown),
            ("my-docker-compose-helper.py", FileKind::Python),
            ("my-docker-compose.yml", FileKind::Yaml),
            ("composer.yaml", FileKind::Yaml),
            ("docker-composer.yml", FileKind::Yaml),
            ("docker-compose.json", FileKind::Json),
            ("deploy.yaml", FileKind::Yaml),
            (".github/workflows/ci.yml", FileKind::GithubWorkflow),
            (
                "repo/.github/workflows/deploy.yaml",
                FileKind::GithubWorkflow,
            ),
            (".github/ci.yml", FileKind::Yaml),
            (".gitlab-ci.yml", FileKind::GitlabCi),
            ("overlays/prod/kustomization.yaml", FileKind::Kustomization),
            ("app.py", FileKind::Python),
            ("index.tsx", FileKind::TypeScript),
            ("run.sh", FileKind::Shell),
            ("demo.ipynb", FileKind::Notebook),
            ("README.md", FileKind::Markdown),
            ("Cargo.lock", FileKind::Other),
        ] {
            assert_eq!(FileKind::of(Path::new(name)), kind, "{name}");
        }
    }
}
