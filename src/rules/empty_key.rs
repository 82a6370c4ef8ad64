//! KL107 empty-key: a key setting that is explicitly the empty string. Not reported: an entry a
//! comment calls optional, the empty keys of the providers a fill-in template does not select
//! (`MODEL: deepseek-chat` beside `CLAUDE_API_KEY: ''`), and the `ENV` of a Dockerfile stage the
//! image is not built from (a builder stage).

use crate::config::comments::marked_optional;
use crate::config::interpolation::references;
use crate::config::{Place, Setting};
use crate::file_kind::FileKind;
use crate::providers::{is_selector, selected_by, serves_models};
use crate::rules::key_setting::{empty_key_effect, key_settings, KeySetting};
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.kind == FileKind::EnvExample {
        return;
    }
    let Some(model) = file.config() else { return };
    let selections = selections(model);
    for key in key_settings(file) {
        // An ARG without a value is only a build-time default; KL402 speaks of ARGs.
        if matches!(key.setting.place, Place::DockerArg { .. }) {
            continue;
        }
        if let Place::DockerEnv { stage: Some(stage) } = key.setting.place {
            if !model.image_stages.contains(&stage) {
                continue;
            }
        }
        let Some(value) = key.value() else { continue };
        if key.effective_text().is_none_or(|text| !text.is_empty()) {
            continue;
        }
        let entry = key.setting.name_span.start..value.span.end.max(key.setting.name_span.end);
        if marked_optional(file.source.bytes, entry) || unselected(&key, &selections) {
            continue;
        }
        let name = &key.setting.name;
        let span = if value.span.is_empty() {
            key.setting.name_span.clone()
        } else {
            value.span.clone()
        };
        violations.push(Violation {
            span,
            message: format!(
                "`{name}` is set to the empty string in {}",
                key.setting.place.describe()
            ),
            label: "empty key".into(),
            help: help(&key),
            provider: key.provider,
            secret: None,
        });
    }
}

/// What the empty value does where it is, and what to do instead.
fn help(key: &KeySetting) -> String {
    let name = &key.setting.name;
    let effect = empty_key_effect(key.provider);
    match &key.setting.place {
        Place::DockerEnv { .. } => format!(
            "`ENV` sets a default: `docker run -e {name}` and compose `environment:` replace it, \
             so the empty default only bites when nothing is passed; then {effect}. Remove the \
             line and pass the key at run time"
        ),
        Place::DotEnv => format!(
            "dotenv loaders keep a value the environment already has, but where nothing else \
             sets `{name}` (and always through `docker run --env-file` or compose `env_file:`), \
             {effect}; put the key here, or remove the line"
        ),
        Place::KubeSecret { .. } | Place::KustomizeLiteral { .. } => format!(
            "a container that takes `{name}` from here gets the empty string and {effect}; put \
             the key in the secret, or drop the entry"
        ),
        _ => format!(
            "the empty value replaces any value the {} would get elsewhere, and {effect}; remove \
             the line, or pass the variable through from the environment",
            unit_word(&key.setting.place)
        ),
    }
}

/// The unit a setting is for, in one word or two: "service", "container", "job".
fn unit_word(place: &Place) -> &'static str {
    match place {
        Place::ComposeEnvironment { .. } | Place::ComposeBuildArg { .. } => "service",
        Place::KubeEnv { .. } | Place::KubeConfigMap { .. } => "container",
        Place::CiEnv { job: Some(_) } => "job",
        Place::CiEnv { job: None } => "workflow",
        _ => "program",
    }
}

/// Each selector of the file, with the providers its value names (a `${VAR:-default}` by its
/// default). Values that name no known provider select nothing.
fn selections(model: &crate::config::ConfigModel) -> Vec<(&Setting, &'static [&'static str])> {
    model
        .settings
        .iter()
        .filter(|s| is_selector(&s.name))
        .filter_map(|setting| {
            let value = setting.value.as_ref().filter(|v| !v.base64)?;
            let text = match references(&value.text).as_slice() {
                [] => value.text.clone(),
                [only] if only.range == (0..value.text.len()) => only.default.clone()?,
                _ => return None,
            };
            Some((setting, selected_by(&text)?))
        })
        .collect()
}

/// Whether the unit of `key` selects providers and the key's is not among them: a fill-in
/// template's other providers, whose keys stay empty by design.
fn unselected(key: &KeySetting, selections: &[(&Setting, &'static [&'static str])]) -> bool {
    let Some(provider) = key.provider.filter(|p| serves_models(&p.id)) else {
        return false;
    };
    let mut chosen = selections
        .iter()
        .filter(|(selector, _)| same_unit(&selector.place, &key.setting.place))
        .flat_map(|(_, ids)| ids.iter())
        .peekable();
    chosen.peek().is_some() && !chosen.any(|id| *id == provider.id)
}

/// Whether a selector at `selector` speaks for the setting at `place`: the same compose service,
/// Dockerfile stage, container, object, env file or CI job (a workflow-level one for every job).
fn same_unit(selector: &Place, place: &Place) -> bool {
    use Place::*;
    let service = |p: &Place| match p {
        ComposeEnvironment { service, .. } | ComposeBuildArg { service } => Some(service.clone()),
        _ => None,
    };
    match (selector, place) {
        (DotEnv, DotEnv) => true,
        (DockerEnv { stage: a } | DockerArg { stage: a }, DockerEnv { stage: b }) => a == b,
        (CiEnv { job: None }, CiEnv { .. }) => true,
        (CiEnv { job: a }, CiEnv { job: b }) => a == b,
        (
            KubeEnv {
                workload: w1,
                container: c1,
            },
            KubeEnv {
                workload: w2,
                container: c2,
            },
        ) => w1 == w2 && c1 == c2,
        (KubeSecret { name: a, .. }, KubeSecret { name: b, .. }) => a == b,
        (KubeConfigMap { name: a }, KubeConfigMap { name: b }) => a == b,
        (KustomizeLiteral { generator: a, .. }, KustomizeLiteral { generator: b, .. }) => a == b,
        _ => service(selector).is_some_and(|s| service(place) == Some(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_the_names_that_choose_a_model_or_its_provider() {
        for name in [
            "MODEL",
            "LLM_PROVIDER",
            "ai_provider",
            "DEFAULT_MODEL",
            "CHAT_MODEL",
        ] {
            assert!(is_selector(name), "{name}");
        }
        for name in [
            "AUTH_PROVIDER",
            "EMBEDDING_MODEL",
            "MODELS",
            "OPENAI_API_KEY",
        ] {
            assert!(!is_selector(name), "{name}");
        }
    }

    #[test]
    fn a_selector_speaks_for_its_own_unit() {
        let service = |name: &str| Place::ComposeEnvironment {
            service: name.into(),
            list_form: false,
        };
        assert!(same_unit(&service("a"), &service("a")));
        assert!(!same_unit(&service("a"), &service("b")));
        let stage = |stage| Place::DockerEnv { stage };
        assert!(same_unit(&stage(Some(1)), &stage(Some(1))));
        assert!(!same_unit(&stage(Some(0)), &stage(Some(1))));
        let job = |job: Option<&str>| Place::CiEnv {
            job: job.map(str::to_owned),
        };
        assert!(same_unit(&job(None), &job(Some("test"))));
        assert!(!same_unit(&job(Some("build")), &job(Some("test"))));
        assert!(!same_unit(&Place::DotEnv, &service("a")));
    }
}
