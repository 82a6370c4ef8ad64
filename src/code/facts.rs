//! One model of what source code does with keys, the same for every language: string literals,
//! environment reads, Authorization and other headers, HTTP requests, SDK clients, assignments,
//! dotenv loads, log calls, shell commands. The front-ends (one per language) fill it; the KL2xx
//! rules and the code-side KL1xx/KL3xx/KL4xx rules judge it. Every span is a byte range in the
//! file.

use std::ops::Range;

/// Everything the rules need to know about one source file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeFacts {
    pub strings: Vec<StringLit>,
    pub env_reads: Vec<EnvRead>,
    pub headers: Vec<Header>,
    pub requests: Vec<Request>,
    pub clients: Vec<Client>,
    pub assignments: Vec<Assignment>,
    pub dotenv_loads: Vec<DotenvLoad>,
    pub logs: Vec<LogCall>,
    /// Shell: every command the script runs, in source order. Other front-ends leave it empty.
    pub commands: Vec<CommandRun>,
    /// Values handed to TLS settings: the `key`/`cert`/`ca` of a TLS options object (https and
    /// undici Agents, `tls.connect`, `Deno.createHttpClient`), the arguments of
    /// `load_cert_chain`, `load_verify_locations`, `ssl_channel_credentials`, `cert=` keywords.
    pub tls_material: Vec<Expr>,
    /// Spans whose requests a mock transport answers, so nothing reaches a server: a client
    /// given a mock `http_client` or `fetch`, or the whole file when it imports a library that
    /// intercepts HTTP (respx, responses, nock, msw, fetch-mock).
    pub mocked: Vec<Range<usize>>,
    /// Why the file could not be parsed (it is still scanned as text for KL101).
    pub parse_error: Option<String>,
}

impl CodeFacts {
    /// Whether the file read assigned to `target` is stripped before use (for the front-ends'
    /// tests); panics when `target` is assigned no file read.
    #[cfg(test)]
    pub fn file_read_stripped(&self, target: &str) -> bool {
        self.assignments
            .iter()
            .find_map(|a| match &a.value {
                Expr::FileRead { stripped, .. } if a.target == target => Some(*stripped),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no file read is assigned to `{target}`"))
    }

    /// Whether a mock transport answers what is built at `span`.
    pub fn is_mocked(&self, span: &Range<usize>) -> bool {
        self.mocked
            .iter()
            .any(|m| m.start <= span.start && span.end <= m.end)
    }
}

/// Whether code reads as a stand-in for a real transport: `MockTransport(...)`, `fakeFetch`,
/// `stubFetch`.
pub fn names_a_mock(code: &str) -> bool {
    let lower = code.to_ascii_lowercase();
    ["mock", "fake", "stub"].iter().any(|w| lower.contains(w))
}

/// How a string literal treats `{x}`, `${x}`, `$X`, `%s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringKind {
    /// Python `"..."`, JS `"..."`/`'...'`, Go `"..."`, Rust `"..."`: nothing is interpolated.
    Plain,
    /// Python f-string, JS template literal, shell double quotes or bare words: parts are
    /// filled in.
    Interpolated,
    /// Python `r"..."`, Rust `r"..."`, Go `` `...` ``: no escapes, nothing interpolated.
    Raw,
    /// Shell single quotes: nothing is expanded, `$X` stays text.
    ShellSingle,
}

/// A string literal and its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringLit {
    /// The literal as written, prefix and quotes included.
    pub span: Range<usize>,
    pub kind: StringKind,
    /// In order; a literal without interpolation has one `Text` part (or none when empty).
    pub parts: Vec<StringPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StringPart {
    /// Literal text after escape processing; `span` is where it stands in the file.
    Text { text: String, span: Range<usize> },
    /// An interpolated expression (`{key}` of an f-string, `${key}` of a template literal,
    /// `$KEY` in shell double quotes); `code` is the expression's source text.
    Interpolation { code: String, span: Range<usize> },
}

impl StringLit {
    /// The literal's value when it interpolates nothing.
    pub fn text(&self) -> Option<String> {
        self.parts
            .iter()
            .map(|part| match part {
                StringPart::Text { text, .. } => Some(text.as_str()),
                StringPart::Interpolation { .. } => None,
            })
            .collect()
    }
}

/// Reading an environment variable: `os.environ["X"]`, `os.getenv("X")`, `process.env.X`,
/// `import.meta.env.X`, `os.Getenv("X")`, `std::env::var("X")`, `env!("X")`, `$X` in shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRead {
    pub name: String,
    /// The whole read expression.
    pub span: Range<usize>,
    /// How, for messages: `os.getenv`, `process.env`, ...
    pub how: String,
}

/// An expression, as far as the rules judge it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Str(StringLit),
    Env(EnvRead),
    /// A variable or attribute path: `api_key`, `self.key`, `settings.OPENAI_API_KEY`.
    Name {
        path: String,
        span: Range<usize>,
    },
    /// String concatenation `a + b + c`, in order.
    Concat {
        parts: Vec<Expr>,
        span: Range<usize>,
    },
    /// A template with its arguments applied: `"...{}".format(k)`, `"%s" % k`,
    /// `fmt.Sprintf("%s", k)`, `format!("{k}")`, `String.format`.
    Format {
        template: StringLit,
        args: Vec<Expr>,
        span: Range<usize>,
    },
    /// The contents of a file: `open(p).read()`, `Path(p).read_text()`,
    /// `fs.readFileSync(p, "utf8")`, `std::fs::read_to_string(p)`, `os.ReadFile(p)`, shell
    /// `$(cat p)`. `stripped` when a strip/trim is applied to it.
    FileRead {
        stripped: bool,
        span: Range<usize>,
    },
    /// Part of a value: a slice, a prefix, a length, a mask (`key[:5]`, `len(key)`,
    /// `key.slice(0, 5)`, `&key[..5]`).
    Partial {
        span: Range<usize>,
    },
    /// A value with fallbacks, any of which may be the result: `a ?? b`, `a || b`, `a or b`,
    /// `c ? x : y`, `x if c else y`. Rules that need one value treat it as opaque.
    Alternatives {
        options: Vec<Expr>,
        span: Range<usize>,
    },
    /// Anything else: calls, arithmetic, lookups.
    Other {
        span: Range<usize>,
    },
}

impl Expr {
    /// A fallback's options, nested fallbacks flattened (`a ?? b ?? c`: three options).
    pub fn alternatives(operands: impl IntoIterator<Item = Expr>, span: Range<usize>) -> Expr {
        let mut options = Vec::new();
        for operand in operands {
            match operand {
                Expr::Alternatives { options: inner, .. } => options.extend(inner),
                single => options.push(single),
            }
        }
        Expr::Alternatives { options, span }
    }

    pub fn span(&self) -> &Range<usize> {
        match self {
            Expr::Str(lit) => &lit.span,
            Expr::Env(read) => &read.span,
            Expr::Name { span, .. }
            | Expr::Concat { span, .. }
            | Expr::Format { span, .. }
            | Expr::FileRead { span, .. }
            | Expr::Alternatives { span, .. }
            | Expr::Partial { span }
            | Expr::Other { span } => span,
        }
    }
}

/// A header set on a request: a dict/object/map entry, `headers["X"] = v`, `Header.Set`,
/// `.header(k, v)`, `setRequestHeader`, `new Headers({...})`, curl `-H`, an `.http` header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// As written, without quotes (`Authorization`, `api-key`).
    pub name: String,
    pub name_span: Range<usize>,
    pub value: Expr,
    /// The whole header construction (entry, call, or `-H` argument).
    pub span: Range<usize>,
    /// The enclosing function's span; None at top level.
    pub function: Option<Range<usize>>,
}

/// How a request carries its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderSource {
    /// No headers at all.
    None,
    /// Headers written in the call (listed in `CodeFacts::headers` with spans inside the call).
    Literal,
    /// Headers from somewhere the front-end cannot see: a variable, a session or client
    /// configured elsewhere, a helper function, a curl `-K` config, `--oauth2-bearer`.
    Opaque,
}

/// An HTTP request made without an SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `requests.post`, `fetch`, `http.NewRequest`, `curl`, `reqwest`, ...
    pub tool: String,
    /// The URL when it is a literal (or a variable assigned a literal in the same file).
    pub url: Option<String>,
    pub span: Range<usize>,
    pub headers: HeaderSource,
    pub function: Option<Range<usize>>,
}

/// An SDK client construction: `OpenAI(...)`, `AsyncOpenAI`, `AzureOpenAI`, `new OpenAI({...})`,
/// `Anthropic(...)`, `ChatOpenAI(...)`, Go `openai.NewClient(option.WithAPIKey(...))`, Rust
/// `OpenAIConfig::new().with_api_key(...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// The class or constructor as written: `OpenAI`, `AzureOpenAI`, `ChatOpenAI`.
    pub sdk: String,
    pub span: Range<usize>,
    /// The key argument (`api_key=`, `apiKey:`, `WithAPIKey(...)`), when given.
    pub key: Option<Expr>,
    /// The base URL argument (`base_url=`, `baseURL:`, `WithBaseURL(...)`), when given.
    pub base_url: Option<Expr>,
    /// Index of the top-level statement that builds it; None inside functions.
    pub top_level: Option<usize>,
}

/// `target = value`, for variables and attributes such as `openai.api_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub target: String,
    pub target_span: Range<usize>,
    pub value: Expr,
    pub span: Range<usize>,
    /// Index of the top-level statement; None inside functions.
    pub top_level: Option<usize>,
    /// Shell: the assignment is exported (`export X=...`, `export X` anywhere in the script,
    /// `set -a` in effect), or may be: the script exports names the linter cannot read
    /// (`export "$name"`, `export $(grep -v '^#' .env | xargs)`).
    pub exported: bool,
}

/// A shell command: a simple command (`python app.py`, `exec uvicorn main:app`, `./run.sh`),
/// a `[ ]` / `[[ ]]` test, a declaration (`export`, `local`, `readonly`) or `unset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRun {
    /// The command after its wrappers (`exec`, `sudo`, `env`, `nohup`, `command`, `time`), as
    /// written with quotes removed: `python`, `./run.sh`, `npm`, `$@`, `[[`, `export`. A
    /// wrapper that runs nothing (`exec >log`, `command -v python`) is the command itself.
    pub name: String,
    pub name_span: Range<usize>,
    /// The whole command: prefix assignments, wrappers, name and arguments (not its
    /// redirections or heredocs).
    pub span: Range<usize>,
    pub kind: CommandKind,
    /// Variables the command line sets for this command alone: `X=1 cmd`, `env X=1 cmd`.
    pub env: Vec<String>,
    /// The enclosing function's span; None outside functions.
    pub function: Option<Range<usize>>,
}

/// What runs when a shell command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    /// A program, started as a child process (or replacing the shell, `exec`): it sees only
    /// exported variables.
    Program,
    /// A builtin or keyword, run by the shell itself: `echo`, `cd`, `export`, `source`, `[[`.
    Builtin,
    /// A function the script defines.
    Function,
}

/// A dotenv load: `load_dotenv()`, `dotenv.config()`, `import 'dotenv/config'`,
/// `dotenvy::dotenv()`, `godotenv.Load()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvLoad {
    pub span: Range<usize>,
    pub top_level: Option<usize>,
}

/// A print or log call: `print`, `console.log`, `logger.info`, `fmt.Println`, `log.Printf`,
/// `println!`, `echo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogCall {
    pub span: Range<usize>,
    pub args: Vec<Expr>,
}

/// Where the bytes of an extracted piece of code (a notebook cell, a Dockerfile `RUN`, a CI
/// `run:` script) stand in the file: segments of (offset in the code, offset in the file,
/// length), in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    pub segments: Vec<(usize, usize, usize)>,
}

impl OffsetMap {
    /// A map for code that is the file's bytes from `start` on, unchanged.
    pub fn shifted(start: usize, len: usize) -> Self {
        OffsetMap {
            segments: vec![(0, start, len)],
        }
    }

    /// The file offset of a code offset: inside a segment exactly; between segments (a
    /// dropped escape or indentation), the start of the next segment.
    pub fn offset(&self, code_offset: usize) -> usize {
        // Segments are in code order: the first one that does not end before the offset.
        let index = self
            .segments
            .partition_point(|&(code, _, len)| code + len < code_offset);
        match self.segments.get(index) {
            Some(&(code, file, _)) if code_offset < code => file,
            Some(&(code, file, _)) => file + (code_offset - code),
            None => self
                .segments
                .last()
                .map_or(code_offset, |&(_, file, len)| file + len),
        }
    }

    pub fn range(&self, range: &Range<usize>) -> Range<usize> {
        let start = self.offset(range.start);
        start..self.offset(range.end).max(start)
    }
}

impl CodeFacts {
    /// Adds the facts of another piece of the same file (spans already in file offsets).
    pub fn merge(&mut self, other: CodeFacts) {
        self.strings.extend(other.strings);
        self.env_reads.extend(other.env_reads);
        self.headers.extend(other.headers);
        self.requests.extend(other.requests);
        self.clients.extend(other.clients);
        self.assignments.extend(other.assignments);
        self.dotenv_loads.extend(other.dotenv_loads);
        self.logs.extend(other.logs);
        self.commands.extend(other.commands);
        self.tls_material.extend(other.tls_material);
        if self.parse_error.is_none() {
            self.parse_error = other.parse_error;
        }
    }

    /// Moves every span from code offsets to file offsets.
    pub fn remap(&mut self, map: &OffsetMap) {
        let r = |span: &mut Range<usize>| *span = map.range(span);
        self.strings.iter_mut().for_each(|s| s.remap(map));
        for read in &mut self.env_reads {
            r(&mut read.span);
        }
        for header in &mut self.headers {
            r(&mut header.name_span);
            r(&mut header.span);
            header.value.remap(map);
            if let Some(function) = &mut header.function {
                r(function);
            }
        }
        for request in &mut self.requests {
            r(&mut request.span);
            if let Some(function) = &mut request.function {
                r(function);
            }
        }
        for client in &mut self.clients {
            r(&mut client.span);
            client.key.iter_mut().for_each(|e| e.remap(map));
            client.base_url.iter_mut().for_each(|e| e.remap(map));
        }
        for assignment in &mut self.assignments {
            r(&mut assignment.target_span);
            r(&mut assignment.span);
            assignment.value.remap(map);
        }
        for load in &mut self.dotenv_loads {
            r(&mut load.span);
        }
        for log in &mut self.logs {
            r(&mut log.span);
            log.args.iter_mut().for_each(|e| e.remap(map));
        }
        for command in &mut self.commands {
            r(&mut command.name_span);
            r(&mut command.span);
            if let Some(function) = &mut command.function {
                r(function);
            }
        }
        self.tls_material.iter_mut().for_each(|e| e.remap(map));
    }
}

impl StringLit {
    pub fn remap(&mut self, map: &OffsetMap) {
        self.span = map.range(&self.span);
        for part in &mut self.parts {
            match part {
                StringPart::Text { span, .. } | StringPart::Interpolation { span, .. } => {
                    *span = map.range(span)
                }
            }
        }
    }
}

impl Expr {
    pub fn remap(&mut self, map: &OffsetMap) {
        match self {
            Expr::Str(lit) => lit.remap(map),
            Expr::Env(read) => read.span = map.range(&read.span),
            Expr::Concat { parts, span }
            | Expr::Alternatives {
                options: parts,
                span,
            } => {
                parts.iter_mut().for_each(|p| p.remap(map));
                *span = map.range(span);
            }
            Expr::Format {
                template,
                args,
                span,
            } => {
                template.remap(map);
                args.iter_mut().for_each(|a| a.remap(map));
                *span = map.range(span);
            }
            Expr::Name { span, .. }
            | Expr::FileRead { span, .. }
            | Expr::Partial { span }
            | Expr::Other { span } => *span = map.range(span),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_maps_skip_dropped_bytes() {
        // Code "ab" + "cd" from file offsets 10..12 and 20..22.
        let map = OffsetMap {
            segments: vec![(0, 10, 2), (2, 20, 2)],
        };
        assert_eq!(map.offset(0), 10);
        assert_eq!(map.offset(1), 11);
        assert_eq!(map.offset(3), 21);
        assert_eq!(map.range(&(1..3)), 11..21);
        assert_eq!(OffsetMap::shifted(5, 3).range(&(0..3)), 5..8);
    }
}
