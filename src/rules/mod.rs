//! The rules. Each rule lives in its own file and reports violations: a span, a message, a label
//! and a help line. The lint context adds code, severity, suppression and redaction.

mod build_arg_secret;
pub mod ci_env_not_passed;
mod code_helpers;
pub mod dangling_secret_ref;
mod dotenv_loaded_late;
mod dotenv_not_ignored;
mod empty_key;
mod encoded_key;
pub mod endpoint;
pub mod env_name_mismatch;
pub mod env_not_provided;
pub mod hardcoded_key;
mod key_logged;
pub mod key_setting;
mod malformed_bearer;
mod malformed_key_value;
mod malformed_org_header;
mod missing_auth_header;
mod missing_bearer;
pub mod missing_env_file;
mod module_key_ignored;
mod optional_secret_ref;
mod placeholder_key;
pub mod registry;
pub mod secret_file_not_mounted;
mod secret_in_configmap;
mod truncated_key;
mod unexported_shell_var;
mod uninterpolated_header;
mod unset_interpolation;
mod unstripped_key_file;
mod wrong_auth_header;
mod wrong_provider_key;

use std::cell::OnceCell;
use std::ops::Range;

use crate::code::facts::CodeFacts;
use crate::config::{self, ConfigModel};
use crate::file_kind::FileKind;
use crate::keys::{find_keys, KeyMatch};
use crate::prefilter::Hits;
use crate::providers::Provider;
use crate::source::SourceText;

pub use registry::{RuleInfo, Severity, RULES};

/// A rule's check: reads the file, pushes violations.
pub type RuleCheck = fn(&FileContext, &mut Vec<Violation>);

/// Source files larger than this are not parsed (minified bundles, generated code); they are
/// still scanned as text for keys.
pub const MAX_PARSE_BYTES: usize = 1_000_000;

/// The per-file rules that read a source file's code facts (`FileContext::code` or
/// `key_code`): a file none of them judges is parsed only for the wiring.
pub const CODE_RULES: &[&str] = &[
    "KL103", "KL106", "KL108", "KL109", "KL201", "KL202", "KL203", "KL204", "KL205", "KL206",
    "KL308", "KL309", "KL404",
];

/// Whether git would commit a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitStatus {
    /// Not ignored: committed, or would be.
    Committable,
    /// Ignored by .gitignore and not tracked: read for its values, never reported as a leak.
    Ignored,
    /// Listed in .gitignore but tracked all the same, so git keeps committing it.
    IgnoredButTracked,
}

/// What a rule sees of one file.
pub struct FileContext<'a> {
    /// Path relative to the scan root, `/`-separated.
    pub path: &'a str,
    pub kind: FileKind,
    pub source: &'a SourceText<'a>,
    pub hits: &'a Hits,
    pub git: GitStatus,
    /// Variable names the user declared as holding keys (`--key-var`).
    pub key_vars: &'a [String],
    /// Where the file is on disk, for rules that read a neighbour (the `.env` beside a compose
    /// file).
    pub location: Option<&'a std::path::Path>,
    /// The directory the scan walked to find the file (a file named on the command line: its
    /// directory); None when not known. Git's rules for a missing file are read up to here when
    /// no repository holds it.
    pub scan_top: Option<&'a std::path::Path>,
    /// Build the configuration model even without a key variable in the file (the wiring needs
    /// the structure of every compose file and manifest).
    pub structure_wanted: bool,
    /// What the file is for; rules run only on the roles they judge.
    pub role: crate::file_role::FileRole,
    /// What the enabled rules look for in code: the parts of a source file without any of it
    /// are not parsed. None: the whole file is.
    pub triggers: Option<&'a crate::code::regions::Triggers>,
    keys: OnceCell<Vec<KeyMatch>>,
    config: OnceCell<Option<ConfigModel>>,
    code: OnceCell<Option<CodeFacts>>,
}

impl<'a> FileContext<'a> {
    pub fn new(
        path: &'a str,
        kind: FileKind,
        source: &'a SourceText<'a>,
        hits: &'a Hits,
        git: GitStatus,
        key_vars: &'a [String],
    ) -> Self {
        FileContext {
            path,
            kind,
            source,
            hits,
            git,
            key_vars,
            location: None,
            scan_top: None,
            structure_wanted: false,
            role: crate::file_role::FileRole::Production,
            triggers: None,
            keys: OnceCell::new(),
            config: OnceCell::new(),
            code: OnceCell::new(),
        }
    }

    /// The facts of a source file, built once when the file is in an AI provider's context:
    /// it names a provider's API or SDK, or a key variable. Files over `MAX_PARSE_BYTES`
    /// (bundles, generated code) are scanned as text only.
    pub fn code(&self) -> Option<&CodeFacts> {
        self.hits
            .code_context()
            .then(|| self.parsed_code())
            .flatten()
    }

    /// The code facts for the rules that follow a key by its name (KL108, KL404): also in a
    /// file that names an API key (`api_key`, `apiKey`) without naming a provider.
    pub fn key_code(&self) -> Option<&CodeFacts> {
        self.hits.key_names().then(|| self.parsed_code()).flatten()
    }

    /// The code facts when a rule has already asked for them; never parses.
    pub fn code_if_parsed(&self) -> Option<&CodeFacts> {
        self.code.get().and_then(Option::as_ref)
    }

    fn parsed_code(&self) -> Option<&CodeFacts> {
        self.code
            .get_or_init(|| {
                (self.source.bytes.len() <= MAX_PARSE_BYTES)
                    .then(|| {
                        crate::code::facts_for(
                            self.kind,
                            self.path,
                            self.source.bytes,
                            self.triggers,
                        )
                    })
                    .flatten()
            })
            .as_ref()
    }

    /// The configuration model of the file, when it is a configuration file that mentions a
    /// key variable (built once, shared by the rules).
    pub fn config(&self) -> Option<&ConfigModel> {
        self.config
            .get_or_init(|| {
                (self.hits.config() || self.structure_wanted)
                    .then(|| config::model(self.kind, self.source.bytes))
                    .flatten()
            })
            .as_ref()
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
    /// A span holding secret material that is not a whole key (a truncated or quoted key):
    /// masked in every output like a key.
    pub secret: Option<Range<usize>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `CODE_RULES` lists exactly the rules whose module asks for code facts.
    #[test]
    fn code_rules_are_the_rules_that_read_code() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        for rule in RULES {
            let module = dir.join(format!("{}.rs", rule.name.replace('-', "_")));
            let text = std::fs::read_to_string(&module)
                .unwrap_or_else(|e| panic!("{}: {e}", module.display()));
            let reads_code = text.contains("file.code()") || text.contains("file.key_code()");
            assert_eq!(
                reads_code,
                CODE_RULES.contains(&rule.code),
                "{} {}",
                rule.code,
                rule.name
            );
        }
    }
}
