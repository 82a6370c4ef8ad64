//! `--staged`: the git index is judged, not the working tree; per-file findings in staged files,
//! cross-file findings with an end in one.

mod common;

use std::path::Path;

use common::*;

const APP: &str = "import os\nfrom openai import OpenAI\n\nclient = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])\n";
const COMPOSE: &str = "services:\n  web:\n    build: .\n    command: python app.py\n    environment:\n      OPENAI_API_KEY: ${OPENAI_API_KEY:?set it}\n";
const DOCKERFILE: &str = "FROM python:3.12\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n";

/// A committed service whose compose file passes the key its code reads.
fn committed_service() -> tempfile::TempDir {
    let dir = tree(&[
        ("app.py", APP.as_bytes()),
        ("compose.yaml", COMPOSE.as_bytes()),
        ("Dockerfile", DOCKERFILE.as_bytes()),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "service"]);
    dir
}

fn write(dir: &Path, path: &str, text: &str) {
    std::fs::write(dir.join(path), text).unwrap();
}

fn staged(dir: &Path) -> std::process::Output {
    keylint(dir, &["check", "--staged", "--format", "json"])
}

#[test]
fn a_staged_key_is_found_though_the_working_tree_no_longer_has_it() {
    let dir = committed_service();
    let with_key = format!("{APP}BACKUP = \"{}\"\n", openai_project_key(71));
    write(dir.path(), "app.py", &with_key);
    git(dir.path(), &["add", "app.py"]);
    write(dir.path(), "app.py", APP);

    let output = staged(dir.path());
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(finding_lines(&output), ["app.py:5:11-175 KL101 openai"]);
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&output), 0, "the working tree is clean");
}

#[test]
fn an_unstaged_key_is_not_the_commits() {
    let dir = committed_service();
    let staged_text = format!("{APP}# reads the key above\n");
    write(dir.path(), "app.py", &staged_text);
    git(dir.path(), &["add", "app.py"]);
    let with_key = format!("{staged_text}BACKUP = \"{}\"\n", openai_project_key(72));
    write(dir.path(), "app.py", &with_key);

    let output = staged(dir.path());
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(json(&output)["summary"]["files_scanned"], 1);
    let output = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(finding_lines(&output), ["app.py:6:11-175 KL101 openai"]);
}

#[test]
fn a_key_in_a_file_the_commit_leaves_alone_is_not_reported() {
    let old = format!("KEY = \"{}\"\n", openai_project_key(73));
    let dir = tree(&[("old.py", old.as_bytes()), ("new.py", b"x = 1\n")]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "old key"]);
    write(dir.path(), "new.py", "x = 2\n");
    git(dir.path(), &["add", "new.py"]);

    let output = staged(dir.path());
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(
        finding_lines(&keylint(dir.path(), &["check", "--format", "json"])).len(),
        1
    );
}

#[test]
fn a_staged_compose_change_that_drops_the_key_is_blocked() {
    let dir = committed_service();
    let without = COMPOSE.replace(
        "    environment:\n      OPENAI_API_KEY: ${OPENAI_API_KEY:?set it}\n",
        "",
    );
    write(dir.path(), "compose.yaml", &without);
    git(dir.path(), &["add", "compose.yaml"]);
    // The working tree puts it back: the commit would still lack it.
    write(dir.path(), "compose.yaml", COMPOSE);

    let output = staged(dir.path());
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(finding_lines(&output), ["compose.yaml:2:3-6 KL301 -"]);
    let related = &json(&output)["findings"][0]["related"][0];
    assert_eq!(related["path"], "app.py", "{related}");
    assert_eq!(code(&keylint(dir.path(), &["check"])), 0);

    // The same code change alone (compose unchanged) breaks nothing.
    git(dir.path(), &["reset", "-q"]);
    write(dir.path(), "app.py", &format!("{APP}print(client)\n"));
    git(dir.path(), &["add", "app.py"]);
    assert_eq!(code(&staged(dir.path())), 0);
}

#[test]
fn code_that_starts_reading_a_key_the_deployment_lacks_is_blocked() {
    let dir = committed_service();
    let reads_more = format!(
        "{APP}org = os.environ[\"OPENAI_ORG_ID\"]\nkey2 = os.environ[\"ANTHROPIC_API_KEY\"]\n"
    );
    write(dir.path(), "app.py", &reads_more);
    git(dir.path(), &["add", "app.py"]);

    let output = staged(dir.path());
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let lines = finding_lines(&output);
    assert!(lines.iter().any(|l| l.contains("KL301")), "{lines:?}");
}

#[test]
fn the_cache_gives_the_same_answer_and_follows_new_blobs() {
    let dir = committed_service();
    write(
        dir.path(),
        "compose.yaml",
        &COMPOSE.replace("OPENAI_API_KEY: ${OPENAI_API_KEY:?set it}", "OTHER: x"),
    );
    git(dir.path(), &["add", "compose.yaml"]);
    let cache = dir.path().join(".git/keylint/summaries.json");

    let uncached = staged_no_cache(dir.path());
    assert!(!cache.exists(), "--no-cache writes nothing");
    let first = staged(dir.path());
    assert!(cache.exists());
    let second = staged(dir.path());
    assert_eq!(stdout(&first), stdout(&uncached));
    assert_eq!(stdout(&second), stdout(&uncached));
    assert_eq!(finding_lines(&second), ["compose.yaml:2:3-6 KL301 -"]);

    // The code stops reading the key: its new blob is read, not the kept summary.
    write(dir.path(), "app.py", "print('offline')\n");
    git(dir.path(), &["add", "app.py"]);
    assert_eq!(finding_lines(&staged(dir.path())), Vec::<String>::new());

    // A cache written by other settings is not used.
    let entries = std::fs::read_to_string(&cache).unwrap();
    assert!(entries.contains("\"app.py\""), "{entries}");
    let other = keylint(
        dir.path(),
        &[
            "check",
            "--staged",
            "--key-var",
            "MY_KEY",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&other), 0, "{}", stderr(&other));
}

fn staged_no_cache(dir: &Path) -> std::process::Output {
    keylint(
        dir,
        &["check", "--staged", "--no-cache", "--format", "json"],
    )
}

#[test]
fn nothing_staged_says_so_and_passes() {
    let dir = committed_service();
    let output = keylint(dir.path(), &["check", "--staged"]);
    assert_eq!(code(&output), 0);
    assert!(
        stderr(&output).contains("nothing is staged"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_first_commit_judges_every_staged_file() {
    let key = format!("KEY = \"{}\"\n", openai_project_key(74));
    let dir = tree(&[("a.py", key.as_bytes())]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    assert_eq!(
        finding_lines(&staged(dir.path())),
        ["a.py:1:8-172 KL101 openai"]
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tree(&[("a.py", b"x = 1\n")]);
    let output = keylint(dir.path(), &["check", "--staged"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("not in a git repository"),
        "{}",
        stderr(&output)
    );
    git(dir.path(), &["init", "-q"]);
    let output = keylint(dir.path(), &["check", "--staged", "a.py"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("scans directories"),
        "{}",
        stderr(&output)
    );
    let output = keylint(dir.path(), &["check", "--staged", "--diff", "HEAD"]);
    assert_eq!(code(&output), 2);
}
