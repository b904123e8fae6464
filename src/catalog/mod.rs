//! The built-in ECS action catalog and the named packs of monitored actions.

mod ecs_actions;

pub use ecs_actions::{ECS_ACTIONS, SOURCE};

/// Access level as AWS's Service Authorization Reference classifies each action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    List,
    Read,
    Write,
    Tagging,
    PermissionsManagement,
}

impl Access {
    /// As AWS writes it in the Service Authorization Reference.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::List => "List",
            Access::Read => "Read",
            Access::Write => "Write",
            Access::Tagging => "Tagging",
            Access::PermissionsManagement => "Permissions management",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionInfo {
    /// Action name without the service prefix, as AWS spells it: "UpdateService".
    pub name: &'static str,
    pub access: Access,
    /// Whether the action supports resource-level permissions (false: needs `Resource: "*"`).
    pub resource_level: bool,
}

/// A set of catalog actions, as a bitset over indices into [`ECS_ACTIONS`].
/// Pattern expansion and every set operation of evaluation work on these.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Debug)]
pub struct ActionSet([u64; WORDS]);

const WORDS: usize = 4;
/// How many catalog actions an [`ActionSet`] can hold; a unit test checks the catalog fits.
pub const CAPACITY: usize = WORDS * 64;

impl ActionSet {
    pub const EMPTY: ActionSet = ActionSet([0; WORDS]);

    /// Every action of the catalog.
    pub fn all() -> ActionSet {
        (0..ECS_ACTIONS.len()).collect()
    }

    pub fn insert(&mut self, index: usize) {
        self.0[index / 64] |= 1 << (index % 64);
    }

    pub fn contains(&self, index: usize) -> bool {
        self.0[index / 64] & (1 << (index % 64)) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn union(self, other: ActionSet) -> ActionSet {
        ActionSet(std::array::from_fn(|i| self.0[i] | other.0[i]))
    }

    pub fn intersect(self, other: ActionSet) -> ActionSet {
        ActionSet(std::array::from_fn(|i| self.0[i] & other.0[i]))
    }

    pub fn minus(self, other: ActionSet) -> ActionSet {
        ActionSet(std::array::from_fn(|i| self.0[i] & !other.0[i]))
    }

    /// Complement within the catalog (what `NotAction` grants).
    pub fn complement(self) -> ActionSet {
        ActionSet::all().minus(self)
    }

    /// Indices in catalog (alphabetical) order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..CAPACITY).filter(|i| self.contains(*i))
    }

    /// Canonical names, sorted: `["ecs:CreateService", …]`.
    pub fn names(&self) -> Vec<String> {
        self.iter().map(qualified_name).collect()
    }
}

impl FromIterator<usize> for ActionSet {
    fn from_iter<I: IntoIterator<Item = usize>>(iter: I) -> Self {
        let mut set = ActionSet::EMPTY;
        for i in iter {
            set.insert(i);
        }
        set
    }
}

/// The service prefix of every catalog action.
pub const SERVICE: &str = "ecs";

/// `ecs:UpdateService` for catalog index `i`.
pub fn qualified_name(index: usize) -> String {
    format!("{SERVICE}:{}", ECS_ACTIONS[index].name)
}

/// `ecs:Name` of every catalog action, by index, built once.
pub fn qualified_names() -> &'static [String] {
    static NAMES: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| (0..ECS_ACTIONS.len()).map(qualified_name).collect());
    &NAMES
}

/// Catalog index of an exact action name (`UpdateService`, any case).
pub fn index_of(name: &str) -> Option<usize> {
    ECS_ACTIONS
        .iter()
        .position(|a| a.name.eq_ignore_ascii_case(name))
}

/// A named set of monitored actions.
pub struct Pack {
    pub name: &'static str,
    pub summary: &'static str,
    pub actions: fn() -> ActionSet,
}

/// The 23 ECS configuration changes iamlint watches by default.
pub const ECS_CONFIG_ACTIONS: [&str; 23] = [
    "CreateCapacityProvider",
    "CreateCluster",
    "CreateService",
    "CreateTaskSet",
    "DeleteAccountSetting",
    "DeleteAttributes",
    "DeleteCapacityProvider",
    "DeleteCluster",
    "DeleteService",
    "DeleteTaskSet",
    "DeregisterContainerInstance",
    "DeregisterTaskDefinition",
    "PutAccountSetting",
    "PutAttributes",
    "PutClusterCapacityProviders",
    "RegisterContainerInstance",
    "RegisterTaskDefinition",
    "UpdateClusterSettings",
    "UpdateContainerAgent",
    "UpdateContainerInstancesState",
    "UpdateService",
    "UpdateServicePrimaryTaskSet",
    "UpdateTaskSet",
];

pub const PACKS: &[Pack] = &[
    Pack {
        name: "ecs-config",
        summary: "the 23 ECS configuration changes (clusters, services, task sets, capacity providers, task definitions, container instances, attributes, account settings)",
        actions: || {
            ECS_CONFIG_ACTIONS
                .iter()
                .filter_map(|name| index_of(name))
                .collect()
        },
    },
    Pack {
        name: "ecs-write",
        summary: "every ECS action of access level Write",
        actions: || {
            (0..ECS_ACTIONS.len())
                .filter(|i| ECS_ACTIONS[*i].access == Access::Write)
                .collect()
        },
    },
];

pub fn pack(name: &str) -> Option<&'static Pack> {
    PACKS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_fits_the_bitset_and_is_sorted_and_unique() {
        assert!(ECS_ACTIONS.len() <= CAPACITY);
        for pair in ECS_ACTIONS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} !< {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn ecs_config_pack_names_23_write_actions_of_the_catalog() {
        for name in ECS_CONFIG_ACTIONS {
            let i = index_of(name).unwrap_or_else(|| panic!("{name} missing from catalog"));
            assert_eq!(ECS_ACTIONS[i].access, Access::Write, "{name}");
        }
        assert_eq!((pack("ecs-config").unwrap().actions)().len(), 23);
    }

    #[test]
    fn ecs_write_pack_contains_ecs_config_pack() {
        let config = (pack("ecs-config").unwrap().actions)();
        let write = (pack("ecs-write").unwrap().actions)();
        assert_eq!(config.minus(write), ActionSet::EMPTY);
        assert!(write.len() > config.len());
    }

    #[test]
    fn set_operations() {
        let a: ActionSet = [0, 1, 70].into_iter().collect();
        let b: ActionSet = [1, 2].into_iter().collect();
        assert_eq!(a.union(b).iter().collect::<Vec<_>>(), vec![0, 1, 2, 70]);
        assert_eq!(a.intersect(b).iter().collect::<Vec<_>>(), vec![1]);
        assert_eq!(a.minus(b).iter().collect::<Vec<_>>(), vec![0, 70]);
        assert_eq!(a.len(), 3);
        assert!(ActionSet::EMPTY.is_empty());
        assert_eq!(ActionSet::all().complement(), ActionSet::EMPTY);
    }
}
