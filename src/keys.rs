//! Finds provider keys in a file's bytes: the shared detector behind KL101 and the redaction of
//! every output.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use crate::providers::{catalog, KeyShape, Provider};
use crate::source::SourceText;

/// A key of a known shape found in a file.
#[derive(Debug, Clone)]
pub struct KeyMatch {
    pub span: Range<usize>,
    pub provider: &'static Provider,
    pub shape: &'static KeyShape,
}

impl KeyMatch {
    /// A one-line description: "OpenAI project key".
    pub fn description(&self) -> String {
        format!("{} {}", self.provider.name, self.shape.kind)
    }
}

/// Characters keys are made of; a key is a maximal run of them.
fn is_key_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-'
}

/// Characters that glue a key-like run into a longer token (base64 blobs, paths, hashes).
fn is_glue_byte(byte: u8) -> bool {
    is_key_byte(byte) || byte == b'+' || byte == b'/'
}

/// Whether a key must stand alone, or may be glued to what surrounds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boundary {
    /// Not part of a longer token (a base64 blob, a path, a hash): what KL101 reports.
    Standalone,
    /// Also a prefixed key glued into a path or a word (`/run/secrets/sk-…`, `Bearersk-…`):
    /// what every output masks.
    Glued,
}

/// Finds every key in a file. `provider_hit[i]` says whether the prefilter saw a literal of
/// provider `i`; providers without a hit are not tried.
pub fn find_keys(source: &SourceText, provider_hit: &[bool]) -> Vec<KeyMatch> {
    find(source, provider_hit, Boundary::Standalone)
}

/// Every key to mask in output: those [`find_keys`] finds, and prefixed keys glued into a path
/// or a word, which are not reported as keys but must not be shown either.
pub fn find_keys_to_mask(source: &SourceText, provider_hit: &[bool]) -> Vec<KeyMatch> {
    find(source, provider_hit, Boundary::Glued)
}

fn find(source: &SourceText, provider_hit: &[bool], boundary: Boundary) -> Vec<KeyMatch> {
    let providers = catalog();
    let bytes = source.bytes;
    let mut lines = LowercaseLines::new(source);
    let mut found = Vec::new();
    let hit_with = |prefixed: bool| {
        providers
            .iter()
            .zip(provider_hit)
            .any(|(p, &hit)| hit && p.shapes.iter().any(|s| s.keep.is_empty() != prefixed))
    };
    if hit_with(true) {
        for token in prefixed_token_regex().find_iter(bytes) {
            let span = token.range();
            if let Some(key) = classify(bytes, span, provider_hit, boundary, true, &mut lines) {
                found.push(key);
            }
        }
    }
    if hit_with(false) {
        for index in 0..source.line_count() {
            if !lines.mentions_key(index) {
                continue;
            }
            let line = source.line_range(index);
            for token in bare_token_regex().find_iter(&bytes[line.clone()]) {
                let span = line.start + token.start()..line.start + token.end();
                let strict = Boundary::Standalone;
                if let Some(key) = classify(bytes, span, provider_hit, strict, false, &mut lines) {
                    found.push(key);
                }
            }
        }
        found.sort_by_key(|key| key.span.start);
        found.dedup_by_key(|key| key.span.start);
    }
    found
}

/// The lower-cased text of one line at a time, for the context checks; tokens come in order, so
/// one cached line is enough to keep the work linear.
struct LowercaseLines<'a> {
    source: &'a SourceText<'a>,
    cached: Option<CachedLine>,
}

/// One line, lower-cased, with what the context checks found in it so far: each line is
/// searched once per provider however many tokens it holds (a minified file is one line).
struct CachedLine {
    index: usize,
    text: Vec<u8>,
    mentions_key: bool,
    /// Per provider id, whether the line names it.
    names: Vec<(&'static str, bool)>,
}

impl<'a> LowercaseLines<'a> {
    fn new(source: &'a SourceText<'a>) -> Self {
        LowercaseLines {
            source,
            cached: None,
        }
    }

    fn line(&mut self, index: usize) -> &mut CachedLine {
        if self.cached.as_ref().is_none_or(|line| line.index != index) {
            let text = self.source.bytes[self.source.line_range(index)].to_ascii_lowercase();
            self.cached = Some(CachedLine {
                index,
                mentions_key: mentions_key(&text),
                text,
                names: Vec::new(),
            });
        }
        self.cached.as_mut().expect("just filled")
    }

    /// Whether line `index` speaks of a key, token or secret.
    fn mentions_key(&mut self, index: usize) -> bool {
        self.line(index).mentions_key
    }

    /// Whether the line holding `offset` names `provider` and speaks of a key.
    fn has_context(&mut self, offset: usize, provider: &'static Provider) -> bool {
        let index = self.source.line_index(offset);
        let line = self.line(index);
        if !line.mentions_key {
            return false;
        }
        if let Some(&(_, named)) = line.names.iter().find(|(id, _)| *id == provider.id) {
            return named;
        }
        let named = provider
            .context
            .iter()
            .any(|word| contains(&line.text, word.as_bytes()));
        line.names.push((provider.id.as_str(), named));
        named
    }
}

/// Runs of key characters that start with a known key prefix (`sk-`, `gsk_`, ...).
fn prefixed_token_regex() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    REGEX.get_or_init(|| {
        let mut prefixes: Vec<&str> = catalog()
            .iter()
            .flat_map(|p| p.shapes.iter().map(|s| s.keep.as_str()))
            .filter(|keep| !keep.is_empty())
            .collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        let shortest: Vec<&str> = prefixes
            .iter()
            .filter(|p| !prefixes.iter().any(|q| q != *p && p.starts_with(q)))
            .copied()
            .collect();
        let alternation: Vec<String> = shortest.iter().map(|p| regex::escape(p)).collect();
        Regex::new(&format!("(?:{})[A-Za-z0-9_-]*", alternation.join("|"))).expect("valid")
    })
}

/// Runs of key characters, for keys without a prefix.
fn bare_token_regex() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    REGEX.get_or_init(|| Regex::new("[A-Za-z0-9_-]+").expect("valid"))
}

fn classify(
    bytes: &[u8],
    span: Range<usize>,
    provider_hit: &[bool],
    boundary: Boundary,
    prefixed: bool,
    lines: &mut LowercaseLines,
) -> Option<KeyMatch> {
    let providers = catalog();
    if boundary == Boundary::Standalone && !standalone(bytes, &span) {
        return None;
    }
    let token = &bytes[span.clone()];
    for (provider, _) in providers.iter().zip(provider_hit).filter(|(_, &hit)| hit) {
        for shape in &provider.shapes {
            if shape.keep.is_empty() == prefixed || !shape.regex.is_match(token) {
                continue;
            }
            if provider.needs_context() && !lines.has_context(span.start, provider) {
                continue;
            }
            let body = &token[shape.keep.len()..];
            if looks_fake(body) || (!prefixed && !has_digit_and_letter(body)) {
                return None;
            }
            return Some(KeyMatch {
                span,
                provider,
                shape,
            });
        }
    }
    None
}

/// The token is not glued to a longer one. A `\n`-style escape right before it is fine.
fn standalone(bytes: &[u8], span: &Range<usize>) -> bool {
    let before_ok = match span.start {
        0 => true,
        start => {
            let prev = bytes[start - 1];
            !is_glue_byte(prev)
                || (start >= 2 && bytes[start - 2] == b'\\' && matches!(prev, b'n' | b'r' | b't'))
        }
    };
    let after_ok = bytes
        .get(span.end)
        .is_none_or(|&next| !is_glue_byte(next) && next != b'=');
    before_ok && after_ok
}

/// The lower-cased line speaks of a key, token or secret.
fn mentions_key(lower: &[u8]) -> bool {
    contains(lower, b"key") || contains(lower, b"token") || contains(lower, b"secret")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn has_digit_and_letter(body: &[u8]) -> bool {
    body.iter().any(u8::is_ascii_digit) && body.iter().any(u8::is_ascii_alphabetic)
}

/// Placeholders and low-variety strings: runs of one character, alphabet runs, template words.
pub fn looks_fake(body: &[u8]) -> bool {
    const WORDS: [&[u8]; 9] = [
        b"xxxx",
        b"XXXX",
        b"your",
        b"YOUR",
        b"Your",
        b"example",
        b"EXAMPLE",
        b"placeholder",
        b"PLACEHOLDER",
    ];
    if WORDS.iter().any(|word| contains(body, word)) {
        return true;
    }
    let mut distinct = [false; 256];
    body.iter().for_each(|&b| distinct[b as usize] = true);
    let variety = distinct.iter().filter(|&&seen| seen).count();
    if variety < 8.min(body.len() / 2) {
        return true;
    }
    let mut same_run = 1;
    let mut ascending_run = 1;
    for pair in body.windows(2) {
        same_run = if pair[1] == pair[0] { same_run + 1 } else { 1 };
        ascending_run = if pair[1] == pair[0].wrapping_add(1) && pair[0].is_ascii_alphanumeric() {
            ascending_run + 1
        } else {
            1
        };
        if same_run >= 6 || ascending_run >= 6 {
            return true;
        }
    }
    false
}

/// The key with everything but its visible prefix and last four characters masked; the length
/// stays the same so columns in snippets stay right.
pub fn mask(key: &str, keep: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let keep_len = keep.chars().count().min(chars.len());
    let tail = 4.min(chars.len().saturating_sub(keep_len));
    let masked = chars.len() - keep_len - tail;
    let mut out = String::with_capacity(key.len());
    out.extend(&chars[..keep_len]);
    out.extend(std::iter::repeat_n('*', masked));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// `text` with every key in it masked, for text shown in messages and help.
pub fn redact(text: &str) -> String {
    let source = SourceText::new(text.as_bytes());
    let all = vec![true; catalog().len()];
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for key in find_keys_to_mask(&source, &all) {
        out.push_str(&text[cursor..key.span.start]);
        out.push_str(&mask(&text[key.span.clone()], &key.shape.keep));
        cursor = key.span.end;
    }
    out.push_str(&text[cursor..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_hit() -> Vec<bool> {
        vec![true; catalog().len()]
    }

    fn keys_in(text: &str) -> Vec<String> {
        find_keys(&SourceText::new(text.as_bytes()), &all_hit())
            .into_iter()
            .map(|k| text[k.span].to_owned())
            .collect()
    }

    const LEGACY: &str = "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"; // keylint: ignore[KL101] synthetic

    #[test]
    fn finds_a_legacy_key_with_each_boundary() {
        for (before, after) in [
            ("\"", "\""),
            ("'", "'"),
            ("`", "`"),
            ("f(", ", 1)"),
            ("[", "]"),
            ("{", "}"),
            ("x = ", ";"),
            (" ", " "),
            ("\"\\n", "\\n\""),
            ("=", ""),
        ] {
            let text = format!("{before}{LEGACY}{after}");
            assert_eq!(keys_in(&text), vec![LEGACY.to_owned()], "{text}");
        }
    }

    #[test]
    fn skips_glued_tokens() {
        for text in [
            format!("x{LEGACY}"),
            format!("{LEGACY}x"),
            format!("ab+{LEGACY}"),
            format!("{LEGACY}=="),
            format!("ta{LEGACY}"),
        ] {
            assert!(keys_in(&text).is_empty(), "{text}");
        }
        // Not reported, but never shown either: a key glued into a path or a word is masked.
        for text in [
            format!("x{LEGACY}"),
            format!("ab+{LEGACY}"),
            format!("/run/secrets/{LEGACY}"),
            format!("Bearer{LEGACY}"),
            format!("{LEGACY}=="),
        ] {
            let shown = redact(&text);
            assert!(!shown.contains(&LEGACY[3..20]), "{shown}");
            assert_eq!(shown.len(), text.len());
        }
    }

    #[test]
    fn low_variety_bodies_are_fake() {
        assert!(looks_fake(
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        ));
        assert!(looks_fake(b"abcdefghijklmnopqrstuvwxyz0123456789ABCD"));
        assert!(looks_fake(b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        assert!(!looks_fake(b"Ab3dE5gH7jK9mN1pQ3sTvW5yZ7bC9eF1hJ3kL5nP7rS9"));
    }

    #[test]
    fn context_keys_need_their_provider_on_the_line() {
        let hex = "3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e";
        assert_eq!(keys_in(&format!("AZURE_OPENAI_API_KEY={hex}")), vec![hex]);
        assert!(keys_in(&format!("CHECKSUM={hex} # azure")).is_empty());
        assert!(keys_in(&format!("api_key={hex}")).is_empty());
    }

    #[test]
    fn mask_keeps_prefix_tail_and_length() {
        let masked = mask(LEGACY, "sk-");
        assert_eq!(masked.len(), LEGACY.len());
        assert!(masked.starts_with("sk-*"));
        assert!(masked.ends_with(&LEGACY[LEGACY.len() - 4..]));
        assert_eq!(mask("abcdef", ""), "**cdef");
    }
}
