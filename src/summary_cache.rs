//! The summary cache of `--staged`: what the cross-file rules need of each source file, kept
//! by path and staged blob in `.git/keylint/summaries.json`, so that a commit re-reads only the
//! files it changes. A run with other settings or another keylint build starts it afresh; each
//! run keeps only the entries of the files the index holds. `--no-cache` neither reads nor
//! writes it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::file_kind::FileKind;
use crate::wiring::CodeSummary;

/// Bumped when the file's layout changes.
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    /// Whose entries these are: the keylint build and the settings in force.
    key: String,
    /// (path as shown, blob id, summary: None for a file that gives none).
    entries: Vec<(String, String, Option<CodeSummary>)>,
}

pub struct SummaryCache {
    file: PathBuf,
    key: String,
    old: HashMap<(String, String), Option<CodeSummary>>,
    new: Mutex<Vec<(String, String, Option<CodeSummary>)>>,
}

impl SummaryCache {
    /// The cache in `dir`, valid for `key`: empty when it is missing, unreadable, or was
    /// written for another key.
    pub fn open(dir: &Path, key: String) -> SummaryCache {
        let file = dir.join("keylint").join("summaries.json");
        let old = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|cache| cache.format == FORMAT && cache.key == key)
            .map(|cache| {
                cache
                    .entries
                    .into_iter()
                    .map(|(path, blob, summary)| ((path, blob), summary))
                    .collect()
            })
            .unwrap_or_default();
        SummaryCache {
            file,
            key,
            old,
            new: Mutex::new(Vec::new()),
        }
    }

    /// Whether the cache holds files of this kind: source files, and other YAML, which gives a
    /// summary (a Kubernetes object) so rarely that only its lack of one is kept. What the
    /// other configuration files tell the cross-file rules depends on their neighbours too.
    pub fn holds(kind: FileKind) -> bool {
        kind.is_source() || kind == FileKind::Yaml
    }

    /// The kept summary of the file shown as `path` with blob `blob`: Some(None) when the file
    /// gives none, None when the cache does not know.
    pub fn get(&self, path: &str, blob: &str) -> Option<Option<CodeSummary>> {
        let found = self.old.get(&(path.to_owned(), blob.to_owned()))?.clone();
        self.keep(path, blob, found.clone());
        Some(found)
    }

    /// Keeps a file's summary for the next run.
    pub fn keep(&self, path: &str, blob: &str, summary: Option<CodeSummary>) {
        self.new
            .lock()
            .expect("not poisoned")
            .push((path.to_owned(), blob.to_owned(), summary));
    }

    /// Writes the entries of this run, replacing the file (written beside it, then renamed).
    pub fn save(&self) -> std::io::Result<()> {
        let mut entries = std::mem::take(&mut *self.new.lock().expect("not poisoned"));
        entries.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        entries.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        let cache = CacheFile {
            format: FORMAT,
            key: self.key.clone(),
            entries,
        };
        let dir = self.file.parent().expect("a file in a directory");
        std::fs::create_dir_all(dir)?;
        let partial = dir.join(format!("summaries.{}.tmp", std::process::id()));
        std::fs::write(&partial, serde_json::to_vec(&cache)?)?;
        std::fs::rename(&partial, &self.file)
    }
}
