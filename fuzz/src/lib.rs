//! Shared pieces of the fuzz targets: the file kinds a first input byte selects, the whole lint
//! with every reporter, and the secrecy check on what the reporters write.

use std::path::{Path, PathBuf};

use keylint::file_kind::FileKind;
use keylint::keys::find_keys;
use keylint::providers::catalog;
use keylint::report::{
    GithubReporter, HumanReporter, JsonReporter, Report, Reporter, SarifReporter,
};
use keylint::rules::GitStatus;
use keylint::source::SourceText;
use keylint::{Linter, Note, NoteLevel, ScanOutcome, Settings};

/// Display paths the `lint_bytes` targets pick from with their first byte; the kind comes from
/// the name, as in a scan. `fuzz/seed.sh` writes the same index before each fixture.
pub const LINT_PATHS: &[&str] = &[
    "app.py",                   // 0
    "app.js",                   // 1
    "app.ts",                   // 2
    "app.tsx",                  // 3
    "main.go",                  // 4
    "main.rs",                  // 5
    "run.sh",                   // 6
    "explore.ipynb",            // 7
    ".env",                     // 8
    ".env.example",             // 9
    "Dockerfile",               // 10
    "compose.yaml",             // 11
    ".github/workflows/ci.yml", // 12
    ".gitlab-ci.yml",           // 13
    "kustomization.yaml",       // 14
    "deployment.yaml",          // 15
    "requests.http",            // 16
    "README.md",                // 17
    "data.json",                // 18
    "notes.txt",                // 19
];

/// The kinds the `yaml_model` target picks from with its first byte.
pub const YAML_KINDS: &[FileKind] = &[
    FileKind::Compose,
    FileKind::Yaml,
    FileKind::GithubWorkflow,
    FileKind::GitlabCi,
    FileKind::Kustomization,
];

/// Splits the first byte off as a selector into a table of `len` entries.
pub fn select(data: &[u8], len: usize) -> Option<(usize, &[u8])> {
    let (&first, rest) = data.split_first()?;
    Some((usize::from(first) % len, rest))
}

/// A directory that does not exist, so rules that read a file's neighbours find none and the
/// fuzzer never reads the disk.
fn location(path: &str) -> PathBuf {
    Path::new("/nonexistent/keylint-fuzz").join(path)
}

/// Git status as a scan gives it: only `.env`-family files are asked about.
fn git_status(kind: FileKind, selector: u8) -> GitStatus {
    match (kind, selector % 3) {
        (FileKind::Env | FileKind::EnvExample, 1) => GitStatus::Ignored,
        (FileKind::Env | FileKind::EnvExample, 2) => GitStatus::IgnoredButTracked,
        _ => GitStatus::Committable,
    }
}

/// Everything a user may see of one file's lint: each reporter's output and the verbose notes.
pub struct Rendered {
    pub outputs: Vec<(&'static str, String)>,
    /// Each finding's rule code and the texts it carries, to tell which rule shows a key.
    pub findings: Vec<(&'static str, Vec<(&'static str, String)>)>,
}

impl Rendered {
    /// Panics when the human output or the notes, which reach a terminal, hold a control
    /// character other than a line break: scanned text must arrive escaped.
    pub fn assert_terminal_safe(&self) {
        for (name, text) in &self.outputs {
            if !matches!(*name, "human" | "notes") {
                continue;
            }
            let raw = text.chars().find(|&c| {
                (c.is_control() && c != '\n' && c != '\t')
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            });
            if let Some(c) = raw {
                panic!("terminal: the {name} output holds a raw {c:?}");
            }
        }
    }

    /// Panics, naming the output, when one of them holds `key` in full.
    pub fn assert_hides(&self, key: &str) {
        for (name, text) in &self.outputs {
            if let Some(at) = text.find(key) {
                let from = text[..at].rfind('\n').map_or(0, |n| n + 1);
                let to = text[at..].find('\n').map_or(text.len(), |n| at + n);
                let culprits: Vec<String> = self
                    .findings
                    .iter()
                    .flat_map(|(code, fields)| {
                        fields
                            .iter()
                            .filter(|(_, text)| text.contains(key))
                            .map(move |(field, _)| format!("{code} {field}"))
                    })
                    .collect();
                panic!(
                    "secrecy: the {name} output shows a key in full ({} bytes) [{}]: {}",
                    key.len(),
                    culprits.join(", "),
                    &text[from..to]
                );
            }
        }
    }
}

/// Lints `bytes` as the file at `path` (the single-file rules, then the cross-file rules over
/// this one file's summary) and renders the findings with every reporter.
pub fn lint_and_render(linter: &Linter, path: &str, git_selector: u8, bytes: &[u8]) -> Rendered {
    let kind = FileKind::of(Path::new(path));
    let git = git_status(kind, git_selector);
    let report = linter.lint_bytes(path, &location(path), kind, git, bytes);
    let mut findings = report.findings;
    let summaries: Vec<_> = report.summary.into_iter().collect();
    findings.extend(keylint::wiring::check(&summaries, linter).0);
    findings.sort_by(|a, b| {
        (&a.path, a.start, a.end, a.rule.code).cmp(&(&b.path, b.start, b.end, b.rule.code))
    });
    let texts = findings
        .iter()
        .map(|f| {
            let mut fields = vec![
                ("message", f.message.clone()),
                ("label", f.label.clone()),
                ("help", f.help.clone()),
                ("snippet", f.snippet.text.clone()),
                ("secret", f.secret.clone().unwrap_or_default()),
            ];
            for related in &f.related {
                fields.push(("related message", related.message.clone()));
                fields.push(("related snippet", related.snippet.text.clone()));
            }
            (f.rule.code, fields)
        })
        .collect();
    let notes = report
        .parse_failure
        .into_iter()
        .map(|message| Note {
            path: path.to_owned(),
            level: NoteLevel::Verbose,
            message,
        })
        .collect();
    let outcome = ScanOutcome {
        findings,
        notes,
        files_scanned: 1,
        baseline: None,
    };
    let report = Report {
        outcome: &outcome,
        rules: linter.rules(),
    };
    let reporters: [(&'static str, Box<dyn Reporter>); 4] = [
        (
            "human",
            Box::new(HumanReporter {
                color: false,
                width: 80,
                quiet: false,
                verbose: true,
            }),
        ),
        ("json", Box::new(JsonReporter)),
        ("sarif", Box::new(SarifReporter)),
        ("github", Box::new(GithubReporter)),
    ];
    let mut outputs = Vec::new();
    for (name, reporter) in reporters {
        let mut out = Vec::new();
        reporter
            .write(&report, &mut out)
            .expect("writing into memory does not fail");
        let text = String::from_utf8(out)
            .unwrap_or_else(|err| panic!("the {name} output is not UTF-8: {err}"));
        outputs.push((name, text));
    }
    let notes: String = outcome
        .notes
        .iter()
        .map(|note| keylint::cli::note_line(note, false) + "\n")
        .collect();
    outputs.push(("notes", notes));
    Rendered {
        outputs,
        findings: texts,
    }
}

/// A linter with every rule and the default settings (keys masked).
pub fn linter() -> Linter {
    Linter::new(Settings::default()).expect("the default settings are valid")
}

/// The text of every key keylint's own detector finds in `bytes`.
pub fn keys_in(bytes: &[u8]) -> Vec<String> {
    let source = SourceText::new(bytes);
    let every_provider = vec![true; catalog().len()];
    find_keys(&source, &every_provider)
        .into_iter()
        .map(|key| String::from_utf8_lossy(&bytes[key.span]).into_owned())
        .collect()
}

/// Whether the secrecy assertions are switched off (`KEYLINT_FUZZ_SKIP_SECRECY=1`), to hunt for
/// panics past a known masking bug.
pub fn secrecy_checked() -> bool {
    std::env::var_os("KEYLINT_FUZZ_SKIP_SECRECY").is_none_or(|v| v.is_empty() || v == "0")
}

/// Synthetic keys of documented shapes, built at run time so no key literal sits in the source.
pub fn known_keys() -> Vec<String> {
    let marker = ["T3Bl", "bkFJ"].concat();
    let legacy = format!(
        "sk-{}{marker}{}",
        "q7Rm2xLp9VbN4tKc8WzA", "h3Jd6YsE1uGf5oPi0MnB"
    );
    let block = "Zr4-Kp8_Wq2xNv6Hs0Jt"; // 20 characters of the project key's alphabet
    let project_half: String = block.chars().cycle().take(74).collect();
    let project = format!(
        "sk-proj-{project_half}{marker}{}",
        project_half.to_lowercase()
    );
    let anthropic_body: String = "Vb7_Qe3-Lm9Xc1Ds5Fg".chars().cycle().take(93).collect();
    let anthropic = format!("sk-ant-api03-{anthropic_body}AA");
    vec![legacy, project, anthropic]
}

/// Bytes that end a key on either side, so the spliced key stays a token of its own.
pub const DELIMITERS: &[u8] = b"\"' =:\n";
