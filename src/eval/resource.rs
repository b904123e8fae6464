//! Can a `Resource` pattern name a resource of a given service?
//!
//! ARNs have the shape `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`: PARTITION and
//! RESOURCE are never empty, REGION and ACCOUNT are empty or not as the service's resource
//! types say (IAM has no region, S3 neither region nor account), every field but RESOURCE
//! is colon-free. A resource pattern is a glob (`*`, `?`, case-sensitive) whose wildcards
//! may span colons (`arn:aws:*` names ECS ARNs too), so we read the ARN field by field
//! with a small automaton and ask whether the glob and the ARN shape share any string: the
//! set of automaton states reachable after each pattern token is a bitmask, a `*` closes
//! it under "any character".

use crate::catalog::{Field, ServiceInfo};

/// One element of an ARN shape.
#[derive(Clone, Copy)]
enum Element {
    Literal(u8),
    /// A colon-free field, empty and/or non-empty as allowed.
    Field {
        empty: bool,
        present: bool,
    },
    /// The resource part: any non-empty text.
    Rest,
}

/// The automaton of one ARN shape: element `i` has the state `2i` (before it) and `2i+1`
/// (inside it, for fields and the rest).
struct Shape {
    elements: Vec<Element>,
}

impl Shape {
    fn new(service: &str, region: Field, account: Field) -> Shape {
        let field = |f: Field| Element::Field {
            empty: f != Field::Present,
            present: f != Field::Empty,
        };
        let mut elements: Vec<Element> = b"arn:".iter().map(|b| Element::Literal(*b)).collect();
        elements.push(field(Field::Present));
        elements.push(Element::Literal(b':'));
        elements.extend(service.bytes().map(Element::Literal));
        elements.push(Element::Literal(b':'));
        elements.push(field(region));
        elements.push(Element::Literal(b':'));
        elements.push(field(account));
        elements.push(Element::Literal(b':'));
        elements.push(Element::Rest);
        assert!(
            elements.len() * 2 <= 128,
            "ARN shape too long for the state mask"
        );
        Shape { elements }
    }

    fn before(i: usize) -> u128 {
        1 << (2 * i)
    }

    fn inside(i: usize) -> u128 {
        1 << (2 * i + 1)
    }

    /// Add the states reachable without reading: past fields that may be empty.
    fn close(&self, mut states: u128) -> u128 {
        for (i, element) in self.elements.iter().enumerate() {
            let at_end_of_field = states & Self::inside(i) != 0;
            let skippable = matches!(element, Element::Field { empty: true, .. })
                && states & Self::before(i) != 0;
            if matches!(element, Element::Field { .. }) && (at_end_of_field || skippable) {
                states |= Self::before(i + 1);
            }
        }
        states
    }

    /// States after reading `c` (`None`: some character of our choice).
    fn step(&self, states: u128, c: Option<char>) -> u128 {
        let mut next = 0u128;
        for (i, element) in self.elements.iter().enumerate() {
            let before = states & Self::before(i) != 0;
            let inside = states & Self::inside(i) != 0;
            match *element {
                Element::Literal(b) if before && c.is_none_or(|c| c == b as char) => {
                    next |= Self::before(i + 1);
                }
                Element::Literal(_) => {}
                Element::Field { present, .. } => {
                    if (before && present || inside) && c != Some(':') {
                        next |= Self::inside(i);
                    }
                }
                Element::Rest => {
                    if before || inside {
                        next |= Self::inside(i);
                    }
                }
            }
        }
        self.close(next)
    }

    fn accepts(&self, states: u128) -> bool {
        states & Self::inside(self.elements.len() - 1) != 0
    }

    /// Whether some ARN of this shape matches the glob `pattern`.
    fn can_match(&self, pattern: &str) -> bool {
        let mut states = self.close(Self::before(0));
        for token in tokens(pattern) {
            states = match token {
                Token::Char(c) => self.step(states, Some(c)),
                Token::AnyOne => self.step(states, None),
                Token::AnyRun => {
                    let mut closure = states;
                    loop {
                        let grown = closure | self.step(closure, None);
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
            // Inside the resource part, any text keeps the ARN accepted: whatever the
            // rest of the pattern is, some ARN matches (patterns are mostly that part).
            if self.accepts(states) {
                return true;
            }
        }
        self.accepts(states)
    }
}

/// Whether some ARN of `service`'s resources matches the resource pattern.
pub fn can_name_resource_of(service: &ServiceInfo, pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    // Literal up to its service field (`arn:aws:s3:::…`): no ARN of another service can
    // match, whatever follows; only patterns that may name this service need the shapes.
    let mut fields = pattern.splitn(4, ':');
    if let (Some("arn"), Some(partition), Some(arn_service), Some(_)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    {
        let literal = |f: &str| !f.contains(['*', '?', '$']);
        if literal(partition)
            && literal(arn_service)
            && !service
                .arn_services
                .iter()
                .any(|s| s.eq_ignore_ascii_case(arn_service))
        {
            return false;
        }
    }
    service.arn_services.iter().any(|arn_service| {
        Shape::new(arn_service, service.region, service.account).can_match(pattern)
    })
}

/// Whether the resource pattern matches the concrete ARN `arn` (case-sensitive glob),
/// with the policy variables known for the principal resolved; unknown ones match
/// anything.
pub fn arn_matches(pattern: &str, arn: &str, vars: &super::Variables) -> bool {
    if pattern == "*" {
        return true;
    }
    if !pattern.contains(['*', '?', '$']) {
        return pattern == arn;
    }
    // No variables and only ASCII (every real ARN): one byte is one character, so match
    // the bytes as they are, without building tokens (the graph asks this millions of
    // times).
    if !pattern.contains('$') && pattern.is_ascii() && arn.is_ascii() {
        return super::pattern::glob_with(
            pattern.as_bytes(),
            arn.as_bytes(),
            |&p| p == b'*',
            |&p| p == b'?',
            |p, t| p == t,
        );
    }
    let mut pattern_tokens = Vec::new();
    let mut rest = pattern;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            if let Some(end) = after.find('}') {
                let name = &after[..end];
                match (name, vars.value(name)) {
                    ("*", _) => pattern_tokens.push(Token::Char('*')),
                    ("?", _) => pattern_tokens.push(Token::Char('?')),
                    ("$", _) => pattern_tokens.push(Token::Char('$')),
                    (_, Some(value)) => pattern_tokens.extend(value.chars().map(Token::Char)),
                    (_, None) => pattern_tokens.push(Token::AnyRun),
                }
                rest = &after[end + 1..];
                continue;
            }
        }
        let c = rest.chars().next().expect("not empty");
        pattern_tokens.push(match c {
            '*' => Token::AnyRun,
            '?' => Token::AnyOne,
            c => Token::Char(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    let text: Vec<char> = arn.chars().collect();
    glob_tokens(&pattern_tokens, &text)
}

/// The one ARN a resource pattern names once the principal's variables are resolved, or
/// `None` when a wildcard (or an unknown variable) remains.
pub fn literal_arn(pattern: &str, vars: &super::Variables) -> Option<String> {
    let mut out = String::new();
    let mut rest = pattern;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            let end = after.find('}')?;
            match &after[..end] {
                "*" | "?" | "$" => out.push_str(&after[..end]),
                name => out.push_str(vars.value(name)?),
            }
            rest = &after[end + 1..];
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        if c == '*' || c == '?' {
            return None;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Some(out)
}

/// Glob over tokens, as action patterns are matched (case-sensitive here).
fn glob_tokens(pattern: &[Token], text: &[char]) -> bool {
    super::pattern::glob_with(
        pattern,
        text,
        |t| matches!(t, Token::AnyRun),
        |t| matches!(t, Token::AnyOne),
        |t, c| matches!(t, Token::Char(p) if p == c),
    )
}

/// Whether some ECS ARN matches the resource pattern.
pub fn can_name_ecs_resource(pattern: &str) -> bool {
    can_name_resource_of(
        crate::catalog::service("ecs").expect("the catalog has ECS"),
        pattern,
    )
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
    fn other_services_have_their_own_field_shapes() {
        let iam = crate::catalog::service("iam").unwrap();
        let sts = crate::catalog::service("sts").unwrap();
        let s3 = crate::catalog::service("s3").unwrap();
        assert!(super::can_name_resource_of(
            iam,
            "arn:aws:iam::123456789012:role/deploy"
        ));
        assert!(super::can_name_resource_of(iam, "arn:aws:iam::*:role/*"));
        assert!(
            !super::can_name_resource_of(iam, "arn:aws:iam:us-east-1:1:role/x"),
            "IAM has no region"
        );
        assert!(!super::can_name_resource_of(iam, "arn:aws:ecs:*:*:*"));
        assert!(
            super::can_name_resource_of(sts, "arn:aws:iam::*:role/*"),
            "sts acts on IAM roles"
        );
        assert!(super::can_name_resource_of(s3, "arn:aws:s3:::bucket/*"));
        assert!(super::can_name_resource_of(s3, "*"));
        assert!(!super::can_name_resource_of(s3, "arn:aws:iam::*:role/*"));
    }

    #[test]
    fn concrete_arns_match_with_variables_resolved() {
        use super::arn_matches;
        let alice = crate::eval::Variables {
            username: Some("alice".into()),
            account: Some("111122223333".into()),
        };
        let role = "arn:aws:iam::111122223333:role/deploy";
        assert!(arn_matches("*", role, &alice));
        assert!(arn_matches(role, role, &alice));
        assert!(arn_matches("arn:aws:iam::*:role/dep*", role, &alice));
        assert!(arn_matches(
            "arn:aws:iam::111122223333:role/?eploy",
            role,
            &alice
        ));
        assert!(
            !arn_matches("arn:aws:iam::111122223333:role/Deploy", role, &alice),
            "case-sensitive"
        );
        assert!(!arn_matches("arn:aws:iam::*:role/deploy-*", role, &alice));
        let user = "arn:aws:iam::111122223333:user/alice";
        assert!(arn_matches(
            "arn:aws:iam::*:user/${aws:username}",
            user,
            &alice
        ));
        assert!(!arn_matches(
            "arn:aws:iam::*:user/${aws:username}",
            "arn:aws:iam::111122223333:user/bob",
            &alice
        ));
        assert!(arn_matches(
            "arn:aws:iam::${aws:PrincipalAccount}:user/*",
            user,
            &alice
        ));
        // Unknown variables match anything; escapes are literal.
        assert!(arn_matches(
            "arn:aws:iam::*:user/${aws:userid}",
            user,
            &alice
        ));
        let nobody = crate::eval::Variables::default();
        assert!(arn_matches(
            "arn:aws:iam::*:user/${aws:username}",
            user,
            &nobody
        ));
        assert!(!arn_matches("arn:aws:iam::*:user/${*}", user, &alice));
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
