//! `iamlint account --trail`: the review's grants joined with what CloudTrail recorded.
//! For each non-privileged principal that can cause monitored actions, which it used in
//! the window and which it never did; and the monitored calls of principals the review
//! says cannot make them.

use crate::report::usage::{Disagreement, PrincipalUsage, Unexpected, Usage};
use crate::report::{Subject, SubjectKind};
use crate::source::trail::format_time;
use crate::trail::{Outcome, Summary};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Join the review's subjects with the trail's activity. `now` ends a window that
/// `--since` opened without `--until`.
pub fn join(subjects: &[Subject], summary: &Summary, now: i64) -> Usage {
    let by_name: BTreeMap<&str, &Subject> = subjects.iter().map(|s| (s.name.as_str(), s)).collect();
    let accounts: HashSet<&str> = subjects
        .iter()
        .filter(|s| s.kind != SubjectKind::External)
        .filter_map(|s| s.name.split(':').nth(4))
        .collect();
    // Calls the principal was authorized for: made, or failed after authorization.
    let mut used: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut unexpected = Vec::new();
    for activity in &summary.activity {
        if activity.outcome == Outcome::Denied || activity.actor.is_aws() {
            continue;
        }
        let id = activity.actor.id.as_str();
        let action = activity.action_name();
        // Another account's caller is in the review as the account a trust lets in.
        let account_root = activity
            .actor
            .account
            .as_deref()
            .map(|a| format!("arn:aws:iam::{a}:root"));
        let subject = by_name
            .get(id)
            .or_else(|| account_root.as_deref().and_then(|r| by_name.get(r)))
            .or_else(|| {
                activity
                    .actor
                    .account
                    .as_deref()
                    .and_then(|a| by_name.get(a))
            });
        let reason = match subject {
            Some(subject) if subject.reachable.contains(&action) => {
                used.entry(subject.name.as_str())
                    .or_default()
                    .insert(action);
                continue;
            }
            Some(_) => Disagreement::MissedAccess,
            None if activity.actor.kind == "Root" => Disagreement::Root,
            None if !id.starts_with("arn:") || !id.contains(":iam::") => Disagreement::NotInIam,
            None if activity
                .actor
                .account
                .as_deref()
                .is_some_and(|a| accounts.contains(a)) =>
            {
                Disagreement::StaleDump
            }
            None => Disagreement::OtherAccount,
        };
        unexpected.push(Unexpected {
            principal: id.to_string(),
            action,
            outcome: activity.outcome.as_str(),
            calls: activity.count,
            first: format_time(activity.first),
            last: format_time(activity.last),
            reason,
            explanation: reason.explain(),
        });
    }
    let principals = subjects
        .iter()
        // Outside principals call as the roles they assume: their use is the role's.
        .filter(|s| !s.privileged && !s.reachable.is_empty() && s.kind != SubjectKind::External)
        .map(|s| {
            let seen = used.get(s.name.as_str());
            let (used, unused): (Vec<String>, Vec<String>) = s
                .reachable
                .iter()
                .cloned()
                .partition(|a| seen.is_some_and(|u| u.contains(a)));
            PrincipalUsage {
                principal: s.name.clone(),
                holds: s.reachable.clone(),
                used,
                unused,
            }
        })
        .collect();
    let (since, until) = window(summary, now);
    let days = match (since, until) {
        (Some(s), Some(u)) if u > s => ((u - s) as u64).div_ceil(86_400).max(1),
        _ => 1,
    };
    Usage {
        since: since.map(format_time),
        until: until.map(format_time),
        days,
        files: summary.files,
        records: summary.records,
        principals,
        unexpected,
    }
}

/// `--since`/`--until` where given (`--since` alone ends now), else the first and last
/// monitored call in the logs.
fn window(summary: &Summary, now: i64) -> (Option<i64>, Option<i64>) {
    let first = summary.activity.iter().map(|a| a.first).min();
    let last = summary.activity.iter().map(|a| a.last).max();
    let until = match summary.since {
        Some(_) => summary.until.or(Some(now)),
        None => summary.until.or(last),
    };
    (summary.since.or(first), until)
}
