//! The single table of rules: code, name, severity, docs, and the check that implements each.

use serde::{Deserialize, Serialize};

use crate::file_role::{FileRole, ALL_ROLES, NOT_TESTS_OR_DATA};

use crate::rules::{
    build_arg_secret, ci_env_not_passed, dangling_secret_ref, dotenv_loaded_late,
    dotenv_not_ignored, empty_key, encoded_key, env_name_mismatch, env_not_provided, hardcoded_key,
    key_logged, malformed_bearer, malformed_key_value, malformed_org_header, missing_auth_header,
    missing_bearer, missing_env_file, module_key_ignored, optional_secret_ref, placeholder_key,
    secret_file_not_mounted, secret_in_configmap, truncated_key, unexported_shell_var,
    uninterpolated_header, unset_interpolation, unstripped_key_file, wrong_auth_header,
    wrong_provider_key, RuleCheck,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Everything keylint knows about one rule.
pub struct RuleInfo {
    /// Stable code, `KLnnn`.
    pub code: &'static str,
    /// Kebab-case name of the bad pattern.
    pub name: &'static str,
    pub severity: Severity,
    /// One line, used by `keylint rules`, the README table and SARIF `shortDescription`.
    pub summary: &'static str,
    /// The rule's page in `rules/`, embedded at build time.
    pub docs: &'static str,
    pub tags: &'static [&'static str],
    /// SARIF `security-severity` (0.0 to 10.0) for security rules.
    pub security_severity: Option<&'static str>,
    /// SARIF precision: very-high, high, medium or low.
    pub precision: &'static str,
    /// The files the rule judges, by what they are for (see [`FileRole`]).
    pub roles: &'static [FileRole],
    pub check: RuleCheck,
}

impl std::fmt::Debug for RuleInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

/// The rule families; codes are fixed so later rules slot in.
pub const FAMILIES: &[(&str, &str)] = &[
    ("KL1", "key values"),
    ("KL2", "Authorization headers"),
    ("KL3", "environment wiring"),
    ("KL4", "key hygiene"),
];

pub static RULES: &[RuleInfo] = &[
    RuleInfo {
        code: "KL101",
        name: "hardcoded-key",
        severity: Severity::Error,
        summary: "A secret key of OpenAI or another AI provider is written literally in a file",
        docs: include_str!("../../rules/KL101-hardcoded-key.md"),
        tags: &["security", "secret"],
        security_severity: Some("9.0"),
        precision: "high",
        roles: ALL_ROLES,
        check: hardcoded_key::check,
    },
    RuleInfo {
        code: "KL102",
        name: "encoded-key",
        severity: Severity::Error,
        summary: "A provider key hidden in base64: a Kubernetes Secret's data or an encoded key setting",
        docs: include_str!("../../rules/KL102-encoded-key.md"),
        tags: &["security", "secret"],
        security_severity: Some("9.0"),
        precision: "high",
        roles: ALL_ROLES,
        check: encoded_key::check,
    },
    RuleInfo {
        code: "KL103",
        name: "placeholder-key",
        severity: Severity::Warning,
        summary: "A key setting holds a placeholder such as sk-YOUR_API_KEY_HERE, so every request gets 401",
        docs: include_str!("../../rules/KL103-placeholder-key.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: placeholder_key::check,
    },
    RuleInfo {
        code: "KL104",
        name: "malformed-key-value",
        severity: Severity::Error,
        summary: "A key setting's value has stray whitespace, quotes, a carriage return or a Bearer prefix",
        docs: include_str!("../../rules/KL104-malformed-key-value.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: malformed_key_value::check,
    },
    RuleInfo {
        code: "KL105",
        name: "truncated-key",
        severity: Severity::Error,
        summary: "A key setting starts like a provider's key but matches none of its shapes",
        docs: include_str!("../../rules/KL105-truncated-key.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "medium",
        roles: NOT_TESTS_OR_DATA,
        check: truncated_key::check,
    },
    RuleInfo {
        code: "KL106",
        name: "wrong-provider-key",
        severity: Severity::Error,
        summary: "A setting named for one provider holds another provider's key",
        docs: include_str!("../../rules/KL106-wrong-provider-key.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: wrong_provider_key::check,
    },
    RuleInfo {
        code: "KL107",
        name: "empty-key",
        severity: Severity::Warning,
        summary: "A key setting is explicitly empty, so the SDK sends a Bearer header with no key",
        docs: include_str!("../../rules/KL107-empty-key.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: empty_key::check,
    },
    RuleInfo {
        code: "KL108",
        name: "unstripped-key-file",
        severity: Severity::Warning,
        summary: "A key read from a file is used with its trailing newline",
        docs: include_str!("../../rules/KL108-unstripped-key-file.md"),
        tags: &["correctness"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: unstripped_key_file::check,
    },
    RuleInfo {
        code: "KL109",
        name: "module-key-ignored",
        severity: Severity::Warning,
        summary: "openai.api_key is set at module level, but the OpenAI() clients in the file never read it",
        docs: include_str!("../../rules/KL109-module-key-ignored.md"),
        tags: &["correctness"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: module_key_ignored::check,
    },
    RuleInfo {
        code: "KL201",
        name: "missing-bearer",
        severity: Severity::Error,
        summary: "An Authorization header sends the key without the Bearer scheme",
        docs: include_str!("../../rules/KL201-missing-bearer.md"),
        tags: &["correctness"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: missing_bearer::check,
    },
    RuleInfo {
        code: "KL202",
        name: "malformed-bearer",
        severity: Severity::Error,
        summary: "An Authorization header has a malformed scheme: Bearer:, no space, two spaces, twice, quoted key",
        docs: include_str!("../../rules/KL202-malformed-bearer.md"),
        tags: &["correctness"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: malformed_bearer::check,
    },
    RuleInfo {
        code: "KL203",
        name: "uninterpolated-header",
        severity: Severity::Error,
        summary: "A header or key argument holds a placeholder the language never fills in",
        docs: include_str!("../../rules/KL203-uninterpolated-header.md"),
        tags: &["correctness"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: uninterpolated_header::check,
    },
    RuleInfo {
        code: "KL204",
        name: "wrong-auth-header",
        severity: Severity::Warning,
        summary: "The auth header does not match the endpoint (api-key toward OpenAI, Bearer key toward Azure, misspelled)",
        docs: include_str!("../../rules/KL204-wrong-auth-header.md"),
        tags: &["correctness"],
        security_severity: None,
        precision: "medium",
        roles: NOT_TESTS_OR_DATA,
        check: wrong_auth_header::check,
    },
    RuleInfo {
        code: "KL205",
        name: "malformed-org-header",
        severity: Severity::Warning,
        summary: "OpenAI-Organization or OpenAI-Project is misspelled or holds a malformed id",
        docs: include_str!("../../rules/KL205-malformed-org-header.md"),
        tags: &["correctness"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: malformed_org_header::check,
    },
    RuleInfo {
        code: "KL206",
        name: "missing-auth-header",
        severity: Severity::Error,
        summary: "A request to api.openai.com sends no Authorization header",
        docs: include_str!("../../rules/KL206-missing-auth-header.md"),
        tags: &["correctness"],
        security_severity: None,
        precision: "medium",
        roles: NOT_TESTS_OR_DATA,
        check: missing_auth_header::check,
    },
    RuleInfo {
        code: "KL301",
        name: "env-not-provided",
        severity: Severity::Error,
        summary: "A compose service or Kubernetes container runs code that reads a key variable, and nothing provides it to the unit",
        docs: include_str!("../../rules/KL301-env-not-provided.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "medium",
        roles: ALL_ROLES,
        check: env_not_provided::check,
    },
    RuleInfo {
        code: "KL302",
        name: "env-name-mismatch",
        severity: Severity::Error,
        summary: "Code reads a key variable that nothing provides, while a close name (alias or typo) is provided",
        docs: include_str!("../../rules/KL302-env-name-mismatch.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "high",
        roles: ALL_ROLES,
        check: env_name_mismatch::check,
    },
    RuleInfo {
        code: "KL303",
        name: "unset-interpolation",
        severity: Severity::Warning,
        summary: "Compose interpolates a key variable with no default or required marker, and no .env beside it defines it",
        docs: include_str!("../../rules/KL303-unset-interpolation.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "medium",
        roles: NOT_TESTS_OR_DATA,
        check: unset_interpolation::check,
    },
    RuleInfo {
        code: "KL304",
        name: "missing-env-file",
        severity: Severity::Error,
        summary: "A compose env_file does not exist, or lacks the key variable the service's code reads",
        docs: include_str!("../../rules/KL304-missing-env-file.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "high",
        roles: ALL_ROLES,
        check: missing_env_file::check,
    },
    RuleInfo {
        code: "KL305",
        name: "dangling-secret-ref",
        severity: Severity::Error,
        summary: "A secretKeyRef, configMapKeyRef or envFrom points at a key or object the repository's manifests do not define",
        docs: include_str!("../../rules/KL305-dangling-secret-ref.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "high",
        roles: ALL_ROLES,
        check: dangling_secret_ref::check,
    },
    RuleInfo {
        code: "KL306",
        name: "optional-secret-ref",
        severity: Severity::Warning,
        summary: "A key variable comes from a secretKeyRef marked optional, so a missing Secret means 401s instead of a failed start",
        docs: include_str!("../../rules/KL306-optional-secret-ref.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: optional_secret_ref::check,
    },
    RuleInfo {
        code: "KL307",
        name: "ci-env-not-passed",
        severity: Severity::Warning,
        summary: "A GitHub Actions job runs code that reads a key variable, and no env of the job provides it",
        docs: include_str!("../../rules/KL307-ci-env-not-passed.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "medium",
        roles: ALL_ROLES,
        check: ci_env_not_passed::check,
    },
    RuleInfo {
        code: "KL308",
        name: "unexported-shell-var",
        severity: Severity::Warning,
        summary: "A shell script sets a key variable without exporting it, then runs a program that never sees it",
        docs: include_str!("../../rules/KL308-unexported-shell-var.md"),
        tags: &["correctness"],
        security_severity: None,
        precision: "medium",
        roles: NOT_TESTS_OR_DATA,
        check: unexported_shell_var::check,
    },
    RuleInfo {
        code: "KL309",
        name: "dotenv-loaded-late",
        severity: Severity::Error,
        summary: "A dotenv load runs after the client or key read that needs it",
        docs: include_str!("../../rules/KL309-dotenv-loaded-late.md"),
        tags: &["correctness"],
        security_severity: None,
        precision: "high",
        roles: NOT_TESTS_OR_DATA,
        check: dotenv_loaded_late::check,
    },
    RuleInfo {
        code: "KL310",
        name: "secret-file-not-mounted",
        severity: Severity::Error,
        summary: "Code reads a key from a secret file that the compose service or Kubernetes container running it does not mount",
        docs: include_str!("../../rules/KL310-secret-file-not-mounted.md"),
        tags: &["correctness", "configuration"],
        security_severity: None,
        precision: "medium",
        roles: ALL_ROLES,
        check: secret_file_not_mounted::check,
    },
    RuleInfo {
        code: "KL401",
        name: "dotenv-not-ignored",
        severity: Severity::Error,
        summary: "A .env file holding a real key is not ignored by git",
        docs: include_str!("../../rules/KL401-dotenv-not-ignored.md"),
        tags: &["security", "secret"],
        security_severity: Some("8.0"),
        precision: "high",
        roles: ALL_ROLES,
        check: dotenv_not_ignored::check,
    },
    RuleInfo {
        code: "KL402",
        name: "build-arg-secret",
        severity: Severity::Warning,
        summary: "A key is passed at image build time, where the image history keeps it",
        docs: include_str!("../../rules/KL402-build-arg-secret.md"),
        tags: &["security", "secret"],
        security_severity: Some("6.5"),
        precision: "high",
        roles: ALL_ROLES,
        check: build_arg_secret::check,
    },
    RuleInfo {
        code: "KL403",
        name: "secret-in-configmap",
        severity: Severity::Warning,
        summary: "A key sits in a Kubernetes ConfigMap or a literal env value instead of a Secret",
        docs: include_str!("../../rules/KL403-secret-in-configmap.md"),
        tags: &["security", "secret"],
        security_severity: Some("5.5"),
        precision: "high",
        roles: ALL_ROLES,
        check: secret_in_configmap::check,
    },
    RuleInfo {
        code: "KL404",
        name: "key-logged",
        severity: Severity::Warning,
        summary: "A print or log call writes a whole key",
        docs: include_str!("../../rules/KL404-key-logged.md"),
        tags: &["security", "secret"],
        security_severity: Some("5.0"),
        precision: "medium",
        roles: NOT_TESTS_OR_DATA,
        check: key_logged::check,
    },
];

/// The README's rule table, generated from this registry (`tests/readme.rs` keeps them equal).
pub fn markdown_table() -> String {
    let mut table = String::from("| Code | Name | Severity | What it finds |\n|---|---|---|---|\n");
    for rule in RULES {
        table.push_str(&format!(
            "| [{code}](rules/{code}-{name}.md) | `{name}` | {severity} | {summary} |\n",
            code = rule.code,
            name = rule.name,
            severity = rule.severity.as_str(),
            summary = rule.summary,
        ));
    }
    table
}

pub fn find(code_or_name: &str) -> Option<&'static RuleInfo> {
    RULES
        .iter()
        .find(|rule| rule.code.eq_ignore_ascii_case(code_or_name) || rule.name == code_or_name)
}

/// Whether `selector` (a code, a code prefix such as `KL1`, a rule name, or `ALL`) names `rule`.
pub fn selects(selector: &str, rule: &RuleInfo) -> bool {
    let selector = selector.trim();
    selector.eq_ignore_ascii_case("ALL")
        || rule.name == selector
        || (selector.len() >= 2
            && rule
                .code
                .get(..selector.len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(selector)))
}

/// Whether `selector` is something `selects` understands: a known rule, a family, or `ALL`.
pub fn is_valid_selector(selector: &str) -> bool {
    let upper = selector.trim().to_ascii_uppercase();
    RULES.iter().any(|rule| selects(selector, rule))
        || upper == "KL"
        || FAMILIES.iter().any(|(family, _)| *family == upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        for (i, rule) in RULES.iter().enumerate() {
            assert!(
                rule.code.len() == 5 && rule.code.starts_with("KL"),
                "{rule:?}"
            );
            assert!(
                rule.code[2..].chars().all(|c| c.is_ascii_digit()),
                "{rule:?}"
            );
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{rule:?}"
            );
            for other in &RULES[i + 1..] {
                assert_ne!(rule.code, other.code);
                assert_ne!(rule.name, other.name);
            }
            for heading in [
                "## What it does",
                "## Why it matters",
                "## Example",
                "## Fix",
            ] {
                assert!(rule.docs.contains(heading), "{rule:?} docs lack {heading}");
            }
        }
    }

    #[test]
    fn selectors() {
        let rule = &RULES[0];
        for yes in ["KL101", "kl101", "KL1", "KL", "ALL", "hardcoded-key"] {
            assert!(selects(yes, rule), "{yes}");
        }
        for no in ["KL102", "KL2", "K", "hardcoded"] {
            assert!(!selects(no, rule), "{no}");
        }
        assert!(is_valid_selector("KL2"));
        assert!(!is_valid_selector("KL9"));
        assert!(!is_valid_selector("nonsense"));
    }
}
