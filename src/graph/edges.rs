//! The edges out of one node: each way its policies let it become another principal (or
//! itself, changed), decided by the trust side and the identity side as AWS requires.

use super::trust::{self, Caller};
use super::{Account, Augment, Edge, Node, Origin, PrincipalKind};
use crate::catalog::escalation::{self, Kind, PATHS, Target};
use crate::catalog::{self, ActionSet};
use crate::eval::document::{DocumentGrants, Resources, StatementGrant};
use crate::eval::{Grants, Identity, Policies, Variables};
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// `sts:AssumeRole` (or a web-identity / SAML federation) through a trust policy.
    AssumeRole,
    /// A privilege-escalation path of the catalog.
    Escalation,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::AssumeRole => "assume-role",
            StepKind::Escalation => "escalation",
        }
    }
}

/// Lookups built once per account: principals by ARN, roles by whom they trust.
pub struct Index {
    by_arn: HashMap<String, usize>,
    users: Vec<usize>,
    roles: Vec<usize>,
    /// Roles whose trust names this ARN.
    trust_by_arn: HashMap<String, Vec<usize>>,
    /// Roles whose trust names this account.
    trust_by_account: HashMap<String, Vec<usize>>,
    /// Roles whose trust names `*` or uses NotPrincipal: candidates for everyone.
    trust_open: Vec<usize>,
    /// Roles whose trust names this service principal.
    trust_by_service: HashMap<String, Vec<usize>>,
}

impl Index {
    pub fn new(account: &Account) -> Index {
        let mut index = Index {
            by_arn: HashMap::new(),
            users: Vec::new(),
            roles: Vec::new(),
            trust_by_arn: HashMap::new(),
            trust_by_account: HashMap::new(),
            trust_open: Vec::new(),
            trust_by_service: HashMap::new(),
        };
        for (i, p) in account.principals.iter().enumerate() {
            index.by_arn.insert(p.arn.clone(), i);
            match p.kind {
                PrincipalKind::User => index.users.push(i),
                PrincipalKind::Role => index.roles.push(i),
                PrincipalKind::External => {}
            }
            let Some((trust, _)) = p.trust else { continue };
            let mut open = false;
            for statement in &trust.statements {
                let Some(principals) = &statement.principals else {
                    continue;
                };
                if principals.negated {
                    open = true;
                    continue;
                }
                for entry in &principals.entries {
                    let id = entry.id.value.as_str();
                    let list = match entry.kind.as_str() {
                        "*" => {
                            open = true;
                            continue;
                        }
                        "AWS" if id == "*" => {
                            open = true;
                            continue;
                        }
                        "AWS" => match account_of(id) {
                            Some(acct) if is_account_wide(id) => {
                                index.trust_by_account.entry(acct.to_string()).or_default()
                            }
                            _ => index.trust_by_arn.entry(id.to_string()).or_default(),
                        },
                        "Service" => index.trust_by_service.entry(id.to_string()).or_default(),
                        // Federated providers are external principals, named by id.
                        "Federated" => index.trust_by_arn.entry(id.to_string()).or_default(),
                        _ => continue,
                    };
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
            if open {
                index.trust_open.push(i);
            }
        }
        index
    }

    /// Roles whose trust may let this caller in (the trust decides).
    fn trust_candidates(&self, arn: &str, account: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .trust_by_arn
            .get(arn)
            .into_iter()
            .chain(self.trust_by_account.get(account))
            .flatten()
            .chain(&self.trust_open)
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// `123456789012` or `arn:aws:iam::123456789012:root`: the whole account.
fn is_account_wide(id: &str) -> bool {
    (id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())) || id.ends_with(":root")
}

fn account_of(id: &str) -> Option<&str> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Some(id)
    } else {
        id.split(':').nth(4)
    }
}

/// An identity policy that allows every action on every resource: what a principal has
/// once it rewrote its own permissions.
static ALLOW_ALL: LazyLock<DocumentGrants> = LazyLock::new(|| {
    let all = ActionSet::all();
    DocumentGrants {
        allowed: Grants {
            unscoped: all,
            scoped: ActionSet::EMPTY,
        },
        statements: vec![StatementGrant {
            index: 0,
            sid: None,
            actions: all,
            scoped: false,
            conditional: false,
            resources: Resources::Star,
            span: Default::default(),
        }],
        ..DocumentGrants::default()
    }
});

/// The label of the policy an escalated principal writes for itself.
pub const WRITTEN_POLICY: &str = "(a policy it writes itself)";

/// The policies of a node: the principal's, with what the augment changed.
pub fn policies_of<'a>(account: &'a Account<'a>, node: &Node) -> Policies<'a> {
    let principal = &account.principals[node.principal as usize];
    let mut policies = principal.policies.clone();
    if let Some(group) = node.augment.joined {
        policies
            .identity
            .extend(account.groups[group as usize].identity.iter().copied());
    }
    if node.augment.unrestricted {
        policies.identity.push(Identity {
            label: WRITTEN_POLICY,
            grants: &ALLOW_ALL,
        });
    }
    if node.augment.unbounded {
        policies.boundary = None;
    }
    policies
}

/// Where the identity policies of a node were read (same order as `policies_of`).
fn identity_sources(account: &Account, node: &Node) -> Vec<usize> {
    let principal = &account.principals[node.principal as usize];
    let mut sources = principal.identity_sources.clone();
    if let Some(group) = node.augment.joined {
        sources.extend(&account.groups[group as usize].identity_sources);
    }
    if node.augment.unrestricted {
        sources.push(usize::MAX);
    }
    sources
}

/// Evaluates one node's permissions against targets.
struct Asker<'a, 'b> {
    account: &'b Account<'a>,
    node: &'b Node,
    policies: &'b Policies<'a>,
    vars: Variables,
    effective: Grants,
    sources: Vec<usize>,
}

/// A permission granted on a target, with its evidence.
struct Granted {
    scoped: bool,
    labels: Vec<String>,
    evidence: Vec<Origin>,
}

impl Asker<'_, '_> {
    fn has(&self, permission: &str) -> Option<bool> {
        let i = catalog::known(permission);
        if self.effective.unscoped.contains(i) {
            Some(false)
        } else {
            self.effective.scoped.contains(i).then_some(true)
        }
    }

    /// `permission` on the resource `arn`.
    fn on(&self, permission: &str, arn: &str) -> Option<Granted> {
        let action = catalog::known(permission);
        let allowed = self.policies.allows_on(action, arn, &self.vars)?;
        Some(self.granted(action, allowed.scoped, &allowed.by))
    }

    /// `permission` on any resource its service has (no concrete target).
    fn anywhere(&self, permission: &str) -> Option<Granted> {
        let scoped = self.has(permission)?;
        let action = catalog::known(permission);
        let by: Vec<usize> = self
            .policies
            .identity
            .iter()
            .enumerate()
            .filter(|(_, i)| {
                i.grants
                    .statements
                    .iter()
                    .any(|s| s.actions.contains(action))
            })
            .map(|(i, _)| i)
            .collect();
        Some(self.granted(action, scoped, &by))
    }

    /// The exact ARNs `permission` is allowed on, when every granting statement names its
    /// resources literally (after variables): then targets are looked up, not scanned.
    fn exact_targets(&self, permission: &str) -> Option<Vec<String>> {
        let action = catalog::known(permission);
        let mut out = Vec::new();
        for identity in &self.policies.identity {
            for statement in &identity.grants.statements {
                if !statement.actions.contains(action) {
                    continue;
                }
                match &statement.resources {
                    Resources::Patterns(patterns) => {
                        for pattern in patterns {
                            out.push(crate::eval::resource::literal_arn(pattern, &self.vars)?);
                        }
                    }
                    _ => return None,
                }
            }
        }
        Some(out)
    }

    fn granted(&self, action: usize, scoped: bool, by: &[usize]) -> Granted {
        let mut labels = Vec::new();
        let mut evidence = Vec::new();
        for &i in by {
            let identity = self.policies.identity[i];
            labels.push(identity.label.to_string());
            let source = self.sources.get(i).copied().unwrap_or(usize::MAX);
            if source == usize::MAX {
                continue;
            }
            for statement in &identity.grants.statements {
                if statement.actions.contains(action) {
                    evidence.push(Origin {
                        source,
                        span: statement.span,
                    });
                }
            }
        }
        Granted {
            scoped,
            labels,
            evidence,
        }
    }

    fn principal(&self) -> &super::Principal<'_> {
        &self.account.principals[self.node.principal as usize]
    }
}

/// A step found: the target node and the edge (its `to` is filled in by the graph).
fn edge(
    to: Node,
    kind: StepKind,
    id: impl Into<String>,
    permissions: Vec<&'static str>,
    parts: Vec<Granted>,
    extra_scoped: bool,
    extra_evidence: Option<Origin>,
) -> (Node, Edge) {
    let mut granted_by: Vec<String> = parts.iter().flat_map(|g| g.labels.clone()).collect();
    granted_by.sort();
    granted_by.dedup();
    let mut evidence: Vec<Origin> = parts.iter().flat_map(|g| g.evidence.clone()).collect();
    evidence.extend(extra_evidence);
    let scoped = extra_scoped || parts.iter().any(|g| g.scoped);
    (
        to,
        Edge {
            to: 0,
            kind,
            id: id.into(),
            permissions,
            scoped,
            granted_by,
            evidence,
        },
    )
}

/// Every edge out of `node`.
pub fn out_edges(
    account: &Account,
    index: &Index,
    node: &Node,
    policies: &Policies,
) -> Vec<(Node, Edge)> {
    let principal = &account.principals[node.principal as usize];
    let asker = Asker {
        account,
        node,
        policies,
        vars: principal.variables(),
        effective: policies.effective(),
        sources: identity_sources(account, node),
    };
    let mut out = Vec::new();
    assume_role(&asker, index, &mut out);
    if principal.kind != PrincipalKind::External {
        escalations(&asker, index, &mut out);
    }
    out.retain(|(to, _)| to != node);
    out
}

fn assume_role(asker: &Asker, index: &Index, out: &mut Vec<(Node, Edge)>) {
    let principal = asker.principal();
    let caller = match (principal.kind, principal.name.as_str()) {
        (PrincipalKind::External, "*") => Caller::Anyone,
        (PrincipalKind::External, _) if principal.account.is_empty() => {
            Caller::Federated(&principal.arn)
        }
        _ => Caller::Aws {
            arn: &principal.arn,
            account: &principal.account,
        },
    };
    let candidates: Vec<usize> = match caller {
        Caller::Anyone => index.trust_open.clone(),
        _ => index.trust_candidates(&principal.arn, &principal.account),
    };
    let assume = catalog::known("sts:AssumeRole");
    for role in candidates {
        let target = &asker.account.principals[role];
        let Some((trust, trust_source)) = target.trust else {
            continue;
        };
        let Some(admission) = trust::admits(trust, &caller) else {
            continue;
        };
        let trust_evidence = Origin {
            source: trust_source,
            span: admission.span,
        };
        let parts = if principal.kind == PrincipalKind::External {
            // Another account's own policies are not known: they may allow it.
            Vec::new()
        } else if admission.direct {
            // Named itself: no identity permission needed, but Deny and SCPs still cut.
            if asker.policies.denies(assume, &target.arn, &asker.vars) {
                continue;
            }
            let Some(scoped) = asker.policies.scps_allow(assume, &target.arn, &asker.vars) else {
                continue;
            };
            // Show the identity statement when there is one, though it is not needed.
            let shown = asker.on("sts:AssumeRole", &target.arn);
            let (labels, evidence) =
                shown.map_or_else(Default::default, |g| (g.labels, g.evidence));
            vec![Granted {
                scoped,
                labels,
                evidence,
            }]
        } else {
            match asker.on("sts:AssumeRole", &target.arn) {
                Some(granted) => vec![granted],
                None => continue,
            }
        };
        out.push(edge(
            Node::plain(role),
            StepKind::AssumeRole,
            "sts-001",
            vec!["sts:AssumeRole"],
            parts,
            admission.scoped,
            Some(trust_evidence),
        ));
    }
}

/// The ARNs a `Target` names for the asking principal itself.
fn own_targets(asker: &Asker, target: Target) -> Vec<String> {
    let principal = asker.principal();
    match target {
        Target::User if principal.kind == PrincipalKind::User => vec![principal.arn.clone()],
        Target::Role if principal.kind == PrincipalKind::Role => vec![principal.arn.clone()],
        Target::Group => principal
            .groups
            .iter()
            .copied()
            .chain(asker.node.augment.joined.map(|g| g as usize))
            .map(|g| asker.account.groups[g].arn.clone())
            .collect(),
        Target::AttachedPolicy => principal.attached_customer_policies.clone(),
        _ => Vec::new(),
    }
}

fn escalations(asker: &Asker, index: &Index, out: &mut Vec<(Node, Edge)>) {
    let principal = asker.principal();
    let node = *asker.node;
    let mut becomes: Vec<(usize, String, Granted)> = Vec::new();
    for path in PATHS {
        let first = path.permissions[0];
        if asker.has(first).is_none() {
            continue;
        }
        match path.kind {
            Kind::AssumeRole | Kind::ModifyOther(_) => {}
            Kind::SelfModify(Target::Group) if first == "iam:AddUserToGroup" => {
                if principal.kind != PrincipalKind::User {
                    continue;
                }
                for (g, group) in asker.account.groups.iter().enumerate() {
                    let member =
                        principal.groups.contains(&g) || node.augment.joined == Some(g as u32);
                    if member {
                        continue;
                    }
                    if let Some(granted) = asker.on(first, &group.arn) {
                        let to = Node {
                            augment: Augment {
                                joined: Some(g as u32),
                                ..node.augment
                            },
                            ..node
                        };
                        out.push(edge(
                            to,
                            StepKind::Escalation,
                            path.id,
                            path.permissions.to_vec(),
                            vec![granted],
                            false,
                            None,
                        ));
                    }
                }
            }
            Kind::SelfModify(target) => {
                if node.augment.unrestricted {
                    continue;
                }
                for arn in own_targets(asker, target) {
                    if let Some(granted) = asker.on(first, &arn) {
                        let to = Node {
                            augment: Augment {
                                unrestricted: true,
                                ..node.augment
                            },
                            ..node
                        };
                        out.push(edge(
                            to,
                            StepKind::Escalation,
                            path.id,
                            path.permissions.to_vec(),
                            vec![granted],
                            false,
                            None,
                        ));
                        break;
                    }
                }
            }
            Kind::DropBoundary(target) => {
                if node.augment.unbounded || asker.policies.boundary.is_none() {
                    continue;
                }
                for arn in own_targets(asker, target) {
                    if let Some(granted) = asker.on(first, &arn) {
                        let to = Node {
                            augment: Augment {
                                unbounded: true,
                                ..node.augment
                            },
                            ..node
                        };
                        out.push(edge(
                            to,
                            StepKind::Escalation,
                            path.id,
                            path.permissions.to_vec(),
                            vec![granted],
                            false,
                            None,
                        ));
                    }
                }
            }
            Kind::TakeOver(target) => {
                let wanted = match target {
                    Target::User => PrincipalKind::User,
                    _ => PrincipalKind::Role,
                };
                let candidates: Vec<usize> = match asker.exact_targets(first) {
                    Some(arns) => arns
                        .iter()
                        .filter_map(|arn| index.by_arn.get(arn).copied())
                        .filter(|&i| asker.account.principals[i].kind == wanted)
                        .collect(),
                    None if wanted == PrincipalKind::User => index.users.clone(),
                    None => index.roles.clone(),
                };
                for other in candidates {
                    if other == node.principal as usize {
                        continue;
                    }
                    let arn = &asker.account.principals[other].arn;
                    if let Some(granted) = asker.on(first, arn) {
                        let scoped = granted.scoped;
                        out.push(edge(
                            Node::plain(other),
                            StepKind::Escalation,
                            path.id,
                            path.permissions.to_vec(),
                            vec![granted],
                            false,
                            None,
                        ));
                        becomes.push((
                            other,
                            path.id.to_string(),
                            Granted {
                                scoped,
                                labels: Vec::new(),
                                evidence: Vec::new(),
                            },
                        ));
                    }
                }
            }
            Kind::PassRole { services } | Kind::ExistingResource { services } => {
                let existing = matches!(path.kind, Kind::ExistingResource { .. });
                let rest = if existing {
                    path.permissions
                } else {
                    &path.permissions[1..]
                };
                let Some(parts) = rest
                    .iter()
                    .map(|p| asker.anywhere(p))
                    .collect::<Option<Vec<Granted>>>()
                else {
                    continue;
                };
                let mut roles: Vec<usize> = services
                    .iter()
                    .filter_map(|s| index.trust_by_service.get(*s))
                    .flatten()
                    .copied()
                    .collect();
                roles.sort_unstable();
                roles.dedup();
                for role in roles {
                    let target = &asker.account.principals[role];
                    let Some((trust, trust_source)) = target.trust else {
                        continue;
                    };
                    let Some(admission) = services
                        .iter()
                        .find_map(|s| trust::admits(trust, &Caller::Service(s)))
                    else {
                        continue;
                    };
                    let mut parts: Vec<Granted> = parts
                        .iter()
                        .map(|g| Granted {
                            scoped: g.scoped,
                            labels: g.labels.clone(),
                            evidence: g.evidence.clone(),
                        })
                        .collect();
                    if !existing {
                        match asker.on("iam:PassRole", &target.arn) {
                            Some(granted) => parts.insert(0, granted),
                            None => continue,
                        }
                    }
                    let evidence = Origin {
                        source: trust_source,
                        span: admission.span,
                    };
                    out.push(edge(
                        Node::plain(role),
                        StepKind::Escalation,
                        path.id,
                        path.permissions.to_vec(),
                        parts,
                        existing || admission.scoped,
                        Some(evidence),
                    ));
                }
            }
        }
    }
    // Becoming another principal by assuming it counts too for "modify, then become".
    for (to, e) in out.iter() {
        if e.kind == StepKind::AssumeRole && to.augment == Augment::default() {
            becomes.push((
                to.principal as usize,
                e.id.clone(),
                Granted {
                    scoped: e.scoped,
                    labels: Vec::new(),
                    evidence: Vec::new(),
                },
            ));
        }
    }
    modify_then_become(asker, &becomes, out);
}

/// "Rewrite X's permissions, then become X": the holder becomes X unrestricted.
fn modify_then_become(
    asker: &Asker,
    becomes: &[(usize, String, Granted)],
    out: &mut Vec<(Node, Edge)>,
) {
    let mut done: Vec<usize> = Vec::new();
    for (other, become_id, become_grant) in becomes {
        if done.contains(other) {
            continue;
        }
        let target = &asker.account.principals[*other];
        for path in PATHS {
            let Kind::ModifyOther(kind) = path.kind else {
                continue;
            };
            let first = path.permissions[0];
            if asker.has(first).is_none() {
                continue;
            }
            let arns: Vec<String> = match (kind, target.kind) {
                (Target::Role, PrincipalKind::Role) | (Target::User, PrincipalKind::User) => {
                    vec![target.arn.clone()]
                }
                (Target::AttachedPolicy, _) => target.attached_customer_policies.clone(),
                _ => Vec::new(),
            };
            let Some(granted) = arns.iter().find_map(|arn| asker.on(first, arn)) else {
                continue;
            };
            let become_permission = PATHS
                .iter()
                .find(|p| p.id == become_id)
                .map_or("sts:AssumeRole", |p| p.permissions[0]);
            let to = Node {
                principal: *other as u32,
                augment: Augment {
                    unrestricted: true,
                    ..Augment::default()
                },
            };
            let id = escalation::combination(path.id, become_id);
            let become_part = Granted {
                scoped: become_grant.scoped,
                labels: Vec::new(),
                evidence: Vec::new(),
            };
            out.push(edge(
                to,
                StepKind::Escalation,
                id,
                vec![first, become_permission],
                vec![granted, become_part],
                false,
                None,
            ));
            done.push(*other);
            break;
        }
    }
}
