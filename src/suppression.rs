//! Inline suppression: `keylint: ignore` or `keylint: ignore[KL101,KL104]` in a comment on the
//! finding's line, or alone in a comment on the line above. For KL101 also the same-line markers
//! of detect-secrets / ripsecrets (`pragma: allowlist secret`) and gitleaks (`gitleaks:allow`).

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::bytes::Regex;

use crate::rules::registry::selects;
use crate::rules::RuleInfo;
use crate::source::SourceText;

fn directive() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    REGEX
        .get_or_init(|| Regex::new(r"keylint:\s*ignore(?:\[([A-Za-z0-9, _-]*)\])?").expect("valid"))
}

/// Every directive or foreign marker, found in one pass over the file.
fn any_marker() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    REGEX.get_or_init(|| {
        Regex::new(
            r"keylint:\s*ignore(?:\[([A-Za-z0-9, _-]*)\])?|pragma: allowlist secret|gitleaks:allow",
        )
        .expect("valid")
    })
}

/// Comment markers that may surround a directive standing alone on its line.
const COMMENT_OPENERS: &[&str] = &["<!--", "//", "/*", "#", "--", ";", "*", "%"];
const COMMENT_CLOSERS: &[&str] = &["-->", "*/"];

/// The suppressions of one file, by line.
#[derive(Debug, Default)]
pub struct Suppressions {
    lines: HashMap<usize, LineMarkers>,
}

#[derive(Debug, Default)]
struct LineMarkers {
    /// Code lists of the `keylint: ignore` directives on the line (None: all rules).
    directives: Vec<Option<String>>,
    /// `pragma: allowlist secret` or `gitleaks:allow` is on the line.
    foreign: bool,
    /// The line is nothing but a directive in a comment: it applies to the next line.
    standalone: Option<Option<String>>,
}

impl Suppressions {
    pub fn scan(source: &SourceText) -> Suppressions {
        let mut lines: HashMap<usize, LineMarkers> = HashMap::new();
        for caps in any_marker().captures_iter(source.bytes) {
            let whole = caps.get(0).expect("group 0");
            let index = source.line_index(whole.start());
            let markers = lines.entry(index).or_default();
            if whole.as_bytes().starts_with(b"keylint:") {
                markers.directives.push(caps.get(1).map(lossy));
            } else {
                markers.foreign = true;
            }
        }
        for (index, markers) in &mut lines {
            if !markers.directives.is_empty() {
                markers.standalone = standalone_directive(&source.bytes[source.line_range(*index)]);
            }
        }
        Suppressions { lines }
    }

    /// Whether a finding of `rule` on line `line_index` (0-based) is suppressed.
    pub fn is_suppressed(&self, line_index: usize, rule: &RuleInfo) -> bool {
        if let Some(markers) = self.lines.get(&line_index) {
            if markers
                .directives
                .iter()
                .any(|codes| codes_apply(codes.as_deref(), rule))
                || (markers.foreign && rule.code == "KL101")
            {
                return true;
            }
        }
        line_index > 0
            && self
                .lines
                .get(&(line_index - 1))
                .and_then(|above| above.standalone.as_ref())
                .is_some_and(|codes| codes_apply(codes.as_deref(), rule))
    }
}

fn lossy(m: regex::bytes::Match) -> String {
    String::from_utf8_lossy(m.as_bytes()).into_owned()
}

/// The directive's code list (None: all rules) when the line holds nothing but the directive in
/// a comment.
fn standalone_directive(line: &[u8]) -> Option<Option<String>> {
    let text = String::from_utf8_lossy(line);
    let mut rest = text.trim();
    let opener = COMMENT_OPENERS.iter().find(|o| rest.starts_with(**o))?;
    rest = rest[opener.len()..].trim_start_matches(['#', '/', '-', '*', '!']);
    for closer in COMMENT_CLOSERS {
        rest = rest.trim_end().trim_end_matches(closer);
    }
    let rest = rest.trim();
    let caps = directive().captures(rest.as_bytes())?;
    let whole = caps.get(0)?;
    (whole.start() == 0 && whole.end() == rest.len()).then(|| {
        caps.get(1)
            .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
    })
}

fn codes_apply(codes: Option<&str>, rule: &RuleInfo) -> bool {
    match codes {
        None => true,
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|code| !code.is_empty())
            .any(|code| selects(code, rule)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RULES;

    fn suppressed(text: &str, line: usize) -> bool {
        let source = SourceText::new(text.as_bytes());
        Suppressions::scan(&source).is_suppressed(line, &RULES[0])
    }

    #[test]
    fn same_line_forms() {
        assert!(suppressed("k = 'x'  # keylint: ignore", 0));
        assert!(suppressed("k = 'x'  // keylint: ignore[KL101]", 0));
        assert!(suppressed("k = 'x'  # keylint:ignore[KL104, KL101]", 0));
        assert!(suppressed("k = 'x'  # pragma: allowlist secret", 0));
        assert!(suppressed("k = 'x'  # gitleaks:allow", 0));
        assert!(!suppressed("k = 'x'  # keylint: ignore[KL104]", 0));
    }

    #[test]
    fn line_above_forms() {
        for above in [
            "# keylint: ignore",
            "  // keylint: ignore[KL101]",
            "-- keylint: ignore",
            "<!-- keylint: ignore -->",
            "/* keylint: ignore[KL1] */",
        ] {
            assert!(suppressed(&format!("{above}\nk = 'x'"), 1), "{above}");
        }
        assert!(!suppressed("x = 1  # keylint: ignore\nk = 'x'", 1));
        assert!(!suppressed("# keylint: ignore[KL104]\nk = 'x'", 1));
        assert!(!suppressed("# keylint: ignore\n\nk = 'x'", 2));
    }
}
