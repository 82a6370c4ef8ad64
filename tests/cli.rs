//! The command line end to end: exit codes, formats, rule selection, explicit files, suppression,
//! the walker, determinism and redaction.

mod common;

use common::*;

fn key_file() -> (String, tempfile::TempDir) {
    let key = openai_legacy_key(1);
    let dir = tree(&[("app.py", format!("API_KEY = \"{key}\"\n").as_bytes())]);
    (key, dir)
}

#[test]
fn exit_codes() {
    let (_, dir) = key_file();
    assert_eq!(code(&keylint(dir.path(), &["check"])), 1);
    assert_eq!(code(&keylint(dir.path(), &["check", "--exit-zero"])), 0);
    let clean = tree(&[("app.py", b"print('hello')\n")]);
    let output = keylint(clean.path(), &["check"]);
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output), "No problems found in 1 file.\n");
    // Usage errors, unknown rules and missing paths are exit 2.
    for args in [
        &["check", "--format", "xml"][..],
        &["check", "--select", "KL999"],
        &["check", "--ignore", "nonsense"],
        &["check", "does-not-exist"],
        &["explain", "KL999"],
        &["frobnicate"],
    ] {
        let output = keylint(dir.path(), args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(!stderr(&output).is_empty(), "{args:?}");
    }
    assert_eq!(code(&keylint(dir.path(), &["--version"])), 0);
}

#[test]
fn select_and_ignore() {
    let (_, dir) = key_file();
    for (args, expected) in [
        (&["check", "--select", "KL101"][..], 1),
        (&["check", "--select", "KL1"], 1),
        (&["check", "--select", "hardcoded-key"], 1),
        (&["check", "--select", "KL2"], 0),
        (&["check", "--ignore", "KL101"], 0),
        (&["check", "--ignore", "KL1"], 0),
        (&["check", "--select", "KL1", "--ignore", "KL101"], 0),
        (&["check", "--select", "KL2,KL101"], 1),
    ] {
        assert_eq!(code(&keylint(dir.path(), args)), expected, "{args:?}");
    }
}

#[test]
fn json_format() {
    let (key, dir) = key_file();
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    let report = json(&output);
    assert_eq!(report["version"], "1");
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "KL101");
    assert_eq!(finding["name"], "hardcoded-key");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["path"], "app.py");
    assert_eq!(finding["line"], 1);
    assert_eq!(finding["column"], 12);
    assert_eq!(finding["end_line"], 1);
    assert_eq!(finding["end_column"], 12 + key.len());
    assert_eq!(finding["provider"], "openai");
    assert_eq!(finding["fingerprint"].as_str().unwrap().len(), 32);
    assert!(finding["help"].as_str().unwrap().contains("OPENAI_API_KEY"));
    assert_eq!(report["summary"]["files_scanned"], 1);
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(report["summary"]["warnings"], 0);
}

#[test]
fn github_format() {
    let (key, dir) = key_file();
    let output = keylint(dir.path(), &["check", "--format", "github"]);
    let expected_prefix = format!(
        "::error file=app.py,line=1,col=12,endLine=1,endColumn={},title=KL101 hardcoded-key::OpenAI legacy user key is hardcoded in this file.",
        12 + key.len()
    );
    assert!(
        stdout(&output).starts_with(&expected_prefix),
        "{}",
        stdout(&output)
    );
    assert_eq!(stdout(&output).lines().count(), 1);
}

#[test]
fn sarif_format() {
    let (key, dir) = key_file();
    let output = keylint(dir.path(), &["check", "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "keylint");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "KL101");
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["properties"]["security-severity"],
        "9.0"
    );
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "KL101");
    assert_eq!(result["ruleIndex"], 0);
    assert_eq!(result["level"], "error");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "app.py");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(location["region"]["startColumn"], 12);
    assert_eq!(location["region"]["endColumn"], 12 + key.len());
    assert!(result["partialFingerprints"]["keylint/v1"].is_string());
    assert!(result["partialFingerprints"]["primaryLocationLineHash"].is_null());
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn output_file() {
    let (_, dir) = key_file();
    let output = keylint(
        dir.path(),
        &["check", "--format", "json", "--output", "report.json"],
    );
    assert_eq!(code(&output), 1);
    assert!(output.stdout.is_empty());
    let written = std::fs::read(dir.path().join("report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_slice(&written).unwrap();
    assert_eq!(report["summary"]["findings"], 1);
}

#[test]
fn quiet_leaves_out_the_summary() {
    let (_, dir) = key_file();
    let loud = stdout(&keylint(dir.path(), &["check", "--color", "never"]));
    let quiet = stdout(&keylint(
        dir.path(),
        &["check", "--color", "never", "--quiet"],
    ));
    assert!(
        loud.ends_with("1 problem (1 error, 0 warnings) in 1 file\n"),
        "{loud}"
    );
    assert!(!quiet.contains("problem (") && quiet.contains("KL101"));
}

#[test]
fn color_follows_the_flag() {
    let (_, dir) = key_file();
    let colored = stdout(&keylint(dir.path(), &["check", "--color", "always"]));
    let plain = stdout(&keylint(dir.path(), &["check", "--color", "never"]));
    let auto = stdout(&keylint(dir.path(), &["check"]));
    assert!(colored.contains('\u{1b}'));
    assert!(!plain.contains('\u{1b}'));
    // Standard output is a pipe here, so `auto` means no colour.
    assert_eq!(auto, plain);
}

#[test]
fn explicit_files_are_scanned_even_when_git_ignores_them() {
    let key = openai_legacy_key(2);
    let dir = tree(&[
        (".gitignore", b"secret.py\n"),
        ("secret.py", format!("K = '{key}'\n").as_bytes()),
    ]);
    assert_eq!(code(&keylint(dir.path(), &["check"])), 0);
    assert_eq!(code(&keylint(dir.path(), &["check", "--no-ignore"])), 1);
    let output = keylint(dir.path(), &["check", "--format", "json", "secret.py"]);
    assert_eq!(finding_lines(&output), ["secret.py:1:6-57 KL101 openai"]);
}

#[test]
fn keylintignore_applies_to_walks_and_named_files() {
    let key = openai_legacy_key(3);
    let contents = format!("K = '{key}'\n");
    let dir = tree(&[
        (".keylintignore", b"vendor/\n*.fixture.py\n"),
        ("vendor/lib.py", contents.as_bytes()),
        ("data.fixture.py", contents.as_bytes()),
        ("app.py", contents.as_bytes()),
    ]);
    for args in [
        &["check", "--format", "json"][..],
        &["check", "--format", "json", "--no-ignore"],
    ] {
        let output = keylint(dir.path(), args);
        assert_eq!(
            finding_lines(&output),
            ["app.py:1:6-57 KL101 openai"],
            "{args:?}"
        );
    }
    let output = keylint(dir.path(), &["check", "data.fixture.py", "vendor/lib.py"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}

#[test]
fn suppression_forms() {
    let key = openai_legacy_key(4);
    let source = format!(
        "a = '{key}'  # keylint: ignore\n\
         b = '{key}'  # keylint: ignore[KL101]\n\
         c = '{key}'  # keylint: ignore[KL104, KL101]\n\
         d = '{key}'  # pragma: allowlist secret\n\
         e = '{key}'  # gitleaks:allow\n\
         # keylint: ignore\n\
         f = '{key}'\n\
         g = '{key}'  # keylint: ignore[KL104]\n"
    );
    let js = format!("// keylint: ignore[KL101]\nconst k = \"{key}\";\nconst j = \"{key}\"; // keylint: ignore\n");
    let md = format!("<!-- keylint: ignore -->\nThe key is {key}.\n");
    let yaml = format!("# keylint: ignore\nkey: {key}\nother: {key} # keylint: ignore\n");
    let sql = format!("-- keylint: ignore\nSELECT '{key}';\n");
    let dir = tree(&[
        ("app.py", source.as_bytes()),
        ("app.js", js.as_bytes()),
        ("README.md", md.as_bytes()),
        ("config.yaml", yaml.as_bytes()),
        ("seed.sql", sql.as_bytes()),
    ]);
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    // Only `g`, whose directive names another rule, is reported.
    assert_eq!(finding_lines(&output), ["app.py:8:6-57 KL101 openai"]);
}

#[test]
fn walker_sees_hidden_files_but_never_git() {
    let key = openai_legacy_key(5);
    let line = format!("OPENAI_API_KEY={key}\n");
    let dir = tree(&[
        (".env", line.as_bytes()),
        (
            ".github/workflows/ci.yml",
            format!("env:\n  KEY: {key}\n").as_bytes(),
        ),
        (".git/config", line.as_bytes()),
        (".git/objects/ab/cdef", line.as_bytes()),
    ]);
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        finding_lines(&output),
        [
            ".env:1:16-67 KL101 openai",
            ".env:1:16-67 KL401 openai",
            ".github/workflows/ci.yml:2:8-59 KL101 openai"
        ]
    );
}

#[test]
fn binary_and_oversize_files_are_skipped_with_notes() {
    let key = openai_legacy_key(6);
    let mut binary = b"\x7fELF\x00\x00\x01".to_vec();
    binary.extend_from_slice(key.as_bytes());
    let big = format!("{}\nK = '{key}'\n", "#".repeat(300));
    let dir = tree(&[("tool.bin", &binary), ("big.py", big.as_bytes())]);
    let output = keylint(dir.path(), &["check", "--max-file-size", "200"]);
    assert_eq!(code(&output), 0);
    let notes = stderr(&output);
    assert!(
        notes.contains("keylint: note: big.py: skipped: 359 bytes is over the limit of 200"),
        "{notes}"
    );
    assert!(
        !notes.contains("tool.bin"),
        "binary files are noted only with --verbose"
    );
    let verbose = stderr(&keylint(
        dir.path(),
        &["check", "--max-file-size", "200", "--verbose"],
    ));
    assert!(
        verbose.contains("tool.bin: skipped: binary file"),
        "{verbose}"
    );
    let quiet = keylint(dir.path(), &["check", "--max-file-size", "200", "--quiet"]);
    assert_eq!(stderr(&quiet), "");
    // Under the default limit the text file is scanned; the binary never is.
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(finding_lines(&output), ["big.py:2:6-57 KL101 openai"]);
}

#[test]
fn invalid_utf8_is_scanned_with_character_columns() {
    let key = openai_legacy_key(7);
    let mut bytes = b"caf\xe9 \xff\xfe = '".to_vec();
    bytes.extend_from_slice(key.as_bytes());
    bytes.extend_from_slice(b"'\n");
    let dir = tree(&[("latin1.txt", &bytes)]);
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(finding_lines(&output), ["latin1.txt:1:12-63 KL101 openai"]);
    let human = keylint(dir.path(), &["check", "--color", "never"]);
    assert!(
        stdout(&human).contains("latin1.txt:1:12"),
        "{}",
        stdout(&human)
    );
}

#[test]
fn unreadable_files_are_warnings_and_the_scan_goes_on() {
    let (_, dir) = key_file();
    // /proc/self/mem opens but fails to read, even as root.
    let output = keylint(
        dir.path(),
        &["check", "--format", "json", ".", "/proc/self/mem"],
    );
    assert_eq!(code(&output), 1);
    assert_eq!(finding_lines(&output), ["app.py:1:12-63 KL101 openai"]);
    assert!(
        stderr(&output).contains("keylint: warning: /proc/self/mem: cannot read:"),
        "{}",
        stderr(&output)
    );
    // A file without read permission, where permissions bind (not as root).
    let locked = dir.path().join("locked.py");
    std::fs::write(&locked, "x = 1\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = std::fs::read(&locked).is_ok();
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&output), 1);
    if !readable_anyway {
        assert!(
            stderr(&output).contains("locked.py: cannot read"),
            "{}",
            stderr(&output)
        );
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn symlink_loops_do_not_hang() {
    let (_, dir) = key_file();
    std::os::unix::fs::symlink("..", dir.path().join("up")).unwrap();
    std::os::unix::fs::symlink("self", dir.path().join("self")).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("../sub", dir.path().join("sub/again")).unwrap();
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(finding_lines(&output), ["app.py:1:12-63 KL101 openai"]);
}

#[test]
fn output_is_identical_at_any_thread_count() {
    let root = repo_root();
    for format in ["human", "json", "sarif", "github"] {
        let outputs: Vec<Vec<u8>> = ["1", "2", "8"]
            .iter()
            .map(|threads| {
                keylint(
                    &root,
                    &[
                        "check",
                        "fixtures",
                        "--color",
                        "never",
                        "--format",
                        format,
                        "--threads",
                        threads,
                    ],
                )
                .stdout
            })
            .collect();
        assert!(!outputs[0].is_empty());
        assert!(outputs.windows(2).all(|w| w[0] == w[1]), "{format}");
    }
}

#[test]
fn no_format_shows_a_full_key_without_show_secrets() {
    let root = repo_root();
    let full = keylint(
        &root,
        &[
            "check",
            "fixtures/KL101/positive",
            "--format",
            "json",
            "--show-secrets",
        ],
    );
    let secrets: Vec<String> = json(&full)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["secret"].as_str().map(str::to_owned))
        .collect();
    assert!(secrets.len() >= 40);
    for format in ["human", "json", "sarif", "github"] {
        let output = keylint(
            &root,
            &[
                "check",
                "fixtures/KL101/positive",
                "--color",
                "never",
                "--format",
                format,
            ],
        );
        let text = stdout(&output) + &stderr(&output);
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{format} shows {secret}");
            // Not even the random middle of the key.
            let middle = &secret[secret.len() / 3..secret.len() * 2 / 3];
            assert!(!text.contains(middle), "{format} shows part of {secret}");
        }
    }
    let shown = keylint(
        &root,
        &[
            "check",
            "fixtures/KL101/positive",
            "--color",
            "never",
            "--show-secrets",
        ],
    );
    assert!(secrets.iter().all(|s| stdout(&shown).contains(s.as_str())));
}

#[test]
fn rules_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let rules = keylint(dir.path(), &["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_slice(&rules.stdout).unwrap();
    assert_eq!(rules[0]["code"], "KL101");
    assert_eq!(rules[0]["name"], "hardcoded-key");
    assert_eq!(rules[0]["severity"], "error");
    let text = stdout(&keylint(dir.path(), &["rules"]));
    assert!(text.starts_with("KL101  hardcoded-key"));
    for rule in ["KL101", "hardcoded-key", "kl101"] {
        let explained = keylint(dir.path(), &["explain", rule]);
        assert_eq!(code(&explained), 0);
        assert!(stdout(&explained).starts_with("# KL101 hardcoded-key\n"));
        assert!(stdout(&explained).contains("## Why it matters"));
    }
}

#[test]
fn the_repository_itself_is_clean() {
    // Synthetic keys in fixtures are listed in .keylintignore; those in unit tests are
    // suppressed inline.
    let output = keylint(&repo_root(), &["check", "--format", "json"]);
    assert_eq!(finding_lines(&output), Vec::<String>::new());
    assert_eq!(code(&output), 0);
}

#[test]
fn explain_covers_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    let rules: serde_json::Value =
        serde_json::from_slice(&keylint(dir.path(), &["rules", "--format", "json"]).stdout)
            .unwrap();
    let rules = rules.as_array().unwrap();
    assert!(rules.len() >= 10);
    for rule in rules {
        let code = rule["code"].as_str().unwrap();
        let name = rule["name"].as_str().unwrap();
        let explained = keylint(dir.path(), &["explain", code]);
        assert_eq!(common::code(&explained), 0, "{code}");
        let text = stdout(&explained);
        assert!(text.starts_with(&format!("# {code} {name}\n")), "{code}");
        for heading in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## Fix",
        ] {
            assert!(text.contains(heading), "{code} lacks {heading}");
        }
    }
}
