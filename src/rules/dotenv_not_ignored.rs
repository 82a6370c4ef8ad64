//! KL401 dotenv-not-ignored: a `.env` file holding a real key that git would commit.

use crate::file_kind::FileKind;
use crate::rules::{FileContext, GitStatus, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.kind != FileKind::Env || file.git == GitStatus::Ignored {
        return;
    }
    let Some(key) = file.keys().first() else {
        return;
    };
    let path = file.path;
    let (message, help) = match file.git {
        GitStatus::IgnoredButTracked => (
            format!("`{path}` holds a real key and git tracks it, although .gitignore lists it"),
            format!(
                "untrack it with `git rm --cached {path}` (the file stays on disk), commit, and \
                 revoke the key: it is in the history"
            ),
        ),
        _ => (
            format!(
                "`{path}` holds a real key and git would commit it: no .gitignore rule covers it"
            ),
            format!(
                "add `{}` to .gitignore; if it was ever committed, run `git rm --cached {path}` \
                 and revoke the key",
                ignore_line(path)
            ),
        ),
    };
    violations.push(Violation {
        span: key.span.clone(),
        message,
        label: format!("{} in a file git commits", key.description()),
        help,
        provider: Some(key.provider),
        secret: None,
    });
}

/// The .gitignore line for an env file: `.env` for every `.env`, `/config/prod.env` otherwise.
fn ignore_line(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == ".env" || name.starts_with(".env.") {
        name.to_owned()
    } else {
        format!("/{path}")
    }
}
