//! `--format json`, version 1. Keys listed in README are stable; new keys may be added.

use super::{Report, Subject};
use crate::baseline::{
    AccessChange, Comparison, PathChange, access_fingerprint, finding_fingerprint,
};
use crate::rules::{Finding, Level, Location};
use crate::source::Position;
use serde::Serialize;
use std::io::{self, Write};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    subjects: Vec<JsonSubject<'a>>,
    findings: Vec<JsonFinding<'a>>,
    suppressed: Vec<JsonSuppressed<'a>>,
    /// `account --trail` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<&'a super::usage::Usage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<JsonBaseline<'a>>,
}

#[derive(Serialize)]
struct JsonSubject<'a> {
    #[serde(flatten)]
    subject: &'a Subject,
    /// Equal for equal monitored access (name, allowed, scoped, reachable).
    fingerprint: String,
}

/// `--baseline`: the comparison with the base.
#[derive(Serialize)]
struct JsonBaseline<'a> {
    #[serde(rename = "ref")]
    against: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    new: Vec<JsonFinding<'a>>,
    unchanged: Vec<JsonFinding<'a>>,
    /// The base's findings the run no longer has, where they were in the base.
    fixed: Vec<JsonFinding<'a>>,
    access_diff: Vec<JsonChange<'a, AccessChange>>,
    /// The paths (`subjects[].paths`) one side reports and the other not.
    path_diff: Vec<JsonChange<'a, PathChange>>,
}

/// A row of the access diff: `+` or `-`, then the change's own fields.
#[derive(Serialize)]
struct JsonChange<'a, T> {
    change: &'static str,
    #[serde(flatten)]
    row: &'a T,
}

#[derive(Serialize)]
pub struct Tool {
    name: &'static str,
    version: &'static str,
}

pub fn tool() -> Tool {
    Tool {
        name: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    level: Level,
    subject: &'a str,
    message: &'a str,
    actions: &'a [String],
    location: JsonLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    /// The other places that make the finding (each step of a path), when there are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    /// Rule, subject and actions (or what the finding names): no line, no statement order.
    fingerprint: String,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    location: JsonLocation<'a>,
    label: &'a str,
}

/// `{"path", "line", "column", "end_line", "end_column"}`, resolved when rendered.
#[derive(Serialize)]
struct JsonLocation<'a> {
    path: &'a str,
    #[serde(flatten)]
    position: Position,
}

fn location<'a>(at: &'a Location, report: &Report) -> JsonLocation<'a> {
    JsonLocation {
        path: &at.path,
        position: report.position(at),
    }
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    reason: &'a str,
}

fn finding<'a>(f: &'a Finding, report: &Report) -> JsonFinding<'a> {
    JsonFinding {
        rule: f.rule.id,
        level: f.level(),
        subject: &f.subject,
        message: &f.message,
        actions: &f.actions,
        location: location(&f.location, report),
        help: f.help.as_deref(),
        related: f
            .related
            .iter()
            .map(|(at, label)| JsonRelated {
                location: location(at, report),
                label,
            })
            .collect(),
        fingerprint: finding_fingerprint(f),
    }
}

fn baseline<'a>(comparison: &'a Comparison, report: &'a Report) -> JsonBaseline<'a> {
    let (new, unchanged): (Vec<&Finding>, Vec<&Finding>) =
        report.findings.iter().partition(|f| report.is_new(f));
    JsonBaseline {
        against: &comparison.against,
        commit: comparison.commit.as_deref(),
        new: new.into_iter().map(|f| finding(f, report)).collect(),
        unchanged: unchanged.into_iter().map(|f| finding(f, report)).collect(),
        fixed: comparison
            .fixed
            .iter()
            .map(|f| JsonFinding {
                rule: &f.rule,
                level: f.level,
                subject: &f.subject,
                message: &f.message,
                actions: &f.actions,
                location: JsonLocation {
                    path: &f.path,
                    position: f.position,
                },
                help: None,
                related: Vec::new(),
                fingerprint: f.fingerprint.clone(),
            })
            .collect(),
        access_diff: comparison
            .access
            .iter()
            .map(|row| JsonChange {
                change: row.sign(),
                row,
            })
            .collect(),
        path_diff: comparison
            .paths
            .iter()
            .map(|row| JsonChange {
                change: row.sign(),
                row,
            })
            .collect(),
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let json = JsonReport {
        version: VERSION,
        tool: tool(),
        subjects: report
            .subjects
            .iter()
            .map(|subject| JsonSubject {
                subject,
                fingerprint: access_fingerprint(
                    &subject.name,
                    &subject.allowed,
                    &subject.scoped,
                    &subject.reachable,
                ),
            })
            .collect(),
        findings: report.findings.iter().map(|f| finding(f, report)).collect(),
        suppressed: report
            .suppressed
            .iter()
            .map(|(f, reason)| JsonSuppressed {
                finding: finding(f, report),
                reason,
            })
            .collect(),
        usage: report.usage.as_ref(),
        baseline: report.baseline.as_ref().map(|b| baseline(b, report)),
    };
    // serde_json writes token by token: a buffer of a known type takes them inlined, and
    // only whole blocks go through `dyn Write` (an account's report can be hundreds of
    // megabytes, so it is not held in memory).
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut buffered, &json)?;
    writeln!(buffered)?;
    buffered.flush()
}
