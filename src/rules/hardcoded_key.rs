//! KL101 hardcoded-key: a provider key written literally in a file.

use crate::rules::{FileContext, GitStatus, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    // A git-ignored `.env` file is where keys belong: read for its values, never a leak.
    if file.git == GitStatus::Ignored {
        return;
    }
    for key in file.keys() {
        let provider = key.provider;
        let variable = provider
            .env
            .first()
            .map_or("an environment variable", String::as_str);
        violations.push(Violation {
            span: key.span.clone(),
            message: format!("{} is hardcoded in this file", key.description()),
            label: key.description(),
            help: format!(
                "revoke the key at {}, delete it here, and read it from {variable} at run time",
                provider.docs
            ),
            provider: Some(provider),
            secret: None,
        });
    }
}
