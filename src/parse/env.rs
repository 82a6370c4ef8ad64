//! The `.env` family as docker compose and python-dotenv read it: `KEY=value` lines with quotes,
//! inline comments and `${VAR}` references. Every span is a byte range into the original file.

use std::ops::Range;

use crate::source::SourceText;

pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a value is quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    None,
    Single,
    Double,
}

/// A variable reference inside a value: `$VAR`, `${VAR}` or `${VAR<operator>word}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    pub name: String,
    /// From the `$` to the end of the name or past the closing `}`.
    pub span: Range<usize>,
    /// The word after `:-` or `-`, unexpanded.
    pub default: Option<String>,
    /// `:?` or `?`: the program stops when the variable is missing.
    pub required: bool,
    /// The word after `:?` or `?`: the error shown when the variable is missing.
    pub message: Option<String>,
    /// The word after `:+` or `+`: used instead of the variable when it is set.
    pub alternate: Option<String>,
    /// The `:` forms (`:-`, `:?`, `:+`): an empty variable counts as unset.
    pub empty_counts_as_unset: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvValue {
    /// The value the program sees: quotes removed; in double quotes the escapes \n \r \t \" \\ \$
    /// processed and multi-line values joined with '\n'; unquoted values end before an inline ` #`
    /// comment and lose trailing blanks. `$$` reads as `$`; references stay as written.
    pub text: String,
    /// The value as written: from the first non-blank byte after `=` to the closing quote
    /// (included); no inline comment, no trailing blanks, no `\r`. Empty range at the position
    /// after `=` for `KEY=`.
    pub raw_span: Range<usize>,
    /// Inside the quotes (same as raw_span when unquoted).
    pub content_span: Range<usize>,
    pub quote: Quote,
    /// An opening quote never closed: text runs to the end of the line.
    pub unterminated: bool,
    /// ${VAR}, $VAR, ${VAR:-d}, ${VAR-d}, ${VAR:?msg}, ${VAR?msg} (also `:+`, `+`) in unquoted
    /// and double-quoted values, in source order, nested ones included.
    pub references: Vec<VarRef>,
    /// Offset of a `\r` that ends the value's (last) line in a CRLF file.
    pub trailing_cr: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub name: String,
    pub name_span: Range<usize>,
    /// Written with a leading `export`.
    pub exported: bool,
    /// `None` for a bare `NAME` line (compose takes the value from its own environment).
    pub value: Option<EnvValue>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    /// 1-based line of `span.start`.
    pub line: usize,
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFile {
    pub entries: Vec<EnvEntry>,
    /// The file starts with a UTF-8 byte order mark (offsets still count it).
    pub bom: bool,
    pub errors: Vec<EnvError>,
}

impl EnvFile {
    /// The last entry named `name`: the one the program sees.
    pub fn get(&self, name: &str) -> Option<&EnvEntry> {
        self.entries.iter().rev().find(|entry| entry.name == name)
    }
}

/// Parses a `.env` file. Never fails: lines that are not assignments become errors.
pub fn parse(bytes: &[u8]) -> EnvFile {
    let mut parser = Parser {
        bytes,
        file: EnvFile::default(),
        lines: None,
        unclosed_from: [None; 2],
    };
    let mut pos = 0;
    if bytes.starts_with(BOM) {
        parser.file.bom = true;
        pos = BOM.len();
    }
    while pos < bytes.len() {
        pos = parser.statement(pos);
    }
    parser.file
}

/// `.env.example`, `.env.sample`, `.env.template`, `.env.dist`, `.env.defaults` and their kin
/// (`.env.local.example`, `api.env.sample`, `env.example`, `example.env`): files meant to be copied.
pub fn is_example_file(file_name: &str) -> bool {
    const EXAMPLE_WORDS: &[&str] = &["example", "sample", "template", "dist", "defaults"];
    let base_name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let lower = base_name.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('.').collect();
    match parts.as_slice() {
        [.., before_last, "env"] => EXAMPLE_WORDS.contains(before_last),
        [rest @ .., last] if EXAMPLE_WORDS.contains(last) => rest.contains(&"env"),
        _ => false,
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    file: EnvFile,
    /// Built on the first error only.
    lines: Option<SourceText<'a>>,
    /// For single and double quotes: the earliest start from which no closing quote was found.
    /// A later search for the same quote cannot succeed either, which keeps parsing linear.
    unclosed_from: [Option<usize>; 2],
}

/// A physical line: `start..content_end` is its text without `\r\n`; `next` starts the next line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    pub start: usize,
    pub content_end: usize,
    pub next: usize,
}

impl Parser<'_> {
    /// Parses the statement that starts on the line at `pos`; returns where the next one starts.
    fn statement(&mut self, pos: usize) -> usize {
        let bytes = self.bytes;
        let line = line_at(bytes, pos);
        let start = skip_blanks(bytes, pos, line.content_end);
        if start == line.content_end || bytes[start] == b'#' {
            return line.next;
        }
        let (exported, name_start) = match export_prefix(bytes, start, line.content_end) {
            Some(name_start) => (true, name_start),
            None => (false, start),
        };
        let name_end = skip_while(bytes, name_start, line.content_end, is_name_byte);
        if name_end == name_start {
            self.error(
                start..line.content_end,
                format!(
                    "expected `NAME=value`, found `{}`",
                    char_at(bytes, name_start)
                ),
            );
            return line.next;
        }
        let name_span = name_start..name_end;
        let name = lossy(&bytes[name_span.clone()]);
        let after_name = skip_blanks(bytes, name_end, line.content_end);
        let bare_name =
            after_name == line.content_end || (bytes[after_name] == b'#' && after_name > name_end);
        if bare_name {
            self.file.entries.push(EnvEntry {
                name,
                name_span,
                exported,
                value: None,
            });
            return line.next;
        }
        if bytes[after_name] != b'=' {
            self.error(
                start..trim_blanks_end(bytes, start, line.content_end),
                format!(
                    "expected `=` after `{name}`, found `{}`",
                    char_at(bytes, after_name)
                ),
            );
            return line.next;
        }
        let (value, next) = self.value(after_name + 1, line);
        self.file.entries.push(EnvEntry {
            name,
            name_span,
            exported,
            value: Some(value),
        });
        next
    }

    /// Parses the value that follows the `=` ending at `after_equals` on `line`.
    fn value(&mut self, after_equals: usize, line: Line) -> (EnvValue, usize) {
        let bytes = self.bytes;
        let start = skip_blanks(bytes, after_equals, line.content_end);
        let quote = match bytes[start..line.content_end].first() {
            Some(b'"') => Some(Quote::Double),
            Some(b'\'') => Some(Quote::Single),
            _ => None,
        };
        let Some(quote) = quote else {
            return (self.unquoted_value(after_equals, start, line), line.next);
        };
        let quote_byte = bytes[start];
        let (content_span, raw_span, value_line, unterminated) =
            match self.closing_quote(start + 1, quote_byte) {
                Some(close) => {
                    let close_line = line_at(bytes, close);
                    (start + 1..close, start..close + 1, close_line, false)
                }
                None => {
                    self.error(
                        start..line.content_end,
                        format!("unterminated quote: no closing {}", quote_byte as char),
                    );
                    (
                        start + 1..line.content_end,
                        start..line.content_end,
                        line,
                        true,
                    )
                }
            };
        if !unterminated {
            let after = skip_blanks(bytes, raw_span.end, value_line.content_end);
            if after < value_line.content_end && bytes[after] != b'#' {
                let junk_end = trim_blanks_end(bytes, after, value_line.content_end);
                self.error(
                    after..junk_end,
                    "unexpected text after the closing quote".to_string(),
                );
            }
        }
        let (text, references) = match quote {
            Quote::Double => scan_expandable(bytes, content_span.clone(), true),
            _ => (unescape_single(bytes, content_span.clone()), Vec::new()),
        };
        let value = EnvValue {
            text: lossy(&text),
            raw_span,
            content_span,
            quote,
            unterminated,
            references,
            trailing_cr: trailing_cr(bytes, value_line),
        };
        (value, value_line.next)
    }

    fn unquoted_value(&mut self, after_equals: usize, start: usize, line: Line) -> EnvValue {
        let bytes = self.bytes;
        let comment = (start + 1..line.content_end)
            .find(|&i| bytes[i] == b'#' && is_blank(bytes[i - 1]))
            .unwrap_or(line.content_end);
        let end = trim_blanks_end(bytes, start, comment);
        let raw_span = if start == end {
            after_equals..after_equals
        } else {
            start..end
        };
        let (text, references) = scan_expandable(bytes, raw_span.clone(), false);
        EnvValue {
            text: lossy(&text),
            raw_span: raw_span.clone(),
            content_span: raw_span,
            quote: Quote::None,
            unterminated: false,
            references,
            trailing_cr: trailing_cr(bytes, line),
        }
    }

    /// The offset of the quote that closes a value opened just before `from`. A backslash
    /// escapes the byte after it, as in both compose and python-dotenv.
    fn closing_quote(&mut self, from: usize, quote: u8) -> Option<usize> {
        let slot = usize::from(quote == b'"');
        if self.unclosed_from[slot].is_some_and(|unclosed| from >= unclosed) {
            return None;
        }
        let mut i = from;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' => i += 2,
                byte if byte == quote => return Some(i),
                _ => i += 1,
            }
        }
        self.unclosed_from[slot] = Some(from);
        None
    }

    fn error(&mut self, span: Range<usize>, message: String) {
        let bytes = self.bytes;
        let lines = self.lines.get_or_insert_with(|| SourceText::new(bytes));
        let line = lines.line_index(span.start) + 1;
        self.file.errors.push(EnvError {
            line,
            span,
            message,
        });
    }
}

/// The physical line that holds `pos`, from `pos` on.
pub(crate) fn line_at(bytes: &[u8], pos: usize) -> Line {
    let newline = bytes[pos..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| pos + i);
    let end = newline.unwrap_or(bytes.len());
    let content_end = if end > pos && bytes[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    Line {
        start: pos,
        content_end,
        next: newline.map_or(bytes.len(), |n| n + 1),
    }
}

fn trailing_cr(bytes: &[u8], line: Line) -> Option<usize> {
    (bytes.get(line.content_end) == Some(&b'\r')).then_some(line.content_end)
}

/// `export` and blanks before a name: returns where the name starts.
fn export_prefix(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    let after_word = start + b"export".len();
    if !bytes[start..end].starts_with(b"export")
        || after_word >= end
        || !is_blank(bytes[after_word])
    {
        return None;
    }
    let name_start = skip_blanks(bytes, after_word, end);
    (name_start < end && is_name_byte(bytes[name_start])).then_some(name_start)
}

/// Compose's name characters: letters, digits, `_ . - [ ]`; any non-ASCII byte counts as a letter.
fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-' | b'[' | b']') || byte >= 0x80
}

fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

fn skip_while(bytes: &[u8], from: usize, end: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes[from..end]
        .iter()
        .position(|&b| !keep(b))
        .map_or(end, |i| from + i)
}

fn skip_blanks(bytes: &[u8], from: usize, end: usize) -> usize {
    skip_while(bytes, from, end, is_blank)
}

fn trim_blanks_end(bytes: &[u8], start: usize, end: usize) -> usize {
    bytes[start..end]
        .iter()
        .rposition(|&b| !is_blank(b))
        .map_or(start, |i| start + i + 1)
}

/// The character at `pos` for messages, or "end of line".
fn char_at(bytes: &[u8], pos: usize) -> String {
    let tail = &bytes[pos..bytes.len().min(pos + 4)];
    match String::from_utf8_lossy(tail).chars().next() {
        Some('\r' | '\n') | None => "end of line".to_string(),
        Some(c) => c.to_string(),
    }
}

pub(crate) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Single-quoted content: literal, except `\'` for a quote; CRLF inside reads as `\n`.
fn unescape_single(bytes: &[u8], span: Range<usize>) -> Vec<u8> {
    let mut text = Vec::with_capacity(span.len());
    let mut i = span.start;
    while i < span.end {
        match bytes[i] {
            b'\\' if bytes.get(i + 1) == Some(&b'\'') && i + 1 < span.end => {
                text.push(b'\'');
                i += 2;
            }
            b'\r' if i + 1 < span.end && bytes[i + 1] == b'\n' => i += 1,
            byte => {
                text.push(byte);
                i += 1;
            }
        }
    }
    text
}

/// The operator in `${NAME<operator>word}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operator {
    /// `-`: a default.
    Default,
    /// `?`: an error message.
    Required,
    /// `+`: an alternate value.
    Alternate,
    /// Docker's `#`, `%` and `/`: prefix, suffix and pattern substitutions.
    Pattern,
}

/// What follows `${`: the name, then `}` (no operator) or an operator and its word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BraceHead {
    pub name: Range<usize>,
    /// The operator and whether a `:` came before it.
    pub operator: Option<(Operator, bool)>,
    /// Past the `}` without an operator, else where the operator's word starts.
    pub next: usize,
}

/// Parses `${NAME` at `dollar` in `bytes` (which end where scanning must stop).
pub(crate) fn brace_head(bytes: &[u8], dollar: usize, patterns: bool) -> Option<BraceHead> {
    let name_start = dollar + 2;
    let name_end = name_end(bytes, name_start)?;
    let name = name_start..name_end;
    let (colon, op_at) = match bytes.get(name_end) {
        Some(b'}') => {
            return Some(BraceHead {
                name,
                operator: None,
                next: name_end + 1,
            })
        }
        Some(b':') => (true, name_end + 1),
        _ => (false, name_end),
    };
    let operator = match bytes.get(op_at)? {
        b'-' => Operator::Default,
        b'?' => Operator::Required,
        b'+' => Operator::Alternate,
        b'#' | b'%' | b'/' if patterns && !colon => Operator::Pattern,
        _ => return None,
    };
    Some(BraceHead {
        name,
        operator: Some((operator, colon)),
        next: op_at + 1,
    })
}

/// The end of a shell variable name (`[A-Za-z_][A-Za-z0-9_]*`) starting at `start`.
pub(crate) fn name_end(bytes: &[u8], start: usize) -> Option<usize> {
    let first = *bytes.get(start)?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let len = bytes[start..]
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(bytes.len() - start);
    Some(start + len)
}

/// A `${` whose `}` has not been seen yet.
#[derive(Debug)]
pub(crate) struct OpenBrace {
    /// Index of the reference in the slot list.
    pub slot: usize,
    pub dollar: usize,
    pub name: Range<usize>,
    pub operator: Operator,
    pub colon: bool,
    /// Length of the text when the operator's word started.
    pub word_start: usize,
}

impl OpenBrace {
    /// The finished reference, once its `}` (at `close`) is reached and `text` holds the word.
    pub fn close(&self, bytes: &[u8], text: &[u8], close: usize) -> VarRef {
        let word = lossy(&text[self.word_start.min(text.len())..]);
        let mut reference = simple_ref(bytes, self.dollar..close + 1, self.name.clone());
        reference.empty_counts_as_unset = self.colon;
        match self.operator {
            Operator::Default => reference.default = Some(word),
            Operator::Required => {
                reference.required = true;
                reference.message = Some(word);
            }
            Operator::Alternate => reference.alternate = Some(word),
            Operator::Pattern => {}
        }
        reference
    }
}

pub(crate) fn simple_ref(bytes: &[u8], span: Range<usize>, name: Range<usize>) -> VarRef {
    VarRef {
        name: lossy(&bytes[name]),
        span,
        default: None,
        required: false,
        message: None,
        alternate: None,
        empty_counts_as_unset: false,
    }
}

/// How many `${NAME:-word}` may nest and each be read as a reference; deeper ones stay text.
/// Each copies its word when closed, so the limit keeps the cost linear. Dockerfile words
/// share it.
pub(crate) const MAX_OPEN_REFERENCES: usize = 32;

/// Unquoted or double-quoted content: the text with escapes processed (double quotes only)
/// and `$$` read as `$`, and the references, nested ones included, in source order.
fn scan_expandable(bytes: &[u8], span: Range<usize>, double: bool) -> (Vec<u8>, Vec<VarRef>) {
    let end = span.end;
    let scope = &bytes[..end];
    let mut text = Vec::with_capacity(span.len());
    let mut slots: Vec<Option<VarRef>> = Vec::new();
    let mut open: Vec<Option<OpenBrace>> = Vec::new();
    // The `Some` entries of `open`.
    let mut open_references = 0usize;
    let mut i = span.start;
    while i < end {
        match bytes[i] {
            b'\\' if double && i + 1 < end => {
                let unescaped = match bytes[i + 1] {
                    b'n' => Some(b'\n'),
                    b'r' => Some(b'\r'),
                    b't' => Some(b'\t'),
                    b'a' => Some(0x07),
                    b'b' => Some(0x08),
                    b'f' => Some(0x0C),
                    b'v' => Some(0x0B),
                    escaped @ (b'"' | b'\\' | b'$') => Some(escaped),
                    _ => None,
                };
                match unescaped {
                    Some(byte) => {
                        text.push(byte);
                        i += 2;
                    }
                    None => {
                        text.push(b'\\');
                        i += 1;
                    }
                }
            }
            b'\r' if i + 1 < end && bytes[i + 1] == b'\n' => i += 1,
            b'$' => match scope.get(i + 1) {
                Some(b'$') => {
                    text.push(b'$');
                    i += 2;
                }
                Some(b'{') => match brace_head(scope, i, false) {
                    Some(head) => {
                        text.extend_from_slice(&bytes[i..head.next]);
                        match head.operator {
                            None => slots.push(Some(simple_ref(bytes, i..head.next, head.name))),
                            Some(_) if open_references >= MAX_OPEN_REFERENCES => open.push(None),
                            Some((operator, colon)) => {
                                open_references += 1;
                                open.push(Some(OpenBrace {
                                    slot: slots.len(),
                                    dollar: i,
                                    name: head.name,
                                    operator,
                                    colon,
                                    word_start: text.len(),
                                }));
                                slots.push(None);
                            }
                        }
                        i = head.next;
                    }
                    None => {
                        // Not a reference, but its `}` must not close an enclosing one.
                        open.push(None);
                        text.extend_from_slice(b"${");
                        i += 2;
                    }
                },
                _ => match name_end(scope, i + 1) {
                    Some(name_end) => {
                        text.extend_from_slice(&bytes[i..name_end]);
                        slots.push(Some(simple_ref(bytes, i..name_end, i + 1..name_end)));
                        i = name_end;
                    }
                    None => {
                        text.push(b'$');
                        i += 1;
                    }
                },
            },
            b'}' if !open.is_empty() => {
                if let Some(Some(brace)) = open.pop() {
                    slots[brace.slot] = Some(brace.close(bytes, &text, i));
                    open_references -= 1;
                }
                text.push(b'}');
                i += 1;
            }
            byte => {
                text.push(byte);
                i += 1;
            }
        }
    }
    (text, slots.into_iter().flatten().collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// 1-based line and column (in characters, invalid bytes counting one each) of `offset`.
    pub(crate) fn line_col(src: &[u8], offset: usize) -> (usize, usize) {
        let before = &src[..offset];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        (line, column)
    }

    fn slice(src: &[u8], span: &Range<usize>) -> String {
        lossy(&src[span.clone()])
    }

    fn value(entry: &EnvEntry) -> &EnvValue {
        entry.value.as_ref().expect("entry has a value")
    }

    const SAMPLE: &str = "\
# a comment line

PLAIN=value
  SPACED =  two words   # inline comment
SINGLE='lit $HOME \\n'
DOUBLE=\"tab\\tnl\\n \\\"q\\\" \\\\ \\$HOME\"
HASH=a#b
HASH_AFTER_BLANK=a #b
EMPTY=
EMPTY_QUOTES=\"\"
QUOTED_HASH=\"x # y\" # z
export EXPORTED=yes
BARE
BARE_COMMENTED # why
ÜNÏ=çé
";

    #[test]
    fn every_form_has_exact_spans_and_positions() {
        let src = SAMPLE.as_bytes();
        let file = parse(src);
        assert_eq!(file.errors, []);
        assert!(!file.bom);
        // name, exported, name (line, col), value: (text, raw, content, quote, raw (line, col))
        type Row<'a> = (
            &'a str,
            bool,
            (usize, usize),
            Option<(&'a str, &'a str, &'a str, Quote, (usize, usize))>,
        );
        let rows: &[Row] = &[
            (
                "PLAIN",
                false,
                (3, 1),
                Some(("value", "value", "value", Quote::None, (3, 7))),
            ),
            (
                "SPACED",
                false,
                (4, 3),
                Some(("two words", "two words", "two words", Quote::None, (4, 13))),
            ),
            (
                "SINGLE",
                false,
                (5, 1),
                Some((
                    "lit $HOME \\n",
                    "'lit $HOME \\n'",
                    "lit $HOME \\n",
                    Quote::Single,
                    (5, 8),
                )),
            ),
            (
                "DOUBLE",
                false,
                (6, 1),
                Some((
                    "tab\tnl\n \"q\" \\ $HOME",
                    "\"tab\\tnl\\n \\\"q\\\" \\\\ \\$HOME\"",
                    "tab\\tnl\\n \\\"q\\\" \\\\ \\$HOME",
                    Quote::Double,
                    (6, 8),
                )),
            ),
            (
                "HASH",
                false,
                (7, 1),
                Some(("a#b", "a#b", "a#b", Quote::None, (7, 6))),
            ),
            (
                "HASH_AFTER_BLANK",
                false,
                (8, 1),
                Some(("a", "a", "a", Quote::None, (8, 18))),
            ),
            (
                "EMPTY",
                false,
                (9, 1),
                Some(("", "", "", Quote::None, (9, 7))),
            ),
            (
                "EMPTY_QUOTES",
                false,
                (10, 1),
                Some(("", "\"\"", "", Quote::Double, (10, 14))),
            ),
            (
                "QUOTED_HASH",
                false,
                (11, 1),
                Some(("x # y", "\"x # y\"", "x # y", Quote::Double, (11, 13))),
            ),
            (
                "EXPORTED",
                true,
                (12, 8),
                Some(("yes", "yes", "yes", Quote::None, (12, 17))),
            ),
            ("BARE", false, (13, 1), None),
            ("BARE_COMMENTED", false, (14, 1), None),
            (
                "ÜNÏ",
                false,
                (15, 1),
                Some(("çé", "çé", "çé", Quote::None, (15, 5))),
            ),
        ];
        assert_eq!(file.entries.len(), rows.len());
        for (entry, (name, exported, name_at, expected)) in file.entries.iter().zip(rows) {
            assert_eq!(entry.name, *name);
            assert_eq!(slice(src, &entry.name_span), *name);
            assert_eq!(entry.exported, *exported, "{name}");
            assert_eq!(line_col(src, entry.name_span.start), *name_at, "{name}");
            let Some((text, raw, content, quote, raw_at)) = expected else {
                assert_eq!(entry.value, None, "{name}");
                continue;
            };
            let value = value(entry);
            assert_eq!(value.text, *text, "{name}");
            assert_eq!(slice(src, &value.raw_span), *raw, "{name}");
            assert_eq!(slice(src, &value.content_span), *content, "{name}");
            assert_eq!(value.quote, *quote, "{name}");
            assert_eq!(line_col(src, value.raw_span.start), *raw_at, "{name}");
            assert!(!value.unterminated, "{name}");
            assert_eq!(value.trailing_cr, None, "{name}");
        }
    }

    #[test]
    fn empty_value_span_sits_after_the_equals_sign() {
        for src in ["KEY=", "KEY=   ", "KEY =\t"] {
            let file = parse(src.as_bytes());
            let value = value(&file.entries[0]);
            let after_equals = src.find('=').unwrap() + 1;
            assert_eq!(value.raw_span, after_equals..after_equals, "{src:?}");
            assert_eq!(value.text, "");
        }
    }

    #[test]
    fn hash_right_after_the_equals_sign_is_part_of_the_value() {
        // As compose and python-dotenv read it: a comment needs a blank inside the value.
        let file = parse(b"A=#x\nB= #y\n");
        assert_eq!(value(&file.entries[0]).text, "#x");
        assert_eq!(value(&file.entries[1]).text, "#y");
    }

    /// (name, span text, default, required, message, alternate, empty counts as unset)
    type Expected<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        bool,
        Option<&'a str>,
        Option<&'a str>,
        bool,
    );

    fn plain<'a>(name: &'a str, span: &'a str) -> Expected<'a> {
        (name, span, None, false, None, None, false)
    }

    #[test]
    fn references_with_each_operator() {
        let rows: &[(&str, &str, Vec<Expected>)] = &[
            ("V=$VAR/x", "$VAR/x", vec![plain("VAR", "$VAR")]),
            ("V=${VAR}x", "${VAR}x", vec![plain("VAR", "${VAR}")]),
            (
                "V=${VAR:-d e}",
                "${VAR:-d e}",
                vec![("VAR", "${VAR:-d e}", Some("d e"), false, None, None, true)],
            ),
            (
                "V=${VAR-d}",
                "${VAR-d}",
                vec![("VAR", "${VAR-d}", Some("d"), false, None, None, false)],
            ),
            (
                "V=${VAR:-}",
                "${VAR:-}",
                vec![("VAR", "${VAR:-}", Some(""), false, None, None, true)],
            ),
            (
                "V=${VAR:?set it}",
                "${VAR:?set it}",
                vec![(
                    "VAR",
                    "${VAR:?set it}",
                    None,
                    true,
                    Some("set it"),
                    None,
                    true,
                )],
            ),
            (
                "V=${VAR?m}",
                "${VAR?m}",
                vec![("VAR", "${VAR?m}", None, true, Some("m"), None, false)],
            ),
            (
                "V=${VAR:+alt}",
                "${VAR:+alt}",
                vec![("VAR", "${VAR:+alt}", None, false, None, Some("alt"), true)],
            ),
            (
                "V=${A:-${B}}",
                "${A:-${B}}",
                vec![
                    ("A", "${A:-${B}}", Some("${B}"), false, None, None, true),
                    plain("B", "${B}"),
                ],
            ),
            ("V=$$VAR", "$VAR", vec![]),
            ("V=a$$$B", "a$$B", vec![plain("B", "$B")]),
            (
                "V=\"pre ${VAR} \\$NOT $OK\"",
                "pre ${VAR} $NOT $OK",
                vec![plain("VAR", "${VAR}"), plain("OK", "$OK")],
            ),
            ("V='$NOT ${NOT}'", "$NOT ${NOT}", vec![]),
            ("V=$1 ${1X} $ ${VAR", "$1 ${1X} $ ${VAR", vec![]),
            ("V=${A:-x", "${A:-x", vec![]),
            (
                "V=${A:-{x}}",
                "${A:-{x}}",
                vec![("A", "${A:-{x}", Some("{x"), false, None, None, true)],
            ),
            ("V=$A # $B", "$A", vec![plain("A", "$A")]),
        ];
        for (src, text, expected) in rows {
            let file = parse(src.as_bytes());
            assert_eq!(file.errors, [], "{src}");
            let value = value(&file.entries[0]);
            assert_eq!(value.text, *text, "{src}");
            let found: Vec<Expected> = value
                .references
                .iter()
                .map(|r| {
                    (
                        r.name.as_str(),
                        &src[r.span.clone()],
                        r.default.as_deref(),
                        r.required,
                        r.message.as_deref(),
                        r.alternate.as_deref(),
                        r.empty_counts_as_unset,
                    )
                })
                .collect();
            assert_eq!(found, *expected, "{src}");
        }
    }

    #[test]
    fn nested_defaults_past_the_limit_stay_text() {
        let depth = 5_000;
        let line = format!("V={}x{}\n", "${A:-".repeat(depth), "}".repeat(depth));
        let file = parse(line.as_bytes());
        let refs = &value(&file.entries[0]).references;
        assert_eq!(refs.len(), MAX_OPEN_REFERENCES);
        // The innermost reference read holds the rest as its default, unexpanded.
        let innermost = refs.iter().map(|r| r.default.as_ref().unwrap().len()).min();
        assert!(innermost.unwrap() > depth, "{innermost:?}");
    }

    #[test]
    fn reference_positions_count_characters() {
        let src = "A=1\nURL=\"çà ${HOST:-h}\"\n";
        let file = parse(src.as_bytes());
        let reference = &value(&file.entries[1]).references[0];
        assert_eq!(&src[reference.span.clone()], "${HOST:-h}");
        assert_eq!(line_col(src.as_bytes(), reference.span.start), (2, 9));
    }

    #[test]
    fn multi_line_quotes_join_lines() {
        let src = "A=\"one\n  two \\\"x\\\"\nthree\" # c\nB='l1\nl2'\nC=after\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors, []);
        let a = value(&file.entries[0]);
        assert_eq!(a.text, "one\n  two \"x\"\nthree");
        assert_eq!(&src[a.raw_span.clone()], "\"one\n  two \\\"x\\\"\nthree\"");
        assert_eq!(line_col(src.as_bytes(), a.raw_span.end), (3, 7));
        let b = value(&file.entries[1]);
        assert_eq!(b.text, "l1\nl2");
        assert_eq!(b.quote, Quote::Single);
        assert_eq!(file.entries[2].name, "C");
        assert_eq!(
            line_col(src.as_bytes(), file.entries[2].name_span.start),
            (6, 1)
        );
    }

    #[test]
    fn crlf_lines_keep_offsets_and_flag_the_carriage_return() {
        let src = "A=1\r\nB=\"two\" # c\r\nC='x\r\ny'\r\nD\r\nE=\r\n# end\r\n";
        let bytes = src.as_bytes();
        let file = parse(bytes);
        assert_eq!(file.errors, []);
        let names: Vec<&str> = file.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "D", "E"]);
        let cr_of = |index: usize| value(&file.entries[index]).trailing_cr;
        for index in [0, 1, 2, 4] {
            let cr = cr_of(index).expect("trailing \\r");
            assert_eq!(bytes[cr], b'\r');
            assert_eq!(bytes[cr + 1], b'\n');
        }
        assert_eq!(cr_of(0), Some(3));
        assert_eq!(value(&file.entries[0]).text, "1");
        assert_eq!(value(&file.entries[1]).text, "two");
        assert_eq!(&src[value(&file.entries[1]).raw_span.clone()], "\"two\"");
        assert_eq!(value(&file.entries[2]).text, "x\ny");
        assert_eq!(line_col(bytes, cr_of(2).unwrap()), (4, 3));
        assert_eq!(value(&file.entries[4]).raw_span, 33..33);
        assert_eq!(line_col(bytes, file.entries[3].name_span.start), (5, 1));
    }

    #[test]
    fn bom_is_flagged_and_counted_in_offsets() {
        let src = "\u{FEFF}KEY=v\nNEXT=w";
        let file = parse(src.as_bytes());
        assert!(file.bom);
        assert_eq!(file.entries[0].name_span, 3..6);
        assert_eq!(&src[file.entries[0].name_span.clone()], "KEY");
        assert_eq!(&src[value(&file.entries[0]).raw_span.clone()], "v");
        // The mark is a character of the first line.
        assert_eq!(line_col(src.as_bytes(), 3), (1, 2));
        assert_eq!(
            line_col(src.as_bytes(), file.entries[1].name_span.start),
            (2, 1)
        );
        assert!(parse("\u{FEFF}".as_bytes()).bom);
    }

    #[test]
    fn unterminated_quote_is_flagged_and_parsing_goes_on() {
        let src = "A=\"open # x\nB=2\nC='never\nD=4\n";
        let file = parse(src.as_bytes());
        let a = value(&file.entries[0]);
        assert!(a.unterminated);
        assert_eq!(a.text, "open # x");
        assert_eq!(&src[a.raw_span.clone()], "\"open # x");
        assert_eq!(&src[a.content_span.clone()], "open # x");
        let names: Vec<&str> = file.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "D"]);
        assert!(value(&file.entries[2]).unterminated);
        assert_eq!(value(&file.entries[3]).text, "4");
        let lines: Vec<usize> = file.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 3]);
        assert_eq!(&src[file.errors[1].span.clone()], "'never");
    }

    #[test]
    fn garbage_lines_are_errors_and_the_next_line_is_parsed() {
        let src = "this is garbage  \n{\"json\": 1}\nOK=1\n=x\nA B=1\nK!=v\nQ=\"x\" junk \nLAST=2";
        let file = parse(src.as_bytes());
        let errors: Vec<(usize, &str)> = file
            .errors
            .iter()
            .map(|e| (e.line, &src[e.span.clone()]))
            .collect();
        assert_eq!(
            errors,
            [
                (1, "this is garbage"),
                (2, "{\"json\": 1}"),
                (4, "=x"),
                (5, "A B=1"),
                (6, "K!=v"),
                (7, "junk"),
            ]
        );
        let names: Vec<&str> = file.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["OK", "Q", "LAST"]);
        assert_eq!(
            line_col(src.as_bytes(), file.entries[2].name_span.start),
            (8, 1)
        );
        assert_eq!(
            file.errors[0].message,
            "expected `=` after `this`, found `i`"
        );
    }

    #[test]
    fn invalid_utf8_is_lossy_with_exact_offsets() {
        let src: &[u8] = b"K=\xff\xfeabc # c\nN\xffME=\"\xc3\"\n";
        let file = parse(src);
        assert_eq!(file.errors, []);
        let k = value(&file.entries[0]);
        assert_eq!(k.text, "\u{FFFD}\u{FFFD}abc");
        assert_eq!(k.raw_span, 2..7);
        assert_eq!(file.entries[1].name, "N\u{FFFD}ME");
        assert_eq!(file.entries[1].name_span, 12..16);
        assert_eq!(value(&file.entries[1]).content_span, 18..19);
        assert_eq!(value(&file.entries[1]).text, "\u{FFFD}");
        assert_eq!(line_col(src, 16), (2, 5));
    }

    #[test]
    fn empty_and_blank_inputs() {
        assert_eq!(parse(b""), EnvFile::default());
        assert_eq!(parse(b"\n\r\n  \t\n# only\n"), EnvFile::default());
        let file = parse(b"export\nexport=1\nexport  \n");
        let names: Vec<(&str, bool)> = file
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.exported))
            .collect();
        assert_eq!(
            names,
            [("export", false), ("export", false), ("export", false)]
        );
    }

    #[test]
    fn last_definition_wins() {
        let file = parse(b"K=1\nK=2\n");
        assert_eq!(value(file.get("K").unwrap()).text, "2");
        assert!(file.get("missing").is_none());
    }

    #[test]
    fn pathological_inputs_stay_linear() {
        // Each quote closes at the next line's opening one.
        let file = parse("K=\"\n".repeat(20_000).as_bytes());
        assert_eq!(file.entries.len(), 10_000);
        assert_eq!(value(&file.entries[0]).text, "\nK=");
        let escaped = format!("A=\"{}", "\\\" x\n".repeat(20_000));
        assert!(value(&parse(escaped.as_bytes()).entries[0]).unterminated);
        let nested = format!("V={}", "${A:-".repeat(50_000));
        assert_eq!(
            parse(nested.as_bytes()).entries[0]
                .value
                .as_ref()
                .unwrap()
                .references,
            []
        );
    }

    #[test]
    fn example_file_names() {
        for (name, expected) in [
            (".env.example", true),
            (".env.sample", true),
            (".env.template", true),
            (".env.dist", true),
            (".env.defaults", true),
            (".ENV.EXAMPLE", true),
            ("api.env.example", true),
            (".env.local.example", true),
            ("env.example", true),
            ("example.env", true),
            ("docker/.env.sample", true),
            (".env", false),
            (".env.local", false),
            ("prod.env", false),
            ("config.example", false),
            ("example", false),
            ("", false),
        ] {
            assert_eq!(is_example_file(name), expected, "{name}");
        }
    }
}
