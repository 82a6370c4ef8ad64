//! What a finding is, apart from how it is made: the rules, the wiring, the lint context and
//! the reporters share these types, which need only the rule's registry entry and positions.

use std::ops::Range;

use crate::file_role::FileRole;
use crate::rules::{RuleInfo, Severity};
use crate::source::Position;

/// One problem, ready for any reporter.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleInfo,
    /// The rule's severity, or the one the settings file gives it.
    pub severity: Severity,
    /// Relative to the scan root, `/`-separated.
    pub path: String,
    /// What the file is for, as the rules judged it.
    pub role: FileRole,
    pub start: Position,
    /// Just past the last character (exclusive), as in SARIF.
    pub end: Position,
    pub message: String,
    pub label: String,
    pub help: String,
    pub provider: Option<&'static str>,
    /// A hash of the rule, path and matched text; never the text itself.
    pub fingerprint: String,
    /// A SHA-256 of the rule and the matched text, for baselines (which salt it); never shown.
    pub content: [u8; 32],
    /// The matched key as it may be shown: masked unless `--show-secrets`.
    pub secret: Option<String>,
    pub snippet: Snippet,
    /// Other places the finding speaks of (the other end of a wiring problem).
    pub related: Vec<Related>,
    /// For `keylint history`: the commit that brought the key.
    pub commit: Option<Box<Commit>>,
    /// For `check --verify`: what the key's provider said of it.
    pub verified: Option<Verified>,
    /// For `check --verify`: the key itself, until it is asked about; never reported.
    pub key: Option<UnshownKey>,
}

/// What the provider said of a found key (`check --verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// The provider accepted it.
    Live,
    /// The provider refused it as a key.
    Revoked,
    /// No answer about the key itself (no endpoint, a network error, another refusal).
    Unknown,
}

impl Verified {
    pub fn as_str(self) -> &'static str {
        match self {
            Verified::Live => "live",
            Verified::Revoked => "revoked",
            Verified::Unknown => "unknown",
        }
    }
}

/// A key kept in full for a request to its provider: `Debug` masks it, nothing serializes it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UnshownKey(pub Box<str>);

impl std::fmt::Debug for UnshownKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnshownKey(***)")
    }
}

/// The commit a key was found in by `keylint history`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The full id, in hex.
    pub id: String,
    /// When it was committed: seconds since 1970, UTC.
    pub time: i64,
    /// Whether HEAD still holds the key, at any path.
    pub in_head: bool,
}

impl Commit {
    /// The commit date as `YYYY-MM-DD`, UTC.
    pub fn date(&self) -> String {
        let (year, month, day) = civil_date(self.time.div_euclid(86_400));
        format!("{year:04}-{month:02}-{day:02}")
    }

    /// The commit time as RFC 3339, UTC: `2024-05-01T12:30:00Z`.
    pub fn timestamp(&self) -> String {
        let seconds = self.time.rem_euclid(86_400);
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    }

    /// "committed in 1a2b3c4d5e6f (2024-05-01), no longer in HEAD".
    pub fn describe(&self) -> String {
        format!(
            "committed in {} ({}), {}",
            &self.id[..self.id.len().min(12)],
            self.date(),
            if self.in_head {
                "still in HEAD"
            } else {
                "no longer in HEAD"
            }
        )
    }
}

/// The (year, month, day) of a day counted from 1970-01-01, in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_date(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_dates_are_utc_calendar_dates() {
        let at = |time| Commit {
            id: "0123456789abcdef".into(),
            time,
            in_head: false,
        };
        assert_eq!(at(0).timestamp(), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400).date(), "2000-02-29");
        assert_eq!(at(1_714_566_600).timestamp(), "2024-05-01T12:30:00Z");
        assert_eq!(at(-1).timestamp(), "1969-12-31T23:59:59Z");
        assert_eq!(
            at(0).describe(),
            "committed in 0123456789ab (1970-01-01), no longer in HEAD"
        );
    }
}

/// A place related to a finding, with its own message and snippet.
#[derive(Debug, Clone)]
pub struct Related {
    pub path: String,
    pub start: Position,
    pub end: Position,
    pub message: String,
    pub snippet: Snippet,
}

/// The finding's line, redacted, cut to a window around the span when long.
#[derive(Debug, Clone)]
pub struct Snippet {
    pub text: String,
    /// Byte range of the span inside `text`.
    pub span: Range<usize>,
    /// 1-based line number of `text` in the file.
    pub line: usize,
    /// Characters of the line cut off before `text` starts.
    pub column_offset: usize,
}

/// A span in a file, for findings that look across files.
pub struct Place<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
    pub span: Range<usize>,
}

/// Makes the finding of a rule that looks across files from what the rule saw: the lint
/// context behind it adds positions, masking, fingerprints and suppression, so the rules need
/// not know it.
pub trait CrossFileOut<'a> {
    /// The finding, or None when the rule is not selected or the primary line suppresses it.
    fn finding(
        &self,
        rule: &'static RuleInfo,
        primary: &Place<'a>,
        message: String,
        label: String,
        help: String,
        related: &[(Place<'a>, String)],
    ) -> Option<Finding>;
}
