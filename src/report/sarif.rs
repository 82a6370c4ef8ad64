//! SARIF 2.1.0 as GitHub code scanning ingests it, with typed serde structs.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Report, Reporter};
use crate::file_role::FileRole;
use crate::rules::{RuleInfo, Severity};
use crate::source::Position;

pub struct SarifReporter;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = env!("CARGO_PKG_HOMEPAGE");
/// The key of keylint's own entry in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "keylint/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    automation_details: AutomationDetails,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    properties: ResultProperties<'a>,
}

/// keylint's own facts about a result.
#[derive(Serialize)]
struct ResultProperties<'a> {
    /// What the file is for (`production`, `test`, `example`, `recorded-data`, `ci`,
    /// `deployment`).
    role: FileRole,
    /// `keylint history` only: the commit that brought the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<super::json::JsonCommit<'a>>,
    /// `check --verify` only: `live`, `revoked` or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    physical_location: PhysicalLocation,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with('.') {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// The paragraph under a heading of a rule's Markdown page.
fn section(docs: &str, heading: &str) -> String {
    let mut lines = docs
        .lines()
        .skip_while(|line| line.trim() != heading)
        .skip(1)
        .take_while(|line| !line.starts_with("## "));
    let mut text = Vec::new();
    for line in lines.by_ref() {
        if line.trim().is_empty() && !text.is_empty() {
            break;
        }
        if !line.trim().is_empty() {
            text.push(line.trim());
        }
    }
    text.join(" ")
}

/// `SomethingLikeThis` from `something-like-this`.
fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn rule(info: &RuleInfo) -> Rule {
    Rule {
        id: info.code,
        name: pascal_case(info.name),
        short_description: Text {
            text: sentence(info.summary),
        },
        full_description: Text {
            text: sentence(&section(info.docs, "## What it does")),
        },
        help: Help {
            text: info.docs.to_owned(),
            markdown: info.docs.to_owned(),
        },
        default_configuration: Configuration {
            level: level(info.severity),
        },
        properties: RuleProperties {
            tags: info.tags.to_vec(),
            precision: info.precision,
            security_severity: info.security_severity,
        },
    }
}

/// A relative path as a URI reference: unreserved characters and `/` stay, the rest is
/// percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn physical(path: &str, start: Position, end: Position) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri(path),
            uri_base_id: "%SRCROOT%",
        },
        region: Region {
            start_line: start.line,
            start_column: start.column,
            end_line: end.line,
            end_column: end.column,
        },
    }
}

impl Reporter for SarifReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let results = report
            .outcome
            .findings
            .iter()
            .map(|f| SarifResult {
                rule_id: f.rule.code,
                rule_index: report
                    .rules
                    .iter()
                    .position(|r| r.code == f.rule.code)
                    .unwrap_or_default(),
                level: level(f.severity),
                message: Text {
                    text: sentence(&f.message),
                },
                locations: [Location {
                    physical_location: physical(&f.path, f.start, f.end),
                }],
                related_locations: f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(id, r)| RelatedLocation {
                        id,
                        physical_location: physical(&r.path, r.start, r.end),
                        message: Text {
                            text: sentence(&r.message),
                        },
                    })
                    .collect(),
                partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.as_str())]),
                properties: ResultProperties {
                    role: f.role,
                    commit: f.commit.as_deref().map(super::json::JsonCommit::of),
                    verified: f.verified.map(|v| v.as_str()),
                },
            })
            .collect();
        let log = Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "keylint",
                        version: env!("CARGO_PKG_VERSION"),
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        information_uri: INFORMATION_URI,
                        rules: report.rules.iter().map(|r| rule(r)).collect(),
                    },
                },
                automation_details: AutomationDetails { id: "keylint/" },
                invocations: [Invocation {
                    execution_successful: true,
                }],
                column_kind: "unicodeCodePoints",
                results,
            }],
        };
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(pascal_case("hardcoded-key"), "HardcodedKey");
        assert_eq!(uri("src/my app/ä.py"), "src/my%20app/%C3%A4.py");
        assert_eq!(sentence("done"), "done.");
        assert_eq!(
            section(
                "# T\n\n## What it does\nFinds\nkeys.\n\n## Why\nx",
                "## What it does"
            ),
            "Finds keys."
        );
    }
}
