//! Whether git would commit a file, decided as git does: every `.gitignore` from the file's
//! directory up to the repository root (deeper files win), then `.git/info/exclude`; and, for an
//! ignored file, whether git tracks it all the same. Used for `.env`-family files only.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use crate::rules::GitStatus;

/// Caches the ignore files it reads; shared by the walker's threads.
#[derive(Default)]
pub struct IgnoreOracle {
    matchers: Mutex<HashMap<PathBuf, Option<Arc<Gitignore>>>>,
    /// Per repository: the files git tracks although an ignore rule matches them, asked of
    /// git once (a tree with many ignored env files would otherwise start a git per file).
    tracked_ignored: Mutex<HashMap<PathBuf, Arc<HashSet<PathBuf>>>>,
}

impl IgnoreOracle {
    /// The git status of the file at `path` (absolute).
    pub fn git_status(&self, path: &Path) -> GitStatus {
        let repo = repository_root(path);
        if !self.is_ignored(path, ".gitignore", repo.as_deref()) {
            return GitStatus::Committable;
        }
        match repo {
            Some(repo) if self.is_tracked(&repo, path) => GitStatus::IgnoredButTracked,
            _ => GitStatus::Ignored,
        }
    }

    /// Whether the ignore files named `file_name` between `path` and `top` (or the filesystem
    /// root) exclude `path`.
    pub fn is_ignored(&self, path: &Path, file_name: &str, top: Option<&Path>) -> bool {
        let mut dirs: Vec<&Path> = path.ancestors().skip(1).collect();
        if let Some(top) = top {
            if let Some(end) = dirs.iter().position(|d| *d == top) {
                dirs.truncate(end + 1);
            }
        }
        for dir in &dirs {
            let Some(matcher) = self.matcher(&dir.join(file_name), dir) else {
                continue;
            };
            match matcher.matched_path_or_any_parents(path, false) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        if let (Some(top), ".gitignore") = (top, file_name) {
            let exclude = top.join(".git/info/exclude");
            if let Some(matcher) = self.matcher(&exclude, top) {
                return matcher.matched_path_or_any_parents(path, false).is_ignore();
            }
        }
        false
    }

    /// Whether git tracks `path`, an ignored file, in the repository at `repo` (false when git
    /// is not available). Git lists such files with `ls-files --cached --ignored`: its ignore
    /// rules agree with [`IgnoreOracle::is_ignored`], which reads the same files.
    fn is_tracked(&self, repo: &Path, path: &Path) -> bool {
        let Ok(relative) = path.strip_prefix(repo) else {
            return false;
        };
        let tracked = self
            .tracked_ignored
            .lock()
            .expect("not poisoned")
            .entry(repo.to_path_buf())
            .or_insert_with(|| Arc::new(tracked_ignored(repo)))
            .clone();
        tracked.contains(relative)
    }

    fn matcher(&self, file: &Path, root: &Path) -> Option<Arc<Gitignore>> {
        let mut cache = self.matchers.lock().expect("not poisoned");
        cache
            .entry(file.to_path_buf())
            .or_insert_with(|| {
                file.is_file().then(|| {
                    let mut builder = GitignoreBuilder::new(root);
                    builder.add(file);
                    Arc::new(builder.build().unwrap_or_else(|_| Gitignore::empty()))
                })
            })
            .clone()
    }
}

/// The nearest ancestor directory holding `.git`.
pub fn repository_root(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The files of the repository at `repo` that git tracks although an ignore rule matches
/// them, relative to `repo`; empty when git is not available.
fn tracked_ignored(repo: &Path) -> HashSet<PathBuf> {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--ignored",
            "--exclude-standard",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    let Some(output) = output.ok().filter(|o| o.status.success()) else {
        return HashSet::new();
    };
    output
        .stdout
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .filter_map(|name| std::str::from_utf8(name).ok())
        .map(PathBuf::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_rules_and_negations() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("app/config")).unwrap();
        std::fs::write(root.join(".gitignore"), ".env\nsecrets/\n").unwrap();
        std::fs::write(root.join("app/.gitignore"), "!.env\n").unwrap();
        let oracle = IgnoreOracle::default();
        assert!(oracle.is_ignored(&root.join(".env"), ".gitignore", Some(root)));
        assert!(!oracle.is_ignored(&root.join("app/.env"), ".gitignore", Some(root)));
        assert!(!oracle.is_ignored(&root.join("app/config/.env"), ".gitignore", Some(root)));
        assert!(oracle.is_ignored(&root.join("secrets/prod.env"), ".gitignore", Some(root)));
        assert!(!oracle.is_ignored(&root.join("prod.env"), ".gitignore", Some(root)));
    }
}
