//! The lint context: runs the enabled rules on one file and turns their violations into findings
//! with code, severity, position, suppression, fingerprint and a redacted snippet.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::rc::Rc;

use sha2::{Digest, Sha256};

use crate::code::regions::Triggers;
use crate::file_kind::FileKind;
use crate::file_role::FileRole;
use crate::finding::{CrossFileOut, Finding, Place, Related, Snippet};
use crate::keys::{mask, KeyMatch};
use crate::prefilter::Prefilter;
use crate::rules::key_setting::mask_value;
use crate::rules::registry::{is_valid_selector, selects};
use crate::rules::Severity;
use crate::rules::{
    FileContext, GitStatus, RuleInfo, Violation, CODE_RULES, MAX_PARSE_BYTES, RULES,
};
use crate::settings_file::{Exclude, PerFileIgnores, Roles};
use crate::source::{char_count, Position, SourceText};
use crate::suppression::Suppressions;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Rule selectors to run (codes, prefixes, names); empty means all.
    pub select: Vec<String>,
    /// Rule selectors not to run.
    pub ignore: Vec<String>,
    pub max_file_size: u64,
    /// Honour `.gitignore` and git's other exclude files.
    pub respect_gitignore: bool,
    /// Show keys in full in every output.
    pub show_secrets: bool,
    /// Worker threads; 0 picks the number of cores.
    pub threads: usize,
    /// More variable names that hold keys, besides the provider catalog's.
    pub key_vars: Vec<String>,
    /// Paths the settings file leaves out of the scan.
    pub exclude: Option<Exclude>,
    /// Rules the settings file does not report for some paths.
    pub per_file_ignores: Option<PerFileIgnores>,
    /// Severities the settings file gives (rule selector, severity).
    pub severity: Vec<(String, Severity)>,
    /// Roles the settings file gives some paths.
    pub roles: Option<Roles>,
    /// `check --verify`: hardcoded-key findings carry the key, for a request to its provider.
    pub keep_keys: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            select: Vec::new(),
            ignore: Vec::new(),
            max_file_size: 5_000_000,
            respect_gitignore: true,
            show_secrets: false,
            threads: 0,
            key_vars: Vec::new(),
            exclude: None,
            per_file_ignores: None,
            severity: Vec::new(),
            roles: None,
            keep_keys: false,
        }
    }
}

const SNIPPET_MAX_CHARS: usize = 160;
const SNIPPET_MARGIN_CHARS: usize = 40;
/// Bytes on each side of a span read for its snippet; well over `SNIPPET_MAX_CHARS` characters.
const SNIPPET_SCAN_BYTES: usize = 1024;

pub struct Linter {
    settings: Settings,
    rules: Vec<&'static RuleInfo>,
    prefilter: Prefilter,
    /// What the per-file code rules and the wiring look for in code.
    code_triggers: Triggers,
    /// What the wiring alone looks for, in files no enabled code rule judges.
    wiring_triggers: Triggers,
}

impl Linter {
    pub fn new(settings: Settings) -> Result<Linter, String> {
        for selector in settings.select.iter().chain(&settings.ignore) {
            if !is_valid_selector(selector) {
                return Err(format!(
                    "unknown rule selector `{selector}` (see `keylint rules`)"
                ));
            }
        }
        let rules = RULES
            .iter()
            .filter(|rule| {
                (settings.select.is_empty() || settings.select.iter().any(|s| selects(s, rule)))
                    && !settings.ignore.iter().any(|s| selects(s, rule))
            })
            .collect();
        let prefilter = Prefilter::new(&settings.key_vars);
        Ok(Linter {
            prefilter,
            code_triggers: Triggers::code(&settings.key_vars),
            wiring_triggers: Triggers::wiring(&settings.key_vars),
            settings,
            rules,
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A linter that runs only those of `codes` that this one runs, and takes `names` as key
    /// variables too (Secret keys that a reference puts into a key variable).
    pub fn narrowed(&self, codes: &[&str], names: &[String]) -> Linter {
        let mut settings = self.settings.clone();
        settings.key_vars.extend(names.iter().cloned());
        Linter {
            prefilter: Prefilter::new(&settings.key_vars),
            code_triggers: Triggers::code(&settings.key_vars),
            wiring_triggers: Triggers::wiring(&settings.key_vars),
            rules: self
                .rules
                .iter()
                .copied()
                .filter(|r| codes.contains(&r.code))
                .collect(),
            settings,
        }
    }

    /// The code triggers for a file of `role`: the wiring's alone when no per-file rule judges
    /// such files (tests, recorded data).
    fn triggers_for(&self, role: FileRole) -> &Triggers {
        let judged = self
            .rules
            .iter()
            .any(|rule| rule.roles.contains(&role) && CODE_RULES.contains(&rule.code));
        if judged {
            &self.code_triggers
        } else {
            &self.wiring_triggers
        }
    }

    /// The rules that run, in registry order.
    pub fn rules(&self) -> &[&'static RuleInfo] {
        &self.rules
    }

    /// Lints one file's bytes. `path` is the display path; `kind` comes from the file name.
    /// `location` is where the file is on disk, for rules that look at its neighbours.
    pub fn lint_bytes(
        &self,
        path: &str,
        location: &Path,
        kind: FileKind,
        git: GitStatus,
        bytes: &[u8],
    ) -> FileReport {
        let role = FileRole::of(path, kind, bytes);
        self.lint_bytes_under(None, role, path, location, kind, git, bytes)
    }

    /// As `lint_bytes`, for a file the scan found under `scan_top`, whose role the scan worked
    /// out from its path inside the tree.
    #[allow(clippy::too_many_arguments)]
    pub fn lint_bytes_under(
        &self,
        scan_top: Option<&Path>,
        role: FileRole,
        path: &str,
        location: &Path,
        kind: FileKind,
        git: GitStatus,
        bytes: &[u8],
    ) -> FileReport {
        let mut report = FileReport::default();
        if self.rules.is_empty() {
            return report;
        }
        let hits = self.prefilter.scan(bytes);
        let cross_file = self
            .rules
            .iter()
            .any(|r| crate::wiring::CROSS_FILE_RULES.contains(&r.code));
        if !hits.any() {
            // Nothing for the per-file rules; the wiring may still need the file's structure
            // (a compose service or a container that never names a key).
            if cross_file && crate::wiring::structural(kind, bytes) {
                let source = SourceText::new(bytes);
                let mut file =
                    FileContext::new(path, kind, &source, &hits, git, &self.settings.key_vars);
                file.location = Some(location);
                file.scan_top = scan_top;
                file.role = role;
                file.structure_wanted = true;
                report.summary = crate::wiring::Summary::of(&file);
                report.note_config_failure(&file);
            } else if cross_file && crate::wiring::followed_code(kind) {
                report.summary = Some(crate::wiring::Summary::code(path, kind, role, bytes));
            }
            return report;
        }
        let source = SourceText::new(bytes);
        let mut file = FileContext::new(path, kind, &source, &hits, git, &self.settings.key_vars);
        file.location = Some(location);
        file.scan_top = scan_top;
        file.role = role;
        file.triggers = Some(self.triggers_for(role));
        let suppressions = Suppressions::scan(&source);
        let mut violations = Vec::new();
        for rule in self.rules.iter().filter(|rule| rule.roles.contains(&role)) {
            let mut found = Vec::new();
            (rule.check)(&file, &mut found);
            for mut violation in found {
                // A span mapped back from decoded or embedded code must stay in the file.
                violation.span = clamp(&violation.span, bytes.len());
                violation.secret = violation.secret.map(|span| clamp(&span, bytes.len()));
                let line_index = source.line_index(violation.span.start);
                if !suppressions.is_suppressed(line_index, rule) {
                    violations.push((*rule, violation));
                }
            }
        }
        let mut sensitive: Vec<Sensitive> = if violations.is_empty() {
            Vec::new()
        } else {
            crate::keys::find_keys_to_mask(&source, &hits.providers)
                .iter()
                .map(|key| Sensitive::of(&source, key.span.clone(), self.shown_key(&source, key)))
                .collect()
        };
        for (_, violation) in &violations {
            if let Some(span) = &violation.secret {
                if !sensitive.iter().any(|s| s.span == *span) {
                    let text = String::from_utf8_lossy(&bytes[span.clone()]);
                    let shown = if self.settings.show_secrets {
                        text.into_owned()
                    } else {
                        mask_value(&text)
                    };
                    sensitive.push(Sensitive::of(&source, span.clone(), shown));
                }
            }
        }
        sensitive.sort_by_key(|s| (s.span.start, s.span.end));
        let secrets = Secrets::new(vec![&sensitive]);
        // Masked once: every finding of the file shows the same path.
        let shown_path = self.redact_path(path);
        report.findings = violations
            .into_iter()
            .map(|(rule, violation)| {
                self.finding(&file, &shown_path, rule, violation, &sensitive, &secrets)
            })
            .collect();
        if cross_file {
            report.summary = crate::wiring::Summary::of(&file);
        }
        report.note_config_failure(&file);
        report.parse_failure = report
            .parse_failure
            .take()
            .or_else(|| {
                file.code_if_parsed()
                    .and_then(|facts| facts.parse_error.clone())
            })
            .or_else(|| {
                (hits.code_context() && bytes.len() > MAX_PARSE_BYTES && file.kind.is_source())
                    .then(|| "not parsed (over 1 MB); scanned as text only".to_owned())
            });
        report
    }

    fn finding(
        &self,
        file: &FileContext,
        shown_path: &str,
        rule: &'static RuleInfo,
        violation: Violation,
        sensitive: &[Sensitive],
        secrets: &Secrets,
    ) -> Finding {
        let source = file.source;
        let matched = &source.bytes[violation.span.clone()];
        let secret_span = violation.secret.as_ref().unwrap_or(&violation.span);
        // Sorted by span: one lookup per finding, however many keys the file holds.
        let secret = sensitive
            .binary_search_by_key(&(secret_span.start, secret_span.end), |s| {
                (s.span.start, s.span.end)
            })
            .ok()
            .map(|index| sensitive[index].shown.clone());
        let start = source.position(violation.span.start);
        Finding {
            rule,
            severity: rule.severity,
            role: file.role,
            path: shown_path.to_owned(),
            start,
            end: source.position(violation.span.end),
            fingerprint: fingerprint(rule.code, file.path, matched),
            content: content_digest(rule.code, matched),
            snippet: self.snippet(source, &violation.span, start, sensitive),
            message: self.redact(violation.message, secrets),
            label: self.redact(violation.label, secrets),
            help: self.redact(violation.help, secrets),
            provider: violation.provider.map(|p| p.id.as_str()),
            secret,
            related: Vec::new(),
            commit: None,
            verified: None,
            key: (self.settings.keep_keys && rule.code == "KL101").then(|| {
                let text = String::from_utf8_lossy(&source.bytes[secret_span.clone()]);
                crate::finding::UnshownKey(text.into())
            }),
        }
    }

    /// Every key in a file, as it must be shown.
    fn sensitive(&self, source: &SourceText) -> Vec<Sensitive> {
        let all = vec![true; crate::providers::catalog().len()];
        crate::keys::find_keys_to_mask(source, &all)
            .iter()
            .map(|key| Sensitive::of(source, key.span.clone(), self.shown_key(source, key)))
            .collect()
    }

    /// `text` with every secret in it masked, unless `--show-secrets`: the secrets of the files
    /// the finding points into, wherever they are quoted, whole or cut short, and any other
    /// key-shaped token. Rules quote names, values and command lines; none can print a key.
    fn redact(&self, text: String, secrets: &Secrets) -> String {
        if self.settings.show_secrets {
            return text;
        }
        let mut masked = String::with_capacity(text.len());
        for (is_token, piece) in token_runs(&text) {
            if is_token && secrets.quoted_in(piece) {
                masked.push_str(&mask_value(piece));
            } else {
                masked.push_str(piece);
            }
        }
        crate::keys::redact(&masked)
    }

    /// A path as findings show it: a key in a file or folder name is masked too.
    pub fn redact_path(&self, path: &str) -> String {
        if self.settings.show_secrets {
            path.to_owned()
        } else {
            crate::keys::redact(path)
        }
    }

    fn shown_key(&self, source: &SourceText, key: &KeyMatch) -> String {
        let text = String::from_utf8_lossy(&source.bytes[key.span.clone()]);
        if self.settings.show_secrets {
            text.into_owned()
        } else {
            mask(&text, &key.shape.keep)
        }
    }

    /// The span's line with every key on it masked, windowed around the span when long.
    fn snippet(
        &self,
        source: &SourceText,
        span: &Range<usize>,
        start: Position,
        sensitive: &[Sensitive],
    ) -> Snippet {
        let line_index = source.line_index(span.start);
        let full_line = source.line_range(line_index);
        // Only the neighbourhood of the span matters, however long the line (minified files).
        let line = full_line
            .start
            .max(span.start.saturating_sub(SNIPPET_SCAN_BYTES))
            ..full_line
                .end
                .min(span.end.saturating_add(SNIPPET_SCAN_BYTES));
        let skipped_chars =
            (start.column - 1).saturating_sub(char_count(&source.bytes[line.start..span.start]));
        let span = span.start.min(line.end)..span.end.clamp(span.start.min(line.end), line.end);
        let secrets: Vec<&Sensitive> = sensitive
            .iter()
            .filter(|k| k.span.start < line.end && k.span.end > line.start)
            .collect();
        let mut cuts = vec![line.start, line.end, span.start, span.end];
        cuts.extend(
            secrets
                .iter()
                .flat_map(|k| [k.span.start.max(line.start), k.span.end.min(line.end)]),
        );
        cuts.sort_unstable();
        cuts.dedup();
        let mut text = String::new();
        let mut span_in_text = 0..0;
        for pair in cuts.windows(2) {
            let piece = pair[0]..pair[1];
            if piece.start == span.start {
                span_in_text.start = text.len();
            }
            let raw = String::from_utf8_lossy(&source.bytes[piece.clone()]);
            match secrets
                .iter()
                .find(|k| k.span.start <= piece.start && piece.end <= k.span.end)
            {
                Some(secret) if !self.settings.show_secrets && secret.span == piece => {
                    text.push_str(&secret.shown);
                }
                Some(_) if !self.settings.show_secrets => {
                    text.extend(raw.chars().map(|_| '*'));
                }
                _ => text.push_str(&raw),
            }
            if piece.end == span.end {
                span_in_text.end = text.len();
            }
        }
        if span.start == line.end {
            span_in_text = text.len()..text.len();
        }
        let mut snippet = window(text, span_in_text, line_index + 1);
        snippet.column_offset += skipped_chars;
        snippet
    }
}

/// Makes the findings of the rules that look across files: positions, masked snippets,
/// fingerprints and suppression as for any other finding. Each file they point into is
/// prepared once (line index, suppression directives, keys to mask), however many findings
/// point into it.
pub struct CrossFileFindings<'l, 'a> {
    linter: &'l Linter,
    prepared: RefCell<HashMap<(usize, usize), Rc<Prepared<'a>>>>,
}

struct Prepared<'a> {
    source: SourceText<'a>,
    suppressions: Suppressions,
    sensitive: Vec<Sensitive>,
}

impl<'l, 'a> CrossFileFindings<'l, 'a> {
    pub fn new(linter: &'l Linter) -> Self {
        CrossFileFindings {
            linter,
            prepared: RefCell::new(HashMap::new()),
        }
    }

    fn prepare(&self, bytes: &'a [u8]) -> Rc<Prepared<'a>> {
        let key = (bytes.as_ptr() as usize, bytes.len());
        if let Some(prepared) = self.prepared.borrow().get(&key) {
            return Rc::clone(prepared);
        }
        let source = SourceText::new(bytes);
        let prepared = Rc::new(Prepared {
            suppressions: Suppressions::scan(&source),
            sensitive: self.linter.sensitive(&source),
            source,
        });
        self.prepared.borrow_mut().insert(key, Rc::clone(&prepared));
        prepared
    }
}

impl<'a> CrossFileOut<'a> for CrossFileFindings<'_, 'a> {
    fn finding(
        &self,
        rule: &'static RuleInfo,
        primary: &Place<'a>,
        message: String,
        label: String,
        help: String,
        related: &[(Place<'a>, String)],
    ) -> Option<Finding> {
        let linter = self.linter;
        if !linter.rules.iter().any(|r| r.code == rule.code) {
            return None;
        }
        let file = self.prepare(primary.bytes);
        let source = &file.source;
        let span = clamp(&primary.span, primary.bytes.len());
        let line = source.line_index(span.start);
        if file.suppressions.is_suppressed(line, rule) {
            return None;
        }
        let start = source.position(span.start);
        let others: Vec<Rc<Prepared<'a>>> = related
            .iter()
            .map(|(place, _)| self.prepare(place.bytes))
            .collect();
        let mut lists: Vec<&[Sensitive]> = vec![&file.sensitive];
        lists.extend(others.iter().map(|other| other.sensitive.as_slice()));
        let secrets = Secrets::new(lists);
        let related = related
            .iter()
            .zip(&others)
            .map(|((place, message), other)| {
                let span = clamp(&place.span, place.bytes.len());
                let start = other.source.position(span.start);
                Related {
                    path: linter.redact_path(place.path),
                    start,
                    end: other.source.position(span.end),
                    message: linter.redact(message.clone(), &secrets),
                    snippet: linter.snippet(&other.source, &span, start, &other.sensitive),
                }
            })
            .collect();
        // The scan replaces this guess from the display path with the role it worked out.
        let role = FileRole::of(
            primary.path,
            FileKind::of(Path::new(primary.path)),
            primary.bytes,
        );
        Some(Finding {
            rule,
            severity: rule.severity,
            role,
            path: linter.redact_path(primary.path),
            start,
            end: source.position(span.end),
            fingerprint: fingerprint(rule.code, primary.path, &primary.bytes[span.clone()]),
            content: content_digest(rule.code, &primary.bytes[span.clone()]),
            snippet: linter.snippet(source, &span, start, &file.sensitive),
            message: linter.redact(message, &secrets),
            label: linter.redact(label, &secrets),
            help: linter.redact(help, &secrets),
            provider: None,
            secret: None,
            related,
            commit: None,
            verified: None,
            key: None,
        })
    }
}

/// A span whose text must be masked in every output, and how it is shown.
struct Sensitive {
    span: Range<usize>,
    raw: String,
    shown: String,
}

impl Sensitive {
    fn of(source: &SourceText, span: Range<usize>, shown: String) -> Sensitive {
        let raw = String::from_utf8_lossy(&source.bytes[span.clone()]).into_owned();
        Sensitive { span, raw, shown }
    }
}

/// The secrets of the files a finding points into, as messages may quote them.
struct Secrets<'s> {
    lists: Vec<&'s [Sensitive]>,
    /// What `quoted_in` answered for each word: a file's findings repeat their words, so each
    /// is looked up once however many keys the file holds.
    answers: RefCell<HashMap<String, bool>>,
}

impl<'s> Secrets<'s> {
    fn new(lists: Vec<&'s [Sensitive]>) -> Self {
        Secrets {
            lists,
            answers: RefCell::new(HashMap::new()),
        }
    }

    /// Whether `word` (a run of key characters in a message) is a secret, a part of one long
    /// enough to matter, or holds one.
    fn quoted_in(&self, word: &str) -> bool {
        if word.len() < MIN_QUOTED_SECRET {
            return false;
        }
        if let Some(&answer) = self.answers.borrow().get(word) {
            return answer;
        }
        let answer = self
            .lists
            .iter()
            .flat_map(|list| list.iter())
            .any(|secret| {
                secret.raw == word
                    || (word.len() >= MIN_QUOTED_PART && secret.raw.contains(word))
                    || (secret.raw.len() >= MIN_QUOTED_SECRET && word.contains(secret.raw.as_str()))
            });
        self.answers.borrow_mut().insert(word.to_owned(), answer);
        answer
    }
}

/// The shortest secret masked wherever a message quotes it inside a longer word.
const MIN_QUOTED_SECRET: usize = 8;
/// The shortest part of a secret masked when a message quotes it, whole or cut short.
const MIN_QUOTED_PART: usize = 12;

/// `text` cut into runs of the characters keys are made of (letters, digits, `-`, `_`) and
/// the runs between them; `true` marks the former.
fn token_runs(text: &str) -> impl Iterator<Item = (bool, &str)> {
    let is_token = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let token = is_token(first);
        let end = rest
            .find(|c: char| is_token(c) != token)
            .unwrap_or(rest.len());
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some((token, piece))
    })
}

/// What linting one file gives.
#[derive(Debug, Default)]
pub struct FileReport {
    pub findings: Vec<Finding>,
    /// What the cross-file rules need of this file, when it has any.
    pub summary: Option<crate::wiring::Summary>,
    /// Why a file was not understood structurally, where that is common and expected (source
    /// code, templates): a note for --verbose.
    pub parse_failure: Option<String>,
    /// Why a configuration file was not understood structurally, so its structural rules did not
    /// run: a warning.
    pub config_failure: Option<String>,
}

impl FileReport {
    /// Why the file's configuration model could not be built: a warning, except for templates
    /// (Helm), which are not meant to parse as plain YAML and get a note for --verbose.
    fn note_config_failure(&mut self, file: &FileContext) {
        let Some(failure) = file.config().and_then(|model| model.parse_failure.clone()) else {
            return;
        };
        let template =
            std::str::from_utf8(file.source.bytes).is_ok_and(crate::parse::yaml::looks_templated);
        if template {
            self.parse_failure = Some(failure);
        } else {
            self.config_failure = Some(failure);
        }
    }
}

/// `span` inside `0..len`, never reversed.
fn clamp(span: &Range<usize>, len: usize) -> Range<usize> {
    let end = span.end.min(len);
    span.start.min(end)..end
}

/// Cuts a long line to the span plus a margin on each side, marking the cuts with `…`.
fn window(text: String, span: Range<usize>, line: usize) -> Snippet {
    if char_count(text.as_bytes()) <= SNIPPET_MAX_CHARS {
        return Snippet {
            text,
            span,
            line,
            column_offset: 0,
        };
    }
    let before: Vec<(usize, char)> = text[..span.start].char_indices().collect();
    let start = before
        .len()
        .checked_sub(SNIPPET_MARGIN_CHARS)
        .map_or(0, |i| before[i].0);
    let end = text[span.end..]
        .char_indices()
        .nth(SNIPPET_MARGIN_CHARS)
        .map_or(text.len(), |(i, _)| span.end + i);
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < text.len() { "…" } else { "" };
    let column_offset = text[..start].chars().count();
    let shift = prefix.len() as isize - start as isize;
    Snippet {
        text: format!("{prefix}{}{suffix}", &text[start..end]),
        span: (span.start as isize + shift) as usize..(span.end as isize + shift) as usize,
        line,
        column_offset: column_offset.saturating_sub(usize::from(start > 0)),
    }
}

/// A stable hash of what was found where; it does not reveal the matched text.
/// What a baseline knows a finding by: its rule and matched text, wherever they stand.
pub fn content_digest(code: &str, matched: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(code.as_bytes());
    hasher.update([0]);
    hasher.update(matched);
    hasher.finalize().into()
}

pub fn fingerprint(code: &str, path: &str, matched: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(code.as_bytes());
    hasher.update([0]);
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(matched);
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "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"; // keylint: ignore[KL101] synthetic

    fn lint(text: &str) -> Vec<Finding> {
        Linter::new(Settings::default())
            .unwrap()
            .lint_bytes(
                "app.py",
                Path::new("app.py"),
                FileKind::Python,
                GitStatus::Committable,
                text.as_bytes(),
            )
            .findings
    }

    #[test]
    fn finding_has_exact_span_and_masked_snippet() {
        let findings = lint(&format!("import os\nclient = OpenAI(api_key=\"{KEY}\")\n"));
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!((f.start.line, f.start.column), (2, 26));
        assert_eq!((f.end.line, f.end.column), (2, 26 + KEY.len()));
        assert!(!f.snippet.text.contains(KEY));
        assert_eq!(
            f.snippet.text.len(),
            format!("client = OpenAI(api_key=\"{KEY}\")").len()
        );
        assert_eq!(
            &f.snippet.text[f.snippet.span.clone()],
            f.secret.as_deref().unwrap()
        );
    }

    #[test]
    fn long_lines_are_windowed_around_the_span() {
        let line = format!(
            "var a=\"{}\";var k=\"{KEY}\";{}",
            "x".repeat(300),
            "y".repeat(300)
        );
        let findings = lint(&line);
        let snippet = &findings[0].snippet;
        assert!(snippet.text.chars().count() < 200);
        assert!(snippet.text.starts_with('…') && snippet.text.ends_with('…'));
        assert_eq!(
            &snippet.text[snippet.span.clone()],
            findings[0].secret.as_deref().unwrap()
        );
        assert_eq!(
            snippet.column_offset + snippet.text[..snippet.span.start].chars().count() + 1,
            findings[0].start.column
        );
    }

    #[test]
    fn keys_cut_by_the_window_stay_masked() {
        let keys: Vec<String> = (0..40).map(|_| KEY.to_owned()).collect();
        let line = format!("var k=[\"{}\"];", keys.join("\",\""));
        let findings = lint(&line);
        assert_eq!(findings.len(), 40);
        let body = &KEY[3..KEY.len() - 4];
        for finding in &findings {
            assert!(
                !finding.snippet.text.contains(body),
                "{}",
                finding.snippet.text
            );
            assert!(
                !finding.snippet.text.contains(&body[..12]),
                "{}",
                finding.snippet.text
            );
            let shown = &finding.snippet.text[finding.snippet.span.clone()];
            assert_eq!(shown, finding.secret.as_deref().unwrap());
            assert_eq!(
                finding.snippet.column_offset
                    + finding.snippet.text[..finding.snippet.span.start]
                        .chars()
                        .count()
                    + 1,
                finding.start.column
            );
        }
    }

    #[test]
    fn messages_never_quote_a_secret_whole_or_cut_short() {
        let linter = Linter::new(Settings::default()).unwrap();
        let text = format!("k = \"{KEY}\"\n");
        let source = SourceText::new(text.as_bytes());
        let sensitive = linter.sensitive(&source);
        assert_eq!(sensitive.len(), 1);
        let secrets = Secrets::new(vec![&sensitive]);
        let body = &KEY[3..KEY.len() - 4];
        for message in [
            format!("run: K={KEY} python main.py"),
            format!("`OpenAI-Organization` is set to `{}`", &KEY[..40]),
            format!("ends in `{}`", &KEY[20..]),
            format!("a key from elsewhere: {KEY}"),
        ] {
            let shown = linter.redact(message.clone(), &secrets);
            assert!(!shown.contains(&body[..12]), "{shown}");
            assert!(!shown.contains(&body[body.len() - 12..]), "{shown}");
        }
        // Ordinary words and short pieces stay as they are.
        let plain = "service `worker` reads OPENAI_API_KEY at worker/main.py:3".to_owned();
        assert_eq!(linter.redact(plain.clone(), &secrets), plain);
        // Nor is anything masked when the user asks to see secrets.
        let shown = Linter::new(Settings {
            show_secrets: true,
            ..Settings::default()
        })
        .unwrap()
        .redact(format!("K={KEY}"), &secrets);
        assert_eq!(shown, format!("K={KEY}"));
    }

    #[test]
    fn token_runs_cover_the_text() {
        let runs: Vec<(bool, &str)> = token_runs("K=sk-ab_c d").collect();
        assert_eq!(
            runs,
            [
                (true, "K"),
                (false, "="),
                (true, "sk-ab_c"),
                (false, " "),
                (true, "d")
            ]
        );
        assert_eq!(token_runs("").count(), 0);
    }

    #[test]
    fn spans_mapped_from_lossy_text_stay_in_the_file() {
        // Found by fuzzing: invalid UTF-8 in a `RUN` line decodes longer than its bytes, and the
        // header's span was mapped past the end of the file.
        let mut bytes =
            b"FROM curlimages/curl:8.10.1\nRUN curl -sf https://api.openai.com/v1/models \
                          -H 'Aut"
                .to_vec();
        bytes.extend_from_slice(b"\xe4\xa2\x01\0\0\0\0\0on: Bearer $OPENAI_A\xe0PI_KEY'\n");
        let report = Linter::new(Settings::default()).unwrap().lint_bytes(
            "Dockerfile",
            Path::new("Dockerfile"),
            FileKind::Dockerfile,
            GitStatus::Committable,
            &bytes,
        );
        for finding in &report.findings {
            assert!(finding.end.line <= 3, "{finding:?}");
        }
    }

    #[test]
    fn unknown_selectors_are_refused() {
        let settings = Settings {
            select: vec!["KL999".into()],
            ..Settings::default()
        };
        assert!(Linter::new(settings).is_err());
    }
}
