//! Inline suppression: `keylint: ignore` or `keylint: ignore[KL101,KL104]` in a comment on the
//! finding's line, or alone in a comment on the line above. For KL101 also the same-line markers
//! of detect-secrets / ripsecrets (`pragma: allowlist secret`) and gitleaks (`gitleaks:allow`).

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

/// Comment markers that may surround a directive standing alone on its line.
const COMMENT_OPENERS: &[&str] = &["<!--", "//", "/*", "#", "--", ";", "*", "%"];
const COMMENT_CLOSERS: &[&str] = &["-->", "*/"];

const FOREIGN_MARKERS: &[&[u8]] = &[b"pragma: allowlist secret", b"gitleaks:allow"];

/// Whether a finding of `rule` on line `line_index` (0-based) is suppressed.
pub fn is_suppressed(source: &SourceText, line_index: usize, rule: &RuleInfo) -> bool {
    let line = &source.bytes[source.line_range(line_index)];
    if line_directive_applies(line, rule) {
        return true;
    }
    if rule.code == "KL101"
        && FOREIGN_MARKERS
            .iter()
            .any(|marker| line.windows(marker.len()).any(|w| w == *marker))
    {
        return true;
    }
    line_index > 0 && {
        let above = &source.bytes[source.line_range(line_index - 1)];
        standalone_directive(above).is_some_and(|codes| codes_apply(codes, rule))
    }
}

fn line_directive_applies(line: &[u8], rule: &RuleInfo) -> bool {
    directive().captures_iter(line).any(|caps| {
        codes_apply(
            caps.get(1)
                .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned()),
            rule,
        )
    })
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

fn codes_apply(codes: Option<String>, rule: &RuleInfo) -> bool {
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
        is_suppressed(&SourceText::new(text.as_bytes()), line, &RULES[0])
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
