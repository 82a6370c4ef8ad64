//! Settings of CI files: GitHub Actions `env` (workflow, job, step) and GitLab CI `variables`.

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
