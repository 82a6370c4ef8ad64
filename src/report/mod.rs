//! Reporters: one per output format, behind one trait.

mod github;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};

use crate::rules::{RuleInfo, Severity};
use crate::walk::ScanOutcome;

pub use github::GithubReporter;
pub use human::HumanReporter;
pub use json::JsonReporter;
pub use sarif::SarifReporter;

/// What every reporter gets: the sorted outcome and the rules that ran.
pub struct Report<'a> {
    pub outcome: &'a ScanOutcome,
    pub rules: &'a [&'static RuleInfo],
}

impl Report<'_> {
    pub fn count(&self, severity: Severity) -> usize {
        self.outcome
            .findings
            .iter()
            .filter(|f| f.rule.severity == severity)
            .count()
    }

    pub fn files_with_findings(&self) -> usize {
        let mut paths: Vec<&str> = self
            .outcome
            .findings
            .iter()
            .map(|f| f.path.as_str())
            .collect();
        paths.dedup();
        paths.len()
    }
}

pub trait Reporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// `N problems (E errors, W warnings) in F files`, or a clean bill.
pub fn summary_line(report: &Report) -> String {
    let total = report.outcome.findings.len();
    if total == 0 {
        return format!(
            "No problems found in {}.",
            plural(report.outcome.files_scanned, "file")
        );
    }
    format!(
        "{} ({}, {}) in {}",
        plural(total, "problem"),
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning"),
        plural(report.files_with_findings(), "file"),
    )
}
