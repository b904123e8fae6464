//! `invalid-policy`: a document iamlint (and IAM) cannot accept, or an input that could
//! not be read. Never skipped silently: it fails the run with exit code 2.

use super::{Finding, Level, Rule};
use crate::document::{PolicyError, Span};
use crate::source::SourceFile;

pub const RULE: Rule = Rule {
    id: "invalid-policy",
    name: "InvalidPolicy",
    level: Level::Error,
    summary: "A policy document is malformed or violates the IAM policy grammar",
    explanation: "\
## invalid-policy (error, exit code 2)

**What it means.** The input is not a policy document iamlint can evaluate: malformed
JSON (trailing commas, comments, invalid UTF-8, an empty file), duplicate keys at any
depth, a missing `Statement`, an `Effect` other than exactly `Allow` or `Deny`, both
`Action` and `NotAction` (or `Resource` and `NotResource`) in one statement or neither,
a value of the wrong type, an unknown `Version` or policy element; or a file that could
not be read at all.

**Why it matters.** IAM would reject the document, or parse it differently from what you
read: with duplicate keys, for instance, only one value counts. A linter that skipped such
files would report a clean result it never checked.

**How to fix.** Correct the document at the location shown. Files that are not IAM
policies can be left out with `exclude = [\"…\"]` in `iamlint.toml`.
",
    security_severity: "5.0",
};

pub fn from_policy_error(subject: &str, source: &SourceFile, error: &PolicyError) -> Finding {
    located(subject, source, &error.message, &error.label, error.span)
}

/// An input that could not be read (missing, unreadable, too large, not a file).
pub fn unreadable(subject: &str, source: &SourceFile, reason: &str) -> Finding {
    located(
        subject,
        source,
        reason,
        "cannot read this input",
        Span::default(),
    )
}

/// An invalid input with its own message and label, located at `span` of `source`.
pub fn located(
    subject: &str,
    source: &SourceFile,
    message: &str,
    label: &str,
    span: Span,
) -> Finding {
    super::document_finding(&RULE, subject, source, message, label, span)
}
