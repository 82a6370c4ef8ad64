//! Rust front-end (syn): string literals and format strings, `std::env::var`/`env!` reads,
//! reqwest/ureq requests and their headers, async-openai configurations, dotenvy loads, log
//! macros, `let`/`const`/`static` bindings.
//!
//! Macro bodies are token streams to syn: the arguments of macro calls are split at top-level
//! commas and parsed as expressions where they can be; what does not parse only contributes
//! its string literals.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use proc_macro2::{LineColumn, Spacing, Span, TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use super::facts::{
    Assignment, Client, CodeFacts, DotenvLoad, EnvRead, Expr, Header, HeaderSource, LogCall,
    Request, StringKind, StringLit, StringPart,
};

/// Extracts the facts of a Rust source file.
pub fn facts(source: &[u8]) -> CodeFacts {
    let unparsed = |reason: String| CodeFacts {
        parse_error: Some(reason),
        ..CodeFacts::default()
    };
    let Ok(text) = std::str::from_utf8(source) else {
        return unparsed("the file is not UTF-8".to_string());
    };
    if let Some(reason) = nesting_problem(text) {
        return unparsed(reason);
    }
    // Parsing, visiting and dropping the tree recurse with its depth: on a stack sized for
    // what `nesting_problem` lets through. syn's spans keep the file in a thread-local source
    // map, which ends with the thread.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("keylint-rust-parser".to_string())
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, || extract(text))
            .map_err(|error| format!("the Rust parser thread could not start: {error}"))
            .and_then(|parser| {
                parser
                    .join()
                    .map_err(|_| "the Rust parser failed".to_string())
            })
            .unwrap_or_else(unparsed)
    })
}

fn extract(text: &str) -> CodeFacts {
    // syn::parse_file strips a BOM and a shebang line, and its spans start after them.
    let mut base = 0;
    if text.starts_with('\u{feff}') {
        base = '\u{feff}'.len_utf8();
    }
    if text[base..].starts_with("#!") {
        let rest = text[base + 2..].trim_start();
        if !rest.starts_with('[') {
            base += text[base..].find('\n').unwrap_or(text.len() - base);
        }
    }
    let content = &text[base..];
    let lines = Lines::new(content, base);
    let file = match syn::parse_file(content) {
        Ok(file) => file,
        Err(error) => {
            let at = error.span().start();
            return CodeFacts {
                parse_error: Some(format!(
                    "{error} at line {}, column {}",
                    at.line,
                    at.column + 1
                )),
                ..CodeFacts::default()
            };
        }
    };
    let mut info = Info::default();
    info.visit_file(&file);
    let mut walker = Walker {
        src: text,
        lines: &lines,
        info: &info,
        facts: CodeFacts::default(),
        function: None,
        top: None,
        receiver_next: false,
    };
    for (index, item) in file.items.iter().enumerate() {
        walker.top = Some(index);
        walker.visit_item(item);
    }
    walker.facts
}

/// Line starts of the parsed text, for turning proc-macro2 line/column (in chars) into bytes.
struct Lines<'a> {
    content: &'a str,
    base: usize,
    starts: Vec<usize>,
    ascii: Vec<bool>,
    /// Char-to-byte offsets of non-ASCII lines, built when first needed.
    chars: RefCell<HashMap<usize, Vec<usize>>>,
}

impl<'a> Lines<'a> {
    fn new(content: &'a str, base: usize) -> Self {
        let mut starts = vec![0];
        starts.extend(
            content
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let ascii = (0..starts.len())
            .map(|i| {
                let end = starts.get(i + 1).copied().unwrap_or(content.len());
                content.as_bytes()[starts[i]..end].is_ascii()
            })
            .collect();
        Lines {
            content,
            base,
            starts,
            ascii,
            chars: RefCell::new(HashMap::new()),
        }
    }

    fn offset(&self, at: LineColumn) -> usize {
        let Some(line) = at.line.checked_sub(1).filter(|l| *l < self.starts.len()) else {
            return self.base + if at.line == 0 { 0 } else { self.content.len() };
        };
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.content.len());
        let within = if self.ascii[line] {
            at.column.min(end - start)
        } else {
            let mut cache = self.chars.borrow_mut();
            let offsets = cache.entry(line).or_insert_with(|| {
                self.content[start..end]
                    .char_indices()
                    .map(|(i, _)| i)
                    .collect()
            });
            offsets.get(at.column).copied().unwrap_or(end - start)
        };
        self.base + start + within
    }

    fn range(&self, span: Span) -> Range<usize> {
        let start = self.offset(span.start());
        start..self.offset(span.end()).max(start)
    }
}

// ----- what the whole file says, before the walk -----

#[derive(Default)]
struct Info {
    /// `use` aliases: the name in scope and the path it stands for.
    uses: HashMap<String, String>,
    /// `const`/`static` string values.
    consts: HashMap<String, String>,
    /// `let x = "..."` values (the last one in the file).
    literals: HashMap<String, String>,
    /// Variables bound to a reqwest client or ureq agent.
    client_vars: HashSet<String>,
    /// A client is built in this file (`Client::new()`, `Client::builder()`, `ureq::agent()`).
    builds_client: bool,
    /// A client is built with `default_headers(..)` in this file.
    default_headers: bool,
}

impl Info {
    fn resolve(&self, path: &syn::Path) -> String {
        let mut segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_none() {
            if let Some(full) = segments.first().and_then(|first| self.uses.get(first)) {
                segments.splice(0..1, full.split("::").map(str::to_string));
            }
        }
        segments.join("::")
    }

    fn string_value(&self, e: &syn::Expr) -> Option<String> {
        match strip(e) {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            syn::Expr::Path(p) => {
                let name = p.path.get_ident()?.to_string();
                self.consts
                    .get(&name)
                    .or_else(|| self.literals.get(&name))
                    .cloned()
            }
            _ => None,
        }
    }
}

fn collect_use(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut HashMap<String, String>) {
    let full = |prefix: &[String], name: &str| {
        if name == "self" {
            prefix.join("::")
        } else {
            prefix
                .iter()
                .map(String::as_str)
                .chain([name])
                .collect::<Vec<_>>()
                .join("::")
        }
    };
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            collect_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            let alias = if name == "self" {
                prefix.last().cloned().unwrap_or_default()
            } else {
                name.clone()
            };
            if !alias.is_empty() {
                out.insert(alias, full(prefix, &name));
            }
        }
        syn::UseTree::Rename(r) => {
            out.insert(r.rename.to_string(), full(prefix, &r.ident.to_string()));
        }
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(g) => {
            for item in &g.items {
                collect_use(item, prefix, out);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Info {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        collect_use(&item.tree, &mut Vec::new(), &mut self.uses);
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        if let Some(value) = literal_value(&item.expr) {
            self.consts.insert(item.ident.to_string(), value);
        }
        visit::visit_item_const(self, item);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        if let Some(value) = literal_value(&item.expr) {
            self.consts.insert(item.ident.to_string(), value);
        }
        visit::visit_item_static(self, item);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let (Some(name), Some(init)) = (pat_ident(&local.pat), &local.init) {
            if let Some(value) = literal_value(&init.expr) {
                self.literals.insert(name.to_string(), value);
            }
            if builds_client(&init.expr) {
                self.client_vars.insert(name.to_string());
            }
        }
        visit::visit_local(self, local);
    }

    fn visit_pat_type(&mut self, pat: &'ast syn::PatType) {
        if let Some(name) = pat_ident(&pat.pat) {
            if self.is_client_type(&pat.ty) {
                self.client_vars.insert(name.to_string());
            }
        }
        visit::visit_pat_type(self, pat);
    }

    fn visit_field(&mut self, field: &'ast syn::Field) {
        if let Some(name) = &field.ident {
            if self.is_client_type(&field.ty) {
                self.client_vars.insert(name.to_string());
            }
        }
        visit::visit_field(self, field);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if call.method == "default_headers" {
            self.default_headers = true;
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*call.func {
            let path = self.resolve(&p.path);
            if is_client_construction(&path) {
                self.builds_client = true;
            }
        }
        visit::visit_expr_call(self, call);
    }
}

impl Info {
    /// `reqwest::Client`, `&Client`, `ureq::Agent`, `Arc<Client>` (not async-openai's Client).
    fn is_client_type(&self, ty: &syn::Type) -> bool {
        match ty {
            syn::Type::Reference(r) => self.is_client_type(&r.elem),
            syn::Type::Paren(p) => self.is_client_type(&p.elem),
            syn::Type::Path(p) => {
                let Some(last) = p.path.segments.last() else {
                    return false;
                };
                if matches!(last.ident.to_string().as_str(), "Arc" | "Rc" | "Box") {
                    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                        return args.args.iter().any(|arg| match arg {
                            syn::GenericArgument::Type(t) => self.is_client_type(t),
                            _ => false,
                        });
                    }
                    return false;
                }
                let resolved = self.resolve(&p.path);
                !resolved.starts_with("async_openai")
                    && matches!(
                        last.ident.to_string().as_str(),
                        "Client" | "Agent" | "ClientWithMiddleware"
                    )
            }
            _ => false,
        }
    }
}

fn is_client_construction(path: &str) -> bool {
    if path.starts_with("async_openai") {
        return false;
    }
    [
        "Client::new",
        "Client::builder",
        "Client::default",
        "ClientBuilder::new",
        "ureq::agent",
        "AgentBuilder::new",
        "Agent::new",
        "Agent::new_with_defaults",
        "Agent::config_builder",
        "Agent::new_with_config",
    ]
    .iter()
    .any(|suffix| path == *suffix || path.ends_with(&format!("::{suffix}")))
}

/// Whether an expression (a builder chain) ends in a reqwest client or ureq agent.
fn builds_client(e: &syn::Expr) -> bool {
    let mut cur = e;
    loop {
        match cur {
            syn::Expr::MethodCall(m) => cur = &m.receiver,
            syn::Expr::Try(t) => cur = &t.expr,
            syn::Expr::Await(a) => cur = &a.base,
            syn::Expr::Paren(p) => cur = &p.expr,
            syn::Expr::Call(c) => {
                return match &*c.func {
                    syn::Expr::Path(p) => {
                        let path = path_text(&p.path);
                        is_client_construction(&path)
                            || path.ends_with("ClientBuilder::new")
                            || path == "agent"
                    }
                    _ => false,
                }
            }
            _ => return false,
        }
    }
}

fn literal_value(e: &syn::Expr) -> Option<String> {
    match strip(e) {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// Removes references, parentheses and groups.
fn strip(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Reference(r) => strip(&r.expr),
        syn::Expr::Paren(p) => strip(&p.expr),
        syn::Expr::Group(g) => strip(&g.expr),
        _ => e,
    }
}

fn pat_ident(pat: &syn::Pat) -> Option<&syn::Ident> {
    match pat {
        syn::Pat::Ident(p) => Some(&p.ident),
        syn::Pat::Type(t) => pat_ident(&t.pat),
        _ => None,
    }
}

fn path_text(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

fn last_ident(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

// ----- macros -----

/// One comma-separated argument of a macro call.
struct MacroArg {
    /// `name = value` (format), `target: value` (log), `field = %value` (tracing).
    named: bool,
    tokens: TokenStream,
    expr: Option<syn::Expr>,
}

fn macro_args(tokens: &TokenStream) -> Vec<MacroArg> {
    let mut groups: Vec<Vec<TokenTree>> = vec![Vec::new()];
    for tree in tokens.clone() {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => groups.push(Vec::new()),
            _ => groups.last_mut().expect("never empty").push(tree),
        }
    }
    groups
        .into_iter()
        .filter(|g| !g.is_empty())
        .map(|g| {
            let tokens: TokenStream = g.iter().cloned().collect();
            let mut rest: &[TokenTree] = &g;
            let mut named = false;
            if let [TokenTree::Ident(_), TokenTree::Punct(p), tail @ ..] = rest {
                let named_by = match p.as_char() {
                    '=' => p.spacing() == Spacing::Alone,
                    ':' => p.spacing() == Spacing::Alone,
                    _ => false,
                };
                if named_by && !tail.is_empty() {
                    named = true;
                    rest = tail;
                }
            }
            if let [TokenTree::Punct(p), tail @ ..] = rest {
                if matches!(p.as_char(), '%' | '?') && !tail.is_empty() {
                    rest = tail;
                }
            }
            let expr = syn::parse2::<syn::Expr>(rest.iter().cloned().collect()).ok();
            MacroArg {
                named,
                tokens,
                expr,
            }
        })
        .collect()
}

/// Macros whose first string argument is a format string.
fn format_macro(name: &str) -> Option<usize> {
    Some(match name {
        "format" | "format_args" | "print" | "println" | "eprint" | "eprintln" | "panic"
        | "unreachable" | "todo" | "unimplemented" | "info" | "debug" | "warn" | "error"
        | "trace" | "log" | "event" | "anyhow" | "bail" | "eyre" | "format_err" => 0,
        "write" | "writeln" | "assert" | "debug_assert" | "ensure" => 1,
        "assert_eq" | "assert_ne" | "debug_assert_eq" | "debug_assert_ne" => 2,
        _ => return None,
    })
}

fn log_macro(name: &str) -> bool {
    matches!(
        name,
        "println"
            | "print"
            | "eprintln"
            | "eprint"
            | "dbg"
            | "info"
            | "debug"
            | "warn"
            | "error"
            | "trace"
            | "log"
            | "event"
    )
}

fn template_index(name: &str, args: &[MacroArg]) -> Option<usize> {
    let min = format_macro(name)?;
    args.iter().enumerate().skip(min).find_map(|(i, arg)| {
        let is_str = matches!(
            &arg.expr,
            Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(_),
                ..
            }))
        );
        (!arg.named && is_str).then_some(i)
    })
}

fn lit_str(e: &syn::Expr) -> Option<&syn::LitStr> {
    match strip(e) {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s),
        _ => None,
    }
}

/// Visits an expression that does not live as long as the file (parsed from a macro body).
fn visit_owned(walker: &mut Walker<'_>, e: &syn::Expr) {
    walker.visit_expr(e);
}

// ----- the walk -----

const REQUEST_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "request"];
const HEADER_METHODS: &[&str] = &["header", "headers", "bearer_auth", "basic_auth", "set"];
const SEND_METHODS: &[&str] = &[
    "send",
    "call",
    "send_json",
    "send_string",
    "send_form",
    "send_bytes",
    "send_empty",
    "execute",
];
const TRANSPARENT_METHODS: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or_default",
    "unwrap_or",
    "unwrap_or_else",
    "ok",
    "to_string",
    "to_owned",
    "into",
    "clone",
    "as_str",
    "as_ref",
    "parse",
    "context",
    "with_context",
    "wrap_err",
    "as_bytes",
    "borrow",
    "into_owned",
    "map_err",
    "ok_or",
    "ok_or_else",
    "expose_secret",
    "as_deref",
    "chars",
    "bytes",
    "collect",
    "to_vec",
    "into_string",
    "next",
];
const TRIM_METHODS: &[&str] = &[
    "trim",
    "trim_end",
    "trim_start",
    "trim_matches",
    "trim_end_matches",
    "strip_suffix",
    "lines",
];
const PARTIAL_METHODS: &[&str] = &[
    "len",
    "is_empty",
    "starts_with",
    "ends_with",
    "take",
    "skip",
    "count",
    "nth",
    "split_at",
];
/// Calls that pass their first argument through: `HeaderValue::from_str(&v)`, `Some(v)`.
const TRANSPARENT_CALLS: &[&str] = &[
    "HeaderValue::from_str",
    "HeaderValue::from_static",
    "HeaderValue::try_from",
    "HeaderValue::from_bytes",
    "HeaderValue::from_maybe_shared",
    "String::from",
    "Some",
    "Ok",
    "Box::new",
    "Cow::from",
    "Cow::Borrowed",
    "Cow::Owned",
    "SecretString::new",
    "SecretString::from",
    "Secret::new",
    "Arc::new",
    "Rc::new",
];
/// Header names that are worth recording from `map.insert(..)`/`.set(..)` without a header type.
const AUTH_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "api-key",
    "x-api-key",
    "openai-organization",
    "openai-project",
];

struct Walker<'a> {
    src: &'a str,
    lines: &'a Lines<'a>,
    info: &'a Info,
    facts: CodeFacts,
    function: Option<Range<usize>>,
    top: Option<usize>,
    /// The next expression visited is the receiver of a method call (or the operand of `?` or
    /// `.await`): it is part of a chain already looked at.
    receiver_next: bool,
}

impl Walker<'_> {
    fn range(&self, span: Span) -> Range<usize> {
        self.lines.range(span)
    }

    fn span_of<T: Spanned>(&self, node: &T) -> Range<usize> {
        self.range(node.span())
    }

    fn in_function(&mut self, span: Range<usize>, f: impl FnOnce(&mut Self)) {
        let function = self.function.replace(span);
        let top = self.top.take();
        f(self);
        self.function = function;
        self.top = top;
    }

    // ----- literals -----

    /// The bytes between the quotes of a literal.
    fn content_range(&self, span: &Range<usize>) -> Range<usize> {
        let text = &self.src[span.clone()];
        match (text.find('"'), text.rfind('"')) {
            (Some(open), Some(close)) if close > open => span.start + open + 1..span.start + close,
            _ => span.clone(),
        }
    }

    fn is_raw(&self, span: &Range<usize>) -> bool {
        self.src[span.clone()].starts_with('r')
    }

    /// A literal as it is: Plain or Raw, one Text part.
    fn plain_lit(&self, lit: &syn::LitStr) -> StringLit {
        let span = self.range(lit.span());
        let content = self.content_range(&span);
        let value = lit.value();
        let parts = if value.is_empty() {
            Vec::new()
        } else {
            vec![StringPart::Text {
                text: value,
                span: content,
            }]
        };
        StringLit {
            kind: if self.is_raw(&span) {
                StringKind::Raw
            } else {
                StringKind::Plain
            },
            span,
            parts,
        }
    }

    /// A format string: `{name}`, `{}`, `{0:?}` are Interpolation parts (their code is what is
    /// between the braces), `{{`/`}}` are text.
    fn template_lit(&self, lit: &syn::LitStr) -> StringLit {
        let span = self.range(lit.span());
        let content = self.content_range(&span);
        let units = if self.is_raw(&span) {
            self.src[content.clone()]
                .char_indices()
                .map(|(i, c)| (c, content.start + i..content.start + i + c.len_utf8()))
                .collect()
        } else {
            unescape(&self.src[content.clone()], content.start)
        };
        let mut parts: Vec<StringPart> = Vec::new();
        let push_text =
            |parts: &mut Vec<StringPart>, c: char, span: Range<usize>| match parts.last_mut() {
                Some(StringPart::Text { text, span: last }) if last.end == span.start => {
                    text.push(c);
                    last.end = span.end;
                }
                _ => parts.push(StringPart::Text {
                    text: c.to_string(),
                    span,
                }),
            };
        let mut i = 0;
        while i < units.len() {
            let (c, ref span) = units[i];
            let next = units.get(i + 1).map(|u| u.0);
            if (c == '{' && next == Some('{')) || (c == '}' && next == Some('}')) {
                push_text(&mut parts, c, span.start..units[i + 1].1.end);
                i += 2;
                continue;
            }
            if c == '{' {
                if let Some(close) = units[i + 1..].iter().position(|u| u.0 == '}') {
                    let close = i + 1 + close;
                    let code: String = units[i + 1..close].iter().map(|u| u.0).collect();
                    parts.push(StringPart::Interpolation {
                        code,
                        span: span.start..units[close].1.end,
                    });
                    i = close + 1;
                    continue;
                }
            }
            push_text(&mut parts, c, span.clone());
            i += 1;
        }
        StringLit {
            span,
            kind: StringKind::Interpolated,
            parts,
        }
    }

    /// String literals in tokens that do not parse as expressions.
    fn literals_in(&mut self, tokens: &TokenStream) {
        for tree in tokens.clone() {
            match tree {
                TokenTree::Literal(literal) => {
                    if let syn::Lit::Str(s) = syn::Lit::new(literal) {
                        let lit = self.plain_lit(&s);
                        self.facts.strings.push(lit);
                    }
                }
                TokenTree::Group(group) => {
                    self.literals_in(&group.stream());
                }
                _ => {}
            }
        }
    }

    // ----- expressions -----

    fn env_read(&self, call: &syn::ExprCall) -> Option<EnvRead> {
        let syn::Expr::Path(p) = &*call.func else {
            return None;
        };
        let resolved = self.info.resolve(&p.path);
        let is_env = matches!(
            resolved.as_str(),
            "std::env::var"
                | "std::env::var_os"
                | "env::var"
                | "env::var_os"
                | "dotenvy::var"
                | "dotenv::var"
        ) || resolved.ends_with("::env::var")
            || resolved.ends_with("::env::var_os");
        if !is_env {
            return None;
        }
        let name = self.info.string_value(call.args.first()?)?;
        Some(EnvRead {
            name,
            span: self.span_of(call),
            how: path_text(&p.path),
        })
    }

    fn macro_env_read(&self, mac: &syn::Macro, args: &[MacroArg]) -> Option<EnvRead> {
        let name = last_ident(&mac.path);
        if name != "env" && name != "option_env" {
            return None;
        }
        let lit = lit_str(args.first()?.expr.as_ref()?)?;
        Some(EnvRead {
            name: lit.value(),
            span: self.span_of(mac),
            how: format!("{name}!"),
        })
    }

    /// Keeps what an expression is through `?`, `.unwrap()`, `.await`; a file read takes the
    /// wider span.
    fn through(&self, inner: Expr, span: Range<usize>) -> Expr {
        match inner {
            Expr::FileRead { stripped, .. } => Expr::FileRead { stripped, span },
            other => other,
        }
    }

    fn expr(&self, e: &syn::Expr) -> Expr {
        let span = self.span_of(e);
        match e {
            syn::Expr::Lit(lit) => match &lit.lit {
                syn::Lit::Str(s) => Expr::Str(self.plain_lit(s)),
                _ => Expr::Other { span },
            },
            syn::Expr::Path(p) => Expr::Name {
                path: path_text(&p.path),
                span,
            },
            syn::Expr::Field(f) => match (self.expr(&f.base), &f.member) {
                (Expr::Name { path, .. }, member) => {
                    let member = match member {
                        syn::Member::Named(ident) => ident.to_string(),
                        syn::Member::Unnamed(index) => index.index.to_string(),
                    };
                    Expr::Name {
                        path: format!("{path}.{member}"),
                        span,
                    }
                }
                _ => Expr::Other { span },
            },
            syn::Expr::Reference(r) => self.expr(&r.expr),
            syn::Expr::Paren(p) => self.expr(&p.expr),
            syn::Expr::Group(g) => self.expr(&g.expr),
            syn::Expr::Try(t) => self.through(self.expr(&t.expr), span),
            syn::Expr::Await(a) => self.through(self.expr(&a.base), span),
            syn::Expr::Index(i) => match &*i.index {
                syn::Expr::Range(_) => Expr::Partial { span },
                _ => Expr::Other { span },
            },
            syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
                let mut parts = Vec::new();
                self.concat_parts(e, &mut parts);
                Expr::Concat { parts, span }
            }
            syn::Expr::Macro(m) => self.macro_expr(&m.mac, span),
            syn::Expr::Call(call) => self.call_expr(call, span),
            syn::Expr::MethodCall(m) => self.method_expr(m, span),
            _ => Expr::Other { span },
        }
    }

    fn concat_parts(&self, e: &syn::Expr, parts: &mut Vec<Expr>) {
        match e {
            syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
                self.concat_parts(&b.left, parts);
                self.concat_parts(&b.right, parts);
            }
            syn::Expr::Paren(p) => self.concat_parts(&p.expr, parts),
            _ => parts.push(self.expr(e)),
        }
    }

    fn call_expr(&self, call: &syn::ExprCall, span: Range<usize>) -> Expr {
        if let Some(read) = self.env_read(call) {
            return Expr::Env(read);
        }
        let syn::Expr::Path(p) = &*call.func else {
            return Expr::Other { span };
        };
        let resolved = self.info.resolve(&p.path);
        let written = path_text(&p.path);
        let last = last_ident(&p.path);
        if last == "read_to_string"
            && (resolved.ends_with("fs::read_to_string")
                || resolved.ends_with("io::read_to_string")
                || written == "read_to_string")
        {
            return Expr::FileRead {
                stripped: false,
                span,
            };
        }
        let transparent = TRANSPARENT_CALLS
            .iter()
            .any(|t| written == *t || written.ends_with(&format!("::{t}")));
        if transparent {
            if let Some(first) = call.args.first() {
                return self.through(self.expr(first), span);
            }
        }
        let lower = last.to_ascii_lowercase();
        if lower.contains("mask") || lower.contains("redact") {
            return Expr::Partial { span };
        }
        Expr::Other { span }
    }

    fn method_expr(&self, m: &syn::ExprMethodCall, span: Range<usize>) -> Expr {
        let name = m.method.to_string();
        if TRANSPARENT_METHODS.contains(&name.as_str()) {
            return self.through(self.expr(&m.receiver), span);
        }
        if TRIM_METHODS.contains(&name.as_str()) {
            return match self.expr(&m.receiver) {
                Expr::FileRead { .. } => Expr::FileRead {
                    stripped: true,
                    span,
                },
                other => other,
            };
        }
        let range_arg = m
            .args
            .first()
            .is_some_and(|a| matches!(strip(a), syn::Expr::Range(_)));
        let lower = name.to_ascii_lowercase();
        if PARTIAL_METHODS.contains(&name.as_str())
            || (name == "get" && range_arg)
            || lower.contains("mask")
            || lower.contains("redact")
        {
            return Expr::Partial { span };
        }
        Expr::Other { span }
    }

    fn macro_expr(&self, mac: &syn::Macro, span: Range<usize>) -> Expr {
        let name = last_ident(&mac.path);
        let args = macro_args(&mac.tokens);
        match name.as_str() {
            "format" | "format_args" => {
                let Some(first) = args.first() else {
                    return Expr::Other { span };
                };
                let Some(template) = first.expr.as_ref().and_then(lit_str) else {
                    return Expr::Other { span };
                };
                let args = args[1..]
                    .iter()
                    .map(|arg| match &arg.expr {
                        Some(e) => self.expr(e),
                        None => Expr::Other {
                            span: self.span_of(&arg.tokens),
                        },
                    })
                    .collect();
                Expr::Format {
                    template: self.template_lit(template),
                    args,
                    span,
                }
            }
            "env" | "option_env" => match self.macro_env_read(mac, &args) {
                Some(read) => Expr::Env(read),
                None => Expr::Other { span },
            },
            "concat" => Expr::Concat {
                parts: args
                    .iter()
                    .map(|arg| match &arg.expr {
                        Some(e) => self.expr(e),
                        None => Expr::Other {
                            span: self.span_of(&arg.tokens),
                        },
                    })
                    .collect(),
                span,
            },
            "include_str" => Expr::FileRead {
                stripped: false,
                span,
            },
            _ => Expr::Other { span },
        }
    }

    // ----- calls, chains, macros -----

    fn call(&mut self, call: &syn::ExprCall) {
        if let Some(read) = self.env_read(call) {
            self.facts.env_reads.push(read);
        }
        let syn::Expr::Path(p) = &*call.func else {
            return;
        };
        let resolved = self.info.resolve(&p.path);
        let written = path_text(&p.path);
        let last = last_ident(&p.path);
        let dotenv_fn = matches!(
            last.as_str(),
            "dotenv"
                | "dotenv_override"
                | "from_filename"
                | "from_filename_override"
                | "from_path"
                | "from_path_override"
                | "dotenv_iter"
                | "from_filename_iter"
                | "from_path_iter"
        );
        let dotenv_crate = resolved.starts_with("dotenvy::")
            || resolved.starts_with("dotenv::")
            || written == "dotenv";
        if dotenv_fn && dotenv_crate {
            self.facts.dotenv_loads.push(DotenvLoad {
                span: self.span_of(call),
                top_level: self.top,
            });
        }
        let openai_client = (resolved.starts_with("async_openai::")
            && resolved.ends_with("Client::new"))
            || (written.ends_with("Client::with_config") && !written.contains("reqwest"));
        if openai_client {
            let key = (last == "with_config")
                .then(|| call.args.first().map(|a| self.expr(a)))
                .flatten();
            self.facts.clients.push(Client {
                sdk: "async_openai::Client".to_string(),
                span: self.span_of(call),
                key,
                base_url: None,
                top_level: self.top,
            });
        }
    }

    /// A chain `base.m1(..).m2(..)?.await`, looked at from its outermost expression.
    fn chain(&mut self, top: &syn::Expr) {
        let mut methods: Vec<&syn::ExprMethodCall> = Vec::new();
        let mut cur = top;
        loop {
            match cur {
                syn::Expr::MethodCall(m) => {
                    methods.push(m);
                    cur = &m.receiver;
                }
                syn::Expr::Await(a) => cur = &a.base,
                syn::Expr::Try(t) => cur = &t.expr,
                _ => break,
            }
        }
        methods.reverse();
        let base = cur;
        self.config_chain(top, base, &methods);
        self.request_chain(top, base, &methods);
    }

    /// `OpenAIConfig::new().with_api_key(k).with_api_base(u)`, `AzureConfig::new()...`.
    fn config_chain(
        &mut self,
        top: &syn::Expr,
        base: &syn::Expr,
        methods: &[&syn::ExprMethodCall],
    ) {
        let syn::Expr::Call(call) = base else {
            return;
        };
        let syn::Expr::Path(p) = &*call.func else {
            return;
        };
        let segments: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let [.., ty, constructor] = segments.as_slice() else {
            return;
        };
        let sdk = ty == "OpenAIConfig" || ty == "AzureConfig" || ty.contains("OpenAI");
        if !sdk || !matches!(constructor.as_str(), "new" | "default" | "builder") {
            return;
        }
        let arg_of = |names: &[&str]| {
            methods
                .iter()
                .rev()
                .find(|m| names.contains(&m.method.to_string().as_str()))
                .and_then(|m| m.args.first())
                .map(|a| self.expr(a))
        };
        let key = arg_of(&["with_api_key", "api_key", "with_key"]);
        let base_url = arg_of(&["with_api_base", "with_base_url", "base_url", "api_base"]);
        self.facts.clients.push(Client {
            sdk: ty.clone(),
            span: self.span_of(top),
            key,
            base_url,
            top_level: self.top,
        });
    }

    fn request_chain(
        &mut self,
        top: &syn::Expr,
        base: &syn::Expr,
        methods: &[&syn::ExprMethodCall],
    ) {
        let has = |list: &[&syn::ExprMethodCall], names: &[&str]| {
            list.iter()
                .any(|m| names.contains(&m.method.to_string().as_str()))
        };
        // reqwest::get(url), ureq::post(url).set(..).call()
        if let syn::Expr::Call(call) = base {
            if let syn::Expr::Path(p) = &*call.func {
                let resolved = self.info.resolve(&p.path);
                let last = last_ident(&p.path);
                let tool = ["reqwest", "ureq", "surf", "isahc"]
                    .into_iter()
                    .find(|t| resolved.starts_with(&format!("{t}::")));
                let url_arg = match last.as_str() {
                    "request" => call.args.iter().nth(1),
                    "get" | "post" | "put" | "patch" | "delete" | "head" => call.args.first(),
                    _ => None,
                };
                if let (Some(tool), Some(url_arg)) = (tool, url_arg) {
                    let headers = if has(methods, HEADER_METHODS) {
                        HeaderSource::Literal
                    } else if tool != "reqwest" && !has(methods, SEND_METHODS) {
                        HeaderSource::Opaque
                    } else {
                        HeaderSource::None
                    };
                    self.facts.requests.push(Request {
                        tool: tool.to_string(),
                        url: self.info.string_value(url_arg),
                        span: self.span_of(top),
                        headers,
                        function: self.function.clone(),
                    });
                    return;
                }
            }
        }
        // client.post(url)...
        let Some(k) = methods
            .iter()
            .position(|m| REQUEST_METHODS.contains(&m.method.to_string().as_str()))
        else {
            return;
        };
        let call = methods[k];
        let name = call.method.to_string();
        let url_arg = match (name.as_str(), call.args.len()) {
            ("request", 2) => call.args.iter().nth(1),
            ("request", _) => return,
            (_, 1) => call.args.first(),
            _ => return,
        };
        let Some(tool) = self.client_tool(base) else {
            return;
        };
        let after = &methods[k + 1..];
        let headers = if has(after, HEADER_METHODS) {
            HeaderSource::Literal
        } else if has(&methods[..k], &["default_headers"])
            || self.info.default_headers
            || !self.info.builds_client
            || !has(after, SEND_METHODS)
        {
            HeaderSource::Opaque
        } else {
            HeaderSource::None
        };
        self.facts.requests.push(Request {
            tool: tool.to_string(),
            url: url_arg.and_then(|a| self.info.string_value(a)),
            span: self.span_of(top),
            headers,
            function: self.function.clone(),
        });
    }

    /// Whether the base of a chain is a reqwest client or ureq agent, and which.
    fn client_tool(&self, base: &syn::Expr) -> Option<&'static str> {
        let tool_of = |text: &str| {
            let lower = text.to_ascii_lowercase();
            if lower.contains("ureq") || lower.contains("agent") {
                Some("ureq")
            } else if lower.contains("client") {
                Some("reqwest")
            } else {
                None
            }
        };
        match strip(base) {
            syn::Expr::Path(p) => {
                let name = last_ident(&p.path);
                if self.info.client_vars.contains(&name) {
                    return tool_of(&name).or(Some("reqwest"));
                }
                tool_of(&name)
            }
            syn::Expr::Field(f) => match &f.member {
                syn::Member::Named(ident) => {
                    let name = ident.to_string();
                    if self.info.client_vars.contains(&name) {
                        return tool_of(&name).or(Some("reqwest"));
                    }
                    tool_of(&name)
                }
                syn::Member::Unnamed(_) => None,
            },
            syn::Expr::Call(c) => match &*c.func {
                syn::Expr::Path(p) => {
                    let resolved = self.info.resolve(&p.path);
                    if resolved.starts_with("async_openai") {
                        None
                    } else {
                        tool_of(&resolved)
                    }
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// `.header(..)`, `.bearer_auth(..)`, `.basic_auth(..)`, `headers.insert(..)`, `.set(..)`.
    fn method_call(&mut self, m: &syn::ExprMethodCall) {
        let name = m.method.to_string();
        let args: Vec<&syn::Expr> = m.args.iter().collect();
        let method_span = self.span_of(&m.method);
        let close = self.range(m.paren_token.span.close());
        let span = method_span.start..close.end.max(method_span.start);
        let header = match (name.as_str(), args.as_slice()) {
            ("header", [key, value]) => self.header_name(key, false).map(|(n, s)| {
                let value = self.expr(value);
                (n, s, value)
            }),
            ("insert" | "append" | "set", [key, value]) => {
                let receiver = match self.expr(&m.receiver) {
                    Expr::Name { path, .. } => path.to_ascii_lowercase(),
                    _ => String::new(),
                };
                let typed = receiver.contains("header") && name != "set";
                self.header_name(key, !typed).map(|(n, s)| {
                    let value = self.expr(value);
                    (n, s, value)
                })
            }
            ("bearer_auth", [value]) => Some((
                "Authorization".to_string(),
                method_span.clone(),
                Expr::Other {
                    span: self.span_of(*value),
                },
            )),
            ("basic_auth", [first, ..]) => Some((
                "Authorization".to_string(),
                method_span.clone(),
                Expr::Other {
                    span: {
                        let start = self.span_of(*first).start;
                        let end = self.span_of(*args.last().unwrap_or(first)).end;
                        start..end.max(start)
                    },
                },
            )),
            _ => None,
        };
        if let Some((name, name_span, value)) = header {
            self.facts.headers.push(Header {
                name,
                name_span,
                value,
                span,
                function: self.function.clone(),
            });
        }
    }

    /// A header name: a literal, a `const`, `AUTHORIZATION`/`header::AUTHORIZATION`,
    /// `HeaderName::from_static("..")`. With `auth_only`, only names of auth headers count.
    fn header_name(&self, e: &syn::Expr, auth_only: bool) -> Option<(String, Range<usize>)> {
        let e = strip(e);
        let (name, span, constant) = match e {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => {
                let span = self.range(s.span());
                (s.value(), self.content_range(&span), false)
            }
            syn::Expr::Path(p) => {
                let ident = last_ident(&p.path);
                if let Some(value) = p
                    .path
                    .get_ident()
                    .and_then(|i| self.info.consts.get(&i.to_string()))
                {
                    (value.clone(), self.span_of(e), false)
                } else {
                    let resolved = self.info.resolve(&p.path);
                    let known = matches!(
                        ident.as_str(),
                        "AUTHORIZATION"
                            | "PROXY_AUTHORIZATION"
                            | "CONTENT_TYPE"
                            | "ACCEPT"
                            | "USER_AGENT"
                    );
                    let screaming = !ident.is_empty()
                        && ident
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit());
                    if !(screaming && (known || resolved.contains("header::"))) {
                        return None;
                    }
                    (title_case(&ident), self.span_of(e), true)
                }
            }
            syn::Expr::Call(c) => {
                let syn::Expr::Path(p) = &*c.func else {
                    return None;
                };
                if !path_text(&p.path).contains("HeaderName") {
                    return None;
                }
                let s = lit_str(c.args.first()?)?;
                let span = self.range(s.span());
                (s.value(), self.content_range(&span), true)
            }
            syn::Expr::Try(t) => return self.header_name(&t.expr, auth_only),
            syn::Expr::MethodCall(m)
                if TRANSPARENT_METHODS.contains(&m.method.to_string().as_str()) =>
            {
                return self.header_name(&m.receiver, auth_only)
            }
            _ => return None,
        };
        if auth_only && !constant && !AUTH_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return None;
        }
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_graphic() && c != ':') {
            return None;
        }
        Some((name, span))
    }

    fn macro_call(&mut self, mac: &syn::Macro) {
        let name = last_ident(&mac.path);
        if name == "macro_rules" {
            self.literals_in(&mac.tokens);
            return;
        }
        let args = macro_args(&mac.tokens);
        if let Some(read) = self.macro_env_read(mac, &args) {
            self.facts.env_reads.push(read);
        }
        let template = template_index(&name, &args);
        for (i, arg) in args.iter().enumerate() {
            match (&arg.expr, Some(i) == template) {
                (Some(e), true) => {
                    if let Some(lit) = lit_str(e) {
                        let lit = self.template_lit(lit);
                        self.facts.strings.push(lit);
                    }
                }
                (Some(e), false) => {
                    let top = self.receiver_next;
                    self.receiver_next = false;
                    visit_owned(self, e);
                    self.receiver_next = top;
                }
                (None, _) => self.literals_in(&arg.tokens),
            }
        }
        if log_macro(&name) {
            let log_args = args
                .iter()
                .enumerate()
                .filter_map(|(i, arg)| {
                    let e = arg.expr.as_ref()?;
                    Some(if Some(i) == template {
                        Expr::Str(self.template_lit(lit_str(e)?))
                    } else {
                        self.expr(e)
                    })
                })
                .collect();
            self.facts.logs.push(LogCall {
                span: self.span_of(mac),
                args: log_args,
            });
        }
    }

    fn assignment(
        &mut self,
        target: String,
        target_span: Range<usize>,
        value: &syn::Expr,
        span: Range<usize>,
    ) {
        let value = self.expr(value);
        self.facts.assignments.push(Assignment {
            target,
            target_span,
            value,
            span,
            top_level: self.top,
            exported: false,
        });
    }
}

impl<'ast> Visit<'ast> for Walker<'_> {
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {
        // Doc comments and attribute arguments are not code.
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        let span = self.span_of(item);
        self.in_function(span, |w| visit::visit_item_fn(w, item));
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let span = self.span_of(item);
        self.in_function(span, |w| visit::visit_impl_item_fn(w, item));
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        let span = self.span_of(item);
        self.in_function(span, |w| visit::visit_trait_item_fn(w, item));
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        let span = self.span_of(item);
        let target_span = self.span_of(&item.ident);
        self.assignment(item.ident.to_string(), target_span, &item.expr, span);
        visit::visit_item_const(self, item);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        let span = self.span_of(item);
        let target_span = self.span_of(&item.ident);
        self.assignment(item.ident.to_string(), target_span, &item.expr, span);
        visit::visit_item_static(self, item);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let (Some(ident), Some(init)) = (pat_ident(&local.pat), &local.init) {
            let span = self.span_of(local);
            let target_span = self.span_of(ident);
            self.assignment(ident.to_string(), target_span, &init.expr, span);
        }
        visit::visit_local(self, local);
    }

    fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
        let lit = self.plain_lit(lit);
        self.facts.strings.push(lit);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macro_call(mac);
    }

    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        let inner = std::mem::take(&mut self.receiver_next);
        if !inner
            && matches!(
                e,
                syn::Expr::MethodCall(_)
                    | syn::Expr::Await(_)
                    | syn::Expr::Try(_)
                    | syn::Expr::Call(_)
            )
        {
            self.chain(e);
        }
        match e {
            syn::Expr::MethodCall(m) => {
                self.method_call(m);
                self.receiver_next = true;
                self.visit_expr(&m.receiver);
                for arg in &m.args {
                    self.visit_expr(arg);
                }
            }
            syn::Expr::Await(a) => {
                self.receiver_next = true;
                self.visit_expr(&a.base);
            }
            syn::Expr::Try(t) => {
                self.receiver_next = true;
                self.visit_expr(&t.expr);
            }
            syn::Expr::Call(c) => {
                self.call(c);
                visit::visit_expr_call(self, c);
            }
            syn::Expr::Assign(a) => {
                if let Expr::Name { path, span } = self.expr(&a.left) {
                    let whole = self.span_of(a);
                    self.assignment(path, span, &a.right, whole);
                }
                visit::visit_expr_assign(self, a);
            }
            _ => visit::visit_expr(self, e),
        }
    }
}

// ----- how deep the syntax tree can get -----

/// Deepest bracket nesting handed to syn.
const MAX_NESTING: usize = 256;
/// Most tokens that can nest on the way from an item down to any token (see `Chains`).
const MAX_CHAIN: usize = 4096;
/// The stack of the thread that parses, visits and drops a file's syntax tree. syn's parser,
/// `Visit` and `Drop` recurse once per level of the tree. Measured in release builds, a level
/// takes at most 11 KB for a bracket (`|| {`) and 4.3 KB for a chained token (`|| || x`), so
/// what `nesting_problem` lets through needs under 21 MB; the deepest shapes of the test
/// `the_deepest_trees_let_through_fit_the_parser_stack` need 16 to 20 MB in a debug build.
/// Only the pages used are ever touched.
const PARSE_STACK_BYTES: usize = 64 << 20;

/// Why a file is too deep to hand to syn, or None. A token-level scan that skips comments,
/// strings, chars and lifetimes, and bounds the two things that deepen syn's tree:
/// - bracket nesting (`(`, `[`, `{`), at most `MAX_NESTING` levels;
/// - chains within one bracket level: each token of `a.b().c()`, `a + b + c`, `!!x`, `|| || x`,
///   `Vec<Vec<T>>` or `&&&T` may add a level, so the tokens from an item down to any token, as
///   counted by `Chains`, are at most `MAX_CHAIN`.
fn nesting_problem(text: &str) -> Option<String> {
    let mut chains = Chains::default();
    let mut tokens = Tokens {
        bytes: text.as_bytes(),
        at: 0,
    };
    while let Some(token) = tokens.next() {
        match token {
            Token::Open(_) => {
                chains.count(&token);
                if chains.open() > MAX_NESTING {
                    return Some(format!("nesting deeper than {MAX_NESTING} levels"));
                }
            }
            Token::Close(brace) => chains.close(brace),
            _ => chains.count(&token),
        }
        if chains.tokens() > MAX_CHAIN {
            return Some(format!(
                "an expression or type chain of more than {MAX_CHAIN} tokens"
            ));
        }
    }
    None
}

/// The tokens that can nest on the way down to the current one. Within a bracket level, a
/// segment is counted since the last point where the syntax tree restarts at the level's depth:
/// `;`, a `,` outside generic arguments, a new statement or item after a `}` (a word, a literal,
/// a lifetime or `#` cannot continue an expression that ends in `}`), or a new match arm after
/// an arm's `=> { .. }` body (only `.` and `?` continue one).
#[derive(Default)]
struct Chains {
    /// The enclosing levels' segments when their bracket opened.
    outer: Vec<Segment>,
    /// Their total.
    outer_tokens: usize,
    current: Segment,
}

#[derive(Default, Clone, Copy)]
struct Segment {
    tokens: usize,
    /// Open generic angles (`<` not yet closed); commas inside them do not restart.
    angles: usize,
    /// The last token was `=>`.
    arrow: bool,
    /// The bracket opened from this segment is a match arm's `{` body.
    arm_body: bool,
    after: AfterClose,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum AfterClose {
    #[default]
    Nothing,
    Brace,
    ArmBody,
}

impl Chains {
    fn tokens(&self) -> usize {
        self.outer_tokens + self.current.tokens
    }

    /// Opens a bracket (counted already); returns the nesting.
    fn open(&mut self) -> usize {
        self.outer_tokens += self.current.tokens;
        self.outer.push(std::mem::take(&mut self.current));
        self.outer.len()
    }

    fn close(&mut self, brace: bool) {
        if let Some(outer) = self.outer.pop() {
            self.outer_tokens -= outer.tokens;
            self.current = outer;
        }
        self.current.after = if self.current.arm_body {
            AfterClose::ArmBody
        } else if brace {
            AfterClose::Brace
        } else {
            AfterClose::Nothing
        };
    }

    fn count(&mut self, token: &Token) {
        let segment = &mut self.current;
        let restarts = match std::mem::take(&mut segment.after) {
            AfterClose::Nothing => false,
            AfterClose::Brace => match token {
                Token::Word(word) => *word != "else" && *word != "as",
                Token::Literal | Token::Lifetime => true,
                Token::Punct(p) => *p == "#",
                Token::Open(_) | Token::Close(_) => false,
            },
            AfterClose::ArmBody => !matches!(token, Token::Punct("." | "?")),
        };
        if restarts {
            *segment = Segment::default();
        }
        segment.tokens += 1;
        segment.arm_body = *token == Token::Open(true) && segment.arrow;
        segment.arrow = *token == Token::Punct("=>");
        if let Token::Punct(p) = token {
            match *p {
                ";" => *segment = Segment::default(),
                "," if segment.angles == 0 => segment.tokens = 0,
                "<" => segment.angles += 1,
                "<<" => segment.angles += 2,
                ">" => segment.angles = segment.angles.saturating_sub(1),
                ">>" => segment.angles = segment.angles.saturating_sub(2),
                // Not in generic arguments: the `<` before was a comparison.
                "||" | "==" | "!=" | "<=" | ">=" => segment.angles = 0,
                _ => {}
            }
        }
    }
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    /// `(`, `[` or `{` (true).
    Open(bool),
    /// `)`, `]` or `}` (true).
    Close(bool),
    Word(&'a str),
    /// A string, byte string, char or number.
    Literal,
    Lifetime,
    Punct(&'a str),
}

/// Rust tokens, roughly: enough to find brackets and chains, never wrong about what is inside a
/// comment, string or char.
struct Tokens<'a> {
    bytes: &'a [u8],
    at: usize,
}

const PUNCTS: &[&str] = &[
    "<<=", ">>=", "...", "..=", "::", "->", "=>", "<=", ">=", "==", "!=", "&&", "||", "<<", ">>",
    "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "..",
];

impl<'a> Tokens<'a> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.at + ahead).copied().unwrap_or(0)
    }

    fn text(&self, from: usize) -> &'a str {
        std::str::from_utf8(&self.bytes[from..self.at]).unwrap_or("")
    }

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            let c = self.peek(0);
            if self.at >= self.bytes.len() {
                return None;
            }
            if c.is_ascii_whitespace() {
                self.at += 1;
            } else if c == b'/' && self.peek(1) == b'/' {
                while self.at < self.bytes.len() && self.peek(0) != b'\n' {
                    self.at += 1;
                }
            } else if c == b'/' && self.peek(1) == b'*' {
                self.block_comment();
            } else {
                break;
            }
        }
        let start = self.at;
        let c = self.peek(0);
        Some(match c {
            b'(' | b'[' | b'{' => {
                self.at += 1;
                Token::Open(c == b'{')
            }
            b')' | b']' | b'}' => {
                self.at += 1;
                Token::Close(c == b'}')
            }
            b'"' => {
                self.quoted(b'"');
                Token::Literal
            }
            b'\'' => self.quote_or_lifetime(),
            b'0'..=b'9' => {
                self.word();
                Token::Literal
            }
            _ if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => {
                self.word();
                let word = self.text(start);
                let next = self.peek(0);
                match (word, next) {
                    ("b" | "c", b'"') => self.quoted(b'"'),
                    ("b", b'\'') => self.quoted(b'\''),
                    ("r" | "br" | "cr", b'"' | b'#') => {
                        if self.raw_string() {
                            return Some(Token::Literal);
                        }
                        // `r#ident`
                        self.at += 1;
                        self.word();
                        return Some(Token::Word(self.text(start)));
                    }
                    _ => return Some(Token::Word(word)),
                }
                Token::Literal
            }
            _ => {
                let rest = &self.bytes[self.at..];
                let len = PUNCTS
                    .iter()
                    .find(|p| rest.starts_with(p.as_bytes()))
                    .map_or(1, |p| p.len());
                self.at += len;
                Token::Punct(self.text(start))
            }
        })
    }

    fn word(&mut self) {
        while self.at < self.bytes.len() {
            let c = self.peek(0);
            if c == b'_' || c.is_ascii_alphanumeric() || c >= 0x80 {
                self.at += 1;
            } else {
                break;
            }
        }
    }

    fn block_comment(&mut self) {
        let mut depth = 0usize;
        while self.at < self.bytes.len() {
            if self.peek(0) == b'/' && self.peek(1) == b'*' {
                depth += 1;
                self.at += 2;
            } else if self.peek(0) == b'*' && self.peek(1) == b'/' {
                depth -= 1;
                self.at += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.at += 1;
            }
        }
    }

    /// From an opening quote to past the closing one, over backslash escapes.
    fn quoted(&mut self, quote: u8) {
        self.at += 1;
        while self.at < self.bytes.len() {
            match self.peek(0) {
                b'\\' => self.at += 2,
                c if c == quote => {
                    self.at += 1;
                    return;
                }
                _ => self.at += 1,
            }
        }
        self.at = self.at.min(self.bytes.len());
    }

    /// `"..."`, `#"..."#` after an `r`: true when it is one (and it is skipped).
    fn raw_string(&mut self) -> bool {
        let hashes = self.bytes[self.at..]
            .iter()
            .take_while(|c| **c == b'#')
            .count();
        if self.peek(hashes) != b'"' {
            return false;
        }
        self.at += hashes + 1;
        let mut closing = vec![b'"'];
        closing.resize(hashes + 1, b'#');
        let rest = &self.bytes[self.at..];
        match rest.windows(closing.len()).position(|w| w == closing) {
            Some(end) => self.at += end + closing.len(),
            None => self.at = self.bytes.len(),
        }
        true
    }

    /// `'a'`, `'\n'`, `'\u{1F600}'` or a lifetime/label `'a`.
    fn quote_or_lifetime(&mut self) -> Token<'a> {
        if self.peek(1) == b'\\' {
            self.quoted(b'\'');
            return Token::Literal;
        }
        // One char, then a quote: a char literal.
        let width = match self.peek(1) {
            c if c < 0x80 => 1,
            c if c >= 0xF0 => 4,
            c if c >= 0xE0 => 3,
            _ => 2,
        };
        if self.peek(1 + width) == b'\'' {
            self.at += 2 + width;
            return Token::Literal;
        }
        self.at += 1;
        self.word();
        Token::Lifetime
    }
}

/// `CONTENT_TYPE` -> `Content-Type`.
fn title_case(ident: &str) -> String {
    ident
        .split('_')
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The characters of a Rust string literal's contents after escape processing, each with the
/// bytes it comes from (offset by `base`).
fn unescape(content: &str, base: usize) -> Vec<(char, Range<usize>)> {
    let chars: Vec<(usize, char)> = content.char_indices().collect();
    let at = |i: usize| chars.get(i).map_or(content.len(), |c| c.0) + base;
    let mut out = Vec::with_capacity(chars.len());
    // Bytes dropped by a line continuation belong to the next character.
    let mut pending: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let (offset, c) = chars[i];
        let start = offset + base;
        if c == '\r' && chars.get(i + 1).map(|c| c.1) == Some('\n') {
            push(&mut out, &mut pending, ('\n', start..at(i + 2)));
            i += 2;
            continue;
        }
        if c != '\\' || i + 1 == chars.len() {
            push(&mut out, &mut pending, (c, start..at(i + 1)));
            i += 1;
            continue;
        }
        let next = chars[i + 1].1;
        let simple = match next {
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            '\\' => Some('\\'),
            '0' => Some('\0'),
            '\'' => Some('\''),
            '"' => Some('"'),
            _ => None,
        };
        if let Some(value) = simple {
            push(&mut out, &mut pending, (value, start..at(i + 2)));
            i += 2;
            continue;
        }
        match next {
            'x' => {
                let hex: String = chars[i + 2..].iter().take(2).map(|c| c.1).collect();
                let value = u8::from_str_radix(&hex, 16).map_or('\u{FFFD}', char::from);
                let used = 2 + hex.len();
                push(&mut out, &mut pending, (value, start..at(i + used)));
                i += used;
            }
            'u' => {
                let close = chars[i + 2..].iter().position(|c| c.1 == '}');
                let (value, used) = match close {
                    Some(close) => {
                        let end = i + 2 + close;
                        let hex: String = chars[(i + 3).min(end)..end]
                            .iter()
                            .map(|c| c.1)
                            .filter(|c| *c != '_')
                            .collect();
                        let value = u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('\u{FFFD}');
                        (value, end - i + 1)
                    }
                    None => ('\u{FFFD}', 2),
                };
                push(&mut out, &mut pending, (value, start..at(i + used)));
                i += used;
            }
            '\n' | '\r' => {
                // A line continuation: skip the newline and the indentation after it.
                pending.get_or_insert(start);
                let mut j = i + 1;
                while j < chars.len() && chars[j].1.is_whitespace() {
                    j += 1;
                }
                i = j;
            }
            _ => {
                push(&mut out, &mut pending, (next, start..at(i + 2)));
                i += 2;
            }
        }
    }
    out
}

fn push(
    out: &mut Vec<(char, Range<usize>)>,
    pending: &mut Option<usize>,
    (c, span): (char, Range<usize>),
) {
    let start = pending.take().unwrap_or(span.start);
    out.push((c, start..span.end));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(src: &'a str, span: &Range<usize>) -> &'a str {
        &src[span.clone()]
    }

    const CLIENT: &str = r#"use reqwest::header::AUTHORIZATION;
use std::env;

const URL: &str = "https://api.openai.com/v1/chat/completions";

async fn chat(key: String) -> Result<(), reqwest::Error> {
    let client = reqwest::Client::new();
    client
        .post(URL)
        .header("Authorization", format!("Bearer {key}"))
        .json(&body())
        .send()
        .await?;
    client.post("https://api.openai.com/v1/models").header(AUTHORIZATION, "Bearer {key}").send().await?;
    client.get("https://api.openai.com/v1/models").bearer_auth(&key).send().await?;
    client.get("https://api.openai.com/v1/models").send().await?;
    Ok(())
}
"#;

    #[test]
    fn headers_and_requests() {
        let facts = facts(CLIENT.as_bytes());
        assert_eq!(facts.parse_error, None);
        let [format, literal, bearer] = facts.headers.as_slice() else {
            panic!("{:#?}", facts.headers)
        };
        assert_eq!(format.name, "Authorization");
        assert_eq!(at(CLIENT, &format.name_span), "Authorization");
        assert_eq!(
            at(CLIENT, &format.span),
            r#"header("Authorization", format!("Bearer {key}"))"#
        );
        let Expr::Format {
            template,
            args,
            span,
        } = &format.value
        else {
            panic!("{:?}", format.value)
        };
        assert_eq!(at(CLIENT, span), r#"format!("Bearer {key}")"#);
        assert!(args.is_empty());
        assert_eq!(template.kind, StringKind::Interpolated);
        assert_eq!(at(CLIENT, &template.span), r#""Bearer {key}""#);
        let [StringPart::Text {
            text,
            span: text_span,
        }, StringPart::Interpolation {
            code,
            span: code_span,
        }] = template.parts.as_slice()
        else {
            panic!("{:?}", template.parts)
        };
        assert_eq!(
            (text.as_str(), at(CLIENT, text_span)),
            ("Bearer ", "Bearer ")
        );
        assert_eq!((code.as_str(), at(CLIENT, code_span)), ("key", "{key}"));
        let function = format.function.clone().expect("inside chat");
        assert!(at(CLIENT, &function).starts_with("async fn chat"));

        // A plain literal outside format!: `{key}` is text.
        assert_eq!(literal.name, "Authorization");
        assert_eq!(at(CLIENT, &literal.name_span), "AUTHORIZATION");
        let Expr::Str(lit) = &literal.value else {
            panic!("{:?}", literal.value)
        };
        assert_eq!(lit.kind, StringKind::Plain);
        assert_eq!(lit.text().as_deref(), Some("Bearer {key}"));

        assert_eq!(bearer.name, "Authorization");
        assert_eq!(at(CLIENT, &bearer.name_span), "bearer_auth");
        assert!(matches!(&bearer.value, Expr::Other { span } if at(CLIENT, span) == "&key"));

        let got: Vec<(&str, Option<&str>, HeaderSource)> = facts
            .requests
            .iter()
            .map(|r| (r.tool.as_str(), r.url.as_deref(), r.headers))
            .collect();
        let models = Some("https://api.openai.com/v1/models");
        assert_eq!(
            got,
            [
                (
                    "reqwest",
                    Some("https://api.openai.com/v1/chat/completions"),
                    HeaderSource::Literal
                ),
                ("reqwest", models, HeaderSource::Literal),
                ("reqwest", models, HeaderSource::Literal),
                ("reqwest", models, HeaderSource::None),
            ]
        );
        assert!(at(CLIENT, &facts.requests[0].span).starts_with("client\n        .post(URL)"));
        assert!(at(CLIENT, &facts.requests[0].span).ends_with(".await?"));
        assert_eq!(facts.requests[0].function, Some(function));
    }

    #[test]
    fn default_headers_make_requests_opaque() {
        let src = r#"
fn build(key: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {}", key)).unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}
async fn go(client: &reqwest::Client) {
    client.post("https://api.openai.com/v1/embeddings").json(&x).send().await.unwrap();
    let _ = reqwest::get("https://api.openai.com/v1/models").await;
}
"#;
        let facts = facts(src.as_bytes());
        let sources: Vec<HeaderSource> = facts.requests.iter().map(|r| r.headers).collect();
        assert_eq!(sources, [HeaderSource::Opaque, HeaderSource::None]);
        let [header] = facts.headers.as_slice() else {
            panic!("{:?}", facts.headers)
        };
        assert_eq!(header.name, "Authorization");
        let Expr::Format { template, args, .. } = &header.value else {
            panic!("{:?}", header.value)
        };
        assert_eq!(template.text(), None);
        assert!(matches!(args.as_slice(), [Expr::Name { path, .. }] if path == "key"));
    }

    #[test]
    fn environment_reads() {
        let src = r#"use std::env::var;
fn main() {
    let a = std::env::var("OPENAI_API_KEY").unwrap();
    let b = env::var("B").expect("set B");
    let c = var("C")?;
    let d = env!("D");
    let e = option_env!("E");
    let f = dotenvy::var("F").unwrap_or_default();
    let g = env::var_os("G");
    let h = std::env::var(NAME);
}
const NAME: &str = "H";
"#;
        let facts = facts(src.as_bytes());
        let reads: Vec<(&str, &str, &str)> = facts
            .env_reads
            .iter()
            .map(|r| (r.name.as_str(), r.how.as_str(), at(src, &r.span)))
            .collect();
        assert_eq!(
            reads,
            [
                (
                    "OPENAI_API_KEY",
                    "std::env::var",
                    r#"std::env::var("OPENAI_API_KEY")"#
                ),
                ("B", "env::var", r#"env::var("B")"#),
                ("C", "var", r#"var("C")"#),
                ("D", "env!", r#"env!("D")"#),
                ("E", "option_env!", r#"option_env!("E")"#),
                ("F", "dotenvy::var", r#"dotenvy::var("F")"#),
                ("G", "env::var_os", r#"env::var_os("G")"#),
                ("H", "std::env::var", "std::env::var(NAME)"),
            ]
        );
        let envs = facts
            .assignments
            .iter()
            .filter(|a| matches!(a.value, Expr::Env(_)))
            .count();
        assert_eq!(envs, 8);
        assert!(facts
            .assignments
            .iter()
            .all(|a| a.top_level.is_none() || a.target == "NAME"));
        let name = facts
            .assignments
            .iter()
            .find(|a| a.target == "NAME")
            .unwrap();
        assert_eq!(name.top_level, Some(2));
        assert_eq!(at(src, &name.span), r#"const NAME: &str = "H";"#);
        assert_eq!(at(src, &facts.assignments[0].target_span), "a");
    }

    #[test]
    fn expressions() {
        let src = r##"fn main() {
    let f = format!("Bearer {}", k);
    let raw = std::fs::read_to_string(p)?;
    let trimmed = std::fs::read_to_string(p).unwrap().trim().to_string();
    let part = &key[..5];
    let len = key.len();
    let cat = "Bearer ".to_owned() + &key;
    let name = self.config.api_key.clone();
    let r = r#"sk-raw"#;
    let inc = include_str!("key.txt");
    let bare = read_to_string(p)?;
    let line = read_to_string(p)?.lines().next().unwrap().to_string();
}
"##;
        let facts = facts(src.as_bytes());
        let values: HashMap<&str, &Expr> = facts
            .assignments
            .iter()
            .map(|a| (a.target.as_str(), &a.value))
            .collect();
        let Expr::Format {
            template,
            args,
            span,
        } = values["f"]
        else {
            panic!("{:?}", values["f"])
        };
        assert_eq!(at(src, span), r#"format!("Bearer {}", k)"#);
        assert!(
            matches!(&template.parts[..], [StringPart::Text { .. }, StringPart::Interpolation { code, span }]
            if code.is_empty() && at(src, span) == "{}")
        );
        assert!(matches!(&args[..], [Expr::Name { path, .. }] if path == "k"));
        assert!(
            matches!(values["raw"], Expr::FileRead { stripped: false, span }
            if at(src, span) == "std::fs::read_to_string(p)?")
        );
        assert!(matches!(
            values["trimmed"],
            Expr::FileRead { stripped: true, .. }
        ));
        assert!(matches!(values["part"], Expr::Partial { span } if at(src, span) == "key[..5]"));
        assert!(matches!(values["len"], Expr::Partial { .. }));
        let Expr::Concat { parts, .. } = values["cat"] else {
            panic!("{:?}", values["cat"])
        };
        assert!(matches!(&parts[..], [Expr::Str(s), Expr::Name { path, .. }]
            if s.text().as_deref() == Some("Bearer ") && path == "key"));
        assert!(matches!(values["name"], Expr::Name { path, .. } if path == "self.config.api_key"));
        let Expr::Str(raw) = values["r"] else {
            panic!()
        };
        assert_eq!(raw.kind, StringKind::Raw);
        assert_eq!(raw.text().as_deref(), Some("sk-raw"));
        assert_eq!(at(src, &raw.span), "r#\"sk-raw\"#");
        let StringPart::Text { span, .. } = &raw.parts[0] else {
            panic!()
        };
        assert_eq!(at(src, span), "sk-raw");
        assert!(matches!(
            values["inc"],
            Expr::FileRead {
                stripped: false,
                ..
            }
        ));
    }

    #[test]
    fn logs() {
        let src = r#"fn main() {
    println!("{}", key);
    println!("{}", &key[..5]);
    eprintln!("key={key}");
    log::info!("using {} ({} chars)", masked, key.len());
    tracing::debug!(api_key = %key, "configured");
    dbg!(&key);
    let s = format!("{}", key);
}
"#;
        let facts = facts(src.as_bytes());
        assert_eq!(facts.logs.len(), 6, "{:#?}", facts.logs);
        assert_eq!(at(src, &facts.logs[0].span), r#"println!("{}", key)"#);
        assert!(
            matches!(&facts.logs[0].args[..], [Expr::Str(t), Expr::Name { path, .. }]
            if t.kind == StringKind::Interpolated && path == "key")
        );
        assert!(matches!(
            &facts.logs[1].args[..],
            [Expr::Str(_), Expr::Partial { .. }]
        ));
        assert!(matches!(&facts.logs[2].args[..], [Expr::Str(t)]
            if matches!(&t.parts[..], [_, StringPart::Interpolation { code, .. }] if code == "key")));
        assert!(matches!(
            &facts.logs[3].args[..],
            [Expr::Str(_), Expr::Name { .. }, Expr::Partial { .. }]
        ));
        assert!(
            matches!(&facts.logs[4].args[..], [Expr::Name { path, .. }, Expr::Str(_)] if path == "key")
        );
        assert!(matches!(&facts.logs[5].args[..], [Expr::Name { path, .. }] if path == "key"));
        // Format strings are Interpolated strings; each is recorded once.
        let templates = facts
            .strings
            .iter()
            .filter(|s| s.kind == StringKind::Interpolated)
            .count();
        assert_eq!(templates, 6);
    }

    #[test]
    fn clients_and_dotenv() {
        let src = r#"use async_openai::{config::OpenAIConfig, Client};
#[tokio::main]
async fn main() {
    dotenvy::dotenv().ok();
    let config = OpenAIConfig::new()
        .with_api_key(std::env::var("OPENAI_API_KEY").unwrap())
        .with_api_base("https://api.openai.com/v1");
    let client = Client::with_config(config);
    let default = Client::new();
    let azure = AzureConfig::new().with_api_key(key);
}
"#;
        let facts = facts(src.as_bytes());
        let sdks: Vec<&str> = facts.clients.iter().map(|c| c.sdk.as_str()).collect();
        assert_eq!(
            sdks,
            [
                "OpenAIConfig",
                "async_openai::Client",
                "async_openai::Client",
                "AzureConfig"
            ]
        );
        assert!(
            matches!(&facts.clients[0].key, Some(Expr::Env(read)) if read.name == "OPENAI_API_KEY")
        );
        assert!(matches!(&facts.clients[0].base_url, Some(Expr::Str(_))));
        assert!(matches!(&facts.clients[1].key, Some(Expr::Name { path, .. }) if path == "config"));
        assert_eq!(facts.clients[2].key, None);
        assert!(facts.requests.is_empty(), "{:?}", facts.requests);
        let [load] = facts.dotenv_loads.as_slice() else {
            panic!()
        };
        assert_eq!(at(src, &load.span), "dotenvy::dotenv()");
        assert_eq!(load.top_level, None);
    }

    #[test]
    fn escapes_and_non_ascii_spans() {
        let src = "fn main() { let s = \"é\"; println!(\"ü\\t{k}\\\n   x {{y}}\"); }\n";
        let facts = facts(src.as_bytes());
        assert_eq!(at(src, &facts.strings[0].span), "\"é\"");
        let template = &facts.strings[1];
        assert_eq!(template.kind, StringKind::Interpolated);
        let texts: Vec<(String, &str)> = template
            .parts
            .iter()
            .map(|p| match p {
                StringPart::Text { text, span } => (text.clone(), at(src, span)),
                StringPart::Interpolation { code, span } => (format!("<{code}>"), at(src, span)),
            })
            .collect();
        assert_eq!(
            texts,
            [
                ("ü\t".to_string(), "ü\\t"),
                ("<k>".to_string(), "{k}"),
                ("x {y}".to_string(), "\\\n   x {{y}}"),
            ]
        );
    }

    #[test]
    fn clients_by_type() {
        let src = r#"struct Api { http: reqwest::Client }
impl Api {
    async fn a(&self) { self.http.post("https://api.openai.com/v1/x").send().await; }
}
async fn b(c: &Client) { c.get("https://api.openai.com/v1/models").send().await; }
fn c(router: Router) { router.get("/"); }
"#;
        let facts = facts(src.as_bytes());
        let urls: Vec<Option<&str>> = facts.requests.iter().map(|r| r.url.as_deref()).collect();
        assert_eq!(
            urls,
            [
                Some("https://api.openai.com/v1/x"),
                Some("https://api.openai.com/v1/models")
            ]
        );
        // No client is built in this file: it may carry default headers.
        assert!(facts
            .requests
            .iter()
            .all(|r| r.headers == HeaderSource::Opaque));
    }

    #[test]
    fn ureq_requests() {
        let src = r#"fn main() {
    let body = ureq::post("https://api.openai.com/v1/chat/completions")
        .set("Authorization", &format!("Bearer {}", key))
        .send_json(json)?;
    let agent = ureq::agent();
    agent.get("https://api.openai.com/v1/models").call()?;
}
"#;
        let facts = facts(src.as_bytes());
        let got: Vec<(&str, HeaderSource)> = facts
            .requests
            .iter()
            .map(|r| (r.tool.as_str(), r.headers))
            .collect();
        assert_eq!(
            got,
            [
                ("ureq", HeaderSource::Literal),
                ("ureq", HeaderSource::None)
            ]
        );
        assert_eq!(facts.headers.len(), 1);
        assert!(matches!(facts.headers[0].value, Expr::Format { .. }));
    }

    #[test]
    fn parse_errors_leave_the_facts_empty() {
        let src = "fn main() {\n    let x = ;\n";
        let facts = facts(src.as_bytes());
        assert!(facts.parse_error.is_some());
        assert!(facts.parse_error.as_deref().unwrap().contains("line"));
        assert!(facts.strings.is_empty() && facts.assignments.is_empty());
        for input in [
            &b""[..],
            b"\xff",
            b"#!/usr/bin/env rust\nfn main() { println!(\"{}\", k); }",
            b"\xef\xbb\xbffn f() { let a = \"x\"; }",
        ] {
            let _ = super::facts(input);
        }
        let shebang = "#!/usr/bin/env run-cargo-script\nfn main() { let a = \"sk\"; }\n";
        let facts = super::facts(shebang.as_bytes());
        assert_eq!(at(shebang, &facts.strings[0].span), "\"sk\"");
        let bom = "\u{feff}fn f() { let a = \"x\"; }";
        let facts = super::facts(bom.as_bytes());
        assert_eq!(at(bom, &facts.strings[0].span), "\"x\"");
    }

    #[test]
    fn macro_bodies_that_are_not_expressions() {
        let src = r#"fn main() {
    let v = serde_json::json!({"model": "gpt-4o", "key": key});
    info!(target: "app", "key {}", key);
}
macro_rules! m { ($x:expr) => { "inside" }; }
"#;
        let facts = facts(src.as_bytes());
        let texts: Vec<String> = facts.strings.iter().filter_map(|s| s.text()).collect();
        for expected in ["model", "gpt-4o", "key", "app", "inside"] {
            assert!(texts.iter().any(|t| t == expected), "{expected}: {texts:?}");
        }
        assert_eq!(facts.logs.len(), 1);
    }

    fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
        format!(
            "const VAR: &str = \"OPENAI_API_KEY\";\nfn f() {{ let v = {}{inner}{}; }}\n",
            open.repeat(depth),
            close.repeat(depth)
        )
    }

    #[test]
    fn brackets_in_comments_strings_and_chars_do_not_nest() {
        let deep = "(".repeat(MAX_NESTING + 10);
        let src = format!(
            "// {deep}\n/* /* {deep} */ {deep} */\nfn f<'a>(x: &'a str) -> char {{\n    \
             let s = \"{deep}\\\"{deep}\"; let r = r#\"{deep}\"#; let b = b\"{deep}\";\n    \
             let c = '('; let d = '\\''; let e = b'['; let l: &'static str = \"\";\n    \
             'outer: loop {{ break 'outer; }}\n    '{{'\n}}\n"
        );
        assert_eq!(nesting_problem(&src), None);
        let facts = facts(src.as_bytes());
        assert_eq!(facts.parse_error, None);
        assert!(facts
            .strings
            .iter()
            .any(|s| s.text().as_deref() == Some(deep.as_str())));
    }

    #[test]
    fn deep_brackets_are_not_parsed() {
        for (open, close) in [("(", ")"), ("[", "]"), ("{", "}")] {
            let at_limit = nested(open, "0", close, MAX_NESTING - 2);
            assert_eq!(nesting_problem(&at_limit), None, "{open}");
            assert_eq!(facts(at_limit.as_bytes()).parse_error, None, "{open}");
            let deep = nested(open, "0", close, MAX_NESTING);
            let facts = facts(deep.as_bytes());
            assert_eq!(
                facts.parse_error.as_deref(),
                Some("nesting deeper than 256 levels"),
                "{open}"
            );
            assert!(facts.strings.is_empty());
        }
    }

    #[test]
    fn long_chains_are_not_parsed() {
        let too_long = [
            nested("", &"x.b()".repeat(MAX_CHAIN), "", 1),
            nested("", &format!("x{}", " + x".repeat(MAX_CHAIN)), "", 1),
            nested("", &format!("{}x", "|| ".repeat(MAX_CHAIN)), "", 1),
            nested("", &format!("{}x", "!".repeat(MAX_CHAIN + 1)), "", 1),
            format!(
                "type T = {}u8{};\n",
                "HashMap<u8, ".repeat(MAX_CHAIN / 2),
                ">".repeat(MAX_CHAIN / 2)
            ),
            nested(
                "",
                &format!("if a {{}}{}", " else if a {}".repeat(MAX_CHAIN)),
                "",
                1,
            ),
            nested(
                "",
                &format!("a{}", " + {0}(0) + a".repeat(MAX_CHAIN)),
                "",
                1,
            ),
        ];
        for src in too_long {
            let problem = nesting_problem(&src);
            assert_eq!(
                problem.as_deref(),
                Some("an expression or type chain of more than 4096 tokens"),
                "{}",
                &src[..80]
            );
        }
    }

    #[test]
    fn long_lists_of_siblings_are_parsed() {
        let arms: String = (0..3 * MAX_CHAIN)
            .map(|i| format!("(A, {i}) => {{ f() }}\n"))
            .collect();
        let siblings = [
            format!(
                "const T: &[(u8, &str)] = &[{}];\n",
                "(1 << 2, \"a\"), ".repeat(MAX_CHAIN)
            ),
            format!("fn f() {{ {} }}\n", "g(1);\n".repeat(MAX_CHAIN)),
            "fn f() {}\n".repeat(MAX_CHAIN),
            format!("fn f() {{ {} }}\n", "if a < b { g() }\n".repeat(MAX_CHAIN)),
            format!("fn f() {{ match x {{ {arms} }} }}\n"),
            format!(
                "fn f() -> HashMap<u8, Vec<u8>> {{ {} }}\n",
                "g();\n".repeat(MAX_CHAIN)
            ),
        ];
        for src in siblings {
            assert_eq!(nesting_problem(&src), None, "{}", &src[..60]);
        }
    }

    /// The deepest trees `nesting_problem` lets through, on each of the costliest shapes, parse,
    /// visit and drop on `PARSE_STACK_BYTES` (in a debug build too, whose frames are larger).
    #[test]
    fn the_deepest_trees_let_through_fit_the_parser_stack() {
        let levels = MAX_NESTING - 2;
        // Each bracket is a token of the level it opens from.
        let chain = MAX_CHAIN - levels - 40;
        let shapes = [
            nested(
                "|| { ",
                &format!("{}0", "|| ".repeat(chain - levels)),
                " }",
                levels,
            ),
            nested(
                "if a { ",
                &format!("x{}", ".b()".repeat((chain - 2 * levels) / 3)),
                " }",
                levels,
            ),
            format!(
                "const VAR: &str = \"OPENAI_API_KEY\";\ntype T = {}{}u8{}{};\n",
                "(".repeat(levels),
                "Vec<".repeat(chain / 3),
                ">".repeat(chain / 3),
                ")".repeat(levels)
            ),
            nested("(", &format!("{}x", "!".repeat(chain)), ")", levels),
            nested("[", &format!("x{}", " + x".repeat(chain / 2)), "]", levels),
        ];
        for src in shapes {
            assert_eq!(nesting_problem(&src), None, "{}", &src[..80]);
            let facts = facts(src.as_bytes());
            assert_eq!(facts.parse_error, None, "{}", &src[..80]);
            assert!(!facts.strings.is_empty());
        }
    }
}
