//! The rules. Each rule lives in its own file and reports violations: a span, a message, a label
//! and a help line. The lint context adds code, severity, suppression and redaction.

pub mod hardcoded_key;
pub mod registry;

use std::cell::OnceCell;
use std::ops::Range;

use crate::file_kind::FileKind;
use crate::keys::{find_keys, KeyMatch};
use crate::prefilter::Hits;
use crate::providers::Provider;
use crate::source::SourceText;

pub use registry::{RuleInfo, Severity, RULES};

/// A rule's check: reads the file, pushes violations.
pub type RuleCheck = fn(&FileContext, &mut Vec<Violation>);

/// What a rule sees of one file.
pub struct FileContext<'a> {
    /// Path relative to the scan root, `/`-separated.
    pub path: &'a str,
    pub kind: FileKind,
    pub source: &'a SourceText<'a>,
    pub hits: &'a Hits,
    keys: OnceCell<Vec<KeyMatch>>,
}

impl<'a> FileContext<'a> {
    pub fn new(path: &'a str, kind: FileKind, source: &'a SourceText<'a>, hits: &'a Hits) -> Self {
        FileContext {
            path,
            kind,
            source,
            hits,
            keys: OnceCell::new(),
        }
    }

    /// Every provider key in the file, found once and shared by the rules and the redaction.
    pub fn keys(&self) -> &[KeyMatch] {
        self.keys
            .get_or_init(|| find_keys(self.source, &self.hits.providers))
    }
}

/// What a rule reports; the lint context turns it into a [`crate::Finding`].
#[derive(Debug, Clone)]
pub struct Violation {
    pub span: Range<usize>,
    pub message: String,
    /// Text under the span in the rendered snippet.
    pub label: String,
    pub help: String,
    pub provider: Option<&'static Provider>,
}
