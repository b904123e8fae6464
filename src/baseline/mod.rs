//! `--baseline`: what a change adds or removes, compared by **access**, not by text. Both
//! sides are [`Snapshot`]s (a run's subjects and findings, from a git revision checked
//! the same way or from a saved JSON report); [`compare`] tells which findings are new,
//! which unchanged and which fixed, and which monitored actions each subject gains or
//! loses. Nothing here depends on lines, statement order or how statements are split.

pub mod saved;

use crate::rules::{Finding, Level};
use crate::source::Position;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A subject's monitored access, as both sides of a comparison see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectAccess {
    pub name: String,
    pub privileged: bool,
    pub allowed: Vec<String>,
    pub scoped: Vec<String>,
    pub reachable: Vec<String>,
    /// The paths reported for it (account review and infrastructure code), sorted.
    pub paths: Vec<Route>,
}

/// A path as a comparison sees it: its route by stable names (principals and step kinds,
/// never lines or the policies that grant a step) and the actions it reaches.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Route {
    pub actions: Vec<String>,
    pub scoped: bool,
    pub steps: Vec<RouteStep>,
}

/// One step of a [`Route`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RouteStep {
    /// `assume-role` or `escalation`.
    pub kind: String,
    /// The catalog path id (`sts-001`, `lambda-001`, …).
    pub id: String,
    pub from: String,
    pub to: String,
}

/// A subject's routes as compared: sorted, each once (both sides read them this way).
pub fn routes(paths: impl IntoIterator<Item = Route>) -> Vec<Route> {
    let mut routes: Vec<Route> = paths.into_iter().collect();
    routes.sort();
    routes.dedup();
    routes
}

/// A finding as a comparison sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingRecord {
    pub rule: String,
    pub level: Level,
    pub subject: String,
    pub message: String,
    pub actions: Vec<String>,
    pub fingerprint: String,
    /// Where it was (path and position), to list it once fixed.
    pub path: String,
    pub position: Position,
}

impl FindingRecord {
    pub fn of(finding: &Finding, position: Position) -> FindingRecord {
        FindingRecord {
            rule: finding.rule.id.to_string(),
            level: finding.level(),
            subject: finding.subject.clone(),
            message: finding.message.clone(),
            actions: finding.actions.clone(),
            fingerprint: finding_fingerprint(finding),
            path: finding.location.path.clone(),
            position,
        }
    }
}

/// One side of a comparison.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub subjects: Vec<SubjectAccess>,
    pub findings: Vec<FindingRecord>,
}

impl Snapshot {
    /// Give renamed subjects (old name → new name) their new name, so that they compare
    /// with themselves; their findings' fingerprints follow.
    pub fn rename(&mut self, renames: &HashMap<String, String>) {
        if renames.is_empty() {
            return;
        }
        for subject in &mut self.subjects {
            if let Some(new) = renames.get(&subject.name) {
                subject.name = new.clone();
            }
        }
        for finding in &mut self.findings {
            if let Some(new) = renames.get(&finding.subject) {
                finding.message = finding.message.replace(&finding.subject, new);
                finding.subject = new.clone();
                finding.fingerprint = fingerprint_of(
                    &finding.rule,
                    &finding.subject,
                    &finding.actions,
                    &finding.message,
                );
            }
            if let Some(new) = renames.get(&finding.path) {
                finding.path = new.clone();
            }
        }
    }
}

/// FNV-1a, 64 bits, as 16 hex digits: stable across platforms and releases, unlike
/// `std`'s hasher.
pub fn digest(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// A finding's identity across edits: rule, subject, and its actions (or, for findings
/// about documents, its message with the subject left out) — no line, no statement, no
/// order, so moving, reformatting or reordering statements keeps it.
pub fn finding_fingerprint(finding: &Finding) -> String {
    fingerprint_of(
        finding.rule.id,
        &finding.subject,
        &finding.actions,
        &finding.message,
    )
}

pub fn fingerprint_of(rule: &str, subject: &str, actions: &[String], message: &str) -> String {
    let what = if actions.is_empty() {
        message.replace(subject, "\u{1}")
    } else {
        actions.join(",")
    };
    digest(&format!("{rule}|{subject}|{what}"))
}

/// A subject's access in one value: equal fingerprints, equal monitored access.
pub fn access_fingerprint(
    name: &str,
    allowed: &[String],
    scoped: &[String],
    reachable: &[String],
) -> String {
    digest(&format!(
        "{name}|{}|{}|{}",
        allowed.join(","),
        scoped.join(","),
        reachable.join(",")
    ))
}

/// How a subject holds a monitored action, from none to the widest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    None,
    /// Only through a path of other principals (account review).
    Path,
    Scoped,
    Unscoped,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::None => "none",
            Reach::Path => "path",
            Reach::Scoped => "scoped",
            Reach::Unscoped => "unscoped",
        }
    }
}

/// One monitored action a subject holds differently on the two sides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessChange {
    pub subject: String,
    pub action: String,
    pub base: Reach,
    pub head: Reach,
}

impl AccessChange {
    /// `+` when the access got wider, `-` when narrower.
    pub fn sign(&self) -> &'static str {
        if self.head > self.base { "+" } else { "-" }
    }
}

/// A path one side reports for a subject and the other does not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PathChange {
    pub subject: String,
    /// True for a path of the head only (`+`), false for one of the base only (`-`).
    #[serde(skip)]
    pub added: bool,
    #[serde(flatten)]
    pub route: Route,
}

impl PathChange {
    pub fn sign(&self) -> &'static str {
        if self.added { "+" } else { "-" }
    }
}

/// Whether a finding of the head run is new.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    New,
    Unchanged,
}

/// The outcome of a comparison.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// What the run compared with, as given (a revision or a report file).
    pub against: String,
    /// The commit a revision resolved to.
    pub commit: Option<String>,
    /// Fingerprints of the head findings that are new.
    pub new: HashSet<String>,
    /// Base findings the head run no longer has.
    pub fixed: Vec<FindingRecord>,
    /// Sorted by subject, then action.
    pub access: Vec<AccessChange>,
    /// Sorted by subject, then route; a removed path before an added one.
    pub paths: Vec<PathChange>,
}

impl Comparison {
    /// Whether any monitored access or path differs.
    pub fn access_differs(&self) -> bool {
        !self.access.is_empty() || !self.paths.is_empty()
    }
}

impl Comparison {
    pub fn state(&self, finding: &Finding) -> State {
        if self.new.contains(&finding_fingerprint(finding)) {
            State::New
        } else {
            State::Unchanged
        }
    }
}

/// `ecs-config-change` and its narrower twin `ecs-config-change-scoped` are one family:
/// the rule without `-scoped`, and whether it is the narrower one.
fn family(rule: &str) -> (&str, bool) {
    match rule.strip_suffix("-scoped") {
        Some(base) => (base, true),
        None => (rule, false),
    }
}

/// For each (subject, rule family, action): whether some finding holds it unscoped.
type Held<'a> = HashMap<(&'a str, &'a str, &'a str), bool>;

fn held(findings: &[FindingRecord]) -> Held<'_> {
    let mut held: Held = HashMap::new();
    for f in findings {
        let (family, scoped) = family(&f.rule);
        for action in &f.actions {
            let entry = held.entry((&f.subject, family, action)).or_insert(false);
            *entry |= !scoped;
        }
    }
    held
}

/// Whether `other` already has `finding`: the same fingerprint, or every one of its
/// actions in findings of the same subject and rule family at the same or a wider level
/// (so one statement split in two, or an unscoped grant narrowed, is not new).
fn covered(finding: &FindingRecord, fingerprints: &HashSet<&str>, other: &Held) -> bool {
    if fingerprints.contains(finding.fingerprint.as_str()) {
        return true;
    }
    if finding.actions.is_empty() {
        return false;
    }
    let (family, scoped) = family(&finding.rule);
    finding.actions.iter().all(|action| {
        other
            .get(&(finding.subject.as_str(), family, action.as_str()))
            .is_some_and(|&unscoped| unscoped || scoped)
    })
}

fn reach(subject: Option<&SubjectAccess>, action: &str) -> Reach {
    let Some(subject) = subject else {
        return Reach::None;
    };
    let has = |list: &[String]| list.iter().any(|a| a == action);
    if has(&subject.allowed) {
        Reach::Unscoped
    } else if has(&subject.scoped) {
        Reach::Scoped
    } else if has(&subject.reachable) {
        Reach::Path
    } else {
        Reach::None
    }
}

/// The monitored actions each non-privileged subject holds differently, and the paths
/// one side reports and the other not. Privileged subjects may make the changes, so they
/// are left out; a subject on one side only holds nothing on the other.
fn access_changes(base: &Snapshot, head: &Snapshot) -> (Vec<AccessChange>, Vec<PathChange>) {
    let by_name = |s: &Snapshot| -> BTreeMap<String, SubjectAccess> {
        s.subjects
            .iter()
            .map(|subject| (subject.name.clone(), subject.clone()))
            .collect()
    };
    let (base, head) = (by_name(base), by_name(head));
    let names: BTreeSet<&String> = base.keys().chain(head.keys()).collect();
    let (mut changes, mut paths) = (Vec::new(), Vec::new());
    for name in names {
        let (before, after) = (base.get(name), head.get(name));
        if after.or(before).is_some_and(|s| s.privileged) {
            continue;
        }
        paths.extend(path_changes(name, before, after));
        let actions: BTreeSet<&String> = [before, after]
            .into_iter()
            .flatten()
            .flat_map(|s| s.allowed.iter().chain(&s.scoped).chain(&s.reachable))
            .collect();
        for action in actions {
            let (was, is) = (reach(before, action), reach(after, action));
            if was != is {
                changes.push(AccessChange {
                    subject: name.clone(),
                    action: action.clone(),
                    base: was,
                    head: is,
                });
            }
        }
    }
    (changes, paths)
}

/// The routes of one subject on one side only: removed ones, then added ones, each in
/// route order.
fn path_changes(
    name: &str,
    before: Option<&SubjectAccess>,
    after: Option<&SubjectAccess>,
) -> Vec<PathChange> {
    let routes = |s: Option<&SubjectAccess>| -> BTreeSet<Route> {
        s.map(|s| s.paths.iter().cloned().collect())
            .unwrap_or_default()
    };
    let (was, is) = (routes(before), routes(after));
    let change = |added: bool| {
        move |route: &Route| PathChange {
            subject: name.to_string(),
            added,
            route: route.clone(),
        }
    };
    let removed = was.difference(&is).map(change(false));
    let added = is.difference(&was).map(change(true));
    removed.chain(added).collect()
}

/// Compare the head run with the base.
pub fn compare(base: &Snapshot, head: &Snapshot, against: &str) -> Comparison {
    let base_prints: HashSet<&str> = base
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let head_prints: HashSet<&str> = head
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let (base_held, head_held) = (held(&base.findings), held(&head.findings));
    let new = head
        .findings
        .iter()
        .filter(|f| !covered(f, &base_prints, &base_held))
        .map(|f| f.fingerprint.clone())
        .collect();
    let fixed = base
        .findings
        .iter()
        .filter(|f| !covered(f, &head_prints, &head_held))
        .cloned()
        .collect();
    let (access, paths) = access_changes(base, head);
    Comparison {
        against: against.to_string(),
        commit: None,
        new,
        fixed,
        access,
        paths,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, subject: &str, actions: &[&str]) -> FindingRecord {
        let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
        FindingRecord {
            rule: rule.into(),
            level: Level::Error,
            subject: subject.into(),
            message: format!("{subject} can"),
            fingerprint: fingerprint_of(rule, subject, &actions, ""),
            actions,
            path: subject.into(),
            position: Position::default(),
        }
    }

    fn snapshot(findings: Vec<FindingRecord>) -> Snapshot {
        Snapshot {
            subjects: Vec::new(),
            findings,
        }
    }

    #[test]
    fn fingerprints_are_fnv1a() {
        assert_eq!(digest(""), "cbf29ce484222325");
        assert_eq!(digest("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn a_split_statement_is_not_new_and_a_narrowed_one_is_fixed() {
        let base = snapshot(vec![finding(
            "ecs-config-change",
            "a.json",
            &["ecs:A", "ecs:B"],
        )]);
        let split = snapshot(vec![
            finding("ecs-config-change", "a.json", &["ecs:A"]),
            finding("ecs-config-change", "a.json", &["ecs:B"]),
        ]);
        let outcome = compare(&base, &split, "base");
        assert!(outcome.new.is_empty() && outcome.fixed.is_empty());

        let narrowed = snapshot(vec![finding(
            "ecs-config-change-scoped",
            "a.json",
            &["ecs:A", "ecs:B"],
        )]);
        let outcome = compare(&base, &narrowed, "base");
        assert!(outcome.new.is_empty());
        assert_eq!(outcome.fixed.len(), 1);
        // Widened back: the unscoped finding is new.
        let outcome = compare(&narrowed, &base, "base");
        assert_eq!(outcome.new.len(), 1);
    }

    #[test]
    fn renamed_subjects_keep_their_fingerprints() {
        let mut base = snapshot(vec![finding("unknown-action", "old.json", &[])]);
        base.findings[0].message = "`ecs:Typo` matches no ECS action".into();
        base.findings[0].fingerprint =
            fingerprint_of("unknown-action", "old.json", &[], &base.findings[0].message);
        base.rename(&HashMap::from([(
            "old.json".to_string(),
            "new.json".to_string(),
        )]));
        let expected = fingerprint_of(
            "unknown-action",
            "new.json",
            &[],
            "`ecs:Typo` matches no ECS action",
        );
        assert_eq!(base.findings[0].fingerprint, expected);
        assert_eq!(base.findings[0].path, "new.json");
    }

    #[test]
    fn access_changes_name_the_direction() {
        let subject = |allowed: &[&str], scoped: &[&str]| SubjectAccess {
            name: "a.json".into(),
            privileged: false,
            allowed: allowed.iter().map(|a| a.to_string()).collect(),
            scoped: scoped.iter().map(|a| a.to_string()).collect(),
            reachable: allowed
                .iter()
                .chain(scoped)
                .map(|a| a.to_string())
                .collect(),
            paths: Vec::new(),
        };
        let base = Snapshot {
            subjects: vec![subject(&["ecs:A"], &["ecs:B"])],
            findings: Vec::new(),
        };
        let head = Snapshot {
            subjects: vec![subject(&["ecs:B"], &["ecs:A", "ecs:C"])],
            findings: Vec::new(),
        };
        let changes: Vec<String> = compare(&base, &head, "x")
            .access
            .iter()
            .map(|c| format!("{} {} {:?}->{:?}", c.sign(), c.action, c.base, c.head))
            .collect();
        assert_eq!(
            changes,
            [
                "- ecs:A Unscoped->Scoped",
                "+ ecs:B Scoped->Unscoped",
                "+ ecs:C None->Scoped"
            ]
        );
    }

    #[test]
    fn a_changed_route_is_a_removed_and_an_added_path() {
        let route = |via: &str| Route {
            actions: vec!["ecs:UpdateService".into()],
            scoped: false,
            steps: [via, "role/deploy"]
                .windows(2)
                .map(|pair| RouteStep {
                    kind: "assume-role".into(),
                    id: "sts-001".into(),
                    from: pair[0].into(),
                    to: pair[1].into(),
                })
                .collect(),
        };
        let subject = |paths: Vec<Route>| SubjectAccess {
            name: "user/dana".into(),
            privileged: false,
            allowed: Vec::new(),
            scoped: Vec::new(),
            reachable: vec!["ecs:UpdateService".into()],
            paths,
        };
        let base = Snapshot {
            subjects: vec![subject(vec![route("role/ci")])],
            findings: Vec::new(),
        };
        let head = Snapshot {
            subjects: vec![subject(vec![route("role/release")])],
            findings: Vec::new(),
        };
        let outcome = compare(&base, &head, "x");
        assert!(outcome.access.is_empty());
        let rows: Vec<String> = outcome
            .paths
            .iter()
            .map(|p| format!("{} {}", p.sign(), p.route.steps[0].from))
            .collect();
        assert_eq!(rows, ["- role/ci", "+ role/release"]);
        assert!(compare(&base, &base, "x").paths.is_empty());
    }
}
