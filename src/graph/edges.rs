//! The edges out of one node: each way its policies let it become another principal (or
//! itself, changed), decided by the trust side and the identity side as AWS requires.
//!
//! When a permission holds on every target alike (granted on `*`, cut by nothing that
//! names particular ARNs), the edge goes to a [`Hub`] of all the targets instead of to
//! each of them; the hub has one edge to each member.
//!
//! When it holds on many targets but not alike (`iam:PassRole` on `role/app-*`, or `*`
//! minus a Deny naming some roles), the targets are computed once for every principal
//! whose policies put the same question the same way (a [`Profile`]), and the edge goes
//! to one shared [`TargetSet`]: a contractor group of thousands whose Deny cuts a few
//! roles out of thousands costs one set, not thousands of edges each.

use super::trust::{self, Caller};
use super::{Account, Augment, Hub, Node, Origin, PrincipalKind};
use crate::catalog::escalation::{self, Kind, PATHS, Target, permission_ids};
use crate::catalog::{self, ActionSet};
use crate::document::{Effect, PolicyDocument};
use crate::eval::document::{DocumentGrants, Resources, StatementGrant};
use crate::eval::resource::literal_arn;
use crate::eval::{Grants, Identity, Policies, Variables};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Fewer targets than this get one edge each: a set is worth it only when wide.
const SET_MIN: usize = 8;

/// Where an edge goes: one node, or each member of a target set.
#[derive(Clone, Debug)]
pub enum Destination {
    Node(Node),
    Set(Arc<TargetSet>),
}

/// The principals one step reaches, each with whether the step to it is scoped.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TargetSet {
    pub members: Vec<(usize, bool)>,
}

/// Which trust side a target set's members must pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Admit {
    /// None (taking over a user or role needs no trust).
    Nothing,
    /// Roles trusting a service.
    Service(&'static str),
    /// Roles trusting an account of the model (index into `Index::accounts`), for any
    /// of its principals: a trust naming the asker itself is an edge of its own.
    Account(u32),
}

/// A statement of a profile: its resources and whether it has a condition.
type StatementKey = (ResourceKey, bool);

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum ResourceKey {
    Star,
    Not,
    Patterns(Vec<String>),
}

/// Everything that decides on which principals one action is allowed to one asker: the
/// statements naming it in each policy layer, the Denies, and the variables when a
/// pattern uses them. Two principals with equal profiles have the same targets.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Profile {
    identity: Vec<StatementKey>,
    boundary: Option<Vec<StatementKey>>,
    scps: Option<Vec<StatementKey>>,
    denied: bool,
    deny_patterns: Vec<String>,
    variables: Option<Variables>,
}

/// A shared targets question.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct SharedKey {
    permission: &'static str,
    /// The candidate list, by address: the lists live in the index for the whole build.
    candidates: (usize, usize),
    admit: Admit,
    /// Another permission of the step is scoped: every member is.
    scoped: bool,
    profile: Profile,
}

/// The statements of one policy layer that name `action`; an unconditional `*` grant
/// makes the others irrelevant, so it stands alone (principals differing only in
/// narrower grants then share).
fn layer_key<'d>(
    documents: impl Iterator<Item = &'d DocumentGrants>,
    action: usize,
) -> Vec<StatementKey> {
    let mut keys: Vec<StatementKey> = Vec::new();
    for document in documents {
        for statement in document
            .statements
            .iter()
            .filter(|s| s.actions.contains(action))
        {
            let resources = match &statement.resources {
                Resources::Star => ResourceKey::Star,
                Resources::Not => ResourceKey::Not,
                Resources::Patterns(patterns) => ResourceKey::Patterns(patterns.clone()),
            };
            if resources == ResourceKey::Star && !statement.conditional {
                return vec![(ResourceKey::Star, false)];
            }
            keys.push((resources, statement.conditional));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn uses_variables(keys: &[StatementKey]) -> bool {
    keys.iter().any(|(resources, _)| match resources {
        ResourceKey::Patterns(patterns) => patterns.iter().any(|p| p.contains("${")),
        _ => false,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// `sts:AssumeRole` (or a web-identity / SAML federation) through a trust policy.
    AssumeRole,
    /// A privilege-escalation path of the catalog.
    Escalation,
    /// From a hub to one of its members (folded into the step before it in reports).
    Member,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::AssumeRole => "assume-role",
            StepKind::Escalation | StepKind::Member => "escalation",
        }
    }
}

/// What an edge stands for: a path of the catalog (by index into `PATHS`), or a
/// "modify, then become" pair of them. Small and `Copy`: there is one per edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StepInfo {
    pub kind: StepKind,
    path: u16,
    /// For "modify, then become": the path by which it becomes the target.
    become_path: Option<u16>,
}

impl StepInfo {
    fn path(kind: StepKind, path: usize) -> StepInfo {
        StepInfo {
            kind,
            path: path as u16,
            become_path: None,
        }
    }

    fn member() -> StepInfo {
        StepInfo::path(StepKind::Member, 0)
    }

    /// The catalog id: `sts-001`, `lambda-001`, `iam-014` (a known pair), `iam-008+iam-004`.
    pub fn id(&self) -> String {
        let path = &PATHS[self.path as usize];
        match self.become_path {
            Some(b) => escalation::combination(path.id, PATHS[b as usize].id),
            None => path.id.to_string(),
        }
    }

    pub fn permissions(&self) -> Vec<&'static str> {
        let path = &PATHS[self.path as usize];
        match self.become_path {
            Some(b) => vec![path.permissions[0], PATHS[b as usize].permissions[0]],
            None => path.permissions.to_vec(),
        }
    }
}

/// The index of a path in the catalog.
fn path_index(id: &str) -> usize {
    PATHS
        .iter()
        .position(|p| p.id == id)
        .expect("a catalog path")
}

static STS_001: LazyLock<usize> = LazyLock::new(|| path_index("sts-001"));

/// Lookups built once per account: principals by ARN, roles by whom they trust, and the
/// principals each resource pattern names (filled as patterns are met).
pub struct Index {
    by_arn: HashMap<String, usize>,
    arns: Vec<String>,
    /// Principal indices in ARN order: a pattern's literal prefix is a range of it.
    by_arn_order: Vec<usize>,
    /// The accounts principals belong to; `Hub::AccountTrust` indexes it.
    pub accounts: Vec<String>,
    matching: Mutex<HashMap<String, Arc<Vec<usize>>>>,
    users: Vec<usize>,
    roles: Vec<usize>,
    /// Roles whose trust names this ARN (IAM principal or provider).
    trust_by_arn: HashMap<String, Vec<usize>>,
    /// Roles whose trust names this account (root or account id).
    trust_by_account: HashMap<String, Vec<usize>>,
    /// Roles whose trust names `*` or uses NotPrincipal: candidates for everyone.
    trust_open: Vec<usize>,
    /// Roles whose trust names this service principal.
    trust_by_service: HashMap<String, Vec<usize>>,
    /// Per account (as `accounts`): the roles trusting it, those whose trust has no Deny
    /// statement and those whose trust has one (a Deny may name particular callers).
    account_roles: Vec<(Vec<usize>, Vec<usize>)>,
    /// Target sets by the question that computed them.
    shared: Mutex<HashMap<SharedKey, Arc<TargetSet>>>,
}

/// `123456789012` or `arn:aws:iam::123456789012:root`: the whole account.
fn account_wide(id: &str) -> Option<&str> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        return Some(id);
    }
    id.strip_suffix(":root")
        .and_then(|arn| arn.split(':').nth(4))
}

impl Index {
    pub fn new(account: &Account) -> Index {
        let mut index = Index {
            by_arn: HashMap::new(),
            arns: account.principals.iter().map(|p| p.arn.clone()).collect(),
            by_arn_order: {
                let mut order: Vec<usize> = (0..account.principals.len()).collect();
                order.sort_by(|&a, &b| account.principals[a].arn.cmp(&account.principals[b].arn));
                order
            },
            accounts: {
                let mut accounts: Vec<String> = account
                    .principals
                    .iter()
                    .map(|p| p.account.clone())
                    .collect();
                accounts.sort();
                accounts.dedup();
                accounts
            },
            matching: Mutex::new(HashMap::new()),
            users: Vec::new(),
            roles: Vec::new(),
            trust_by_arn: HashMap::new(),
            trust_by_account: HashMap::new(),
            trust_open: Vec::new(),
            trust_by_service: HashMap::new(),
            account_roles: Vec::new(),
            shared: Mutex::new(HashMap::new()),
        };
        for (i, p) in account.principals.iter().enumerate() {
            index.by_arn.insert(p.arn.clone(), i);
            match p.kind {
                PrincipalKind::User => index.users.push(i),
                PrincipalKind::Role => index.roles.push(i),
                PrincipalKind::External | PrincipalKind::Group => {}
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
                        "AWS" => match account_wide(id) {
                            Some(acct) => {
                                index.trust_by_account.entry(acct.to_string()).or_default()
                            }
                            None => index.trust_by_arn.entry(id.to_string()).or_default(),
                        },
                        "Service" => index.trust_by_service.entry(id.to_string()).or_default(),
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
        index.account_roles = index
            .accounts
            .iter()
            .map(|acct| {
                let roles = index
                    .trust_by_account
                    .get(acct)
                    .map_or(&[][..], Vec::as_slice);
                roles.iter().partition(|&&r| {
                    account.principals[r]
                        .trust
                        .is_some_and(|(t, _)| !has_deny(t))
                })
            })
            .collect();
        index
    }

    fn account_index(&self, account: &str) -> Option<u32> {
        self.accounts
            .binary_search_by(|a| a.as_str().cmp(account))
            .ok()
            .map(|i| i as u32)
    }

    /// The principals whose ARN a variable-free resource pattern matches, computed once
    /// per distinct pattern (policies are shared, so patterns repeat).
    fn matching(&self, pattern: &str) -> Arc<Vec<usize>> {
        if let Some(found) = self.matching.lock().expect("not poisoned").get(pattern) {
            return found.clone();
        }
        let none = Variables::default();
        // Only ARNs that start with the pattern's literal prefix can match it.
        let prefix = &pattern[..pattern.find(['*', '?', '$']).unwrap_or(pattern.len())];
        let order = &self.by_arn_order;
        let start = order.partition_point(|&i| self.arns[i].as_str() < prefix);
        let mut found: Vec<usize> = order[start..]
            .iter()
            .copied()
            .take_while(|&i| self.arns[i].starts_with(prefix))
            .filter(|&i| crate::eval::resource::arn_matches(pattern, &self.arns[i], &none))
            .collect();
        found.sort_unstable();
        let found = Arc::new(found);
        self.matching
            .lock()
            .expect("not poisoned")
            .insert(pattern.to_string(), found.clone());
        found
    }

    /// The members of a hub, as plain principal indices.
    fn members(&self, hub: &Hub) -> &[usize] {
        match hub {
            Hub::Service(service) => self
                .trust_by_service
                .get(*service)
                .map_or(&[], Vec::as_slice),
            Hub::AccountTrust(account) => self
                .trust_by_account
                .get(&self.accounts[*account as usize])
                .map_or(&[], Vec::as_slice),
            Hub::AllUsers => &self.users,
            Hub::AllRoles => &self.roles,
            // Its members live in the graph (see `hub_edges`).
            Hub::Set(_) => &[],
        }
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

/// Where the identity policies of a node were read (`usize::MAX`: written by itself).
fn identity_sources(account: &Account, principal: usize, augment: &Augment) -> Vec<usize> {
    let mut sources = account.principals[principal].identity_sources.clone();
    if let Some(group) = augment.joined {
        sources.extend(&account.groups[group as usize].identity_sources);
    }
    if augment.unrestricted {
        sources.push(usize::MAX);
    }
    sources
}

/// The policies of a principal node: the principal's, with what the augment changed.
fn policies_of<'a>(account: &Account<'a>, principal: usize, augment: &Augment) -> Policies<'a> {
    let mut policies = account.principals[principal].policies.clone();
    if let Some(group) = augment.joined {
        policies
            .identity
            .extend(account.groups[group as usize].identity.iter().copied());
    }
    if augment.unrestricted {
        policies.identity.push(Identity {
            label: WRITTEN_POLICY,
            grants: &ALLOW_ALL,
        });
    }
    if augment.unbounded {
        policies.boundary = None;
    }
    policies
}

/// Evaluates one principal node's permissions against targets.
struct Asker<'a, 'b> {
    account: &'b Account<'a>,
    index: &'b Index,
    principal: usize,
    augment: Augment,
    policies: Policies<'a>,
    vars: Variables,
    effective: Grants,
    sources: Vec<usize>,
    uniform_memo: std::cell::RefCell<Vec<(&'static str, Option<bool>)>>,
}

/// The policies and statements that grant a permission.
#[derive(Default)]
struct Granted {
    labels: Vec<String>,
    evidence: Vec<Origin>,
}

impl<'a, 'b> Asker<'a, 'b> {
    fn new(account: &'b Account<'a>, index: &'b Index, principal: usize, augment: Augment) -> Self {
        let policies = policies_of(account, principal, &augment);
        Asker {
            account,
            index,
            principal,
            augment,
            vars: account.principals[principal].variables(),
            effective: policies.effective(),
            sources: identity_sources(account, principal, &augment),
            policies,
            uniform_memo: Default::default(),
        }
    }

    fn me(&self) -> &super::Principal<'a> {
        &self.account.principals[self.principal]
    }

    fn node(&self) -> Node {
        Node::Principal {
            principal: self.principal as u32,
            augment: self.augment,
        }
    }

    /// Whether the node holds `permission` on some resource: `Some(scoped)`.
    fn has(&self, permission: &'static str) -> Option<bool> {
        self.has_id(catalog::known(permission))
    }

    /// Whether one of its identity statements allows every action on `*` without a
    /// condition (`AdministratorAccess`): more Allow statements cannot add to it.
    fn holds_all(&self) -> bool {
        let all = ActionSet::all();
        self.policies.identity.iter().any(|i| {
            i.grants.statements.iter().any(|s| {
                !s.conditional && s.resources == Resources::Star && all.is_subset(s.actions)
            })
        })
    }

    /// [`Asker::has`] by catalog index.
    fn has_id(&self, i: usize) -> Option<bool> {
        if self.effective.unscoped.contains(i) {
            Some(false)
        } else {
            self.effective.scoped.contains(i).then_some(true)
        }
    }

    /// `permission` on the resource `arn`.
    fn on(&self, permission: &'static str, arn: &str) -> Option<bool> {
        let action = catalog::known(permission);
        self.policies
            .allows_on(action, arn, &self.vars)
            .map(|a| a.scoped)
    }

    /// Whether `permission` holds on every ARN alike, and how: granted by a statement on
    /// `*`, not cut to particular ARNs by the boundary, an SCP or a Deny. Remembered per
    /// permission: many paths ask for `iam:PassRole`.
    fn uniform(&self, permission: &'static str) -> Option<bool> {
        if let Some((_, known)) = self
            .uniform_memo
            .borrow()
            .iter()
            .find(|(p, _)| *p == permission)
        {
            return *known;
        }
        let answer = self.uniform_uncached(permission);
        self.uniform_memo.borrow_mut().push((permission, answer));
        answer
    }

    fn uniform_uncached(&self, permission: &'static str) -> Option<bool> {
        let action = catalog::known(permission);
        let star = |d: &DocumentGrants| -> Option<bool> {
            d.statements
                .iter()
                .filter(|s| s.actions.contains(action) && s.resources == Resources::Star)
                .map(|s| s.conditional)
                .min()
        };
        let documents = self
            .policies
            .identity
            .iter()
            .map(|i| i.grants)
            .chain(self.policies.boundary)
            .chain(self.policies.scps.iter().copied());
        for d in documents {
            if d.denied.contains(action) {
                return None;
            }
            // A Deny naming ARNs cuts some targets, unless it can name no principal at
            // all (an S3 or ECS ARN in a Deny of `iam:PassRole`).
            let cuts = d.targeted_denies.iter().any(|t| {
                t.actions.contains(action)
                    && t.patterns
                        .iter()
                        .any(|p| p.contains("${") || !self.index.matching(p).is_empty())
            });
            if cuts {
                return None;
            }
        }
        let mut scoped = self
            .policies
            .identity
            .iter()
            .filter_map(|i| star(i.grants))
            .min()?;
        // A scoped `*` grant is uniform only if no statement names particular ARNs.
        if scoped {
            let named = self.policies.identity.iter().any(|i| {
                i.grants.statements.iter().any(|s| {
                    s.actions.contains(action) && matches!(s.resources, Resources::Patterns(_))
                })
            });
            if named {
                return None;
            }
        }
        if let Some(boundary) = self.policies.boundary {
            scoped |= star(boundary)?;
        }
        if !self.policies.scps.is_empty() {
            scoped |= self.policies.scps.iter().filter_map(|d| star(d)).min()?;
        }
        Some(scoped)
    }

    /// The principals of `candidates` that `permission` is allowed on, with how. The
    /// candidates are first narrowed to those some granting statement's `Resource` can
    /// name (looked up per pattern), then each is asked in full (boundary, SCPs, Deny).
    /// Wide questions go through [`Asker::shared_targets`], computed once per profile.
    fn targets(&self, permission: &'static str, candidates: &[usize]) -> Vec<(usize, bool)> {
        let action = catalog::known(permission);
        let mut named: Vec<usize> = Vec::new();
        let mut everyone = false;
        'statements: for identity in &self.policies.identity {
            for statement in identity
                .grants
                .statements
                .iter()
                .filter(|s| s.actions.contains(action))
            {
                let Resources::Patterns(patterns) = &statement.resources else {
                    everyone = true;
                    break 'statements;
                };
                for pattern in patterns {
                    if let Some(arn) = literal_arn(pattern, &self.vars) {
                        named.extend(self.index.by_arn.get(&arn).copied());
                    } else if pattern.contains("${") {
                        // Variables resolve per principal: match directly.
                        named.extend(candidates.iter().copied().filter(|&i| {
                            crate::eval::resource::arn_matches(
                                pattern,
                                &self.index.arns[i],
                                &self.vars,
                            )
                        }));
                    } else {
                        named.extend(self.index.matching(pattern).iter().copied());
                    }
                }
            }
        }
        let test = |i: usize| {
            self.on(permission, &self.account.principals[i].arn)
                .map(|s| (i, s))
        };
        if everyone {
            return candidates.iter().filter_map(|&i| test(i)).collect();
        }
        named.sort_unstable();
        named.dedup();
        named
            .into_iter()
            // Candidate lists are in principal order.
            .filter(|i| candidates.binary_search(i).is_ok())
            .filter_map(test)
            .collect()
    }

    /// What decides where `action` is allowed for this node (see [`Profile`]).
    fn profile(&self, action: usize) -> Profile {
        let policies = &self.policies;
        let identity = layer_key(policies.identity.iter().map(|i| i.grants), action);
        let boundary = policies
            .boundary
            .map(|b| layer_key(std::iter::once(b), action));
        let scps =
            (!policies.scps.is_empty()).then(|| layer_key(policies.scps.iter().copied(), action));
        let documents = || {
            policies
                .identity
                .iter()
                .map(|i| i.grants)
                .chain(policies.boundary)
                .chain(policies.scps.iter().copied())
        };
        let denied = documents().any(|d| d.denied.contains(action));
        let mut deny_patterns: Vec<String> = documents()
            .flat_map(|d| &d.targeted_denies)
            .filter(|t| t.actions.contains(action))
            .flat_map(|t| t.patterns.iter().cloned())
            .collect();
        deny_patterns.sort_unstable();
        deny_patterns.dedup();
        let variables = (uses_variables(&identity)
            || boundary.as_deref().is_some_and(uses_variables)
            || scps.as_deref().is_some_and(uses_variables)
            || deny_patterns.iter().any(|p| p.contains("${")))
        .then(|| self.vars.clone());
        Profile {
            identity,
            boundary,
            scps,
            denied,
            deny_patterns,
            variables,
        }
    }

    /// The members of `candidates` that `permission` is allowed on and that pass the
    /// trust side `admit`, each with whether the step is scoped (`scoped`: another
    /// permission of the step is). Computed once per [`Profile`] and shared.
    fn shared_targets(
        &self,
        permission: &'static str,
        candidates: &[usize],
        admit: Admit,
        scoped: bool,
    ) -> Arc<TargetSet> {
        let key = SharedKey {
            permission,
            candidates: (candidates.as_ptr() as usize, candidates.len()),
            admit,
            scoped,
            profile: self.profile(catalog::known(permission)),
        };
        if let Some(found) = self.index.shared.lock().expect("not poisoned").get(&key) {
            return found.clone();
        }
        let members = self
            .targets(permission, candidates)
            .into_iter()
            .filter_map(|(i, allowed_scoped)| {
                let admitted_scoped = admitted(self.account, self.index, i, admit)?;
                Some((i, allowed_scoped || admitted_scoped || scoped))
            })
            .collect();
        let set = Arc::new(TargetSet { members });
        self.index
            .shared
            .lock()
            .expect("not poisoned")
            .entry(key)
            .or_insert(set)
            .clone()
    }

    /// Whether it holds the first permission of some "modify another principal" path:
    /// only then does it need to know each principal it can become.
    fn modifies_others(&self) -> bool {
        PATHS.iter().enumerate().any(|(index, path)| {
            matches!(path.kind, Kind::ModifyOther(_))
                && self.has_id(permission_ids(index)[0]).is_some()
        })
    }

    /// The policies and statements that allow `permission` (on `arn`, when given).
    fn granted(&self, permission: &'static str, arn: Option<&str>) -> Granted {
        let action = catalog::known(permission);
        let mut out = Granted::default();
        let by: Vec<usize> = match arn.and_then(|a| self.policies.allows_on(action, a, &self.vars))
        {
            Some(allowed) => allowed.by,
            None => (0..self.policies.identity.len()).collect(),
        };
        for i in by {
            let identity = self.policies.identity[i];
            let statements: Vec<&StatementGrant> = identity
                .grants
                .statements
                .iter()
                .filter(|s| s.actions.contains(action))
                .collect();
            if statements.is_empty() {
                continue;
            }
            out.labels.push(identity.label.to_string());
            let source = self.sources.get(i).copied().unwrap_or(usize::MAX);
            if source != usize::MAX {
                out.evidence.extend(statements.iter().map(|s| Origin {
                    source,
                    span: s.span,
                }));
            }
        }
        out
    }
}

/// An edge as found: where it goes, what it stands for, whether it is scoped.
pub type OutEdge = (Destination, StepInfo, bool);

/// Every edge out of `node`, with the node's monitored access. `sets`: the target sets
/// interned so far (a set hub's members).
pub fn out_edges(
    account: &Account,
    index: &Index,
    sets: &[Arc<TargetSet>],
    node: &Node,
) -> (Vec<OutEdge>, Grants) {
    match node {
        Node::Hub { hub, unrestricted } => (
            hub_edges(account, index, sets, hub, *unrestricted),
            Grants::default(),
        ),
        Node::Principal { principal, augment } => {
            let asker = Asker::new(account, index, *principal as usize, *augment);
            let access = asker.effective.restrict_to(account.monitored);
            let mut out = Vec::new();
            let mut becomes = Vec::new();
            assume_role(&asker, &mut out, &mut becomes);
            if asker.me().kind != PrincipalKind::External {
                escalations(&asker, &mut out, &mut becomes);
                modify_then_become(&asker, &becomes, &mut out);
            }
            let me = asker.node();
            out.retain(|(to, _, _)| !matches!(to, Destination::Node(n) if *n == me));
            (one_per_target(out), access)
        }
    }
}

/// One edge per target: the first found (assume-role, then catalog order), or the first
/// unscoped one. Five ECS paths that pass the same role need one edge, not five.
fn one_per_target(edges: Vec<OutEdge>) -> Vec<OutEdge> {
    let mut kept: Vec<OutEdge> = Vec::with_capacity(edges.len());
    let mut at: super::FastMap<Node, usize> = super::FastMap::default();
    let mut sets: Vec<*const TargetSet> = Vec::new();
    for edge in edges {
        let node = match &edge.0 {
            Destination::Node(node) => *node,
            Destination::Set(set) => {
                if !sets.contains(&Arc::as_ptr(set)) {
                    sets.push(Arc::as_ptr(set));
                    kept.push(edge);
                }
                continue;
            }
        };
        match at.get(&node) {
            Some(&i) if kept[i].2 && !edge.2 => kept[i] = edge,
            Some(_) => {}
            None => {
                at.insert(node, kept.len());
                kept.push(edge);
            }
        }
    }
    kept
}

/// The edges to a target set's members, or one edge each when there are few.
fn fan_out(set: Arc<TargetSet>, info: StepInfo, out: &mut Vec<OutEdge>) {
    if set.members.len() >= SET_MIN {
        out.push((Destination::Set(set), info, false));
    } else {
        out.extend(
            set.members
                .iter()
                .map(|&(i, scoped)| (Destination::Node(Node::plain(i)), info, scoped)),
        );
    }
}

/// A hub's edges to its members, scoped where a member's trust is conditional.
fn hub_edges(
    account: &Account,
    index: &Index,
    sets: &[Arc<TargetSet>],
    hub: &Hub,
    unrestricted: bool,
) -> Vec<OutEdge> {
    let member_node = |i: usize| {
        Destination::Node(Node::Principal {
            principal: i as u32,
            augment: Augment {
                unrestricted,
                ..Augment::default()
            },
        })
    };
    if let Hub::Set(set) = hub {
        return sets[*set as usize]
            .members
            .iter()
            .map(|&(i, scoped)| (member_node(i), StepInfo::member(), scoped))
            .collect();
    }
    index
        .members(hub)
        .iter()
        .filter_map(|&i| {
            let admit = match hub {
                Hub::Service(service) => Admit::Service(service),
                Hub::AccountTrust(acct) => Admit::Account(*acct),
                Hub::AllUsers | Hub::AllRoles | Hub::Set(_) => Admit::Nothing,
            };
            let scoped = admitted(account, index, i, admit)?;
            Some((member_node(i), StepInfo::member(), scoped))
        })
        .collect()
}

/// Whether role `role` passes the trust side `admit`: `Some(scoped)`. An account's
/// trust is asked for any caller of that account (its own policies allowing the rest).
fn admitted(account: &Account, index: &Index, role: usize, admit: Admit) -> Option<bool> {
    let caller = match admit {
        Admit::Nothing => return Some(false),
        Admit::Service(service) => Caller::Service(service),
        Admit::Account(acct) => Caller::Aws {
            arn: "",
            account: &index.accounts[acct as usize],
        },
    };
    Some(admission(account, role, &caller)?.scoped)
}

fn admission(account: &Account, role: usize, caller: &Caller) -> Option<trust::Admission> {
    let (trust, _) = account.principals[role].trust?;
    trust::admits(trust, caller)
}

fn has_deny(trust: &PolicyDocument) -> bool {
    trust
        .statements
        .iter()
        .any(|s| s.effect.value == Effect::Deny)
}

fn caller_of<'p>(principal: &'p super::Principal) -> Caller<'p> {
    match (principal.kind, principal.name.as_str()) {
        (PrincipalKind::External, "*") => Caller::Anyone,
        (PrincipalKind::External, _) if principal.account.is_empty() => {
            Caller::Federated(&principal.arn)
        }
        _ => Caller::Aws {
            arn: &principal.arn,
            account: &principal.account,
        },
    }
}

/// Assume-role edges; each plain role it can become is also noted in `becomes`.
fn assume_role(asker: &Asker, out: &mut Vec<OutEdge>, becomes: &mut Vec<Become>) {
    let me = asker.me();
    let caller = caller_of(me);
    let external = me.kind == PrincipalKind::External;
    let index = asker.index;
    let assume = catalog::known("sts:AssumeRole");
    let sts = StepInfo::path(StepKind::AssumeRole, *STS_001);
    let has_assume = asker.has("sts:AssumeRole").is_some();
    // Roles that name the caller itself, or everyone.
    let mut direct: Vec<usize> = index
        .trust_by_arn
        .get(&me.arn)
        .into_iter()
        .flatten()
        .chain(&index.trust_open)
        .copied()
        .collect();
    direct.sort_unstable();
    direct.dedup();
    // (role, scoped) pairs found one by one.
    let mut found: Vec<(usize, bool)> = Vec::new();
    for &role in &direct {
        let target = &asker.account.principals[role];
        let Some(admission) = admission(asker.account, role, &caller) else {
            continue;
        };
        if external {
            // Another account's own policies are not known: they may allow it.
            found.push((role, admission.scoped));
            continue;
        }
        if admission.direct {
            // Named itself: no identity permission needed, but Deny and SCPs still cut.
            if asker.policies.denies(assume, &target.arn, &asker.vars) {
                continue;
            }
            if let Some(scp) = asker.policies.scps_allow(assume, &target.arn, &asker.vars) {
                found.push((role, admission.scoped || scp));
            }
        } else if let Some(scoped) = asker.on("sts:AssumeRole", &target.arn) {
            found.push((role, admission.scoped || scoped));
        }
    }
    if external && !me.account.is_empty() {
        // Another account as a whole: every role that trusts that account.
        for &role in index
            .trust_by_account
            .get(&me.account)
            .into_iter()
            .flatten()
        {
            if let Some(admission) = admission(asker.account, role, &caller) {
                found.push((role, admission.scoped));
            }
        }
    }
    // The roles trusting its own account, which its identity policies must allow.
    let own = if external || me.account.is_empty() || !has_assume {
        None
    } else {
        index.account_index(&me.account)
    };
    if let Some(acct) = own {
        let (plain, with_deny) = &index.account_roles[acct as usize];
        if plain.is_empty() {
        } else if let Some(scoped) = asker.uniform("sts:AssumeRole") {
            // Through the hub when the identity side holds on every role alike.
            let hub = Hub::AccountTrust(acct);
            out.push((
                Destination::Node(Node::Hub {
                    hub,
                    unrestricted: false,
                }),
                sts,
                scoped,
            ));
            becomes.push(Become {
                target: usize::MAX,
                path: *STS_001,
                scoped,
                via_hub: Some(hub),
            });
        } else {
            let set = asker.shared_targets("sts:AssumeRole", plain, Admit::Account(acct), false);
            if asker.modifies_others() {
                becomes.extend(set.members.iter().map(|&(role, scoped)| Become {
                    target: role,
                    path: *STS_001,
                    scoped,
                    via_hub: None,
                }));
            }
            fan_out(set, sts, out);
        }
        // A trust with a Deny may name particular callers: asked as this caller, once
        // (those naming it were asked above).
        let rest: Vec<usize> = with_deny
            .iter()
            .copied()
            .filter(|r| direct.binary_search(r).is_err())
            .collect();
        if !rest.is_empty() {
            for (role, scoped) in asker.targets("sts:AssumeRole", &rest) {
                if let Some(admission) = admission(asker.account, role, &caller) {
                    found.push((role, admission.scoped || scoped));
                }
            }
        }
    }
    for (role, scoped) in found {
        out.push((Destination::Node(Node::plain(role)), sts, scoped));
        becomes.push(Become {
            target: role,
            path: *STS_001,
            scoped,
            via_hub: None,
        });
    }
}

/// A way the node can become another plain principal, for "modify, then become".
struct Become {
    /// The principal, or `usize::MAX` when it is every member of `via_hub`.
    target: usize,
    /// The catalog path by which it becomes it.
    path: usize,
    scoped: bool,
    via_hub: Option<Hub>,
}

/// The ARNs a `Target` names for the asking principal itself.
fn own_targets(asker: &Asker, target: Target) -> Vec<String> {
    let me = asker.me();
    match target {
        Target::User if me.kind == PrincipalKind::User => vec![me.arn.clone()],
        // A group's members are the users that can act on themselves.
        Target::User if me.kind == PrincipalKind::Group => asker
            .account
            .principals
            .iter()
            .filter(|p| {
                p.kind == PrincipalKind::User && p.groups.iter().any(|g| me.groups.contains(g))
            })
            .map(|p| p.arn.clone())
            .collect(),
        Target::Role if me.kind == PrincipalKind::Role => vec![me.arn.clone()],
        Target::Group => me
            .groups
            .iter()
            .copied()
            .chain(asker.augment.joined.map(|g| g as usize))
            .map(|g| asker.account.groups[g].arn.clone())
            .collect(),
        Target::AttachedPolicy => me.attached_customer_policies.clone(),
        _ => Vec::new(),
    }
}

fn escalations(asker: &Asker, out: &mut Vec<OutEdge>, becomes: &mut Vec<Become>) {
    let me = asker.me();
    let augment = asker.augment;
    let with = |change: Augment| Node::Principal {
        principal: asker.principal as u32,
        augment: change,
    };
    for (index, path) in PATHS.iter().enumerate() {
        let first = path.permissions[0];
        let ids = permission_ids(index);
        if asker.has_id(ids[0]).is_none() {
            continue;
        }
        let info = StepInfo::path(StepKind::Escalation, index);
        match path.kind {
            Kind::AssumeRole | Kind::ModifyOther(_) => {}
            Kind::SelfModify(Target::Group) if first == "iam:AddUserToGroup" => {
                // A principal that already holds every action on every resource gains
                // nothing by joining a group (a group's Allow adds nothing, its Deny only
                // takes away); and a copy of every administrator per group would make the
                // graph quadratic in the size of the account.
                let member = matches!(me.kind, PrincipalKind::User | PrincipalKind::Group);
                if !member || augment.unrestricted || asker.holds_all() {
                    continue;
                }
                for (g, group) in asker.account.groups.iter().enumerate() {
                    if me.groups.contains(&g) || augment.joined == Some(g as u32) {
                        continue;
                    }
                    if let Some(scoped) = asker.on(first, &group.arn) {
                        out.push((
                            Destination::Node(with(Augment {
                                joined: Some(g as u32),
                                ..augment
                            })),
                            info,
                            scoped,
                        ));
                    }
                }
            }
            Kind::SelfModify(target) | Kind::DropBoundary(target) => {
                // Rewriting its own permissions makes it unrestricted; dropping its
                // boundary makes it unbounded (only when it has one).
                let dropping = matches!(path.kind, Kind::DropBoundary(_));
                let changed = if dropping {
                    Augment {
                        unbounded: true,
                        ..augment
                    }
                } else {
                    Augment {
                        unrestricted: true,
                        ..augment
                    }
                };
                let pointless = if dropping {
                    augment.unbounded || asker.policies.boundary.is_none()
                } else {
                    augment.unrestricted
                };
                if pointless {
                    continue;
                }
                if let Some(scoped) = own_targets(asker, target)
                    .iter()
                    .find_map(|arn| asker.on(first, arn))
                {
                    out.push((Destination::Node(with(changed)), info, scoped));
                }
            }
            Kind::TakeOver(target) => {
                let (hub, candidates) = match target {
                    Target::User => (Hub::AllUsers, &asker.index.users),
                    _ => (Hub::AllRoles, &asker.index.roles),
                };
                if let Some(scoped) = asker.uniform(first) {
                    out.push((
                        Destination::Node(Node::Hub {
                            hub,
                            unrestricted: false,
                        }),
                        info,
                        scoped,
                    ));
                    becomes.push(Become {
                        target: usize::MAX,
                        path: index,
                        scoped,
                        via_hub: Some(hub),
                    });
                    continue;
                }
                let set = asker.shared_targets(first, candidates, Admit::Nothing, false);
                if asker.modifies_others() {
                    becomes.extend(
                        set.members
                            .iter()
                            .filter(|(other, _)| *other != asker.principal)
                            .map(|&(other, scoped)| Become {
                                target: other,
                                path: index,
                                scoped,
                                via_hub: None,
                            }),
                    );
                }
                fan_out(set, info, out);
            }
            Kind::PassRole { services } | Kind::ExistingResource { services } => {
                let existing = matches!(path.kind, Kind::ExistingResource { .. });
                let rest = if existing { ids } else { &ids[1..] };
                let Some(parts) = rest
                    .iter()
                    .map(|&p| asker.has_id(p))
                    .collect::<Option<Vec<bool>>>()
                else {
                    continue;
                };
                let parts_scoped = parts.iter().any(|s| *s);
                for service in services {
                    let hub = Hub::Service(service);
                    let members = asker.index.members(&hub);
                    if members.is_empty() {
                        continue;
                    }
                    let passing = if existing {
                        Some(true)
                    } else {
                        asker.uniform("iam:PassRole")
                    };
                    if let Some(scoped) = passing {
                        out.push((
                            Destination::Node(Node::Hub {
                                hub,
                                unrestricted: false,
                            }),
                            info,
                            scoped || parts_scoped,
                        ));
                        continue;
                    }
                    let set = asker.shared_targets(
                        "iam:PassRole",
                        members,
                        Admit::Service(service),
                        parts_scoped,
                    );
                    fan_out(set, info, out);
                }
            }
        }
    }
}

/// "Rewrite X's permissions, then become X": the holder becomes X unrestricted.
fn modify_then_become(asker: &Asker, becomes: &[Become], out: &mut Vec<OutEdge>) {
    let mut done: Vec<usize> = Vec::new();
    let mut done_hubs: Vec<Hub> = Vec::new();
    for become_ in becomes {
        for (index, path) in PATHS.iter().enumerate() {
            let Kind::ModifyOther(kind) = path.kind else {
                continue;
            };
            let first = path.permissions[0];
            if asker.has_id(permission_ids(index)[0]).is_none() {
                continue;
            }
            let info = StepInfo {
                kind: StepKind::Escalation,
                path: index as u16,
                become_path: Some(become_.path as u16),
            };
            if let Some(hub) = &become_.via_hub {
                // Every member of the hub, if the modification holds on all of them.
                let fits = matches!(
                    (kind, hub),
                    (Target::Role, Hub::AccountTrust(_) | Hub::AllRoles)
                        | (Target::User, Hub::AllUsers)
                );
                if done_hubs.contains(hub) || !fits {
                    continue;
                }
                if let Some(scoped) = asker.uniform(first) {
                    out.push((
                        Destination::Node(Node::Hub {
                            hub: *hub,
                            unrestricted: true,
                        }),
                        info,
                        scoped || become_.scoped,
                    ));
                    done_hubs.push(*hub);
                    break;
                }
                continue;
            }
            let other = become_.target;
            if done.contains(&other) {
                break;
            }
            let target = &asker.account.principals[other];
            let arns: Vec<String> = match (kind, target.kind) {
                (Target::Role, PrincipalKind::Role) | (Target::User, PrincipalKind::User) => {
                    vec![target.arn.clone()]
                }
                (Target::AttachedPolicy, _) => target.attached_customer_policies.clone(),
                _ => Vec::new(),
            };
            let Some(scoped) = arns.iter().find_map(|arn| asker.on(first, arn)) else {
                continue;
            };
            let to = Node::Principal {
                principal: other as u32,
                augment: Augment {
                    unrestricted: true,
                    ..Augment::default()
                },
            };
            out.push((Destination::Node(to), info, scoped || become_.scoped));
            done.push(other);
            break;
        }
    }
}

/// The policies and statements behind a step from `from` to `to`, for a report.
pub fn evidence(
    account: &Account,
    index: &Index,
    from: &Node,
    to: &Node,
    info: &StepInfo,
) -> (Vec<String>, Vec<Origin>) {
    let Node::Principal { principal, augment } = from else {
        return (Vec::new(), Vec::new());
    };
    let asker = Asker::new(account, index, *principal as usize, *augment);
    let target_arn = match to {
        Node::Principal { principal, .. } => {
            Some(account.principals[*principal as usize].arn.as_str())
        }
        Node::Hub { .. } => None,
    };
    let mut labels = Vec::new();
    let mut origins = Vec::new();
    for (i, permission) in info.permissions().iter().enumerate() {
        // The first permission acts on the target; the others on any resource.
        let granted = asker.granted(permission, if i == 0 { target_arn } else { None });
        labels.extend(granted.labels);
        origins.extend(granted.evidence);
    }
    // The trust statement that lets the caller, or the service it passes the role to, in.
    if let Node::Principal {
        principal: target, ..
    } = to
    {
        let target = *target as usize;
        let trust = match PATHS[info.path as usize].kind {
            _ if info.kind == StepKind::AssumeRole => {
                let me = &account.principals[*principal as usize];
                trust_statement(account, target, &caller_of(me))
            }
            Kind::PassRole { services } | Kind::ExistingResource { services }
                if info.become_path.is_none() =>
            {
                services
                    .iter()
                    .find_map(|s| trust_statement(account, target, &Caller::Service(s)))
            }
            _ => None,
        };
        origins.extend(trust);
    }
    labels.sort();
    labels.dedup();
    (labels, origins)
}

fn trust_statement(account: &Account, role: usize, caller: &Caller) -> Option<Origin> {
    let (trust, source) = account.principals[role].trust?;
    trust::admits(trust, caller).map(|a| Origin {
        source,
        span: a.span,
    })
}
