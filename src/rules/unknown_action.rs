//! `unknown-action`: a pattern that names a service the catalog does not have, or matches
//! no action of the service it names.

use super::{Finding, Level, Rule};
use crate::catalog;
use crate::eval::DocumentGrants;
use crate::eval::pattern::Unknown;
use crate::source::SourceFile;

pub const RULE: Rule = Rule {
    id: "unknown-action",
    name: "UnknownAction",
    level: Level::Warning,
    summary: "An action pattern names an unknown service, or matches no action of its service",
    explanation: "\
## unknown-action (warning)

**What it means.** An `Action` or `NotAction` pattern matches none of the actions AWS
publishes for the service it names (iamlint's built-in catalog of every AWS service), for
example `ecs:UpdateServices`, `ecs:Updat*Service` or `s3:GetObjcet`, or it names a
service prefix that does not exist (`ecz:UpdateService`).

**Why it matters.** IAM accepts such a policy and silently grants or denies nothing with
that pattern. In a Deny or a `NotAction`, a typo means the protection you wrote does not
exist; in an Allow it hides what the author meant to grant.

**How to fix.** Correct the spelling (iamlint suggests the closest action), or run
`iamlint expand 'ecs:Pattern*'` to see what a pattern matches. If AWS added the action
or the service after this iamlint release, upgrade iamlint.
",
    security_severity: "3.0",
};

pub fn check(subject: &str, source: &SourceFile, grants: &DocumentGrants) -> Vec<Finding> {
    grants
        .unknown_actions
        .iter()
        .map(|unknown| {
            let (service, _) = unknown.pattern.split_once(':').unwrap_or(("", ""));
            let (label, help) = match unknown.kind {
                Unknown::Service => (
                    "unknown service",
                    suggestion(service, |service| {
                        closest_service(service).map(|s| format!("did you mean `{s}:`?"))
                    }),
                ),
                Unknown::Action => (
                    "unknown action",
                    suggestion(&unknown.pattern, |pattern| {
                        closest_action(pattern).map(|name| format!("did you mean `{name}`?"))
                    }),
                ),
            };
            let message = message(&unknown.pattern, unknown.kind);
            Finding {
                rule: &RULE,
                subject: subject.to_string(),
                message,
                actions: Vec::new(),
                location: source.locate(unknown.span),
                label: label.to_string(),
                help,
                related: Vec::new(),
            }
        })
        .collect()
}

/// The help for an unknown service or pattern, computed once per thread: a retired
/// service is named in dozens of AWS managed policies, and each suggestion compares it
/// with every service or action.
fn suggestion(unknown: &str, compute: impl FnOnce(&str) -> Option<String>) -> Option<String> {
    thread_local! {
        static SUGGESTED: catalog::ThreadMemo<Option<String>> = catalog::ThreadMemo::new(4_096);
    }
    SUGGESTED.with(|memo| memo.get_or_compute(unknown, compute))
}

/// What is wrong with an unknown pattern, in one sentence.
pub fn message(pattern: &str, kind: Unknown) -> String {
    let (service, _) = pattern.split_once(':').unwrap_or(("", ""));
    match kind {
        Unknown::Service => format!(
            "`{pattern}` names a service the catalog does not know: `{service}` (a typo, or a retired service)"
        ),
        Unknown::Action => format!("`{pattern}` matches no {} action", service_label(service)),
    }
}

/// "ECS" for the monitored service (as messages always said), else the prefix as written.
fn service_label(service: &str) -> String {
    if service.eq_ignore_ascii_case(catalog::MONITORED_SERVICE) {
        "ECS".to_string()
    } else {
        format!("`{}`", service.to_ascii_lowercase())
    }
}

/// The action of the pattern's service nearest to a mistyped pattern, when it is
/// plausibly a typo.
fn closest_action(pattern: &str) -> Option<String> {
    let (service, action) = pattern.split_once(':')?;
    let service = catalog::service(service)?;
    let limit = 2.max(action.len() / 5);
    service
        .actions
        .iter()
        .filter_map(|a| Some((edit_distance_within(action, a.name, limit)?, a.name)))
        .min()
        .map(|(_, name)| format!("{}:{name}", service.prefix))
}

/// The service prefix nearest to an unknown one.
fn closest_service(prefix: &str) -> Option<&'static str> {
    let limit = 1.max(prefix.len() / 4);
    catalog::SERVICES
        .iter()
        .filter_map(|s| Some((edit_distance_within(prefix, s.prefix, limit)?, s.prefix)))
        .min()
        .map(|(_, name)| name)
}

/// The edit distance between `a` and `b`, ignoring ASCII case, when it is at most
/// `limit`. Every unknown action is compared with each action of its service, so names
/// whose lengths alone differ by more are skipped, only the cells within `limit` of the
/// diagonal are computed (a path through any other costs more), and a row that already
/// exceeds the limit ends the comparison. Before any of that, the sets of characters
/// the two names use: one edit adds or removes at most one character kind (a
/// substitution one of each), so names whose sets differ in more than twice the limit
/// kinds cannot be close; most candidates end there.
fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let kinds = |s: &[u8]| {
        s.iter()
            .fold(0u64, |set, c| set | 1 << (c.to_ascii_lowercase() % 64))
    };
    if ((kinds(a) ^ kinds(b)).count_ones() as usize).div_ceil(2) > limit {
        return None;
    }
    // Cells outside the band hold `over`: more than the limit.
    let over = limit.saturating_add(1);
    // Action names are short: the row lives on the stack.
    let mut on_stack = [0usize; 64];
    let mut on_heap = Vec::new();
    let row: &mut [usize] = if b.len() < on_stack.len() {
        &mut on_stack[..=b.len()]
    } else {
        on_heap.resize(b.len() + 1, 0);
        &mut on_heap
    };
    for (j, cell) in row.iter_mut().enumerate() {
        *cell = j.min(over);
    }
    for (i, ca) in a.iter().enumerate().map(|(i, c)| (i + 1, c)) {
        let low = i.saturating_sub(limit).max(1);
        let high = i.saturating_add(limit).min(b.len());
        // Row i - 1 at column low - 1, then this row's cell left of the band.
        let mut diagonal = row[low - 1];
        row[low - 1] = if low == 1 { i.min(over) } else { over };
        let mut best = row[low - 1];
        for j in low..=high {
            let substitution = diagonal + usize::from(!ca.eq_ignore_ascii_case(&b[j - 1]));
            diagonal = row[j];
            row[j] = substitution.min(row[j - 1] + 1).min(row[j] + 1).min(over);
            best = best.min(row[j]);
        }
        if best > limit {
            return None;
        }
    }
    Some(row[b.len()]).filter(|&d| d <= limit)
}

#[cfg(test)]
fn edit_distance(a: &str, b: &str) -> usize {
    edit_distance_within(a, b, usize::MAX).expect("no limit")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banded_distance_agrees_with_the_full_table() {
        fn full(a: &str, b: &str) -> usize {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            let mut table = vec![vec![0; b.len() + 1]; a.len() + 1];
            for (i, row) in table.iter_mut().enumerate() {
                row[0] = i;
            }
            for (j, cell) in table[0].iter_mut().enumerate() {
                *cell = j;
            }
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    let cost = usize::from(!a[i - 1].eq_ignore_ascii_case(&b[j - 1]));
                    table[i][j] = (table[i - 1][j - 1] + cost)
                        .min(table[i - 1][j] + 1)
                        .min(table[i][j - 1] + 1);
                }
            }
            table[a.len()][b.len()]
        }
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "GetObject",
            "GetObjcet",
            "getobject",
            "PutObject",
            "UpdateService",
            "UpdateServices",
            "CreateService",
            "DeleteCluster",
            "kitten",
            "sitting",
            "ListTagsForResource",
            "ListTags",
            "xyz",
        ];
        for a in words {
            for b in words {
                let distance = full(a, b);
                for limit in 0..6 {
                    let expected = (distance <= limit).then_some(distance);
                    assert_eq!(
                        edit_distance_within(a, b, limit),
                        expected,
                        "{a} {b} {limit}"
                    );
                }
                assert_eq!(edit_distance(a, b), distance);
            }
        }
    }

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
        assert_eq!(
            closest_action("s3:GetObjcet").as_deref(),
            Some("s3:GetObject")
        );
        assert_eq!(closest_service("lambd"), Some("lambda"));
        assert_eq!(closest_service("frobnicator"), None);
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_substitutions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("GetObject", "getobject"), 0);
        assert_eq!(edit_distance_within("kitten", "sitting", 2), None);
        assert_eq!(edit_distance_within("kitten", "sitting", 3), Some(3));
        assert_eq!(edit_distance_within("a", "abcd", 2), None);
    }
}
