//! KL106 wrong-provider-key: a setting named for one provider holds another provider's key.

use crate::code::facts::Expr;
use crate::file_kind::FileKind;
use crate::providers::{catalog, KeyShape, Provider};
use crate::rules::key_setting::{article, clean, key_settings, whole_key};
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.kind == FileKind::EnvExample {
        return;
    }
    code_clients(file, violations);
    let base_urls = file
        .config()
        .map(|m| m.base_urls.as_slice())
        .unwrap_or_default();
    for key in key_settings(file) {
        let Some(named) = key.provider else { continue };
        let Some(value) = key.value() else { continue };
        let Some(text) = key.effective_text() else {
            continue;
        };
        let Some((holder, shape)) = whole_key(clean(&text), Some(named)) else {
            continue;
        };
        if holder.id == named.id {
            continue;
        }
        // The OpenAI SDK pointed at the other provider's OpenAI-compatible endpoint.
        let redirected = base_urls.iter().any(|url| {
            holder
                .base_urls
                .iter()
                .any(|host| url.contains(host.as_str()))
        });
        if named.id == "openai" && redirected {
            continue;
        }
        let name = &key.setting.name;
        let right_name = holder
            .env
            .first()
            .map_or("its own variable", String::as_str);
        let endpoint = holder
            .base_urls
            .first()
            .map(|host| {
                format!(", or set OPENAI_BASE_URL to https://{host}/… if you use {}'s OpenAI-compatible API", holder.name)
            })
            .unwrap_or_default();
        violations.push(Violation {
            span: value.span.clone(),
            message: format!("`{name}` holds {}", mismatch(holder, shape, named)),
            label: format!("{} key", holder.name),
            help: format!(
                "{} rejects it with 401; put {} {} key here, and this key in `{right_name}`{endpoint}",
                named.name,
                article(&named.name),
                named.name
            ),
            provider: Some(holder),
            secret: Some(value.span.clone()),
        });
    }
}

/// Which provider an SDK class talks to.
const SDKS: &[(&str, &str)] = &[
    ("OpenAI", "openai"),
    ("AsyncOpenAI", "openai"),
    ("ChatOpenAI", "openai"),
    ("OpenAIEmbeddings", "openai"),
    ("Anthropic", "anthropic"),
    ("AsyncAnthropic", "anthropic"),
    ("ChatAnthropic", "anthropic"),
    ("Groq", "groq"),
];

/// An SDK client given another provider's key, with no base URL pointing elsewhere.
fn code_clients(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    for client in facts
        .clients
        .iter()
        .filter(|c| c.base_url.is_none() && !facts.is_mocked(&c.span))
    {
        let sdk = client.sdk.rsplit('.').next().unwrap_or(&client.sdk);
        let Some((_, provider_id)) = SDKS.iter().find(|(name, _)| *name == sdk) else {
            continue;
        };
        let Some(Expr::Str(lit)) = &client.key else {
            continue;
        };
        let Some(text) = lit.text() else { continue };
        let Some((holder, shape)) = whole_key(clean(&text), None) else {
            continue;
        };
        let Some(named) = catalog().iter().find(|p| p.id == *provider_id) else {
            continue;
        };
        if holder.id == named.id {
            continue;
        }
        violations.push(Violation {
            span: lit.span.clone(),
            message: format!("`{}` is given {}", client.sdk, mismatch(holder, shape, named)),
            label: format!("{} key", holder.name),
            help: format!(
                "{} rejects it with 401; use {} {} key, or point the client at {}'s endpoint with `base_url`",
                named.name,
                article(&named.name),
                named.name,
                holder.name
            ),
            provider: Some(holder),
            secret: None,
        });
    }
}

/// "an Anthropic API key, not an OpenAI key".
fn mismatch(holder: &Provider, shape: &KeyShape, named: &Provider) -> String {
    format!(
        "{} {} {}, not {} {} key",
        article(&holder.name),
        holder.name,
        shape.kind,
        article(&named.name),
        named.name
    )
}
