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

/// The characters a terminal acts on: C0 but tab and line feed, DEL, C1, bidi overrides.
fn unsafe_chars(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        .collect()
}

/// `text` without the SGR colour sequences keylint writes (`ESC [ digits ; m`).
fn without_colours(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&rest[..at]);
        let sequence = &rest[at + 1..];
        let len = sequence
            .strip_prefix('[')
            .and_then(|s| s.find('m').map(|end| (s, end)))
            .filter(|(s, end)| s[..*end].chars().all(|c| c.is_ascii_digit() || c == ';'))
            .map_or(0, |(_, end)| end + 2);
        if len == 0 {
            // Not a colour of ours: keep the ESC so the caller sees it.
            out.push('\u{1b}');
        }
        rest = &sequence[len..];
    }
    out.push_str(rest);
    out
}

#[test]
fn control_characters_from_files_and_names_are_escaped() {
    let key = openai_legacy_key(43);
    let name = "evil\u{1b}]0;owned\u{7}.py";
    let source =
        format!("x = \"\u{1b}[2J\u{7}\"; key = \"{key}\"  # \u{202e}\u{2066}\u{9b}\u{7f}\r tail\n");
    let dir = tree(&[
        (name, source.as_bytes()),
        ("blob\u{1b}[2J.bin", b"\x00\x01\x02"),
    ]);
    let report = keylint(
        dir.path(),
        &["check", "--format", "json", "--select", "KL101"],
    );
    let column = json(&report)["findings"][0]["column"].as_u64().unwrap();
    assert_eq!(column, 21, "the key starts after 20 characters of the line");

    let never = keylint(
        dir.path(),
        &["check", "--color", "never", "--select", "KL101", "-v"],
    );
    let text = stdout(&never);
    assert_eq!(unsafe_chars(&text), [], "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("evil\\x1b]0;owned\\x07.py:1:21"), "{text}");
    assert!(text.contains("x = \"\\x1b[2J\\x07\""), "{text}");
    assert!(
        text.contains("\\u{202e}\\u{2066}\\u{9b}\\x7f\\x0d tail"),
        "{text}"
    );
    // The label still points at the key: its underline starts under the masked key.
    let lines: Vec<&str> = text.lines().collect();
    let snippet = lines
        .iter()
        .position(|l| l.contains("key = \"sk-"))
        .unwrap();
    let key_at = lines[snippet]
        .find("sk-")
        .map(|at| lines[snippet][..at].chars().count());
    let underline_at = lines[snippet + 1].chars().position(|c| c == '─');
    assert_eq!(key_at, underline_at, "{text}");
    let notes = stderr(&never);
    assert_eq!(unsafe_chars(&notes), [], "{notes}");
    assert!(
        notes.contains("blob\\x1b[2J.bin: skipped: binary file"),
        "{notes}"
    );

    let always = keylint(
        dir.path(),
        &["check", "--color", "always", "--select", "KL101"],
    );
    let text = stdout(&always);
    assert!(text.contains('\u{1b}'), "colours are on");
    assert_eq!(unsafe_chars(&without_colours(&text)), [], "{text:?}");

    let github = stdout(&keylint(
        dir.path(),
        &["check", "--format", "github", "--select", "KL101"],
    ));
    assert_eq!(unsafe_chars(&github), [], "{github}");
    assert_eq!(github.lines().count(), 1, "{github}");
}

#[test]
fn configuration_that_fails_to_parse_is_a_warning() {
    let dir = tree(&[
        (
            "compose.yaml",
            b"services:\n  api:\n    environment:\n      OPENAI_API_KEY: [unclosed\n",
        ),
        (
            "chart/templates/deploy.yaml",
            b"apiVersion: apps/v1\nkind: Deployment\nimage: {{ .Values.image }}\nenv:\n  OPENAI_API_KEY: x\n",
        ),
        ("broken.py", b"def f(:\n    OPENAI_API_KEY = 1\n"),
    ]);
    let output = keylint(dir.path(), &["check"]);
    let notes = stderr(&output);
    assert!(
        notes.contains(
            "keylint: warning: compose.yaml: YAML error at 5:1: while parsing a flow sequence, \
             expected ',' or ']'; scanned as text only, structural rules skipped"
        ),
        "{notes}"
    );
    // Source code that does not parse, and templates, are common: notes for --verbose.
    assert!(!notes.contains("broken.py"), "{notes}");
    assert!(!notes.contains("deploy.yaml"), "{notes}");
    let verbose = stderr(&keylint(dir.path(), &["check", "--verbose"]));
    assert!(
        verbose.contains("keylint: note: broken.py: syntax error"),
        "{verbose}"
    );
    assert!(
        verbose.contains("keylint: note: chart/templates/deploy.yaml: a template"),
        "{verbose}"
    );
    assert_eq!(stderr(&keylint(dir.path(), &["check", "--quiet"])), notes);
}

/// Whether permissions bind here: they do not for root, which reads a mode-000 file anyway.
fn permissions_bind(dir: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe");
    std::fs::write(&probe, "x").unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).unwrap();
    let binds = std::fs::read(&probe).is_err();
    std::fs::remove_file(&probe).unwrap();
    binds
}

#[test]
fn permission_errors_say_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("app.py", b"x = 1\n"), ("private/app.py", b"x = 2\n")]);
    if !permissions_bind(dir.path()) {
        eprintln!("skipped: permissions do not bind (running as root)");
        return;
    }
    let private = dir.path().join("private");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    let named = keylint(dir.path(), &["check", "private/app.py"]);
    let walked = keylint(dir.path(), &["check"]);
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code(&named), 2);
    assert_eq!(
        stderr(&named),
        "keylint: error: private/app.py: permission denied\n"
    );
    // The folder can be listed, but not searched: its files cannot be opened.
    assert_eq!(code(&walked), 0);
    assert!(
        stderr(&walked)
            .contains("keylint: warning: private/app.py: cannot read: permission denied"),
        "{}",
        stderr(&walked)
    );
}

#[test]
fn symlinks_are_followed_inside_the_tree_only() {
    let key = openai_legacy_key(44);
    let outside = tree(&[("leak.py", format!("K = '{key}'\n").as_bytes())]);
    let dir = tree(&[
        ("app.py", b"x = 1\n"),
        ("real/config.py", format!("K = '{key}'\n").as_bytes()),
    ]);
    let root = dir.path();
    let link = |target: &std::path::Path, name: &str| {
        std::os::unix::fs::symlink(target, root.join(name)).unwrap();
    };
    link(std::path::Path::new("real/config.py"), "config.py");
    link(std::path::Path::new("real"), "alias");
    link(&outside.path().join("leak.py"), "leak.py");
    link(outside.path(), "elsewhere");
    link(std::path::Path::new("missing.py"), "dangling.py");
    link(std::path::Path::new("."), "real/loop");

    let output = keylint(root, &["check", "--format", "json", "--select", "KL101"]);
    assert_eq!(
        finding_lines(&output),
        [
            "alias/config.py:1:6-57 KL101 openai",
            "config.py:1:6-57 KL101 openai",
            "real/config.py:1:6-57 KL101 openai",
        ]
    );
    assert_eq!(stderr(&output), "", "links are noted only with --verbose");
    let verbose = stderr(&keylint(root, &["check", "--verbose"]));
    let outside_path = outside.path().display();
    for note in [
        format!("leak.py: skipped: symlink to {outside_path}/leak.py, outside the scanned tree"),
        format!("elsewhere: skipped: symlink to {outside_path}, outside the scanned tree"),
        "dangling.py: skipped: broken symlink to missing.py".to_owned(),
        "real/loop: skipped: symlink loop back to".to_owned(),
    ] {
        assert!(
            verbose.contains(&format!("keylint: note: {note}")),
            "{note}\n{verbose}"
        );
    }
}
