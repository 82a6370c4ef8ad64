//! `--diff REV`: the lines added or changed since REV (and files git does not track yet), read
//! from `git diff`, so that a pull request's check reports only what the change brought.

use std::collections::{HashMap, HashSet};
use std::ops::RangeInclusive;
use std::path::Path;
use std::process::Command;

use crate::finding::Finding;

/// Lines of the working tree that are new since a revision, by path relative to the scanned
/// directory (`/`-separated).
#[derive(Debug, Default)]
pub struct ChangedLines {
    lines: HashMap<String, Vec<RangeInclusive<usize>>>,
    /// Files git does not track: every line is new.
    untracked: HashSet<String>,
}

impl ChangedLines {
    /// The lines changed in `dir` since `rev`; an error when `dir` is not in a git repository
    /// or `rev` names no commit.
    pub fn since(rev: &str, dir: &Path) -> Result<ChangedLines, String> {
        let diff = git(
            dir,
            &[
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--no-renames",
                "--unified=0",
                "--relative",
                rev,
                "--",
            ],
        )?;
        let untracked = git(dir, &["ls-files", "--others", "--exclude-standard"])?;
        let mut changed = ChangedLines::parse(&diff);
        changed.untracked = untracked.lines().map(str::to_owned).collect();
        Ok(changed)
    }

    /// The added lines of a `git diff --unified=0`.
    fn parse(diff: &str) -> ChangedLines {
        let mut changed = ChangedLines::default();
        let mut path: Option<String> = None;
        for line in diff.lines() {
            if let Some(new) = line.strip_prefix("+++ ") {
                path = new.strip_prefix("b/").map(str::to_owned);
            } else if let (Some(hunk), Some(path)) = (line.strip_prefix("@@ "), &path) {
                // `@@ -12,3 +14,5 @@`: five lines from line 14 are new; `+14,0` adds none.
                let Some(added) = hunk.split(' ').find_map(|part| part.strip_prefix('+')) else {
                    continue;
                };
                let (start, count) = match added.split_once(',') {
                    Some((start, count)) => (start.parse(), count.parse()),
                    None => (added.parse(), Ok(1)),
                };
                if let (Ok(start), Ok(count)) = (start, count) {
                    if count > 0 {
                        changed
                            .lines
                            .entry(path.clone())
                            .or_default()
                            .push(start..=start + count - 1);
                    }
                }
            }
        }
        changed
    }

    /// Whether the line `line` (1-based) of `path` is new.
    fn is_new(&self, path: &str, line: usize) -> bool {
        self.untracked.contains(path)
            || self
                .lines
                .get(path)
                .is_some_and(|ranges| ranges.iter().any(|r| r.contains(&line)))
    }

    /// Whether a finding has an end on a new line: its own lines, or a related place's.
    pub fn touches(&self, finding: &Finding) -> bool {
        (finding.start.line..=finding.end.line).any(|line| self.is_new(&finding.path, line))
            || finding
                .related
                .iter()
                .any(|r| (r.start.line..=r.end.line).any(|line| self.is_new(&r.path, line)))
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|err| format!("--diff needs git: {err}"))?;
    if !output.status.success() {
        let reason = String::from_utf8_lossy(&output.stderr);
        let reason = reason.lines().next().unwrap_or("git failed").trim();
        return Err(format!("--diff: {reason}"));
    }
    String::from_utf8(output.stdout).map_err(|_| "--diff: git's output is not UTF-8".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_of_a_diff() {
        let diff = "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n\
                    @@ -3,0 +4,2 @@ def f():\n+a\n+b\n@@ -9 +11 @@\n-x\n+y\n@@ -20,2 +22,0 @@\n-p\n-q\n\
                    diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n";
        let changed = ChangedLines::parse(diff);
        let new: Vec<usize> = (1..30).filter(|l| changed.is_new("app.py", *l)).collect();
        assert_eq!(new, [4, 5, 11]);
        assert!(!changed.is_new("gone.py", 1));
    }
}
