//! The JavaScript, TypeScript and TSX front-end: one walk over the tree-sitter tree (a
//! `TreeCursor` with an explicit context stack, so minified bundles stay linear) fills
//! `CodeFacts`. Syntax errors do not stop it: what stands outside `ERROR` nodes is still read.
//!
//! The tree-walking helpers shared with the Go front-end (`traverse`, `Consts`, `auth_like`)
//! live here too.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use tree_sitter::{Language, Node, Parser, Tree};

use super::facts::{
    names_a_mock, Assignment, Client, CodeFacts, DotenvLoad, EnvRead, Expr, Header, HeaderSource,
    LogCall, Request, StringKind, StringLit, StringPart,
};

/// Which grammar parses the file. JSX goes through `JavaScript`, whose grammar parses JSX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    JavaScript,
    TypeScript,
    Tsx,
}

impl Dialect {
    /// This dialect's node kinds by id, made once.
    fn kind_names(self) -> &'static [Box<str>] {
        static TABLES: [OnceLock<Vec<Box<str>>>; 3] = [const { OnceLock::new() }; 3];
        TABLES[self as usize].get_or_init(|| super::kind_table(&self.language()))
    }

    /// This dialect's field names with their ids, made once.
    fn fields(self) -> &'static [(Box<str>, u16)] {
        static TABLES: [OnceLock<super::FieldTable>; 3] = [const { OnceLock::new() }; 3];
        TABLES[self as usize].get_or_init(|| super::field_table(&self.language()))
    }

    fn language(self) -> Language {
        match self {
            Dialect::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }
}

thread_local! {
    /// The node kinds, by id, of the grammar whose tree this thread walks (see `KindName`).
    static KIND_NAMES: Cell<&'static [Box<str>]> = const { Cell::new(&[]) };
    /// Its field names with their ids (see `Field`).
    static FIELDS: Cell<&'static [(Box<str>, u16)]> = const { Cell::new(&[]) };
}

/// Puts a dialect's kind and field tables in use for the walk of one tree, and the previous
/// ones back when dropped.
struct KindNamesInUse(&'static [Box<str>], &'static [(Box<str>, u16)]);

impl KindNamesInUse {
    fn set(dialect: Dialect) -> Self {
        KindNamesInUse(
            KIND_NAMES.with(|names| names.replace(dialect.kind_names())),
            FIELDS.with(|fields| fields.replace(dialect.fields())),
        )
    }
}

impl Drop for KindNamesInUse {
    fn drop(&mut self) {
        KIND_NAMES.with(|names| names.set(self.0));
        FIELDS.with(|fields| fields.set(self.1));
    }
}

/// `child_by_field_name` with the field's id from the table in use (found by binary search,
/// not by comparing the name with every field of the grammar); without a table, by name.
trait Field<'tree> {
    fn field(&self, name: &str) -> Option<Node<'tree>>;
}

impl<'tree> Field<'tree> for Node<'tree> {
    fn field(&self, name: &str) -> Option<Node<'tree>> {
        let fields = FIELDS.with(Cell::get);
        if fields.is_empty() {
            return self.child_by_field_name(name);
        }
        super::field_id(fields, name).and_then(|id| self.child_by_field_id(id))
    }
}

/// Node kinds looked up by id in the table in use: `Node::kind` measures and checks the kind's
/// C string on every call. Without a table (a tree parsed elsewhere), the kind as `Node` gives it.
trait KindName<'tree> {
    fn kind_name(&self) -> &'tree str;
}

impl<'tree> KindName<'tree> for Node<'tree> {
    fn kind_name(&self) -> &'tree str {
        match KIND_NAMES.with(Cell::get).get(usize::from(self.kind_id())) {
            Some(name) => name,
            None => self.kind(),
        }
    }
}

/// The facts of one JavaScript/TypeScript file. Never panics; a file with syntax errors gets
/// `parse_error` and the facts found outside the broken parts.
pub fn facts(source: &[u8], dialect: Dialect) -> CodeFacts {
    facts_of_parts(source, dialect, None)
}

/// The facts of the parts of a file that `regions` keeps (see `regions::javascript`), or of all
/// of it when the parts do not parse on their own.
pub fn facts_in(source: &[u8], dialect: Dialect, regions: Option<&[Range<usize>]>) -> CodeFacts {
    if regions.is_some_and(<[_]>::is_empty) {
        return CodeFacts::default();
    }
    let facts = facts_of_parts(source, dialect, regions);
    if regions.is_some() && facts.parse_error.is_some() {
        return facts_of_parts(source, dialect, None);
    }
    facts
}

fn facts_of_parts(source: &[u8], dialect: Dialect, regions: Option<&[Range<usize>]>) -> CodeFacts {
    if super::brackets_nest_too_deep(source, true) {
        return CodeFacts {
            parse_error: Some(super::brackets_too_deep()),
            ..CodeFacts::default()
        };
    }
    let _kinds = KindNamesInUse::set(dialect);
    let tree = match parse_jsx_text(source, &dialect.language(), regions) {
        Ok(tree) => tree,
        Err(message) => {
            return CodeFacts {
                parse_error: Some(message),
                ..CodeFacts::default()
            }
        }
    };
    // Each template literal copies the code of its substitutions: nested ones would be copied
    // once per enclosing literal.
    if super::nests_too_deep(tree.root_node(), |kind| kind == "template_substitution") {
        return CodeFacts {
            parse_error: Some(super::too_deep()),
            ..CodeFacts::default()
        };
    }
    let mut walker = Walker::new(source);
    let error = traverse(&tree, true, js_scope, |node, ctx| walker.visit(node, ctx));
    let mut facts = walker.finish();
    facts.parse_error = error;
    facts
}

/// Parses, and when the grammar fails on a bare `&` in JSX text (`<b>Terms & Conditions</b>`,
/// tree-sitter-javascript issue #366; React renders it as text), parses again with the bare
/// `&` inside the broken parts read as spaces: the same length, so every span stays. The
/// second tree is kept only when it has no error left.
fn parse_jsx_text(
    source: &[u8],
    language: &Language,
    regions: Option<&[Range<usize>]>,
) -> Result<Tree, String> {
    let tree = parse_parts(source, language, regions)?;
    if !tree.root_node().has_error() {
        return Ok(tree);
    }
    let mut patched = source.to_vec();
    let mut any = false;
    for range in error_ranges(&tree) {
        for at in range {
            if bare_ampersand(source, at) {
                patched[at] = b' ';
                any = true;
            }
        }
    }
    if !any {
        return Ok(tree);
    }
    match parse_parts(&patched, language, regions) {
        Ok(second) if !second.root_node().has_error() => Ok(second),
        _ => Ok(tree),
    }
}

/// The byte ranges of the outermost ERROR nodes.
fn error_ranges(tree: &Tree) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut stack = vec![tree.root_node()];
    let mut cursor = tree.walk();
    while let Some(node) = stack.pop() {
        if node.is_error() {
            ranges.push(node.byte_range());
        } else if node.has_error() {
            stack.extend(node.children(&mut cursor));
        }
    }
    ranges
}

/// An `&` that is not `&&`, `&=` nor an entity (`&amp;`, `&#38;`).
fn bare_ampersand(source: &[u8], at: usize) -> bool {
    if source.get(at) != Some(&b'&') {
        return false;
    }
    let before = at.checked_sub(1).and_then(|b| source.get(b));
    let after = source.get(at + 1);
    if before == Some(&b'&') || matches!(after, Some(b'&' | b'=')) {
        return false;
    }
    let rest = &source[at + 1..source.len().min(at + 34)];
    let entity = rest.iter().position(|&b| b == b';').is_some_and(|end| {
        end > 0
            && rest[..end]
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'#')
    });
    !entity
}

// ---------------------------------------------------------------------------------------------
// Shared with the Go front-end.

/// How deep expression conversion and path building go before giving up with `Other`.
pub(crate) const MAX_DEPTH: usize = 64;

pub(crate) fn parse(source: &[u8], language: &Language) -> Result<Tree, String> {
    parse_parts(source, language, None)
}

fn parse_parts(
    source: &[u8],
    language: &Language,
    regions: Option<&[Range<usize>]>,
) -> Result<Tree, String> {
    let mut parser = Parser::new();
    parser
        .set_language(language)
        .map_err(|error| format!("cannot load the grammar: {error}"))?;
    if let Some(regions) = regions {
        parser
            .set_included_ranges(&super::regions::tree_sitter_ranges(source, regions))
            .map_err(|_| "the parts to parse are out of order".to_string())?;
    }
    parser
        .parse(source, None)
        .ok_or_else(|| "the parser gave up".to_string())
}

/// Where a node stands: the enclosing function and the top-level statement.
#[derive(Debug, Clone)]
pub(crate) struct Ctx<'t> {
    /// The node's own kind.
    pub kind: &'t str,
    /// The parent's kind ("" for the root).
    pub parent_kind: &'t str,
    pub depth: usize,
    pub function: Option<Range<usize>>,
    pub top_level: Option<usize>,
}

impl Ctx<'_> {
    /// A key for names local to the enclosing function (None at top level).
    pub fn scope(&self) -> Option<usize> {
        self.function.as_ref().map(|f| f.start)
    }
}

/// What a node kind does to the context of the nodes inside it.
pub(crate) enum Scope {
    /// A function: its span becomes `function`, and nothing inside is top-level.
    Function,
    /// Runs later (a class body): nothing inside is top-level.
    Deferred,
    Same,
}

fn js_scope(kind: &str) -> Scope {
    match kind {
        "function_declaration"
        | "function_expression"
        | "function"
        | "generator_function_declaration"
        | "generator_function"
        | "arrow_function"
        | "method_definition" => Scope::Function,
        "class_body" => Scope::Deferred,
        _ => Scope::Same,
    }
}

/// Walks every node once in source order (a `TreeCursor`, no recursion), calling `visit` with
/// the node's context; `visit` returns whether to go into the node's children. `ERROR` and
/// missing nodes are skipped. Returns a message for the first syntax error.
pub(crate) fn traverse<'t>(
    tree: &'t Tree,
    count_top_level: bool,
    scope: impl Fn(&str) -> Scope,
    mut visit: impl FnMut(Node<'t>, &Ctx<'t>) -> bool,
) -> Option<String> {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let mut error = None;
    let mut top_count = 0usize;
    let mut stack = vec![Ctx {
        kind: root.kind_name(),
        parent_kind: "",
        depth: 0,
        function: None,
        top_level: None,
    }];
    let mut derive = |parent: &Ctx<'t>, child: Node<'t>| {
        let mut ctx = Ctx {
            kind: child.kind_name(),
            parent_kind: parent.kind,
            depth: parent.depth + 1,
            function: parent.function.clone(),
            top_level: parent.top_level,
        };
        if count_top_level
            && parent.depth == 0
            && child.is_named()
            && !child.is_extra()
            && child.kind_name() != "hash_bang_line"
        {
            ctx.top_level = Some(top_count);
            top_count += 1;
        }
        match scope(child.kind_name()) {
            Scope::Function => {
                ctx.function = Some(child.byte_range());
                ctx.top_level = None;
            }
            Scope::Deferred => ctx.top_level = None,
            Scope::Same => {}
        }
        ctx
    };
    loop {
        let node = cursor.node();
        let ctx = stack
            .last()
            .expect("the context stack holds the current node");
        let descend = if node.is_error() || node.is_missing() {
            if error.is_none() {
                error = Some(syntax_error(node));
            }
            false
        } else {
            visit(node, ctx)
        };
        if descend && cursor.goto_first_child() {
            let child = derive(ctx, cursor.node());
            stack.push(child);
            continue;
        }
        loop {
            stack.pop();
            if cursor.goto_next_sibling() {
                let parent = stack.last().expect("a sibling has a parent");
                let sibling = derive(parent, cursor.node());
                stack.push(sibling);
                break;
            }
            if !cursor.goto_parent() {
                return error;
            }
        }
    }
}

fn syntax_error(node: Node) -> String {
    let at = node.start_position();
    let (line, column) = (at.row + 1, at.column + 1);
    if node.is_missing() {
        format!(
            "syntax error: missing `{}` at line {line}, column {column}",
            node.kind_name()
        )
    } else {
        format!("syntax error at line {line}, column {column}")
    }
}

/// The named children of a node, comments left out.
pub(crate) fn named<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| !child.is_extra())
        .collect()
}

/// The first named child that is not a comment.
pub(crate) fn first_named(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    let first = node
        .named_children(&mut cursor)
        .find(|child| !child.is_extra());
    first
}

/// Whether a header name, seen outside any headers context (a plain object literal or map),
/// is one that carries or scopes a key: `Authorization` and its misspellings, `api-key`,
/// `X-API-Key`, `OpenAI-Organization`, `OpenAI-Project`, `x-goog-api-key`, ...
pub(crate) fn auth_like(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let squashed: String = lower
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect();
    if (10..=17).contains(&squashed.len()) && edit_distance(&squashed, "authorization") <= 3 {
        return true;
    }
    if lower == "proxy-authorization" || lower == "ocp-apim-subscription-key" {
        return true;
    }
    name.contains('-')
        && (squashed.contains("apikey")
            || lower.starts_with("openai-")
            || squashed.contains("authtoken")
            || (lower.starts_with("x-")
                && (squashed.contains("key")
                    || squashed.contains("token")
                    || squashed.contains("auth"))))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

/// Names assigned a string literal (or a concatenation of literals and such names), per
/// function (`None`: top level / package level), to resolve request URLs. A name assigned
/// twice is ambiguous and resolves to nothing.
#[derive(Debug, Default)]
pub(crate) struct Consts {
    map: HashMap<(Option<usize>, String), Option<Expr>>,
}

impl Consts {
    pub fn define(&mut self, scope: Option<usize>, name: &str, value: &Expr) {
        let value = match value {
            Expr::Str(_) | Expr::Concat { .. } | Expr::Name { .. } => Some(value.clone()),
            _ => None,
        };
        self.map
            .entry((scope, name.to_string()))
            .and_modify(|old| *old = None)
            .or_insert(value);
    }

    fn lookup(&self, scope: Option<usize>, name: &str) -> Option<&Expr> {
        let key = (scope, name.to_string());
        match self.map.get(&key) {
            Some(found) => found.as_ref(),
            None if scope.is_some() => self.map.get(&(None, key.1)).and_then(Option::as_ref),
            None => None,
        }
    }

    /// The URL an expression stands for: its text as far as literals and names assigned
    /// literals take it (`${BASE}/chat` with `BASE` a literal, the leading text of a template
    /// literal); None when nothing at the start is known.
    pub fn resolve(&self, scope: Option<usize>, expr: &Expr) -> Option<String> {
        let mut out = String::new();
        self.resolve_into(scope, expr, &mut out, 0);
        (!out.is_empty()).then_some(out)
    }

    /// Appends what is known; returns whether all of it was.
    fn resolve_into(
        &self,
        scope: Option<usize>,
        expr: &Expr,
        out: &mut String,
        depth: usize,
    ) -> bool {
        if depth > 8 {
            return false;
        }
        match expr {
            Expr::Str(lit) => {
                for part in &lit.parts {
                    match part {
                        StringPart::Text { text, .. } => out.push_str(text),
                        StringPart::Interpolation { code, .. } => {
                            let name = code.trim();
                            let simple = !name.is_empty()
                                && name
                                    .chars()
                                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
                            match self.lookup(scope, name).filter(|_| simple) {
                                Some(value) => {
                                    if !self.resolve_into(scope, value, out, depth + 1) {
                                        return false;
                                    }
                                }
                                None => return false,
                            }
                        }
                    }
                }
                true
            }
            Expr::Name { path, .. } => match self.lookup(scope, path) {
                Some(value) => self.resolve_into(scope, value, out, depth + 1),
                None => false,
            },
            Expr::Concat { parts, .. } => parts
                .iter()
                .all(|part| self.resolve_into(scope, part, out, depth + 1)),
            _ => false,
        }
    }
}

/// The text of a literal after JavaScript escape processing.
fn unescape_js(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(escape) = chars.next() else {
            out.push('\\');
            break;
        };
        match escape {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '0'..='7' => {
                let mut value = escape.to_digit(8).unwrap_or(0);
                let mut digits = 1;
                while digits < 3 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) if value * 8 + d <= 0o377 => {
                            value = value * 8 + d;
                            chars.next();
                            digits += 1;
                        }
                        _ => break,
                    }
                }
                out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
            }
            'x' => {
                let ahead = chars.clone();
                let hex: String = ahead.take(2).collect();
                match u32::from_str_radix(&hex, 16) {
                    Ok(value) if hex.len() == 2 && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
                        chars.next();
                        chars.next();
                        out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
                    }
                    _ => out.push('x'),
                }
            }
            'u' => match unicode_escape(&mut chars) {
                Some(unit) if (0xD800..0xDC00).contains(&unit) => {
                    // A high surrogate: pair it with a following `\uDC00`..`\uDFFF`.
                    let mut ahead = chars.clone();
                    let low = (ahead.next() == Some('\\') && ahead.next() == Some('u'))
                        .then(|| unicode_escape(&mut ahead))
                        .flatten()
                        .filter(|low| (0xDC00..0xE000).contains(low));
                    match low {
                        Some(low) => {
                            chars = ahead;
                            let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                            out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
                        }
                        None => out.push('\u{fffd}'),
                    }
                }
                Some(unit) => out.push(char::from_u32(unit).unwrap_or('\u{fffd}')),
                None => out.push('u'),
            },
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            '\n' | '\u{2028}' | '\u{2029}' => {}
            other => out.push(other),
        }
    }
    out
}

/// After `\u`: `XXXX` or `{X...}`; consumes it when valid.
fn unicode_escape(chars: &mut std::iter::Peekable<std::str::Chars>) -> Option<u32> {
    let mut ahead = chars.clone();
    let hex: String = if ahead.peek() == Some(&'{') {
        ahead.next();
        let hex: String = ahead.by_ref().take_while(|c| *c != '}').collect();
        if hex.len() > 6 {
            return None;
        }
        hex
    } else {
        let hex: String = ahead.by_ref().take(4).collect();
        if hex.len() != 4 {
            return None;
        }
        hex
    };
    if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let value = u32::from_str_radix(&hex, 16).ok()?;
    *chars = ahead;
    Some(value)
}

// ---------------------------------------------------------------------------------------------
// The JavaScript walker.

pub(crate) const CLIENT_CLASSES: &[&str] = &[
    "OpenAI",
    "AzureOpenAI",
    "Anthropic",
    "AnthropicBedrock",
    "Groq",
    "ChatOpenAI",
    "AzureChatOpenAI",
    "OpenAIEmbeddings",
    "AzureOpenAIEmbeddings",
    "ChatAnthropic",
    "ChatGroq",
];

pub(crate) const SDK_FACTORIES: &[&str] = &[
    "createOpenAI",
    "createAzure",
    "createAnthropic",
    "createGroq",
    "createOpenAICompatible",
];

const KEY_PROPERTIES: &[&str] = &[
    "apiKey",
    "openAIApiKey",
    "azureOpenAIApiKey",
    "anthropicApiKey",
];

const DOTENV_MODULES: &[&str] = &["dotenv", "@dotenvx/dotenvx", "dotenv-safe", "dotenv-flow"];

const DOTENV_CONFIG_MODULES: &[&str] = &[
    "dotenv/config",
    "dotenv/config.js",
    "@dotenvx/dotenvx/config",
    "dotenv-safe/config",
    "dotenv-flow/config",
];

const CONSOLE_METHODS: &[&str] = &[
    "log", "info", "warn", "error", "debug", "trace", "dir", "table",
];

const LOG_LEVELS: &[&str] = &[
    "log", "info", "warn", "warning", "error", "debug", "trace", "fatal", "verbose", "silly",
    "http", "notice", "critical",
];

/// Properties of a TLS options object whose values are certificates or private keys.
const TLS_PROPERTIES: &[&str] = &[
    "key",
    "cert",
    "ca",
    "pfx",
    "passphrase",
    "privateKey",
    "certChain",
    "caCerts",
];

/// One of these makes an object a TLS options object (`{ cert, key }` of an https or undici
/// Agent, `tls.connect`, `Deno.createHttpClient`).
const TLS_SHAPE: &[&str] = &["cert", "ca", "pfx", "certChain", "caCerts"];

/// Methods that strip a string's trailing newline.
const STRIP_METHODS: &[&str] = &["trim", "trimEnd", "trimRight"];

/// Axios-style methods: `(url, config)`.
const URL_CONFIG_METHODS: &[&str] = &["get", "delete", "head", "options"];
/// Axios-style methods: `(url, data, config)`.
const URL_DATA_CONFIG_METHODS: &[&str] =
    &["post", "put", "patch", "postForm", "putForm", "patchForm"];

/// A request seen during the walk; `instance` requests are kept only when the instance is an
/// axios instance (`axios.create`) of this file.
struct Pending {
    tool: String,
    url: Option<Expr>,
    span: Range<usize>,
    headers: HeaderSource,
    function: Option<Range<usize>>,
    /// `axios` for the global axios, the instance path for instances, None for the rest.
    axios: Option<String>,
}

struct AxiosInstance {
    /// Its config sets headers, or is not an object literal.
    with_headers: bool,
    /// The config's `baseURL`, joined to relative request URLs.
    base_url: Option<Expr>,
}

struct Walker<'s> {
    src: &'s [u8],
    facts: CodeFacts,
    /// Object literals whose every property is a header (`headers: {...}`, `new Headers({...})`).
    header_objects: HashSet<usize>,
    /// Names bound to functions that answer a request by themselves (mock `fetch`es).
    answering_functions: HashSet<String>,
    consts: Consts,
    /// Local names bound to the dotenv module.
    dotenv_modules: HashSet<String>,
    /// Local names bound to dotenv's `config`.
    dotenv_config_fns: HashSet<String>,
    /// Axios instances (`x = axios.create(config)`) by path.
    axios_instances: HashMap<String, AxiosInstance>,
    /// Axios objects whose `defaults` or `interceptors` are touched.
    axios_configured: HashSet<String>,
    pending: Vec<Pending>,
    /// Variables assigned an unstripped file read: (enclosing function, name, index of the
    /// assignment, where the assignment ends).
    file_holders: Vec<(Option<Range<usize>>, String, usize, usize)>,
    /// Variables stripped (`raw.trim()`): (name, where).
    strips: Vec<(String, usize)>,
}

/// A property of an object literal: its name (when static), what it holds, the whole property.
type PropEntry<'t> = (Option<(String, Range<usize>)>, Prop<'t>, Node<'t>);

enum Prop<'t> {
    /// `key: value`
    Value(Node<'t>),
    /// `{ key }`
    Shorthand(Node<'t>),
    /// `...spread`
    Spread,
}

impl<'s> Walker<'s> {
    fn new(src: &'s [u8]) -> Self {
        Walker {
            src,
            facts: CodeFacts::default(),
            header_objects: HashSet::new(),
            answering_functions: HashSet::new(),
            consts: Consts::default(),
            dotenv_modules: HashSet::new(),
            dotenv_config_fns: HashSet::new(),
            axios_instances: HashMap::new(),
            axios_configured: HashSet::new(),
            pending: Vec::new(),
            file_holders: Vec::new(),
            strips: Vec::new(),
        }
    }

    fn finish(mut self) -> CodeFacts {
        self.mark_stripped_holders();
        for pending in std::mem::take(&mut self.pending) {
            let mut headers = pending.headers;
            let mut base_url = None;
            if let Some(axios) = &pending.axios {
                let configured = self.axios_configured.contains(axios);
                let opaque = if axios == "axios" {
                    configured
                } else {
                    match self.axios_instances.get(axios) {
                        Some(instance) => {
                            base_url = instance.base_url.as_ref();
                            instance.with_headers || configured
                        }
                        None => continue,
                    }
                };
                if opaque && headers == HeaderSource::None {
                    headers = HeaderSource::Opaque;
                }
            }
            let scope = pending.function.as_ref().map(|f| f.start);
            let mut url = pending
                .url
                .as_ref()
                .and_then(|url| self.consts.resolve(scope, url));
            let base = base_url.and_then(|base| self.consts.resolve(scope, base));
            if let (Some(relative), Some(base)) = (&url, base) {
                if !relative.contains("://") {
                    url = Some(format!(
                        "{}/{}",
                        base.trim_end_matches('/'),
                        relative.trim_start_matches('/')
                    ));
                }
            }
            self.facts.requests.push(Request {
                tool: pending.tool,
                url,
                span: pending.span,
                headers,
                function: pending.function,
            });
        }
        self.facts
    }

    fn text(&self, node: Node) -> Cow<'s, str> {
        String::from_utf8_lossy(&self.src[node.byte_range()])
    }

    fn is(&self, node: Node, kind: &str, text: &str) -> bool {
        node.kind_name() == kind && &self.src[node.byte_range()] == text.as_bytes()
    }

    fn is_ident(&self, node: Node, text: &str) -> bool {
        self.is(node, "identifier", text)
    }

    fn visit(&mut self, node: Node, ctx: &Ctx) -> bool {
        if !node.is_named() {
            // Tokens, including the keywords that share a kind's name (TypeScript `string`).
            return false;
        }
        match node.kind_name() {
            "comment" | "html_comment" => false,
            "string" => {
                let lit = self.string_lit(node, ctx.parent_kind == "jsx_attribute");
                self.facts.strings.push(lit);
                false
            }
            "template_string" => {
                let lit = self.template_lit(node);
                self.facts.strings.push(lit);
                true
            }
            "member_expression" | "subscript_expression" => {
                if let Some(read) = self.env_read(node) {
                    self.facts.env_reads.push(read);
                }
                true
            }
            "call_expression" => {
                self.call(node, ctx);
                true
            }
            "new_expression" => {
                self.new_expression(node, ctx);
                true
            }
            "object" => {
                self.object(node, ctx);
                self.tls_options(node);
                true
            }
            "variable_declarator" => {
                self.declarator(node, ctx);
                true
            }
            "assignment_expression" => {
                self.assignment(node, ctx);
                true
            }
            "field_definition" | "public_field_definition" => {
                self.field(node, ctx);
                true
            }
            "import_statement" => {
                self.import(node, ctx);
                true
            }
            _ => true,
        }
    }

    // --- strings -------------------------------------------------------------------------

    fn string_lit(&self, node: Node, jsx: bool) -> StringLit {
        let span = node.byte_range();
        let content = self.content(node);
        let raw = String::from_utf8_lossy(&self.src[content.clone()]);
        let parts = if content.is_empty() {
            Vec::new()
        } else {
            let text = if jsx {
                raw.into_owned()
            } else {
                unescape_js(&raw)
            };
            vec![StringPart::Text {
                text,
                span: content,
            }]
        };
        StringLit {
            span,
            kind: StringKind::Plain,
            parts,
        }
    }

    /// The bytes between a literal's quotes (the closing one may be missing).
    fn content(&self, node: Node) -> Range<usize> {
        let span = node.byte_range();
        if span.is_empty() {
            return span;
        }
        let open = self.src[span.start];
        let start = span.start + 1;
        let end = if span.end > start && self.src[span.end - 1] == open {
            span.end - 1
        } else {
            span.end
        };
        start..end.max(start)
    }

    fn template_lit(&self, node: Node) -> StringLit {
        let span = node.byte_range();
        let content = self.content(node);
        let mut parts = Vec::new();
        let mut pos = content.start;
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.kind_name() != "template_substitution" {
                continue;
            }
            let sub = child.byte_range();
            if sub.is_empty() {
                continue;
            }
            if sub.start > pos {
                parts.push(self.text_part(pos..sub.start));
            }
            let code = match first_named(child) {
                Some(inner) => self.text(inner).into_owned(),
                None => {
                    let start = (sub.start + 2).min(sub.end);
                    let end = if self.src[sub.end - 1] == b'}' {
                        sub.end - 1
                    } else {
                        sub.end
                    };
                    String::from_utf8_lossy(&self.src[start..end.max(start)])
                        .trim()
                        .to_string()
                }
            };
            parts.push(StringPart::Interpolation {
                code,
                span: sub.clone(),
            });
            pos = sub.end;
        }
        if content.end > pos {
            parts.push(self.text_part(pos..content.end));
        }
        StringLit {
            span,
            kind: StringKind::Interpolated,
            parts,
        }
    }

    fn text_part(&self, span: Range<usize>) -> StringPart {
        StringPart::Text {
            text: unescape_js(&String::from_utf8_lossy(&self.src[span.clone()])),
            span,
        }
    }

    /// The value of a string literal or a template literal without substitutions, with the
    /// span of its text.
    fn string_value(&self, node: Node) -> Option<(String, Range<usize>)> {
        match node.kind_name() {
            "string" => {
                let content = self.content(node);
                let text = unescape_js(&String::from_utf8_lossy(&self.src[content.clone()]));
                Some((text, content))
            }
            "template_string" => {
                let lit = self.template_lit(node);
                let text = lit.text()?;
                Some((text, self.content(node)))
            }
            _ => None,
        }
    }

    // --- expressions ---------------------------------------------------------------------

    fn expr(&self, node: Node) -> Expr {
        self.expr_at(node, 0)
    }

    fn expr_at(&self, node: Node, depth: usize) -> Expr {
        let span = node.byte_range();
        if depth > MAX_DEPTH || !node.is_named() {
            return Expr::Other { span };
        }
        match node.kind_name() {
            "string" => Expr::Str(self.string_lit(node, false)),
            "template_string" => Expr::Str(self.template_lit(node)),
            "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "type_assertion" => match unwrap_ts(node) {
                inner if inner != node => self.expr_at(inner, depth + 1),
                _ => Expr::Other { span },
            },
            "await_expression" => {
                match first_named(node).map(|inner| self.expr_at(inner, depth + 1)) {
                    Some(Expr::FileRead { stripped, .. }) => Expr::FileRead { stripped, span },
                    Some(inner) => inner,
                    None => Expr::Other { span },
                }
            }
            "identifier"
            | "shorthand_property_identifier"
            | "this"
            | "member_expression"
            | "subscript_expression" => {
                if let Some(read) = self.env_read(node) {
                    return Expr::Env(read);
                }
                if node.kind_name() == "member_expression"
                    && node
                        .field("property")
                        .is_some_and(|p| self.is(p, "property_identifier", "length"))
                {
                    return Expr::Partial { span };
                }
                match self.path(node) {
                    Some(path) => Expr::Name { path, span },
                    None => Expr::Other { span },
                }
            }
            "binary_expression" if self.operator(node) == Some("+") => self.concat(node, depth),
            // `a || b`, `a ?? b`: either operand may be the value.
            "binary_expression" if matches!(self.operator(node), Some("||" | "??")) => {
                let operands = ["left", "right"].map(|field| node.field(field));
                self.alternatives(operands, span, depth)
            }
            // `c ? x : y`: either branch may be the value.
            "ternary_expression" => {
                let operands = ["consequence", "alternative"].map(|field| node.field(field));
                self.alternatives(operands, span, depth)
            }
            "call_expression" => self.call_expr(node, depth),
            _ => Expr::Other { span },
        }
    }

    /// The options of a fallback, nested fallbacks flattened (`a ?? b ?? c`: three options).
    fn alternatives(
        &self,
        operands: [Option<Node>; 2],
        span: std::ops::Range<usize>,
        depth: usize,
    ) -> Expr {
        let [Some(first), Some(second)] = operands else {
            return Expr::Other { span };
        };
        Expr::alternatives(
            [first, second].map(|operand| self.expr_at(operand, depth + 1)),
            span,
        )
    }

    fn operator(&self, node: Node) -> Option<&'static str> {
        let op = node.field("operator")?;
        Some(match &self.src[op.byte_range()] {
            b"+" => "+",
            b"||" => "||",
            b"??" => "??",
            _ => "",
        })
    }

    /// `a + b + c`, flattened (the left spine iteratively, so long chains cannot overflow).
    fn concat(&self, node: Node, depth: usize) -> Expr {
        plus_chain(
            node,
            depth,
            |n| self.operator(n) == Some("+"),
            |n, d| self.expr_at(n, d),
        )
    }

    fn call_expr(&self, node: Node, depth: usize) -> Expr {
        let span = node.byte_range();
        let other = Expr::Other { span: span.clone() };
        if let Some(read) = self.env_read(node) {
            return Expr::Env(read);
        }
        let (Some(func), Some(args)) = (node.field("function"), node.field("arguments")) else {
            return other;
        };
        if args.kind_name() != "arguments" {
            return other;
        }
        let argv = named(args);
        match func.kind_name() {
            "identifier" => match &*self.text(func) {
                "readFileSync" | "readFile" | "readTextFileSync" | "readTextFile" => {
                    Expr::FileRead {
                        stripped: false,
                        span,
                    }
                }
                _ => other,
            },
            "member_expression" => {
                let (Some(object), Some(property)) = (func.field("object"), func.field("property"))
                else {
                    return other;
                };
                let property = self.text(property);
                match &*property {
                    "readFileSync" | "readFile" | "readTextFileSync" | "readTextFile" => {
                        Expr::FileRead {
                            stripped: false,
                            span,
                        }
                    }
                    "text"
                        if object.kind_name() == "call_expression"
                            && object
                                .field("function")
                                .and_then(|f| self.path(f))
                                .is_some_and(|p| p == "Bun.file") =>
                    {
                        Expr::FileRead {
                            stripped: false,
                            span,
                        }
                    }
                    "trim" | "trimEnd" | "trimStart" | "trimRight" | "trimLeft" => {
                        match self.expr_at(object, depth + 1) {
                            Expr::FileRead { .. } => Expr::FileRead {
                                stripped: true,
                                span,
                            },
                            inner @ (Expr::Env(_) | Expr::Name { .. }) => inner,
                            _ => other,
                        }
                    }
                    "toString" => match self.expr_at(object, depth + 1) {
                        Expr::FileRead { stripped, .. } => Expr::FileRead { stripped, span },
                        inner @ (Expr::Env(_) | Expr::Name { .. }) => inner,
                        _ => other,
                    },
                    "replace" | "replaceAll" => match self.expr_at(object, depth + 1) {
                        Expr::FileRead { stripped, .. } => {
                            let pattern = argv.first().map(|p| self.text(*p)).unwrap_or_default();
                            Expr::FileRead {
                                stripped: stripped || strips_newline(&pattern),
                                span,
                            }
                        }
                        _ => other,
                    },
                    "slice" | "substring" | "substr" | "charAt" | "at" => Expr::Partial { span },
                    "concat" => {
                        let mut parts = vec![self.expr_at(object, depth + 1)];
                        parts.extend(argv.iter().map(|a| self.expr_at(*a, depth + 1)));
                        Expr::Concat { parts, span }
                    }
                    "format" if self.is_ident(object, "util") => {
                        match argv.first().filter(|t| t.kind_name() == "string") {
                            Some(template) => Expr::Format {
                                template: self.string_lit(*template, false),
                                args: argv[1..]
                                    .iter()
                                    .map(|a| self.expr_at(*a, depth + 1))
                                    .collect(),
                                span,
                            },
                            None => other,
                        }
                    }
                    _ => other,
                }
            }
            _ => other,
        }
    }

    /// `a.b.c`, `this.key`, `obj["k"]`; None for anything with calls or computed parts.
    fn path(&self, node: Node) -> Option<String> {
        let mut segments: Vec<(Cow<str>, bool)> = Vec::new();
        let mut current = node;
        for _ in 0..MAX_DEPTH {
            match current.kind_name() {
                "identifier"
                | "this"
                | "super"
                | "shorthand_property_identifier"
                | "property_identifier"
                | "meta_property" => {
                    segments.push((self.text(current), false));
                    let mut path = String::new();
                    for (i, (segment, index)) in segments.iter().rev().enumerate() {
                        if i > 0 && !index {
                            path.push('.');
                        }
                        path.push_str(segment);
                    }
                    return Some(path);
                }
                "member_expression" => {
                    let property = current.field("property")?;
                    segments.push((self.text(property), false));
                    current = current.field("object")?;
                }
                "subscript_expression" => {
                    let index = current.field("index")?;
                    let segment = match index.kind_name() {
                        "number" => format!("[{}]", self.text(index)),
                        _ => format!("[\"{}\"]", self.string_value(index)?.0),
                    };
                    segments.push((Cow::Owned(segment), true));
                    current = current.field("object")?;
                }
                "parenthesized_expression"
                | "non_null_expression"
                | "as_expression"
                | "satisfies_expression"
                | "type_assertion" => {
                    let inner = unwrap_ts(current);
                    if inner == current {
                        return None;
                    }
                    current = inner;
                }
                _ => return None,
            }
        }
        None
    }

    /// `process.env.X`, `process.env["X"]`, `import.meta.env.X`, `Bun.env.X`,
    /// `Deno.env.get("X")`.
    fn env_read(&self, node: Node) -> Option<EnvRead> {
        let span = node.byte_range();
        match node.kind_name() {
            "member_expression" => {
                let property = node.field("property")?;
                if property.kind_name() != "property_identifier" {
                    return None;
                }
                let how = self.env_object(node.field("object")?)?;
                Some(EnvRead {
                    name: self.text(property).into_owned(),
                    span,
                    how: how.to_string(),
                })
            }
            "subscript_expression" => {
                let how = self.env_object(node.field("object")?)?;
                let (name, _) = self.string_value(node.field("index")?)?;
                Some(EnvRead {
                    name,
                    span,
                    how: how.to_string(),
                })
            }
            "call_expression" => {
                let func = node.field("function")?;
                if func.kind_name() != "member_expression"
                    || !func
                        .field("property")
                        .is_some_and(|p| self.is(p, "property_identifier", "get"))
                {
                    return None;
                }
                let object = func.field("object")?;
                if object.kind_name() != "member_expression"
                    || !object
                        .field("object")
                        .is_some_and(|o| self.is_ident(o, "Deno"))
                    || !object
                        .field("property")
                        .is_some_and(|p| self.is(p, "property_identifier", "env"))
                {
                    return None;
                }
                let args = node.field("arguments")?;
                let (name, _) = self.string_value(first_named(args)?)?;
                Some(EnvRead {
                    name,
                    span,
                    how: "Deno.env.get".to_string(),
                })
            }
            _ => None,
        }
    }

    /// What an environment object is: `process.env`, `import.meta.env`, `Bun.env`.
    fn env_object(&self, node: Node) -> Option<&'static str> {
        let node = unwrap_ts(node);
        if node.kind_name() != "member_expression"
            || !node
                .field("property")
                .is_some_and(|p| self.is(p, "property_identifier", "env"))
        {
            return None;
        }
        let object = unwrap_ts(node.field("object")?);
        match object.kind_name() {
            "identifier" => match &self.src[object.byte_range()] {
                b"process" => Some("process.env"),
                b"Bun" => Some("Bun.env"),
                _ => None,
            },
            "meta_property" if &self.src[object.byte_range()] == b"import.meta" => {
                Some("import.meta.env")
            }
            "member_expression"
                if object
                    .field("object")
                    .is_some_and(|o| o.kind_name() == "import")
                    && object
                        .field("property")
                        .is_some_and(|p| self.is(p, "property_identifier", "meta")) =>
            {
                Some("import.meta.env")
            }
            _ => None,
        }
    }

    // --- objects and headers -------------------------------------------------------------

    /// The name of a property key: identifier, string, computed string.
    fn prop_name(&self, key: Node) -> Option<(String, Range<usize>)> {
        match key.kind_name() {
            "property_identifier"
            | "identifier"
            | "shorthand_property_identifier"
            | "shorthand_property_identifier_pattern" => {
                Some((self.text(key).into_owned(), key.byte_range()))
            }
            "string" => self.string_value(key),
            "computed_property_name" => self.string_value(unwrap_ts(first_named(key)?)),
            _ => None,
        }
    }

    /// The properties of an object literal, in order.
    fn props<'t>(&self, object: Node<'t>) -> Vec<PropEntry<'t>> {
        let mut out = Vec::new();
        let mut cursor = object.walk();
        for child in object.named_children(&mut cursor) {
            match child.kind_name() {
                "pair" => {
                    let name = child.field("key").and_then(|k| self.prop_name(k));
                    if let Some(value) = child.field("value") {
                        out.push((name, Prop::Value(value), child));
                    }
                }
                "shorthand_property_identifier" => {
                    out.push((self.prop_name(child), Prop::Shorthand(child), child));
                }
                "spread_element" => out.push((None, Prop::Spread, child)),
                _ => {}
            }
        }
        out
    }

    fn prop_expr(&self, prop: &Prop) -> Option<Expr> {
        match prop {
            Prop::Value(value) => Some(self.expr(*value)),
            Prop::Shorthand(node) => Some(self.expr(*node)),
            Prop::Spread => None,
        }
    }

    fn object(&mut self, node: Node, ctx: &Ctx) {
        let all = self.header_objects.contains(&node.id());
        let payload = !all && self.in_payload(node);
        for (name, prop, whole) in self.props(node) {
            let Some((name, name_span)) = name else {
                continue;
            };
            if let Prop::Value(value) = prop {
                if name.eq_ignore_ascii_case("headers") {
                    let value = unwrap_ts(value);
                    if value.kind_name() == "object" {
                        self.header_objects.insert(value.id());
                    }
                }
            }
            if all || (auth_like(&name) && !payload) {
                let Some(value) = self.prop_expr(&prop) else {
                    continue;
                };
                self.facts.headers.push(Header {
                    name,
                    name_span,
                    value,
                    span: whole.byte_range(),
                    function: ctx.function.clone(),
                });
            }
        }
    }

    /// An object that is data, not headers: an element of an array, the value of a property
    /// other than `headers`, or what `JSON.stringify` turns into a body. Its `authorization` is
    /// a body field (an MCP tool's OAuth token), which no server reads as the header.
    fn in_payload(&self, node: Node) -> bool {
        let mut child = node;
        let mut parent = node.parent();
        while let Some(p) = parent.filter(|p| {
            matches!(
                p.kind_name(),
                "parenthesized_expression"
                    | "as_expression"
                    | "satisfies_expression"
                    | "non_null_expression"
            )
        }) {
            child = p;
            parent = p.parent();
        }
        let Some(parent) = parent else { return false };
        match parent.kind_name() {
            "array" => true,
            "pair" => {
                parent.field("value").map(|v| v.id()) == Some(child.id())
                    && parent
                        .field("key")
                        .and_then(|key| self.prop_name(key))
                        .is_none_or(|(name, _)| !name.to_ascii_lowercase().contains("header"))
            }
            "arguments" => parent
                .parent()
                .and_then(|call| call.field("function"))
                .and_then(|function| self.path(function))
                .is_some_and(|f| f == "JSON.stringify"),
            _ => false,
        }
    }

    /// How a request's init/config object carries headers.
    fn header_source(&self, init: Option<Node>) -> HeaderSource {
        let Some(init) = init.map(unwrap_ts) else {
            return HeaderSource::None;
        };
        match init.kind_name() {
            "object" => {
                let mut spread = false;
                for (name, prop, _) in self.props(init) {
                    match prop {
                        Prop::Spread => spread = true,
                        Prop::Shorthand(_)
                            if name.as_ref().is_some_and(|(n, _)| n == "headers") =>
                        {
                            return HeaderSource::Opaque
                        }
                        Prop::Value(value)
                            if name.as_ref().is_some_and(|(n, _)| n == "headers") =>
                        {
                            let value = unwrap_ts(value);
                            let literal = match value.kind_name() {
                                "object" => true,
                                "new_expression" => {
                                    value
                                        .field("constructor")
                                        .is_some_and(|c| self.is_ident(c, "Headers"))
                                        && value
                                            .field("arguments")
                                            .and_then(first_named)
                                            .is_some_and(|a| unwrap_ts(a).kind_name() == "object")
                                }
                                _ => false,
                            };
                            return if literal {
                                HeaderSource::Literal
                            } else {
                                HeaderSource::Opaque
                            };
                        }
                        _ => {}
                    }
                }
                if spread {
                    HeaderSource::Opaque
                } else {
                    HeaderSource::None
                }
            }
            "undefined" | "null" => HeaderSource::None,
            "identifier" if self.is_ident(init, "undefined") => HeaderSource::None,
            _ => HeaderSource::Opaque,
        }
    }

    /// The `url` property of a config object.
    fn config_url<'t>(&self, config: Option<Node<'t>>) -> Option<Node<'t>> {
        let config = unwrap_ts(config?);
        if config.kind_name() != "object" {
            return None;
        }
        self.props(config)
            .into_iter()
            .find_map(|(name, prop, _)| match prop {
                Prop::Value(value) if name.as_ref().is_some_and(|(n, _)| n == "url") => Some(value),
                Prop::Shorthand(node) if name.as_ref().is_some_and(|(n, _)| n == "url") => {
                    Some(node)
                }
                _ => None,
            })
    }

    fn header(&mut self, name: (String, Range<usize>), value: Expr, span: Range<usize>, ctx: &Ctx) {
        self.facts.headers.push(Header {
            name: name.0,
            name_span: name.1,
            value,
            span,
            function: ctx.function.clone(),
        });
    }

    // --- calls ---------------------------------------------------------------------------

    fn call(&mut self, node: Node, ctx: &Ctx) {
        if let Some(read) = self.env_read(node) {
            self.facts.env_reads.push(read);
        }
        let (Some(func), Some(args)) = (node.field("function"), node.field("arguments")) else {
            return;
        };
        if args.kind_name() != "arguments" {
            return;
        }
        let argv = named(args);
        let span = node.byte_range();
        match func.kind_name() {
            "identifier" => {
                let name = self.text(func);
                match &*name {
                    "fetch" | "$fetch" | "ofetch" | "got" | "ky" => {
                        self.request(
                            &name,
                            span,
                            argv.first().copied(),
                            argv.get(1).copied(),
                            None,
                            ctx,
                        );
                    }
                    "axios" => self.axios_call("axios", None, span, &argv, "axios", ctx),
                    "require" => {
                        if let Some((module, _)) = argv.first().and_then(|a| self.string_value(*a))
                        {
                            self.note_mocking_library(&module);
                            if DOTENV_CONFIG_MODULES.contains(&module.as_str()) {
                                self.dotenv(span, ctx);
                            }
                        }
                    }
                    n if self.dotenv_config_fns.contains(n) => self.dotenv(span, ctx),
                    n if SDK_FACTORIES.contains(&n) => {
                        self.client(n, span, argv.first().copied(), ctx);
                    }
                    _ => {}
                }
            }
            "member_expression" => self.method_call(func, span, &argv, ctx),
            _ => {}
        }
    }

    fn method_call(&mut self, func: Node, span: Range<usize>, argv: &[Node], ctx: &Ctx) {
        let (Some(object), Some(property)) = (func.field("object"), func.field("property")) else {
            return;
        };
        let method = self.text(property);
        let method = &*method;
        let object_path = self.path(object);
        let object_path = object_path.as_deref();

        // Requests.
        match object_path {
            Some("axios") if method == "request" || is_axios_method(method) => {
                let tool = format!("axios.{method}");
                self.axios_call(method, Some("axios"), span.clone(), argv, &tool, ctx);
            }
            Some(tool @ ("got" | "ky")) if is_axios_method(method) => {
                self.request(
                    &format!("{tool}.{method}"),
                    span.clone(),
                    argv.first().copied(),
                    argv.get(1).copied(),
                    None,
                    ctx,
                );
            }
            Some("window" | "globalThis" | "self") if method == "fetch" => {
                self.request(
                    "fetch",
                    span.clone(),
                    argv.first().copied(),
                    argv.get(1).copied(),
                    None,
                    ctx,
                );
            }
            Some(module @ ("http" | "https")) if method == "request" || method == "get" => {
                let tool = format!("{module}.{method}");
                match argv.first().map(|a| unwrap_ts(*a)) {
                    Some(options) if options.kind_name() == "object" => {
                        self.request(&tool, span.clone(), None, Some(options), None, ctx);
                    }
                    url => {
                        let options = argv
                            .get(1)
                            .copied()
                            .filter(|o| unwrap_ts(*o).kind_name() == "object");
                        self.request(&tool, span.clone(), url, options, None, ctx);
                    }
                }
            }
            Some(path) if method == "request" || is_axios_method(method) => {
                // Maybe an axios instance; kept only if `path = axios.create(...)` is seen.
                let tool = format!("{path}.{method}");
                self.axios_call(method, Some(path), span.clone(), argv, &tool, ctx);
            }
            _ => {}
        }
        if let Some(path) = object_path {
            if let Some(at) = path.find(".interceptors") {
                self.axios_configured.insert(path[..at].to_string());
            }
        }

        // Headers.
        if matches!(
            method,
            "set" | "append" | "header" | "setHeader" | "setRequestHeader"
        ) && argv.len() >= 2
        {
            if let Some(name) = self.string_value(argv[0]) {
                let lower = object_path.map(str::to_ascii_lowercase).unwrap_or_default();
                let all =
                    matches!(method, "setHeader" | "setRequestHeader") || lower.contains("header");
                // `url.searchParams.set("api-key", k)` is a query parameter, not a header.
                let query = ["param", "query", "search"]
                    .iter()
                    .any(|w| lower.contains(w));
                if all || (auth_like(&name.0) && !query) {
                    let value = self.expr(argv[1]);
                    self.header(name, value, span.clone(), ctx);
                }
            }
        }
        if method == "set" && argv.len() == 1 {
            let object = unwrap_ts(argv[0]);
            if object.kind_name() == "object" {
                self.header_objects.insert(object.id());
            }
        }

        // `raw.trim()`, `raw.replace(/\n$/, "")`: the variable's value is stripped here.
        let strips = STRIP_METHODS.contains(&method)
            || (matches!(method, "replace" | "replaceAll")
                && argv
                    .first()
                    .is_some_and(|pattern| strips_newline(&self.text(*pattern))));
        if let (true, Some(path)) = (strips, object_path) {
            self.strips.push((path.to_string(), span.start));
        }

        // Logs.
        let logs = match object_path {
            Some("console") => CONSOLE_METHODS.contains(&method),
            Some("process.stdout" | "process.stderr") => method == "write",
            Some(path) => {
                let last = path.rsplit('.').next().unwrap_or(path).to_ascii_lowercase();
                (last == "log" || last.ends_with("logger")) && LOG_LEVELS.contains(&method)
            }
            None => false,
        };
        if logs {
            let args = argv.iter().map(|a| self.expr(*a)).collect();
            self.facts.logs.push(LogCall {
                span: span.clone(),
                args,
            });
        }

        // Dotenv.
        let dotenv = match method {
            "config" => match object_path {
                Some(path) => path == "dotenv" || self.dotenv_modules.contains(path),
                None => self.is_require_of(object, DOTENV_MODULES),
            },
            "loadEnvFile" => object_path == Some("process"),
            _ => false,
        };
        if dotenv {
            self.dotenv(span, ctx);
        }
    }

    /// `require("m")` for one of `modules`.
    fn is_require_of(&self, node: Node, modules: &[&str]) -> bool {
        let node = unwrap_ts(node);
        node.kind_name() == "call_expression"
            && node
                .field("function")
                .is_some_and(|f| self.is_ident(f, "require"))
            && node
                .field("arguments")
                .and_then(first_named)
                .and_then(|a| self.string_value(a))
                .is_some_and(|(m, _)| modules.contains(&m.as_str()))
    }

    /// `axios(...)`, `axios.post(...)`, `api.get(...)`: `method` picks where the URL and the
    /// config stand.
    fn axios_call(
        &mut self,
        method: &str,
        axios: Option<&str>,
        span: Range<usize>,
        argv: &[Node],
        tool: &str,
        ctx: &Ctx,
    ) {
        let (url, config) = if URL_CONFIG_METHODS.contains(&method) {
            (argv.first().copied(), argv.get(1).copied())
        } else if URL_DATA_CONFIG_METHODS.contains(&method) {
            (argv.first().copied(), argv.get(2).copied())
        } else {
            // `axios(config)`, `axios(url, config)`, `axios.request(config)`
            match argv.first() {
                Some(first) if unwrap_ts(*first).kind_name() == "object" => {
                    (self.config_url(Some(*first)), Some(*first))
                }
                first => (first.copied(), argv.get(1).copied()),
            }
        };
        let axios = Some(axios.unwrap_or("axios").to_string());
        self.request(tool, span, url, config, axios, ctx);
    }

    fn request(
        &mut self,
        tool: &str,
        span: Range<usize>,
        url: Option<Node>,
        init: Option<Node>,
        axios: Option<String>,
        ctx: &Ctx,
    ) {
        let url = url.or_else(|| self.config_url(init)).map(|u| self.expr(u));
        let headers = self.header_source(init);
        self.pending.push(Pending {
            tool: tool.to_string(),
            url,
            span,
            headers,
            function: ctx.function.clone(),
            axios,
        });
    }

    fn new_expression(&mut self, node: Node, ctx: &Ctx) {
        let Some(constructor) = node.field("constructor") else {
            return;
        };
        let name = match constructor.kind_name() {
            "identifier" => self.text(constructor),
            "member_expression" => match constructor.field("property") {
                Some(property) => self.text(property),
                None => return,
            },
            _ => return,
        };
        let argv = node.field("arguments").map(named).unwrap_or_default();
        let span = node.byte_range();
        match &*name {
            "Headers" => {
                if let Some(object) = argv
                    .first()
                    .map(|a| unwrap_ts(*a))
                    .filter(|a| a.kind_name() == "object")
                {
                    self.header_objects.insert(object.id());
                }
            }
            "Request" => {
                self.request(
                    "new Request",
                    span,
                    argv.first().copied(),
                    argv.get(1).copied(),
                    None,
                    ctx,
                );
            }
            "Configuration" => {
                // openai v3: `new Configuration({ apiKey })`.
                let has_key = argv
                    .first()
                    .map(|a| unwrap_ts(*a))
                    .filter(|a| a.kind_name() == "object")
                    .is_some_and(|object| {
                        self.props(object)
                            .iter()
                            .any(|(n, _, _)| n.as_ref().is_some_and(|(n, _)| n == "apiKey"))
                    });
                if has_key {
                    self.client(&name, span, argv.first().copied(), ctx);
                }
            }
            class if CLIENT_CLASSES.contains(&class) => {
                self.client(class, span, argv.first().copied(), ctx);
            }
            _ => {}
        }
    }

    fn client(&mut self, sdk: &str, span: Range<usize>, config: Option<Node>, ctx: &Ctx) {
        let mut key = None;
        let mut base_url = None;
        // `new OpenAI(options)`, `{...options}`, Entra ID tokens: credentials the file does
        // not show.
        let config = config.map(unwrap_ts);
        let mut opaque = config
            .filter(|c| c.kind_name() != "object")
            .map(|c| c.byte_range());
        if let Some(config) = config.filter(|c| c.kind_name() == "object") {
            let mut cursor = config.walk();
            opaque = config
                .named_children(&mut cursor)
                .find(|p| p.kind_name() == "spread_element")
                .map(|p| p.byte_range());
            for (name, prop, _) in self.props(config) {
                let Some((name, _)) = name else { continue };
                match name.as_str() {
                    n if KEY_PROPERTIES.contains(&n) && key.is_none() => {
                        key = self.prop_expr(&prop);
                    }
                    "azureADTokenProvider" | "azureADToken" => {
                        if let Prop::Value(node) | Prop::Shorthand(node) = prop {
                            opaque = Some(node.byte_range());
                        }
                    }
                    "baseURL" | "basePath" => base_url = self.prop_expr(&prop),
                    "fetch" => {
                        if let Prop::Value(node) | Prop::Shorthand(node) = prop {
                            if self.mock_fetch(node) {
                                self.facts.mocked.push(span.clone());
                            }
                        }
                    }
                    "endpoint" if sdk.contains("Azure") => base_url = self.prop_expr(&prop),
                    "configuration" if base_url.is_none() => {
                        if let Prop::Value(inner) = prop {
                            let inner = unwrap_ts(inner);
                            if inner.kind_name() == "object" {
                                base_url = self.props(inner).into_iter().find_map(|(n, p, _)| {
                                    n.filter(|(n, _)| n == "baseURL" || n == "basePath")
                                        .and_then(|_| self.prop_expr(&p))
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        if key.is_none() {
            key = opaque.map(|span| Expr::Other { span });
        }
        self.facts.clients.push(Client {
            sdk: sdk.to_string(),
            span,
            key,
            base_url,
            top_level: ctx.top_level,
        });
    }

    fn dotenv(&mut self, span: Range<usize>, ctx: &Ctx) {
        self.facts.dotenv_loads.push(DotenvLoad {
            span,
            top_level: ctx.top_level,
        });
    }

    // --- declarations and assignments ----------------------------------------------------

    fn declarator(&mut self, node: Node, ctx: &Ctx) {
        let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
            return;
        };
        match name.kind_name() {
            "identifier" => {
                let target = self.text(name).into_owned();
                let expr = self.expr(value);
                self.consts.define(ctx.scope(), &target, &expr);
                self.bind(&target, value);
                if self.is_require_of(value, DOTENV_MODULES) {
                    self.dotenv_modules.insert(target.clone());
                }
                self.hold_file_read(&target, &expr, node.end_byte(), ctx);
                self.facts.assignments.push(Assignment {
                    target,
                    target_span: name.byte_range(),
                    value: expr,
                    span: node.byte_range(),
                    top_level: ctx.top_level,
                    exported: false,
                });
            }
            "object_pattern" => {
                if let Some(how) = self.env_object(value) {
                    self.env_destructuring(name, how, ctx);
                } else if self.is_require_of(value, DOTENV_MODULES) {
                    for (key, local, _) in self.pattern_props(name) {
                        if key == "config" {
                            self.dotenv_config_fns.insert(local);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// What binding `target` to `value` tells: axios instances, header objects.
    fn bind(&mut self, target: &str, value: Node) {
        let value = unwrap_await(value);
        if target.to_ascii_lowercase().contains("header") && value.kind_name() == "object" {
            self.header_objects.insert(value.id());
        }
        if self.answers_by_itself(value) {
            self.answering_functions.insert(target.to_string());
        }
        if value.kind_name() == "call_expression"
            && value
                .field("function")
                .and_then(|f| self.path(f))
                .is_some_and(|p| p == "axios.create")
        {
            let config = value.field("arguments").and_then(first_named);
            let with_headers = config.is_some() && self.header_source(config) != HeaderSource::None;
            let base_url = config
                .map(unwrap_ts)
                .filter(|c| c.kind_name() == "object")
                .and_then(|c| {
                    self.props(c).into_iter().find_map(|(name, prop, _)| {
                        name.filter(|(n, _)| n == "baseURL")
                            .and_then(|_| self.prop_expr(&prop))
                    })
                });
            let instance = AxiosInstance {
                with_headers,
                base_url,
            };
            self.axios_instances.insert(target.to_string(), instance);
        }
    }

    /// `{ KEY, KEY: local, KEY = "default" }`: (key, local name, property node).
    fn pattern_props<'t>(&self, pattern: Node<'t>) -> Vec<(String, String, Node<'t>)> {
        let mut out = Vec::new();
        for child in named(pattern) {
            match child.kind_name() {
                "shorthand_property_identifier_pattern" => {
                    let name = self.text(child).into_owned();
                    out.push((name.clone(), name, child));
                }
                "object_assignment_pattern" => {
                    if let Some(left) = child.field("left") {
                        if left.kind_name() == "shorthand_property_identifier_pattern" {
                            let name = self.text(left).into_owned();
                            out.push((name.clone(), name, child));
                        }
                    }
                }
                "pair_pattern" => {
                    let key = child.field("key").and_then(|k| self.prop_name(k));
                    let mut local = child.field("value");
                    if let Some(value) = local.filter(|v| v.kind_name() == "assignment_pattern") {
                        local = value.field("left");
                    }
                    if let (Some((key, _)), Some(local)) =
                        (key, local.filter(|l| l.kind_name() == "identifier"))
                    {
                        out.push((key, self.text(local).into_owned(), child));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// `const { OPENAI_API_KEY } = process.env`: an env read and an assignment per property.
    fn env_destructuring(&mut self, pattern: Node, how: &str, ctx: &Ctx) {
        for (key, local, property) in self.pattern_props(pattern) {
            let read = EnvRead {
                name: key,
                span: property.byte_range(),
                how: how.to_string(),
            };
            self.facts.env_reads.push(read.clone());
            self.facts.assignments.push(Assignment {
                target: local,
                target_span: property.byte_range(),
                value: Expr::Env(read),
                span: property.byte_range(),
                top_level: ctx.top_level,
                exported: false,
            });
        }
    }

    fn assignment(&mut self, node: Node, ctx: &Ctx) {
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
            return;
        };
        if !matches!(
            left.kind_name(),
            "identifier" | "member_expression" | "subscript_expression"
        ) {
            return;
        }
        let target = self
            .path(left)
            .unwrap_or_else(|| self.text(left).into_owned());
        let value = self.expr(right);
        if left.kind_name() == "identifier" {
            self.consts.define(ctx.scope(), &target, &value);
        }
        self.bind(&target, right);
        if let Some(at) = target.find(".defaults") {
            self.axios_configured.insert(target[..at].to_string());
        }

        // `headers["Authorization"] = v`, `axios.defaults.headers.common.Authorization = v`.
        let header = match left.kind_name() {
            "subscript_expression" => left
                .field("index")
                .and_then(|i| self.string_value(i))
                .zip(left.field("object")),
            "member_expression" => left
                .field("property")
                .filter(|p| p.kind_name() == "property_identifier")
                .map(|p| (self.text(p).into_owned(), p.byte_range()))
                .zip(left.field("object")),
            _ => None,
        };
        if let Some((name, object)) = header {
            let in_headers = self
                .path(object)
                .is_some_and(|p| p.to_ascii_lowercase().contains("header"));
            if in_headers || auth_like(&name.0) {
                self.header(name, value.clone(), node.byte_range(), ctx);
            }
        }

        self.hold_file_read(&target, &value, node.end_byte(), ctx);
        self.facts.assignments.push(Assignment {
            target,
            target_span: left.byte_range(),
            value,
            span: node.byte_range(),
            top_level: ctx.top_level,
            exported: false,
        });
    }

    /// Notes a variable assigned an unstripped file read (the assignment pushed next).
    fn hold_file_read(&mut self, target: &str, value: &Expr, end: usize, ctx: &Ctx) {
        if let Expr::FileRead {
            stripped: false, ..
        } = value
        {
            let index = self.facts.assignments.len();
            let function = ctx.function.clone();
            self.file_holders
                .push((function, target.to_string(), index, end));
        }
    }

    /// A file read whose variable is stripped later in the same function (also after the
    /// `try` block that read it) is a stripped read.
    fn mark_stripped_holders(&mut self) {
        for (function, name, index, end) in std::mem::take(&mut self.file_holders) {
            let stripped_later = self.strips.iter().any(|(stripped, at)| {
                *stripped == name && *at >= end && function.as_ref().is_none_or(|f| f.contains(at))
            });
            if !stripped_later {
                continue;
            }
            if let Some(Expr::FileRead { stripped, .. }) = self
                .facts
                .assignments
                .get_mut(index)
                .map(|assignment| &mut assignment.value)
            {
                *stripped = true;
            }
        }
    }

    /// The certificates and private keys of a TLS options object.
    fn tls_options(&mut self, node: Node) {
        let props = self.props(node);
        let named = |names: &[&str], name: &Option<(String, Range<usize>)>| {
            name.as_ref()
                .is_some_and(|(n, _)| names.contains(&n.as_str()))
        };
        if !props.iter().any(|(name, _, _)| named(TLS_SHAPE, name)) {
            return;
        }
        for (name, prop, _) in &props {
            if named(TLS_PROPERTIES, name) {
                if let Some(value) = self.prop_expr(prop) {
                    self.facts.tls_material.push(value);
                }
            }
        }
    }

    /// A class field `key = value`, recorded as `this.key`.
    fn field(&mut self, node: Node, ctx: &Ctx) {
        let name = node.field("property").or_else(|| node.field("name"));
        let (Some(name), Some(value)) = (name, node.field("value")) else {
            return;
        };
        let Some((name, _)) = self.prop_name(name) else {
            return;
        };
        let target = format!("this.{name}");
        self.bind(&target, value);
        let value = self.expr(value);
        self.facts.assignments.push(Assignment {
            target,
            target_span: node
                .field("property")
                .or_else(|| node.field("name"))
                .map_or_else(|| node.byte_range(), |n| n.byte_range()),
            value,
            span: node.byte_range(),
            top_level: ctx.top_level,
            exported: false,
        });
    }

    /// A library that intercepts every HTTP request of the process answers this file's.
    fn note_mocking_library(&mut self, module: &str) {
        const MOCKING: &[&str] = &[
            "nock",
            "msw",
            "fetch-mock",
            "jest-fetch-mock",
            "undici-mock",
        ];
        let package = module.split('/').next().unwrap_or(module);
        if MOCKING.contains(&package) && self.facts.mocked.is_empty() {
            self.facts.mocked.push(0..self.src.len());
        }
    }

    /// A `fetch` given to a client that answers by itself: named as a mock (`fakeFetch`,
    /// `mockFetch`) or a function that builds a `Response` without calling `fetch`.
    fn mock_fetch(&self, value: Node) -> bool {
        let value = unwrap_ts(value);
        names_a_mock(&self.text(value))
            || self.answers_by_itself(value)
            || (value.kind_name() == "identifier"
                && self.answering_functions.contains(&*self.text(value)))
    }

    /// A function that builds a `Response` without calling `fetch`.
    fn answers_by_itself(&self, function: Node) -> bool {
        let text = self.text(function);
        matches!(
            function.kind_name(),
            "arrow_function" | "function_expression" | "function"
        ) && text.contains("new Response(")
            && !text.contains("fetch(")
    }

    fn import(&mut self, node: Node, ctx: &Ctx) {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        // TypeScript `import dotenv = require("dotenv")`.
        if let Some(clause) = children
            .iter()
            .find(|c| c.kind_name() == "import_require_clause")
        {
            let source = clause.field("source").and_then(|s| self.string_value(s));
            if let (Some((module, _)), Some(local)) = (source, first_named(*clause)) {
                if DOTENV_CONFIG_MODULES.contains(&module.as_str()) {
                    self.dotenv(node.byte_range(), ctx);
                } else if DOTENV_MODULES.contains(&module.as_str())
                    && local.kind_name() == "identifier"
                {
                    self.dotenv_modules.insert(self.text(local).into_owned());
                }
            }
            return;
        }
        let Some((module, _)) = node.field("source").and_then(|s| self.string_value(s)) else {
            return;
        };
        self.note_mocking_library(&module);
        if DOTENV_CONFIG_MODULES.contains(&module.as_str()) {
            self.dotenv(node.byte_range(), ctx);
            return;
        }
        if !DOTENV_MODULES.contains(&module.as_str()) {
            return;
        }
        for clause in children.iter().filter(|c| c.kind_name() == "import_clause") {
            for part in named(*clause) {
                match part.kind_name() {
                    "identifier" => {
                        self.dotenv_modules.insert(self.text(part).into_owned());
                    }
                    "namespace_import" => {
                        if let Some(local) = first_named(part) {
                            self.dotenv_modules.insert(self.text(local).into_owned());
                        }
                    }
                    "named_imports" => {
                        for specifier in named(part) {
                            let imported = specifier.field("name");
                            let local = specifier.field("alias").or(imported);
                            if let (Some(imported), Some(local)) = (imported, local) {
                                if &self.src[imported.byte_range()] == b"config" {
                                    self.dotenv_config_fns.insert(self.text(local).into_owned());
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Whether a `replace` pattern removes newlines (`/\n$/`, `/\s+$/`, `"\n"`).
fn strips_newline(pattern: &str) -> bool {
    ["\\n", "\\s", "\\r"].iter().any(|w| pattern.contains(w))
}

fn is_axios_method(method: &str) -> bool {
    URL_CONFIG_METHODS.contains(&method) || URL_DATA_CONFIG_METHODS.contains(&method)
}

/// Strips parentheses and TypeScript wrappers (`x!`, `x as T`, `x satisfies T`, `<T>x`).
fn unwrap_ts(node: Node) -> Node {
    let mut current = node;
    for _ in 0..MAX_DEPTH {
        let inner = match current.kind_name() {
            "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression" => first_named(current),
            "type_assertion" => {
                let children = named(current);
                children
                    .last()
                    .copied()
                    .filter(|c| c.kind_name() != "type_arguments")
            }
            _ => return current,
        };
        match inner {
            Some(inner) => current = inner,
            None => return current,
        }
    }
    current
}

/// Strips `await` and the TypeScript wrappers.
fn unwrap_await(node: Node) -> Node {
    let node = unwrap_ts(node);
    if node.kind_name() == "await_expression" {
        first_named(node).map_or(node, unwrap_ts)
    } else {
        node
    }
}

/// `a + b + c` as one `Concat`, left to right. The chain is walked with a loop, not recursion,
/// so the long chains of minified bundles cost no stack. Shared by the Go front-end.
pub(crate) fn plus_chain<'t>(
    node: Node<'t>,
    depth: usize,
    is_plus: impl Fn(Node<'t>) -> bool,
    expr_at: impl Fn(Node<'t>, usize) -> Expr,
) -> Expr {
    let span = node.byte_range();
    let mut rights = Vec::new();
    let mut current = node;
    while current.kind_name() == "binary_expression" && is_plus(current) {
        let (Some(left), Some(right)) = (current.field("left"), current.field("right")) else {
            return Expr::Other { span };
        };
        rights.push(right);
        current = left;
    }
    let mut parts = Vec::with_capacity(rights.len() + 1);
    for operand in std::iter::once(current).chain(rights.into_iter().rev()) {
        match expr_at(operand, depth + 1) {
            Expr::Concat { parts: inner, .. } => parts.extend(inner),
            other => parts.push(other),
        }
    }
    Expr::Concat { parts, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(src: &str) -> CodeFacts {
        facts(src.as_bytes(), Dialect::JavaScript)
    }

    fn only_header<'a>(facts: &'a CodeFacts, name: &str) -> &'a Header {
        let found: Vec<&Header> = facts.headers.iter().filter(|h| h.name == name).collect();
        assert_eq!(found.len(), 1, "{name} in {:#?}", facts.headers);
        found[0]
    }

    fn text_of(expr: &Expr) -> Option<String> {
        match expr {
            Expr::Str(lit) => lit.text(),
            _ => None,
        }
    }

    #[test]
    fn object_headers_with_names_and_template_literals() {
        let src = "async function call(apiKey, key) {\n  const a = { Authorization: apiKey };\n  const b = { Authorization: `Bearer ${key}` };\n}\n";
        let facts = js(src);
        assert_eq!(facts.parse_error, None);
        assert_eq!(facts.headers.len(), 2, "{:#?}", facts.headers);
        let first = &facts.headers[0];
        assert_eq!(&src[first.name_span.clone()], "Authorization");
        assert_eq!(&src[first.span.clone()], "Authorization: apiKey");
        assert!(
            matches!(&first.value, Expr::Name { path, span } if path == "apiKey" && &src[span.clone()] == "apiKey")
        );
        let function = first.function.clone().expect("inside a function");
        assert!(src[function].starts_with("async function call"));

        let Expr::Str(lit) = &facts.headers[1].value else {
            panic!("{:?}", facts.headers[1].value)
        };
        assert_eq!(lit.kind, StringKind::Interpolated);
        assert_eq!(&src[lit.span.clone()], "`Bearer ${key}`");
        match lit.parts.as_slice() {
            [StringPart::Text { text, span }, StringPart::Interpolation { code, span: at }] => {
                assert_eq!(text, "Bearer ");
                assert_eq!(&src[span.clone()], "Bearer ");
                assert_eq!(code, "key");
                assert_eq!(&src[at.clone()], "${key}");
            }
            parts => panic!("{parts:?}"),
        }
    }

    #[test]
    fn quoted_strings_keep_dollar_braces_as_text() {
        let src = "const h = { Authorization: 'Bearer ${key}' };\nconst g = { \"Authorization\": \"Bearer ${key}\" };\n";
        let facts = js(src);
        assert_eq!(facts.headers.len(), 2);
        for header in &facts.headers {
            let Expr::Str(lit) = &header.value else {
                panic!("{:?}", header.value)
            };
            assert_eq!(lit.kind, StringKind::Plain);
            assert_eq!(lit.text().as_deref(), Some("Bearer ${key}"));
            assert_eq!(&src[header.name_span.clone()], "Authorization");
        }
        assert_eq!(facts.headers[0].function, None);
        let plain: Vec<_> = facts
            .strings
            .iter()
            .filter(|s| s.kind == StringKind::Plain)
            .collect();
        assert_eq!(plain.len(), 3);
    }

    #[test]
    fn concatenation_without_a_space() {
        let src = "fetch(url, { headers: { Authorization: \"Bearer\" + key } });";
        let facts = js(src);
        let header = only_header(&facts, "Authorization");
        let Expr::Concat { parts, span } = &header.value else {
            panic!("{:?}", header.value)
        };
        assert_eq!(&src[span.clone()], "\"Bearer\" + key");
        assert_eq!(text_of(&parts[0]).as_deref(), Some("Bearer"));
        assert!(matches!(&parts[1], Expr::Name { path, .. } if path == "key"));
        assert_eq!(facts.requests.len(), 1);
        assert_eq!(facts.requests[0].headers, HeaderSource::Literal);
    }

    #[test]
    fn kind_names_by_id_are_the_kinds_of_each_dialect() {
        let src = b"const a = <b x={k as string}>t</b>;\nfunction (\n";
        for dialect in [Dialect::JavaScript, Dialect::TypeScript, Dialect::Tsx] {
            let _kinds = KindNamesInUse::set(dialect);
            let tree = parse(src, &dialect.language()).unwrap();
            let mut seen = 0;
            crate::code::each_node(&tree, |node| {
                assert_eq!(node.kind_name(), node.kind(), "{dialect:?}");
                seen += 1;
            });
            assert!(tree.root_node().has_error() && seen > 10);
        }
        // Outside a walk no table is in use: the kind as `Node` gives it.
        assert!(KIND_NAMES.with(Cell::get).is_empty());
    }

    #[test]
    fn body_fields_are_not_headers() {
        let src = concat!(
            "fetch(u, { headers: { authorization: a }, body: JSON.stringify({ authorization: b }) });\n",
            "const tools = [{ type: \"mcp\", authorization: c }];\n",
            "const cfg = { auth: { authorization: d }, headers: { authorization: e } };\n",
            "const h = { Authorization: f };\n",
        );
        let facts = js(src);
        let values: Vec<&str> = facts.headers.iter().map(|h| &src[h.span.clone()]).collect();
        assert_eq!(
            values,
            ["authorization: a", "authorization: e", "Authorization: f"]
        );
    }

    #[test]
    fn mock_fetches_are_marked() {
        let src = concat!(
            "const answer = async () => new Response(\"{}\");\n",
            "const a = new OpenAI({ apiKey: k, fetch: answer });\n",
            "const b = new OpenAI({ apiKey: k, fetch: proxiedFetch });\n",
            "const c = new OpenAI({ apiKey: k, fetch: (u, i) => fetch(u, i) });\n",
            "const d = new OpenAI({ apiKey: k, fetch: mockFetch });\n",
        );
        let facts = js(src);
        let mocked: Vec<bool> = facts
            .clients
            .iter()
            .map(|c| facts.is_mocked(&c.span))
            .collect();
        assert_eq!(mocked, [true, false, false, true]);
        let nock = "const nock = require(\"nock\");\n";
        assert_eq!(js(nock).mocked, vec![0..nock.len()]);
    }

    #[test]
    fn fetch_header_sources() {
        let src = r#"
const URL = "https://api.openai.com/v1/chat/completions";
async function none(body) {
  return fetch("https://api.openai.com/v1/chat/completions", { method: "POST", body });
}
async function literal(body, key) {
  return fetch(URL, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` }, body });
}
async function opaque(body, headers) {
  await fetch(`${URL}?x=1`, { method: "POST", headers, body });
  await fetch("https://example.com/x", { headers: makeHeaders() });
  await fetch("https://example.com/y", options);
  await fetch("https://example.com/z", { headers: new Headers({ "api-key": k }) });
}
"#;
        let facts = js(src);
        let requests = &facts.requests;
        assert_eq!(requests.len(), 6, "{requests:#?}");
        assert_eq!(requests[0].tool, "fetch");
        assert_eq!(
            requests[0].url.as_deref(),
            Some("https://api.openai.com/v1/chat/completions")
        );
        assert_eq!(requests[0].headers, HeaderSource::None);
        assert!(src[requests[0].span.clone()].starts_with("fetch(\"https://api.openai.com"));
        assert!(src[requests[0].function.clone().unwrap()].starts_with("async function none"));
        assert_eq!(
            requests[1].url.as_deref(),
            Some("https://api.openai.com/v1/chat/completions")
        );
        assert_eq!(requests[1].headers, HeaderSource::Literal);
        assert_eq!(
            requests[2].url.as_deref(),
            Some("https://api.openai.com/v1/chat/completions?x=1")
        );
        assert_eq!(requests[2].headers, HeaderSource::Opaque);
        assert_eq!(requests[3].headers, HeaderSource::Opaque);
        assert_eq!(requests[4].headers, HeaderSource::Opaque);
        assert_eq!(requests[5].headers, HeaderSource::Literal);
        // Every property of a headers object is a header, Content-Type included.
        let names: Vec<&str> = facts.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["Content-Type", "Authorization", "api-key"]);
        let content_type = &facts.headers[0];
        assert_eq!(&src[content_type.name_span.clone()], "Content-Type");
        assert_eq!(
            &src[content_type.span.clone()],
            "\"Content-Type\": \"application/json\""
        );
    }

    #[test]
    fn fetch_with_an_options_variable_is_opaque() {
        let facts = js("const opts = { method: 'POST' };\nfetch('https://api.openai.com/v1/models', opts);\nfetch('https://api.openai.com/v1/models');");
        assert_eq!(facts.requests[0].headers, HeaderSource::Opaque);
        assert_eq!(facts.requests[1].headers, HeaderSource::None);
    }

    #[test]
    fn headers_object_with_an_env_read() {
        let src = "const h = new Headers({ \"Authorization\": process.env.OPENAI_API_KEY, Accept: 'x' });";
        let facts = js(src);
        assert_eq!(facts.headers.len(), 2);
        let header = only_header(&facts, "Authorization");
        let Expr::Env(read) = &header.value else {
            panic!("{:?}", header.value)
        };
        assert_eq!(read.name, "OPENAI_API_KEY");
        assert_eq!(read.how, "process.env");
        assert_eq!(&src[read.span.clone()], "process.env.OPENAI_API_KEY");
        assert_eq!(facts.env_reads.len(), 1);
        assert_eq!(facts.env_reads[0], *read);
    }

    #[test]
    fn env_read_forms() {
        let src = "a = process.env[\"A\"]; b = import.meta.env.VITE_B; c = Deno.env.get(\"C\"); d = Bun.env.D; e = process.env?.E; f = process.env[name];\nconst { G, H: h, I = 'x' } = process.env;";
        let facts = js(src);
        let names: Vec<&str> = facts.env_reads.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["A", "VITE_B", "C", "D", "E", "G", "H", "I"]);
        let hows: Vec<&str> = facts.env_reads.iter().map(|r| r.how.as_str()).collect();
        assert_eq!(
            &hows[..4],
            ["process.env", "import.meta.env", "Deno.env.get", "Bun.env"]
        );
        assert_eq!(&src[facts.env_reads[2].span.clone()], "Deno.env.get(\"C\")");
        let h = facts.assignments.iter().find(|a| a.target == "h").unwrap();
        assert!(matches!(&h.value, Expr::Env(read) if read.name == "H"));
    }

    #[test]
    fn header_setters() {
        let src = r#"
const headers = new Headers();
headers.set("Authorization", `Bearer ${key}`);
headers.append("OpenAI-Organization", org);
xhr.setRequestHeader("Authorization", "Bearer " + key);
axios.defaults.headers.common["Authorization"] = `Bearer ${key}`;
req.set("Authorization", token);
cache.set("Authorization", 1);
map.set("user", 2);
url.searchParams.set("api-key", key);
const extra = { Authorisation: key, "X-API-Key": key, model: "gpt-4o", author: "me" };
"#;
        let facts = js(src);
        let names: Vec<(&str, &str)> = facts
            .headers
            .iter()
            .map(|h| (h.name.as_str(), &src[h.span.clone()]))
            .collect();
        assert_eq!(
            names,
            [
                (
                    "Authorization",
                    "headers.set(\"Authorization\", `Bearer ${key}`)"
                ),
                (
                    "OpenAI-Organization",
                    "headers.append(\"OpenAI-Organization\", org)"
                ),
                (
                    "Authorization",
                    "xhr.setRequestHeader(\"Authorization\", \"Bearer \" + key)"
                ),
                (
                    "Authorization",
                    "axios.defaults.headers.common[\"Authorization\"] = `Bearer ${key}`"
                ),
                ("Authorization", "req.set(\"Authorization\", token)"),
                ("Authorization", "cache.set(\"Authorization\", 1)"),
                ("Authorisation", "Authorisation: key"),
                ("X-API-Key", "\"X-API-Key\": key"),
            ]
        );
        for header in &facts.headers {
            assert_eq!(&src[header.name_span.clone()], header.name);
        }
    }

    #[test]
    fn axios_requests_and_instances() {
        let src = r#"
const api = axios.create({ baseURL: "https://api.openai.com/v1", headers: { Authorization: `Bearer ${key}` } });
const plain = axios.create();
async function go(data) {
  await axios.post("https://api.openai.com/v1/chat/completions", data, { headers: { Authorization: `Bearer ${key}` } });
  await axios.get("https://api.openai.com/v1/models");
  await axios({ url: "https://api.openai.com/v1/embeddings", method: "post", data });
  await api.post("/chat/completions", data);
  await plain.get("/models");
  await cache.get("key");
  await got.post("https://api.openai.com/v1/chat/completions", { json: data });
  await ky.post("https://api.openai.com/v1/chat/completions", { headers: h });
  await fetch(new Request("https://api.openai.com/v1/models", { headers: { Authorization: k } }));
}
"#;
        let facts = js(src);
        let got: Vec<(&str, Option<&str>, HeaderSource)> = facts
            .requests
            .iter()
            .map(|r| (r.tool.as_str(), r.url.as_deref(), r.headers))
            .collect();
        let chat = Some("https://api.openai.com/v1/chat/completions");
        let models = Some("https://api.openai.com/v1/models");
        assert_eq!(
            got,
            [
                ("axios.post", chat, HeaderSource::Literal),
                ("axios.get", models, HeaderSource::None),
                (
                    "axios",
                    Some("https://api.openai.com/v1/embeddings"),
                    HeaderSource::None
                ),
                ("api.post", chat, HeaderSource::Opaque),
                ("plain.get", Some("/models"), HeaderSource::None),
                ("got.post", chat, HeaderSource::None),
                ("ky.post", chat, HeaderSource::Opaque),
                ("fetch", None, HeaderSource::None),
                ("new Request", models, HeaderSource::Literal),
            ]
        );
    }

    #[test]
    fn axios_defaults_make_global_requests_opaque() {
        let facts = js("axios.defaults.headers.common.Authorization = `Bearer ${k}`;\naxios.post('https://api.openai.com/v1/chat/completions', {});");
        assert_eq!(facts.requests[0].headers, HeaderSource::Opaque);
        assert_eq!(facts.headers.len(), 1);
    }

    #[test]
    fn clients() {
        let src = r#"import OpenAI from "openai";
const a = new OpenAI({ apiKey: "sk-YOUR_API_KEY_HERE" });
const b = new OpenAI();
function make() {
  return new ChatOpenAI({ openAIApiKey: key, configuration: { baseURL: "https://proxy.example.com/v1" } });
}
const c = createOpenAI({ apiKey, baseURL: process.env.BASE_URL });
const d = new AzureOpenAI({ apiKey: k, endpoint: "https://x.openai.azure.com" });
"#;
        let facts = js(src);
        let clients = &facts.clients;
        assert_eq!(clients.len(), 5, "{clients:#?}");
        assert_eq!(clients[0].sdk, "OpenAI");
        assert_eq!(
            text_of(clients[0].key.as_ref().unwrap()).as_deref(),
            Some("sk-YOUR_API_KEY_HERE")
        );
        assert_eq!(
            &src[clients[0].key.as_ref().unwrap().span().clone()],
            "\"sk-YOUR_API_KEY_HERE\""
        );
        assert_eq!(clients[0].top_level, Some(1));
        assert_eq!(&src[clients[1].span.clone()], "new OpenAI()");
        assert_eq!(
            (clients[1].key.clone(), clients[1].base_url.clone()),
            (None, None)
        );
        assert_eq!(clients[1].top_level, Some(2));
        assert_eq!(clients[2].sdk, "ChatOpenAI");
        assert_eq!(clients[2].top_level, None);
        assert!(matches!(&clients[2].key, Some(Expr::Name { path, .. }) if path == "key"));
        assert_eq!(
            text_of(clients[2].base_url.as_ref().unwrap()).as_deref(),
            Some("https://proxy.example.com/v1")
        );
        assert_eq!(clients[3].sdk, "createOpenAI");
        assert!(matches!(&clients[3].key, Some(Expr::Name { path, .. }) if path == "apiKey"));
        assert!(matches!(&clients[3].base_url, Some(Expr::Env(read)) if read.name == "BASE_URL"));
        assert_eq!(clients[3].top_level, Some(4));
        assert!(clients[4].base_url.is_some());
    }

    #[test]
    fn dotenv_loads() {
        let src = "import 'dotenv/config';\nimport dotenv from 'dotenv';\nimport { config as loadEnv } from 'dotenv';\ndotenv.config();\nrequire('dotenv').config({ path: '.env.local' });\nloadEnv();\nconfig();\nfunction f() { process.loadEnvFile(); }\n";
        let facts = js(src);
        let loads: Vec<(&str, Option<usize>)> = facts
            .dotenv_loads
            .iter()
            .map(|l| (&src[l.span.clone()], l.top_level))
            .collect();
        assert_eq!(
            loads,
            [
                ("import 'dotenv/config';", Some(0)),
                ("dotenv.config()", Some(3)),
                ("require('dotenv').config({ path: '.env.local' })", Some(4)),
                ("loadEnv()", Some(5)),
                ("process.loadEnvFile()", None),
            ]
        );
        let facts =
            js("const { config } = require('dotenv');\nconfig();\nrequire('dotenv/config');");
        assert_eq!(facts.dotenv_loads.len(), 2);
    }

    #[test]
    fn logs_of_keys_and_of_parts() {
        let src = "console.log(process.env.OPENAI_API_KEY);\nconsole.log(key.slice(0, 5), key.length, 'key:', key.substring(0, 4));\nlogger.info(`key ${key}`);\nthis.logger.debug(key);\nfoo.info(key);";
        let facts = js(src);
        assert_eq!(facts.logs.len(), 4);
        assert!(
            matches!(&facts.logs[0].args[..], [Expr::Env(read)] if read.name == "OPENAI_API_KEY")
        );
        assert_eq!(
            &src[facts.logs[0].span.clone()],
            "console.log(process.env.OPENAI_API_KEY)"
        );
        match &facts.logs[1].args[..] {
            [Expr::Partial { span: a }, Expr::Partial { span: b }, Expr::Str(_), Expr::Partial { .. }] =>
            {
                assert_eq!(&src[a.clone()], "key.slice(0, 5)");
                assert_eq!(&src[b.clone()], "key.length");
            }
            args => panic!("{args:?}"),
        }
        assert!(
            matches!(&facts.logs[2].args[..], [Expr::Str(lit)] if lit.kind == StringKind::Interpolated)
        );
        assert!(matches!(&facts.logs[3].args[..], [Expr::Name { path, .. }] if path == "key"));
    }

    #[test]
    fn file_reads_with_and_without_trim() {
        let src = r#"
const a = readFileSync(p, "utf8");
const b = fs.readFileSync(p, "utf8").trim();
async function f() {
  const c = await fs.promises.readFile(p, "utf8");
  const d = (await readFile(p, "utf8")).trimEnd();
  const e = fs.readFileSync(p).toString().trim();
  const g = key.trim();
}
"#;
        let facts = js(src);
        let values: Vec<(&str, &Expr)> = facts
            .assignments
            .iter()
            .map(|a| (a.target.as_str(), &a.value))
            .collect();
        let stripped = |e: &Expr| match e {
            Expr::FileRead { stripped, .. } => Some(*stripped),
            _ => None,
        };
        assert_eq!(stripped(values[0].1), Some(false));
        assert_eq!(
            &src[values[0].1.span().clone()],
            "readFileSync(p, \"utf8\")"
        );
        assert_eq!(stripped(values[1].1), Some(true));
        assert_eq!(stripped(values[2].1), Some(false));
        assert_eq!(
            &src[values[2].1.span().clone()],
            "await fs.promises.readFile(p, \"utf8\")"
        );
        assert_eq!(stripped(values[3].1), Some(true));
        assert_eq!(stripped(values[4].1), Some(true));
        assert!(matches!(values[5].1, Expr::Name { path, .. } if path == "key"));
        assert_eq!(facts.assignments[0].top_level, Some(0));
        assert_eq!(facts.assignments[2].top_level, None);
    }

    #[test]
    fn reads_stripped_later_in_their_function() {
        let src = r#"
async function token(path) {
  let raw;
  try {
    raw = await readFile(path, "utf8");
  } catch (error) {
    throw error;
  }
  return raw.trim();
}
const other = readFileSync(p, "utf8");
function clean(other) {
  return other.trim();
}
function inner() {
  const kept = readFileSync(p, "utf8");
  return kept;
}
const trimmed = kept.trim();
"#;
        let facts = js(src);
        let stripped = |target: &str| facts.file_read_stripped(target);
        assert!(stripped("raw"));
        // Top-level reads count strips anywhere after them; a function's only its own.
        assert!(stripped("other"));
        assert!(!stripped("kept"));
    }

    #[test]
    fn tls_options_objects() {
        let src = "const agent = new https.Agent({ key, cert: certPem, ca });\n\
                   const headers = { key: k, value: v };\n";
        let facts = js(src);
        let names: Vec<&str> = facts
            .tls_material
            .iter()
            .filter_map(|e| match e {
                Expr::Name { path, .. } => Some(path.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["key", "certPem", "ca"]);
    }

    #[test]
    fn assignments() {
        let src = "let key;\nkey = 'sk-abc';\nopenai.apiKey = process.env.KEY;\nvar x = 1, y = \"two\";\nclass C { apiKey = process.env.K; }";
        let facts = js(src);
        let targets: Vec<(&str, Option<usize>)> = facts
            .assignments
            .iter()
            .map(|a| (a.target.as_str(), a.top_level))
            .collect();
        assert_eq!(
            targets,
            [
                ("key", Some(1)),
                ("openai.apiKey", Some(2)),
                ("x", Some(3)),
                ("y", Some(3)),
                ("this.apiKey", None)
            ]
        );
        assert_eq!(
            &src[facts.assignments[1].target_span.clone()],
            "openai.apiKey"
        );
        assert_eq!(&src[facts.assignments[2].span.clone()], "x = 1");
        assert!(facts.assignments.iter().all(|a| !a.exported));
    }

    #[test]
    fn typescript_with_annotations() {
        let src = r#"import OpenAI from "openai";
interface Opts { key: string }
const key: string = process.env.OPENAI_API_KEY!;
export const client = new OpenAI({ apiKey: key as string, baseURL: <string>base });
export async function chat(messages: Message[]): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Authorization: `Bearer ${key}` };
  return fetch("https://api.openai.com/v1/chat/completions", { method: "POST", headers: headers satisfies HeadersInit, body: JSON.stringify({ messages }) });
}
"#;
        let facts = facts(src.as_bytes(), Dialect::TypeScript);
        assert_eq!(facts.parse_error, None);
        assert!(
            matches!(&facts.assignments[0].value, Expr::Env(read) if read.name == "OPENAI_API_KEY")
        );
        assert_eq!(facts.clients.len(), 1);
        assert!(
            matches!(&facts.clients[0].key, Some(Expr::Name { path, span }) if path == "key" && &src[span.clone()] == "key")
        );
        assert!(
            matches!(&facts.clients[0].base_url, Some(Expr::Name { path, .. }) if path == "base")
        );
        assert_eq!(facts.clients[0].top_level, Some(3));
        let names: Vec<&str> = facts.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["Content-Type", "Authorization"]);
        assert_eq!(facts.requests.len(), 1);
        assert_eq!(facts.requests[0].headers, HeaderSource::Opaque);
    }

    #[test]
    fn tsx_with_jsx() {
        let src = r#"export function Chat({ apiKey }: { apiKey: string }) {
  const client = new OpenAI({ apiKey, dangerouslyAllowBrowser: true });
  return <div title="Authorization: Bearer \n">{`Bearer ${apiKey}`}</div>;
}
"#;
        let facts = facts(src.as_bytes(), Dialect::Tsx);
        assert_eq!(facts.parse_error, None);
        assert!(matches!(&facts.clients[0].key, Some(Expr::Name { path, .. }) if path == "apiKey"));
        assert_eq!(facts.clients[0].top_level, None);
        let attribute = facts
            .strings
            .iter()
            .find(|s| s.kind == StringKind::Plain)
            .unwrap();
        // JSX attribute strings have no escapes.
        assert_eq!(
            attribute.text().as_deref(),
            Some("Authorization: Bearer \\n")
        );
        assert!(facts
            .strings
            .iter()
            .any(|s| s.kind == StringKind::Interpolated));
        // The same through the JavaScript grammar (.jsx).
        let jsx = "const el = <Key value={process.env.REACT_APP_OPENAI_KEY} />;";
        let facts = super::facts(jsx.as_bytes(), Dialect::JavaScript);
        assert_eq!(facts.parse_error, None);
        assert_eq!(facts.env_reads[0].name, "REACT_APP_OPENAI_KEY");
    }

    #[test]
    fn comments_hold_no_facts() {
        let facts = js("// { Authorization: `Bearer ${key}` }\n/* fetch(url, { headers: { Authorization: key } }); console.log(process.env.OPENAI_API_KEY) */\n");
        assert_eq!(facts, CodeFacts::default());
    }

    #[test]
    fn a_bare_ampersand_in_jsx_text_is_text() {
        let src =
            "const a = <div>{b && (<p onClick={() => {\n  go();\n}}>Create & Run\n</p>)}</div>;\n\
                   const c = <b>Terms &amp; Conditions & more</b>;\n\
                   console.log(response.data['api_key'], x & y);\n";
        let facts = js(src);
        assert_eq!(facts.parse_error, None);
        assert!(matches!(&facts.logs[0].args[0], Expr::Name { path, .. }
            if path == "response.data[\"api_key\"]"));
        // Real syntax errors stay errors.
        let broken = js("const a = <div>Create & Run</div>;\nfunction broken( {\n");
        assert!(broken.parse_error.is_some());
    }

    #[test]
    fn syntax_errors_keep_what_parses() {
        let src = "const a = { Authorization: key };\nfunction broken( {\nconsole.log(process.env.OPENAI_API_KEY);\n";
        let facts = js(src);
        assert!(
            facts
                .parse_error
                .as_deref()
                .is_some_and(|e| e.contains("line")),
            "{:?}",
            facts.parse_error
        );
        assert_eq!(facts.headers.len(), 1);
        for garbage in [
            "",
            "}}}}",
            "`${",
            "'unterminated",
            "(((((",
            "\u{0}\u{1}\u{ff}",
            "a = `x${`y${",
            "<div",
        ] {
            let _ = js(garbage);
            let _ = facts_for(garbage, Dialect::TypeScript);
            let _ = facts_for(garbage, Dialect::Tsx);
        }
        let invalid_utf8 = b"const k = \"\xff\xfe\"; fetch(\"\xc3\", {});";
        let facts = super::facts(invalid_utf8, Dialect::JavaScript);
        assert_eq!(facts.requests.len(), 1);
    }

    fn facts_for(src: &str, dialect: Dialect) -> CodeFacts {
        facts(src.as_bytes(), dialect)
    }

    #[test]
    fn byte_spans_after_non_ascii_text() {
        let src = "// café ☕ 日本語\nconst note = \"naïve – ok\"; const h = { Authorization: `Bearer ${clé}` };";
        let facts = js(src);
        let note = &facts.strings[0];
        assert_eq!(&src[note.span.clone()], "\"naïve – ok\"");
        assert_eq!(note.text().as_deref(), Some("naïve – ok"));
        let header = only_header(&facts, "Authorization");
        assert_eq!(&src[header.name_span.clone()], "Authorization");
        let Expr::Str(lit) = &header.value else {
            panic!()
        };
        assert_eq!(&src[lit.span.clone()], "`Bearer ${clé}`");
        assert!(
            matches!(&lit.parts[1], StringPart::Interpolation { code, span } if code == "clé" && &src[span.clone()] == "${clé}")
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            unescape_js(r"a\nb\t\x41\u0042\u{1F600}\uD83D\uDE00\'\\\0"),
            "a\nb\tAB😀😀'\\\0"
        );
        assert_eq!(unescape_js("line\\\ncontinued"), "linecontinued");
        assert_eq!(unescape_js(r"\xZZ\u12"), "xZZu12");
        let facts = js(r#"const k = "sk-\u0061bc"; const e = "";"#);
        assert_eq!(facts.strings[0].text().as_deref(), Some("sk-abc"));
        assert!(facts.strings[1].parts.is_empty());
        let facts = js("const t = `plain`;");
        assert_eq!(facts.strings[0].kind, StringKind::Interpolated);
        assert!(
            matches!(&facts.strings[0].parts[..], [StringPart::Text { text, .. }] if text == "plain")
        );
    }

    #[test]
    fn other_expressions() {
        let facts = js("a = f(x); b = x ? y : z; c = util.format('Bearer %s', k); d = 'Bearer '.concat(k); e = process.env.K || 'sk-default';");
        let values: Vec<&Expr> = facts.assignments.iter().map(|a| &a.value).collect();
        assert!(matches!(values[0], Expr::Other { .. }));
        assert!(
            matches!(values[1], Expr::Alternatives { options, .. } if matches!(&options[..], [Expr::Name { .. }, Expr::Name { .. }]))
        );
        assert!(
            matches!(values[2], Expr::Format { template, args, .. } if template.text().as_deref() == Some("Bearer %s") && args.len() == 1)
        );
        assert!(matches!(values[3], Expr::Concat { parts, .. } if parts.len() == 2));
        assert!(
            matches!(values[4], Expr::Alternatives { options, .. } if matches!(&options[..], [Expr::Env(read), Expr::Str(_)] if read.name == "K"))
        );
        assert_eq!(facts.env_reads.len(), 1);
    }

    #[test]
    fn long_concatenations_and_deep_nesting_do_not_overflow() {
        let chain = format!("x = {};", vec!["'a'"; 20_000].join(" + "));
        let facts = js(&chain);
        assert!(
            matches!(&facts.assignments[0].value, Expr::Concat { parts, .. } if parts.len() == 20_000)
        );
        let nested = format!("y = {}1{};", "(".repeat(5_000), ")".repeat(5_000));
        let _ = js(&nested);
    }

    #[test]
    fn template_literals_nested_past_the_limit_are_not_parsed() {
        let nested = |n: usize| {
            format!(
                "fetch(\"https://api.openai.com/v1/models\");\nx = {}k{};",
                "`${".repeat(n),
                "}`".repeat(n)
            )
        };
        let limit = super::super::MAX_NESTING;
        let within = js(&nested(limit));
        assert_eq!(within.parse_error, None);
        assert_eq!(within.requests.len(), 1);
        assert_eq!(within.strings.len(), limit + 1);
        let past = js(&nested(limit + 1));
        assert_eq!(past.parse_error, Some(super::super::too_deep()));
        assert!(past.requests.is_empty() && past.strings.is_empty());
        // Brackets are parsed as deep as `MAX_BRACKETS`, no deeper.
        let arrays = |n: usize| js(&format!("x = {}\"k\"{};", "[".repeat(n), "]".repeat(n)));
        let brackets = super::super::MAX_BRACKETS;
        assert_eq!(arrays(brackets).parse_error, None);
        assert_eq!(arrays(brackets).strings.len(), 1);
        let past = arrays(brackets + 1);
        assert_eq!(past.parse_error, Some(super::super::brackets_too_deep()));
        // Brackets in strings, templates and comments do not count.
        let open = "(".repeat(brackets + 1);
        let quoted =
            format!("// {open}\n/* {open} */\na = '{open}'; b = \"{open}\"; c = `{open}`;\n");
        assert_eq!(js(&quoted).parse_error, None);
    }

    #[test]
    fn minified_bundles_stay_linear() {
        let unit = "var a=function(e){return e.headers={Authorization:\"Bearer \"+e.k},fetch(\"https://api.openai.com/v1/x\",{method:\"POST\",headers:e.headers})},b=new Map;b.get(\"k\");console.log(a.length);";
        let small = unit.repeat(2_000);
        let big = unit.repeat(8_000);
        let time = |src: &str| {
            let start = std::time::Instant::now();
            let facts = js(src);
            (start.elapsed(), facts)
        };
        let (t_small, f_small) = time(&small);
        let (t_big, f_big) = time(&big);
        assert_eq!(f_small.requests.len(), 2_000);
        assert_eq!(f_big.headers.len(), 8_000);
        // Four times the input should not take much more than four times as long.
        assert!(
            t_big < t_small * 12 + std::time::Duration::from_millis(200),
            "{t_small:?} vs {t_big:?}"
        );
    }
}
