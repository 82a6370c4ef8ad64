//! GitHub Actions workflow commands: one `::error` or `::warning` annotation per finding.

use std::io::{self, Write};

use super::{is_unsafe_for_terminal, push_escape, Report, Reporter};
use crate::rules::Severity;

pub struct GithubReporter;

impl Reporter for GithubReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for f in &report.outcome.findings {
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&f.path),
                f.start.line,
                f.start.column,
                f.end.line,
                f.end.column,
                escape_property(&format!("{} {}", f.rule.code, f.rule.name)),
                escape_data(&format!(
                    "{}. Help: {}{}{}",
                    f.message,
                    f.help,
                    if f.help.ends_with('.') { "" } else { "." },
                    related(f)
                )),
            )?;
        }
        Ok(())
    }
}

/// The related places, named in the annotation text: `See: k8s/secret.yaml:4 (Secret ...)`.
fn related(finding: &crate::finding::Finding) -> String {
    finding
        .related
        .iter()
        .map(|r| format!(" See: {}:{} ({}).", r.path, r.start.line, r.message))
        .collect()
}

/// The runner decodes `%25`, `%0D` and `%0A`; other controls are shown as `\x1b`, since the
/// log viewer would act on them.
fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if is_unsafe_for_terminal(c) => push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_data("50%\u{1b}]0;x\u{7}"), "50%25\\x1b]0;x\\x07");
        assert_eq!(escape_data("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
