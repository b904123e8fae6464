//! Action patterns: case-insensitive full-string globs (`*` any run, `?` one character),
//! expanded once against the catalog into an [`ActionSet`].

use crate::catalog::{self, ActionSet};

/// Whether `pattern` matches all of `text`, ignoring ASCII case.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    // Most patterns are literal action names.
    if !pattern.bytes().any(|b| b == b'*' || b == b'?') {
        return pattern.eq_ignore_ascii_case(text);
    }
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
    glob_with(
        pattern,
        text,
        |c| *c == any_run,
        |c| *c == any_one,
        |a, b| eq(*a, *b),
    )
}

/// The same matching over any pattern and text elements: `is_run` marks `*`, `is_one`
/// marks `?`, `eq` compares a literal with a text element.
pub(crate) fn glob_with<P, T>(
    pattern: &[P],
    text: &[T],
    is_run: impl Fn(&P) -> bool,
    is_one: impl Fn(&P) -> bool,
    eq: impl Fn(&P, &T) -> bool,
) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(c) if is_run(c) => {
                star = Some((p, t));
                p += 1;
            }
            Some(c) if is_one(c) || eq(c, &text[t]) => {
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
    pattern[p..].iter().all(is_run)
}

/// What one action pattern means against the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expansion {
    /// The tracked actions it matches.
    pub actions: ActionSet,
    /// Whether it names a service or an action the catalog does not have: almost always a
    /// typo such as `ecs:UpdateServices` or `s3:GetObjcet`.
    pub unknown: Option<Unknown>,
}

impl Expansion {
    fn unknown(kind: Unknown) -> Expansion {
        Expansion {
            actions: ActionSet::EMPTY,
            unknown: Some(kind),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// The service prefix (literal) is not a service of the catalog.
    Service,
    /// The service is known, but no action of it matches.
    Action,
}

/// Expand `pattern` against the catalog.
pub fn expand(pattern: &str) -> Expansion {
    // A literal `service:Action` (19 of 20 patterns in AWS's managed policies, most of
    // them named once or twice) is two hash lookups: cheaper than remembering it, and it
    // keeps the memo small. Wildcard patterns repeat (`logs:*`) and cost a glob per
    // candidate: each thread remembers what it expanded.
    if !pattern.contains(['*', '?']) && pattern.contains(':') {
        return expand_literal(pattern);
    }
    thread_local! {
        static SEEN: catalog::ThreadMemo<Expansion> = catalog::ThreadMemo::new(65_536);
    }
    SEEN.with(|seen| seen.get_or_compute(pattern, expand_uncached))
}

fn expand_literal(pattern: &str) -> Expansion {
    if let Some((_, found)) = catalog::lookup_action(pattern.as_bytes()) {
        return Expansion {
            actions: catalog::tracked_index_of(found).into_iter().collect(),
            unknown: None,
        };
    }
    let service = pattern
        .split_once(':')
        .map_or(pattern, |(service, _)| service);
    Expansion::unknown(if catalog::service(service).is_some() {
        Unknown::Action
    } else {
        Unknown::Service
    })
}

fn expand_uncached(pattern: &str) -> Expansion {
    let Some((service, action)) = pattern.split_once(':') else {
        // Only `*` (or `**`) is valid without a service prefix.
        return Expansion {
            actions: matching_tracked(pattern, catalog::tracked().iter().enumerate()),
            unknown: None,
        };
    };
    if service.contains(['*', '?']) {
        // A wildcard service part may mean any service: match every tracked action.
        return Expansion {
            actions: matching_tracked(pattern, catalog::tracked().iter().enumerate()),
            unknown: None,
        };
    }
    let Some(info) = catalog::service(service) else {
        return Expansion::unknown(Unknown::Service);
    };
    let of_service = catalog::tracked_of(info.prefix);
    let actions = if of_service.is_empty() {
        ActionSet::EMPTY
    } else {
        matching_tracked(
            pattern,
            of_service.iter().map(|i| (i, &catalog::tracked()[i])),
        )
    };
    let unknown =
        (actions.is_empty() && !matches_any_action(info, action)).then_some(Unknown::Action);
    Expansion { actions, unknown }
}

fn matching_tracked<'a>(
    pattern: &str,
    candidates: impl Iterator<Item = (usize, &'a catalog::Tracked)>,
) -> ActionSet {
    candidates
        .filter(|(_, t)| glob_match(pattern, &t.qualified))
        .map(|(i, _)| i)
        .collect()
}

/// Whether the action part of a wildcard pattern matches some action of `service`: only
/// the actions sharing its literal prefix are tried.
fn matches_any_action(service: &catalog::ServiceInfo, action_pattern: &str) -> bool {
    let literal = action_pattern
        .find(['*', '?'])
        .map_or(action_pattern, |end| &action_pattern[..end]);
    service
        .actions_starting_with(&literal.to_ascii_lowercase())
        .iter()
        .any(|a| glob_match(action_pattern, a.name))
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
        assert_eq!(expand("ecs:*").actions, catalog::tracked_of("ecs"));
        assert_eq!(expand("*").actions, ActionSet::all());
        assert!(names("ecs:Update*").contains(&"ecs:UpdateServicePrimaryTaskSet".to_string()));
        assert!(
            names("ecs:?pdate*")
                .iter()
                .all(|n| n.starts_with("ecs:Update"))
        );
    }

    #[test]
    fn untracked_actions_of_known_services_expand_to_nothing_and_are_known() {
        for pattern in ["s3:Get*", "S3:GETOBJECT", "ecr:*", "ec2:Describe?nstances"] {
            assert_eq!(
                expand(pattern),
                Expansion {
                    actions: ActionSet::EMPTY,
                    unknown: None
                },
                "{pattern}"
            );
        }
    }

    #[test]
    fn tracked_actions_of_other_services_expand_exactly() {
        assert_eq!(names("iam:PassRole"), ["iam:PassRole"]);
        assert_eq!(names("STS:assumerole"), ["sts:AssumeRole"]);
        assert!(names("iam:Put*").contains(&"iam:PutUserPolicy".to_string()));
        assert!(names("*").contains(&"lambda:CreateFunction".to_string()));
        assert!(!names("ecs:*").iter().any(|n| !n.starts_with("ecs:")));
    }

    #[test]
    fn typos_and_unknown_services_are_unknown() {
        assert_eq!(expand("ecs:UpdateServices").unknown, Some(Unknown::Action));
        assert_eq!(expand("ECS:Updat3*").unknown, Some(Unknown::Action));
        assert_eq!(expand("s3:GetObjcet").unknown, Some(Unknown::Action));
        assert_eq!(expand("iam:PassRoles").unknown, Some(Unknown::Action));
        assert_eq!(expand("ecz:UpdateService").unknown, Some(Unknown::Service));
        assert_eq!(expand("ecs:Update*").unknown, None);
        assert_eq!(expand("s3:*Object").unknown, None);
        // A wildcard in the service part may mean another service: not reported.
        assert_eq!(expand("e*:UpdateServices").unknown, None);
    }
}
