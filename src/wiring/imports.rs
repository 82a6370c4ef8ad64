//! What a source file imports, read from its text: enough to follow a unit's entry file to the
//! rest of the repository's code. Specifiers are kept as written; `reach` resolves them.

use std::borrow::Cow;
use std::sync::OnceLock;

use memchr::memmem;

use regex::Regex;

use crate::file_kind::FileKind;

/// Files above this size are not scanned for imports (minified bundles, generated code).
const MAX_IMPORT_SCAN_BYTES: usize = 2_000_000;

/// The modules a file imports: Python dotted names (`pkg.mod`, `.sibling`, and for
/// `from pkg import name` also `pkg.name`), JavaScript and TypeScript specifiers (`./util`),
/// Go import paths.
pub fn imports(kind: FileKind, bytes: &[u8]) -> Vec<String> {
    if bytes.len() > MAX_IMPORT_SCAN_BYTES {
        return Vec::new();
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    let mut found = match kind {
        FileKind::Python => python(&text),
        FileKind::JavaScript | FileKind::TypeScript => javascript(&text),
        FileKind::Go => go(&text),
        _ => Vec::new(),
    };
    found.sort();
    found.dedup();
    found
}

/// Python's `import` and `from ... import` lines, found by the word `import` rather than line by
/// line: most lines of a file are not imports.
fn python(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut read_to = 0;
    for at in memmem::find_iter(text.as_bytes(), b"import") {
        let start = memchr::memrchr(b'\n', &text.as_bytes()[..at]).map_or(0, |p| p + 1);
        if start < read_to {
            continue;
        }
        let mut lines = LinesFrom { text, at: start };
        python_import(&mut lines, &mut found);
        read_to = lines.at;
    }
    found
}

/// The lines of `text` from byte `at` on, without their line ends; `at` moves past each.
struct LinesFrom<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Iterator for LinesFrom<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        if self.at >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.at..];
        let end = rest.find('\n').map_or(rest.len(), |p| p + 1);
        self.at += end;
        Some(rest[..end].trim_end_matches(['\n', '\r']))
    }
}

/// The modules and names one import statement brings in, reading more lines for a bracketed
/// `from x import (...)`.
fn python_import(lines: &mut LinesFrom, found: &mut Vec<String>) {
    if let Some(line) = lines.next() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("from ") {
            let Some((module, names)) = rest.split_once(" import ") else {
                return;
            };
            let module = module.trim();
            if !module
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
            {
                return;
            }
            found.push(module.to_owned());
            // `from x import (\n a,\n b,\n)` spans lines.
            let mut names = names.split('#').next().unwrap_or("").to_owned();
            if names.trim_start().starts_with('(') && !names.contains(')') {
                for more in lines.by_ref() {
                    names.push(' ');
                    names.push_str(more.split('#').next().unwrap_or(""));
                    if more.contains(')') {
                        break;
                    }
                }
            }
            let names = names.trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace());
            for part in names.split(',') {
                let Some(name) = part
                    .trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace())
                    .split_whitespace()
                    .next()
                else {
                    continue;
                };
                if name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    let separator = if module.ends_with('.') { "" } else { "." };
                    found.push(format!("{module}{separator}{name}"));
                }
            }
        } else if let Some(rest) = line.strip_prefix("import ") {
            for part in rest.split('#').next().unwrap_or("").split(',') {
                if let Some(module) = part.split_whitespace().next() {
                    if module
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
                    {
                        found.push(module.to_owned());
                    }
                }
            }
        }
    }
}

fn javascript(text: &str) -> Vec<String> {
    static SPECIFIER: OnceLock<Regex> = OnceLock::new();
    let specifier = SPECIFIER.get_or_init(|| {
        Regex::new(
            r#"(?:\bfrom[ \t]*|\bimport[ \t]*\(?[ \t]*|\brequire[ \t]*\([ \t]*|^import[ \t]+)["']([^"'\n]+)["']"#,
        )
        .expect("valid regex")
    });
    specifier
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect()
}

fn go(text: &str) -> Vec<String> {
    static SINGLE: OnceLock<Regex> = OnceLock::new();
    static BLOCK: OnceLock<Regex> = OnceLock::new();
    let single = SINGLE.get_or_init(|| {
        Regex::new(r#"(?m)^import[ \t]+(?:\w+[ \t]+)?"([^"]+)""#).expect("valid regex")
    });
    let block =
        BLOCK.get_or_init(|| Regex::new(r"(?ms)^import[ \t]*\((.*?)\)").expect("valid regex"));
    let mut found: Vec<String> = single
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect();
    for captures in block.captures_iter(text) {
        for line in captures[1].lines() {
            if let Some(start) = line.find('"') {
                if let Some(len) = line[start + 1..].find('"') {
                    found.push(line[start + 1..start + 1 + len].to_owned());
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_imports() {
        let src = b"import os, app.config as cfg\nfrom . import util\nfrom ..core.llm import (\n    make,\n    other as o,\n)\nfrom pkg.mod import *\n    import lazy.mod\n";
        assert_eq!(
            imports(FileKind::Python, src),
            [
                ".",
                "..core.llm",
                "..core.llm.make",
                "..core.llm.other",
                ".util",
                "app.config",
                "lazy.mod",
                "os",
                "pkg.mod",
            ]
        );
    }

    #[test]
    fn javascript_imports() {
        let src = b"import x from './a';\nimport { y } from \"../b/c\";\nimport './side';\nconst z = require('./d');\nconst w = await import('@/lib/e');\nexport * from './f';\n";
        assert_eq!(
            imports(FileKind::TypeScript, src),
            ["../b/c", "./a", "./d", "./f", "./side", "@/lib/e"]
        );
    }

    #[test]
    fn go_imports() {
        let src = b"package main\n\nimport (\n\t\"fmt\"\n\tllm \"example.com/app/internal/llm\"\n)\nimport \"os\"\n";
        assert_eq!(
            imports(FileKind::Go, src),
            ["example.com/app/internal/llm", "fmt", "os"]
        );
    }
}
