//! Transitive access: the ways a principal can *become* able to act — assuming roles,
//! taking over other principals, rewriting its own permissions, passing roles to services
//! that run code — and their closure, with the shortest path as the explanation.
//!
//! The graph sits between evaluation and rules: every source (a dump, the live account,
//! later infrastructure code) builds the same [`Account`] model, [`Graph::build`] derives
//! the edges, [`Graph::reach`] answers for one principal.
//!
//! Scale: edges that fan out to a whole class of principals ("every role that trusts
//! Lambda", "every role that trusts the account", "every user") go through one **hub**
//! node per class instead of one edge per pair, so an account where everyone holds
//! `sts:AssumeRole` on `*` has a number of edges linear in its principals; a wide set of
//! targets that is not a whole class (`iam:PassRole` on `role/app-*`) is one shared
//! **set** hub for every principal whose policies name the same targets the same way.
//! Closure is one reverse breadth-first search per monitored action from the principals
//! that hold it (hub → member edges weigh nothing: a step through a hub is one step),
//! which gives every principal its shortest path to each action at once.

mod edges;
pub mod trust;
pub mod view;

use crate::catalog::ActionSet;
use crate::document::{PolicyDocument, Span};
use crate::eval::{Grants, Policies, Variables};
use rayon::prelude::*;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

pub use edges::StepKind;

use crate::catalog::FastMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    User,
    Role,
    /// A principal outside the account that a trust policy lets in: another account, `*`,
    /// a SAML or OIDC provider. It has no policies iamlint can see.
    External,
    /// Infrastructure code: a group, judged as a member holding only the group's
    /// policies would be. Nothing can assume or take over a group, so it is never a
    /// step's target.
    Group,
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
    /// Users: indices into [`Account::groups`]; a group: its own.
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

/// A class of principals one step can reach all of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hub {
    /// Roles whose trust policy lets this service principal in.
    Service(&'static str),
    /// Roles whose trust policy delegates to this account (an index of the accounts the
    /// principals belong to).
    AccountTrust(u32),
    AllUsers,
    AllRoles,
    /// A computed set of targets (index into the graph's sets).
    Set(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    Principal {
        principal: u32,
        augment: Augment,
    },
    /// Every member of a class; `unrestricted`: each of them made unrestricted.
    Hub {
        hub: Hub,
        unrestricted: bool,
    },
}

impl Node {
    fn plain(principal: usize) -> Node {
        Node::Principal {
            principal: principal as u32,
            augment: Augment::default(),
        }
    }
}

/// One edge. Details (which policies, which statements) are derived again only for the
/// edges a report shows ([`Graph::explain`]), so a large account's edges stay small.
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    pub to: u32,
    /// Index into the graph's step kinds; `MEMBER` for hub → member edges.
    pub step: u16,
    pub scoped: bool,
}

/// A hub's edge to one of its members.
const MEMBER: u16 = u16::MAX;

/// A step as a report shows it.
#[derive(Clone, Debug)]
pub struct Step {
    pub from: u32,
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

/// One explanation of transitive access: a chain of steps to a principal that holds
/// `actions`.
#[derive(Clone, Debug)]
pub struct PathResult {
    pub actions: ActionSet,
    /// A step is scoped, or the last principal holds the actions only scoped.
    pub scoped: bool,
    pub steps: Vec<Step>,
}

/// What one principal can cause, directly or through paths.
#[derive(Clone, Debug, Default)]
pub struct Reach {
    /// Monitored actions, directly or through a path.
    pub reachable: Grants,
    /// Actions not held directly unscoped that a path of unscoped steps reaches unscoped.
    pub new_unscoped: ActionSet,
    /// Actions not held directly that some path reaches.
    pub new_any: ActionSet,
    /// The shortest explanation of each newly reached action, actions with the same
    /// path grouped; unscoped paths first.
    pub paths: Vec<PathResult>,
}

/// An edge into a hub, from `from`.
struct Pending {
    from: u32,
    edge: Edge,
}

/// A chain of edges (node, edge index) and the actions it explains.
type Chain = (Vec<(u32, u32)>, ActionSet, bool);

/// For one monitored action: each node's distance (in steps) to a principal holding it,
/// and the edge to take; `u32::MAX` where it cannot be reached.
struct Distances {
    dist: Vec<u32>,
    next: Vec<(u32, u32)>,
}

pub struct Graph<'a> {
    pub account: &'a Account<'a>,
    index: edges::Index,
    nodes: Vec<Node>,
    ids: FastMap<Node, u32>,
    edges: Vec<Vec<Edge>>,
    /// Monitored access of each node (hubs hold nothing).
    access: Vec<Grants>,
    /// Step kinds, by `Edge::step`.
    steps: Vec<edges::StepInfo>,
    /// Target sets, by `Hub::Set`; found by address first (a shared set is one
    /// allocation), then by content.
    sets: Vec<Arc<edges::TargetSet>>,
    set_by_address: FastMap<usize, (u32, Arc<edges::TargetSet>)>,
    set_by_content: HashMap<Arc<edges::TargetSet>, u32>,
    /// Per monitored action (in set order): over unscoped steps to unscoped holders, and
    /// over every step to any holder.
    unscoped: Vec<(usize, Distances)>,
    any: Vec<(usize, Distances)>,
}

/// Edges per step kind, for `IAMLINT_GRAPH_STATS`.
fn step_counts<'e>(
    steps: &[edges::StepInfo],
    edges: impl IntoIterator<Item = &'e Edge>,
) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for edge in edges {
        let name = match edge.step {
            MEMBER => "member".to_string(),
            step => steps[step as usize].id(),
        };
        *counts.entry(name).or_default() += 1;
    }
    counts
}

impl<'a> Graph<'a> {
    /// Derive every edge from every principal, then from every node those edges reach,
    /// until no new node appears (edges of one round in parallel); then the distances.
    pub fn build(account: &'a Account<'a>) -> Graph<'a> {
        let started = std::time::Instant::now();
        let mut graph = Graph {
            account,
            index: edges::Index::new(account),
            nodes: Vec::new(),
            ids: FastMap::default(),
            edges: Vec::new(),
            access: Vec::new(),
            steps: Vec::new(),
            sets: Vec::new(),
            set_by_address: FastMap::default(),
            set_by_content: HashMap::new(),
            unscoped: Vec::new(),
            any: Vec::new(),
        };
        let mut step_ids: FastMap<edges::StepInfo, u16> = FastMap::default();
        for i in 0..account.principals.len() {
            graph.intern(Node::plain(i));
        }
        let mut done = 0;
        while done < graph.nodes.len() {
            let round: Vec<Node> = graph.nodes[done..].to_vec();
            let (index, sets) = (&graph.index, &graph.sets);
            let computed: Vec<(Vec<edges::OutEdge>, Grants)> = round
                .par_iter()
                .map(|node| edges::out_edges(account, index, sets, node))
                .collect();
            done = graph.nodes.len();
            for (out, access) in computed {
                let mut resolved = Vec::with_capacity(out.len());
                for (to, info, scoped) in out {
                    let step = if info.kind == StepKind::Member {
                        MEMBER
                    } else {
                        let next = graph.steps.len() as u16;
                        *step_ids.entry(info).or_insert_with(|| {
                            graph.steps.push(info);
                            next
                        })
                    };
                    let to = match to {
                        edges::Destination::Node(node) => node,
                        edges::Destination::Set(set) => Node::Hub {
                            hub: Hub::Set(graph.intern_set(set)),
                            unrestricted: false,
                        },
                    };
                    let to = graph.intern(to);
                    resolved.push(Edge { to, step, scoped });
                }
                graph.edges.push(resolved);
                graph.access.push(access);
            }
        }
        let edges_done = std::time::Instant::now();
        graph.distances();
        if std::env::var_os("IAMLINT_GRAPH_STATS").is_some() {
            let edges: usize = graph.edges.iter().map(Vec::len).sum();
            let by_step_all = step_counts(&graph.steps, graph.edges.iter().flatten());
            eprintln!("graph edges by step: {by_step_all:?}");
            let mut widest: Vec<(usize, u32)> = (0..graph.nodes.len() as u32)
                .filter(|&id| matches!(graph.nodes[id as usize], Node::Principal { .. }))
                .map(|id| (graph.edges[id as usize].len(), id))
                .collect();
            widest.sort_unstable_by(|a, b| b.cmp(a));
            for (degree, id) in widest.into_iter().take(5) {
                let steps = step_counts(&graph.steps, &graph.edges[id as usize]);
                eprintln!(
                    "graph: {degree} edges out of {}: {steps:?}",
                    graph.describe(id)
                );
            }
            eprintln!(
                "graph: {} nodes, {edges} edges, {} step kinds; edges in {:?}, distances in {:?}",
                graph.nodes.len(),
                graph.steps.len(),
                edges_done - started,
                edges_done.elapsed()
            );
        }
        graph
    }

    fn intern_set(&mut self, set: Arc<edges::TargetSet>) -> u32 {
        let address = Arc::as_ptr(&set) as usize;
        if let Some((id, _)) = self.set_by_address.get(&address) {
            return *id;
        }
        let next = self.sets.len() as u32;
        let id = *self.set_by_content.entry(set.clone()).or_insert(next);
        if id == next {
            self.sets.push(set.clone());
        }
        // Held with its address, so that the address stays its own.
        self.set_by_address.insert(address, (id, set));
        id
    }

    fn intern(&mut self, node: Node) -> u32 {
        if let Some(id) = self.ids.get(&node) {
            return *id;
        }
        let id = self.nodes.len() as u32;
        self.ids.insert(node, id);
        self.nodes.push(node);
        id
    }

    /// Reverse breadth-first search per monitored action, from the nodes that hold it.
    fn distances(&mut self) {
        let n = self.nodes.len();
        let mut reverse: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
        for (from, out) in self.edges.iter().enumerate() {
            for (e, edge) in out.iter().enumerate() {
                reverse[edge.to as usize].push((from as u32, e as u32));
            }
        }
        let actions: Vec<usize> = self.account.monitored.iter().collect();
        let search = |action: usize, unscoped_only: bool| -> Distances {
            let mut dist = vec![u32::MAX; n];
            let mut next = vec![(u32::MAX, u32::MAX); n];
            let mut queue = VecDeque::new();
            for (i, access) in self.access.iter().enumerate() {
                let holds = if unscoped_only {
                    access.unscoped.contains(action)
                } else {
                    access.all().contains(action)
                };
                if holds {
                    dist[i] = 0;
                    queue.push_back(i as u32);
                }
            }
            // Hub → member edges weigh nothing (0-1 breadth-first search): a step
            // through a hub is one step, as a direct edge is.
            while let Some(node) = queue.pop_front() {
                let at = dist[node as usize];
                for &(from, e) in &reverse[node as usize] {
                    let edge = self.edges[from as usize][e as usize];
                    if unscoped_only && edge.scoped {
                        continue;
                    }
                    let weight = u32::from(edge.step != MEMBER);
                    if at + weight >= dist[from as usize] {
                        continue;
                    }
                    dist[from as usize] = at + weight;
                    next[from as usize] = (from, e);
                    if weight == 0 {
                        queue.push_front(from);
                    } else {
                        queue.push_back(from);
                    }
                }
            }
            Distances { dist, next }
        };
        let (unscoped, any): (Vec<_>, Vec<_>) = actions
            .par_iter()
            .map(|&a| ((a, search(a, true)), (a, search(a, false))))
            .unzip();
        self.unscoped = unscoped;
        self.any = any;
    }

    pub fn node(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    /// Monitored access of a node.
    pub fn access(&self, id: u32) -> Grants {
        self.access[id as usize]
    }

    /// The node of principal `i` as it is.
    pub fn plain(&self, i: usize) -> u32 {
        self.ids[&Node::plain(i)]
    }

    /// How a node is shown: `arn:…:role/deploy`, `arn:…:user/alice (unrestricted)`.
    pub fn describe(&self, id: u32) -> String {
        match self.node(id) {
            Node::Principal { principal, augment } => {
                let mut text = self.account.principals[*principal as usize].arn.clone();
                if augment.unrestricted {
                    text.push_str(" (unrestricted)");
                }
                if augment.unbounded {
                    text.push_str(" (without its boundary)");
                }
                if let Some(group) = augment.joined {
                    text.push_str(&format!(
                        " (+ group {})",
                        self.account.groups[group as usize].name
                    ));
                }
                text
            }
            Node::Hub { hub, unrestricted } => {
                let what = match hub {
                    Hub::Service(service) => format!("any role trusting {service}"),
                    Hub::AccountTrust(account) => format!(
                        "any role trusting account {}",
                        self.index.accounts[*account as usize]
                    ),
                    Hub::AllUsers => "any user".to_string(),
                    Hub::AllRoles => "any role".to_string(),
                    Hub::Set(set) => {
                        format!(
                            "one of {} principals",
                            self.sets[*set as usize].members.len()
                        )
                    }
                };
                if *unrestricted {
                    format!("{what} (unrestricted)")
                } else {
                    what
                }
            }
        }
    }

    /// Everything principal `i` can cause, and how.
    pub fn reach(&self, i: usize) -> Reach {
        let source = self.plain(i);
        let direct = self.access(source);
        let reached = |table: &[(usize, Distances)]| -> ActionSet {
            table
                .iter()
                .filter(|(_, d)| d.dist[source as usize] != u32::MAX)
                .map(|(a, _)| *a)
                .collect()
        };
        let unscoped = reached(&self.unscoped);
        let any = reached(&self.any);
        let reachable = Grants {
            unscoped,
            scoped: any.minus(unscoped),
        };
        let new_unscoped = unscoped.minus(direct.unscoped);
        let new_any = any.minus(direct.all());

        // One chain of edges per action; actions sharing a chain share a path.
        // (edges as (node, edge index), actions, may be scoped)
        let mut chains: Vec<Chain> = Vec::new();
        let mut add = |chain: Vec<(u32, u32)>, action: usize, scoped: bool| match chains
            .iter_mut()
            .find(|(c, _, s)| *c == chain && *s == scoped)
        {
            Some((_, actions, _)) => actions.insert(action),
            None => chains.push((chain, [action].into_iter().collect(), scoped)),
        };
        for (action, distances) in &self.unscoped {
            if new_unscoped.contains(*action) {
                add(self.chain(source, distances), *action, false);
            }
        }
        for (action, distances) in &self.any {
            if new_any.contains(*action) && !new_unscoped.contains(*action) {
                add(self.chain(source, distances), *action, true);
            }
        }
        let paths = chains
            .into_iter()
            .map(|(chain, actions, may_be_scoped)| self.path(chain, actions, may_be_scoped))
            .collect();
        Reach {
            reachable,
            new_unscoped,
            new_any,
            paths,
        }
    }

    /// The edges from `source` to the nearest holder, following `next`.
    fn chain(&self, source: u32, distances: &Distances) -> Vec<(u32, u32)> {
        let mut chain = Vec::new();
        let mut node = source;
        // A hub holds nothing: a chain that reached one goes on to its member.
        while distances.dist[node as usize] != 0 || matches!(self.node(node), Node::Hub { .. }) {
            let (from, e) = distances.next[node as usize];
            chain.push((from, e));
            node = self.edges[from as usize][e as usize].to;
        }
        chain
    }

    fn path(&self, chain: Vec<(u32, u32)>, actions: ActionSet, may_be_scoped: bool) -> PathResult {
        let mut steps: Vec<Step> = Vec::new();
        // A step into a hub, waiting for the hub → member edge that completes it.
        let mut pending: Option<Pending> = None;
        for (from, e) in chain {
            let edge = self.edges[from as usize][e as usize];
            if edge.step == MEMBER {
                if let Some(into_hub) = pending.take() {
                    // The step into the hub, explained against the member it reached.
                    let reached = Edge {
                        to: edge.to,
                        ..into_hub.edge
                    };
                    let mut step = self.explain(into_hub.from, reached);
                    step.scoped |= edge.scoped;
                    steps.push(step);
                }
                continue;
            }
            if matches!(self.node(edge.to), Node::Hub { .. }) {
                pending = Some(Pending { from, edge });
            } else {
                steps.push(self.explain(from, edge));
            }
        }
        let last = steps.last().map_or(u32::MAX, |s| s.to);
        let grant_scoped = last != u32::MAX && !actions.is_subset(self.access(last).unscoped);
        let scoped = may_be_scoped && (steps.iter().any(|s| s.scoped) || grant_scoped);
        PathResult {
            actions,
            scoped,
            steps,
        }
    }

    /// The step an edge stands for, with the policies and statements that make it.
    fn explain(&self, from: u32, edge: Edge) -> Step {
        let info = &self.steps[edge.step as usize];
        let (granted_by, evidence) = edges::evidence(
            self.account,
            &self.index,
            self.node(from),
            self.node(edge.to),
            info,
        );
        Step {
            from,
            to: edge.to,
            kind: info.kind,
            id: info.id(),
            permissions: info.permissions(),
            scoped: edge.scoped,
            granted_by,
            evidence,
        }
    }
}
