//! Shell front-end (sh/bash, with tree-sitter-bash): quoted strings and their expansions, `$VAR`
//! reads, curl/wget/httpie requests and their headers, assignments and exports, `echo`/`printf`,
//! `source .env`, and the commands the script runs. Works on any fragment (a Dockerfile `RUN`, a
//! CI `run:` block): the caller remaps the spans.

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::{Node, Parser};

use super::facts::{
    Assignment, CodeFacts, CommandKind, CommandRun, DotenvLoad, EnvRead, Expr, Header,
    HeaderSource, LogCall, Request, StringKind, StringLit, StringPart,
};

kind_names!(tree_sitter_bash::LANGUAGE);

/// Extracts the facts of a shell script.
pub fn facts(script: &[u8]) -> CodeFacts {
    extract(script).unwrap_or_else(|error| CodeFacts {
        parse_error: Some(error),
        ..CodeFacts::default()
    })
}

/// The facts of a script fragment (a Dockerfile `RUN`, a CI `run:` block): a syntax error
/// keeps what was understood; Err when nothing could be read (nesting too deep).
pub fn fragment_facts(script: &[u8]) -> Result<CodeFacts, String> {
    extract(script).map(|facts| CodeFacts {
        parse_error: None,
        ..facts
    })
}

/// The facts, with `parse_error` for a syntax error; Err when the script cannot be read at all.
fn extract(script: &[u8]) -> Result<CodeFacts, String> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .map_err(|_| "the bash grammar could not be loaded".to_string())?;
    let tree = parser
        .parse(script, None)
        .ok_or_else(|| "the shell parser gave up".to_string())?;
    let root = tree.root_node();
    if super::nests_too_deep(root, nests_in_words) {
        return Err(super::too_deep());
    }
    let mut walker = Walker {
        src: script,
        facts: CodeFacts::default(),
        exported: HashSet::new(),
        exports_unknown: false,
        allexport: false,
        functions: HashSet::new(),
    };
    walker.walk(root);
    let Walker {
        mut facts,
        exported,
        exports_unknown,
        functions,
        ..
    } = walker;
    for assignment in &mut facts.assignments {
        if exports_unknown || exported.contains(&assignment.target) {
            assignment.exported = true;
        }
    }
    for command in &mut facts.commands {
        if command.kind == CommandKind::Program && functions.contains(&command.name) {
            command.kind = CommandKind::Function;
        }
    }
    if root.has_error() {
        facts.parse_error = Some(describe_error(root));
    }
    Ok(facts)
}

/// Nodes that put a word inside a word: the walker copies the text of each once per word
/// around it.
fn nests_in_words(kind: &str) -> bool {
    matches!(
        kind,
        "command_substitution"
            | "process_substitution"
            | "expansion"
            | "arithmetic_expansion"
            | "string"
            | "translated_string"
    )
}

/// Where a character of a word came from; decides the kind of a literal cut out of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Bare,
    Single,
    Double,
    AnsiC,
}

/// One character of a word after quote removal and escape processing, or one expansion.
#[derive(Debug, Clone)]
enum Unit {
    Ch {
        c: char,
        span: Range<usize>,
        origin: Origin,
    },
    Interp {
        span: Range<usize>,
    },
}

impl Unit {
    fn span(&self) -> &Range<usize> {
        match self {
            Unit::Ch { span, .. } | Unit::Interp { span } => span,
        }
    }

    fn ch(&self) -> Option<char> {
        match self {
            Unit::Ch { c, .. } => Some(*c),
            Unit::Interp { .. } => None,
        }
    }
}

/// Where a node stands: the enclosing function, the top-level command, whether its output is
/// captured by a command substitution.
#[derive(Debug, Clone, Default)]
struct Ctx {
    function: Option<Range<usize>>,
    top: Option<usize>,
    captured: bool,
}

/// A node's parent and grandparent, and the named siblings after it and after its parent:
/// tree-sitter's `parent()` and sibling lookups walk the tree, so the walk keeps them.
#[derive(Clone, Copy, Default)]
struct Around<'t> {
    parents: [Option<Node<'t>>; 2],
    nexts: [Option<Node<'t>>; 2],
}

/// What a `-H` argument turned out to be.
enum HeaderArg {
    Header(Box<Header>),
    /// Headers the linter cannot read: `-H "$AUTH"`, `-H @file`.
    Opaque,
    Skip,
}

#[derive(Clone, Copy)]
enum Tool {
    Curl,
    Wget,
    Httpie,
}

/// curl options that take a value (long names; the short ones map onto them).
const CURL_VALUE_OPTIONS: &[&str] = &[
    "abstract-unix-socket",
    "alt-svc",
    "aws-sigv4",
    "cacert",
    "capath",
    "cert",
    "cert-type",
    "ciphers",
    "config",
    "connect-timeout",
    "connect-to",
    "continue-at",
    "cookie",
    "cookie-jar",
    "create-file-mode",
    "crlfile",
    "curves",
    "data",
    "data-ascii",
    "data-binary",
    "data-raw",
    "data-urlencode",
    "delegation",
    "dns-interface",
    "dns-ipv4-addr",
    "dns-ipv6-addr",
    "dns-servers",
    "doh-url",
    "dump-header",
    "engine",
    "etag-compare",
    "etag-save",
    "expect100-timeout",
    "form",
    "form-string",
    "ftp-account",
    "ftp-method",
    "ftp-port",
    "happy-eyeballs-timeout-ms",
    "haproxy-clientip",
    "header",
    "hostpubmd5",
    "hostpubsha256",
    "hsts",
    "interface",
    "ip-tos",
    "json",
    "keepalive-time",
    "key",
    "key-type",
    "krb",
    "libcurl",
    "limit-rate",
    "local-port",
    "login-options",
    "mail-auth",
    "mail-from",
    "mail-rcpt",
    "max-filesize",
    "max-redirs",
    "max-time",
    "netrc-file",
    "noproxy",
    "oauth2-bearer",
    "output",
    "output-dir",
    "parallel-max",
    "pass",
    "pinnedpubkey",
    "preproxy",
    "proto",
    "proto-default",
    "proto-redir",
    "proxy",
    "proxy-cacert",
    "proxy-capath",
    "proxy-cert",
    "proxy-cert-type",
    "proxy-ciphers",
    "proxy-crlfile",
    "proxy-header",
    "proxy-key",
    "proxy-key-type",
    "proxy-pass",
    "proxy-pinnedpubkey",
    "proxy-service-name",
    "proxy-user",
    "proxy1.0",
    "pubkey",
    "quote",
    "random-file",
    "range",
    "rate",
    "referer",
    "request",
    "request-target",
    "resolve",
    "retry",
    "retry-delay",
    "retry-max-time",
    "sasl-authzid",
    "service-name",
    "socks4",
    "socks4a",
    "socks5",
    "socks5-hostname",
    "speed-limit",
    "speed-time",
    "stderr",
    "telnet-option",
    "tftp-blksize",
    "time-cond",
    "tls-max",
    "tls13-ciphers",
    "tlsauthtype",
    "tlspassword",
    "tlsuser",
    "trace",
    "trace-ascii",
    "unix-socket",
    "upload-file",
    "url",
    "url-query",
    "user",
    "user-agent",
    "variable",
    "write-out",
];

const WGET_VALUE_OPTIONS: &[&str] = &[
    "append-output",
    "base",
    "bind-address",
    "body-data",
    "body-file",
    "ca-certificate",
    "ca-directory",
    "certificate",
    "config",
    "connect-timeout",
    "directory-prefix",
    "dns-timeout",
    "domains",
    "execute",
    "exclude-directories",
    "header",
    "http-password",
    "http-user",
    "include-directories",
    "input-file",
    "level",
    "limit-rate",
    "load-cookies",
    "method",
    "output-document",
    "output-file",
    "password",
    "post-data",
    "post-file",
    "private-key",
    "proxy-password",
    "proxy-user",
    "quota",
    "read-timeout",
    "referer",
    "reject",
    "accept",
    "save-cookies",
    "timeout",
    "tries",
    "user",
    "user-agent",
    "wait",
    "waitretry",
];

const HTTPIE_VALUE_OPTIONS: &[&str] = &[
    "auth",
    "auth-type",
    "boundary",
    "cert",
    "cert-key",
    "cert-key-pass",
    "ciphers",
    "default-scheme",
    "format-options",
    "max-headers",
    "max-redirects",
    "output",
    "pretty",
    "print",
    "proxy",
    "raw",
    "response-charset",
    "response-mime",
    "session",
    "session-read-only",
    "ssl",
    "style",
    "timeout",
    "verify",
];

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Curl => "curl",
            Tool::Wget => "wget",
            Tool::Httpie => "http",
        }
    }

    /// The long option a short one stands for, when it takes a value.
    fn short_value_option(self, c: char) -> Option<&'static str> {
        Some(match (self, c) {
            (Tool::Curl, 'A') => "user-agent",
            (Tool::Curl, 'b') => "cookie",
            (Tool::Curl, 'c') => "cookie-jar",
            (Tool::Curl, 'C') => "continue-at",
            (Tool::Curl, 'd') => "data",
            (Tool::Curl, 'D') => "dump-header",
            (Tool::Curl, 'e') => "referer",
            (Tool::Curl, 'E') => "cert",
            (Tool::Curl, 'F') => "form",
            (Tool::Curl, 'H') => "header",
            (Tool::Curl, 'K') => "config",
            (Tool::Curl, 'm') => "max-time",
            (Tool::Curl, 'o') => "output",
            (Tool::Curl, 'P') => "ftp-port",
            (Tool::Curl, 'Q') => "quote",
            (Tool::Curl, 'r') => "range",
            (Tool::Curl, 't') => "telnet-option",
            (Tool::Curl, 'T') => "upload-file",
            (Tool::Curl, 'u') => "user",
            (Tool::Curl, 'U') => "proxy-user",
            (Tool::Curl, 'w') => "write-out",
            (Tool::Curl, 'x') => "proxy",
            (Tool::Curl, 'X') => "request",
            (Tool::Curl, 'y') => "speed-time",
            (Tool::Curl, 'Y') => "speed-limit",
            (Tool::Curl, 'z') => "time-cond",
            (Tool::Wget, 'O') => "output-document",
            (Tool::Wget, 'o') => "output-file",
            (Tool::Wget, 'a') => "append-output",
            (Tool::Wget, 'i') => "input-file",
            (Tool::Wget, 'B') => "base",
            (Tool::Wget, 't') => "tries",
            (Tool::Wget, 'T') => "timeout",
            (Tool::Wget, 'w') => "wait",
            (Tool::Wget, 'P') => "directory-prefix",
            (Tool::Wget, 'U') => "user-agent",
            (Tool::Wget, 'e') => "execute",
            (Tool::Wget, 'D') => "domains",
            (Tool::Wget, 'I') => "include-directories",
            (Tool::Wget, 'X') => "exclude-directories",
            (Tool::Wget, 'Q') => "quota",
            (Tool::Wget, 'l') => "level",
            (Tool::Wget, 'A') => "accept",
            (Tool::Wget, 'R') => "reject",
            (Tool::Httpie, 'a') => "auth",
            (Tool::Httpie, 'A') => "auth-type",
            (Tool::Httpie, 'o') => "output",
            (Tool::Httpie, 'p') => "print",
            (Tool::Httpie, 'P') => "print",
            (Tool::Httpie, 's') => "style",
            _ => return None,
        })
    }

    fn long_takes_value(self, name: &str) -> bool {
        let table = match self {
            Tool::Curl => CURL_VALUE_OPTIONS,
            Tool::Wget => WGET_VALUE_OPTIONS,
            Tool::Httpie => HTTPIE_VALUE_OPTIONS,
        };
        table.contains(&name)
    }

    /// Options that authenticate the request from somewhere the linter cannot read.
    fn opaque_option(self, name: &str) -> bool {
        match self {
            Tool::Curl => matches!(
                name,
                "config"
                    | "oauth2-bearer"
                    | "user"
                    | "netrc"
                    | "netrc-file"
                    | "netrc-optional"
                    | "aws-sigv4"
                    | "variable"
            ),
            Tool::Wget => matches!(
                name,
                "config" | "user" | "password" | "http-user" | "http-password" | "execute"
            ),
            Tool::Httpie => matches!(name, "auth" | "auth-type" | "session" | "session-read-only"),
        }
    }
}

/// Parents under which a `variable_assignment` is not a statement of its own.
const NOT_STATEMENT_PARENTS: &[&str] = &[
    "command",
    "declaration_command",
    "c_style_for_statement",
    "parenthesized_expression",
    "binary_expression",
    "unary_expression",
    "postfix_expression",
    "ternary_expression",
    "arithmetic_expansion",
    "variable_assignment",
    "expansion",
    "subscript",
    "array",
];

/// Builtins and keywords that run as commands: the shell runs them itself, no child process.
const SHELL_BUILTINS: &[&str] = &[
    ":",
    ".",
    "[",
    "[[",
    "alias",
    "bg",
    "bind",
    "break",
    "builtin",
    "caller",
    "cd",
    "command",
    "compgen",
    "complete",
    "compopt",
    "continue",
    "declare",
    "dirs",
    "disown",
    "echo",
    "enable",
    "eval",
    "exec",
    "exit",
    "export",
    "false",
    "fc",
    "fg",
    "getopts",
    "hash",
    "help",
    "history",
    "jobs",
    "kill",
    "let",
    "local",
    "logout",
    "mapfile",
    "popd",
    "printf",
    "pushd",
    "pwd",
    "read",
    "readarray",
    "readonly",
    "return",
    "set",
    "shift",
    "shopt",
    "source",
    "suspend",
    "test",
    "time",
    "times",
    "trap",
    "true",
    "type",
    "typeset",
    "ulimit",
    "umask",
    "unalias",
    "unset",
    "unsetenv",
    "wait",
];

/// Wrappers that run the command after them.
const WRAPPERS: &[&str] = &["sudo", "exec", "command", "nohup", "env", "time", "builtin"];

/// A simple command's program, past its wrappers.
struct Resolved<'t> {
    /// As written, quotes removed.
    name: String,
    name_node: Node<'t>,
    /// Index of the first argument after the name.
    rest: usize,
    /// `env X=1 cmd`: variables set for the command.
    env: Vec<String>,
    /// The last wrapper runs nothing (`exec >log`, a bare `env`, `command -v python`); `name`
    /// is that wrapper.
    runs_nothing: bool,
}

struct Walker<'s> {
    src: &'s [u8],
    facts: CodeFacts,
    /// Names exported by `export NAME` (or `export NAME=...`) anywhere in the script.
    exported: HashSet<String>,
    /// The script exports names it computes (`export "$name"`, `export $(... | xargs)`).
    exports_unknown: bool,
    /// `set -a` is in effect.
    allexport: bool,
    /// Names of the functions the script defines.
    functions: HashSet<String>,
}

impl<'s> Walker<'s> {
    fn text(&self, range: Range<usize>) -> String {
        String::from_utf8_lossy(self.src.get(range).unwrap_or_default()).into_owned()
    }

    fn node_text(&self, node: Node) -> String {
        self.text(node.byte_range())
    }

    /// Pre-order, iterative (no recursion on deep scripts), in source order.
    fn walk(&mut self, root: Node<'_>) {
        let mut stack: Vec<(Node, Ctx, Around)> = Vec::new();
        if root.kind_name() == "program" {
            let mut cursor = root.walk();
            let kids: Vec<Node> = root
                .named_children(&mut cursor)
                .filter(|n| n.kind_name() != "comment")
                .collect();
            for (index, kid) in kids.iter().enumerate().rev() {
                let ctx = Ctx {
                    top: Some(index),
                    ..Ctx::default()
                };
                let around = Around {
                    parents: [Some(root), None],
                    nexts: [kids.get(index + 1).copied(), None],
                };
                stack.push((*kid, ctx, around));
            }
        } else {
            stack.push((root, Ctx::default(), Around::default()));
        }
        while let Some((node, ctx, around)) = stack.pop() {
            let inner = self.visit(node, &ctx, around);
            let mut cursor = node.walk();
            let kids: Vec<Node> = node.named_children(&mut cursor).collect();
            for (index, kid) in kids.iter().enumerate().rev() {
                let kid_around = Around {
                    parents: [Some(node), around.parents[0]],
                    nexts: [kids.get(index + 1).copied(), around.nexts[0]],
                };
                stack.push((*kid, inner.clone(), kid_around));
            }
        }
    }

    /// Records what `node` says; returns the context of its children.
    fn visit(&mut self, node: Node, ctx: &Ctx, around: Around) -> Ctx {
        let parent_kind = around.parents[0].map_or("", |p| p.kind_name());
        match node.kind_name() {
            "function_definition" => {
                if let Some(name) = node.field("name") {
                    let name = self.node_text(name);
                    self.functions.insert(name);
                }
                return Ctx {
                    function: Some(node.byte_range()),
                    top: None,
                    captured: ctx.captured,
                };
            }
            "command_substitution" | "process_substitution" => {
                return Ctx {
                    captured: true,
                    ..ctx.clone()
                }
            }
            "simple_expansion" | "expansion" => {
                if let Some(read) = self.env_read(node) {
                    self.facts.env_reads.push(read);
                }
            }
            "string" | "raw_string" | "ansi_c_string" => {
                let lit = self.lit(node);
                self.facts.strings.push(lit);
            }
            "concatenation" if self.bare_interpolated(node) => {
                let lit = self.lit(node);
                self.facts.strings.push(lit);
            }
            "command" => self.command(node, ctx, around),
            "variable_assignment" if !NOT_STATEMENT_PARENTS.contains(&parent_kind) => {
                self.assignment(node, ctx, self.allexport);
            }
            "declaration_command" => {
                self.keyword_command(node, ctx);
                self.declaration(node, ctx);
            }
            "test_command" | "unset_command" => self.keyword_command(node, ctx),
            _ => {}
        }
        ctx.clone()
    }

    /// A concatenation of bare words and expansions (`Bearer$X`, `$A$B`), not quoted strings.
    fn bare_interpolated(&self, node: Node) -> bool {
        let mut cursor = node.walk();
        let mut any_expansion = false;
        for kid in node.named_children(&mut cursor) {
            match kid.kind_name() {
                "word" | "number" => {}
                "simple_expansion"
                | "expansion"
                | "command_substitution"
                | "arithmetic_expansion" => any_expansion = true,
                _ => return false,
            }
        }
        any_expansion
    }

    // ----- words -----

    fn units(&self, node: Node) -> Vec<Unit> {
        let mut out = Vec::new();
        self.push_units(node, &mut out);
        out
    }

    fn push_units(&self, node: Node, out: &mut Vec<Unit>) {
        let range = node.byte_range();
        match node.kind_name() {
            "word" | "number" => self.escaped(range, Origin::Bare, out),
            "raw_string" => {
                let (start, end) = self.inside(range, 1, b"'");
                self.escaped(start..end, Origin::Single, out);
            }
            "ansi_c_string" => {
                let (start, end) = self.inside(range, 2, b"'");
                self.escaped(start..end, Origin::AnsiC, out);
            }
            "string" => {
                let (start, end) = self.inside(range, 1, b"\"");
                let mut pos = start;
                let mut cursor = node.walk();
                for kid in node.named_children(&mut cursor) {
                    if is_expansion(kid.kind_name()) {
                        self.escaped(pos..kid.start_byte().max(pos), Origin::Double, out);
                        out.push(Unit::Interp {
                            span: kid.byte_range(),
                        });
                        pos = kid.end_byte();
                    }
                }
                self.escaped(pos..end.max(pos), Origin::Double, out);
            }
            "simple_expansion"
            | "expansion"
            | "command_substitution"
            | "arithmetic_expansion"
            | "process_substitution" => out.push(Unit::Interp { span: range }),
            "concatenation" | "translated_string" | "command_name" => {
                let mut pos = range.start;
                let mut cursor = node.walk();
                for kid in node.children(&mut cursor) {
                    if kid.start_byte() > pos {
                        self.escaped(pos..kid.start_byte(), Origin::Bare, out);
                    }
                    if kid.is_named() {
                        self.push_units(kid, out);
                    } else {
                        self.escaped(kid.byte_range(), Origin::Bare, out);
                    }
                    pos = pos.max(kid.end_byte());
                }
                if range.end > pos {
                    self.escaped(pos..range.end, Origin::Bare, out);
                }
            }
            _ => self.escaped(range, Origin::Bare, out),
        }
    }

    /// The range inside a quoted node: `skip` opening bytes, and the closing quote when present.
    fn inside(&self, range: Range<usize>, skip: usize, close: &[u8]) -> (usize, usize) {
        let start = (range.start + skip).min(range.end);
        let end = if range.end > start && self.src.get(range.end - 1..range.end) == Some(close) {
            range.end - 1
        } else {
            range.end
        };
        (start, end)
    }

    /// Characters of `range` after the escape processing of `origin`.
    fn escaped(&self, range: Range<usize>, origin: Origin, out: &mut Vec<Unit>) {
        let chars = chars_at(self.src.get(range.clone()).unwrap_or_default(), range.start);
        let mut pending: Option<usize> = None;
        let mut i = 0;
        let mut push = |c: char, span: Range<usize>, pending: &mut Option<usize>| {
            let start = pending.take().unwrap_or(span.start);
            out.push(Unit::Ch {
                c,
                span: start..span.end,
                origin,
            });
        };
        while i < chars.len() {
            let (c, ref span) = chars[i];
            if c != '\\' || origin == Origin::Single || i + 1 == chars.len() {
                push(c, span.clone(), &mut pending);
                i += 1;
                continue;
            }
            let (next, ref next_span) = chars[i + 1];
            match origin {
                Origin::Bare | Origin::Double if next == '\n' => {
                    pending.get_or_insert(span.start);
                    i += 2;
                }
                Origin::Bare => {
                    push(next, span.start..next_span.end, &mut pending);
                    i += 2;
                }
                Origin::Double => {
                    if matches!(next, '$' | '`' | '"' | '\\') {
                        push(next, span.start..next_span.end, &mut pending);
                        i += 2;
                    } else {
                        push('\\', span.clone(), &mut pending);
                        i += 1;
                    }
                }
                Origin::AnsiC => {
                    let (value, used) = ansi_c_escape(&chars[i + 1..]);
                    let end = chars[i + used].1.end;
                    if let Some(value) = value {
                        push(value, span.start..end, &mut pending);
                    } else {
                        pending.get_or_insert(span.start);
                    }
                    i += used + 1;
                }
                Origin::Single => {
                    push(c, span.clone(), &mut pending);
                    i += 1;
                }
            }
        }
    }

    fn parts(&self, units: &[Unit]) -> Vec<StringPart> {
        let mut parts: Vec<StringPart> = Vec::new();
        for unit in units {
            match unit {
                Unit::Ch { c, span, .. } => match parts.last_mut() {
                    Some(StringPart::Text { text, span: last }) if last.end == span.start => {
                        text.push(*c);
                        last.end = span.end;
                    }
                    _ => parts.push(StringPart::Text {
                        text: c.to_string(),
                        span: span.clone(),
                    }),
                },
                Unit::Interp { span } => parts.push(StringPart::Interpolation {
                    code: self.text(span.clone()),
                    span: span.clone(),
                }),
            }
        }
        parts
    }

    /// A word as a literal: its kind follows its quoting.
    fn lit(&self, node: Node) -> StringLit {
        let units = self.units(node);
        let kind = match node.kind_name() {
            "string" | "translated_string" => StringKind::Interpolated,
            "raw_string" => StringKind::ShellSingle,
            "ansi_c_string" | "word" | "number" => StringKind::Plain,
            _ => {
                let interp = units.iter().any(|u| matches!(u, Unit::Interp { .. }));
                let origins = || {
                    units.iter().filter_map(|u| match u {
                        Unit::Ch { origin, .. } => Some(*origin),
                        Unit::Interp { .. } => None,
                    })
                };
                if interp || origins().any(|o| o == Origin::Double) {
                    StringKind::Interpolated
                } else if origins().next().is_some() && origins().all(|o| o == Origin::Single) {
                    StringKind::ShellSingle
                } else {
                    StringKind::Plain
                }
            }
        };
        StringLit {
            span: node.byte_range(),
            kind,
            parts: self.parts(&units),
        }
    }

    /// The literal text of a word, expansions as written.
    fn literal_text(&self, node: Node) -> String {
        self.units_text(&self.units(node))
    }

    fn units_text(&self, units: &[Unit]) -> String {
        let mut text = String::new();
        for unit in units {
            match unit {
                Unit::Ch { c, .. } => text.push(*c),
                Unit::Interp { span } => text.push_str(&self.text(span.clone())),
            }
        }
        text
    }

    // ----- expressions -----

    fn env_read(&self, node: Node) -> Option<EnvRead> {
        let mut cursor = node.walk();
        let name_node = node.named_children(&mut cursor).find(|kid| {
            matches!(
                kid.kind_name(),
                "variable_name" | "subscript" | "special_variable_name"
            )
        })?;
        let name_node = match name_node.kind_name() {
            "variable_name" => name_node,
            "subscript" => name_node.field("name")?,
            _ => return None,
        };
        let name = self.node_text(name_node);
        let first = name.chars().next()?;
        if !(first.is_ascii_alphabetic() || first == '_') {
            return None;
        }
        Some(EnvRead {
            name,
            span: node.byte_range(),
            how: "$VAR".to_string(),
        })
    }

    /// What a word stores when assigned, echoed or sent.
    fn expr(&self, node: Node) -> Expr {
        let span = node.byte_range();
        match node.kind_name() {
            "simple_expansion" => match self.env_read(node) {
                Some(read) => Expr::Env(read),
                None => Expr::Other { span },
            },
            "expansion" => self.expansion_expr(node),
            "command_substitution" => self.substitution_expr(node),
            "string" => {
                let mut cursor = node.walk();
                let kids: Vec<Node> = node.named_children(&mut cursor).collect();
                let (start, end) = self.inside(span.clone(), 1, b"\"");
                match kids.as_slice() {
                    [only]
                        if is_expansion(only.kind_name())
                            && only.start_byte() == start
                            && only.end_byte() == end =>
                    {
                        self.expr(*only)
                    }
                    _ => Expr::Str(self.lit(node)),
                }
            }
            "raw_string" | "ansi_c_string" | "word" | "number" | "concatenation"
            | "translated_string" => Expr::Str(self.lit(node)),
            _ => Expr::Other { span },
        }
    }

    /// `${X}` and `${X:-d}` read X; `${#X}` and `${X:0:5}` are parts of it. Looks at the bytes
    /// after the name only, not at the (maybe nested) rest.
    fn expansion_expr(&self, node: Node) -> Expr {
        let span = node.byte_range();
        let Some(read) = self.env_read(node) else {
            return Expr::Other { span };
        };
        let bytes = self.src.get(span.clone()).unwrap_or_default();
        let inner = bytes
            .strip_prefix(b"${")
            .and_then(|t| t.strip_suffix(b"}"))
            .unwrap_or_default();
        if inner.starts_with(b"#") {
            return Expr::Partial { span };
        }
        if inner.starts_with(b"!") {
            return Expr::Other { span };
        }
        let rest = inner.get(read.name.len()..).unwrap_or_default();
        if rest.is_empty() {
            return Expr::Env(read);
        }
        for default in [":-", ":=", ":?", "-", "=", "?"] {
            if rest.starts_with(default.as_bytes()) {
                return Expr::Env(read);
            }
        }
        if rest.starts_with(b":") {
            return Expr::Partial { span };
        }
        Expr::Other { span }
    }

    /// `$(cat f)`, `$(< f)`, `` `cat f` ``: the file's contents, trailing newlines stripped.
    /// Reads the first words only, not the (maybe nested) rest.
    fn substitution_expr(&self, node: Node) -> Expr {
        let span = node.byte_range();
        let bytes = self.src.get(span.clone()).unwrap_or_default();
        let inner = bytes
            .strip_prefix(b"$(")
            .and_then(|t| t.strip_suffix(b")"))
            .or_else(|| bytes.strip_prefix(b"`").and_then(|t| t.strip_suffix(b"`")))
            .unwrap_or_default();
        // The words of the first stage of the pipeline, read lazily.
        let mut piped = false;
        let mut words = inner
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
            .map_while(|word| {
                if piped {
                    return None;
                }
                let cut = word.iter().position(|&b| b == b'|');
                piped = cut.is_some();
                Some(&word[..cut.unwrap_or(word.len())])
            })
            .filter(|w| !w.is_empty());
        let reads_file = match words.next() {
            Some(b"cat") => words.any(|w| !w.starts_with(b"-")),
            Some(w) => w.starts_with(b"<") && !w.starts_with(b"<<") && !w.starts_with(b"<("),
            None => false,
        };
        if reads_file {
            Expr::FileRead {
                stripped: true,
                span,
            }
        } else {
            Expr::Other { span }
        }
    }

    // ----- statements -----

    fn assignment(&mut self, node: Node, ctx: &Ctx, exported: bool) {
        let Some(name) = node.field("name") else {
            return;
        };
        let target = self.node_text(name);
        let value = match node.field("value") {
            Some(value) => {
                if matches!(value.kind_name(), "word" | "number") {
                    let lit = self.lit(value);
                    self.facts.strings.push(lit);
                }
                self.expr(value)
            }
            None => Expr::Str(StringLit {
                span: node.end_byte()..node.end_byte(),
                kind: StringKind::Plain,
                parts: Vec::new(),
            }),
        };
        if exported {
            self.exported.insert(target.clone());
        }
        self.facts.assignments.push(Assignment {
            target,
            target_span: name.byte_range(),
            value,
            span: node.byte_range(),
            top_level: ctx.top,
            exported: exported || self.allexport,
        });
    }

    /// `export`, `declare`, `local`, `readonly`, `typeset`.
    fn declaration(&mut self, node: Node, ctx: &Ctx) {
        let keyword = node.child(0).map(|k| self.node_text(k)).unwrap_or_default();
        let mut flags = String::new();
        let mut cursor = node.walk();
        let kids: Vec<Node> = node.named_children(&mut cursor).collect();
        for kid in &kids {
            if kid.kind_name() == "word" {
                let text = self.node_text(*kid);
                if let Some(f) = text.strip_prefix('-') {
                    flags.push_str(f);
                }
            }
        }
        let exported = match keyword.as_str() {
            "export" => !flags.contains('n'),
            "declare" | "typeset" | "local" => flags.contains('x'),
            _ => false,
        };
        for kid in kids {
            match kid.kind_name() {
                "variable_assignment" => self.assignment(kid, ctx, exported),
                "variable_name" if exported => {
                    let name = self.node_text(kid);
                    self.exported.insert(name);
                }
                "word" => {}
                "string" | "raw_string" if exported && self.is_literal(kid) => {
                    // `export "NAME"`
                    let name = self.literal_text(kid);
                    self.exported.insert(name);
                }
                _ => {
                    if exported {
                        // A name the linter cannot read: `export "$name"`.
                        self.exports_unknown = true;
                    }
                    // `export $(grep -v '^#' .env | xargs)`
                    let text = self.node_text(kid);
                    if text.contains(".env") && (text.contains("$(") || text.contains('`')) {
                        self.facts.dotenv_loads.push(DotenvLoad {
                            span: node.byte_range(),
                            top_level: ctx.top,
                        });
                    }
                }
            }
        }
    }

    fn command(&mut self, node: Node, ctx: &Ctx, around: Around) {
        let Some(name_node) = node.field("name") else {
            return;
        };
        let mut cursor = node.walk();
        let args: Vec<Node> = node
            .children_by_field_name("argument", &mut cursor)
            .collect();
        let resolved = self.resolve(name_node, &args);
        self.record_run(node, &resolved, ctx);
        if resolved.runs_nothing {
            return;
        }
        let rest = &args[resolved.rest..];
        let base = basename(&resolved.name).to_string();
        match base.as_str() {
            "curl" => self.http_command(node, Tool::Curl, "curl", rest, ctx),
            "wget" => self.http_command(node, Tool::Wget, "wget", rest, ctx),
            "http" | "https" | "xh" | "xhs" => {
                self.http_command(node, Tool::Httpie, &base, rest, ctx)
            }
            "echo" | "printf" => self.log(node, &base, rest, ctx, around),
            "source" | "." => {
                if let Some(file) = rest.first() {
                    if self.literal_text(*file).contains(".env") {
                        self.facts.dotenv_loads.push(DotenvLoad {
                            span: node.byte_range(),
                            top_level: ctx.top,
                        });
                    }
                }
            }
            "eval" => {
                let text: String = rest.iter().map(|a| self.node_text(*a)).collect();
                if text.contains(".env") && (text.contains("$(") || text.contains('`')) {
                    self.facts.dotenv_loads.push(DotenvLoad {
                        span: node.byte_range(),
                        top_level: ctx.top,
                    });
                }
            }
            "set" => self.set(rest),
            _ => {}
        }
    }

    /// The program a command runs, past wrappers that run the command after them.
    fn resolve<'t>(&self, name_node: Node<'t>, args: &[Node<'t>]) -> Resolved<'t> {
        let mut resolved = Resolved {
            name: self.literal_text(name_node),
            name_node,
            rest: 0,
            env: Vec::new(),
            runs_nothing: false,
        };
        loop {
            let base = basename(&resolved.name).to_string();
            if !WRAPPERS.contains(&base.as_str()) {
                return resolved;
            }
            let mut k = resolved.rest;
            while k < args.len() {
                let text = self.literal_text(args[k]);
                let is_option = text.starts_with('-');
                let setting = (base == "env")
                    .then(|| text.find('=').filter(|&i| i > 0))
                    .flatten();
                if base == "command" && matches!(text.as_str(), "-v" | "-V") {
                    // `command -v python` looks the name up.
                    resolved.runs_nothing = true;
                    return resolved;
                }
                if !is_option && setting.is_none() {
                    break;
                }
                if let Some(eq) = setting {
                    resolved.env.push(text[..eq].to_string());
                }
                k += 1;
                if base == "sudo" && matches!(text.as_str(), "-u" | "-g" | "-C" | "-h" | "-p") {
                    k += 1;
                }
            }
            let Some(next) = args.get(k) else {
                resolved.runs_nothing = true;
                return resolved;
            };
            resolved.name = self.literal_text(*next);
            resolved.name_node = *next;
            resolved.rest = k + 1;
        }
    }

    fn record_run(&mut self, node: Node, resolved: &Resolved, ctx: &Ctx) {
        let builtin = SHELL_BUILTINS.contains(&resolved.name.as_str());
        let mut env = Vec::new();
        let mut cursor = node.walk();
        for kid in node.named_children(&mut cursor) {
            if kid.kind_name() == "variable_assignment" {
                if let Some(name) = kid.field("name") {
                    env.push(self.node_text(name));
                }
            }
        }
        env.extend(resolved.env.iter().cloned());
        self.facts.commands.push(CommandRun {
            name: resolved.name.clone(),
            name_span: resolved.name_node.byte_range(),
            span: node.byte_range(),
            kind: if builtin {
                CommandKind::Builtin
            } else {
                CommandKind::Program
            },
            env,
            function: ctx.function.clone(),
        });
    }

    /// `[ ]`, `[[ ]]`, `export`, `local`, `unset`: builtins the grammar parses apart.
    fn keyword_command(&mut self, node: Node, ctx: &Ctx) {
        let Some(keyword) = node.child(0) else {
            return;
        };
        self.facts.commands.push(CommandRun {
            name: self.node_text(keyword),
            name_span: keyword.byte_range(),
            span: node.byte_range(),
            kind: CommandKind::Builtin,
            env: Vec::new(),
            function: ctx.function.clone(),
        });
    }

    /// A quoted word without expansions.
    fn is_literal(&self, node: Node) -> bool {
        self.units(node)
            .iter()
            .all(|u| matches!(u, Unit::Ch { .. }))
    }

    /// `set -a`, `set -o allexport`, and their `+` forms.
    fn set(&mut self, args: &[Node]) {
        let mut i = 0;
        while i < args.len() {
            let text = self.literal_text(args[i]);
            let on = match text.chars().next() {
                Some('-') => true,
                Some('+') => false,
                _ => break,
            };
            if text == "--" || text == "-" {
                break;
            }
            for c in text.chars().skip(1) {
                match c {
                    'a' => self.allexport = on,
                    'o' => {
                        if let Some(option) = args.get(i + 1) {
                            if self.literal_text(*option) == "allexport" {
                                self.allexport = on;
                            }
                            i += 1;
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
        }
    }

    fn log(&mut self, node: Node, name: &str, args: &[Node], ctx: &Ctx, around: Around) {
        if ctx.captured || !self.prints(around) {
            return;
        }
        let mut args = args;
        if name == "echo" {
            while let Some(first) = args.first() {
                let text = self.literal_text(*first);
                let flag = text.len() > 1
                    && text.starts_with('-')
                    && text[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E'));
                if !flag {
                    break;
                }
                args = &args[1..];
            }
        } else if args
            .first()
            .is_some_and(|first| self.literal_text(*first) == "-v")
        {
            // printf -v VAR assigns instead of printing.
            return;
        }
        let args = args.iter().map(|a| self.expr(*a)).collect();
        self.facts.logs.push(LogCall {
            span: node.byte_range(),
            args,
        });
    }

    /// Whether a command's output reaches the terminal or log (not a file, not another command).
    fn prints(&self, around: Around) -> bool {
        let [mut container, grandparent] = around.parents;
        let mut next = around.nexts[0];
        // tree-sitter-bash hangs the redirect of `a && b > f` on the whole list; bash gives
        // it to the list's last command.
        let last_of_list = container.is_some_and(|p| p.kind_name() == "list") && next.is_none();
        let redirected = match grandparent {
            Some(outer) if last_of_list && outer.kind_name() == "redirected_statement" => {
                Some(outer)
            }
            _ => container.filter(|p| p.kind_name() == "redirected_statement"),
        };
        if let Some(parent) = redirected {
            let mut cursor = parent.walk();
            for redirect in parent.children_by_field_name("redirect", &mut cursor) {
                if redirect.kind_name() != "file_redirect" {
                    continue;
                }
                match self.redirect_target(redirect) {
                    Some(true) => return true,
                    Some(false) => return false,
                    None => {}
                }
            }
            container = grandparent;
            next = around.nexts[1];
        }
        if container.is_some_and(|p| p.kind_name() == "pipeline") {
            // Into another command (the next stage): printed only when that command passes it
            // on (`| tee f`).
            let Some(mut next) = next else {
                return true;
            };
            if next.kind_name() == "redirected_statement" {
                match next.field("body") {
                    Some(body) => next = body,
                    None => return false,
                }
            }
            let name = next
                .field("name")
                .map(|n| self.literal_text(n))
                .unwrap_or_default();
            return matches!(basename(&name), "tee" | "cat" | "less" | "more");
        }
        true
    }

    /// For a redirect of standard output: Some(true) to the terminal (stderr), Some(false) to a
    /// file; None when it does not redirect standard output.
    fn redirect_target(&self, redirect: Node) -> Option<bool> {
        let text = self.node_text(redirect);
        let text = text.trim();
        let digits = text.chars().take_while(|c| c.is_ascii_digit()).count();
        let (descriptor, op) = text.split_at(digits);
        if !descriptor.is_empty() && descriptor != "1" {
            return None;
        }
        let (both, dest) = if let Some(d) = op.strip_prefix("&>>") {
            (true, d)
        } else if let Some(d) = op.strip_prefix("&>") {
            (true, d)
        } else if let Some(d) = op.strip_prefix(">&") {
            (false, d)
        } else if let Some(d) = op.strip_prefix(">>") {
            (false, d)
        } else if let Some(d) = op.strip_prefix(">|") {
            (false, d)
        } else if let Some(d) = op.strip_prefix('>') {
            (false, d)
        } else {
            return None;
        };
        let dest = dest.trim();
        let terminal = matches!(
            dest,
            "2" | "&2" | "/dev/stderr" | "/dev/tty" | "/dev/stdout"
        );
        Some(terminal && !both)
    }

    // ----- requests -----

    fn http_command(&mut self, node: Node, tool: Tool, name: &str, args: &[Node], ctx: &Ctx) {
        let mut literal = false;
        let mut opaque = false;
        let mut url: Option<String> = None;
        let mut positional = 0usize;
        let mut url_seen = false;
        let mut options_done = false;
        let mut i = 0;
        while i < args.len() {
            let arg = args[i];
            let units = self.units(arg);
            let prefix: String = units.iter().map_while(Unit::ch).collect();
            if !options_done && prefix == "--" && units.len() == 2 {
                options_done = true;
            } else if !options_done && prefix.starts_with("--") && prefix.len() > 2 {
                let (option, inline) = match prefix.find('=') {
                    Some(eq) => (
                        prefix[2..eq].to_string(),
                        Some(prefix[..eq].chars().count() + 1),
                    ),
                    None => (prefix[2..].to_string(), None),
                };
                if tool.opaque_option(&option) {
                    opaque = true;
                }
                if tool.long_takes_value(&option) {
                    let value = match inline {
                        Some(start) => Some((units[start..].to_vec(), arg.byte_range())),
                        None => {
                            i += 1;
                            args.get(i).map(|v| (self.units(*v), v.byte_range()))
                        }
                    };
                    if let Some((value, span)) = value {
                        self.option_value(
                            tool,
                            &option,
                            &value,
                            span,
                            ctx,
                            &mut literal,
                            &mut opaque,
                            &mut url,
                        );
                    }
                }
            } else if !options_done
                && prefix.len() > 1
                && prefix.starts_with('-')
                && !prefix.starts_with("--")
            {
                for (j, c) in prefix.char_indices().skip(1) {
                    if matches!((tool, c), (Tool::Curl, 'n')) {
                        opaque = true;
                    }
                    let Some(option) = tool.short_value_option(c) else {
                        continue;
                    };
                    if tool.opaque_option(option) {
                        opaque = true;
                    }
                    // Units and prefix characters correspond one to one.
                    let at = prefix[..j].chars().count() + 1;
                    let value = if at < units.len() {
                        Some((units[at..].to_vec(), arg.byte_range()))
                    } else {
                        i += 1;
                        args.get(i).map(|v| (self.units(*v), v.byte_range()))
                    };
                    if let Some((value, span)) = value {
                        self.option_value(
                            tool,
                            option,
                            &value,
                            span,
                            ctx,
                            &mut literal,
                            &mut opaque,
                            &mut url,
                        );
                    }
                    break;
                }
            } else {
                let text = self.units_text(&units);
                match tool {
                    Tool::Httpie => {
                        let is_method = positional == 0
                            && !text.is_empty()
                            && text.chars().all(|c| c.is_ascii_uppercase());
                        if is_method {
                            // The URL comes next.
                        } else if !url_seen {
                            url_seen = true;
                            if looks_like_url(&prefix, true) {
                                url = Some(text);
                            }
                        } else {
                            match self.httpie_item(&units, arg.byte_range(), ctx) {
                                HeaderArg::Header(header) => {
                                    literal = true;
                                    self.facts.headers.push(*header);
                                }
                                HeaderArg::Opaque => opaque = true,
                                HeaderArg::Skip => {}
                            }
                        }
                        positional += 1;
                    }
                    _ => {
                        if url.is_none() && looks_like_url(&prefix, false) {
                            url = Some(text);
                        }
                    }
                }
            }
            i += 1;
        }
        let headers = if opaque {
            HeaderSource::Opaque
        } else if literal {
            HeaderSource::Literal
        } else {
            HeaderSource::None
        };
        self.facts.requests.push(Request {
            tool: match tool {
                Tool::Httpie => name.to_string(),
                _ => tool.name().to_string(),
            },
            url,
            span: node.byte_range(),
            headers,
            function: ctx.function.clone(),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn option_value(
        &mut self,
        tool: Tool,
        option: &str,
        value: &[Unit],
        span: Range<usize>,
        ctx: &Ctx,
        literal: &mut bool,
        opaque: &mut bool,
        url: &mut Option<String>,
    ) {
        match option {
            "header" => match self.header_arg(value, span, ctx) {
                HeaderArg::Header(header) => {
                    *literal = true;
                    self.facts.headers.push(*header);
                }
                HeaderArg::Opaque => *opaque = true,
                HeaderArg::Skip => {}
            },
            "url" if matches!(tool, Tool::Curl) && url.is_none() => {
                *url = Some(self.units_text(value));
            }
            _ => {}
        }
    }

    /// A curl/wget header argument: `Name: value`.
    fn header_arg(&self, units: &[Unit], span: Range<usize>, ctx: &Ctx) -> HeaderArg {
        let first_char = units.iter().find_map(|u| match u {
            Unit::Ch { c, .. } if !c.is_whitespace() => Some(Some(*c)),
            Unit::Interp { .. } => Some(None),
            Unit::Ch { .. } => None,
        });
        match first_char {
            None => return HeaderArg::Skip,
            Some(Some('@')) => return HeaderArg::Opaque,
            _ => {}
        }
        let colon = units.iter().position(|u| u.ch() == Some(':'));
        let interp_before = units[..colon.unwrap_or(units.len())]
            .iter()
            .any(|u| matches!(u, Unit::Interp { .. }));
        match colon {
            Some(colon) if !interp_before => self.header(units, colon, span, ctx),
            _ if interp_before => HeaderArg::Opaque,
            _ => HeaderArg::Skip,
        }
    }

    /// An httpie request item that sets a header: `Name:value` (not `name:=json`).
    fn httpie_item(&self, units: &[Unit], span: Range<usize>, ctx: &Ctx) -> HeaderArg {
        let Some(sep) = units
            .iter()
            .position(|u| !matches!(u.ch(), Some(c) if !matches!(c, ':' | '=' | '@' | ';')))
        else {
            return HeaderArg::Skip;
        };
        if units[sep].ch() != Some(':') || sep == 0 {
            return HeaderArg::Skip;
        }
        if units.get(sep + 1).and_then(Unit::ch) == Some('=') {
            return HeaderArg::Skip;
        }
        let name: String = units[..sep].iter().filter_map(Unit::ch).collect();
        if !name.chars().all(is_token_char) {
            return HeaderArg::Skip;
        }
        self.header(units, sep, span, ctx)
    }

    fn header(&self, units: &[Unit], colon: usize, span: Range<usize>, ctx: &Ctx) -> HeaderArg {
        let name_units: Vec<&Unit> = {
            let raw = &units[..colon];
            let start = raw
                .iter()
                .position(|u| !u.ch().is_some_and(char::is_whitespace))
                .unwrap_or(raw.len());
            let end = raw
                .iter()
                .rposition(|u| !u.ch().is_some_and(char::is_whitespace))
                .map_or(start, |e| e + 1)
                .max(start);
            raw[start..end].iter().collect()
        };
        let (Some(first), Some(last)) = (name_units.first(), name_units.last()) else {
            return HeaderArg::Skip;
        };
        let name: String = name_units.iter().filter_map(|u| u.ch()).collect();
        let name_span = first.span().start..last.span().end;
        let mut value_start = colon + 1;
        while units
            .get(value_start)
            .and_then(Unit::ch)
            .is_some_and(|c| c == ' ' || c == '\t')
        {
            value_start += 1;
        }
        let value = &units[value_start..];
        let kind = if value.iter().any(|u| matches!(u, Unit::Interp { .. })) {
            StringKind::Interpolated
        } else {
            let origin = match value.first().or_else(|| units.get(colon)) {
                Some(Unit::Ch { origin, .. }) => *origin,
                _ => Origin::Bare,
            };
            match origin {
                Origin::Single => StringKind::ShellSingle,
                Origin::Double => StringKind::Interpolated,
                Origin::Bare | Origin::AnsiC => StringKind::Plain,
            }
        };
        let value_span = match (value.first(), value.last()) {
            (Some(first), Some(last)) => first.span().start..last.span().end,
            _ => {
                let end = units[colon].span().end;
                end..end
            }
        };
        HeaderArg::Header(Box::new(Header {
            name,
            name_span,
            value: Expr::Str(StringLit {
                span: value_span,
                kind,
                parts: self.parts(value),
            }),
            span,
            function: ctx.function.clone(),
        }))
    }
}

fn is_expansion(kind: &str) -> bool {
    matches!(
        kind,
        "simple_expansion" | "expansion" | "command_substitution" | "arithmetic_expansion"
    )
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn basename(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Whether the literal start of an argument looks like a URL: a scheme, `localhost`, a host
/// name with a dot, or (httpie) `:port/path`.
fn looks_like_url(prefix: &str, httpie: bool) -> bool {
    let lower = prefix.to_ascii_lowercase();
    if let Some(i) = lower.find("://") {
        return i > 0
            && lower[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    }
    if httpie && lower.starts_with(':') {
        return true;
    }
    let host: &str = lower.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    if host == "localhost" {
        return true;
    }
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic()) || labels.len() == 4)
}

/// The characters of `bytes` with their byte ranges (offset by `base`); invalid UTF-8 becomes
/// U+FFFD covering the bad bytes.
fn chars_at(bytes: &[u8], base: usize) -> Vec<(char, Range<usize>)> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut offset = base;
    for chunk in bytes.utf8_chunks() {
        for (i, c) in chunk.valid().char_indices() {
            out.push((c, offset + i..offset + i + c.len_utf8()));
        }
        offset += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            out.push(('\u{FFFD}', offset..offset + chunk.invalid().len()));
            offset += chunk.invalid().len();
        }
    }
    out
}

/// An ANSI-C escape after the backslash: the character (None when it yields nothing) and how
/// many characters it used.
fn ansi_c_escape(chars: &[(char, Range<usize>)]) -> (Option<char>, usize) {
    let c = chars[0].0;
    let simple = match c {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'e' | 'E' => Some('\u{1b}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        '\\' | '\'' | '"' | '?' => Some(c),
        _ => None,
    };
    if simple.is_some() {
        return (simple, 1);
    }
    let number = |radix: u32, skip: usize, max: usize| {
        let digits: String = chars
            .iter()
            .skip(skip)
            .take(max)
            .map(|(c, _)| *c)
            .take_while(|c| c.is_digit(radix))
            .collect();
        let value = u32::from_str_radix(&digits, radix).ok();
        (value, skip + digits.len())
    };
    let (value, used) = match c {
        'x' => number(16, 1, 2),
        'u' => number(16, 1, 4),
        'U' => number(16, 1, 8),
        '0'..='7' => number(8, 0, 3),
        _ => return (Some(c), 1),
    };
    match value {
        Some(0) => (None, used),
        Some(v) => (char::from_u32(v).or(Some('\u{FFFD}')), used),
        None => (Some(c), 1),
    }
}

fn describe_error(root: Node) -> String {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            let at = node.start_position();
            let what = if node.is_missing() {
                format!("missing `{}`", node.kind_name())
            } else {
                "syntax error".to_string()
            };
            return format!("{what} at line {}, column {}", at.row + 1, at.column + 1);
        }
        if node.has_error() {
            let mut cursor = node.walk();
            let kids: Vec<Node> = node.children(&mut cursor).collect();
            stack.extend(kids.into_iter().rev());
        }
    }
    "syntax error".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice<'a>(src: &'a str, span: &Range<usize>) -> &'a str {
        &src[span.clone()]
    }

    fn str_lit(expr: &Expr) -> &StringLit {
        match expr {
            Expr::Str(lit) => lit,
            other => panic!("not a string: {other:?}"),
        }
    }

    #[test]
    fn curl_with_double_quoted_bearer_header() {
        let src =
            r#"curl https://api.openai.com/v1/models -H "Authorization: Bearer $OPENAI_API_KEY""#;
        let facts = facts(src.as_bytes());
        assert_eq!(facts.parse_error, None);
        let [request] = facts.requests.as_slice() else {
            panic!("{:?}", facts.requests)
        };
        assert_eq!(request.tool, "curl");
        assert_eq!(
            request.url.as_deref(),
            Some("https://api.openai.com/v1/models")
        );
        assert_eq!(request.headers, HeaderSource::Literal);
        assert_eq!(slice(src, &request.span), src);
        assert_eq!(request.function, None);
        let [header] = facts.headers.as_slice() else {
            panic!("{:?}", facts.headers)
        };
        assert_eq!(header.name, "Authorization");
        assert_eq!(slice(src, &header.name_span), "Authorization");
        assert_eq!(
            slice(src, &header.span),
            r#""Authorization: Bearer $OPENAI_API_KEY""#
        );
        let value = str_lit(&header.value);
        assert_eq!(value.kind, StringKind::Interpolated);
        assert_eq!(slice(src, &value.span), "Bearer $OPENAI_API_KEY");
        let [StringPart::Text {
            text,
            span: text_span,
        }, StringPart::Interpolation { code, span }] = value.parts.as_slice()
        else {
            panic!("{:?}", value.parts)
        };
        assert_eq!(text, "Bearer ");
        assert_eq!(slice(src, text_span), "Bearer ");
        assert_eq!(code, "$OPENAI_API_KEY");
        assert_eq!(slice(src, span), "$OPENAI_API_KEY");
        let [read] = facts.env_reads.as_slice() else {
            panic!("{:?}", facts.env_reads)
        };
        assert_eq!(read.name, "OPENAI_API_KEY");
        assert_eq!(read.how, "$VAR");
        assert_eq!(slice(src, &read.span), "$OPENAI_API_KEY");
        // The whole double-quoted argument is an interpolated string too.
        assert!(facts
            .strings
            .iter()
            .any(|s| s.kind == StringKind::Interpolated
                && slice(src, &s.span) == r#""Authorization: Bearer $OPENAI_API_KEY""#));
    }

    #[test]
    fn single_quotes_keep_the_variable_as_text() {
        let src =
            "curl https://api.openai.com/v1/models -H 'Authorization: Bearer $OPENAI_API_KEY'";
        let facts = facts(src.as_bytes());
        let [header] = facts.headers.as_slice() else {
            panic!("{:?}", facts.headers)
        };
        let value = str_lit(&header.value);
        assert_eq!(value.kind, StringKind::ShellSingle);
        assert_eq!(value.text().as_deref(), Some("Bearer $OPENAI_API_KEY"));
        assert_eq!(slice(src, &value.span), "Bearer $OPENAI_API_KEY");
        assert!(facts.env_reads.is_empty());
        let [lit] = facts.strings.as_slice() else {
            panic!("{:?}", facts.strings)
        };
        assert_eq!(lit.kind, StringKind::ShellSingle);
        assert_eq!(
            lit.text().as_deref(),
            Some("Authorization: Bearer $OPENAI_API_KEY")
        );
    }

    #[test]
    fn header_without_bearer_and_with_doubled_colon() {
        let src = "curl https://api.openai.com/v1/models -H \"Authorization: $OPENAI_API_KEY\"\n\
                   curl https://api.openai.com/v1/models -H 'Authorization: Bearer: sk-abc'\n";
        let facts = facts(src.as_bytes());
        let [first, second] = facts.headers.as_slice() else {
            panic!("{:?}", facts.headers)
        };
        let value = str_lit(&first.value);
        assert_eq!(value.kind, StringKind::Interpolated);
        assert!(matches!(value.parts.as_slice(),
            [StringPart::Interpolation { code, .. }] if code == "$OPENAI_API_KEY"));
        assert_eq!(slice(src, &value.span), "$OPENAI_API_KEY");
        assert_eq!(second.name, "Authorization");
        let value = str_lit(&second.value);
        assert_eq!(value.text().as_deref(), Some("Bearer: sk-abc"));
        assert_eq!(slice(src, &value.span), "Bearer: sk-abc");
        assert_eq!(facts.requests.len(), 2);
    }

    #[test]
    fn header_spellings() {
        let src = "curl -sSH'X-Api-Key: a' --header=\"OpenAI-Organization: $ORG\" \\\n  \
                   --url https://api.openai.com/v1/models\n\
                   wget --header='Authorization: Bearer k' https://api.openai.com/v1/models\n\
                   wget --header \"api-key: $K\" -O out.json https://example.openai.azure.com/x\n\
                   http POST https://api.openai.com/v1/chat/completions 'Authorization:Bearer k' model=gpt-4o n:=1\n";
        let facts = facts(src.as_bytes());
        assert_eq!(facts.parse_error, None);
        let names: Vec<&str> = facts.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "X-Api-Key",
                "OpenAI-Organization",
                "Authorization",
                "api-key",
                "Authorization"
            ]
        );
        assert_eq!(slice(src, &facts.headers[0].span), "-sSH'X-Api-Key: a'");
        assert_eq!(slice(src, &facts.headers[0].name_span), "X-Api-Key");
        assert_eq!(
            str_lit(&facts.headers[0].value).kind,
            StringKind::ShellSingle
        );
        assert_eq!(slice(src, &str_lit(&facts.headers[0].value).span), "a");
        assert_eq!(
            slice(src, &facts.headers[1].span),
            "--header=\"OpenAI-Organization: $ORG\""
        );
        assert_eq!(slice(src, &str_lit(&facts.headers[1].value).span), "$ORG");
        assert_eq!(
            slice(src, &facts.headers[4].span),
            "'Authorization:Bearer k'"
        );
        assert_eq!(
            str_lit(&facts.headers[4].value).text().as_deref(),
            Some("Bearer k")
        );
        let tools: Vec<(&str, Option<&str>, HeaderSource)> = facts
            .requests
            .iter()
            .map(|r| (r.tool.as_str(), r.url.as_deref(), r.headers))
            .collect();
        assert_eq!(
            tools,
            [
                (
                    "curl",
                    Some("https://api.openai.com/v1/models"),
                    HeaderSource::Literal
                ),
                (
                    "wget",
                    Some("https://api.openai.com/v1/models"),
                    HeaderSource::Literal
                ),
                (
                    "wget",
                    Some("https://example.openai.azure.com/x"),
                    HeaderSource::Literal
                ),
                (
                    "http",
                    Some("https://api.openai.com/v1/chat/completions"),
                    HeaderSource::Literal
                ),
            ]
        );
    }

    #[test]
    fn header_sources() {
        let src = "curl https://api.openai.com/v1/models\n\
                   curl -K cfg https://api.openai.com/v1/models\n\
                   curl --oauth2-bearer \"$KEY\" https://api.openai.com/v1/models\n\
                   curl -u \":$KEY\" https://api.openai.com/v1/models\n\
                   curl -H \"$AUTH\" https://api.openai.com/v1/models\n\
                   curl -H 'Content-Type: application/json' --config cfg \"https://api.openai.com/v1/$EP\"\n\
                   curl -x http://proxy:3128 \"$BASE/v1/models\"\n";
        let facts = facts(src.as_bytes());
        let got: Vec<(HeaderSource, Option<&str>)> = facts
            .requests
            .iter()
            .map(|r| (r.headers, r.url.as_deref()))
            .collect();
        let url = Some("https://api.openai.com/v1/models");
        assert_eq!(
            got,
            [
                (HeaderSource::None, url),
                (HeaderSource::Opaque, url),
                (HeaderSource::Opaque, url),
                (HeaderSource::Opaque, url),
                (HeaderSource::Opaque, url),
                (HeaderSource::Opaque, Some("https://api.openai.com/v1/$EP")),
                (HeaderSource::None, None),
            ]
        );
        assert_eq!(facts.headers.len(), 1);
    }

    #[test]
    fn command_substitution_reads_a_stripped_file() {
        let src = "KEY=$(cat key.txt)\nOTHER=`cat ~/.openai`\nJ=$(jq -r .key k.json)\n";
        let facts = facts(src.as_bytes());
        let values: Vec<&Expr> = facts.assignments.iter().map(|a| &a.value).collect();
        assert!(
            matches!(values[0], Expr::FileRead { stripped: true, span } if slice(src, span) == "$(cat key.txt)")
        );
        assert!(matches!(values[1], Expr::FileRead { stripped: true, .. }));
        assert!(matches!(values[2], Expr::Other { .. }));
        assert_eq!(facts.assignments[0].target, "KEY");
        assert_eq!(slice(src, &facts.assignments[0].target_span), "KEY");
        assert_eq!(slice(src, &facts.assignments[0].span), "KEY=$(cat key.txt)");
    }

    #[test]
    fn assignments_and_exports() {
        let src = "OPENAI_API_KEY=x\npython app.py\n";
        let facts = facts(src.as_bytes());
        let [a] = facts.assignments.as_slice() else {
            panic!("{:?}", facts.assignments)
        };
        assert_eq!(a.target, "OPENAI_API_KEY");
        assert!(!a.exported);
        assert_eq!(a.top_level, Some(0));
        assert_eq!(str_lit(&a.value).text().as_deref(), Some("x"));
        assert_eq!(str_lit(&a.value).kind, StringKind::Plain);

        for src in [
            "export OPENAI_API_KEY=x\npython app.py\n",
            "OPENAI_API_KEY=x\nexport OPENAI_API_KEY\npython app.py\n",
            "export OPENAI_API_KEY\nOPENAI_API_KEY=x\npython app.py\n",
            "set -a\nOPENAI_API_KEY=x\nset +a\npython app.py\n",
            "set -o allexport\nOPENAI_API_KEY=x\n",
            "declare -x OPENAI_API_KEY=x\n",
        ] {
            let got = facts_of(src.as_bytes());
            let [a] = got.assignments.as_slice() else {
                panic!("{src}: {:?}", got.assignments)
            };
            assert!(a.exported, "{src}");
            assert_eq!(slice(src, &a.target_span), "OPENAI_API_KEY");
        }

        let src = "set -a\nset +a\nOPENAI_API_KEY=x\nset -euo pipefail\nB=y\n";
        let got = facts_of(src.as_bytes());
        assert!(got.assignments.iter().all(|a| !a.exported));
        assert_eq!(got.assignments[1].top_level, Some(4));
    }

    #[test]
    fn a_command_prefix_is_not_an_assignment() {
        let src = "OPENAI_API_KEY=x python app.py\nenv OPENAI_API_KEY=y python app.py\n";
        let facts = facts(src.as_bytes());
        assert!(facts.assignments.is_empty(), "{:?}", facts.assignments);
    }

    #[test]
    fn assignments_in_functions_are_not_top_level() {
        let src = "setup() {\n  local KEY=\"$1\"\n  curl -H \"Authorization: Bearer $KEY\" https://api.openai.com/v1/models\n}\nsetup \"$OPENAI_API_KEY\"\n";
        let facts = facts(src.as_bytes());
        let [a] = facts.assignments.as_slice() else {
            panic!("{:?}", facts.assignments)
        };
        assert_eq!(a.top_level, None);
        // "$1" is neither an environment read nor a string with a name.
        assert!(matches!(a.value, Expr::Other { .. }));
        let function = facts.headers[0].function.clone().expect("inside setup");
        assert!(slice(src, &function).starts_with("setup() {"));
        assert_eq!(facts.requests[0].function, Some(function));
        let names: Vec<&str> = facts.env_reads.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["KEY", "OPENAI_API_KEY"]);
    }

    #[test]
    fn special_parameters_are_not_environment_reads() {
        let src = "echo $1 $@ $? $$ $# ${2} \"$*\"\n";
        let facts = facts(src.as_bytes());
        assert!(facts.env_reads.is_empty(), "{:?}", facts.env_reads);
    }

    #[test]
    fn echo_is_a_log() {
        let src = "echo $OPENAI_API_KEY\necho -n \"key: ${OPENAI_API_KEY:0:5}\" ${#OPENAI_API_KEY}\nprintf '%s\\n' \"$OPENAI_API_KEY\" >&2\n";
        let facts = facts(src.as_bytes());
        let [first, second, third] = facts.logs.as_slice() else {
            panic!("{:?}", facts.logs)
        };
        assert_eq!(slice(src, &first.span), "echo $OPENAI_API_KEY");
        assert!(matches!(&first.args[..], [Expr::Env(read)] if read.name == "OPENAI_API_KEY"));
        assert!(
            matches!(&second.args[..], [Expr::Str(lit), Expr::Partial { .. }]
            if lit.kind == StringKind::Interpolated)
        );
        assert!(matches!(&third.args[..], [Expr::Str(lit), Expr::Env(_)]
            if lit.kind == StringKind::ShellSingle));
    }

    #[test]
    fn echo_into_a_file_or_a_command_is_not_a_log() {
        let src = "echo \"OPENAI_API_KEY=$OPENAI_API_KEY\" >> .env\n\
                   echo \"$KEY\" | docker login --password-stdin\n\
                   X=$(echo \"$KEY\" | base64)\n\
                   echo \"$KEY\" | tee -a \"$GITHUB_ENV\"\n\
                   export K=$(cat k) && echo \"K=$K\" > /app/.env\n\
                   echo \"$KEY\" && cd /app > /dev/null\n";
        let facts = facts(src.as_bytes());
        assert_eq!(facts.logs.len(), 2, "{:?}", facts.logs);
        for log in &facts.logs {
            assert_eq!(slice(src, &log.span), "echo \"$KEY\"");
        }
    }

    #[test]
    fn dotenv_loads() {
        let src = "set -a; source .env; set +a\n. ./.env.local\nsource ./lib.sh\nexport $(grep -v '^#' .env | xargs)\n";
        let facts = facts(src.as_bytes());
        let spans: Vec<&str> = facts
            .dotenv_loads
            .iter()
            .map(|d| slice(src, &d.span))
            .collect();
        assert_eq!(
            spans,
            [
                "source .env",
                ". ./.env.local",
                "export $(grep -v '^#' .env | xargs)"
            ]
        );
        assert_eq!(facts.dotenv_loads[1].top_level, Some(3));
    }

    #[test]
    fn a_fragment_without_a_shebang() {
        let src = "  pip install -r requirements.txt && \\\n    curl -fsS -H \"Authorization: Bearer ${OPENAI_API_KEY}\" \"https://api.openai.com/v1/models\" > /dev/null";
        let facts = facts(src.as_bytes());
        assert_eq!(facts.parse_error, None);
        assert_eq!(facts.requests.len(), 1);
        assert_eq!(
            facts.requests[0].url.as_deref(),
            Some("https://api.openai.com/v1/models")
        );
        let value = str_lit(&facts.headers[0].value);
        assert!(
            matches!(&value.parts[..], [_, StringPart::Interpolation { code, .. }]
            if code == "${OPENAI_API_KEY}")
        );
        assert_eq!(facts.env_reads[0].name, "OPENAI_API_KEY");
    }

    #[test]
    fn strings_and_escapes() {
        let src = "echo \"a \\\"b\\\" \\$X\" $'tab\\there' pre$HOME\"/x\" 'it''s'\n";
        let facts = facts(src.as_bytes());
        let texts: Vec<(StringKind, String)> = facts
            .strings
            .iter()
            .map(|s| (s.kind, s.text().unwrap_or_else(|| "<interp>".into())))
            .collect();
        assert_eq!(
            texts,
            [
                (StringKind::Interpolated, "a \"b\" $X".to_string()),
                (StringKind::Plain, "tab\there".to_string()),
                (StringKind::Interpolated, "/x".to_string()),
                (StringKind::ShellSingle, "it".to_string()),
                (StringKind::ShellSingle, "s".to_string()),
            ]
        );
        let StringPart::Text { span, .. } = &facts.strings[0].parts[0] else {
            panic!()
        };
        assert_eq!(slice(src, span), "a \\\"b\\\" \\$X");
    }

    #[test]
    fn a_syntax_error_keeps_what_it_can() {
        let src = "if [ -n \"$OPENAI_API_KEY\" ; then\ncurl -H \"Authorization: Bearer $OPENAI_API_KEY\" https://api.openai.com/v1/models\n";
        let facts = facts(src.as_bytes());
        assert!(facts.parse_error.is_some());
        assert!(facts.env_reads.iter().any(|r| r.name == "OPENAI_API_KEY"));
        for garbage in [
            &b"\xff\xfe$(\"'"[..],
            b"",
            b"))))",
            b"curl -H",
            b"echo $'\\x",
        ] {
            let _ = facts_of(garbage);
        }
    }

    fn commands(src: &str) -> Vec<(String, CommandKind, &str)> {
        facts(src.as_bytes())
            .commands
            .iter()
            .map(|c| (c.name.clone(), c.kind, slice(src, &c.name_span)))
            .collect()
    }

    #[test]
    fn the_commands_a_script_runs() {
        use CommandKind::*;
        let src = "#!/bin/sh\n\
                   set -eu\n\
                   OPENAI_API_KEY=\"$(cat /run/secrets/openai)\"\n\
                   [ -n \"$OPENAI_API_KEY\" ] || exit 1\n\
                   cd app && python app.py --port 8000 > log 2>&1 &\n\
                   ./scripts/seed.sh\n\
                   if [[ -f x ]]; then \"node\" index.js; fi\n\
                   export PORT=8000\n\
                   unset PORT\n\
                   y=$(jq -r .x f.json)\n";
        let got = commands(src);
        let expected = [
            ("set", Builtin, "set"),
            ("cat", Program, "cat"),
            ("[", Builtin, "["),
            ("exit", Builtin, "exit"),
            ("cd", Builtin, "cd"),
            ("python", Program, "python"),
            ("./scripts/seed.sh", Program, "./scripts/seed.sh"),
            ("[[", Builtin, "[["),
            ("node", Program, "\"node\""),
            ("export", Builtin, "export"),
            ("unset", Builtin, "unset"),
            ("jq", Program, "jq"),
        ];
        let got: Vec<(&str, CommandKind, &str)> =
            got.iter().map(|(n, k, s)| (n.as_str(), *k, *s)).collect();
        assert_eq!(got, expected);
        let f = facts(src.as_bytes());
        let python = &f.commands[5];
        assert_eq!(slice(src, &python.span), "python app.py --port 8000");
        assert_eq!(python.function, None);
        assert!(python.env.is_empty());
    }

    #[test]
    fn wrappers_run_the_command_after_them() {
        use CommandKind::*;
        let src = "exec uvicorn main:app --host 0.0.0.0\n\
                   sudo -u app -E env -i HOME=/x OPENAI_API_KEY=\"$K\" node server.js\n\
                   nohup time python worker.py &\n\
                   exec \"$@\"\n\
                   exec >>log 2>&1\n\
                   command -v python >/dev/null\n\
                   builtin echo hi\n\
                   env\n";
        let got = commands(src);
        let got: Vec<(&str, CommandKind, &str)> =
            got.iter().map(|(n, k, s)| (n.as_str(), *k, *s)).collect();
        assert_eq!(
            got,
            [
                ("uvicorn", Program, "uvicorn"),
                ("node", Program, "node"),
                ("python", Program, "python"),
                ("$@", Program, "\"$@\""),
                ("exec", Builtin, "exec"),
                ("command", Builtin, "command"),
                ("echo", Builtin, "echo"),
                ("env", Program, "env"),
            ]
        );
        let f = facts(src.as_bytes());
        assert_eq!(
            slice(src, &f.commands[0].span),
            "exec uvicorn main:app --host 0.0.0.0"
        );
        assert_eq!(f.commands[1].env, ["HOME", "OPENAI_API_KEY"]);
    }

    #[test]
    fn prefix_assignments_and_functions() {
        let src = "main() {\n  OPENAI_API_KEY=x python app.py\n}\nmain \"$@\"\n";
        let f = facts(src.as_bytes());
        let [python, main] = f.commands.as_slice() else {
            panic!("{:?}", f.commands)
        };
        assert_eq!(python.name, "python");
        assert_eq!(python.kind, CommandKind::Program);
        assert_eq!(python.env, ["OPENAI_API_KEY"]);
        assert_eq!(slice(src, &python.span), "OPENAI_API_KEY=x python app.py");
        let function = python.function.clone().expect("inside main");
        assert!(slice(src, &function).starts_with("main() {"));
        assert_eq!(main.kind, CommandKind::Function);
        assert_eq!(main.function, None);
        assert!(f.assignments.is_empty());
    }

    #[test]
    fn computed_exports_may_export_anything() {
        for (src, exported) in [
            ("OPENAI_API_KEY=x\nexport \"OPENAI_API_KEY\"\n", true),
            ("OPENAI_API_KEY=x\nexport 'OPENAI_API_KEY'\n", true),
            ("OPENAI_API_KEY=x\nexport \"OTHER\"\n", false),
            (
                "OPENAI_API_KEY=x\nfor v in A B; do export \"$v\"; done\n",
                true,
            ),
            (
                "export $(grep -v '^#' .env | xargs)\nOPENAI_API_KEY=x\n",
                true,
            ),
            ("OPENAI_API_KEY=x\nlocal \"$v\"\n", false),
        ] {
            let f = facts(src.as_bytes());
            assert_eq!(f.assignments[0].exported, exported, "{src}");
        }
    }

    #[test]
    fn remapped_commands() {
        use super::super::facts::OffsetMap;
        let file = "RUN OPENAI_API_KEY=x; exec python app.py";
        let mut f = facts(&file.as_bytes()[4..]);
        f.remap(&OffsetMap::shifted(4, file.len() - 4));
        assert_eq!(slice(file, &f.commands[0].name_span), "python");
        assert_eq!(slice(file, &f.commands[0].span), "exec python app.py");
    }

    fn facts_of(bytes: &[u8]) -> CodeFacts {
        facts(bytes)
    }

    #[test]
    fn words_nested_past_the_limit_are_not_parsed() {
        let nested = |open: &str, close: &str, n: usize| {
            format!(
                "curl -H \"Authorization: Bearer $OPENAI_API_KEY\" https://api.openai.com/v1/models\nX={}y{}\n",
                open.repeat(n),
                close.repeat(n)
            )
        };
        let limit = super::super::MAX_NESTING;
        for (open, close) in [
            ("$(echo ", ")"),
            ("\"$(", ")\""),
            ("${x:-", "}"),
            ("$(echo `", "`)"),
        ] {
            // Each level opens at most two counted nodes.
            let within = facts(nested(open, close, limit / 2).as_bytes());
            assert_eq!(within.parse_error, None, "{open}");
            assert_eq!(within.requests.len(), 1, "{open}");
            let past = nested(open, close, limit + 1);
            let f = facts(past.as_bytes());
            assert_eq!(f.parse_error, Some(super::super::too_deep()), "{open}");
            assert!(f.requests.is_empty() && f.strings.is_empty(), "{open}");
            assert_eq!(
                fragment_facts(past.as_bytes()),
                Err(super::super::too_deep())
            );
        }
        // A syntax error in a fragment keeps what was understood.
        let broken = fragment_facts(b"echo \"$OPENAI_API_KEY\"\nif then").unwrap();
        assert_eq!(broken.parse_error, None);
        assert_eq!(broken.logs.len(), 1);
    }

    #[test]
    fn expansion_and_substitution_values_read_their_heads() {
        let src = "A=${K:-$(cat x)}\nB=${#K}\nC=${K:0:3}\nD=$(cat -n $(echo f))\nE=$(cat|tr -d x)\nF=$(<f)\n";
        let f = facts(src.as_bytes());
        let values: Vec<&Expr> = f.assignments.iter().map(|a| &a.value).collect();
        assert!(matches!(values[0], Expr::Env(read) if read.name == "K"));
        assert!(matches!(values[1], Expr::Partial { .. }));
        assert!(matches!(values[2], Expr::Partial { .. }));
        assert!(matches!(values[3], Expr::FileRead { .. }));
        assert!(matches!(values[4], Expr::Other { .. }));
        assert!(matches!(values[5], Expr::FileRead { .. }));
    }

    #[test]
    fn remapped_fragment_spans() {
        use super::super::facts::OffsetMap;
        let file = "RUN curl -H \"Authorization: Bearer $K\" https://api.openai.com/v1/models";
        let mut facts = facts(&file.as_bytes()[4..]);
        facts.remap(&OffsetMap::shifted(4, file.len() - 4));
        assert_eq!(slice(file, &facts.headers[0].name_span), "Authorization");
        assert_eq!(slice(file, &facts.env_reads[0].span), "$K");
    }
}
