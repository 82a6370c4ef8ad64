//! Configuration files end to end: git-ignored and committed `.env` files (KL101, KL401), env
//! files made at setup (KL304), and hostile or broken files that must give a clear note and no
//! panic.

mod common;

use std::process::Command;

use common::*;

fn git(dir: &std::path::Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs")
        .status;
    assert!(status.success(), "git {args:?}");
}

#[test]
fn an_ignored_env_file_is_read_but_its_key_is_no_leak() {
    let key = openai_legacy_key(11);
    let dir = tree(&[
        (".gitignore", b".env\n"),
        (
            ".env",
            format!("OPENAI_API_KEY={key}\nANTHROPIC_API_KEY=\n").as_bytes(),
        ),
    ]);
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    // No KL101 or KL401 for the key; KL107 still judges the values.
    assert_eq!(finding_lines(&output), [".env:2:1-18 KL107 anthropic"]);
    assert_eq!(json(&output)["summary"]["files_scanned"], 2);
}

#[test]
fn a_committable_env_file_with_a_key_is_kl401() {
    let key = openai_legacy_key(12);
    let dir = tree(&[
        (".gitignore", b"node_modules/\n"),
        ("config/.env", format!("OPENAI_API_KEY={key}\n").as_bytes()),
        (
            "config/.env.example",
            b"OPENAI_API_KEY=sk-YOUR_API_KEY_HERE\n",
        ),
    ]);
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        finding_lines(&output),
        [
            "config/.env:1:16-67 KL101 openai",
            "config/.env:1:16-67 KL401 openai"
        ]
    );
    let help = json(&output)["findings"][1]["help"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(help.contains("add `.env` to .gitignore"), "{help}");
}

#[test]
fn an_ignored_but_tracked_env_file_is_kl401() {
    let key = openai_legacy_key(13);
    let line = format!("OPENAI_API_KEY={key}\n");
    let dir = tree(&[
        (".env", line.as_bytes()),
        ("app/.env", line.as_bytes()),
        ("web/.env", line.as_bytes()),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", ".env", "app/.env"]);
    git(dir.path(), &["commit", "-qm", "oops"]);
    std::fs::write(dir.path().join(".gitignore"), ".env\n").unwrap();
    let output = keylint(
        dir.path(),
        &["check", "--format", "json", "--select", "KL401"],
    );
    // One question to git answers for every ignored file of the repository.
    assert_eq!(
        finding_lines(&output),
        [".env:1:16-67 KL401 openai", "app/.env:1:16-67 KL401 openai"]
    );
    let message = json(&output)["findings"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("git tracks it"), "{message}");
    // Once untracked, the ignored file is fine.
    git(dir.path(), &["rm", "-q", "--cached", ".env", "app/.env"]);
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(finding_lines(&output), Vec::<String>::new());
}

#[test]
fn a_keylintignored_env_file_is_not_read() {
    let dir = tree(&[
        (".gitignore", b".env\n"),
        (".keylintignore", b".env\n"),
        (".env", b"OPENAI_API_KEY=\n"),
    ]);
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(finding_lines(&output), Vec::<String>::new());
}

/// KL304 reads git's rules for a missing env file up to the repository root, and outside a
/// repository up to the directory scanned, never above it.
#[test]
fn an_env_file_made_at_setup_is_ignored_as_seen_from_the_scan() {
    let compose =
        b"services:\n  api:\n    build: .\n    command: python main.py\n    env_file: .env\n";
    let dir = tree(&[
        (".gitignore", b".env\n"),
        ("app/compose.yaml", compose),
        (
            "app/main.py",
            b"from openai import OpenAI\n\nclient = OpenAI()\n",
        ),
        ("app/.env.example", b"OPENAI_API_KEY=\n"),
    ]);
    let args = ["check", "app", "--select", "KL304", "--format", "json"];
    let output = keylint(dir.path(), &args);
    assert_eq!(finding_lines(&output), ["app/compose.yaml:5:15-19 KL304 -"]);
    // Scanned from the top, or in a repository, the rule above applies.
    let output = keylint(
        dir.path(),
        &["check", "--select", "KL304", "--format", "json"],
    );
    assert_eq!(finding_lines(&output), Vec::<String>::new());
    git(dir.path(), &["init", "-q"]);
    let output = keylint(dir.path(), &args);
    assert_eq!(finding_lines(&output), Vec::<String>::new());
}

#[test]
fn hostile_and_broken_files_give_notes_and_no_panic() {
    // A Kubernetes object (other YAML is not parsed at all) with a billion laughs.
    let laughs = "apiVersion: v1\nkind: ConfigMap\n\
        a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n\
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n\
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n\
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n\
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n\
        OPENAI_API_KEY: *i\n";
    let mut big = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n");
    while big.len() < 50_000_000 {
        big.push_str(
            "  OPENAI_MODEL_PADDING_ENTRY_0123456789: gpt-4o-mini-padding-value-0123456789\n",
        );
    }
    let dir = tree(&[
        ("laughs.yaml", laughs.as_bytes()),
        ("big.yaml", big.as_bytes()),
        (".env", b"OPENAI_API_KEY=\x00\x01\x02\xff binary"),
        (
            "compose.yaml",
            b"services:\n  api:\n    environment:\n      OPENAI_API_KEY: [unclosed\n",
        ),
    ]);
    let output = keylint(dir.path(), &["check", "--format", "json", "--verbose"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let notes = stderr(&output);
    assert!(notes.contains("laughs.yaml: YAML error"), "{notes}");
    assert!(notes.contains("alias"), "{notes}");
    assert!(notes.contains("big.yaml: skipped: "), "{notes}");
    assert!(notes.contains(".env: skipped: binary file"), "{notes}");
    assert!(notes.contains("compose.yaml: YAML error at 5:1"), "{notes}");
    // With the size limit raised, the 50 MB manifest is parsed in full.
    let output = keylint(
        dir.path(),
        &[
            "check",
            "big.yaml",
            "--format",
            "json",
            "--max-file-size",
            "60000000",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn user_key_variables() {
    let dir = tree(&[(".env.production", b"MY_LLM_KEY=sk-YOUR_API_KEY_HERE\n")]);
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(finding_lines(&output), Vec::<String>::new());
    let output = keylint(
        dir.path(),
        &["check", "--format", "json", "--key-var", "MY_LLM_KEY"],
    );
    assert_eq!(finding_lines(&output), [".env.production:1:12-32 KL103 -"]);
}

#[test]
fn source_that_does_not_parse_gives_keys_but_no_structural_finding() {
    let key = openai_legacy_key(21);
    let broken = format!(
        "import requests\ndef broken(:\n    KEY = \"{key}\"\n    headers = {{\"Authorization\": KEY}}\n\
         requests.get(\"https://api.openai.com/v1/models\", headers=headers)\n"
    );
    let mut bundle = format!("var k=\"{key}\";fetch(\"https://api.openai.com/v1/models\",{{headers:{{Authorization:process.env.OPENAI_API_KEY}}}});");
    while bundle.len() < 5_000_000 {
        bundle.push_str("var a=function(b){return b+1};");
    }
    let mut latin1 =
        format!("headers = {{\"Authorization\": \"{key}\"}}  # api.openai.com, caf").into_bytes();
    latin1.extend_from_slice(b"\xe9\n");
    let dir = tree(&[
        ("truncated.py", broken.as_bytes()),
        ("bundle.min.js", bundle.as_bytes()),
        ("latin1.py", &latin1),
    ]);
    let output = keylint(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--verbose",
            "--max-file-size",
            "6000000",
        ],
    );
    assert_eq!(
        finding_fields(&output, &["path", "rule"]),
        [
            "bundle.min.js KL101",
            "latin1.py KL101",
            "truncated.py KL101"
        ],
        "{}",
        stderr(&output)
    );
    let notes = stderr(&output);
    assert!(notes.contains("truncated.py: syntax error"), "{notes}");
    assert!(
        notes.contains("bundle.min.js: not parsed (over 1 MB)"),
        "{notes}"
    );
    assert!(notes.contains("latin1.py: not valid UTF-8"), "{notes}");
}
