//! Human output: one miette report per finding, then a summary line.

use std::fmt;
use std::io::{self, Write};
use std::ops::Range;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use textwrap::core::Word;
use textwrap::{WordSeparator, WordSplitter};

use super::{escape_controls, is_unsafe_for_terminal, push_escape, summary_line, Report, Reporter};
use crate::finding::Finding;
use crate::rules::Severity;

pub struct HumanReporter {
    pub color: bool,
    /// Columns to wrap text at (see `cli::output_width`).
    pub width: usize,
    /// Leave out the summary line.
    pub quiet: bool,
    /// Show with each finding's code what the file is for (`in a test file`).
    pub verbose: bool,
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
            .with_width(self.width)
            .with_break_words(false)
            .with_word_splitter(WordSplitter::NoHyphenation)
            .with_word_separator(WordSeparator::Custom(words_outside_code))
            .with_context_lines(1);
        for finding in &report.outcome.findings {
            let mut rendered = String::new();
            handler
                .render_report(
                    &mut rendered,
                    &FindingDiagnostic::new(finding, self.verbose),
                )
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

/// Splits a line into words at ASCII spaces, except inside a `code span`, so a URL or a command
/// is never cut (an odd last backtick opens nothing).
fn words_outside_code(line: &str) -> Box<dyn Iterator<Item = Word<'_>> + '_> {
    let mut backticks_left = line.matches('`').count() / 2 * 2;
    let mut in_code = false;
    let mut words = Vec::new();
    let mut start = 0;
    let bytes = line.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'`' if backticks_left > 0 => {
                backticks_left -= 1;
                in_code = !in_code;
            }
            b' ' if !in_code => {
                let end = at + line[at..].len() - line[at..].trim_start_matches(' ').len();
                words.push(Word::from(&line[start..end]));
                start = end;
                at = end;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    if start < line.len() {
        words.push(Word::from(&line[start..]));
    }
    Box::new(words.into_iter())
}

/// A finding as miette sees it.
/// Every text from a scanned file or its name is escaped (see `escape_controls`).
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    /// `KL101 hardcoded-key`, with the file's role when verbose.
    code: String,
    message: String,
    label: String,
    help: String,
    excerpt: Excerpt,
    related: Vec<RelatedDiagnostic>,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(finding: &'a Finding, verbose: bool) -> Self {
        let rule = finding.rule;
        let mut code = format!("{} {}", rule.code, rule.name);
        if verbose {
            code.push_str(&format!(" ({} file)", finding.role.as_str()));
        }
        FindingDiagnostic {
            finding,
            code,
            message: escape_controls(&finding.message).into_owned(),
            label: escape_controls(&finding.label).into_owned(),
            help: escape_controls(&finding.help).into_owned(),
            excerpt: Excerpt::of(&finding.path, &finding.snippet),
            related: finding
                .related
                .iter()
                .map(|r| RelatedDiagnostic {
                    message: escape_controls(&r.message).into_owned(),
                    excerpt: Excerpt::of(&r.path, &r.snippet),
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
            LabeledSpan::new_primary_with_span(None, SourceSpan::from(self.excerpt.span.clone())),
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
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.help))
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
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(
                Some(self.label.clone()),
                SourceSpan::from(self.excerpt.span.clone()),
            ),
        )))
    }
}

/// One line of a file (possibly cut), placed at its real line and column, with unsafe
/// characters escaped and the span moved to match.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// Byte range of the span in `text`.
    span: Range<usize>,
    /// Where each escape ends in `text`, and the characters it adds to the line.
    escapes: Vec<(usize, usize)>,
    /// 0-based line of `text` in the file.
    first_line: usize,
    column_offset: usize,
}

impl Excerpt {
    fn of(path: &str, snippet: &crate::finding::Snippet) -> Excerpt {
        let mut text = String::with_capacity(snippet.text.len());
        let mut escapes = Vec::new();
        let original = &snippet.span;
        let mut span = original.clone();
        for (offset, c) in snippet.text.char_indices() {
            if offset == original.start {
                span.start = text.len();
            }
            if offset == original.end {
                span.end = text.len();
            }
            if is_unsafe_for_terminal(c) {
                let before = text.len();
                push_escape(&mut text, c);
                escapes.push((text.len(), text.len() - before - 1));
            } else {
                text.push(c);
            }
        }
        if original.start >= snippet.text.len() {
            span.start = text.len();
        }
        if original.end >= snippet.text.len() {
            span.end = text.len();
        }
        Excerpt {
            name: escape_controls(path).into_owned(),
            text,
            span,
            escapes,
            first_line: snippet.line - 1,
            column_offset: snippet.column_offset,
        }
    }

    /// Characters of the file's line before `offset` in `text`, escapes counted as one.
    fn column(&self, offset: usize) -> usize {
        let shown = self
            .text
            .get(..offset)
            .map_or(0, |before| before.chars().count());
        let added: usize = self
            .escapes
            .iter()
            .take_while(|(end, _)| *end <= offset)
            .map(|(_, added)| added)
            .sum();
        shown - added + self.column_offset
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
        // miette counts columns in bytes; reports count characters of the file.
        let start = inner.span().offset().min(self.text.len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            self.column(start),
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::file_kind::FileKind;
    use crate::lint::{Linter, Settings};
    use crate::rules::GitStatus;
    use crate::walk::ScanOutcome;

    const KEY: &str = "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"; // keylint: ignore[KL101] synthetic

    fn render(width: usize, text: &str) -> String {
        let linter = Linter::new(Settings::default()).unwrap();
        let findings = linter
            .lint_bytes(
                "app.py",
                Path::new("app.py"),
                FileKind::Python,
                GitStatus::Committable,
                text.as_bytes(),
            )
            .findings;
        let outcome = ScanOutcome {
            findings,
            notes: Vec::new(),
            files_scanned: 1,
            baseline: None,
        };
        let report = Report {
            outcome: &outcome,
            rules: linter.rules(),
        };
        let reporter = HumanReporter {
            color: false,
            width,
            quiet: true,
            verbose: false,
        };
        let mut out = Vec::new();
        reporter.write(&report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn narrow_output_keeps_urls_whole() {
        let source = format!("client = OpenAI(api_key=\"{KEY}\")\n");
        for width in 40..=100 {
            let text = render(width, &source);
            let help: Vec<&str> = text
                .lines()
                .skip_while(|line| !line.contains("help:"))
                .collect();
            assert!(help.len() > 1, "the help wraps at {width} columns: {text}");
            assert!(
                help.iter()
                    .any(|line| line.contains("https://platform.openai.com/api-keys")),
                "{width}: {text}"
            );
            // Only a line holding the URL may overflow.
            assert!(
                help.iter()
                    .all(|line| line.chars().count() <= width || line.contains("https://")),
                "{width}: {text}"
            );
        }
    }

    #[test]
    fn excerpts_escape_and_keep_the_span_on_its_text() {
        let text = "\u{1b}[2J\u{202e} = 'sk-***' \u{7}".to_owned();
        let start = text.find("sk-").unwrap();
        let snippet = crate::finding::Snippet {
            span: start..start + "sk-***".len(),
            text,
            line: 3,
            column_offset: 10,
        };
        let excerpt = Excerpt::of("a\u{1b}b.env", &snippet);
        assert_eq!(excerpt.name, "a\\x1bb.env");
        assert_eq!(excerpt.text, "\\x1b[2J\\u{202e} = 'sk-***' \\x07");
        assert_eq!(&excerpt.text[excerpt.span.clone()], "sk-***");
        // Columns count the file's characters: ten cut off, then ESC [ 2 J U+202E = '.
        assert_eq!(excerpt.column(excerpt.span.start), 10 + 9);
    }

    #[test]
    fn words_split_at_spaces_outside_code_spans() {
        let words: Vec<String> = words_outside_code("set `export A=b c` then-run it `x")
            .map(|w| w.to_string())
            .collect();
        assert_eq!(words, ["set", "`export A=b c`", "then-run", "it", "`x"]);
    }
}
