//! Named packs of monitored ECS actions, and the classification every ECS action that
//! changes something must have: a configuration change (watched by `ecs-config`) or an
//! operational call (left to `ecs-write`). A catalog refresh that brings a new ECS Write
//! or Permissions-management action fails the drift-guard test until it is classified here.

use super::{Access, ActionInfo, ActionSet, MONITORED_SERVICE, index_of, service};

/// A named set of monitored actions.
pub struct Pack {
    pub name: &'static str,
    pub summary: &'static str,
    /// Action names without the `ecs:` prefix; `None`: every ECS action of access level Write.
    pub actions: Option<&'static [&'static str]>,
}

impl Pack {
    pub fn set(&self) -> ActionSet {
        let ecs = service(MONITORED_SERVICE).expect("the catalog has ECS");
        match self.actions {
            Some(names) => names
                .iter()
                .map(|n| index_of(&format!("ecs:{n}")).expect("pack names a catalog action"))
                .collect(),
            None => ecs
                .actions
                .iter()
                .filter(|a| a.access == Access::Write)
                .filter_map(|a| index_of(&format!("ecs:{}", a.name)))
                .collect(),
        }
    }

    /// Canonical names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.set().names()
    }
}

/// The 23 actions of Trend Micro Conformity's rule "Monitor Amazon ECS Configuration
/// Changes" (2018), kept by name as the `rtma` pack for parity with that rule.
pub const RTMA: &[&str] = &[
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

/// Every ECS call that creates, updates, deletes, registers, deregisters or puts
/// configuration: the 23 of [`RTMA`] and each call AWS added since. Deployment control
/// counts (`StopServiceDeployment` rolls a service back to its previous revision,
/// `ContinueServiceDeployment` lets a paused configuration change proceed): both decide
/// which configuration a service runs.
pub const ECS_CONFIG: &[&str] = &[
    "AssociateGatewayWithCluster",
    "ContinueServiceDeployment",
    "CreateCapacityProvider",
    "CreateCluster",
    "CreateDaemon",
    "CreateExpressGatewayService",
    "CreateGateway",
    "CreateService",
    "CreateTaskSet",
    "DeleteAccountSetting",
    "DeleteAttributes",
    "DeleteCapacityProvider",
    "DeleteCluster",
    "DeleteDaemon",
    "DeleteDaemonTaskDefinition",
    "DeleteExpressGatewayService",
    "DeleteGateway",
    "DeleteService",
    "DeleteTaskDefinitions",
    "DeleteTaskSet",
    "DeregisterContainerInstance",
    "DeregisterTaskDefinition",
    "DisassociateGatewayFromCluster",
    "PutAccountSetting",
    "PutAccountSettingDefault",
    "PutAttributes",
    "PutClusterCapacityProviders",
    "RegisterContainerInstance",
    "RegisterDaemonTaskDefinition",
    "RegisterTaskDefinition",
    "StopServiceDeployment",
    "UpdateCapacityProvider",
    "UpdateCluster",
    "UpdateClusterSettings",
    "UpdateContainerAgent",
    "UpdateContainerInstancesState",
    "UpdateDaemon",
    "UpdateExpressGatewayService",
    "UpdateGateway",
    "UpdateService",
    "UpdateServicePrimaryTaskSet",
    "UpdateTaskSet",
];

/// ECS Write and Permissions-management calls that act on running work or are made by
/// the ECS agent, not configuration: running and stopping tasks, `ExecuteCommand`, task
/// scale-in protection, the agent's polling and state reports, telemetry and log
/// delivery. They stay in `ecs-write`. (Tagging — `TagResource`, `UntagResource` — is
/// access level Tagging, in neither pack: monitor it with `--monitor ecs:TagResource`
/// where tags drive access conditions.)
pub const ECS_OPERATIONAL: &[&str] = &[
    "AllowVendedLogDeliveryForResource",
    "DiscoverPollEndpoint",
    "ExecuteCommand",
    "Poll",
    "PutSystemLogEvents",
    "RunTask",
    "StartTask",
    "StartTelemetrySession",
    "StopTask",
    "SubmitAttachmentStateChanges",
    "SubmitContainerStateChange",
    "SubmitTaskStateChange",
    "UpdateTaskProtection",
];

pub const PACKS: &[Pack] = &[
    Pack {
        name: "ecs-config",
        summary: "every ECS configuration change: creating, updating, deleting, registering and deregistering clusters, services, task sets, capacity providers, task definitions, daemons, gateways, container instances, attributes and account settings, and deployment control",
        actions: Some(ECS_CONFIG),
    },
    Pack {
        name: "rtma",
        summary: "the 23 ECS configuration changes of Conformity's 2018 rule \"Monitor Amazon ECS Configuration Changes\"",
        actions: Some(RTMA),
    },
    Pack {
        name: "ecs-write",
        summary: "every ECS action of access level Write (configuration changes and operational calls)",
        actions: None,
    },
];

pub fn pack(name: &str) -> Option<&'static Pack> {
    PACKS.iter().find(|p| p.name == name)
}

/// ECS actions that change something but are in neither [`ECS_CONFIG`] nor
/// [`ECS_OPERATIONAL`]: a catalog refresh brought them, and someone must decide.
pub fn unclassified(actions: &[ActionInfo]) -> Vec<&'static str> {
    actions
        .iter()
        .filter(|a| matches!(a.access, Access::Write | Access::PermissionsManagement))
        .filter(|a| !ECS_CONFIG.contains(&a.name) && !ECS_OPERATIONAL.contains(&a.name))
        .map(|a| a.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ecs() -> &'static [ActionInfo] {
        service("ecs").unwrap().actions
    }

    #[test]
    fn drift_guard_every_changing_ecs_action_is_classified() {
        let missing = unclassified(ecs());
        assert!(
            missing.is_empty(),
            "ECS actions in neither ECS_CONFIG nor ECS_OPERATIONAL (src/catalog/packs.rs): {}",
            missing.join(", ")
        );
    }

    #[test]
    fn drift_guard_names_an_unclassified_action() {
        let mut catalog = ecs().to_vec();
        catalog.push(ActionInfo {
            name: "FrobnicateCluster",
            access: Access::Write,
            resource_types: &[],
        });
        catalog.push(ActionInfo {
            name: "DescribeFrobs",
            access: Access::Read,
            resource_types: &[],
        });
        assert_eq!(unclassified(&catalog), ["FrobnicateCluster"]);
    }

    #[test]
    fn classification_names_catalog_actions_once() {
        for name in ECS_CONFIG.iter().chain(ECS_OPERATIONAL) {
            let info = service("ecs").unwrap().action(name);
            let info = info.unwrap_or_else(|| panic!("{name} is not in the catalog"));
            assert_eq!(info.name, *name, "spelled as AWS does");
            assert!(
                matches!(info.access, Access::Write | Access::PermissionsManagement),
                "{name}"
            );
        }
        for name in ECS_CONFIG {
            assert!(!ECS_OPERATIONAL.contains(name), "{name} in both lists");
        }
        for name in RTMA {
            assert!(
                ECS_CONFIG.contains(name),
                "{name} of rtma is a config change"
            );
        }
    }

    #[test]
    fn packs_have_the_documented_sizes() {
        assert_eq!(pack("rtma").unwrap().set().len(), 23);
        assert_eq!(pack("ecs-config").unwrap().set().len(), ECS_CONFIG.len());
        let write = pack("ecs-write").unwrap().set();
        assert!(pack("ecs-config").unwrap().set().is_subset(write));
        assert!(write.contains(index_of("ecs:RunTask").unwrap()));
        assert!(
            !pack("ecs-config")
                .unwrap()
                .set()
                .contains(index_of("ecs:RunTask").unwrap())
        );
    }
}
