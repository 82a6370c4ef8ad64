//! `--staged`: the tree the next commit will hold, read from git's index with gitoxide. A file
//! git tracks is read from its staged blob (a partly staged file is judged as it will be
//! committed); a staged file is one whose index entry differs from HEAD's.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use gix::prelude::FindExt;
use gix::ObjectId;

use crate::summary_cache::SummaryCache;

/// The index of one repository, and which of its files the next commit changes.
pub struct StagedTree {
    /// The work tree's root, absolute.
    work_dir: PathBuf,
    /// Every file the index holds (absolute path), with its staged blob.
    blobs: HashMap<PathBuf, ObjectId>,
    /// Directories that hold an index entry, absolute.
    dirs: HashSet<PathBuf>,
    /// Files whose staged blob differs from HEAD's, or that HEAD does not have.
    staged: HashSet<PathBuf>,
    repo: gix::ThreadSafeRepository,
    /// Summaries of the source files, by blob, from earlier runs.
    cache: Option<SummaryCache>,
}

thread_local! {
    /// Each thread's handle on the object database: a `gix::Repository` is not `Sync`.
    static REPO: RefCell<Option<gix::Repository>> = const { RefCell::new(None) };
}

impl StagedTree {
    /// The index of the repository that holds `dir`; an error when there is none, or no work
    /// tree (a bare repository has no index to commit from).
    pub fn open(dir: &Path) -> Result<StagedTree, String> {
        let repo = gix::discover(dir)
            .map_err(|_| format!("--staged: {} is not in a git repository", dir.display()))?;
        let work_dir = repo
            .workdir()
            .ok_or("--staged: the repository has no work tree (it is bare)")?;
        let work_dir = std::fs::canonicalize(work_dir)
            .map_err(|err| format!("--staged: {}: {err}", work_dir.display()))?;
        let index = repo
            .index_or_empty()
            .map_err(|err| format!("--staged: cannot read the index: {err}"))?;
        let head = head_files(&repo)?;
        let mut tree = StagedTree {
            work_dir,
            blobs: HashMap::new(),
            dirs: HashSet::new(),
            staged: HashSet::new(),
            repo: repo.clone().into_sync(),
            cache: None,
        };
        for entry in index.entries() {
            // Submodules, symlinks and the sides of a merge conflict are not files to judge.
            let regular = matches!(
                entry.mode,
                gix::index::entry::Mode::FILE | gix::index::entry::Mode::FILE_EXECUTABLE
            );
            if !regular || entry.stage_raw() != 0 {
                continue;
            }
            let relative = entry.path(&index).to_string();
            let path = tree.work_dir.join(&relative);
            if head.get(&relative) != Some(&entry.id) {
                tree.staged.insert(path.clone());
            }
            for dir in path.ancestors().skip(1) {
                if !tree.dirs.insert(dir.to_path_buf()) || dir == tree.work_dir {
                    break;
                }
            }
            tree.blobs.insert(path, entry.id);
        }
        Ok(tree)
    }

    /// The files the index holds under `root` (absolute, lexically clean), sorted.
    pub fn files_under(&self, root: &Path) -> Vec<PathBuf> {
        sorted_under(self.blobs.keys(), root)
    }

    /// Keeps the source files' summaries in the repository's git directory between runs, for
    /// the settings and build `key` names.
    pub fn use_cache(&mut self, key: String) {
        let git_dir = self.repo.to_thread_local().git_dir().to_path_buf();
        self.cache = Some(SummaryCache::open(&git_dir, key));
    }

    pub fn cache(&self) -> Option<&SummaryCache> {
        self.cache.as_ref()
    }

    /// The staged blob of `path` (absolute), in hex.
    pub fn blob(&self, path: &Path) -> Option<String> {
        self.blobs.get(path).map(|id| id.to_hex().to_string())
    }

    /// The work tree's root, absolute.
    pub fn work_dir(&self) -> &Path {
        &self.work_dir
    }

    /// The directories under `root` (absolute) that hold tracked files, `root` included.
    pub fn dirs_under(&self, root: &Path) -> Vec<PathBuf> {
        sorted_under(self.dirs.iter(), root)
    }

    /// Whether the next commit changes the file at `path` (absolute).
    pub fn is_staged(&self, path: &Path) -> bool {
        self.staged.contains(path)
    }

    /// How many files the next commit changes.
    pub fn staged_count(&self) -> usize {
        self.staged.len()
    }

    /// The staged content of `path` (absolute), or None when git does not track it.
    pub fn read(&self, path: &Path) -> Option<std::io::Result<Vec<u8>>> {
        let id = self.blobs.get(path)?;
        Some(REPO.with(|cell| {
            let mut cell = cell.borrow_mut();
            let repo = cell.get_or_insert_with(|| self.repo.to_thread_local());
            let mut buffer = Vec::new();
            repo.objects
                .find_blob(id, &mut buffer)
                .map(|blob| blob.data.to_vec())
                .map_err(|err| std::io::Error::other(err.to_string()))
        }))
    }

    /// Whether git tracks `path` (absolute).
    pub fn tracks(&self, path: &Path) -> bool {
        self.blobs.contains_key(path)
    }

    /// Whether `path` (absolute) is a directory that holds tracked files.
    pub fn holds_dir(&self, path: &Path) -> bool {
        self.dirs.contains(path)
    }

    /// The names of the tracked files directly in `dir` (absolute).
    pub fn file_names_in(&self, dir: &Path) -> Vec<String> {
        self.blobs
            .keys()
            .filter(|path| path.parent() == Some(dir))
            .filter_map(|path| path.file_name()?.to_str().map(str::to_owned))
            .collect()
    }

    /// Whether `path` (absolute) lies in the work tree.
    pub fn covers(&self, path: &Path) -> bool {
        path.starts_with(&self.work_dir)
    }
}

/// HEAD's files (path relative to the work tree, `/`-separated) and blobs; none before the
/// first commit.
fn head_files(repo: &gix::Repository) -> Result<HashMap<String, ObjectId>, String> {
    let tree = repo
        .head_tree_id_or_empty()
        .map_err(|err| format!("--staged: cannot read HEAD: {err}"))?
        .detach();
    let mut files = HashMap::new();
    crate::git_tree::walk(repo, tree, &mut |_| true, &mut |path, id| {
        files.insert(path.to_owned(), id);
    })
    .map_err(|err| format!("--staged: cannot read HEAD's tree: {err}"))?;
    Ok(files)
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved as text.
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for part in cwd.join(path).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

/// The paths under `root`, sorted.
fn sorted_under<'a>(paths: impl Iterator<Item = &'a PathBuf>, root: &Path) -> Vec<PathBuf> {
    let mut under: Vec<PathBuf> = paths
        .filter(|path| path.starts_with(root))
        .cloned()
        .collect();
    under.sort();
    under
}
