//! Walks a git tree object's files, shared by `--staged` (HEAD's files) and `history`.

use gix::prelude::FindExt;
use gix::ObjectId;

/// Calls `file` with the path (`/`-separated, relative to the tree) and blob of every regular
/// file under `tree`. A subtree is entered only when `enter` says yes to its id, so a history
/// walk reads each distinct tree once.
pub fn walk(
    repo: &gix::Repository,
    tree: ObjectId,
    enter: &mut dyn FnMut(ObjectId) -> bool,
    file: &mut dyn FnMut(&str, ObjectId),
) -> Result<(), String> {
    let mut stack = vec![(tree, String::new())];
    let mut buffer = Vec::new();
    let mut entries = Vec::new();
    while let Some((id, prefix)) = stack.pop() {
        if !enter(id) {
            continue;
        }
        let tree = repo
            .objects
            .find_tree(&id, &mut buffer)
            .map_err(|err| err.to_string())?;
        entries.clear();
        entries.extend(
            tree.entries
                .iter()
                .map(|e| (e.mode, e.oid.to_owned(), e.filename.to_string())),
        );
        for (mode, id, name) in entries.drain(..) {
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if mode.is_tree() {
                stack.push((id, path));
            } else if mode.is_blob() {
                file(&path, id);
            }
        }
    }
    Ok(())
}
