//! KL109 module-key-ignored (Python): `openai.api_key = …` set at module level in a file that
//! builds `OpenAI()` clients without `api_key=`; since openai-python 1.0 the client never reads
//! the module attribute.

use crate::rules::code_helpers::Language;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if Language::of(file.path) != Language::Python {
        return;
    }
    let Some(facts) = file.code() else { return };
    let keyless_client = facts.clients.iter().find(|c| {
        matches!(
            c.sdk.as_str(),
            "OpenAI" | "AsyncOpenAI" | "openai.OpenAI" | "openai.AsyncOpenAI"
        ) && c.key.is_none()
    });
    let Some(client) = keyless_client else { return };
    for assignment in facts
        .assignments
        .iter()
        .filter(|a| a.target == "openai.api_key" && a.top_level.is_some())
    {
        let line = file.source.position(client.span.start).line;
        violations.push(Violation {
            span: assignment.target_span.clone(),
            message: format!(
                "`openai.api_key` is set, but the `{}()` client on line {line} never reads it",
                client.sdk
            ),
            label: "only the module-level client reads this".into(),
            help:
                "since openai-python 1.0 a client reads its `api_key=` argument or OPENAI_API_KEY; \
                   pass the key: `OpenAI(api_key=...)`, or set OPENAI_API_KEY in the environment"
                    .into(),
            provider: None,
            secret: None,
        });
    }
}
