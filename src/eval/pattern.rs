//! Action patterns: case-insensitive full-string globs (`*` any run, `?` one character),
//! expanded once against the catalog into an [`ActionSet`].

use crate::catalog::{self, ActionSet};

/// Whether `pattern` matches all of `text`, ignoring ASCII case.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    // Action names are ASCII: match bytes without allocating; other text goes by chars.
    if pattern.is_ascii() && text.is_ascii() {
        glob(pattern.as_bytes(), text.as_bytes(), b'*', b'?', |a, b| {
            a.eq_ignore_ascii_case(&b)
        })
    } else {
        let pattern: Vec<char> = pattern.chars().collect();
        let text: Vec<char> = text.chars().collect();
        glob(&pattern, &text, '*', '?', |a, b| {
            a == b || a.eq_ignore_ascii_case(&b)
        })
    }
}

/// Greedy matching that remembers only the last `*`: when a later literal fails, the
/// star absorbs one more character. O(n·m) worst case, no recursion, no allocation.
fn glob<T: Copy + PartialEq>(
    pattern: &[T],
    text: &[T],
    any_run: T,
    any_one: T,
    eq: impl Fn(T, T) -> bool,
) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(&c) if c == any_run => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == any_one || eq(c, text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == any_run)
}

/// What one action pattern means against the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expansion {
    pub actions: ActionSet,
    /// The pattern names our service literally (`ecs:…`, any case) but matches no
    /// catalog action: almost always a typo such as `ecs:UpdateServices`.
    pub unknown: bool,
}

/// Expand `pattern` against the catalog.
pub fn expand(pattern: &str) -> Expansion {
    // Fast path for the common case of another service's action (`s3:Get*`): when the
    // service part has no wildcard and is not ours, nothing can match.
    let service = pattern.split(':').next().unwrap_or("");
    let literal_service = !service.contains(['*', '?']);
    if literal_service && !service.eq_ignore_ascii_case(catalog::SERVICE) {
        return Expansion {
            actions: ActionSet::EMPTY,
            unknown: false,
        };
    }
    let actions: ActionSet = catalog::qualified_names()
        .iter()
        .enumerate()
        .filter(|(_, name)| glob_match(pattern, name))
        .map(|(i, _)| i)
        .collect();
    Expansion {
        actions,
        unknown: literal_service && actions.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run_including_none() {
        assert!(glob_match("ecs:*", "ecs:UpdateService"));
        assert!(glob_match("ecs:Update*", "ecs:Update"));
        assert!(glob_match("*", "ecs:UpdateService"));
        assert!(glob_match("e*s:*Service", "ecs:UpdateService"));
        assert!(glob_match("**", ""));
        assert!(!glob_match("ecs:Update*", "ecs:DeleteService"));
    }

    #[test]
    fn question_mark_matches_exactly_one_character() {
        assert!(glob_match("ecs:?pdateService", "ecs:UpdateService"));
        assert!(!glob_match("ecs:?UpdateService", "ecs:UpdateService"));
        assert!(!glob_match("ecs:UpdateService?", "ecs:UpdateService"));
        assert!(glob_match("ec?:*", "ecs:UpdateService"));
    }

    #[test]
    fn matching_is_case_insensitive_and_covers_the_full_string() {
        assert!(glob_match("ECS:updateservice", "ecs:UpdateService"));
        assert!(glob_match("eCs:UPDATE*", "ecs:UpdateService"));
        assert!(!glob_match("ecs:Update", "ecs:UpdateService"));
        assert!(!glob_match("cs:UpdateService", "ecs:UpdateService"));
    }

    #[test]
    fn backtracking_after_a_star() {
        assert!(glob_match("ecs:*Set*", "ecs:UpdateServicePrimaryTaskSet"));
        assert!(glob_match("*a*b", "xaab"));
        assert!(!glob_match("*a*b", "xaaba"));
    }

    fn names(pattern: &str) -> Vec<String> {
        expand(pattern).actions.names()
    }

    #[test]
    fn expansion_against_the_catalog() {
        assert_eq!(names("ecs:UpdateService"), ["ecs:UpdateService"]);
        assert_eq!(names("ECS:UPDATESERVICE"), ["ecs:UpdateService"]);
        assert_eq!(expand("ecs:*").actions, ActionSet::all());
        assert_eq!(expand("*").actions, ActionSet::all());
        assert!(names("ecs:Update*").contains(&"ecs:UpdateServicePrimaryTaskSet".to_string()));
        assert!(
            names("ecs:?pdate*")
                .iter()
                .all(|n| n.starts_with("ecs:Update"))
        );
    }

    #[test]
    fn other_services_expand_to_nothing_and_are_not_unknown() {
        for pattern in ["s3:Get*", "iam:PassRole", "ecr:*", "ec2:UpdateService"] {
            assert_eq!(
                expand(pattern),
                Expansion {
                    actions: ActionSet::EMPTY,
                    unknown: false
                },
                "{pattern}"
            );
        }
    }

    #[test]
    fn typos_in_our_service_are_unknown() {
        assert!(expand("ecs:UpdateServices").unknown);
        assert!(expand("ECS:Updat3*").unknown);
        assert!(!expand("ecs:Update*").unknown);
        // A wildcard in the service part may mean another service: not reported.
        assert!(!expand("e*:UpdateServices").unknown);
    }
}
