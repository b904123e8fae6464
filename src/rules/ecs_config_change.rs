//! `ecs-config-change` and `ecs-config-change-scoped`: one check, two strengths. A subject
//! that is not privileged can perform monitored ECS actions; unscoped grants are errors,
//! grants limited by a condition or resource list are warnings.

use super::{Finding, Level, Rule};
use crate::catalog::ActionSet;
use crate::eval::{DocumentGrants, Grants};
use crate::source::SourceFile;

pub const UNSCOPED: Rule = Rule {
    id: "ecs-config-change",
    name: "EcsConfigChange",
    level: Level::Error,
    summary: "A non-privileged principal can change ECS configuration on any resource, unconditionally",
    explanation: "\
## ecs-config-change (error)

**What it means.** A subject that is not on the privileged list is allowed one or more of
the monitored ECS configuration changes (by default the `ecs-config` pack: creating,
updating and deleting clusters, services, task sets, capacity providers, task definitions,
container instances, attributes and account settings) with `Resource: \"*\"` and no
`Condition`.

**Why it matters.** Whoever can register a task definition or update a service can run
any container image with any task role in your clusters: it is code execution with that
role's permissions, and a way to take production down. These rights belong to the few
principals that deploy, not to every developer or workload role.

**How to fix.**
- Remove the actions, or replace broad patterns (`ecs:*`, `ecs:Update*`, `NotAction`)
  with the read-only actions the principal needs (`ecs:Describe*`, `ecs:List*`).
- If the principal really deploys, scope it: name the clusters and services in
  `Resource` and add a `Condition` (e.g. `ecs:cluster`), which turns this error into the
  weaker `ecs-config-change-scoped` warning.
- If it is meant to have these rights, mark it privileged: `--privileged GLOB` or
  `privileged = [\"…\"]` in `iamlint.toml`.
",
    security_severity: "8.0",
};

pub const SCOPED: Rule = Rule {
    id: "ecs-config-change-scoped",
    name: "EcsConfigChangeScoped",
    level: Level::Warning,
    summary: "A non-privileged principal can change ECS configuration, limited by conditions or resources",
    explanation: "\
## ecs-config-change-scoped (warning)

**What it means.** A subject that is not privileged is allowed monitored ECS configuration
changes, but only through statements that carry a non-empty `Condition`, list resources
without `*`, or use `NotResource`. iamlint cannot tell whether those limits are tight
enough, so it reports them for a human to read.

**Why it matters.** A condition or resource list can still cover production (a
`arn:aws:ecs:*:*:*` resource, a tag condition anyone can satisfy). `NotResource` in an
Allow grants everything except what it names.

**How to fix.** Read the statement the finding points at. If the limits are right, mark
the subject privileged or suppress the finding with an `[[ignore]]` entry and a reason; if
not, tighten `Resource` to named clusters and services and condition on `ecs:cluster`.
",
    security_severity: "5.0",
};

/// A document that grants the subject something, with the source its spans point into.
pub struct GrantingDocument<'a> {
    /// How reports name the policy (a file path, a managed policy ARN, `inline:NAME`).
    pub label: &'a str,
    pub source: &'a SourceFile,
    pub grants: &'a DocumentGrants,
}

/// Findings for one non-privileged subject whose effective, monitored access is
/// `access`: one finding per rule and granting statement, listing what that statement
/// contributes.
pub fn check(subject: &str, access: Grants, documents: &[GrantingDocument]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (rule, actions) in [(&UNSCOPED, access.unscoped), (&SCOPED, access.scoped)] {
        if actions.is_empty() {
            continue;
        }
        for document in documents {
            for statement in &document.grants.statements {
                // An unscoped effective grant needs an unscoped statement; a scoped-only
                // one may come from any statement (e.g. cut by a scoped boundary).
                if rule == &UNSCOPED && statement.scoped {
                    continue;
                }
                let granted = statement.actions.intersect(actions);
                if granted.is_empty() {
                    continue;
                }
                findings.push(finding(rule, subject, granted, document, statement));
            }
        }
    }
    findings
}

fn finding(
    rule: &'static Rule,
    subject: &str,
    granted: ActionSet,
    document: &GrantingDocument,
    statement: &crate::eval::StatementGrant,
) -> Finding {
    let source = document.source;
    let names = granted.names();
    let count = match names.len() {
        1 => "a monitored ECS configuration change".to_string(),
        n => format!("{n} monitored ECS configuration changes"),
    };
    let (message, label) = if rule == &UNSCOPED {
        (
            format!("{subject} can make {count}: {}", names.join(", ")),
            "allowed on every resource, unconditionally".to_string(),
        )
    } else {
        (
            format!("{subject} can make {count}, scoped: {}", names.join(", ")),
            "allowed with a condition or on listed resources".to_string(),
        )
    };
    Finding {
        rule,
        subject: subject.to_string(),
        related: Vec::new(),
        message,
        actions: names,
        location: source.locate(statement.span),
        label,
        help: None,
    }
}
