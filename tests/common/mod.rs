//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where `fixtures/` lives.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the keylint binary in `dir` with `args`.
pub fn keylint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keylint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("keylint runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exit code")
}

/// Parses a `--format json` report.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("valid JSON")
}

/// `path:line:column rule` for each finding of a JSON report.
pub fn finding_lines(output: &Output) -> Vec<String> {
    json(output)["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}-{} {} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["column"],
                f["end_column"],
                f["rule"].as_str().unwrap(),
                f["provider"].as_str().unwrap_or("-"),
            )
        })
        .collect()
}

/// The given string fields of each finding of a JSON report, joined by spaces
/// (`["path", "rule"]`: `app.py KL101`), in the report's order.
pub fn finding_fields(output: &Output, fields: &[&str]) -> Vec<String> {
    json(output)["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            let values: Vec<&str> = fields.iter().map(|k| f[*k].as_str().unwrap()).collect();
            values.join(" ")
        })
        .collect()
}

/// `path:line:column rule provider message` for each finding of a JSON report.
pub fn finding_messages(output: &Output) -> Vec<String> {
    json(output)["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .zip(finding_lines(output))
        .map(|(f, line)| format!("{line} {}", f["message"].as_str().unwrap()))
        .collect()
}

/// Synthetic key material: deterministic, varied, never a real key.
pub fn random_chars(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ALPHABET[(state % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

/// A synthetic OpenAI legacy-shaped key: `sk-` + 20 + `T3BlbkFJ` + 20.
pub fn openai_legacy_key(seed: u64) -> String {
    format!(
        "sk-{}T3BlbkFJ{}",
        random_chars(seed, 20),
        random_chars(seed + 1000, 20)
    )
}

/// A synthetic OpenAI project key: `sk-proj-` + 74 + `T3BlbkFJ` + 74.
pub fn openai_project_key(seed: u64) -> String {
    format!(
        "sk-proj-{}T3BlbkFJ{}",
        random_chars(seed, 74),
        random_chars(seed + 1000, 74)
    )
}

/// Writes `files` (relative path, contents) under a new temporary directory.
pub fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, contents) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, contents).unwrap();
    }
    dir
}

/// A synthetic Anthropic API key: `sk-ant-api03-` + 93 + `AA`.
pub fn anthropic_key(seed: u64) -> String {
    format!("sk-ant-api03-{}AA", random_chars(seed, 93))
}

/// A synthetic Groq key: `gsk_` + 52.
pub fn groq_key(seed: u64) -> String {
    format!("gsk_{}", random_chars(seed, 52))
}

/// A synthetic Mistral key: 32 letters and digits, no prefix (found only beside the word
/// "mistral").
pub fn mistral_key(seed: u64) -> String {
    random_chars(seed, 32)
}

/// Runs git in `dir` with a fixed identity and no signing; panics when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}
