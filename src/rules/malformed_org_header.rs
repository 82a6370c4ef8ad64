//! KL205 malformed-org-header: `OpenAI-Organization` / `OpenAI-Project` with a literal that is
//! not an organization (`org-…`) or project (`proj_…`) id, or a misspelled header name.

use crate::code::facts::Expr;
use crate::rules::key_setting::holds_key;
use crate::rules::{FileContext, Violation};

const MISSPELLED: &[(&str, &str)] = &[
    ("openai-organisation", "OpenAI-Organization"),
    ("openai-org", "OpenAI-Organization"),
    ("openai-organization-id", "OpenAI-Organization"),
    ("openai-org-id", "OpenAI-Organization"),
    ("openai-proj", "OpenAI-Project"),
    ("openai-project-id", "OpenAI-Project"),
];

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    for header in facts.headers.iter().filter(|h| !facts.is_mocked(&h.span)) {
        let lower = header.name.to_ascii_lowercase();
        if let Some((_, right)) = MISSPELLED.iter().find(|(wrong, _)| *wrong == lower) {
            violations.push(Violation {
                span: header.name_span.clone(),
                message: format!("`{}` is not a header OpenAI reads", header.name),
                label: "misspelled header".into(),
                help: format!("spell it `{right}`; otherwise requests go to the key's default organization or project"),
                provider: None,
                secret: None,
            });
            continue;
        }
        let (prefix, what) = match lower.as_str() {
            "openai-organization" => ("org-", "an organization id (`org-…`)"),
            "openai-project" => ("proj_", "a project id (`proj_…`)"),
            _ => continue,
        };
        let Expr::Str(lit) = &header.value else {
            continue;
        };
        let Some(text) = lit.text() else { continue };
        let id = text.trim();
        let well_formed = id.strip_prefix(prefix).is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if well_formed {
            continue;
        }
        let violation = if holds_key(id) {
            Violation {
                span: lit.span.clone(),
                message: format!("`{}` holds an API key, not {what}", header.name),
                label: "an API key".into(),
                help: format!(
                    "the key belongs in `Authorization: Bearer …`, read from the environment; \
                     revoke this one, since it is in the code, and put the id (`{prefix}…`) here"
                ),
                provider: None,
                // The key itself is masked like every key in the file.
                secret: None,
            }
        } else {
            Violation {
                span: lit.span.clone(),
                message: format!(
                    "`{}` is set to `{}`, which is not {what}",
                    header.name,
                    id.chars().take(40).collect::<String>()
                ),
                label: format!("not {what}"),
                help: format!(
                    "OpenAI answers 401 or 403 when the header names no organization or project \
                     of the key; copy the id (`{prefix}…`) from the platform settings, or leave \
                     the header out"
                ),
                provider: None,
                secret: None,
            }
        };
        violations.push(violation);
    }
}
