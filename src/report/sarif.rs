//! `--format sarif` / `--sarif-file`: SARIF 2.1.0 as GitHub code scanning reads it.
//! Small serialize-only types: the `sarif` crate on crates.io is an empty placeholder.

use super::Report;
use super::paths::RepoPaths;
use crate::rules::{Finding, Level, RULES, Rule, ecs_config_change_indirect, invalid_policy};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
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
    rules: Vec<RuleDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 3],
    precision: &'static str,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: [Location; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    /// Every other place that makes the finding (each step of a path).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    /// A path of several steps, as one thread flow GitHub shows step by step.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code_flows: Vec<CodeFlow>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
}

/// The monitored actions a result is about, for tools that read SARIF further.
#[derive(Serialize)]
struct ResultProperties<'a> {
    actions: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeFlow {
    thread_flows: [ThreadFlow; 1],
}

#[derive(Serialize)]
struct ThreadFlow {
    locations: Vec<ThreadFlowLocation>,
}

#[derive(Serialize)]
struct ThreadFlowLocation {
    location: Location,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
    }
}

fn descriptor(rule: &Rule) -> RuleDescriptor {
    RuleDescriptor {
        id: rule.id,
        name: rule.name,
        short_description: Text {
            text: rule.summary.to_string(),
        },
        full_description: Text {
            text: format!(
                "{}. Run `iamlint explain {}` for details.",
                rule.summary, rule.id
            ),
        },
        help: Help {
            text: rule.explanation,
            markdown: rule.explanation,
        },
        help_uri: format!("{}#rules", env!("CARGO_PKG_REPOSITORY")),
        default_configuration: Configuration {
            level: level(rule.level),
        },
        properties: RuleProperties {
            tags: ["security", "iam", "ecs"],
            precision: "high",
            security_severity: rule.security_severity,
        },
    }
}

fn location(at: &crate::rules::Location, report: &Report, paths: &RepoPaths) -> Location {
    let position = report.position(at);
    let artifact = match paths.relative(&at.path) {
        Some(relative) => ArtifactLocation {
            uri: encode_uri(&relative),
            uri_base_id: Some(SRCROOT),
        },
        // Outside the repository: an absolute file URI.
        None => ArtifactLocation {
            uri: format!(
                "file://{}",
                encode_uri(&paths.cwd.join(&at.path).to_string_lossy())
            ),
            uri_base_id: None,
        },
    };
    Location {
        id: None,
        physical_location: PhysicalLocation {
            artifact_location: artifact,
            region: Region {
                start_line: position.line,
                start_column: position.column,
                end_line: position.end_line,
                end_column: position.end_column,
            },
        },
        message: None,
    }
}

/// The finding's other places that stand in a real file (not `<live>` or the bundled
/// AWS managed policies), each with its label.
fn related(finding: &Finding) -> impl Iterator<Item = &(crate::rules::Location, String)> {
    finding
        .related
        .iter()
        .filter(|(at, _)| !at.path.starts_with('<'))
}

fn related_locations(finding: &Finding, report: &Report, paths: &RepoPaths) -> Vec<Location> {
    related(finding)
        .enumerate()
        .map(|(i, (at, label))| Location {
            id: Some(i + 1),
            message: Some(Text {
                text: label.clone(),
            }),
            ..location(at, report, paths)
        })
        .collect()
}

/// Paths (findings with steps) become one thread flow, in step order.
fn code_flows(finding: &Finding, report: &Report, paths: &RepoPaths) -> Vec<CodeFlow> {
    if finding.rule != &ecs_config_change_indirect::UNSCOPED
        && finding.rule != &ecs_config_change_indirect::SCOPED
    {
        return Vec::new();
    }
    let locations: Vec<ThreadFlowLocation> = related(finding)
        .map(|(at, label)| ThreadFlowLocation {
            location: Location {
                message: Some(Text {
                    text: label.clone(),
                }),
                ..location(at, report, paths)
            },
        })
        .collect();
    if locations.is_empty() {
        return Vec::new();
    }
    vec![CodeFlow {
        thread_flows: [ThreadFlow { locations }],
    }]
}

/// Percent-encode everything but RFC 3986 unreserved characters and `/`.
fn encode_uri(path: &str) -> String {
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

/// FNV-1a, 64 bits: stable across platforms and releases, unlike `std`'s hasher.
fn fingerprint(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

pub fn render(report: &Report, paths: &RepoPaths, out: &mut dyn Write) -> io::Result<()> {
    let rule_index = |rule: &Rule| RULES.iter().position(|r| r.id == rule.id).unwrap_or(0);
    let results = report
        .findings
        .iter()
        .map(|finding| SarifResult {
            rule_id: finding.rule.id,
            rule_index: rule_index(finding.rule),
            level: level(finding.level()),
            message: Text {
                text: match &finding.help {
                    Some(help) => format!("{} ({help})", finding.message),
                    None => finding.message.clone(),
                },
            },
            locations: [location(&finding.location, report, paths)],
            related_locations: related_locations(finding, report, paths),
            code_flows: code_flows(finding, report, paths),
            partial_fingerprints: BTreeMap::from([(
                "iamlint/v1",
                fingerprint(&finding.fingerprint),
            )]),
            properties: (!finding.actions.is_empty()).then_some(ResultProperties {
                actions: &finding.actions,
            }),
        })
        .collect();
    let notifications: Vec<Notification> = report
        .findings
        .iter()
        .filter(|f| f.rule == &invalid_policy::RULE)
        .map(|finding| Notification {
            level: "error",
            message: Text {
                text: format!("{}: {}", finding.location.path, finding.message),
            },
            locations: [location(&finding.location, report, paths)],
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "iamlint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: RULES.iter().map(|r| descriptor(r)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: notifications.is_empty(),
                tool_execution_notifications: notifications,
            }],
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_encode_reserved_characters() {
        assert_eq!(
            encode_uri("policies/a b%,:.json"),
            "policies/a%20b%25%2C%3A.json"
        );
        assert_eq!(encode_uri("é.json"), "%C3%A9.json");
    }

    #[test]
    fn fingerprints_are_fnv1a() {
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
    }
}
