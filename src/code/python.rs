//! The Python front-end: parses a file with tree-sitter-python and fills `CodeFacts`.
//!
//! Two linear passes over the tree, both with an explicit stack (no recursion over the tree, so
//! a deeply nested or 5 MB single-line file cannot overflow the stack):
//! 1. `prepare` learns the file's imports, `requests.Session()`/`httpx.Client()` objects and
//!    whether their headers are configured, file handles (`with open(p) as f`), and names
//!    assigned URL strings;
//! 2. `visit` records strings, environment reads, headers, requests, clients, assignments,
//!    dotenv loads and log calls.
//!
//! Subtrees under ERROR nodes are skipped; the first syntax error sets `parse_error`.
//! Expressions are judged to a bounded depth (`MAX_EXPR_DEPTH`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Parser};

use super::facts::{
    names_a_mock, Assignment, Client, CodeFacts, DotenvLoad, EnvRead, Expr, Header, HeaderSource,
    LogCall, Request, StringKind, StringLit, StringPart,
};

/// How deep `expr` and URL resolution look into nested expressions.
const MAX_EXPR_DEPTH: usize = 48;

/// Deepest bracket nesting parsed. The walks do not recurse, but a file nesting deeper than
/// any real code spends seconds building and walking its tree: it is scanned as text only.
const MAX_NESTING: usize = 256;

/// SDK client classes (the last segment of the callee).
pub(crate) const CLIENTS: &[&str] = &[
    "OpenAI",
    "AsyncOpenAI",
    "AzureOpenAI",
    "AsyncAzureOpenAI",
    "Anthropic",
    "AsyncAnthropic",
    "ChatOpenAI",
    "OpenAIEmbeddings",
    "AzureChatOpenAI",
    "AzureOpenAIEmbeddings",
    "ChatAnthropic",
    "Groq",
    "AsyncGroq",
    "ChatGroq",
];

/// Keyword arguments carrying the key of an SDK client.
const KEY_KWARGS: &[&str] = &[
    "api_key",
    "openai_api_key",
    "anthropic_api_key",
    "groq_api_key",
];

/// Keyword arguments giving a client a token instead of a key (Azure Entra ID).
const TOKEN_KWARGS: &[&str] = &["azure_ad_token", "azure_ad_token_provider"];

/// Keyword arguments carrying the endpoint of an SDK client.
const BASE_KWARGS: &[&str] = &[
    "base_url",
    "openai_api_base",
    "azure_endpoint",
    "api_base",
    "anthropic_api_url",
];

/// Keyword arguments whose dict literal is a header dict.
const HEADER_KWARGS: &[&str] = &["headers", "extra_headers", "default_headers"];

/// HTTP methods of `requests`, `httpx` and sessions; `request` and `stream` take the method
/// first and the URL second.
const HTTP_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
];

/// Constructors of session/client objects whose methods send requests.
const SESSION_CTORS: &[&str] = &[
    "requests.Session",
    "requests.session",
    "requests.sessions.Session",
    "httpx.Client",
    "httpx.AsyncClient",
    "aiohttp.ClientSession",
];

/// Header names recognised in any dict literal (lowercase).
const KNOWN_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "api-key",
    "x-api-key",
    "openai-organization",
    "openai-project",
    "openai-beta",
    "anthropic-version",
    "anthropic-beta",
    "ocp-apim-subscription-key",
    "content-type",
    "user-agent",
];

const LOG_LEVELS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "fatal",
    "log",
];

/// Keyword arguments of print/log calls that are not printed.
const NOT_PRINTED: &[&str] = &[
    "sep",
    "end",
    "file",
    "flush",
    "exc_info",
    "stack_info",
    "stacklevel",
];

/// Methods whose arguments are certificates or private keys (or their paths).
const TLS_CALLS: &[&str] = &[
    "load_cert_chain",
    "load_verify_locations",
    "ssl_channel_credentials",
    "create_default_context",
    "wrap_socket",
];

/// Keyword arguments that take certificates or private keys (or their paths).
const TLS_KWARGS: &[&str] = &[
    "cert",
    "certfile",
    "keyfile",
    "cafile",
    "cadata",
    "ssl_context",
    "ssl_certfile",
    "ssl_keyfile",
    "ssl_ca_certs",
    "client_cert",
    "private_key",
    "certificate_chain",
    "root_certificates",
];

/// The facts of one Python file.
pub fn facts(source: &[u8]) -> CodeFacts {
    facts_with_statements(source).0
}

/// The facts of one Python file and the spans of its top-level statements (what the
/// `top_level` indices count).
pub(crate) fn facts_with_statements(source: &[u8]) -> (CodeFacts, Vec<Range<usize>>) {
    facts_of_parts(source, None)
}

/// The facts of the parts of a Python file that `regions` keeps (see `regions::python`), or of
/// all of it when the parts do not parse on their own.
pub fn facts_in(source: &[u8], regions: Option<&[Range<usize>]>) -> CodeFacts {
    if regions.is_some_and(<[_]>::is_empty) {
        return CodeFacts::default();
    }
    let (facts, _) = facts_of_parts(source, regions);
    if regions.is_some() && facts.parse_error.is_some() {
        return facts_with_statements(source).0;
    }
    facts
}

fn facts_of_parts(
    source: &[u8],
    regions: Option<&[Range<usize>]>,
) -> (CodeFacts, Vec<Range<usize>>) {
    let failed = |message: &str| CodeFacts {
        parse_error: Some(message.to_string()),
        ..CodeFacts::default()
    };
    if nests_too_deep(source) {
        let message = format!("nesting deeper than {MAX_NESTING} levels");
        return (failed(&message), Vec::new());
    }
    let mut parser = Parser::new();
    let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
    if parser.set_language(&language).is_err() {
        return (failed("the Python grammar could not be loaded"), Vec::new());
    }
    if let Some(regions) = regions {
        let ranges = super::regions::tree_sitter_ranges(source, regions);
        if parser.set_included_ranges(&ranges).is_err() {
            return (failed("the parts to parse are out of order"), Vec::new());
        }
    }
    let Some(tree) = parser.parse(source, None) else {
        return (failed("the Python parser gave up"), Vec::new());
    };
    let root = tree.root_node();
    let statements: Vec<Range<usize>> = top_statements(root)
        .iter()
        .map(|node| node.byte_range())
        .collect();
    let mut py = Py::new(source);
    walk(root, |node, ctx| py.prepare(node, ctx));
    walk(root, |node, ctx| py.visit(node, ctx));
    let mut facts = py.facts;
    if root.has_error() {
        facts.parse_error = Some(format!("syntax error at line {}", first_error_line(root)));
    }
    (facts, statements)
}

/// Whether brackets nest deeper than `MAX_NESTING` outside comments and strings.
fn nests_too_deep(source: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(&c) = source.get(at) {
        at += 1;
        match c {
            b'#' => {
                while source.get(at).is_some_and(|c| *c != b'\n') {
                    at += 1;
                }
            }
            b'\'' | b'"' => {
                let triple = source.get(at..at + 2) == Some(&[c, c][..]);
                if triple {
                    at += 2;
                }
                while let Some(&d) = source.get(at) {
                    at += 1;
                    if d == b'\\' {
                        at += 1;
                    } else if d == b'\n' && !triple {
                        break;
                    } else if d == c && (!triple || source.get(at..at + 2) == Some(&[c, c][..])) {
                        at += if triple { 2 } else { 0 };
                        break;
                    }
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return true;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Where a node stands: the enclosing `def` and the top-level statement index.
#[derive(Debug, Clone, Copy, Default)]
struct Ctx {
    function: Option<(usize, usize)>,
    top: Option<usize>,
}

impl Ctx {
    fn function(&self) -> Option<Range<usize>> {
        self.function.map(|(start, end)| start..end)
    }
}

/// The module's statements (comments are not statements).
fn top_statements(root: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|child| child.kind_name() != "comment")
        .collect()
}

/// Preorder walk with an explicit stack; `visit` returns whether to descend.
fn walk<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>, Ctx) -> bool) {
    let mut stack: Vec<(Node<'t>, Ctx)> = top_statements(root)
        .into_iter()
        .enumerate()
        .map(|(index, node)| {
            let ctx = Ctx {
                function: None,
                top: Some(index),
            };
            (node, ctx)
        })
        .collect();
    stack.reverse();
    let mut cursor = root.walk();
    while let Some((node, ctx)) = stack.pop() {
        if !visit(node, ctx) {
            continue;
        }
        let inner = match node.kind_name() {
            "function_definition" => Ctx {
                function: Some((node.start_byte(), node.end_byte())),
                top: None,
            },
            "class_definition" => Ctx { top: None, ..ctx },
            _ => ctx,
        };
        let first = stack.len();
        stack.extend(node.named_children(&mut cursor).map(|child| (child, inner)));
        stack[first..].reverse();
    }
}

/// The 1-based line of the first ERROR or MISSING node.
fn first_error_line(root: Node<'_>) -> usize {
    let mut node = root;
    let mut cursor = root.walk();
    loop {
        if node.is_error() || node.is_missing() {
            return node.start_position().row + 1;
        }
        let next = node
            .children(&mut cursor)
            .find(|child| child.is_error() || child.is_missing() || child.has_error());
        match next {
            Some(child) => node = child,
            None => return node.start_position().row + 1,
        }
    }
}

/// A string literal's content: text runs (escapes processed) and interpolations.
enum Piece<'t> {
    Text(String, Range<usize>),
    Interpolation(Node<'t>),
}

/// A name assigned a URL: (assignment offset, URL text, complete).
type UrlBinding = (usize, String, bool);

/// A keyword argument of a call.
#[derive(Clone, Copy)]
struct Keyword<'t, 's> {
    /// The `keyword_argument` node.
    node: Node<'t>,
    name: &'s str,
    name_node: Node<'t>,
    value: Node<'t>,
}

struct Args<'t, 's> {
    positional: Vec<Node<'t>>,
    keywords: Vec<Keyword<'t, 's>>,
}

impl<'t, 's> Args<'t, 's> {
    fn keyword(&self, names: &[&str]) -> Option<Node<'t>> {
        self.keywords
            .iter()
            .find(|kw| names.contains(&kw.name))
            .map(|kw| kw.value)
    }
}

kind_names!(tree_sitter_python::LANGUAGE);

struct Py<'s> {
    src: &'s [u8],
    /// Local name -> dotted path it stands for (`np` -> `numpy`, `getenv` -> `os.getenv`).
    imports: HashMap<String, String>,
    /// Session/client objects by path, and whether their constructor was given headers/auth.
    sessions: HashMap<String, bool>,
    /// Objects whose `.headers`/`.auth` are set or updated somewhere in the file.
    configured: HashSet<String>,
    /// Names bound to open files.
    file_handles: HashSet<String>,
    /// (function start or None, name) -> (assignment offset, URL text, complete).
    urls: HashMap<(Option<usize>, String), Vec<UrlBinding>>,
    /// Dict literals / `dict(...)` calls that are header dicts by where they stand.
    header_dicts: HashSet<usize>,
    /// Subscripts that are written or deleted, not read.
    write_targets: HashSet<usize>,
    /// Names and attributes stripped (`raw.strip()`): (path, where).
    strips: Vec<(String, usize)>,
    facts: CodeFacts,
}

impl<'s> Py<'s> {
    fn new(src: &'s [u8]) -> Self {
        Py {
            src,
            imports: HashMap::new(),
            sessions: HashMap::new(),
            configured: HashSet::new(),
            file_handles: HashSet::new(),
            urls: HashMap::new(),
            header_dicts: HashSet::new(),
            write_targets: HashSet::new(),
            strips: Vec::new(),
            facts: CodeFacts::default(),
        }
    }

    // ----- small helpers -------------------------------------------------------------------

    fn text(&self, node: Node<'_>) -> &'s str {
        std::str::from_utf8(&self.src[node.byte_range()]).unwrap_or("")
    }

    fn lossy(&self, node: Node<'_>) -> String {
        String::from_utf8_lossy(&self.src[node.byte_range()]).into_owned()
    }

    /// `a.b.c` as segments, when the node is an identifier or a chain of attributes on one.
    fn path(&self, node: Node<'_>) -> Option<Vec<&'s str>> {
        let mut parts = Vec::new();
        let mut node = node;
        loop {
            match node.kind_name() {
                "identifier" => {
                    parts.push(self.text(node));
                    break;
                }
                "attribute" => {
                    parts.push(self.text(node.field("attribute")?));
                    node = node.field("object")?;
                }
                _ => return None,
            }
            if parts.len() > 64 {
                return None;
            }
        }
        parts.reverse();
        Some(parts)
    }

    fn path_string(&self, node: Node<'_>) -> Option<String> {
        self.path(node).map(|parts| parts.join("."))
    }

    /// The path with its first segment resolved through the imports.
    fn canon(&self, node: Node<'_>) -> Option<String> {
        let parts = self.path(node)?;
        let first = self.imports.get(parts[0]).map_or(parts[0], String::as_str);
        let mut out = first.to_string();
        for part in &parts[1..] {
            out.push('.');
            out.push_str(part);
        }
        Some(out)
    }

    fn args<'t>(&self, call: Node<'t>) -> Args<'t, 's> {
        let mut args = Args {
            positional: Vec::new(),
            keywords: Vec::new(),
        };
        let Some(list) = call.field("arguments") else {
            return args;
        };
        if list.kind_name() != "argument_list" {
            args.positional.push(list);
            return args;
        }
        let mut cursor = list.walk();
        for child in list.named_children(&mut cursor) {
            match child.kind_name() {
                "comment" => {}
                "keyword_argument" => {
                    if let (Some(name), Some(value)) = (child.field("name"), child.field("value")) {
                        args.keywords.push(Keyword {
                            node: child,
                            name: self.text(name),
                            name_node: name,
                            value,
                        });
                    }
                }
                _ => args.positional.push(child),
            }
        }
        args
    }

    // ----- string literals -----------------------------------------------------------------

    /// The prefix letters (lowercase) and the content range of a `string` node.
    fn string_frame(&self, node: Node<'_>) -> (String, Range<usize>) {
        let span = node.byte_range();
        let mut start = span.start;
        let mut end = span.end;
        let mut prefix = String::new();
        if let Some(first) = node.child(0) {
            if first.kind_name() == "string_start" {
                start = first.end_byte();
                prefix = self
                    .text(first)
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
            }
        }
        let count = node.child_count();
        if count > 0 {
            if let Some(last) = node.child(count - 1) {
                if last.kind_name() == "string_end" {
                    end = last.start_byte();
                }
            }
        }
        (prefix, start..end.max(start))
    }

    fn pieces<'t>(&self, node: Node<'t>) -> (StringKind, Vec<Piece<'t>>) {
        let (prefix, content) = self.string_frame(node);
        let raw = prefix.contains('r');
        let interpolated = prefix.contains('f') || prefix.contains('t');
        let bytes = prefix.contains('b');
        let kind = if interpolated {
            StringKind::Interpolated
        } else if raw {
            StringKind::Raw
        } else {
            StringKind::Plain
        };
        let mut pieces = Vec::new();
        let mut at = content.start;
        let push_text = |pieces: &mut Vec<Piece<'t>>, from: usize, to: usize| {
            if from < to {
                let text = unescape(&self.src[from..to], raw, interpolated, bytes);
                pieces.push(Piece::Text(text, from..to));
            }
        };
        if interpolated {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                if child.kind_name() == "interpolation" {
                    push_text(&mut pieces, at, child.start_byte().min(content.end));
                    pieces.push(Piece::Interpolation(child));
                    at = child.end_byte();
                }
            }
        }
        push_text(&mut pieces, at, content.end);
        (kind, pieces)
    }

    fn interpolation_code(&self, node: Node<'_>) -> String {
        match node.field("expression") {
            Some(expression) => self.lossy(expression),
            None => {
                let text = self.lossy(node);
                text.trim_start_matches('{')
                    .trim_end_matches('}')
                    .trim()
                    .to_string()
            }
        }
    }

    fn string_lit(&self, node: Node<'_>) -> StringLit {
        let (kind, pieces) = self.pieces(node);
        let parts = pieces
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text, span) => StringPart::Text { text, span },
                Piece::Interpolation(child) => StringPart::Interpolation {
                    code: self.interpolation_code(child),
                    span: child.byte_range(),
                },
            })
            .collect();
        StringLit {
            span: node.byte_range(),
            kind,
            parts,
        }
    }

    /// A `string` or an implicit concatenation `"a" "b"` as one literal.
    fn literal(&self, node: Node<'_>) -> Option<StringLit> {
        match node.kind_name() {
            "string" => Some(self.string_lit(node)),
            "concatenated_string" => {
                let mut cursor = node.walk();
                let strings: Vec<StringLit> = node
                    .named_children(&mut cursor)
                    .filter(|child| child.kind_name() == "string")
                    .map(|child| self.string_lit(child))
                    .collect();
                let kind = if strings.iter().any(|s| s.kind == StringKind::Interpolated) {
                    StringKind::Interpolated
                } else if strings.iter().all(|s| s.kind == StringKind::Raw) {
                    StringKind::Raw
                } else {
                    StringKind::Plain
                };
                Some(StringLit {
                    span: node.byte_range(),
                    kind,
                    parts: strings.into_iter().flat_map(|s| s.parts).collect(),
                })
            }
            _ => None,
        }
    }

    /// The value of a literal that interpolates nothing.
    fn plain_text(&self, node: Node<'_>) -> Option<String> {
        self.literal(node)?.text()
    }

    /// A header name written as a string literal: the name and the span of its text.
    fn key_name(&self, node: Node<'_>) -> Option<(String, Range<usize>)> {
        let name = self.plain_text(node)?;
        let span = if node.kind_name() == "string" {
            self.string_frame(node).1
        } else {
            node.byte_range()
        };
        Some((name, span))
    }

    // ----- expressions ---------------------------------------------------------------------

    fn env_read(&self, node: Node<'_>) -> Option<EnvRead> {
        match node.kind_name() {
            "subscript" => {
                let value = node.field("value")?;
                if self.canon(value)? != "os.environ" {
                    return None;
                }
                let name = self.plain_text(node.field("subscript")?)?;
                Some(EnvRead {
                    name,
                    span: node.byte_range(),
                    how: self.text(value).to_string(),
                })
            }
            "call" => {
                let function = node.field("function")?;
                let canon = self.canon(function)?;
                if !matches!(
                    canon.as_str(),
                    "os.getenv" | "os.environ.get" | "os.environ.__getitem__" | "decouple.config"
                ) {
                    return None;
                }
                let args = self.args(node);
                let arg = args
                    .positional
                    .first()
                    .copied()
                    .or_else(|| args.keyword(&["key", "option"]))?;
                let name = self.plain_text(arg)?;
                Some(EnvRead {
                    name,
                    span: node.byte_range(),
                    how: self.text(function).to_string(),
                })
            }
            _ => None,
        }
    }

    /// Whether `.read()` on this node reads a file: `open(p)`, `Path(p).open()`, or a name
    /// bound to an open file.
    fn is_file(&self, node: Node<'_>) -> bool {
        match node.kind_name() {
            "call" => self.opens_file(node),
            "identifier" | "attribute" => self
                .path_string(node)
                .is_some_and(|path| self.file_handles.contains(&path)),
            "parenthesized_expression" => unparen(node).is_some_and(|inner| self.is_file(inner)),
            _ => false,
        }
    }

    fn opens_file(&self, call: Node<'_>) -> bool {
        let Some(function) = call.field("function") else {
            return false;
        };
        if let Some(canon) = self.canon(function) {
            if matches!(canon.as_str(), "open" | "io.open" | "codecs.open") {
                return true;
            }
        }
        function.kind_name() == "attribute"
            && function
                .field("attribute")
                .is_some_and(|attr| self.text(attr) == "open")
    }

    fn expr(&self, node: Node<'_>, depth: usize) -> Expr {
        let span = node.byte_range();
        if depth > MAX_EXPR_DEPTH {
            return Expr::Other { span };
        }
        match node.kind_name() {
            "string" | "concatenated_string" => match self.literal(node) {
                Some(lit) => Expr::Str(lit),
                None => Expr::Other { span },
            },
            "parenthesized_expression" => match unparen(node) {
                Some(inner) => self.expr(inner, depth + 1),
                None => Expr::Other { span },
            },
            "identifier" | "attribute" => match self.path(node) {
                Some(parts) => Expr::Name {
                    path: parts.join("."),
                    span,
                },
                None => Expr::Other { span },
            },
            "subscript" => {
                if let Some(read) = self.env_read(node) {
                    return Expr::Env(read);
                }
                let sliced = node
                    .field("subscript")
                    .is_some_and(|sub| sub.kind_name() == "slice");
                if sliced {
                    Expr::Partial { span }
                } else {
                    Expr::Other { span }
                }
            }
            "call" => self.call_expr(node, depth),
            "binary_operator" => self.binary_expr(node, depth),
            // `a or b`: either operand may be the value.
            "boolean_operator" if operator(node) == Some("or") => {
                let operands = ["left", "right"].map(|field| node.field(field));
                self.alternatives(operands, span, depth)
            }
            // `x if c else y`: the first and last operands are the values.
            "conditional_expression" => {
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                if children.len() != 3 {
                    return Expr::Other { span };
                }
                self.alternatives([Some(children[0]), Some(children[2])], span, depth)
            }
            _ => Expr::Other { span },
        }
    }

    /// The options of a fallback, nested fallbacks flattened (`a or b or c`: three options).
    fn alternatives(
        &self,
        operands: [Option<Node<'_>>; 2],
        span: Range<usize>,
        depth: usize,
    ) -> Expr {
        let [Some(first), Some(second)] = operands else {
            return Expr::Other { span };
        };
        Expr::alternatives(
            [first, second].map(|operand| self.expr(operand, depth + 1)),
            span,
        )
    }

    fn call_expr(&self, node: Node<'_>, depth: usize) -> Expr {
        let span = node.byte_range();
        if let Some(read) = self.env_read(node) {
            return Expr::Env(read);
        }
        let Some(function) = node.field("function") else {
            return Expr::Other { span };
        };
        if function.kind_name() != "attribute" {
            if self.canon(function).as_deref() == Some("len") {
                return Expr::Partial { span };
            }
            return Expr::Other { span };
        }
        let (Some(object), Some(method)) = (function.field("object"), function.field("attribute"))
        else {
            return Expr::Other { span };
        };
        match self.text(method) {
            "format" => {
                if let Some(template) = self.literal(object) {
                    let args = self.args(node);
                    let args = args
                        .positional
                        .iter()
                        .copied()
                        .chain(args.keywords.iter().map(|kw| kw.value))
                        .map(|arg| self.expr(arg, depth + 1))
                        .collect();
                    return Expr::Format {
                        template,
                        args,
                        span,
                    };
                }
            }
            "read" | "readline" if self.is_file(object) => {
                return Expr::FileRead {
                    stripped: false,
                    span,
                };
            }
            "read_text" | "read_bytes" => {
                return Expr::FileRead {
                    stripped: false,
                    span,
                };
            }
            "strip" | "rstrip" | "lstrip" => {
                if let Expr::FileRead { .. } = self.expr(object, depth + 1) {
                    return Expr::FileRead {
                        stripped: true,
                        span,
                    };
                }
            }
            "replace" => {
                let removes_newline = self.args(node).positional.first().is_some_and(|arg| {
                    self.plain_text(*arg)
                        .is_some_and(|text| text.contains('\n') || text.contains('\r'))
                });
                if removes_newline {
                    if let Expr::FileRead { .. } = self.expr(object, depth + 1) {
                        return Expr::FileRead {
                            stripped: true,
                            span,
                        };
                    }
                }
            }
            _ => {}
        }
        Expr::Other { span }
    }

    fn binary_expr(&self, node: Node<'_>, depth: usize) -> Expr {
        let span = node.byte_range();
        match operator(node) {
            Some("+") => concatenation(node, span, |leaf| self.expr(leaf, depth + 1)),
            Some("%") => {
                let template = node.field("left").and_then(|left| self.literal(left));
                let (Some(template), Some(right)) = (template, node.field("right")) else {
                    return Expr::Other { span };
                };
                let right = unparen_all(right);
                let args = if right.kind_name() == "tuple" {
                    let mut cursor = right.walk();
                    right
                        .named_children(&mut cursor)
                        .filter(|child| child.kind_name() != "comment")
                        .map(|child| self.expr(child, depth + 1))
                        .collect()
                } else {
                    vec![self.expr(right, depth + 1)]
                };
                Expr::Format {
                    template,
                    args,
                    span,
                }
            }
            _ => Expr::Other { span },
        }
    }

    // ----- URLs ----------------------------------------------------------------------------

    /// The URL text of an expression: (text, complete). Incomplete text is a literal prefix.
    fn resolve_url(&self, node: Node<'_>, ctx: Ctx, depth: usize) -> Option<(String, bool)> {
        if depth > 8 {
            return None;
        }
        match node.kind_name() {
            "string" => {
                let (_, pieces) = self.pieces(node);
                join_url(pieces.into_iter().map(|piece| {
                    match piece {
                        Piece::Text(text, _) => Some((text, true)),
                        Piece::Interpolation(child) => child
                            .field("expression")
                            .and_then(|e| self.resolve_url(e, ctx, depth + 1)),
                    }
                }))
            }
            "concatenated_string" => {
                let mut cursor = node.walk();
                let strings: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                join_url(
                    strings
                        .into_iter()
                        .map(|s| self.resolve_url(s, ctx, depth + 1)),
                )
            }
            "parenthesized_expression" => self.resolve_url(unparen(node)?, ctx, depth + 1),
            "identifier" | "attribute" => {
                self.lookup_url(&self.path_string(node)?, ctx, node.start_byte())
            }
            "binary_operator" => match operator(node)? {
                "+" => join_url(
                    plus_leaves(node)
                        .into_iter()
                        .map(|leaf| self.resolve_url(leaf, ctx, depth + 1)),
                ),
                "%" => {
                    let text = self.plain_text(node.field("left")?)?;
                    let prefix = text.split('%').next().unwrap_or_default().to_string();
                    (!prefix.is_empty()).then_some((prefix, false))
                }
                _ => None,
            },
            "call" => {
                let function = node.field("function")?;
                if function.kind_name() != "attribute"
                    || self.text(function.field("attribute")?) != "format"
                {
                    return None;
                }
                let text = self.plain_text(function.field("object")?)?;
                let prefix = text.split('{').next().unwrap_or_default().to_string();
                (!prefix.is_empty()).then_some((prefix, false))
            }
            _ => None,
        }
    }

    fn lookup_url(&self, name: &str, ctx: Ctx, at: usize) -> Option<(String, bool)> {
        let found = |scope: Option<usize>, before_only: bool| {
            // Entries are in document order: the last one before `at` by binary search.
            let entries = self.urls.get(&(scope, name.to_string()))?;
            let before = entries.partition_point(|(pos, _, _)| *pos < at);
            before
                .checked_sub(1)
                .and_then(|i| entries.get(i))
                .or(if before_only { None } else { entries.last() })
                .map(|(_, url, complete)| (url.clone(), *complete))
        };
        match ctx.function {
            Some((start, _)) => found(Some(start), true).or_else(|| found(None, false)),
            None => found(None, true),
        }
    }

    /// A library that intercepts every HTTP request of the process answers this file's.
    fn note_mocking_library(&mut self, module: &str) {
        const MOCKING: &[&str] = &[
            "respx",
            "responses",
            "pytest_httpx",
            "aioresponses",
            "requests_mock",
            "httpretty",
        ];
        if MOCKING.contains(&module) && self.facts.mocked.is_empty() {
            self.facts.mocked.push(0..self.src.len());
        }
    }

    // ----- pass 1 --------------------------------------------------------------------------

    fn prepare(&mut self, node: Node<'_>, ctx: Ctx) -> bool {
        match node.kind_name() {
            "ERROR" => return false,
            "import_statement" => {
                let mut cursor = node.walk();
                let names: Vec<Node<'_>> =
                    node.children_by_field_name("name", &mut cursor).collect();
                for name in names {
                    if name.kind_name() == "aliased_import" {
                        if let (Some(path), Some(alias)) = (name.field("name"), name.field("alias"))
                        {
                            self.imports
                                .insert(self.text(alias).to_string(), compact(self.text(path)));
                        }
                    } else {
                        let path = compact(self.text(name));
                        let first = path.split('.').next().unwrap_or_default().to_string();
                        self.note_mocking_library(&first);
                        self.imports.insert(first.clone(), first);
                    }
                }
            }
            "import_from_statement" => {
                let Some(module) = node.field("module_name") else {
                    return true;
                };
                let module = compact(self.text(module));
                self.note_mocking_library(module.split('.').next().unwrap_or_default());
                let mut cursor = node.walk();
                let names: Vec<Node<'_>> =
                    node.children_by_field_name("name", &mut cursor).collect();
                for name in names {
                    let (path, local) = if name.kind_name() == "aliased_import" {
                        match (name.field("name"), name.field("alias")) {
                            (Some(path), Some(alias)) => (self.text(path), self.text(alias)),
                            _ => continue,
                        }
                    } else {
                        (self.text(name), self.text(name))
                    };
                    self.imports
                        .insert(local.to_string(), format!("{module}.{}", compact(path)));
                }
            }
            "assignment" => {
                if let (Some(left), Some(value)) = (node.field("left"), assigned_value(node)) {
                    self.bind(left, value, ctx, node.start_byte());
                }
            }
            "with_item" => {
                if let Some(value) = node.field("value") {
                    if value.kind_name() == "as_pattern" {
                        let target = value.field("alias").map(|alias| {
                            if alias.kind_name() == "as_pattern_target" {
                                alias.named_child(0).unwrap_or(alias)
                            } else {
                                alias
                            }
                        });
                        if let (Some(expression), Some(target)) = (value.named_child(0), target) {
                            self.bind(target, expression, ctx, node.start_byte());
                        }
                    }
                }
            }
            "call" => {
                self.note_strip(node);
                // `session.headers.update({...})`, `client.headers.setdefault(...)`.
                let path = node
                    .field("function")
                    .and_then(|function| self.path(function));
                if let Some(path) = path {
                    let n = path.len();
                    if n >= 3
                        && path[n - 2] == "headers"
                        && matches!(path[n - 1], "update" | "setdefault" | "__setitem__")
                    {
                        self.configured.insert(path[..n - 2].join("."));
                    }
                }
            }
            _ => {}
        }
        true
    }

    /// `raw.strip()`, `raw.rstrip("\n")`, `raw.replace("\n", "")` on a name or attribute.
    fn note_strip(&mut self, call: Node<'_>) {
        let Some(function) = call
            .field("function")
            .filter(|f| f.kind_name() == "attribute")
        else {
            return;
        };
        let (Some(object), Some(method)) = (function.field("object"), function.field("attribute"))
        else {
            return;
        };
        let strips = match self.text(method) {
            "strip" | "rstrip" => true,
            "replace" => self.args(call).positional.first().is_some_and(|arg| {
                self.plain_text(*arg)
                    .is_some_and(|text| text.contains('\n') || text.contains('\r'))
            }),
            _ => false,
        };
        if let (true, Some(path)) = (strips, self.path_string(object)) {
            self.strips.push((path, call.start_byte()));
        }
    }

    /// Whether `path` is stripped after `end` in the function around it (the whole module at
    /// top level).
    fn stripped_later(&self, path: &str, end: usize, ctx: Ctx) -> bool {
        self.strips.iter().any(|(stripped, at)| {
            stripped == path
                && *at >= end
                && ctx
                    .function
                    .is_none_or(|(start, stop)| (start..stop).contains(at))
        })
    }

    /// `target = value` (or `with value as target`) for pass 1.
    fn bind(&mut self, target: Node<'_>, value: Node<'_>, ctx: Ctx, at: usize) {
        let Some(path) = self.path(target) else {
            // `session.headers["Authorization"] = ...`
            if target.kind_name() == "subscript" {
                if let Some(path) = target.field("value").and_then(|object| self.path(object)) {
                    if path.len() >= 2 && path[path.len() - 1] == "headers" {
                        self.configured.insert(path[..path.len() - 1].join("."));
                    }
                }
            }
            return;
        };
        let n = path.len();
        if n >= 2 && matches!(path[n - 1], "headers" | "auth") {
            self.configured.insert(path[..n - 1].join("."));
        }
        let path = path.join(".");
        let value = unparen_all(value);
        let value = if value.kind_name() == "await" {
            value.named_child(0).map_or(value, unparen_all)
        } else {
            value
        };
        if value.kind_name() == "call" {
            if let Some(configured) = self.session_ctor(value) {
                self.sessions.insert(path.clone(), configured);
            }
            if self.opens_file(value) {
                self.file_handles.insert(path.clone());
            }
        }
        if let Some((url, complete)) = self.resolve_url(value, ctx, 0) {
            self.urls
                .entry((ctx.function.map(|f| f.0), path))
                .or_default()
                .push((at, url, complete));
        }
    }

    /// `Some(configured)` when the call builds a session/client object.
    fn session_ctor(&self, call: Node<'_>) -> Option<bool> {
        let canon = self.canon(call.field("function")?)?;
        if !SESSION_CTORS.contains(&canon.as_str()) {
            return None;
        }
        let args = self.args(call);
        Some(
            args.keyword(&["headers", "auth"])
                .is_some_and(|value| value.kind_name() != "none"),
        )
    }

    // ----- pass 2 --------------------------------------------------------------------------

    fn visit(&mut self, node: Node<'_>, ctx: Ctx) -> bool {
        match node.kind_name() {
            "ERROR" => return false,
            "string" => {
                let lit = self.string_lit(node);
                self.facts.strings.push(lit);
            }
            "dictionary" => self.dictionary(node, ctx),
            "call" => self.call(node, ctx),
            "subscript" if !self.write_targets.contains(&node.id()) => {
                if let Some(read) = self.env_read(node) {
                    self.facts.env_reads.push(read);
                }
            }
            "assignment" => self.assignment(node, ctx),
            "named_expression" => {
                if let (Some(name), Some(value)) = (node.field("name"), node.field("value")) {
                    self.assign(name, value, node, ctx);
                }
            }
            "augmented_assignment" => {
                if let Some(left) = node.field("left") {
                    self.write_targets.insert(left.id());
                }
            }
            "delete_statement" => {
                let mut cursor = node.walk();
                let targets: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                for target in targets {
                    if target.kind_name() == "expression_list" {
                        let mut cursor = target.walk();
                        let items: Vec<usize> =
                            target.named_children(&mut cursor).map(|n| n.id()).collect();
                        self.write_targets.extend(items);
                    } else {
                        self.write_targets.insert(target.id());
                    }
                }
            }
            "print_statement" => {
                let mut cursor = node.walk();
                let args = node
                    .named_children(&mut cursor)
                    .filter(|child| !matches!(child.kind_name(), "chevron" | "comment"))
                    .map(|child| self.printed(child, 1))
                    .collect();
                self.facts.logs.push(LogCall {
                    span: node.byte_range(),
                    args,
                });
            }
            _ => {}
        }
        true
    }

    fn header(
        &mut self,
        name: String,
        name_span: Range<usize>,
        value: Expr,
        span: Range<usize>,
        ctx: Ctx,
    ) {
        self.facts.headers.push(Header {
            name,
            name_span,
            value,
            span,
            function: ctx.function(),
        });
    }

    /// Marks a dict literal or `dict(...)` call as a header dict.
    fn mark_header_dict(&mut self, node: Node<'_>) {
        let node = unparen_all(node);
        let is_dict_call = node.kind_name() == "call"
            && node
                .field("function")
                .and_then(|function| self.canon(function))
                .as_deref()
                == Some("dict");
        if node.kind_name() == "dictionary" || is_dict_call {
            self.header_dicts.insert(node.id());
        }
    }

    fn dictionary(&mut self, node: Node<'_>, ctx: Ctx) {
        let mut cursor = node.walk();
        let pairs: Vec<(Node<'_>, String, Range<usize>, Node<'_>)> = node
            .named_children(&mut cursor)
            .filter(|child| child.kind_name() == "pair")
            .filter_map(|pair| {
                let key = pair.field("key")?;
                let value = pair.field("value")?;
                let (name, name_span) = self.key_name(key)?;
                Some((pair, name, name_span, value))
            })
            .collect();
        let header_dict = self.header_dicts.contains(&node.id())
            || (pairs.iter().any(|(_, name, _, _)| is_header_name(name)) && !self.in_payload(node));
        if !header_dict {
            return;
        }
        for (pair, name, name_span, value) in pairs {
            let value = self.expr(value, 0);
            self.header(name, name_span, value, pair.byte_range(), ctx);
        }
    }

    /// A dict that is data, not headers: a request body (`json=`, `data=`, `json.dumps(...)`),
    /// an element of a list, or the value of a field other than `headers`. Its `authorization`
    /// key is a body field (an MCP tool's OAuth token), which no server reads as the header.
    fn in_payload(&self, node: Node<'_>) -> bool {
        let mut child = node;
        let mut parent = node.parent();
        while let Some(p) = parent.filter(|p| p.kind_name() == "parenthesized_expression") {
            child = p;
            parent = p.parent();
        }
        let Some(parent) = parent else { return false };
        match parent.kind_name() {
            "list" | "tuple" | "set" => true,
            "pair" => parent
                .field("key")
                .and_then(|key| self.key_name(key))
                .is_none_or(|(name, _)| !name.to_ascii_lowercase().contains("header")),
            "keyword_argument" => parent
                .field("name")
                .is_some_and(|name| PAYLOAD_KEYWORDS.contains(&self.text(name))),
            "argument_list" => {
                parent
                    .parent()
                    .and_then(|call| call.field("function"))
                    .and_then(|function| self.canon(function))
                    .is_some_and(|f| matches!(f.as_str(), "json.dumps" | "json.dump"))
                    && child.kind_name() == "dictionary"
            }
            _ => false,
        }
    }

    fn assignment(&mut self, node: Node<'_>, ctx: Ctx) {
        let (Some(left), Some(value)) = (node.field("left"), assigned_value(node)) else {
            return;
        };
        let targets: Vec<Node<'_>> = if matches!(left.kind_name(), "pattern_list" | "tuple_pattern")
        {
            let mut cursor = left.walk();
            left.named_children(&mut cursor).collect()
        } else {
            vec![left]
        };
        for target in &targets {
            if target.kind_name() == "subscript" {
                self.write_targets.insert(target.id());
            }
        }
        if targets.len() == 1 {
            if matches!(value.kind_name(), "dictionary" | "call")
                && self.text(left).to_ascii_lowercase().contains("header")
            {
                self.mark_header_dict(value);
            }
            self.assign(left, value, node, ctx);
            return;
        }
        let values: Vec<Node<'_>> = if matches!(value.kind_name(), "expression_list" | "tuple") {
            let mut cursor = value.walk();
            value
                .named_children(&mut cursor)
                .filter(|child| child.kind_name() != "comment")
                .collect()
        } else {
            Vec::new()
        };
        if values.len() == targets.len() {
            for (target, value) in targets.into_iter().zip(values) {
                self.assign(target, value, node, ctx);
            }
        }
    }

    /// Records `target = value` and, for `headers["X"] = v`, the header.
    fn assign(&mut self, target: Node<'_>, value: Node<'_>, node: Node<'_>, ctx: Ctx) {
        if !matches!(target.kind_name(), "identifier" | "attribute" | "subscript") {
            return;
        }
        let mut expr = self.expr(value, 0);
        if let Expr::FileRead { stripped, .. } = &mut expr {
            // A read whose variable is stripped later in the same function is stripped.
            *stripped = *stripped
                || self
                    .path_string(target)
                    .is_some_and(|path| self.stripped_later(&path, node.end_byte(), ctx));
        }
        if target.kind_name() == "subscript" {
            let object = target.field("value");
            let key = target.field("subscript").and_then(|key| self.key_name(key));
            if let (Some(object), Some((name, name_span))) = (object, key) {
                let headers_object = self
                    .path(object)
                    .and_then(|path| path.last().map(|last| last.to_ascii_lowercase()))
                    .is_some_and(|last| last.contains("header"));
                if headers_object || is_header_name(&name) {
                    self.header(name, name_span, expr.clone(), node.byte_range(), ctx);
                }
            }
        }
        self.facts.assignments.push(Assignment {
            target: self.lossy(target),
            target_span: target.byte_range(),
            value: expr,
            span: node.byte_range(),
            top_level: ctx.top,
            exported: false,
        });
    }

    fn call(&mut self, node: Node<'_>, ctx: Ctx) {
        if let Some(read) = self.env_read(node) {
            self.facts.env_reads.push(read);
        }
        let Some(function) = node.field("function") else {
            return;
        };
        let canon = self.canon(function);
        let args = self.args(node);
        for kw in &args.keywords {
            if HEADER_KWARGS.contains(&kw.name) {
                self.mark_header_dict(kw.value);
            }
        }
        self.tls_arguments(function, &args);
        let last = canon.as_deref().map(|c| c.rsplit('.').next().unwrap_or(c));

        // `headers.update({...})`, `session.headers.update(Authorization=...)`.
        if function.kind_name() == "attribute" {
            let method = function.field("attribute").map(|attr| self.text(attr));
            let headers_object = function
                .field("object")
                .and_then(|object| self.path(object))
                .and_then(|path| path.last().map(|last| last.to_ascii_lowercase()))
                .is_some_and(|last| last.contains("header"));
            if method == Some("update") && headers_object {
                for arg in &args.positional {
                    self.mark_header_dict(*arg);
                }
                self.keyword_headers(&args, ctx, true);
            }
        }
        if canon.as_deref() == Some("dict") {
            let all = self.header_dicts.contains(&node.id());
            self.keyword_headers(&args, ctx, all);
        }
        if matches!(last, Some("Headers" | "CaseInsensitiveDict")) {
            if let Some(arg) = args.positional.first() {
                self.mark_header_dict(*arg);
            }
        }

        if let Some(canon) = canon.as_deref() {
            if matches!(
                canon,
                "dotenv.load_dotenv" | "dotenv.main.load_dotenv" | "load_dotenv"
            ) {
                self.facts.dotenv_loads.push(DotenvLoad {
                    span: node.byte_range(),
                    top_level: ctx.top,
                });
            }
            if let Some(sdk) = last.filter(|sdk| is_client(canon, sdk)) {
                let mut key = args.keyword(KEY_KWARGS).map(|value| self.expr(value, 0));
                // `OpenAI(**settings)`, or Entra ID tokens instead of a key: the client gets
                // its credentials in a way the file does not show.
                let opaque = args
                    .positional
                    .iter()
                    .find(|arg| matches!(arg.kind_name(), "dictionary_splat" | "list_splat"))
                    .map(|arg| arg.byte_range())
                    .or_else(|| args.keyword(TOKEN_KWARGS).map(|value| value.byte_range()));
                if key.is_none() {
                    key = opaque.map(|span| Expr::Other { span });
                }
                let base_url = args.keyword(BASE_KWARGS).map(|value| self.expr(value, 0));
                if args
                    .keyword(&["http_client"])
                    .is_some_and(|transport| names_a_mock(self.text(transport)))
                {
                    self.facts.mocked.push(node.byte_range());
                }
                self.facts.clients.push(Client {
                    sdk: sdk.to_string(),
                    span: node.byte_range(),
                    key,
                    base_url,
                    top_level: ctx.top,
                });
            }
            if self.is_log(canon) {
                let printed = args
                    .positional
                    .iter()
                    .copied()
                    .chain(
                        args.keywords
                            .iter()
                            .filter(|kw| !NOT_PRINTED.contains(&kw.name))
                            .map(|kw| kw.value),
                    )
                    .map(|arg| self.printed(arg, 1))
                    .collect();
                self.facts.logs.push(LogCall {
                    span: node.byte_range(),
                    args: printed,
                });
            }
        }
        self.request(node, function, canon.as_deref(), &args, ctx);
    }

    /// The certificates and private keys a call hands to TLS settings.
    fn tls_arguments(&mut self, function: Node<'_>, args: &Args<'_, '_>) {
        let method = match function.kind_name() {
            "attribute" => function.field("attribute"),
            _ => Some(function),
        }
        .map(|name| self.text(name));
        let all = method.is_some_and(|m| TLS_CALLS.contains(&m));
        let values: Vec<Node<'_>> = args
            .positional
            .iter()
            .copied()
            .filter(|_| all)
            .chain(
                args.keywords
                    .iter()
                    .filter(|kw| all || TLS_KWARGS.contains(&kw.name))
                    .map(|kw| kw.value),
            )
            .collect();
        for value in values {
            let value = unparen_all(value);
            if value.kind_name() == "tuple" {
                let mut cursor = value.walk();
                let items: Vec<Node<'_>> = value.named_children(&mut cursor).collect();
                for item in items {
                    let item = self.expr(item, 1);
                    self.facts.tls_material.push(item);
                }
            } else {
                let value = self.expr(value, 1);
                self.facts.tls_material.push(value);
            }
        }
    }

    /// A printed argument, as `expr`, except that a subscript by a string (`data["api_key"]`)
    /// is the path it reads: a key read by subscript and printed is seen.
    fn printed(&self, node: Node<'_>, depth: usize) -> Expr {
        let span = node.byte_range();
        let inner = unparen_all(node);
        match inner.kind_name() {
            "subscript" if self.env_read(inner).is_none() => match self.subscript_path(inner, 0) {
                Some(path) => Expr::Name { path, span },
                None => self.expr(node, depth),
            },
            "binary_operator" if operator(inner) == Some("+") && depth <= MAX_EXPR_DEPTH => {
                concatenation(inner, span, |leaf| self.printed(leaf, depth + 1))
            }
            _ => self.expr(node, depth),
        }
    }

    /// `data["api_key"]`, `config["openai"]["api_key"]`: the path read, with string keys; None
    /// for any other subscript.
    fn subscript_path(&self, node: Node<'_>, depth: usize) -> Option<String> {
        if depth > MAX_EXPR_DEPTH {
            return None;
        }
        let value = node.field("value")?;
        let key = self.plain_text(node.field("subscript")?)?;
        let base = match value.kind_name() {
            "subscript" => self.subscript_path(value, depth + 1)?,
            _ => self.path_string(value)?,
        };
        Some(format!("{base}[\"{key}\"]"))
    }

    /// Keyword arguments as headers: all of them, or those that name a header.
    fn keyword_headers(&mut self, args: &Args<'_, '_>, ctx: Ctx, all: bool) {
        for kw in &args.keywords {
            if all || is_header_name(kw.name) {
                let value = self.expr(kw.value, 0);
                self.header(
                    kw.name.to_string(),
                    kw.name_node.byte_range(),
                    value,
                    kw.node.byte_range(),
                    ctx,
                );
            }
        }
    }

    fn is_log(&self, canon: &str) -> bool {
        if matches!(
            canon,
            "print"
                | "builtins.print"
                | "pprint"
                | "pprint.pprint"
                | "pprint.pp"
                | "rich.print"
                | "sys.stdout.write"
                | "sys.stderr.write"
        ) {
            return true;
        }
        let Some((object, method)) = canon.rsplit_once('.') else {
            return false;
        };
        let object = object
            .rsplit('.')
            .next()
            .unwrap_or(object)
            .to_ascii_lowercase();
        (LOG_LEVELS.contains(&method) && object.contains("log"))
            || (object == "console" && matches!(method, "print" | "log"))
    }

    fn request(
        &mut self,
        node: Node<'_>,
        function: Node<'_>,
        canon: Option<&str>,
        args: &Args<'_, '_>,
        ctx: Ctx,
    ) {
        // (URL argument index, session configured elsewhere, headers positional index)
        let mut kind: Option<(usize, bool, Option<usize>)> = None;
        if let Some(canon) = canon {
            let method_index = |method: &str| usize::from(matches!(method, "request" | "stream"));
            if let Some((module, method)) = canon.rsplit_once('.') {
                if matches!(module, "requests" | "requests.api" | "httpx")
                    && HTTP_METHODS.contains(&method)
                {
                    kind = Some((method_index(method), false, None));
                } else if canon == "requests.Request" || canon == "aiohttp.request" {
                    kind = Some((1, false, None));
                } else if canon == "urllib.request.Request" {
                    kind = Some((0, false, Some(2)));
                } else if HTTP_METHODS.contains(&method) {
                    let local = self.path_string(function).unwrap_or_default();
                    let object = local.rsplit_once('.').map_or("", |(object, _)| object);
                    if let Some(configured) = self.sessions.get(object) {
                        let configured = *configured || self.configured.contains(object);
                        kind = Some((method_index(method), configured, None));
                    }
                }
            }
        } else if function.kind_name() == "attribute" {
            // `httpx.Client(headers=...).post(url)`
            let object = function.field("object").map(unparen_all);
            let method = function.field("attribute").map(|attr| self.text(attr));
            if let (Some(object), Some(method)) = (object, method) {
                if object.kind_name() == "call" && HTTP_METHODS.contains(&method) {
                    if let Some(configured) = self.session_ctor(object) {
                        let index = usize::from(matches!(method, "request" | "stream"));
                        kind = Some((index, configured, None));
                    }
                }
            }
        }
        let Some((url_index, session_configured, headers_index)) = kind else {
            return;
        };
        if let Some(arg) = headers_index.and_then(|i| args.positional.get(i)) {
            self.mark_header_dict(*arg);
        }
        let url_node = args
            .keyword(&["url"])
            .or_else(|| args.positional.get(url_index).copied());
        let url = url_node
            .and_then(|url| self.resolve_url(url, ctx, 0))
            .and_then(|(url, complete)| {
                let lower = url.to_ascii_lowercase();
                (complete || lower.starts_with("http://") || lower.starts_with("https://"))
                    .then_some(url)
            });
        let headers_node = args
            .keyword(&["headers"])
            .or_else(|| headers_index.and_then(|i| args.positional.get(i).copied()))
            .map(unparen_all);
        let headers = match headers_node {
            Some(value) if value.kind_name() == "none" => HeaderSource::None,
            Some(value) if self.header_dicts.contains(&value.id()) => HeaderSource::Literal,
            Some(_) => HeaderSource::Opaque,
            None if session_configured
                || args
                    .keyword(&["auth"])
                    .is_some_and(|auth| auth.kind_name() != "none") =>
            {
                HeaderSource::Opaque
            }
            None => HeaderSource::None,
        };
        self.facts.requests.push(Request {
            tool: self.text(function).to_string(),
            url,
            span: node.byte_range(),
            headers,
            function: ctx.function(),
        });
    }
}

/// The value of an assignment; the innermost one of a chain `a = b = value`.
fn assigned_value(node: Node<'_>) -> Option<Node<'_>> {
    let mut value = node.field("right")?;
    let mut guard = 0;
    while value.kind_name() == "assignment" && guard < 64 {
        value = value.field("right")?;
        guard += 1;
    }
    Some(value)
}

fn operator<'t>(node: Node<'t>) -> Option<&'t str> {
    node.field("operator").map(|op| op.kind_name())
}

/// `a + b + c` as a concatenation of its operands, each made an expression by `part`; a sum
/// with a number in it is arithmetic, not text.
fn concatenation<'t>(node: Node<'t>, span: Range<usize>, part: impl Fn(Node<'t>) -> Expr) -> Expr {
    let leaves = plus_leaves(node);
    if leaves
        .iter()
        .any(|leaf| matches!(leaf.kind_name(), "integer" | "float"))
    {
        return Expr::Other { span };
    }
    Expr::Concat {
        parts: leaves.into_iter().map(part).collect(),
        span,
    }
}

/// The operands of a left-nested `a + b + c`, in order.
fn plus_leaves(node: Node<'_>) -> Vec<Node<'_>> {
    let mut leaves = Vec::new();
    let mut current = node;
    loop {
        if current.kind_name() == "binary_operator" && operator(current) == Some("+") {
            match (current.field("left"), current.field("right")) {
                (Some(left), Some(right)) => {
                    leaves.push(right);
                    current = left;
                }
                _ => break,
            }
        } else {
            leaves.push(current);
            break;
        }
    }
    leaves.reverse();
    leaves
}

/// The expression inside one pair of parentheses.
fn unparen(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    let mut inner = node
        .named_children(&mut cursor)
        .filter(|child| child.kind_name() != "comment");
    let first = inner.next()?;
    inner.next().is_none().then_some(first)
}

/// Keyword arguments of HTTP clients that carry a request's body or query, not its headers.
const PAYLOAD_KEYWORDS: &[&str] = &[
    "json", "data", "body", "content", "params", "payload", "files",
];

/// The expression inside any number of parentheses.
fn unparen_all(node: Node<'_>) -> Node<'_> {
    let mut node = node;
    for _ in 0..MAX_EXPR_DEPTH {
        if node.kind_name() != "parenthesized_expression" {
            break;
        }
        match unparen(node) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// `a . b` -> `a.b`.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Joins URL pieces while they resolve; stops at the first unresolved or incomplete piece.
fn join_url(pieces: impl Iterator<Item = Option<(String, bool)>>) -> Option<(String, bool)> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Some((text, true)) => out.push_str(&text),
            Some((text, false)) => {
                out.push_str(&text);
                return Some((out, false));
            }
            None => return (!out.is_empty()).then_some((out, false)),
        }
    }
    Some((out, true))
}

fn is_client(canon: &str, sdk: &str) -> bool {
    CLIENTS.contains(&sdk)
        || (matches!(sdk, "Client" | "AsyncClient")
            && (canon.starts_with("openai.") || canon.starts_with("anthropic.")))
}

/// Whether a dict key names a header wherever the dict stands: a known header, `X-...`,
/// `OpenAI-...`, `Anthropic-...`, or something close to `Authorization`.
fn is_header_name(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    KNOWN_HEADERS.contains(&lower.as_str())
        || lower.starts_with("x-")
        || lower.starts_with("openai-")
        || lower.starts_with("anthropic-")
        || near_authorization(&lower)
}

/// `authorisation`, `authorizaton`, `autorization`, `authorization:` ...
fn near_authorization(lower: &str) -> bool {
    const WORD: &[u8] = b"authorization";
    let name = lower.as_bytes();
    if !(9..=17).contains(&name.len()) {
        return false;
    }
    // Levenshtein distance with one row.
    let mut row: Vec<usize> = (0..=WORD.len()).collect();
    for (i, &a) in name.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &b) in WORD.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if a == b {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[WORD.len()] <= 2
}

/// Python escape processing; `{{`/`}}` of f-strings.
fn unescape(raw_text: &[u8], raw: bool, interpolated: bool, bytes: bool) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(raw_text.len());
    let push_char = |out: &mut Vec<u8>, c: char| {
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    };
    let mut i = 0;
    while i < raw_text.len() {
        let c = raw_text[i];
        if interpolated && (c == b'{' || c == b'}') && raw_text.get(i + 1) == Some(&c) {
            out.push(c);
            i += 2;
            continue;
        }
        if c != b'\\' || raw || i + 1 >= raw_text.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = raw_text[i + 1];
        i += 2;
        match e {
            b'\n' => {}
            b'\r' => {
                if raw_text.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\\' | b'\'' | b'"' => out.push(e),
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut value = u32::from(e - b'0');
                let mut n = 1;
                while n < 3 && i < raw_text.len() && (b'0'..=b'7').contains(&raw_text[i]) {
                    value = value * 8 + u32::from(raw_text[i] - b'0');
                    i += 1;
                    n += 1;
                }
                if bytes {
                    out.push((value & 0xff) as u8);
                } else {
                    push_char(&mut out, char::from_u32(value).unwrap_or('\u{fffd}'));
                }
            }
            b'x' | b'u' | b'U' if !(bytes && e != b'x') => {
                let digits = match e {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = raw_text
                    .get(i..i + digits)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u32::from_str_radix(h, 16).ok());
                match hex {
                    Some(value) => {
                        i += digits;
                        if bytes {
                            out.push(value as u8);
                        } else {
                            push_char(&mut out, char::from_u32(value).unwrap_or('\u{fffd}'));
                        }
                    }
                    None => out.extend_from_slice(&[b'\\', e]),
                }
            }
            _ => out.extend_from_slice(&[b'\\', e]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(src: &'a str, span: &Range<usize>) -> &'a str {
        &src[span.clone()]
    }

    fn header<'a>(facts: &'a CodeFacts, name: &str) -> &'a Header {
        facts
            .headers
            .iter()
            .find(|h| h.name == name)
            .unwrap_or_else(|| panic!("no header {name}: {:#?}", facts.headers))
    }

    fn text_part(part: &StringPart) -> (&str, &Range<usize>) {
        match part {
            StringPart::Text { text, span } => (text, span),
            other => panic!("not text: {other:?}"),
        }
    }

    #[test]
    fn header_from_a_name() {
        let src = "import requests\nheaders = {\"Authorization\": api_key}\n";
        let facts = facts(src.as_bytes());
        assert_eq!(facts.parse_error, None);
        let h = header(&facts, "Authorization");
        assert_eq!(at(src, &h.name_span), "Authorization");
        assert_eq!(at(src, &h.span), "\"Authorization\": api_key");
        assert_eq!(h.function, None);
        assert!(
            matches!(&h.value, Expr::Name { path, span } if path == "api_key" && at(src, span) == "api_key")
        );
    }

    #[test]
    fn header_from_an_f_string() {
        let src = "h = {\"Authorization\": f\"Bearer {key}\"}\n";
        let facts = facts(src.as_bytes());
        let h = header(&facts, "Authorization");
        let Expr::Str(lit) = &h.value else {
            panic!("{:?}", h.value)
        };
        assert_eq!(lit.kind, StringKind::Interpolated);
        assert_eq!(at(src, &lit.span), "f\"Bearer {key}\"");
        assert_eq!(lit.parts.len(), 2);
        let (text, span) = text_part(&lit.parts[0]);
        assert_eq!((text, at(src, span)), ("Bearer ", "Bearer "));
        match &lit.parts[1] {
            StringPart::Interpolation { code, span } => {
                assert_eq!(code, "key");
                assert_eq!(at(src, span), "{key}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(lit.text(), None);
    }

    #[test]
    fn braces_without_f_are_text() {
        let src = "h = {\"Authorization\": \"Bearer {key}\"}\n";
        let facts = facts(src.as_bytes());
        let Expr::Str(lit) = &header(&facts, "Authorization").value else {
            panic!()
        };
        assert_eq!(lit.kind, StringKind::Plain);
        assert_eq!(lit.text().as_deref(), Some("Bearer {key}"));
    }

    #[test]
    fn concat_and_format() {
        let src = concat!(
            "a = {\"Authorization\": \"Bearer \" + key}\n",
            "b = {\"Authorization\": \"Bearer {}\".format(key)}\n",
            "c = {\"Authorization\": \"Bearer %s\" % key}\n",
        );
        let facts = facts(src.as_bytes());
        assert_eq!(facts.headers.len(), 3);
        match &facts.headers[0].value {
            Expr::Concat { parts, span } => {
                assert_eq!(at(src, span), "\"Bearer \" + key");
                assert!(
                    matches!(&parts[0], Expr::Str(lit) if lit.text().as_deref() == Some("Bearer "))
                );
                assert!(matches!(&parts[1], Expr::Name { path, .. } if path == "key"));
            }
            other => panic!("{other:?}"),
        }
        for (h, template) in facts.headers[1..].iter().zip(["Bearer {}", "Bearer %s"]) {
            match &h.value {
                Expr::Format {
                    template: t, args, ..
                } => {
                    assert_eq!(t.text().as_deref(), Some(template));
                    assert!(matches!(&args[..], [Expr::Name { path, .. }] if path == "key"));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn subscript_header_inside_a_def() {
        let src = "def call(key):\n    headers = {}\n    headers[\"Authorization\"] = \"Bearer \" + key\n    return headers\n";
        let facts = facts(src.as_bytes());
        let h = header(&facts, "Authorization");
        assert_eq!(
            at(src, &h.span),
            "headers[\"Authorization\"] = \"Bearer \" + key"
        );
        assert_eq!(at(src, &h.name_span), "Authorization");
        assert_eq!(
            h.function
                .as_ref()
                .map(|f| at(src, f).starts_with("def call")),
            Some(true)
        );
        assert_eq!(h.function.as_ref().unwrap().end, src.trim_end().len());
        let assignment = facts
            .assignments
            .iter()
            .find(|a| a.target == "headers[\"Authorization\"]")
            .unwrap();
        assert_eq!(assignment.top_level, None);
    }

    #[test]
    fn kind_names_by_id_are_the_kinds() {
        let src = b"import os\nx = f(os.environ['K'], *a)\ndef (:\n";
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(src, None).unwrap();
        let mut seen = 0;
        crate::code::each_node(&tree, |node| {
            assert_eq!(node.kind_name(), node.kind());
            seen += 1;
        });
        assert!(tree.root_node().has_error() && seen > 20);
    }

    #[test]
    fn body_fields_are_not_headers() {
        let src = concat!(
            "requests.post(u, headers={\"Authorization\": a}, json={\"authorization\": b})\n",
            "tools = [{\"type\": \"mcp\", \"authorization\": c}]\n",
            "cfg = {\"auth\": {\"authorization\": d}, \"headers\": {\"authorization\": e}}\n",
            "payload = json.dumps({\"authorization\": f})\n",
        );
        let facts = facts(src.as_bytes());
        let values: Vec<&str> = facts.headers.iter().map(|h| at(src, &h.span)).collect();
        assert_eq!(values, ["\"Authorization\": a", "\"authorization\": e"]);
    }

    #[test]
    fn mock_transports_are_marked() {
        let src = "c = OpenAI(api_key=k, http_client=httpx.Client(transport=httpx.MockTransport(h)))\nd = OpenAI(api_key=k, http_client=httpx.Client())\n";
        let found = facts(src.as_bytes());
        assert_eq!(found.mocked.len(), 1);
        assert!(found.is_mocked(&found.clients[0].span));
        assert!(!found.is_mocked(&found.clients[1].span));
        let respx = "import respx\nrespx.get(\"https://api.openai.com/v1/models\")\n";
        assert_eq!(facts(respx.as_bytes()).mocked, vec![0..respx.len()]);
    }

    #[test]
    fn other_header_names_and_header_contexts() {
        let src = concat!(
            "requests.post(u, headers={\"api-key\": k, \"Accept\": \"*/*\"})\n",
            "x = {\"X-API-Key\": k}\n",
            "y = {\"OpenAI-Organization\": org, \"OpenAI-Project\": p}\n",
            "z = {\"Authorisation\": k}\n",
            "s.headers.update({\"Autorization\": k})\n",
            "d = dict(Authorization=k)\n",
            "body = {\"model\": \"gpt-4o\", \"api_key\": k}\n",
        );
        let facts = facts(src.as_bytes());
        let names: Vec<&str> = facts.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "api-key",
                "Accept",
                "X-API-Key",
                "OpenAI-Organization",
                "OpenAI-Project",
                "Authorisation",
                "Autorization",
                "Authorization"
            ]
        );
        let d = header(&facts, "Authorization");
        assert_eq!(at(src, &d.span), "Authorization=k");
        assert_eq!(at(src, &d.name_span), "Authorization");
    }

    #[test]
    fn requests_and_their_headers() {
        let src = concat!(
            "import requests\n",
            "requests.post(\"https://api.openai.com/v1/chat/completions\", json=body)\n",
            "requests.post(\"https://api.openai.com/v1/chat/completions\", headers=headers, json=body)\n",
            "requests.post(\"https://api.openai.com/v1/chat/completions\", headers={\"Authorization\": f\"Bearer {key}\"})\n",
            "URL = \"https://api.openai.com/v1/models\"\n",
            "def f():\n    return requests.get(URL)\n",
            "requests.get(f\"https://api.openai.com/v1/{path}\")\n",
        );
        let facts = facts(src.as_bytes());
        let r = &facts.requests;
        assert_eq!(r.len(), 5);
        assert_eq!(r[0].tool, "requests.post");
        assert_eq!(
            r[0].url.as_deref(),
            Some("https://api.openai.com/v1/chat/completions")
        );
        assert_eq!(r[0].headers, HeaderSource::None);
        assert!(at(src, &r[0].span).starts_with("requests.post(\"https"));
        assert_eq!(r[1].headers, HeaderSource::Opaque);
        assert_eq!(r[2].headers, HeaderSource::Literal);
        let h = header(&facts, "Authorization");
        assert!(r[2].span.start <= h.span.start && h.span.end <= r[2].span.end);
        assert_eq!(
            r[3].url.as_deref(),
            Some("https://api.openai.com/v1/models")
        );
        assert!(r[3].function.is_some());
        assert_eq!(r[4].url.as_deref(), Some("https://api.openai.com/v1/"));
    }

    #[test]
    fn sessions_configured_elsewhere_are_opaque() {
        let src = concat!(
            "import requests, httpx\n",
            "session = requests.Session()\n",
            "session.headers.update({\"Authorization\": f\"Bearer {key}\"})\n",
            "url = \"https://api.openai.com/v1/chat/completions\"\n",
            "session.post(url, json=body)\n",
            "plain = requests.Session()\n",
            "plain.get(\"https://example.com\")\n",
            "with httpx.Client(headers=h) as client:\n    client.post(\"/v1/x\")\n",
            "httpx.Client().get(\"https://a.example\")\n",
        );
        let facts = facts(src.as_bytes());
        let r = &facts.requests;
        assert_eq!(r.len(), 4, "{r:#?}");
        assert_eq!(r[0].tool, "session.post");
        assert_eq!(
            r[0].url.as_deref(),
            Some("https://api.openai.com/v1/chat/completions")
        );
        assert_eq!(r[0].headers, HeaderSource::Opaque);
        assert_eq!(r[1].headers, HeaderSource::None);
        assert_eq!(r[2].headers, HeaderSource::Opaque);
        assert_eq!(r[2].url.as_deref(), Some("/v1/x"));
        assert_eq!(r[3].headers, HeaderSource::None);
        assert_eq!(header(&facts, "Authorization").function, None);
    }

    #[test]
    fn more_request_shapes() {
        let src = concat!(
            "import aiohttp, httpx, urllib.request\n",
            "from urllib.request import Request\n",
            "BASE = \"https://api.openai.com/v1\"\n",
            "class Api:\n",
            "    def __init__(self):\n",
            "        self.session = requests.Session()\n",
            "        self.session.headers[\"Authorization\"] = f\"Bearer {KEY}\"\n",
            "    def chat(self):\n",
            "        return self.session.post(BASE + \"/chat/completions\")\n",
            "async def main():\n",
            "    async with aiohttp.ClientSession() as session:\n",
            "        async with session.post(f\"{BASE}/embeddings\", headers=hdrs) as r:\n",
            "            pass\n",
            "requests.request(\"POST\", url=\"https://a.example/x\", auth=(\"u\", key))\n",
            "httpx.post(\"https://b.example\", headers=get_headers())\n",
            "urllib.request.Request(\"https://c.example\", data, {\"Authorization\": k})\n",
            "Request(\"https://d.example\")\n",
        );
        let facts = facts(src.as_bytes());
        let got: Vec<(&str, Option<&str>, HeaderSource, bool)> = facts
            .requests
            .iter()
            .map(|r| {
                (
                    r.tool.as_str(),
                    r.url.as_deref(),
                    r.headers,
                    r.function.is_some(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "self.session.post",
                    Some("https://api.openai.com/v1/chat/completions"),
                    HeaderSource::Opaque,
                    true
                ),
                (
                    "session.post",
                    Some("https://api.openai.com/v1/embeddings"),
                    HeaderSource::Opaque,
                    true
                ),
                (
                    "requests.request",
                    Some("https://a.example/x"),
                    HeaderSource::Opaque,
                    false
                ),
                (
                    "httpx.post",
                    Some("https://b.example"),
                    HeaderSource::Opaque,
                    false
                ),
                (
                    "urllib.request.Request",
                    Some("https://c.example"),
                    HeaderSource::Literal,
                    false
                ),
                (
                    "Request",
                    Some("https://d.example"),
                    HeaderSource::None,
                    false
                ),
            ]
        );
        let h = header(&facts, "Authorization");
        assert!(h.function.is_some());
        assert_eq!(facts.headers.len(), 2);
    }

    #[test]
    fn clients() {
        let src = concat!(
            "from openai import OpenAI, AzureOpenAI\n",
            "import os\n",
            "client = OpenAI()\n",
            "local = OpenAI(api_key=\"sk-YOUR_API_KEY_HERE\", base_url=\"http://localhost:11434/v1\")\n",
            "azure = AzureOpenAI(api_key=os.getenv(\"AZURE_OPENAI_API_KEY\"), azure_endpoint=endpoint)\n",
            "def make():\n    return openai.OpenAI(api_key=key)\n",
            "llm = ChatOpenAI(openai_api_key=k, openai_api_base=b)\n",
        );
        let facts = facts(src.as_bytes());
        let c = &facts.clients;
        assert_eq!(c.len(), 5);
        assert_eq!(
            (c[0].sdk.as_str(), c[0].key.is_none(), c[0].top_level),
            ("OpenAI", true, Some(2))
        );
        assert_eq!(at(src, &c[0].span), "OpenAI()");
        assert!(
            matches!(&c[1].key, Some(Expr::Str(lit)) if lit.text().as_deref() == Some("sk-YOUR_API_KEY_HERE"))
        );
        assert!(
            matches!(&c[1].base_url, Some(Expr::Str(lit)) if lit.text().as_deref() == Some("http://localhost:11434/v1"))
        );
        assert_eq!(c[2].sdk, "AzureOpenAI");
        match &c[2].key {
            Some(Expr::Env(read)) => {
                assert_eq!(read.name, "AZURE_OPENAI_API_KEY");
                assert_eq!(read.how, "os.getenv");
                assert_eq!(at(src, &read.span), "os.getenv(\"AZURE_OPENAI_API_KEY\")");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&c[2].base_url, Some(Expr::Name { path, .. }) if path == "endpoint"));
        assert_eq!((c[3].sdk.as_str(), c[3].top_level), ("OpenAI", None));
        assert_eq!(c[4].sdk, "ChatOpenAI");
        assert!(matches!(&c[4].key, Some(Expr::Name { path, .. }) if path == "k"));
        assert!(matches!(&c[4].base_url, Some(Expr::Name { path, .. }) if path == "b"));
    }

    #[test]
    fn assignments_env_reads_and_dotenv_order() {
        let src = concat!(
            "import os, openai\n",
            "from os import environ, getenv\n",
            "openai.api_key = os.environ[\"OPENAI_API_KEY\"]\n",
            "client = OpenAI()\n",
            "load_dotenv()\n",
            "os.environ[\"OPENAI_API_KEY\"] = \"sk-test\"\n",
            "a = environ[\"A\"]\n",
            "b = getenv(\"B\")\n",
            "c = os.environ.get(\"C\", \"default\")\n",
            "os.environ.setdefault(\"D\", \"x\")\n",
        );
        let facts = facts(src.as_bytes());
        let first = &facts.assignments[0];
        assert_eq!(first.target, "openai.api_key");
        assert_eq!(at(src, &first.target_span), "openai.api_key");
        assert_eq!(first.top_level, Some(2));
        assert!(!first.exported);
        assert!(
            matches!(&first.value, Expr::Env(read) if read.name == "OPENAI_API_KEY" && read.how == "os.environ")
        );
        assert_eq!(facts.clients[0].top_level, Some(3));
        assert_eq!(facts.dotenv_loads.len(), 1);
        assert_eq!(facts.dotenv_loads[0].top_level, Some(4));
        assert_eq!(at(src, &facts.dotenv_loads[0].span), "load_dotenv()");
        let write = facts
            .assignments
            .iter()
            .find(|a| a.target == "os.environ[\"OPENAI_API_KEY\"]")
            .unwrap();
        assert_eq!(write.top_level, Some(5));
        let reads: Vec<(&str, &str)> = facts
            .env_reads
            .iter()
            .map(|r| (r.name.as_str(), r.how.as_str()))
            .collect();
        assert_eq!(
            reads,
            [
                ("OPENAI_API_KEY", "os.environ"),
                ("A", "environ"),
                ("B", "getenv"),
                ("C", "os.environ.get")
            ]
        );
    }

    #[test]
    fn dotenv_with_find_dotenv_and_values() {
        let src = "from dotenv import load_dotenv, find_dotenv, dotenv_values\nimport dotenv\nload_dotenv(find_dotenv())\nconfig = dotenv_values()\ndotenv.load_dotenv()\n";
        let facts = facts(src.as_bytes());
        let loads: Vec<(&str, Option<usize>)> = facts
            .dotenv_loads
            .iter()
            .map(|l| (at(src, &l.span), l.top_level))
            .collect();
        assert_eq!(
            loads,
            [
                ("load_dotenv(find_dotenv())", Some(2)),
                ("dotenv.load_dotenv()", Some(4))
            ]
        );
    }

    #[test]
    fn logs_env_versus_partial() {
        let src = concat!(
            "print(os.environ[\"OPENAI_API_KEY\"])\n",
            "print(key[:5])\n",
            "logger.info(\"key %s\", len(key))\n",
            "logging.debug(f\"key={key}\")\n",
            "sys.stdout.write(key[-4:])\n",
            "print(\"x\", end=\"\")\n",
            "math.log(x)\n",
        );
        let facts = facts(src.as_bytes());
        assert_eq!(facts.logs.len(), 6);
        assert!(
            matches!(&facts.logs[0].args[..], [Expr::Env(read)] if read.name == "OPENAI_API_KEY")
        );
        assert!(
            matches!(&facts.logs[1].args[..], [Expr::Partial { span }] if at(src, span) == "key[:5]")
        );
        assert!(matches!(
            &facts.logs[2].args[..],
            [Expr::Str(_), Expr::Partial { .. }]
        ));
        assert!(
            matches!(&facts.logs[3].args[..], [Expr::Str(lit)] if lit.kind == StringKind::Interpolated)
        );
        assert!(matches!(&facts.logs[4].args[..], [Expr::Partial { .. }]));
        assert_eq!(facts.logs[5].args.len(), 1);
    }

    #[test]
    fn file_reads() {
        let src = concat!(
            "a = open(\"key.txt\").read()\n",
            "b = open(\"key.txt\").read().strip()\n",
            "c = Path(\"key.txt\").read_text().rstrip(\"\\n\")\n",
            "with open(\"key.txt\") as f:\n    d = f.read()\n",
            "e = g.read()\n",
        );
        let facts = facts(src.as_bytes());
        let value = |target: &str| {
            &facts
                .assignments
                .iter()
                .find(|a| a.target == target)
                .unwrap()
                .value
        };
        assert!(
            matches!(value("a"), Expr::FileRead { stripped: false, span } if at(src, span) == "open(\"key.txt\").read()")
        );
        assert!(matches!(value("b"), Expr::FileRead { stripped: true, .. }));
        assert!(matches!(value("c"), Expr::FileRead { stripped: true, .. }));
        assert!(matches!(
            value("d"),
            Expr::FileRead {
                stripped: false,
                ..
            }
        ));
        assert!(matches!(value("e"), Expr::Other { .. }));
    }

    #[test]
    fn reads_stripped_later_in_their_function() {
        let src = concat!(
            "def load(p):\n",
            "    with open(p) as f:\n        api_key = f.read()\n",
            "    api_key = api_key.strip()\n",
            "    return api_key\n",
            "def other(p):\n    token = open(p).read()\n    return token\n",
            "def clean(token):\n    return token.strip()\n",
        );
        let facts = facts(src.as_bytes());
        let stripped = |target: &str| facts.file_read_stripped(target);
        assert!(stripped("api_key"));
        assert!(!stripped("token"));
    }

    #[test]
    fn tls_material_and_printed_subscripts() {
        let src = concat!(
            "creds = grpc.ssl_channel_credentials(key, certificate_chain=chain)\n",
            "client = httpx.Client(cert=(cert_file, key_file))\n",
            "print(data['api_key'], cfg['a']['b'][:3], 'k: ' + data['k'], os.environ['X'])\n",
        );
        let facts = facts(src.as_bytes());
        let names: Vec<&str> = facts
            .tls_material
            .iter()
            .filter_map(|e| match e {
                Expr::Name { path, .. } => Some(path.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["key", "chain", "cert_file", "key_file"]);
        let args = &facts.logs[0].args;
        assert!(matches!(&args[0], Expr::Name { path, .. } if path == "data[\"api_key\"]"));
        assert!(matches!(&args[1], Expr::Partial { .. }));
        assert!(matches!(&args[2], Expr::Concat { parts, .. }
            if matches!(&parts[1], Expr::Name { path, .. } if path == "data[\"k\"]")));
        assert!(matches!(&args[3], Expr::Env(read) if read.name == "X"));
    }

    #[test]
    fn comments_and_docstrings_are_not_code() {
        let src = concat!(
            "# headers = {\"Authorization\": f\"Bearer {key}\"}\n",
            "# requests.post(\"https://api.openai.com/v1/chat/completions\")\n",
            "def f():\n",
            "    \"\"\"headers = {\"Authorization\": key}; requests.post(\"https://x\")\"\"\"\n",
            "    return 1\n",
        );
        let facts = facts(src.as_bytes());
        assert!(facts.headers.is_empty());
        assert!(facts.requests.is_empty());
        assert_eq!(facts.strings.len(), 1);
        assert!(facts.strings[0].text().unwrap().contains("Authorization"));
    }

    #[test]
    fn syntax_errors_keep_the_rest() {
        let src = "client = OpenAI(api_key=\"sk-x\")\ndef broken(:\n    pass\nprint(key)\n";
        let facts = facts(src.as_bytes());
        assert_eq!(facts.parse_error.as_deref(), Some("syntax error at line 2"));
        assert_eq!(facts.clients.len(), 1);
        // Garbage of every kind: no panic.
        for garbage in [
            "(((((",
            "f\"{",
            "\"\"\"",
            "x = [1,\n",
            "\u{0}\u{1}\u{ff}",
            "def",
            "@",
            "",
        ] {
            let _ = super::facts(garbage.as_bytes());
        }
        let _ = super::facts(&[0xff, 0xfe, b'"', 0x80, b'"']);
    }

    #[test]
    fn byte_spans_after_non_ascii() {
        let src = "# héllo wörld ✓ 日本語\nnote = \"ünïcode ✓\"\nh = {\"Authorization\": \"Bearer \\u00e9 \" + kéy}\n";
        let facts = facts(src.as_bytes());
        let h = header(&facts, "Authorization");
        assert_eq!(at(src, &h.name_span), "Authorization");
        let Expr::Concat { parts, .. } = &h.value else {
            panic!()
        };
        let Expr::Str(lit) = &parts[0] else { panic!() };
        assert_eq!(lit.text().as_deref(), Some("Bearer é "));
        assert_eq!(at(src, &lit.span), "\"Bearer \\u00e9 \"");
        assert!(
            matches!(&parts[1], Expr::Name { path, span } if path == "kéy" && at(src, span) == "kéy")
        );
        let note = &facts.strings[0];
        assert_eq!(at(src, &note.span), "\"ünïcode ✓\"");
        assert_eq!(
            text_part(&note.parts[0]),
            ("ünïcode ✓", &(note.span.start + 1..note.span.end - 1))
        );
    }

    #[test]
    fn string_kinds_and_escapes() {
        let src = "a = r\"\\d+\\n\"\nb = b\"\\x41\\n\"\nc = 'it\\'s'\nd = \"\"\"tri\nple\"\"\"\ne = \"\"\nf = \"a\" \"b\"\ng = f\"{{x}} {y!r:>4}\"\n";
        let facts = facts(src.as_bytes());
        let s = &facts.strings;
        assert_eq!(
            (s[0].kind, s[0].text().as_deref()),
            (StringKind::Raw, Some("\\d+\\n"))
        );
        assert_eq!(
            (s[1].kind, s[1].text().as_deref()),
            (StringKind::Plain, Some("A\n"))
        );
        assert_eq!(s[2].text().as_deref(), Some("it's"));
        assert_eq!(s[3].text().as_deref(), Some("tri\nple"));
        assert!(s[4].parts.is_empty());
        assert_eq!(
            (s[5].text().as_deref(), s[6].text().as_deref()),
            (Some("a"), Some("b"))
        );
        assert!(
            matches!(&facts.assignments[5].value, Expr::Str(lit) if lit.text().as_deref() == Some("ab"))
        );
        assert_eq!(text_part(&s[7].parts[0]).0, "{x} ");
        assert!(
            matches!(&s[7].parts[1], StringPart::Interpolation { code, span } if code == "y" && at(src, span) == "{y!r:>4}")
        );
    }

    #[test]
    fn large_single_line_file() {
        let mut src = String::from("x = [");
        while src.len() < 1_000_000 {
            src.push_str("'abc',h({\"Authorization\":k}),");
        }
        src.push_str("]\n");
        // Unclosed, as deep as is parsed (deeper is not: see the test below).
        src.push_str(&"(".repeat(MAX_NESTING));
        let facts = facts(src.as_bytes());
        assert!(facts.headers.len() > 30_000);
        assert!(facts.parse_error.is_some());
    }

    #[test]
    fn brackets_nesting_deeper_than_the_limit_are_not_parsed() {
        let nested = |depth: usize| {
            format!(
                "k = \"x\"\nv = {}k{}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            )
        };
        assert_eq!(facts(nested(MAX_NESTING).as_bytes()).parse_error, None);
        let deep = facts(nested(MAX_NESTING + 1).as_bytes());
        assert_eq!(
            deep.parse_error.as_deref(),
            Some("nesting deeper than 256 levels")
        );
        assert!(deep.strings.is_empty());
        let open = "(".repeat(MAX_NESTING + 1);
        let quoted = format!(
            "# {open}\na = '{open}'\nb = \"\"\"{open}\n\"{open}\"\"\"\nc = '\\'{open}'\nd = \"{open}\"\n"
        );
        assert_eq!(facts(quoted.as_bytes()).parse_error, None);
    }
    #[test]
    fn fallbacks_keep_their_options() {
        let src = "a = os.getenv(\"K\") or x or \"\"\nb = k if c else None\nc = os.getenv(\"K\", \"d\")\nd = x and y\n";
        let facts = facts(src.as_bytes());
        let values: Vec<&Expr> = facts.assignments.iter().map(|a| &a.value).collect();
        assert!(
            matches!(values[0], Expr::Alternatives { options, .. } if matches!(&options[..], [Expr::Env(_), Expr::Name { .. }, Expr::Str(_)]))
        );
        assert!(
            matches!(values[1], Expr::Alternatives { options, .. } if matches!(&options[..], [Expr::Name { path, .. }, Expr::Other { .. }] if path == "k"))
        );
        assert!(matches!(values[2], Expr::Env(_)));
        assert!(matches!(values[3], Expr::Other { .. }));
    }
}
