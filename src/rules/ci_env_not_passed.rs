//! KL307 ci-env-not-passed: a GitHub Actions job runs code that needs a key variable, and no
//! `env` of the job (workflow, job or step level), no `$GITHUB_ENV` write of an earlier step,
//! no inline assignment on the way (`X=1 make test`, a Makefile recipe) and no test setup
//! provides it. Each step's commands are traced to the code they start (see
//! `wiring::entry`), and that code is followed through its imports; commands that cannot be
//! traced are not judged. GitLab CI is not judged: its project variables reach every job
//! without being named in the file. The rule looks across files, so it runs after the walk;
//! per file it does nothing.

use crate::finding::CrossFileOut;
use crate::finding::{Finding, Place};
use crate::rules::registry::find;
use crate::rules::{FileContext, Violation};
use crate::wiring::entry::launches;
use crate::wiring::names::listed;
use crate::wiring::units::{dir_of, join, shorten};
use crate::wiring::{Consumer, ReadKind, Summary, Wiring};

pub fn check(_file: &FileContext, _violations: &mut Vec<Violation>) {}

/// At most this many reads are shown as related locations of one finding.
const MAX_RELATED: usize = 3;

/// A key variable a job's code needs and nothing gives it: where the code reads it, and the
/// command that runs that code.
struct Missing<'a> {
    variable: &'a str,
    file: &'a Summary,
    consumer: &'a Consumer,
    command: String,
}

/// The findings over all workflows.
pub fn check_across<'a>(wiring: &Wiring<'a>, out: &dyn CrossFileOut<'a>) -> Vec<Finding> {
    let Some(rule) = find("KL307") else {
        return Vec::new();
    };
    let Some(disk) = &wiring.disk else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for summary in wiring.summaries {
        let Some(workflow) = &summary.workflow else {
            continue;
        };
        let repository = workflow_root(&summary.path);
        let on_pull_requests = workflow
            .triggers
            .iter()
            .any(|t| t.starts_with("pull_request"));
        let privileged = workflow.triggers.iter().any(|t| t == "pull_request_target");
        for job in &workflow.jobs {
            let mut from_earlier_steps: Vec<String> = Vec::new();
            let mut missing: Vec<Missing> = Vec::new();
            for script in &job.scripts {
                let cwd = script
                    .working_directory
                    .as_deref()
                    .filter(|dir| !dir.contains("${{"))
                    .and_then(|dir| join(&repository, dir))
                    .unwrap_or_else(|| repository.clone());
                let given = |name: &str| {
                    workflow.env.iter().any(|n| n == name)
                        || job.env.iter().any(|n| n == name)
                        || script.env.iter().any(|n| n == name)
                        || from_earlier_steps.iter().any(|n| n == name)
                };
                for launch in launches(&script.text, &cwd, disk) {
                    // A command that cannot be traced to code is not judged.
                    let Some(reached) = wiring.index.reach(&launch.target, disk) else {
                        continue;
                    };
                    let set_by_code: Vec<&str> = reached
                        .files
                        .iter()
                        .flat_map(|f| f.sets.iter().map(String::as_str))
                        .collect();
                    for file in &reached.files {
                        for consumer in &file.consumers {
                            let variable = consumer.variable.as_str();
                            let runs =
                                reached.runs(file, consumer) && consumer.kind == ReadKind::Required;
                            if !runs
                                || given(variable)
                                || launch.env.iter().any(|n| n == variable)
                                || set_by_code.contains(&variable)
                                || missing.iter().any(|m| m.variable == variable)
                            {
                                continue;
                            }
                            missing.push(Missing {
                                variable,
                                file,
                                consumer,
                                command: shorten(&launch.command),
                            });
                        }
                    }
                }
                from_earlier_steps.extend(github_env_writes(&script.text));
            }
            if missing.is_empty() {
                continue;
            }
            let release = ["release", "publish"]
                .iter()
                .any(|w| job.name.to_ascii_lowercase().contains(w));
            let variables: Vec<&str> = missing.iter().map(|m| m.variable).collect();
            let names = listed(&variables, "and");
            let first = &missing[0];
            let primary = Place {
                path: &summary.path,
                bytes: summary.bytes(),
                span: job.name_span.clone(),
            };
            let related: Vec<(Place, String)> = missing
                .iter()
                .take(MAX_RELATED)
                .map(|m| {
                    (
                        Place {
                            path: &m.file.path,
                            bytes: m.file.bytes(),
                            span: m.consumer.span.clone(),
                        },
                        format!(
                            "`{}` runs this code, which {} here",
                            m.command,
                            m.consumer.verb()
                        ),
                    )
                })
                .collect();
            let help = if release || privileged {
                format!(
                    "the code fails without {names}; a release or publish job, or one that \
                     `pull_request_target` starts, should not hold a provider key: make this \
                     code not need it (read the key where it is used, or give its tests a \
                     placeholder) rather than passing a secret here"
                )
            } else {
                let forks = if on_pull_requests {
                    " Secrets are not passed to runs of pull requests from forks: such runs get \
                     an empty key whatever the workflow says."
                } else {
                    ""
                };
                let first_variable = first.variable;
                format!(
                    "the job's code gets no key and its API calls fail with 401; add `env: \
                     {first_variable}: ${{{{ secrets.{first_variable} }}}}` at job or step \
                     level{}.{forks}",
                    if variables.len() > 1 {
                        " (and the same for the others)"
                    } else {
                        ""
                    }
                )
            };
            findings.extend(out.finding(
                rule,
                &primary,
                format!(
                    "job `{}` runs `{}`, whose code {}, but nothing in the job provides {names}",
                    job.name,
                    first.command,
                    needs_words(&missing),
                ),
                format!("no {names} here"),
                help,
                &related,
            ));
        }
    }
    findings
}

/// "reads OPENAI_API_KEY at app.py:3"; for several, "needs OPENAI_API_KEY and GROQ_API_KEY
/// (it reads OPENAI_API_KEY at app.py:3)".
fn needs_words(missing: &[Missing]) -> String {
    let first = &missing[0];
    let read = format!(
        "{} at {}",
        first.consumer.verb(),
        first.file.at(first.consumer.span.start)
    );
    if missing.len() == 1 {
        return read;
    }
    let variables: Vec<&str> = missing.iter().map(|m| m.variable).collect();
    format!("needs {} (it {read})", listed(&variables, "and"))
}

/// Variables a step writes to `$GITHUB_ENV`: `echo "NAME=value" >> "$GITHUB_ENV"`.
fn github_env_writes(script: &str) -> Vec<String> {
    script
        .lines()
        .filter(|line| line.contains("GITHUB_ENV") && line.contains(">>"))
        .filter_map(|line| {
            let start = line
                .find("echo")
                .or_else(|| line.find("printf"))
                .map(|at| at + 4)?;
            let rest = line[start..]
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .trim_start()
                .trim_start_matches(['"', '\'']);
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty() && rest[name.len()..].starts_with('=')).then_some(name)
        })
        .collect()
}

/// The repository a workflow belongs to: the directory holding `.github/workflows/`.
fn workflow_root(path: &str) -> String {
    match path.find(".github/workflows/") {
        Some(at) => path[..at].trim_end_matches('/').to_owned(),
        None => dir_of(path).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_env_writes_are_read_from_echo_and_printf() {
        assert_eq!(
            github_env_writes(
                "echo \"OPENAI_API_KEY=sk-test\" >> \"$GITHUB_ENV\"\n\
                 printf 'GROQ_API_KEY=x\\n' >> $GITHUB_ENV\n\
                 echo \"OTHER=1\" >> $GITHUB_OUTPUT\n"
            ),
            ["OPENAI_API_KEY", "GROQ_API_KEY"]
        );
    }
}
