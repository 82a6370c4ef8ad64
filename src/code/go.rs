//! The Go front-end: one walk over the tree-sitter tree (the same linear walk as the JavaScript
//! front-end) fills `CodeFacts`. Go has no top-level statements, so every `top_level` is None.
//!
//! Request headers are judged per request variable: `req, _ := http.NewRequest(...)` is
//! `Literal` when the same function calls `req.Header.Set/Add`, assigns `req.Header[...]` or
//! `req.Header = http.Header{...}`, or calls `req.SetBasicAuth`; `Opaque` when it assigns
//! `req.Header` something else or passes `req` to a call other than `Do`/`RoundTrip`/
//! `DumpRequest*` (a helper that may set them), or when the request is not bound to a variable
//! (`return http.NewRequest(...)`); `None` otherwise.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::Node;

use super::facts::{
    Assignment, Client, CodeFacts, DotenvLoad, EnvRead, Expr, Header, HeaderSource, LogCall,
    Request, StringKind, StringLit, StringPart,
};
use super::javascript::{
    auth_like, first_named, named, parse, plus_chain, traverse, Consts, Ctx, Scope, MAX_DEPTH,
};

kind_names!(tree_sitter_go::LANGUAGE);

/// The facts of one Go file. Never panics; a file with syntax errors gets `parse_error` and the
/// facts found outside the broken parts.
pub fn facts(source: &[u8]) -> CodeFacts {
    if super::brackets_nest_too_deep(source, false) {
        return CodeFacts {
            parse_error: Some(super::brackets_too_deep()),
            ..CodeFacts::default()
        };
    }
    let tree = match parse(source, &tree_sitter_go::LANGUAGE.into()) {
        Ok(tree) => tree,
        Err(message) => {
            return CodeFacts {
                parse_error: Some(message),
                ..CodeFacts::default()
            }
        }
    };
    let mut walker = Walker::new(source);
    let error = traverse(&tree, false, go_scope, |node, ctx| walker.visit(node, ctx));
    let mut facts = walker.finish();
    facts.parse_error = error;
    facts
}

fn go_scope(kind: &str) -> Scope {
    match kind {
        "function_declaration" | "method_declaration" | "func_literal" => Scope::Function,
        _ => Scope::Same,
    }
}

const LOG_LEVELS: &[&str] = &[
    "Print", "Printf", "Println", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln",
    "Info", "Infof", "Infow", "Infoln", "Debug", "Debugf", "Debugw", "Debugln", "Warn", "Warnf",
    "Warnw", "Warning", "Warningf", "Warnln", "Error", "Errorf", "Errorw", "Errorln", "Trace",
    "Tracef",
];

const SLOG_FUNCTIONS: &[&str] = &[
    "Info",
    "Debug",
    "Warn",
    "Error",
    "Log",
    "InfoContext",
    "DebugContext",
    "WarnContext",
    "ErrorContext",
];

const FMT_PRINTS: &[&str] = &[
    "Print", "Println", "Printf", "Fprint", "Fprintln", "Fprintf",
];

const TRIMS: &[&str] = &[
    "strings.TrimSpace",
    "strings.TrimRight",
    "strings.TrimSuffix",
    "strings.Trim",
    "bytes.TrimSpace",
    "bytes.TrimRight",
    "bytes.TrimSuffix",
    "bytes.Trim",
];

const RESTY_METHODS: &[&str] = &["Get", "Post", "Put", "Patch", "Delete", "Head", "Options"];

const RESTY_HEADER_METHODS: &[&str] = &[
    "SetHeader",
    "SetHeaders",
    "SetHeaderVerbatim",
    "SetHeaderMultiValues",
    "SetAuthToken",
    "SetBasicAuth",
];

/// Calls that receive a request without changing its headers.
const REQUEST_SINKS: &[&str] = &["Do", "RoundTrip", "DumpRequest", "DumpRequestOut"];

struct Pending {
    tool: String,
    url: Option<Expr>,
    span: Range<usize>,
    function: Option<Range<usize>>,
    headers: PendingHeaders,
}

enum PendingHeaders {
    Known(HeaderSource),
    /// Decided by what the function does with this request variable.
    Variable(String),
}

type Key = (Option<usize>, String);

struct Walker<'s> {
    src: &'s [u8],
    facts: CodeFacts,
    /// The function of the node being visited (for names local to it).
    scope: Option<usize>,
    consts: Consts,
    /// Variables holding a file's contents, and whether they were trimmed.
    file_vars: HashMap<Key, bool>,
    /// `http.NewRequest` call -> the variable it is bound to.
    request_vars: HashMap<usize, String>,
    /// Request variables with headers set in their function.
    headers_set: HashSet<Key>,
    /// Request variables whose headers may be set where this front-end cannot see.
    headers_elsewhere: HashSet<Key>,
    /// Composite literals whose every key is a header.
    header_objects: HashSet<usize>,
    pending: Vec<Pending>,
}

impl<'s> Walker<'s> {
    fn new(src: &'s [u8]) -> Self {
        Walker {
            src,
            facts: CodeFacts::default(),
            scope: None,
            consts: Consts::default(),
            file_vars: HashMap::new(),
            request_vars: HashMap::new(),
            headers_set: HashSet::new(),
            headers_elsewhere: HashSet::new(),
            header_objects: HashSet::new(),
            pending: Vec::new(),
        }
    }

    fn finish(mut self) -> CodeFacts {
        for pending in std::mem::take(&mut self.pending) {
            let scope = pending.function.as_ref().map(|f| f.start);
            let headers = match pending.headers {
                PendingHeaders::Known(headers) => headers,
                PendingHeaders::Variable(var) => {
                    let key = (scope, var);
                    if self.headers_set.contains(&key) {
                        HeaderSource::Literal
                    } else if self.headers_elsewhere.contains(&key) {
                        HeaderSource::Opaque
                    } else {
                        HeaderSource::None
                    }
                }
            };
            let url = pending
                .url
                .as_ref()
                .and_then(|url| self.consts.resolve(scope, url));
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

    fn key(&self, name: &str) -> Key {
        (self.scope, name.to_string())
    }

    fn visit(&mut self, node: Node, ctx: &Ctx) -> bool {
        if !node.is_named() {
            return false;
        }
        self.scope = ctx.scope();
        match node.kind_name() {
            "comment" => false,
            "interpreted_string_literal" | "raw_string_literal" => {
                let lit = self.string_lit(node);
                self.facts.strings.push(lit);
                false
            }
            "call_expression" => {
                self.call(node, ctx);
                true
            }
            "short_var_declaration" | "assignment_statement" => {
                self.assignment(node, ctx);
                true
            }
            "var_spec" | "const_spec" => {
                self.spec(node, ctx);
                true
            }
            "composite_literal" => {
                self.composite(node, ctx);
                true
            }
            "import_spec" => {
                let autoload = node
                    .field("path")
                    .and_then(|p| self.string_value(p))
                    .is_some_and(|(path, _)| path == "github.com/joho/godotenv/autoload");
                if autoload {
                    self.facts.dotenv_loads.push(DotenvLoad {
                        span: node.byte_range(),
                        top_level: None,
                    });
                }
                false
            }
            _ => true,
        }
    }

    // --- strings -------------------------------------------------------------------------

    fn string_lit(&self, node: Node) -> StringLit {
        let span = node.byte_range();
        let content = self.content(node);
        let raw = &self.src[content.clone()];
        let (kind, text) = if node.kind_name() == "raw_string_literal" {
            // Carriage returns are dropped from raw strings.
            let text = String::from_utf8_lossy(raw).replace('\r', "");
            (StringKind::Raw, text)
        } else {
            (StringKind::Plain, unescape_go(raw))
        };
        let parts = if content.is_empty() {
            Vec::new()
        } else {
            vec![StringPart::Text {
                text,
                span: content,
            }]
        };
        StringLit { span, kind, parts }
    }

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

    fn string_value(&self, node: Node) -> Option<(String, Range<usize>)> {
        match node.kind_name() {
            "interpreted_string_literal" | "raw_string_literal" => {
                let lit = self.string_lit(node);
                Some((lit.text()?, self.content(node)))
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
            "interpreted_string_literal" | "raw_string_literal" => Expr::Str(self.string_lit(node)),
            "parenthesized_expression" => match first_named(node) {
                Some(inner) => self.expr_at(inner, depth + 1),
                None => Expr::Other { span },
            },
            "identifier" | "selector_expression" => match self.path(node) {
                Some(path) => Expr::Name { path, span },
                None => Expr::Other { span },
            },
            "binary_expression" if self.is_plus(node) => self.concat(node, depth),
            "call_expression" => self.call_expr(node, depth),
            "type_conversion_expression" => match node.field("operand") {
                Some(operand) => self.conversion(operand, span, depth),
                None => Expr::Other { span },
            },
            "slice_expression" => Expr::Partial { span },
            _ => Expr::Other { span },
        }
    }

    fn is_plus(&self, node: Node) -> bool {
        node.field("operator")
            .is_some_and(|op| &self.src[op.byte_range()] == b"+")
    }

    fn concat(&self, node: Node, depth: usize) -> Expr {
        plus_chain(node, depth, |n| self.is_plus(n), |n, d| self.expr_at(n, d))
    }

    /// An operand that may be a variable holding a file's contents.
    fn operand(&self, node: Node, depth: usize) -> Expr {
        if node.kind_name() == "identifier" {
            if let Some(stripped) = self.file_vars.get(&self.key(&self.text(node))) {
                return Expr::FileRead {
                    stripped: *stripped,
                    span: node.byte_range(),
                };
            }
        }
        self.expr_at(node, depth + 1)
    }

    /// `string(x)`, `[]byte(x)`.
    fn conversion(&self, operand: Node, span: Range<usize>, depth: usize) -> Expr {
        match self.operand(operand, depth) {
            Expr::FileRead { stripped, .. } => Expr::FileRead { stripped, span },
            inner @ (Expr::Str(_) | Expr::Env(_) | Expr::Name { .. }) => inner,
            _ => Expr::Other { span },
        }
    }

    fn call_expr(&self, node: Node, depth: usize) -> Expr {
        let span = node.byte_range();
        if let Some(read) = self.env_read(node) {
            return Expr::Env(read);
        }
        let (Some(func), Some(args)) = (node.field("function"), node.field("arguments")) else {
            return Expr::Other { span };
        };
        let argv = named(args);
        match func.kind_name() {
            "identifier" => match &self.src[func.byte_range()] {
                b"len" => Expr::Partial { span },
                b"string" => match argv.first() {
                    Some(operand) => self.conversion(*operand, span, depth),
                    None => Expr::Other { span },
                },
                _ => Expr::Other { span },
            },
            "selector_expression" => match self.path(func).as_deref() {
                Some("fmt.Sprintf") => match argv.first() {
                    Some(template)
                        if matches!(
                            template.kind_name(),
                            "interpreted_string_literal" | "raw_string_literal"
                        ) =>
                    {
                        Expr::Format {
                            template: self.string_lit(*template),
                            args: argv[1..]
                                .iter()
                                .map(|a| self.expr_at(*a, depth + 1))
                                .collect(),
                            span,
                        }
                    }
                    _ => Expr::Other { span },
                },
                Some("os.ReadFile" | "ioutil.ReadFile") => Expr::FileRead {
                    stripped: false,
                    span,
                },
                Some(trim) if TRIMS.contains(&trim) => {
                    match argv.first().map(|a| self.operand(*a, depth)) {
                        Some(Expr::FileRead { .. }) => Expr::FileRead {
                            stripped: true,
                            span,
                        },
                        Some(inner @ (Expr::Env(_) | Expr::Name { .. })) => inner,
                        _ => Expr::Other { span },
                    }
                }
                _ => Expr::Other { span },
            },
            _ => Expr::Other { span },
        }
    }

    /// `a`, `a.b.c`; None for anything with calls or indexes.
    fn path(&self, node: Node) -> Option<String> {
        let mut segments = Vec::new();
        let mut current = node;
        for _ in 0..MAX_DEPTH {
            match current.kind_name() {
                "identifier" | "package_identifier" | "field_identifier" | "type_identifier" => {
                    segments.push(self.text(current));
                    segments.reverse();
                    return Some(segments.join("."));
                }
                "selector_expression" => {
                    segments.push(self.text(current.field("field")?));
                    current = current.field("operand")?;
                }
                "qualified_type" => {
                    segments.push(self.text(current.field("name")?));
                    current = current.field("package")?;
                }
                "parenthesized_expression" => current = first_named(current)?,
                _ => return None,
            }
        }
        None
    }

    /// `os.Getenv("X")`, `os.LookupEnv("X")`.
    fn env_read(&self, node: Node) -> Option<EnvRead> {
        let func = node.field("function")?;
        if func.kind_name() != "selector_expression" {
            return None;
        }
        let how = self.path(func)?;
        if !matches!(
            how.as_str(),
            "os.Getenv" | "os.LookupEnv" | "syscall.Getenv"
        ) {
            return None;
        }
        let args = node.field("arguments")?;
        let (name, _) = self.string_value(first_named(args)?)?;
        Some(EnvRead {
            name,
            span: node.byte_range(),
            how,
        })
    }

    // --- calls ---------------------------------------------------------------------------

    fn call(&mut self, node: Node, ctx: &Ctx) {
        if let Some(read) = self.env_read(node) {
            self.facts.env_reads.push(read);
        }
        let (Some(func), Some(args)) = (node.field("function"), node.field("arguments")) else {
            return;
        };
        let argv = named(args);
        let span = node.byte_range();
        let callee = match func.kind_name() {
            "selector_expression" => func
                .field("field")
                .map(|f| self.text(f).into_owned())
                .unwrap_or_default(),
            "identifier" => self.text(func).into_owned(),
            _ => String::new(),
        };

        // A request passed to a helper may get its headers there.
        if !REQUEST_SINKS.contains(&callee.as_str()) {
            for arg in &argv {
                let arg = match arg.kind_name() {
                    "unary_expression" => arg.field("operand").unwrap_or(*arg),
                    _ => *arg,
                };
                if arg.kind_name() == "identifier" {
                    let key = self.key(&self.text(arg));
                    self.headers_elsewhere.insert(key);
                }
            }
        }

        match func.kind_name() {
            "identifier" => {
                if matches!(callee.as_str(), "println" | "print") {
                    self.log(span, &argv);
                }
            }
            "selector_expression" => self.method_call(node, func, &callee, span, &argv, ctx),
            _ => {}
        }
    }

    fn method_call(
        &mut self,
        node: Node,
        func: Node,
        method: &str,
        span: Range<usize>,
        argv: &[Node],
        ctx: &Ctx,
    ) {
        let path = self.path(func);
        let receiver = func.field("operand");
        let receiver_path = receiver.and_then(|r| self.path(r));
        let receiver_lower = receiver_path
            .as_deref()
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();

        // Headers.
        match method {
            "Set" | "Add" if argv.len() >= 2 => {
                if let Some(name) = self.string_value(argv[0]) {
                    let on_header = receiver_lower.contains("header");
                    if on_header || auth_like(&name.0) {
                        let value = self.expr(argv[1]);
                        self.header(name, value, span.clone(), ctx);
                    }
                }
                if let Some(var) = receiver_path
                    .as_deref()
                    .and_then(|p| p.strip_suffix(".Header"))
                {
                    let key = self.key(var);
                    self.headers_set.insert(key);
                }
            }
            "SetHeader" | "SetHeaderVerbatim" if argv.len() >= 2 => {
                if let Some(name) = self.string_value(argv[0]) {
                    let value = self.expr(argv[1]);
                    self.header(name, value, span.clone(), ctx);
                }
            }
            "WithHeader" | "WithHeaderAdd"
                if argv.len() >= 2 && receiver_path.as_deref() == Some("option") =>
            {
                if let Some(name) = self.string_value(argv[0]) {
                    let value = self.expr(argv[1]);
                    self.header(name, value, span.clone(), ctx);
                }
            }
            "SetAuthToken" if !argv.is_empty() => {
                // resty sends `Authorization: Bearer <token>`; recorded with the token as value.
                let name_span = func.field("field").map_or(span.clone(), |f| f.byte_range());
                let value = self.expr(argv[0]);
                self.header(
                    ("Authorization".to_string(), name_span),
                    value,
                    span.clone(),
                    ctx,
                );
            }
            "SetHeaders" => {
                if let Some(literal) = argv
                    .first()
                    .filter(|a| a.kind_name() == "composite_literal")
                {
                    self.header_objects.insert(literal.id());
                }
            }
            "SetBasicAuth" => {
                if let Some(var) = receiver_path.as_deref() {
                    let key = self.key(var);
                    self.headers_set.insert(key);
                }
            }
            _ => {}
        }

        // Requests.
        let function = ctx.function.clone();
        match path.as_deref() {
            Some(tool @ ("http.NewRequest" | "http.NewRequestWithContext")) => {
                let at = if tool == "http.NewRequest" { 1 } else { 2 };
                let headers = match self.request_vars.get(&node.id()) {
                    Some(var) => PendingHeaders::Variable(var.clone()),
                    None => PendingHeaders::Known(HeaderSource::Opaque),
                };
                let url = argv.get(at).map(|u| self.expr(*u));
                self.pending.push(Pending {
                    tool: tool.to_string(),
                    url,
                    span: span.clone(),
                    function,
                    headers,
                });
            }
            Some(
                tool @ ("http.Get"
                | "http.Head"
                | "http.Post"
                | "http.PostForm"
                | "http.DefaultClient.Get"
                | "http.DefaultClient.Head"
                | "http.DefaultClient.Post"
                | "http.DefaultClient.PostForm"),
            ) => {
                let url = argv.first().map(|u| self.expr(*u));
                let headers = PendingHeaders::Known(HeaderSource::None);
                self.pending.push(Pending {
                    tool: tool.to_string(),
                    url,
                    span: span.clone(),
                    function,
                    headers,
                });
            }
            _ if RESTY_METHODS.contains(&method) => {
                if let Some(headers) = receiver.and_then(|r| self.resty_chain(r)) {
                    let url = argv.first().map(|u| self.expr(*u));
                    let headers = PendingHeaders::Known(headers);
                    self.pending.push(Pending {
                        tool: "resty".to_string(),
                        url,
                        span: span.clone(),
                        function,
                        headers,
                    });
                }
            }
            _ => {}
        }

        // Clients.
        match path.as_deref() {
            Some(sdk @ ("openai.NewClient" | "anthropic.NewClient")) => {
                self.client(sdk, span.clone(), argv)
            }
            Some(sdk @ ("openai.DefaultConfig" | "openai.DefaultAzureConfig")) => {
                let key = argv.first().map(|k| self.expr(*k));
                let base_url = argv.get(1).map(|u| self.expr(*u));
                self.facts.clients.push(Client {
                    sdk: sdk.to_string(),
                    span: span.clone(),
                    key,
                    base_url,
                    top_level: None,
                });
            }
            _ => {}
        }

        // Logs.
        let logs = match path.as_deref().and_then(|p| p.split_once('.')) {
            Some(("fmt", function)) => FMT_PRINTS.contains(&function),
            Some(("log", function)) => LOG_LEVELS.contains(&function),
            Some(("slog", function)) => SLOG_FUNCTIONS.contains(&function),
            _ => {
                let last = receiver_lower.rsplit('.').next().unwrap_or_default();
                (last == "log" || last.ends_with("logger")) && LOG_LEVELS.contains(&method)
            }
        };
        if logs {
            self.log(span.clone(), argv);
        }

        // Dotenv.
        if matches!(path.as_deref(), Some("godotenv.Load" | "godotenv.Overload")) {
            self.facts.dotenv_loads.push(DotenvLoad {
                span,
                top_level: None,
            });
        }
    }

    fn log(&mut self, span: Range<usize>, argv: &[Node]) {
        let args = argv.iter().map(|a| self.expr(*a)).collect();
        self.facts.logs.push(LogCall { span, args });
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

    /// A resty chain `client.R().SetHeader(...)`: its header source, or None when the chain
    /// has no `.R()`.
    fn resty_chain(&self, receiver: Node) -> Option<HeaderSource> {
        let mut current = receiver;
        let (mut request, mut headers, mut fresh) = (false, false, false);
        for _ in 0..MAX_DEPTH {
            match current.kind_name() {
                "call_expression" => {
                    let func = current.field("function")?;
                    if func.kind_name() != "selector_expression" {
                        break;
                    }
                    let field = self.text(func.field("field")?);
                    request |= field == "R";
                    headers |= RESTY_HEADER_METHODS.contains(&&*field);
                    fresh |= self.path(func).is_some_and(|p| p == "resty.New");
                    current = func.field("operand")?;
                }
                "selector_expression" => current = current.field("operand")?,
                _ => break,
            }
        }
        request.then_some(if headers {
            HeaderSource::Literal
        } else if fresh {
            HeaderSource::None
        } else {
            // A client configured elsewhere (`resty.New().SetAuthToken(...)`).
            HeaderSource::Opaque
        })
    }

    /// `openai.NewClient(option.WithAPIKey(k), option.WithBaseURL(u))` (openai-go,
    /// anthropic-sdk-go) or `openai.NewClient(k)` (sashabaranov/go-openai).
    fn client(&mut self, sdk: &str, span: Range<usize>, argv: &[Node]) {
        let mut key = None;
        let mut base_url = None;
        let mut options = false;
        for arg in argv {
            if arg.kind_name() != "call_expression" {
                continue;
            }
            let Some(path) = arg.field("function").and_then(|f| self.path(f)) else {
                continue;
            };
            let Some((package, option)) = path.split_once('.') else {
                continue;
            };
            if package != "option" && package != "azure" {
                continue;
            }
            options = true;
            let value = arg
                .field("arguments")
                .and_then(first_named)
                .map(|v| self.expr(v));
            match option {
                "WithAPIKey" => key = value,
                "WithBaseURL" | "WithEndpoint" => base_url = value,
                _ => {}
            }
        }
        if !options && sdk.starts_with("openai.") {
            key = argv.first().map(|k| self.expr(*k));
        }
        self.facts.clients.push(Client {
            sdk: sdk.to_string(),
            span,
            key,
            base_url,
            top_level: None,
        });
    }

    // --- assignments ---------------------------------------------------------------------

    fn assignment(&mut self, node: Node, ctx: &Ctx) {
        if node.kind_name() == "assignment_statement"
            && node
                .field("operator")
                .is_some_and(|op| &self.src[op.byte_range()] != b"=")
        {
            return;
        }
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
            return;
        };
        let (left, right) = (named(left), named(right));
        self.bind_all(node, &left, &right, ctx);
    }

    /// `var x = v`, `const x = v`.
    fn spec(&mut self, node: Node, ctx: &Ctx) {
        let Some(value) = node.field("value") else {
            return;
        };
        let mut cursor = node.walk();
        let names: Vec<Node> = node
            .children_by_field_name("name", &mut cursor)
            .filter(|n| n.is_named())
            .collect();
        self.bind_all(node, &names, &named(value), ctx);
    }

    fn bind_all(&mut self, node: Node, left: &[Node], right: &[Node], ctx: &Ctx) {
        let pairs: Vec<(Node, Node)> = if left.len() == right.len() {
            left.iter().copied().zip(right.iter().copied()).collect()
        } else if right.len() == 1 && !left.is_empty() {
            // `data, err := os.ReadFile(p)`: the first result is the value.
            vec![(left[0], right[0])]
        } else {
            Vec::new()
        };
        for (target, value) in pairs {
            self.bind(node, target, value, ctx);
        }
    }

    fn bind(&mut self, node: Node, target: Node, value: Node, ctx: &Ctx) {
        if &self.src[target.byte_range()] == b"_" {
            return;
        }
        let name = self
            .path(target)
            .unwrap_or_else(|| self.text(target).into_owned());
        let expr = self.expr(value);
        if target.kind_name() == "identifier" {
            self.consts.define(self.scope, &name, &expr);
            match &expr {
                Expr::FileRead { stripped, .. } => {
                    let key = self.key(&name);
                    self.file_vars.insert(key, *stripped);
                }
                _ => {
                    self.file_vars.remove(&self.key(&name));
                }
            }
            if value.kind_name() == "call_expression"
                && value
                    .field("function")
                    .and_then(|f| self.path(f))
                    .is_some_and(|p| p == "http.NewRequest" || p == "http.NewRequestWithContext")
            {
                self.request_vars.insert(value.id(), name.clone());
            }
        }
        if name.to_ascii_lowercase().contains("header") && value.kind_name() == "composite_literal"
        {
            self.header_objects.insert(value.id());
        }
        // `req.Header = ...`
        if let Some(var) = name.strip_suffix(".Header") {
            let key = self.key(var);
            if value.kind_name() == "composite_literal" {
                self.headers_set.insert(key);
            } else {
                self.headers_elsewhere.insert(key);
            }
        }
        // `req.Header["Authorization"] = []string{v}`
        if target.kind_name() == "index_expression" {
            let operand = target.field("operand").and_then(|o| self.path(o));
            let index = target.field("index").and_then(|i| self.string_value(i));
            if let (Some(operand), Some(index)) = (operand, index) {
                if operand.to_ascii_lowercase().contains("header") || auth_like(&index.0) {
                    let header_value = self.header_value(value);
                    self.header(index, header_value, node.byte_range(), ctx);
                }
                if let Some(var) = operand.strip_suffix(".Header") {
                    let key = self.key(var);
                    self.headers_set.insert(key);
                }
            }
        }
        self.facts.assignments.push(Assignment {
            target: name,
            target_span: target.byte_range(),
            value: expr,
            span: node.byte_range(),
            top_level: None,
            exported: false,
        });
    }

    // --- composite literals --------------------------------------------------------------

    /// `http.Header{"Authorization": {v}}`, `map[string]string{"api-key": k}`.
    fn composite(&mut self, node: Node, ctx: &Ctx) {
        let (Some(kind), Some(body)) = (node.field("type"), node.field("body")) else {
            return;
        };
        let all = self.header_objects.contains(&node.id())
            || self.path(kind).is_some_and(|p| p == "http.Header");
        if !all && kind.kind_name() != "map_type" {
            return;
        }
        for element in named(body) {
            if element.kind_name() != "keyed_element" {
                continue;
            }
            let (Some(key), Some(value)) = (element.field("key"), element.field("value")) else {
                continue;
            };
            let key = if key.kind_name() == "literal_element" {
                first_named(key)
            } else {
                Some(key)
            };
            let Some(name) = key.and_then(|k| self.string_value(k)) else {
                continue;
            };
            if all || auth_like(&name.0) {
                let value = self.header_value(value);
                self.header(name, value, element.byte_range(), ctx);
            }
        }
    }

    /// A header's value in a literal: `{v}`, `[]string{v}`, `v`.
    fn header_value(&self, node: Node) -> Expr {
        let mut current = node;
        for _ in 0..MAX_DEPTH {
            let next = match current.kind_name() {
                "literal_element" => first_named(current),
                "literal_value" => named(current)
                    .into_iter()
                    .find(|e| e.kind_name() == "literal_element"),
                "composite_literal"
                    if current
                        .field("type")
                        .is_some_and(|t| t.kind_name() == "slice_type") =>
                {
                    current.field("body")
                }
                _ => return self.expr(current),
            };
            match next {
                Some(next) => current = next,
                None => {
                    return Expr::Other {
                        span: current.byte_range(),
                    }
                }
            }
        }
        Expr::Other {
            span: current.byte_range(),
        }
    }
}

/// The text of an interpreted string literal after Go escape processing (`\x` and octal
/// escapes are bytes; invalid UTF-8 becomes U+FFFD).
fn unescape_go(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    let hex = |digits: &[u8]| -> Option<u32> {
        let text = std::str::from_utf8(digits).ok()?;
        if !text.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(text, 16).ok()
    };
    while i < raw.len() {
        let byte = raw[i];
        if byte != b'\\' || i + 1 >= raw.len() {
            out.push(byte);
            i += 1;
            continue;
        }
        let escape = raw[i + 1];
        let simple = match escape {
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0b),
            b'\\' | b'\'' | b'"' => Some(escape),
            _ => None,
        };
        if let Some(simple) = simple {
            out.push(simple);
            i += 2;
            continue;
        }
        let (width, radix_hex) = match escape {
            b'x' => (2, true),
            b'u' => (4, true),
            b'U' => (8, true),
            b'0'..=b'7' => (3, false),
            _ => (0, false),
        };
        let start = if radix_hex { i + 2 } else { i + 1 };
        let digits = raw.get(start..start + width);
        let value = match digits {
            Some(digits) if radix_hex => hex(digits),
            Some(digits) if width == 3 && digits.iter().all(|d| (b'0'..=b'7').contains(d)) => {
                u32::from_str_radix(std::str::from_utf8(digits).unwrap_or("0"), 8).ok()
            }
            _ => None,
        };
        match value {
            Some(value) if matches!(escape, b'x' | b'0'..=b'7') => {
                out.push(value.min(255) as u8);
                i = start + width;
            }
            Some(value) => {
                let c = char::from_u32(value).unwrap_or('\u{fffd}');
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                i = start + width;
            }
            None => {
                out.extend_from_slice(&raw[i..i + 2]);
                i += 2;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(expr: &Expr) -> Option<String> {
        match expr {
            Expr::Str(lit) => lit.text(),
            _ => None,
        }
    }

    const CHAT: &str = r#"package main

import (
	"fmt"
	"net/http"
	"os"
)

const chatURL = "https://api.openai.com/v1/chat/completions"

func withHeader(key string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest("POST", "https://api.openai.com/v1/chat/completions", body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Authorization", "Bearer" + os.Getenv("OPENAI_API_KEY"))
	return http.DefaultClient.Do(req)
}

func withoutHeader(body io.Reader) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, chatURL, body)
	return http.DefaultClient.Do(req)
}

func viaHelper(body io.Reader) {
	req, _ := http.NewRequest("POST", chatURL, body)
	addAuth(req)
	client.Do(req)
	http.Post("https://api.openai.com/v1/embeddings", "application/json", body)
}
"#;

    #[test]
    fn header_set_with_concatenations() {
        let facts = facts(CHAT.as_bytes());
        assert_eq!(facts.parse_error, None);
        assert_eq!(facts.headers.len(), 2, "{:#?}", facts.headers);
        let first = &facts.headers[0];
        assert_eq!(first.name, "Authorization");
        assert_eq!(&CHAT[first.name_span.clone()], "Authorization");
        assert_eq!(
            &CHAT[first.span.clone()],
            "req.Header.Set(\"Authorization\", \"Bearer \"+key)"
        );
        assert!(CHAT[first.function.clone().unwrap()].starts_with("func withHeader"));
        let Expr::Concat { parts, span } = &first.value else {
            panic!("{:?}", first.value)
        };
        assert_eq!(&CHAT[span.clone()], "\"Bearer \"+key");
        assert_eq!(text_of(&parts[0]).as_deref(), Some("Bearer "));
        assert!(matches!(&parts[1], Expr::Name { path, .. } if path == "key"));

        let Expr::Concat { parts, .. } = &facts.headers[1].value else {
            panic!("{:?}", facts.headers[1].value)
        };
        assert_eq!(text_of(&parts[0]).as_deref(), Some("Bearer"));
        let Expr::Env(read) = &parts[1] else {
            panic!("{parts:?}")
        };
        assert_eq!(read.name, "OPENAI_API_KEY");
        assert_eq!(read.how, "os.Getenv");
        assert_eq!(&CHAT[read.span.clone()], "os.Getenv(\"OPENAI_API_KEY\")");
        assert_eq!(facts.env_reads, vec![read.clone()]);
    }

    #[test]
    fn requests_with_and_without_header_set() {
        let facts = facts(CHAT.as_bytes());
        let got: Vec<(&str, Option<&str>, HeaderSource)> = facts
            .requests
            .iter()
            .map(|r| (r.tool.as_str(), r.url.as_deref(), r.headers))
            .collect();
        let chat = Some("https://api.openai.com/v1/chat/completions");
        assert_eq!(
            got,
            [
                ("http.NewRequest", chat, HeaderSource::Literal),
                ("http.NewRequestWithContext", chat, HeaderSource::None),
                ("http.NewRequest", chat, HeaderSource::Opaque),
                (
                    "http.Post",
                    Some("https://api.openai.com/v1/embeddings"),
                    HeaderSource::None
                ),
            ]
        );
        let first = &facts.requests[0];
        assert_eq!(
            &CHAT[first.span.clone()],
            "http.NewRequest(\"POST\", \"https://api.openai.com/v1/chat/completions\", body)"
        );
        assert!(CHAT[first.function.clone().unwrap()].starts_with("func withHeader"));
    }

    #[test]
    fn sprintf_and_a_bare_template() {
        let src = "package p\nfunc f(k string) {\n\treq.Header.Set(\"Authorization\", fmt.Sprintf(\"Bearer %s\", k))\n\treq.Header.Add(\"Authorization\", \"Bearer %s\")\n}\n";
        let facts = facts(src.as_bytes());
        assert_eq!(facts.headers.len(), 2);
        let Expr::Format {
            template,
            args,
            span,
        } = &facts.headers[0].value
        else {
            panic!("{:?}", facts.headers[0].value)
        };
        assert_eq!(&src[span.clone()], "fmt.Sprintf(\"Bearer %s\", k)");
        assert_eq!(template.text().as_deref(), Some("Bearer %s"));
        assert!(matches!(&args[..], [Expr::Name { path, .. }] if path == "k"));
        let Expr::Str(lit) = &facts.headers[1].value else {
            panic!("{:?}", facts.headers[1].value)
        };
        assert_eq!(lit.kind, StringKind::Plain);
        assert_eq!(lit.text().as_deref(), Some("Bearer %s"));
    }

    #[test]
    fn clients() {
        let src = r#"package p
func f() {
	a := openai.NewClient(option.WithAPIKey("sk-YOUR_API_KEY_HERE"), option.WithBaseURL("https://proxy.example.com/v1"))
	b := openai.NewClient()
	c := openai.NewClient(os.Getenv("OPENAI_API_KEY"))
	d := openai.DefaultAzureConfig(key, "https://x.openai.azure.com")
	e := openai.NewClient(option.WithHeader("OpenAI-Organization", org))
}
"#;
        let facts = facts(src.as_bytes());
        let clients = &facts.clients;
        assert_eq!(clients.len(), 5, "{clients:#?}");
        assert_eq!(clients[0].sdk, "openai.NewClient");
        let key = clients[0].key.as_ref().unwrap();
        assert_eq!(text_of(key).as_deref(), Some("sk-YOUR_API_KEY_HERE"));
        assert_eq!(&src[key.span().clone()], "\"sk-YOUR_API_KEY_HERE\"");
        assert_eq!(
            text_of(clients[0].base_url.as_ref().unwrap()).as_deref(),
            Some("https://proxy.example.com/v1")
        );
        assert!(clients.iter().all(|c| c.top_level.is_none()));
        assert_eq!(
            (clients[1].key.clone(), clients[1].base_url.clone()),
            (None, None)
        );
        assert!(matches!(&clients[2].key, Some(Expr::Env(read)) if read.name == "OPENAI_API_KEY"));
        assert_eq!(clients[3].sdk, "openai.DefaultAzureConfig");
        assert!(matches!(&clients[3].key, Some(Expr::Name { path, .. }) if path == "key"));
        assert!(clients[3].base_url.is_some());
        assert_eq!(clients[4].key, None);
        assert_eq!(facts.headers.len(), 1);
        assert_eq!(facts.headers[0].name, "OpenAI-Organization");
    }

    #[test]
    fn file_reads_with_and_without_trim() {
        let src = r#"package p
func f() {
	data, err := os.ReadFile("key.txt")
	raw := string(data)
	key := strings.TrimSpace(string(data))
	other, _ := ioutil.ReadFile(p)
	k2 := string(bytes.TrimSpace(other))
	k3 := strings.TrimRight(string(data), "\n")
	direct := os.ReadFile
}
func g() {
	s := string(data)
}
"#;
        let facts = facts(src.as_bytes());
        let value = |target: &str| {
            &facts
                .assignments
                .iter()
                .find(|a| a.target == target)
                .unwrap_or_else(|| panic!("{target}"))
                .value
        };
        let stripped = |e: &Expr| match e {
            Expr::FileRead { stripped, .. } => Some(*stripped),
            _ => None,
        };
        assert_eq!(stripped(value("data")), Some(false));
        assert_eq!(
            &src[value("data").span().clone()],
            "os.ReadFile(\"key.txt\")"
        );
        assert_eq!(stripped(value("raw")), Some(false));
        assert_eq!(&src[value("raw").span().clone()], "string(data)");
        assert_eq!(stripped(value("key")), Some(true));
        assert_eq!(stripped(value("other")), Some(false));
        assert_eq!(stripped(value("k2")), Some(true));
        assert_eq!(stripped(value("k3")), Some(true));
        assert_eq!(stripped(value("direct")), None);
        // `data` of another function is not this one's.
        assert_eq!(stripped(value("s")), None);
        assert!(facts
            .assignments
            .iter()
            .all(|a| a.top_level.is_none() && !a.exported));
        assert!(!facts
            .assignments
            .iter()
            .any(|a| a.target == "err" || a.target == "_"));
    }

    #[test]
    fn logs_and_partials() {
        let src = "package p\nfunc f() {\n\tfmt.Println(os.Getenv(\"OPENAI_API_KEY\"))\n\tlog.Printf(\"key %s\", key[:5])\n\tslog.Info(\"len\", len(key))\n\tlogger.Infof(\"%s\", key)\n\tfmt.Sprintf(\"%s\", key)\n}\n";
        let facts = facts(src.as_bytes());
        assert_eq!(facts.logs.len(), 4, "{:#?}", facts.logs);
        assert_eq!(
            &src[facts.logs[0].span.clone()],
            "fmt.Println(os.Getenv(\"OPENAI_API_KEY\"))"
        );
        assert!(
            matches!(&facts.logs[0].args[..], [Expr::Env(read)] if read.name == "OPENAI_API_KEY")
        );
        assert!(
            matches!(&facts.logs[1].args[..], [Expr::Str(_), Expr::Partial { span }] if &src[span.clone()] == "key[:5]")
        );
        assert!(
            matches!(&facts.logs[2].args[..], [Expr::Str(_), Expr::Partial { span }] if &src[span.clone()] == "len(key)")
        );
        assert!(matches!(
            &facts.logs[3].args[..],
            [Expr::Str(_), Expr::Name { .. }]
        ));
    }

    #[test]
    fn header_literals_and_resty() {
        let src = r#"package p
func f(key string) {
	h := http.Header{"Authorization": {"Bearer " + key}, "Content-Type": []string{"application/json"}}
	m := map[string]string{"api-key": key, "model": "x"}
	req.Header["OpenAI-Project"] = []string{project}
	resp, err := client.R().SetHeader("Authorization", "Bearer "+key).SetAuthToken(key).Post("https://api.openai.com/v1/chat/completions")
	resty.New().R().Get("https://api.openai.com/v1/models")
}
"#;
        let facts = facts(src.as_bytes());
        let names: Vec<(&str, &str)> = facts
            .headers
            .iter()
            .map(|h| (h.name.as_str(), &src[h.name_span.clone()]))
            .collect();
        assert_eq!(
            names,
            [
                ("Authorization", "Authorization"),
                ("Content-Type", "Content-Type"),
                ("api-key", "api-key"),
                ("OpenAI-Project", "OpenAI-Project"),
                ("Authorization", "SetAuthToken"),
                ("Authorization", "Authorization"),
            ]
        );
        assert!(matches!(&facts.headers[0].value, Expr::Concat { parts, .. } if parts.len() == 2));
        assert_eq!(
            &src[facts.headers[0].span.clone()],
            "\"Authorization\": {\"Bearer \" + key}"
        );
        assert_eq!(
            text_of(&facts.headers[1].value).as_deref(),
            Some("application/json")
        );
        assert!(matches!(&facts.headers[3].value, Expr::Name { path, .. } if path == "project"));
        assert!(matches!(&facts.headers[4].value, Expr::Name { path, .. } if path == "key"));
        let got: Vec<(&str, HeaderSource)> = facts
            .requests
            .iter()
            .map(|r| (r.tool.as_str(), r.headers))
            .collect();
        assert_eq!(
            got,
            [
                ("resty", HeaderSource::Literal),
                ("resty", HeaderSource::None)
            ]
        );
    }

    #[test]
    fn strings_raw_and_escaped() {
        let src = "package p\n// 日本語 café\nvar a = \"caf\\u00e9\\t\\x41\\101\"\nvar b = `raw\\n${x}`\nvar c = \"\"\n";
        let facts = facts(src.as_bytes());
        assert_eq!(facts.strings.len(), 3);
        assert_eq!(facts.strings[0].kind, StringKind::Plain);
        assert_eq!(facts.strings[0].text().as_deref(), Some("café\tAA"));
        assert_eq!(
            &src[facts.strings[0].span.clone()],
            "\"caf\\u00e9\\t\\x41\\101\""
        );
        assert_eq!(facts.strings[1].kind, StringKind::Raw);
        assert_eq!(facts.strings[1].text().as_deref(), Some("raw\\n${x}"));
        assert!(facts.strings[2].parts.is_empty());
        assert_eq!(unescape_go(br#"\"q\" \\ \z \xff"#), "\"q\" \\ \\z \u{fffd}");
    }

    #[test]
    fn dotenv_and_consts() {
        let src = "package main\nimport _ \"github.com/joho/godotenv/autoload\"\nconst base = \"https://api.openai.com/v1\"\nfunc main() {\n\tgodotenv.Load(\".env\")\n\tresp, _ := http.Get(base + \"/models\")\n}\n";
        let facts = facts(src.as_bytes());
        assert_eq!(facts.dotenv_loads.len(), 2);
        assert_eq!(
            &src[facts.dotenv_loads[1].span.clone()],
            "godotenv.Load(\".env\")"
        );
        assert!(facts.dotenv_loads.iter().all(|l| l.top_level.is_none()));
        assert_eq!(
            facts.requests[0].url.as_deref(),
            Some("https://api.openai.com/v1/models")
        );
        assert_eq!(facts.assignments[0].target, "base");
    }

    #[test]
    fn comments_and_errors() {
        let facts = facts(b"package p\n// req.Header.Set(\"Authorization\", \"Bearer \"+key)\n/* fmt.Println(os.Getenv(\"OPENAI_API_KEY\")) */\n");
        assert_eq!(facts, CodeFacts::default());
        let src =
            "package p\nfunc f() {\n\treq.Header.Set(\"Authorization\", key)\n}\nfunc broken( {\n";
        let facts = super::facts(src.as_bytes());
        assert!(facts.parse_error.is_some());
        assert_eq!(facts.headers.len(), 1);
        for garbage in [
            "",
            "func",
            "\"unterminated",
            "`",
            "package p\nfunc f() { x := ",
            "\u{0}\u{ff}",
        ] {
            let _ = super::facts(garbage.as_bytes());
        }
        let _ = super::facts(b"package p\nvar s = \"\xff\xfe\\xff\"\n");
    }

    #[test]
    fn brackets_nesting_deeper_than_the_limit_are_not_parsed() {
        let nested = |depth: usize| {
            format!(
                "package p\n\nvar k = \"x\"\nvar v = {}k{}\n",
                "(".repeat(depth),
                ")".repeat(depth)
            )
        };
        assert_eq!(
            facts(nested(super::super::MAX_BRACKETS).as_bytes()).parse_error,
            None
        );
        let deep = facts(nested(super::super::MAX_BRACKETS + 1).as_bytes());
        assert_eq!(
            deep.parse_error.as_deref(),
            Some("nesting deeper than 256 levels")
        );
        assert!(deep.strings.is_empty());
        let open = "{".repeat(super::super::MAX_BRACKETS + 1);
        let quoted = format!(
            "package p\n\n// {open}\n/* {open}\n*/\nvar a = \"\\\"{open}\"\nvar b = `{open}`\nvar c = '{{'\n"
        );
        assert_eq!(facts(quoted.as_bytes()).parse_error, None);
    }
}
