//! keylint's SARIF passes the official SARIF 2.1.0 schema and Microsoft's SARIF multitool with
//! GitHub's ingestion rules (`Ghas;Sarif`), with no error and no warning.
//! `scripts/test.sh` installs both validators into `.tools/sarif`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn tools() -> PathBuf {
    let dir = repo_root().join(".tools/sarif/node_modules");
    assert!(
        dir.join("@microsoft/sarif-multitool-linux/Sarif.Multitool").exists(),
        "the SARIF validators are not installed: run scripts/test.sh (or scripts/install-test-tools.sh)"
    );
    dir
}

fn sarif_for(args: &[&str], out: &Path) {
    let mut full = vec![
        "check",
        "--format",
        "sarif",
        "--output",
        out.to_str().unwrap(),
    ];
    full.extend_from_slice(args);
    let output = keylint(&repo_root(), &full);
    assert!(matches!(code(&output), 0 | 1), "{}", stderr(&output));
}

fn assert_schema_valid(tools: &Path, file: &Path) {
    let output = Command::new("node")
        .arg(repo_root().join("tests/sarif/validate-schema.js"))
        .arg(tools.join("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"))
        .arg(file)
        .env("NODE_PATH", tools)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{} does not match the SARIF 2.1.0 schema:\n{}{}",
        file.display(),
        stdout(&output),
        stderr(&output)
    );
}

fn assert_multitool_clean(tools: &Path, file: &Path, work: &Path) {
    let report = work.join("multitool.sarif");
    let output = Command::new(tools.join("@microsoft/sarif-multitool-linux/Sarif.Multitool"))
        .args(["validate"])
        .arg(file)
        .args([
            "--rule-kind",
            "Ghas;Sarif",
            "--level",
            "Error;Warning",
            "-o",
        ])
        .arg(&report)
        .args(["--log", "ForceOverwrite"])
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .expect("the multitool runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("multitool report")).unwrap();
    let problems: Vec<String> = log["runs"][0]["results"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        // A result without a level is a warning in SARIF.
        .filter(|r| {
            matches!(
                r["level"].as_str().unwrap_or("warning"),
                "error" | "warning"
            )
        })
        .map(|r| format!("{} {}", r["ruleId"], r["message"]))
        .collect();
    assert!(
        problems.is_empty(),
        "the multitool finds problems in {}:\n{}\n{}",
        file.display(),
        problems.join("\n"),
        stdout(&output)
    );
}

#[test]
fn sarif_passes_the_schema_and_the_multitool() {
    let tools = tools();
    let work = tempfile::tempdir().unwrap();
    let with_results = work.path().join("findings.sarif");
    sarif_for(&["fixtures"], &with_results);
    let empty = work.path().join("empty.sarif");
    sarif_for(&["fixtures/KL101/negative"], &empty);
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&with_results).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 40);
    // The wiring findings carry their other end, validated with the rest.
    for rule in ["KL301", "KL304", "KL305", "KL307", "KL310"] {
        assert!(
            results.iter().any(|r| r["ruleId"] == rule
                && r["relatedLocations"]
                    .as_array()
                    .is_some_and(|related| !related.is_empty())),
            "{rule}"
        );
    }
    for file in [&with_results, &empty] {
        assert_schema_valid(&tools, file);
        assert_multitool_clean(&tools, file, work.path());
    }
}

#[test]
fn the_schema_check_can_fail() {
    let tools = tools();
    let work = tempfile::tempdir().unwrap();
    let broken = work.path().join("broken.sarif");
    std::fs::write(&broken, r#"{"version": "2.1.0", "runs": [{"tool": {}}]}"#).unwrap();
    let output = Command::new("node")
        .arg(repo_root().join("tests/sarif/validate-schema.js"))
        .arg(tools.join("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"))
        .arg(&broken)
        .env("NODE_PATH", &tools)
        .output()
        .unwrap();
    assert!(!output.status.success());
}
