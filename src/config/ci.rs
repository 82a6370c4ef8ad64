//! Settings of CI files: GitHub Actions `env` (workflow, job, step) and GitLab CI `variables`.

use std::ops::Range;

use super::{yaml_value, Place, Setting};
use crate::parse::yaml::Node;

pub fn github_settings(source: &[u8], doc: &Node, out: &mut Vec<Setting>) {
    env_map(source, doc.get("env"), None, out);
    for job in doc.get("jobs").map(Node::entries).unwrap_or_default() {
        let name = job.key.as_str().map(str::to_owned);
        env_map(source, job.value.get("env"), name.clone(), out);
        for step in job.value.get("steps").map(Node::items).unwrap_or_default() {
            env_map(source, step.get("env"), name.clone(), out);
        }
    }
}

/// Keywords of `.gitlab-ci.yml` that are not jobs.
const GITLAB_KEYWORDS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

pub fn gitlab_settings(source: &[u8], doc: &Node, out: &mut Vec<Setting>) {
    env_map(source, doc.get("variables"), None, out);
    for job in doc.entries() {
        let Some(name) = job.key.as_str() else {
            continue;
        };
        if GITLAB_KEYWORDS.contains(&name) {
            continue;
        }
        env_map(
            source,
            job.value.get("variables"),
            Some(name.to_owned()),
            out,
        );
    }
}

fn env_map(source: &[u8], node: Option<&Node>, job: Option<String>, out: &mut Vec<Setting>) {
    for entry in node.map(Node::entries).unwrap_or_default() {
        let Some(name) = entry.key.as_str() else {
            continue;
        };
        // GitLab's long form: `NAME: {value: ..., description: ...}`.
        let value_node = entry.value.get("value").unwrap_or(&entry.value);
        out.push(Setting {
            name: name.to_owned(),
            name_span: entry.key.span.clone(),
            value: yaml_value(source, value_node),
            place: Place::CiEnv { job: job.clone() },
        });
    }
}

/// A CI file's jobs, for following keys into the code they run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CiFile {
    /// GitHub Actions `on` events (`push`, `pull_request`, ...).
    pub triggers: Vec<String>,
    pub jobs: Vec<CiJob>,
    /// Variables the workflow-level `env` sets.
    pub env: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CiJob {
    pub name: String,
    pub name_span: Range<usize>,
    /// Shell scripts: GitHub `run:` steps, GitLab `before_script` and `script` lines.
    pub scripts: Vec<Script>,
    /// GitHub `uses:` actions.
    pub uses: Vec<String>,
    /// `${{ secrets.X }}` and `${{ vars.X }}` references anywhere in the job.
    pub references: Vec<CiReference>,
    /// Variables the job-level `env` sets.
    pub env: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub text: String,
    /// The script's text in the file (block scalars: the content lines).
    pub span: Range<usize>,
    /// GitHub `working-directory` of the step, or the job's `defaults.run` one.
    pub working_directory: Option<String>,
    /// Variables the step's own `env` sets.
    pub env: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiReference {
    /// `secrets` or `vars`.
    pub context: String,
    pub name: String,
    pub span: Range<usize>,
}

pub fn github_structure(doc: &Node) -> CiFile {
    let on = doc.get("on").or_else(|| doc.get("true"));
    let mut triggers: Vec<String> = on
        .and_then(Node::as_str)
        .map(|event| vec![event.to_owned()])
        .unwrap_or_default();
    if let Some(on) = on {
        triggers.extend(
            on.items()
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_owned),
        );
        triggers.extend(
            on.entries()
                .iter()
                .filter_map(|e| e.key.as_str())
                .map(str::to_owned),
        );
    }
    let jobs = doc
        .get("jobs")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|job| {
            let steps = job.value.get("steps").map(Node::items).unwrap_or_default();
            let default_directory = job
                .value
                .get("defaults")
                .and_then(|d| d.get("run"))
                .and_then(|r| r.get("working-directory"))
                .and_then(Node::as_str);
            Some(CiJob {
                name: job.key.as_str()?.to_owned(),
                name_span: job.key.span.clone(),
                scripts: steps
                    .iter()
                    .filter_map(|step| {
                        let mut script = script(step.get("run")?)?;
                        script.working_directory = step
                            .get("working-directory")
                            .and_then(Node::as_str)
                            .or(default_directory)
                            .map(str::to_owned);
                        script.env = env_names(step.get("env"));
                        Some(script)
                    })
                    .collect(),
                uses: steps
                    .iter()
                    .filter_map(|step| step.get("uses")?.as_str().map(str::to_owned))
                    .collect(),
                references: references(&job.value),
                env: env_names(job.value.get("env")),
            })
        })
        .collect();
    CiFile {
        triggers,
        jobs,
        env: env_names(doc.get("env")),
    }
}

/// The names an `env` or `variables` map sets.
fn env_names(node: Option<&Node>) -> Vec<String> {
    node.map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.key.as_str().map(str::to_owned))
        .collect()
}

pub fn gitlab_structure(doc: &Node) -> CiFile {
    let jobs = doc
        .entries()
        .iter()
        .filter_map(|job| {
            let name = job.key.as_str()?;
            if GITLAB_KEYWORDS.contains(&name) || job.value.entries().is_empty() {
                return None;
            }
            let scripts = ["before_script", "script"]
                .iter()
                .filter_map(|field| job.value.get(field))
                .flat_map(|node| {
                    if node.items().is_empty() {
                        script(node).into_iter().collect::<Vec<_>>()
                    } else {
                        node.items().iter().filter_map(script).collect()
                    }
                })
                .collect();
            Some(CiJob {
                name: name.to_owned(),
                name_span: job.key.span.clone(),
                scripts,
                uses: Vec::new(),
                references: references(&job.value),
                env: env_names(job.value.get("variables")),
            })
        })
        .collect();
    CiFile {
        triggers: Vec::new(),
        jobs,
        env: env_names(doc.get("variables")),
    }
}

fn script(node: &Node) -> Option<Script> {
    let scalar = node.scalar()?;
    Some(Script {
        text: scalar.text.clone(),
        span: scalar.content_span.clone(),
        working_directory: None,
        env: Vec::new(),
    })
}

/// `${{ secrets.X }}` / `${{ vars.X }}` in every scalar below `node`.
fn references(node: &Node) -> Vec<CiReference> {
    let mut found = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        stack.extend(node.items());
        stack.extend(node.entries().iter().map(|e| &e.value));
        let Some(scalar) = node.scalar() else {
            continue;
        };
        let text = &scalar.text;
        let mut from = 0;
        while let Some(open) = text[from..].find("${{") {
            let start = from + open;
            let Some(close) = text[start..].find("}}").map(|i| start + i + 2) else {
                break;
            };
            let inner = text[start + 3..close - 2].trim();
            for context in ["secrets", "vars"] {
                if let Some(name) = inner
                    .strip_prefix(context)
                    .and_then(|r| r.strip_prefix('.'))
                {
                    let name: String = name
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    found.push(CiReference {
                        context: context.to_owned(),
                        name,
                        span: node.span.clone(),
                    });
                }
            }
            from = close;
        }
    }
    found.sort_by_key(|r| r.span.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    const WORKFLOW: &str = "on:\n  push:\n  pull_request:\nenv:\n  LEVEL: workflow\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          pip install -r requirements.txt\n          pytest\n        env:\n          MODEL: ${{ vars.MODEL }}\n";

    #[test]
    fn working_directories() {
        let text = "on: push\njobs:\n  a:\n    defaults:\n      run:\n        working-directory: web\n    steps:\n      - run: npm test\n      - run: make\n        working-directory: api\n";
        let doc = &yaml::parse(text).unwrap()[0];
        let job = &github_structure(doc).jobs[0];
        let dirs: Vec<Option<&str>> = job
            .scripts
            .iter()
            .map(|s| s.working_directory.as_deref())
            .collect();
        assert_eq!(dirs, [Some("web"), Some("api")]);
    }

    #[test]
    fn github_jobs_scripts_and_references() {
        let doc = &yaml::parse(WORKFLOW).unwrap()[0];
        let file = github_structure(doc);
        assert_eq!(file.triggers, ["push", "pull_request"]);
        let job = &file.jobs[0];
        assert_eq!(job.name, "test");
        assert_eq!(job.uses, ["actions/checkout@v4"]);
        assert_eq!(
            job.scripts[0].text,
            "pip install -r requirements.txt\npytest\n"
        );
        assert!(WORKFLOW[job.scripts[0].span.clone()].starts_with("pip install"));
        let refs: Vec<(&str, &str)> = job
            .references
            .iter()
            .map(|r| (r.context.as_str(), r.name.as_str()))
            .collect();
        assert_eq!(refs, [("secrets", "OPENAI_API_KEY"), ("vars", "MODEL")]);
        let mut settings = Vec::new();
        github_settings(WORKFLOW.as_bytes(), doc, &mut settings);
        let places: Vec<(&str, Option<&str>)> = settings
            .iter()
            .map(|s| match &s.place {
                Place::CiEnv { job } => (s.name.as_str(), job.as_deref()),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            places,
            [
                ("LEVEL", None),
                ("OPENAI_API_KEY", Some("test")),
                ("MODEL", Some("test"))
            ]
        );
    }

    #[test]
    fn gitlab_jobs_and_variables() {
        let text = "variables:\n  OPENAI_API_KEY: $CI_OPENAI_KEY\nstages: [test]\ntest:\n  variables:\n    MODEL:\n      value: gpt-4o-mini\n      description: model\n  before_script:\n    - pip install .\n  script:\n    - pytest\n";
        let doc = &yaml::parse(text).unwrap()[0];
        let file = gitlab_structure(doc);
        assert_eq!(file.jobs.len(), 1);
        let scripts: Vec<&str> = file.jobs[0]
            .scripts
            .iter()
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(scripts, ["pip install .", "pytest"]);
        let mut settings = Vec::new();
        gitlab_settings(text.as_bytes(), doc, &mut settings);
        let seen: Vec<(&str, &str)> = settings
            .iter()
            .map(|s| (s.name.as_str(), s.value.as_ref().unwrap().text.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("OPENAI_API_KEY", "$CI_OPENAI_KEY"),
                ("MODEL", "gpt-4o-mini")
            ]
        );
    }
}
