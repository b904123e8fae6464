//! `--format json`, version 1. Keys listed in README are stable; new keys may be added.

use super::{Report, Subject};
use crate::rules::{Finding, Level, Location};
use crate::source::Position;
use serde::Serialize;
use std::io::{self, Write};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    subjects: &'a [Subject],
    findings: Vec<JsonFinding<'a>>,
    suppressed: Vec<JsonSuppressed<'a>>,
    /// `account --trail` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<&'a super::usage::Usage>,
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
    rule: &'static str,
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
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let json = JsonReport {
        version: VERSION,
        tool: tool(),
        subjects: &report.subjects,
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
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}
