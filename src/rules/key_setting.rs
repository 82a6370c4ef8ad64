//! What the KL1xx and KL4xx rules share about key settings: which settings hold a provider's key,
//! and what their values are.

use std::collections::HashMap;
use std::sync::OnceLock;

use base64::Engine;

use crate::config::{Place, Setting, SettingValue};
use crate::keys::looks_fake;
use crate::providers::{catalog, KeyShape, Provider};
use crate::rules::FileContext;
use crate::wiring::names::{squash, suffix_aliases};

/// A setting of a variable that holds an AI provider's key.
pub struct KeySetting<'a> {
    pub setting: &'a Setting,
    /// The provider the variable's name belongs to (None for names the user added).
    pub provider: Option<&'static Provider>,
}

impl<'a> KeySetting<'a> {
    pub fn value(&self) -> Option<&'a SettingValue> {
        self.setting.value.as_ref()
    }

    /// The text the program sees: base64 `data` decoded. None when it does not decode.
    pub fn effective_text(&self) -> Option<String> {
        let value = self.value()?;
        if value.base64 {
            decode_base64(&value.text)
        } else {
            Some(value.text.clone())
        }
    }
}

/// The provider whose key variable `name` is, if any: `Some(None)` for names added by the user.
pub fn key_variable(file: &FileContext, name: &str) -> Option<Option<&'static Provider>> {
    if let Some(provider) = catalog()
        .iter()
        .find(|p| p.env.iter().any(|env| env == name))
    {
        return Some(Some(provider));
    }
    file.key_vars.iter().any(|v| v == name).then_some(None)
}

/// The provider whose key a setting named `name` holds by a known alias of a key variable (as
/// the wiring knows them, KL302): the catalog's names in other case or separators
/// (`OPEN_AI_API_KEY`), and the other key suffixes of the variable the provider's SDK reads
/// (`OPENAI_TOKEN`, `ANTHROPIC_APIKEY`). Aliases of the catalog's further names are not taken:
/// `GOOGLE_SECRET` and `AZURE_TOKEN` name other things.
pub fn key_alias(name: &str) -> Option<&'static Provider> {
    // Every alias ends like a key variable; most names are ruled out without a copy.
    let tail = name.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    let ends_like_key = ["key", "token", "secret"].iter().any(|word| {
        tail.len() >= word.len()
            && tail.as_bytes()[tail.len() - word.len()..].eq_ignore_ascii_case(word.as_bytes())
    });
    if !ends_like_key {
        return None;
    }
    // By squashed name, built once: files hold hundreds of thousands of settings.
    static ALIASES: OnceLock<HashMap<String, usize>> = OnceLock::new();
    let aliases = ALIASES.get_or_init(|| {
        let mut aliases = HashMap::new();
        for (index, provider) in catalog().iter().enumerate() {
            let sdk_aliases = provider.env.first().map(|sdk| suffix_aliases(sdk));
            for name in provider.env.iter().chain(sdk_aliases.iter().flatten()) {
                aliases.entry(squash(name)).or_insert(index);
            }
        }
        aliases
    });
    aliases.get(&squash(name)).map(|&index| &catalog()[index])
}

/// Every key setting of the file: settings of key variables and of their known aliases, and
/// Secret / ConfigMap entries whose value is a key whatever their name.
pub fn key_settings<'a>(file: &'a FileContext) -> Vec<KeySetting<'a>> {
    let Some(model) = file.config() else {
        return Vec::new();
    };
    model
        .settings
        .iter()
        .filter_map(|setting| {
            if let Some(provider) = key_variable(file, &setting.name) {
                return Some(KeySetting { setting, provider });
            }
            if let Some(provider) = key_alias(&setting.name) {
                return Some(KeySetting {
                    setting,
                    provider: Some(provider),
                });
            }
            let data_entry = matches!(
                setting.place,
                Place::KubeSecret { .. } | Place::KubeConfigMap { .. }
            );
            let candidate = KeySetting {
                setting,
                provider: None,
            };
            let holds_key = candidate
                .effective_text()
                .and_then(|text| whole_key(clean(&text), None))
                .is_some();
            (data_entry && holds_key).then_some(candidate)
        })
        .collect()
}

/// The key of a known shape that `text` is, entirely. Keys without a prefix count only for the
/// provider the setting is named for.
pub fn whole_key(
    text: &str,
    named: Option<&'static Provider>,
) -> Option<(&'static Provider, &'static KeyShape)> {
    for provider in catalog() {
        for shape in &provider.shapes {
            let bare = shape.keep.is_empty();
            if bare && named.is_none_or(|n| n.id != provider.id) {
                continue;
            }
            if shape.regex.is_match(text.as_bytes())
                && !looks_fake(&text.as_bytes()[shape.keep.len()..])
            {
                return Some((provider, shape));
            }
        }
    }
    None
}

/// The known key prefix `text` starts like, and its provider: the whole prefix (`sk-proj-`), or
/// a distinctive part of a longer one (`sk-ant-` of `sk-ant-api03-`). The longest wins; among
/// equals, the catalog's first (`sk-` is OpenAI's before DeepSeek's).
pub fn known_prefix(text: &str) -> Option<(&'static Provider, &str)> {
    let mut best: Option<(&'static Provider, usize)> = None;
    for provider in catalog() {
        for keep in provider.shapes.iter().map(|s| s.keep.as_str()) {
            let common = keep
                .bytes()
                .zip(text.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let counts = !keep.is_empty() && (common == keep.len() || common >= 6);
            if counts && best.is_none_or(|(_, len)| common > len) {
                best = Some((provider, common));
            }
        }
    }
    best.map(|(provider, len)| (provider, &text[..len]))
}

/// The value with the mistakes KL104 reports taken away: surrounding whitespace, quotes that
/// became part of it, a `Bearer ` prefix.
pub fn clean(text: &str) -> &str {
    let mut text = text.trim();
    for quote in ['"', '\'', '`'] {
        if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
            text = text[1..text.len() - 1].trim();
        }
    }
    if let Some(rest) = strip_bearer(text) {
        text = rest.trim();
    }
    text
}

/// The text after a `Bearer ` scheme (any case), if it starts with one.
pub fn strip_bearer(text: &str) -> Option<&str> {
    let head = text.get(..7)?;
    head.eq_ignore_ascii_case("bearer ").then(|| &text[7..])
}

/// Whether a value is a placeholder that can never authenticate. A key inside a template's
/// brackets or quotes (`<sk-…>`) is a key, not a placeholder.
pub fn is_placeholder(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    if lower.is_empty() || holds_key(text) {
        return false;
    }
    const EXACT: &[&str] = &[
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "replaceme",
        "replace-me",
        "replace_me",
        "todo",
        "tbd",
        "none",
        "null",
        "nil",
        "placeholder",
        "dummy",
        "secret",
        "your-key",
        "your_key",
        "yourkey",
        "api-key",
        "api_key",
        "apikey",
        "key",
        "token",
        "xxx",
        "...",
        "…",
        "***",
    ];
    if EXACT.contains(&lower.as_str()) {
        return true;
    }
    if lower.starts_with('<') && lower.ends_with('>') {
        return true;
    }
    let mentions_key = lower.contains("key") || lower.contains("token") || lower.contains("secret");
    let filler_words = [
        "your",
        "insert",
        "replace",
        "put_",
        "put-",
        "here",
        "example",
        "placeholder",
        "changeme",
    ];
    if mentions_key && filler_words.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // A prefix-like head followed by nothing but filler: `sk-...`, `sk-ant-...`, `sk-xxxx`,
    // `gsk_****`. (`sk-proj-abc...xyz`, a key cut in the middle, is not a placeholder.)
    let head = lower.trim_end_matches(['.', '…', 'x', '*']);
    let filler = &lower[head.len()..];
    let prefix_like = head.len() <= 16
        && (head.is_empty() || head.ends_with(['-', '_']))
        && head
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    filler.chars().count() >= 2 && prefix_like
}

/// Whether a key of any known shape stands somewhere in `text`.
pub fn holds_key(text: &str) -> bool {
    let source = crate::source::SourceText::new(text.as_bytes());
    let all = vec![true; crate::providers::catalog().len()];
    !crate::keys::find_keys(&source, &all).is_empty()
}

/// Base64 text (standard or URL-safe, padding optional) decoded to UTF-8.
pub fn decode_base64(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE,
    ];
    let bytes = engines
        .iter()
        .find_map(|engine| engine.decode(&compact).ok())
        .or_else(|| {
            let padded = format!("{compact}{}", "=".repeat((4 - compact.len() % 4) % 4));
            engines
                .iter()
                .find_map(|engine| engine.decode(&padded).ok())
        })?;
    String::from_utf8(bytes).ok()
}

/// Looks like base64 worth decoding: long enough, only base64 characters.
pub fn looks_base64(text: &str) -> bool {
    let text = text.trim();
    text.len() >= 24
        && text.len().is_multiple_of(4)
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// The value's line with the value's content replaced by `replacement` (shown masked), every
/// other key on the line masked too. None when the value's text is not verbatim in the file.
pub fn corrected_line(
    file: &FileContext,
    value: &SettingValue,
    replacement: &str,
) -> Option<String> {
    line_with(file, value, &mask_value(replacement))
}

/// The value's line with the value's content replaced by `shown` as given (a reference such as
/// `${OPENAI_API_KEY}`, nothing secret), every key on the line masked.
pub fn line_with(file: &FileContext, value: &SettingValue, shown: &str) -> Option<String> {
    if !value.verbatim {
        return None;
    }
    let source = file.source;
    let line = source.line_range(source.line_index(value.content_span.start));
    if value.content_span.end > line.end {
        return None;
    }
    let before = String::from_utf8_lossy(&source.bytes[line.start..value.content_span.start]);
    let after = String::from_utf8_lossy(&source.bytes[value.content_span.end..line.end]);
    let line = format!(
        "{}{}{}",
        crate::keys::redact(&before),
        shown,
        crate::keys::redact(&after)
    );
    Some(line.trim().to_owned())
}

/// The header a provider's SDK sends its key in (`Authorization: Bearer` for the OpenAI-style
/// APIs and for names the user added).
pub fn key_header(provider: Option<&Provider>) -> &'static str {
    match provider.map(|p| p.id.as_str()) {
        Some("anthropic" | "langsmith") => "x-api-key",
        Some("google") => "x-goog-api-key",
        Some("azure-openai") => "api-key",
        _ => "Authorization: Bearer",
    }
}

/// How a provider's API answers a request whose key is wrong: Google's with 400
/// `API_KEY_INVALID`, the others with 401.
pub fn refusal(provider: Option<&Provider>) -> &'static str {
    match provider.map(|p| p.id.as_str()) {
        Some("google") => "400 `API key not valid`",
        _ => "401",
    }
}

/// What a client does with an empty key, in words for help texts.
pub fn empty_key_effect(provider: Option<&Provider>) -> String {
    let Some(provider) = provider else {
        return "requests carry an empty key and are refused".into();
    };
    match key_header(Some(provider)) {
        _ if provider.id == "google" => "the client has no usable key: Google's SDKs stop with a \
            missing-key error, or the API refuses the request"
            .into(),
        "Authorization: Bearer" => {
            "the SDK sends `Authorization: Bearer ` with nothing after it (401)".into()
        }
        header => format!("the SDK sends an empty `{header}` header (401)"),
    }
}

/// "an" before a vowel sound ("an OpenAI key", "an xAI key"), else "a".
pub fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('A' | 'E' | 'I' | 'O' | 'U' | 'a' | 'e' | 'i' | 'o' | 'u' | 'x') => "an",
        _ => "a",
    }
}

/// A value shown in messages or help: masked like a key, whatever it is.
pub fn mask_value(text: &str) -> String {
    crate::keys::mask(text, kept_prefix(text))
}

/// What stays visible of a key when it is masked: its shape's literal start, else the prefix
/// of the provider it starts like, else nothing.
pub fn kept_prefix(text: &str) -> &str {
    match whole_key(text, None) {
        Some((_, shape)) => &shape.keep,
        None => known_prefix(text).map_or("", |(_, prefix)| prefix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for yes in [
            "sk-...",
            "sk-YOUR_API_KEY_HERE",
            "sk-your-key",
            "your-openai-api-key",
            "<your-api-key>",
            "changeme",
            "replace-me",
            "xxxxxxxx",
            "TODO",
            "none",
            "sk-proj-xxxxxxxxxxxx",
            "INSERT_KEY_HERE",
            "gsk_...",
            "sk-ant-...",
            "sk-****",
        ] {
            assert!(is_placeholder(yes), "{yes}");
        }
        for no in [
            "sk-proj-abc123",
            "hello",
            "sk-ant-api03-Zx9",
            "production",
            "sk-proj-abc...xyz",
        ] {
            assert!(!is_placeholder(no), "{no}");
        }
        // A key in a template's brackets or quotes is a key.
        let key = format!(
            "sk-{}T3BlbkFJ{}",
            "Ab3dE5gH7jK9mN1pQ3sT", "vW5yZ7bC9eF1hJ3kL5nP"
        );
        for wrapped in [
            format!("<{key}>"),
            format!("'<{key}>'"),
            format!("<your key: {key}>"),
        ] {
            assert!(!is_placeholder(&wrapped), "{wrapped}");
        }
    }

    #[test]
    fn aliases_of_key_variables() {
        let alias = |name: &str| key_alias(name).map(|p| p.id.as_str());
        assert_eq!(alias("OPEN_AI_API_KEY"), Some("openai"));
        assert_eq!(alias("OPENAI_TOKEN"), Some("openai"));
        assert_eq!(alias("Anthropic_Api_Key"), Some("anthropic"));
        assert_eq!(alias("GEMINI_TOKEN"), Some("google"));
        assert_eq!(alias("Google_Api_Key"), Some("google"));
        assert_eq!(alias("open-ai-api-key-"), Some("openai"));
        // Other suffixes of a catalog name that is not the SDK's own name other things.
        for other in [
            "GOOGLE_SECRET",
            "AZURE_TOKEN",
            "CO_SECRET",
            "OPENAI_API_KY",
            "OPENAI_MODEL",
        ] {
            assert_eq!(alias(other), None, "{other}");
        }
    }

    #[test]
    fn prefixes() {
        let name =
            |text: &str| known_prefix(text).map(|(p, prefix)| (p.id.as_str(), prefix.to_owned()));
        assert_eq!(name("sk-proj-abc"), Some(("openai", "sk-proj-".into())));
        assert_eq!(name("sk-abc"), Some(("openai", "sk-".into())));
        assert_eq!(name("sk-ant-xyz"), Some(("anthropic", "sk-ant-".into())));
        assert_eq!(name("gsk_abc"), Some(("groq", "gsk_".into())));
        assert_eq!(name("skate"), None);
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean("  \"sk-abc\" "), "sk-abc");
        assert_eq!(clean("'sk-abc'"), "sk-abc");
        assert_eq!(clean("Bearer sk-abc"), "sk-abc");
        assert_eq!(strip_bearer("bearer x"), Some("x"));
    }

    #[test]
    fn base64_round_trip() {
        assert_eq!(
            decode_base64("c2stWU9VUl9BUElfS0VZX0hFUkU=").as_deref(),
            Some("sk-YOUR_API_KEY_HERE")
        );
        assert_eq!(
            decode_base64("c2stWU9VUl9BUElfS0VZX0hFUkU").as_deref(),
            Some("sk-YOUR_API_KEY_HERE")
        );
        assert!(decode_base64("not base64!").is_none());
    }
}
