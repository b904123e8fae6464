//! JSON tree → typed IAM policy, validated the way IAM validates documents.

use super::json::{self, Member, Node, Span, Spanned, Value};
use std::collections::HashSet;

/// Identity covers identity-based policies, permissions boundaries and SCPs
/// (Resource or NotResource required). Trust is a role's assume-role policy
/// (Principal required, Resource optional).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    Identity,
    Trust,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// The value of Action/NotAction or Resource/NotResource.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternList {
    /// NotAction / NotResource.
    pub negated: bool,
    pub patterns: Vec<Spanned<String>>,
    /// Span of the key (`"Action"`).
    pub key_span: Span,
    /// Span of the whole value (the string, or the array from `[` to `]`).
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// `"Condition": {}` constrains nothing.
    pub is_empty: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalEntry {
    /// "AWS", "Service", "Federated", "CanonicalUser", or "*" for `"Principal": "*"`.
    pub kind: String,
    pub id: Spanned<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Principals {
    /// NotPrincipal.
    pub negated: bool,
    pub entries: Vec<PrincipalEntry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// 0-based position in the Statement list.
    pub index: usize,
    pub sid: Option<Spanned<String>>,
    pub effect: Spanned<Effect>,
    pub actions: PatternList,
    /// None only in trust policies that omit it.
    pub resources: Option<PatternList>,
    pub condition: Option<Condition>,
    pub principals: Option<Principals>,
    /// The statement object.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDocument {
    pub version: Option<Spanned<String>>,
    pub statements: Vec<Statement>,
    /// The policy object (inside any AWS CLI wrapper).
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    /// Sentence for the headline, e.g. "statement has both `Action` and `NotAction`".
    pub message: String,
    /// Short text shown under the span, e.g. "remove one of these".
    pub label: String,
    pub span: Span,
}

/// Parse a whole file/string: JSON, then unwrap the AWS CLI shapes
/// (`{"PolicyVersion":{"Document":…}}`, `{"PolicyDocument":…}`), then [`parse_document`].
/// Returns every error found (at least one) when the document is invalid.
pub fn parse_policy_text(
    text: &str,
    kind: DocumentKind,
) -> Result<PolicyDocument, Vec<PolicyError>> {
    let mut root = json::parse(text).map_err(|e| vec![syntax_error(e)])?;
    let document = unwrap_cli_shapes(&root)?;
    if std::ptr::eq(document, &root) {
        return parse_document(&mut root, kind);
    }
    match &document.value {
        // Only a wrapper's `Document` may hold the policy as a string.
        Value::String(encoded) => parse_embedded(encoded, document.span, kind),
        _ => parse_document(&mut document.clone(), kind),
    }
}

fn syntax_error(error: json::SyntaxError) -> PolicyError {
    PolicyError {
        label: "here".into(),
        message: error.message,
        span: error.span,
    }
}

/// The policy inside an AWS CLI output shape, or the root itself.
fn unwrap_cli_shapes(root: &Node) -> Result<&Node, Vec<PolicyError>> {
    if let Some(version) = root.get("PolicyVersion") {
        return match version.get("Document") {
            Some(document) => Ok(document),
            None => Err(vec![error(
                version.span,
                "`PolicyVersion` has no `Document`",
                "expected the output of `aws iam get-policy-version`",
            )]),
        };
    }
    Ok(root.get("PolicyDocument").unwrap_or(root))
}

/// A document held in a JSON string (URL-encoded as the IAM API returns it, or plain).
/// Its spans would point into the decoded text, so every span is moved onto the string
/// token of the outer file: locations stay in the file the user has.
pub fn parse_embedded(
    encoded: &str,
    at: Span,
    kind: DocumentKind,
) -> Result<PolicyDocument, Vec<PolicyError>> {
    let decoded = if encoded.contains('%') {
        percent_decode(encoded).ok_or_else(|| {
            vec![error(
                at,
                "the URL-encoded policy document is not valid UTF-8",
                "cannot decode",
            )]
        })?
    } else {
        encoded.to_string()
    };
    let relocate_errors = |errors: Vec<PolicyError>| {
        errors
            .into_iter()
            .map(|e| PolicyError { span: at, ..e })
            .collect::<Vec<_>>()
    };
    let mut root = json::parse(&decoded).map_err(|e| relocate_errors(vec![syntax_error(e)]))?;
    let mut document = parse_document(&mut root, kind).map_err(relocate_errors)?;
    document.relocate(at);
    Ok(document)
}

/// RFC 3986 percent-decoding (`+` is not a space here: IAM encodes spaces as `%20`).
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

impl PolicyDocument {
    /// Point every span at `span` (see [`parse_embedded`]).
    fn relocate(&mut self, span: Span) {
        self.span = span;
        if let Some(version) = &mut self.version {
            version.span = span;
        }
        for statement in &mut self.statements {
            statement.span = span;
            statement.effect.span = span;
            if let Some(sid) = &mut statement.sid {
                sid.span = span;
            }
            if let Some(condition) = &mut statement.condition {
                condition.span = span;
            }
            let lists = std::iter::once(&mut statement.actions).chain(statement.resources.as_mut());
            for list in lists {
                list.span = span;
                list.key_span = span;
                list.patterns.iter_mut().for_each(|p| p.span = span);
            }
            if let Some(principals) = &mut statement.principals {
                principals.entries.iter_mut().for_each(|e| e.id.span = span);
            }
        }
    }
}

fn error(span: Span, message: impl Into<String>, label: impl Into<String>) -> PolicyError {
    PolicyError {
        message: message.into(),
        label: label.into(),
        span,
    }
}

/// The first character of a node (its `{` or `[`): a short span for "this object lacks …".
fn opening(node: &Node) -> Span {
    Span {
        start: node.span.start,
        end: (node.span.start + 1).min(node.span.end),
    }
}

const VERSIONS: [&str; 2] = ["2012-10-17", "2008-10-17"];

/// Validate and type a policy object already read as JSON.
///
/// The strings of patterns and principals are moved out of `node` into the document (a
/// policy's tree is read once): what is left of them is empty.
pub fn parse_document(
    node: &mut Node,
    kind: DocumentKind,
) -> Result<PolicyDocument, Vec<PolicyError>> {
    let (span, open) = (node.span, opening(node));
    let Value::Object(members) = &mut node.value else {
        return Err(vec![error(
            node.span,
            format!("policy must be a JSON object, found {}", node.type_name()),
            "expected `{`",
        )]);
    };
    let mut errors = Vec::new();
    let mut version = None;
    let mut statement_node = None;
    for member in members {
        let value = &mut member.value;
        match member.key.value.as_str() {
            "Version" => match value.as_str() {
                Some(v) if VERSIONS.contains(&v) => {
                    version = Some(Spanned {
                        value: v.to_string(),
                        span: value.span,
                    })
                }
                Some(v) => errors.push(error(
                    value.span,
                    format!("unsupported `Version` \"{v}\""),
                    "use \"2012-10-17\"",
                )),
                None => errors.push(wrong_type(value, "a string")),
            },
            "Id" => {
                if value.as_str().is_none() {
                    errors.push(wrong_type(value, "a string"));
                }
            }
            "Statement" => statement_node = Some(value),
            other => errors.push(error(
                member.key.span,
                format!("unknown policy element `{other}`"),
                "expected `Version`, `Id` or `Statement`",
            )),
        }
    }
    let mut statements = Vec::new();
    match statement_node {
        None => errors.push(error(
            open,
            "missing `Statement`",
            "this policy has no `Statement`",
        )),
        Some(node) => {
            let items: Vec<&mut Node> = match &mut node.value {
                Value::Object(_) => vec![node],
                Value::Array(items) if items.is_empty() => {
                    errors.push(error(
                        node.span,
                        "`Statement` is empty",
                        "add at least one statement",
                    ));
                    Vec::new()
                }
                Value::Array(items) => items.iter_mut().collect(),
                _ => {
                    errors.push(wrong_type(node, "an object or a list of objects"));
                    Vec::new()
                }
            };
            let mut sids = HashSet::new();
            for (index, item) in items.into_iter().enumerate() {
                if let Some(statement) = parse_statement(item, index, kind, &mut sids, &mut errors)
                {
                    statements.push(statement);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(PolicyDocument {
            version,
            statements,
            span,
        })
    } else {
        Err(errors)
    }
}

fn wrong_type(node: &Node, expected: &str) -> PolicyError {
    error(
        node.span,
        format!("expected {expected}, found {}", node.type_name()),
        format!("expected {expected}"),
    )
}

/// The members of a statement, each looked up once.
#[derive(Default)]
struct StatementMembers<'a> {
    sid: Option<&'a Node>,
    effect: Option<&'a Node>,
    action: Option<(&'a mut Member, bool)>,
    resource: Option<(&'a mut Member, bool)>,
    principal: Option<(&'a mut Member, bool)>,
    condition: Option<&'a Node>,
}

/// Record `member` as the Action/NotAction (etc.) of the statement, or report the pair.
fn set_pair<'a>(
    slot: &mut Option<(&'a mut Member, bool)>,
    member: &'a mut Member,
    negated: bool,
    names: (&str, &str),
    errors: &mut Vec<PolicyError>,
) {
    match slot {
        Some((first, _)) if first.key.value == member.key.value => {}
        Some(_) => errors.push(error(
            member.key.span,
            format!("statement has both `{}` and `{}`", names.0, names.1),
            "remove one of these",
        )),
        None => *slot = Some((member, negated)),
    }
}

fn parse_statement(
    node: &mut Node,
    index: usize,
    kind: DocumentKind,
    sids: &mut HashSet<String>,
    errors: &mut Vec<PolicyError>,
) -> Option<Statement> {
    let (span, open) = (node.span, opening(node));
    let Value::Object(members) = &mut node.value else {
        errors.push(wrong_type(node, "a statement object"));
        return None;
    };
    let before = errors.len();
    let mut m = StatementMembers::default();
    for member in members {
        match member.key.value.as_str() {
            "Sid" => m.sid = Some(&member.value),
            "Effect" => m.effect = Some(&member.value),
            "Action" => set_pair(
                &mut m.action,
                member,
                false,
                ("Action", "NotAction"),
                errors,
            ),
            "NotAction" => set_pair(&mut m.action, member, true, ("Action", "NotAction"), errors),
            "Resource" => set_pair(
                &mut m.resource,
                member,
                false,
                ("Resource", "NotResource"),
                errors,
            ),
            "NotResource" => set_pair(
                &mut m.resource,
                member,
                true,
                ("Resource", "NotResource"),
                errors,
            ),
            "Principal" => set_pair(
                &mut m.principal,
                member,
                false,
                ("Principal", "NotPrincipal"),
                errors,
            ),
            "NotPrincipal" => set_pair(
                &mut m.principal,
                member,
                true,
                ("Principal", "NotPrincipal"),
                errors,
            ),
            "Condition" => m.condition = Some(&member.value),
            other => errors.push(error(
                member.key.span,
                format!("unknown statement element `{other}`"),
                "not an IAM policy element",
            )),
        }
    }

    let sid = m.sid.and_then(|value| match value.as_str() {
        Some(s) => {
            if !sids.insert(s.to_string()) {
                errors.push(error(
                    value.span,
                    format!("duplicate `Sid` \"{s}\""),
                    "Sids must be unique within a policy",
                ));
            }
            Some(Spanned {
                value: s.to_string(),
                span: value.span,
            })
        }
        None => {
            errors.push(wrong_type(value, "a string"));
            None
        }
    });

    let effect = match m.effect {
        None => {
            errors.push(error(
                open,
                "statement has no `Effect`",
                "add \"Effect\": \"Allow\" or \"Deny\"",
            ));
            None
        }
        Some(value) => match value.as_str() {
            Some("Allow") => Some(Effect::Allow),
            Some("Deny") => Some(Effect::Deny),
            Some(other) => {
                let label = match other.to_ascii_lowercase().as_str() {
                    "allow" => "did you mean `Allow`?".to_string(),
                    "deny" => "did you mean `Deny`?".to_string(),
                    _ => "expected `Allow` or `Deny`".to_string(),
                };
                errors.push(error(
                    value.span,
                    format!("`Effect` must be exactly `Allow` or `Deny`, found \"{other}\""),
                    label,
                ));
                None
            }
            None => {
                errors.push(wrong_type(value, "a string"));
                None
            }
        },
    }
    .map(|effect| Spanned {
        value: effect,
        span: m.effect.map_or(span, |v| v.span),
    });

    let actions = match m.action {
        None => {
            errors.push(error(
                open,
                "statement has neither `Action` nor `NotAction`",
                "add `Action` or `NotAction`",
            ));
            None
        }
        Some((member, negated)) => pattern_list(member, negated, errors, check_action),
    };

    let resources = match m.resource {
        None if kind == DocumentKind::Identity => {
            errors.push(error(
                open,
                "statement has neither `Resource` nor `NotResource`",
                "add `Resource` or `NotResource`",
            ));
            None
        }
        None => None,
        Some((member, negated)) => pattern_list(member, negated, errors, |_| None),
    };

    let principals = match m.principal {
        None if kind == DocumentKind::Trust => {
            errors.push(error(
                open,
                "trust policy statement has neither `Principal` nor `NotPrincipal`",
                "add `Principal`",
            ));
            None
        }
        None => None,
        Some((member, negated)) => parse_principals(&mut member.value, negated, errors),
    };

    let condition = m.condition.and_then(|value| parse_condition(value, errors));

    if errors.len() > before {
        return None;
    }
    Some(Statement {
        index,
        sid,
        effect: effect?,
        actions: actions?,
        resources,
        condition,
        principals,
        span,
    })
}

/// IAM rejects actions without a service prefix (`"Action": "UpdateService"`).
fn check_action(pattern: &Spanned<String>) -> Option<PolicyError> {
    (pattern.value != "*" && !pattern.value.contains(':')).then(|| {
        error(
            pattern.span,
            format!("action `{}` has no service prefix", pattern.value),
            "write it as `service:Action`, e.g. `ecs:UpdateService`",
        )
    })
}

fn pattern_list(
    member: &mut Member,
    negated: bool,
    errors: &mut Vec<PolicyError>,
    check: impl Fn(&Spanned<String>) -> Option<PolicyError>,
) -> Option<PatternList> {
    let name = &member.key.value;
    let value = &mut member.value;
    let before = errors.len();
    let patterns = strings(value, errors);
    if patterns.as_ref().is_some_and(Vec::is_empty) {
        errors.push(error(
            value.span,
            format!("`{name}` is empty"),
            "list at least one value",
        ));
    }
    let patterns = patterns?;
    errors.extend(patterns.iter().filter_map(&check));
    (errors.len() == before).then_some(PatternList {
        negated,
        patterns,
        key_span: member.key.span,
        span: value.span,
    })
}

/// A string or a list of strings (moved out of the tree); anything else is reported
/// where it stands.
fn strings(value: &mut Node, errors: &mut Vec<PolicyError>) -> Option<Vec<Spanned<String>>> {
    let span = value.span;
    match &mut value.value {
        Value::String(s) => Some(vec![Spanned {
            value: std::mem::take(s),
            span,
        }]),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter_mut() {
                match &mut item.value {
                    Value::String(s) => out.push(Spanned {
                        value: std::mem::take(s),
                        span: item.span,
                    }),
                    _ => errors.push(wrong_type(item, "a string")),
                }
            }
            (out.len() == items.len()).then_some(out)
        }
        _ => {
            errors.push(wrong_type(value, "a string or a list of strings"));
            None
        }
    }
}

const PRINCIPAL_KINDS: [&str; 4] = ["AWS", "Service", "Federated", "CanonicalUser"];

fn parse_principals(
    value: &mut Node,
    negated: bool,
    errors: &mut Vec<PolicyError>,
) -> Option<Principals> {
    let mut entries = Vec::new();
    let span = value.span;
    match &mut value.value {
        Value::String(s) if s == "*" => entries.push(PrincipalEntry {
            kind: "*".into(),
            id: Spanned {
                value: s.clone(),
                span,
            },
        }),
        Value::Object(members) => {
            for member in members {
                if !PRINCIPAL_KINDS.contains(&member.key.value.as_str()) {
                    errors.push(error(
                        member.key.span,
                        format!("unknown principal type `{}`", member.key.value),
                        "expected `AWS`, `Service`, `Federated` or `CanonicalUser`",
                    ));
                    continue;
                }
                for id in strings(&mut member.value, errors).unwrap_or_default() {
                    entries.push(PrincipalEntry {
                        kind: member.key.value.clone(),
                        id,
                    });
                }
            }
        }
        _ => {
            errors.push(wrong_type(value, "\"*\" or an object of principals"));
            return None;
        }
    }
    Some(Principals { negated, entries })
}

/// `{"Operator": {"key": value-or-list}}`; values are strings, booleans or numbers.
fn parse_condition(value: &Node, errors: &mut Vec<PolicyError>) -> Option<Condition> {
    let Value::Object(operators) = &value.value else {
        errors.push(wrong_type(value, "an object"));
        return None;
    };
    for operator in operators {
        let Value::Object(keys) = &operator.value.value else {
            errors.push(wrong_type(&operator.value, "an object of condition keys"));
            continue;
        };
        for key in keys {
            let scalar = |n: &Node| {
                matches!(
                    n.value,
                    Value::String(_) | Value::Bool(_) | Value::Number(_)
                )
            };
            match &key.value.value {
                Value::Array(items) => {
                    for item in items.iter().filter(|i| !scalar(i)) {
                        errors.push(wrong_type(item, "a string, boolean or number"));
                    }
                }
                _ if scalar(&key.value) => {}
                _ => errors.push(wrong_type(
                    &key.value,
                    "a string, boolean, number or list of them",
                )),
            }
        }
    }
    Some(Condition {
        is_empty: operators.is_empty(),
        span: value.span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PolicyDocument, Vec<PolicyError>> {
        parse_policy_text(text, DocumentKind::Identity)
    }

    /// The (message, located text) of every error.
    fn errors(text: &str) -> Vec<(String, String)> {
        parse(text)
            .expect_err(text)
            .into_iter()
            .map(|e| (e.message, text[e.span.start..e.span.end].to_string()))
            .collect()
    }

    fn one_error(text: &str) -> (String, String) {
        let mut all = errors(text);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    fn statement(body: &str) -> String {
        format!(r#"{{"Version": "2012-10-17", "Statement": [{body}]}}"#)
    }

    const GOOD: &str = r#"{"Effect": "Allow", "Action": "ecs:UpdateService", "Resource": "*"}"#;

    #[test]
    fn accepts_the_shapes_people_have() {
        let object_statement = r#"{"Statement": {"Effect": "Deny", "Action": ["ecs:*"], "Resource": ["*", "arn:aws:ecs:*:*:*"]}}"#;
        let doc = parse(object_statement).unwrap();
        assert_eq!(doc.version, None);
        assert_eq!(doc.statements.len(), 1);
        assert_eq!(doc.statements[0].effect.value, Effect::Deny);
        assert_eq!(
            doc.statements[0].resources.as_ref().unwrap().patterns.len(),
            2
        );
        let listed = parse(&statement(GOOD)).unwrap();
        assert_eq!(listed.version.unwrap().value, "2012-10-17");
        let s = &listed.statements[0];
        assert_eq!(
            (
                s.index,
                s.actions.negated,
                s.actions.patterns[0].value.as_str()
            ),
            (0, false, "ecs:UpdateService")
        );
        assert!(
            parse(r#"{"Version": "2008-10-17", "Id": "x", "Statement": []}"#).is_err(),
            "empty statement list"
        );
        assert!(
            parse(&statement(
                r#"{"Sid": "", "Effect": "Allow", "NotAction": "s3:*", "NotResource": "*"}"#
            ))
            .is_ok()
        );
    }

    #[test]
    fn unwraps_aws_cli_output_shapes() {
        let inner = statement(GOOD);
        for wrapped in [
            format!(
                r#"{{"PolicyVersion": {{"Document": {inner}, "VersionId": "v3", "IsDefaultVersion": true}}}}"#
            ),
            format!(r#"{{"RoleName": "r", "PolicyName": "p", "PolicyDocument": {inner}}}"#),
        ] {
            let doc = parse(&wrapped).unwrap();
            assert_eq!(&wrapped[doc.span.start..doc.span.end], inner);
        }
        assert_eq!(
            one_error(r#"{"PolicyVersion": {"VersionId": "v1"}}"#).0,
            "`PolicyVersion` has no `Document`"
        );
    }

    #[test]
    fn decodes_url_encoded_documents_and_locates_them_at_the_string() {
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22ecs%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let text = format!(r#"{{"PolicyVersion": {{"Document": "{encoded}"}}}}"#);
        let doc = parse(&text).unwrap();
        let string_token = format!("\"{encoded}\"");
        let at = text.find(&string_token).unwrap();
        assert_eq!(doc.statements[0].actions.patterns[0].value, "ecs:*");
        assert_eq!(
            doc.statements[0].actions.span,
            Span {
                start: at,
                end: at + string_token.len()
            }
        );
        let plain = r#"{"PolicyDocument": "{\"Statement\": {\"Effect\": \"allow\", \"Action\": \"ecs:*\", \"Resource\": \"*\"}}"}"#;
        let (message, located) = one_error(plain);
        assert_eq!(
            message,
            "`Effect` must be exactly `Allow` or `Deny`, found \"allow\""
        );
        assert!(located.starts_with("\"{"), "{located}");
    }

    #[test]
    fn top_level_errors() {
        assert_eq!(
            one_error("[]"),
            (
                "policy must be a JSON object, found array".into(),
                "[]".into()
            )
        );
        assert_eq!(
            one_error("null").0,
            "policy must be a JSON object, found null"
        );
        // A string is a policy only inside an AWS CLI wrapper.
        assert_eq!(
            one_error(r#""{\"Statement\": []}""#).0,
            "policy must be a JSON object, found string"
        );
        assert_eq!(
            one_error(r#"{"Version": "2012-10-17"}"#),
            ("missing `Statement`".into(), "{".into())
        );
        assert_eq!(
            one_error(
                r#"{"Version": "2020-01-01", "Statement": {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}}"#
            ),
            (
                "unsupported `Version` \"2020-01-01\"".into(),
                "\"2020-01-01\"".into()
            )
        );
        assert_eq!(
            one_error(r#"{"Version": 2012, "Statement": []}"#.replace("[]", GOOD).as_str()).0,
            "expected a string, found number"
        );
        assert_eq!(
            one_error(&format!(r#"{{"Statement": {GOOD}, "Foo": 1}}"#)),
            ("unknown policy element `Foo`".into(), "\"Foo\"".into())
        );
        assert_eq!(
            one_error(r#"{"Statement": "x"}"#).0,
            "expected an object or a list of objects, found string"
        );
        assert_eq!(
            one_error(r#"{"Statement": [1]}"#).0,
            "expected a statement object, found number"
        );
        assert_eq!(one_error(r#"{"Statement": []}"#).0, "`Statement` is empty");
    }

    #[test]
    fn syntax_errors_are_single_and_located() {
        assert_eq!(
            one_error(r#"{"Statement": [], "Statement": []}"#),
            ("duplicate key `Statement`".into(), "\"Statement\"".into())
        );
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": "*", "Action": "s3:*"}"#
            ))
            .0,
            "duplicate key `Action`"
        );
    }

    #[test]
    fn effect_must_be_exactly_allow_or_deny() {
        let e = parse(&statement(
            r#"{"Effect": "allow", "Action": "ecs:*", "Resource": "*"}"#,
        ))
        .unwrap_err();
        assert_eq!(
            e[0].message,
            "`Effect` must be exactly `Allow` or `Deny`, found \"allow\""
        );
        assert_eq!(e[0].label, "did you mean `Allow`?");
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Permit", "Action": "ecs:*", "Resource": "*"}"#
            ))
            .1,
            "\"Permit\""
        );
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": true, "Action": "ecs:*", "Resource": "*"}"#
            ))
            .0,
            "expected a string, found boolean"
        );
        assert_eq!(
            one_error(&statement(r#"{"Action": "ecs:*", "Resource": "*"}"#)).0,
            "statement has no `Effect`"
        );
    }

    #[test]
    fn action_and_resource_pairs() {
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Allow", "Action": "ecs:*", "NotAction": "s3:*", "Resource": "*"}"#
            )),
            (
                "statement has both `Action` and `NotAction`".into(),
                "\"NotAction\"".into()
            )
        );
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Allow", "Action": "ecs:*", "NotResource": "x", "Resource": "*"}"#
            )),
            (
                "statement has both `Resource` and `NotResource`".into(),
                "\"Resource\"".into()
            )
        );
        assert_eq!(
            one_error(&statement(r#"{"Effect": "Allow", "Resource": "*"}"#)).0,
            "statement has neither `Action` nor `NotAction`"
        );
        assert_eq!(
            one_error(&statement(r#"{"Effect": "Allow", "Action": "ecs:*"}"#)).0,
            "statement has neither `Resource` nor `NotResource`"
        );
        let trust = r#"{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["ecs-tasks.amazonaws.com"]}}}"#;
        let doc = parse_policy_text(trust, DocumentKind::Trust).unwrap();
        let principals = doc.statements[0].principals.as_ref().unwrap();
        assert_eq!(
            (
                principals.entries[0].kind.as_str(),
                principals.entries[0].id.value.as_str()
            ),
            ("Service", "ecs-tasks.amazonaws.com")
        );
        let no_principal = r#"{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole"}}"#;
        assert_eq!(
            parse_policy_text(no_principal, DocumentKind::Trust).unwrap_err()[0].message,
            "trust policy statement has neither `Principal` nor `NotPrincipal`"
        );
    }

    #[test]
    fn wrong_types_and_empty_lists_are_located() {
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Allow", "Action": ["ecs:*", 7], "Resource": "*"}"#
            )),
            ("expected a string, found number".into(), "7".into())
        );
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Allow", "Action": {}, "Resource": "*"}"#
            ))
            .0,
            "expected a string or a list of strings, found object"
        );
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Allow", "Action": [], "Resource": "*"}"#
            )),
            ("`Action` is empty".into(), "[]".into())
        );
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": []}"#
            ))
            .0,
            "`Resource` is empty"
        );
        assert_eq!(
            one_error(&statement(
                r#"{"Sid": 1, "Effect": "Allow", "Action": "ecs:*", "Resource": "*"}"#
            ))
            .0,
            "expected a string, found number"
        );
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": "*", "Condition": []}"#
            ))
            .0,
            "expected an object, found array"
        );
        assert_eq!(
            one_error(&statement(r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": "*", "Condition": {"StringEquals": {"k": {"x": 1}}}}"#)).0,
            "expected a string, boolean, number or list of them, found object"
        );
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": "*", "Principal": 5}"#
            ))
            .0,
            "expected \"*\" or an object of principals, found number"
        );
    }

    #[test]
    fn statement_level_checks() {
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Allow", "Action": "UpdateService", "Resource": "*"}"#
            )),
            (
                "action `UpdateService` has no service prefix".into(),
                "\"UpdateService\"".into()
            )
        );
        assert_eq!(
            one_error(&statement(
                r#"{"Effect": "Allow", "Actions": "ecs:*", "Action": "ecs:*", "Resource": "*"}"#
            ))
            .0,
            "unknown statement element `Actions`"
        );
        let dup = format!(
            r#"{{"Statement": [{0}, {0}]}}"#,
            r#"{"Sid": "A", "Effect": "Allow", "Action": "ecs:*", "Resource": "*"}"#
        );
        assert_eq!(one_error(&dup).0, "duplicate `Sid` \"A\"");
    }

    #[test]
    fn every_error_of_a_document_is_reported() {
        let text = format!(
            r#"{{"Statement": [{GOOD}, {{"Effect": "allow", "Action": "ecs:*", "Resource": "*"}}, {{"Effect": "Deny", "Action": [], "NotAction": "x:y", "Resource": "*"}}]}}"#
        );
        let all = errors(&text);
        let messages: Vec<&str> = all.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`Effect` must be exactly `Allow` or `Deny`, found \"allow\"",
                "statement has both `Action` and `NotAction`",
                "`Action` is empty",
            ]
        );
    }

    #[test]
    fn condition_emptiness() {
        let doc = parse(&statement(
            r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": "*", "Condition": {}}"#,
        ))
        .unwrap();
        assert!(doc.statements[0].condition.as_ref().unwrap().is_empty);
        let doc = parse(&statement(r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": [true, "false", 1]}}}"#)).unwrap();
        assert!(!doc.statements[0].condition.as_ref().unwrap().is_empty);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%2Fc+d").as_deref(), Some("a b/c+d"));
        assert_eq!(percent_decode("%zz%4").as_deref(), Some("%zz%4"));
        assert_eq!(percent_decode("%ff"), None);
    }
}
