//! Files that nest deeper than any parser's stack would allow, or chain thousands of calls:
//! the scan finishes, the rest of the tree is still reported, and the deep file is scanned for
//! keys as text, with a note.

mod common;

use common::*;

/// Past the depth at which each shape used to overflow the stack.
const DEPTH: usize = 5_000;

/// Scans `deep` files beside `other.env`, which holds a key; every deep file holds one too.
/// Returns the notes printed.
fn scan_beside_a_key(deep: &[(String, String)]) -> String {
    let other = format!("OPENAI_API_KEY={}\n", openai_project_key(1));
    let mut files: Vec<(&str, &[u8])> = vec![("other.env", other.as_bytes())];
    files.extend(
        deep.iter()
            .map(|(path, text)| (path.as_str(), text.as_bytes())),
    );
    let dir = tree(&files);
    let output = keylint(dir.path(), &["check", "--format", "json", "-v", "."]);
    let findings = finding_lines(&output);
    assert_eq!(code(&output), 1, "{findings:?}\n{}", stderr(&output));
    let has_key_finding = |path: &str| {
        findings
            .iter()
            .any(|f| f.starts_with(&format!("{path}:")) && f.contains(" KL101 "))
    };
    assert!(has_key_finding("other.env"), "{findings:?}");
    for (path, _) in deep {
        assert!(has_key_finding(path), "{path}: {findings:?}");
    }
    stderr(&output)
}

/// The note for each deep file, which must say it was scanned as text only.
fn notes_for<'a>(notes: &'a str, deep: &[(String, String)]) -> Vec<&'a str> {
    deep.iter()
        .map(|(path, _)| {
            notes
                .lines()
                .find(|line| {
                    line.contains(path.as_str()) && line.ends_with("; scanned as text only")
                })
                .unwrap_or_else(|| panic!("no note for {path}: {notes}"))
        })
        .collect()
}

fn rust_file(name: &str, body: &str) -> (String, String) {
    let key = openai_project_key(2);
    let text =
        format!("const OPENAI_API_KEY: &str = \"{key}\";\nfn f() {{\n    let x = {body};\n}}\n");
    (format!("src/{name}.rs"), text)
}

#[test]
fn rust_files_nesting_or_chaining_deep_are_scanned_as_text() {
    let n = DEPTH;
    let key = openai_project_key(3);
    let deep = vec![
        (
            "src/generics.rs".to_string(),
            format!(
                "const KEY: &str = \"{key}\"; // openai\ntype T = {}u8{};\n",
                "Vec<".repeat(n),
                ">".repeat(n)
            ),
        ),
        (
            "src/modules.rs".to_string(),
            format!(
                "const KEY: &str = \"{key}\"; // openai\n{}{}\n",
                "mod m {".repeat(n),
                "}".repeat(n)
            ),
        ),
        rust_file(
            "ifs",
            &format!("{}0{}", "if a { ".repeat(n), " }".repeat(n)),
        ),
        rust_file("blocks", &format!("{}0{}", "{".repeat(n), "}".repeat(n))),
        rust_file("closures", &format!("{}0", "|| ".repeat(n))),
        rust_file("arrays", &format!("{}0{}", "[".repeat(n), "]".repeat(n))),
        rust_file("parens", &format!("{}0{}", "(".repeat(n), ")".repeat(n))),
        rust_file("methods", &format!("x{}", ".m()".repeat(n))),
        rust_file("sums", &format!("x{}", " + x".repeat(n))),
    ];
    let notes = scan_beside_a_key(&deep);
    for note in notes_for(&notes, &deep) {
        assert!(
            note.contains("nesting deeper than 256 levels")
                || note.contains("an expression or type chain of more than 4096 tokens"),
            "{note}"
        );
    }
}

#[test]
fn python_go_and_notebook_files_nesting_deep_are_scanned_as_text() {
    let n = DEPTH;
    let key = openai_project_key(4);
    let python = |open: &str, close: &str| {
        format!(
            "import os\nKEY = \"{key}\"\nk = os.environ[\"OPENAI_API_KEY\"]\nx = {}k{}\n",
            open.repeat(n),
            close.repeat(n)
        )
    };
    let go = |body: &str| {
        format!(
            "package main\n\nimport \"os\"\n\nconst key = \"{key}\"\n\n\
             var k = os.Getenv(\"OPENAI_API_KEY\")\n\nvar x = {body}\n"
        )
    };
    let cell_source = python("(", ")");
    let notebook = serde_json::json!({
        "cells": [{
            "cell_type": "code",
            "execution_count": null,
            "metadata": {},
            "outputs": [],
            "source": [cell_source],
        }],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    });
    let nested = vec![
        ("parens.py".to_string(), python("(", ")")),
        ("lists.py".to_string(), python("[", "]")),
        ("calls.py".to_string(), python("f(", ")")),
        ("dicts.py".to_string(), python("{'a': ", "}")),
        (
            "parens.go".to_string(),
            go(&format!("{}k{}", "(".repeat(n), ")".repeat(n))),
        ),
        (
            "funcs.go".to_string(),
            go(&format!("{}{}", "func() {".repeat(n), "}".repeat(n))),
        ),
        (
            "composite.go".to_string(),
            go(&format!("{}k{}", "T{".repeat(n), "}".repeat(n))),
        ),
        ("analysis.ipynb".to_string(), notebook.to_string()),
    ];
    // Chains without brackets deepen the tree too; the walks have their own stacks.
    let chained = vec![
        ("lambdas.py".to_string(), python("lambda: ", "")),
        ("sums.py".to_string(), python("k + ", "")),
        (
            "methods.go".to_string(),
            go(&format!("k{}", ".M()".repeat(n))),
        ),
        ("sums.go".to_string(), go(&format!("k{}", " + k".repeat(n)))),
    ];
    let all: Vec<(String, String)> = nested.iter().chain(&chained).cloned().collect();
    let notes = scan_beside_a_key(&all);
    for note in notes_for(&notes, &nested) {
        assert!(note.contains("nesting deeper than 256 levels"), "{note}");
    }
    for (path, _) in &chained {
        assert!(!notes.contains(path.as_str()), "{path}: {notes}");
    }
}

#[test]
fn notebook_json_nesting_deep_is_scanned_as_text() {
    let key = openai_project_key(5);
    let nested = format!("{}1{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let text = format!(
        "{{\"cells\": [{{\"cell_type\": \"code\", \"metadata\": {{}}, \"outputs\": [], \
         \"source\": [\"import openai\\n\", \"KEY = '{key}'\\n\"]}}], \
         \"metadata\": {{\"deep\": {nested}}}, \"nbformat\": 4, \"nbformat_minor\": 5}}"
    );
    let notes = scan_beside_a_key(&[("deep.ipynb".to_string(), text)]);
    assert!(
        notes.contains("deep.ipynb: invalid notebook JSON: recursion limit exceeded"),
        "{notes}"
    );
}

#[test]
fn yaml_files_nesting_deep_are_scanned_as_text() {
    let n = DEPTH;
    let key = openai_project_key(6);
    let flow = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let block = format!("\n{}x", "- ".repeat(n));
    let compose = |deep: &str| {
        format!(
            "services:\n  web:\n    image: app\n    environment:\n      \
             OPENAI_API_KEY: {key}\n    command: {deep}\n"
        )
    };
    let kubernetes = |deep: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    \
             - name: web\n      image: app\n      env:\n        - name: OPENAI_API_KEY\n          \
             value: {key}\n      args: {deep}\n"
        )
    };
    let workflow = |deep: &str| {
        format!(
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      \
             OPENAI_API_KEY: {key}\n    steps:\n      - run: echo hi\n      - with: {deep}\n"
        )
    };
    let deep = vec![
        ("flow/docker-compose.yml".to_string(), compose(&flow)),
        ("block/docker-compose.yml".to_string(), compose(&block)),
        ("k8s/flow.yaml".to_string(), kubernetes(&flow)),
        ("k8s/block.yaml".to_string(), kubernetes(&block)),
        (".github/workflows/flow.yml".to_string(), workflow(&flow)),
        (".github/workflows/block.yml".to_string(), workflow(&block)),
    ];
    let notes = scan_beside_a_key(&deep);
    for (path, _) in &deep {
        assert!(
            notes
                .lines()
                .any(|line| line.starts_with("keylint: warning: ")
                    && line.contains(path.as_str())
                    && line.ends_with("; scanned as text only, structural rules skipped")),
            "{path}: {notes}"
        );
    }
}
