//! What one principal may do: its identity policies, cut by its permissions boundary and
//! by the SCPs, minus every unconditional explicit Deny — over the tracked actions
//! ([`Policies::effective`]), and for one action on one concrete ARN of the account
//! ([`Policies::allows_on`]), with policy variables resolved for that principal.

use super::Grants;
use super::document::{DocumentGrants, Resources};
use super::resource::arn_matches;
use crate::catalog::ActionSet;

/// What policy variables stand for while one principal is evaluated. A variable that is
/// not known here (`${aws:userid}`, tags) matches anything: a linter must not hide access.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Variables {
    /// `${aws:username}`: set for IAM users only.
    pub username: Option<String>,
    /// `${aws:PrincipalAccount}`.
    pub account: Option<String>,
}

impl Variables {
    /// The value of `${name}` (case-insensitive), if known.
    pub fn value(&self, name: &str) -> Option<&str> {
        if name.eq_ignore_ascii_case("aws:username") {
            self.username.as_deref()
        } else if name.eq_ignore_ascii_case("aws:PrincipalAccount") {
            self.account.as_deref()
        } else {
            None
        }
    }
}

/// An identity policy of the principal, with the name reports give it.
#[derive(Clone, Copy, Debug)]
pub struct Identity<'a> {
    /// A managed policy ARN, `inline:NAME`, `group/GROUP:inline:NAME`, `group/GROUP:ARN`.
    pub label: &'a str,
    pub grants: &'a DocumentGrants,
}

/// Everything that decides one principal's access.
#[derive(Clone, Debug, Default)]
pub struct Policies<'a> {
    pub identity: Vec<Identity<'a>>,
    pub boundary: Option<&'a DocumentGrants>,
    /// The organization's SCPs, as one level: their Allows united, all their Denies apply.
    pub scps: &'a [&'a DocumentGrants],
}

/// The outcome of asking whether an action is allowed on one ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowed {
    /// Only through a condition, `NotResource`, or a scoped boundary or SCP.
    pub scoped: bool,
    /// Indices into `identity` of the policies whose statements allow it.
    pub by: Vec<usize>,
}

impl<'a> Policies<'a> {
    /// Effective access over the tracked actions (any resource they can name).
    pub fn effective(&self) -> Grants {
        let identity: Vec<&DocumentGrants> = self.identity.iter().map(|i| i.grants).collect();
        effective_access(&identity, self.boundary, self.scps)
    }

    /// Whether `action` is allowed on the resource `arn`, and how.
    pub fn allows_on(&self, action: usize, arn: &str, vars: &Variables) -> Option<Allowed> {
        let mut scoped = true;
        let mut by = Vec::new();
        for (i, identity) in self.identity.iter().enumerate() {
            if let Some(s) = allows_in(identity.grants, action, arn, vars) {
                scoped &= s;
                by.push(i);
            }
        }
        if by.is_empty() {
            return None;
        }
        if let Some(boundary) = self.boundary {
            scoped |= allows_in(boundary, action, arn, vars)?;
        }
        if !self.scps.is_empty() {
            let scp = self
                .scps
                .iter()
                .filter_map(|d| allows_in(d, action, arn, vars))
                .min()?;
            scoped |= scp;
        }
        if self.denies(action, arn, vars) {
            return None;
        }
        Some(Allowed { scoped, by })
    }

    /// Whether an unconditional Deny in any identity policy, the boundary or an SCP
    /// removes `action` on `arn` (a Deny with `*`, or with a pattern naming `arn`).
    pub fn denies(&self, action: usize, arn: &str, vars: &Variables) -> bool {
        self.identity
            .iter()
            .map(|i| i.grants)
            .chain(self.boundary)
            .chain(self.scps.iter().copied())
            .any(|d| denies_in(d, action, arn, vars))
    }

    /// Whether the SCPs (when known) let `action` through on `arn`; `Some(scoped)`.
    pub fn scps_allow(&self, action: usize, arn: &str, vars: &Variables) -> Option<bool> {
        if self.scps.is_empty() {
            return Some(false);
        }
        self.scps
            .iter()
            .filter_map(|d| allows_in(d, action, arn, vars))
            .min()
    }
}

/// Whether one document allows `action` on `arn`: `Some(scoped)`, unscoped winning.
fn allows_in(grants: &DocumentGrants, action: usize, arn: &str, vars: &Variables) -> Option<bool> {
    let mut best: Option<bool> = None;
    for statement in &grants.statements {
        if !statement.actions.contains(action) {
            continue;
        }
        let scoped = match &statement.resources {
            Resources::Star => statement.conditional,
            // NotResource counts as able to, and is scoped.
            Resources::Not => true,
            Resources::Patterns(patterns) => {
                if !patterns.iter().any(|p| arn_matches(p, arn, vars)) {
                    continue;
                }
                // Naming the account's concrete ARN is exact, not a limit iamlint cannot
                // judge: only a condition scopes it.
                statement.conditional
            }
        };
        best = Some(best.map_or(scoped, |b| b && scoped));
        if best == Some(false) {
            break;
        }
    }
    best
}

fn denies_in(grants: &DocumentGrants, action: usize, arn: &str, vars: &Variables) -> bool {
    grants.denied.contains(action)
        || grants.targeted_denies.iter().any(|deny| {
            deny.actions.contains(action) && deny.patterns.iter().any(|p| arn_matches(p, arn, vars))
        })
}

/// A principal's effective access (IAM policy evaluation, reduced to what a linter can
/// know): the union of its identity policies, cut by its permissions boundary when it
/// has one and by the organization's SCPs when they are known, minus every unconditional
/// explicit Deny in any of them.
///
/// SCPs are given as one flat set: their Allows are united (as at one level of the
/// organization), their unconditional Denies all apply.
pub fn effective_access(
    identity: &[&DocumentGrants],
    boundary: Option<&DocumentGrants>,
    scps: &[&DocumentGrants],
) -> Grants {
    let united = |docs: &[&DocumentGrants]| {
        docs.iter()
            .fold(Grants::default(), |acc, d| acc.union(d.allowed))
    };
    let mut grants = united(identity);
    if let Some(boundary) = boundary {
        grants = grants.within(boundary.allowed);
    }
    if !scps.is_empty() {
        grants = grants.within(united(scps));
    }
    let denied = identity
        .iter()
        .chain(boundary.as_ref())
        .chain(scps)
        .fold(ActionSet::EMPTY, |acc, d| acc.union(d.denied));
    grants.minus(denied)
}
