//! JSON output: one object with every finding and a summary. Documented in the README.

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, Reporter};
use crate::file_role::FileRole;
use crate::rules::Severity;

pub struct JsonReporter;

/// The version of the JSON document's shape.
pub const JSON_FORMAT_VERSION: &str = "1";

#[derive(Serialize)]
struct JsonReport<'a> {
    version: &'static str,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    name: &'static str,
    severity: Severity,
    path: &'a str,
    /// What the file is for: production, test, example, recorded-data, ci or deployment.
    role: FileRole,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    help: &'a str,
    provider: Option<&'a str>,
    fingerprint: &'a str,
    secret: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
    /// `keylint history` only: the commit that brought the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<JsonCommit<'a>>,
    /// `check --verify` only: `live`, `revoked` or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<&'static str>,
}

#[derive(Serialize)]
pub struct JsonCommit<'a> {
    pub id: &'a str,
    /// RFC 3339, UTC.
    pub date: String,
    /// Whether HEAD still holds the key.
    pub in_head: bool,
}

impl<'a> JsonCommit<'a> {
    pub fn of(commit: &'a crate::finding::Commit) -> Self {
        JsonCommit {
            id: &commit.id,
            date: commit.timestamp(),
            in_head: commit.in_head,
        }
    }
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    files_with_findings: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineSummary>,
}

/// What `--baseline` hid.
#[derive(Serialize)]
struct BaselineSummary {
    hidden: usize,
    unmatched: usize,
}

impl Reporter for JsonReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let findings = report
            .outcome
            .findings
            .iter()
            .map(|f| JsonFinding {
                rule: f.rule.code,
                name: f.rule.name,
                severity: f.severity,
                path: &f.path,
                role: f.role,
                line: f.start.line,
                column: f.start.column,
                end_line: f.end.line,
                end_column: f.end.column,
                message: &f.message,
                help: &f.help,
                provider: f.provider,
                fingerprint: &f.fingerprint,
                secret: f.secret.as_deref(),
                related: f
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        path: &r.path,
                        line: r.start.line,
                        column: r.start.column,
                        message: &r.message,
                    })
                    .collect(),
                commit: f.commit.as_deref().map(JsonCommit::of),
                verified: f.verified.map(|v| v.as_str()),
            })
            .collect();
        let document = JsonReport {
            version: JSON_FORMAT_VERSION,
            tool: Tool {
                name: "keylint",
                version: env!("CARGO_PKG_VERSION"),
            },
            findings,
            summary: Summary {
                files_scanned: report.outcome.files_scanned,
                files_with_findings: report.files_with_findings(),
                findings: report.outcome.findings.len(),
                errors: report.count(Severity::Error),
                warnings: report.count(Severity::Warning),
                baseline: report.outcome.baseline.map(|b| BaselineSummary {
                    hidden: b.hidden,
                    unmatched: b.unmatched,
                }),
            },
        };
        serde_json::to_writer_pretty(&mut *out, &document)?;
        writeln!(out)
    }
}
