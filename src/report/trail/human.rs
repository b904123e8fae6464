//! `iamlint trail --format human`: one row per non-privileged actor, action and outcome,
//! then the summary line. Unreadable files are reported on stderr by the command.

use super::{agents_cell, list_cell, outcome_words, summary_line};
use crate::report::table::write_columns;
use crate::source::trail::format_time;
use crate::trail::Summary;
use std::io::{self, Write};

const HEADER: [&str; 12] = [
    "ACTOR",
    "KIND",
    "SESSIONS",
    "ACTION",
    "OUTCOME",
    "CALLS",
    "FIRST",
    "LAST",
    "REGIONS",
    "SOURCE IPS",
    "AGENTS",
    "RESOURCES",
];

pub fn render(summary: &Summary, quiet: bool, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<[String; 12]> = summary
        .findings()
        .map(|a| {
            let mut kind = a.actor.kind.clone();
            if a.actor.cross_account {
                kind.push_str(" (cross-account)");
            }
            [
                a.actor.id.clone(),
                kind,
                list_cell(a.sessions.iter()),
                a.action_name(),
                outcome_words(a).to_string(),
                a.count.to_string(),
                format_time(a.first),
                format_time(a.last),
                list_cell(a.regions.iter()),
                list_cell(a.source_ips.iter()),
                agents_cell(a),
                list_cell(a.resources.iter()),
            ]
        })
        .collect();
    if !rows.is_empty() {
        write_columns(&HEADER, &rows, out)?;
    }
    if !quiet {
        writeln!(out, "{}", summary_line(summary))?;
    }
    Ok(())
}
