//! What CloudTrail says happened: the monitored ECS calls of each actor, counted per
//! actor, action and outcome, with when, where from, with what, and on which resources.
//! [`crate::source::trail`] reads the records; this module selects and tallies them;
//! reports render the [`Summary`].

pub mod actor;
pub mod agent;

use crate::catalog::{self, ActionSet, MONITORED_SERVICE};
use crate::source::trail::{Record, TrailError};
use actor::Actor;
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The `eventSource` of ECS calls.
pub const ECS_EVENT_SOURCE: &str = "ecs.amazonaws.com";
/// Lists of distinct values (regions, addresses, resources …) stop growing here, so that
/// memory stays bounded on any input; `truncated` names the lists that did.
pub const MAX_DISTINCT: usize = 100;

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// No `errorCode`: the change was made.
    Made,
    /// `AccessDenied…` or `…UnauthorizedOperation`: someone tried without permission.
    Denied,
    /// Another error: authorized, but the call failed (a bad parameter, a missing cluster).
    Failed,
}

impl Outcome {
    pub fn of(error_code: Option<&str>) -> Outcome {
        match error_code.filter(|c| !c.is_empty()) {
            None => Outcome::Made,
            Some(code)
                if code.starts_with("AccessDenied") || code.ends_with("UnauthorizedOperation") =>
            {
                Outcome::Denied
            }
            Some(_) => Outcome::Failed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Made => "made",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// Which records count: ECS calls of the monitored actions within the window.
#[derive(Clone, Debug)]
pub struct Selection {
    pub monitored: ActionSet,
    /// Seconds since the epoch; `since` inclusive, `until` exclusive.
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl Selection {
    /// The monitored action a record's source and name are, if any.
    pub fn action(&self, source: &str, name: &str) -> Option<usize> {
        if source != ECS_EVENT_SOURCE {
            return None;
        }
        catalog::index_of(&format!("{MONITORED_SERVICE}:{name}"))
            .filter(|&i| self.monitored.contains(i))
    }

    pub fn in_window(&self, time: i64) -> bool {
        self.since.is_none_or(|s| time >= s) && self.until.is_none_or(|u| time < u)
    }
}

/// Distinct values in order, at most [`MAX_DISTINCT`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Distinct {
    values: BTreeSet<String>,
    pub truncated: bool,
}

impl Distinct {
    pub fn insert(&mut self, value: &str) {
        if value.is_empty() || self.values.contains(value) {
            return;
        }
        if self.values.len() >= MAX_DISTINCT {
            self.truncated = true;
        } else {
            self.values.insert(value.to_string());
        }
    }

    fn merge(&mut self, other: Distinct) {
        self.truncated |= other.truncated;
        for value in other.values {
            self.insert(&value);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl Serialize for Distinct {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(&self.values)
    }
}

/// The calls of one actor, one action, one outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    pub actor: Actor,
    pub privileged: bool,
    /// Catalog index of the action.
    pub action: usize,
    pub outcome: Outcome,
    pub count: u64,
    /// `eventTime` of the first and last call, seconds since the epoch.
    pub first: i64,
    pub last: i64,
    pub regions: Distinct,
    pub source_ips: Distinct,
    /// User-agent class ([`agent::classify`]) → calls.
    pub user_agents: BTreeMap<&'static str, u64>,
    pub sessions: Distinct,
    /// AWS services that made the call for the actor (`invokedBy`).
    pub via: Distinct,
    /// `cluster/NAME`, `service/CLUSTER/NAME`, `task-definition/FAMILY:REV` …
    pub resources: Distinct,
    pub error_codes: Distinct,
}

impl Activity {
    pub fn action_name(&self) -> String {
        catalog::qualified_name(self.action)
    }

    /// The names of the lists that reached [`MAX_DISTINCT`].
    pub fn truncated(&self) -> Vec<&'static str> {
        [
            ("regions", &self.regions),
            ("source_ips", &self.source_ips),
            ("sessions", &self.sessions),
            ("via", &self.via),
            ("resources", &self.resources),
            ("error_codes", &self.error_codes),
        ]
        .into_iter()
        .filter(|(_, list)| list.truncated)
        .map(|(name, _)| name)
        .collect()
    }

    fn merge(&mut self, other: Activity) {
        self.count += other.count;
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
        self.regions.merge(other.regions);
        self.source_ips.merge(other.source_ips);
        for (class, n) in other.user_agents {
            *self.user_agents.entry(class).or_default() += n;
        }
        self.sessions.merge(other.sessions);
        self.via.merge(other.via);
        self.resources.merge(other.resources);
        self.error_codes.merge(other.error_codes);
    }
}

type Key = (String, usize, Outcome);

/// Records counted so far (one per file read, merged at the end).
#[derive(Default)]
pub struct Tally {
    pub records: u64,
    /// Monitored ECS calls, in the window or not.
    pub selected: u64,
    pub outside_window: u64,
    activity: HashMap<Key, Activity>,
}

impl Tally {
    /// Count one record that the reader kept (a monitored ECS call).
    pub fn add(
        &mut self,
        record: &Record,
        selection: &Selection,
        privileged: &dyn Fn(&Actor) -> bool,
    ) {
        let Some(action) = selection.action(&record.event_source, &record.event_name) else {
            return;
        };
        self.selected += 1;
        if !selection.in_window(record.time) {
            self.outside_window += 1;
            return;
        }
        let actor = actor::resolve(&record.user_identity, record.recipient_account.as_deref());
        let outcome = Outcome::of(record.error_code.as_deref());
        let key = (actor.id.clone(), action, outcome);
        let entry = self.activity.entry(key).or_insert_with(|| Activity {
            privileged: privileged(&actor),
            actor: actor.clone(),
            action,
            outcome,
            count: 0,
            first: record.time,
            last: record.time,
            regions: Distinct::default(),
            source_ips: Distinct::default(),
            user_agents: BTreeMap::new(),
            sessions: Distinct::default(),
            via: Distinct::default(),
            resources: Distinct::default(),
            error_codes: Distinct::default(),
        });
        entry.count += 1;
        entry.first = entry.first.min(record.time);
        entry.last = entry.last.max(record.time);
        if let Some(region) = &record.aws_region {
            entry.regions.insert(region);
        }
        if let Some(ip) = &record.source_ip {
            entry.source_ips.insert(ip);
        }
        *entry
            .user_agents
            .entry(agent::classify(record.user_agent.as_deref()))
            .or_default() += 1;
        if let Some(session) = &actor.session {
            entry.sessions.insert(session);
        }
        if let Some(via) = &actor.via {
            entry.via.insert(via);
        }
        for resource in resources(record.request.as_ref(), record.response.as_ref()) {
            entry.resources.insert(&resource);
        }
        if let Some(code) = &record.error_code {
            entry.error_codes.insert(code);
        }
    }

    pub fn merge(mut self, other: Tally) -> Tally {
        self.records += other.records;
        self.selected += other.selected;
        self.outside_window += other.outside_window;
        for (key, activity) in other.activity {
            match self.activity.entry(key) {
                std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().merge(activity),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(activity);
                }
            }
        }
        self
    }

    /// The activity, sorted by actor, action and outcome.
    pub fn into_activity(self) -> Vec<Activity> {
        let mut out: Vec<Activity> = self.activity.into_values().collect();
        out.sort_by(|a, b| {
            (&a.actor.id, a.action_name(), a.outcome).cmp(&(
                &b.actor.id,
                b.action_name(),
                b.outcome,
            ))
        });
        out
    }
}

/// Everything a trail report renders.
#[derive(Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub records: u64,
    pub selected: u64,
    pub outside_window: u64,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Monitored action names, sorted.
    pub monitored: Vec<String>,
    /// Every actor's activity, privileged or not.
    pub activity: Vec<Activity>,
    /// One per file that could not be read completely, sorted by path.
    pub errors: Vec<TrailError>,
}

impl Summary {
    /// The findings: monitored calls (made, denied or failed) of non-privileged actors.
    pub fn findings(&self) -> impl Iterator<Item = &Activity> {
        self.activity.iter().filter(|a| !a.privileged)
    }

    /// Calls of privileged actors in the window (not findings).
    pub fn privileged_calls(&self) -> u64 {
        self.activity
            .iter()
            .filter(|a| a.privileged)
            .map(|a| a.count)
            .sum()
    }
}

/// The ECS resources a call names: from `responseElements` (full ARNs) when it has them,
/// else from `requestParameters` (names as given).
pub fn resources(request: Option<&Value>, response: Option<&Value>) -> Vec<String> {
    // (resource type, request keys, response object and its ARN key)
    const KINDS: &[(&str, &[&str], &str, &str)] = &[
        (
            "cluster",
            &["cluster", "clusterName"],
            "cluster",
            "clusterArn",
        ),
        (
            "service",
            &["service", "serviceName"],
            "service",
            "serviceArn",
        ),
        (
            "task-definition",
            &["taskDefinition", "family"],
            "taskDefinition",
            "taskDefinitionArn",
        ),
        (
            "capacity-provider",
            &["capacityProvider"],
            "capacityProvider",
            "capacityProviderArn",
        ),
        ("task-set", &["taskSet"], "taskSet", "taskSetArn"),
        (
            "container-instance",
            &["containerInstance"],
            "containerInstance",
            "containerInstanceArn",
        ),
    ];
    let mut out = Vec::new();
    for (kind, request_keys, object, arn_key) in KINDS {
        let from_response = response
            .and_then(|r| r.get(object))
            .and_then(|o| o.get(arn_key))
            .and_then(Value::as_str)
            .and_then(arn_resource);
        if let Some(resource) = from_response {
            out.push(resource.to_string());
            continue;
        }
        let named = request_keys
            .iter()
            .find_map(|k| request.and_then(|r| r.get(k)).and_then(Value::as_str));
        if let Some(name) = named.filter(|n| !n.is_empty()) {
            out.push(match arn_resource(name) {
                Some(resource) => resource.to_string(),
                None => format!("{kind}/{name}"),
            });
        }
    }
    out
}

/// `arn:aws:ecs:eu-west-1:1:service/prod/web` → `service/prod/web`.
fn arn_resource(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:")?.splitn(5, ':').nth(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outcomes() {
        assert_eq!(Outcome::of(None), Outcome::Made);
        assert_eq!(Outcome::of(Some("")), Outcome::Made);
        assert_eq!(Outcome::of(Some("AccessDenied")), Outcome::Denied);
        assert_eq!(Outcome::of(Some("AccessDeniedException")), Outcome::Denied);
        assert_eq!(
            Outcome::of(Some("Client.UnauthorizedOperation")),
            Outcome::Denied
        );
        assert_eq!(Outcome::of(Some("UnauthorizedOperation")), Outcome::Denied);
        assert_eq!(
            Outcome::of(Some("ClusterNotFoundException")),
            Outcome::Failed
        );
    }

    #[test]
    fn resources_prefer_the_response_arns() {
        let request = json!({"cluster": "prod", "service": "web", "taskDefinition": "web:41"});
        let response = json!({"service": {"serviceArn": "arn:aws:ecs:eu-west-1:111122223333:service/prod/web", "clusterArn": "x"}});
        assert_eq!(
            resources(Some(&request), Some(&response)),
            ["cluster/prod", "service/prod/web", "task-definition/web:41"]
        );
        let registered = json!({"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:42"}});
        assert_eq!(
            resources(Some(&json!({"family": "web"})), Some(&registered)),
            ["task-definition/web:42"]
        );
        let by_arn = json!({"cluster": "arn:aws:ecs:us-east-1:111122223333:cluster/batch"});
        assert_eq!(resources(Some(&by_arn), None), ["cluster/batch"]);
        assert!(resources(Some(&json!({"cluster": 3})), Some(&json!(null))).is_empty());
        assert!(resources(None, None).is_empty());
    }

    #[test]
    fn distinct_lists_are_bounded() {
        let mut list = Distinct::default();
        for i in 0..MAX_DISTINCT + 5 {
            list.insert(&i.to_string());
            list.insert(&i.to_string());
        }
        assert_eq!(list.iter().count(), MAX_DISTINCT);
        assert!(list.truncated);
    }

    #[test]
    fn selection_and_window() {
        let selection = Selection {
            monitored: catalog::pack("rtma").unwrap().set(),
            since: Some(100),
            until: Some(200),
        };
        assert!(
            selection
                .action(ECS_EVENT_SOURCE, "UpdateService")
                .is_some()
        );
        assert!(selection.action(ECS_EVENT_SOURCE, "RunTask").is_none());
        assert!(
            selection
                .action("s3.amazonaws.com", "UpdateService")
                .is_none()
        );
        assert!(selection.action(ECS_EVENT_SOURCE, "NoSuchCall").is_none());
        assert!(selection.in_window(100) && selection.in_window(199));
        assert!(!selection.in_window(99) && !selection.in_window(200));
    }
}
