//! Rules that look across files: after the walk, the summaries of the files that matter to them
//! (Kubernetes manifests, CI workflows, code that reads keys) are put together.

use std::ops::Range;

use crate::code::facts::CodeFacts;
use crate::config::ci::CiFile;
use crate::config::kubernetes::KubeModel;
use crate::config::Place;
use crate::file_kind::FileKind;
use crate::lint::{Finding, Linter};
use crate::rules::key_setting::key_variable;
use crate::rules::FileContext;

/// The rules that run here; files are summarised only when one of them is selected.
pub const CROSS_FILE_RULES: &[&str] = &["KL305", "KL307"];

/// What the cross-file rules need of one file.
#[derive(Debug)]
pub struct Summary {
    pub path: String,
    pub bytes: Vec<u8>,
    pub kube: KubeModel,
    /// GitHub Actions workflows: jobs, triggers and scripts.
    pub workflow: Option<CiFile>,
    /// Variables the workflow's `env` provides: (job, name); job None for the workflow level.
    pub ci_env: Vec<(Option<String>, String)>,
    /// Key variables the file's code needs: (variable, where).
    pub consumers: Vec<(String, Range<usize>)>,
}

/// The variable an SDK client reads when it is given no key.
const SDK_DEFAULTS: &[(&str, &str)] = &[
    ("OpenAI", "OPENAI_API_KEY"),
    ("AsyncOpenAI", "OPENAI_API_KEY"),
    ("ChatOpenAI", "OPENAI_API_KEY"),
    ("OpenAIEmbeddings", "OPENAI_API_KEY"),
    ("AzureOpenAI", "AZURE_OPENAI_API_KEY"),
    ("AsyncAzureOpenAI", "AZURE_OPENAI_API_KEY"),
    ("Anthropic", "ANTHROPIC_API_KEY"),
    ("AsyncAnthropic", "ANTHROPIC_API_KEY"),
    ("ChatAnthropic", "ANTHROPIC_API_KEY"),
    ("Groq", "GROQ_API_KEY"),
];

impl Summary {
    pub fn of(file: &FileContext) -> Option<Summary> {
        let kube = file.config().map(|m| m.kube.clone()).unwrap_or_default();
        let workflow = match file.kind {
            FileKind::GithubWorkflow => file.config().and_then(|m| m.ci.clone()),
            _ => None,
        };
        let ci_env = match &workflow {
            Some(_) => file
                .config()
                .map(|m| {
                    m.settings
                        .iter()
                        .filter_map(|s| match &s.place {
                            Place::CiEnv { job } => Some((job.clone(), s.name.clone())),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let consumers = if file.kind.is_source() {
            file.code()
                .map(|facts| consumers(file, facts))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let empty = kube.objects.is_empty() && kube.containers.is_empty();
        if empty && workflow.is_none() && consumers.is_empty() {
            return None;
        }
        Some(Summary {
            path: file.path.to_owned(),
            bytes: file.source.bytes.to_vec(),
            kube,
            workflow,
            ci_env,
            consumers,
        })
    }
}

/// Key variables the code reads, directly or through an SDK's default.
fn consumers(file: &FileContext, facts: &CodeFacts) -> Vec<(String, Range<usize>)> {
    let mut found: Vec<(String, Range<usize>)> = facts
        .env_reads
        .iter()
        .filter(|read| key_variable(file, &read.name).is_some())
        .map(|read| (read.name.clone(), read.span.clone()))
        .collect();
    for client in facts.clients.iter().filter(|c| c.key.is_none()) {
        let class = client.sdk.rsplit('.').next().unwrap_or(&client.sdk);
        if let Some((_, variable)) = SDK_DEFAULTS.iter().find(|(sdk, _)| *sdk == class) {
            found.push(((*variable).to_owned(), client.span.clone()));
        }
    }
    found
}

/// Runs the cross-file rules over every summary.
pub fn check(summaries: &[Summary], linter: &Linter) -> Vec<Finding> {
    let mut findings = crate::rules::dangling_secret_ref::check_across(summaries, linter);
    findings.extend(crate::rules::ci_env_not_passed::check_across(
        summaries, linter,
    ));
    findings
}
