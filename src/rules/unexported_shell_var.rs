//! KL308 unexported-shell-var: a shell script assigns a key variable without exporting it, then
//! runs a program, which starts without the key.

use std::ops::Range;

use crate::code::facts::{Assignment, CodeFacts, CommandKind, CommandRun, Expr, StringPart};
use crate::file_kind::FileKind;
use crate::rules::key_setting::key_variable;
use crate::rules::{FileContext, Violation};

/// Programs that never read a provider's key from the environment: file and text tools,
/// archivers, package managers, git, HTTP clients (they take a key only as an argument). A
/// script that runs only these after the assignment loses nothing.
const NEVER_READ_KEYS: &[&str] = &[
    "apk",
    "apt",
    "apt-get",
    "awk",
    "base64",
    "basename",
    "brew",
    "cat",
    "chgrp",
    "chmod",
    "chown",
    "clear",
    "cmp",
    "cp",
    "curl",
    "cut",
    "date",
    "df",
    "diff",
    "dirname",
    "dnf",
    "du",
    "egrep",
    "env",
    "fgrep",
    "file",
    "find",
    "gawk",
    "git",
    "grep",
    "gunzip",
    "gzip",
    "head",
    "hostname",
    "id",
    "install",
    "jq",
    "less",
    "ln",
    "logger",
    "ls",
    "md5sum",
    "mkdir",
    "mktemp",
    "more",
    "mv",
    "nohup",
    "nproc",
    "pip",
    "pip3",
    "printenv",
    "ps",
    "readlink",
    "realpath",
    "rg",
    "rm",
    "rmdir",
    "sed",
    "seq",
    "sha1sum",
    "sha256sum",
    "sleep",
    "sort",
    "stat",
    "sudo",
    "sync",
    "tac",
    "tail",
    "tar",
    "tee",
    "touch",
    "tput",
    "tr",
    "uname",
    "uniq",
    "unzip",
    "wc",
    "wget",
    "which",
    "whoami",
    "xargs",
    "yq",
    "yum",
    "zip",
];

/// Builtins that only check a value: `[ -n "$X" ]`, `[[ ]]`, `test`, `: "${X:?}"`.
const CHECKS: &[&str] = &["[", "[[", "test", ":"];

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    // Only scripts: the `RUN` lines of a Dockerfile and the steps of a CI job are separate
    // shells, merged into one set of facts.
    if file.kind != FileKind::Shell {
        return;
    }
    let Some(facts) = file.code() else { return };
    // A `.env` file loaded into the shell (`set -a; . .env`, `export $(... .env ...)`) may
    // export the variable.
    if !facts.dotenv_loads.is_empty() {
        return;
    }
    for assignment in &facts.assignments {
        if assignment.exported {
            continue;
        }
        let Some(provider) = key_variable(file, &assignment.target) else {
            continue;
        };
        // `X=${X:-...}`: the variable usually comes from the environment, exported already.
        if reads_itself(facts, assignment) {
            continue;
        }
        // The script hands the value over itself (`curl -H "... $X"`, `AUTH="Bearer $X"`,
        // `echo "$X" | docker login --password-stdin`): deliberate, not an oversight.
        if handed_over(facts, assignment) {
            continue;
        }
        let Some(scope) = scope(facts, assignment) else {
            continue;
        };
        let Some(run) = facts.commands.iter().find(|c| {
            c.kind == CommandKind::Program
                && c.function == scope
                && c.span.start >= assignment.span.end
                && !c.env.contains(&assignment.target)
                && !NEVER_READ_KEYS.contains(&basename(&c.name))
        }) else {
            continue;
        };
        violations.push(violation(file, assignment, run, provider));
    }
}

fn violation(
    file: &FileContext,
    assignment: &Assignment,
    run: &CommandRun,
    provider: Option<&'static crate::providers::Provider>,
) -> Violation {
    let name = &assignment.target;
    let program = shown(&run.name);
    let line = file.source.position(run.span.start).line;
    Violation {
        span: assignment.target_span.clone(),
        message: format!(
            "{name} is set but not exported, so `{program}` (line {line}) does not see it"
        ),
        label: "assigned, never exported".into(),
        help: format!(
            "a variable that is not exported stays in the shell, so the program starts without \
             the key and the API answers 401; write `export {name}=...`, or set it for the one \
             command: `{name}=... {program} ...`"
        ),
        provider,
        // The value never shows in the snippet.
        secret: literal_value(&assignment.value),
    }
}

/// Whether the assigned value reads the variable itself: `X=${X:-default}`, `X="$(echo $X)"`.
fn reads_itself(facts: &CodeFacts, assignment: &Assignment) -> bool {
    facts.env_reads.iter().any(|read| {
        read.name == assignment.target
            && assignment.span.start <= read.span.start
            && read.span.end <= assignment.span.end
    })
}

/// Whether the script expands the variable after the assignment other than to check or print
/// it: as an argument, in another assignment, piped or written somewhere.
fn handed_over(facts: &CodeFacts, assignment: &Assignment) -> bool {
    let inside = |outer: &Range<usize>, inner: &Range<usize>| {
        outer.start <= inner.start && inner.end <= outer.end
    };
    facts
        .env_reads
        .iter()
        .filter(|read| read.name == assignment.target && read.span.start >= assignment.span.end)
        .any(|read| {
            let checked = facts.commands.iter().any(|c| {
                c.kind == CommandKind::Builtin
                    && CHECKS.contains(&c.name.as_str())
                    && inside(&c.span, &read.span)
            });
            let printed = facts.logs.iter().any(|log| inside(&log.span, &read.span));
            !checked && !printed
        })
}

/// Where the assignment runs: Some(None) at top level, Some(function) inside a function (the
/// innermost one that runs commands), None when that cannot be told.
fn scope(facts: &CodeFacts, assignment: &Assignment) -> Option<Option<Range<usize>>> {
    if assignment.top_level.is_some() {
        return Some(None);
    }
    facts
        .commands
        .iter()
        .filter_map(|c| c.function.as_ref())
        .filter(|f| f.start <= assignment.span.start && assignment.span.end <= f.end)
        .min_by_key(|f| f.len())
        .map(|f| Some(f.clone()))
}

/// The span of a value written literally (`X=abc`, `X="abc"`), to be masked like a key.
fn literal_value(value: &Expr) -> Option<Range<usize>> {
    match value {
        Expr::Str(lit) => match lit.parts.as_slice() {
            [StringPart::Text { span, .. }] if !span.is_empty() => Some(span.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn basename(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// A command name for a message: at most 40 characters.
fn shown(name: &str) -> String {
    if name.chars().count() <= 40 {
        return name.to_string();
    }
    let cut: String = name.chars().take(39).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::file_kind::FileKind;
    use crate::lint::{Linter, Settings};
    use crate::rules::GitStatus;

    fn messages(path: &str, src: &str) -> Vec<String> {
        let linter = Linter::new(Settings {
            select: vec!["KL308".into()],
            ..Settings::default()
        })
        .unwrap();
        let kind = FileKind::of(Path::new(path));
        linter
            .lint_bytes(
                path,
                Path::new(path),
                kind,
                GitStatus::Committable,
                src.as_bytes(),
            )
            .findings
            .into_iter()
            .map(|f| format!("{}: {}", f.start.line, f.message))
            .collect()
    }

    #[test]
    fn unexported_keys_before_a_program() {
        for (src, expected) in [
            (
                "OPENAI_API_KEY=$(cat k); python app.py\n",
                "1: OPENAI_API_KEY is set but not exported, so `python` (line 1) does not see it",
            ),
            (
                "if [ -f k ]; then\n  OPENAI_API_KEY=$(cat k)\nfi\nexec \"$@\"\n",
                "2: OPENAI_API_KEY is set but not exported, so `$@` (line 4) does not see it",
            ),
            (
                "OPENAI_API_KEY=$(cat k)\necho \"key ${OPENAI_API_KEY:0:4}\"\n\
                 : \"${OPENAI_API_KEY:?}\"\ntest -n \"$OPENAI_API_KEY\"\nnpm start\n",
                "1: OPENAI_API_KEY is set but not exported, so `npm` (line 5) does not see it",
            ),
            (
                "readonly GROQ_API_KEY=$(cat k)\nmkdir -p out\nsudo -E ./bin/worker\n",
                "1: GROQ_API_KEY is set but not exported, so `./bin/worker` (line 3) does not see it",
            ),
            (
                "OPENAI_API_KEY=$(cat k)\nexport -n OPENAI_API_KEY\nnode x.js\n",
                "1: OPENAI_API_KEY is set but not exported, so `node` (line 3) does not see it",
            ),
            (
                "OPENAI_API_KEY=$(cat k)\nOPENAI_API_KEY=other python a.py\nnode b.js\n",
                "1: OPENAI_API_KEY is set but not exported, so `node` (line 3) does not see it",
            ),
            (
                "main() {\n  OPENAI_API_KEY=$(cat k)\n  python app.py\n}\nmain\n",
                "2: OPENAI_API_KEY is set but not exported, so `python` (line 3) does not see it",
            ),
        ] {
            assert_eq!(messages("run.sh", src), [expected], "{src}");
        }
    }

    #[test]
    fn near_misses() {
        for src in [
            "export OPENAI_API_KEY=$(cat k)\npython app.py\n",
            "OPENAI_API_KEY=$(cat k)\nexport OPENAI_API_KEY\npython app.py\n",
            "export OPENAI_API_KEY\nOPENAI_API_KEY=$(cat k)\npython app.py\n",
            "set -o allexport\nOPENAI_API_KEY=$(cat k)\npython app.py\n",
            "declare -x OPENAI_API_KEY=$(cat k)\npython app.py\n",
            "OPENAI_API_KEY=$(cat k) python app.py\n",
            "OPENAI_API_KEY=$(cat k)\nenv OPENAI_API_KEY=\"$OPENAI_API_KEY\" python app.py\n",
            "OPENAI_API_KEY=$(cat k)\ncurl -H \"Authorization: Bearer $OPENAI_API_KEY\" https://api.openai.com/v1/models\n",
            "OPENAI_API_KEY=$(cat k)\nAUTH=\"Bearer $OPENAI_API_KEY\"\npython app.py\n",
            "OPENAI_API_KEY=$(cat k)\necho \"$OPENAI_API_KEY\" | docker login --password-stdin\ndocker compose up\n",
            "OPENAI_API_KEY=$(cat k)\ncat > cfg.json <<EOF\n{\"key\": \"$OPENAI_API_KEY\"}\nEOF\npython app.py\n",
            "OPENAI_API_KEY=\"${OPENAI_API_KEY:-$(cat k)}\"\npython app.py\n",
            "set -a; . ./.env; set +a\nOPENAI_API_KEY=$(cat k)\npython app.py\n",
            "for v in A B; do export \"$v\"; done\nOPENAI_API_KEY=$(cat k)\npython app.py\n",
            "OPENAI_API_KEY=$(cat k)\necho loaded\ncd /app\nsource ./lib.sh\n",
            "log() { echo \"$*\"; }\nOPENAI_API_KEY=$(cat k)\nlog ok\n",
            "OPENAI_API_KEY=$(cat k)\nmkdir -p out\njq . f.json\ncurl -fsSL https://example.com\n",
            "python app.py\nOPENAI_API_KEY=$(cat k)\n",
            "PORT=8000 # OPENAI_API_KEY comes from the environment\npython app.py\n",
            "setup() {\n  OPENAI_API_KEY=$(cat k)\n}\npython app.py\n",
            "f() {\n  python app.py\n}\nOPENAI_API_KEY=$(cat k)\ncommand -v python\n",
        ] {
            assert_eq!(messages("run.sh", src), Vec::<String>::new(), "{src}");
        }
    }

    #[test]
    fn only_shell_scripts() {
        let dockerfile =
            "FROM python:3.12\nRUN OPENAI_API_KEY=$(cat /run/secrets/k); python warm.py\n";
        assert_eq!(messages("Dockerfile", dockerfile), Vec::<String>::new());
        let workflow = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          OPENAI_API_KEY=$(cat k)\n          python app.py\n";
        assert_eq!(
            messages(".github/workflows/ci.yml", workflow),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_literal_value_is_masked() {
        let linter = Linter::new(Settings {
            select: vec!["KL308".into()],
            ..Settings::default()
        })
        .unwrap();
        let src = "OPENAI_API_KEY=abcdefsecretvalue123\npython app.py\n";
        let report = linter.lint_bytes(
            "run.sh",
            Path::new("run.sh"),
            FileKind::Shell,
            GitStatus::Committable,
            src.as_bytes(),
        );
        let [finding] = report.findings.as_slice() else {
            panic!("{:?}", report.findings)
        };
        assert!(!finding.snippet.text.contains("secretvalue"));
        assert!(!finding.message.contains("secretvalue"));
        assert!(!finding.help.contains("secretvalue"));
    }
}
