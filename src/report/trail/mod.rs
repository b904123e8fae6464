//! `iamlint trail` reports, one module per format. They read a [`Summary`]; every
//! decision (what is monitored, who is privileged) is made before.

pub mod cloudformation;
pub mod csv;
pub mod eventbridge;
pub mod github;
pub mod human;
pub mod json;
pub mod sql;

use crate::source::trail::format_time;
use crate::trail::{Activity, Summary};

/// At most this many values are named in a cell of a table; the JSON report has them all.
const SHOWN: usize = 3;

/// Values joined, at most [`SHOWN`] of them and how many more; `-` for none.
fn list_cell<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let values: Vec<&str> = values.into_iter().collect();
    match values.len() {
        0 => "-".into(),
        n if n <= SHOWN => values.join(", "),
        n => format!("{} (+{} more)", values[..SHOWN].join(", "), n - SHOWN),
    }
}

/// `CLI 3, Console 1`: user-agent classes, most calls first.
fn agents_cell(activity: &Activity) -> String {
    let mut agents: Vec<(&str, u64)> = activity
        .user_agents
        .iter()
        .map(|(class, n)| (*class, *n))
        .collect();
    agents.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> = agents.iter().map(|(c, n)| format!("{c} {n}")).collect();
    list_cell(shown.iter().map(String::as_str))
}

/// "made", "tried (denied)", "tried (failed)": what the actor did, in words.
fn outcome_words(activity: &Activity) -> &'static str {
    match activity.outcome {
        crate::trail::Outcome::Made => "made",
        crate::trail::Outcome::Denied => "tried (denied)",
        crate::trail::Outcome::Failed => "tried (failed)",
    }
}

/// One sentence per finding, as annotations and the summary line say it.
fn sentence(activity: &Activity) -> String {
    let times = match activity.count {
        1 => "once".to_string(),
        n => format!("{n} times"),
    };
    let mut text = format!(
        "{} {} {} {times}, {} to {}",
        activity.actor.id,
        outcome_words(activity),
        activity.action_name(),
        format_time(activity.first),
        format_time(activity.last),
    );
    if !activity.sessions.is_empty() {
        text.push_str(&format!(", as {}", list_cell(activity.sessions.iter())));
    }
    if !activity.resources.is_empty() {
        text.push_str(&format!(", on {}", list_cell(activity.resources.iter())));
    }
    text
}

/// The human summary line: what was read and found.
pub fn summary_line(summary: &Summary) -> String {
    let findings: Vec<&Activity> = summary.findings().collect();
    let mut actors: Vec<&str> = findings.iter().map(|a| a.actor.id.as_str()).collect();
    actors.sort_unstable();
    actors.dedup();
    let calls: u64 = findings.iter().map(|a| a.count).sum();
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut line = if findings.is_empty() {
        "iamlint: no monitored ECS change by a non-privileged actor".to_string()
    } else {
        format!(
            "iamlint: {} outside the privileged list made or tried monitored ECS changes ({})",
            plural(actors.len() as u64, "actor", "actors"),
            plural(calls, "call", "calls"),
        )
    };
    line.push_str(&format!(
        " in {} ({})",
        plural(summary.files as u64, "file", "files"),
        plural(summary.records, "record", "records"),
    ));
    let privileged = summary.privileged_calls();
    if privileged > 0 {
        line.push_str(&format!(
            "; {} by privileged actors not counted",
            plural(privileged, "call", "calls")
        ));
    }
    if summary.outside_window > 0 {
        line.push_str(&format!(
            "; {} outside the time window",
            plural(summary.outside_window, "monitored call", "monitored calls")
        ));
    }
    if !summary.errors.is_empty() {
        line.push_str(&format!(
            "; {} could not be read",
            plural(summary.errors.len() as u64, "file", "files")
        ));
    }
    line
}
