//! Deeply nested shell (scripts, Dockerfile `RUN`, workflow `run:`) and JS/TS: no crash, and
//! the key in the file beside them is still reported.

mod common;

use common::*;

/// Nesting depth: far past what the front-ends parse, small enough for a debug build.
const DEPTH: usize = 3_000;

fn nest(open: &str, middle: &str, close: &str) -> String {
    format!("{}{middle}{}", open.repeat(DEPTH), close.repeat(DEPTH))
}

/// Runs `keylint check --verbose` on the deep file beside a file holding a synthetic key:
/// exit 1, the key reported; returns the findings in the deep file and the notes.
fn assert_key_reported(path: &str, deep: &str) -> (Vec<String>, String) {
    let key = openai_project_key(7);
    let config = format!("OPENAI_API_KEY={key}\n");
    let dir = tree(&[(path, deep.as_bytes()), ("key.env", config.as_bytes())]);
    let output = keylint(dir.path(), &["check", "--format", "json", "--verbose"]);
    let notes = stderr(&output);
    assert_eq!(code(&output), 1, "{path}: {notes}");
    let findings = finding_lines(&output);
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("key.env:1:") && f.contains(" KL101 ")),
        "{path}: {findings:?}"
    );
    let deep_findings = findings
        .into_iter()
        .filter(|f| f.starts_with(path))
        .collect();
    (deep_findings, notes)
}

/// The cases a front-end gives up on, with the note saying why.
fn assert_not_parsed(path: &str, deep: &str) {
    assert_not_parsed_past(path, deep, 32);
}

/// As `assert_not_parsed`, for a front-end whose limit is `levels`.
fn assert_not_parsed_past(path: &str, deep: &str, levels: usize) {
    let (findings, notes) = assert_key_reported(path, deep);
    assert_eq!(findings, Vec::<String>::new(), "{path}");
    // Said once, whether the front-end gave up on the whole file or on one `RUN` or `run:`.
    let note = format!("{path}: nesting deeper than {levels} levels; scanned as text only\n");
    assert!(notes.contains(&note), "{path}: {notes}");
}

fn shell_substitutions() -> String {
    format!("OPENAI_API_KEY={}\n", nest("$(echo ", "x", ")"))
}

#[test]
fn nested_command_substitutions_in_a_script() {
    assert_not_parsed("deep.sh", &format!("#!/bin/sh\n{}", shell_substitutions()));
    let bare = format!("OPENAI_API_KEY={}\n", nest("$(", "x", ")"));
    assert_not_parsed("bare.sh", &bare);
    let quoted = format!("OPENAI_API_KEY={}\n", nest("\"$(echo ", "x", ")\""));
    assert_not_parsed("quoted.sh", &quoted);
}

#[test]
fn nested_backticks_and_defaults_in_a_script() {
    // Backticks nest by escaping: `a \`b \\\`c\\\`\``; a few levels, then `$(`.
    let backticks = format!(
        "OPENAI_API_KEY=`echo \\`echo {}\\``\n",
        nest("$(echo `", "x", "`)")
    );
    assert_not_parsed("ticks.sh", &backticks);
    let defaults = format!("echo \"$OPENAI_API_KEY\" {}\n", nest("${x:-", "y", "}"));
    assert_not_parsed("defaults.sh", &defaults);
}

#[test]
fn nested_subshells_and_ifs_in_a_script() {
    // Statements nest at no extra cost: parsed in full, the echoed key is found.
    let subshells = nest("( ", "echo \"$OPENAI_API_KEY\"", " )");
    let (findings, _) = assert_key_reported("subshells.sh", &format!("{subshells}\n"));
    assert!(
        findings.iter().any(|f| f.contains(" KL404 ")),
        "{findings:?}"
    );
    let ifs = nest("if true; then ", "echo \"$OPENAI_API_KEY\"", "; fi");
    let (findings, _) = assert_key_reported("ifs.sh", &format!("{ifs}\n"));
    assert!(
        findings.iter().any(|f| f.contains(" KL404 ")),
        "{findings:?}"
    );
}

#[test]
fn a_long_pipeline_in_a_script() {
    // Each `echo` looks at the stage after it: once, not by scanning the pipeline.
    let pipeline = vec!["echo \"$OPENAI_API_KEY\""; DEPTH].join(" | ");
    let (findings, _) = assert_key_reported("pipe.sh", &format!("{pipeline}\n"));
    let logged: Vec<&String> = findings.iter().filter(|f| f.contains(" KL404 ")).collect();
    assert_eq!(logged.len(), 1, "only the last stage prints: {findings:?}");
}

#[test]
fn nested_substitutions_in_a_dockerfile_run() {
    let dockerfile = format!("FROM alpine\nRUN echo ok\nRUN {}", shell_substitutions());
    assert_not_parsed("Dockerfile", &dockerfile);
    let defaults = format!(
        "FROM alpine\nENV OPENAI_API_KEY={}\n",
        nest("${A:-", "x", "}")
    );
    assert_key_reported("env/Dockerfile", &defaults);
}

#[test]
fn nested_substitutions_in_a_workflow_run() {
    let workflow = format!(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          {}",
        shell_substitutions()
    );
    assert_not_parsed(".github/workflows/ci.yml", &workflow);
}

/// What the deep JavaScript nests: an environment read, so that the file is parsed (a file
/// with nothing a rule judges is not).
const JS_READ: &str = "process.env.OPENAI_API_KEY";

fn js_cases() -> Vec<String> {
    vec![
        nest("`${", JS_READ, "}`"),
        nest("[", JS_READ, "]"),
        nest("(", JS_READ, ")"),
        nest("{a: ", JS_READ, "}"),
        format!("{}{JS_READ}", "() => ".repeat(DEPTH)),
        vec![JS_READ; DEPTH].join(" + "),
        format!("{JS_READ}{}", ".chat()".repeat(DEPTH)),
    ]
}

/// Each case of `js_cases` as the value of `declaration` (`{case}` in it) in a file ending in
/// `extension`.
fn assert_js_cases(extension: &str, declaration: &str) {
    for (i, case) in js_cases().iter().enumerate() {
        let path = format!("deep{i}.{extension}");
        let src = declaration.replace("{case}", case);
        if i <= 3 {
            // Brackets and template substitutions past 256 levels: text only (templates
            // past 32 levels too, see the unit tests).
            assert_not_parsed_past(&path, &src, 256);
        } else {
            let (_, notes) = assert_key_reported(&path, &src);
            assert!(!notes.contains("nesting deeper"), "{path}: {notes}");
        }
    }
}

#[test]
fn nested_javascript() {
    assert_js_cases("js", "const key = {case};\n");
}

#[test]
fn nested_typescript() {
    assert_js_cases("ts", "const key: unknown = {case};\n");
}
