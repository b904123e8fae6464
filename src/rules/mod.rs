//! Rules: each module declares its rule(s) with the text `iamlint explain` shows and a
//! check that turns evaluated documents into [`Finding`]s. Rules decide; reports render.

pub mod ecs_config_change;
pub mod ecs_config_change_indirect;
pub mod invalid_policy;
pub mod privilege_escalation;
pub mod stale_ignore;
pub mod unknown_action;
pub mod unresolved;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Kebab-case id used on the command line, in config and in every output.
    pub id: &'static str,
    /// PascalCase name (SARIF `rules[].name`).
    pub name: &'static str,
    pub level: Level,
    /// One line, no final period.
    pub summary: &'static str,
    /// Markdown: what it means, why it matters, how to fix.
    pub explanation: &'static str,
    /// CVSS-like score GitHub code scanning uses to rank alerts.
    pub security_severity: &'static str,
}

pub const RULES: &[&Rule] = &[
    &ecs_config_change::UNSCOPED,
    &ecs_config_change::SCOPED,
    &ecs_config_change_indirect::UNSCOPED,
    &ecs_config_change_indirect::SCOPED,
    &privilege_escalation::UNSCOPED,
    &privilege_escalation::SCOPED,
    &unknown_action::RULE,
    &unresolved::RULE,
    &invalid_policy::RULE,
    &stale_ignore::RULE,
];

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

pub use crate::source::Location;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    /// The file path or principal ARN the finding is about.
    pub subject: String,
    pub message: String,
    /// Canonical catalog names, sorted; empty for rules about documents.
    pub actions: Vec<String>,
    pub location: Location,
    /// Short text shown under the located span.
    pub label: String,
    /// Extra guidance (a suggested spelling, a fix).
    pub help: Option<String>,
    /// Other places that make the finding (each step of a path), with a label.
    pub related: Vec<(Location, String)>,
}

impl Finding {
    pub fn level(&self) -> Level {
        self.rule.level
    }
}

/// A finding about a document rather than about access (invalid, unresolved), located at
/// `span` of `source`.
pub fn document_finding(
    rule: &'static Rule,
    subject: &str,
    source: &crate::source::SourceFile,
    message: &str,
    label: &str,
    span: crate::document::Span,
) -> Finding {
    Finding {
        rule,
        subject: subject.to_string(),
        message: message.to_string(),
        actions: Vec::new(),
        location: source.locate(span),
        label: label.to_string(),
        help: None,
        related: Vec::new(),
    }
}
