//! `--format github`: one workflow command per finding, so GitHub Actions shows each as an
//! annotation on the pull request; plus a Markdown table in the job summary when
//! `GITHUB_STEP_SUMMARY` names a file.

use super::Report;
use super::human::route_text;
use super::paths::RepoPaths;
use crate::baseline::Comparison;
use crate::rules::{Finding, Level, unknown_action};
use std::io::{self, Write};

/// Escaping of a command's message, as GitHub's runner unescapes it.
pub(super) fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a property value (`file=…`, `title=…`): also `:` and `,`.
pub(super) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(finding: &Finding, report: &Report, paths: &RepoPaths) -> String {
    let at = &finding.location;
    let position = report.position(at);
    let kind = match finding.level() {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    let file = paths.relative(&at.path).unwrap_or_else(|| at.path.clone());
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str(&format!("\n{help}"));
    }
    format!(
        "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(&file),
        position.line,
        position.column,
        position.end_line,
        position.end_column,
        escape_property(&format!("iamlint {}", finding.rule.id)),
        escape_data(&message),
    )
}

/// One annotation per finding (per new finding, with `--baseline`).
pub fn render(report: &Report, paths: &RepoPaths, out: &mut dyn Write) -> io::Result<()> {
    for finding in report.findings.iter().filter(|f| report.is_new(f)) {
        writeln!(out, "{}", command(finding, report, paths))?;
    }
    Ok(())
}

/// The job summary: one row per finding, or a line saying there are none. With
/// `--baseline`: the access diff first (what reviewers read), then the new findings.
pub fn step_summary(report: &Report) -> String {
    let mut text = String::from("## iamlint\n\n");
    if let Some(comparison) = &report.baseline {
        return baseline_summary(report, comparison, text);
    }
    if report.findings.is_empty() {
        let subjects = match report.subjects.len() {
            1 => "1 checked subject".to_string(),
            n => format!("{n} checked subjects"),
        };
        text.push_str(&format!("No findings in {subjects}.\n"));
        return text;
    }
    findings_table(report.findings.iter(), &mut text);
    text
}

fn baseline_summary(report: &Report, comparison: &Comparison, mut text: String) -> String {
    let new: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| report.is_new(f))
        .collect();
    text.push_str(&format!(
        "Compared with {}: {} new, {} unchanged, {} fixed.\n\n",
        code_span(&comparison.against),
        new.len(),
        report.findings.len() - new.len(),
        comparison.fixed.len()
    ));
    text.push_str("### Access diff\n\n");
    if !comparison.access_differs() {
        text.push_str("No monitored access added or removed.\n");
    } else if comparison.access.is_empty() {
        text.push_str("No monitored action is held differently; the paths to them changed:\n\n");
    }
    let access = comparison.access.iter().map(|change| {
        vec![
            change.sign().to_string(),
            cell(&change.subject),
            code_span(&change.action),
            change.base.as_str().to_string(),
            change.head.as_str().to_string(),
        ]
    });
    table(
        &["", "Subject", "Action", "Base", "Head"],
        access,
        &mut text,
    );
    if !comparison.access.is_empty() && !comparison.paths.is_empty() {
        text.push('\n');
    }
    let paths = comparison.paths.iter().map(|change| {
        vec![
            change.sign().to_string(),
            cell(&change.subject),
            cell(&route_text(&change.route)),
        ]
    });
    table(&["", "Subject", "Path"], paths, &mut text);
    if !new.is_empty() {
        text.push_str("\n### New findings\n\n");
        findings_table(new.into_iter(), &mut text);
    }
    text
}

/// A Markdown table of `rows` (cells already escaped); nothing when there are none.
fn table(header: &[&str], rows: impl Iterator<Item = Vec<String>>, text: &mut String) {
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return;
    }
    // `| | Subject |`: an empty cell is one space, as the sign column's header.
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let cells: Vec<String> = cells
            .map(|c| {
                if c.is_empty() {
                    " ".into()
                } else {
                    format!(" {c} ")
                }
            })
            .collect();
        format!("|{}|\n", cells.join("|"))
    };
    text.push_str(&line(&mut header.iter().copied()));
    text.push_str(&line(&mut header.iter().map(|_| "---")));
    for row in rows {
        text.push_str(&line(&mut row.iter().map(String::as_str)));
    }
}

fn findings_table<'a>(findings: impl Iterator<Item = &'a Finding>, text: &mut String) {
    text.push_str("| Subject | Rule | Level | Actions |\n| --- | --- | --- | --- |\n");
    for finding in findings {
        let actions = if !finding.actions.is_empty() {
            finding.actions.join(", ")
        } else if let Some(pattern) = unknown_pattern(finding) {
            code_span(pattern)
        } else {
            finding.message.clone()
        };
        text.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            cell(&finding.subject),
            finding.rule.id,
            finding.level().as_str(),
            cell(&actions)
        ));
    }
}

/// The offending pattern of an `unknown-action` finding, read back from its message
/// ("`ecs:UpdateServices` matches no ECS action").
fn unknown_pattern(finding: &Finding) -> Option<&str> {
    if finding.rule != &unknown_action::RULE {
        return None;
    }
    finding
        .message
        .strip_prefix('`')?
        .strip_suffix("` matches no ECS action")
}

/// Markdown inline code for any text: the fence is longer than any run of backticks in it.
fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A Markdown table cell: no pipes or line breaks.
pub(super) fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    }

    #[test]
    fn code_spans_hold_any_backticks() {
        assert_eq!(code_span("ecs:Foo"), "`ecs:Foo`");
        assert_eq!(code_span("ecs:a`b"), "``ecs:a`b``");
        assert_eq!(code_span("`ecs:x"), "`` `ecs:x ``");
    }

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
