//! `--diff REV`: only the findings on lines added or changed since REV.

mod common;

use common::*;

#[test]
fn only_the_new_finding_of_a_branch_is_reported() {
    let old = format!("import os\nOLD = \"{}\"\n", openai_project_key(61));
    let dir = tree(&[("app/settings.py", old.as_bytes())]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "old"]);
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    // A line above the old key moves it; a new key is added below; a new file is untracked.
    let new = format!(
        "import os\nimport sys\nOLD = \"{}\"\nNEW = \"{}\"\n",
        openai_project_key(61),
        openai_project_key(62)
    );
    std::fs::write(dir.path().join("app/settings.py"), new).unwrap();
    let untracked = format!("KEY = \"{}\"\n", openai_project_key(63));
    std::fs::write(dir.path().join("app/extra.py"), untracked).unwrap();

    let all = keylint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(finding_lines(&all).len(), 3);
    let output = keylint(dir.path(), &["check", "--format", "json", "--diff", "main"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        finding_lines(&output),
        [
            "app/extra.py:1:8-172 KL101 openai",
            "app/settings.py:4:8-172 KL101 openai"
        ]
    );
    // Committed on the branch: the same against main, nothing against the branch itself.
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "new"]);
    let output = keylint(dir.path(), &["check", "--format", "json", "--diff", "main"]);
    assert_eq!(finding_lines(&output).len(), 2);
    let output = keylint(dir.path(), &["check", "--format", "json", "--diff", "HEAD"]);
    assert_eq!(code(&output), 0);
}

#[test]
fn a_revision_that_does_not_exist_exits_2() {
    let dir = tree(&[("app/a.py", b"x = 1\n")]);
    git(dir.path(), &["init", "-q"]);
    let output = keylint(dir.path(), &["check", "--diff", "no-such-rev"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--diff"), "{}", stderr(&output));
}

#[test]
fn a_cross_file_finding_counts_by_its_changed_end() {
    let compose =
        b"services:\n  worker:\n    build: ./worker\n    command: [\"python\", \"main.py\"]\n";
    let dir = tree(&[
        ("compose.yaml", compose),
        ("worker/main.py", b"import os\n\nprint(\"hello\")\n"),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "old"]);
    // The code now needs a key the unchanged compose file does not pass.
    std::fs::write(
        dir.path().join("worker/main.py"),
        "import os\n\nKEY = os.environ[\"OPENAI_API_KEY\"]\n",
    )
    .unwrap();
    let output = keylint(dir.path(), &["check", "--format", "json", "--diff", "HEAD"]);
    let rules = finding_fields(&output, &["path", "rule"]);
    assert_eq!(rules, ["compose.yaml KL301"], "{}", stderr(&output));
    // The finding's ends predate a later, unrelated change: not reported against it.
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "read"]);
    std::fs::write(dir.path().join("README.md"), "# worker\n").unwrap();
    let output = keylint(dir.path(), &["check", "--format", "json", "--diff", "HEAD"]);
    assert_eq!(finding_fields(&output, &["rule"]), Vec::<String>::new());
}
