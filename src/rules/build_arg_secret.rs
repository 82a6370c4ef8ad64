//! KL402 build-arg-secret: a key passed at image build time, where it stays readable in the
//! image history or layers.

use crate::config::Place;
use crate::rules::key_setting::key_variable;
use crate::rules::{FileContext, Violation};

const HELP_SUFFIX: &str = "pass it at run time instead (`docker run -e`, compose `environment`), \
    or, if the build needs it, mount it as a BuildKit secret: `RUN --mount=type=secret,id=openai_api_key,env=OPENAI_API_KEY ...` \
    with `docker build --secret id=openai_api_key,env=OPENAI_API_KEY`";

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(model) = file.config() else { return };
    let args: Vec<(&str, Option<usize>)> = model
        .settings
        .iter()
        .filter_map(|s| match s.place {
            Place::DockerArg { stage } => Some((s.name.as_str(), stage)),
            _ => None,
        })
        .collect();
    for setting in &model.settings {
        let Some(provider) = key_variable(file, &setting.name) else {
            continue;
        };
        let name = &setting.name;
        match &setting.place {
            Place::DockerArg { .. } => violations.push(Violation {
                span: setting.name_span.clone(),
                message: format!("`{name}` is a build argument: its value stays in the image history"),
                label: "key as build argument".into(),
                help: format!("`docker history` shows build arguments to anyone with the image; {HELP_SUFFIX}"),
                provider,
                secret: None,
            }),
            Place::DockerEnv { stage } => {
                let Some(value) = &setting.value else { continue };
                let from_arg = args.iter().any(|(arg, arg_stage)| {
                    (arg_stage.is_none() || arg_stage == stage) && references(&value.text, arg)
                });
                if from_arg {
                    violations.push(Violation {
                        span: value.span.clone(),
                        message: format!("`{name}` is baked into the image from a build argument"),
                        label: "build argument copied into the image".into(),
                        help: format!("every container and every layer of the image carries the key; {HELP_SUFFIX}"),
                        provider,
                        secret: None,
                    });
                }
            }
            Place::ComposeBuildArg { service } => violations.push(Violation {
                span: setting.name_span.clone(),
                message: format!("compose service `{service}` passes `{name}` as a build argument"),
                label: "key as build argument".into(),
                help: format!(
                    "build arguments stay in the image history; use `environment:` for run time, \
                     or `build.secrets` with a BuildKit secret mount; {HELP_SUFFIX}"
                ),
                provider,
                secret: None,
            }),
            _ => {}
        }
    }
}

/// Whether `text` refers to the variable `name` (`$NAME` or `${NAME...}`).
fn references(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..].find('$') {
        let start = from + at + 1;
        let rest = &text[start..];
        let rest = rest.strip_prefix('{').unwrap_or(rest);
        if rest.starts_with(name)
            && !rest[name.len()..]
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return true;
        }
        from = start;
        if from >= bytes.len() {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::references;

    #[test]
    fn finds_references() {
        assert!(references("$OPENAI_API_KEY", "OPENAI_API_KEY"));
        assert!(references("${OPENAI_API_KEY:-x}", "OPENAI_API_KEY"));
        assert!(!references("$OPENAI_API_KEY_2", "OPENAI_API_KEY"));
        assert!(!references("OPENAI_API_KEY", "OPENAI_API_KEY"));
    }
}
