//! What a file is for: production code, a test, an example or docs, recorded data, CI, or
//! deployment configuration. Rules declare the roles they judge: a fake key in a test or a
//! mock transport in a fixture is normal, a real key anywhere still leaks.

use serde::{Deserialize, Serialize};

use crate::file_kind::FileKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileRole {
    /// Code and configuration the application runs with.
    Production,
    /// Tests and what only tests use: `tests/`, `test_*.py`, `*.test.ts`, `conftest.py`,
    /// `testdata/`.
    Test,
    /// Examples, samples, docs, notebooks and Markdown: read and copied, not deployed.
    Example,
    /// Recorded data: fixtures, cassettes, snapshots, recorded HTTP or SSE streams, `.jsonl`,
    /// large one-line JSON dumps.
    RecordedData,
    /// CI workflows and pipelines.
    Ci,
    /// How the application is built and deployed: Dockerfiles, compose files, Kubernetes
    /// manifests, Helm charts, `.env` files.
    Deployment,
}

/// Every role, for rules that judge files whatever they are for.
pub const ALL_ROLES: &[FileRole] = &[
    FileRole::Production,
    FileRole::Test,
    FileRole::Example,
    FileRole::RecordedData,
    FileRole::Ci,
    FileRole::Deployment,
];

/// The roles where code runs for real or is copied from: tests and recorded data are left out,
/// since fake keys, mock transports and odd headers are normal there.
pub const NOT_TESTS_OR_DATA: &[FileRole] = &[
    FileRole::Production,
    FileRole::Example,
    FileRole::Ci,
    FileRole::Deployment,
];

/// The line of a rule's page that says which files it judges (checked against the registry).
pub fn judged_line(roles: &[FileRole]) -> String {
    let judged: Vec<&str> = ALL_ROLES
        .iter()
        .filter(|role| roles.contains(role))
        .map(|role| role.described())
        .collect();
    let skipped: Vec<&str> = ALL_ROLES
        .iter()
        .filter(|role| !roles.contains(role))
        .map(|role| role.described())
        .collect();
    if skipped.is_empty() {
        return format!("Files judged: all ({}).", judged.join(", "));
    }
    format!(
        "Files judged: {}; not {}.",
        judged.join(", "),
        skipped.join(" or ")
    )
}

/// A JSON file whose first line is longer than this is a dump (an API response, a list of
/// issues), not configuration someone writes.
const DUMP_LINE_BYTES: usize = 4_096;

impl FileRole {
    pub fn as_str(self) -> &'static str {
        match self {
            FileRole::Production => "production",
            FileRole::Test => "test",
            FileRole::Example => "example",
            FileRole::RecordedData => "recorded-data",
            FileRole::Ci => "ci",
            FileRole::Deployment => "deployment",
        }
    }

    /// The role in a sentence: `tests`, `recorded data`.
    pub fn described(self) -> &'static str {
        match self {
            FileRole::Production => "production code",
            FileRole::Test => "tests",
            FileRole::Example => "examples and docs",
            FileRole::RecordedData => "recorded data",
            FileRole::Ci => "CI",
            FileRole::Deployment => "deployment configuration",
        }
    }

    /// The role of a file, from its path inside the scanned tree (`/`-separated), its kind and,
    /// for JSON, its first line. CI files are CI wherever they are; then folders and names decide
    /// (recorded data, tests, examples); then the kind (deployment configuration); else
    /// production.
    pub fn of(path: &str, kind: FileKind, bytes: &[u8]) -> FileRole {
        let written_name = path.rsplit('/').next().unwrap_or(path);
        let lower = path.to_ascii_lowercase();
        let mut parts: Vec<&str> = lower.split('/').filter(|p| !p.is_empty()).collect();
        let name = parts.pop().unwrap_or("");
        let dirs = parts;
        if matches!(kind, FileKind::GithubWorkflow | FileKind::GitlabCi) || ci_file(&dirs, name) {
            return FileRole::Ci;
        }
        if recorded_data(&dirs, name, kind, bytes) {
            return FileRole::RecordedData;
        }
        if dirs.iter().any(|d| test_dir(d)) || test_file_name(written_name) {
            return FileRole::Test;
        }
        if dirs.iter().any(|d| EXAMPLE_DIRS.contains(d))
            || matches!(kind, FileKind::Notebook | FileKind::Markdown)
            || name.ends_with(".rst")
        {
            return FileRole::Example;
        }
        if matches!(
            kind,
            FileKind::Dockerfile
                | FileKind::Compose
                | FileKind::Kustomization
                | FileKind::Env
                | FileKind::EnvExample
        ) || (kind == FileKind::Yaml && dirs.iter().any(|d| DEPLOY_DIRS.contains(d)))
        {
            return FileRole::Deployment;
        }
        FileRole::Production
    }
}

const EXAMPLE_DIRS: &[&str] = &[
    "examples",
    "example",
    "samples",
    "sample",
    "docs",
    "doc",
    "documentation",
    "cookbook",
    "cookbooks",
    "notebooks",
    "tutorials",
    "tutorial",
];

const DEPLOY_DIRS: &[&str] = &[
    "k8s",
    "kubernetes",
    "kube",
    "manifests",
    "deploy",
    "deployment",
    "deployments",
    "helm",
    "charts",
    "chart",
    "kustomize",
    "overlays",
    "base",
];

const DATA_DIRS: &[&str] = &[
    "fixtures",
    "__fixtures__",
    "cassettes",
    "__snapshots__",
    "snapshots",
    "recordings",
    "recorded",
    "__recordings__",
];

/// A test's path: in a test folder, or named as test runners collect (`/`-separated).
pub fn test_path(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or(path);
    test_file_name(name) || parts.any(|dir| test_dir(&dir.to_ascii_lowercase()))
}

/// `tests`, `test`, `__tests__`, `spec`, `e2e`, `testdata`, and folders named for what they
/// test (`unit_tests`, `integration-tests`, `Connectors.UnitTests`).
fn test_dir(dir: &str) -> bool {
    matches!(
        dir,
        "test" | "tests" | "__tests__" | "spec" | "specs" | "e2e" | "testdata" | "testing"
    ) || ["unittests", "integrationtests", "functionaltests"]
        .iter()
        .any(|suffix| dir.ends_with(suffix))
        || ["tests", "test"].iter().any(|word| {
            dir.strip_suffix(word)
                .is_some_and(|head| head.ends_with(['_', '-', '.']))
        })
}

/// `test_x.py`, `x_test.py`, `x_test.go`, `x.test.ts`, `x.spec.js`, `conftest.py`,
/// `XTests.cs`, `XTest.java` (`name` as written: the case of `Test` counts there).
pub fn test_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or(&lower);
    let written_stem = name.split('.').next().unwrap_or(name);
    lower == "conftest.py"
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || lower.contains(".test.")
        || lower.contains(".spec.")
        || ([".cs", ".java", ".kt"].iter().any(|e| lower.ends_with(e))
            && (written_stem.ends_with("Test") || written_stem.ends_with("Tests")))
}

fn ci_file(dirs: &[&str], name: &str) -> bool {
    dirs.first()
        .is_some_and(|d| matches!(*d, ".circleci" | ".buildkite"))
        || dirs.windows(2).any(|w| w == [".github", "workflows"])
        || matches!(
            name,
            "jenkinsfile" | "azure-pipelines.yml" | "bitbucket-pipelines.yml" | ".travis.yml"
        )
}

fn recorded_data(dirs: &[&str], name: &str, kind: FileKind, bytes: &[u8]) -> bool {
    if dirs.iter().any(|d| DATA_DIRS.contains(d)) {
        return true;
    }
    let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
    if matches!(extension, "jsonl" | "ndjson" | "har" | "snap" | "cassette") {
        return true;
    }
    kind == FileKind::Json
        && bytes
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(bytes.len())
            > DUMP_LINE_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(path: &str) -> FileRole {
        let kind = FileKind::of(std::path::Path::new(path));
        FileRole::of(path, kind, b"{}\n")
    }

    #[test]
    fn roles_by_path() {
        use FileRole::*;
        for (path, expected) in [
            ("app/main.py", Production),
            ("src/client.ts", Production),
            ("src/testing_utils_helpers.py", Production),
            ("src/contest.py", Production),
            ("src/latest.py", Production),
            ("src/Latest.java", Production),
            ("src/contest/app.py", Production),
            ("src/ClientTest.java", Test),
            ("tests/test_client.py", Test),
            ("tests/helpers.py", Test),
            ("src/lib/__tests__/client.ts", Test),
            ("pkg/client_test.go", Test),
            ("web/client.test.ts", Test),
            ("web/client.spec.js", Test),
            ("conftest.py", Test),
            ("test_app.py", Test),
            (
                "dotnet/src/Connectors.MistralAI.UnitTests/Client/ClientTests.cs",
                Test,
            ),
            ("python/integration_tests/run.py", Test),
            ("go/testdata/stream.txt", Test),
            ("tests/fixtures/response.json", RecordedData),
            ("tests/cassettes/chat.yaml", RecordedData),
            ("src/__snapshots__/app.test.ts.snap", RecordedData),
            ("data/calls.jsonl", RecordedData),
            ("examples/quickstart.py", Example),
            ("docs/guide.md", Example),
            ("README.md", Example),
            ("notebooks/demo.ipynb", Example),
            ("cookbook/agents/run.py", Example),
            (".github/workflows/ci.yml", Ci),
            (".github/workflows/scripts/check.sh", Ci),
            (".gitlab-ci.yml", Ci),
            (".circleci/config.yml", Ci),
            ("Dockerfile", Deployment),
            ("docker-compose.yml", Deployment),
            ("k8s/deployment.yaml", Deployment),
            (".env", Deployment),
            (".env.example", Deployment),
            ("config/settings.yaml", Production),
            ("tests/docker-compose.yml", Test),
            ("examples/docker-compose.yml", Example),
        ] {
            assert_eq!(role(path), expected, "{path}");
        }
    }

    #[test]
    fn test_paths() {
        for path in [
            "tests/test_app.py",
            "src/app.test.ts",
            "pkg/x_test.go",
            "conftest.py",
        ] {
            assert!(test_path(path), "{path}");
        }
        assert!(!test_path("src/app.py"));
        assert!(!test_path("src/contest.py"));
    }

    #[test]
    fn a_one_line_json_dump_is_recorded_data() {
        let dump = format!("[{}]\n", "{\"title\": \"an issue\"},".repeat(400));
        assert_eq!(
            FileRole::of(".triage/issues.json", FileKind::Json, dump.as_bytes()),
            FileRole::RecordedData
        );
        assert_eq!(
            FileRole::of("config/app.json", FileKind::Json, b"{\n  \"a\": 1\n}\n"),
            FileRole::Production
        );
    }
}
