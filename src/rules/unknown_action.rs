//! `unknown-action`: a pattern that names the ECS service but matches no ECS action.

use super::{Finding, Level, Rule};
use crate::catalog::{self, ECS_ACTIONS};
use crate::eval::DocumentGrants;
use crate::source::SourceFile;

pub const RULE: Rule = Rule {
    id: "unknown-action",
    name: "UnknownAction",
    level: Level::Warning,
    summary: "An `ecs:` action pattern matches no action in the ECS catalog",
    explanation: "\
## unknown-action (warning)

**What it means.** An `Action` or `NotAction` pattern starts with the `ecs:` service
prefix but matches none of the ECS actions AWS publishes (iamlint's built-in catalog), for
example `ecs:UpdateServices` or `ecs:Updat*Service`.

**Why it matters.** IAM accepts such a policy and silently grants or denies nothing with
that pattern. In a Deny or a `NotAction`, a typo means the protection you wrote does not
exist; in an Allow it hides what the author meant to grant.

**How to fix.** Correct the spelling (iamlint suggests the closest action), or run
`iamlint expand 'ecs:Pattern*'` to see what a pattern matches. If AWS added the action
after this iamlint release, upgrade iamlint.
",
    security_severity: "3.0",
};

pub fn check(subject: &str, source: &SourceFile, grants: &DocumentGrants) -> Vec<Finding> {
    grants
        .unknown_actions
        .iter()
        .map(|unknown| Finding {
            rule: &RULE,
            subject: subject.to_string(),
            message: format!("`{}` matches no ECS action", unknown.pattern),
            actions: Vec::new(),
            location: source.locate(unknown.span),
            label: "unknown action".to_string(),
            help: closest_action(&unknown.pattern).map(|name| format!("did you mean `{name}`?")),
            fingerprint: format!("{}|{}|{}", RULE.id, source.path, unknown.pattern),
        })
        .collect()
}

/// The catalog action nearest to a mistyped pattern, when it is plausibly a typo.
fn closest_action(pattern: &str) -> Option<String> {
    let (_, action) = pattern.split_once(':')?;
    let action = action.to_ascii_lowercase();
    ECS_ACTIONS
        .iter()
        .map(|a| (edit_distance(&action, &a.name.to_ascii_lowercase()), a.name))
        .filter(|(distance, _)| *distance <= 2.max(action.len() / 5))
        .min()
        .map(|(_, name)| format!("{}:{name}", catalog::SERVICE))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_action_for_typos() {
        assert_eq!(
            closest_action("ecs:UpdateServices").as_deref(),
            Some("ecs:UpdateService")
        );
        assert_eq!(
            closest_action("ecs:updatservice").as_deref(),
            Some("ecs:UpdateService")
        );
        assert_eq!(closest_action("ecs:Frobnicate"), None);
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_substitutions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
    }
}
