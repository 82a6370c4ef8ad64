//! What a path holds in the tree being judged. Normally the working tree; under `--staged`, a
//! file git tracks holds its staged content, and other files (git-ignored `.env` files and the
//! like, which no commit carries) are read from disk. Every read of a file besides the one
//! being linted (a neighbour `.env`, a Makefile, a Go package) goes through here.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::staged::StagedTree;

static STAGED: OnceLock<(StagedTree, PathBuf)> = OnceLock::new();

/// Judges the index of `tree` from now on; `cwd` resolves relative paths.
pub fn use_staged(tree: StagedTree, cwd: PathBuf) -> Result<(), String> {
    STAGED
        .set((tree, cwd))
        .map_err(|_| "--staged: the index was already read".to_owned())
}

/// The staged tree in use, if any.
pub fn staged() -> Option<&'static StagedTree> {
    STAGED.get().map(|(tree, _)| tree)
}

/// The index's view of `path`: the tree and the absolute path, when `--staged` is in force and
/// the path lies in its work tree.
fn in_index(path: &Path) -> Option<(&'static StagedTree, PathBuf)> {
    let (tree, cwd) = STAGED.get()?;
    let absolute = crate::staged::absolute(path, cwd);
    tree.covers(&absolute).then_some((tree, absolute))
}

/// The bytes of the file at `path`.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    if let Some(bytes) = in_index(path).and_then(|(tree, absolute)| tree.read(&absolute)) {
        return bytes;
    }
    std::fs::read(path)
}

/// The text of the file at `path`, when it is UTF-8 and at most `max` bytes long.
pub fn read_text(path: &Path, max: u64) -> Option<String> {
    if let Some((tree, absolute)) = in_index(path) {
        if tree.tracks(&absolute) {
            let bytes = tree.read(&absolute)?.ok()?;
            return (bytes.len() as u64 <= max)
                .then(|| String::from_utf8(bytes).ok())
                .flatten();
        }
    }
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > max {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// Whether `path` is a file.
pub fn is_file(path: &Path) -> bool {
    in_index(path).is_some_and(|(tree, absolute)| tree.tracks(&absolute)) || path.is_file()
}

/// Whether `path` is a directory.
pub fn is_dir(path: &Path) -> bool {
    in_index(path).is_some_and(|(tree, absolute)| tree.holds_dir(&absolute)) || path.is_dir()
}

/// The names of the files in the directory `dir`, sorted; None when it cannot be read.
pub fn file_names(dir: &Path) -> Option<Vec<String>> {
    let mut names: Vec<String> = in_index(dir)
        .map(|(tree, absolute)| tree.file_names_in(&absolute))
        .unwrap_or_default();
    let on_disk = std::fs::read_dir(dir).ok();
    if on_disk.is_none() && names.is_empty() {
        return None;
    }
    names.extend(
        on_disk
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok()),
    );
    names.sort();
    names.dedup();
    Some(names)
}
