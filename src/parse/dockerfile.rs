//! Dockerfiles (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `Containerfile`) as BuildKit reads
//! them: parser directives, continuations, `ENV`, `ARG`, `RUN` with mounts and heredocs, and
//! stages. Every span is a byte range into the original file.

use std::ops::Range;

use super::env::{
    self, brace_head, lossy, name_end, simple_ref, Line, OpenBrace, Quote, VarRef,
    MAX_OPEN_REFERENCES,
};
use crate::source::SourceText;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// The escape character: `\` unless a `# escape=` directive says `` ` ``.
    pub escape: u8,
    /// The `# syntax=` directive's value.
    pub syntax: Option<String>,
    pub errors: Vec<DockerError>,
}

impl Default for Dockerfile {
    fn default() -> Self {
        Dockerfile {
            instructions: Vec::new(),
            stages: Vec::new(),
            escape: b'\\',
            syntax: None,
            errors: Vec::new(),
        }
    }
}

/// A build stage: a `FROM` and the instructions up to the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// The name after `AS`, as written.
    pub name: Option<String>,
    /// The image as written, variables unexpanded.
    pub base: String,
    /// From the `FROM` to the end of the stage's last instruction.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-case.
    pub keyword: String,
    pub keyword_span: Range<usize>,
    /// The whole instruction, continuations and heredoc bodies included.
    pub span: Range<usize>,
    /// `None` before the first `FROM`.
    pub stage: Option<usize>,
    /// The `--name=value` flags after the keyword (`--platform`, `--mount`, `--from`, ...).
    pub flags: Vec<Flag>,
    pub kind: InstructionKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstructionKind {
    Env(Vec<DockerVar>),
    Arg(Vec<DockerVar>),
    Run(Run),
    From,
    Other,
}

/// A flag such as `--network=none`: quotes and escapes removed from name and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    /// `None` for a bare `--flag`.
    pub value: Option<String>,
    pub span: Range<usize>,
}

/// A name defined by `ENV` or `ARG`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerVar {
    pub name: String,
    pub name_span: Range<usize>,
    /// `None` for `ARG name` (and for a malformed `ENV name`).
    pub value: Option<DockerValue>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerValue {
    /// As Docker stores it: quotes removed, escapes processed, variables NOT expanded.
    pub text: String,
    /// The value as written; empty at the position after `=` for `name=`.
    pub raw_span: Range<usize>,
    /// Inside the quotes when one quoted string makes the whole value, else `raw_span`.
    pub content_span: Range<usize>,
    /// The quoting of the whole value; `None` when unquoted or only partly quoted.
    pub quote: Quote,
    pub references: Vec<VarRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// `RUN ["executable", "arg"]`.
    pub exec_form: bool,
    /// The decoded JSON strings of the exec form; empty in shell form.
    pub exec_args: Vec<String>,
    pub mounts: Vec<Mount>,
    /// The shell command after flags, one piece per physical line with the continuation
    /// escape+newline removed; each piece's text is exactly the file bytes at `span`, so
    /// positions map back.
    pub script: Vec<ScriptPiece>,
    pub heredocs: Vec<Heredoc>,
}

/// A `--mount=type=secret,id=x,target=/run/secrets/x` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// secret, cache, bind (the default), tmpfs, ssh.
    pub kind: String,
    /// The fields other than `type`, keys lower-cased; `("required", "")` for a bare field.
    pub options: Vec<(String, String)>,
    /// The whole `--mount=...` flag.
    pub span: Range<usize>,
}

impl Mount {
    /// The value of option `key` (`id`, `target`, `env`, ...).
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptPiece {
    pub text: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// Quotes removed: `EOF` for `<<"EOF"`.
    pub delimiter: String,
    /// Exactly the file bytes at `body_span` (lossy): lines as written, `\r` and tabs kept.
    pub body: String,
    /// From the line after the instruction to the start of the delimiter line.
    pub body_span: Range<usize>,
    /// `<<-`: Docker strips leading tabs from the body lines and the delimiter line.
    pub strip_tabs: bool,
    /// The delimiter was unquoted: variables in the body are expanded.
    pub expands: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerError {
    /// 1-based line of `span.start`.
    pub line: usize,
    pub span: Range<usize>,
    pub message: String,
}

const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Parses a Dockerfile. Never fails: malformed instructions become errors.
pub fn parse(bytes: &[u8]) -> Dockerfile {
    let mut parser = Parser {
        bytes,
        file: Dockerfile::default(),
        lines: None,
        stage: None,
    };
    let mut pos = if bytes.starts_with(env::BOM) {
        env::BOM.len()
    } else {
        0
    };
    pos = parser.directives(pos);
    while pos < bytes.len() {
        pos = parser.instruction(pos);
    }
    parser.file
}

struct Parser<'a> {
    bytes: &'a [u8],
    file: Dockerfile,
    /// Built on the first error only.
    lines: Option<SourceText<'a>>,
    /// The current stage's index.
    stage: Option<usize>,
}

/// An instruction's physical lines joined, continuations and dropped lines removed, with the
/// file offset of every byte.
#[derive(Debug, Default)]
struct Logical {
    text: Vec<u8>,
    origin: Vec<usize>,
    /// Per physical line: where it starts in `text` and its file range.
    segments: Vec<(usize, Range<usize>)>,
}

impl Logical {
    fn push(&mut self, bytes: &[u8], segment: Range<usize>) {
        self.segments.push((self.text.len(), segment.clone()));
        self.text.extend_from_slice(&bytes[segment.clone()]);
        self.origin.extend(segment);
    }

    /// The file range of a range of `text`; an empty one sits right after the byte before it.
    fn file_span(&self, range: Range<usize>) -> Range<usize> {
        if range.start < range.end {
            return self.origin[range.start]..self.origin[range.end - 1] + 1;
        }
        let at = match range.start {
            0 => self.origin.first().copied().unwrap_or(0),
            start => self.origin[start - 1] + 1,
        };
        at..at
    }

    /// The parts of `range` on each physical line, as file ranges.
    fn pieces(&self, bytes: &[u8], range: Range<usize>) -> Vec<ScriptPiece> {
        self.segments
            .iter()
            .filter_map(|(logical_start, file)| {
                let start = range.start.max(*logical_start);
                let end = range.end.min(logical_start + file.len());
                (start < end).then(|| {
                    let span =
                        file.start + (start - logical_start)..file.start + (end - logical_start);
                    ScriptPiece {
                        text: lossy(&bytes[span.clone()]),
                        span,
                    }
                })
            })
            .collect()
    }
}

impl Parser<'_> {
    /// Reads the parser directives at the top of the file; returns where instructions start.
    fn directives(&mut self, mut pos: usize) -> usize {
        let mut seen: Vec<String> = Vec::new();
        while pos < self.bytes.len() {
            let line = env::line_at(self.bytes, pos);
            let Some((name, value)) = directive(self.bytes, line) else {
                break;
            };
            if !matches!(name.as_str(), "syntax" | "escape" | "check") {
                break;
            }
            let value_text = lossy(&self.bytes[value.clone()]);
            if seen.contains(&name) {
                self.error(
                    value,
                    format!("only one `{name}` parser directive can be used"),
                );
            } else if name == "escape" {
                match value_text.as_str() {
                    "\\" => self.file.escape = b'\\',
                    "`" => self.file.escape = b'`',
                    _ => self.error(
                        value,
                        format!("invalid escape character `{value_text}`: use \\ or `"),
                    ),
                }
            } else if name == "syntax" {
                self.file.syntax = Some(value_text);
            }
            seen.push(name);
            pos = line.next;
        }
        pos
    }

    /// Parses the instruction that starts on the line at `pos`; returns where the next one starts.
    fn instruction(&mut self, pos: usize) -> usize {
        let bytes = self.bytes;
        let line = env::line_at(bytes, pos);
        let start = skip_spaces(bytes, pos, line.content_end);
        if start == line.content_end || bytes[start] == b'#' {
            return line.next;
        }
        let (logical, mut end, mut next) = self.logical_line(line, start);
        let text = &logical.text;
        // A line holding only the escape character may leave blanks first, or nothing.
        let keyword_start = skip_spaces(text, 0, text.len());
        if keyword_start == text.len() {
            return next;
        }
        let keyword_end = skip_until_space(text, keyword_start, text.len());
        let keyword = lossy(&text[keyword_start..keyword_end]).to_ascii_uppercase();
        let keyword_span = logical.file_span(keyword_start..keyword_end);
        let (flags, args_start) = flags(&logical, skip_spaces(text, keyword_end, text.len()));
        let args = args_start..trim_spaces_end(text, args_start, text.len());

        if !KEYWORDS.contains(&keyword.as_str()) {
            self.error(
                keyword_span.clone(),
                format!("unknown instruction `{keyword}`"),
            );
        } else if self.stage.is_none() && !matches!(keyword.as_str(), "ARG" | "FROM") {
            self.error(
                keyword_span.clone(),
                format!("`{keyword}` before the first FROM: only ARG may come first"),
            );
        }
        let mut kind = match keyword.as_str() {
            "FROM" => {
                self.stage(&logical, args.clone(), keyword_span.start);
                InstructionKind::From
            }
            "ENV" => InstructionKind::Env(self.env_vars(&logical, args.clone(), &keyword_span)),
            "ARG" => InstructionKind::Arg(self.arg_vars(&logical, args.clone(), &keyword_span)),
            "RUN" => InstructionKind::Run(self.run(&logical, args.clone(), &flags)),
            _ => InstructionKind::Other,
        };
        let may_have_heredocs = matches!(keyword.as_str(), "RUN" | "COPY" | "ADD")
            && text.windows(2).any(|pair| pair == b"<<")
            && json_strings(&text[args.clone()]).is_none();
        if may_have_heredocs {
            let heredocs = self.heredocs(&logical, args, &mut end, &mut next);
            if let InstructionKind::Run(run) = &mut kind {
                run.heredocs = heredocs;
            }
        }
        let span = keyword_span.start..end;
        if let Some(index) = self.stage {
            self.file.stages[index].span.end = end;
        }
        self.file.instructions.push(Instruction {
            keyword,
            keyword_span,
            span,
            stage: self.stage,
            flags,
            kind,
        });
        next
    }

    /// Joins the instruction starting at `start` on `line` with its continuation lines.
    /// Returns it, the end of its last line's text and where the next line starts.
    fn logical_line(&self, line: Line, start: usize) -> (Logical, usize, usize) {
        let bytes = self.bytes;
        let mut logical = Logical::default();
        let (mut current, mut segment_start) = (line, start);
        loop {
            let trimmed_end = trim_spaces_end(bytes, segment_start, current.content_end);
            let continues =
                trimmed_end > segment_start && bytes[trimmed_end - 1] == self.file.escape;
            let segment_end = if continues {
                trimmed_end - 1
            } else {
                current.content_end
            };
            logical.push(bytes, segment_start..segment_end);
            if !continues {
                return (logical, current.content_end, current.next);
            }
            // Docker drops comment lines and blank lines inside a continuation.
            let mut pos = current.next;
            let found = loop {
                if pos >= bytes.len() {
                    break None;
                }
                let next_line = env::line_at(bytes, pos);
                let first = skip_spaces(bytes, pos, next_line.content_end);
                if first < next_line.content_end && bytes[first] != b'#' {
                    break Some(next_line);
                }
                pos = next_line.next;
            };
            match found {
                Some(next_line) => (current, segment_start) = (next_line, next_line.start),
                None => return (logical, current.content_end, bytes.len()),
            }
        }
    }

    fn stage(&mut self, logical: &Logical, args: Range<usize>, start: usize) {
        let text = &logical.text;
        let words = split_on_spaces(text, args.clone());
        let word_text = |range: &Range<usize>| lossy(&text[range.clone()]);
        let (base, name) = match words.as_slice() {
            [base] => (word_text(base), None),
            [base, as_word, name] if text[as_word.clone()].eq_ignore_ascii_case(b"as") => {
                (word_text(base), Some(word_text(name)))
            }
            _ => {
                self.error(
                    logical.file_span(args),
                    "FROM takes `image` or `image AS name`".to_string(),
                );
                (words.first().map(word_text).unwrap_or_default(), None)
            }
        };
        let index = self.file.stages.len();
        self.file.stages.push(Stage {
            index,
            name,
            base,
            span: start..start,
        });
        self.stage = Some(index);
    }

    /// `ENV name=value ...` or the legacy `ENV name value with spaces`.
    fn env_vars(
        &mut self,
        logical: &Logical,
        args: Range<usize>,
        keyword_span: &Range<usize>,
    ) -> Vec<DockerVar> {
        let text = &logical.text;
        let words = self.split_words(text, args.clone());
        let Some(first) = words.first() else {
            self.error(keyword_span.clone(), "ENV needs `name=value`".to_string());
            return Vec::new();
        };
        if !text[first.clone()].contains(&b'=') {
            let name_end = skip_until_space(text, args.start, args.end);
            let value_start = skip_spaces(text, name_end, args.end);
            let value = if value_start < args.end {
                Some(self.value(logical, value_start..args.end))
            } else {
                self.error(
                    logical.file_span(args.clone()),
                    "ENV needs a value: `ENV name=value`".to_string(),
                );
                None
            };
            return vec![DockerVar {
                name: lossy(&text[args.start..name_end]),
                name_span: logical.file_span(args.start..name_end),
                value,
            }];
        }
        words
            .into_iter()
            .map(|word| {
                if !text[word.clone()].contains(&b'=') {
                    self.error(
                        logical.file_span(word.clone()),
                        format!(
                            "expected `name=value`, found `{}`",
                            lossy(&text[word.clone()])
                        ),
                    );
                }
                self.var(logical, word)
            })
            .collect()
    }

    /// `ARG name`, `ARG name=default`, several per line.
    fn arg_vars(
        &mut self,
        logical: &Logical,
        args: Range<usize>,
        keyword_span: &Range<usize>,
    ) -> Vec<DockerVar> {
        let words = self.split_words(&logical.text, args);
        if words.is_empty() {
            self.error(keyword_span.clone(), "ARG needs a name".to_string());
        }
        words
            .into_iter()
            .map(|word| self.var(logical, word))
            .collect()
    }

    /// A `name` or `name=value` word.
    fn var(&mut self, logical: &Logical, word: Range<usize>) -> DockerVar {
        let text = &logical.text;
        let equals = text[word.clone()]
            .iter()
            .position(|&b| b == b'=')
            .map(|i| word.start + i);
        let name_end = equals.unwrap_or(word.end);
        DockerVar {
            name: lossy(&text[word.start..name_end]),
            name_span: logical.file_span(word.start..name_end),
            value: equals.map(|equals| self.value(logical, equals + 1..word.end)),
        }
    }

    fn value(&mut self, logical: &Logical, range: Range<usize>) -> DockerValue {
        let escape = self.file.escape;
        let word = process_word(&logical.text, range.clone(), escape);
        let raw_span = logical.file_span(range.clone());
        if word.unterminated {
            self.error(raw_span.clone(), "unterminated quote".to_string());
        }
        let (quote, content) = match whole_quote(&logical.text, range.clone(), escape) {
            Some(quote) => (quote, range.start + 1..range.end - 1),
            None => (Quote::None, range),
        };
        let references = word
            .references
            .into_iter()
            .map(|mut reference| {
                reference.span = logical.file_span(reference.span);
                reference
            })
            .collect();
        DockerValue {
            text: lossy(&word.text),
            raw_span,
            content_span: logical.file_span(content),
            quote,
            references,
        }
    }

    fn run(&mut self, logical: &Logical, args: Range<usize>, flags: &[Flag]) -> Run {
        let exec_args = json_strings(&logical.text[args.clone()]);
        let mounts = flags
            .iter()
            .filter(|flag| flag.name == "mount")
            .map(|flag| mount(flag.value.as_deref().unwrap_or(""), flag.span.clone()))
            .collect();
        Run {
            exec_form: exec_args.is_some(),
            exec_args: exec_args.unwrap_or_default(),
            mounts,
            script: logical.pieces(self.bytes, args),
            heredocs: Vec::new(),
        }
    }

    /// Reads the bodies of the `<<EOF` words in `args` from `next` on, moving `end` and `next`
    /// past them.
    fn heredocs(
        &mut self,
        logical: &Logical,
        args: Range<usize>,
        end: &mut usize,
        next: &mut usize,
    ) -> Vec<Heredoc> {
        let bytes = self.bytes;
        let mut heredocs = Vec::new();
        for word in self.split_words(&logical.text, args) {
            let Some(opener) = heredoc_opener(&logical.text, word.clone(), self.file.escape) else {
                continue;
            };
            let body_start = *next;
            let mut body_end = None;
            while *next < bytes.len() {
                let line = env::line_at(bytes, *next);
                let mut candidate = &bytes[line.start..line.content_end];
                if opener.strip_tabs {
                    let tabs = candidate.iter().take_while(|&&b| b == b'\t').count();
                    candidate = &candidate[tabs..];
                }
                *next = line.next;
                *end = line.content_end;
                if candidate == opener.delimiter.as_bytes() {
                    body_end = Some(line.start);
                    break;
                }
            }
            let body_end = body_end.unwrap_or_else(|| {
                self.error(
                    logical.file_span(word),
                    format!("unterminated heredoc: no `{}` line", opener.delimiter),
                );
                bytes.len()
            });
            heredocs.push(Heredoc {
                delimiter: opener.delimiter,
                body: lossy(&bytes[body_start..body_end]),
                body_span: body_start..body_end,
                strip_tabs: opener.strip_tabs,
                expands: opener.expands,
            });
        }
        heredocs
    }

    fn split_words(&self, text: &[u8], range: Range<usize>) -> Vec<Range<usize>> {
        split_words(text, range, self.file.escape)
    }

    fn error(&mut self, span: Range<usize>, message: String) {
        let bytes = self.bytes;
        let lines = self.lines.get_or_insert_with(|| SourceText::new(bytes));
        let line = lines.line_index(span.start.min(bytes.len())) + 1;
        self.file.errors.push(DockerError {
            line,
            span,
            message,
        });
    }
}

/// `# name=value` on `line`: the lower-cased name and the value's range.
fn directive(bytes: &[u8], line: Line) -> Option<(String, Range<usize>)> {
    let end = line.content_end;
    let hash = skip_spaces(bytes, line.start, end);
    if bytes.get(hash) != Some(&b'#') || hash >= end {
        return None;
    }
    let name_start = skip_spaces(bytes, hash + 1, end);
    if !bytes.get(name_start)?.is_ascii_alphabetic() || name_start >= end {
        return None;
    }
    let name_end = name_start
        + bytes[name_start..end]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
    let equals = skip_spaces(bytes, name_end, end);
    if equals >= end || bytes[equals] != b'=' {
        return None;
    }
    let value_start = skip_spaces(bytes, equals + 1, end);
    let value_end = trim_spaces_end(bytes, value_start, end);
    (value_start < value_end).then(|| {
        let name = lossy(&bytes[name_start..name_end]).to_ascii_lowercase();
        (name, value_start..value_end)
    })
}

/// The `--name[=value]` words from `pos`: Docker's flag syntax, where a backslash escapes and
/// quotes group. Returns them and where the arguments start.
fn flags(logical: &Logical, mut pos: usize) -> (Vec<Flag>, usize) {
    let text = &logical.text;
    let mut flags = Vec::new();
    while text[pos..].starts_with(b"--") {
        let word_end = word_end(text, pos..text.len(), b'\\');
        if word_end == pos + 2 {
            // A lone `--` ends the flags.
            return (flags, skip_spaces(text, word_end, text.len()));
        }
        let word = unquote_flag(&text[pos + 2..word_end]);
        let (name, value) = match word.iter().position(|&b| b == b'=') {
            Some(equals) => (&word[..equals], Some(lossy(&word[equals + 1..]))),
            None => (&word[..], None),
        };
        flags.push(Flag {
            name: lossy(name),
            value,
            span: logical.file_span(pos..word_end),
        });
        pos = skip_spaces(text, word_end, text.len());
    }
    (flags, pos)
}

/// A flag word with its quotes removed and backslash escapes applied.
fn unquote_flag(word: &[u8]) -> Vec<u8> {
    let mut text = Vec::with_capacity(word.len());
    let mut quote = None;
    let mut i = 0;
    while i < word.len() {
        match (word[i], quote) {
            (b'\\', _) => {
                if let Some(&escaped) = word.get(i + 1) {
                    text.push(escaped);
                }
                i += 2;
                continue;
            }
            (byte, None) if byte == b'"' || byte == b'\'' => quote = Some(byte),
            (byte, Some(open)) if byte == open => quote = None,
            (byte, _) => text.push(byte),
        }
        i += 1;
    }
    text
}

fn mount(value: &str, span: Range<usize>) -> Mount {
    let mut kind = "bind".to_string();
    let mut options = Vec::new();
    for field in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let (key, option) = field.split_once('=').unwrap_or((field, ""));
        let key = key.trim().to_ascii_lowercase();
        if key == "type" {
            kind = option.to_string();
        } else {
            options.push((key, option.to_string()));
        }
    }
    Mount {
        kind,
        options,
        span,
    }
}

struct HeredocOpener {
    delimiter: String,
    strip_tabs: bool,
    expands: bool,
}

/// A `<<EOF`, `<<-EOF`, `<<"EOF"` or `2<<EOF` word, as BuildKit finds them.
fn heredoc_opener(text: &[u8], word: Range<usize>, escape: u8) -> Option<HeredocOpener> {
    let digits = text[word.clone()]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let after_digits = word.start + digits;
    if !text[after_digits..word.end].starts_with(b"<<") {
        return None;
    }
    let mut rest = after_digits + 2;
    let strip_tabs = text.get(rest) == Some(&b'-') && rest < word.end;
    if strip_tabs {
        rest += 1;
    }
    let raw = &text[rest..word.end];
    if raw.is_empty() || raw.contains(&b'<') {
        return None;
    }
    let delimiter = lossy(&process_word(text, rest..word.end, escape).text);
    (!delimiter.is_empty()).then(|| HeredocOpener {
        delimiter,
        strip_tabs,
        expands: !raw.iter().any(|&b| b == b'"' || b == b'\''),
    })
}

/// BuildKit's word splitting: blanks separate words, quotes group, the escape character keeps
/// the next byte in the word (in double quotes too).
fn split_words(text: &[u8], range: Range<usize>, escape: u8) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut i = skip_spaces(text, range.start, range.end);
    while i < range.end {
        let end = word_end(text, i..range.end, escape);
        words.push(i..end);
        i = skip_spaces(text, end, range.end);
    }
    words
}

/// The end of the word that starts `range`.
fn word_end(text: &[u8], range: Range<usize>, escape: u8) -> usize {
    let mut quote = None;
    let mut i = range.start;
    while i < range.end {
        let byte = text[i];
        match quote {
            None if is_space(byte) => break,
            None if byte == escape => i += 1,
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            Some(open) if byte == open => quote = None,
            Some(open) if byte == escape && open != b'\'' => i += 1,
            _ => {}
        }
        i += 1;
    }
    i.min(range.end)
}

/// Words separated by blanks, quotes ignored (`FROM`'s arguments).
fn split_on_spaces(text: &[u8], range: Range<usize>) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut i = range.start;
    while i < range.end {
        let start = skip_spaces(text, i, range.end);
        let end = skip_until_space(text, start, range.end);
        if start < end {
            words.push(start..end);
        }
        i = end;
    }
    words
}

/// A word after Docker's processing, variables left as written.
struct Word {
    text: Vec<u8>,
    /// Spans are ranges of the processed input, not yet of the file.
    references: Vec<VarRef>,
    unterminated: bool,
}

enum Frame {
    DoubleQuote,
    /// A `${`; `None` when it does not start a valid reference.
    Brace(Option<OpenBrace>),
}

/// BuildKit's word processing without expansion: quotes removed, the escape character applied
/// (in double quotes only before `"`, `$` and itself), references collected.
fn process_word(text: &[u8], range: Range<usize>, escape: u8) -> Word {
    let end = range.end;
    let scope = &text[..end];
    let mut out = Vec::with_capacity(range.len());
    let mut slots: Vec<Option<VarRef>> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    // The `Frame::Brace(Some(_))` in `frames`.
    let mut open_references = 0usize;
    let mut unterminated = false;
    let mut i = range.start;
    while i < end {
        let byte = text[i];
        let in_double_quotes = matches!(frames.last(), Some(Frame::DoubleQuote));
        match byte {
            b'$' => {
                let before = frames.len();
                let room = open_references < MAX_OPEN_REFERENCES;
                i = dollar(scope, i, room, &mut out, &mut slots, &mut frames);
                if frames.len() > before && matches!(frames.last(), Some(Frame::Brace(Some(_)))) {
                    open_references += 1;
                }
                continue;
            }
            _ if byte == escape => {
                match scope.get(i + 1) {
                    None => {}
                    Some(&next)
                        if !in_double_quotes || matches!(next, b'"' | b'$') || next == escape =>
                    {
                        out.push(next);
                        i += 1;
                    }
                    Some(_) => out.push(byte),
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        if in_double_quotes {
            if byte == b'"' {
                frames.pop();
            } else {
                out.push(byte);
            }
            i += 1;
            continue;
        }
        match byte {
            b'\'' => match scope[i + 1..].iter().position(|&b| b == b'\'') {
                Some(len) => {
                    out.extend_from_slice(&scope[i + 1..i + 1 + len]);
                    i += len + 2;
                }
                None => {
                    out.extend_from_slice(&scope[i + 1..]);
                    unterminated = true;
                    i = end;
                }
            },
            b'"' => {
                frames.push(Frame::DoubleQuote);
                i += 1;
            }
            b'}' if matches!(frames.last(), Some(Frame::Brace(_))) => {
                if let Some(Frame::Brace(Some(brace))) = frames.pop() {
                    slots[brace.slot] = Some(brace.close(text, &out, i));
                    open_references -= 1;
                }
                out.push(b'}');
                i += 1;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    unterminated |= frames.iter().any(|f| matches!(f, Frame::DoubleQuote));
    Word {
        text: out,
        references: slots.into_iter().flatten().collect(),
        unterminated,
    }
}

/// Handles the `$` at `i`; returns where scanning goes on. Without `room`, a `${NAME:-word}`
/// is text, not a reference.
fn dollar(
    scope: &[u8],
    i: usize,
    room: bool,
    out: &mut Vec<u8>,
    slots: &mut Vec<Option<VarRef>>,
    frames: &mut Vec<Frame>,
) -> usize {
    match scope.get(i + 1) {
        Some(b'{') => match brace_head(scope, i, true) {
            Some(head) => {
                out.extend_from_slice(&scope[i..head.next]);
                match head.operator {
                    None => slots.push(Some(simple_ref(scope, i..head.next, head.name))),
                    Some(_) if !room => frames.push(Frame::Brace(None)),
                    Some((operator, colon)) => {
                        frames.push(Frame::Brace(Some(OpenBrace {
                            slot: slots.len(),
                            dollar: i,
                            name: head.name,
                            operator,
                            colon,
                            word_start: out.len(),
                        })));
                        slots.push(None);
                    }
                }
                head.next
            }
            None => {
                frames.push(Frame::Brace(None));
                out.extend_from_slice(b"${");
                i + 2
            }
        },
        // Special parameters: `$$`, `$@`, `$?`, ...: no reference.
        Some(&special @ (b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!')) => {
            out.extend_from_slice(&[b'$', special]);
            i + 2
        }
        _ => match name_end(scope, i + 1) {
            Some(end) => {
                out.extend_from_slice(&scope[i..end]);
                slots.push(Some(simple_ref(scope, i..end, i + 1..end)));
                end
            }
            None => {
                out.push(b'$');
                i + 1
            }
        },
    }
}

/// The quote of `range` when one quoted string makes it whole.
fn whole_quote(text: &[u8], range: Range<usize>, escape: u8) -> Option<Quote> {
    if range.len() < 2 {
        return None;
    }
    let open = text[range.start];
    let quote = match open {
        b'"' => Quote::Double,
        b'\'' => Quote::Single,
        _ => return None,
    };
    let mut i = range.start + 1;
    while i < range.end {
        match text[i] {
            byte if byte == open => break,
            byte if byte == escape && open == b'"' => i += 2,
            _ => i += 1,
        }
    }
    (i == range.end - 1).then_some(quote)
}

/// A JSON array of strings (the exec form), decoded; `None` when `text` is not one.
fn json_strings(text: &[u8]) -> Option<Vec<String>> {
    let mut i = skip_json_spaces(text, 0);
    if text.get(i) != Some(&b'[') {
        return None;
    }
    i = skip_json_spaces(text, i + 1);
    let mut strings = Vec::new();
    if text.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            let (string, after) = json_string(text, i)?;
            strings.push(string);
            i = skip_json_spaces(text, after);
            match text.get(i)? {
                b',' => i = skip_json_spaces(text, i + 1),
                b']' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_json_spaces(text, i) == text.len()).then_some(strings)
}

fn json_string(text: &[u8], start: usize) -> Option<(String, usize)> {
    if text.get(start) != Some(&b'"') {
        return None;
    }
    let mut out = Vec::new();
    let mut i = start + 1;
    loop {
        let byte = *text.get(i)?;
        i += 1;
        match byte {
            b'"' => return Some((lossy(&out), i)),
            b'\\' => {
                let escaped = *text.get(i)?;
                i += 1;
                let unescaped = match escaped {
                    b'"' | b'\\' | b'/' => char::from(escaped),
                    b'b' => '\u{8}',
                    b'f' => '\u{C}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let (c, after) = json_unicode(text, i)?;
                        i = after;
                        c
                    }
                    _ => return None,
                };
                let mut buffer = [0; 4];
                out.extend_from_slice(unescaped.encode_utf8(&mut buffer).as_bytes());
            }
            0..=0x1F => return None,
            _ => out.push(byte),
        }
    }
}

/// The character of `\uXXXX` whose hex digits start at `i`, a surrogate pair joined; a lone
/// surrogate reads as U+FFFD, as Go's decoder does.
fn json_unicode(text: &[u8], i: usize) -> Option<(char, usize)> {
    let unit = hex4(text, i)?;
    let after = i + 4;
    if !(0xD800..0xDC00).contains(&unit) {
        return Some((char::from_u32(unit).unwrap_or('\u{FFFD}'), after));
    }
    let low = text[after..]
        .starts_with(b"\\u")
        .then(|| hex4(text, after + 2))
        .flatten()
        .filter(|low| (0xDC00..0xE000).contains(low));
    match low {
        Some(low) => {
            let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            Some((char::from_u32(code).unwrap_or('\u{FFFD}'), after + 6))
        }
        None => Some(('\u{FFFD}', after)),
    }
}

fn hex4(text: &[u8], i: usize) -> Option<u32> {
    let digits = std::str::from_utf8(text.get(i..i + 4)?).ok()?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

fn skip_json_spaces(text: &[u8], from: usize) -> usize {
    from + text[from.min(text.len())..]
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count()
}

/// Docker's blanks: space, tab, `\v`, `\f` and a stray `\r`.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | 0x0B | 0x0C | b'\r')
}

fn skip_spaces(bytes: &[u8], from: usize, end: usize) -> usize {
    bytes[from..end]
        .iter()
        .position(|&b| !is_space(b))
        .map_or(end, |i| from + i)
}

fn skip_until_space(bytes: &[u8], from: usize, end: usize) -> usize {
    bytes[from..end]
        .iter()
        .position(|&b| is_space(b))
        .map_or(end, |i| from + i)
}

fn trim_spaces_end(bytes: &[u8], start: usize, end: usize) -> usize {
    bytes[start..end]
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |i| start + i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::env::tests::line_col;

    fn at(src: &str, span: &Range<usize>) -> String {
        src[span.clone()].to_string()
    }

    fn vars(instruction: &Instruction) -> &[DockerVar] {
        match &instruction.kind {
            InstructionKind::Env(vars) | InstructionKind::Arg(vars) => vars,
            other => panic!("not ENV or ARG: {other:?}"),
        }
    }

    fn run(instruction: &Instruction) -> &Run {
        match &instruction.kind {
            InstructionKind::Run(run) => run,
            other => panic!("not RUN: {other:?}"),
        }
    }

    fn pieces(src: &str, run: &Run) -> Vec<String> {
        run.script
            .iter()
            .map(|piece| {
                assert_eq!(piece.text, at(src, &piece.span));
                piece.text.clone()
            })
            .collect()
    }

    #[test]
    fn env_forms_with_exact_spans_and_positions() {
        let src = "FROM python:3.12\nENV k=v k2=\"v 2\" k3='x $NOPE' k4=a\\ b k5= \\\n    k6=\"${OTHER:-d}/$HOME\"\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors, []);
        let env = &file.instructions[1];
        assert_eq!(env.keyword, "ENV");
        assert_eq!(at(src, &env.span), &src[17..src.len() - 1]);
        // name, name (line, col), text, raw, content, quote, raw (line, col)
        let rows = [
            ("k", (2, 5), "v", "v", "v", Quote::None, (2, 7)),
            (
                "k2",
                (2, 9),
                "v 2",
                "\"v 2\"",
                "v 2",
                Quote::Double,
                (2, 12),
            ),
            (
                "k3",
                (2, 18),
                "x $NOPE",
                "'x $NOPE'",
                "x $NOPE",
                Quote::Single,
                (2, 21),
            ),
            ("k4", (2, 31), "a b", "a\\ b", "a\\ b", Quote::None, (2, 34)),
            ("k5", (2, 39), "", "", "", Quote::None, (2, 42)),
            (
                "k6",
                (3, 5),
                "${OTHER:-d}/$HOME",
                "\"${OTHER:-d}/$HOME\"",
                "${OTHER:-d}/$HOME",
                Quote::Double,
                (3, 8),
            ),
        ];
        let found = vars(env);
        assert_eq!(found.len(), rows.len());
        for (var, (name, name_at, text, raw, content, quote, raw_at)) in found.iter().zip(rows) {
            assert_eq!(var.name, name);
            assert_eq!(at(src, &var.name_span), name);
            assert_eq!(
                line_col(src.as_bytes(), var.name_span.start),
                name_at,
                "{name}"
            );
            let value = var.value.as_ref().unwrap();
            assert_eq!(value.text, text, "{name}");
            assert_eq!(at(src, &value.raw_span), raw, "{name}");
            assert_eq!(at(src, &value.content_span), content, "{name}");
            assert_eq!(value.quote, quote, "{name}");
            assert_eq!(
                line_col(src.as_bytes(), value.raw_span.start),
                raw_at,
                "{name}"
            );
        }
        assert_eq!(found[2].value.as_ref().unwrap().references, []);
        let references = &found[5].value.as_ref().unwrap().references;
        let summary: Vec<_> = references
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    &src[r.span.clone()],
                    r.default.as_deref(),
                    line_col(src.as_bytes(), r.span.start),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("OTHER", "${OTHER:-d}", Some("d"), (3, 9)),
                ("HOME", "$HOME", None, (3, 21)),
            ]
        );
    }

    #[test]
    fn env_references_another_variable() {
        let src =
            "FROM a\nENV OPENAI_API_KEY=$OTHER_KEY\nENV B=\"${KEY:?set it}\" C=\\$LITERAL D=$$\n";
        let file = parse(src.as_bytes());
        let first = &vars(&file.instructions[1])[0];
        let value = first.value.as_ref().unwrap();
        assert_eq!(value.text, "$OTHER_KEY");
        assert_eq!(value.references.len(), 1);
        assert_eq!(value.references[0].name, "OTHER_KEY");
        assert_eq!(at(src, &value.references[0].span), "$OTHER_KEY");
        assert_eq!(
            line_col(src.as_bytes(), value.references[0].span.start),
            (2, 20)
        );
        let more = vars(&file.instructions[2]);
        let required = &more[0].value.as_ref().unwrap().references[0];
        assert!(required.required);
        assert_eq!(required.message.as_deref(), Some("set it"));
        assert_eq!(more[1].value.as_ref().unwrap().text, "$LITERAL");
        assert_eq!(more[1].value.as_ref().unwrap().references, []);
        assert_eq!(more[2].value.as_ref().unwrap().text, "$$");
        assert_eq!(more[2].value.as_ref().unwrap().references, []);
    }

    #[test]
    fn legacy_env_takes_the_rest_of_the_line() {
        let src = "FROM a\nenv  GREETING   hello \"big\"  world  \nENV LONELY\nENV X=1\n";
        let file = parse(src.as_bytes());
        let legacy = &file.instructions[1];
        assert_eq!(legacy.keyword, "ENV");
        assert_eq!(at(src, &legacy.keyword_span), "env");
        let var = &vars(legacy)[0];
        assert_eq!(var.name, "GREETING");
        assert_eq!(line_col(src.as_bytes(), var.name_span.start), (2, 6));
        let value = var.value.as_ref().unwrap();
        assert_eq!(value.text, "hello big  world");
        assert_eq!(at(src, &value.raw_span), "hello \"big\"  world");
        assert_eq!(line_col(src.as_bytes(), value.raw_span.start), (2, 17));
        assert_eq!(value.quote, Quote::None);
        let lonely = &vars(&file.instructions[2])[0];
        assert_eq!((lonely.name.as_str(), &lonely.value), ("LONELY", &None));
        assert_eq!(file.errors.len(), 1);
        assert_eq!(file.errors[0].line, 3);
        assert_eq!(vars(&file.instructions[3])[0].name, "X");
    }

    #[test]
    fn several_names_per_arg() {
        let src = "ARG VERSION=3.12\nFROM python:${VERSION}\nARG A\nARG B=1 C D=\"two words\"\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors, []);
        assert_eq!(file.instructions[0].stage, None);
        assert_eq!(file.instructions[2].stage, Some(0));
        let rows: Vec<(String, (usize, usize), Option<String>)> = [2, 3]
            .iter()
            .flat_map(|&index| vars(&file.instructions[index]))
            .map(|var| {
                (
                    at(src, &var.name_span),
                    line_col(src.as_bytes(), var.name_span.start),
                    var.value.as_ref().map(|v| v.text.clone()),
                )
            })
            .collect();
        let expected = [
            ("A", (3, 5), None),
            ("B", (4, 5), Some("1")),
            ("C", (4, 9), None),
            ("D", (4, 11), Some("two words")),
        ];
        let expected: Vec<(String, (usize, usize), Option<String>)> = expected
            .iter()
            .map(|(name, at, text)| (name.to_string(), *at, text.map(str::to_string)))
            .collect();
        assert_eq!(rows, expected);
        assert_eq!(file.stages[0].base, "python:${VERSION}");
    }

    #[test]
    fn continuation_drops_comment_and_blank_lines() {
        let src = "FROM a\nRUN apt-get update && \\\n    # install curl\n\n    apt-get install -y curl \\  \n && rm -rf /tmp/*\nUSER app\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors, []);
        let instruction = &file.instructions[1];
        let run = run(instruction);
        assert_eq!(
            pieces(src, run),
            [
                "apt-get update && ",
                "    apt-get install -y curl ",
                " && rm -rf /tmp/*"
            ]
        );
        let starts: Vec<(usize, usize)> = run
            .script
            .iter()
            .map(|p| line_col(src.as_bytes(), p.span.start))
            .collect();
        assert_eq!(starts, [(2, 5), (5, 1), (6, 1)]);
        assert_eq!(
            at(src, &instruction.span),
            &src[7..src.find("\nUSER").unwrap()]
        );
        assert_eq!(file.instructions[2].keyword, "USER");
        assert_eq!(
            line_col(src.as_bytes(), file.instructions[2].span.start),
            (7, 1)
        );
    }

    #[test]
    fn escape_directive_switches_to_backtick() {
        let src = "# syntax=docker/dockerfile:1\n#  ESCAPE = `\nFROM mcr.microsoft.com/windows/servercore\nENV TOOLS=C:\\tools `\n    # dropped\n    API=\"a`\"b\"\nRUN dir C:\\ `\n  && echo done\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors, []);
        assert_eq!(file.escape, b'`');
        assert_eq!(file.syntax.as_deref(), Some("docker/dockerfile:1"));
        let env = vars(&file.instructions[1]);
        assert_eq!(env[0].value.as_ref().unwrap().text, "C:\\tools");
        assert_eq!(env[1].name, "API");
        assert_eq!(line_col(src.as_bytes(), env[1].name_span.start), (6, 5));
        assert_eq!(env[1].value.as_ref().unwrap().text, "a\"b");
        assert_eq!(
            pieces(src, run(&file.instructions[2])),
            ["dir C:\\ ", "  && echo done"]
        );
    }

    #[test]
    fn directives_only_at_the_top() {
        let late = parse(b"\n# escape=`\nFROM a\nRUN x `\n");
        assert_eq!(late.escape, b'\\');
        assert_eq!(
            pieces(
                "\n# escape=`\nFROM a\nRUN x `\n",
                run(&late.instructions[1])
            ),
            ["x `"]
        );
        let bad = parse(b"# escape=x\n# escape=`\nFROM a\n");
        let messages: Vec<(usize, &str)> = bad
            .errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert_eq!(
            messages[0],
            (1, "invalid escape character `x`: use \\ or `")
        );
        assert_eq!(
            messages[1],
            (2, "only one `escape` parser directive can be used")
        );
        assert_eq!(bad.instructions.len(), 1);
    }

    #[test]
    fn secret_mount_and_other_flags() {
        let src = "FROM a\nRUN --mount=type=secret,id=openai_api_key,target=/run/secrets/x,required \\\n    --network=none \\\n    OPENAI_API_KEY=$(cat /run/secrets/x) python app.py\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors, []);
        let instruction = &file.instructions[1];
        let run = run(instruction);
        assert!(!run.exec_form);
        let mount = &run.mounts[0];
        assert_eq!(mount.kind, "secret");
        let options: Vec<(&str, &str)> = mount
            .options
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            options,
            [
                ("id", "openai_api_key"),
                ("target", "/run/secrets/x"),
                ("required", "")
            ]
        );
        assert_eq!(mount.option("id"), Some("openai_api_key"));
        assert_eq!(
            at(src, &mount.span),
            "--mount=type=secret,id=openai_api_key,target=/run/secrets/x,required"
        );
        assert_eq!(line_col(src.as_bytes(), mount.span.start), (2, 5));
        let flags: Vec<(&str, Option<&str>, String)> = instruction
            .flags
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_deref(), at(src, &f.span)))
            .collect();
        assert_eq!(
            flags[1],
            ("network", Some("none"), "--network=none".to_string())
        );
        assert_eq!(
            pieces(src, run),
            ["    OPENAI_API_KEY=$(cat /run/secrets/x) python app.py"[4..].to_string()]
        );
        assert_eq!(line_col(src.as_bytes(), run.script[0].span.start), (4, 5));
        let default_kind = parse(b"FROM a\nRUN --mount=target=/x,\"src=a b\" ls\n");
        let mount = &run_of(&default_kind, 1).mounts[0];
        assert_eq!(mount.kind, "bind");
        assert_eq!(mount.option("src"), Some("a b"));
    }

    fn run_of(file: &Dockerfile, index: usize) -> &Run {
        run(&file.instructions[index])
    }

    #[test]
    fn exec_form_is_decoded() {
        let src = "FROM a\nRUN [\"sh\", \"-c\", \\\n  \"echo \\\"$OPENAI_API_KEY\\\" \\u00e9\\ud83d\\ude00\"]\nRUN [not json]\nCMD [\"x\"]\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors, []);
        let exec = run_of(&file, 1);
        assert!(exec.exec_form);
        assert_eq!(exec.exec_args, ["sh", "-c", "echo \"$OPENAI_API_KEY\" é😀"]);
        assert_eq!(
            pieces(src, exec),
            [
                "[\"sh\", \"-c\", ",
                "  \"echo \\\"$OPENAI_API_KEY\\\" \\u00e9\\ud83d\\ude00\"]"
            ]
        );
        let shell = run_of(&file, 2);
        assert!(!shell.exec_form);
        assert_eq!(shell.exec_args, Vec::<String>::new());
        assert_eq!(json_strings(b" [ ] "), Some(vec![]));
        for not_json in [
            &b"[\"a\",]"[..],
            b"[\"a\"] x",
            b"[1]",
            b"[\"\\q\"]",
            b"[\"a",
        ] {
            assert_eq!(json_strings(not_json), None);
        }
    }

    #[test]
    fn heredoc_bodies() {
        let src = "FROM a\nRUN <<EOF\necho hi\nexport OPENAI_API_KEY=abc\nEOF\nRUN <<-\"END\" cat\n\ttabbed\n\tEND\nCOPY <<conf /etc/app.conf\nkey=1\nconf\nRUN python3 <<'PY' && echo done\nprint(1)\nPY\nUSER app\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors, []);
        let keywords: Vec<&str> = file
            .instructions
            .iter()
            .map(|i| i.keyword.as_str())
            .collect();
        assert_eq!(keywords, ["FROM", "RUN", "RUN", "COPY", "RUN", "USER"]);
        let first = run_of(&file, 1);
        let heredoc = &first.heredocs[0];
        assert_eq!(heredoc.delimiter, "EOF");
        assert_eq!(heredoc.body, "echo hi\nexport OPENAI_API_KEY=abc\n");
        assert_eq!(at(src, &heredoc.body_span), heredoc.body);
        assert_eq!(line_col(src.as_bytes(), heredoc.body_span.start), (3, 1));
        assert_eq!(line_col(src.as_bytes(), heredoc.body_span.end), (5, 1));
        assert!(heredoc.expands && !heredoc.strip_tabs);
        assert_eq!(pieces(src, first), ["<<EOF"]);
        assert_eq!(
            at(src, &file.instructions[1].span),
            "RUN <<EOF\necho hi\nexport OPENAI_API_KEY=abc\nEOF"
        );
        let chomped = &run_of(&file, 2).heredocs[0];
        assert_eq!(
            (chomped.delimiter.as_str(), chomped.body.as_str()),
            ("END", "\ttabbed\n")
        );
        assert!(chomped.strip_tabs && !chomped.expands);
        assert_eq!(file.instructions[3].kind, InstructionKind::Other);
        assert_eq!(
            at(src, &file.instructions[3].span),
            "COPY <<conf /etc/app.conf\nkey=1\nconf"
        );
        let python = &run_of(&file, 4).heredocs[0];
        assert_eq!(
            (python.delimiter.as_str(), python.body.as_str()),
            ("PY", "print(1)\n")
        );
        assert_eq!(
            line_col(src.as_bytes(), file.instructions[5].span.start),
            (15, 1)
        );
    }

    #[test]
    fn unterminated_heredoc_is_an_error() {
        let src = "FROM a\nRUN <<EOF\necho hi\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors.len(), 1);
        assert_eq!(file.errors[0].line, 2);
        assert_eq!(at(src, &file.errors[0].span), "<<EOF");
        let heredoc = &run_of(&file, 1).heredocs[0];
        assert_eq!(heredoc.body, "echo hi\n");
        assert_eq!(heredoc.body_span.end, src.len());
        // Not heredocs: quoted, here-strings, exec form.
        let src = "FROM a\nRUN echo \"<<EOF\" && cat <<< x\nRUN [\"cat\", \"<<EOF\"]\nUSER u\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors, []);
        assert_eq!(file.instructions.len(), 4);
    }

    #[test]
    fn stages_with_names() {
        let src = "ARG BASE=alpine\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build\nfrom ${BASE}\nFROM build as Final\nENV A=1\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors, []);
        let stages: Vec<(usize, Option<&str>, &str, String)> = file
            .stages
            .iter()
            .map(|s| {
                (
                    s.index,
                    s.name.as_deref(),
                    s.base.as_str(),
                    at(src, &s.span),
                )
            })
            .collect();
        assert_eq!(
            stages,
            [
                (
                    0,
                    Some("build"),
                    "golang:1.22",
                    "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build".to_string()
                ),
                (1, None, "${BASE}", "from ${BASE}".to_string()),
                (
                    2,
                    Some("Final"),
                    "build",
                    "FROM build as Final\nENV A=1".to_string()
                ),
            ]
        );
        let stage_of: Vec<Option<usize>> = file.instructions.iter().map(|i| i.stage).collect();
        assert_eq!(
            stage_of,
            [None, Some(0), Some(0), Some(1), Some(2), Some(2)]
        );
        let platform = &file.instructions[1].flags[0];
        assert_eq!(
            (platform.name.as_str(), platform.value.as_deref()),
            ("platform", Some("$BUILDPLATFORM"))
        );
        assert_eq!(
            line_col(src.as_bytes(), file.instructions[3].keyword_span.start),
            (4, 1)
        );
        assert_eq!(file.instructions[3].keyword, "FROM");
    }

    #[test]
    fn malformed_lines_are_errors_and_parsing_goes_on() {
        let src = "RUN early\nFROM\nFROM a b\nFROM a\nAPT-GET install\nENV\nENV A=1 B\nENV C=\"open\nARG\nUSER ok\n";
        let file = parse(src.as_bytes());
        let errors: Vec<(usize, &str)> = file
            .errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert_eq!(
            errors,
            [
                (1, "`RUN` before the first FROM: only ARG may come first"),
                (2, "FROM takes `image` or `image AS name`"),
                (3, "FROM takes `image` or `image AS name`"),
                (5, "unknown instruction `APT-GET`"),
                (6, "ENV needs `name=value`"),
                (7, "expected `name=value`, found `B`"),
                (8, "unterminated quote"),
                (9, "ARG needs a name"),
            ]
        );
        assert_eq!(file.instructions.last().unwrap().keyword, "USER");
        assert_eq!(file.stages.len(), 3);
        let open = vars(&file.instructions[7])[0].value.as_ref().unwrap();
        assert_eq!(open.text, "open");
    }

    #[test]
    fn crlf_bom_and_invalid_utf8_keep_offsets() {
        let src = "\u{FEFF}FROM a\r\nENV K=v \\\r\n  L=\"w\"\r\nRUN x \\\r\n  y\r\n";
        let file = parse(src.as_bytes());
        assert_eq!(file.errors, []);
        assert_eq!(at(src, &file.instructions[0].keyword_span), "FROM");
        assert_eq!(file.instructions[0].keyword_span.start, 3);
        let env = vars(&file.instructions[1]);
        assert_eq!(env[0].value.as_ref().unwrap().text, "v");
        assert_eq!(env[1].value.as_ref().unwrap().text, "w");
        assert_eq!(at(src, &env[1].value.as_ref().unwrap().raw_span), "\"w\"");
        assert_eq!(line_col(src.as_bytes(), env[1].name_span.start), (3, 3));
        assert_eq!(pieces(src, run_of(&file, 2)), ["x ", "  y"]);
        assert_eq!(at(src, &file.instructions[2].span), "RUN x \\\r\n  y");

        let bytes: &[u8] = b"FROM a\nENV K=\xff\xfe M=ok\n";
        let file = parse(bytes);
        let env = vars(&file.instructions[1]);
        assert_eq!(env[0].value.as_ref().unwrap().text, "\u{FFFD}\u{FFFD}");
        assert_eq!(env[0].value.as_ref().unwrap().raw_span, 13..15);
        assert_eq!(env[1].name_span, 16..17);
        assert_eq!(line_col(bytes, 16), (2, 10));
    }

    #[test]
    fn empty_and_comment_only_inputs() {
        assert_eq!(parse(b""), Dockerfile::default());
        let file = parse(b"# just a comment\n\n   \n");
        assert_eq!(file.instructions, []);
        assert_eq!(file.errors, []);
        assert_eq!(parse("\u{FEFF}".as_bytes()), Dockerfile::default());
        // Continuation at the end of the file.
        let file = parse(b"FROM a\nRUN x \\\n# c\n");
        assert_eq!(file.instructions[1].span, 7..14);
        // A lone escape line joins the next one.
        let src = "FROM a\n\\\n  USER u\n\\";
        let file = parse(src.as_bytes());
        assert_eq!(file.instructions.len(), 2);
        assert_eq!(at(src, &file.instructions[1].keyword_span), "USER");
        assert_eq!(file.errors, []);
    }

    #[test]
    fn words_and_processing() {
        let text = b"a\\ b \"c d\" 'e f'g \"h\\\"i\"";
        let words: Vec<&[u8]> = split_words(text, 0..text.len(), b'\\')
            .into_iter()
            .map(|w| &text[w])
            .collect();
        assert_eq!(words, [&b"a\\ b"[..], b"\"c d\"", b"'e f'g", b"\"h\\\"i\""]);
        for (raw, text) in [
            ("a\\ b", "a b"),
            ("\"h\\\"i\\n\"", "h\"i\\n"),
            ("'\\$x'", "\\$x"),
            ("${A:-\"x y\"}z", "${A:-x y}z"),
            ("${A#pre}", "${A#pre}"),
            ("$1 $@ $", "$1 $@ $"),
            ("end\\", "end"),
        ] {
            let word = process_word(raw.as_bytes(), 0..raw.len(), b'\\');
            assert_eq!(lossy(&word.text), text, "{raw}");
        }
        let word = process_word(b"${A:-${B}}", 0..10, b'\\');
        let names: Vec<(&str, Option<&str>)> = word
            .references
            .iter()
            .map(|r| (r.name.as_str(), r.default.as_deref()))
            .collect();
        assert_eq!(names, [("A", Some("${B}")), ("B", None)]);
    }

    #[test]
    fn nested_defaults_past_the_limit_stay_text() {
        let depth = MAX_OPEN_REFERENCES + 8;
        let src = format!(
            "FROM a\nENV A={}x{}\n",
            "${B:-".repeat(depth),
            "}".repeat(depth)
        );
        let file = parse(src.as_bytes());
        let value = vars(&file.instructions[1])[0].value.clone().unwrap();
        // Text unchanged; the outer references read, the inner ones left in their words.
        assert_eq!(value.text.len(), src.len() - "FROM a\nENV A=\n".len());
        assert_eq!(value.references.len(), MAX_OPEN_REFERENCES);
        let innermost = value.references.last().unwrap().default.as_deref().unwrap();
        assert_eq!(innermost.matches("${B:-").count(), 8);
        assert!(file.errors.is_empty());
    }

    #[test]
    fn pathological_inputs_stay_linear() {
        let flags = format!("FROM a\nRUN {} x\n", "--a=1 ".repeat(20_000));
        assert_eq!(parse(flags.as_bytes()).instructions[1].flags.len(), 20_000);
        let nested = format!("FROM a\nENV A={}\n", "${A:-\"".repeat(20_000));
        assert_eq!(parse(nested.as_bytes()).instructions.len(), 2);
        let continued = format!("FROM a\nRUN x{}\n", " \\\n# c".repeat(20_000));
        assert_eq!(parse(continued.as_bytes()).instructions.len(), 2);
        let heredocs = format!("FROM a\nRUN {}\n", "<<E ".repeat(5_000));
        assert_eq!(parse(heredocs.as_bytes()).errors.len(), 5_000);
    }
}
