//! KL103 placeholder-key: a key setting holds a placeholder, so every request gets 401.

use crate::code::facts::Expr;
use crate::file_kind::FileKind;
use crate::file_role::FileRole;
use crate::keys::looks_fake;
use crate::providers::Provider;
use crate::rules::key_setting::{
    clean, is_placeholder, key_settings, known_prefix, refusal, whole_key, KeySetting,
};
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.kind == FileKind::EnvExample {
        return;
    }
    code_placeholders(file, violations);
    for key in key_settings(file) {
        let Some(value) = key.value() else { continue };
        let Some(text) = key.effective_text() else {
            continue;
        };
        if value.is_template() || crate::config::is_template(&text) {
            continue;
        }
        let cleaned = clean(&text);
        if whole_key(cleaned, key.provider).is_some() {
            continue;
        }
        let name = &key.setting.name;
        if !is_placeholder(cleaned) {
            if let Some((matched, prefix)) = made_up_key(file, cleaned) {
                let provider = key.provider.or(Some(matched));
                violations.push(made_up(&key, prefix, provider, value.span.clone()));
            }
            continue;
        }
        let decoded = if value.base64 {
            " (after base64 decoding)"
        } else {
            ""
        };
        violations.push(Violation {
            span: value.span.clone(),
            message: format!(
                "`{name}` holds the placeholder `{}`{decoded} in {}",
                cleaned.chars().take(60).collect::<String>(),
                key.setting.place.describe()
            ),
            label: "placeholder, not a key".into(),
            help: no_key_help(key.provider),
            provider: key.provider,
            secret: None,
        });
    }
}

/// The prefix of a key made up by hand in a deployed setting: a known provider's prefix followed
/// by filler (`sk-None-abcdefghij1234567890…`, `sk-0000000000`). Tests and CI jobs give such
/// dummies to mocks on purpose, and examples show them; a deployed setting sends them.
fn made_up_key<'t>(file: &FileContext, cleaned: &'t str) -> Option<(&'static Provider, &'t str)> {
    if !matches!(file.role, FileRole::Production | FileRole::Deployment) {
        return None;
    }
    let (provider, prefix) = known_prefix(cleaned)?;
    let body = cleaned[prefix.len()..].trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    (body.len() >= 8 && looks_fake(body.as_bytes())).then_some((provider, prefix))
}

fn made_up(
    key: &KeySetting,
    prefix: &str,
    provider: Option<&'static Provider>,
    span: std::ops::Range<usize>,
) -> Violation {
    Violation {
        span: span.clone(),
        message: format!(
            "`{}` holds a made-up key: `{prefix}` followed by filler in {}",
            key.setting.name,
            key.setting.place.describe()
        ),
        label: "made-up value, not a key".into(),
        help: no_key_help(provider),
        provider,
        secret: Some(span),
    }
}

/// What to do about a deployed key setting that holds no key, placeholder or made-up.
fn no_key_help(provider: Option<&'static Provider>) -> String {
    let docs = provider.map_or(String::new(), |p| format!(" (create one at {})", p.docs));
    format!(
        "every request made with this value fails with {}: put a real key in the deployment's \
         secret store{docs}, or remove the line so the real value comes from the environment",
        refusal(provider)
    )
}

/// SDK key arguments and `openai.api_key = ...` holding an unmistakable placeholder.
fn code_placeholders(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    let mut keys: Vec<(&Expr, String, bool)> = facts
        .clients
        .iter()
        .filter(|c| !facts.is_mocked(&c.span))
        .filter_map(|c| {
            Some((
                c.key.as_ref()?,
                format!("the key given to `{}`", c.sdk),
                c.base_url.is_some(),
            ))
        })
        .collect();
    keys.extend(
        facts
            .assignments
            .iter()
            .filter(|a| a.target == "openai.api_key")
            .map(|a| (&a.value, "`openai.api_key`".to_owned(), false)),
    );
    for (expr, what, has_base_url) in keys {
        let Expr::Str(lit) = expr else { continue };
        let Some(text) = lit.text() else { continue };
        if !unmistakable_placeholder(&text) || local_or_test(file, &text, has_base_url) {
            continue;
        }
        violations.push(Violation {
            span: lit.span.clone(),
            message: format!(
                "{what} is the placeholder `{}`",
                text.chars().take(60).collect::<String>()
            ),
            label: "placeholder, not a key".into(),
            help: "every request fails with 401; read the key from the environment instead: \
                   `OpenAI()` reads OPENAI_API_KEY"
                .into(),
            provider: None,
            secret: None,
        });
    }
}

/// Placeholders no one would mistake for a key in code: `sk-YOUR_API_KEY_HERE`, `<your key>`,
/// `your-api-key-here`, `sk-...`.
fn unmistakable_placeholder(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    is_placeholder(text)
        && (lower.contains("your")
            || (lower.starts_with('<') && lower.ends_with('>'))
            || lower.ends_with("...")
            || lower.ends_with('…')
            || lower.contains("xxxx")
            || lower.contains("here"))
}

/// Values for local or mock servers, and test files that point the client elsewhere.
pub fn local_or_test(file: &FileContext, text: &str, has_base_url: bool) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    const LOCAL: &[&str] = &[
        "ollama",
        "lm-studio",
        "lmstudio",
        "empty",
        "not-needed",
        "none",
        "dummy",
        "test-key",
    ];
    LOCAL.contains(&lower.as_str())
        || lower.starts_with("sk-test")
        || lower.starts_with("sk-fake")
        || (has_base_url
            && file
                .path
                .split('/')
                .any(|dir| dir == "tests" || dir == "test"))
}
