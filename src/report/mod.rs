//! Reports: what a run found, and one module per output format. Renderers only read a
//! [`Report`]; every decision (what is a finding, its level, its location) is made before.

pub mod github;
pub mod human;
pub mod json;
pub mod paths;
pub mod query;
pub mod sarif;
pub mod table;
pub mod trail;
pub mod usage;

use crate::baseline::{Comparison, State};
use crate::config::FailOn;
pub use crate::graph::view::{AccessPath, AccessStep, short_arn};
use crate::rules::{Finding, invalid_policy};
use crate::source::{Location, Position, SourceFile};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    File,
    User,
    Role,
    /// Infrastructure code: a group, judged as a member holding only its policies.
    Group,
    /// Infrastructure code: a policy attached to nothing, checked as a file is.
    Policy,
    /// Outside the account: another account's principal, `*`, a SAML or OIDC provider
    /// that a trust policy lets in.
    External,
}

impl SubjectKind {
    /// The name every format prints (the JSON's `kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::File => "file",
            SubjectKind::User => "user",
            SubjectKind::Role => "role",
            SubjectKind::Group => "group",
            SubjectKind::Policy => "policy",
            SubjectKind::External => "external",
        }
    }
}

/// One checked subject with its monitored access, whether or not it has findings.
#[derive(Clone, Debug, Serialize)]
pub struct Subject {
    pub name: String,
    /// Infrastructure code: the template or module file that declares it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub kind: SubjectKind,
    pub privileged: bool,
    /// Monitored actions granted unscoped, canonical names, sorted.
    pub allowed: Vec<String>,
    /// Monitored actions granted only scoped.
    pub scoped: Vec<String>,
    /// Monitored actions it can cause directly or through paths (a superset of
    /// `allowed` ∪ `scoped`), sorted.
    pub reachable: Vec<String>,
    /// Account review: the shortest explanation of each action reached through a path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<AccessPath>>,
    /// Account review: for each granted action, the policies that grant it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<BTreeMap<String, Vec<String>>>,
    /// Account review, roles: the principals their trust policy names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_by: Option<Vec<String>>,
}

impl Subject {
    /// A subject with no access yet (what an unreadable file keeps).
    pub fn unchecked(name: String, kind: SubjectKind, privileged: bool) -> Self {
        Subject {
            name,
            file: None,
            kind,
            privileged,
            allowed: Vec::new(),
            scoped: Vec::new(),
            reachable: Vec::new(),
            paths: None,
            granted_by: None,
            trusted_by: None,
        }
    }
}

/// The answer to `iamlint account --who-can` / `--principal`.
#[derive(Clone, Debug, Serialize)]
pub struct QueryResult {
    pub question: String,
    pub answers: Vec<QueryAnswer>,
}

/// One principal that can cause one action, and how.
#[derive(Clone, Debug, Serialize)]
pub struct QueryAnswer {
    pub principal: String,
    pub kind: SubjectKind,
    pub privileged: bool,
    pub action: String,
    /// Held itself: `false` unscoped, `true` only scoped; absent when only a path reaches it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct: Option<bool>,
    pub granted_by: Vec<String>,
    /// The shortest path, when it does not hold the action unscoped itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<AccessPath>,
}

#[derive(Default)]
pub struct Report {
    /// Set when the run answered a question instead of linting.
    pub query: Option<QueryResult>,
    pub subjects: Vec<Subject>,
    /// Sorted by path, position, rule.
    pub findings: Vec<Finding>,
    /// Findings an `[[ignore]]` entry suppressed, with its reason.
    pub suppressed: Vec<(Finding, String)>,
    /// The texts findings point into, by path.
    pub sources: HashMap<String, Arc<SourceFile>>,
    /// `account --trail`: grants joined with CloudTrail use.
    pub usage: Option<usage::Usage>,
    /// Set by `--baseline`: which findings are new, which were fixed, the access diff.
    pub baseline: Option<Comparison>,
    /// `check`: the files Terraform modules read through `file()`, as the walk names
    /// them; judged inside their module, not again on their own.
    pub read_by_modules: Vec<String>,
}

impl Report {
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.location, a.rule.id, &a.message).cmp(&(&b.location, b.rule.id, &b.message))
        });
        self.subjects.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Lines and columns of a finding's location, from the text it points into. A path
    /// with no text (nothing read) is its first line.
    pub fn position(&self, at: &Location) -> Position {
        match self.sources.get(&at.path) {
            Some(source) => source.position(at.span),
            None => Position {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            },
        }
    }

    pub fn has_invalid_input(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.rule == &invalid_policy::RULE)
    }

    /// Whether a finding counts as new: always, unless the run compares with a baseline.
    pub fn is_new(&self, finding: &Finding) -> bool {
        self.baseline
            .as_ref()
            .is_none_or(|b| b.state(finding) == State::New)
    }

    /// 2 when any input was invalid, 1 when a (new, with `--baseline`) finding is at or
    /// above `fail_on`, else 0.
    pub fn exit_code(&self, fail_on: FailOn) -> u8 {
        if self.has_invalid_input() {
            2
        } else if self
            .findings
            .iter()
            .any(|f| fail_on.fails(f.level()) && self.is_new(f))
        {
            1
        } else {
            0
        }
    }
}
