//! The Jupyter notebook front-end: every code cell's source goes through the Python front-end,
//! and every span is mapped back to the characters inside the `.ipynb` JSON strings.
//!
//! serde_json validates the notebook; a small scanner over the raw JSON text then finds each
//! cell's `source` (or nbformat 3 `input`) strings in order, decodes them, and records an
//! `OffsetMap` with one segment per run of unescaped characters (a JSON escape is a zero-length
//! segment at its backslash, so a span starting at an escaped character starts at the
//! backslash).
//!
//! IPython magics (`%pip ...`, `!ls`) are replaced, byte for byte, by a `0` statement so the
//! cell still parses and statement indices still count them; `%dotenv` is a dotenv load.
//! Cells under a non-Python cell magic (`%%bash`, `%%writefile`, ...) are skipped.

use std::ops::Range;

use super::facts::{CodeFacts, DotenvLoad, OffsetMap};
use super::python;

/// Cell magics whose body is Python.
const PYTHON_CELL_MAGICS: &[&str] = &[
    "time", "timeit", "capture", "prun", "debug", "python", "python3", "ipython",
];

/// The facts of one notebook.
pub fn facts(source: &[u8]) -> CodeFacts {
    let value: serde_json::Value = match serde_json::from_slice(source) {
        Ok(value) => value,
        Err(error) => {
            return CodeFacts {
                parse_error: Some(format!("invalid notebook JSON: {error}")),
                ..CodeFacts::default()
            }
        }
    };
    if !python_notebook(&value) {
        return CodeFacts::default();
    }
    let Some(cells) = scan_cells(source) else {
        return CodeFacts {
            parse_error: Some("unexpected notebook JSON layout".to_string()),
            ..CodeFacts::default()
        };
    };
    let mut merged = CodeFacts::default();
    let mut base = 0;
    for (index, cell) in cells.iter().enumerate() {
        if cell.cell_type != "code" {
            continue;
        }
        let (mut code, map) = decode_cell(source, &cell.sources);
        let Some(magics) = neutralize_magics(&mut code) else {
            continue;
        };
        let (mut facts, statements) = python::facts_with_statements(&code);
        for magic in magics.iter().filter(|magic| magic.dotenv) {
            let top_level = statements
                .iter()
                .position(|statement| statement.contains(&magic.span.start))
                .unwrap_or_else(|| {
                    statements
                        .iter()
                        .filter(|statement| statement.start < magic.span.start)
                        .count()
                });
            facts.dotenv_loads.push(DotenvLoad {
                span: magic.span.clone(),
                top_level: Some(top_level),
            });
        }
        facts
            .dotenv_loads
            .sort_by_key(|load| (load.span.start, load.span.end));
        shift_top_levels(&mut facts, base);
        facts.remap(&map);
        base += statements.len();
        // Name the cell in its parse error.
        facts.parse_error = facts
            .parse_error
            .map(|error| format!("cell {}: {error}", index + 1));
        merged.merge(facts);
    }
    merged
}

/// False when the notebook says its kernel is not Python.
fn python_notebook(value: &serde_json::Value) -> bool {
    let metadata = &value["metadata"];
    let language = metadata["kernelspec"]["language"]
        .as_str()
        .or_else(|| metadata["language_info"]["name"].as_str());
    language.is_none_or(|language| language.eq_ignore_ascii_case("python"))
}

fn shift_top_levels(facts: &mut CodeFacts, base: usize) {
    let shift = |top: &mut Option<usize>| {
        if let Some(index) = top {
            *index += base;
        }
    };
    facts
        .clients
        .iter_mut()
        .for_each(|c| shift(&mut c.top_level));
    facts
        .assignments
        .iter_mut()
        .for_each(|a| shift(&mut a.top_level));
    facts
        .dotenv_loads
        .iter_mut()
        .for_each(|d| shift(&mut d.top_level));
}

// ----- magics ------------------------------------------------------------------------------

struct Magic {
    span: Range<usize>,
    dotenv: bool,
}

/// Replaces each magic line by `0` and spaces (same length). None when the cell is under a
/// non-Python cell magic.
fn neutralize_magics(code: &mut [u8]) -> Option<Vec<Magic>> {
    let mut magics = Vec::new();
    let mut line_start = 0;
    let mut first_line = true;
    while line_start < code.len() {
        let line_end = code[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(code.len(), |p| line_start + p);
        let start = line_start
            + code[line_start..line_end]
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .count();
        if start < line_end && matches!(code[start], b'%' | b'!') {
            let mut end = line_end;
            while end > start && matches!(code[end - 1], b'\r' | b' ' | b'\t') {
                end -= 1;
            }
            let line = String::from_utf8_lossy(&code[start..end]).into_owned();
            if first_line && line.starts_with("%%") {
                let name = line[2..].split_whitespace().next().unwrap_or_default();
                if !PYTHON_CELL_MAGICS.contains(&name) {
                    return None;
                }
            }
            let dotenv = line
                .strip_prefix("%dotenv")
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
            magics.push(Magic {
                span: start..end,
                dotenv,
            });
            code[start] = b'0';
            for byte in &mut code[start + 1..end] {
                *byte = b' ';
            }
        }
        if start < line_end {
            first_line = false;
        }
        line_start = line_end + 1;
    }
    Some(magics)
}

// ----- the JSON scanner ---------------------------------------------------------------------

/// A cell as found in the raw JSON: its type and the content ranges of its source strings.
#[derive(Debug, Default)]
struct Cell {
    cell_type: String,
    sources: Vec<Range<usize>>,
}

/// Every object with a `cell_type`, in document order (nbformat 4 `cells`, nbformat 3
/// `worksheets[].cells`).
fn scan_cells(json: &[u8]) -> Option<Vec<Cell>> {
    let mut scanner = Scanner {
        json,
        at: 0,
        cells: Vec::new(),
    };
    scanner.value(0)?;
    Some(scanner.cells)
}

struct Scanner<'a> {
    json: &'a [u8],
    at: usize,
    cells: Vec<Cell>,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while self
            .json
            .get(self.at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.json.get(self.at).copied()
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > 512 {
            return None;
        }
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => {
                self.at += 1;
                loop {
                    match self.peek()? {
                        b']' => {
                            self.at += 1;
                            return Some(());
                        }
                        b',' => self.at += 1,
                        _ => self.value(depth + 1)?,
                    }
                }
            }
            b'"' => self.string().map(|_| ()),
            _ => {
                while self.json.get(self.at).is_some_and(|b| {
                    !matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n')
                }) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }

    /// A string at the cursor; returns its content range (between the quotes).
    fn string(&mut self) -> Option<Range<usize>> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.at + 1;
        let mut i = start;
        loop {
            match *self.json.get(i)? {
                b'\\' => i += 2,
                b'"' => break,
                _ => i += 1,
            }
        }
        self.at = i + 1;
        Some(start..i)
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        self.at += 1;
        let mut cell_type: Option<String> = None;
        let mut sources: Option<Vec<Range<usize>>> = None;
        loop {
            match self.peek()? {
                b'}' => {
                    self.at += 1;
                    break;
                }
                b',' => {
                    self.at += 1;
                    continue;
                }
                _ => {}
            }
            let key = self.string()?;
            let key = decode(self.json, &key).0;
            if self.peek()? != b':' {
                return None;
            }
            self.at += 1;
            let next = self.peek()?;
            match key.as_slice() {
                b"cell_type" if next == b'"' => {
                    let range = self.string()?;
                    cell_type = Some(String::from_utf8_lossy(&decode(self.json, &range).0).into());
                }
                b"source" | b"input" if next == b'"' => {
                    sources = Some(vec![self.string()?]);
                }
                b"source" | b"input" if next == b'[' => {
                    self.at += 1;
                    let mut list = Vec::new();
                    loop {
                        match self.peek()? {
                            b']' => {
                                self.at += 1;
                                break;
                            }
                            b',' => self.at += 1,
                            b'"' => list.push(self.string()?),
                            _ => self.value(depth + 1)?,
                        }
                    }
                    sources = Some(list);
                }
                _ => self.value(depth + 1)?,
            }
        }
        if let Some(cell_type) = cell_type {
            self.cells.push(Cell {
                cell_type,
                sources: sources.unwrap_or_default(),
            });
        }
        Some(())
    }
}

/// Decodes the JSON strings of a cell's source into its code and the map back to the file.
fn decode_cell(json: &[u8], sources: &[Range<usize>]) -> (Vec<u8>, OffsetMap) {
    let mut code = Vec::new();
    let mut map = OffsetMap::default();
    for range in sources {
        decode_into(json, range, &mut code, &mut map.segments);
    }
    if let Some(last) = sources.last() {
        map.segments.push((code.len(), last.end, 0));
    }
    (code, map)
}

fn decode(json: &[u8], range: &Range<usize>) -> (Vec<u8>, Vec<(usize, usize, usize)>) {
    let mut out = Vec::new();
    let mut segments = Vec::new();
    decode_into(json, range, &mut out, &mut segments);
    (out, segments)
}

/// Appends the decoded content of one JSON string; one segment per run of unescaped bytes,
/// a zero-length segment at each escape's backslash.
fn decode_into(
    json: &[u8],
    range: &Range<usize>,
    out: &mut Vec<u8>,
    segments: &mut Vec<(usize, usize, usize)>,
) {
    let end = range.end.min(json.len());
    let mut i = range.start;
    let mut run = i;
    let flush =
        |out: &mut Vec<u8>, segments: &mut Vec<(usize, usize, usize)>, from: usize, to: usize| {
            if from < to {
                segments.push((out.len(), from, to - from));
                out.extend_from_slice(&json[from..to]);
            }
        };
    while i < end {
        if json[i] != b'\\' {
            i += 1;
            continue;
        }
        flush(out, segments, run, i);
        segments.push((out.len(), i, 0));
        let escape = json.get(i + 1).copied().unwrap_or(b'\\');
        let mut consumed = 2;
        match escape {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'u' => {
                let unit = |at: usize| {
                    json.get(at..at + 4)
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let mut c = None;
                if let Some(high) = unit(i + 2) {
                    consumed = 6;
                    if (0xD800..0xDC00).contains(&high)
                        && json.get(i + 6..i + 8) == Some(b"\\u".as_slice())
                    {
                        if let Some(low) = unit(i + 8).filter(|low| (0xDC00..0xE000).contains(low))
                        {
                            consumed = 12;
                            c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
                        }
                    } else {
                        c = char::from_u32(high);
                    }
                }
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.unwrap_or('\u{fffd}').encode_utf8(&mut buf).as_bytes());
            }
            other => out.push(other),
        }
        i = (i + consumed).min(end);
        run = i;
    }
    flush(out, segments, run, end);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::facts::{Expr, StringPart};

    fn at<'a>(src: &'a str, span: &Range<usize>) -> &'a str {
        &src[span.clone()]
    }

    /// Two code cells around a markdown cell; the second has `\"` and `\n` escapes.
    const NOTEBOOK: &str = r#"{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "import os\n",
    "from openai import OpenAI\n",
    "%pip install openai\n",
    "client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])"
   ]
  },
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": ["headers = {\"Authorization\": \"not code\"}"]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": "%dotenv\nkey = \"caf\u00e9\"\nheaders = {\"Authorization\": f\"Bearer {key}\"}\nrequests.post(\"https://api.openai.com/v1/chat/completions\", headers=headers)\n"
  }
 ],
 "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}"#;

    #[test]
    fn spans_point_into_the_json_strings() {
        let facts = facts(NOTEBOOK.as_bytes());
        assert_eq!(facts.parse_error, None);

        let client = &facts.clients[0];
        assert_eq!(
            at(NOTEBOOK, &client.span),
            r#"OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])"#
        );
        let Some(Expr::Env(read)) = &client.key else {
            panic!("{:?}", client.key)
        };
        assert_eq!(read.name, "OPENAI_API_KEY");
        assert_eq!(
            at(NOTEBOOK, &read.span),
            r#"os.environ[\"OPENAI_API_KEY\"]"#
        );

        // Only the code cell's header, with spans on the escaped line.
        assert_eq!(facts.headers.len(), 1);
        let header = &facts.headers[0];
        assert_eq!(header.name, "Authorization");
        assert_eq!(at(NOTEBOOK, &header.name_span), "Authorization");
        assert_eq!(
            at(NOTEBOOK, &header.span),
            r#"\"Authorization\": f\"Bearer {key}\""#
        );
        let Expr::Str(lit) = &header.value else {
            panic!("{:?}", header.value)
        };
        assert_eq!(at(NOTEBOOK, &lit.span), r#"f\"Bearer {key}\""#);
        match &lit.parts[..] {
            [StringPart::Text { text, span }, StringPart::Interpolation { code, span: i }] => {
                assert_eq!((text.as_str(), at(NOTEBOOK, span)), ("Bearer ", "Bearer "));
                assert_eq!((code.as_str(), at(NOTEBOOK, i)), ("key", "{key}"));
            }
            other => panic!("{other:?}"),
        }

        // The decoded `\u00e9` is text; its literal spans the escape in the file.
        let cafe = facts
            .strings
            .iter()
            .find(|s| s.text().as_deref() == Some("café"))
            .unwrap();
        assert_eq!(at(NOTEBOOK, &cafe.span), r#"\"caf\u00e9\""#);

        let request = &facts.requests[0];
        assert_eq!(
            request.url.as_deref(),
            Some("https://api.openai.com/v1/chat/completions")
        );
        assert!(at(NOTEBOOK, &request.span).starts_with(r#"requests.post(\"https://"#));
        assert!(at(NOTEBOOK, &request.span).ends_with("headers=headers)"));

        // Statements count across cells: cell 1 has 4 (the magic included), then cell 3.
        assert_eq!(client.top_level, Some(3));
        assert_eq!(facts.dotenv_loads.len(), 1);
        assert_eq!(facts.dotenv_loads[0].top_level, Some(4));
        assert_eq!(at(NOTEBOOK, &facts.dotenv_loads[0].span), "%dotenv");
        let key = facts
            .assignments
            .iter()
            .find(|a| a.target == "key")
            .unwrap();
        assert_eq!(key.top_level, Some(5));
        assert_eq!(at(NOTEBOOK, &key.target_span), "key");
        assert!(key.top_level > facts.dotenv_loads[0].top_level);
    }

    #[test]
    fn statement_spans_start_on_their_line() {
        let facts = facts(NOTEBOOK.as_bytes());
        let assignment = facts
            .assignments
            .iter()
            .find(|a| a.target == "headers")
            .unwrap();
        assert!(at(NOTEBOOK, &assignment.span).starts_with("headers = {"));
    }

    #[test]
    fn broken_and_foreign_notebooks() {
        let broken = facts(b"{\"cells\": [");
        assert!(broken
            .parse_error
            .unwrap()
            .starts_with("invalid notebook JSON"));
        let r = br#"{"cells": [{"cell_type": "code", "source": "print(1)"}], "metadata": {"kernelspec": {"language": "R"}}}"#;
        assert_eq!(facts(r), CodeFacts::default());
        let bash = br#"{"cells": [{"cell_type": "code", "source": ["%%bash\n", "echo $OPENAI_API_KEY\n"]}]}"#;
        assert_eq!(facts(bash), CodeFacts::default());
        let error = br#"{"cells": [{"cell_type": "markdown", "source": []}, {"cell_type": "code", "source": ["x = (\n"]}]}"#;
        assert_eq!(
            facts(error).parse_error.as_deref(),
            Some("cell 2: syntax error at line 1")
        );
        for odd in [
            &b"[]"[..],
            b"1",
            b"{}",
            br#"{"cells": [{"cell_type": 3}]}"#,
            br#"{"cells": [{"cell_type": "code", "source": [1, "x\\ud83d"]}]}"#,
        ] {
            let _ = facts(odd);
        }
    }

    #[test]
    fn nbformat_3_input() {
        let nb =
            br#"{"worksheets": [{"cells": [{"cell_type": "code", "input": ["print(key[:4])"]}]}]}"#;
        let facts = facts(nb);
        assert_eq!(facts.logs.len(), 1);
        let src = std::str::from_utf8(nb).unwrap();
        assert_eq!(at(src, &facts.logs[0].span), "print(key[:4])");
    }
}
