//! `ecs-config-change-indirect`: a non-privileged principal can *become* able to make
//! monitored ECS changes it does not hold itself — by assuming a role, taking over another
//! principal, rewriting its own permissions or passing a role to a service — with the
//! chain of steps as evidence.

use super::{Finding, Level, Location, Rule};
use crate::graph::view::AccessPath;
use crate::graph::{Origin, Reach};
use crate::source::SourceFile;

pub const UNSCOPED: Rule = Rule {
    id: "ecs-config-change-indirect",
    name: "EcsConfigChangeIndirect",
    level: Level::Error,
    summary: "A non-privileged principal can become able to change ECS configuration through a chain of steps",
    explanation: "\
## ecs-config-change-indirect (error; warning when every path is scoped)

**What it means.** A principal that is not on the privileged list does not hold some
monitored ECS configuration changes itself (or holds them only scoped), but can *become*
a principal that does: it can assume a role whose trust policy lets it in, take over
another user (`iam:CreateAccessKey`, `iam:CreateLoginProfile`, …) or role
(`iam:UpdateAssumeRolePolicy`), rewrite its own permissions (`iam:PutUserPolicy`,
`iam:AttachRolePolicy`, `iam:CreatePolicyVersion`, …), or pass a role to a service that
runs code as it (`iam:PassRole` with `lambda:CreateFunction`, `ecs:RunTask`, …). The
finding names the shortest path; the JSON report lists every path (`paths`).

It is an **error** when some path has no scoped step and ends at an unscoped grant; a
**warning** when every path has a step that is limited by a condition, a `NotResource`,
or is a code-execution path into a resource that already exists (an account dump does not
say which function or instance runs as which role).

**Why it matters.** Humans rarely hold `ecs:UpdateService` themselves: they assume a
deploy role that does. A review that lists the role but not who can become it lies by
omission — and a principal that can make itself administrator can do everything.

**How to fix.** Break the weakest step: narrow the role's trust policy to the principals
that deploy (name their ARNs, add conditions such as `aws:PrincipalTag` or MFA), remove
`sts:AssumeRole` on `*` from identity policies, limit `iam:PassRole` to the roles a
workload needs with `iam:PassedToService`, and never grant IAM write actions on
principals (`iam:Put*Policy`, `iam:Attach*Policy`, `iam:CreateAccessKey`) outside the
platform team. If the principal is meant to deploy, mark it privileged.
",
    security_severity: "8.0",
};

pub const SCOPED: Rule = Rule {
    id: "ecs-config-change-indirect-scoped",
    name: "EcsConfigChangeIndirectScoped",
    level: Level::Warning,
    summary: "A non-privileged principal can become able to change ECS configuration, but every path has a scoped step",
    explanation: "\
## ecs-config-change-indirect-scoped (warning)

The weaker form of `ecs-config-change-indirect`: every path by which the principal can
become able to make the monitored changes has a step limited by a condition or a
`NotResource`, or runs code inside a resource that already exists, or ends at a scoped
grant. Read the steps: if the limits are right, mark the principal privileged or suppress
the finding with an `[[ignore]]` entry and a reason.
",
    security_severity: "5.0",
};

/// One finding for a principal whose reach exceeds its direct access: the first path in
/// the message, every step's evidence as related locations.
pub fn check(
    subject: &str,
    reach: &Reach,
    paths: &[AccessPath],
    evidence: &[Vec<(Origin, String)>],
    locate: &dyn Fn(Origin) -> Option<Location>,
    fallback: &SourceFile,
) -> Vec<Finding> {
    if reach.new_any.is_empty() {
        return Vec::new();
    }
    let unscoped = !reach.new_unscoped.is_empty();
    let rule = if unscoped { &UNSCOPED } else { &SCOPED };
    let actions = if unscoped {
        reach.new_unscoped
    } else {
        reach.new_any
    };
    let names = actions.names();
    // The explanation: the first path of the wanted strength.
    let chosen = paths.iter().position(|p| p.scoped != unscoped).unwrap_or(0);
    let Some(path) = paths.get(chosen) else {
        return Vec::new();
    };
    // In step order, each place once.
    let mut related: Vec<(Location, String)> = Vec::new();
    for (origin, label) in &evidence[chosen] {
        if let Some(location) = locate(*origin) {
            if !related.iter().any(|(l, _)| *l == location) {
                related.push((location, label.clone()));
            }
        }
    }
    let location = related
        .first()
        .map(|(l, _)| l.clone())
        .unwrap_or_else(|| fallback.locate(crate::document::Span::default()));
    let count = match names.len() {
        1 => "a monitored ECS configuration change".to_string(),
        n => format!("{n} monitored ECS configuration changes"),
    };
    let scoped = if unscoped { "" } else { ", scoped" };
    let ids: Vec<&str> = path.steps.iter().map(|s| s.id.as_str()).collect();
    vec![Finding {
        rule,
        subject: subject.to_string(),
        message: format!(
            "{subject} can become able to make {count} it does not hold{scoped}: {} (via {})",
            names.join(", "),
            path.compact()
        ),
        actions: names.clone(),
        location,
        label: "first step of the path".to_string(),
        help: Some(format!("path: {}", ids.join(" → "))),
        related,
    }]
}
