//! Terraform modules (every `*.tf` file of a folder) → the account model. Expressions
//! are evaluated within the module: literals, `jsonencode()`, heredocs, `file()`,
//! `locals`, variables' defaults, references to the module's IAM resources (their names
//! and ARNs in the placeholder account), `count`/`for_each` with literal keys, and
//! `data "aws_iam_policy_document"`. What cannot be computed is `*` and an unresolved
//! problem; a Deny holding such a value counts as conditional. Values keep the spans of
//! the expressions they came from, so findings point into the `.tf` files.

use super::dump::{Declared, Document, InlinePolicy, ManagedPolicy, Principal};
use super::template::{
    Builder, List, Model, PLACEHOLDER_ACCOUNT, Problem, ProblemKind, Reference,
    document_or_problems, references, respan, scalar_text, soften_guessed_denies, text,
};
use crate::document::json::{self, Member, Node, Spanned, Value};
use crate::document::policy::{parse_document, parse_embedded};
use crate::document::{DocumentKind, PolicyError, Span};
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::{Block, BlockLabel, Body};
use hcl_edit::template::{Directive, Element};
use std::collections::HashMap;

/// The region data sources and ARNs resolve to.
pub const REGION: &str = "us-east-1";
/// What a reference to a non-IAM resource of the module resolves to.
pub const MODULE_RESOURCE: &str = "arn:aws:*";
/// `count` and `for_each` beyond this many instances are not expanded.
const MAX_INSTANCES: usize = 1000;
/// References (locals naming locals, names computed from names) nest at most this deep.
const MAX_REFERENCE_DEPTH: usize = 32;

/// Module calls nest at most this deep, and a root reads at most this many.
const MAX_MODULE_DEPTH: usize = 8;
const MAX_MODULE_CALLS: usize = 200;

/// What a module reads besides its own files, by paths relative to the root module's
/// folder: the files `file()` and `templatefile()` name, and the folders of the modules
/// it calls with a local `source`.
pub trait Reads {
    /// A file: its page and text.
    fn file(&mut self, path: &str) -> Result<(usize, String), String>;
    /// The `*.tf` files of a folder: each one's page and text.
    fn folder(&mut self, path: &str) -> Result<Vec<(usize, String)>, String>;
}

/// Reads nothing (one text checked on its own).
pub struct NoReads;

impl Reads for NoReads {
    fn file(&mut self, _: &str) -> Result<(usize, String), String> {
        Err("not read here".into())
    }

    fn folder(&mut self, _: &str) -> Result<Vec<(usize, String)>, String> {
        Err("not read here".into())
    }
}

/// `dir/path`, for a path relative to the root module (`dir` empty at the root).
fn under(dir: &str, path: &str) -> String {
    if dir.is_empty() {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    }
}

/// One instance of a module: the root (0), or a call of a child with a local source.
struct Namespace {
    /// Its folder, relative to the root module's (empty for the root).
    dir: String,
    /// `module.NAME.` for each call down from the root.
    prefix: String,
}

/// A `module` block whose child was read: the namespace it calls from, its name, the
/// namespace of the child.
struct Call {
    parent: usize,
    name: String,
    child: usize,
}

/// Whether a text holds any IAM resource or policy document (a cheap look before parsing).
pub fn mentions_iam(text: &str) -> bool {
    text.contains("aws_iam_")
}

/// Whether a text may call a module by a local path (whose resources may be IAM).
pub fn calls_local_modules(text: &str) -> bool {
    text.contains("module") && (text.contains("\"./") || text.contains("\"../"))
}

fn span_of(item: &impl hcl_edit::Span) -> Span {
    item.span()
        .map(|r| Span {
            start: r.start,
            end: r.end,
        })
        .unwrap_or_default()
}

fn label(label: &BlockLabel) -> &str {
    match label {
        BlockLabel::Ident(ident) => ident.as_str(),
        BlockLabel::String(string) => string.as_str(),
    }
}

/// Every span of a tree moved by `by` bytes (JSON read from a slice of a file).
fn shift(node: &mut Node, by: usize) {
    node.span.start += by;
    node.span.end += by;
    match &mut node.value {
        Value::Array(items) => items.iter_mut().for_each(|i| shift(i, by)),
        Value::Object(members) => members.iter_mut().for_each(|m| {
            m.key.span.start += by;
            m.key.span.end += by;
            shift(&mut m.value, by);
        }),
        _ => {}
    }
}

/// A value and the file it stands in, when that is not the file asking for it.
struct Val {
    node: Node,
    page: Option<usize>,
}

#[derive(Clone, Default)]
struct Scope {
    each_key: Option<Node>,
    each_value: Option<Node>,
    count_index: Option<usize>,
    /// Names a `for` expression or directive binds, and `templatefile()`'s variables;
    /// the innermost last.
    bound: Vec<(String, Node)>,
}

impl Scope {
    fn bound(&self, name: &str) -> Option<&Node> {
        self.bound
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// This scope with `names` bound to `values`.
    fn with(&self, names: &[(Option<&str>, Node)]) -> Scope {
        let mut scope = self.clone();
        for (name, value) in names {
            if let Some(name) = name {
                scope.bound.push((name.to_string(), value.clone()));
            }
        }
        scope
    }
}

fn is_call(expr: &Expression, function: &str) -> bool {
    matches!(expr, Expression::FuncCall(call) if call.name.name.as_str() == function)
}

/// A value as `jsonencode()` writes it.
fn json_text(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.clone(),
        Value::String(s) => serde_json::Value::String(s.clone()).to_string(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(json_text).collect();
            format!("[{}]", items.join(","))
        }
        Value::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .map(|m| {
                    let key = serde_json::Value::String(m.key.value.clone()).to_string();
                    format!("{key}:{}", json_text(&m.value))
                })
                .collect();
            format!("{{{}}}", members.join(","))
        }
    }
}

/// A list or object computed in the module, standing at `span`.
fn here_value(value: Value, span: Span) -> Val {
    Val {
        node: Node { value, span },
        page: None,
    }
}

/// A string computed in the module, standing at `span`.
fn here_text(value: String, span: Span) -> Val {
    Val {
        node: text(value, span),
        page: None,
    }
}

/// The (key, value) pairs a `for` iterates: a list's indices, an object's keys.
fn pairs_of(collection: &Node) -> Option<Vec<(Node, Node)>> {
    match &collection.value {
        Value::Array(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let index = Node {
                        value: Value::Number(i.to_string()),
                        span: item.span,
                    };
                    (index, item.clone())
                })
                .collect(),
        ),
        Value::Object(members) => Some(
            members
                .iter()
                .map(|m| (text(m.key.value.clone(), m.key.span), m.value.clone()))
                .collect(),
        ),
        _ => None,
    }
}

#[derive(Clone)]
struct Instance {
    /// `[0]`, `["key"]`, or empty.
    suffix: String,
    scope: Scope,
}

struct Resource<'b> {
    ns: usize,
    kind: &'b str,
    name: &'b str,
    page: usize,
    block: &'b Block,
    span: Span,
    instances: Vec<Instance>,
}

struct Reader<'b, 'l> {
    texts: Vec<String>,
    /// Each page's namespace (pages of no module, such as templates, are the root's).
    page_ns: Vec<usize>,
    namespaces: Vec<Namespace>,
    variables: HashMap<(usize, &'b str), (usize, &'b Expression)>,
    locals: HashMap<(usize, &'b str), (usize, &'b Expression)>,
    outputs: HashMap<(usize, &'b str), (usize, &'b Expression)>,
    /// (namespace, call name) → the child's namespace; `None`: a source not read.
    calls: HashMap<(usize, String), Option<usize>>,
    resources: Vec<Resource<'b>>,
    index: HashMap<(usize, &'b str, &'b str), usize>,
    documents: HashMap<(usize, &'b str), (usize, &'b Block)>,
    names: HashMap<(usize, String), Option<String>>,
    visiting: Vec<String>,
    problems: Vec<Problem>,
    load: &'l mut dyn Reads,
}

/// Parse every file of a module; a file that does not parse is a located problem.
pub fn parse(texts: &[&str]) -> (Vec<(usize, Body)>, Vec<Problem>) {
    let mut bodies = Vec::new();
    let mut problems = Vec::new();
    for (page, text) in texts.iter().enumerate() {
        let (body, problem) = parse_page(page, text);
        bodies.extend(body.map(|body| (page, body)));
        problems.extend(problem);
    }
    (bodies, problems)
}

/// One file's body, or its syntax error.
fn parse_page(page: usize, text: &str) -> (Option<Body>, Option<Problem>) {
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => (Some(body), None),
        Err(error) => {
            let at = error.location().offset().min(text.len());
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let problem = Problem {
                kind: ProblemKind::Invalid,
                page,
                error: PolicyError {
                    message: format!("HCL syntax error: {}", error.message()),
                    label: "here".into(),
                    span: Span { start: at, end },
                },
            };
            (None, Some(problem))
        }
    }
}

/// `a/./b/../c` → `a/c` (a leading `..` kept), for a module folder's path.
fn lexical_dir(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// Read a module's parsed files and variable files (`*.tfvars`: `name = value`, later
/// ones winning over the defaults); `texts` are every page's text, by page index.
pub fn read(
    bodies: &[(usize, Body)],
    var_files: &[(usize, Body)],
    mut texts: Vec<String>,
    load: &mut dyn Reads,
) -> Model {
    // The modules called with a local source, read and parsed first: the reader borrows
    // every body.
    let mut namespaces = vec![Namespace {
        dir: String::new(),
        prefix: String::new(),
    }];
    let mut page_ns: Vec<usize> = vec![0; texts.len()];
    let mut children: Vec<(usize, Body)> = Vec::new();
    let mut calls: Vec<Call> = Vec::new();
    let mut not_read: Vec<(usize, String)> = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    let mut pending: Vec<(usize, usize)> = bodies.iter().map(|(page, _)| (*page, 0)).collect();
    let mut next = 0;
    while next < pending.len() {
        let (page, ns) = pending[next];
        next += 1;
        let body = match bodies.iter().find(|(p, _)| *p == page) {
            Some((_, body)) => body,
            None => match children.iter().find(|(p, _)| *p == page) {
                Some((_, body)) => body,
                None => continue,
            },
        };
        let mut found: Vec<(String, String, Span)> = Vec::new();
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels.iter().map(label).collect();
            let ("module", [name]) = (block.ident.as_str(), labels.as_slice()) else {
                continue;
            };
            let source = block.body.get_attribute("source");
            let literal = source.and_then(|s| match &s.value {
                Expression::String(value) => Some(value.value().clone()),
                _ => None,
            });
            let at = source.map_or_else(|| span_of(&block.ident), |s| span_of(&s.value));
            let repeated = ["count", "for_each"]
                .into_iter()
                .find(|key| block.body.get_attribute(key).is_some());
            match literal {
                Some(source)
                    if (source.starts_with("./") || source.starts_with("../"))
                        && repeated.is_none() =>
                {
                    found.push((name.to_string(), source, at));
                }
                _ => {
                    let message = match repeated {
                        Some(key) => {
                            format!("module `{name}` has `{key}`: its instances are not read")
                        }
                        None => format!(
                            "module `{name}` comes from outside the repository (a registry or a remote source): its resources are not read"
                        ),
                    };
                    let label = "iamlint reads nothing of this module";
                    problems.push(Problem::new(
                        ProblemKind::Unresolved,
                        page,
                        at,
                        message,
                        label,
                    ));
                    not_read.push((ns, name.to_string()));
                }
            }
        }
        for (name, source, at) in found {
            let dir = lexical_dir(&under(&namespaces[ns].dir, &source));
            let depth = namespaces[ns].prefix.matches("module.").count();
            let cycle = {
                // The folders from the root down to this call.
                let mut chain = vec![ns];
                while let Some(call) = calls
                    .iter()
                    .find(|c| c.child == *chain.last().unwrap_or(&0))
                {
                    chain.push(call.parent);
                }
                chain.iter().any(|n| namespaces[*n].dir == dir)
            };
            let refused = if cycle {
                Some("a module cycle: this folder is already being read".to_string())
            } else if depth >= MAX_MODULE_DEPTH || namespaces.len() > MAX_MODULE_CALLS {
                Some("module calls nest too deep, or are too many, to be read".to_string())
            } else {
                None
            };
            let read = match refused {
                Some(reason) => Err(reason),
                None => load.folder(&dir),
            };
            match read {
                Ok(files) => {
                    let child = namespaces.len();
                    namespaces.push(Namespace {
                        dir,
                        prefix: format!("{}module.{name}.", namespaces[ns].prefix),
                    });
                    calls.push(Call {
                        parent: ns,
                        name,
                        child,
                    });
                    for (loaded, text) in files {
                        while texts.len() <= loaded {
                            texts.push(String::new());
                            page_ns.push(0);
                        }
                        page_ns[loaded] = child;
                        let (parsed, more) = parse_page(loaded, &text);
                        texts[loaded] = text;
                        problems.extend(more);
                        if let Some(body) = parsed {
                            children.push((loaded, body));
                            pending.push((loaded, child));
                        }
                    }
                }
                Err(reason) => {
                    problems.push(Problem::new(
                        ProblemKind::Invalid,
                        page,
                        at,
                        format!("module `{name}`: {reason}"),
                        "cannot read",
                    ));
                    not_read.push((ns, name));
                }
            }
        }
    }
    let mut reader = Reader {
        texts,
        page_ns,
        namespaces,
        variables: HashMap::new(),
        locals: HashMap::new(),
        outputs: HashMap::new(),
        calls: not_read.into_iter().map(|key| (key, None)).collect(),
        resources: Vec::new(),
        index: HashMap::new(),
        documents: HashMap::new(),
        names: HashMap::new(),
        visiting: Vec::new(),
        problems,
        load,
    };
    // Variables the root declares: only those take values from variable files.
    let mut declared: Vec<&str> = Vec::new();
    for (page, body) in bodies.iter().chain(&children) {
        let ns = reader.ns(*page);
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels.iter().map(label).collect();
            match (block.ident.as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    if ns == 0 {
                        declared.push(*name);
                    }
                    if let Some(default) = block.body.get_attribute("default") {
                        reader
                            .variables
                            .entry((ns, name))
                            .or_insert((*page, &default.value));
                    }
                }
                ("locals", []) => {
                    for attribute in block.body.attributes() {
                        reader
                            .locals
                            .insert((ns, attribute.key.as_str()), (*page, &attribute.value));
                    }
                }
                ("output", [name]) => {
                    if let Some(value) = block.body.get_attribute("value") {
                        reader.outputs.insert((ns, name), (*page, &value.value));
                    }
                }
                ("module", [name]) => {
                    let Some(call) = calls.iter().find(|c| c.parent == ns && c.name == *name)
                    else {
                        continue;
                    };
                    reader
                        .calls
                        .insert((ns, name.to_string()), Some(call.child));
                    // The call's arguments are the child's variables, over their defaults.
                    let meta = ["source", "version", "providers", "depends_on"];
                    for attribute in block.body.attributes() {
                        let key = attribute.key.as_str();
                        if !meta.contains(&key) {
                            reader
                                .variables
                                .insert((call.child, key), (*page, &attribute.value));
                        }
                    }
                }
                ("resource", [kind, name]) => {
                    let span = block.labels.last().map(span_of).unwrap_or_default();
                    reader
                        .index
                        .insert((ns, kind, name), reader.resources.len());
                    reader.resources.push(Resource {
                        ns,
                        kind,
                        name,
                        page: *page,
                        block,
                        span,
                        instances: Vec::new(),
                    });
                }
                ("data", ["aws_iam_policy_document", name]) => {
                    reader.documents.insert((ns, name), (*page, block));
                }
                _ => {}
            }
        }
    }
    for (page, body) in var_files {
        for attribute in body.attributes() {
            let name = attribute.key.as_str();
            if reader.variables.contains_key(&(0, name)) || declared.contains(&name) {
                reader
                    .variables
                    .insert((0, name), (*page, &attribute.value));
            }
        }
    }
    for i in 0..reader.resources.len() {
        let instances = reader.instances(i);
        reader.resources[i].instances = instances;
    }
    reader.model()
}

impl<'b, 'l> Reader<'b, 'l> {
    /// The namespace (module instance) of a page.
    fn ns(&self, page: usize) -> usize {
        self.page_ns.get(page).copied().unwrap_or(0)
    }

    /// A name as cycle detection sees it: qualified by the page's module instance.
    fn qualified(&self, page: usize, name: &str) -> String {
        format!("{}{name}", self.namespaces[self.ns(page)].prefix)
    }

    fn problem(
        &mut self,
        kind: ProblemKind,
        page: usize,
        span: Span,
        message: String,
        label: &str,
    ) {
        let problem = Problem::new(kind, page, span, message, label);
        self.problems.push(problem);
    }

    /// A broken reference: reported, and read as `*`.
    fn invalid(&mut self, page: usize, span: Span, message: String, label: &str) -> Val {
        self.problem(ProblemKind::Invalid, page, span, message, label);
        Val {
            node: text("*", span),
            page: None,
        }
    }

    fn unresolved(&mut self, page: usize, span: Span, message: String) -> Val {
        self.problem(
            ProblemKind::Unresolved,
            page,
            span,
            message,
            "iamlint reads this as `*`",
        );
        Val {
            node: text("*", span),
            page: None,
        }
    }

    /// The instances `count` or `for_each` make (one when neither is set).
    fn instances(&mut self, i: usize) -> Vec<Instance> {
        let (page, body) = (self.resources[i].page, &self.resources[i].block.body);
        let plain = Instance {
            suffix: String::new(),
            scope: Scope::default(),
        };
        if let Some(count) = body.get_attribute("count") {
            let value = self.eval(page, &count.value, &Scope::default()).node;
            return match scalar_text(&value).and_then(|n| n.parse::<usize>().ok()) {
                Some(n) if n <= MAX_INSTANCES => (0..n)
                    .map(|index| Instance {
                        suffix: format!("[{index}]"),
                        scope: Scope {
                            count_index: Some(index),
                            ..Scope::default()
                        },
                    })
                    .collect(),
                _ => {
                    self.unresolved(
                        page,
                        span_of(&count.value),
                        "`count` is not a literal number within reach".into(),
                    );
                    vec![plain]
                }
            };
        }
        let Some(for_each) = body.get_attribute("for_each") else {
            return vec![plain];
        };
        let value = self.eval(page, &for_each.value, &Scope::default()).node;
        let pairs: Vec<(String, Node)> = match &value.value {
            Value::Object(members) => members
                .iter()
                .map(|m| (m.key.value.clone(), m.value.clone()))
                .collect(),
            Value::Array(items) => items
                .iter()
                .filter_map(|i| scalar_text(i).map(|k| (k, i.clone())))
                .collect(),
            _ => Vec::new(),
        };
        if pairs.is_empty() || pairs.len() > MAX_INSTANCES || pairs.iter().any(|(k, _)| k == "*") {
            self.unresolved(
                page,
                span_of(&for_each.value),
                "`for_each` has no literal keys".into(),
            );
            let unknown = text("*", span_of(&for_each.value));
            return vec![Instance {
                suffix: "[\"*\"]".into(),
                scope: Scope {
                    each_key: Some(unknown.clone()),
                    each_value: Some(unknown),
                    count_index: None,
                    bound: Vec::new(),
                },
            }];
        }
        pairs
            .into_iter()
            .map(|(key, value)| Instance {
                suffix: format!("[\"{key}\"]"),
                scope: Scope {
                    each_key: Some(text(key, value.span)),
                    each_value: Some(value),
                    count_index: None,
                    bound: Vec::new(),
                },
            })
            .collect()
    }

    /// Evaluate an expression of file `page`.
    fn eval(&mut self, page: usize, expr: &Expression, scope: &Scope) -> Val {
        let span = span_of(expr);
        let here = |node| Val { node, page: None };
        match expr {
            Expression::Null(_) => here(Node {
                value: Value::Null,
                span,
            }),
            Expression::Bool(b) => here(Node {
                value: Value::Bool(*b.value()),
                span,
            }),
            Expression::Number(n) => here(Node {
                value: Value::Number(n.value().to_string()),
                span,
            }),
            Expression::String(s) => here(text(s.value().clone(), span)),
            Expression::Array(array) => {
                let items = array
                    .iter()
                    .map(|item| self.embedded(page, item, scope))
                    .collect();
                here(Node {
                    value: Value::Array(items),
                    span,
                })
            }
            Expression::Object(object) => {
                let mut members: Vec<Member> = Vec::new();
                for (key, value) in object.iter() {
                    let (name, key_span) = match key {
                        ObjectKey::Ident(ident) => {
                            (Some(ident.as_str().to_string()), span_of(ident))
                        }
                        ObjectKey::Expression(expr) => {
                            let key = self.eval(page, expr, scope).node;
                            (scalar_text(&key), span_of(expr))
                        }
                    };
                    let Some(name) = name else { continue };
                    let value = self.embedded(page, value.expr(), scope);
                    members.retain(|m| m.key.value != name);
                    members.push(Member {
                        key: Spanned {
                            value: name,
                            span: key_span,
                        },
                        value,
                    });
                }
                here(Node {
                    value: Value::Object(members),
                    span,
                })
            }
            Expression::StringTemplate(template) => {
                let elements: Vec<&Element> = template.iter().collect();
                self.template(page, &elements, span, scope)
            }
            Expression::HeredocTemplate(heredoc) => {
                let elements: Vec<&Element> = heredoc.template.iter().collect();
                match elements.as_slice() {
                    // A literal heredoc keeps the span of its text, for JSON read in place.
                    [Element::Literal(literal)] => {
                        here(text(literal.value().clone(), span_of(literal)))
                    }
                    _ => self.template(page, &elements, span, scope),
                }
            }
            Expression::Parenthesis(inner) => self.eval(page, inner.inner(), scope),
            Expression::Traversal(traversal) => {
                let mut operators = Vec::new();
                for operator in &traversal.operators {
                    operators.push(match operator.value() {
                        TraversalOperator::GetAttr(ident) => Op::Attr(ident.as_str().to_string()),
                        TraversalOperator::Index(index) => {
                            let key = self.eval(page, index, scope).node;
                            match scalar_text(&key) {
                                Some(key) => Op::Index(key),
                                None => Op::Unknown,
                            }
                        }
                        TraversalOperator::LegacyIndex(index) => {
                            Op::Index(index.value().to_string())
                        }
                        _ => Op::Unknown,
                    });
                }
                let Expression::Variable(root) = &traversal.expr else {
                    return self.unresolved(
                        page,
                        span,
                        "iamlint does not evaluate this expression".into(),
                    );
                };
                self.traverse(page, root.as_str(), &operators, span, scope)
            }
            Expression::Variable(name) => match scope.bound(name.as_str()) {
                Some(value) => here(value.clone()),
                None => self.unresolved(
                    page,
                    span,
                    format!("`{}` alone is not a value", name.as_str()),
                ),
            },
            Expression::ForExpr(for_expr) => self.for_expr(page, for_expr, span, scope),
            Expression::BinaryOp(op) => {
                let lhs = self.eval(page, &op.lhs_expr, scope).node;
                let rhs = self.eval(page, &op.rhs_expr, scope).node;
                let known = |n: &Node| n.as_str() != Some("*");
                let decided = match (op.operator.value(), &lhs.value, &rhs.value) {
                    (BinaryOperator::Eq | BinaryOperator::NotEq, _, _)
                        if known(&lhs) && known(&rhs) =>
                    {
                        let equal =
                            scalar_text(&lhs).is_some() && scalar_text(&lhs) == scalar_text(&rhs);
                        Some(equal == (*op.operator.value() == BinaryOperator::Eq))
                    }
                    (BinaryOperator::And, Value::Bool(a), Value::Bool(b)) => Some(*a && *b),
                    (BinaryOperator::Or, Value::Bool(a), Value::Bool(b)) => Some(*a || *b),
                    _ => None,
                };
                match decided {
                    Some(b) => here(Node {
                        value: Value::Bool(b),
                        span,
                    }),
                    None => self.unresolved(
                        page,
                        span,
                        "iamlint does not evaluate this operation".into(),
                    ),
                }
            }
            Expression::UnaryOp(op) if *op.operator.value() == UnaryOperator::Not => {
                match self.eval(page, &op.expr, scope).node.value {
                    Value::Bool(b) => here(Node {
                        value: Value::Bool(!b),
                        span,
                    }),
                    _ => self.unresolved(
                        page,
                        span,
                        "iamlint does not evaluate this operation".into(),
                    ),
                }
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str().to_string();
                let args: Vec<&Expression> = call.args.iter().collect();
                self.function(page, &name, &args, span, scope)
            }
            Expression::Conditional(conditional) => {
                let condition = self.eval(page, &conditional.cond_expr, scope).node;
                match condition.value {
                    Value::Bool(true) => self.eval(page, &conditional.true_expr, scope),
                    Value::Bool(false) => self.eval(page, &conditional.false_expr, scope),
                    _ => {
                        self.problem(
                            ProblemKind::Unresolved,
                            page,
                            span_of(&conditional.cond_expr),
                            "this condition cannot be decided; iamlint reads the first branch"
                                .into(),
                            "undecided",
                        );
                        self.eval(page, &conditional.true_expr, scope)
                    }
                }
            }
            _ => self.unresolved(
                page,
                span,
                "iamlint does not evaluate this expression".into(),
            ),
        }
    }

    /// A value inside a collection of file `page`: one from another file is located at
    /// the expression that brings it in.
    fn embedded(&mut self, page: usize, expr: &Expression, scope: &Scope) -> Node {
        let val = self.eval(page, expr, scope);
        let mut node = val.node;
        if val.page.is_some_and(|p| p != page) {
            respan(&mut node, span_of(expr));
        }
        node
    }

    fn template(&mut self, page: usize, elements: &[&Element], span: Span, scope: &Scope) -> Val {
        let mut out = String::new();
        self.render(page, elements, scope, &mut out);
        Val {
            node: text(out, span),
            page: None,
        }
    }

    /// A template's text: literals, interpolations, `%{ if }` and `%{ for }` directives.
    /// (Strip markers `~` only trim whitespace, which a policy's JSON ignores: not applied.)
    fn render(&mut self, page: usize, elements: &[&Element], scope: &Scope, out: &mut String) {
        for element in elements {
            match element {
                Element::Literal(literal) => out.push_str(literal.value()),
                Element::Interpolation(interpolation) => {
                    let value = self.eval(page, &interpolation.expr, scope).node;
                    if is_call(&interpolation.expr, "jsonencode") {
                        out.push_str(&json_text(&value));
                        continue;
                    }
                    match scalar_text(&value) {
                        Some(value) => out.push_str(&value),
                        None => {
                            self.unresolved(
                                page,
                                span_of(&interpolation.expr),
                                "this interpolation is not a string".into(),
                            );
                            out.push('*');
                        }
                    }
                }
                Element::Directive(directive) => self.directive(page, directive, scope, out),
            }
        }
    }

    fn directive(&mut self, page: usize, directive: &Directive, scope: &Scope, out: &mut String) {
        match directive {
            Directive::If(directive) => {
                let condition = &directive.if_expr.cond_expr;
                let decided = self.eval(page, condition, scope).node;
                let branch = match decided.value {
                    Value::Bool(false) => directive.else_expr.as_ref().map(|e| &e.template),
                    Value::Bool(true) => Some(&directive.if_expr.template),
                    _ => {
                        self.problem(
                            ProblemKind::Unresolved,
                            page,
                            span_of(condition),
                            "this condition cannot be decided; iamlint reads the first branch"
                                .into(),
                            "undecided",
                        );
                        Some(&directive.if_expr.template)
                    }
                };
                if let Some(template) = branch {
                    let inner: Vec<&Element> = template.iter().collect();
                    self.render(page, &inner, scope, out);
                }
            }
            Directive::For(directive) => {
                let for_expr = &directive.for_expr;
                let collection = &for_expr.collection_expr;
                let Some(pairs) = self.collection(page, collection, scope) else {
                    out.push('*');
                    return;
                };
                let inner: Vec<&Element> = for_expr.template.iter().collect();
                for (key, value) in pairs {
                    let names = [
                        (for_expr.key_var.as_ref().map(|k| k.as_str()), key),
                        (Some(for_expr.value_var.as_str()), value),
                    ];
                    self.render(page, &inner, &scope.with(&names), out);
                }
            }
        }
    }

    /// What a `for` iterates, or `None` when it is not known (reported).
    fn collection(
        &mut self,
        page: usize,
        expr: &Expression,
        scope: &Scope,
    ) -> Option<Vec<(Node, Node)>> {
        let collection = self.embedded(page, expr, scope);
        let pairs = pairs_of(&collection);
        if pairs.is_none() && collection.as_str() != Some("*") {
            // An unknown value was reported where it stands.
            self.unresolved(
                page,
                span_of(expr),
                "a `for` over something that is not a list or an object".into(),
            );
        }
        pairs
    }

    /// `[for … : …]` and `{for … : k => v}`, over a collection known in the module.
    fn for_expr(&mut self, page: usize, expr: &ForExpr, span: Span, scope: &Scope) -> Val {
        let unknown = |span| Val {
            node: text("*", span),
            page: None,
        };
        let Some(pairs) = self.collection(page, &expr.intro.collection_expr, scope) else {
            return unknown(span);
        };
        let mut items: Vec<Node> = Vec::new();
        let mut members: Vec<Member> = Vec::new();
        for (key, value) in pairs {
            let names = [
                (expr.intro.key_var.as_ref().map(|k| k.as_str()), key),
                (Some(expr.intro.value_var.as_str()), value),
            ];
            let inner = scope.with(&names);
            if let Some(cond) = &expr.cond {
                match self.eval(page, &cond.expr, &inner).node.value {
                    Value::Bool(true) => {}
                    Value::Bool(false) => continue,
                    _ => self.problem(
                        ProblemKind::Unresolved,
                        page,
                        span_of(&cond.expr),
                        "this filter cannot be decided; iamlint keeps every element".into(),
                        "undecided",
                    ),
                }
            }
            let value = self.embedded(page, &expr.value_expr, &inner);
            let Some(key_expr) = &expr.key_expr else {
                items.push(value);
                continue;
            };
            let key = self.embedded(page, key_expr, &inner);
            let Some(name) = scalar_text(&key) else {
                return self.unresolved(
                    page,
                    span_of(key_expr),
                    "a key that is not a string".into(),
                );
            };
            match members.iter_mut().find(|m| m.key.value == name) {
                Some(member) if expr.grouping => {
                    if let Value::Array(group) = &mut member.value.value {
                        group.push(value);
                    }
                }
                Some(member) => member.value = value,
                None => {
                    let value = if expr.grouping {
                        Node {
                            span: value.span,
                            value: Value::Array(vec![value]),
                        }
                    } else {
                        value
                    };
                    members.push(Member {
                        key: Spanned {
                            value: name,
                            span: key.span,
                        },
                        value,
                    });
                }
            }
        }
        let value = match expr.key_expr {
            Some(_) => Value::Object(members),
            None => Value::Array(items),
        };
        Val {
            node: Node { value, span },
            page: None,
        }
    }

    fn function(
        &mut self,
        page: usize,
        name: &str,
        args: &[&Expression],
        span: Span,
        scope: &Scope,
    ) -> Val {
        match (name, args) {
            // The value's own tree, where it stands.
            ("jsonencode" | "tolist" | "toset" | "tomap", [value]) => self.eval(page, value, scope),
            ("file", [path]) => match self.read_file("file", page, path, span, scope) {
                Ok((loaded, content)) => {
                    let len = content.len();
                    Val {
                        node: text(content, Span { start: 0, end: len }),
                        page: Some(loaded),
                    }
                }
                Err(val) => val,
            },
            ("templatefile", [path, variables]) => {
                self.templatefile(page, path, variables, span, scope)
            }
            ("upper" | "lower", [value]) => {
                // Keeps the span of the value, so a finding points where it is written.
                let value = self.embedded(page, value, scope);
                match scalar_text(&value) {
                    Some(s) if s != "*" => here_text(
                        if name == "upper" {
                            s.to_uppercase()
                        } else {
                            s.to_lowercase()
                        },
                        value.span,
                    ),
                    _ => Val {
                        node: value,
                        page: None,
                    },
                }
            }
            ("join", [separator, list]) => {
                let separator = self.eval(page, separator, scope).node;
                let list = self.embedded(page, list, scope);
                match (scalar_text(&separator), &list.value) {
                    (Some(separator), Value::Array(items)) => {
                        let parts: Option<Vec<String>> = items.iter().map(scalar_text).collect();
                        match parts {
                            Some(parts) => here_text(parts.join(&separator), span),
                            None => self.unresolved(
                                page,
                                span,
                                "`join()` of values that are not strings".into(),
                            ),
                        }
                    }
                    _ => self.unresolved(
                        page,
                        span,
                        "`join()` of a list iamlint cannot compute".into(),
                    ),
                }
            }
            ("split", [separator, string]) => {
                let separator = self.eval(page, separator, scope).node;
                let string = self.eval(page, string, scope).node;
                match (scalar_text(&separator), scalar_text(&string)) {
                    (Some(separator), Some(string)) if !separator.is_empty() && string != "*" => {
                        let items = string
                            .split(separator.as_str())
                            .map(|p| text(p, span))
                            .collect();
                        here_value(Value::Array(items), span)
                    }
                    _ => self.unresolved(
                        page,
                        span,
                        "`split()` of a string iamlint cannot compute".into(),
                    ),
                }
            }
            ("keys" | "values", [map]) => {
                let map = self.embedded(page, map, scope);
                let Value::Object(members) = map.value else {
                    return self.unresolved(
                        page,
                        span,
                        format!("`{name}()` of something that is not a map"),
                    );
                };
                let items = members
                    .into_iter()
                    .map(|m| {
                        if name == "keys" {
                            text(m.key.value, m.key.span)
                        } else {
                            m.value
                        }
                    })
                    .collect();
                here_value(Value::Array(items), span)
            }
            ("merge", maps) => {
                let mut members: Vec<Member> = Vec::new();
                for map in maps {
                    let Value::Object(more) = self.embedded(page, map, scope).value else {
                        return self.unresolved(
                            page,
                            span,
                            "`merge()` of something that is not a map".into(),
                        );
                    };
                    for member in more {
                        members.retain(|m| m.key.value != member.key.value);
                        members.push(member);
                    }
                }
                here_value(Value::Object(members), span)
            }
            ("flatten" | "distinct", [list]) => {
                let list = self.embedded(page, list, scope);
                let Value::Array(items) = list.value else {
                    return self.unresolved(
                        page,
                        span,
                        format!("`{name}()` of something that is not a list"),
                    );
                };
                let mut out: Vec<Node> = Vec::new();
                let mut pending = items;
                pending.reverse();
                while let Some(item) = pending.pop() {
                    match item.value {
                        Value::Array(inner) if name == "flatten" => {
                            pending.extend(inner.into_iter().rev());
                        }
                        _ if name == "distinct" && out.iter().any(|o| o.value == item.value) => {}
                        _ => out.push(item),
                    }
                }
                here_value(Value::Array(out), span)
            }
            ("concat", lists) => {
                let mut items = Vec::new();
                for list in lists {
                    match self.embedded(page, list, scope).value {
                        Value::Array(more) => items.extend(more),
                        _ => {
                            return self.unresolved(
                                page,
                                span,
                                "`concat()` of something that is not a list".into(),
                            );
                        }
                    }
                }
                here_value(Value::Array(items), span)
            }
            ("format", [format, rest @ ..]) => {
                let format = self.eval(page, format, scope).node;
                let Some(format) = scalar_text(&format) else {
                    return self.unresolved(
                        page,
                        span,
                        "`format()` of a format iamlint cannot compute".into(),
                    );
                };
                let mut out = String::new();
                let mut values = rest.iter();
                let mut pieces = format.split("%s");
                out.push_str(pieces.next().unwrap_or(""));
                for piece in pieces {
                    let value = values.next().map(|v| self.eval(page, v, scope).node);
                    out.push_str(
                        &value
                            .as_ref()
                            .and_then(scalar_text)
                            .unwrap_or_else(|| "*".into()),
                    );
                    out.push_str(piece);
                }
                Val {
                    node: text(out, span),
                    page: None,
                }
            }
            _ => self.unresolved(page, span, format!("iamlint does not evaluate `{name}()`")),
        }
    }

    /// The file `function("PATH", …)` names, relative to the module: its page and text; or
    /// the value standing for it, reported.
    fn read_file(
        &mut self,
        function: &str,
        page: usize,
        path: &Expression,
        span: Span,
        scope: &Scope,
    ) -> Result<(usize, String), Val> {
        let path = self.eval(page, path, scope).node;
        let Some(path) = scalar_text(&path).filter(|p| !p.contains('*')) else {
            return Err(self.unresolved(
                page,
                span,
                format!("`{function}()` of a path iamlint cannot compute"),
            ));
        };
        let path = under(&self.namespaces[self.ns(page)].dir, &path);
        match self.load.file(&path) {
            Ok((loaded, content)) => {
                while self.texts.len() <= loaded {
                    self.texts.push(String::new());
                }
                self.texts[loaded] = content.clone();
                Ok((loaded, content))
            }
            Err(reason) => Err(self.invalid(
                page,
                span,
                format!("`{function}(\"{path}\")`: {reason}"),
                "cannot read",
            )),
        }
    }

    /// `templatefile(PATH, VARS)`: the template rendered with the variables of its literal
    /// map. A template without interpolations or directives is read in place, as `file()`
    /// reads; a rendered one stands at the call (its text is no longer the file's).
    fn templatefile(
        &mut self,
        page: usize,
        path: &Expression,
        variables: &Expression,
        span: Span,
        scope: &Scope,
    ) -> Val {
        let (loaded, content) = match self.read_file("templatefile", page, path, span, scope) {
            Ok(read) => read,
            Err(val) => return val,
        };
        let template = match hcl_edit::parser::parse_template(&content) {
            Ok(template) => template,
            Err(error) => {
                let at = error.location().offset().min(content.len());
                let end = content[at..]
                    .chars()
                    .next()
                    .map_or(at, |c| at + c.len_utf8());
                self.problem(
                    ProblemKind::Invalid,
                    loaded,
                    Span { start: at, end },
                    format!("template syntax error: {}", error.message()),
                    "here",
                );
                // And at the call, which stands for the policy that could not be made.
                let message = "the template does not parse, so it renders no policy".into();
                return self.invalid(page, span, message, "cannot render");
            }
        };
        let elements: Vec<&Element> = template.iter().collect();
        if elements.iter().all(|e| matches!(e, Element::Literal(_))) {
            let len = content.len();
            return Val {
                node: text(content, Span { start: 0, end: len }),
                page: Some(loaded),
            };
        }
        let variables = self.embedded(page, variables, scope);
        let Value::Object(members) = variables.value else {
            return self.unresolved(
                page,
                span_of(path),
                "`templatefile()` variables iamlint cannot compute".into(),
            );
        };
        // Only the template's variables are in its scope.
        let inner = Scope {
            bound: members
                .into_iter()
                .map(|m| (m.key.value, m.value))
                .collect(),
            ..Scope::default()
        };
        let mut out = String::new();
        self.render(loaded, &elements, &inner, &mut out);
        here_text(out, span)
    }

    fn traverse(&mut self, page: usize, root: &str, ops: &[Op], span: Span, scope: &Scope) -> Val {
        let attr = |i: usize| match ops.get(i) {
            Some(Op::Attr(a)) => Some(a.as_str()),
            _ => None,
        };
        let (value, rest) = match (root, attr(0)) {
            _ if scope.bound(root).is_some() => (
                Val {
                    node: scope
                        .bound(root)
                        .cloned()
                        .unwrap_or_else(|| text("*", span)),
                    page: None,
                },
                0,
            ),
            ("var", Some(name)) => {
                let ns = self.ns(page);
                let Some(&(at, expr)) = self.variables.get(&(ns, name)) else {
                    return self.unresolved(
                        page,
                        span,
                        format!("variable `{name}` has no default and no --var-file value"),
                    );
                };
                (
                    self.follow(
                        &self.qualified(page, &format!("var.{name}")),
                        (at, expr),
                        &Scope::default(),
                        (page, span),
                    ),
                    1,
                )
            }
            ("local", Some(name)) => {
                let ns = self.ns(page);
                let Some(&(at, expr)) = self.locals.get(&(ns, name)) else {
                    return self.invalid(
                        page,
                        span,
                        format!("`local.{name}` is not defined in this module"),
                        "unknown name",
                    );
                };
                (
                    self.follow(
                        &self.qualified(page, &format!("local.{name}")),
                        (at, expr),
                        &Scope::default(),
                        (page, span),
                    ),
                    1,
                )
            }
            ("each", Some("key")) if scope.each_key.is_some() => (
                Val {
                    node: scope.each_key.clone().unwrap_or_else(|| text("*", span)),
                    page: None,
                },
                1,
            ),
            ("each", Some("value")) if scope.each_value.is_some() => (
                Val {
                    node: scope.each_value.clone().unwrap_or_else(|| text("*", span)),
                    page: None,
                },
                1,
            ),
            ("count", Some("index")) if scope.count_index.is_some() => (
                Val {
                    node: Node {
                        value: Value::Number(scope.count_index.unwrap_or(0).to_string()),
                        span,
                    },
                    page: None,
                },
                1,
            ),
            ("path", Some(_)) => (
                Val {
                    node: text(".", span),
                    page: None,
                },
                1,
            ),
            ("data", Some(kind)) => {
                let Some(name) = attr(1) else {
                    return self.unresolved(
                        page,
                        span,
                        "an incomplete data source reference".into(),
                    );
                };
                let value = match (kind, attr(2)) {
                    ("aws_iam_policy_document", Some("json" | "minified_json")) => {
                        return self.policy_document(name, page, span);
                    }
                    ("aws_caller_identity", Some("account_id")) => text(PLACEHOLDER_ACCOUNT, span),
                    ("aws_region", Some("name" | "id" | "region")) => text(REGION, span),
                    ("aws_partition", Some("partition")) => text("aws", span),
                    ("aws_partition", Some("dns_suffix")) => text("amazonaws.com", span),
                    _ => {
                        return self.unresolved(
                            page,
                            span,
                            format!("data source `data.{kind}.{name}` is known only at plan time"),
                        );
                    }
                };
                (
                    Val {
                        node: value,
                        page: None,
                    },
                    3,
                )
            }
            ("module", Some(call)) => {
                let ns = self.ns(page);
                let child = match self.calls.get(&(ns, call.to_string())) {
                    Some(Some(child)) => *child,
                    Some(None) => {
                        return self.unresolved(
                            page,
                            span,
                            format!("module `{call}` is not read, so its outputs are unknown"),
                        );
                    }
                    None => {
                        return self.invalid(
                            page,
                            span,
                            format!("`module.{call}` is not a module call of this module"),
                            "unknown module",
                        );
                    }
                };
                let Some(output) = attr(1) else {
                    return self.unresolved(
                        page,
                        span,
                        "a whole module is not a value iamlint computes".into(),
                    );
                };
                let Some(&(at, expr)) = self.outputs.get(&(child, output)) else {
                    let message = format!("module `{call}` has no output `{output}`");
                    return self.invalid(page, span, message, "unknown output");
                };
                let name = self.qualified(page, &format!("module.{call}.{output}"));
                (
                    self.follow(&name, (at, expr), &Scope::default(), (page, span)),
                    2,
                )
            }
            (kind, Some(name)) if kind.starts_with("aws_") => {
                let ns = self.ns(page);
                let Some(&i) = self.index.get(&(ns, kind, name)) else {
                    return self.invalid(
                        page,
                        span,
                        format!("`{kind}.{name}` is not a resource of this module"),
                        "unknown resource",
                    );
                };
                let (instance, next) = match ops.get(1) {
                    Some(Op::Index(key)) => {
                        let wanted = if key.parse::<usize>().is_ok() {
                            format!("[{key}]")
                        } else {
                            format!("[\"{key}\"]")
                        };
                        match self.resources[i]
                            .instances
                            .iter()
                            .position(|n| n.suffix == wanted)
                        {
                            Some(n) => (n, 2),
                            None => {
                                return self.unresolved(
                                    page,
                                    span,
                                    format!("`{kind}.{name}` has no instance {wanted}"),
                                );
                            }
                        }
                    }
                    _ if self.resources[i].instances.len() == 1 => (0, 1),
                    _ => {
                        return self.unresolved(
                            page,
                            span,
                            format!("`{kind}.{name}` has several instances; this names them all"),
                        );
                    }
                };
                let attribute = attr(next).unwrap_or("id");
                (
                    Val {
                        node: self.attribute(i, instance, attribute, span),
                        page: None,
                    },
                    next + 1,
                )
            }
            _ => {
                return self.unresolved(
                    page,
                    span,
                    "iamlint does not evaluate this reference".into(),
                );
            }
        };
        // Indexing into the value (`var.roles["api"]`, `local.names[0]`).
        let mut node = value.node;
        for op in &ops[rest.min(ops.len())..] {
            let key = match op {
                Op::Attr(key) | Op::Index(key) => key,
                Op::Unknown => {
                    return self.unresolved(page, span, "an index iamlint cannot compute".into());
                }
            };
            let next = match &node.value {
                Value::Object(members) => members
                    .iter()
                    .find(|m| &m.key.value == key)
                    .map(|m| m.value.clone()),
                Value::Array(items) => key
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).cloned()),
                _ => None,
            };
            match next {
                Some(next) => node = next,
                None => {
                    return self.unresolved(page, span, format!("`{key}` is not in this value"));
                }
            }
        }
        Val {
            node,
            page: value.page,
        }
    }

    /// The value of a variable or local, once; a reference back to itself is a cycle.
    /// `at`/`expr`: where the value is defined; `page`/`span`: the reference to it.
    fn follow(
        &mut self,
        name: &str,
        (at, expr): (usize, &'b Expression),
        scope: &Scope,
        (page, span): (usize, Span),
    ) -> Val {
        if self.visiting.iter().any(|v| v == name) || self.visiting.len() > MAX_REFERENCE_DEPTH {
            let mut chain = self.visiting.clone();
            chain.push(name.to_string());
            return self.invalid(
                page,
                span,
                format!("reference cycle: {}", chain.join(" → ")),
                "this reference closes the cycle",
            );
        }
        self.visiting.push(name.to_string());
        let val = self.eval(at, expr, scope);
        self.visiting.pop();
        Val {
            node: val.node,
            page: Some(val.page.unwrap_or(at)),
        }
    }

    /// `arn`, `name` or `id` of an instance of a module resource.
    fn attribute(&mut self, i: usize, instance: usize, attribute: &str, span: Span) -> Node {
        let kind = self.resources[i].kind;
        let value = match (kind, attribute) {
            ("aws_iam_role" | "aws_iam_user" | "aws_iam_group", "name" | "id") => {
                self.name_of(i, instance)
            }
            ("aws_iam_role" | "aws_iam_user" | "aws_iam_group" | "aws_iam_policy", "arn")
            | ("aws_iam_policy", "id") => self.arn_of(i, instance),
            ("aws_iam_policy", "name") => self.name_of(i, instance),
            (kind, _) if kind.starts_with("aws_iam_") => {
                let page = self.resources[i].page;
                return self
                    .unresolved(
                        page,
                        span,
                        format!("`{kind}`'s `{attribute}` is known only after apply"),
                    )
                    .node;
            }
            _ => Some(MODULE_RESOURCE.to_string()),
        };
        text(value.unwrap_or_else(|| "*".into()), span)
    }

    fn address(&self, i: usize, instance: usize) -> String {
        let r = &self.resources[i];
        let prefix = &self.namespaces[r.ns].prefix;
        format!(
            "{prefix}{}.{}{}",
            r.kind, r.name, r.instances[instance].suffix
        )
    }

    /// The `name` a resource instance will have; without one, its resource name (and
    /// instance key): Terraform would generate a unique one.
    fn name_of(&mut self, i: usize, instance: usize) -> Option<String> {
        let key = (i, self.resources[i].instances[instance].suffix.clone());
        if let Some(name) = self.names.get(&key) {
            return name.clone();
        }
        let r = &self.resources[i];
        let (page, block, span) = (r.page, r.block, r.span);
        let scope = r.instances[instance].scope.clone();
        let name = match block.body.get_attribute("name") {
            Some(attribute) => {
                let address = self.address(i, instance);
                let val = self.follow(&address, (page, &attribute.value), &scope, (page, span));
                scalar_text(&val.node)
            }
            None => {
                let suffix = scope
                    .each_key
                    .as_ref()
                    .and_then(scalar_text)
                    .or(scope.count_index.map(|n| n.to_string()));
                Some(match suffix {
                    Some(suffix) => format!("{}-{suffix}", r.name),
                    None => r.name.to_string(),
                })
            }
        };
        self.names.insert(key, name.clone());
        name
    }

    fn arn_of(&mut self, i: usize, instance: usize) -> Option<String> {
        let kind = match self.resources[i].kind {
            "aws_iam_role" => "role",
            "aws_iam_user" => "user",
            "aws_iam_group" => "group",
            _ => "policy",
        };
        let path = self
            .string(i, instance, "path")
            .map(|p| p.value)
            .filter(|p| p.starts_with('/') && p.ends_with('/'))
            .unwrap_or_else(|| "/".into());
        let name = self.name_of(i, instance)?;
        Some(format!(
            "arn:aws:iam::{PLACEHOLDER_ACCOUNT}:{kind}{path}{name}"
        ))
    }

    fn string(&mut self, i: usize, instance: usize, key: &str) -> Option<Reference> {
        let (page, block) = (self.resources[i].page, self.resources[i].block);
        let attribute = block.body.get_attribute(key)?;
        let scope = self.resources[i].instances[instance].scope.clone();
        let node = self.eval(page, &attribute.value, &scope).node;
        scalar_text(&node).map(|value| Reference {
            value,
            page,
            span: span_of(&attribute.value),
        })
    }

    fn strings(&mut self, i: usize, instance: usize, key: &str) -> Vec<Reference> {
        let (page, block) = (self.resources[i].page, self.resources[i].block);
        let Some(attribute) = block.body.get_attribute(key) else {
            return Vec::new();
        };
        let scope = self.resources[i].instances[instance].scope.clone();
        let node = self.embedded(page, &attribute.value, &scope);
        references(node, page)
    }

    /// A policy document held in an attribute of a resource instance.
    fn document_attribute(
        &mut self,
        i: usize,
        instance: usize,
        key: &str,
        kind: DocumentKind,
    ) -> Option<Document> {
        let (page, block) = (self.resources[i].page, self.resources[i].block);
        let Some(attribute) = block.body.get_attribute(key) else {
            let address = self.address(i, instance);
            let span = self.resources[i].span;
            self.problem(
                ProblemKind::Invalid,
                page,
                span,
                format!("`{address}` has no `{key}`"),
                "missing attribute",
            );
            return None;
        };
        let scope = self.resources[i].instances[instance].scope.clone();
        self.document(page, &attribute.value, &scope, kind)
    }

    fn document(
        &mut self,
        page: usize,
        expr: &Expression,
        scope: &Scope,
        kind: DocumentKind,
    ) -> Option<Document> {
        let val = self.eval(page, expr, scope);
        let page = val.page.unwrap_or(page);
        let mut node = val.node;
        // A whole policy that could not be computed is already reported.
        let reported = |p: &Problem| p.page == page && p.error.span == node.span;
        if node.as_str() == Some("*") && self.problems.iter().any(reported) {
            return None;
        }
        if let Value::String(embedded) = &node.value {
            // JSON text standing in a file as written (a heredoc, a file()): read in place.
            let raw = self
                .texts
                .get(page)
                .and_then(|t| t.get(node.span.start..node.span.end));
            match raw.map(json::parse) {
                Some(Ok(mut root)) if matches!(root.value, Value::Object(_)) => {
                    shift(&mut root, node.span.start);
                    node = root;
                }
                _ => {
                    let parsed = parse_embedded(embedded, node.span, kind);
                    return self.parsed(page, parsed);
                }
            }
        }
        if let Value::Object(members) = &mut node.value {
            if let Some(statement) = members.iter_mut().find(|m| m.key.value == "Statement") {
                let guessed: Vec<Span> = self
                    .problems
                    .iter()
                    .filter(|p| p.page == page)
                    .map(|p| p.error.span)
                    .collect();
                soften_guessed_denies(&mut statement.value, &guessed);
            }
        }
        let parsed = parse_document(&mut node, kind);
        self.parsed(page, parsed)
    }

    fn parsed(
        &mut self,
        page: usize,
        parsed: Result<crate::document::PolicyDocument, Vec<PolicyError>>,
    ) -> Option<Document> {
        document_or_problems(page, parsed, &mut self.problems)
    }

    /// `data "aws_iam_policy_document" NAME`'s `json`: the policy it builds, as a tree
    /// whose spans point at its blocks.
    fn policy_document(&mut self, name: &str, page: usize, span: Span) -> Val {
        let ns = self.ns(page);
        let Some(&(at, block)) = self.documents.get(&(ns, name)) else {
            return self.invalid(
                page,
                span,
                format!("`data.aws_iam_policy_document.{name}` is not in this module"),
                "unknown data source",
            );
        };
        let reference = self.qualified(page, &format!("data.aws_iam_policy_document.{name}"));
        if self.visiting.contains(&reference) || self.visiting.len() > MAX_REFERENCE_DEPTH {
            return self.invalid(
                page,
                span,
                format!("reference cycle through {reference}"),
                "this reference closes the cycle",
            );
        }
        self.visiting.push(reference);
        let node = self.build_document(at, block);
        self.visiting.pop();
        Val {
            node,
            page: Some(at),
        }
    }

    fn build_document(&mut self, page: usize, block: &'b Block) -> Node {
        let scope = Scope::default();
        let body = &block.body;
        let key = |value: &str, span: Span| Spanned {
            value: value.to_string(),
            span,
        };
        let mut statements: Vec<Node> = Vec::new();
        let merge = |statements: &mut Vec<Node>, more: Vec<Node>, replace: bool| {
            for statement in more {
                let sid = statement
                    .get("Sid")
                    .and_then(Node::as_str)
                    .map(str::to_string);
                match sid.and_then(|sid| {
                    statements
                        .iter()
                        .position(|s| s.get("Sid").and_then(Node::as_str) == Some(&sid))
                }) {
                    Some(at) if replace => statements[at] = statement,
                    _ => statements.push(statement),
                }
            }
        };
        let imported = |reader: &mut Self, key: &str| -> Vec<Node> {
            let Some(attribute) = body.get_attribute(key) else {
                return Vec::new();
            };
            let list = reader.eval(page, &attribute.value, &scope).node;
            let documents = match list.value {
                Value::Array(items) => items,
                _ => vec![list],
            };
            documents
                .into_iter()
                .flat_map(|d| match d.get("Statement").map(|s| s.value.clone()) {
                    Some(Value::Array(items)) => items,
                    Some(other) => vec![Node {
                        value: other,
                        span: d.span,
                    }],
                    None => Vec::new(),
                })
                .collect()
        };
        let sources = imported(self, "source_policy_documents");
        merge(&mut statements, sources, false);
        let mut own = Vec::new();
        for statement in body.blocks().filter(|b| b.ident.as_str() == "statement") {
            own.push(self.statement(page, statement, &scope));
        }
        merge(&mut statements, own, true);
        let overrides = imported(self, "override_policy_documents");
        merge(&mut statements, overrides, true);
        let span = span_of(block);
        let mut members = vec![Member {
            key: key("Version", span),
            value: text("2012-10-17", span),
        }];
        if let Some(version) = body.get_attribute("version") {
            members[0].value = self.embedded(page, &version.value, &scope);
        }
        members.push(Member {
            key: key("Statement", span),
            value: Node {
                value: Value::Array(statements),
                span,
            },
        });
        Node {
            value: Value::Object(members),
            span,
        }
    }

    fn statement(&mut self, page: usize, block: &'b Block, scope: &Scope) -> Node {
        let span = span_of(block);
        let mut members = Vec::new();
        let mut effect_given = false;
        for attribute in block.body.attributes() {
            let name = match attribute.key.as_str() {
                "sid" => "Sid",
                "effect" => {
                    effect_given = true;
                    "Effect"
                }
                "actions" => "Action",
                "not_actions" => "NotAction",
                "resources" => "Resource",
                "not_resources" => "NotResource",
                _ => continue,
            };
            members.push(Member {
                key: Spanned {
                    value: name.into(),
                    span: span_of(&attribute.key),
                },
                value: self.embedded(page, &attribute.value, scope),
            });
        }
        if !effect_given {
            members.push(Member {
                key: Spanned {
                    value: "Effect".into(),
                    span,
                },
                value: text("Allow", span),
            });
        }
        for (ident, key) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            let mut principals: Vec<Member> = Vec::new();
            let mut key_span = None;
            for principal in block.body.blocks().filter(|b| b.ident.as_str() == ident) {
                key_span.get_or_insert(span_of(&principal.ident));
                let kind = principal
                    .body
                    .get_attribute("type")
                    .map(|t| self.embedded(page, &t.value, scope));
                let identifiers = principal
                    .body
                    .get_attribute("identifiers")
                    .map(|t| self.embedded(page, &t.value, scope));
                let (Some(kind), Some(identifiers)) =
                    (kind.as_ref().and_then(scalar_text), identifiers)
                else {
                    continue;
                };
                match principals.iter_mut().find(|m| m.key.value == kind) {
                    Some(member) => {
                        if let (Value::Array(have), Value::Array(more)) =
                            (&mut member.value.value, identifiers.value.clone())
                        {
                            have.extend(more);
                        }
                    }
                    None => principals.push(Member {
                        key: Spanned {
                            value: kind,
                            span: span_of(&principal.ident),
                        },
                        value: identifiers,
                    }),
                }
            }
            if let Some(key_span) = key_span {
                // `type = "*"` with `identifiers = ["*"]` is `"Principal": "*"`.
                let value = match principals.as_slice() {
                    [only] if only.key.value == "*" => text("*", only.value.span),
                    _ => Node {
                        value: Value::Object(principals),
                        span: key_span,
                    },
                };
                members.push(Member {
                    key: Spanned {
                        value: key.into(),
                        span: key_span,
                    },
                    value,
                });
            }
        }
        let mut conditions: Vec<Member> = Vec::new();
        let mut condition_span = None;
        for condition in block
            .body
            .blocks()
            .filter(|b| b.ident.as_str() == "condition")
        {
            let at = span_of(condition);
            condition_span.get_or_insert(at);
            let test = condition
                .body
                .get_attribute("test")
                .map(|t| self.embedded(page, &t.value, scope));
            let variable = condition
                .body
                .get_attribute("variable")
                .map(|t| self.embedded(page, &t.value, scope));
            let values = condition
                .body
                .get_attribute("values")
                .map(|t| self.embedded(page, &t.value, scope));
            let (Some(test), Some(variable), Some(values)) = (
                test.as_ref().and_then(scalar_text),
                variable.as_ref().and_then(scalar_text),
                values,
            ) else {
                continue;
            };
            let entry = Member {
                key: Spanned {
                    value: variable,
                    span: at,
                },
                value: values,
            };
            match conditions.iter_mut().find(|m| m.key.value == test) {
                Some(Member {
                    value:
                        Node {
                            value: Value::Object(keys),
                            ..
                        },
                    ..
                }) => keys.push(entry),
                _ => conditions.push(Member {
                    key: Spanned {
                        value: test,
                        span: at,
                    },
                    value: Node {
                        value: Value::Object(vec![entry]),
                        span: at,
                    },
                }),
            }
        }
        if let Some(at) = condition_span {
            members.push(Member {
                key: Spanned {
                    value: "Condition".into(),
                    span: at,
                },
                value: Node {
                    value: Value::Object(conditions),
                    span: at,
                },
            });
        }
        Node {
            value: Value::Object(members),
            span,
        }
    }

    fn declared(&self, i: usize, instance: usize) -> Declared {
        Declared {
            name: self.address(i, instance),
            page: self.resources[i].page,
            span: self.resources[i].span,
        }
    }

    fn model(mut self) -> Model {
        let mut builder = Builder::default();
        for i in 0..self.resources.len() {
            for instance in 0..self.resources[i].instances.len() {
                self.resource(i, instance, &mut builder);
            }
        }
        let mut model = builder.finish();
        // A local read by every instance reports its problems once.
        let mut seen = std::collections::HashSet::new();
        let problems: Vec<Problem> = self
            .problems
            .into_iter()
            .filter(|p| {
                let e = &p.error;
                seen.insert((p.page, e.span.start, e.span.end, e.message.clone()))
            })
            .collect();
        model.problems.splice(0..0, problems);
        model
    }

    fn resource(&mut self, i: usize, instance: usize, builder: &mut Builder) {
        let kind = self.resources[i].kind;
        let mut attributes = InstanceOf {
            reader: self,
            i,
            instance,
        };
        link(kind, &mut attributes, builder);
    }
}

/// One instance of a module resource, read through its reader.
struct InstanceOf<'r, 'b, 'l> {
    reader: &'r mut Reader<'b, 'l>,
    i: usize,
    instance: usize,
}

impl Attributes for InstanceOf<'_, '_, '_> {
    fn string(&mut self, key: &str) -> Option<Reference> {
        self.reader.string(self.i, self.instance, key)
    }

    fn strings(&mut self, key: &str) -> Vec<Reference> {
        self.reader.strings(self.i, self.instance, key)
    }

    fn document(&mut self, key: &str, kind: DocumentKind) -> Option<Document> {
        self.reader
            .document_attribute(self.i, self.instance, key, kind)
    }

    fn inline_policies(&mut self) -> Vec<InlinePolicy> {
        let reader = &mut *self.reader;
        let (page, block) = (
            reader.resources[self.i].page,
            reader.resources[self.i].block,
        );
        let scope = reader.resources[self.i].instances[self.instance]
            .scope
            .clone();
        let mut inline = Vec::new();
        for policy in block
            .body
            .blocks()
            .filter(|b| b.ident.as_str() == "inline_policy")
        {
            let Some(attribute) = policy.body.get_attribute("policy") else {
                continue;
            };
            let name = policy
                .body
                .get_attribute("name")
                .and_then(|n| scalar_text(&reader.eval(page, &n.value, &scope).node))
                .unwrap_or_else(|| "inline".into());
            if let Some(document) =
                reader.document(page, &attribute.value, &scope, DocumentKind::Identity)
            {
                inline.push(InlinePolicy { name, document });
            }
        }
        inline
    }

    fn name(&mut self) -> String {
        let name = self.reader.name_of(self.i, self.instance);
        name.unwrap_or_else(|| "*".into())
    }

    fn arn(&mut self) -> String {
        let arn = self.reader.arn_of(self.i, self.instance);
        arn.unwrap_or_else(|| "*".into())
    }

    fn address(&self) -> String {
        self.reader.address(self.i, self.instance)
    }

    fn declared(&self) -> Declared {
        self.reader.declared(self.i, self.instance)
    }
}

/// What the mapping of Terraform's IAM resources needs to know of one resource instance,
/// read from a module ([`read`]) or from a plan (`super::plan`).
pub trait Attributes {
    /// A string attribute, resolved.
    fn string(&mut self, key: &str) -> Option<Reference>;
    /// A list-of-strings attribute (or one string), resolved.
    fn strings(&mut self, key: &str) -> Vec<Reference>;
    /// A policy document attribute; a missing one is reported.
    fn document(&mut self, key: &str, kind: DocumentKind) -> Option<Document>;
    /// A role's `inline_policy` blocks.
    fn inline_policies(&mut self) -> Vec<InlinePolicy>;
    fn name(&mut self) -> String;
    fn arn(&mut self) -> String;
    fn address(&self) -> String;
    fn declared(&self) -> Declared;
}

/// Terraform's IAM resource types → the model: principals, policies and their links.
pub fn link(kind: &str, resource: &mut dyn Attributes, builder: &mut Builder) {
    let list = match kind {
        "aws_iam_role" => Some(List::Role),
        "aws_iam_user" => Some(List::User),
        "aws_iam_group" => Some(List::Group),
        _ => None,
    };
    if let Some(list) = list {
        let trust = (list == List::Role)
            .then(|| resource.document("assume_role_policy", DocumentKind::Trust))
            .flatten();
        let principal = Principal {
            name: resource.name(),
            arn: resource.arn(),
            path: resource
                .string("path")
                .map_or_else(|| "/".into(), |p| p.value),
            inline: resource.inline_policies(),
            attached: Vec::new(),
            boundary: None,
            groups: Vec::new(),
            trust,
            declared: Some(resource.declared()),
        };
        let at = builder.principal(list, principal);
        for arn in resource.strings("managed_policy_arns") {
            builder.attach_at(list, at, arn);
        }
        if let Some(boundary) = resource.string("permissions_boundary") {
            builder.boundary(list, at, boundary);
        }
        return;
    }
    let owner = |kind: &str, role: &'static str, user: &'static str, group: &'static str| {
        if kind.starts_with("aws_iam_role") {
            (List::Role, role)
        } else if kind.starts_with("aws_iam_user") {
            (List::User, user)
        } else {
            (List::Group, group)
        }
    };
    match kind {
        "aws_iam_policy" => {
            let Some(document) = resource.document("policy", DocumentKind::Identity) else {
                return;
            };
            let (arn, name) = (resource.arn(), resource.name());
            let policy = ManagedPolicy {
                arn,
                name,
                document,
            };
            builder.managed_policy(resource.address(), policy);
        }
        "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
            let (list, key) = owner(kind, "role", "user", "group");
            let Some(target) = resource.string(key) else {
                return;
            };
            let Some(document) = resource.document("policy", DocumentKind::Identity) else {
                return;
            };
            let name = resource
                .string("name")
                .map_or_else(|| resource.address(), |n| n.value);
            builder.inline(list, target, InlinePolicy { name, document });
        }
        "aws_iam_role_policy_attachment"
        | "aws_iam_user_policy_attachment"
        | "aws_iam_group_policy_attachment" => {
            let (list, key) = owner(kind, "role", "user", "group");
            if let (Some(target), Some(arn)) = (resource.string(key), resource.string("policy_arn"))
            {
                builder.attach(list, target, arn);
            }
        }
        "aws_iam_role_policy_attachments_exclusive"
        | "aws_iam_user_policy_attachments_exclusive"
        | "aws_iam_group_policy_attachments_exclusive" => {
            let (list, key) = owner(kind, "role_name", "user_name", "group_name");
            if let Some(target) = resource.string(key) {
                for arn in resource.strings("policy_arns") {
                    builder.attach(list, target.clone(), arn);
                }
            }
        }
        "aws_iam_policy_attachment" => {
            let Some(arn) = resource.string("policy_arn") else {
                return;
            };
            for (key, list) in [
                ("roles", List::Role),
                ("users", List::User),
                ("groups", List::Group),
            ] {
                for target in resource.strings(key) {
                    builder.attach(list, target, arn.clone());
                }
            }
        }
        "aws_iam_user_group_membership" => {
            let Some(user) = resource.string("user") else {
                return;
            };
            for group in resource.strings("groups") {
                builder.membership(user.clone(), group);
            }
        }
        "aws_iam_group_membership" => {
            let Some(group) = resource.string("group") else {
                return;
            };
            for user in resource.strings("users") {
                builder.membership(user, group.clone());
            }
        }
        _ => {}
    }
}

enum Op {
    Attr(String),
    Index(String),
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = r#"
variable "prod" { default = true }
resource "aws_iam_role" "worker" {
  count = 2
  name  = format("worker-%s", count.index)
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }] })
  managed_policy_arns = concat(["arn:aws:iam::aws:policy/ReadOnlyAccess"], var.prod ? [] : ["x"])
}
resource "aws_iam_group" "ops" { name = "ops" }
resource "aws_iam_user" "ann" { name = "ann" }
resource "aws_iam_group_membership" "ops" {
  name  = "ops"
  group = aws_iam_group.ops.name
  users = [aws_iam_user.ann.name]
}
resource "aws_iam_policy" "shared" {
  name   = "shared"
  path   = "/team/"
  policy = <<JSON
{"Statement": {"Effect": "Allow", "Action": "ecs:${var.prod ? "Describe*" : "*"}", "Resource": "*"}}
JSON
}
resource "aws_iam_policy_attachment" "shared" {
  name       = "shared"
  groups     = [aws_iam_group.ops.name]
  roles      = [aws_iam_role.worker[1].name]
  policy_arn = aws_iam_policy.shared.arn
}
resource "aws_iam_role_policy_attachments_exclusive" "w0" {
  role_name   = aws_iam_role.worker[0].id
  policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]
}
data "aws_iam_policy_document" "base" {
  statement {
    sid     = "A"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}
data "aws_iam_policy_document" "final" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid         = "B"
    not_actions = ["iam:*"]
    resources   = ["*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}
resource "aws_iam_role" "public" {
  name               = "public"
  assume_role_policy = data.aws_iam_policy_document.final.json
}
"#;

    /// Files by path, each read as the next page; a folder is its `DIR/*.tf` files.
    struct Files<'a> {
        files: &'a [(&'a str, &'a str)],
        pages: usize,
    }

    impl Reads for Files<'_> {
        fn file(&mut self, path: &str) -> Result<(usize, String), String> {
            let (_, text) = self
                .files
                .iter()
                .find(|(p, _)| *p == path)
                .ok_or("no such file")?;
            self.pages += 1;
            Ok((self.pages - 1, text.to_string()))
        }

        fn folder(&mut self, path: &str) -> Result<Vec<(usize, String)>, String> {
            let prefix = format!("{path}/");
            let names: Vec<&str> = self
                .files
                .iter()
                .map(|(p, _)| *p)
                .filter(|p| {
                    p.strip_prefix(&prefix)
                        .is_some_and(|n| n.ends_with(".tf") && !n.contains('/'))
                })
                .collect();
            if names.is_empty() {
                return Err("no such folder".into());
            }
            names.into_iter().map(|name| self.file(name)).collect()
        }
    }

    /// The first statement of the first inline policy of the first role or user.
    fn first_statement(
        text: &str,
        templates: &[(&str, &str)],
    ) -> (Vec<String>, Vec<String>, Vec<String>) {
        let texts = [text];
        let (bodies, problems) = parse(&texts);
        assert!(problems.is_empty(), "{problems:?}");
        let mut load = Files {
            files: templates,
            pages: 1,
        };
        let model = read(&bodies, &[], vec![text.to_string()], &mut load);
        let messages: Vec<String> = model
            .problems
            .iter()
            .map(|p| p.error.message.clone())
            .collect();
        let principal = model
            .dump
            .roles
            .first()
            .or(model.dump.users.first())
            .unwrap();
        let statement = &principal.inline[0].document.document.statements[0];
        let values =
            |p: &Vec<crate::document::Spanned<String>>| p.iter().map(|v| v.value.clone()).collect();
        let resources = match &statement.resources {
            Some(r) => values(&r.patterns),
            None => Vec::new(),
        };
        (values(&statement.actions.patterns), resources, messages)
    }

    #[test]
    fn for_expressions_and_templates_resolve() {
        let module = r#"
variable "names" { default = ["a", "b", "a"] }
locals {
  grouped  = { for n in var.names : n => n... }
  flat     = flatten([[for n in var.names : upper(n)], ["x"]])
}
resource "aws_iam_user" "u" { name = "u" }
resource "aws_iam_user_policy" "p" {
  user   = aws_iam_user.u.name
  policy = jsonencode({ Statement = [{ Effect = "Allow",
    Action   = [for k, v in local.grouped : "ecs:${k}${length(v)}" if k != "b"],
    Resource = distinct(local.flat) }] })
}
"#;
        let (actions, resources, messages) = first_statement(module, &[]);
        // `length()` is not evaluated: `*` in its place, reported.
        assert_eq!(actions, ["ecs:a*"]);
        assert_eq!(resources, ["A", "B", "x"]);
        assert!(
            messages.iter().any(|m| m.contains("`length()`")),
            "{messages:?}"
        );
        let module = r#"
resource "aws_iam_user" "u" { name = "u" }
resource "aws_iam_user_policy" "p" {
  user   = aws_iam_user.u.name
  policy = templatefile("p.tpl", { actions = ["ecs:UpdateService"], prod = false, envs = { a = "1", b = "2" } })
}
"#;
        let template = r#"{"Statement": [{"Effect": "Allow", "Action": ${jsonencode(actions)},
  "Resource": [%{ for k, v in envs }"arn:aws:ecs:us-east-1:1:service/${k}/${v}", %{ endfor }"%{ if prod }x%{ else }y%{ endif }"]}]}"#;
        let (actions, resources, messages) = first_statement(module, &[("p.tpl", template)]);
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(actions, ["ecs:UpdateService"]);
        assert_eq!(
            resources,
            [
                "arn:aws:ecs:us-east-1:1:service/a/1",
                "arn:aws:ecs:us-east-1:1:service/b/2",
                "y"
            ]
        );
    }

    #[test]
    fn module_values_resolve() {
        let texts = [MODULE];
        let (bodies, problems) = parse(&texts);
        assert!(problems.is_empty(), "{problems:?}");
        let model = read(&bodies, &[], vec![MODULE.to_string()], &mut NoReads);
        let messages: Vec<&str> = model
            .problems
            .iter()
            .map(|p| p.error.message.as_str())
            .collect();
        assert!(messages.is_empty(), "{messages:?}");
        let names: Vec<&str> = model.dump.roles.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["worker-0", "worker-1", "public"]);
        let declared = model.dump.roles[1].declared.as_ref().unwrap();
        assert_eq!(declared.name, "aws_iam_role.worker[1]");
        assert_eq!(
            model.dump.roles[0].attached,
            [
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "arn:aws:iam::aws:policy/PowerUserAccess"
            ]
        );
        assert_eq!(
            model.dump.roles[1].attached,
            [
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "arn:aws:iam::123456789012:policy/team/shared"
            ]
        );
        assert_eq!(model.dump.users[0].groups, ["ops"]);
        assert_eq!(
            model.dump.groups[0].attached,
            ["arn:aws:iam::123456789012:policy/team/shared"]
        );
        // The heredoc with an interpolation is rendered, then read.
        let shared = &model.dump.policies[0].document.document.statements[0];
        assert_eq!(shared.actions.patterns[0].value, "ecs:Describe*");
        // Source, own and override statements: A once (overridden in place), then B.
        let trust = &model.dump.roles[2].trust.as_ref().unwrap().document;
        let sids: Vec<&str> = trust
            .statements
            .iter()
            .map(|s| s.sid.as_ref().unwrap().value.as_str())
            .collect();
        assert_eq!(sids, ["A", "B"]);
        assert!(trust.statements[1].actions.negated);
        let principals = trust.statements[1].principals.as_ref().unwrap();
        assert_eq!(principals.entries[0].kind, "*");
    }
}
