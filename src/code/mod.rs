//! Source-code front-ends and the facts they extract (see `facts`).

/// Gives `Node` a `kind_name()` that looks the kind up by id in a table made once for
/// `$language`: `Node::kind` measures and checks the kind's C string on every call, and a walk
/// asks for kinds millions of times. For front-ends with one grammar.
macro_rules! kind_names {
    ($language:expr) => {
        trait KindName<'tree> {
            fn kind_name(&self) -> &'tree str;
        }

        impl<'tree> KindName<'tree> for tree_sitter::Node<'tree> {
            fn kind_name(&self) -> &'tree str {
                static NAMES: std::sync::OnceLock<Vec<Box<str>>> = std::sync::OnceLock::new();
                let names = NAMES.get_or_init(|| $crate::code::kind_table(&$language.into()));
                match names.get(usize::from(self.kind_id())) {
                    Some(name) => name,
                    // `ERROR` has an id beyond the table.
                    None => self.kind(),
                }
            }
        }

        /// `child_by_field_name` with the field's id found in a sorted table made once, not
        /// by comparing the name with every field name of the grammar on each call.
        trait Field<'tree> {
            fn field(&self, name: &str) -> Option<tree_sitter::Node<'tree>>;
        }

        impl<'tree> Field<'tree> for tree_sitter::Node<'tree> {
            fn field(&self, name: &str) -> Option<tree_sitter::Node<'tree>> {
                static FIELDS: std::sync::OnceLock<$crate::code::FieldTable> =
                    std::sync::OnceLock::new();
                let fields = FIELDS.get_or_init(|| $crate::code::field_table(&$language.into()));
                $crate::code::field_id(fields, name).and_then(|id| self.child_by_field_id(id))
            }
        }
    };
}

pub mod facts;
pub mod go;
pub mod http;
pub mod javascript;
pub mod notebook;
pub mod python;
pub mod regions;
pub mod rust;
pub mod shell;

use crate::file_kind::FileKind;
use crate::parse::{dockerfile, yaml};
use facts::{CodeFacts, OffsetMap};
use tree_sitter::Node;

/// A grammar's node kind names, indexed by kind id (see `kind_names!`).
pub(crate) fn kind_table(language: &tree_sitter::Language) -> Vec<Box<str>> {
    (0..language.node_kind_count())
        .map(|id| language.node_kind_for_id(id as u16).unwrap_or("").into())
        .collect()
}

/// Field names with their ids, sorted by name.
pub(crate) type FieldTable = Vec<(Box<str>, u16)>;

/// A grammar's `FieldTable` (see `kind_names!`).
pub(crate) fn field_table(language: &tree_sitter::Language) -> FieldTable {
    let count = u16::try_from(language.field_count()).unwrap_or(u16::MAX);
    let mut fields: Vec<(Box<str>, u16)> = (1..=count)
        .filter_map(|id| Some((language.field_name_for_id(id)?.into(), id)))
        .collect();
    fields.sort_unstable();
    fields
}

/// The id of a field name in a `field_table`.
pub(crate) fn field_id(table: &[(Box<str>, u16)], name: &str) -> Option<u16> {
    table
        .binary_search_by(|(field, _)| (**field).cmp(name))
        .ok()
        .map(|at| table[at].1)
}

/// Every node of a tree, in document order (for tests of the front-ends' tables).
#[cfg(test)]
pub(crate) fn each_node(tree: &tree_sitter::Tree, mut visit: impl FnMut(Node)) {
    let mut cursor = tree.walk();
    loop {
        visit(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// How deeply the constructs that nest inside strings (shell `$(...)`, `${...}` and quotes, JS
/// template substitutions) may nest before a file is scanned as text only. Real code stays
/// under ten; the front-ends copy each such construct's text once per enclosing one, so the
/// limit keeps their cost linear.
pub(crate) const MAX_NESTING: usize = 32;

/// The note of a file whose nesting passes `MAX_NESTING`.
pub(crate) fn too_deep() -> String {
    format!("nesting deeper than {MAX_NESTING} levels")
}

/// Whether more than `MAX_NESTING` nodes for which `nests` holds enclose one another anywhere
/// under `root`. One cursor walk, no recursion.
pub(crate) fn nests_too_deep(root: Node, nests: impl Fn(&str) -> bool) -> bool {
    let mut cursor = root.walk();
    // Per node on the path from the root: whether it counts.
    let mut path: Vec<bool> = Vec::new();
    let mut depth = 0usize;
    loop {
        let counts = nests(cursor.node().kind());
        if counts {
            depth += 1;
            if depth > MAX_NESTING {
                return true;
            }
        }
        path.push(counts);
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if path.pop() == Some(true) {
                depth -= 1;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
        }
    }
}

/// Deepest bracket nesting parsed in Go, JavaScript and TypeScript. The walks do not recurse,
/// but a file nesting deeper than any real code spends seconds building and walking its tree:
/// it is scanned as text only.
pub(crate) const MAX_BRACKETS: usize = 256;

/// The note of a file whose brackets nest past `MAX_BRACKETS`.
pub(crate) fn brackets_too_deep() -> String {
    format!("nesting deeper than {MAX_BRACKETS} levels")
}

/// Whether brackets nest deeper than `MAX_BRACKETS` outside `//` and `/* */` comments and
/// `"…"`, `'…'` and `` `…` `` literals: Go strings and runes, or with `templates` JavaScript
/// strings and template literals, whose `${…}` substitutions count as a level and are read as
/// code. A miscount (a regular expression's brackets) only moves the limit; it never makes a
/// parse unsafe.
pub(crate) fn brackets_nest_too_deep(source: &[u8], templates: bool) -> bool {
    let mut depth = 0usize;
    // The depth at which each open `${` of a template literal opened: its `}` goes back to
    // the template's text.
    let mut substitutions: Vec<usize> = Vec::new();
    let mut at = 0;
    // Reads template text from `at`; when it stops at a `${`, that opens a level.
    let template = |at: &mut usize, depth: &mut usize, substitutions: &mut Vec<usize>| {
        let opened;
        (*at, opened) = template_text(source, *at);
        if opened {
            *depth += 1;
            substitutions.push(*depth);
        }
    };
    while let Some(&c) = source.get(at) {
        at += 1;
        match c {
            b'/' if source.get(at) == Some(&b'/') => {
                while source.get(at).is_some_and(|c| *c != b'\n') {
                    at += 1;
                }
            }
            b'/' if source.get(at) == Some(&b'*') => {
                at += 1;
                while at < source.len() && !source[at..].starts_with(b"*/") {
                    at += 1;
                }
                at += 2;
            }
            b'`' if templates => template(&mut at, &mut depth, &mut substitutions),
            b'`' => {
                while source.get(at).is_some_and(|c| *c != b'`') {
                    at += 1;
                }
                at += 1;
            }
            b'"' | b'\'' => {
                while let Some(&d) = source.get(at) {
                    at += 1;
                    if d == b'\\' {
                        at += 1;
                    } else if d == c || d == b'\n' {
                        break;
                    }
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b'}' if substitutions.last() == Some(&depth) => {
                substitutions.pop();
                depth -= 1;
                template(&mut at, &mut depth, &mut substitutions);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_BRACKETS {
            return true;
        }
    }
    false
}

/// Skips a template literal's text from `at`: to just past its closing backtick (false), or
/// just past a `${` that opens a substitution (true).
fn template_text(source: &[u8], mut at: usize) -> (usize, bool) {
    while let Some(&c) = source.get(at) {
        match c {
            b'\\' => at += 2,
            b'`' => return (at + 1, false),
            b'$' if source.get(at + 1) == Some(&b'{') => return (at + 2, true),
            _ => at += 1,
        }
    }
    (source.len(), false)
}

/// The facts of a source file, or None for files that are not source code. Shell embedded in
/// Dockerfile `RUN` instructions and CI scripts is parsed too, with positions mapped back.
/// With `triggers`, a Python, JavaScript or TypeScript file is parsed only in the parts they
/// point to (see `regions`).
pub fn facts_for(
    kind: FileKind,
    path: &str,
    bytes: &[u8],
    triggers: Option<&regions::Triggers>,
) -> Option<CodeFacts> {
    if kind.is_source() && std::str::from_utf8(bytes).is_err() {
        return Some(unparsed("not valid UTF-8".to_owned()));
    }
    let facts = match (kind, triggers) {
        (FileKind::Python, Some(triggers)) => {
            python::facts_in(bytes, regions::python(bytes, triggers).as_deref())
        }
        (FileKind::JavaScript | FileKind::TypeScript, Some(triggers)) => {
            let regions = regions::javascript(bytes, triggers);
            javascript::facts_in(bytes, dialect(kind, path), regions.as_deref())
        }
        _ => whole_file_facts(kind, path, bytes)?,
    };
    // A file whose parsed parts do not parse gives no structural finding: a half-understood
    // file would give false ones. (It is still scanned as text for keys.)
    Some(match facts.parse_error {
        Some(error) => unparsed(error),
        None => facts,
    })
}

/// Facts that say only why the file was not parsed (`facts_for` turns them into `unparsed`).
fn failed(error: String) -> CodeFacts {
    CodeFacts {
        parse_error: Some(error),
        ..CodeFacts::default()
    }
}

fn unparsed(error: String) -> CodeFacts {
    CodeFacts {
        parse_error: Some(format!("{error}; scanned as text only")),
        ..CodeFacts::default()
    }
}

/// The grammar of a JavaScript or TypeScript file.
fn dialect(kind: FileKind, path: &str) -> javascript::Dialect {
    let tsx = path
        .rsplit('.')
        .next()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("tsx"));
    match kind {
        FileKind::TypeScript if tsx => javascript::Dialect::Tsx,
        FileKind::TypeScript => javascript::Dialect::TypeScript,
        _ => javascript::Dialect::JavaScript,
    }
}

fn whole_file_facts(kind: FileKind, path: &str, bytes: &[u8]) -> Option<CodeFacts> {
    Some(match kind {
        FileKind::Python => python::facts(bytes),
        FileKind::Notebook => notebook::facts(bytes),
        FileKind::JavaScript | FileKind::TypeScript => {
            javascript::facts(bytes, dialect(kind, path))
        }
        FileKind::Go => go::facts(bytes),
        FileKind::Rust => rust::facts(bytes),
        FileKind::Shell => shell::facts(bytes),
        FileKind::Http => http::facts(bytes),
        FileKind::Dockerfile => dockerfile_facts(bytes),
        FileKind::GithubWorkflow | FileKind::GitlabCi => ci_facts(kind, bytes),
        _ => return None,
    })
}

/// The shell of every `RUN` instruction (shell form), positions mapped into the Dockerfile.
fn dockerfile_facts(bytes: &[u8]) -> CodeFacts {
    let mut all = CodeFacts::default();
    for instruction in dockerfile::parse(bytes).instructions {
        let dockerfile::InstructionKind::Run(run) = instruction.kind else {
            continue;
        };
        if run.exec_form || run.script.is_empty() {
            continue;
        }
        let mut script = String::new();
        let mut map = OffsetMap::default();
        for piece in &run.script {
            // Text decoded lossily can be longer than its bytes: map no further than the piece.
            let len = piece.text.len().min(piece.span.len());
            map.segments.push((script.len(), piece.span.start, len));
            script.push_str(&piece.text);
            script.push('\n');
        }
        // A fragment that does not parse in full still gives what was understood; one that
        // cannot be read at all (too deep) leaves the whole file to the text scan.
        let mut facts = match shell::fragment_facts(script.as_bytes()) {
            Ok(facts) => facts,
            Err(error) => return failed(error),
        };
        facts.remap(&map);
        all.merge(facts);
    }
    all
}

/// The shell of CI `run:` / `script:` blocks, positions mapped into the YAML file.
fn ci_facts(kind: FileKind, bytes: &[u8]) -> CodeFacts {
    let mut all = CodeFacts::default();
    let Ok(text) = std::str::from_utf8(bytes) else {
        return all;
    };
    let Ok(docs) = yaml::parse(text) else {
        return all;
    };
    for doc in &docs {
        let file = match kind {
            FileKind::GitlabCi => crate::config::ci::gitlab_structure(doc),
            _ => crate::config::ci::github_structure(doc),
        };
        for script in file.jobs.iter().flat_map(|job| &job.scripts) {
            // `${{ secrets.X }}` is not shell; what was understood still counts.
            let mut facts = match shell::fragment_facts(script.text.as_bytes()) {
                Ok(facts) => facts,
                Err(error) => return failed(error),
            };
            let map = align_lines(bytes, &script.text, script.span.start);
            facts.remap(&map);
            all.merge(facts);
        }
    }
    all
}

/// How far past the previous line (per line break in between, up to `ALIGN_BREAKS` of them) the
/// next line of a block scalar is looked for: room for a line break and the block's indentation.
const ALIGN_SLACK: usize = 256;
const ALIGN_BREAKS: usize = 8;

/// Where each line of a block scalar's text stands in the file: the text drops the block's
/// indentation, so each line is found again just after the previous one. The search is bounded
/// (a line not found, as in a quoted scalar with escapes, maps to the next one found), so the
/// cost stays linear in the file.
fn align_lines(file: &[u8], text: &str, from: usize) -> OffsetMap {
    let mut map = OffsetMap::default();
    let mut cursor = from;
    let mut offset = 0;
    let mut breaks = 1;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        if !content.is_empty() {
            let end = cursor
                .saturating_add(content.len() + ALIGN_SLACK * breaks)
                .min(file.len());
            let found = file
                .get(cursor..end)
                .and_then(|window| find(window, content.as_bytes()))
                .map(|at| cursor + at);
            if let Some(at) = found {
                map.segments.push((offset, at, content.len()));
                cursor = at + content.len();
                breaks = 0;
            }
        }
        breaks = (breaks + 1).min(ALIGN_BREAKS);
        offset += line.len();
    }
    map
}

/// The first place `needle` (not empty) stands in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = haystack.len().checked_sub(needle.len())?;
    (0..=last_start)
        .find(|&at| haystack[at] == first && &haystack[at + 1..at + needle.len()] == rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_substitutions_count_as_levels_and_their_text_does_not() {
        let templates = |n: usize| format!("x = {}k{};", "`${".repeat(n), "}`".repeat(n));
        assert!(!brackets_nest_too_deep(
            templates(MAX_BRACKETS).as_bytes(),
            true
        ));
        assert!(brackets_nest_too_deep(
            templates(MAX_BRACKETS + 1).as_bytes(),
            true
        ));
        // Brackets in a template's text, or closed inside a substitution, do not add up.
        let text = format!("x = `{}`;", "(".repeat(MAX_BRACKETS + 1));
        assert!(!brackets_nest_too_deep(text.as_bytes(), true));
        let closed = "y = `a${ f({}) }b${ [1] }c`;\n".repeat(MAX_BRACKETS + 1);
        assert!(!brackets_nest_too_deep(closed.as_bytes(), true));
        // In Go a backtick quotes raw text: `${` there is text.
        assert!(!brackets_nest_too_deep(
            templates(MAX_BRACKETS + 1).as_bytes(),
            false
        ));
    }

    #[test]
    fn block_scalar_lines_map_back() {
        let file = b"steps:\n  - run: |\n      echo one\n      curl x\n";
        let text = "echo one\ncurl x\n";
        let start = find(file, b"echo").unwrap();
        let map = align_lines(file, text, start);
        let curl = text.find("curl").unwrap();
        let at = map.offset(curl);
        assert_eq!(&file[at..at + 4], b"curl");
    }

    #[test]
    fn a_line_not_found_is_looked_for_near_the_cursor_only() {
        // "b" stands 10 KB on: past the window, so it maps to nothing rather than there.
        let mut file = b"run: |\n  a\n  c\n".to_vec();
        file.extend(vec![b' '; 10_000]);
        file.extend(b"b\n");
        let start = find(&file, b"a").unwrap();
        let map = align_lines(&file, "a\nb\nc\n", start);
        let c = find(&file, b"c").unwrap();
        assert_eq!(map.segments, [(0, start, 1), (4, c, 1)]);
    }

    #[test]
    fn nesting_is_counted_along_each_path() {
        let parse =
            |src: &str| javascript::parse(src.as_bytes(), &tree_sitter_bash::LANGUAGE.into());
        let substitution = |kind: &str| kind == "command_substitution";
        let deep = |n: usize| format!("x={}y{}", "$(".repeat(n), ")".repeat(n));
        let limit = parse(&deep(MAX_NESTING)).unwrap();
        assert!(!nests_too_deep(limit.root_node(), substitution));
        let past = parse(&deep(MAX_NESTING + 1)).unwrap();
        assert!(nests_too_deep(past.root_node(), substitution));
        // Siblings do not add up.
        let wide = parse(&deep(MAX_NESTING).repeat(3)).unwrap();
        assert!(!nests_too_deep(wide.root_node(), substitution));
    }
}
