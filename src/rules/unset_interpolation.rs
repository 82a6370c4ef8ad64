//! KL303 unset-interpolation: compose interpolates a key variable with no default and no
//! required marker, and the `.env` beside the compose file does not define it; unless a comment
//! on the entry calls it optional. The message says what is on disk: no `.env` at all, or the
//! `.env` that lacks the variable or leaves it empty.

use crate::config::comments::marked_optional;
use crate::config::interpolation::references;
use crate::config::Place;
use crate::file_kind::FileKind;
use crate::parse::env;
use crate::rules::key_setting::{empty_key_effect, key_variable};
use crate::rules::{FileContext, Violation};

/// The `.env` beside a compose file, which compose reads for interpolation.
enum DotEnvBeside {
    /// Where the compose file is on disk is not known.
    Unknown,
    Missing,
    /// There, but not readable: nothing can be said of it.
    Unreadable,
    /// Its path as shown (relative to the scan root) and the names it defines: `(name, empty)`.
    Read {
        shown: String,
        defined: Vec<(String, bool)>,
    },
}

impl DotEnvBeside {
    fn of(file: &FileContext) -> DotEnvBeside {
        let Some(path) = file
            .location
            .and_then(|p| p.parent())
            .map(|d| d.join(".env"))
        else {
            return DotEnvBeside::Unknown;
        };
        if !crate::snapshot::is_file(&path) && !path.exists() {
            return DotEnvBeside::Missing;
        }
        let Ok(bytes) = crate::snapshot::read(&path) else {
            return DotEnvBeside::Unreadable;
        };
        let shown = match file.path.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/.env"),
            None => ".env".to_owned(),
        };
        let defined = env::parse(&bytes)
            .entries
            .into_iter()
            .filter_map(|e| Some((e.name, e.value?.text.is_empty())))
            .collect();
        DotEnvBeside::Read { shown, defined }
    }

    /// Why the `.env` does not save `name`, in words for the message; None when it defines it
    /// (or cannot be read).
    fn lacks(&self, name: &str) -> Option<String> {
        match self {
            DotEnvBeside::Unknown => Some(String::new()),
            DotEnvBeside::Missing => {
                Some(", and there is no .env beside this file to define it".into())
            }
            DotEnvBeside::Unreadable => None,
            DotEnvBeside::Read { shown, defined } => {
                match defined.iter().rev().find(|(defined, _)| defined == name) {
                    Some((_, false)) => None,
                    Some((_, true)) => Some(format!(", and `{shown}` beside it leaves it empty")),
                    None => Some(format!(", and `{shown}` beside it does not define it")),
                }
            }
        }
    }
}

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.kind != FileKind::Compose {
        return;
    }
    let Some(model) = file.config() else { return };
    let mut beside = None;
    for setting in &model.settings {
        if !matches!(
            setting.place,
            Place::ComposeEnvironment { .. } | Place::ComposeBuildArg { .. }
        ) {
            continue;
        }
        let Some(value) = &setting.value else {
            continue;
        };
        // An optional provider by the author's own words: "# optional - set to enable ...".
        if marked_optional(file.source.bytes, setting.name_span.start..value.span.end) {
            continue;
        }
        for reference in references(&value.text) {
            if reference.default.is_some() || reference.required {
                continue;
            }
            let Some(provider) = key_variable(file, &reference.name) else {
                continue;
            };
            let name = &reference.name;
            let beside = beside.get_or_insert_with(|| DotEnvBeside::of(file));
            let Some(lacks) = beside.lacks(name) else {
                continue;
            };
            violations.push(Violation {
                span: value.source_span(reference.range.clone()),
                message: format!(
                    "`{name}` is interpolated with no default and no required marker{lacks}"
                ),
                label: "empty when the host lacks it".into(),
                help: format!(
                    "when the shell that runs compose has no {name}, compose substitutes an empty \
                     string with only a warning, and {}; make it required: \
                     `${{{name}:?{name} must be set}}`",
                    empty_key_effect(provider)
                ),
                provider: None,
                secret: None,
            });
        }
    }
}
