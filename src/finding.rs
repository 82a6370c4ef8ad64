//! What a finding is, apart from how it is made: the rules, the wiring, the lint context and
//! the reporters share these types, which need only the rule's registry entry and positions.

use std::ops::Range;

use crate::file_role::FileRole;
use crate::rules::{RuleInfo, Severity};
use crate::source::Position;

/// One problem, ready for any reporter.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleInfo,
    /// The rule's severity, or the one the settings file gives it.
    pub severity: Severity,
    /// Relative to the scan root, `/`-separated.
    pub path: String,
    /// What the file is for, as the rules judged it.
    pub role: FileRole,
    pub start: Position,
    /// Just past the last character (exclusive), as in SARIF.
    pub end: Position,
    pub message: String,
    pub label: String,
    pub help: String,
    pub provider: Option<&'static str>,
    /// A hash of the rule, path and matched text; never the text itself.
    pub fingerprint: String,
    /// A SHA-256 of the rule and the matched text, for baselines (which salt it); never shown.
    pub content: [u8; 32],
    /// The matched key as it may be shown: masked unless `--show-secrets`.
    pub secret: Option<String>,
    pub snippet: Snippet,
    /// Other places the finding speaks of (the other end of a wiring problem).
    pub related: Vec<Related>,
}

/// A place related to a finding, with its own message and snippet.
#[derive(Debug, Clone)]
pub struct Related {
    pub path: String,
    pub start: Position,
    pub end: Position,
    pub message: String,
    pub snippet: Snippet,
}

/// The finding's line, redacted, cut to a window around the span when long.
#[derive(Debug, Clone)]
pub struct Snippet {
    pub text: String,
    /// Byte range of the span inside `text`.
    pub span: Range<usize>,
    /// 1-based line number of `text` in the file.
    pub line: usize,
    /// Characters of the line cut off before `text` starts.
    pub column_offset: usize,
}

/// A span in a file, for findings that look across files.
pub struct Place<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
    pub span: Range<usize>,
}
