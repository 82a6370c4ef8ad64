//! YAML streams parsed into trees whose every node knows its exact byte span in the source.
//!
//! The events come from `yaml-rust2`'s parser with their markers; this module builds the tree and
//! computes each node's extent from the source text, since events carry only a start. [`parse`]
//! pulls events with `Parser::next_token` into a `MarkedEventReceiver` rather than calling
//! `Parser::load`, which recurses once per nesting level and cannot stop at the first error.
//!
//! What the markers do and do not say, and how this module copes:
//! - `Marker::index` counts characters, and the scanner even adds bytes to it (and to `col`)
//!   after a long block-scalar line holding multibyte text. Offsets are therefore computed from
//!   the marker's line and 0-based character column, which stay right on every line where a token
//!   starts, against a table of line starts built with the scanner's own line breaks
//!   (`\r\n`, `\r`, `\n`).
//! - A block mapping's start event points at its first `:`, an indentless sequence's at the
//!   first item's content, a block scalar's at its first content line. The real start is found
//!   by scanning forward from the end of the previous node over what carries no event
//!   (blanks, comments, anchors, tags, indicators).
//! - Aliases become clones of the anchored node, keeping its spans. Clones are counted and the
//!   parse fails past [`ALIAS_NODE_LIMIT`] nodes or [`ALIAS_EVENT_FACTOR`] times the events seen
//!   so far, whichever is larger (storing an anchored node for later counts too). Nesting deeper
//!   than [`MAX_DEPTH`] fails too, so that dropping or cloning a tree cannot overflow the stack.
//! - Merge keys (`<<: *a`, `<<: [*a, *b]`) are expanded in place of the `<<` entry: explicit
//!   keys win over merged ones, earlier sources over later ones, and merged entries are flagged.
//!   A `<<` whose value is not a mapping or a sequence of mappings stays an ordinary entry.
//!
//! Spans: a plain scalar covers its written text (multi-line ones up to the end of the last
//! line's text); a quoted scalar includes its quotes; a block scalar runs from its `|`/`>` to the
//! end of its last line holding more than blanks. An empty node (`key:`, `- `, an empty
//! document) has an empty span just after its `:` indicator (or where it would stand). A mapping
//! or sequence runs from its first key or item (or `{`/`[`) to the end of its last child (or the
//! closing bracket); a child that is an alias counts with the alias's own text there. Spans never
//! include a node's anchor or tag. Duplicate keys are all kept; [`Node::get`] returns the first.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

/// Alias clones allowed in a stream whatever its size (see [`ALIAS_EVENT_FACTOR`]).
pub const ALIAS_NODE_LIMIT: usize = 100_000;
/// Alias clones allowed per parser event seen so far, when that is more than
/// [`ALIAS_NODE_LIMIT`].
pub const ALIAS_EVENT_FACTOR: usize = 20;
/// Deepest nesting of mappings and sequences accepted, aliases expanded (the scanner itself
/// stops flow collections at 255 levels).
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Byte range in the parsed text.
    pub span: Range<usize>,
    /// `!!name` for YAML's core tags (`!!binary`, also from `!<tag:yaml.org,2002:binary>`),
    /// `!name` for local ones (`!Ref`), else the tag resolved through `%TAG` in full.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Mapping(Vec<Entry>),
    Sequence(Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The scalar's value after YAML processing (quotes removed, escapes processed, folding applied).
    pub text: String,
    pub style: ScalarStyle,
    /// Inside the quotes for quoted scalars; the content lines for block scalars; same as the node span for plain.
    pub content_span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
    /// Came in through a `<<` merge key.
    pub merged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for YamlError {}

impl Node {
    /// The value of the first entry whose key is a scalar with this text.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|entry| &entry.value)
    }

    /// The first entry whose key is a scalar with this text (its key node has the key's span).
    /// Duplicate keys are all kept in [`Node::entries`].
    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        self.entries()
            .iter()
            .find(|entry| entry.key.as_str() == Some(key))
    }

    /// A mapping's entries in source order, merged ones where their `<<` stood; empty otherwise.
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Mapping(entries) => entries,
            _ => &[],
        }
    }

    /// A sequence's items; empty otherwise.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Sequence(items) => items,
            _ => &[],
        }
    }

    /// The scalar's processed text; `None` for mappings and sequences.
    pub fn as_str(&self) -> Option<&str> {
        self.scalar().map(|scalar| scalar.text.as_str())
    }

    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// A plain scalar `""` (nothing written), `~`, `null`, `Null` or `NULL`, untagged or `!!null`.
    pub fn is_null(&self) -> bool {
        let tag_allows = matches!(self.tag.as_deref(), None | Some("!!null"));
        tag_allows
            && self.scalar().is_some_and(|scalar| {
                scalar.style == ScalarStyle::Plain
                    && matches!(scalar.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
            })
    }
}

/// Parses a YAML stream: one root node per document (an empty document is a null plain
/// scalar; a stream with no document at all, such as an empty text, gives none).
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::new(text);
    // A parser that made no progress must not loop forever: a real stream has at most a few
    // events per byte.
    let max_events = text.len().saturating_mul(16).saturating_add(1024);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| scan_error(&e))?;
        if event == Event::StreamEnd {
            break;
        }
        MarkedEventReceiver::on_event(&mut builder, event, mark);
        if let Some(error) = builder.error.take() {
            return Err(error);
        }
        if builder.events > max_events {
            return Err(error_at(
                mark,
                "the YAML parser made no progress".to_string(),
            ));
        }
    }
    if !builder.stack.is_empty() {
        return Err(YamlError {
            message: "unexpected end of the YAML stream".to_string(),
            line: 1,
            column: 1,
        });
    }
    Ok(builder.docs)
}

/// Whether a file is a Go/Helm template rather than YAML, so it should not be parsed as YAML.
///
/// True when, outside comment lines, a line's first non-blank characters (after any `- `) are
/// `{{` (`{{- if }}`, `{{ include ... }}`, a templated key or item), or the value after the
/// line's first `: ` starts with an unquoted `{{` (`replicas: {{ .Values.n }}`). Quoted values (`image: "{{ .Values.image }}"`)
/// and GitHub Actions expressions (`${{ ... }}`) are YAML and do not count. A block scalar
/// whose lines start with `{{` is taken for a template too: the check reads lines, not YAML.
pub fn looks_templated(text: &str) -> bool {
    text.lines().any(|line| {
        let mut rest = line.trim_start();
        if rest.starts_with('#') {
            return false;
        }
        // Sequence indicators: `- {{ ... }}`, `- - {{ ... }}`.
        while let Some(item) = rest.strip_prefix('-') {
            if !item.starts_with([' ', '\t']) {
                break;
            }
            rest = item.trim_start();
        }
        if rest.starts_with("{{") {
            return true;
        }
        // `key: {{ ... }}`: the first `: ` of a line whose key is not quoted.
        if rest.starts_with(['"', '\'']) {
            return false;
        }
        let value = rest
            .find(": ")
            .into_iter()
            .chain(rest.find(":\t"))
            .min()
            .map(|colon| rest[colon + 1..].trim_start());
        value.is_some_and(|value| value.starts_with("{{"))
    })
}

fn scan_error(error: &ScanError) -> YamlError {
    error_at(*error.marker(), error.info().to_string())
}

fn error_at(mark: Marker, message: String) -> YamlError {
    YamlError {
        message,
        line: mark.line().max(1),
        column: mark.col() + 1,
    }
}

/// Byte offsets from the scanner's (1-based line, 0-based character column).
struct Positions<'a> {
    bytes: &'a [u8],
    line_starts: Vec<usize>,
    ascii: bool,
    /// The last conversion on a non-ASCII text: (line, column, byte). Markers arrive mostly in
    /// order, so walking from there keeps long lines linear.
    last: (usize, usize, usize),
}

impl<'a> Positions<'a> {
    fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    line_starts.push(i + 2);
                    i += 2;
                    continue;
                }
                b'\r' | b'\n' => line_starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        Positions {
            bytes,
            line_starts,
            ascii: text.is_ascii(),
            last: (0, 0, 0),
        }
    }

    /// Where line `index` (0-based) ends, before its line break.
    fn line_content_end(&self, index: usize) -> usize {
        match self.line_starts.get(index + 1) {
            Some(&next) => {
                let mut end = next - 1;
                if self.bytes[end] == b'\n'
                    && end > self.line_starts[index]
                    && self.bytes[end - 1] == b'\r'
                {
                    end -= 1;
                }
                end
            }
            None => self.bytes.len(),
        }
    }

    fn byte(&mut self, mark: Marker) -> usize {
        let line = mark.line();
        if line == 0 || line > self.line_starts.len() {
            return self.bytes.len();
        }
        let start = self.line_starts[line - 1];
        let end = self.line_content_end(line - 1);
        let column = mark.col();
        if self.ascii {
            return (start + column).min(end);
        }
        let (last_line, last_column, last_byte) = self.last;
        let (mut at_column, mut at) = if last_line == line && last_column <= column {
            (last_column, last_byte)
        } else {
            (0, start)
        };
        while at_column < column && at < end {
            at += utf8_len(self.bytes[at]);
            at_column += 1;
        }
        let at = at.min(end);
        self.last = (line, at_column, at);
        at
    }
}

fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_flow_indicator(byte: u8) -> bool {
    matches!(byte, b',' | b'[' | b']' | b'{' | b'}')
}

fn tag_text(tag: Option<Tag>) -> Option<String> {
    const CORE: &str = "tag:yaml.org,2002:";
    tag.map(|Tag { handle, suffix }| {
        if handle == CORE {
            format!("!!{suffix}")
        } else if handle.is_empty() && suffix.len() > CORE.len() && suffix.starts_with(CORE) {
            format!("!!{}", &suffix[CORE.len()..])
        } else {
            format!("{handle}{suffix}")
        }
    })
}

fn is_merge_key(node: &Node) -> bool {
    matches!(node.tag.as_deref(), None | Some("!!merge"))
        && node
            .scalar()
            .is_some_and(|s| s.style == ScalarStyle::Plain && s.text == "<<")
}

/// The mappings a `<<` value merges in, or `None` when it is not a mapping or a sequence of
/// mappings.
fn merge_sources(value: Node) -> Result<Vec<Vec<Entry>>, Node> {
    match value.value {
        Value::Mapping(entries) => Ok(vec![entries]),
        Value::Sequence(items)
            if items
                .iter()
                .all(|item| matches!(item.value, Value::Mapping(_))) =>
        {
            Ok(items
                .into_iter()
                .map(|item| match item.value {
                    Value::Mapping(entries) => entries,
                    _ => Vec::new(),
                })
                .collect())
        }
        other => Err(Node {
            value: other,
            ..value
        }),
    }
}

/// Replaces each `<<` entry by the entries it merges in.
fn expand_merges(entries: Vec<Entry>) -> Vec<Entry> {
    let mut seen: HashSet<String> = entries
        .iter()
        .filter(|entry| !is_merge_key(&entry.key))
        .filter_map(|entry| entry.key.as_str().map(str::to_string))
        .collect();
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        if !is_merge_key(&entry.key) {
            out.push(entry);
            continue;
        }
        let Entry { key, value, merged } = entry;
        match merge_sources(value) {
            Ok(sources) => {
                for source in sources {
                    for merged_entry in source {
                        if let Some(text) = merged_entry.key.as_str() {
                            if !seen.insert(text.to_string()) {
                                continue;
                            }
                        }
                        out.push(Entry {
                            merged: true,
                            ..merged_entry
                        });
                    }
                }
            }
            Err(value) => out.push(Entry { key, value, merged }),
        }
    }
    out
}

enum FrameKind {
    Mapping {
        entries: Vec<Entry>,
        key: Option<Node>,
        has_merge: bool,
    },
    Sequence(Vec<Node>),
}

struct Frame {
    kind: FrameKind,
    start: usize,
    /// Opened with `{` or `[`.
    flow: bool,
    anchor: usize,
    tag: Option<String>,
    /// Nodes in this subtree, itself included (an overestimate once merges are expanded).
    size: usize,
    /// Deepest child.
    depth: usize,
}

struct Anchored {
    node: Node,
    size: usize,
    depth: usize,
}

/// Builds the tree from marked events; usable with `Parser::load`, though [`parse`] drives the
/// parser itself to stop at the first error.
struct Builder<'a> {
    text: &'a str,
    positions: Positions<'a>,
    docs: Vec<Node>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    /// Everything before this byte belongs to events already handled.
    cursor: usize,
    events: usize,
    cloned: usize,
    error: Option<YamlError>,
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        self.events += 1;
        if self.error.is_none() {
            self.handle(event, mark);
        }
    }
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        Builder {
            text,
            positions: Positions::new(text),
            docs: Vec::new(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            cursor: 0,
            events: 0,
            cloned: 0,
            error: None,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn advance(&mut self, to: usize) {
        self.cursor = self.cursor.max(to.min(self.text.len()));
    }

    fn fail(&mut self, mark: Marker, message: String) {
        if self.error.is_none() {
            self.error = Some(error_at(mark, message));
        }
    }

    fn clone_limit(&self) -> usize {
        ALIAS_NODE_LIMIT.max(ALIAS_EVENT_FACTOR.saturating_mul(self.events))
    }

    fn handle(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart => {
                self.anchors.clear();
                self.stack.clear();
                let at = self.positions.byte(mark);
                if self.text[at..].starts_with("---") {
                    self.advance(at + 3);
                }
            }
            Event::DocumentEnd => {
                let at = self.positions.byte(mark);
                if self.text[at..].starts_with("...") {
                    self.advance(at + 3);
                }
            }
            Event::Alias(id) => {
                let at = self.positions.byte(mark);
                self.before_child(at);
                let Some((size, depth)) = self.anchors.get(&id).map(|a| (a.size, a.depth)) else {
                    self.fail(
                        mark,
                        "alias refers to a node that is not complete yet (a recursive alias)"
                            .to_string(),
                    );
                    return;
                };
                if self.stack.len() + depth > MAX_DEPTH {
                    self.fail(
                        mark,
                        format!("alias expansion nests deeper than {MAX_DEPTH} levels"),
                    );
                    return;
                }
                if !self.charge_clone(size, mark) {
                    return;
                }
                let node = match self.anchors.get(&id) {
                    Some(anchored) => anchored.node.clone(),
                    None => return,
                };
                let end = self.alias_end(at);
                self.advance(end);
                self.finish(node, size, depth);
            }
            Event::Scalar(text, style, anchor, tag) => {
                let at = self.positions.byte(mark);
                self.before_child(at);
                let (span, content_span) = match style {
                    TScalarStyle::Plain if text.is_empty() => {
                        let at = self.empty_position(at);
                        (at..at, at..at)
                    }
                    TScalarStyle::Plain => {
                        let span = at..self.plain_end(at, &text);
                        (span.clone(), span)
                    }
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                        self.quoted_spans(at, style == TScalarStyle::SingleQuoted)
                    }
                    TScalarStyle::Literal | TScalarStyle::Folded => self.block_spans(at, &text),
                };
                self.advance(span.end);
                let style = match style {
                    TScalarStyle::Plain => ScalarStyle::Plain,
                    TScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    TScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    TScalarStyle::Literal => ScalarStyle::Literal,
                    TScalarStyle::Folded => ScalarStyle::Folded,
                };
                let node = Node {
                    value: Value::Scalar(Scalar {
                        text,
                        style,
                        content_span,
                    }),
                    span,
                    tag: tag_text(tag),
                };
                self.complete(node, anchor, 1, 1, mark);
            }
            Event::SequenceStart(anchor, tag) => {
                let at = self.positions.byte(mark);
                self.before_child(at);
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(mark, format!("YAML nests deeper than {MAX_DEPTH} levels"));
                    return;
                }
                let bytes = self.bytes();
                let first = self.skip_trivia(self.cursor, at);
                let (start, flow) = if first < bytes.len()
                    && bytes[first] == b'-'
                    && bytes.get(first + 1).is_none_or(|&b| is_space(b) || b == 0)
                {
                    (first, false)
                } else if first == at && bytes.get(at) == Some(&b'[') {
                    (at, true)
                } else {
                    (first, false)
                };
                // A block sequence's first `-` is left for its first item to consume.
                self.advance(if flow { start + 1 } else { start });
                self.stack.push(Frame {
                    kind: FrameKind::Sequence(Vec::new()),
                    start,
                    flow,
                    anchor,
                    tag: tag_text(tag),
                    size: 1,
                    depth: 0,
                });
            }
            Event::MappingStart(anchor, tag) => {
                let at = self.positions.byte(mark);
                self.before_child(at);
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(mark, format!("YAML nests deeper than {MAX_DEPTH} levels"));
                    return;
                }
                // A block mapping's marker is its first `:` and an implicit one's (`[a: b]`)
                // follows its first `:`: both start at their first key. A `{` starts a flow one.
                let first = self.skip_trivia(self.cursor, at);
                let flow = first == at && self.bytes().get(at) == Some(&b'{');
                self.advance(if flow { at + 1 } else { first });
                self.stack.push(Frame {
                    kind: FrameKind::Mapping {
                        entries: Vec::new(),
                        key: None,
                        has_merge: false,
                    },
                    start: first,
                    flow,
                    anchor,
                    tag: tag_text(tag),
                    size: 1,
                    depth: 0,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    self.fail(mark, "unbalanced YAML collection end".to_string());
                    return;
                };
                let closer = match frame.kind {
                    FrameKind::Sequence(_) => b']',
                    FrameKind::Mapping { .. } => b'}',
                };
                let end = if frame.flow {
                    let at = self.positions.byte(mark);
                    if self.bytes().get(at) == Some(&closer) {
                        at + 1
                    } else {
                        self.cursor
                    }
                } else {
                    self.cursor
                };
                let end = end.max(frame.start);
                self.advance(end);
                let value = match frame.kind {
                    FrameKind::Sequence(items) => Value::Sequence(items),
                    FrameKind::Mapping {
                        mut entries,
                        key,
                        has_merge,
                    } => {
                        if let Some(key) = key {
                            // The parser always pairs keys with values; keep a lone key anyway.
                            let at = key.span.end;
                            entries.push(Entry {
                                key,
                                value: empty_node(at),
                                merged: false,
                            });
                        }
                        if has_merge {
                            entries = expand_merges(entries);
                        }
                        Value::Mapping(entries)
                    }
                };
                let node = Node {
                    value,
                    span: frame.start..end,
                    tag: frame.tag,
                };
                self.complete(node, frame.anchor, frame.size, frame.depth + 1, mark);
            }
        }
    }

    /// Counts `size` cloned nodes against the limit; false (with the error set) past it.
    fn charge_clone(&mut self, size: usize, mark: Marker) -> bool {
        let limit = self.clone_limit();
        self.cloned = self.cloned.saturating_add(size);
        if self.cloned > limit {
            self.fail(
                mark,
                format!("alias expansion is too large (more than {limit} nodes cloned)"),
            );
            return false;
        }
        true
    }

    /// Registers an anchor, then hands the node to its parent.
    fn complete(&mut self, node: Node, anchor: usize, size: usize, depth: usize, mark: Marker) {
        if anchor > 0 {
            if !self.charge_clone(size, mark) {
                return;
            }
            self.anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    size,
                    depth,
                },
            );
        }
        self.finish(node, size, depth);
    }

    fn finish(&mut self, node: Node, size: usize, depth: usize) {
        let Some(top) = self.stack.last_mut() else {
            self.docs.push(node);
            return;
        };
        top.size = top.size.saturating_add(size);
        top.depth = top.depth.max(depth);
        match &mut top.kind {
            FrameKind::Sequence(items) => items.push(node),
            FrameKind::Mapping {
                entries,
                key,
                has_merge,
            } => match key.take() {
                Some(key) => entries.push(Entry {
                    key,
                    value: node,
                    merged: false,
                }),
                None => {
                    *has_merge |= is_merge_key(&node);
                    *key = Some(node);
                }
            },
        }
    }

    /// Before a node of a block sequence, consume its `-`.
    fn before_child(&mut self, at: usize) {
        let in_block_sequence = self
            .stack
            .last()
            .is_some_and(|top| !top.flow && matches!(top.kind, FrameKind::Sequence(_)));
        if in_block_sequence {
            let first = self.skip_trivia(self.cursor, at);
            if first < at && self.bytes()[first] == b'-' {
                self.advance(first + 1);
            }
        }
    }

    fn in_value_position(&self) -> bool {
        self.stack
            .last()
            .is_some_and(|top| matches!(top.kind, FrameKind::Mapping { key: Some(_), .. }))
    }

    /// Skips what carries no event between `from` and `limit`: blanks, line breaks, comments,
    /// anchors, tags, the indicators `:` `?` `,`, document markers and directives. Stops at
    /// anything else (a `-` included) and never passes `limit`.
    fn skip_trivia(&self, from: usize, limit: usize) -> usize {
        let bytes = self.bytes();
        let limit = limit.min(bytes.len());
        let mut i = from.min(limit);
        while i < limit {
            let at_line_start = i == 0 || matches!(bytes[i - 1], b'\n' | b'\r');
            match bytes[i] {
                b' ' | b'\t' | b'\r' | b'\n' | b',' => i += 1,
                // Indicators, not the start of a plain key such as `:x` or `?x`.
                b':' | b'?'
                    if bytes
                        .get(i + 1)
                        .is_none_or(|&b| is_space(b) || is_flow_indicator(b) || b == 0) =>
                {
                    i += 1
                }
                b'#' => {
                    while i < limit && !matches!(bytes[i], b'\n' | b'\r') {
                        i += 1;
                    }
                }
                b'&' | b'!' => {
                    while i < limit && !is_space(bytes[i]) && !is_flow_indicator(bytes[i]) {
                        i += 1;
                    }
                }
                b'%' if at_line_start => {
                    while i < limit && !matches!(bytes[i], b'\n' | b'\r') {
                        i += 1;
                    }
                }
                b'-' | b'.'
                    if at_line_start
                        && (self.text[i..].starts_with("---")
                            || self.text[i..].starts_with("..."))
                        && bytes.get(i + 3).is_none_or(|&b| is_space(b)) =>
                {
                    i = (i + 3).min(limit);
                }
                _ => break,
            }
        }
        i
    }

    /// Where an empty node stands: just after the `:` of its entry when it is a mapping value,
    /// else at the end of what came before.
    fn empty_position(&self, at: usize) -> usize {
        let bytes = self.bytes();
        let from = self.cursor.min(bytes.len());
        if self.in_value_position() {
            let mut i = from;
            while i < at && matches!(bytes[i], b' ' | b'\t') {
                i += 1;
            }
            // In a flow mapping the marker is the `:` itself.
            if i <= at && bytes.get(i) == Some(&b':') {
                return i + 1;
            }
        }
        from
    }

    /// The end of a plain scalar starting at `start` whose folded value is `value`: the source
    /// and the value hold the same characters once YAML whitespace is set aside.
    fn plain_end(&self, start: usize, value: &str) -> usize {
        let rest = &self.text[start..];
        let mut source = rest.char_indices();
        let mut end = start;
        for wanted in value.chars() {
            if matches!(wanted, ' ' | '\t' | '\r' | '\n') {
                continue;
            }
            loop {
                match source.next() {
                    Some((_, ' ' | '\t' | '\r' | '\n')) => {}
                    Some((i, found)) if found == wanted => {
                        end = start + i + found.len_utf8();
                        break;
                    }
                    _ => return self.first_line_end(start),
                }
            }
        }
        if end == start {
            self.first_line_end(start)
        } else {
            end
        }
    }

    /// Fallback end: the rest of the line, before a comment, without trailing blanks.
    fn first_line_end(&self, start: usize) -> usize {
        let bytes = self.bytes();
        let mut end = start;
        while end < bytes.len() && !matches!(bytes[end], b'\n' | b'\r' | 0) {
            if bytes[end] == b'#' && end > start && matches!(bytes[end - 1], b' ' | b'\t') {
                break;
            }
            end += 1;
        }
        while end > start && matches!(bytes[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        end
    }

    fn quoted_spans(&self, start: usize, single: bool) -> (Range<usize>, Range<usize>) {
        let bytes = self.bytes();
        let quote = if single { b'\'' } else { b'"' };
        if bytes.get(start) != Some(&quote) {
            let end = self.first_line_end(start);
            return (start..end, start..end);
        }
        let mut i = start + 1;
        let close = loop {
            match bytes.get(i) {
                None => break None,
                Some(b'\\') if !single => i += 2,
                Some(&b) if b == quote => {
                    if single && bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                    } else {
                        break Some(i);
                    }
                }
                Some(_) => i += 1,
            }
        };
        match close {
            Some(close) => (start..close + 1, start + 1..close),
            None => {
                let end = self.first_line_end(start);
                (start..end, (start + 1).min(end)..end)
            }
        }
    }

    /// A block scalar's spans. `at` is its marker: the first content character, or, with no
    /// content line, the indicator or whatever follows the scalar.
    fn block_spans(&self, at: usize, value: &str) -> (Range<usize>, Range<usize>) {
        let bytes = self.bytes();
        let found = self.skip_trivia(self.cursor, at);
        // Without its indicator found (never seen), the scalar starts at its marker.
        let (indicator, header_end) = if found < bytes.len() && matches!(bytes[found], b'|' | b'>')
        {
            let mut end = found + 1;
            while end < bytes.len() && matches!(bytes[end], b'+' | b'-' | b'0'..=b'9') {
                end += 1;
            }
            (found, end)
        } else {
            (at, at)
        };
        let has_content = value.chars().any(|c| c != '\n');
        if !has_content || at < header_end {
            return (indicator..header_end, header_end..header_end);
        }
        // The marker stands at the block's indentation on its first content line: the
        // characters before it on that line are spaces.
        let mut line_start = at;
        while line_start > 0 && bytes[line_start - 1] == b' ' {
            line_start -= 1;
        }
        let indent = at - line_start;
        let line_end = |from: usize| {
            let mut i = from;
            while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r' | 0) {
                i += 1;
            }
            i
        };
        let next_line = |end: usize| match bytes.get(end) {
            Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => Some(end + 2),
            Some(b'\r' | b'\n') => Some(end + 1),
            _ => None,
        };
        let mut last_end = line_end(at);
        let mut next = next_line(last_end);
        while let Some(start) = next {
            let mut first = start;
            while first < bytes.len() && bytes[first] == b' ' {
                first += 1;
            }
            match bytes.get(first) {
                None | Some(0) => break,
                Some(b'\n' | b'\r') => {
                    next = next_line(first);
                    continue;
                }
                Some(_) => {}
            }
            if first - start < indent {
                break;
            }
            if indent == 0
                && self.text[start..].starts_with("...")
                && bytes.get(start + 3).is_none_or(|&b| is_space(b) || b == 0)
            {
                break;
            }
            let end = line_end(first);
            if bytes[first..end]
                .iter()
                .any(|&b| !matches!(b, b' ' | b'\t'))
            {
                last_end = end;
            }
            next = next_line(end);
        }
        (indicator..last_end, at..last_end)
    }

    /// The end of an alias's own text `*name`.
    fn alias_end(&self, at: usize) -> usize {
        let bytes = self.bytes();
        if bytes.get(at) != Some(&b'*') {
            return at;
        }
        let mut end = at + 1;
        while end < bytes.len()
            && !is_space(bytes[end])
            && !is_flow_indicator(bytes[end])
            && bytes[end] != 0
        {
            end += 1;
        }
        end
    }
}

fn empty_node(at: usize) -> Node {
    Node {
        value: Value::Scalar(Scalar {
            text: String::new(),
            style: ScalarStyle::Plain,
            content_span: at..at,
        }),
        span: at..at,
        tag: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// 1-based line and character column of a byte offset, lines split at `\n`.
    fn lc(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        (line, column)
    }

    fn src<'t>(text: &'t str, node: &Node) -> &'t str {
        &text[node.span.clone()]
    }

    fn content<'t>(text: &'t str, node: &Node) -> &'t str {
        &text[node.scalar().expect("a scalar").content_span.clone()]
    }

    fn one(text: &str) -> Node {
        let mut docs = parse(text).expect("valid YAML");
        assert_eq!(docs.len(), 1, "one document");
        docs.remove(0)
    }

    /// Every span in a tree is a valid range on character boundaries.
    fn check_spans(text: &str, node: &Node) {
        assert!(
            node.span.start <= node.span.end && node.span.end <= text.len(),
            "{node:?}"
        );
        assert!(text.is_char_boundary(node.span.start) && text.is_char_boundary(node.span.end));
        match &node.value {
            Value::Scalar(scalar) => {
                let span = &scalar.content_span;
                assert!(span.start <= span.end && span.end <= text.len(), "{node:?}");
                assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                let written = &text[node.span.clone()];
                let visible = |s: &str| -> String {
                    s.chars().filter(|c| !c.is_ascii_whitespace()).collect()
                };
                match scalar.style {
                    ScalarStyle::Plain => {
                        assert_eq!(visible(written), visible(&scalar.text), "{text:?}")
                    }
                    ScalarStyle::SingleQuoted => assert!(
                        written.len() >= 2 && written.starts_with('\'') && written.ends_with('\'')
                    ),
                    ScalarStyle::DoubleQuoted => assert!(
                        written.len() >= 2 && written.starts_with('"') && written.ends_with('"')
                    ),
                    ScalarStyle::Literal | ScalarStyle::Folded => {
                        assert!(written.starts_with(['|', '>']), "{text:?}")
                    }
                }
            }
            Value::Mapping(entries) => entries.iter().for_each(|entry| {
                check_spans(text, &entry.key);
                check_spans(text, &entry.value);
            }),
            Value::Sequence(items) => items.iter().for_each(|item| check_spans(text, item)),
        }
    }

    #[test]
    fn plain_scalars_and_keys() {
        let text = "key: value  # a comment\nother: two words\n";
        let root = one(text);
        assert_eq!(
            src(text, &root),
            "key: value  # a comment\nother: two words"
        );
        let entry = root.get_entry("key").unwrap();
        assert_eq!(src(text, &entry.key), "key");
        assert_eq!(lc(text, entry.key.span.start), (1, 1));
        assert_eq!(src(text, &entry.value), "value");
        assert_eq!(lc(text, entry.value.span.start), (1, 6));
        assert_eq!(entry.value.scalar().unwrap().style, ScalarStyle::Plain);
        assert_eq!(content(text, &entry.value), "value");
        let other = root.get("other").unwrap();
        assert_eq!(other.as_str(), Some("two words"));
        assert_eq!(src(text, other), "two words");
        assert_eq!(lc(text, other.span.start), (2, 8));
        assert_eq!(root.entries().len(), 2);
        assert!(root.get("missing").is_none());
        assert!(root.items().is_empty());
        assert_eq!(root.as_str(), None);
    }

    #[test]
    fn single_quoted() {
        let text = "a: 'it''s here' # note\n";
        let value = one(text).get("a").cloned().unwrap();
        assert_eq!(value.as_str(), Some("it's here"));
        assert_eq!(src(text, &value), "'it''s here'");
        assert_eq!(content(text, &value), "it''s here");
        assert_eq!(value.scalar().unwrap().style, ScalarStyle::SingleQuoted);
        assert_eq!(lc(text, value.span.start), (1, 4));
    }

    #[test]
    fn double_quoted_with_escapes() {
        let text = "a: \"tab\\there \\\"q\\\" \\u00e9\"\nb: \"\"\n";
        let root = one(text);
        let a = root.get("a").unwrap();
        assert_eq!(a.as_str(), Some("tab\there \"q\" \u{e9}"));
        assert_eq!(src(text, a), "\"tab\\there \\\"q\\\" \\u00e9\"");
        assert_eq!(content(text, a), "tab\\there \\\"q\\\" \\u00e9");
        assert_eq!(a.scalar().unwrap().style, ScalarStyle::DoubleQuoted);
        let b = root.get("b").unwrap();
        assert_eq!(src(text, b), "\"\"");
        assert_eq!(content(text, b), "");
        assert_eq!(lc(text, b.span.start), (2, 4));
    }

    #[test]
    fn literal_block_with_strip() {
        let text = "script: |-  # run\n  echo one\n    echo two\n\nnext: x\n";
        let root = one(text);
        let script = root.get("script").unwrap();
        assert_eq!(script.as_str(), Some("echo one\n  echo two"));
        assert_eq!(script.scalar().unwrap().style, ScalarStyle::Literal);
        assert_eq!(src(text, script), "|-  # run\n  echo one\n    echo two");
        assert_eq!(content(text, script), "echo one\n    echo two");
        assert_eq!(lc(text, script.span.start), (1, 9));
        assert_eq!(
            lc(text, script.scalar().unwrap().content_span.start),
            (2, 3)
        );
        assert_eq!(src(text, root.get("next").unwrap()), "x");
    }

    #[test]
    fn folded_keep_and_indentation_indicator() {
        let text = "folded: >+\n  a\n  b\n\nlit: |2\n    indented\n  base\nempty: |\nend: 1\n";
        let root = one(text);
        let folded = root.get("folded").unwrap();
        assert_eq!(folded.as_str(), Some("a b\n\n"));
        assert_eq!(folded.scalar().unwrap().style, ScalarStyle::Folded);
        assert_eq!(src(text, folded), ">+\n  a\n  b");
        assert_eq!(content(text, folded), "a\n  b");
        let lit = root.get("lit").unwrap();
        assert_eq!(lit.as_str(), Some("  indented\nbase\n"));
        assert_eq!(src(text, lit), "|2\n    indented\n  base");
        assert_eq!(content(text, lit), "  indented\n  base");
        assert_eq!(lc(text, lit.span.start), (5, 6));
        let empty = root.get("empty").unwrap();
        assert_eq!(empty.as_str(), Some(""));
        assert_eq!(src(text, empty), "|");
        assert_eq!(content(text, empty), "");
        assert!(!empty.is_null());
        assert_eq!(src(text, root.get("end").unwrap()), "1");
    }

    #[test]
    fn block_scalar_at_end_without_newline_and_in_sequences() {
        let text = "- |\n  one\n  two\n- >-\n  three\n  four";
        let root = one(text);
        let items = root.items();
        assert_eq!(items.len(), 2);
        assert_eq!(src(text, &items[0]), "|\n  one\n  two");
        assert_eq!(items[0].as_str(), Some("one\ntwo\n"));
        assert_eq!(src(text, &items[1]), ">-\n  three\n  four");
        assert_eq!(items[1].as_str(), Some("three four"));
        assert_eq!(src(text, &root), text);
    }

    #[test]
    fn multi_line_plain_scalar() {
        let text = "desc: first line\n  second line   \n\n  third # comment\nk: v\n";
        let root = one(text);
        let desc = root.get("desc").unwrap();
        assert_eq!(desc.as_str(), Some("first line second line\nthird"));
        assert_eq!(src(text, desc), "first line\n  second line   \n\n  third");
        assert_eq!(content(text, desc), src(text, desc));
        assert_eq!(lc(text, desc.span.end), (4, 8));
    }

    #[test]
    fn flow_collections() {
        let text = "env: {A: 1, B: \"two\", C: }\nlist: [x, 'y', [z], {k: v}]\njson: {\"a\":[1,{\"b\":2}]}\n";
        let root = one(text);
        let env = root.get("env").unwrap();
        assert_eq!(src(text, env), "{A: 1, B: \"two\", C: }");
        let b = env.get_entry("B").unwrap();
        assert_eq!(src(text, &b.key), "B");
        assert_eq!(lc(text, b.key.span.start), (1, 13));
        assert_eq!(src(text, &b.value), "\"two\"");
        let c = env.get("C").unwrap();
        assert!(c.is_null());
        assert_eq!(lc(text, c.span.start), (1, 25));
        let list = root.get("list").unwrap();
        assert_eq!(src(text, list), "[x, 'y', [z], {k: v}]");
        let items = list.items();
        assert_eq!(items.len(), 4);
        assert_eq!(src(text, &items[1]), "'y'");
        assert_eq!(src(text, &items[2]), "[z]");
        assert_eq!(src(text, &items[3]), "{k: v}");
        assert_eq!(lc(text, items[3].span.start), (2, 21));
        let json = root.get("json").unwrap();
        assert_eq!(src(text, json), "{\"a\":[1,{\"b\":2}]}");
        let a = json.get("a").unwrap();
        assert_eq!(src(text, a), "[1,{\"b\":2}]");
        assert_eq!(src(text, &a.items()[1]), "{\"b\":2}");
        assert_eq!(src(text, a.items()[1].get("b").unwrap()), "2");
    }

    #[test]
    fn implicit_pair_in_flow_sequence() {
        let text = "pairs: [a: b, c]\n";
        let pairs = one(text).get("pairs").cloned().unwrap();
        assert_eq!(src(text, &pairs), "[a: b, c]");
        let pair = &pairs.items()[0];
        assert_eq!(src(text, pair), "a: b");
        assert_eq!(src(text, pair.get("a").unwrap()), "b");
        assert_eq!(src(text, &pairs.items()[1]), "c");
    }

    #[test]
    fn nested_block_mappings_and_sequences() {
        let text = "\
services:
  web:
    image: nginx
    environment:
      - A=1
      -   B=2
    ports:
    - \"80:80\"
  db:
    image: postgres
";
        let root = one(text);
        assert_eq!(src(text, &root), text.trim_end());
        let services = root.get("services").unwrap();
        assert_eq!(lc(text, services.span.start), (2, 3));
        assert!(src(text, services).starts_with("web:\n"));
        assert!(src(text, services).ends_with("image: postgres"));
        let web = services.get("web").unwrap();
        assert_eq!(
            src(text, web),
            &text[text.find("image: nginx").unwrap()..text.find("\n  db:").unwrap()]
        );
        let env = web.get("environment").unwrap();
        assert_eq!(src(text, env), "- A=1\n      -   B=2");
        assert_eq!(src(text, &env.items()[1]), "B=2");
        assert_eq!(lc(text, env.items()[1].span.start), (6, 11));
        let ports = web.get("ports").unwrap();
        assert_eq!(src(text, ports), "- \"80:80\"");
        assert_eq!(lc(text, ports.span.start), (8, 5));
        let db_key = &services.entries()[1].key;
        assert_eq!(src(text, db_key), "db");
        assert_eq!(lc(text, db_key.span.start), (9, 3));
    }

    #[test]
    fn sequences_of_mappings_and_empty_items() {
        let text = "- name: a\n  value: b\n-\n- - x\n  - y\n";
        let root = one(text);
        let items = root.items();
        assert_eq!(items.len(), 3);
        assert_eq!(src(text, &items[0]), "name: a\n  value: b");
        assert!(items[1].is_null());
        assert_eq!(items[1].span, 22..22);
        assert_eq!(src(text, &items[2]), "- x\n  - y");
        assert_eq!(src(text, &items[2].items()[1]), "y");
    }

    #[test]
    fn multi_document_stream_and_empty_documents() {
        let text = "a: 1\n---\n---\nb: 2\n...\n--- |\n  text\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 4);
        assert_eq!(src(text, &docs[0]), "a: 1");
        assert!(docs[1].is_null());
        assert_eq!(docs[1].span, 8..8);
        assert_eq!(src(text, docs[2].get("b").unwrap()), "2");
        assert_eq!(lc(text, docs[2].span.start), (4, 1));
        assert_eq!(src(text, &docs[3]), "|\n  text");
        assert_eq!(docs[3].as_str(), Some("text\n"));
        assert!(parse("").unwrap().is_empty());
        assert!(parse("# only a comment\n").unwrap().is_empty());
        let empty = parse("---\n").unwrap();
        assert_eq!(empty.len(), 1);
        assert!(empty[0].is_null());
    }

    #[test]
    fn multibyte_text_keeps_byte_offsets() {
        let text = "名前: \"値\"\nキー: 値段 です # 注\nblock: |\n  ünïcödé text that is longer than sixteen chars ✓✓✓\n  ✓ second\nafter: é ok\nlist: [α, β]\n";
        let root = one(text);
        let name = root.get_entry("名前").unwrap();
        assert_eq!(src(text, &name.key), "名前");
        assert_eq!(src(text, &name.value), "\"値\"");
        assert_eq!(lc(text, name.value.span.start), (1, 5));
        let key = root.get("キー").unwrap();
        assert_eq!(src(text, key), "値段 です");
        assert_eq!(lc(text, key.span.start), (2, 5));
        let block = root.get("block").unwrap();
        assert_eq!(
            src(text, block),
            "|\n  ünïcödé text that is longer than sixteen chars ✓✓✓\n  ✓ second"
        );
        // After a long multibyte block line the scanner's own index and column are off.
        let after = root.get_entry("after").unwrap();
        assert_eq!(src(text, &after.key), "after");
        assert_eq!(src(text, &after.value), "é ok");
        assert_eq!(lc(text, after.value.span.start), (6, 8));
        let list = root.get("list").unwrap();
        assert_eq!(src(text, list), "[α, β]");
        assert_eq!(src(text, &list.items()[1]), "β");
        assert_eq!(lc(text, list.items()[1].span.start), (7, 11));
    }

    #[test]
    fn crlf_line_endings() {
        let text = "a: 1\r\nb: |\r\n  x\r\n  y\r\nc: two\r\n  lines\r\n";
        let root = one(text);
        assert_eq!(src(text, root.get("b").unwrap()), "|\r\n  x\r\n  y");
        assert_eq!(root.get("b").unwrap().as_str(), Some("x\ny\n"));
        assert_eq!(src(text, root.get("c").unwrap()), "two\r\n  lines");
        assert_eq!(src(text, &root), text.trim_end());
    }

    #[test]
    fn anchors_and_aliases() {
        let text = "base: &b\n  x: 1\n  y: [a, b]\ncopy: *b\nlist: [*b, *b]\nscalar: &s hello\nagain: *s\n";
        let root = one(text);
        let base = root.get("base").unwrap();
        assert_eq!(src(text, base), "x: 1\n  y: [a, b]");
        let copy = root.get("copy").unwrap();
        assert_eq!(copy, base);
        assert_eq!(copy.span, base.span);
        assert_eq!(root.get("list").unwrap().items()[1], *base);
        assert_eq!(src(text, root.get("list").unwrap()), "[*b, *b]");
        let again = root.get("again").unwrap();
        assert_eq!(src(text, again), "hello");
        assert_eq!(again.as_str(), Some("hello"));
        // The enclosing mapping ends at the alias's own text.
        assert_eq!(src(text, &root), text.trim_end());
    }

    #[test]
    fn merge_keys() {
        let text = "\
a: &a {x: 1, y: 2}
b: &b {y: 3, z: 4}
one:
  <<: *a
  x: 9
list:
  <<: [*a, *b]
  w: 0
";
        let root = one(text);
        let one_ = root.get("one").unwrap();
        let keys: Vec<_> = one_
            .entries()
            .iter()
            .map(|e| e.key.as_str().unwrap())
            .collect();
        assert_eq!(keys, ["y", "x"]);
        let x = one_.get_entry("x").unwrap();
        assert_eq!(x.value.as_str(), Some("9"));
        assert!(!x.merged);
        let y = one_.get_entry("y").unwrap();
        assert!(y.merged);
        assert_eq!(src(text, &y.value), "2");
        assert_eq!(lc(text, y.value.span.start), (1, 17));
        assert_eq!(src(text, one_), "<<: *a\n  x: 9");
        let list = root.get("list").unwrap();
        let got: Vec<_> = list
            .entries()
            .iter()
            .map(|e| (e.key.as_str().unwrap(), e.value.as_str().unwrap(), e.merged))
            .collect();
        assert_eq!(
            got,
            [
                ("x", "1", true),
                ("y", "2", true),
                ("z", "4", true),
                ("w", "0", false)
            ]
        );
        assert!(list.get("<<").is_none());
        // A quoted "<<" is an ordinary key; a scalar value is not merged.
        let plain = one("\"<<\": *x\n<<: 3\n".replace("*x", "1").as_str());
        assert_eq!(plain.entries().len(), 2);
        assert!(plain.get("<<").is_some());
    }

    #[test]
    fn compose_extension_block_merged_into_services() {
        let text = "\
x-env: &env
  environment:
    LOG_LEVEL: info
    OPENAI_API_KEY: sk-test-123
  restart: always
services:
  api:
    <<: *env
    image: api:1
  worker:
    <<: *env
    restart: \"no\"
    image: worker:1
";
        let root = one(text);
        let services = root.get("services").unwrap();
        for name in ["api", "worker"] {
            let service = services.get(name).unwrap();
            let environment = service.get_entry("environment").unwrap();
            assert!(environment.merged);
            let key = environment.value.get("OPENAI_API_KEY").unwrap();
            assert_eq!(src(text, key), "sk-test-123");
            assert_eq!(lc(text, key.span.start), (4, 21));
            assert!(service.get("image").is_some());
        }
        let worker = services.get("worker").unwrap();
        let restart = worker.get_entry("restart").unwrap();
        assert!(!restart.merged);
        assert_eq!(restart.value.as_str(), Some("no"));
        assert_eq!(
            worker
                .entries()
                .iter()
                .filter(|e| e.key.as_str() == Some("restart"))
                .count(),
            1
        );
        let api = services.get("api").unwrap();
        assert_eq!(api.get("restart").unwrap().as_str(), Some("always"));
        assert_eq!(src(text, api), "<<: *env\n    image: api:1");
    }

    #[test]
    fn null_and_empty_string() {
        let text = "A:\nB: \"\"\nC: ~\nD: null\nE: ''\nF: NULL\nG: !!str\n";
        let root = one(text);
        let a = root.get("A").unwrap();
        assert!(a.is_null());
        assert_eq!(a.as_str(), Some(""));
        assert_eq!(a.span, 2..2);
        assert!(!root.get("B").unwrap().is_null());
        assert_eq!(root.get("B").unwrap().as_str(), Some(""));
        assert!(root.get("C").unwrap().is_null());
        assert!(root.get("D").unwrap().is_null());
        assert!(!root.get("E").unwrap().is_null());
        assert!(root.get("F").unwrap().is_null());
        assert!(!root.get("G").unwrap().is_null());
        assert_eq!(root.get("G").unwrap().tag.as_deref(), Some("!!str"));
    }

    #[test]
    fn tags() {
        let text = "data: !!binary aGVsbG8=\nref: !Ref Name\nmap: !custom\n  k: v\nverbatim: !<tag:yaml.org,2002:str> 5\n";
        let root = one(text);
        let data = root.get("data").unwrap();
        assert_eq!(data.tag.as_deref(), Some("!!binary"));
        assert_eq!(src(text, data), "aGVsbG8=");
        assert_eq!(root.get("ref").unwrap().tag.as_deref(), Some("!Ref"));
        let map = root.get("map").unwrap();
        assert_eq!(map.tag.as_deref(), Some("!custom"));
        assert_eq!(src(text, map), "k: v");
        assert_eq!(root.get("verbatim").unwrap().tag.as_deref(), Some("!!str"));
        assert_eq!(root.get_entry("data").unwrap().key.tag, None);
    }

    #[test]
    fn billion_laughs_fails_fast() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for pair in names.windows(2) {
            let refs = vec![format!("*{}", pair[0]); 9].join(",");
            text.push_str(&format!("{0}: &{0} [{1}]\n", pair[1], refs));
        }
        let started = Instant::now();
        let error = parse(&text).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert!(
            error.message.starts_with("alias expansion is too large"),
            "{error}"
        );
        assert!(error.line >= 2 && error.line <= 9);

        // The same through merge keys.
        let mut text = String::from("a: &a {x: 1, y: 2}\n");
        for pair in names.windows(2) {
            let refs = vec![format!("{{k{0}: *{1}}}", 0, pair[0]); 1].join(",");
            text.push_str(&format!(
                "{0}: &{0} [{1}, *{2}, *{2}, *{2}, *{2}, *{2}, *{2}, *{2}, *{2}, *{2}]\n",
                pair[1], refs, pair[0]
            ));
        }
        let started = Instant::now();
        assert!(parse(&text).is_err());
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn recursive_alias_and_deep_nesting_fail_cleanly() {
        let error = parse("a: &a [1, *a]\n").unwrap_err();
        assert!(error.message.contains("recursive alias"), "{error}");
        assert_eq!((error.line, error.column), (1, 11));
        // The scanner caps flow nesting (255 levels) itself; block nesting is capped here.
        assert!(parse(&"[".repeat(100_000)).is_err());
        let deep = format!("{}x\n", "- ".repeat(100_000));
        let error = parse(&deep).unwrap_err();
        assert!(error.message.contains("deeper"), "{error}");
        let ok = format!("{}x\n", "- ".repeat(MAX_DEPTH - 1));
        let docs = parse(&ok).unwrap();
        assert_eq!(docs[0].span, 0..ok.len() - 1);
        // Aliases cannot stack nesting past the limit either.
        let half = MAX_DEPTH / 2 + 2;
        let text = format!(
            "a: &a {}{}\nb: {}*a{}\n",
            "[".repeat(half),
            "]".repeat(half),
            "[".repeat(half),
            "]".repeat(half)
        );
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("deeper"), "{error}");
    }

    #[test]
    fn alias_to_another_document_is_an_error() {
        assert!(parse("a: &x 1\n---\nb: *x\n").is_err());
    }

    #[test]
    fn malformed_yaml_reports_line_and_column() {
        let error = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(!error.message.is_empty());
        assert_eq!((error.line, error.column), (3, 2));
        let error = parse("key: value\n  bad: indent\n").unwrap_err();
        assert_eq!((error.line, error.column), (2, 6));
        let error = parse("a: \"unterminated\n").unwrap_err();
        assert_eq!((error.line, error.column), (1, 4));
        let error = parse("a: 1\na: *missing\n").unwrap_err();
        assert_eq!((error.line, error.column), (2, 4));
        assert!(error.to_string().contains("line 2 column 4"));
    }

    #[test]
    fn never_panics_on_mangled_input() {
        let corpus = [
            "services:\n  web:\n    image: \"x\"\n    environment:\n      - A=1\n",
            "a: |-\n  text ✓\n  more\nb: >\n  folded\n",
            "x: &a {k: [1, 2, 'q']}\ny: *a\nz:\n  <<: *a\n",
            "--- !!map\n? complex\n: value\n...\n%YAML 1.2\n---\n- [a: b]\n",
            "名前: 値\n  cont\n\"q\": 'it''s'\n",
        ];
        let noise = [
            "\n", " ", "\t", ":", "-", "|", ">", "'", "\"", "[", "]", "{", "}", "#", "&", "*", "!",
            "?", ",", "é", "\r", "\0", "---", "<<: ",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..3000 {
            let base = corpus[round % corpus.len()];
            let mut chars: Vec<String> = base.chars().map(String::from).collect();
            for _ in 0..(1 + next() % 4) {
                let at = (next() as usize) % (chars.len() + 1);
                let piece = noise[(next() as usize) % noise.len()].to_string();
                match next() % 3 {
                    0 if at < chars.len() => chars[at] = piece,
                    1 if at < chars.len() => {
                        chars.remove(at);
                    }
                    _ => chars.insert(at, piece),
                }
            }
            let text: String = chars.concat();
            if let Ok(docs) = parse(&text) {
                docs.iter().for_each(|doc| check_spans(&text, doc));
            }
        }
    }

    #[test]
    fn templated_files() {
        let helm = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include \"app.fullname\" . }}
spec:
  {{- if .Values.replicas }}
  replicas: {{ .Values.replicas }}
  {{- end }}
";
        assert!(looks_templated(helm));
        assert!(looks_templated("data:\n  {{ .Values.key }}: value\n"));
        assert!(looks_templated("args:\n  - {{ .Values.arg }}\n"));
        let manifest = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    note: \"rendered by {{ .Release.Name }}\"
spec:
  containers:
    - name: web
      image: \"{{ .Values.image }}\"
      env:
        - name: MSG
          value: 'a: {{ x }}'
# {{ a comment }}
";
        assert!(!looks_templated(manifest));
        assert!(parse(manifest).is_ok());
        let workflow = "on: push\njobs:\n  build:\n    runs-on: ${{ matrix.os }}\n    steps:\n      - run: echo ${{ secrets.TOKEN }}\n";
        assert!(!looks_templated(workflow));
    }
}
