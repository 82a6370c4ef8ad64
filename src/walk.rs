//! Finds the files to scan, in parallel, and lints each one: read once, skip binary and oversize
//! files with a note, never stop the scan for one bad file.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{WalkBuilder, WalkState};

use crate::settings_file::severity_of;

use crate::file_kind::FileKind;
use crate::file_role::FileRole;
use crate::finding::Finding;
use crate::git_status::IgnoreOracle;
use crate::lint::Linter;
use crate::rules::GitStatus;
use crate::source::{self, Encoding};
use crate::staged::StagedTree;
use crate::summary_cache::SummaryCache;

/// keylint's own ignore file: gitignore syntax, paths never scanned.
pub const IGNORE_FILE: &str = ".keylintignore";

/// Bytes looked at to decide whether a file is binary.
const BINARY_SNIFF_LEN: usize = 8192;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteLevel {
    /// Something the user should know: an unreadable file.
    Warning,
    /// A file skipped on purpose: over the size limit.
    Info,
    /// Shown with `--verbose` only: binary files.
    Verbose,
}

/// Something said about a file that is not a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub path: String,
    pub level: NoteLevel,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct ScanOutcome {
    /// Sorted by path, line, column, code.
    pub findings: Vec<Finding>,
    /// Sorted by path.
    pub notes: Vec<Note>,
    pub files_scanned: usize,
    /// What `--baseline` hid, when one was given.
    pub baseline: Option<crate::baseline::Applied>,
}

/// Scans `paths` (directories are walked, files are always scanned) with `linter`.
/// Fails only when a path does not exist.
pub fn scan(paths: &[PathBuf], linter: &Linter) -> Result<ScanOutcome, String> {
    for path in paths {
        if let Err(err) = std::fs::symlink_metadata(path) {
            return Err(format!("{}: {}", path.display(), io_reason(&err)));
        }
    }
    let Some((first, rest)) = paths.split_first() else {
        return Ok(ScanOutcome::default());
    };
    let cwd = std::env::current_dir().map_err(|err| format!("current directory: {err}"))?;
    let explicit_ignore = explicit_ignore_matcher(&cwd);
    let settings = linter.settings();
    let respect = settings.respect_gitignore;
    let roots: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let real_roots: Vec<PathBuf> = paths
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let scan = Scan {
        linter,
        cwd: &cwd,
        roots: &roots,
        real_roots: &real_roots,
        oracle: IgnoreOracle::default(),
        findings: Mutex::new(Vec::new()),
        notes: Mutex::new(Vec::new()),
        summaries: Mutex::new(Vec::new()),
        files_scanned: AtomicUsize::new(0),
        env_files_seen: Mutex::new(HashSet::new()),
        dirs_seen: Mutex::new(Vec::new()),
        disk_paths: Mutex::new(HashMap::new()),
        staged_paths: Mutex::new(HashSet::new()),
    };
    if let Some(tree) = crate::snapshot::staged() {
        scan.index_files(tree);
    } else {
        let mut builder = WalkBuilder::new(first);
        for path in rest {
            builder.add(path);
        }
        builder
            .hidden(false)
            .ignore(false)
            .parents(true)
            .git_ignore(respect)
            .git_global(respect)
            .git_exclude(respect)
            .require_git(false)
            .follow_links(true)
            .add_custom_ignore_filename(IGNORE_FILE)
            .threads(settings.threads)
            .filter_entry({
                let exclude = settings.exclude.clone();
                move |entry| {
                    entry.file_name() != ".git"
                        && !exclude.as_ref().is_some_and(|e| e.excludes(entry.path()))
                }
            });

        builder.build_parallel().run(|| {
            let mut buffer = Vec::new();
            let (scan, explicit_ignore) = (&scan, &explicit_ignore);
            let cwd = scan.cwd;
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(err) => {
                        scan.note(note_for_walk_error(&err, cwd, scan.roots));
                        return WalkState::Continue;
                    }
                };
                let path = entry.path();
                if entry.depth() > 0 && entry.path_is_symlink() && !scan.link_stays_inside(path) {
                    return WalkState::Skip;
                }
                let is_file = if entry.depth() == 0 {
                    std::fs::metadata(path).is_ok_and(|m| m.is_file())
                        && !explicitly_ignored(explicit_ignore, cwd, path)
                } else {
                    entry.file_type().is_some_and(|t| t.is_file())
                };
                if is_file {
                    scan.file(path, &mut buffer);
                } else if respect && entry.file_type().is_some_and(|t| t.is_dir()) {
                    scan.dirs_seen
                        .lock()
                        .expect("not poisoned")
                        .push(path.to_path_buf());
                }
                WalkState::Continue
            })
        });
    }
    if respect {
        scan.ignored_env_files();
    }
    let Scan {
        findings,
        notes,
        files_scanned,
        summaries,
        disk_paths,
        staged_paths,
        ..
    } = scan;

    let mut findings = findings.into_inner().expect("not poisoned");
    let mut summaries = summaries.into_inner().expect("not poisoned");
    // Unstable (no scratch copy of every summary): paths walked twice give equal summaries.
    summaries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    // Overlapping roots (`keylint check . app`) walk some files twice.
    summaries.dedup_by(|a, b| a.path == b.path);
    let mut notes = notes.into_inner().expect("not poisoned");
    // Named files (a pre-commit hook passes the changed ones) are part of a repository the
    // scan does not see: following keys across files there would blame the files not named.
    let whole_trees = paths.iter().all(|p| p.is_dir());
    if whole_trees {
        let (cross_file, outcome) = crate::wiring::check(&summaries, linter);
        crate::wiring::quiet_optional_settings(&mut findings, &outcome, linter);
        let referenced = crate::wiring::judge_referenced_values(&summaries, linter, &findings);
        findings.extend(referenced);
        findings.extend(cross_file.into_iter().map(|mut finding| {
            if let Ok(at) = summaries.binary_search_by(|s| s.path.as_str().cmp(&finding.path)) {
                finding.role = summaries[at].role;
            }
            finding
        }));
        notes.extend(outcome.notes.into_iter().map(|(path, message)| Note {
            path: linter.redact_path(&path),
            level: NoteLevel::Verbose,
            message,
        }));
    } else if !summaries.is_empty() {
        notes.push(Note {
            path: first.display().to_string(),
            level: NoteLevel::Verbose,
            message: format!(
                "the cross-file rules ({}) run on directories only, and files were named",
                crate::wiring::CROSS_FILE_RULES.join(", ")
            ),
        });
    }
    if crate::snapshot::staged().is_some() {
        // Per-file findings in staged files; cross-file ones with an end in a staged file.
        let staged = staged_paths.into_inner().expect("not poisoned");
        findings.retain(|f| {
            staged.contains(&f.path) || f.related.iter().any(|r| staged.contains(&r.path))
        });
    }
    if let Some(ignores) = &settings.per_file_ignores {
        let disk = disk_paths.into_inner().expect("not poisoned");
        findings.retain(|f| {
            !disk
                .get(&f.path)
                .is_some_and(|path| ignores.ignores(path, f.rule))
        });
    }
    for finding in &mut findings {
        finding.severity = severity_of(&settings.severity, finding.rule);
    }
    findings.sort_by(|a, b| {
        (&a.path, a.start, a.end, a.rule.code).cmp(&(&b.path, b.start, b.end, b.rule.code))
    });
    notes.sort();
    notes.dedup();
    Ok(ScanOutcome {
        findings,
        notes,
        files_scanned: files_scanned.into_inner(),
        baseline: None,
    })
}

/// The state of one scan, shared by the walker's threads.
struct Scan<'a> {
    linter: &'a Linter,
    cwd: &'a Path,
    roots: &'a [&'a Path],
    /// The roots with every symlink resolved: links are followed only to targets under them.
    real_roots: &'a [PathBuf],
    oracle: IgnoreOracle,
    findings: Mutex<Vec<Finding>>,
    notes: Mutex<Vec<Note>>,
    /// What the cross-file rules need, from the files that have it.
    summaries: Mutex<Vec<crate::wiring::Summary>>,
    files_scanned: AtomicUsize,
    /// `.env`-family files scanned, so the pass over ignored ones skips them.
    env_files_seen: Mutex<HashSet<PathBuf>>,
    /// Directories walked, where git-ignored `.env` files may sit.
    dirs_seen: Mutex<Vec<PathBuf>>,
    /// Where each shown path is on disk, for the settings file's per-file-ignores.
    disk_paths: Mutex<HashMap<String, PathBuf>>,
    /// Under `--staged`, the shown paths of the files the next commit changes.
    staged_paths: Mutex<HashSet<String>>,
}

impl Scan<'_> {
    fn note(&self, note: Note) {
        self.notes.lock().expect("not poisoned").push(note);
    }

    /// The root the walk found `path` under (the longest that holds it); for a file named on
    /// the command line, its directory.
    fn scan_top<'p>(&self, path: &'p Path) -> Option<&'p Path> {
        let root = self
            .roots
            .iter()
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.as_os_str().len())?;
        let top = path.ancestors().find(|a| a == root)?;
        if top != path {
            return Some(top);
        }
        match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => Some(dir),
            _ => Some(Path::new(".")),
        }
    }

    /// The path that says what a file is for: inside the directory the scan walked (scanning
    /// `fixtures/app` judges `tests/x.py` there as a test, not everything as fixtures), or as
    /// named on the command line.
    fn path_in_tree(&self, path: &Path, display: &str) -> String {
        self.roots
            .iter()
            .filter(|root| path.starts_with(root) && path != **root)
            .max_by_key(|root| root.as_os_str().len())
            .and_then(|root| path.strip_prefix(root).ok())
            .map_or_else(
                || display.to_owned(),
                |inside| inside.to_string_lossy().replace('\\', "/"),
            )
    }

    /// Whether the symlink at `path` leads inside the scanned tree (then it is followed);
    /// a link that leads out is passed over with a note naming its target.
    fn link_stays_inside(&self, path: &Path) -> bool {
        let inside = std::fs::canonicalize(path)
            .is_ok_and(|target| self.real_roots.iter().any(|root| target.starts_with(root)));
        if !inside {
            let target = std::fs::read_link(path).unwrap_or_default();
            self.note(Note {
                path: display_path(path, self.cwd, self.roots),
                level: NoteLevel::Verbose,
                message: format!(
                    "skipped: symlink to {}, outside the scanned tree",
                    target.display()
                ),
            });
        }
        inside
    }

    /// Lints, in parallel, the files the index holds under the roots, from their staged blobs.
    fn index_files(&self, tree: &StagedTree) {
        let settings = self.linter.settings();
        let top = tree.work_dir();
        let mut files = Vec::new();
        for root in self.roots {
            let root_abs = crate::staged::absolute(root, self.cwd);
            for file in tree.files_under(&root_abs) {
                let shown = root.join(file.strip_prefix(&root_abs).unwrap_or(&file));
                let excluded = settings
                    .exclude
                    .as_ref()
                    .is_some_and(|e| e.excludes_path(&shown))
                    || self.oracle.is_ignored(&file, IGNORE_FILE, Some(top));
                if !excluded {
                    files.push(shown);
                }
            }
            if settings.respect_gitignore {
                self.dirs_seen.lock().expect("not poisoned").extend(
                    tree.dirs_under(&root_abs)
                        .into_iter()
                        .map(|dir| root.join(dir.strip_prefix(&root_abs).unwrap_or(&dir))),
                );
            }
        }
        if settings.respect_gitignore {
            let mut dirs = self.dirs_seen.lock().expect("not poisoned");
            dirs.sort();
            dirs.dedup();
        }
        crate::parallel::for_each(&files, settings.threads, Vec::new, |buffer, _, path| {
            self.file(path, buffer)
        });
    }

    /// Reads and lints one file.
    fn file(&self, path: &Path, buffer: &mut Vec<u8>) {
        let settings = self.linter.settings();
        let display = display_path(path, self.cwd, self.roots);
        let kind = FileKind::of(path);
        let git = if matches!(kind, FileKind::Env | FileKind::EnvExample) {
            let absolute = self.cwd.join(path);
            let status = self.oracle.git_status(&absolute);
            self.env_files_seen
                .lock()
                .expect("not poisoned")
                .insert(absolute);
            status
        } else {
            GitStatus::Committable
        };
        // Under --staged: the file's index entry, and whether the next commit changes it.
        let staged = crate::snapshot::staged().map(|tree| {
            let absolute = crate::staged::absolute(path, self.cwd);
            let changed = tree.is_staged(&absolute);
            (tree, absolute, changed)
        });
        let judged = staged.as_ref().is_none_or(|(_, _, changed)| *changed);
        // A file the commit leaves alone matters only for what the cross-file rules read.
        if !judged && !crate::wiring::may_summarize(kind) {
            return;
        }
        let cache = staged.as_ref().and_then(|(tree, absolute, _)| {
            tree.cache()
                .filter(|_| SummaryCache::holds(kind))
                .zip(tree.blob(absolute))
        });
        if let (false, Some((cache, blob))) = (judged, &cache) {
            if let Some(kept) = cache.get(&display, blob) {
                if let Some(kept) = kept {
                    let summary = crate::wiring::Summary::from_cached(kept, &display, path);
                    self.summaries.lock().expect("not poisoned").push(summary);
                }
                return;
            }
        }
        let note = |level, message| Note {
            path: display.clone(),
            level: if judged { level } else { NoteLevel::Verbose },
            message,
        };
        let read = match staged
            .as_ref()
            .and_then(|(tree, absolute, _)| tree.read(absolute))
        {
            Some(blob) => blob.map(|bytes| {
                *buffer = bytes;
                text_or_not(buffer, settings.max_file_size)
            }),
            None => read_file(path, settings.max_file_size, buffer),
        };
        match read {
            Ok(ReadOutcome::Text(encoding)) => {
                if judged {
                    self.files_scanned.fetch_add(1, Ordering::Relaxed);
                }
                if staged.is_some() && judged {
                    self.staged_paths
                        .lock()
                        .expect("not poisoned")
                        .insert(display.clone());
                }
                if settings.per_file_ignores.is_some() {
                    self.disk_paths
                        .lock()
                        .expect("not poisoned")
                        .insert(display.clone(), self.cwd.join(path));
                }
                if let Some(encoding) = encoding {
                    let message = format!("read as {}", encoding.name());
                    self.note(note(NoteLevel::Verbose, message));
                }
                let top = self.scan_top(path);
                let role = settings
                    .roles
                    .as_ref()
                    .and_then(|roles| roles.role_of(&self.cwd.join(path)))
                    .unwrap_or_else(|| {
                        FileRole::of(&self.path_in_tree(path, &display), kind, buffer)
                    });
                let report = self
                    .linter
                    .lint_bytes_under(top, role, &display, path, kind, git, buffer);
                if let Some((cache, blob)) = cache {
                    match &report.summary {
                        None => cache.keep(&display, &blob, None),
                        Some(summary) if kind.is_source() => {
                            if let Some(kept) = summary.cached_form() {
                                cache.keep(&display, &blob, Some(kept));
                            }
                        }
                        Some(_) => {}
                    }
                }
                if let Some(summary) = report.summary {
                    self.summaries.lock().expect("not poisoned").push(summary);
                }
                if let Some(failure) = report.parse_failure {
                    self.note(note(NoteLevel::Verbose, failure));
                }
                if let Some(failure) = report.config_failure {
                    let failure = failure.trim_end_matches("; scanned as text only");
                    let message =
                        format!("{failure}; scanned as text only, structural rules skipped");
                    self.note(note(NoteLevel::Warning, message));
                }
                if !report.findings.is_empty() {
                    self.findings
                        .lock()
                        .expect("not poisoned")
                        .extend(report.findings);
                }
            }
            Ok(ReadOutcome::Binary) => {
                self.note(note(NoteLevel::Verbose, "skipped: binary file".into()))
            }
            Ok(ReadOutcome::TooLarge(size)) => self.note(note(
                NoteLevel::Info,
                format!(
                    "skipped: {size} bytes is over the limit of {} (--max-file-size)",
                    settings.max_file_size
                ),
            )),
            Err(err) => self.note(note(
                NoteLevel::Warning,
                format!("cannot read: {}", io_reason(&err)),
            )),
        }
    }

    /// Git-ignored `.env` files are where keys belong: the walk passes them over, but their
    /// values matter, so they are read here (never reported as leaks).
    fn ignored_env_files(&self) {
        let dirs = std::mem::take(&mut *self.dirs_seen.lock().expect("not poisoned"));
        let mut buffer = Vec::new();
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut candidates: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.path())
                .filter(|p| matches!(FileKind::of(p), FileKind::Env | FileKind::EnvExample))
                .collect();
            candidates.sort();
            for path in candidates {
                let absolute = self.cwd.join(&path);
                let seen = self
                    .env_files_seen
                    .lock()
                    .expect("not poisoned")
                    .contains(&absolute);
                if !seen && !self.oracle.is_ignored(&absolute, IGNORE_FILE, None) {
                    self.file(&path, &mut buffer);
                }
            }
        }
    }
}

/// An I/O error as a short reason: `permission denied`, `no such file or directory`.
fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => err.to_string(),
    }
}

fn note_for_walk_error(err: &ignore::Error, cwd: &Path, roots: &[&Path]) -> Note {
    let path = walk_error_path(err);
    let shown = path.map_or_else(String::new, |p| display_path(p, cwd, roots));
    let is_link = path
        .and_then(|p| std::fs::symlink_metadata(p).ok())
        .is_some_and(|m| m.file_type().is_symlink());
    if let Some(ancestor) = loop_ancestor(err) {
        return Note {
            path: shown,
            level: NoteLevel::Verbose,
            message: format!(
                "skipped: symlink loop back to {}",
                display_path(ancestor, cwd, roots)
            ),
        };
    }
    if let (true, Some(path)) = (is_link, path) {
        let target = std::fs::read_link(path).unwrap_or_default();
        return Note {
            path: shown,
            level: NoteLevel::Verbose,
            message: format!("skipped: broken symlink to {}", target.display()),
        };
    }
    let reason = err.io_error().map_or_else(
        || {
            err.to_string()
                .trim_start_matches("IO error for operation on ")
                .to_owned()
        },
        io_reason,
    );
    Note {
        path: shown,
        level: NoteLevel::Warning,
        message: format!("cannot walk: {reason}"),
    }
}

fn loop_ancestor(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::Loop { ancestor, .. } => Some(ancestor),
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => loop_ancestor(err),
        _ => None,
    }
}

fn walk_error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        _ => None,
    }
}

/// `.keylintignore` in the current directory, applied to files named on the command line.
fn explicit_ignore_matcher(cwd: &Path) -> Gitignore {
    let mut builder = GitignoreBuilder::new(cwd);
    let file = cwd.join(IGNORE_FILE);
    if file.is_file() {
        builder.add(file);
    }
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

/// A file named on the command line that `.keylintignore` excludes.
fn explicitly_ignored(matcher: &Gitignore, cwd: &Path, path: &Path) -> bool {
    let absolute = cwd.join(path);
    absolute.strip_prefix(cwd).is_ok_and(|relative| {
        matcher
            .matched_path_or_any_parents(relative, false)
            .is_ignore()
    })
}

pub enum ReadOutcome {
    /// Text, decoded to UTF-8 from `Some` encoding.
    Text(Option<Encoding>),
    Binary,
    TooLarge(u64),
}

fn read_file(path: &Path, max_size: u64, buffer: &mut Vec<u8>) -> std::io::Result<ReadOutcome> {
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    if size > max_size {
        return Ok(ReadOutcome::TooLarge(size));
    }
    buffer.clear();
    file.take(max_size + 1).read_to_end(buffer)?;
    Ok(text_or_not(buffer, max_size))
}

/// Whether the bytes read are text to scan (decoded to UTF-8 in place), binary, or too large.
pub fn text_or_not(buffer: &mut Vec<u8>, max_size: u64) -> ReadOutcome {
    if buffer.len() as u64 > max_size {
        return ReadOutcome::TooLarge(buffer.len() as u64);
    }
    // UTF-16 and UTF-32 text is full of NULs: decode it before the binary sniff.
    let encoding = Encoding::sniff(buffer).map(|(encoding, mark)| {
        let text = source::decode(encoding, &buffer[mark..]);
        *buffer = text.into_bytes();
        encoding
    });
    let sniff = &buffer[..buffer.len().min(BINARY_SNIFF_LEN)];
    if memchr_nul(sniff) {
        return ReadOutcome::Binary;
    }
    ReadOutcome::Text(encoding)
}

fn memchr_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

/// The path as reports show it: relative to the current directory when under it, else relative
/// to the directory argument it was found under, `/`-separated, without a leading `./`.
fn display_path(path: &Path, cwd: &Path, roots: &[&Path]) -> String {
    let relative = if path.is_absolute() {
        path.strip_prefix(cwd)
            .ok()
            .or_else(|| {
                roots
                    .iter()
                    .filter(|root| root.is_absolute() && path != **root)
                    .find_map(|root| path.strip_prefix(root).ok())
            })
            .unwrap_or(path)
    } else {
        path
    };
    let text = relative.to_string_lossy().replace('\\', "/");
    let mut text = text.as_str();
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_and_slashed() {
        let cwd = Path::new("/work/repo");
        assert_eq!(display_path(Path::new("./src/a.py"), cwd, &[]), "src/a.py");
        assert_eq!(
            display_path(Path::new("/work/repo/src/a.py"), cwd, &[]),
            "src/a.py"
        );
        let root = Path::new("/elsewhere/app");
        assert_eq!(
            display_path(Path::new("/elsewhere/app/x/.env"), cwd, &[root]),
            "x/.env"
        );
    }
}
