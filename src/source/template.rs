//! What infrastructure code becomes: the same account model a dump gives ([`Dump`]), the
//! policies it attaches to nothing, and what could not be read or resolved — each located
//! in the file it came from.

use super::dump::{Document, Dump, InlinePolicy, ManagedPolicy, Principal};
use crate::document::json::{Member, Node, Spanned, Value};
use crate::document::{PolicyError, Span};

/// The account id of every ARN a template's resources will have: their real account is
/// known only at deploy time.
pub const PLACEHOLDER_ACCOUNT: &str = "123456789012";

/// A string value standing at `span`.
pub fn text(value: impl Into<String>, span: Span) -> Node {
    Node {
        value: Value::String(value.into()),
        span,
    }
}

/// Every span of a tree set to `span` (a value brought in from another file, or from
/// data iamlint carries).
pub fn respan(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::Array(items) => items.iter_mut().for_each(|i| respan(i, span)),
        Value::Object(members) => members.iter_mut().for_each(|m| {
            m.key.span = span;
            respan(&mut m.value, span);
        }),
        _ => {}
    }
}

/// A scalar value as the string it stands for in a name or ARN.
pub fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A policy that no principal of the template uses: checked as a policy file is.
pub struct Detached {
    /// Its logical id or resource address.
    pub name: String,
    pub document: Document,
}

/// Why a value or a whole input could not be taken as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The input is broken (syntax, duplicate keys, a reference to nothing, a cycle).
    Invalid,
    /// A value iamlint cannot compute; it was read in the direction that does not hide
    /// access (a wildcard in an Allow, a Deny that may not apply).
    Unresolved,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Index of the file (page) it stands in.
    pub page: usize,
    pub error: PolicyError,
}

impl Problem {
    pub fn new(kind: ProblemKind, page: usize, span: Span, message: String, label: &str) -> Self {
        Problem {
            kind,
            page,
            error: PolicyError {
                message,
                label: label.into(),
                span,
            },
        }
    }
}

/// One template or module, read.
#[derive(Default)]
pub struct Model {
    pub dump: Dump,
    pub detached: Vec<Detached>,
    pub problems: Vec<Problem>,
}

/// A name or ARN written in infrastructure code, and where.
#[derive(Clone, Debug)]
pub struct Reference {
    pub value: String,
    pub page: usize,
    pub span: Span,
}

/// Which list of the model a principal is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Role,
    User,
    Group,
}

impl List {
    fn name(self) -> &'static str {
        match self {
            List::Role => "role",
            List::User => "user",
            List::Group => "group",
        }
    }
}

/// Collects what a template or module declares — principals, managed policies, and the
/// links between them by name or ARN, in any order — and links them in [`Builder::finish`],
/// reporting every link to something outside the input as unresolved.
#[derive(Default)]
pub struct Builder {
    dump: Dump,
    /// Each managed policy's declared name (logical id, address).
    policy_names: Vec<String>,
    inline: Vec<(List, Reference, InlinePolicy)>,
    attached: Vec<(List, Reference, Reference)>,
    attached_at: Vec<(List, usize, Reference)>,
    boundaries: Vec<(List, usize, Reference)>,
    memberships: Vec<(Reference, Reference)>,
    pub detached: Vec<Detached>,
    pub problems: Vec<Problem>,
}

fn list_of(dump: &mut Dump, list: List) -> &mut Vec<Principal> {
    match list {
        List::Role => &mut dump.roles,
        List::User => &mut dump.users,
        List::Group => &mut dump.groups,
    }
}

/// `arn:PARTITION:iam::aws:policy/…`: evaluated from the bundled AWS managed policies.
pub fn is_aws_managed(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", _, "iam", "", "aws", rest] if rest.starts_with("policy/"))
}

impl Builder {
    /// Add a principal; returns its index in its list.
    pub fn principal(&mut self, list: List, principal: Principal) -> usize {
        let principals = list_of(&mut self.dump, list);
        principals.push(principal);
        principals.len() - 1
    }

    pub fn managed_policy(&mut self, declared: String, policy: ManagedPolicy) {
        self.policy_names.push(declared);
        self.dump.policies.push(policy);
    }

    /// An inline policy of the principal named (or with the ARN) `target`.
    pub fn inline(&mut self, list: List, target: Reference, policy: InlinePolicy) {
        self.inline.push((list, target, policy));
    }

    /// Attach the managed policy `arn` to the principal named (or with the ARN) `target`.
    pub fn attach(&mut self, list: List, target: Reference, arn: Reference) {
        self.attached.push((list, target, arn));
    }

    /// Attach the managed policy `arn` to the principal at `index` of `list`.
    pub fn attach_at(&mut self, list: List, index: usize, arn: Reference) {
        self.attached_at.push((list, index, arn));
    }

    pub fn boundary(&mut self, list: List, index: usize, arn: Reference) {
        self.boundaries.push((list, index, arn));
    }

    pub fn membership(&mut self, user: Reference, group: Reference) {
        self.memberships.push((user, group));
    }

    pub fn unresolved(&mut self, at: &Reference, message: String, label: &str) {
        let problem = Problem::new(ProblemKind::Unresolved, at.page, at.span, message, label);
        self.problems.push(problem);
    }

    fn find(&mut self, list: List, target: &Reference) -> Option<usize> {
        let found = list_of(&mut self.dump, list)
            .iter()
            .position(|p| p.name == target.value || p.arn == target.value);
        if found.is_none() && !target.value.contains('*') {
            let message = format!("{} `{}` is not in the input", list.name(), target.value);
            self.unresolved(target, message, "a principal iamlint cannot see");
        }
        found
    }

    /// Whether `arn` can be evaluated: a policy of the input, or an AWS managed one.
    fn attachable(&mut self, arn: &Reference) -> Option<Option<usize>> {
        if let Some(p) = self.dump.policies.iter().position(|p| p.arn == arn.value) {
            return Some(Some(p));
        }
        if is_aws_managed(&arn.value) {
            return Some(None);
        }
        if !arn.value.contains('*') {
            let message = format!(
                "managed policy {} is not in the input; its grants are unknown",
                arn.value
            );
            self.unresolved(arn, message, "a policy iamlint cannot see");
        }
        None
    }

    /// Link everything; policies attached to nothing become [`Detached`].
    pub fn finish(mut self) -> Model {
        let mut used = vec![false; self.dump.policies.len()];
        for (list, target, policy) in std::mem::take(&mut self.inline) {
            if let Some(at) = self.find(list, &target) {
                list_of(&mut self.dump, list)[at].inline.push(policy);
            }
        }
        let mut attached: Vec<(List, usize, Reference)> = std::mem::take(&mut self.attached_at);
        for (list, target, arn) in std::mem::take(&mut self.attached) {
            if let Some(at) = self.find(list, &target) {
                attached.push((list, at, arn));
            }
        }
        for (list, at, arn) in attached {
            if let Some(policy) = self.attachable(&arn) {
                if let Some(p) = policy {
                    used[p] = true;
                }
                let principal = &mut list_of(&mut self.dump, list)[at];
                if !principal.attached.contains(&arn.value) {
                    principal.attached.push(arn.value);
                }
            }
        }
        for (list, at, arn) in std::mem::take(&mut self.boundaries) {
            if self.attachable(&arn).is_some() {
                list_of(&mut self.dump, list)[at].boundary = Some(arn.value);
            }
        }
        for (user, group) in std::mem::take(&mut self.memberships) {
            let known = self.dump.groups.iter().any(|g| g.name == group.value);
            match self.find(List::User, &user) {
                Some(at) if known => self.dump.users[at].groups.push(group.value),
                Some(_) if !group.value.contains('*') => {
                    let message = format!(
                        "group `{}` is not in the input; its policies are unknown",
                        group.value
                    );
                    self.unresolved(&group, message, "a group iamlint cannot see");
                }
                _ => {}
            }
        }
        for user in &mut self.dump.users {
            user.groups.sort();
            user.groups.dedup();
        }
        for ((policy, name), used) in self.dump.policies.iter().zip(&self.policy_names).zip(used) {
            if !used {
                self.detached.push(Detached {
                    name: name.clone(),
                    document: Document {
                        page: policy.document.page,
                        document: policy.document.document.clone(),
                    },
                });
            }
        }
        Model {
            dump: self.dump,
            detached: self.detached,
            problems: self.problems,
        }
    }
}

/// Make every Deny statement that holds a value read as `*` (a span of `guessed`)
/// conditional: it may not apply, so it removes nothing.
pub fn soften_guessed_denies(statements: &mut Node, guessed: &[Span]) {
    let within = |outer: Span| {
        guessed
            .iter()
            .any(|s| s.start >= outer.start && s.end <= outer.end)
    };
    let list: Vec<&mut Node> = match &mut statements.value {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(_) => vec![statements],
        _ => return,
    };
    for statement in list {
        let deny = statement.get("Effect").and_then(Node::as_str) == Some("Deny");
        let span = statement.span;
        if !deny || !within(span) {
            continue;
        }
        let Value::Object(members) = &mut statement.value else {
            continue;
        };
        if members.iter().any(|m| m.key.value == "Condition") {
            continue;
        }
        let node = |value| Node { value, span };
        let key = |value: &str| Spanned {
            value: value.to_string(),
            span,
        };
        members.push(Member {
            key: key("Condition"),
            value: node(Value::Object(vec![Member {
                key: key("iamlint:Unresolved"),
                value: node(Value::Object(Vec::new())),
            }])),
        });
    }
}

/// A parsed document of `page`, or its errors recorded as invalid problems.
pub fn document_or_problems(
    page: usize,
    parsed: Result<crate::document::PolicyDocument, Vec<PolicyError>>,
    problems: &mut Vec<Problem>,
) -> Option<Document> {
    match parsed {
        Ok(document) => Some(Document { page, document }),
        Err(errors) => {
            problems.extend(errors.into_iter().map(|error| Problem {
                kind: ProblemKind::Invalid,
                page,
                error,
            }));
            None
        }
    }
}

/// The strings of a value (a list, or one value) as references of `page`.
pub fn references(node: Node, page: usize) -> Vec<Reference> {
    let items = match node.value {
        Value::Array(items) => items,
        _ => vec![node],
    };
    items
        .iter()
        .filter_map(|item| {
            scalar_text(item).map(|value| Reference {
                value,
                page,
                span: item.span,
            })
        })
        .collect()
}
