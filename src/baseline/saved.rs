//! A saved `--format json` report (version 1) read back as the base of a comparison, for
//! CI without git history. Anything else — not JSON, another tool's output, another
//! version — is refused with one message: a comparison against a wrong base would pass
//! a full report off as a diff.

use super::{FindingRecord, Route, RouteStep, Snapshot, SubjectAccess, fingerprint_of};
use crate::rules::Level;
use crate::source::Position;
use serde::Deserialize;

/// The JSON report version this reads (`report::json::VERSION`; a test keeps them equal).
pub const VERSION: u64 = 1;

#[derive(Deserialize)]
struct Saved {
    subjects: Vec<SavedSubject>,
    findings: Vec<SavedFinding>,
}

#[derive(Deserialize)]
struct SavedSubject {
    name: String,
    privileged: bool,
    allowed: Vec<String>,
    scoped: Vec<String>,
    #[serde(default)]
    reachable: Option<Vec<String>>,
    #[serde(default)]
    paths: Option<Vec<SavedPath>>,
}

/// A subject's path: only what names its route (not `permissions` or `granted_by`).
#[derive(Deserialize)]
struct SavedPath {
    actions: Vec<String>,
    scoped: bool,
    steps: Vec<SavedStep>,
}

#[derive(Deserialize)]
struct SavedStep {
    kind: String,
    id: String,
    from: String,
    to: String,
}

#[derive(Deserialize)]
struct SavedFinding {
    rule: String,
    level: SavedLevel,
    subject: String,
    message: String,
    actions: Vec<String>,
    location: SavedLocation,
    #[serde(default)]
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum SavedLevel {
    Error,
    Warning,
}

#[derive(Deserialize)]
struct SavedLocation {
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

/// The report in `text`; `name` is what messages call the file.
pub fn read(name: &str, text: &str) -> Result<Snapshot, String> {
    let not_report = |why: String| format!("--baseline {name}: not an iamlint JSON report ({why})");
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| not_report(format!("invalid JSON: {e}")))?;
    match value.get("version") {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(VERSION) => {}
        Some(serde_json::Value::Number(n)) => {
            return Err(format!(
                "--baseline {name}: a JSON report of version {n}; this iamlint reads version {VERSION} (save the base again with this iamlint's --format json)"
            ));
        }
        Some(serde_json::Value::String(v)) if v == "2.1.0" => {
            return Err(not_report(
                "a SARIF log; save the base with --format json".into(),
            ));
        }
        _ => return Err(not_report("no \"version\": 1".into())),
    }
    let saved: Saved = serde_json::from_value(value).map_err(|e| not_report(e.to_string()))?;
    let subjects = saved
        .subjects
        .into_iter()
        .map(|s| {
            let reachable = s.reachable.unwrap_or_else(|| {
                let mut all: Vec<String> = s.allowed.iter().chain(&s.scoped).cloned().collect();
                all.sort();
                all.dedup();
                all
            });
            let paths = s.paths.unwrap_or_default().into_iter().map(|p| Route {
                actions: p.actions,
                scoped: p.scoped,
                steps: p
                    .steps
                    .into_iter()
                    .map(|step| RouteStep {
                        kind: step.kind,
                        id: step.id,
                        from: step.from,
                        to: step.to,
                    })
                    .collect(),
            });
            SubjectAccess {
                name: s.name,
                privileged: s.privileged,
                allowed: s.allowed,
                scoped: s.scoped,
                reachable,
                paths: super::routes(paths),
            }
        })
        .collect();
    let findings = saved
        .findings
        .into_iter()
        .map(|f| FindingRecord {
            // Reports from before fingerprints: the same identity, worked out again.
            fingerprint: f
                .fingerprint
                .unwrap_or_else(|| fingerprint_of(&f.rule, &f.subject, &f.actions, &f.message)),
            rule: f.rule,
            level: match f.level {
                SavedLevel::Error => Level::Error,
                SavedLevel::Warning => Level::Warning,
            },
            subject: f.subject,
            message: f.message,
            actions: f.actions,
            path: f.location.path,
            position: Position {
                line: f.location.line,
                column: f.location.column,
                end_line: f.location.end_line,
                end_column: f.location.end_column,
            },
        })
        .collect();
    Ok(Snapshot { subjects, findings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_inputs_are_named() {
        let cases = [
            ("{", "invalid JSON"),
            ("[]", "no \"version\": 1"),
            (
                r#"{"version": 2}"#,
                "version 2; this iamlint reads version 1",
            ),
            (r#"{"version": "2.1.0", "runs": []}"#, "a SARIF log"),
            (r#"{"version": 1}"#, "missing field `subjects`"),
            (
                r#"{"version": 1, "subjects": [], "findings": [{"rule": 3}]}"#,
                "invalid type",
            ),
        ];
        for (text, expected) in cases {
            let error = read("base.json", text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
            assert!(error.starts_with("--baseline base.json: "), "{error}");
        }
    }

    #[test]
    fn a_report_reads_back() {
        let text = r#"{"version": 1, "tool": {"name": "iamlint"},
          "subjects": [{"name": "a.json", "kind": "file", "privileged": false,
                        "allowed": ["ecs:UpdateService"], "scoped": []}],
          "findings": [{"rule": "ecs-config-change", "level": "error", "subject": "a.json",
                        "message": "m", "actions": ["ecs:UpdateService"],
                        "location": {"path": "a.json", "line": 3, "column": 5, "end_line": 3, "end_column": 9}}],
          "suppressed": []}"#;
        let snapshot = read("base.json", text).unwrap();
        assert_eq!(snapshot.subjects[0].reachable, ["ecs:UpdateService"]);
        assert_eq!(
            snapshot.findings[0].fingerprint,
            fingerprint_of(
                "ecs-config-change",
                "a.json",
                &snapshot.findings[0].actions,
                "m"
            )
        );
        assert_eq!(snapshot.findings[0].position.line, 3);
    }

    #[test]
    fn paths_read_back_by_route_sorted() {
        let step = |to: &str| {
            format!(
                r#"{{"kind": "assume-role", "id": "sts-001", "from": "user/dana", "to": "{to}",
                    "permissions": ["sts:AssumeRole"], "granted_by": ["inline:x"]}}"#
            )
        };
        let text = format!(
            r#"{{"version": 1, "findings": [], "suppressed": [],
              "subjects": [{{"name": "user/dana", "kind": "user", "privileged": false,
                "allowed": [], "scoped": [], "reachable": ["ecs:UpdateService"],
                "paths": [{{"actions": ["ecs:UpdateService"], "scoped": false, "steps": [{}]}},
                          {{"actions": ["ecs:CreateService"], "scoped": true, "steps": [{}]}}]}}]}}"#,
            step("role/z"),
            step("role/a")
        );
        let snapshot = read("base.json", &text).unwrap();
        let routes: Vec<(&str, bool)> = snapshot.subjects[0]
            .paths
            .iter()
            .map(|r| (r.steps[0].to.as_str(), r.scoped))
            .collect();
        assert_eq!(routes, [("role/a", true), ("role/z", false)]);
    }
}
