//! `--format sarif` / `--sarif-file`: SARIF 2.1.0 as GitHub code scanning reads it.
//! Small serialize-only types: the `sarif` crate on crates.io is an empty placeholder.

use super::Report;
use super::paths::RepoPaths;
use crate::baseline::{FindingRecord, finding_fingerprint};
use crate::rules::{Finding, Level, RULES, Rule, ecs_config_change_indirect, invalid_policy};
use crate::source::Position;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
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
    /// `--baseline`: `new`, `unchanged`, or `absent` (fixed since the base).
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    /// `pass` for an absent result: no longer a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
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
    located(&at.path, report.position(at), paths)
}

fn located(path: &str, position: Position, paths: &RepoPaths) -> Location {
    let artifact = match paths.relative(path) {
        Some(relative) => ArtifactLocation {
            uri: encode_uri(&relative),
            uri_base_id: Some(SRCROOT),
        },
        // Outside the repository: an absolute file URI.
        None => ArtifactLocation {
            uri: format!(
                "file://{}",
                encode_uri(&paths.cwd.join(path).to_string_lossy())
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

/// `partialFingerprints["iamlint/v1"]`: the finding's JSON `fingerprint` (rule, subject,
/// actions: no line, statement or order), then `:n` for the n-th result of the log with
/// it (two statements granting the same), as GitHub counts repeats of its own line hash.
#[derive(Default)]
struct Keys(HashMap<String, usize>);

impl Keys {
    fn next(&mut self, fingerprint: &str) -> BTreeMap<&'static str, String> {
        let seen = self.0.entry(fingerprint.to_string()).or_default();
        *seen += 1;
        BTreeMap::from([("iamlint/v1", format!("{fingerprint}:{seen}"))])
    }
}

/// A base finding the run no longer has (`--baseline`): a result that passes now.
fn absent<'a>(fixed: &'a FindingRecord, paths: &RepoPaths, keys: &mut Keys) -> SarifResult<'a> {
    SarifResult {
        rule_id: RULES
            .iter()
            .find(|r| r.id == fixed.rule)
            .map_or("unknown", |r| r.id),
        rule_index: rule_index(&fixed.rule),
        level: "none",
        message: Text {
            text: format!("fixed since the baseline: {}", fixed.message),
        },
        locations: [located(&fixed.path, fixed.position, paths)],
        related_locations: Vec::new(),
        code_flows: Vec::new(),
        // The key it had while present (no present result has its fingerprint).
        partial_fingerprints: keys.next(&fixed.fingerprint),
        baseline_state: Some("absent"),
        kind: Some("pass"),
        properties: (!fixed.actions.is_empty()).then_some(ResultProperties {
            actions: &fixed.actions,
        }),
    }
}

fn rule_index(id: &str) -> usize {
    RULES.iter().position(|r| r.id == id).unwrap_or(0)
}

pub fn render(report: &Report, paths: &RepoPaths, out: &mut dyn Write) -> io::Result<()> {
    let mut keys = Keys::default();
    let mut results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|finding| SarifResult {
            rule_id: finding.rule.id,
            rule_index: rule_index(finding.rule.id),
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
            partial_fingerprints: keys.next(&finding_fingerprint(finding)),
            baseline_state: report.baseline.as_ref().map(|_| {
                if report.is_new(finding) {
                    "new"
                } else {
                    "unchanged"
                }
            }),
            kind: None,
            properties: (!finding.actions.is_empty()).then_some(ResultProperties {
                actions: &finding.actions,
            }),
        })
        .collect();
    if let Some(comparison) = &report.baseline {
        results.extend(comparison.fixed.iter().map(|f| absent(f, paths, &mut keys)));
    }
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
}
