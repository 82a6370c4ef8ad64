//! Baselines: today's findings, written down so that a later run reports only new ones.
//!
//! An entry holds the rule, the path and a fingerprint: a SHA-256 of the baseline's own random
//! salt and of the finding's content (its rule and matched text). No line number goes in, so
//! an entry survives lines moving and unrelated edits; no path goes in, so it survives a
//! rename. The key never goes in, nor any hash of it that a copy of the key alone would give.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::finding::Finding;

/// The version of the baseline format; a file of another version is an error.
pub const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub tool: String,
    /// Random, hex: makes the fingerprints of this file its own.
    pub salt: String,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub fingerprint: String,
}

/// What a baseline did to a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Findings not reported because the baseline holds them.
    pub hidden: usize,
    /// Entries that matched no finding (fixed, or changed).
    pub unmatched: usize,
}

impl Baseline {
    /// A baseline of `findings`, salted with `salt` (a new one when None).
    pub fn of(findings: &[Finding], salt: Option<String>) -> Baseline {
        let salt = salt.unwrap_or_else(new_salt);
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                rule: f.rule.code.to_owned(),
                path: f.path.clone(),
                fingerprint: fingerprint(&salt, f),
            })
            .collect();
        entries.sort();
        Baseline {
            version: BASELINE_VERSION,
            tool: "keylint".to_owned(),
            salt,
            entries,
        }
    }

    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| format!("baseline {}: {err}", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|err| format!("baseline {}: not a keylint baseline: {err}", path.display()))?;
        if baseline.version != BASELINE_VERSION {
            return Err(format!(
                "baseline {}: format version {} (this keylint reads version {BASELINE_VERSION})",
                path.display(),
                baseline.version
            ));
        }
        Ok(baseline)
    }

    pub fn write(&self, path: &Path) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|err| err.to_string())?;
        text.push('\n');
        std::fs::write(path, text).map_err(|err| format!("baseline {}: {err}", path.display()))
    }

    /// Removes the findings this baseline holds. Each entry hides one finding: one at the same
    /// path first, then one elsewhere (a renamed file).
    pub fn apply(&self, findings: &mut Vec<Finding>) -> Applied {
        let mut unused: Vec<Option<&Entry>> = self.entries.iter().map(Some).collect();
        let prints: Vec<String> = findings
            .iter()
            .map(|f| fingerprint(&self.salt, f))
            .collect();
        let mut hidden = vec![false; findings.len()];
        for same_path in [true, false] {
            for (i, finding) in findings.iter().enumerate() {
                if hidden[i] {
                    continue;
                }
                let slot = unused.iter_mut().find(|slot| {
                    slot.is_some_and(|e| {
                        e.rule == finding.rule.code
                            && e.fingerprint == prints[i]
                            && (!same_path || e.path == finding.path)
                    })
                });
                if let Some(slot) = slot {
                    *slot = None;
                    hidden[i] = true;
                }
            }
        }
        let mut index = 0;
        findings.retain(|_| {
            index += 1;
            !hidden[index - 1]
        });
        Applied {
            hidden: hidden.iter().filter(|h| **h).count(),
            unmatched: unused.iter().filter(|slot| slot.is_some()).count(),
        }
    }
}

/// The salted fingerprint of a finding's content.
fn fingerprint(salt: &str, finding: &Finding) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update([0]);
    hasher.update(finding.content);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// 128 random bits, hex (from the standard library's per-process hash keys and the clock).
fn new_salt() -> String {
    let mut salt = String::new();
    for round in 0..2u64 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(round);
        if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            hasher.write_u128(now.as_nanos());
        }
        hasher.write_u32(std::process::id());
        salt.push_str(&format!("{:016x}", hasher.finish()));
    }
    salt
}
