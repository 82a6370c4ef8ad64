//! `keylint history`: keys in every commit, with the commit that brought them and whether HEAD
//! still holds them.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// Commits everything staged in `dir` at a fixed date (so commit ids are stable); returns the
/// commit id.
fn commit_at(dir: &Path, message: &str, date: &str) -> String {
    git(dir, &["add", "-A"]);
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "commit.gpgsign=false", "commit", "-q", "-m", message])
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success());
    let output = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(dir)
        .output()
        .expect("git runs");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn write(dir: &Path, path: &str, text: &str) {
    std::fs::write(dir.join(path), text).unwrap();
}

/// A repository where a key is committed, edited around, then removed two commits later.
fn leaked_and_removed() -> (tempfile::TempDir, String) {
    let dir = tree(&[("app.py", b"import os\n")]);
    git(dir.path(), &["init", "-q"]);
    commit_at(dir.path(), "start", "2024-05-01T10:00:00Z");
    let key = openai_project_key(81);
    write(
        dir.path(),
        "app.py",
        &format!("import os\nKEY = \"{key}\"\n"),
    );
    let leak = commit_at(dir.path(), "add key", "2024-05-02T11:30:00Z");
    write(
        dir.path(),
        "app.py",
        &format!("import os\nKEY = \"{key}\"\nprint(KEY)\n"),
    );
    commit_at(dir.path(), "use it", "2024-05-03T09:00:00Z");
    write(
        dir.path(),
        "app.py",
        "import os\nKEY = os.environ[\"OPENAI_API_KEY\"]\n",
    );
    commit_at(dir.path(), "remove key", "2024-05-04T09:00:00Z");
    (dir, leak)
}

#[test]
fn a_key_removed_two_commits_later_is_found_with_its_commit() {
    let (dir, leak) = leaked_and_removed();
    assert_eq!(code(&keylint(dir.path(), &["check"])), 0, "HEAD is clean");

    let output = keylint(dir.path(), &["history", "--format", "json"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    // One finding: the key in two versions of app.py is one key at one path.
    assert_eq!(finding_lines(&output), ["app.py:2:8-172 KL101 openai"]);
    let finding = &json(&output)["findings"][0];
    assert_eq!(finding["commit"]["id"], leak.as_str());
    assert_eq!(finding["commit"]["date"], "2024-05-02T11:30:00Z");
    assert_eq!(finding["commit"]["in_head"], false);
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.ends_with(&format!(
            "committed in {} (2024-05-02), no longer in HEAD",
            &leak[..12]
        )),
        "{message}"
    );
    assert_eq!(
        json(&output)["summary"]["files_scanned"],
        4,
        "four distinct blobs"
    );

    let sarif = keylint(dir.path(), &["history", "--format", "sarif"]);
    let properties = &json(&sarif)["runs"][0]["results"][0]["properties"];
    assert_eq!(properties["commit"]["id"], leak.as_str(), "{properties}");
}

#[test]
fn the_human_report_says_where_and_when() {
    let (dir, _) = leaked_and_removed();
    let output = keylint(dir.path(), &["history", "--color", "never"]);
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn a_key_still_in_head_says_so() {
    let key = openai_legacy_key(82);
    let dir = tree(&[("config.py", format!("KEY = \"{key}\"\n").as_bytes())]);
    git(dir.path(), &["init", "-q"]);
    commit_at(dir.path(), "key", "2024-06-01T00:00:00Z");
    write(
        dir.path(),
        "config.py",
        &format!("# settings\nKEY = \"{key}\"\n"),
    );
    commit_at(dir.path(), "moved", "2024-06-02T00:00:00Z");

    let output = keylint(dir.path(), &["history", "--format", "json"]);
    let findings = json(&output)["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["commit"]["in_head"], true);
    assert_eq!(
        findings[0]["line"], 1,
        "reported where it was first committed"
    );
}

#[test]
fn a_range_reports_only_what_its_commits_brought() {
    let (dir, _) = leaked_and_removed();
    let new_key = format!("TOKEN = \"{}\"\n", anthropic_key(83));
    write(dir.path(), "other.py", &new_key);
    commit_at(dir.path(), "another key", "2024-05-05T09:00:00Z");

    let output = keylint(
        dir.path(),
        &["history", ".", "HEAD~1..HEAD", "--format", "json"],
    );
    assert_eq!(
        finding_fields(&output, &["path", "provider"]),
        ["other.py anthropic"]
    );
    let output = keylint(dir.path(), &["history", ".", "HEAD~3", "--format", "json"]);
    assert_eq!(
        finding_fields(&output, &["path", "provider"]),
        ["app.py openai"]
    );
    let all = keylint(dir.path(), &["history", "--all", "--format", "json"]);
    assert_eq!(finding_lines(&all).len(), 2);
}

#[test]
fn bare_and_shallow_clones_are_read() {
    let (dir, leak) = leaked_and_removed();
    let source = format!("file://{}", dir.path().display());
    let clones = tempfile::tempdir().unwrap();
    git(
        clones.path(),
        &["clone", "-q", "--bare", &source, "bare.git"],
    );
    git(
        clones.path(),
        &["clone", "-q", "--depth", "2", &source, "shallow"],
    );

    let bare = keylint(
        &clones.path().join("bare.git"),
        &["history", "--format", "json"],
    );
    assert_eq!(json(&bare)["findings"][0]["commit"]["id"], leak.as_str());
    // Two commits deep: the key's own commit is cut off, the next one still holds it.
    let shallow = keylint(
        &clones.path().join("shallow"),
        &["history", "--format", "json"],
    );
    assert_eq!(code(&shallow), 1, "{}", stderr(&shallow));
    assert_ne!(json(&shallow)["findings"][0]["commit"]["id"], leak.as_str());
}

#[test]
fn the_baseline_hides_known_keys() {
    let (dir, _) = leaked_and_removed();
    let baseline = dir.path().join("history-baseline.json");
    let baseline = baseline.to_str().unwrap();
    let output = keylint(dir.path(), &["history", "--write-baseline", baseline]);
    assert_eq!(code(&output), 0);
    let output = keylint(
        dir.path(),
        &["history", "--baseline", baseline, "--format", "json"],
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(json(&output)["summary"]["baseline"]["hidden"], 1);
}

#[test]
fn no_repository_or_no_revision_exits_2() {
    let dir = tree(&[("a.py", b"x = 1\n")]);
    let output = keylint(dir.path(), &["history"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("is not in a git repository"),
        "{}",
        stderr(&output)
    );
    let (dir, _) = leaked_and_removed();
    let output = keylint(dir.path(), &["history", ".", "no-such-branch"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("no-such-branch"),
        "{}",
        stderr(&output)
    );
}
