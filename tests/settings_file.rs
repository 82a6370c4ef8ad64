//! The settings file: `keylint.toml`, `.keylint.toml`, `[tool.keylint]` in `pyproject.toml`;
//! the closest one wins, flags override it, `--config` names one, `--isolated` ignores all,
//! and a wrong key, type or value exits 2 with a diagnostic that points into the file.

mod common;

use common::*;

/// A tree with a KL101 finding (a key in Python code) and a KL103 one (a placeholder).
fn two_findings(extra: &[(&str, &[u8])]) -> tempfile::TempDir {
    let key = format!("KEY = \"{}\"\n", openai_project_key(31));
    let mut files: Vec<(&str, &[u8])> = vec![
        ("app/key.py", key.as_bytes()),
        ("app/.env.production", b"MY_LLM_KEY=sk-YOUR_API_KEY_HERE\n"),
    ];
    files.extend_from_slice(extra);
    tree(&files)
}

fn rules(output: &std::process::Output) -> Vec<String> {
    let mut rules: Vec<String> = finding_lines(output)
        .iter()
        .map(|line| {
            let mut parts = line.split(' ');
            let place = parts.next().unwrap();
            let path = place.split(':').next().unwrap().to_owned();
            format!("{path} {}", parts.next().unwrap())
        })
        .collect();
    rules.sort();
    rules
}

fn check(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    keylint(dir, &all)
}

#[test]
fn select_ignore_and_key_vars_from_the_file() {
    let dir = two_findings(&[]);
    let all = check(dir.path(), &["--key-var", "MY_LLM_KEY"]);
    assert_eq!(
        rules(&all),
        ["app/.env.production KL103", "app/key.py KL101"]
    );
    // key-vars alone makes MY_LLM_KEY a key variable.
    std::fs::write(
        dir.path().join("keylint.toml"),
        "key-vars = [\"MY_LLM_KEY\"]\n",
    )
    .unwrap();
    assert_eq!(rules(&check(dir.path(), &[])), rules(&all));
    std::fs::write(
        dir.path().join("keylint.toml"),
        "key-vars = [\"MY_LLM_KEY\"]\nselect = [\"KL101\"]\n",
    )
    .unwrap();
    assert_eq!(rules(&check(dir.path(), &[])), ["app/key.py KL101"]);
    std::fs::write(
        dir.path().join("keylint.toml"),
        "key-vars = [\"MY_LLM_KEY\"]\nselect = [\"KL101\"]\nextend-select = [\"KL103\"]\n",
    )
    .unwrap();
    assert_eq!(rules(&check(dir.path(), &[])), rules(&all));
    std::fs::write(
        dir.path().join("keylint.toml"),
        "key-vars = [\"MY_LLM_KEY\"]\nignore = [\"KL1\"]\n",
    )
    .unwrap();
    assert_eq!(rules(&check(dir.path(), &[])), Vec::<String>::new());
}

#[test]
fn flags_override_the_file() {
    let toml = b"key-vars = [\"MY_LLM_KEY\"]\nselect = [\"KL103\"]\n";
    let dir = two_findings(&[("keylint.toml", toml)]);
    assert_eq!(
        rules(&check(dir.path(), &[])),
        ["app/.env.production KL103"]
    );
    // --select replaces the file's select.
    assert_eq!(
        rules(&check(dir.path(), &["--select", "KL101"])),
        ["app/key.py KL101"]
    );
    // --ignore adds to it.
    assert_eq!(
        rules(&check(dir.path(), &["--ignore", "KL103"])),
        Vec::<String>::new()
    );
}

#[test]
fn the_closest_file_wins() {
    let dir = two_findings(&[
        ("keylint.toml", b"ignore = [\"KL101\"]\n"),
        ("app/.keylint.toml", b"ignore = [\"KL103\"]\n"),
    ]);
    // From the root, the root's file: KL101 ignored.
    assert_eq!(rules(&check(dir.path(), &[])), Vec::<String>::new());
    // From app/, app's own file: KL103 ignored, KL101 reported.
    let app = dir.path().join("app");
    assert_eq!(rules(&check(&app, &[])), ["key.py KL101"]);
    // --isolated reads neither; --config names one.
    assert_eq!(rules(&check(&app, &["--isolated"])), ["key.py KL101"]);
    let named = check(&app, &["--config", "../keylint.toml"]);
    assert_eq!(rules(&named), Vec::<String>::new());
}

#[test]
fn pyproject_counts_only_with_a_tool_keylint_table() {
    let dir = two_findings(&[
        ("keylint.toml", b"ignore = [\"KL101\"]\n"),
        ("app/pyproject.toml", b"[project]\nname = \"app\"\n"),
    ]);
    let app = dir.path().join("app");
    // No [tool.keylint]: the file above applies.
    assert_eq!(rules(&check(&app, &[])), Vec::<String>::new());
    std::fs::write(
        app.join("pyproject.toml"),
        "[project]\nname = \"app\"\n\n[tool.keylint]\nignore = [\"KL103\"]\n",
    )
    .unwrap();
    assert_eq!(rules(&check(&app, &[])), ["key.py KL101"]);
    // --config on a pyproject.toml without the table is an error.
    std::fs::write(app.join("pyproject.toml"), "[project]\nname = \"app\"\n").unwrap();
    let output = check(&app, &["--config", "pyproject.toml"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("it has no [tool.keylint] table"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn exclude_by_name_and_by_path_from_the_files_directory() {
    let key = format!("KEY = \"{}\"\n", openai_project_key(32));
    let dir = tree(&[
        ("app/key.py", key.as_bytes()),
        ("app/generated/key.py", key.as_bytes()),
        (
            "web/bundle.min.js",
            format!("const k = \"{}\";\n", openai_project_key(33)).as_bytes(),
        ),
        (
            "keylint.toml",
            b"exclude = [\"*.min.js\", \"app/generated/**\"]\n",
        ),
    ]);
    assert_eq!(rules(&check(dir.path(), &[])), ["app/key.py KL101"]);
    // The globs are relative to the settings file's directory, also when app/ is scanned.
    let app = dir.path().join("app");
    assert_eq!(rules(&check(&app, &[])), ["key.py KL101"]);
    assert_eq!(
        rules(&check(dir.path(), &["--isolated"])),
        [
            "app/generated/key.py KL101",
            "app/key.py KL101",
            "web/bundle.min.js KL101"
        ]
    );
}

#[test]
fn per_file_ignores_by_path_and_by_name() {
    let toml = b"key-vars = [\"MY_LLM_KEY\"]\n[per-file-ignores]\n\"app/**\" = [\"KL101\"]\n\".env.*\" = [\"placeholder-key\"]\n";
    let dir = two_findings(&[("keylint.toml", toml)]);
    assert_eq!(rules(&check(dir.path(), &[])), Vec::<String>::new());
    // Only the named rules: KL101 in app/ is not KL103.
    let toml = b"key-vars = [\"MY_LLM_KEY\"]\n[per-file-ignores]\n\"app/**\" = [\"KL103\"]\n";
    std::fs::write(dir.path().join("keylint.toml"), toml).unwrap();
    assert_eq!(rules(&check(dir.path(), &[])), ["app/key.py KL101"]);
    // Relative to the settings file's directory, also when app/ is scanned.
    let app = dir.path().join("app");
    assert_eq!(rules(&check(&app, &[])), ["key.py KL101"]);
}

#[test]
fn severity_by_the_most_specific_selector() {
    let severities = |output: &std::process::Output| -> Vec<String> {
        let mut found = finding_fields(output, &["rule", "severity"]);
        found.sort();
        found
    };
    let toml = b"key-vars = [\"MY_LLM_KEY\"]\n";
    let dir = two_findings(&[("keylint.toml", toml)]);
    assert_eq!(
        severities(&check(dir.path(), &[])),
        ["KL101 error", "KL103 warning"]
    );
    let toml = b"key-vars = [\"MY_LLM_KEY\"]\n[severity]\nKL1 = \"error\"\nKL101 = \"warning\"\n";
    std::fs::write(dir.path().join("keylint.toml"), toml).unwrap();
    let output = check(dir.path(), &[]);
    // The code over its prefix; the prefix over the rule's own.
    assert_eq!(severities(&output), ["KL101 warning", "KL103 error"]);
    assert_eq!(json(&output)["summary"]["warnings"], 1);
    // SARIF and GitHub annotations follow.
    let sarif = keylint(dir.path(), &["check", "--format", "sarif"]);
    assert!(stdout(&sarif).contains("\"level\": \"warning\""));
    let github = keylint(dir.path(), &["check", "--format", "github"]);
    assert!(
        stdout(&github).contains("::warning "),
        "{}",
        stdout(&github)
    );
}

#[test]
fn roles_by_glob_the_most_specific_first() {
    let placeholder =
        b"from openai import OpenAI\nclient = OpenAI(api_key=\"sk-YOUR_API_KEY_HERE\")\n";
    let dir = tree(&[
        ("qa/settings.py", placeholder),
        ("qa/live/settings.py", placeholder),
    ]);
    let found = |dir: &std::path::Path| {
        let mut found = finding_fields(&check(dir, &[]), &["path", "rule", "role"]);
        found.sort();
        found
    };
    assert_eq!(
        found(dir.path()),
        [
            "qa/live/settings.py KL103 production",
            "qa/settings.py KL103 production"
        ]
    );
    // qa/ holds tests, which KL103 does not judge; qa/live/ is production again.
    std::fs::write(
        dir.path().join("keylint.toml"),
        "[roles]\n\"qa/**\" = \"test\"\n\"qa/live/**\" = \"production\"\n",
    )
    .unwrap();
    assert_eq!(found(dir.path()), ["qa/live/settings.py KL103 production"]);
}

/// A synthetic key of the test gateway: `gw-` and 32 lower-case letters and digits.
fn gateway_key(seed: u64) -> String {
    format!("gw-{}", random_chars(seed, 32).to_ascii_lowercase())
}

const GATEWAY: &str = "[[providers]]\nid = \"acme-gateway\"\nname = \"ACME LLM gateway\"\n\
                       env-vars = [\"GATEWAY_API_KEY\"]\npattern = \"gw-[a-z0-9]{32}\"\n";

#[test]
fn a_custom_provider_is_found_by_kl101_and_the_value_rules() {
    let key = gateway_key(41);
    let code = format!("GATEWAY = \"{key}\"\n");
    let truncated = format!("GATEWAY_API_KEY={}\n", &key[..22]);
    let spaced = format!("GATEWAY_API_KEY=\"{} \"\n", gateway_key(42));
    let dir = tree(&[
        ("keylint.toml", GATEWAY.as_bytes()),
        ("app/config.py", code.as_bytes()),
        ("deploy/.env.production", truncated.as_bytes()),
        ("deploy/.env.staging", spaced.as_bytes()),
        (
            "deploy/.env.test",
            b"GATEWAY_API_KEY=sk-YOUR_API_KEY_HERE\n",
        ),
    ]);
    let mut found = finding_fields(
        &check(dir.path(), &["--ignore", "KL401"]),
        &["path", "rule", "provider"],
    );
    found.sort();
    assert_eq!(
        found,
        [
            "app/config.py KL101 acme-gateway",
            "deploy/.env.production KL105 acme-gateway",
            "deploy/.env.staging KL101 acme-gateway",
            "deploy/.env.staging KL104 acme-gateway",
            "deploy/.env.test KL103 acme-gateway",
        ]
    );
    // The key is masked like the catalog's: its literal start and no more.
    let output = check(dir.path(), &["--select", "KL101"]);
    assert!(!stdout(&output).contains(&key), "{}", stdout(&output));
    let json_text = stdout(&output);
    assert!(json_text.contains("gw-"), "{json_text}");
    // Without the settings file the gateway's keys are unknown.
    let isolated = check(dir.path(), &["--isolated", "--ignore", "KL401"]);
    assert_eq!(finding_fields(&isolated, &["rule"]), Vec::<String>::new());
}

#[test]
fn a_custom_pattern_without_a_literal_start_counts_only_under_its_keyword() {
    let toml = "[[providers]]\nid = \"acme\"\nname = \"ACME\"\npattern = \"[a-z0-9]{40}\"\n\
                keyword = \"acme\"\n";
    let body = random_chars(43, 40).to_ascii_lowercase();
    let env = format!("ACME_TOKEN={body}\nOTHER_TOKEN={body}\n");
    let dir = tree(&[
        ("keylint.toml", toml.as_bytes()),
        ("app/settings.env", env.as_bytes()),
    ]);
    let output = check(dir.path(), &["--select", "KL101"]);
    assert_eq!(
        finding_lines(&output),
        ["app/settings.env:1:12-52 KL101 acme"]
    );
}

/// The rendered error for a settings file holding `toml`, named with `--config`.
fn error_for(toml: &str) -> String {
    let dir = tree(&[("bad.toml", toml.as_bytes())]);
    let output = keylint(dir.path(), &["check", "--config", "bad.toml"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    stderr(&output)
}

#[test]
fn errors_point_into_the_file() {
    insta::assert_snapshot!(
        "settings_unknown_key",
        error_for("select = [\"KL1\"]\nextend_select = [\"KL2\"]\n")
    );
    insta::assert_snapshot!("settings_wrong_type", error_for("ignore = \"KL101\"\n"));
    // A provider's own keys, not the top level's.
    insta::assert_snapshot!(
        "settings_unknown_provider_key",
        error_for("[[providers]]\nid = \"gw\"\nname = \"Gateway\"\nenv_vars = []\npattern = \"gw-[a-z]{8}\"\n")
    );
    insta::assert_snapshot!(
        "settings_unknown_selector",
        error_for("select = [\"KL101\", \"KL11\"]\n")
    );
    insta::assert_snapshot!("settings_bad_glob", error_for("exclude = [\"a/[b\"]\n"));
    insta::assert_snapshot!("settings_bad_toml", error_for("select = [\"KL1\"\n"));
    insta::assert_snapshot!(
        "settings_bad_provider_regex",
        error_for("[[providers]]\nid = \"gw\"\nname = \"Gateway\"\npattern = \"gw-[a-z\"\n")
    );
    insta::assert_snapshot!(
        "settings_provider_without_keyword",
        error_for("[[providers]]\nid = \"gw\"\nname = \"Gateway\"\npattern = \"[a-z]{40}\"\n")
    );
    insta::assert_snapshot!(
        "settings_bad_role",
        error_for("[roles]\n\"qa/**\" = \"tests\"\n")
    );
    insta::assert_snapshot!(
        "settings_bad_severity",
        error_for("[severity]\nKL101 = \"fatal\"\n")
    );
    insta::assert_snapshot!(
        "settings_bad_per_file_selector",
        error_for("[per-file-ignores]\n\"tests/**\" = [\"KL10\", \"hardcoded-kye\"]\n")
    );
}

#[test]
fn config_prints_the_settings_and_where_they_come_from() {
    let dir = tree(&[(
        "keylint.toml",
        b"select = [\"KL1\"]\nextend-select = [\"KL201\"]\nkey-vars = [\"GATEWAY_KEY\"]\n\
          [per-file-ignores]\n\"tests/**\" = [\"KL103\"]\n[severity]\nKL404 = \"error\"\n\
          [roles]\n\"qa/**\" = \"test\"\n\
          [[providers]]\nid = \"gw\"\nname = \"Gateway\"\nenv-vars = [\"GW_KEY\"]\npattern = \"gw-[a-z]{8}\"\n",
    )]);
    let output = keylint(dir.path(), &["config", "--config", "keylint.toml"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    insta::assert_snapshot!("settings_config", stdout(&output));
    let output = keylint(dir.path(), &["config", "--isolated"]);
    insta::assert_snapshot!("settings_config_isolated", stdout(&output));
}
