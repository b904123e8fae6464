//! `--format human`: rustc/miette-style diagnostics with the source snippet and a label
//! on the exact span, then a one-line summary. Prints nothing when there is nothing to say.

use super::Report;
use crate::rules::{Finding, Level};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Severity,
};
use std::io::{self, Write};

#[derive(Clone, Copy)]
pub struct Options {
    pub color: bool,
    /// Diagnostics only, no summary line.
    pub quiet: bool,
}

pub fn render(report: &Report, options: &Options, out: &mut dyn Write) -> io::Result<()> {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(110)
        .with_links(false)
        // Never split `--max-file-size`, `ecs:DeleteTaskDefinitions` or an ARN at a hyphen.
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    for (i, finding) in report.findings.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let mut text = String::new();
        let source = report.sources.get(&finding.location.path);
        let rendered = diagnostic(finding, source.map(|s| s.text.as_str()));
        handler
            .render_report(&mut text, rendered.as_ref())
            .map_err(io::Error::other)?;
        out.write_all(text.as_bytes())?;
    }
    if !options.quiet && !report.findings.is_empty() {
        writeln!(out, "{}", summary(report))?;
    }
    Ok(())
}

fn diagnostic(finding: &Finding, text: Option<&str>) -> miette::Report {
    let location = &finding.location;
    let mut diagnostic = MietteDiagnostic::new(finding.message.clone())
        .with_code(finding.rule.id)
        .with_severity(match finding.level() {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
        });
    if let Some(help) = &finding.help {
        diagnostic = diagnostic.with_help(help.clone());
    }
    match text.filter(|t| !t.is_empty()) {
        Some(text) => {
            let span = location.span;
            let mut labels = vec![LabeledSpan::at(span.start..span.end, finding.label.clone())];
            // Other places in the same file (more statements of one path) get labels too.
            labels.extend(
                finding
                    .related
                    .iter()
                    .filter(|(at, _)| at.path == location.path && at.span != span)
                    .map(|(at, label)| LabeledSpan::at(at.span.start..at.span.end, label.clone())),
            );
            miette::Report::new(diagnostic.with_labels(labels))
                .with_source_code(NamedSource::new(&location.path, text.to_string()))
        }
        // Nothing to show (an unreadable file): name the path in the message instead.
        None => miette::Report::new(MietteDiagnostic {
            message: format!("{}: {}", location.path, finding.message),
            ..diagnostic
        }),
    }
}

/// `iamlint: 2 errors and 1 warning in 7 subjects checked`.
fn summary(report: &Report) -> String {
    let plural = |n: usize, word: &str| match n {
        1 => format!("1 {word}"),
        n => format!("{n} {word}s"),
    };
    let mut line = format!(
        "iamlint: {} in {} checked",
        counts(report),
        plural(report.subjects.len(), "subject"),
    );
    if !report.suppressed.is_empty() {
        line.push_str(&format!(" ({} suppressed)", report.suppressed.len()));
    }
    line
}

/// `2 errors and 1 warning`.
pub fn counts(report: &Report) -> String {
    let count = |level| {
        report
            .findings
            .iter()
            .filter(|f| f.level() == level)
            .count()
    };
    let plural = |n: usize, word: &str| match n {
        1 => format!("1 {word}"),
        n => format!("{n} {word}s"),
    };
    format!(
        "{} and {}",
        plural(count(Level::Error), "error"),
        plural(count(Level::Warning), "warning")
    )
}
