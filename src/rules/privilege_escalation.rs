//! `privilege-escalation`: one policy document grants, on its own, every permission of a
//! privilege-escalation path — without any account, its holder can become more than the
//! document says. (In an account review the same paths are followed as graph edges and
//! reported by `ecs-config-change-indirect`.)

use super::{Finding, Level, Rule};
use crate::catalog;
use crate::catalog::escalation::{Kind, PATHS, Path, permission_ids};
use crate::eval::DocumentGrants;
use crate::source::SourceFile;

pub const UNSCOPED: Rule = Rule {
    id: "privilege-escalation",
    name: "PrivilegeEscalation",
    level: Level::Error,
    summary: "A policy grants every permission of a privilege-escalation path",
    explanation: "\
## privilege-escalation (error; privilege-escalation-scoped: warning)

**What it means.** One policy document grants all the permissions of a known
privilege-escalation path (the catalog follows pathfinding.cloud; each finding names the
path ids and links them): its holder can rewrite its own permissions
(`iam:AttachUserPolicy`, `iam:PutRolePolicy`, `iam:CreatePolicyVersion`, …), take over
other principals (`iam:CreateAccessKey`, `iam:CreateLoginProfile`,
`iam:UpdateAssumeRolePolicy`), or pass a role to a service that runs code as it
(`iam:PassRole` with `lambda:CreateFunction` and `lambda:InvokeFunction`, with
`ecs:RegisterTaskDefinition` and `ecs:RunTask`, …). Any of these can end in the monitored
ECS changes, whatever the document itself allows of ECS.

It is an **error** when a self-modification, takeover or PassRole path is granted without
a condition and on `*`; the warning `privilege-escalation-scoped` when every such grant
is scoped, and for the paths
whose outcome depends on what the account holds: `sts:AssumeRole` (which roles trust the
holder), code in resources that already exist (`lambda:UpdateFunctionCode`,
`ssm:SendCommand`, …), and removing a permissions boundary.

**Why it matters.** `iamlint check` reads one file at a time; a policy that looks
harmless for ECS can still make its holder administrator in two commands.

**How to fix.** Limit the IAM write actions to the principal's own resources where that
is the intent, scope `iam:PassRole` to the roles the workload needs with an
`iam:PassedToService` condition, and run `iamlint account` on the account to see which
principals the path really reaches.
",
    security_severity: "8.0",
};

pub const SCOPED: Rule = Rule {
    id: "privilege-escalation-scoped",
    name: "PrivilegeEscalationScoped",
    level: Level::Warning,
    summary: "A policy grants every permission of a privilege-escalation path, scoped or depending on the account",
    explanation: "\
## privilege-escalation-scoped (warning)

The weaker form of `privilege-escalation`: every escalation path the document grants is
either limited by a condition, a resource list or `NotResource`, or has an outcome that
depends on what the account holds (`sts:AssumeRole`, code in existing resources, removing
a permissions boundary). Run `iamlint account` to see which principals it really reaches.
",
    security_severity: "5.0",
};

/// Paths named with their permissions in a message; the rest by id.
const LISTED: usize = 3;

/// Paths whose outcome does not depend on what else the account holds.
fn decisive(path: &Path) -> bool {
    matches!(
        path.kind,
        Kind::SelfModify(_) | Kind::TakeOver(_) | Kind::PassRole { .. }
    )
}

/// One finding for a document that grants every permission of at least one path.
pub fn check(subject: &str, source: &SourceFile, grants: &DocumentGrants) -> Option<Finding> {
    let net = grants.net();
    let mut matched: Vec<(&Path, bool)> = Vec::new();
    for (index, path) in PATHS.iter().enumerate() {
        // The "modify another principal" forms are the self-modification rows again.
        if matches!(path.kind, Kind::ModifyOther(_)) {
            continue;
        }
        let indices = permission_ids(index);
        if !indices.iter().all(|i| net.all().contains(*i)) {
            continue;
        }
        let unscoped = indices.iter().all(|i| net.unscoped.contains(*i));
        matched.push((path, unscoped));
    }
    if matched.is_empty() {
        return None;
    }
    let error = matched.iter().any(|(p, unscoped)| *unscoped && decisive(p));
    // Strongest first: decisive unscoped paths, then the rest, each in catalog order.
    matched.sort_by_key(|(p, unscoped)| !(*unscoped && decisive(p)));
    let (first, _) = matched[0];
    let mut statements: Vec<(usize, crate::document::Span)> = Vec::new();
    for (path, _) in &matched {
        for permission in path.permissions {
            let action = catalog::known(permission);
            for statement in grants
                .statements
                .iter()
                .filter(|s| s.actions.contains(action))
            {
                statements.push((statement.index, statement.span));
            }
        }
    }
    statements.sort_by_key(|(index, _)| *index);
    statements.dedup();
    let primary = grants
        .statements
        .iter()
        .find(|s| s.actions.contains(catalog::known(first.permissions[0])))
        .map_or(crate::document::Span::default(), |s| s.span);
    let ids: Vec<&str> = matched.iter().map(|(p, _)| p.id).collect();
    let mut listed: Vec<String> = matched
        .iter()
        .take(LISTED)
        .map(|(p, _)| format!("{} ({})", p.id, p.title()))
        .collect();
    if matched.len() > LISTED {
        listed.push(format!(
            "and {} more: {}",
            matched.len() - LISTED,
            ids[LISTED..].join(", ")
        ));
    }
    let count = match matched.len() {
        1 => "a privilege-escalation path".to_string(),
        n => format!("{n} privilege-escalation paths"),
    };
    let scoped = if error {
        ""
    } else {
        ", scoped or depending on the account"
    };
    let rule = if error { &UNSCOPED } else { &SCOPED };
    Some(Finding {
        rule,
        subject: subject.to_string(),
        message: format!(
            "{subject} grants every permission of {count}{scoped}: {}",
            listed.join(", ")
        ),
        actions: Vec::new(),
        location: source.locate(primary),
        label: format!("{} starts here", first.id),
        help: first.help_uri().map(|uri| format!("see {uri}")),
        related: statements
            .iter()
            .filter(|(_, span)| *span != primary)
            .map(|(_, span)| {
                (
                    source.locate(*span),
                    "grants a permission of the path".to_string(),
                )
            })
            .collect(),
    })
}
