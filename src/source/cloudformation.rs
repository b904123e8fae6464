//! CloudFormation, SAM and CDK-synthesized templates, JSON or YAML (already read into the
//! span-aware tree) → the account model ([`Model`]). Intrinsic functions are resolved
//! within the template; each resolved value keeps the span of the expression it came
//! from, so findings point into the template.
//!
//! Resolution rules (README, "Infrastructure as code"): `Ref` to a parameter is its
//! `Default`; `Ref`/`Fn::GetAtt` to an IAM resource is its name or ARN in the
//! placeholder account; to any other resource of the stack, `arn:aws:*` (a resource whose
//! ARN is known at deploy time); what cannot be computed is `*` and an unresolved
//! problem, and a Deny holding such a value counts as conditional (it may not apply).

use super::dump::{Declared, Document, InlinePolicy, ManagedPolicy, Principal};
use super::sam;
use super::template::{
    Builder, Detached, List, Model, PLACEHOLDER_ACCOUNT, Problem, ProblemKind, Reference,
    document_or_problems, scalar_text, soften_guessed_denies, text,
};
use crate::document::json::{Member, Node, Spanned, Value};
use crate::document::policy::{parse_document, parse_embedded};
use crate::document::{DocumentKind, Span};
use std::collections::HashMap;

/// The region `AWS::Region` resolves to.
pub const REGION: &str = "us-east-1";
/// What a reference to a non-IAM resource of the stack resolves to.
pub const STACK_RESOURCE: &str = "arn:aws:*";
/// References (names computed from other names) nest at most this deep.
const MAX_REFERENCE_DEPTH: usize = 32;
const LAMBDA_BASIC_EXECUTION: &str =
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const LAMBDA_TRUST: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;

/// Whether a tree read from a file is a template: an object with a `Resources` object
/// (and not a policy document).
pub fn is_template(root: &Node) -> bool {
    matches!(
        root.get("Resources").map(|r| &r.value),
        Some(Value::Object(_))
    ) && root.get("Statement").is_none()
}

/// The role SAM creates for a function, the managed policies and the boundary it names.
type FunctionRole = (Principal, Vec<Spanned<String>>, Option<Spanned<String>>);

struct Resource<'a> {
    id: &'a str,
    /// The logical id's key in `Resources`.
    key: Span,
    kind: &'a str,
    properties: Option<&'a Node>,
    /// False when its `Condition` is false for the parameters' defaults.
    exists: bool,
}

struct Reader<'a> {
    page: usize,
    parameters: Option<&'a Node>,
    mappings: Option<&'a Node>,
    conditions: Option<&'a Node>,
    resources: Vec<Resource<'a>>,
    index: HashMap<&'a str, usize>,
    names: HashMap<usize, Option<String>>,
    visiting: Vec<usize>,
    deciding: Vec<String>,
    problems: Vec<Problem>,
}

/// The one-member object of an intrinsic function (`{"Ref": …}`, `{"Fn::Sub": …}`).
fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    match &node.value {
        Value::Object(members) if members.len() == 1 => {
            let key = members[0].key.value.as_str();
            (key == "Ref" || key.starts_with("Fn::")).then_some((key, &members[0].value))
        }
        _ => None,
    }
}

fn items(node: &Node) -> &[Node] {
    match &node.value {
        Value::Array(items) => items,
        _ => std::slice::from_ref(node),
    }
}

/// Read a template. Every problem is collected, located in page `page`.
pub fn read(root: &Node, page: usize) -> Model {
    let mut reader = Reader {
        page,
        parameters: root.get("Parameters"),
        mappings: root.get("Mappings"),
        conditions: root.get("Conditions"),
        resources: Vec::new(),
        index: HashMap::new(),
        names: HashMap::new(),
        visiting: Vec::new(),
        deciding: Vec::new(),
        problems: Vec::new(),
    };
    let Some(Node {
        value: Value::Object(members),
        ..
    }) = root.get("Resources")
    else {
        return Model::default();
    };
    for member in members {
        let node = &member.value;
        let kind = match node.get("Type") {
            Some(Node {
                value: Value::String(kind),
                ..
            }) => kind.as_str(),
            _ => {
                reader.invalid(
                    member.key.span,
                    format!("resource `{}` has no `Type` string", member.key.value),
                    "expected `Type: AWS::…`",
                );
                continue;
            }
        };
        reader
            .index
            .insert(member.key.value.as_str(), reader.resources.len());
        reader.resources.push(Resource {
            id: &member.key.value,
            key: member.key.span,
            kind,
            properties: node.get("Properties"),
            exists: true,
        });
    }
    // Resources whose condition is false are not created.
    for member in members {
        let Some(condition) = member.value.get("Condition") else {
            continue;
        };
        let Some(&at) = reader.index.get(member.key.value.as_str()) else {
            continue;
        };
        if let Some(name) = condition.as_str() {
            if reader.decide(name, condition.span) == Some(false) {
                reader.resources[at].exists = false;
            }
        }
    }
    reader.model()
}

impl<'a> Reader<'a> {
    fn problem(&mut self, kind: ProblemKind, span: Span, message: String, label: &str) {
        let problem = Problem::new(kind, self.page, span, message, label);
        self.problems.push(problem);
    }

    fn invalid(&mut self, span: Span, message: String, label: &str) {
        self.problem(ProblemKind::Invalid, span, message, label);
    }

    /// Record an unresolved value and stand `*` in for it.
    fn unresolved(&mut self, span: Span, message: String) -> Option<Node> {
        self.problem(
            ProblemKind::Unresolved,
            span,
            message,
            "iamlint reads this as `*`",
        );
        Some(text("*", span))
    }

    fn unresolved_count(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.kind == ProblemKind::Unresolved)
            .count()
    }

    /// A value with every intrinsic function replaced by what it evaluates to; `None` for
    /// `AWS::NoValue`.
    fn resolve(&mut self, node: &Node) -> Option<Node> {
        if let Some((key, argument)) = intrinsic(node) {
            return self.function(key, argument, node.span);
        }
        let value = match &node.value {
            Value::Array(items) => {
                Value::Array(items.iter().filter_map(|i| self.resolve(i)).collect())
            }
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .filter_map(|m| {
                        self.resolve(&m.value).map(|value| Member {
                            key: m.key.clone(),
                            value,
                        })
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        Some(Node {
            value,
            span: node.span,
        })
    }

    fn resolve_string(&mut self, node: &Node) -> Option<String> {
        self.resolve(node).and_then(|n| scalar_text(&n))
    }

    fn function(&mut self, key: &str, argument: &Node, span: Span) -> Option<Node> {
        match key {
            "Ref" => match argument.as_str() {
                Some(name) => self.reference(name, span),
                None => {
                    self.invalid(
                        argument.span,
                        "`Ref` takes the name of a parameter or resource".into(),
                        "expected a string",
                    );
                    Some(text("*", span))
                }
            },
            "Fn::GetAtt" => {
                let parts: Vec<String> = match &argument.value {
                    Value::String(s) => s.splitn(2, '.').map(str::to_string).collect(),
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|i| self.resolve_string(i))
                        .collect(),
                    _ => Vec::new(),
                };
                match parts.as_slice() {
                    [id, attribute] => self.attribute(id, attribute, span),
                    _ => {
                        self.invalid(
                            argument.span,
                            "`Fn::GetAtt` takes a resource and an attribute".into(),
                            "expected [LogicalId, Attribute] or LogicalId.Attribute",
                        );
                        Some(text("*", span))
                    }
                }
            }
            "Fn::Sub" => self.sub(argument, span),
            "Fn::Join" => {
                let parts = self.resolve(argument);
                let (delimiter, list) = match parts.as_ref().map(|p| &p.value) {
                    Some(Value::Array(parts)) if parts.len() == 2 => (&parts[0], &parts[1]),
                    _ => return self.malformed(key, argument.span),
                };
                let (Some(delimiter), Value::Array(list)) = (scalar_text(delimiter), &list.value)
                else {
                    return self.malformed(key, argument.span);
                };
                let mut joined = Vec::new();
                for item in list {
                    match scalar_text(item) {
                        Some(s) => joined.push(s),
                        None => return self.malformed(key, item.span),
                    }
                }
                Some(text(joined.join(&delimiter), span))
            }
            "Fn::Select" => {
                let parts = self.resolve(argument);
                let Some(Value::Array(parts)) = parts.as_ref().map(|p| &p.value) else {
                    return self.malformed(key, argument.span);
                };
                match parts.as_slice() {
                    [index, list] => {
                        let index = scalar_text(index).and_then(|i| i.parse::<usize>().ok());
                        match (index, &list.value) {
                            (Some(i), Value::Array(list)) if i < list.len() => Some(Node {
                                span,
                                ..list[i].clone()
                            }),
                            _ => self.unresolved(
                                span,
                                "`Fn::Select` index is not within its list".into(),
                            ),
                        }
                    }
                    _ => self.malformed(key, argument.span),
                }
            }
            "Fn::Split" => {
                let parts = self.resolve(argument);
                let Some(Value::Array(parts)) = parts.as_ref().map(|p| &p.value) else {
                    return self.malformed(key, argument.span);
                };
                match parts.as_slice() {
                    [delimiter, source] => match (scalar_text(delimiter), scalar_text(source)) {
                        (Some(d), Some(s)) if !d.is_empty() => Some(Node {
                            value: Value::Array(s.split(&d).map(|p| text(p, span)).collect()),
                            span,
                        }),
                        _ => self.malformed(key, argument.span),
                    },
                    _ => self.malformed(key, argument.span),
                }
            }
            "Fn::If" => {
                let Value::Array(parts) = &argument.value else {
                    return self.malformed(key, argument.span);
                };
                let [condition, then, otherwise] = parts.as_slice() else {
                    return self.malformed(key, argument.span);
                };
                let Some(name) = condition.as_str() else {
                    return self.malformed(key, condition.span);
                };
                match self.decide(name, condition.span) {
                    Some(true) => self.resolve(then),
                    Some(false) => self.resolve(otherwise),
                    None => {
                        self.problem(
                            ProblemKind::Unresolved,
                            condition.span,
                            format!("condition `{name}` cannot be decided from the parameters' defaults; iamlint reads the first branch"),
                            "undecided",
                        );
                        self.resolve(then)
                    }
                }
            }
            "Fn::FindInMap" => {
                let parts = self.resolve(argument);
                let Some(Value::Array(parts)) = parts.as_ref().map(|p| &p.value) else {
                    return self.malformed(key, argument.span);
                };
                let keys: Vec<Option<String>> = parts.iter().map(scalar_text).collect();
                let found = match keys.as_slice() {
                    [Some(map), Some(first), Some(second)] => self
                        .mappings
                        .and_then(|m| m.get(map))
                        .and_then(|m| m.get(first))
                        .and_then(|m| m.get(second)),
                    _ => None,
                };
                match found {
                    Some(value) => {
                        let value = value.clone();
                        self.resolve(&value).map(|n| Node { span, ..n })
                    }
                    None => {
                        self.unresolved(span, "`Fn::FindInMap` names no entry of `Mappings`".into())
                    }
                }
            }
            _ => self.unresolved(span, format!("iamlint does not evaluate `{key}`")),
        }
    }

    fn malformed(&mut self, key: &str, span: Span) -> Option<Node> {
        self.invalid(
            span,
            format!("malformed `{key}`"),
            "see the function's syntax in the CloudFormation reference",
        );
        Some(text("*", span))
    }

    /// `Ref NAME`: a pseudo parameter, a parameter or a resource.
    fn reference(&mut self, name: &str, span: Span) -> Option<Node> {
        match name {
            "AWS::NoValue" => return None,
            "AWS::AccountId" => return Some(text(PLACEHOLDER_ACCOUNT, span)),
            "AWS::Region" => return Some(text(REGION, span)),
            "AWS::Partition" => return Some(text("aws", span)),
            "AWS::URLSuffix" => return Some(text("amazonaws.com", span)),
            _ if name.starts_with("AWS::") => {
                return self.unresolved(
                    span,
                    format!("pseudo parameter `{name}` is known only at deploy time"),
                );
            }
            _ => {}
        }
        if let Some(parameter) = self.parameters.and_then(|p| p.get(name)) {
            let list = parameter
                .get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
            return match parameter.get("Default").and_then(scalar_text) {
                Some(default) if list => Some(Node {
                    value: Value::Array(default.split(',').map(|p| text(p.trim(), span)).collect()),
                    span,
                }),
                Some(default) => Some(text(default, span)),
                None => self.unresolved(span, format!("parameter `{name}` has no `Default`")),
            };
        }
        match self.index.get(name) {
            Some(&i) => {
                let value = match self.resources[i].kind {
                    "AWS::IAM::ManagedPolicy" => self.arn_of(i, span),
                    "AWS::IAM::Role"
                    | "AWS::IAM::User"
                    | "AWS::IAM::Group"
                    | "AWS::IAM::InstanceProfile"
                    | "AWS::Serverless::Function" => self.name_of(i, span),
                    _ => Some(STACK_RESOURCE.to_string()),
                };
                Some(text(value.unwrap_or_else(|| "*".into()), span))
            }
            None => {
                self.invalid(
                    span,
                    format!("`Ref` to `{name}`, which is neither a parameter nor a resource of this template"),
                    "unknown name",
                );
                Some(text("*", span))
            }
        }
    }

    fn attribute(&mut self, id: &str, attribute: &str, span: Span) -> Option<Node> {
        let Some(&i) = self.index.get(id) else {
            self.invalid(
                span,
                format!("`Fn::GetAtt` of `{id}`, which is not a resource of this template"),
                "unknown resource",
            );
            return Some(text("*", span));
        };
        let value = match (self.resources[i].kind, attribute) {
            ("AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group", "Arn")
            | ("AWS::IAM::ManagedPolicy", "PolicyArn") => self.arn_of(i, span),
            (kind, _) if kind.starts_with("AWS::IAM::") => {
                return self.unresolved(
                    span,
                    format!("`{id}.{attribute}` is known only at deploy time"),
                );
            }
            _ => Some(STACK_RESOURCE.to_string()),
        };
        Some(text(value.unwrap_or_else(|| "*".into()), span))
    }

    fn sub(&mut self, argument: &Node, span: Span) -> Option<Node> {
        let (template, variables) = match &argument.value {
            Value::String(s) => (s.clone(), None),
            Value::Array(parts) if parts.len() == 2 => match parts[0].as_str() {
                Some(s) => (s.to_string(), Some(&parts[1])),
                None => return self.malformed("Fn::Sub", argument.span),
            },
            _ => return self.malformed("Fn::Sub", argument.span),
        };
        let mut out = String::new();
        let mut rest = template.as_str();
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[at..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let value = match variables.and_then(|v| v.get(name)) {
                Some(value) => self.resolve(value),
                None => match name.split_once('.') {
                    Some((id, attribute)) if self.index.contains_key(id) => {
                        self.attribute(id, attribute, span)
                    }
                    _ => self.reference(name, span),
                },
            };
            match value.as_ref().and_then(scalar_text) {
                Some(value) => out.push_str(&value),
                None => {
                    self.unresolved(span, format!("`${{{name}}}` is not a string"));
                    out.push('*');
                }
            }
        }
        out.push_str(rest);
        Some(text(out, span))
    }

    /// A condition of `Conditions`, decided from the parameters' defaults: `None` when
    /// it depends on something iamlint cannot compute.
    fn decide(&mut self, name: &str, span: Span) -> Option<bool> {
        let Some(condition) = self.conditions.and_then(|c| c.get(name)) else {
            self.invalid(
                span,
                format!("condition `{name}` is not in `Conditions`"),
                "unknown condition",
            );
            return None;
        };
        if self.deciding.iter().any(|d| d == name) || self.deciding.len() > MAX_REFERENCE_DEPTH {
            self.invalid(
                span,
                format!("condition `{name}` depends on itself"),
                "reference cycle",
            );
            return None;
        }
        self.deciding.push(name.to_string());
        let decided = self.condition_value(condition);
        self.deciding.pop();
        decided
    }

    fn condition_value(&mut self, node: &Node) -> Option<bool> {
        let Value::Object(members) = &node.value else {
            return None;
        };
        let [member] = members.as_slice() else {
            return None;
        };
        let argument = &member.value;
        match member.key.value.as_str() {
            "Condition" => {
                let name = argument.as_str()?;
                self.decide(name, argument.span)
            }
            "Fn::Equals" => {
                let [a, b] = items(argument) else { return None };
                let before = self.unresolved_count();
                let (a, b) = (self.resolve_string(a), self.resolve_string(b));
                if self.unresolved_count() > before {
                    return None;
                }
                Some(a? == b?)
            }
            "Fn::Not" => {
                let [inner] = items(argument) else {
                    return None;
                };
                self.condition_value(inner).map(|v| !v)
            }
            "Fn::And" | "Fn::Or" => {
                let values: Vec<Option<bool>> = items(argument)
                    .iter()
                    .map(|c| self.condition_value(c))
                    .collect();
                let and = member.key.value == "Fn::And";
                if values.contains(&Some(!and)) {
                    Some(!and)
                } else if values.iter().all(Option::is_some) {
                    Some(and)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The name a principal or managed policy will have: its name property, or its
    /// logical id (CloudFormation would add a stack prefix and a random suffix).
    fn name_of(&mut self, i: usize, span: Span) -> Option<String> {
        if let Some(name) = self.names.get(&i) {
            return name.clone();
        }
        let resource = &self.resources[i];
        let key = match resource.kind {
            "AWS::IAM::Role" => "RoleName",
            "AWS::IAM::User" => "UserName",
            "AWS::IAM::Group" => "GroupName",
            "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
            "AWS::IAM::InstanceProfile" => "InstanceProfileName",
            "AWS::Serverless::Function" => "FunctionName",
            _ => "",
        };
        let (id, properties) = (resource.id, resource.properties);
        let Some(property) = properties.and_then(|p| p.get(key)) else {
            self.names.insert(i, Some(id.to_string()));
            return Some(id.to_string());
        };
        if self.visiting.contains(&i) || self.visiting.len() > MAX_REFERENCE_DEPTH {
            let mut chain: Vec<&str> = self
                .visiting
                .iter()
                .map(|&v| self.resources[v].id)
                .collect();
            chain.push(id);
            let message = format!("reference cycle: {}", chain.join(" → "));
            self.invalid(span, message, "this reference closes the cycle");
            return None;
        }
        self.visiting.push(i);
        let name = self.resolve_string(property);
        self.visiting.pop();
        self.names.insert(i, name.clone());
        name
    }

    fn arn_of(&mut self, i: usize, span: Span) -> Option<String> {
        let kind = match self.resources[i].kind {
            "AWS::IAM::Role" => "role",
            "AWS::IAM::User" => "user",
            "AWS::IAM::Group" => "group",
            _ => "policy",
        };
        let path = self.path_of(i);
        let name = self.name_of(i, span)?;
        Some(format!(
            "arn:aws:iam::{PLACEHOLDER_ACCOUNT}:{kind}{path}{name}"
        ))
    }

    fn path_of(&mut self, i: usize) -> String {
        let path = self.resources[i].properties.and_then(|p| p.get("Path"));
        match path.and_then(|p| self.resolve_string(p)) {
            Some(path) if path.starts_with('/') && path.ends_with('/') => path,
            _ => "/".into(),
        }
    }

    /// A policy document property, resolved and typed. A value read as `*` inside a Deny
    /// statement makes that Deny conditional: it may not apply, so it removes nothing.
    fn document(&mut self, node: &Node, kind: DocumentKind) -> Option<Document> {
        let mut resolved = self.resolve(node)?;
        if let Value::Object(members) = &mut resolved.value {
            if let Some(statement) = members.iter().position(|m| m.key.value == "Statement") {
                // Any value read as `*` (unresolved, or standing in for an invalid one).
                let guessed: Vec<Span> = self.problems.iter().map(|p| p.error.span).collect();
                soften_guessed_denies(&mut members[statement].value, &guessed);
            }
        }
        let parsed = match &resolved.value {
            Value::String(embedded) => parse_embedded(embedded, resolved.span, kind),
            _ => parse_document(&mut resolved, kind),
        };
        document_or_problems(self.page, parsed, &mut self.problems)
    }

    fn properties(&self, i: usize) -> Option<&'a Node> {
        self.resources[i].properties
    }

    /// A list of names or ARNs (`Roles`, `Groups`, `ManagedPolicyArns`), resolved.
    fn string_list(&mut self, i: usize, key: &str) -> Vec<Spanned<String>> {
        let Some(node) = self.properties(i).and_then(|p| p.get(key)) else {
            return Vec::new();
        };
        let Some(resolved) = self.resolve(node) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items(&resolved) {
            match scalar_text(item) {
                Some(value) => out.push(Spanned {
                    value,
                    span: item.span,
                }),
                None => self.invalid(
                    item.span,
                    format!("`{key}` must hold strings, found {}", item.type_name()),
                    "expected a string",
                ),
            }
        }
        out
    }

    fn string_property(&mut self, i: usize, key: &str) -> Option<Spanned<String>> {
        let node = self.properties(i).and_then(|p| p.get(key))?;
        let span = node.span;
        self.resolve_string(node)
            .map(|value| Spanned { value, span })
    }

    fn required_document(&mut self, i: usize, key: &str, kind: DocumentKind) -> Option<Document> {
        match self.properties(i).and_then(|p| p.get(key)) {
            Some(node) => self.document(node, kind),
            None => {
                let (id, span) = (self.resources[i].id, self.resources[i].key);
                self.invalid(span, format!("`{id}` has no `{key}`"), "missing property");
                None
            }
        }
    }

    /// `Policies: [{PolicyName, PolicyDocument}]` of a role, user or group.
    fn inline_policies(&mut self, i: usize) -> Vec<InlinePolicy> {
        let Some(list) = self.properties(i).and_then(|p| p.get("Policies")) else {
            return Vec::new();
        };
        let Some(list) = self.resolve_shallow(list) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (n, entry) in items(&list).iter().enumerate() {
            let name = entry
                .get("PolicyName")
                .and_then(|p| self.resolve_string(p))
                .unwrap_or_else(|| format!("policy{n}"));
            match entry.get("PolicyDocument") {
                Some(document) => {
                    if let Some(document) = self.document(document, DocumentKind::Identity) {
                        out.push(InlinePolicy { name, document });
                    }
                }
                None => self.invalid(
                    entry.span,
                    "an entry of `Policies` has no `PolicyDocument`".into(),
                    "missing property",
                ),
            }
        }
        out
    }

    /// Resolve only an intrinsic at the top (`Policies: !If […]`), keeping the tree below
    /// for [`Reader::document`] to resolve statement by statement.
    fn resolve_shallow(&mut self, node: &Node) -> Option<Node> {
        match intrinsic(node) {
            Some(_) => self.resolve(node),
            None => Some(node.clone()),
        }
    }

    fn principal(&mut self, i: usize, kind: &str) -> Principal {
        let span = self.resources[i].key;
        let name = self.name_of(i, span).unwrap_or_else(|| "*".into());
        let arn = self.arn_of(i, span).unwrap_or_else(|| "*".into());
        let path = self.path_of(i);
        let trust = if kind == "AWS::IAM::Role" {
            self.required_document(i, "AssumeRolePolicyDocument", DocumentKind::Trust)
        } else {
            None
        };
        Principal {
            name,
            arn,
            path,
            inline: self.inline_policies(i),
            attached: Vec::new(),
            boundary: None,
            groups: Vec::new(),
            trust,
            declared: Some(Declared {
                name: self.resources[i].id.to_string(),
                page: self.page,
                span,
            }),
        }
    }

    /// The role SAM creates for a function without `Role`: trusted by Lambda, with the
    /// basic execution policy and the function's `Policies`.
    fn function_role(&mut self, i: usize) -> Option<FunctionRole> {
        if self.properties(i).and_then(|p| p.get("Role")).is_some() {
            return None;
        }
        let (id, span) = (self.resources[i].id, self.resources[i].key);
        let name = format!("{id}Role");
        let trust = match self
            .properties(i)
            .and_then(|p| p.get("AssumeRolePolicyDocument"))
        {
            Some(node) => self.document(node, DocumentKind::Trust),
            None => parse_embedded(LAMBDA_TRUST, span, DocumentKind::Trust)
                .ok()
                .map(|document| Document {
                    page: self.page,
                    document,
                }),
        };
        let mut attached = vec![Spanned {
            value: LAMBDA_BASIC_EXECUTION.to_string(),
            span,
        }];
        let mut inline = Vec::new();
        if let Some(policies) = self.properties(i).and_then(|p| p.get("Policies")) {
            let policies = self.resolve_shallow(policies);
            for (n, entry) in policies.iter().flat_map(items).enumerate() {
                if let Some(value) = entry.as_str() {
                    let arn = if value.starts_with("arn:") {
                        value.to_string()
                    } else {
                        format!("arn:aws:iam::aws:policy/{value}")
                    };
                    attached.push(Spanned {
                        value: arn,
                        span: entry.span,
                    });
                } else if intrinsic(entry).is_some() {
                    if let Some(value) = self.resolve_string(entry) {
                        attached.push(Spanned {
                            value,
                            span: entry.span,
                        });
                    }
                } else if entry.get("Statement").is_some() {
                    if let Some(document) = self.document(entry, DocumentKind::Identity) {
                        inline.push(InlinePolicy {
                            name: format!("{id}RolePolicy{n}"),
                            document,
                        });
                    }
                } else {
                    let (template, parameters) = match &entry.value {
                        Value::Object(members) if !members.is_empty() => {
                            (members[0].key.value.clone(), Some(&members[0].value))
                        }
                        _ => (entry.type_name().to_string(), None),
                    };
                    let expanded = parameters
                        .and_then(|parameters| sam::expand(&template, parameters, entry.span));
                    let Some((definition, missing)) = expanded else {
                        self.unresolved(
                            entry.span,
                            format!("SAM policy template `{template}` is not one iamlint knows; its grants are unknown"),
                        );
                        continue;
                    };
                    for parameter in missing {
                        self.unresolved(
                            entry.span,
                            format!("SAM policy template `{template}` needs `{parameter}`"),
                        );
                    }
                    if let Some(document) = self.document(&definition, DocumentKind::Identity) {
                        inline.push(InlinePolicy {
                            name: format!("{id}RolePolicy{n}"),
                            document,
                        });
                    }
                }
            }
        }
        let boundary = self.string_property(i, "PermissionsBoundary");
        let principal = Principal {
            arn: format!("arn:aws:iam::{PLACEHOLDER_ACCOUNT}:role/{name}"),
            name: name.clone(),
            path: "/".into(),
            inline,
            attached: Vec::new(),
            boundary: None,
            groups: Vec::new(),
            trust,
            declared: Some(Declared {
                name,
                page: self.page,
                span,
            }),
        };
        Some((principal, attached, boundary))
    }

    fn at(&self, value: Spanned<String>) -> Reference {
        Reference {
            value: value.value,
            page: self.page,
            span: value.span,
        }
    }

    fn model(mut self) -> Model {
        let mut builder = Builder::default();
        for i in 0..self.resources.len() {
            if !self.resources[i].exists {
                continue;
            }
            let kind = self.resources[i].kind;
            let list = match kind {
                "AWS::IAM::Role" => List::Role,
                "AWS::IAM::User" => List::User,
                "AWS::IAM::Group" => List::Group,
                "AWS::Serverless::Function" => {
                    if let Some((principal, attached, boundary)) = self.function_role(i) {
                        let at = builder.principal(List::Role, principal);
                        for arn in attached {
                            builder.attach_at(List::Role, at, self.at(arn));
                        }
                        if let Some(boundary) = boundary {
                            builder.boundary(List::Role, at, self.at(boundary));
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            let principal = self.principal(i, kind);
            let name = Spanned {
                value: principal.name.clone(),
                span: self.resources[i].key,
            };
            let at = builder.principal(list, principal);
            for arn in self.string_list(i, "ManagedPolicyArns") {
                builder.attach_at(list, at, self.at(arn));
            }
            if let Some(boundary) = self.string_property(i, "PermissionsBoundary") {
                builder.boundary(list, at, self.at(boundary));
            }
            if list == List::User {
                for group in self.string_list(i, "Groups") {
                    builder.membership(self.at(name.clone()), self.at(group));
                }
            }
        }
        for i in 0..self.resources.len() {
            if self.resources[i].exists {
                self.policy(i, &mut builder);
            }
        }
        let mut model = builder.finish();
        model.problems.splice(0..0, self.problems);
        model
    }

    /// Managed and inline policy resources, and `UserToGroupAddition`.
    fn policy(&mut self, i: usize, builder: &mut Builder) {
        let kind = self.resources[i].kind;
        let (span, id) = (self.resources[i].key, self.resources[i].id.to_string());
        let lists: &[(&str, List)] = match kind {
            "AWS::IAM::UserToGroupAddition" => {
                if let Some(group) = self.string_property(i, "GroupName") {
                    for user in self.string_list(i, "Users") {
                        builder.membership(self.at(user), self.at(group.clone()));
                    }
                }
                return;
            }
            "AWS::IAM::RolePolicy" => &[("RoleName", List::Role)],
            "AWS::IAM::UserPolicy" => &[("UserName", List::User)],
            "AWS::IAM::GroupPolicy" => &[("GroupName", List::Group)],
            "AWS::IAM::ManagedPolicy" | "AWS::IAM::Policy" => &[
                ("Roles", List::Role),
                ("Users", List::User),
                ("Groups", List::Group),
            ],
            _ => return,
        };
        let Some(document) = self.required_document(i, "PolicyDocument", DocumentKind::Identity)
        else {
            return;
        };
        let mut targets = Vec::new();
        for (key, list) in lists {
            for name in self.string_list(i, key) {
                targets.push((*list, self.at(name)));
            }
        }
        if kind == "AWS::IAM::ManagedPolicy" {
            let arn = self.arn_of(i, span).unwrap_or_else(|| "*".into());
            let name = self.name_of(i, span).unwrap_or_else(|| id.clone());
            for (list, target) in targets {
                let arn = self.at(Spanned {
                    value: arn.clone(),
                    span,
                });
                builder.attach(list, target, arn);
            }
            builder.managed_policy(
                id,
                ManagedPolicy {
                    arn,
                    name,
                    document,
                },
            );
            return;
        }
        if targets.is_empty() {
            builder.detached.push(Detached { name: id, document });
            return;
        }
        let name = self
            .string_property(i, "PolicyName")
            .map_or_else(|| id.clone(), |n| n.value);
        for (list, target) in targets {
            let document = Document {
                page: document.page,
                document: document.document.clone(),
            };
            let name = name.clone();
            builder.inline(list, target, InlinePolicy { name, document });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::yaml;

    const TEMPLATE: &str = r#"
Parameters:
  Env: {Type: String, Default: prod}
  Services: {Type: CommaDelimitedList, Default: "api,worker"}
Mappings:
  Accounts: {prod: {Prefix: p}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Join ["-", [!FindInMap [Accounts, !Ref Env, Prefix], !Select [1, !Ref Services], !Select [0, !Split [",", "a,b"]]]]
      Path: /team/
      AssumeRolePolicyDocument:
        Statement: {Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: !If [IsDev, dev, prod]
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: ecs:UpdateService
                Resource: !Sub "arn:aws:ecs:${AWS::Region}:${AWS::AccountId}:service/${!Literal}/${Env}"
  DevOnly:
    Type: AWS::IAM::User
    Condition: IsDev
  User:
    Type: AWS::IAM::User
  Group:
    Type: AWS::IAM::Group
    Properties: {GroupName: ops}
  Join:
    Type: AWS::IAM::UserToGroupAddition
    Properties: {GroupName: !Ref Group, Users: [!Ref User]}
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref Role]
      PolicyDocument: {Statement: {Effect: Allow, Action: ecs:ListServices, Resource: "*"}}
  Extra:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: !Ref Role
      PolicyName: extra
      PolicyDocument: {Statement: {Effect: Allow, Action: ecs:ListClusters, Resource: "*"}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies: [AmazonS3ReadOnlyAccess, {DynamoDBCrudPolicy: {TableName: t}}]
"#;

    #[test]
    fn intrinsics_resolve_within_the_template() {
        let root = yaml::parse(TEMPLATE).unwrap();
        let model = read(&root, 0);
        let roles = &model.dump.roles;
        let role = roles.iter().find(|r| r.name == "p-worker-a").unwrap();
        assert_eq!(role.arn, "arn:aws:iam::123456789012:role/team/p-worker-a");
        assert_eq!(role.inline[0].name, "prod", "IsDev is false");
        let resource = &role.inline[0].document.document.statements[0]
            .resources
            .as_ref()
            .unwrap()
            .patterns[0]
            .value;
        assert_eq!(
            resource,
            "arn:aws:ecs:us-east-1:123456789012:service/${Literal}/prod"
        );
        assert_eq!(role.inline[1].name, "extra");
        assert_eq!(role.attached, ["arn:aws:iam::123456789012:policy/Shared"]);
        // DevOnly's condition is false: not created.
        let users: Vec<&str> = model.dump.users.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(users, ["User"]);
        assert_eq!(model.dump.users[0].groups, ["ops"]);
        // SAM: the function's role, with the basic execution policy and its managed one;
        // the policy template expanded as an inline policy on the table it names.
        let function = roles.iter().find(|r| r.name == "FnRole").unwrap();
        assert_eq!(
            function.attached,
            [
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
            ]
        );
        assert!(model.problems.is_empty(), "{:?}", model.problems);
        let crud = &function.inline[0];
        assert_eq!(crud.name, "FnRolePolicy1");
        let resources: Vec<&str> = crud.document.document.statements[0]
            .resources
            .as_ref()
            .unwrap()
            .patterns
            .iter()
            .map(|p| p.value.as_str())
            .collect();
        assert_eq!(
            resources,
            [
                "arn:aws:dynamodb:us-east-1:123456789012:table/t",
                "arn:aws:dynamodb:us-east-1:123456789012:table/t/index/*"
            ]
        );
        assert!(model.detached.is_empty());
    }
}
