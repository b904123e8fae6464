//! Transitive access: the ways a principal can *become* able to act — assuming roles,
//! taking over other principals, rewriting its own permissions, passing roles to services
//! that run code — and their closure, with the shortest path to each reached principal as
//! the explanation.
//!
//! The graph sits between evaluation and rules: every source (a dump, the live account,
//! later infrastructure code) builds the same [`Account`] model, [`Graph::build`] derives
//! the edges, [`Graph::reach`] answers for one principal.

mod edges;
pub mod trust;

use crate::catalog::ActionSet;
use crate::document::{PolicyDocument, Span};
use crate::eval::{Grants, Policies, Variables};
use rayon::prelude::*;
use std::collections::HashMap;

pub use edges::StepKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    User,
    Role,
    /// A principal outside the account that a trust policy lets in: another account, `*`,
    /// a SAML or OIDC provider. It has no policies iamlint can see.
    External,
}

/// Where a piece of evidence stands: an opaque source index (the dump page, the file) and
/// a span in it. The command that built the model knows how to name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub source: usize,
    pub span: Span,
}

/// One principal of the account model.
pub struct Principal<'a> {
    pub arn: String,
    /// User or role name; for externals, the id as the trust policy writes it.
    pub name: String,
    pub kind: PrincipalKind,
    /// The account id of its ARN (empty for `*` and providers).
    pub account: String,
    pub policies: Policies<'a>,
    /// Roles: the trust policy and the source it was read from.
    pub trust: Option<(&'a PolicyDocument, usize)>,
    /// Users: indices into [`Account::groups`].
    pub groups: Vec<usize>,
    /// Customer managed policies attached to it, directly or through a group.
    pub attached_customer_policies: Vec<String>,
    /// Where each identity policy (same order as `policies.identity`) was read.
    pub identity_sources: Vec<usize>,
    pub privileged: bool,
}

impl Principal<'_> {
    pub fn variables(&self) -> Variables {
        Variables {
            username: (self.kind == PrincipalKind::User).then(|| self.name.clone()),
            account: (!self.account.is_empty()).then(|| self.account.clone()),
        }
    }
}

pub struct Group<'a> {
    pub arn: String,
    pub name: String,
    pub identity: Vec<crate::eval::Identity<'a>>,
    pub identity_sources: Vec<usize>,
}

/// What the graph is built from.
pub struct Account<'a> {
    pub principals: Vec<Principal<'a>>,
    pub groups: Vec<Group<'a>>,
    /// The monitored actions: reach is reported for these.
    pub monitored: ActionSet,
}

/// A principal, possibly changed by an escalation: made unrestricted (it rewrote its own
/// permissions), unbounded (it removed its boundary), or a member of one more group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Augment {
    pub unrestricted: bool,
    pub unbounded: bool,
    pub joined: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    pub principal: u32,
    pub augment: Augment,
}

impl Node {
    fn plain(principal: usize) -> Node {
        Node {
            principal: principal as u32,
            augment: Augment::default(),
        }
    }
}

/// One edge: from a node to `to`, by one path of the catalog.
#[derive(Clone, Debug)]
pub struct Edge {
    pub to: u32,
    pub kind: StepKind,
    /// The catalog path id (`sts-001`, `iam-014`, `lambda-001`, …).
    pub id: String,
    pub permissions: Vec<&'static str>,
    pub scoped: bool,
    /// The identity policies (labels) that allow the permissions.
    pub granted_by: Vec<String>,
    /// The statements that make the step: identity statements and the trust statement.
    pub evidence: Vec<Origin>,
}

/// The graph of one account: every node reachable from a principal, with its edges and
/// its monitored access.
pub struct Graph<'a> {
    pub account: &'a Account<'a>,
    nodes: Vec<Node>,
    ids: HashMap<Node, u32>,
    edges: Vec<Vec<Edge>>,
    /// Monitored access of each node.
    access: Vec<Grants>,
}

/// One explanation of transitive access: a chain of steps to a principal that holds
/// `actions`.
#[derive(Clone, Debug)]
pub struct PathResult {
    pub actions: ActionSet,
    /// A step is scoped, or the last principal holds the actions only scoped.
    pub scoped: bool,
    /// (from node, edge) in order.
    pub steps: Vec<(u32, Edge)>,
}

/// What one principal can cause, directly or through paths.
#[derive(Clone, Debug, Default)]
pub struct Reach {
    /// Monitored actions, directly or through a path: unscoped ∪ scoped.
    pub reachable: Grants,
    /// Actions not held directly (or held only scoped) that an unscoped path reaches
    /// unscoped.
    pub new_unscoped: ActionSet,
    /// Actions not held directly that some path reaches.
    pub new_any: ActionSet,
    /// The shortest explanations, at most one per newly reached action.
    pub paths: Vec<PathResult>,
}

impl<'a> Graph<'a> {
    /// Derive every edge from every principal, then from every node those edges reach,
    /// until no new node appears. Edges of one round are computed in parallel.
    pub fn build(account: &'a Account<'a>) -> Graph<'a> {
        let index = edges::Index::new(account);
        let mut graph = Graph {
            account,
            nodes: Vec::new(),
            ids: HashMap::new(),
            edges: Vec::new(),
            access: Vec::new(),
        };
        for i in 0..account.principals.len() {
            graph.intern(Node::plain(i));
        }
        let mut done = 0;
        while done < graph.nodes.len() {
            let round: Vec<Node> = graph.nodes[done..].to_vec();
            let computed: Vec<(Vec<(Node, Edge)>, Grants)> = round
                .par_iter()
                .map(|node| {
                    let policies = edges::policies_of(account, node);
                    let access = policies.effective().restrict_to(account.monitored);
                    (edges::out_edges(account, &index, node, &policies), access)
                })
                .collect();
            done = graph.nodes.len();
            for (out, access) in computed {
                let mut resolved = Vec::with_capacity(out.len());
                for (to, mut edge) in out {
                    edge.to = graph.intern(to);
                    resolved.push(edge);
                }
                graph.edges.push(resolved);
                graph.access.push(access);
            }
        }
        graph
    }

    fn intern(&mut self, node: Node) -> u32 {
        if let Some(id) = self.ids.get(&node) {
            return *id;
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(node);
        self.ids.insert(node, id);
        id
    }

    pub fn node(&self, id: u32) -> Node {
        self.nodes[id as usize]
    }

    /// The principal behind a node.
    pub fn principal(&self, id: u32) -> &Principal<'a> {
        &self.account.principals[self.nodes[id as usize].principal as usize]
    }

    /// Monitored access of a node.
    pub fn access(&self, id: u32) -> Grants {
        self.access[id as usize]
    }

    pub fn edges(&self, id: u32) -> &[Edge] {
        &self.edges[id as usize]
    }

    /// The node of principal `i` as it is.
    pub fn plain(&self, i: usize) -> u32 {
        self.ids[&Node::plain(i)]
    }

    /// How a node is shown: `role/deploy`, `user/alice (unrestricted)`.
    pub fn describe(&self, id: u32) -> String {
        let node = self.node(id);
        let principal = self.principal(id);
        let mut text = principal.arn.clone();
        if node.augment.unrestricted {
            text.push_str(" (unrestricted)");
        }
        if node.augment.unbounded {
            text.push_str(" (without its boundary)");
        }
        if let Some(group) = node.augment.joined {
            text.push_str(&format!(
                " (+ group {})",
                self.account.groups[group as usize].name
            ));
        }
        text
    }

    /// Everything principal `i` can cause, and how: breadth-first search from it, first
    /// over unscoped steps only (so an unscoped explanation wins when there is one), then
    /// over every step.
    pub fn reach(&self, i: usize) -> Reach {
        let source = self.plain(i);
        let direct = self.access(source);
        let unscoped_tree = self.search(source, true);
        let any_tree = self.search(source, false);

        let mut reach_unscoped = ActionSet::EMPTY;
        for &(node, _) in &unscoped_tree {
            reach_unscoped = reach_unscoped.union(self.access(node).unscoped);
        }
        let mut reach_any = ActionSet::EMPTY;
        for &(node, _) in &any_tree {
            reach_any = reach_any.union(self.access(node).all());
        }
        let unscoped = direct.unscoped.union(reach_unscoped);
        let reachable = Grants {
            unscoped,
            scoped: direct.scoped.union(reach_any).minus(unscoped),
        };

        let mut paths = Vec::new();
        let mut covered_unscoped = direct.unscoped;
        for (node, _) in &unscoped_tree {
            let gained = self.access(*node).unscoped.minus(covered_unscoped);
            if !gained.is_empty() {
                covered_unscoped = covered_unscoped.union(gained);
                paths.push(self.path_to(source, *node, &unscoped_tree, gained, false));
            }
        }
        let mut covered_any = direct.all().union(covered_unscoped);
        for (node, _) in &any_tree {
            let gained = self.access(*node).all().minus(covered_any);
            if !gained.is_empty() {
                covered_any = covered_any.union(gained);
                paths.push(self.path_to(source, *node, &any_tree, gained, true));
            }
        }
        Reach {
            reachable,
            new_unscoped: reach_unscoped.minus(direct.unscoped),
            new_any: reach_any.minus(direct.all()),
            paths,
        }
    }

    /// Nodes reached from `source` (not itself) in breadth-first order, each with the
    /// index of its parent entry (`usize::MAX` for the source's children) and the edge.
    fn search(&self, source: u32, unscoped_only: bool) -> Vec<(u32, (usize, usize))> {
        let mut seen = vec![false; self.nodes.len()];
        seen[source as usize] = true;
        // (node, (parent entry, edge index in the parent's edges))
        let mut order: Vec<(u32, (usize, usize))> = Vec::new();
        let mut frontier_start = 0;
        let mut frontier: Vec<(u32, usize)> = vec![(source, usize::MAX)];
        loop {
            let mut next = Vec::new();
            for &(node, entry) in &frontier {
                for (e, edge) in self.edges(node).iter().enumerate() {
                    if (unscoped_only && edge.scoped) || seen[edge.to as usize] {
                        continue;
                    }
                    seen[edge.to as usize] = true;
                    order.push((edge.to, (entry, e)));
                    next.push((edge.to, order.len() - 1));
                }
            }
            if next.is_empty() {
                break;
            }
            frontier_start += frontier.len();
            frontier = next;
        }
        let _ = frontier_start;
        order
    }

    fn path_to(
        &self,
        source: u32,
        target: u32,
        tree: &[(u32, (usize, usize))],
        actions: ActionSet,
        may_be_scoped: bool,
    ) -> PathResult {
        let mut entry = tree
            .iter()
            .position(|(n, _)| *n == target)
            .expect("target is in the tree");
        let mut steps = Vec::new();
        loop {
            let (node, (parent, edge_index)) = tree[entry];
            let from = if parent == usize::MAX {
                source
            } else {
                tree[parent].0
            };
            let edge = self.edges(from)[edge_index].clone();
            debug_assert_eq!(edge.to, node);
            steps.push((from, edge));
            if parent == usize::MAX {
                break;
            }
            entry = parent;
        }
        steps.reverse();
        let grant_scoped = !actions.is_subset(self.access(target).unscoped);
        let scoped = may_be_scoped && (steps.iter().any(|(_, e)| e.scoped) || grant_scoped);
        PathResult {
            actions,
            scoped,
            steps,
        }
    }
}
