//! Human output: one miette report per finding, then a summary line.

use std::fmt;
use std::io::{self, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{summary_line, Report, Reporter};
use crate::lint::Finding;
use crate::rules::Severity;

pub struct HumanReporter {
    pub color: bool,
    /// Leave out the summary line.
    pub quiet: bool,
}

impl Reporter for HumanReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_width(160)
            .with_context_lines(1);
        for finding in &report.outcome.findings {
            let mut rendered = String::new();
            handler
                .render_report(&mut rendered, &FindingDiagnostic::new(finding))
                .map_err(io::Error::other)?;
            out.write_all(rendered.as_bytes())?;
            writeln!(out)?;
        }
        if !self.quiet {
            writeln!(out, "{}", summary_line(report))?;
        }
        Ok(())
    }
}

/// A finding as miette sees it.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    excerpt: Excerpt,
    related: Vec<RelatedDiagnostic>,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(finding: &'a Finding) -> Self {
        FindingDiagnostic {
            finding,
            excerpt: Excerpt::of(&finding.path, &finding.snippet),
            related: finding
                .related
                .iter()
                .map(|r| RelatedDiagnostic {
                    message: r.message.clone(),
                    excerpt: Excerpt::of(&r.path, &r.snippet),
                    span: r.snippet.span.clone(),
                })
                .collect(),
        }
    }
}

/// The other end of a finding, shown under it with its own snippet.
#[derive(Debug)]
struct RelatedDiagnostic {
    message: String,
    excerpt: Excerpt,
    span: std::ops::Range<usize>,
}

impl fmt::Display for RelatedDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RelatedDiagnostic {}

impl Diagnostic for RelatedDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.excerpt)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, SourceSpan::from(self.span.clone())),
        )))
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic").finish_non_exhaustive()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let rule = self.finding.rule;
        Some(Box::new(format!("{} {}", rule.code, rule.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.rule.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.excerpt)
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = &self.finding.snippet.span;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(
                Some(self.finding.label.clone()),
                SourceSpan::from(span.start..span.end),
            ),
        )))
    }
}

/// One line of a file (possibly cut), placed at its real line and column.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// 0-based line of `text` in the file.
    first_line: usize,
    column_offset: usize,
}

impl Excerpt {
    fn of(path: &str, snippet: &crate::lint::Snippet) -> Excerpt {
        Excerpt {
            name: path.to_owned(),
            text: snippet.text.clone(),
            first_line: snippet.line - 1,
            column_offset: snippet.column_offset,
        }
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // miette counts columns in bytes; reports count characters.
        let start = inner.span().offset().min(self.text.len());
        let column = self
            .text
            .get(..start)
            .map_or(0, |before| before.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column + self.column_offset,
            inner.line_count(),
        )))
    }
}
