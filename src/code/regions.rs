//! The parts of a source file the enabled rules can judge. Every fact a rule or the wiring uses
//! stands next to a trigger word: a header name, a key's name, an environment read, an SDK
//! client, a provider's host. A function or method that holds none is left unparsed: on code
//! that talks to AI providers most of the bytes are such functions, and parsing is most of
//! keylint's time.

use std::collections::BTreeMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use memchr::memmem;

use crate::providers::catalog;

/// Words (ASCII case-insensitive) that an environment read, a dotenv load or a secret file
/// names: what the wiring needs of code.
const ENV_WORDS: &[&str] = &["getenv", "decouple", "dotenv", "secrets/"];

/// Environment reads that count as whole names only: `os.environ` (not `environment`),
/// `process.env`, `import.meta.env`, `Deno.env`.
const ENV_NAMES: &[&str] = &["environ", "env"];

/// Parts of `Authorization` that a typo keeps where it breaks `auth`: triggers but in
/// `horizon` and `Horizontal`.
const AUTHORIZATION_PARTS: &[&str] = &["oriz", "oris"];

/// Words of what the per-file code rules judge: `OpenAI-Organization` and `OpenAI-Project`,
/// key headers and API key names, and the hosts a request's endpoint is judged by.
const CODE_WORDS: &[&str] = &[
    "openai-org",
    "openai-proj",
    "-key",
    "apikey",
    "api_key",
    "api.openai.com",
    "azure.com",
    // A session given headers or auth elsewhere is taken as sending credentials (KL206).
    "headers.update",
    "headers.setdefault",
    "headers[",
    ".headers =",
    ".headers=",
    ".auth =",
    ".auth=",
];

/// Words that count as a whole part of a name only: `X-Auth-Token`, `auth=`, `authHeader`,
/// `"Authentication"` (a header name, misspelled), not `bearer_auth`, `OAuth`, `author` or
/// `authenticate()`.
const WORD_START_WORDS: &[&str] = &["auth"];

/// Names of keys in general, which matter only where a key is read from a file (KL108): they
/// count beside a `FILE_READ_WORDS` word.
const KEY_WORDS: &[&str] = &["key", "token", "secret"];

/// File reads, at the start of a name: `open(`, `.read()`, `read_text`, `readFile`,
/// `ReadFile`, `read_to_string` (not `thread_id`).
const FILE_READ_WORDS: &[&str] = &["open(", "read(", "read_", "readfile", "readall"];

/// What a trigger word is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Enough on its own.
    Trigger,
    /// A trigger where no letter, digit or `_` stands before it, and the name part ends with
    /// it or it starts a quoted or dashed name.
    WordStart,
    /// A trigger but after an `h` that starts a name part (`horizon`).
    AuthorizationPart,
    /// A trigger where no letter, digit or `_` stands before or after it.
    Name,
    /// An SDK client class: a trigger where it is called (`OpenAI(`), as a whole name. Among
    /// the hits found: a client class named but not called (`import OpenAI as C`).
    Client,
    /// A key's name: a trigger shortly before a file read.
    KeyName,
    /// A file read, at the start of a name.
    FileRead,
}

/// The trigger words of the enabled rules, found in one pass.
pub struct Triggers {
    automaton: AhoCorasick,
    classes: Vec<Class>,
    /// Whether a name bound at module level next to a trigger is one too
    /// (`BASE_URL = "https://api.openai.com/v1"`): for the code rules, which judge where the
    /// value goes; not for the wiring, which needs only the reads and clients themselves.
    follows_names: bool,
}

impl Triggers {
    /// What the per-file code rules and the wiring look for; `key_vars` are the user's key
    /// variable names.
    pub fn code(key_vars: &[String]) -> Triggers {
        let mut words = Triggers::wiring_words(key_vars);
        words.extend(CODE_WORDS.iter().map(|w| ((*w).into(), Class::Trigger)));
        words.extend(
            AUTHORIZATION_PARTS
                .iter()
                .map(|w| ((*w).into(), Class::AuthorizationPart)),
        );
        words.extend(
            WORD_START_WORDS
                .iter()
                .map(|w| ((*w).into(), Class::WordStart)),
        );
        for provider in catalog() {
            // Key markers (`sk-ant-`, `gsk_`, `T3BlbkFJ`), not the names of providers without
            // one; the starts of key shapes (`sk-proj-`); keys named for the provider
            // (`openai_key`, `groqKey`).
            if provider.named_by.is_empty() {
                words.extend(
                    provider
                        .prefilter
                        .iter()
                        .map(|w| (w.clone(), Class::Trigger)),
                );
            }
            words.extend(
                provider
                    .shapes
                    .iter()
                    .map(|shape| (shape.keep.clone(), Class::Trigger)),
            );
            let name = provider.id.split('-').next().unwrap_or(&provider.id);
            words.push((format!("{name}_key"), Class::Trigger));
            words.push((format!("{name}key"), Class::Trigger));
        }
        words.extend(KEY_WORDS.iter().map(|w| ((*w).into(), Class::KeyName)));
        words.extend(
            FILE_READ_WORDS
                .iter()
                .map(|w| ((*w).into(), Class::FileRead)),
        );
        Triggers::of(words, true)
    }

    /// What the wiring alone looks for (in files no per-file code rule judges, such as tests).
    pub fn wiring(key_vars: &[String]) -> Triggers {
        Triggers::of(Triggers::wiring_words(key_vars), false)
    }

    fn wiring_words(key_vars: &[String]) -> Vec<(String, Class)> {
        let mut words: Vec<(String, Class)> = ENV_WORDS
            .iter()
            .map(|w| ((*w).into(), Class::Trigger))
            .collect();
        words.extend(ENV_NAMES.iter().map(|w| ((*w).into(), Class::Name)));
        words.extend(
            catalog()
                .iter()
                .flat_map(|p| p.env.iter())
                .chain(key_vars)
                .map(|w| (w.clone(), Class::Trigger)),
        );
        words.extend(
            crate::code::python::CLIENTS
                .iter()
                .chain(crate::code::javascript::CLIENT_CLASSES)
                .chain(crate::code::javascript::SDK_FACTORIES)
                .map(|w| ((*w).into(), Class::Client)),
        );
        words
    }

    fn of(mut words: Vec<(String, Class)>, follows_names: bool) -> Triggers {
        words.retain(|(w, _)| !w.is_empty());
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        words.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
        // Leftmost-longest keeps the SIMD prefilter; a shorter word inside a longer one is
        // not seen, which only matters where the longer one is not a trigger itself (a client
        // class not called), and no trigger word stands inside a class name.
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(words.iter().map(|(w, _)| w))
            .expect("trigger words are valid");
        Triggers {
            automaton,
            classes: words.into_iter().map(|(_, class)| class).collect(),
            follows_names,
        }
    }

    /// Every trigger word in `source`, in order of its start.
    fn find(&self, source: &[u8]) -> Vec<(usize, Class)> {
        let mut found: Vec<(usize, Class)> = self
            .automaton
            .find_iter(source)
            .filter_map(|m| {
                let class = self.classes[m.pattern().as_usize()];
                let word_start = !m
                    .start()
                    .checked_sub(1)
                    .is_some_and(|p| identifier_byte(source[p]));
                let word_end = || !source.get(m.end()).copied().is_some_and(identifier_byte);
                match class {
                    // Named, not called: kept for `nothing_to_judge`, no trigger itself.
                    Class::Client if !(word_start && called(source, m.end())) => {
                        word_start.then_some((m.start(), Class::Client))
                    }
                    Class::WordStart if !(word_start && name_part(source, m.start(), m.end())) => {
                        None
                    }
                    Class::AuthorizationPart if after_word_start_h(source, m.start()) => None,
                    Class::Name if !(word_start && word_end()) => None,
                    Class::FileRead if !word_start => None,
                    Class::Client => Some((m.start(), Class::Trigger)),
                    Class::WordStart | Class::Name | Class::AuthorizationPart => {
                        Some((m.start(), Class::Trigger))
                    }
                    _ => Some((m.start(), class)),
                }
            })
            .collect();
        found.sort_unstable_by_key(|(at, _)| *at);
        found
    }
}

/// Whether `source[start..end]` is a whole part of a name: what follows is no letter, or a
/// capital after a small letter (`authHeader`); or it starts a quoted or dashed name
/// (`"Authentication"`, `X-Authorzation`).
fn name_part(source: &[u8], start: usize, end: usize) -> bool {
    let quoted = start
        .checked_sub(1)
        .is_some_and(|p| matches!(source[p], b'"' | b'\'' | b'`' | b'-'));
    let hump = source[end - 1].is_ascii_lowercase();
    quoted
        || match source.get(end) {
            Some(next) if next.is_ascii_lowercase() => false,
            Some(next) if next.is_ascii_uppercase() => hump,
            _ => true,
        }
}

/// Whether an `h` that starts a name part stands just before `at`: at a name's start
/// (`horizon`) or a capital after a small letter (`isHorizontal`).
fn after_word_start_h(source: &[u8], at: usize) -> bool {
    let Some(h) = at.checked_sub(1) else {
        return false;
    };
    let before = h.checked_sub(1).map(|p| source[p]);
    match source[h] {
        b'h' => !before.is_some_and(identifier_byte),
        b'H' => !before.is_some_and(|b| identifier_byte(b) && !b.is_ascii_lowercase()),
        _ => false,
    }
}

fn identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether a call follows a name: `(` after spaces.
fn called(source: &[u8], end: usize) -> bool {
    source[end.min(source.len())..]
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t'))
        .is_some_and(|b| *b == b'(')
}

/// A logical line of Python: where it starts and its indentation.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    indent: usize,
}

/// The byte ranges of a Python file to parse, or None when every part is needed. Nothing is
/// kept in a file without a trigger. Otherwise module-level statements that bind no name are
/// kept (imports, calls, the main block); a module-level name (`TABLE = {...}`) and a `def`
/// are kept when they hold a trigger or kept code names them; a class with a trigger keeps
/// its header, its statements other than methods, and the methods that hold one. Names bound
/// at module level by a statement with a trigger (`BASE_URL = "https://api.openai.com/v1"`),
/// and aliases of client classes, count as triggers too.
pub fn python(source: &[u8], triggers: &Triggers) -> Option<Vec<Range<usize>>> {
    let hits = triggers.find(source);
    if nothing_to_judge(&hits, source) {
        return Some(Vec::new());
    }
    let lines = logical_lines(source);
    let top: Vec<Range<usize>> = statements(source, &lines, 0, 0..source.len());
    let syntax = Syntax {
        gated: |statement: &Range<usize>| gated(source, statement),
        bound: bound_names,
        function_name: python_function_name,
        parts: |hits: &[(usize, Class)], statement| class_parts(source, &lines, hits, statement),
    };
    select(source, hits, triggers.follows_names, top, syntax)
}

/// How a language's top-level statements are read.
struct Syntax<G, B, N, P> {
    /// Whether a statement is parsed only when it holds a trigger (a function, a class).
    gated: G,
    /// What a module-level statement binds.
    bound: B,
    /// The name a gated statement defines, when it is a function.
    function_name: N,
    /// The parts of a gated statement with a trigger to keep (a class's members).
    parts: P,
}

/// The statements to parse: those that hold a trigger (the gated ones as `parts` splits
/// them), the ungated ones that bind no name, and what the kept code names. Names bound where
/// a trigger stands (`BASE_URL = "https://api.openai.com/v1"`) count as triggers, and so do
/// the calls of client classes imported under another name (`from openai import OpenAI as
/// Client`). None when everything is kept.
fn select<G, B, N, P>(
    source: &[u8],
    mut hits: Vec<(usize, Class)>,
    follows_names: bool,
    top: Vec<Range<usize>>,
    syntax: Syntax<G, B, N, P>,
) -> Option<Vec<Range<usize>>>
where
    G: Fn(&Range<usize>) -> bool,
    B: Fn(&[u8]) -> Bound<'_>,
    N: Fn(&[u8]) -> Option<&[u8]>,
    P: Fn(&[(usize, Class)], Range<usize>) -> Vec<Range<usize>>,
{
    let Syntax {
        gated,
        bound,
        function_name,
        parts,
    } = syntax;
    let (mut names, mut aliases): (Vec<&[u8]>, Vec<&[u8]>) = (Vec::new(), Vec::new());
    let mut bound_by: Vec<Vec<&[u8]>> = Vec::with_capacity(top.len());
    for statement in &top {
        if gated(statement) {
            bound_by.push(Vec::new());
            continue;
        }
        let found = bound(&source[statement.clone()]);
        aliases.extend(found.client_aliases);
        if follows_names && holds(&hits, statement) {
            names.extend(found.names.iter().copied());
        }
        bound_by.push(found.names);
    }
    for (words, called) in [(names, false), (aliases, true)] {
        hits.extend(
            word_hits(source, words, called)
                .into_iter()
                .map(|at| (at, Class::Trigger)),
        );
    }
    hits.sort_unstable_by_key(|(at, _)| *at);
    let mut keep: Vec<Range<usize>> = Vec::new();
    let mut dropped: Vec<(Vec<&[u8]>, Range<usize>)> = Vec::new();
    for (statement, bound) in top.into_iter().zip(bound_by) {
        let gated = gated(&statement);
        if holds(&hits, &statement) {
            if gated {
                keep.extend(parts(&hits, statement));
            } else {
                keep.push(statement);
            }
        } else if !gated && bound.is_empty() {
            // Imports, calls, the main block: code that runs.
            keep.push(statement);
        } else if !gated {
            // A module-level name without a trigger (a table of data, a logger): kept only
            // where kept code names it.
            dropped.push((bound, statement));
        } else if let Some(name) = function_name(&source[statement.clone()]) {
            dropped.push((vec![name], statement));
        }
    }
    // A function or module-level name the kept code names is kept too: a mock handed over
    // by name (`fetch: answer`), a value built by a helper, a constant.
    let mut unsearched = keep.clone();
    while !dropped.is_empty() && !unsearched.is_empty() {
        // A name may be bound by more than one statement: each is kept where it is named.
        let mut owners: BTreeMap<&[u8], Vec<usize>> = BTreeMap::new();
        for (i, (names, _)) in dropped.iter().enumerate() {
            for name in names {
                owners.entry(name).or_default().push(i);
            }
        }
        let owners: Vec<(&[u8], Vec<usize>)> = owners.into_iter().collect();
        let Ok(automaton) = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(owners.iter().map(|(name, _)| name))
        else {
            break;
        };
        let mut named = vec![false; dropped.len()];
        for range in &unsearched {
            for m in automaton.find_iter(&source[range.clone()]) {
                let (start, end) = (range.start + m.start(), range.start + m.end());
                let whole = !start
                    .checked_sub(1)
                    .is_some_and(|p| identifier_byte(source[p]))
                    && !source.get(end).copied().is_some_and(identifier_byte);
                if whole {
                    for owner in &owners[m.pattern().as_usize()].1 {
                        named[*owner] = true;
                    }
                }
            }
        }
        let (now, still): (Vec<_>, Vec<_>) = dropped
            .into_iter()
            .zip(named)
            .partition(|(_, named)| *named);
        let now: Vec<_> = now.into_iter().map(|(d, _)| d).collect();
        let still: Vec<_> = still.into_iter().map(|(d, _)| d).collect();
        dropped = still;
        unsearched = now.into_iter().map(|(_, range)| range).collect();
        keep.extend(unsearched.iter().cloned());
    }
    let merged = merge(keep);
    let kept: usize = merged.iter().map(|r| r.len()).sum();
    (kept < source.len()).then_some(merged)
}

/// What a module-level statement binds.
#[derive(Default)]
struct Bound<'t> {
    /// Variables (`NAME = ...`, `const { A, B } = ...`).
    names: Vec<&'t [u8]>,
    /// Other names of SDK client classes (`import OpenAI as Client`, `import Client from
    /// "openai"`, `const Client = require("openai")`).
    client_aliases: Vec<&'t [u8]>,
}

/// Whether `name` is an SDK client class or factory.
fn client_word(name: &[u8]) -> bool {
    crate::code::python::CLIENTS
        .iter()
        .chain(crate::code::javascript::CLIENT_CLASSES)
        .chain(crate::code::javascript::SDK_FACTORIES)
        .any(|client| client.as_bytes() == name)
}

/// `A as B` pairs of an import whose `A` is a client class: the `B`s.
fn client_aliases_in(text: &[u8]) -> Vec<&[u8]> {
    let mut aliases = Vec::new();
    let mut rest = text;
    while let Some(at) = memmem::find(rest, b" as ") {
        let before = &rest[..at];
        let original_start = before
            .iter()
            .rposition(|b| !identifier_byte(*b))
            .map_or(0, |p| p + 1);
        let alias = identifier(rest[at + 4..].trim_ascii_start());
        if client_word(&before[original_start..]) && !alias.is_empty() {
            aliases.push(alias);
        }
        rest = &rest[at + 4..];
    }
    aliases
}

/// A class with a trigger: its header, its statements, and the methods holding a trigger (all
/// of it when no method is kept, so that its body is never empty). A `def`: all of it.
fn class_parts(
    source: &[u8],
    lines: &[Line],
    hits: &[(usize, Class)],
    statement: Range<usize>,
) -> Vec<Range<usize>> {
    if !opens(source, &statement, b"class") {
        return vec![statement];
    }
    let first_line = lines.partition_point(|l| l.start <= statement.start);
    let Some(body) = lines[first_line..]
        .iter()
        .take_while(|l| l.start < statement.end)
        .find(|l| l.indent > 0)
    else {
        return vec![statement];
    };
    let members = statements(source, lines, body.indent, body.start..statement.end);
    let mut parts: Vec<Range<usize>> = Vec::new();
    parts.push(statement.start..body.start);
    let mut methods = 0;
    for member in members {
        if !gated(source, &member) {
            parts.push(member);
        } else if holds(hits, &member) {
            methods += 1;
            parts.push(member);
        }
    }
    if methods == 0 {
        return vec![statement];
    }
    parts
}

/// The name a `def` defines (past its decorators).
fn python_function_name(statement: &[u8]) -> Option<&[u8]> {
    let mut text = statement;
    while text.first() == Some(&b'@') {
        let end = text.iter().position(|b| *b == b'\n')?;
        text = &text[end + 1..];
    }
    let text = strip_words(text, &[b"async"]);
    let name = identifier(text.strip_prefix(b"def ")?.trim_ascii_start());
    (!name.is_empty()).then_some(name)
}

/// Whether a statement is a `def` or `class` (after its decorators), which is parsed only when
/// it holds a trigger.
fn gated(source: &[u8], statement: &Range<usize>) -> bool {
    opens(source, statement, b"def")
        || opens(source, statement, b"class")
        || opens(source, statement, b"async def")
}

/// Whether the statement, past its decorators and indentation, starts with `keyword` and a
/// space.
fn opens(source: &[u8], statement: &Range<usize>, keyword: &[u8]) -> bool {
    let text = &source[statement.clone()];
    let mut at = 0;
    loop {
        while text.get(at).is_some_and(|b| matches!(b, b' ' | b'\t')) {
            at += 1;
        }
        if text.get(at) != Some(&b'@') {
            break;
        }
        // A decorator: the statement goes on after its line (brackets in decorators are
        // rare across lines; a wrong guess only keeps more).
        match text[at..].iter().position(|b| *b == b'\n') {
            Some(end) => at += end + 1,
            None => return false,
        }
    }
    text[at..].starts_with(keyword)
        && text
            .get(at + keyword.len())
            .is_some_and(|b| matches!(b, b' ' | b'\t'))
}

/// How far a file read may stand after the key's name it is assigned to (`token = ...`).
const KEY_TO_READ_BYTES: usize = 200;

/// Whether no rule can judge a file: no trigger stands in it and no client class is named (one
/// imported under another name is a trigger where that name is called). No rule judges a
/// file without a trigger, module-level code included.
fn nothing_to_judge(hits: &[(usize, Class)], source: &[u8]) -> bool {
    !holds(hits, &(0..source.len())) && !hits.iter().any(|(_, class)| *class == Class::Client)
}

/// Whether a trigger stands in `range`: a trigger word, or a key's name shortly before a file
/// read (`token = open(path).read()`).
fn holds(hits: &[(usize, Class)], range: &Range<usize>) -> bool {
    let first = hits.partition_point(|(at, _)| *at < range.start);
    let mut key_name: Option<usize> = None;
    for (at, class) in hits[first..].iter().take_while(|(at, _)| *at < range.end) {
        match class {
            Class::Trigger => return true,
            Class::KeyName => key_name = Some(*at),
            Class::FileRead if key_name.is_some_and(|k| at - k <= KEY_TO_READ_BYTES) => {
                return true
            }
            Class::FileRead
            | Class::Client
            | Class::WordStart
            | Class::Name
            | Class::AuthorizationPart => {}
        }
    }
    false
}

/// The statements at `indent` inside `within`: from one logical line at that indentation to
/// the next, decorators joined to what they decorate and `else`/`except` clauses to their
/// statement. The first statement starts at `within.start`.
fn statements(
    source: &[u8],
    lines: &[Line],
    indent: usize,
    within: Range<usize>,
) -> Vec<Range<usize>> {
    let mut starts: Vec<usize> = Vec::new();
    let first = lines.partition_point(|l| l.start < within.start);
    let mut decorated = false;
    for line in lines[first..].iter().take_while(|l| l.start < within.end) {
        if line.indent != indent {
            continue;
        }
        let text = &source[line.start + indent..];
        let clause = [&b"else"[..], b"elif", b"except", b"finally"]
            .iter()
            .any(|word| {
                text.starts_with(word)
                    && !text
                        .get(word.len())
                        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            });
        if !clause && !decorated {
            starts.push(line.start);
        }
        decorated = text.first() == Some(&b'@');
    }
    spans_from(starts, within)
}

/// The ranges from each start to the next, the first from `within.start`, the last to
/// `within.end`.
fn spans_from(mut starts: Vec<usize>, within: Range<usize>) -> Vec<Range<usize>> {
    if starts.first() != Some(&within.start) {
        starts.insert(0, within.start);
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, start)| *start..starts.get(i + 1).copied().unwrap_or(within.end))
        .filter(|r| !r.is_empty())
        .collect()
}

/// Every line that starts a logical line: outside strings and brackets, not continued by a
/// backslash, not blank and not only a comment.
fn logical_lines(source: &[u8]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut depth = 0usize;
    let mut string: Option<(u8, bool)> = None;
    let mut continued = false;
    let mut at = 0;
    let mut line_start = true;
    while at < source.len() {
        if line_start {
            line_start = false;
            if depth == 0 && string.is_none() && !continued {
                let indent = source[at..]
                    .iter()
                    .position(|b| !matches!(b, b' ' | b'\t'))
                    .unwrap_or(source.len() - at);
                if !matches!(source.get(at + indent), None | Some(b'#' | b'\n' | b'\r')) {
                    lines.push(Line { start: at, indent });
                }
            }
            continued = false;
        }
        let c = source[at];
        if let Some((quote, triple)) = string {
            match c {
                b'\\' => at += 1,
                b'\n' => {
                    line_start = true;
                    if !triple {
                        string = None;
                    }
                }
                _ if c == quote => {
                    if !triple {
                        string = None;
                    } else if source.get(at + 1..at + 3) == Some(&[quote, quote][..]) {
                        string = None;
                        at += 2;
                    }
                }
                _ => {}
            }
            at += 1;
            continue;
        }
        match c {
            b'#' => {
                at = memchr_newline(source, at);
                continue;
            }
            b'\'' | b'"' => {
                let triple = source.get(at + 1..at + 3) == Some(&[c, c][..]);
                string = Some((c, triple));
                if triple {
                    at += 2;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\\' if source.get(at + 1) == Some(&b'\n') => {
                continued = true;
                at += 1;
                line_start = true;
            }
            b'\\' if source.get(at + 1..at + 3) == Some(&b"\r\n"[..]) => {
                continued = true;
                at += 2;
                line_start = true;
            }
            b'\n' => line_start = true,
            _ => {}
        }
        at += 1;
    }
    lines
}

fn memchr_newline(source: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &source[from..]).map_or(source.len(), |at| from + at)
}

/// What a module-level Python statement binds: `NAME = ...`, `A, B = ...`, `NAME: T = ...`,
/// and `from openai import OpenAI as Client`.
fn bound_names(statement: &[u8]) -> Bound<'_> {
    let text = statement;
    if text.starts_with(b"import ") || text.starts_with(b"from ") {
        return Bound {
            client_aliases: client_aliases_in(text),
            ..Bound::default()
        };
    }
    let mut names = Vec::new();
    // Targets before the first `=` that is not part of `==`, `<=`, `>=`, `!=`.
    let Some(equals) = text.iter().enumerate().position(|(i, b)| {
        *b == b'='
            && text.get(i + 1) != Some(&b'=')
            && !i
                .checked_sub(1)
                .is_some_and(|p| matches!(text[p], b'=' | b'<' | b'>' | b'!' | b':'))
    }) else {
        return Bound::default();
    };
    let targets = &text[..equals];
    let targets = match targets.iter().position(|b| *b == b':') {
        Some(colon) => &targets[..colon],
        None => targets,
    };
    for part in targets.split(|b| *b == b',') {
        let part = part.trim_ascii_start();
        let name = identifier(part);
        if !name.is_empty() && part[name.len()..].iter().all(u8::is_ascii_whitespace) {
            names.push(name);
        }
    }
    Bound {
        names,
        ..Bound::default()
    }
}

fn identifier(text: &[u8]) -> &[u8] {
    let end = text
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// Where any of `names` occurs as a whole word (and, with `called`, is called).
fn word_hits(source: &[u8], mut names: Vec<&[u8]>, called_only: bool) -> Vec<usize> {
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        return Vec::new();
    }
    // Built per file: an NFA, whose construction is cheap, not a DFA.
    let Ok(automaton) = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(&names)
    else {
        return Vec::new();
    };
    automaton
        .find_overlapping_iter(source)
        .filter(|m| {
            !m.start()
                .checked_sub(1)
                .is_some_and(|p| identifier_byte(source[p]))
                && !source.get(m.end()).copied().is_some_and(identifier_byte)
                && (!called_only || called(source, m.end()))
        })
        .map(|m| m.start())
        .collect()
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if last.end >= range.start => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// `regions` as tree-sitter ranges, with their rows and columns.
pub fn tree_sitter_ranges(source: &[u8], regions: &[Range<usize>]) -> Vec<tree_sitter::Range> {
    let mut row = 0;
    let mut line_start = 0;
    let mut scanned = 0;
    let mut point = |offset: usize| {
        for (i, b) in source[scanned..offset].iter().enumerate() {
            if *b == b'\n' {
                row += 1;
                line_start = scanned + i + 1;
            }
        }
        scanned = offset;
        tree_sitter::Point::new(row, offset - line_start)
    };
    regions
        .iter()
        .map(|r| {
            let start_point = point(r.start);
            let end_point = point(r.end);
            tree_sitter::Range {
                start_byte: r.start,
                end_byte: r.end,
                start_point,
                end_point,
            }
        })
        .collect()
}

/// A line of JavaScript or TypeScript that starts outside strings, comments and templates:
/// its start, indentation, bracket depth there, and the last code byte before it.
#[derive(Debug, Clone, Copy)]
struct JsLine {
    start: usize,
    indent: usize,
    depth: usize,
    before: u8,
}

/// The byte ranges of a JavaScript or TypeScript file to parse, or None when every part is
/// needed: as `python`, with functions (declared, or arrow functions and function expressions
/// bound by `const`), classes, interfaces, type aliases, enums and namespaces gated, and the
/// methods of a class gated one by one.
pub fn javascript(source: &[u8], triggers: &Triggers) -> Option<Vec<Range<usize>>> {
    let hits = triggers.find(source);
    if nothing_to_judge(&hits, source) {
        return Some(Vec::new());
    }
    let lines = js_lines(source);
    let top = js_statements(source, &lines, 0, 0, 0..source.len());
    let syntax = Syntax {
        gated: |statement: &Range<usize>| js_gated(&source[statement.clone()]),
        bound: js_bound_names,
        function_name: js_function_name,
        parts: |hits: &[(usize, Class)], statement| js_class_parts(source, &lines, hits, statement),
    };
    select(source, hits, triggers.follows_names, top, syntax)
}

/// Bytes after which a line goes on with the statement before it (`=>` counts as `=`).
const JS_CONTINUES: &[u8] = b",=+-%&|^!?:.";

/// Statements at `depth` and `indent` inside `within`: lines that start one (not a closing
/// bracket, not an operator or `.` going on from the line before, decorators joined).
fn js_statements(
    source: &[u8],
    lines: &[JsLine],
    depth: usize,
    indent: usize,
    within: Range<usize>,
) -> Vec<Range<usize>> {
    let first = lines.partition_point(|l| l.start < within.start);
    let mut starts: Vec<usize> = Vec::new();
    let mut decorated = false;
    for line in lines[first..].iter().take_while(|l| l.start < within.end) {
        if line.depth != depth || line.indent != indent {
            continue;
        }
        let first_byte = source[line.start + indent];
        let goes_on = JS_CONTINUES.contains(&line.before)
            || b")]}.,?:+-*/%&|=>".contains(&first_byte)
            || decorated;
        if !goes_on {
            starts.push(line.start);
        }
        decorated = first_byte == b'@';
    }
    spans_from(starts, within)
}

/// Every line that starts in code, with the bracket depth there.
fn js_lines(source: &[u8]) -> Vec<JsLine> {
    #[derive(PartialEq)]
    enum State {
        Code,
        Template,
        BlockComment,
    }
    let mut lines = Vec::new();
    let mut state = State::Code;
    let mut depth = 0usize;
    // Depths at which a `${` of a template literal opened.
    let mut substitutions: Vec<usize> = Vec::new();
    let mut before = b';';
    let mut at = 0;
    let mut line_start = true;
    while at < source.len() {
        if line_start {
            line_start = false;
            let indent = source[at..]
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t'))
                .unwrap_or(source.len() - at);
            let blank = matches!(source.get(at + indent), None | Some(b'\n' | b'\r'));
            let comment = source[at + indent..].starts_with(b"//");
            if state == State::Code && !blank && !comment {
                lines.push(JsLine {
                    start: at,
                    indent,
                    depth,
                    before,
                });
            }
        }
        let c = source[at];
        if c == b'\n' {
            line_start = true;
            at += 1;
            continue;
        }
        match state {
            State::BlockComment => {
                if source[at..].starts_with(b"*/") {
                    state = State::Code;
                    at += 1;
                }
            }
            State::Template => match c {
                b'\\' => at += 1,
                b'`' => {
                    state = State::Code;
                    before = b'`';
                }
                b'$' if source.get(at + 1) == Some(&b'{') => {
                    substitutions.push(depth);
                    depth += 1;
                    state = State::Code;
                    at += 1;
                }
                _ => {}
            },
            State::Code => match c {
                b'/' if source.get(at + 1) == Some(&b'/') => {
                    at = memchr_newline(source, at);
                    continue;
                }
                b'/' if source.get(at + 1) == Some(&b'*') => {
                    state = State::BlockComment;
                    at += 1;
                }
                b'/' if regex_may_start(source, at, before) => {
                    at = skip_regex(source, at);
                    before = b'x';
                    continue;
                }
                b'\'' | b'"' => {
                    at = skip_string(source, at);
                    before = c;
                    continue;
                }
                b'`' => state = State::Template,
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    before = c;
                }
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if c == b'}' && substitutions.last() == Some(&depth) {
                        substitutions.pop();
                        state = State::Template;
                    }
                    before = c;
                }
                b' ' | b'\t' | b'\r' => {}
                b'>' if at > 0 && source[at - 1] == b'=' => before = b'=',
                _ => before = c,
            },
        }
        at += 1;
    }
    lines
}

/// Past a `'` or `"` string; a string ends at the end of its line at the latest (JSX text
/// with an apostrophe, `<p>Don't</p>`, costs one line).
fn skip_string(source: &[u8], start: usize) -> usize {
    let quote = source[start];
    let mut at = start + 1;
    while let Some(&c) = source.get(at) {
        match c {
            b'\\' if source.get(at + 1) != Some(&b'\n') => at += 2,
            b'\n' => return at,
            _ if c == quote => return at + 1,
            _ => at += 1,
        }
    }
    at
}

/// Whether a `/` starts a regular expression: after an operator, a bracket or a keyword, not
/// after a value.
fn regex_may_start(source: &[u8], at: usize, before: u8) -> bool {
    if b"(,=:[!&|?{};+-*%<>~^".contains(&before) {
        return true;
    }
    if !before.is_ascii_alphabetic() {
        return false;
    }
    let word_start = source[..at]
        .iter()
        .rposition(|b| !identifier_byte(*b) && !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    let word = source[word_start..at].trim_ascii();
    [
        &b"return"[..],
        b"typeof",
        b"case",
        b"else",
        b"in",
        b"of",
        b"void",
        b"yield",
        b"await",
    ]
    .contains(&word)
}

/// Past a regular expression literal; at the end of the line when it does not close there.
fn skip_regex(source: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    let mut class = false;
    while let Some(&c) = source.get(at) {
        match c {
            b'\\' => at += 1,
            b'\n' => return at,
            b'[' => class = true,
            b']' => class = false,
            b'/' if !class => return at + 1,
            _ => {}
        }
        at += 1;
    }
    at
}

/// Whether a top-level statement declares a function, class or type, which is parsed only when
/// it holds a trigger.
fn js_gated(text: &[u8]) -> bool {
    let text = strip_words(text, &[b"export", b"default", b"declare"]);
    let keyword = |word: &[u8]| {
        text.starts_with(word)
            && text
                .get(word.len())
                .is_some_and(|b| matches!(b, b' ' | b'\t' | b'*' | b'(' | b'{' | b'\n'))
    };
    if [
        &b"function"[..],
        b"class",
        b"interface",
        b"enum",
        b"namespace",
    ]
    .iter()
    .any(|w| keyword(w))
    {
        return true;
    }
    let rest = strip_words(text, &[b"async", b"abstract"]);
    if rest.starts_with(b"function") || rest.starts_with(b"class ") {
        return true;
    }
    if type_declaration(text) {
        return true;
    }
    // `const f = (...) => {`, `const f = async function (...) {` on the first line.
    if keyword(b"const") || keyword(b"let") || keyword(b"var") {
        let line = &text[..text.iter().position(|b| *b == b'\n').unwrap_or(text.len())];
        let Some(equals) = line
            .windows(2)
            .position(|w| w[0] == b'=' && w[1] != b'=' && w[1] != b'>')
        else {
            return false;
        };
        let value = strip_words(&line[equals + 1..], &[b"async"]);
        return value.starts_with(b"function") || memmem::find(value, b"=>").is_some();
    }
    call_statement(text)
}

/// The name a function declaration or a `const` bound to a function defines.
fn js_function_name(statement: &[u8]) -> Option<&[u8]> {
    let text = strip_words(statement, &[b"export", b"default", b"declare", b"async"]);
    let rest = if let Some(rest) = text.strip_prefix(b"function") {
        rest.strip_prefix(b"*").unwrap_or(rest)
    } else {
        let rest = [&b"const "[..], b"let ", b"var "]
            .iter()
            .find_map(|k| text.strip_prefix(*k))?;
        let name = identifier(rest.trim_ascii_start());
        let after = rest.trim_ascii_start()[name.len()..].trim_ascii_start();
        // Not destructuring: one name bound to the function.
        if !(after.starts_with(b"=") || after.starts_with(b":")) {
            return None;
        }
        rest
    };
    let name = identifier(rest.trim_ascii_start());
    (!name.is_empty()).then_some(name)
}

/// An interface or a type alias: types only, no value a rule judges.
fn type_declaration(text: &[u8]) -> bool {
    let text = strip_words(text, &[b"export", b"default", b"declare"]);
    let named_after = |word: &[u8]| {
        text.starts_with(word)
            && text
                .get(word.len())
                .is_some_and(|b| b.is_ascii_whitespace())
            && text[word.len()..]
                .trim_ascii_start()
                .first()
                .is_some_and(|b| identifier_byte(*b) || *b == b'$')
    };
    named_after(b"interface") || named_after(b"type")
}

/// A statement that only calls something (`describe("x", () => {...})`,
/// `app.post("/chat", async (req, res) => {...})`): it binds no name the rest of the file
/// reads.
fn call_statement(text: &[u8]) -> bool {
    let callee_end = text
        .iter()
        .position(|b| !(identifier_byte(*b) || matches!(b, b'.' | b'$')))
        .unwrap_or(text.len());
    let callee = &text[..callee_end];
    let first_word = identifier(callee);
    const KEYWORDS: &[&[u8]] = &[
        b"if", b"for", b"while", b"switch", b"with", b"return", b"typeof", b"await", b"new",
        b"void", b"delete", b"yield", b"import", b"super", b"this", b"do", b"try", b"throw",
    ];
    !first_word.is_empty()
        && !first_word[0].is_ascii_digit()
        && !KEYWORDS.contains(&first_word)
        && text[callee_end..].trim_ascii_start().first() == Some(&b'(')
}

/// `text` past leading spaces and any of `words` (each followed by a space).
fn strip_words<'t>(mut text: &'t [u8], words: &[&[u8]]) -> &'t [u8] {
    loop {
        text = text.trim_ascii_start();
        let Some(word) = words.iter().find(|w| {
            text.starts_with(w) && text.get(w.len()).is_some_and(|b| b.is_ascii_whitespace())
        }) else {
            return text;
        };
        text = &text[word.len()..];
    }
}

/// What a top-level JavaScript statement binds: the targets of `const`, `let` and `var`, and
/// the names a provider's SDK is imported under.
fn js_bound_names(text: &[u8]) -> Bound<'_> {
    let text = strip_words(text, &[b"export", b"declare"]);
    if text.starts_with(b"import") {
        let mut client_aliases = client_aliases_in(text);
        // `import Client from "openai"`: the default export is the client class.
        let default = identifier(strip_words(&text[6..], &[b"type"]));
        let from_sdk = memmem::find(text, b" from ").is_some_and(|from| sdk_module(&text[from..]));
        if from_sdk && !default.is_empty() && default != b"type" {
            client_aliases.push(default);
        }
        return Bound {
            client_aliases,
            ..Bound::default()
        };
    }
    if ![&b"const "[..], b"let ", b"var "]
        .iter()
        .any(|k| text.starts_with(k))
    {
        return Bound::default();
    }
    let line = &text[..text.iter().position(|b| *b == b'\n').unwrap_or(text.len())];
    let (targets, value) = match line.iter().position(|b| *b == b'=') {
        Some(equals) => (&line[..equals], &line[equals..]),
        None => (line, &[][..]),
    };
    let names: Vec<&[u8]> = targets
        .split(|b| !(identifier_byte(*b) || *b == b'$'))
        .filter(|w| !w.is_empty() && !w[0].is_ascii_digit())
        .filter(|w| !matches!(*w, b"const" | b"let" | b"var"))
        .collect();
    // `const Client = require("openai")`.
    let client_aliases = if memmem::find(value, b"require(").is_some() && sdk_module(value) {
        names.clone()
    } else {
        Vec::new()
    };
    Bound {
        names,
        client_aliases,
    }
}

/// Whether the text names the module of a provider's SDK (`"openai"`, `"@anthropic-ai/sdk"`,
/// `"groq-sdk"`).
fn sdk_module(text: &[u8]) -> bool {
    let lower = text.to_ascii_lowercase();
    ["'openai'", "\"openai\"", "@anthropic-ai/sdk", "groq-sdk"]
        .iter()
        .any(|module| memmem::find(&lower, module.as_bytes()).is_some())
}

/// A class with a trigger: its header, fields and closing brace, and the methods holding a
/// trigger; a namespace: its members as at the top level. A type: nothing. Anything else: all
/// of it.
fn js_class_parts(
    source: &[u8],
    lines: &[JsLine],
    hits: &[(usize, Class)],
    statement: Range<usize>,
) -> Vec<Range<usize>> {
    let text = strip_words(
        &source[statement.clone()],
        &[b"export", b"default", b"declare", b"abstract"],
    );
    if type_declaration(text) {
        return Vec::new();
    }
    let namespace = text.starts_with(b"namespace ");
    if !(text.starts_with(b"class ") || namespace) {
        return vec![statement];
    }
    let first = lines.partition_point(|l| l.start <= statement.start);
    let inside: Vec<&JsLine> = lines[first..]
        .iter()
        .take_while(|l| l.start < statement.end)
        .filter(|l| l.depth == 1)
        .collect();
    // The line of the closing brace, and the first member.
    let (Some(close), Some(member)) = (
        inside
            .iter()
            .rev()
            .find(|l| source[l.start + l.indent] == b'}'),
        inside.first(),
    ) else {
        return vec![statement];
    };
    if member.start >= close.start || member.indent == 0 {
        return vec![statement];
    }
    let members = js_statements(source, lines, 1, member.indent, member.start..close.start);
    let mut parts = vec![statement.start..member.start, close.start..statement.end];
    for member in members {
        let text = &source[member.clone()];
        let keep = if namespace {
            !type_declaration(text) && (!js_gated(text) || holds(hits, &member))
        } else {
            !js_method(text) || holds(hits, &member)
        };
        if keep {
            parts.push(member);
        }
    }
    parts
}

/// Whether a class member is a method (`async create(params) {`, `get name() {`,
/// `private static build<T>(x: T) {`), not a field.
fn js_method(text: &[u8]) -> bool {
    let mut text = strip_words(
        text,
        &[
            b"public",
            b"private",
            b"protected",
            b"static",
            b"async",
            b"get",
            b"set",
            b"readonly",
            b"override",
            b"abstract",
            b"declare",
        ],
    );
    while text.first() == Some(&b'@') {
        let end = text.iter().position(|b| *b == b'\n').unwrap_or(text.len());
        text = text[end..].trim_ascii_start();
        text = strip_words(
            text,
            &[b"public", b"private", b"protected", b"static", b"async"],
        );
    }
    let text = text.strip_prefix(b"*").unwrap_or(text);
    let text = text.strip_prefix(b"#").unwrap_or(text);
    let name = identifier(text);
    if name.is_empty() {
        return false;
    }
    let rest = text[name.len()..].trim_ascii_start();
    let rest = rest.strip_prefix(b"?").unwrap_or(rest);
    rest.first().is_some_and(|b| matches!(b, b'(' | b'<'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> Triggers {
        Triggers::code(&[])
    }

    /// The kept text of `source`, the parts joined by `|`; `None` when all of it is kept.
    fn kept(regions: Option<Vec<Range<usize>>>, source: &str) -> Option<String> {
        regions.map(|parts| {
            parts
                .iter()
                .map(|r| &source[r.clone()])
                .collect::<Vec<_>>()
                .join("|")
        })
    }

    #[test]
    fn python_functions_without_a_trigger_are_left_out() {
        let src = "import os\n\n@cache\ndef total(a, b):\n    return a + b\n\ndef key():\n    return os.environ[\"OPENAI_API_KEY\"]\n";
        let kept = kept(python(src.as_bytes(), &code()), src).unwrap();
        assert_eq!(
            kept,
            "import os\n\n|def key():\n    return os.environ[\"OPENAI_API_KEY\"]\n"
        );
    }

    #[test]
    fn python_statements_end_where_the_next_starts() {
        // A `def` inside a string, a continued line, brackets across lines, `else:`.
        let src = "DOC = \"\"\"\ndef not_code():\n\"\"\"\nx = 1 + \\\n2\ncall(\nos.getenv(\"K\"), x)\nif x:\n    pass\nelse:\n    pass\ndef f():\n    return 1\n";
        let lines = logical_lines(src.as_bytes());
        let top = statements(src.as_bytes(), &lines, 0, 0..src.len());
        let texts: Vec<&str> = top.iter().map(|r| &src[r.clone()]).collect();
        assert_eq!(
            texts,
            [
                "DOC = \"\"\"\ndef not_code():\n\"\"\"\n",
                "x = 1 + \\\n2\n",
                "call(\nos.getenv(\"K\"), x)\n",
                "if x:\n    pass\nelse:\n    pass\n",
                "def f():\n    return 1\n"
            ]
        );
        // The constant the kept call names is kept; the unnamed one is not.
        assert_eq!(
            kept(python(src.as_bytes(), &code()), src).unwrap(),
            &src[src.find("x = 1").unwrap()..src.find("def f").unwrap()]
        );
    }

    #[test]
    fn python_classes_keep_their_header_fields_and_methods_with_a_trigger() {
        let src = "class Client:\n    \"\"\"Doc.\"\"\"\n    base = 1\n\n    def size(self):\n        return 2\n\n    @property\n    def headers(self):\n        return {\"Authorization\": self.k}\n";
        assert_eq!(
            kept(python(src.as_bytes(), &code()), src).unwrap(),
            "class Client:\n    \"\"\"Doc.\"\"\"\n    base = 1\n\n|    @property\n    def headers(self):\n        return {\"Authorization\": self.k}\n"
        );
        // A trigger in the header alone keeps the whole class: its body is never empty.
        let src = "class ApiKeyStore:\n    def size(self):\n        return 2\n";
        assert_eq!(kept(python(src.as_bytes(), &code()), src), None);
    }

    #[test]
    fn python_module_names_and_client_aliases_carry_triggers_into_functions() {
        let src = "import requests\nfrom openai import OpenAI as Client\nURL = \"https://api.openai.com/v1/models\"\n\ndef models():\n    return requests.get(URL)\n\ndef make():\n    return Client()\n\ndef other():\n    return Client\n";
        let kept = kept(python(src.as_bytes(), &code()), src).unwrap();
        assert!(kept.contains("def models"), "{kept}");
        assert!(kept.contains("def make"), "{kept}");
        assert!(!kept.contains("def other"), "{kept}");
    }

    #[test]
    fn a_session_configured_in_another_function_is_kept() {
        let src = "import requests\nsession = requests.Session()\n\ndef setup():\n    session.headers.update({\"X-Trace\": \"1\"})\n\ndef other():\n    return 1\n";
        let kept = kept(python(src.as_bytes(), &code()), src).unwrap();
        assert!(kept.contains("def setup"), "{kept}");
        assert!(!kept.contains("def other"), "{kept}");
    }

    #[test]
    fn key_names_count_beside_a_file_read_only() {
        let src = "def load():\n    token = open(path).read()\n    return token\n\ndef count(tokens):\n    return len(tokens)\n\ndef thread_id(x):\n    return x.token\n";
        let kept = kept(python(src.as_bytes(), &code()), src).unwrap();
        assert!(kept.contains("def load"), "{kept}");
        assert!(!kept.contains("def count"), "{kept}");
        assert!(!kept.contains("def thread_id"), "{kept}");
        // A key's name far from the read is another statement's.
        let src = format!(
            "def cache(keys):\n    seen = {{k: 1 for k in keys}}\n{}    return open(path).read()\n",
            "    step()\n".repeat(30)
        );
        assert_eq!(python(src.as_bytes(), &code()), Some(Vec::new()));
    }

    #[test]
    fn auth_counts_as_a_name_part_and_authorization_parts_not_in_horizon() {
        let judged = |body: &str| {
            let src = format!("def f():\n    {body}\n");
            python(src.as_bytes(), &code()) != Some(Vec::new())
        };
        for body in [
            "h = {\"Authentication\": key}",
            "authHeader = make()",
            "return get(url, auth=pair)",
            "h[\"X-Auth-Token\"] = t",
            "AUTH_TOKEN = t",
            "AUTHORIZATION = t",
            "h = {\"Autorization\": t}",
        ] {
            assert!(judged(body), "{body}");
        }
        for body in [
            "return post.author",
            "self.authenticate()",
            "authorRole = 1",
            "layout.horizontal = True",
            "isHorizontal = 1",
        ] {
            assert!(!judged(body), "{body}");
        }
    }

    #[test]
    fn only_the_code_rules_follow_module_level_names() {
        let src = "client = OpenAI()\n\ndef test_chat():\n    client.chat.completions.create()\n";
        // None: the whole file is kept.
        let kept_by = |triggers: &Triggers| {
            kept(python(src.as_bytes(), triggers), src).unwrap_or_else(|| src.to_owned())
        };
        assert!(kept_by(&code()).contains("def test_chat"));
        assert!(!kept_by(&Triggers::wiring(&[])).contains("def test_chat"));
    }

    #[test]
    fn a_module_without_a_trigger_is_not_parsed() {
        let src = "import os\nLIMIT = 3\n\nif __name__ == \"__main__\":\n    main()\n";
        assert_eq!(python(src.as_bytes(), &code()), Some(Vec::new()));
        let src = "import { x } from \"./x\";\nexport const limit = 3;\n";
        assert_eq!(javascript(src.as_bytes(), &code()), Some(Vec::new()));
    }

    #[test]
    fn the_wiring_alone_looks_for_environment_reads_and_clients() {
        let src = "def test_header():\n    assert h == {\"Authorization\": \"Bearer x\"}\n\ndef test_env():\n    assert os.getenv(\"X\")\n\ndef test_client():\n    OpenAI()\n\ndef test_environment():\n    environment = 1\n";
        let kept = kept(python(src.as_bytes(), &Triggers::wiring(&[])), src).unwrap();
        assert!(!kept.contains("test_header"), "{kept}");
        assert!(kept.contains("test_env()"), "{kept}");
        assert!(kept.contains("test_client"), "{kept}");
        assert!(!kept.contains("test_environment"), "{kept}");
    }

    #[test]
    fn python_facts_of_the_parts_are_those_of_the_whole_file() {
        let src = "import os, requests\nKEY = os.environ[\"OPENAI_API_KEY\"]\n\nclass Api:\n    def size(self):\n        return sum(range(10))\n\n    def call(self):\n        return requests.post(\"https://api.openai.com/v1/chat\", headers={\"Authorization\": KEY})\n\ndef unrelated(a):\n    return [b * 2 for b in a]\n";
        let regions = python(src.as_bytes(), &code());
        assert!(regions.is_some());
        let parts = crate::code::python::facts_in(src.as_bytes(), regions.as_deref());
        let whole = crate::code::python::facts(src.as_bytes());
        assert_eq!(parts.parse_error, None);
        assert_eq!(parts.headers, whole.headers);
        assert_eq!(parts.env_reads, whole.env_reads);
        assert_eq!(parts.requests, whole.requests);
        assert_eq!(parts.assignments, whole.assignments);
    }

    #[test]
    fn parts_that_do_not_parse_fall_back_to_the_whole_file() {
        // The kept `def` is cut short, so its part does not parse: the whole file is parsed
        // and reports the error.
        let src = "def g():\n    return 1\n\ndef f(:\n    h = {\"Authorization\": k}\n";
        let regions = python(src.as_bytes(), &code());
        assert!(regions.is_some());
        let facts = crate::code::python::facts_in(src.as_bytes(), regions.as_deref());
        assert!(facts.parse_error.is_some());
    }

    #[test]
    fn javascript_gates_functions_classes_types_and_calls() {
        let src = "import OpenAI from 'openai';\nconst BASE = 'https://api.openai.com/v1';\n\nexport interface Options {\n  apiKey: string;\n}\n\nexport const sum = (a, b) => {\n  return a + b;\n};\n\nfunction models() {\n  return fetch(`${BASE}/models`, { headers: { 'X-Id': `${a}` } });\n}\n\ndescribe('sum', () => {\n  it('adds', () => expect(sum(1, 2)).toBe(3));\n});\n\nexport class Api {\n  private n = 1;\n\n  size() {\n    return /[}]/.test(s) ? 1 : 2;\n  }\n\n  client() {\n    return new OpenAI({ apiKey });\n  }\n}\n";
        let kept = kept(javascript(src.as_bytes(), &code()), src).unwrap();
        assert!(
            kept.starts_with("import OpenAI from 'openai';\nconst BASE"),
            "{kept}"
        );
        assert!(!kept.contains("interface Options"), "{kept}");
        assert!(!kept.contains("const sum"), "{kept}");
        assert!(kept.contains("function models"), "{kept}");
        assert!(!kept.contains("describe"), "{kept}");
        assert!(
            kept.contains("export class Api {\n  private n = 1;\n"),
            "{kept}"
        );
        assert!(!kept.contains("size()"), "{kept}");
        assert!(kept.contains("client()"), "{kept}");
        assert!(kept.ends_with("}\n"), "{kept}");
    }

    #[test]
    fn javascript_facts_of_the_parts_are_those_of_the_whole_file() {
        use crate::code::javascript::{facts, facts_in, Dialect};
        let src = "const key = process.env.OPENAI_API_KEY;\n\nexport function unrelated(a: number[]) {\n  return a.map((b) => `${b}`);\n}\n\nexport async function chat() {\n  return fetch('https://api.openai.com/v1/chat', {\n    headers: { Authorization: `Bearer ${key}` },\n  });\n}\n";
        let regions = javascript(src.as_bytes(), &code());
        assert!(regions.is_some());
        let parts = facts_in(src.as_bytes(), Dialect::TypeScript, regions.as_deref());
        let whole = facts(src.as_bytes(), Dialect::TypeScript);
        assert_eq!(parts.parse_error, None);
        assert_eq!(parts.headers, whole.headers);
        assert_eq!(parts.env_reads, whole.env_reads);
        assert_eq!(parts.requests, whole.requests);
    }

    #[test]
    fn a_file_with_nothing_to_judge_is_not_parsed() {
        let src = "def total(a, b):\n    return a + b\n";
        let regions = python(src.as_bytes(), &code());
        assert_eq!(regions, Some(Vec::new()));
        let facts = crate::code::python::facts_in(src.as_bytes(), regions.as_deref());
        assert!(facts.strings.is_empty() && facts.parse_error.is_none());
    }

    #[test]
    fn odd_input_gives_regions_without_panicking() {
        for src in [
            ">",
            "=>",
            "/",
            "'",
            "`${",
            "class X {",
            "}",
            "@",
            "def",
            "\\",
            "\"\"\"",
        ] {
            let _ = javascript(src.as_bytes(), &code());
            let _ = python(src.as_bytes(), &code());
        }
    }

    #[test]
    fn ranges_carry_rows_and_columns() {
        let src = b"a\nbc\ndef\n";
        let ranges = tree_sitter_ranges(src, &[2..5, 5..9]);
        assert_eq!(ranges[0].start_point, tree_sitter::Point::new(1, 0));
        assert_eq!(ranges[0].end_point, tree_sitter::Point::new(2, 0));
        assert_eq!(ranges[1].end_point, tree_sitter::Point::new(3, 0));
    }
}
