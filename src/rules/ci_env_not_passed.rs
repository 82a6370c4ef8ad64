//! KL307 ci-env-not-passed: a GitHub Actions job runs the repository's code or tests, the code
//! reads a key variable, and no `env` of the job (workflow, job or step level) provides it.
//! GitLab CI is not judged: its project variables reach every job without being named in the
//! file. The rule looks across files, so it runs after the walk; per file it does nothing.

use crate::lint::{CrossFileFindings, Finding, Place};
use crate::rules::registry::find;
use crate::rules::{FileContext, Violation};
use crate::wiring::Summary;

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
    "npm run",
    "npx ",
    "yarn test",
    "yarn run",
    "pnpm test",
    "pnpm run",
    "node ",
    "bun test",
    "bun run",
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
    // The first place the repository's code reads each key variable.
    let mut consumed: Vec<(&str, &Summary, &std::ops::Range<usize>)> = Vec::new();
    for summary in summaries {
        for consumer in summary.consumers.iter().filter(|c| !c.optional) {
            if !consumed.iter().any(|(v, _, _)| *v == consumer.variable) {
                consumed.push((&consumer.variable, summary, &consumer.span));
            }
        }
    }
    consumed.sort_by_key(|(v, _, _)| *v);
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
            let Some(command) = job.scripts.iter().find_map(|script| {
                script
                    .text
                    .lines()
                    .map(str::trim)
                    .find(|line| RUNS_CODE.iter().any(|command| line.contains(command)))
            }) else {
                continue;
            };
            let command = shorten(command);
            for (variable, consumer, span) in &consumed {
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
                        path: &consumer.path,
                        bytes: &consumer.bytes,
                        span: (*span).clone(),
                    },
                    format!("the code reads {variable} here"),
                )];
                findings.extend(out.finding(
                    rule,
                    &primary,
                    format!(
                        "job `{}` runs `{command}`, and the repository's code reads {variable} at \
                         {}, but no `env` of the job provides it",
                        job.name,
                        consumer.at(span.start)
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

/// A script line cut to a readable length for a message.
fn shorten(line: &str) -> String {
    const MAX_CHARS: usize = 60;
    if line.chars().count() <= MAX_CHARS {
        return line.to_owned();
    }
    let cut: String = line.chars().take(MAX_CHARS - 1).collect();
    format!("{cut}…")
}
