//! `stale-ignore`: an `[[ignore]]` entry of the config that suppressed nothing, so that
//! suppressions do not outlive the findings they were written for (cargo-deny reports
//! unused skips the same way).

use super::{Finding, Level, Rule};
use crate::document::Span;
use crate::source::SourceFile;

pub const RULE: Rule = Rule {
    id: "stale-ignore",
    name: "StaleIgnore",
    level: Level::Warning,
    summary: "An [[ignore]] entry of the config matches no finding",
    explanation: "\
## stale-ignore (warning)

**What it means.** An `[[ignore]]` entry of `iamlint.toml` suppressed no finding in this
run: its `path` glob (with its `rule`, when given) matched none. It is reported when the
entry matches a checked file that has no such finding any more, or when the run walked
folders only (a run on single files, such as a pre-commit hook's, cannot tell whether an
entry for another file is stale).

**Why it matters.** A suppression written for a finding that was fixed stays behind and
silently hides the next finding on that file, without anyone reviewing it again.

**How to fix.** Delete the entry, or correct its `path` or `rule` if it was meant to
match something.
",
    security_severity: "1.0",
};

/// The `[[ignore]]` entry whose `path` value stands at `span` of the config file.
pub fn check(config: &SourceFile, span: Span, glob: &str, rule: Option<&str>) -> Finding {
    let what = match rule {
        Some(rule) => format!("`{rule}` findings on `{glob}`"),
        None => format!("findings on `{glob}`"),
    };
    Finding {
        rule: &RULE,
        subject: config.path.clone(),
        message: format!("this [[ignore]] entry for {what} matches no finding"),
        actions: Vec::new(),
        location: config.locate(span),
        label: "matches no finding".to_string(),
        help: Some("remove the entry, or fix its path or rule".to_string()),
        related: Vec::new(),
    }
}
