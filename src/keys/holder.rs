//! What a value is given to: the name of the setting, variable, argument, object key or header
//! just before it, and the call, object or section around it. A key without a provider's
//! marker belongs to a provider only when one of these names that provider.

use std::ops::Range;
use std::sync::OnceLock;

use crate::providers::{catalog, Provider};
use crate::source::SourceText;

/// How many bytes back the brackets around a value are looked for, and on for a call's end.
const BRACKET_REACH: usize = 4096;
/// How many lines back the brackets around a value, or its YAML or TOML section, are looked for.
const LINE_REACH: usize = 60;
/// The longest quoted name or index read before a value.
const NAME_REACH: usize = 120;
/// A line's text before a name is read as more words of it (`mistral secret: …`,
/// `const AZURE_KEY: &str = …`) only when that short.
const LEAD_REACH: usize = 80;

/// Names whose value is an identifier or a digest, never a key.
const ID_WORDS: &[&str] = &[
    "id",
    "ids",
    "uuid",
    "guid",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "commit",
    "hash",
    "etag",
    "digest",
    "checksum",
    "fingerprint",
];

/// Words of a name that say its value is a key (`tokens`, `max_tokens`, `tokenizer` do not).
const KEY_WORDS: &[&str] = &[
    "key",
    "keys",
    "apikey",
    "token",
    "secret",
    "secrets",
    "credential",
    "credentials",
    "authorization",
    "password",
];

/// How the name before a value is separated from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Separator {
    /// `name = value`, `name := value`, `name => value`, `${NAME:-value}`.
    Equals,
    /// `name: value`, `"name": value`, a header `api-key: value`.
    Colon,
    /// `ENV NAME value`, `--flag value`: counts only for a name that names its provider.
    Space,
    /// `Callee("value")`: the callee is the name.
    Argument,
    /// `setenv("NAME", "value")`, `NAME || "value"`, `| NAME | value |`.
    Other,
}

/// The name a value is given to.
#[derive(Debug)]
pub struct Holder {
    /// The name's pieces as written (`os.environ`, `AZURE_OPENAI_API_KEY`).
    pieces: Vec<String>,
    /// The pieces' words, lower-cased.
    words: Vec<String>,
    /// Where the name starts.
    start: usize,
    separator: Separator,
    /// The name is all the line holds before the value (`  api_key: …`, `- KEY=…`).
    whole_line: bool,
}

/// What a name says of a provider's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Naming {
    /// It names the provider and a key: `AZURE_OPENAI_API_KEY`, `mistral_token`.
    Provider,
    /// It names a key, no provider: `api_key`, `apiKey`, `api-key`.
    Generic,
    /// Not a key of this provider: an id, another provider's key, no key at all.
    Not,
}

/// The name the value starting at `start` is given to, when one stands right before it.
pub fn holder(source: &SourceText, start: usize) -> Option<Holder> {
    let bytes = source.bytes;
    let line_start = source.line_range(source.line_index(start)).start;
    let mut at = skip_quote(bytes, start, line_start);
    if let Some(before) = at.checked_sub(7) {
        if before >= line_start && bytes[before..at].eq_ignore_ascii_case(b"bearer ") {
            at = skip_quote(bytes, before, line_start);
        }
    }
    let after_value = at;
    at = skip_spaces(bytes, at, line_start);
    let spaced = at < after_value;
    let (separator, name_end) = separator(bytes, at, line_start, spaced)?;
    let (mut pieces, mut name_start) = match separator {
        Separator::Argument => {
            let callee_end = skip_spaces(bytes, name_end, line_start);
            read_path(bytes, callee_end, line_start)?
        }
        _ => read_name(bytes, skip_spaces(bytes, name_end, line_start), line_start)?,
    };
    let lead = trim_markers(&bytes[line_start..name_start]);
    let lead_text = &bytes[line_start + lead.start..line_start + lead.end];
    let whole_line = lead_text.is_empty();
    let simple_lead = lead_text.len() <= LEAD_REACH && lead_text.iter().all(|&b| is_lead_byte(b));
    if !whole_line && simple_lead && separator != Separator::Space {
        // The rest of a short line: more words of the name, or its type and keywords.
        let text = String::from_utf8_lossy(lead_text);
        pieces.extend(text.split_whitespace().map(str::to_owned));
        name_start = line_start + lead.start;
    }
    let words = pieces.iter().flat_map(|piece| words(piece)).collect();
    Some(Holder {
        pieces,
        words,
        start: name_start,
        separator,
        whole_line,
    })
}

impl Holder {
    /// Whether this name, or the call, object or section around it, names `provider`'s key.
    pub fn names(&self, source: &SourceText, provider: &Provider) -> bool {
        match self.naming(provider) {
            Naming::Provider => true,
            Naming::Generic if self.separator != Separator::Space => {
                self.surroundings_name(source, provider)
            }
            _ => false,
        }
    }

    fn naming(&self, provider: &Provider) -> Naming {
        if self.words.iter().any(|w| ID_WORDS.contains(&w.as_str())) {
            return Naming::Not;
        }
        if self.pieces.iter().any(|piece| provider.env.contains(piece)) {
            return Naming::Provider;
        }
        if !self.words.iter().any(|w| is_key_word(w)) {
            return Naming::Not;
        }
        if names_provider(&self.words, provider) {
            return Naming::Provider;
        }
        let other = catalog()
            .iter()
            .filter(|other| other.id != provider.id)
            .any(|other| names_provider(&self.words, other));
        if other {
            Naming::Not
        } else {
            Naming::Generic
        }
    }

    /// A generic key name inside a call or object named for the provider (`MistralClient(`,
    /// `azure: {`), a call or command naming one of its hosts, or a YAML or TOML section
    /// named for it.
    fn surroundings_name(&self, source: &SourceText, provider: &Provider) -> bool {
        let bytes = source.bytes;
        let line = source.line_index(self.start);
        let from = source
            .line_range(line.saturating_sub(LINE_REACH))
            .start
            .max(self.start.saturating_sub(BRACKET_REACH));
        let open = open_brackets(bytes, from, self.start);
        let innermost: Vec<usize> = open.iter().rev().take(3).copied().collect();
        let labelled = innermost.iter().any(|&opener| {
            label(bytes, opener, from).is_some_and(|label| {
                let words: Vec<String> = label.iter().flat_map(|piece| words(piece)).collect();
                names_provider(&words, provider)
                    || label.iter().any(|piece| provider.env.contains(piece))
            })
        });
        if labelled {
            return true;
        }
        let near: Vec<&[u8]> = if innermost.is_empty() {
            vec![logical_line(source, line)]
        } else {
            innermost
                .iter()
                .take(2)
                .map(|&opener| group_text(bytes, opener))
                .collect()
        };
        if near.iter().any(|text| {
            provider
                .all_hosts()
                .any(|host| contains_ci(text, host.as_bytes()))
        }) {
            return true;
        }
        self.whole_line
            && match self.separator {
                Separator::Colon => yaml_parents(source, line, self.start)
                    .iter()
                    .any(|name| names_provider(&words(name), provider)),
                Separator::Equals => toml_section(source, line)
                    .is_some_and(|name| names_provider(&words(&name), provider)),
                _ => false,
            }
    }
}

/// Whether the words name `provider`: one of its words stands in them (`azure` in
/// `azureopenaikey`); a short word (`co`, `hf`) only as a whole word.
fn names_provider(words: &[String], provider: &Provider) -> bool {
    let joined = words.concat();
    provider_words(provider).iter().any(|word| {
        if word.len() <= 3 {
            words.iter().any(|w| w == word)
        } else {
            joined.contains(word.as_str())
        }
    })
}

/// The words that name a provider in a name: `named_by`, the parts of its id and the first
/// word of its variables (`claude` of `CLAUDE_API_KEY`), without `openai`, which names the
/// SDK many providers share (`openai_api_key` for an Azure key in older code).
fn provider_words(provider: &Provider) -> &'static [String] {
    static WORDS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    let all = WORDS.get_or_init(|| {
        catalog()
            .iter()
            .map(|p| {
                let mut words: Vec<String> = p.named_by.clone();
                words.extend(p.id.split('-').map(str::to_owned));
                words.extend(
                    p.env
                        .iter()
                        .filter_map(|env| env.split('_').next())
                        .map(str::to_ascii_lowercase),
                );
                words.retain(|w| w != "openai" && w.len() >= 2);
                words.sort();
                words.dedup();
                words
            })
            .collect()
    });
    let index = catalog()
        .iter()
        .position(|p| p.id == provider.id)
        .unwrap_or(0);
    &all[index]
}

fn is_key_word(word: &str) -> bool {
    KEY_WORDS.contains(&word)
        || ["key", "token", "secret"]
            .iter()
            .any(|end| word.len() > end.len() && word.ends_with(end))
}

/// A name's words, lower-cased: split at every non-alphanumeric byte and at camel-case
/// boundaries (`AzureOpenAIKey` is `azure`, `open`, `ai`, `key`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let starts_word = c.is_ascii_uppercase()
                && i > 0
                && (chars[i - 1].is_ascii_lowercase()
                    || chars[i - 1].is_ascii_digit()
                    || (chars[i - 1].is_ascii_uppercase()
                        && chars.get(i + 1).is_some_and(char::is_ascii_lowercase)));
            if starts_word && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.push(c.to_ascii_lowercase());
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    words
}

fn is_quote(byte: u8) -> bool {
    matches!(byte, b'"' | b'\'' | b'`')
}

/// Bytes a name is made of: `os.environ`, `api-key`, `$AZURE_KEY`.
fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.' | b'$')
}

/// Bytes of a short line's text before a name that can be read as more of it: words,
/// keywords and types (`export`, `const … : &'static str`, `mistral secret`).
fn is_lead_byte(byte: u8) -> bool {
    is_name_byte(byte) || matches!(byte, b' ' | b'\t' | b':' | b'&' | b'\'' | b'<' | b'>')
}

/// Before `at`: an opening quote, an escaped one (`\"`) included.
fn skip_quote(bytes: &[u8], at: usize, line_start: usize) -> usize {
    if at > line_start && is_quote(bytes[at - 1]) {
        let at = at - 1;
        if at > line_start && bytes[at - 1] == b'\\' {
            return at - 1;
        }
        return at;
    }
    at
}

fn skip_spaces(bytes: &[u8], mut at: usize, line_start: usize) -> usize {
    while at > line_start && matches!(bytes[at - 1], b' ' | b'\t') {
        at -= 1;
    }
    at
}

/// The separator ending at `at`, and where the name before it ends.
fn separator(
    bytes: &[u8],
    at: usize,
    line_start: usize,
    spaced: bool,
) -> Option<(Separator, usize)> {
    let before = |n: usize| (at >= line_start + n).then(|| bytes[at - n]);
    match (before(2), before(1)?) {
        (Some(b':' | b'=' | b'!' | b'+' | b'?'), b'=')
        | (Some(b'='), b'>')
        | (Some(b':'), b'-') => Some((Separator::Equals, at - 2)),
        (_, b'=') => Some((Separator::Equals, at - 1)),
        (Some(b':'), b':') => None,
        (_, b':') => Some((Separator::Colon, at - 1)),
        (Some(b'|'), b'|') | (Some(b'?'), b'?') => Some((Separator::Other, at - 2)),
        (_, b'|') if bytes[line_start..at].trim_ascii_start().starts_with(b"|") => {
            // A Markdown table row: the cell before names the value.
            Some((Separator::Other, at - 1))
        }
        (_, b'(') => Some((Separator::Argument, at - 1)),
        (_, b',') => {
            // `f("NAME", value)`: the first argument, quoted, names the second.
            let end = skip_spaces(bytes, at - 1, line_start);
            let open = quoted_start(bytes, end, line_start)?;
            let call = skip_spaces(bytes, open, line_start);
            (call > line_start && bytes[call - 1] == b'(').then_some((Separator::Other, end))
        }
        (Some(b'o'), b'r') if spaced && matches!(before(3), Some(b' ' | b'\t')) => {
            // `os.getenv("NAME") or value`
            Some((Separator::Other, at - 3))
        }
        (_, byte) if spaced && is_name_byte(byte) => Some((Separator::Space, at)),
        _ => None,
    }
}

/// The name ending at `at`: a quoted name, or a path with indexes and calls
/// (`os.environ["AZURE_KEY"]`, `config.azure.api_key`, `os.getenv("X")`), as pieces and start.
fn read_name(bytes: &[u8], mut at: usize, line_start: usize) -> Option<(Vec<String>, usize)> {
    let mut pieces = Vec::new();
    while at > line_start && pieces.len() < 8 {
        let byte = bytes[at - 1];
        if is_quote(byte) {
            if !pieces.is_empty() {
                break;
            }
            let start = quoted_start(bytes, at, line_start)?;
            pieces.push(unquote(&bytes[start..at]));
            at = start;
            break;
        } else if byte == b']' || byte == b')' {
            let opener = if byte == b']' { b'[' } else { b'(' };
            let reach = at.saturating_sub(NAME_REACH).max(line_start);
            let open = bytes[reach..at - 1].iter().rposition(|&b| b == opener)? + reach;
            let inner = unquote(&bytes[open + 1..at - 1]);
            if !inner.is_empty() {
                pieces.push(inner);
            }
            at = open;
        } else if is_name_byte(byte) {
            let mut start = bytes[line_start..at]
                .iter()
                .rposition(|&b| !is_name_byte(b))
                .map_or(line_start, |i| line_start + i + 1);
            // A name after an escaped line break in a one-line dump: `\nMISTRAL_API_KEY`.
            if start > line_start
                && bytes[start - 1] == b'\\'
                && start + 1 < at
                && matches!(bytes[start], b'n' | b'r' | b't')
            {
                start += 1;
            }
            pieces.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
            at = start;
            if at == line_start || !matches!(bytes[at - 1], b']' | b')') {
                break;
            }
        } else {
            break;
        }
    }
    (!pieces.is_empty()).then_some((pieces, at))
}

/// The dotted path ending at `at` (a callee: `cohere.Client`, `new MistralClient`).
fn read_path(bytes: &[u8], at: usize, line_start: usize) -> Option<(Vec<String>, usize)> {
    let start = bytes[line_start..at]
        .iter()
        .rposition(|&b| !(is_name_byte(b) || b == b':'))
        .map_or(line_start, |i| line_start + i + 1);
    (start < at).then(|| {
        let path = String::from_utf8_lossy(&bytes[start..at]).into_owned();
        (vec![path], start)
    })
}

/// Where the quoted text ending at `at` (with its closing quote, or an escaped `\"`) starts.
fn quoted_start(bytes: &[u8], at: usize, line_start: usize) -> Option<usize> {
    if at <= line_start || !is_quote(bytes[at - 1]) {
        return None;
    }
    let quote = bytes[at - 1];
    let escaped = at - 1 > line_start && bytes[at - 2] == b'\\';
    let inner_end = if escaped { at - 2 } else { at - 1 };
    let reach = inner_end.saturating_sub(NAME_REACH).max(line_start);
    let open = bytes[reach..inner_end].iter().rposition(|&b| b == quote)? + reach;
    if escaped {
        (open > line_start && bytes[open - 1] == b'\\').then(|| open - 1)
    } else {
        Some(open)
    }
}

/// Text without its quotes and escapes.
fn unquote(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim()
        .trim_matches(|c: char| c == '"' || c == '\'' || c == '`' || c == '\\')
        .to_owned()
}

/// List and comment markers a line's name may follow.
const MARKERS: &[&[u8]] = &[b"- ", b"* ", b"+ ", b"# ", b"// ", b"> "];

/// Where a line's lead starts and ends without indentation and list or comment markers (`- `,
/// `* `, `# `, `// `).
fn trim_markers(lead: &[u8]) -> Range<usize> {
    let mut start = 0;
    loop {
        start += lead[start..].len() - lead[start..].trim_ascii_start().len();
        let marker = MARKERS
            .iter()
            .find(|marker| lead[start..].starts_with(marker));
        match marker {
            Some(marker) => start += marker.len(),
            None => break,
        }
    }
    let end = start + lead[start..].trim_ascii_end().len();
    start..end
}

/// The brackets open at `to`, outermost first, scanning from `from`; quoted strings and
/// comments are passed over.
fn open_brackets(bytes: &[u8], from: usize, to: usize) -> Vec<usize> {
    let mut open = Vec::new();
    let mut at = from;
    while at < to {
        let byte = bytes[at];
        match byte {
            b'(' | b'[' | b'{' => open.push(at),
            b')' | b']' | b'}' => {
                let opener = match byte {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                if open.last().is_some_and(|&o| bytes[o] == opener) {
                    open.pop();
                }
            }
            b'"' | b'\'' | b'`' => {
                at = string_end(bytes, at);
                continue;
            }
            b'#' if at == 0 || bytes[at - 1].is_ascii_whitespace() => {
                at = line_end(bytes, at);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') && (at == 0 || bytes[at - 1] != b':') => {
                at = line_end(bytes, at);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = find(bytes, at + 2, b"*/").map_or(bytes.len(), |end| end + 2);
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    open
}

/// Just past the string opening at `at`: `"`/`'` strings end at their line's end, backtick
/// and triple-quoted ones may span lines.
fn string_end(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    if bytes.get(at + 1) == Some(&quote) && bytes.get(at + 2) == Some(&quote) {
        let triple = [quote; 3];
        return find(bytes, at + 3, &triple).map_or(bytes.len(), |end| end + 3);
    }
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\n' if quote != b'`' => return i,
            b if b == quote => return i + 1,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| at + i)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// The name a bracket belongs to: the callee of `(` (`cohere.Client(`), the name an object is
/// given to (`azure: {`, `config = {`) or its type (`new AzureOptions {`).
fn label(bytes: &[u8], opener: usize, from: usize) -> Option<Vec<String>> {
    if bytes[opener] == b'[' {
        return None;
    }
    let at = skip_spaces(bytes, opener, from);
    let before = *bytes.get(at.checked_sub(1)?)?;
    if bytes[opener] == b'{' && matches!(before, b'=' | b':' | b'>') {
        let (_, name_end) = separator(bytes, at, from, false)?;
        return read_name(bytes, skip_spaces(bytes, name_end, from), from).map(|(p, _)| p);
    }
    read_path(bytes, at, from).map(|(pieces, _)| pieces)
}

/// The text of the bracket group opening at `opener`, up to its close or as far as it reaches.
fn group_text(bytes: &[u8], opener: usize) -> &[u8] {
    let end = (opener + BRACKET_REACH).min(bytes.len());
    let mut depth = 0usize;
    let mut at = opener;
    while at < end {
        match bytes[at] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &bytes[opener..=at];
                }
            }
            b'"' | b'\'' | b'`' => {
                at = string_end(bytes, at).min(end);
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    &bytes[opener..end]
}

/// Line `index` with the lines a trailing `\` joins to it (a shell command over several lines).
fn logical_line<'a>(source: &SourceText<'a>, index: usize) -> &'a [u8] {
    let continued = |i: usize| source.bytes[source.line_range(i)].ends_with(b"\\");
    let mut first = index;
    while first > 0 && index - first < LINE_REACH && continued(first - 1) {
        first -= 1;
    }
    let mut last = index;
    while last + 1 < source.line_count() && last - index < LINE_REACH && continued(last) {
        last += 1;
    }
    &source.bytes[source.line_range(first).start..source.line_range(last).end]
}

/// The names of the YAML mappings line `index` stands in, innermost first (`azure` and `llm`
/// above `    api_key: …`).
fn yaml_parents(source: &SourceText, index: usize, name_start: usize) -> Vec<String> {
    let mut indent = name_start - source.line_range(index).start;
    let mut parents = Vec::new();
    for i in (index.saturating_sub(LINE_REACH)..index).rev() {
        if indent == 0 || parents.len() >= 4 {
            break;
        }
        let line = &source.bytes[source.line_range(i)];
        let text = line.trim_ascii_start();
        if text.is_empty() || text.starts_with(b"#") {
            continue;
        }
        let text_indent = line.len() - text.len();
        if text_indent >= indent {
            continue;
        }
        let item = text.strip_prefix(b"- ").unwrap_or(text);
        let Some(name) = mapping_name(item) else {
            break;
        };
        parents.push(name);
        indent = text_indent;
    }
    parents
}

/// `name:` alone on a line (a comment after it allowed): the name.
fn mapping_name(text: &[u8]) -> Option<String> {
    let text = match text.iter().position(|&b| b == b'#') {
        Some(hash) if hash > 0 && text[hash - 1] == b' ' => &text[..hash],
        _ => text,
    };
    let name = text.trim_ascii_end().strip_suffix(b":")?;
    let plain = name.iter().all(|&b| is_name_byte(b));
    let quoted = name.len() >= 2 && is_quote(name[0]) && name.last() == Some(&name[0]);
    (!name.is_empty() && (plain || quoted)).then(|| unquote(name))
}

/// The TOML or INI section (`[azure]`, `[tool.mistral]`) line `index` stands in.
fn toml_section(source: &SourceText, index: usize) -> Option<String> {
    (index.saturating_sub(LINE_REACH * 4)..index)
        .rev()
        .map(|i| String::from_utf8_lossy(source.bytes[source.line_range(i)].trim_ascii()))
        .find(|line| line.starts_with('[') && line.ends_with(']'))
        .map(|line| unquote(line.trim_matches(['[', ']']).as_bytes()))
}

fn contains_ci(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(id: &str) -> &'static Provider {
        catalog()
            .iter()
            .find(|p| p.id == id)
            .expect("in the catalog")
    }

    /// The holder of the value that `text` ends with.
    fn holder_of(text: &str, value: &str) -> Option<Holder> {
        let source = SourceText::new(text.as_bytes());
        let start = text.rfind(value).expect("value in text");
        holder(&source, start)
    }

    #[test]
    fn names_split_into_words() {
        assert_eq!(
            words("AZURE_OPENAI_API_KEY"),
            ["azure", "openai", "api", "key"]
        );
        assert_eq!(words("azureOpenAIKey"), ["azure", "open", "ai", "key"]);
        assert_eq!(words("os.environ"), ["os", "environ"]);
        assert_eq!(words("api-key"), ["api", "key"]);
        assert_eq!(words("MistralAPIKey2"), ["mistral", "api", "key2"]);
    }

    #[test]
    fn the_name_is_read_from_the_text_before_the_value() {
        let pieces = |text: &str| holder_of(text, "VALUE").map(|h| h.pieces);
        assert_eq!(
            pieces("MISTRAL_API_KEY=VALUE").unwrap(),
            ["MISTRAL_API_KEY"]
        );
        assert_eq!(
            pieces("  \"cohere_api_key\": \"VALUE\"").unwrap(),
            ["cohere_api_key"]
        );
        assert_eq!(
            pieces("os.environ[\"AZURE_KEY\"] = 'VALUE'").unwrap(),
            ["AZURE_KEY", "os.environ"]
        );
        assert_eq!(pieces("{\\\"id\\\":\\\"VALUE\\\"}").unwrap(), ["id"]);
        assert_eq!(
            pieces("-H \"Authorization: Bearer VALUE\"").unwrap(),
            ["Authorization"]
        );
        assert_eq!(
            pieces("k = os.getenv(\"MISTRAL_API_KEY\", \"VALUE\")").unwrap(),
            ["MISTRAL_API_KEY"]
        );
        assert_eq!(
            pieces("key = process.env.AZURE_KEY || \"VALUE\"").unwrap(),
            ["process.env.AZURE_KEY"]
        );
        assert_eq!(
            pieces("AzureKeyCredential(\"VALUE\")").unwrap(),
            ["AzureKeyCredential"]
        );
        assert_eq!(
            pieces("const AZURE_KEY: &'static str = \"VALUE\";").unwrap(),
            ["str", "const", "AZURE_KEY:", "&'static"]
        );
        assert_eq!(
            pieces("| MISTRAL_API_KEY | `VALUE` |").unwrap(),
            ["MISTRAL_API_KEY"]
        );
        // A word before the value, no separator: the word alone, which names no key.
        assert_eq!(pieces("Version: commit VALUE").unwrap(), ["commit"]);
        // No name right before the value: nothing holds it.
        assert!(pieces("[VALUE.md](https://example.com)").is_none());
        assert!(pieces("VALUE").is_none());
        assert!(pieces("a::VALUE").is_none());
    }

    #[test]
    fn a_name_names_a_provider_a_generic_key_or_neither() {
        let azure = provider("azure-openai");
        let naming = |text: &str| holder_of(text, "VALUE").map(|h| h.naming(azure));
        assert_eq!(naming("AZURE_OPENAI_API_KEY=VALUE"), Some(Naming::Provider));
        assert_eq!(naming("azure secret: VALUE"), Some(Naming::Provider));
        assert_eq!(naming("api_key=VALUE"), Some(Naming::Generic));
        assert_eq!(naming("OPENAI_API_KEY=VALUE"), Some(Naming::Generic));
        assert_eq!(naming("\"api-key\": \"VALUE\""), Some(Naming::Generic));
        for not in [
            "AZURE_OPENAI_KEY_ID=VALUE",
            "azure_sha: VALUE",
            "\"request_id\": \"VALUE\"",
            "azure_total_tokens=VALUE",
            "azure_tokenizer=VALUE",
            "ANTHROPIC_API_KEY=VALUE",
            "azure_endpoint=VALUE",
        ] {
            assert_eq!(naming(not), Some(Naming::Not), "{not}");
        }
        let cohere = provider("cohere");
        let co = holder_of("CO_API_KEY=VALUE", "VALUE").unwrap();
        assert_eq!(co.naming(cohere), Naming::Provider);
        let disco = holder_of("DISCO_API_KEY=VALUE", "VALUE").unwrap();
        assert_eq!(disco.naming(cohere), Naming::Generic);
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = b"f(a, \"(\", '[', # (\n  x";
        assert_eq!(open_brackets(text, 0, text.len()), vec![1]);
        let text = b"g({ s: `{\n(` }, [x // (\n";
        assert_eq!(open_brackets(text, 0, text.len()), vec![1, 16]);
    }

    #[test]
    fn yaml_parents_and_toml_sections() {
        let text = "llm:\n  azure:\n    # note\n    api_key: x\n";
        let source = SourceText::new(text.as_bytes());
        let start = text.find("api_key").unwrap();
        assert_eq!(yaml_parents(&source, 3, start), ["azure", "llm"]);
        let text = "[tool.mistral]\nmodel = \"m\"\napi_key = \"x\"\n";
        let source = SourceText::new(text.as_bytes());
        assert_eq!(toml_section(&source, 2).as_deref(), Some("tool.mistral"));
    }
}
