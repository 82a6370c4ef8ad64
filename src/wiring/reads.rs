//! Kinds of env reads. Only some reads make the code that holds them need a key: a read that
//! tolerates a missing variable is optional, a read inside a branch that selects one provider
//! is needed only when that provider is selected, a test that skips without the variable needs
//! nothing, and `process.env.X = "test"` is a write.

use crate::code::facts::{CodeFacts, EnvRead};
use crate::file_kind::FileKind;
use crate::file_role::test_path;

/// What a read asks of the code's environment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ReadKind {
    /// The code fails without the variable, or hands it to an SDK client as its key.
    Required,
    /// The code carries on without it: a default, a presence test, a fallback.
    Optional,
    /// Needed only when the named provider is selected (`elif provider == "deepseek":`).
    Provider(String),
    /// A test that skips itself without the variable.
    Guarded,
    /// The code sets or deletes the variable.
    Write,
}

impl ReadKind {
    /// Whether the read makes every unit that runs it need the variable.
    pub fn required(&self) -> bool {
        matches!(self, ReadKind::Required)
    }
}

/// The facts of one file that decide the kind of its reads.
pub struct ReadContext<'a> {
    pub path: &'a str,
    pub kind: FileKind,
    pub bytes: &'a [u8],
    pub facts: &'a CodeFacts,
    /// For a test file, the lines that have a skip on them or on one of the two lines after,
    /// joined: worked out once per file, not once per read. None for other files.
    guarded_lines: std::cell::OnceCell<Option<String>>,
}

impl<'a> ReadContext<'a> {
    pub fn new(path: &'a str, kind: FileKind, bytes: &'a [u8], facts: &'a CodeFacts) -> Self {
        ReadContext {
            path,
            kind,
            bytes,
            facts,
            guarded_lines: std::cell::OnceCell::new(),
        }
    }

    /// A test that skips when the variable is missing: a line naming it also says skip, or
    /// one of the two lines after it does (`@pytest.mark.skipif(not os.getenv("X"), ...)`,
    /// `it.skipIf(!process.env.X)`, `t.Skip` beside `os.Getenv("X")`).
    fn skips_without(&self, variable: &str) -> bool {
        self.guarded_lines
            .get_or_init(|| test_path(self.path).then(|| guarded_lines(self.bytes)))
            .as_ref()
            .is_some_and(|lines| lines.contains(variable))
    }
}

/// The kind of a direct read; `feeds_client` says whether its value becomes an SDK client's key.
pub fn read_kind(cx: &ReadContext, read: &EnvRead, feeds_client: bool) -> ReadKind {
    if is_write(cx, read) {
        return ReadKind::Write;
    }
    if cx.skips_without(&read.name) {
        return ReadKind::Guarded;
    }
    if cx.kind == FileKind::Python {
        if let Some(kind) = python_branch_kind(cx.bytes, read.span.start, &read.name) {
            return kind;
        }
    }
    let soft = soft_read(&read.how) || js_env(&read.how) && !asserted(cx.bytes, read.span.end);
    if soft && (!feeds_client || has_default(cx.bytes, read)) {
        return ReadKind::Optional;
    }
    ReadKind::Required
}

/// The kind of an SDK client's default read (`OpenAI()` reads OPENAI_API_KEY).
pub fn client_kind(cx: &ReadContext, offset: usize, variable: &str) -> ReadKind {
    if cx.kind == FileKind::Python {
        if let Some(kind) = python_branch_kind(cx.bytes, offset, variable) {
            return kind;
        }
    }
    ReadKind::Required
}

/// Whether a Python read at `offset` runs when its module is imported: no `def`, `class` or
/// `lambda` encloses it.
pub fn python_top_level(bytes: &[u8], offset: usize) -> bool {
    !enclosing_headers(bytes, offset)
        .iter()
        .any(|h| h.keyword == "def" || h.keyword == "class" || h.text.contains("lambda"))
}

/// Reads that tolerate a missing variable: `os.getenv`, `os.environ.get`, `os.Getenv`,
/// `os.LookupEnv`, `Deno.env.get`, settings helpers named `config`.
fn soft_read(how: &str) -> bool {
    how.ends_with("getenv")
        || how.ends_with(".get")
        || how.ends_with("Getenv")
        || how.ends_with("LookupEnv")
        || how.ends_with("config")
}

/// `process.env.X` and `import.meta.env.X` give `undefined` when unset: optional, unless the
/// value goes straight into a client's key.
fn js_env(how: &str) -> bool {
    how.starts_with("process.env") || how.starts_with("import.meta.env")
}

/// `process.env.X!`: the author asserts that it is set.
fn asserted(bytes: &[u8], end: usize) -> bool {
    bytes.get(end) == Some(&b'!') && bytes.get(end + 1) != Some(&b'=')
}

/// `os.getenv("X", "fallback")`: a second argument is a default.
fn has_default(bytes: &[u8], read: &EnvRead) -> bool {
    let text = &bytes[read.span.start.min(bytes.len())..read.span.end.min(bytes.len())];
    let Some(open) = text.iter().position(|&b| b == b'(') else {
        return false;
    };
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    for &b in &text[open + 1..] {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'(' | b'[' | b'{') => depth += 1,
            (None, b')' | b']' | b'}') if depth == 0 => return false,
            (None, b')' | b']' | b'}') => depth -= 1,
            (None, b',') if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// `os.environ["X"] = ...`, `process.env.X = ...`, `delete process.env.X`.
fn is_write(cx: &ReadContext, read: &EnvRead) -> bool {
    let assigned = cx
        .facts
        .assignments
        .iter()
        .any(|a| a.target_span.start <= read.span.start && read.span.end <= a.target_span.end);
    let before = &cx.bytes[..read.span.start.min(cx.bytes.len())];
    let before = before.trim_ascii_end();
    assigned || before.ends_with(b"delete") || before.ends_with(b"del")
}

/// Variables the code sets through a call: `monkeypatch.setenv("X", ...)`, `os.putenv`,
/// Go's `t.Setenv`, vitest's `vi.stubEnv`.
pub fn set_by_calls(bytes: &[u8]) -> Vec<String> {
    use std::sync::OnceLock;
    static SET: OnceLock<regex::bytes::Regex> = OnceLock::new();
    let set = SET.get_or_init(|| {
        regex::bytes::Regex::new(
            r#"(?:setenv|Setenv|putenv|stubEnv|set_env)\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']"#,
        )
        .expect("valid regex")
    });
    set.captures_iter(bytes)
        .map(|c| String::from_utf8_lossy(&c[1]).into_owned())
        .collect()
}

/// The lines with a skip on them or on one of the two lines after, one per line.
fn guarded_lines(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    let skips: Vec<bool> = lines
        .iter()
        .map(|l| l.to_ascii_lowercase().contains("skip"))
        .collect();
    let mut guarded = String::new();
    for (i, line) in lines.iter().enumerate() {
        if skips[i..(i + 3).min(lines.len())].contains(&true) {
            guarded.push_str(line);
            guarded.push('\n');
        }
    }
    guarded
}

/// A Python block header enclosing a line.
#[derive(Debug)]
struct Header<'a> {
    keyword: &'a str,
    text: &'a str,
    /// An `if`/`elif` before the enclosing `elif`/`else`: the read is not in its branch.
    sibling: bool,
}

/// The block headers enclosing `offset`, innermost first, found by indentation. The `if` and
/// `elif` headers before an enclosing `elif` or `else` are included: they decide it too.
fn enclosing_headers(bytes: &[u8], offset: usize) -> Vec<Header<'_>> {
    let before = &bytes[..offset.min(bytes.len())];
    let mut lines = before
        .rsplit(|&b| b == b'\n')
        .map(|line| std::str::from_utf8(line).unwrap_or(""));
    let Some(current) = lines.next() else {
        return Vec::new();
    };
    let mut indent = indentation(current);
    let mut headers = Vec::new();
    // A statement at the top level has no enclosing block.
    if indent == 0 {
        return headers;
    }
    let mut chain_indent: Option<usize> = None;
    for line in lines {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let this = indentation(line);
        let keyword = trimmed
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .next()
            .unwrap_or("");
        if chain_indent == Some(this) && matches!(keyword, "if" | "elif") {
            headers.push(Header {
                keyword,
                text: trimmed,
                sibling: true,
            });
            if keyword == "if" {
                chain_indent = None;
            }
            continue;
        }
        if this >= indent {
            continue;
        }
        indent = this;
        chain_indent = matches!(keyword, "elif" | "else").then_some(this);
        let keyword = match keyword {
            "async" => trimmed[5..].split_whitespace().next().unwrap_or(""),
            _ => keyword,
        };
        headers.push(Header {
            keyword,
            text: trimmed,
            sibling: false,
        });
        if this == 0 {
            break;
        }
    }
    headers
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// The kind a Python read gets from the branches around it: inside `if "X" in os.environ:` or
/// `if os.getenv("X"):` it is optional; in an `except` handler it is a fallback (optional);
/// inside a branch that names a provider (`elif provider == "deepseek":`, `if not azure:`,
/// `case "azure_openai":`) it is that provider's.
fn python_branch_kind(bytes: &[u8], offset: usize, variable: &str) -> Option<ReadKind> {
    let word = provider_word(variable);
    for header in enclosing_headers(bytes, offset) {
        match header.keyword {
            "def" | "class" => break,
            "except" => return Some(ReadKind::Optional),
            "if" | "elif" | "case" => {
                if header.keyword != "case" && !header.sibling && header.text.contains(variable) {
                    return Some(ReadKind::Optional);
                }
                match provider_test(header.text, &word) {
                    Some(provider) if provider == word || !header.sibling => {
                        return Some(ReadKind::Provider(provider))
                    }
                    // `else:` after `if provider == "openai":`: some other provider.
                    Some(_) => return Some(ReadKind::Provider(String::new())),
                    None => {}
                }
            }
            _ => {}
        }
    }
    None
}

/// The provider a branch condition selects: the variable's provider word when the condition
/// names it, else the string it compares with (`provider == "claude"`, `case "azure":`).
fn provider_test(condition: &str, word: &str) -> Option<String> {
    let lower = condition.to_ascii_lowercase();
    if !word.is_empty() && lower.contains(word) {
        return Some(word.to_owned());
    }
    let compared = lower.contains("==") || lower.starts_with("case ") || lower.contains(" in (");
    if !compared {
        return None;
    }
    let quote = lower.find(['"', '\''])?;
    let q = lower.as_bytes()[quote];
    let rest = &lower[quote + 1..];
    let end = rest.find(q as char)?;
    let literal = &rest[..end];
    let plain = !literal.is_empty()
        && literal
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    plain.then(|| literal.to_owned())
}

/// `DEEPSEEK_API_KEY` → `deepseek`: the provider a key variable belongs to, by its first word.
pub fn provider_word(variable: &str) -> String {
    let word = variable.split('_').next().unwrap_or("");
    if word.len() < 3 {
        return String::new();
    }
    word.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(String, ReadKind)> {
        let facts = crate::code::python::facts(src.as_bytes());
        let cx = ReadContext::new("app/llm.py", FileKind::Python, src.as_bytes(), &facts);
        facts
            .env_reads
            .iter()
            .map(|r| (r.name.clone(), read_kind(&cx, r, false)))
            .collect()
    }

    #[test]
    fn python_reads_by_branch() {
        let src = "import os\n\
            KEY = os.environ[\"OPENAI_API_KEY\"]\n\
            def make(provider):\n\
            \x20   if provider == \"openai\":\n\
            \x20       return os.environ[\"OPENAI_API_KEY\"]\n\
            \x20   elif provider == \"claude\":\n\
            \x20       return os.environ[\"ANTHROPIC_API_KEY\"]\n\
            \x20   else:\n\
            \x20       return os.environ[\"GROQ_API_KEY\"]\n\
            if \"MISTRAL_API_KEY\" in os.environ:\n\
            \x20   m = os.environ[\"MISTRAL_API_KEY\"]\n\
            try:\n\
            \x20   x = 1\n\
            except KeyError:\n\
            \x20   y = os.environ[\"COHERE_API_KEY\"]\n\
            d = os.getenv(\"XAI_API_KEY\", \"none\")\n\
            os.environ[\"TOGETHER_API_KEY\"] = \"x\"\n";
        let got = kinds(src);
        assert_eq!(
            got,
            [
                ("OPENAI_API_KEY".into(), ReadKind::Required),
                ("OPENAI_API_KEY".into(), ReadKind::Provider("openai".into())),
                (
                    "ANTHROPIC_API_KEY".into(),
                    ReadKind::Provider("claude".into())
                ),
                ("GROQ_API_KEY".into(), ReadKind::Provider(String::new())),
                ("MISTRAL_API_KEY".into(), ReadKind::Optional),
                ("COHERE_API_KEY".into(), ReadKind::Optional),
                ("XAI_API_KEY".into(), ReadKind::Optional),
            ]
        );
    }

    #[test]
    fn javascript_reads_are_optional_unless_a_client_takes_them() {
        let src = "process.env.OPENAI_API_KEY = 'test';\n\
            delete process.env.GROQ_API_KEY;\n\
            const a = !!process.env.ANTHROPIC_API_KEY;\n\
            const b = process.env.MISTRAL_API_KEY!;\n";
        let facts = crate::code::javascript::facts(
            src.as_bytes(),
            crate::code::javascript::Dialect::TypeScript,
        );
        let cx = ReadContext::new("src/app.ts", FileKind::TypeScript, src.as_bytes(), &facts);
        let got: Vec<(String, ReadKind)> = facts
            .env_reads
            .iter()
            .map(|r| (r.name.clone(), read_kind(&cx, r, false)))
            .collect();
        assert_eq!(
            got,
            [
                ("OPENAI_API_KEY".into(), ReadKind::Write),
                ("GROQ_API_KEY".into(), ReadKind::Write),
                ("ANTHROPIC_API_KEY".into(), ReadKind::Optional),
                ("MISTRAL_API_KEY".into(), ReadKind::Required),
            ]
        );
    }

    #[test]
    fn top_level_by_indentation() {
        let src = b"import os\nA = os.environ['X']\ndef f():\n    return os.environ['Y']\n";
        assert!(python_top_level(src, 20));
        assert!(!python_top_level(src, src.len() - 5));
    }
}
