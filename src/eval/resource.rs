//! Can a `Resource` pattern name an ECS resource?
//!
//! ECS ARNs have the shape `arn:PARTITION:ecs:REGION:ACCOUNT:RESOURCE`, each field
//! non-empty and colon-free except RESOURCE. A resource pattern is a glob (`*`, `?`,
//! case-sensitive) whose wildcards may span colons (`arn:aws:*` names ECS ARNs too), so we
//! read the ARN field by field with a small automaton and ask whether the glob and the
//! ARN shape share any string: the set of automaton states reachable after each pattern
//! token is a bitmask, a `*` closes it under "any character".

/// States of the automaton for ECS ARNs; `ACCEPT` is reached inside RESOURCE.
const ACCEPT: u32 = 15;

/// Literal steps of the automaton: state → expected character → next state.
const LITERALS: [(u32, char, u32); 8] = [
    (0, 'a', 1),
    (1, 'r', 2),
    (2, 'n', 3),
    (3, ':', 4),
    (6, 'e', 7),
    (7, 'c', 8),
    (8, 's', 9),
    (9, ':', 10),
];

/// Field states: (first character of the field, inside the field, state after its colon).
const FIELDS: [(u32, u32, u32); 3] = [(4, 5, 6), (10, 11, 12), (12, 13, 14)];

fn step(state: u32, c: Option<char>) -> u32 {
    // `c == None` stands for "any character" (a `?` or one step of a `*`).
    let mut next = 0u32;
    for (from, expected, to) in LITERALS {
        if from == state && c.is_none_or(|c| c == expected) {
            next |= 1 << to;
        }
    }
    for (first, inside, after) in FIELDS {
        if state == first && c != Some(':') {
            next |= 1 << inside;
        }
        if state == inside {
            if c != Some(':') {
                next |= 1 << inside;
            }
            if c.is_none_or(|c| c == ':') {
                next |= 1 << after;
            }
        }
    }
    if state == 14 || state == ACCEPT {
        next |= 1 << ACCEPT;
    }
    next
}

fn step_all(states: u32, c: Option<char>) -> u32 {
    (0..=ACCEPT)
        .filter(|s| states & (1 << s) != 0)
        .fold(0, |acc, s| acc | step(s, c))
}

enum Token {
    Char(char),
    AnyOne,
    AnyRun,
}

/// Split a resource pattern into glob tokens. Policy variables such as
/// `${aws:username}` can expand to anything, so they count as `*`; the escapes `${*}`,
/// `${?}` and `${$}` stand for the literal characters.
fn tokens(pattern: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${") {
            if let Some(end) = after.find('}') {
                out.push(match &after[..end] {
                    "*" => Token::Char('*'),
                    "?" => Token::Char('?'),
                    "$" => Token::Char('$'),
                    _ => Token::AnyRun,
                });
                rest = &after[end + 1..];
                continue;
            }
        }
        out.push(match c {
            '*' => Token::AnyRun,
            '?' => Token::AnyOne,
            c => Token::Char(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Whether some ECS ARN matches the resource pattern.
pub fn can_name_ecs_resource(pattern: &str) -> bool {
    let mut states = 1u32; // {0}
    for token in tokens(pattern) {
        states = match token {
            Token::Char(c) => step_all(states, Some(c)),
            Token::AnyOne => step_all(states, None),
            Token::AnyRun => {
                let mut closure = states;
                loop {
                    let grown = closure | step_all(closure, None);
                    if grown == closure {
                        break closure;
                    }
                    closure = grown;
                }
            }
        };
        if states == 0 {
            return false;
        }
    }
    states & (1 << ACCEPT) != 0
}

#[cfg(test)]
mod tests {
    use super::can_name_ecs_resource as ecs;

    #[test]
    fn star_and_ecs_arns_can() {
        assert!(ecs("*"));
        assert!(ecs("arn:aws:ecs:*:*:*"));
        assert!(ecs("arn:aws:ecs:us-east-1:123456789012:cluster/prod"));
        assert!(ecs("arn:aws:ecs:eu-west-1:123456789012:service/prod/*"));
        assert!(ecs(
            "arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web:3"
        ));
    }

    #[test]
    fn wildcard_partition_region_account_and_spanning_colons() {
        assert!(ecs("arn:*:ecs:*:*:cluster/*"));
        assert!(ecs("arn:???:ecs:us-east-?:*:*"));
        assert!(ecs("arn:aws:*"));
        assert!(ecs("arn:*"));
        assert!(ecs("arn:aws:e*"));
        assert!(ecs("*:cluster/prod"));
        assert!(ecs("arn:aws:ecs:*"));
    }

    #[test]
    fn foreign_services_and_non_arns_cannot() {
        assert!(!ecs("arn:aws:s3:::*"));
        assert!(!ecs("arn:aws:s3:::my-bucket/*"));
        assert!(!ecs("arn:aws:iam::123456789012:role/x"));
        assert!(!ecs("arn:aws:ecr:us-east-1:123456789012:repository/*"));
        assert!(!ecs("arn:aws:ecs2:*:*:*"));
        assert!(!ecs("cluster/prod"));
        assert!(!ecs(""));
    }

    #[test]
    fn ecs_arns_need_every_field() {
        assert!(
            !ecs("arn:aws:ecs:::*"),
            "region and account are never empty"
        );
        assert!(
            !ecs("arn::ecs:us-east-1:1:cluster/x"),
            "partition is never empty"
        );
        assert!(
            !ecs("arn:aws:ecs:us-east-1:123456789012"),
            "resource part missing"
        );
        assert!(
            !ecs("arn:aws:ecs:us-east-1:123456789012:"),
            "resource part empty"
        );
    }

    #[test]
    fn arns_are_case_sensitive() {
        assert!(!ecs("arn:aws:ECS:*:*:*"));
        assert!(!ecs("ARN:aws:ecs:*:*:*"));
    }

    #[test]
    fn policy_variables_count_as_wildcards() {
        assert!(ecs(
            "arn:aws:ecs:${aws:RequestedRegion}:*:cluster/${aws:username}"
        ));
        assert!(ecs("arn:${aws:Partition}:ecs:*:*:*"));
        // `${*}` is a literal star: `arn:aws:s3:::${*}` is still S3.
        assert!(!ecs("arn:aws:s3:::${*}"));
    }
}
