//! What the author's comments say about an entry of a configuration file that comments with `#`
//! (compose, Kubernetes and CI YAML, Dockerfiles, env files).

use std::ops::Range;

/// Phrases that call an entry optional, as lower-case words.
const OPTIONAL_PHRASES: &[&[&str]] = &[
    &["optional"],
    &["optionally"],
    &["if", "you", "use"],
    &["if", "you", "want"],
    &["leave", "empty"],
    &["leave", "blank"],
    &["leave", "it", "empty"],
    &["leave", "it", "blank"],
    &["can", "be", "empty"],
    &["can", "be", "left", "empty"],
    &["can", "be", "left", "blank"],
    &["not", "required"],
];

/// Words that turn "optional" around: "not optional", "non-optional".
const NEGATIONS: &[&str] = &["not", "non", "never"];

/// Whether a comment calls the entry at `entry` optional: the comment on the entry's last line,
/// or the run of comment lines directly above its first line (no blank line between).
pub fn marked_optional(bytes: &[u8], entry: Range<usize>) -> bool {
    let start = entry.start.min(bytes.len());
    let end = entry.end.clamp(start, bytes.len());
    let line_end = bytes[end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| end + i);
    // A comment starts with a `#` after white space.
    let trailing = (end.max(1)..line_end)
        .find(|&i| bytes[i] == b'#' && matches!(bytes[i - 1], b' ' | b'\t'))
        .map(|i| &bytes[i + 1..line_end]);
    if trailing.is_some_and(says_optional) {
        return true;
    }
    let line_start = bytes[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    bytes[..line_start.saturating_sub(1)]
        .split(|&b| b == b'\n')
        .rev()
        .map(|line| line.trim_ascii())
        .take_while(|line| line.starts_with(b"#"))
        .any(|line| says_optional(&line[1..]))
}

/// Whether comment text says optional, in so many words.
fn says_optional(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text).to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    (0..words.len()).any(|at| {
        OPTIONAL_PHRASES.iter().any(|phrase| {
            words[at..].starts_with(phrase)
                && !(phrase[0].starts_with("optional")
                    && at > 0
                    && NEGATIONS.contains(&words[at - 1]))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the entry on the line that holds `marker` is marked optional.
    fn marked(text: &str, marker: &str) -> bool {
        let start = text.find(marker).unwrap();
        marked_optional(text.as_bytes(), start..start + marker.len())
    }

    #[test]
    fn a_comment_above_or_on_the_line_marks_the_entry() {
        let text = "environment:\n  A: x\n  # Image generation (optional - set to enable)\n  \
                    KEY: ${KEY}\n  NEXT: ${NEXT}\n  OTHER: ${OTHER} # Optional\n  \
                    # Groq:\n  # leave it blank if you do not use Groq\n  GROQ: ''\n";
        assert!(marked(text, "KEY: ${KEY}"));
        assert!(!marked(text, "NEXT: ${NEXT}"));
        assert!(marked(text, "OTHER: ${OTHER}"));
        assert!(marked(text, "GROQ: ''"));
        assert!(!marked(text, "A: x"));
    }

    #[test]
    fn a_blank_line_or_an_entry_ends_the_comments_above() {
        let text = "# optional\n\nA: ${A}\n# optional\nB: 1\nC: ${C}\n";
        assert!(!marked(text, "A: ${A}"));
        assert!(marked(text, "B: 1"));
        assert!(!marked(text, "C: ${C}"));
    }

    #[test]
    fn only_clear_words_count() {
        for yes in [
            "optional",
            "OPTIONAL: image generation",
            "Optionally set",
            "only if you use Anthropic",
            "leave empty to disable",
            "can be left blank",
            "not required",
        ] {
            assert!(says_optional(yes.as_bytes()), "{yes}");
        }
        for no in [
            "required",
            "not optional",
            "non-optional",
            "options: see docs",
            "the key you use",
            "emptyleave",
        ] {
            assert!(!says_optional(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn a_hash_inside_a_value_is_no_comment() {
        let text = "A: x#optional\nB: 'y' #optional\n";
        assert!(!marked(text, "A: x"));
        assert!(marked(text, "B: 'y'"));
    }
}
