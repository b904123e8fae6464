//! Terraform plans (`terraform show -json plan.out`) → the account model, through the
//! same mapping of IAM resources as a module ([`super::terraform::link`]). Values come
//! from `resource_changes[].change.after` (else `planned_values`); policy strings are
//! parsed in place, located at their string in the plan. A value `after_unknown` marks
//! as known only after apply is taken from the configuration's reference to a planned
//! IAM resource (`aws_iam_policy.deploy.arn`) when there is one, else unresolved.

use super::dump::{Declared, Document, InlinePolicy};
use super::template::{
    Builder, Model, PLACEHOLDER_ACCOUNT, Problem, ProblemKind, Reference, document_or_problems,
    references, scalar_text,
};
use super::terraform::{Attributes, link};
use crate::document::json::{Node, Value};
use crate::document::policy::parse_embedded;
use crate::document::{DocumentKind, Span};

/// Whether a JSON tree is a Terraform plan.
pub fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("resource_changes").is_some() || root.get("planned_values").is_some())
}

struct Planned<'n> {
    address: &'n str,
    kind: &'n str,
    values: &'n Node,
    unknown: Option<&'n Node>,
    /// The resource's entry in the plan: where findings about it point.
    span: Span,
}

fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.value) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

fn opening(node: &Node) -> Span {
    Span {
        start: node.span.start,
        end: (node.span.start + 1).min(node.span.end),
    }
}

/// Every managed resource of `planned_values`, child modules included.
fn planned_values<'n>(module: &'n Node, out: &mut Vec<Planned<'n>>) {
    for resource in items(module.get("resources")) {
        if resource.get("mode").and_then(Node::as_str) == Some("data") {
            continue;
        }
        if let (Some(address), Some(kind), Some(values)) = (
            resource.get("address").and_then(Node::as_str),
            resource.get("type").and_then(Node::as_str),
            resource.get("values"),
        ) {
            out.push(Planned {
                address,
                kind,
                values,
                unknown: None,
                span: opening(resource),
            });
        }
    }
    for child in items(module.get("child_modules")) {
        planned_values(child, out);
    }
}

fn resources(root: &Node) -> Vec<Planned<'_>> {
    let mut out = Vec::new();
    if let Some(changes) = root.get("resource_changes") {
        for change in items(Some(changes)) {
            let after = change.get("change").and_then(|c| c.get("after"));
            let managed = change.get("mode").and_then(Node::as_str) != Some("data");
            if let (true, Some(address), Some(kind), Some(after)) = (
                managed,
                change.get("address").and_then(Node::as_str),
                change.get("type").and_then(Node::as_str),
                after.filter(|a| matches!(a.value, Value::Object(_))),
            ) {
                out.push(Planned {
                    address,
                    kind,
                    values: after,
                    unknown: change.get("change").and_then(|c| c.get("after_unknown")),
                    span: opening(change),
                });
            }
        }
        return out;
    }
    if let Some(root_module) = root
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    {
        planned_values(root_module, &mut out);
    }
    out
}

/// Read a plan; its problems are located in page `page`.
pub fn read(root: &Node, page: usize) -> Model {
    let planned = resources(root);
    let configuration = root.get("configuration").and_then(|c| c.get("root_module"));
    let mut builder = Builder::default();
    let mut problems = Vec::new();
    for (i, resource) in planned.iter().enumerate() {
        let mut attributes = Resource {
            planned: &planned,
            i,
            page,
            configuration,
            problems: &mut problems,
        };
        link(resource.kind, &mut attributes, &mut builder);
    }
    let mut model = builder.finish();
    model.problems.splice(0..0, problems);
    model
}

struct Resource<'p, 'n> {
    planned: &'p [Planned<'n>],
    i: usize,
    page: usize,
    configuration: Option<&'n Node>,
    problems: &'p mut Vec<Problem>,
}

impl Resource<'_, '_> {
    fn this(&self) -> &Planned<'_> {
        &self.planned[self.i]
    }

    fn problem(&mut self, kind: ProblemKind, span: Span, message: String, label: &str) {
        let problem = Problem::new(kind, self.page, span, message, label);
        self.problems.push(problem);
    }

    fn is_unknown(&self, key: &str) -> bool {
        self.this()
            .unknown
            .and_then(|u| u.get(key))
            .is_some_and(|v| v.value != Value::Bool(false))
    }

    /// The configuration's expression of an attribute: `None` when the plan has no
    /// configuration, `Some(None)` when the attribute is not configured.
    fn expression(&self, key: &str) -> Option<Option<&Node>> {
        let address = self.this().address;
        // `aws_iam_role.x["key"]` is configured once, as `aws_iam_role.x`.
        let configured = address.split('[').next().unwrap_or(address);
        let entry = items(self.configuration?.get("resources"))
            .iter()
            .find(|r| r.get("address").and_then(Node::as_str) == Some(configured));
        Some(
            entry
                .and_then(|e| e.get("expressions"))
                .and_then(|e| e.get(key)),
        )
    }

    /// The configuration's references of an attribute (`["aws_iam_policy.p.arn", …]`).
    fn references(&self, key: &str) -> Vec<String> {
        let expression = self.expression(key).flatten();
        let references = expression.map(|e| match e.get("references") {
            Some(list) => items(Some(list)).to_vec(),
            None => items(Some(e))
                .iter()
                .filter_map(|i| i.get("references"))
                .flat_map(|l| items(Some(l)).to_vec())
                .collect(),
        });
        references
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect()
    }

    /// A reference `TYPE.NAME.ATTR` to a planned IAM resource, computed from its planned
    /// name and path.
    fn referenced(&self, reference: &str) -> Option<String> {
        let (address, attribute) = reference.rsplit_once('.')?;
        let other = self.planned.iter().position(|p| p.address == address)?;
        let resource = Resource {
            planned: self.planned,
            i: other,
            page: self.page,
            configuration: None,
            problems: &mut Vec::new(),
        };
        let resource = &mut { resource };
        match attribute {
            "arn" => Some(resource.arn()),
            "name" | "id" if resource.this().kind != "aws_iam_policy" => Some(resource.name()),
            "id" => Some(resource.arn()),
            _ => None,
        }
    }

    /// An attribute's value, or what the configuration says it will be; unresolved
    /// (reported) when neither.
    fn value(&mut self, key: &str) -> Option<Node> {
        let span = self.this().span;
        match self.this().values.get(key) {
            Some(value) if value.value != Value::Null => return Some(value.clone()),
            _ if !self.is_unknown(key) => return None,
            // Computed by AWS, not set by the configuration (a new role's
            // `managed_policy_arns`): nothing this resource adds.
            _ if self.expression(key) == Some(None) => return None,
            _ => {}
        }
        let computed: Vec<Node> = self
            .references(key)
            .iter()
            .filter_map(|r| self.referenced(r))
            .map(|value| Node {
                value: Value::String(value),
                span,
            })
            .collect();
        if computed.is_empty() {
            let address = self.this().address.to_string();
            self.problem(
                ProblemKind::Unresolved,
                span,
                format!("`{address}`'s `{key}` is known only after apply"),
                "iamlint cannot evaluate this value",
            );
            return None;
        }
        Some(match computed.len() {
            1 => computed.into_iter().next()?,
            _ => Node {
                value: Value::Array(computed),
                span,
            },
        })
    }

    fn plan_document(&mut self, node: &Node, kind: DocumentKind) -> Option<Document> {
        let Some(text) = node.as_str() else {
            let message = format!(
                "a policy document must be a JSON string, found {}",
                node.type_name()
            );
            self.problem(
                ProblemKind::Invalid,
                node.span,
                message,
                "expected a string",
            );
            return None;
        };
        let parsed = parse_embedded(text, node.span, kind);
        document_or_problems(self.page, parsed, self.problems)
    }
}

impl Attributes for Resource<'_, '_> {
    fn string(&mut self, key: &str) -> Option<Reference> {
        let node = self.value(key)?;
        scalar_text(&node).map(|value| Reference {
            value,
            page: self.page,
            span: node.span,
        })
    }

    fn strings(&mut self, key: &str) -> Vec<Reference> {
        let Some(node) = self.value(key) else {
            return Vec::new();
        };
        references(node, self.page)
    }

    fn document(&mut self, key: &str, kind: DocumentKind) -> Option<Document> {
        let node = self.value(key)?;
        self.plan_document(&node, kind)
    }

    fn inline_policies(&mut self) -> Vec<InlinePolicy> {
        let Some(list) = self.value("inline_policy") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for entry in items(Some(&list)) {
            let name = entry
                .get("name")
                .and_then(scalar_text)
                .unwrap_or_else(|| "inline".into());
            if let Some(policy) = entry
                .get("policy")
                .filter(|p| p.as_str().is_some_and(|s| !s.is_empty()))
            {
                if let Some(document) = self.plan_document(policy, DocumentKind::Identity) {
                    out.push(InlinePolicy { name, document });
                }
            }
        }
        out
    }

    fn name(&mut self) -> String {
        match self.this().values.get("name").and_then(scalar_text) {
            Some(name) => name,
            None => {
                let address = self.this().address;
                let name = address.rsplit('.').next().unwrap_or(address);
                name.to_string()
            }
        }
    }

    fn arn(&mut self) -> String {
        if let Some(arn) = self.this().values.get("arn").and_then(scalar_text) {
            return arn;
        }
        let kind = match self.this().kind {
            "aws_iam_role" => "role",
            "aws_iam_user" => "user",
            "aws_iam_group" => "group",
            _ => "policy",
        };
        let path = self
            .this()
            .values
            .get("path")
            .and_then(scalar_text)
            .filter(|p| p.starts_with('/') && p.ends_with('/'))
            .unwrap_or_else(|| "/".into());
        let name = self.name();
        format!("arn:aws:iam::{PLACEHOLDER_ACCOUNT}:{kind}{path}{name}")
    }

    fn address(&self) -> String {
        self.this().address.to_string()
    }

    fn declared(&self) -> Declared {
        Declared {
            name: self.this().address.to_string(),
            page: self.page,
            span: self.this().span,
        }
    }
}
