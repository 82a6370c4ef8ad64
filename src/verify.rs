//! `check --verify`: whether each key that hardcoded-key found is live, asked of its provider
//! by the doctor's client: one request per distinct key, a few at a time.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::finding::{Finding, UnshownKey, Verified};
use crate::providers::{catalog, Provider};

/// A base URL on this machine that answers for OpenAI's API in `--verify` (a mock); any
/// other host is refused, so found keys never go anywhere but their provider.
pub const MOCK_BASE_URL: &str = "KEYLINT_VERIFY_BASE_URL";

/// Requests in flight at once.
pub const PARALLEL: usize = 4;

/// Asks about every key the findings carry, marks each finding with the answer, and drops the
/// keys. An OpenAI key is asked of `base_url` when one is given ([`MOCK_BASE_URL`]).
pub fn verify(findings: &mut [Finding], base_url: Option<&str>) {
    let mut asked: Vec<(&'static Provider, UnshownKey)> = Vec::new();
    for finding in findings.iter() {
        let (Some(key), Some(provider)) = (&finding.key, provider(finding)) else {
            continue;
        };
        if !asked.iter().any(|(_, k)| k == key) {
            asked.push((provider, key.clone()));
        }
    }
    let answers: Mutex<HashMap<UnshownKey, Verified>> = Mutex::new(HashMap::new());
    crate::parallel::for_each(
        &asked,
        PARALLEL,
        || (),
        |_, _, (provider, key)| {
            let verdict = crate::doctor::live::ask(provider, &key.0, base_url, &[]);
            let verified = match verdict.state {
                "live" => Verified::Live,
                "revoked" => Verified::Revoked,
                _ => Verified::Unknown,
            };
            if let Ok(mut answers) = answers.lock() {
                answers.insert(key.clone(), verified);
            }
        },
    );
    let answers = answers.into_inner().unwrap_or_default();
    for finding in findings.iter_mut() {
        let Some(key) = finding.key.take() else {
            continue;
        };
        let verified = answers.get(&key).copied().unwrap_or(Verified::Unknown);
        finding.verified = Some(verified);
        match verified {
            Verified::Live => {
                finding.message = format!(
                    "live key (its provider knows it, checked just now): {}",
                    finding.message
                )
            }
            Verified::Revoked => finding
                .message
                .push_str("; the provider refuses it now (revoked, or never valid)"),
            Verified::Unknown => finding
                .message
                .push_str("; whether it is live could not be told"),
        }
    }
}

fn provider(finding: &Finding) -> Option<&'static Provider> {
    let id = finding.provider?;
    catalog().iter().find(|p| p.id == id)
}
