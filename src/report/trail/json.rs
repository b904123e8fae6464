//! `iamlint trail --format json`, version 1 of the trail report. The keys README lists are
//! stable; new keys may be added. Its own output structs, not the internal ones.

use crate::report::json::{Tool, tool};
use crate::source::trail::format_time;
use crate::trail::{Activity, Distinct, Summary};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonTrail<'a> {
    version: u32,
    tool: Tool,
    kind: &'static str,
    window: Window,
    monitored: &'a [String],
    files: usize,
    records: u64,
    selected: u64,
    outside_window: u64,
    activity: Vec<JsonActivity<'a>>,
    errors: Vec<JsonError<'a>>,
}

#[derive(Serialize)]
struct Window {
    since: Option<String>,
    until: Option<String>,
}

#[derive(Serialize)]
struct JsonActivity<'a> {
    actor: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    cross_account: bool,
    privileged: bool,
    action: String,
    outcome: &'static str,
    calls: u64,
    first: String,
    last: String,
    regions: &'a Distinct,
    source_ips: &'a Distinct,
    user_agents: &'a BTreeMap<&'static str, u64>,
    sessions: &'a Distinct,
    via: &'a Distinct,
    resources: &'a Distinct,
    error_codes: &'a Distinct,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    truncated: Vec<&'static str>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    message: &'a str,
}

fn activity(a: &Activity) -> JsonActivity<'_> {
    JsonActivity {
        actor: &a.actor.id,
        kind: &a.actor.kind,
        account: a.actor.account.as_deref(),
        cross_account: a.actor.cross_account,
        privileged: a.privileged,
        action: a.action_name(),
        outcome: a.outcome.as_str(),
        calls: a.count,
        first: format_time(a.first),
        last: format_time(a.last),
        regions: &a.regions,
        source_ips: &a.source_ips,
        user_agents: &a.user_agents,
        sessions: &a.sessions,
        via: &a.via,
        resources: &a.resources,
        error_codes: &a.error_codes,
        truncated: a.truncated(),
    }
}

pub fn render(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let report = JsonTrail {
        version: VERSION,
        tool: tool(),
        kind: "trail",
        window: Window {
            since: summary.since.map(format_time),
            until: summary.until.map(format_time),
        },
        monitored: &summary.monitored,
        files: summary.files,
        records: summary.records,
        selected: summary.selected,
        outside_window: summary.outside_window,
        activity: summary.activity.iter().map(activity).collect(),
        errors: summary
            .errors
            .iter()
            .map(|e| JsonError {
                path: &e.path,
                line: (e.line > 0).then_some(e.line),
                column: (e.line > 0).then_some(e.column),
                message: &e.message,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
