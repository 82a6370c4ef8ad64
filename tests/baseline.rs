//! `--write-baseline` and `--baseline`: today's findings accepted, only new ones reported,
//! whatever moves around them.

mod common;

use common::*;

fn python_key(seed: u64) -> String {
    format!("KEY_{seed} = \"{}\"\n", openai_project_key(seed))
}

fn summary(output: &std::process::Output) -> serde_json::Value {
    json(output)["summary"]["baseline"].clone()
}

#[test]
fn a_baseline_hides_todays_findings_through_moves_edits_and_renames() {
    let first = python_key(51);
    let second = python_key(52);
    let app = format!("import os\n{first}{second}");
    let dir = tree(&[
        ("app/settings.py", app.as_bytes()),
        ("app/other.py", b"print('hello')\n"),
    ]);
    let written = keylint(
        dir.path(),
        &["check", "--write-baseline", "keylint-baseline.json"],
    );
    assert_eq!(code(&written), 0, "{}", stderr(&written));
    assert!(
        stderr(&written).contains("wrote a baseline of 2 findings"),
        "{}",
        stderr(&written)
    );
    let baseline = std::fs::read_to_string(dir.path().join("keylint-baseline.json")).unwrap();
    // Neither key, nor a line number, is in the file.
    assert!(
        !baseline.contains(&openai_project_key(51)[..20]),
        "{baseline}"
    );
    assert!(!baseline.contains("\"line\""), "{baseline}");
    let check = |dir: &std::path::Path| {
        keylint(
            dir,
            &[
                "check",
                "--format",
                "json",
                "--baseline",
                "keylint-baseline.json",
            ],
        )
    };

    // A line inserted above the findings and an unrelated file edited: nothing new.
    let moved = format!("import os\nimport sys\n\n{first}{second}");
    std::fs::write(dir.path().join("app/settings.py"), &moved).unwrap();
    std::fs::write(dir.path().join("app/other.py"), "print('hello, world')\n").unwrap();
    let output = check(dir.path());
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(finding_lines(&output), Vec::<String>::new());
    assert_eq!(summary(&output)["hidden"], 2);
    assert_eq!(summary(&output)["unmatched"], 0);

    // A new key: exactly that one.
    let third = python_key(53);
    std::fs::write(
        dir.path().join("app/settings.py"),
        format!("{moved}{third}"),
    )
    .unwrap();
    let output = check(dir.path());
    assert_eq!(code(&output), 1);
    assert_eq!(
        finding_lines(&output),
        ["app/settings.py:6:11-175 KL101 openai"]
    );

    // The file renamed: the old keys are still known, the new one is still new.
    std::fs::rename(
        dir.path().join("app/settings.py"),
        dir.path().join("app/config.py"),
    )
    .unwrap();
    let output = check(dir.path());
    assert_eq!(
        finding_lines(&output),
        ["app/config.py:6:11-175 KL101 openai"]
    );
    assert_eq!(summary(&output)["hidden"], 2);

    // One key removed: its entry no longer matches; the human summary says so.
    std::fs::write(dir.path().join("app/config.py"), format!("{first}{third}")).unwrap();
    let output = keylint(
        dir.path(),
        &[
            "check",
            "--color",
            "never",
            "--baseline",
            "keylint-baseline.json",
        ],
    );
    let text = stdout(&output);
    assert!(
        text.contains("The baseline hid 1 finding; 1 of its entries no longer match."),
        "{text}"
    );
}

#[test]
fn a_key_copied_to_a_second_file_is_new() {
    let key = python_key(54);
    let dir = tree(&[("app/a.py", key.as_bytes())]);
    let written = keylint(dir.path(), &["check", "--write-baseline", "base.json"]);
    assert_eq!(code(&written), 0);
    std::fs::write(dir.path().join("app/b.py"), &key).unwrap();
    let output = keylint(
        dir.path(),
        &["check", "--format", "json", "--baseline", "base.json"],
    );
    assert_eq!(finding_lines(&output), ["app/b.py:1:11-175 KL101 openai"]);
}

#[test]
fn rewriting_a_baseline_keeps_its_salt_and_bytes() {
    let dir = tree(&[("app/a.py", python_key(55).as_bytes())]);
    keylint(dir.path(), &["check", "--write-baseline", "base.json"]);
    let before = std::fs::read(dir.path().join("base.json")).unwrap();
    keylint(dir.path(), &["check", "--write-baseline", "base.json"]);
    assert_eq!(std::fs::read(dir.path().join("base.json")).unwrap(), before);
}

#[test]
fn a_file_that_is_no_baseline_exits_2() {
    let dir = tree(&[
        ("app/a.py", python_key(56).as_bytes()),
        ("base.json", b"{}"),
    ]);
    let output = keylint(dir.path(), &["check", "--baseline", "base.json"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("not a keylint baseline"),
        "{}",
        stderr(&output)
    );
}
