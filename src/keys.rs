//! Finds provider keys in a file's bytes: the shared detector behind KL101 and the redaction of
//! every output.

mod holder;

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
            if let Some(key) = classify(span, provider_hit, boundary, boundary, true, &mut lines) {
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
                if let Some(key) = classify(span, provider_hit, strict, boundary, false, &mut lines)
                {
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

    /// Whether the line holding `offset` names `provider` and speaks of a key: the looser
    /// test of what to mask, besides the name a key is given to.
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
            .named_by
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

/// The key `span` is, if any. `boundary` is how the token must stand; `purpose` is what it is
/// found for: a key without a marker is reported only where its name names its provider, and
/// masked also where its provider is named on its line.
fn classify(
    span: Range<usize>,
    provider_hit: &[bool],
    boundary: Boundary,
    purpose: Boundary,
    prefixed: bool,
    lines: &mut LowercaseLines,
) -> Option<KeyMatch> {
    let providers = catalog();
    let source = lines.source;
    let bytes = source.bytes;
    if boundary == Boundary::Standalone && !standalone(bytes, &span) {
        return None;
    }
    let token = &bytes[span.clone()];
    let mut holder = None;
    for (provider, _) in providers.iter().zip(provider_hit).filter(|(_, &hit)| hit) {
        for shape in &provider.shapes {
            if shape.keep.is_empty() == prefixed || !shape.regex.is_match(token) {
                continue;
            }
            let body = &token[shape.keep.len()..];
            if shape.mixed_case && !mixes_case(body) {
                continue;
            }
            if provider.needs_name() {
                let loosely = purpose == Boundary::Glued && lines.has_context(span.start, provider);
                let mut named = || {
                    holder
                        .get_or_insert_with(|| holder::holder(source, span.start))
                        .as_ref()
                        .is_some_and(|h| h.names(source, provider))
                };
                if !loosely && !named() {
                    continue;
                }
            }
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

/// The lower-cased line speaks of a key, token, secret or credential.
fn mentions_key(lower: &[u8]) -> bool {
    [
        &b"key"[..],
        b"token",
        b"secret",
        b"credential",
        b"authorization",
        b"password",
    ]
    .iter()
    .any(|word| contains(lower, word))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Upper-case letters, lower-case letters and digits all stand in `body`.
fn mixes_case(body: &[u8]) -> bool {
    body.iter().any(u8::is_ascii_uppercase)
        && body.iter().any(u8::is_ascii_lowercase)
        && body.iter().any(u8::is_ascii_digit)
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

    const HEX: &str = "3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e";
    const MIXED_32: &str = "VRa2d1lou9KInuRzFqS2bd5toryi7oYb";
    const MIXED_40: &str = "8jlmNHnc9tdxnMBBaMdou7GALNgRNKkfYzgXKACg";
    const DEEPSEEK: &str = "sk-18ncwv4br2fsp5d2l0ipeywjuhkc0epz";

    /// The provider ids of the keys found in `text`.
    fn providers_in(text: &str) -> Vec<&'static str> {
        find_keys(&SourceText::new(text.as_bytes()), &all_hit())
            .into_iter()
            .map(|k| k.provider.id.as_str())
            .collect()
    }

    #[test]
    fn unmarked_keys_count_where_their_name_names_the_provider() {
        for (text, provider) in [
            (format!("AZURE_OPENAI_API_KEY={HEX}"), "azure-openai"),
            (format!("export AZURE_OPENAI_KEY=\"{HEX}\""), "azure-openai"),
            (
                format!("os.environ[\"AZURE_OPENAI_API_KEY\"] = \"{HEX}\""),
                "azure-openai",
            ),
            (
                format!("const AZURE_KEY: &str = \"{HEX}\";"),
                "azure-openai",
            ),
            (format!("var azureKey string = \"{HEX}\""), "azure-openai"),
            (
                format!("key = os.getenv(\"AZURE_OPENAI_API_KEY\", \"{HEX}\")"),
                "azure-openai",
            ),
            (
                format!("cred = AzureKeyCredential(\"{HEX}\")"),
                "azure-openai",
            ),
            (format!("ENV AZURE_OPENAI_API_KEY {HEX}"), "azure-openai"),
            (format!("MISTRAL_API_KEY={MIXED_32}"), "mistral"),
            (format!("mistral_api_key = \"{MIXED_32}\""), "mistral"),
            (format!("mistral secret: {MIXED_32}"), "mistral"),
            (
                format!("settings.mistral.api_key = '{MIXED_32}'"),
                "mistral",
            ),
            (format!("{{\"cohere_api_key\": \"{MIXED_40}\"}}"), "cohere"),
            (format!("CO_API_KEY={MIXED_40}"), "cohere"),
            (
                format!("\"body\": \"notes\\nCOHERE_API_KEY={MIXED_40}\""),
                "cohere",
            ),
            (format!("deepseek.Apikey = {DEEPSEEK}"), "deepseek"),
        ] {
            assert_eq!(providers_in(&text), vec![provider], "{text}");
        }
    }

    #[test]
    fn generic_key_names_count_inside_a_call_object_or_section_of_the_provider() {
        for (text, provider) in [
            (
                format!("co = cohere.Client(api_key=\"{MIXED_40}\")"),
                "cohere",
            ),
            (
                format!("co = cohere.ClientV2(\n    api_key=\"{MIXED_40}\",\n)"),
                "cohere",
            ),
            (
                format!("m = new MistralClient(modelId: \"m\", apiKey: \"{MIXED_32}\");"),
                "mistral",
            ),
            (
                format!("llm = AzureChatOpenAI(\n  openai_api_key=\"{HEX}\",\n)"),
                "azure-openai",
            ),
            (
                format!(
                    "c = OpenAI(api_key=\"{DEEPSEEK}\", base_url=\"https://api.deepseek.com\")"
                ),
                "deepseek",
            ),
            (
                format!(
                    "c = OpenAI({{ apiKey: \"{HEX}\", baseURL: \"https://r.openai.azure.com/\" }})"
                ),
                "azure-openai",
            ),
            (
                format!("const azure = {{\n  apiKey: \"{HEX}\",\n}};"),
                "azure-openai",
            ),
            (
                format!("curl https://r.openai.azure.com/openai/x \\\n  -H \"api-key: {HEX}\""),
                "azure-openai",
            ),
            (
                format!(
                    "curl https://api.mistral.ai/v1/models -H \"Authorization: Bearer {MIXED_32}\""
                ),
                "mistral",
            ),
            (
                format!("llm:\n  azure:\n    # the key\n    api_key: {HEX}"),
                "azure-openai",
            ),
            (
                format!("- mistral:\n    api_key: \"{MIXED_32}\""),
                "mistral",
            ),
            (
                format!("[azure]\nendpoint = \"x\"\napi_key = \"{HEX}\""),
                "azure-openai",
            ),
        ] {
            assert_eq!(providers_in(&text), vec![provider], "{text}");
        }
    }

    #[test]
    fn unmarked_keys_need_more_than_a_provider_on_the_line() {
        for text in [
            format!("CHECKSUM={HEX} # azure"),
            format!("api_key={HEX}"),
            format!("api_key = \"{HEX}\"  # azure"),
            format!("OPENAI_API_KEY={HEX}"),
            format!("ANTHROPIC_API_KEY={MIXED_32} # mistral"),
            format!("data: {{\"id\":\"{HEX}\",\"model\":\"azure-gpt\",\"usage\":{{\"total_tokens\":9}}}}"),
            format!("{{\"id\":\"{MIXED_32}\",\"model\":\"mistral-tiny\",\"total_tokens\":9}}"),
            format!("{{\"title\":\"cohere key\",\"sha\":\"{MIXED_40}\"}}"),
            format!("gpt-researcher: commit {MIXED_40} cohere token"),
            format!("azure_key_id = \"{HEX}\""),
            format!("MISTRAL_REQUEST_ID={MIXED_32} # key"),
            format!("mistral_max_tokens = \"{MIXED_32}\""),
            format!("the azure key {HEX}"),
            format!("MISTRAL_API_KEY={}", MIXED_32.to_ascii_lowercase()),
            format!("MISTRAL_API_KEY={HEX}"),
            format!("COHERE_API_KEY={}", MIXED_40.to_ascii_uppercase()),
            format!("client = OpenAI(api_key=\"{DEEPSEEK}\")  # deepseek"),
            format!("other:\n  api_key: {HEX}  # azure\nazure:\n  endpoint: x"),
        ] {
            assert!(providers_in(&text).is_empty(), "{text}");
        }
    }

    #[test]
    fn masking_still_covers_a_key_named_only_on_its_line() {
        let text = format!("api_key = \"{HEX}\"  # azure");
        let shown = redact(&text);
        assert!(!shown.contains(&HEX[..28]), "{shown}");
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
