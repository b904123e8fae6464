//! `iamlint account --trail`: grants joined with CloudTrail use. The join is computed by
//! the command (`src/commands/usage.rs`); this module holds its result and renders it
//! (human lines after the table; a `usage` key of the JSON report).

use serde::Serialize;
use std::io::{self, Write};

/// What the trail says about the reviewed principals.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Usage {
    /// The window the logs were read for: `--since`/`--until`, else the first and last
    /// monitored call; `null` when there was none.
    pub since: Option<String>,
    pub until: Option<String>,
    /// Whole days in the window, at least 1.
    pub days: u64,
    pub files: usize,
    pub records: u64,
    /// Per non-privileged user and role of the dump that can cause monitored actions.
    pub principals: Vec<PrincipalUsage>,
    /// Monitored calls made by principals the review says cannot make them.
    pub unexpected: Vec<Unexpected>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PrincipalUsage {
    pub principal: String,
    /// Monitored actions it can cause (its `reachable`), and which of them it called
    /// (made, or failed after authorization) in the window, and which it never did.
    pub holds: Vec<String>,
    pub used: Vec<String>,
    pub unused: Vec<String>,
}

/// Why the review and the trail disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Disagreement {
    /// In the dump, but the review finds no way for it to cause the action.
    MissedAccess,
    /// Of the dump's account, but not in the dump.
    StaleDump,
    /// Another account's principal that no trust policy of the dump lets in.
    OtherAccount,
    /// The account's root user, which no dump holds.
    Root,
    /// Not an IAM user or role (an identity provider, an Identity Center user …).
    NotInIam,
}

impl Disagreement {
    pub fn explain(self) -> &'static str {
        match self {
            Disagreement::MissedAccess => {
                "the review says it cannot: access the model missed (a grant iamlint does not evaluate, such as a resource or session policy) or permissions granted after the dump"
            }
            Disagreement::StaleDump => {
                "not in the dump although of its account: a stale dump (the principal was created after it) or an incomplete one"
            }
            Disagreement::OtherAccount => {
                "another account's principal that no trust policy of the dump lets in: a stale dump, or access the model missed"
            }
            Disagreement::Root => "the root user, which no dump holds: it can make every change",
            Disagreement::NotInIam => "not an IAM user or role of the dump",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Unexpected {
    pub principal: String,
    pub action: String,
    pub outcome: &'static str,
    pub calls: u64,
    pub first: String,
    pub last: String,
    pub reason: Disagreement,
    pub explanation: &'static str,
}

/// Action names without the `ecs:` prefix, for the suggestion line.
fn short(actions: &[String]) -> String {
    actions
        .iter()
        .map(|a| a.strip_prefix("ecs:").unwrap_or(a))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per principal and per disagreement, after the account table.
pub fn render_human(usage: &Usage, out: &mut dyn Write) -> io::Result<()> {
    let window = match (&usage.since, &usage.until) {
        (Some(since), Some(until)) => format!("{since} to {until}"),
        _ => "no monitored call".to_string(),
    };
    writeln!(
        out,
        "CloudTrail use ({window}, {} files, {} records):",
        usage.files, usage.records
    )?;
    let days = match usage.days {
        1 => "1 day".to_string(),
        n => format!("{n} days"),
    };
    for p in &usage.principals {
        let name = crate::report::short_arn(&p.principal);
        let mut line = format!(
            "  {name} holds {} monitored action{}, used {} in {days}",
            p.holds.len(),
            if p.holds.len() == 1 { "" } else { "s" },
            p.used.len()
        );
        if !p.used.is_empty() {
            line.push_str(&format!(": {}", short(&p.used)));
        }
        if !p.unused.is_empty() {
            line.push_str(&format!("; never used: {}", short(&p.unused)));
        }
        writeln!(out, "{line}")?;
    }
    for u in &usage.unexpected {
        writeln!(
            out,
            "  unexpected: {} {} {} ({} call{}, {} to {}): {}",
            u.principal,
            u.outcome,
            u.action,
            u.calls,
            if u.calls == 1 { "" } else { "s" },
            u.first,
            u.last,
            u.explanation
        )?;
    }
    Ok(())
}
