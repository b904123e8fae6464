//! `iamlint trail --format github`: one `::error` workflow command per finding (no file:
//! a log is not in the repository), one per unreadable file, and a Markdown table in the
//! job summary when `GITHUB_STEP_SUMMARY` names a file.

use super::{agents_cell, list_cell, outcome_words, sentence, summary_line};
use crate::report::github::{cell, escape_data, escape_property};
use crate::source::trail::format_time;
use crate::trail::Summary;
use std::io::{self, Write};

pub fn render(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    for activity in summary.findings() {
        writeln!(
            out,
            "::error title={}::{}",
            escape_property("iamlint trail"),
            escape_data(&sentence(activity))
        )?;
    }
    for error in &summary.errors {
        let mut place = format!("file={}", escape_property(&error.path));
        if error.line > 0 {
            place.push_str(&format!(",line={},col={}", error.line, error.column));
        }
        writeln!(
            out,
            "::error {place},title={}::{}",
            escape_property("iamlint trail: unreadable log"),
            escape_data(&error.message)
        )?;
    }
    Ok(())
}

/// The job summary: a table of the findings and the summary line.
pub fn step_summary(summary: &Summary) -> String {
    let mut text = String::from("## iamlint trail\n\n");
    if summary.findings().next().is_some() {
        text.push_str(
            "| Actor | Sessions | Action | Outcome | Calls | First | Last | Agents | Resources |\n\
             | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        );
        for a in summary.findings() {
            text.push_str(&format!(
                "| {} | {} | `{}` | {} | {} | {} | {} | {} | {} |\n",
                cell(&a.actor.id),
                cell(&list_cell(a.sessions.iter())),
                a.action_name(),
                outcome_words(a),
                a.count,
                format_time(a.first),
                format_time(a.last),
                cell(&agents_cell(a)),
                cell(&list_cell(a.resources.iter())),
            ));
        }
        text.push('\n');
    }
    let line = summary_line(summary);
    text.push_str(line.strip_prefix("iamlint: ").unwrap_or(&line));
    text.push_str(".\n");
    text
}
