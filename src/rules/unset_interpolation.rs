//! KL303 unset-interpolation: compose interpolates a key variable with no default and no
//! required marker, and the `.env` beside the compose file does not define it; unless a comment
//! on the entry calls it optional.

use crate::config::comments::marked_optional;
use crate::config::interpolation::references;
use crate::config::Place;
use crate::file_kind::FileKind;
use crate::parse::env;
use crate::rules::key_setting::key_variable;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.kind != FileKind::Compose {
        return;
    }
    let Some(model) = file.config() else { return };
    let beside = file
        .location
        .and_then(|path| path.parent())
        .map(|dir| dir.join(".env"));
    let defined: Vec<String> = beside
        .as_ref()
        .and_then(|path| std::fs::read(path).ok())
        .map(|bytes| {
            env::parse(&bytes)
                .entries
                .into_iter()
                .filter(|e| e.value.as_ref().is_some_and(|v| !v.text.is_empty()))
                .map(|e| e.name)
                .collect()
        })
        .unwrap_or_default();
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
            let unguarded = reference.default.is_none() && !reference.required;
            if !unguarded
                || key_variable(file, &reference.name).is_none()
                || defined.contains(&reference.name)
            {
                continue;
            }
            let name = &reference.name;
            violations.push(Violation {
                span: value.source_span(reference.range.clone()),
                message: format!(
                    "`{name}` is interpolated with no default and no required marker, and the \
                     .env beside this file does not define it"
                ),
                label: "empty when the host lacks it".into(),
                help: format!(
                    "when the shell that runs compose has no {name}, compose substitutes an empty \
                     string with only a warning and the app gets 401; make it required: \
                     `${{{name}:?{name} must be set}}`"
                ),
                provider: None,
                secret: None,
            });
        }
    }
}
