//! `keylint history`: keys in every commit reachable from the given refs. A key that was ever
//! pushed is leaked, even when HEAD no longer holds it. Commits are read with gitoxide, oldest
//! first; each distinct tree and blob is read once, so a blob is judged at the first commit and
//! path that hold it.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use gix::prelude::FindExt;
use gix::ObjectId;

use crate::file_kind::FileKind;
use crate::finding::{Commit, Finding};
use crate::lint::Linter;
use crate::rules::GitStatus;
use crate::walk::{Note, NoteLevel, ReadOutcome, ScanOutcome};

/// The rules `history` runs: the ones that find keys.
pub const HISTORY_RULES: &[&str] = &["KL101", "KL102"];

/// Which commits to read.
pub enum Commits<'a> {
    /// Every commit reachable from any ref (and HEAD).
    All,
    /// A revision (it and its ancestors) or a range (`a..b`), as git spells them.
    Spec(&'a str),
}

/// A blob to judge: where it was first seen.
struct Seen {
    blob: ObjectId,
    path: String,
    /// Index into the commits, oldest first.
    commit: usize,
}

/// Reads the commits of the repository holding `path` and judges each distinct blob with
/// `linter`. Fails when `path` is in no repository or `commits` names nothing git knows.
pub fn scan(path: &Path, commits: Commits, linter: &Linter) -> Result<ScanOutcome, String> {
    let repo = gix::discover(path)
        .map_err(|_| format!("{} is not in a git repository", path.display()))?;
    let (tips, hidden) = tips(&repo, commits)?;
    let mut walk = repo
        .rev_walk(tips)
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            Default::default(),
        ))
        .with_hidden(hidden.iter().copied())
        .all()
        .map_err(|err| format!("cannot walk the history: {err}"))?
        .map(|info| info.map(|info| (info.id, info.commit_time)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| format!("cannot walk the history: {err}"))?;
    walk.reverse();

    let mut trees_seen = HashSet::new();
    let mut blobs_seen = HashSet::new();
    // What the commits left out already held is not new in the range: `main..feature` reports
    // the keys the feature brought, not those it inherited.
    for id in &hidden {
        let commit = repo
            .find_commit(*id)
            .map_err(|err| format!("commit {id}: {err}"))?;
        files_of(
            &repo,
            &commit,
            &mut |tree| trees_seen.insert(tree),
            &mut |_, blob| {
                blobs_seen.insert(blob);
            },
        )?;
    }
    let mut blobs = Vec::new();
    let mut commits = Vec::with_capacity(walk.len());
    for (index, (id, time)) in walk.iter().enumerate() {
        let commit = repo
            .find_commit(*id)
            .map_err(|err| format!("commit {id}: {err}"))?;
        let time = match time {
            Some(time) => *time,
            None => commit.time().map(|t| t.seconds).unwrap_or_default(),
        };
        commits.push((*id, time));
        files_of(
            &repo,
            &commit,
            &mut |tree| trees_seen.insert(tree),
            &mut |path, blob| {
                if blobs_seen.insert(blob) {
                    blobs.push(Seen {
                        blob,
                        path: path.to_owned(),
                        commit: index,
                    });
                }
            },
        )?;
    }
    // HEAD's blobs, to tell whether a key is still there; read too when outside the commits.
    let mut head_blobs = HashSet::new();
    if let Ok(tree) = repo.head_tree_id() {
        let extra_commit = commits.len();
        crate::git_tree::walk(&repo, tree.detach(), &mut |_| true, &mut |path, blob| {
            if head_blobs.insert(blob) && blobs_seen.insert(blob) {
                blobs.push(Seen {
                    blob,
                    path: path.to_owned(),
                    commit: extra_commit,
                });
            }
        })
        .map_err(|err| format!("HEAD: {err}"))?;
    }

    let judged = judge(&repo, &blobs, linter);
    let in_head: HashSet<[u8; 32]> = judged
        .findings
        .iter()
        .filter(|(seen, _)| head_blobs.contains(&blobs[*seen].blob))
        .map(|(_, finding)| finding.content)
        .collect();
    // One finding per key and path: the oldest commit that brought it there.
    let mut first: HashMap<(String, &'static str, [u8; 32]), (usize, Finding)> = HashMap::new();
    let mut notes = Vec::new();
    for (seen, finding) in judged.findings {
        let seen = &blobs[seen];
        if seen.commit == commits.len() {
            continue;
        }
        let key = (finding.path.clone(), finding.rule.code, finding.content);
        match first.get(&key) {
            Some((commit, _)) if *commit <= seen.commit => {}
            _ => {
                first.insert(key, (seen.commit, finding));
            }
        }
    }
    if judged.too_large > 0 {
        notes.push(Note {
            path: path.display().to_string(),
            level: NoteLevel::Info,
            message: format!(
                "{} over the limit of {} bytes (--max-file-size) passed over",
                crate::report::plural(judged.too_large, "blob"),
                linter.settings().max_file_size
            ),
        });
    }
    let mut findings: Vec<Finding> = first
        .into_values()
        .map(|(commit, mut finding)| {
            let (id, time) = commits[commit];
            let commit = Commit {
                id: id.to_hex().to_string(),
                time,
                in_head: in_head.contains(&finding.content),
            };
            finding.message = format!("{}; {}", finding.message, commit.describe());
            finding.commit = Some(Box::new(commit));
            finding
        })
        .collect();
    findings.sort_by(|a, b| {
        let commit = |f: &Finding| f.commit.as_ref().map(|c| c.id.clone());
        (&a.path, a.start, a.end, a.rule.code, commit(a)).cmp(&(
            &b.path,
            b.start,
            b.end,
            b.rule.code,
            commit(b),
        ))
    });
    Ok(ScanOutcome {
        findings,
        notes,
        files_scanned: blobs.len(),
        baseline: None,
    })
}

/// Walks the files of `commit`'s tree (see [`crate::git_tree::walk`]).
fn files_of(
    repo: &gix::Repository,
    commit: &gix::Commit,
    enter: &mut dyn FnMut(ObjectId) -> bool,
    file: &mut dyn FnMut(&str, ObjectId),
) -> Result<(), String> {
    let id = commit.id;
    let tree = commit
        .tree_id()
        .map_err(|err| format!("commit {id}: {err}"))?;
    crate::git_tree::walk(repo, tree.detach(), enter, file)
        .map_err(|err| format!("commit {id}: {err}"))
}

/// The commits to start from and the ones to leave out.
fn tips(
    repo: &gix::Repository,
    commits: Commits,
) -> Result<(Vec<ObjectId>, Vec<ObjectId>), String> {
    use gix::revision::plumbing::Spec;
    let spec = match commits {
        Commits::All => {
            let mut tips: Vec<ObjectId> = repo
                .head_id()
                .ok()
                .map(|id| id.detach())
                .into_iter()
                .collect();
            let references = repo
                .references()
                .map_err(|err| format!("cannot read the refs: {err}"))?;
            for reference in references
                .all()
                .map_err(|err| format!("cannot read the refs: {err}"))?
            {
                let Ok(mut reference) = reference else {
                    continue;
                };
                if let Ok(id) = reference.peel_to_commit() {
                    tips.push(id.id);
                }
            }
            tips.sort();
            tips.dedup();
            return Ok((tips, Vec::new()));
        }
        Commits::Spec(spec) => repo
            .rev_parse(spec)
            .map_err(|err| format!("`{spec}`: {err}"))?
            .detach(),
    };
    Ok(match spec {
        Spec::Include(id) => (vec![id], Vec::new()),
        Spec::Range { from, to } => (vec![to], vec![from]),
        Spec::Merge { theirs, ours } => {
            let base = repo
                .merge_base(theirs, ours)
                .map_err(|err| format!("no merge base: {err}"))?;
            (
                vec![theirs, ours],
                base.map(|id| id.detach()).into_iter().collect(),
            )
        }
        Spec::IncludeOnlyParents(id) => {
            let commit = repo.find_commit(id).map_err(|err| err.to_string())?;
            (
                commit.parent_ids().map(|p| p.detach()).collect(),
                Vec::new(),
            )
        }
        Spec::Exclude(_) | Spec::ExcludeParents(_) => {
            return Err("name the commits to read, not only the ones to leave out".to_owned())
        }
    })
}

/// What judging the blobs gave: (index into the blobs, finding), and how many blobs were over
/// the size limit.
struct Judged {
    findings: Vec<(usize, Finding)>,
    too_large: usize,
}

/// Reads and lints each blob, in parallel.
fn judge(repo: &gix::Repository, blobs: &[Seen], linter: &Linter) -> Judged {
    let shared = repo.clone().into_sync();
    let max_size = linter.settings().max_file_size;
    let too_large = AtomicUsize::new(0);
    let findings = Mutex::new(Vec::new());
    crate::parallel::for_each(
        blobs,
        linter.settings().threads,
        || (shared.to_thread_local(), Vec::new()),
        |(repo, buffer), index, seen| {
            let Ok(blob) = repo.objects.find_blob(&seen.blob, buffer) else {
                return;
            };
            let mut bytes = blob.data.to_vec();
            match crate::walk::text_or_not(&mut bytes, max_size) {
                ReadOutcome::TooLarge(_) => {
                    too_large.fetch_add(1, Ordering::Relaxed);
                }
                ReadOutcome::Binary => {}
                ReadOutcome::Text(_) => {
                    let path = Path::new(&seen.path);
                    let report = linter.lint_bytes(
                        &seen.path,
                        path,
                        FileKind::of(path),
                        GitStatus::Committable,
                        &bytes,
                    );
                    if !report.findings.is_empty() {
                        let found = report.findings.into_iter().map(|f| (index, f));
                        findings.lock().expect("not poisoned").extend(found);
                    }
                }
            }
        },
    );
    Judged {
        findings: findings.into_inner().expect("not poisoned"),
        too_large: too_large.into_inner(),
    }
}
