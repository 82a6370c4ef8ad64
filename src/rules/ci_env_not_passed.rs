//! KL307 ci-env-not-passed: a GitHub Actions job runs the repository's code or tests, the code
//! reads a key variable, and no `env` of the job (workflow, job or step level) provides it.
//! GitLab CI is not judged: its project variables reach every job without being named in the
//! file. The rule looks across files, so it runs after the walk; per file it does nothing.

use crate::finding::{Finding, Place};
use crate::lint::CrossFileFindings;
use crate::rules::registry::find;
use crate::rules::{FileContext, Violation};
use crate::wiring::units::{dir_of, join};
use crate::wiring::{Consumer, Summary};

pub fn check(_file: &FileContext, _violations: &mut Vec<Violation>) {}

/// Commands that run the repository's code or its tests.
const RUNS_CODE: &[&str] = &[
    "pytest",
    "python ",
    "python3 ",
    "python -m",
    "uv run",
    "poetry run",
    "tox",
    "nox",
    "npm test",
    "npm run test",
    "yarn test",
    "pnpm test",
    "node ",
    "bun test",
    "deno test",
    "deno run",
    "go test",
    "go run",
    "cargo test",
    "cargo run",
    "make test",
    "make check",
];

/// The findings over all workflows and all code.
pub fn check_across<'a>(summaries: &'a [Summary], out: &CrossFileFindings<'_, 'a>) -> Vec<Finding> {
    let Some(rule) = find("KL307") else {
        return Vec::new();
    };
    // Where the repository's code reads each key variable, in path order.
    let consumers: Vec<(&Summary, &Consumer)> = summaries
        .iter()
        .flat_map(|s| {
            s.consumers
                .iter()
                .filter(|c| !c.optional)
                .map(move |c| (s, c))
        })
        .collect();
    let mut findings = Vec::new();
    for summary in summaries {
        let Some(workflow) = &summary.workflow else {
            continue;
        };
        let on_pull_requests = workflow
            .triggers
            .iter()
            .any(|t| t.starts_with("pull_request"));
        for job in &workflow.jobs {
            // The first script line that runs the code: how the job is linked to it.
            let Some((command, working_directory)) = job.scripts.iter().find_map(|script| {
                let line = script.text.lines().map(str::trim).find(|l| runs_code(l))?;
                Some((line, script.working_directory.as_deref()))
            }) else {
                continue;
            };
            // `working-directory: frontend` or `cd frontend && npm test` runs the code under
            // frontend/ only.
            let repository = workflow_root(&summary.path);
            let base = working_directory
                .filter(|dir| !dir.contains("${{"))
                .and_then(|dir| join(&repository, dir))
                .unwrap_or(repository);
            let code_dir = command
                .strip_prefix("cd ")
                .and_then(|rest| rest.split("&&").next())
                .map(str::trim)
                .and_then(|dir| join(&base, dir))
                .unwrap_or(base);
            let mut consumed: Vec<(&str, &Summary, &Consumer)> = Vec::new();
            for (code, consumer) in &consumers {
                let inside = code_dir.is_empty() || code.path.starts_with(&format!("{code_dir}/"));
                if inside && !consumed.iter().any(|(v, _, _)| *v == consumer.variable) {
                    consumed.push((&consumer.variable, code, consumer));
                }
            }
            consumed.sort_by_key(|(v, _, _)| *v);
            let command = shorten(command);
            for (variable, consumer_file, consumer) in &consumed {
                let span = &consumer.span;
                let provided = summary.ci_env.iter().any(|(level, name)| {
                    name == variable && level.as_ref().is_none_or(|level| *level == job.name)
                });
                if provided {
                    continue;
                }
                let forks = if on_pull_requests {
                    " Note that secrets are not passed to workflows triggered by pull requests \
                     from forks: such runs get an empty key whatever the workflow says."
                } else {
                    ""
                };
                let primary = Place {
                    path: &summary.path,
                    bytes: &summary.bytes,
                    span: job.name_span.clone(),
                };
                let related = [(
                    Place {
                        path: &consumer_file.path,
                        bytes: &consumer_file.bytes,
                        span: span.clone(),
                    },
                    format!("the code {} here", consumer.verb()),
                )];
                findings.extend(out.finding(
                    rule,
                    &primary,
                    format!(
                        "job `{}` runs `{command}`, and the repository's code {} at {}, but no \
                         `env` of the job provides {variable}",
                        job.name,
                        consumer.verb(),
                        consumer_file.at(span.start)
                    ),
                    format!("no {variable} here"),
                    format!(
                        "the job's code gets no key and its API calls fail with 401; add \
                         `env: {variable}: ${{{{ secrets.{variable} }}}}` at job or step level.{forks}"
                    ),
                    &related,
                ));
            }
        }
    }
    findings
}

/// Whether a script line runs the repository's code or tests (not `pip install`, not a
/// version check).
fn runs_code(line: &str) -> bool {
    RUNS_CODE.iter().any(|command| line.contains(command))
        && !line.contains("pip install")
        && !line.contains("-m pip")
        && !line.contains("--version")
}

/// The repository a workflow belongs to: the directory holding `.github/workflows/`.
fn workflow_root(path: &str) -> String {
    match path.find(".github/workflows/") {
        Some(at) => path[..at].trim_end_matches('/').to_owned(),
        None => dir_of(path).to_owned(),
    }
}

/// A script line cut to a readable length for a message.
fn shorten(line: &str) -> String {
    const MAX_CHARS: usize = 60;
    if line.chars().count() <= MAX_CHARS {
        return line.to_owned();
    }
    let cut: String = line.chars().take(MAX_CHARS - 1).collect();
    format!("{cut}…")
}
