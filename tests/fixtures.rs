//! Rule fixtures: positive files must give exactly the findings pinned in the snapshots, near-miss
//! files none at all.

mod common;

use common::*;

fn fixture_files(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(repo_root().join(dir))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(repo_root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}

#[test]
fn kl101_positive_findings() {
    let output = keylint(
        &repo_root(),
        &[
            "check",
            "fixtures/KL101/positive",
            "--format",
            "json",
            "--select",
            "KL101",
        ],
    );
    assert_eq!(code(&output), 1);
    let lines = finding_messages(&output);
    insta::assert_snapshot!("kl101_positive_findings", lines.join("\n"));
    // Every positive file yields at least one finding.
    for file in fixture_files("fixtures/KL101/positive") {
        assert!(
            lines.iter().any(|l| l.starts_with(&format!("{file}:"))),
            "{file} gives no finding"
        );
    }
}

#[test]
fn kl101_positive_human_output() {
    let output = keylint(
        &repo_root(),
        &[
            "check",
            "fixtures/KL101/positive",
            "--color",
            "never",
            "--select",
            "KL101",
        ],
    );
    insta::assert_snapshot!("kl101_positive_human", stdout(&output));
}

#[test]
fn kl101_near_misses_stay_silent() {
    let output = keylint(
        &repo_root(),
        &[
            "check",
            "fixtures/KL101/negative",
            "--format",
            "json",
            "--no-ignore",
        ],
    );
    let report = json(&output);
    assert_eq!(finding_lines(&output), Vec::<String>::new());
    // Every file was read, none skipped.
    assert_eq!(
        report["summary"]["files_scanned"],
        fixture_files("fixtures/KL101/negative").len()
    );
    assert_eq!(code(&output), 0);
}

#[test]
fn every_openai_shape_is_found_with_its_kind() {
    let output = keylint(
        &repo_root(),
        &["check", "fixtures/KL101/positive", "--format", "json"],
    );
    let kinds: Vec<(u64, String)> = json(&output)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "fixtures/KL101/positive/openai_shapes.py")
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        (4, "OpenAI legacy user key"),
        (5, "OpenAI project key"),
        (6, "OpenAI project key"),
        (7, "OpenAI project key"),
        (8, "OpenAI service account key"),
        (9, "OpenAI service account key"),
        (10, "OpenAI admin key"),
        (11, "OpenAI admin key"),
        (12, "OpenAI user key"),
        (13, "OpenAI service account key"),
        (15, "OpenAI project key"),
    ];
    assert_eq!(kinds.len(), expected.len(), "{kinds:?}");
    for ((line, message), (want_line, want_kind)) in kinds.iter().zip(expected) {
        assert_eq!(*line, want_line);
        assert_eq!(message, &format!("{want_kind} is hardcoded in this file"));
    }
}

/// Rules with `fixtures/<CODE>/positive` (every file gives at least one finding, pinned by
/// snapshots) and `fixtures/<CODE>/negative` (near misses: none).
const RULE_FIXTURES: &[&str] = &[
    "KL102", "KL103", "KL104", "KL105", "KL106", "KL107", "KL108", "KL109", "KL201", "KL202",
    "KL203", "KL204", "KL205", "KL206", "KL301", "KL302", "KL303", "KL304", "KL305", "KL306",
    "KL307", "KL308", "KL309", "KL310", "KL402", "KL403", "KL404",
];

fn rule_findings(rule: &str, dir: &str) -> (std::process::Output, Vec<String>) {
    let path = format!("fixtures/{rule}/{dir}");
    let output = keylint(
        &repo_root(),
        &[
            "check",
            &path,
            "--select",
            rule,
            "--format",
            "json",
            "--no-ignore",
        ],
    );
    let lines = finding_lines(&output);
    (output, lines)
}

#[test]
fn rules_find_their_positives() {
    for rule in RULE_FIXTURES {
        let (output, lines) = rule_findings(rule, "positive");
        assert_eq!(code(&output), 1, "{rule}: {}", stderr(&output));
        let messages = finding_messages(&output);
        insta::assert_snapshot!(format!("{rule}_positive_findings"), messages.join("\n"));
        // Every positive file is where a finding is, or the other end of one.
        let related: Vec<String> = json(&output)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["related"].as_array().cloned().unwrap_or_default())
            .filter_map(|r| r["path"].as_str().map(str::to_owned))
            .collect();
        for file in fixture_files(&format!("fixtures/{rule}/positive")) {
            assert!(
                lines.iter().any(|l| l.starts_with(&format!("{file}:"))) || related.contains(&file),
                "{rule}: {file} gives no finding"
            );
        }
        let human = keylint(
            &repo_root(),
            &[
                "check",
                &format!("fixtures/{rule}/positive"),
                "--select",
                rule,
                "--color",
                "never",
                "--no-ignore",
            ],
        );
        insta::assert_snapshot!(format!("{rule}_positive_human"), stdout(&human));
    }
}

#[test]
fn rules_stay_silent_on_near_misses() {
    for rule in RULE_FIXTURES {
        let (output, lines) = rule_findings(rule, "negative");
        assert_eq!(lines, Vec::<String>::new(), "{rule}");
        assert_eq!(code(&output), 0, "{rule}");
        let scanned = json(&output)["summary"]["files_scanned"].as_u64().unwrap() as usize;
        assert_eq!(
            scanned,
            fixture_files(&format!("fixtures/{rule}/negative")).len(),
            "{rule}"
        );
    }
}

#[test]
fn the_clean_app_gives_no_finding_at_all() {
    let output = keylint(
        &repo_root(),
        &[
            "check",
            "fixtures/clean-app",
            "--format",
            "json",
            "--verbose",
        ],
    );
    assert_eq!(finding_lines(&output), Vec::<String>::new());
    assert_eq!(code(&output), 0);
    // Every configuration file was understood: no parse-failure notes.
    assert_eq!(stderr(&output), "");
}

#[test]
fn cross_file_findings_carry_the_other_end() {
    let output = keylint(
        &repo_root(),
        &[
            "check",
            "fixtures/KL305/positive",
            "--select",
            "KL305",
            "--format",
            "json",
        ],
    );
    let report = json(&output);
    let first = &report["findings"][0];
    assert_eq!(first["path"], "fixtures/KL305/positive/deployment.yaml");
    let related = &first["related"][0];
    assert_eq!(related["path"], "fixtures/KL305/positive/secret.yaml");
    assert_eq!(
        (related["line"].as_u64(), related["column"].as_u64()),
        (Some(4), Some(9))
    );
    assert_eq!(related["message"], "Secret `openai-key` is defined here");
    let sarif = keylint(
        &repo_root(),
        &[
            "check",
            "fixtures/KL305/positive",
            "--select",
            "KL305",
            "--format",
            "sarif",
        ],
    );
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let location = &log["runs"][0]["results"][0]["relatedLocations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/KL305/positive/secret.yaml"
    );
    assert_eq!(
        location["message"]["text"],
        "Secret `openai-key` is defined here."
    );
}

/// A git-ignored env file made at setup from a template is no finding, and the service that
/// loads it may get any key from it: no KL301 for the code it builds either.
#[test]
fn an_env_file_made_at_setup_may_provide_anything() {
    let output = keylint(
        &repo_root(),
        &[
            "check",
            "fixtures/KL304/negative/made-at-setup",
            "--select",
            "KL3",
            "--format",
            "json",
        ],
    );
    assert_eq!(finding_lines(&output), Vec::<String>::new());
    assert_eq!(code(&output), 0);
}

/// KL303 says what is on disk beside the compose file: the `.env` that lacks a key or leaves it
/// empty, by its path (the positive fixtures have none beside them, and say so).
#[test]
fn kl303_names_the_env_file_beside() {
    let output = keylint(
        &repo_root(),
        &[
            "check",
            "fixtures/KL303/env-beside",
            "--select",
            "KL303",
            "--format",
            "json",
            "--no-ignore",
        ],
    );
    assert_eq!(
        finding_messages(&output),
        [
            "fixtures/KL303/env-beside/compose.yaml:6:23-40 KL303 - `OPENAI_API_KEY` is \
             interpolated with no default and no required marker, and \
             `fixtures/KL303/env-beside/.env` beside it leaves it empty",
            "fixtures/KL303/env-beside/compose.yaml:7:24-42 KL303 - `MISTRAL_API_KEY` is \
             interpolated with no default and no required marker, and \
             `fixtures/KL303/env-beside/.env` beside it does not define it",
        ]
    );
}

/// The wiring scenarios of `fixtures/wiring/`: each directory is a small repository, scanned
/// alone with every rule; the snapshot pins every finding and the other ends it names.
#[test]
fn wiring_scenarios_give_exactly_their_findings() {
    let mut scenarios: Vec<String> = std::fs::read_dir(repo_root().join("fixtures/wiring"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    scenarios.sort();
    assert_eq!(
        scenarios,
        [
            "ci",
            "ci-commands",
            "compose-services",
            "entrypoints",
            "kubernetes",
            "monorepo",
            "read-kinds",
            "secret-references",
            "shell"
        ]
    );
    for scenario in scenarios {
        let path = format!("fixtures/wiring/{scenario}");
        let output = keylint(
            &repo_root(),
            &["check", &path, "--format", "json", "--no-ignore"],
        );
        let report = json(&output);
        let mut lines = Vec::new();
        for (finding, line) in report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .zip(finding_lines(&output))
        {
            lines.push(format!("{line} {}", finding["message"].as_str().unwrap()));
            for related in finding["related"].as_array().cloned().unwrap_or_default() {
                lines.push(format!(
                    "    see {}:{}: {}",
                    related["path"].as_str().unwrap(),
                    related["line"],
                    related["message"].as_str().unwrap()
                ));
            }
        }
        assert!(!lines.is_empty(), "{scenario} gives no finding");
        insta::assert_snapshot!(format!("wiring_{scenario}"), lines.join("\n"));
    }
}

#[test]
fn wiring_findings_show_both_snippets() {
    let output = keylint(
        &repo_root(),
        &[
            "check",
            "fixtures/wiring/monorepo",
            "--color",
            "never",
            "--no-ignore",
        ],
    );
    insta::assert_snapshot!("wiring_monorepo_human", stdout(&output));
}

/// The clean app is judged, not skipped: its compose service and its Deployment are linked to
/// its code, so unwiring either gives a finding.
#[test]
fn the_clean_app_is_wired_not_ignored() {
    let source = repo_root().join("fixtures/clean-app");
    for (file, from, to, expected) in [
        (
            "compose.yaml",
            "      <<: *llm-env\n",
            "",
            "KL301 - service `api` runs `uvicorn app.main:app",
        ),
        (
            "k8s/deployment.yaml",
            "            - name: OPENAI_API_KEY\n",
            "            - name: OPENAI_KEY\n",
            "KL301 - container `api` of Deployment `summary-api` runs `uvicorn app.main:app",
        ),
    ] {
        let copy = tempfile::tempdir().unwrap();
        for entry in walkdir::WalkDir::new(&source) {
            let entry = entry.unwrap();
            let target = copy
                .path()
                .join(entry.path().strip_prefix(&source).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        let edited = copy.path().join(file);
        let text = std::fs::read_to_string(&edited).unwrap();
        assert!(text.contains(from), "{file}");
        std::fs::write(&edited, text.replacen(from, to, 1)).unwrap();
        let output = keylint(copy.path(), &["check", "--format", "json"]);
        let lines = finding_messages(&output);
        assert!(
            lines.iter().any(|l| l.contains(expected)),
            "{file}: {lines:#?}"
        );
    }
}

#[test]
fn github_annotations_name_the_other_end() {
    let output = keylint(
        &repo_root(),
        &[
            "check",
            "fixtures/wiring/compose-services",
            "--select",
            "KL301",
            "--format",
            "github",
            "--no-ignore",
        ],
    );
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].starts_with(
            "::error file=fixtures/wiring/compose-services/compose.yaml,line=14,col=3,"
        ),
        "{text}"
    );
    assert!(
        lines[0].ends_with(
            "through `env_file`). See: fixtures/wiring/compose-services/worker/main.py:3 (the code \
             reads OPENAI_API_KEY here)."
        ),
        "{text}"
    );
}

/// A pre-commit hook names the changed files only; the cross-file rules then stay quiet rather
/// than blame the files the scan does not see.
#[test]
fn cross_file_rules_need_directories() {
    let repo = tree(&[
        (
            "compose.yaml",
            b"services:\n  worker:\n    build: ./worker\n",
        ),
        (
            "worker/main.py",
            b"import os\n\nkey = os.environ[\"OPENAI_API_KEY\"]\n",
        ),
    ]);
    let named = keylint(
        repo.path(),
        &[
            "check",
            "compose.yaml",
            "worker/main.py",
            "--select",
            "KL301",
            "--verbose",
        ],
    );
    assert_eq!(code(&named), 0, "{}", stdout(&named));
    assert!(
        stderr(&named).contains("run on directories only"),
        "{}",
        stderr(&named)
    );
    let directory = keylint(repo.path(), &["check", "--select", "KL301"]);
    assert_eq!(code(&directory), 1, "{}", stdout(&directory));
}

/// What a file is for decides which rules judge it: KL201 judges production code and examples,
/// not tests or recorded HTTP; KL101 judges a key with OpenAI's marker in a test too. The role
/// is in JSON, in SARIF's result properties and, with `--verbose`, beside each code.
#[test]
fn file_roles_decide_which_rules_judge_a_file() {
    let output = keylint(
        &repo_root(),
        &["check", "fixtures/roles", "--format", "json"],
    );
    assert_eq!(code(&output), 1);
    let found: Vec<String> = json(&output)["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["role"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "KL201 fixtures/roles/examples/models.js example",
            "KL101 fixtures/roles/tests/test_client.py test",
            "KL201 fixtures/roles/web/models.js production",
        ]
    );

    let sarif = keylint(
        &repo_root(),
        &["check", "fixtures/roles", "--format", "sarif"],
    );
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("valid SARIF");
    let roles: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["properties"]["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["example", "test", "production"]);

    let human = keylint(
        &repo_root(),
        &["check", "fixtures/roles", "--verbose", "--color", "never"],
    );
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("KL101 hardcoded-key (test file)"), "{text}");
    assert!(
        text.contains("KL201 missing-bearer (production file)"),
        "{text}"
    );
}
