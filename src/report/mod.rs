//! Reporters: one per output format, behind one trait.

mod github;
mod human;
mod json;
mod sarif;

use std::borrow::Cow;
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
            .filter(|f| f.severity == severity)
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

pub fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// `N problems (E errors, W warnings) in F files`, or a clean bill.
pub fn summary_line(report: &Report) -> String {
    let total = report.outcome.findings.len();
    let mut line = if total == 0 {
        format!(
            "No problems found in {}.",
            plural(report.outcome.files_scanned, "file")
        )
    } else {
        format!(
            "{} ({}, {}) in {}",
            plural(total, "problem"),
            plural(report.count(Severity::Error), "error"),
            plural(report.count(Severity::Warning), "warning"),
            plural(report.files_with_findings(), "file"),
        )
    };
    if let Some(baseline) = report.outcome.baseline {
        line.push_str(&format!(
            " The baseline hid {}; {} of its entries no longer match.",
            plural(baseline.hidden, "finding"),
            baseline.unmatched
        ));
    }
    line
}

/// Whether a terminal would act on `c` rather than show it: C0 controls but tab, DEL, C1
/// controls, and the bidirectional overrides and isolates that can disguise code.
pub fn is_unsafe_for_terminal(c: char) -> bool {
    (c.is_control() && c != '\t')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Writes `c` as an escape anyone can read: `\x1b` below U+0080, `\u{202e}` above.
pub fn push_escape(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = if (c as u32) < 0x80 {
        write!(out, "\\x{:02x}", c as u32)
    } else {
        write!(out, "\\u{{{:x}}}", c as u32)
    };
}

/// `text` with every character unsafe for a terminal escaped, including line breaks: what comes
/// from scanned files and their names is shown, never obeyed.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_for_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_for_terminal(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped() {
        assert_eq!(
            escape_controls("a\u{1b}[31mb\u{7}\r\n\tc\u{7f}\u{9b}\u{202e}d\u{2069}é"),
            "a\\x1b[31mb\\x07\\x0d\\x0a\tc\\x7f\\u{9b}\\u{202e}d\\u{2069}é"
        );
        assert!(matches!(escape_controls("plain é"), Cow::Borrowed(_)));
    }
}
