//! Evaluation: what a policy document grants of the tracked actions ([`document`]), and
//! what a principal can do once all its documents, boundary and SCPs are combined
//! ([`access`]).

pub mod access;
pub mod document;
pub mod pattern;
pub mod resource;

use crate::catalog::ActionSet;

pub use access::{Allowed, Identity, Policies, Variables, effective_access};
pub use document::{DocumentGrants, StatementGrant, UnknownAction, evaluate};

/// Actions granted, split by strength. The two sets are disjoint: an action granted
/// both unscoped and scoped counts as unscoped.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Grants {
    pub unscoped: ActionSet,
    /// Granted only with a condition, a resource list without `*`, or `NotResource`.
    pub scoped: ActionSet,
}

impl Grants {
    pub fn add(&mut self, actions: ActionSet, scoped: bool) {
        let strong = if scoped { ActionSet::EMPTY } else { actions };
        let weak = if scoped { actions } else { ActionSet::EMPTY };
        *self = self.union(Grants {
            unscoped: strong,
            scoped: weak,
        });
    }

    pub fn union(self, other: Grants) -> Grants {
        let unscoped = self.unscoped.union(other.unscoped);
        Grants {
            unscoped,
            scoped: self.scoped.union(other.scoped).minus(unscoped),
        }
    }

    /// Cut by a limit that must also allow (permissions boundary, SCPs): an action
    /// survives when both sides grant it, and stays unscoped only when both do.
    pub fn within(self, limit: Grants) -> Grants {
        let unscoped = self.unscoped.intersect(limit.unscoped);
        Grants {
            unscoped,
            scoped: self.all().intersect(limit.all()).minus(unscoped),
        }
    }

    pub fn minus(self, denied: ActionSet) -> Grants {
        Grants {
            unscoped: self.unscoped.minus(denied),
            scoped: self.scoped.minus(denied),
        }
    }

    pub fn restrict_to(self, monitored: ActionSet) -> Grants {
        Grants {
            unscoped: self.unscoped.intersect(monitored),
            scoped: self.scoped.intersect(monitored),
        }
    }

    pub fn all(&self) -> ActionSet {
        self.unscoped.union(self.scoped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(indices: &[usize]) -> ActionSet {
        indices.iter().copied().collect()
    }

    fn doc(unscoped: &[usize], scoped: &[usize], denied: &[usize]) -> DocumentGrants {
        DocumentGrants {
            allowed: Grants {
                unscoped: set(unscoped),
                scoped: set(scoped).minus(set(unscoped)),
            },
            denied: set(denied),
            ..DocumentGrants::default()
        }
    }

    #[test]
    fn granted_both_ways_counts_as_unscoped() {
        let mut g = Grants::default();
        g.add(set(&[1, 2]), true);
        g.add(set(&[2, 3]), false);
        assert_eq!(g.unscoped, set(&[2, 3]));
        assert_eq!(g.scoped, set(&[1]));
    }

    #[test]
    fn identity_policies_unite() {
        let a = doc(&[1], &[2], &[]);
        let b = doc(&[2], &[3], &[]);
        let g = effective_access(&[&a, &b], None, &[]);
        assert_eq!((g.unscoped, g.scoped), (set(&[1, 2]), set(&[3])));
    }

    #[test]
    fn boundary_keeps_only_what_it_also_grants_and_scopes_if_either_side_does() {
        let identity = doc(&[1, 2, 3], &[4], &[]);
        let boundary = doc(&[1, 4], &[2], &[]);
        let g = effective_access(&[&identity], Some(&boundary), &[]);
        assert_eq!(g.unscoped, set(&[1]));
        assert_eq!(g.scoped, set(&[2, 4]));
    }

    #[test]
    fn a_boundary_that_grants_nothing_leaves_nothing() {
        let identity = doc(&[1, 2], &[], &[]);
        let boundary = doc(&[], &[], &[]);
        assert_eq!(
            effective_access(&[&identity], Some(&boundary), &[]),
            Grants::default()
        );
    }

    #[test]
    fn scps_unite_their_allows_and_cut_like_a_boundary() {
        let identity = doc(&[1, 2, 3], &[], &[]);
        let full_access = doc(&[1, 2], &[], &[]);
        let scoped_scp = doc(&[], &[3], &[]);
        let g = effective_access(&[&identity], None, &[&full_access, &scoped_scp]);
        assert_eq!((g.unscoped, g.scoped), (set(&[1, 2]), set(&[3])));
    }

    #[test]
    fn an_unconditional_deny_anywhere_wins() {
        let identity = doc(&[1, 2, 3, 4], &[], &[1]);
        let boundary = doc(&[1, 2, 3, 4], &[], &[2]);
        let scp = doc(&[1, 2, 3, 4], &[], &[3]);
        let g = effective_access(&[&identity], Some(&boundary), &[&scp]);
        assert_eq!(g.unscoped, set(&[4]));
        let other = doc(&[], &[], &[4]);
        assert_eq!(
            effective_access(&[&identity, &other], None, &[]).unscoped,
            set(&[2, 3])
        );
    }
}
