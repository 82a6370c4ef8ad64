//! GitHub Actions workflow commands: one `::error` or `::warning` annotation per finding.

use std::io::{self, Write};

use super::{Report, Reporter};
use crate::rules::Severity;

pub struct GithubReporter;

impl Reporter for GithubReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for f in &report.outcome.findings {
            let command = match f.rule.severity {
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
fn related(finding: &crate::lint::Finding) -> String {
    finding
        .related
        .iter()
        .map(|r| format!(" See: {}:{} ({}).", r.path, r.start.line, r.message))
        .collect()
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
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
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
