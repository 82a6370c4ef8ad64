//! Hostile input and output: text in UTF-16 and UTF-32, control characters in files and names,
//! narrow terminals, and saying what was not read.

mod common;

use common::*;

#[derive(Clone, Copy, Debug)]
enum Encoding {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

/// `text` in `encoding`, with or without a byte-order mark.
fn encode(text: &str, encoding: Encoding, mark: bool) -> Vec<u8> {
    let text = if mark {
        format!("\u{feff}{text}")
    } else {
        text.to_owned()
    };
    match encoding {
        Encoding::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Encoding::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        Encoding::Utf32Le => text
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect(),
        Encoding::Utf32Be => text
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect(),
    }
}

/// A `.env`, a PowerShell script and a Python file, each with the key on line 2 after a
/// non-ASCII character, so columns count characters of the decoded text.
fn key_files(key: &str) -> [(&'static str, String, &'static str); 3] {
    [
        (
            "settings.env",
            format!("# clé\r\nOPENAI_API_KEY={key}\r\n"),
            "settings.env:2:16",
        ),
        (
            "deploy.ps1",
            format!("# déploie\r\n$env:OPENAI_API_KEY = \"{key}\"\r\n"),
            "deploy.ps1:2:24",
        ),
        (
            "app.py",
            format!("# é\nclient = OpenAI(api_key=\"{key}\")\n"),
            "app.py:2:26",
        ),
    ]
}

#[test]
fn utf16_and_utf32_files_are_decoded_and_scanned() {
    let key = openai_legacy_key(41);
    let cases = [
        (Encoding::Utf16Le, true),
        (Encoding::Utf16Le, false),
        (Encoding::Utf16Be, true),
        (Encoding::Utf16Be, false),
        (Encoding::Utf32Le, true),
        (Encoding::Utf32Be, true),
    ];
    for (encoding, mark) in cases {
        let files = key_files(&key);
        let encoded: Vec<(&str, Vec<u8>)> = files
            .iter()
            .map(|(name, text, _)| (*name, encode(text, encoding, mark)))
            .collect();
        let entries: Vec<(&str, &[u8])> = encoded
            .iter()
            .map(|(name, bytes)| (*name, bytes.as_slice()))
            .collect();
        let dir = tree(&entries);
        let mut expected: Vec<String> = files
            .iter()
            .map(|(_, _, at)| format!("{at}-{} KL101 openai", at_column(at) + key.len()))
            .collect();
        expected.sort();
        let case = format!("{encoding:?} mark={mark}");
        let json = ["check", "--format", "json", "--select", "KL101"];
        let output = keylint(dir.path(), &json);
        assert_eq!(finding_lines(&output), expected, "{case}");
        // Named on the command line, as a pre-commit hook does.
        for ((name, _, at), _) in files.iter().zip(&expected) {
            let output = keylint(dir.path(), &[&json[..], &[name]].concat());
            let lines = finding_lines(&output);
            assert_eq!(lines.len(), 1, "{case} {name}: {lines:?}");
            assert!(lines[0].starts_with(&format!("{at}-")), "{case}: {lines:?}");
        }
        let verbose = stderr(&keylint(dir.path(), &["check", "--verbose"]));
        let name = format!("{encoding:?}")
            .replace("Utf", "UTF-")
            .to_uppercase();
        assert!(
            verbose.contains(&format!("app.py: read as {name}")),
            "{case}: {verbose}"
        );
    }
}

fn at_column(at: &str) -> usize {
    at.rsplit(':').next().unwrap().parse().unwrap()
}

#[test]
fn binary_files_stay_binary() {
    let key = openai_legacy_key(42);
    let mut binary = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec();
    binary.extend_from_slice(key.as_bytes());
    // A byte-order mark in front of bytes that decode to NULs is no text either.
    let mut marked = vec![0xFF, 0xFE, 0, 0, 0, 0, 0, 0];
    marked.extend_from_slice(key.as_bytes());
    let dir = tree(&[("tool.bin", &binary), ("marked.dat", &marked)]);
    let output = keylint(dir.path(), &["check", "--verbose"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let notes = stderr(&output);
    assert!(notes.contains("tool.bin: skipped: binary file"), "{notes}");
    assert!(
        notes.contains("marked.dat: skipped: binary file"),
        "{notes}"
    );
}
