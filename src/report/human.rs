//! `--format human`: rustc/miette-style diagnostics with the source snippet and a label
//! on the exact span, then a one-line summary. Prints nothing when there is nothing to say.

use super::Report;
use crate::baseline::{Comparison, Route};
use crate::document::Span;
use crate::report::short_arn;
use crate::rules::{Finding, Level};
use crate::source::SourceFile;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, NamedSource, Severity, SourceCode, SourceSpan, SpanContents,
};
use std::io::{self, Write};
use std::sync::Arc;

/// A file as miette reads it, but only the lines around each span: miette finds lines by
/// scanning from the start of its text, once per label, which made large files with many
/// findings slow (the human format cost twice the JSON one on AWS's managed policies).
/// miette reads the window as it would the whole text; its line numbers, and its count
/// of the lines it scanned (which decides whether two labels share a snippet), are
/// shifted by the lines before the window. Windows are cut where iamlint's line index
/// breaks lines (`\n`); a text with a lone `\r`, which miette also counts as a break, is
/// handed over whole.
struct Snippet {
    file: Arc<SourceFile>,
    /// Set when the text has a lone `\r`: miette then reads the whole text.
    whole: bool,
}

impl Snippet {
    fn new(file: Arc<SourceFile>) -> Self {
        let whole = has_lone_cr(&file.text);
        Snippet { file, whole }
    }
}

impl std::fmt::Debug for Snippet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Snippet").field(&self.file.path).finish()
    }
}

/// Whether a `\r` stands alone (not before `\n`) anywhere in `text`.
fn has_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.contains('\r')
        && bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.file.text.as_str();
        if self.whole || span.offset() + span.len() > text.len() {
            return text.read_span(span, before, after);
        }
        let at = Span {
            start: span.offset(),
            end: span.offset() + span.len(),
        };
        // One line more on each side than asked, so that miette stops where it would.
        let (from, window, first_line) = self.file.lines_around(at, before + 1, after + 1);
        let shifted = SourceSpan::new((span.offset() - from).into(), span.len());
        let inner = window.read_span(&shifted, before, after)?;
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first_line,
            inner.column(),
            inner.line_count() + first_line,
        )))
    }
}

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
    let shown = report.findings.iter().filter(|f| report.is_new(f));
    for (i, finding) in shown.enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let mut text = String::new();
        let source = report.sources.get(&finding.location.path);
        let rendered = diagnostic(finding, source);
        handler
            .render_report(&mut text, rendered.as_ref())
            .map_err(io::Error::other)?;
        out.write_all(text.as_bytes())?;
    }
    if let Some(comparison) = &report.baseline {
        let separate = report.findings.iter().any(|f| report.is_new(f));
        baseline_footer(report, comparison, options.quiet, separate, out)?;
    } else if !options.quiet && !report.findings.is_empty() {
        writeln!(out, "{}", summary(report))?;
    }
    Ok(())
}

/// `--baseline`: the access diff (after a blank line when `separate`), then the summary.
pub(super) fn baseline_footer(
    report: &Report,
    comparison: &Comparison,
    quiet: bool,
    separate: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    if comparison.access_differs() {
        if separate {
            writeln!(out)?;
        }
        out.write_all(access_table(comparison).as_bytes())?;
    }
    let anything =
        !report.findings.is_empty() || !comparison.fixed.is_empty() || comparison.access_differs();
    if !quiet && anything {
        writeln!(out, "{}", baseline_summary(report, comparison))?;
    }
    Ok(())
}

/// The access diff: one row per subject and action, `+` wider, `-` narrower; then one
/// row per path only one side reports, `+` the head's, `-` the base's.
fn access_table(comparison: &Comparison) -> String {
    let mut text = format!("access diff against {}:\n", comparison.against);
    if !comparison.access.is_empty() {
        let rows = comparison.access.iter().map(|change| {
            [
                change.sign().to_string(),
                change.subject.clone(),
                change.action.clone(),
                change.base.as_str().to_string(),
                change.head.as_str().to_string(),
            ]
        });
        columns(["", "SUBJECT", "ACTION", "BASE", "HEAD"], rows, &mut text);
    }
    if !comparison.paths.is_empty() {
        if !comparison.access.is_empty() {
            text.push('\n');
        }
        let rows = comparison.paths.iter().map(|change| {
            [
                change.sign().to_string(),
                change.subject.clone(),
                route_text(&change.route),
            ]
        });
        columns(["", "SUBJECT", "PATH"], rows, &mut text);
    }
    text
}

/// `assume role/ci-runner → lambda-001 → role/deploy → ecs:UpdateService (scoped)`: every
/// step and every action (a diff row must tell two routes apart).
pub(super) fn route_text(route: &Route) -> String {
    let mut parts: Vec<String> = route
        .steps
        .iter()
        .map(|step| {
            let to = short_arn(&step.to);
            match step.kind.as_str() {
                "assume-role" => format!("assume {to}"),
                _ => format!("{} → {to}", step.id),
            }
        })
        .collect();
    parts.push(route.actions.join(", "));
    let scoped = if route.scoped { " (scoped)" } else { "" };
    format!("{}{scoped}", parts.join(" → "))
}

/// Rows under a header, `-`/`+` first, each column as wide as its widest cell.
fn columns<const N: usize>(
    header: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
    text: &mut String,
) {
    let rows: Vec<[String; N]> = std::iter::once(header.map(String::from))
        .chain(rows)
        .collect();
    let width = |column: usize| {
        rows.iter()
            .map(|r| r[column].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..N).map(|c| if c == 0 { 1 } else { width(c) }).collect();
    for row in &rows {
        let mut line = String::new();
        for (column, cell) in row.iter().enumerate() {
            if column + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = widths[column] - cell.chars().count();
                let gap = if column == 0 { " " } else { "  " };
                line.push_str(&format!("{cell}{}{gap}", " ".repeat(pad)));
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
}

/// `iamlint: 1 new error and 0 new warnings in 7 subjects checked against main (3
/// unchanged, 1 fixed)`.
fn baseline_summary(report: &Report, comparison: &Comparison) -> String {
    let new = |level| {
        report
            .findings
            .iter()
            .filter(|f| f.level() == level && report.is_new(f))
            .count()
    };
    let new_count = new(Level::Error) + new(Level::Warning);
    let mut line = format!(
        "iamlint: {} and {} in {} checked against {} ({} unchanged, {} fixed",
        plural(new(Level::Error), "new error"),
        plural(new(Level::Warning), "new warning"),
        plural(report.subjects.len(), "subject"),
        comparison.against,
        report.findings.len() - new_count,
        comparison.fixed.len(),
    );
    if !report.suppressed.is_empty() {
        line.push_str(&format!(", {} suppressed", report.suppressed.len()));
    }
    line.push(')');
    line
}

fn plural(n: usize, word: &str) -> String {
    match n {
        1 => format!("1 {word}"),
        n => format!("{n} {word}s"),
    }
}

fn diagnostic(finding: &Finding, source: Option<&Arc<SourceFile>>) -> miette::Report {
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
    // A snippet shows whole lines: a span on a very long line (a minified dump is one
    // line of megabytes) would print that line for every finding, and miette cannot
    // underline past column 65,535. Such places are named by line and column instead.
    let shown = |at: Span| {
        source.is_some_and(|s| {
            !s.text.is_empty() && s.lines_around(at, 0, 0).1.len() <= LONGEST_SHOWN_LINE
        })
    };
    match source {
        Some(source) if shown(location.span) => {
            let span = location.span;
            let mut labels = vec![LabeledSpan::at(span.start..span.end, finding.label.clone())];
            // Other places in the same file (more statements of one path) get labels too.
            labels.extend(
                finding
                    .related
                    .iter()
                    .filter(|(at, _)| at.path == location.path && at.span != span && shown(at.span))
                    .map(|(at, label)| LabeledSpan::at(at.span.start..at.span.end, label.clone())),
            );
            miette::Report::new(diagnostic.with_labels(labels)).with_source_code(NamedSource::new(
                &location.path,
                Snippet::new(source.clone()),
            ))
        }
        Some(source) if !source.text.is_empty() => {
            let at = source.position(location.span);
            miette::Report::new(MietteDiagnostic {
                message: format!(
                    "{}:{}:{}: {}",
                    location.path, at.line, at.column, finding.message
                ),
                ..diagnostic
            })
        }
        // Nothing to show (an unreadable file): name the path in the message instead.
        _ => miette::Report::new(MietteDiagnostic {
            message: format!("{}: {}", location.path, finding.message),
            ..diagnostic
        }),
    }
}

/// Lines longer than this (in bytes) are not shown in snippets.
const LONGEST_SHOWN_LINE: usize = 2_000;

/// `iamlint: 2 errors and 1 warning in 7 subjects checked`.
fn summary(report: &Report) -> String {
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
    format!(
        "{} and {}",
        plural(count(Level::Error), "error"),
        plural(count(Level::Warning), "warning")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What miette learns from a read: the text, where it is, and its line numbers.
    fn read(source: &dyn SourceCode, span: SourceSpan, before: usize, after: usize) -> String {
        match source.read_span(&span, before, after) {
            Ok(c) => format!(
                "{:?} {:?} line {} column {} lines {}",
                std::str::from_utf8(c.data()).unwrap(),
                c.span(),
                c.line(),
                c.column(),
                c.line_count()
            ),
            Err(e) => format!("error {e}"),
        }
    }

    #[test]
    fn snippets_read_as_the_whole_text_does() {
        let texts = [
            "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",\n     \"Action\": \"ecs:*\"}\n  ]\n}\n",
            "one\r\ntwo\r\n\r\nthree \u{e9}\r\nfour\r\nfive",
            "a single long line with no break at all",
            "x\n\n\n\ny\n\nz",
            "lone\rcarriage\rreturns\n",
        ];
        for text in texts {
            let snippet = Snippet::new(Arc::new(SourceFile::new("p.json", text)));
            let boundaries: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            for &start in &boundaries {
                for &end in boundaries.iter().filter(|&&e| e >= start) {
                    for (before, after) in [(0, 0), (1, 1), (2, 3), (3, 2)] {
                        let span = SourceSpan::new(start.into(), end - start);
                        assert_eq!(
                            read(&snippet, span, before, after),
                            read(&text, span, before, after),
                            "{text:?} {start}..{end} context {before}/{after}"
                        );
                    }
                }
            }
        }
    }
}
