//! `iamlint account` in human format: one row per non-privileged principal that can make
//! monitored changes, then the other diagnostics, then a summary line.

use super::human::{self, Options};
use super::{Report, SubjectKind};
use crate::rules::{ecs_config_change, ecs_config_change_indirect};
use std::io::{self, Write};

/// At most this many actions are named in a cell; the JSON report has them all.
const ACTIONS_SHOWN: usize = 4;

fn actions_cell(actions: &[String]) -> String {
    match actions.len() {
        0 => "-".into(),
        n if n <= ACTIONS_SHOWN => actions.join(", "),
        n => format!(
            "{} (+{} more)",
            actions[..ACTIONS_SHOWN].join(", "),
            n - ACTIONS_SHOWN
        ),
    }
}

/// Rows under a header, each column as wide as its widest cell, the last one unpadded.
pub fn write_columns<const N: usize>(
    header: &[&str; N],
    rows: &[[String; N]],
    out: &mut dyn Write,
) -> io::Result<()> {
    let header = header.map(String::from);
    let widths: Vec<usize> = (0..N - 1)
        .map(|i| {
            rows.iter()
                .chain([&header])
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(rows) {
        for (cell, width) in row.iter().zip(&widths) {
            write!(out, "{cell:width$}  ")?;
        }
        writeln!(out, "{}", row[N - 1])?;
    }
    Ok(())
}

pub fn render(report: &Report, options: &Options, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<[String; 6]> = report
        .subjects
        .iter()
        .filter(|s| !s.privileged && !s.reachable.is_empty())
        .map(|s| {
            let mut policies: Vec<&str> = s
                .granted_by
                .iter()
                .flat_map(|m| m.values().flatten().map(String::as_str))
                .collect();
            policies.sort_unstable();
            policies.dedup();
            let kind = s.kind.as_str();
            let via = match s.paths.as_deref() {
                None | Some([]) => "-".to_string(),
                Some([only]) => only.compact(),
                Some([first, rest @ ..]) => {
                    format!("{} (+{} more paths)", first.compact(), rest.len())
                }
            };
            [
                kind.into(),
                s.name.clone(),
                actions_cell(&s.allowed),
                actions_cell(&s.scoped),
                via,
                if policies.is_empty() {
                    "-".to_string()
                } else {
                    policies.join(", ")
                },
            ]
        })
        .collect();
    if !rows.is_empty() {
        let header = [
            "KIND",
            "PRINCIPAL",
            "UNSCOPED",
            "SCOPED ONLY",
            "VIA",
            "GRANTED BY",
        ];
        write_columns(&header, &rows, out)?;
    }
    // Unknown actions and invalid inputs still deserve their located diagnostics.
    let others = Report {
        findings: report
            .findings
            .iter()
            .filter(|f| {
                ![
                    &ecs_config_change::UNSCOPED,
                    &ecs_config_change::SCOPED,
                    &ecs_config_change_indirect::UNSCOPED,
                    &ecs_config_change_indirect::SCOPED,
                ]
                .contains(&f.rule)
            })
            .cloned()
            .collect(),
        sources: report.sources.clone(),
        ..Report::default()
    };
    if !rows.is_empty() && !others.findings.is_empty() {
        writeln!(out)?;
    }
    human::render(
        &others,
        &Options {
            quiet: true,
            ..*options
        },
        out,
    )?;
    if let Some(comparison) = &report.baseline {
        let separate = !rows.is_empty() || !others.findings.is_empty();
        return human::baseline_footer(report, comparison, options.quiet, separate, out);
    }
    if !options.quiet && !report.findings.is_empty() {
        let principals = report
            .subjects
            .iter()
            .filter(|s| s.kind != SubjectKind::File)
            .count();
        let privileged = report.subjects.iter().filter(|s| s.privileged).count();
        writeln!(
            out,
            "iamlint: {} of {principals} principals can make monitored ECS changes ({privileged} privileged not counted): {}",
            rows.len(),
            human::counts(report)
        )?;
    }
    Ok(())
}
