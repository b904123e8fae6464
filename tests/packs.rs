//! The monitored packs as a user meets them: every configuration call of today's ECS is
//! watched by the default `ecs-config` pack, and `rtma` keeps the 23 actions of
//! Conformity's 2018 rule with exactly the answers iamlint gave for them.

mod common;

use common::*;

/// A policy granting one action on `*` is an `ecs-config-change` error naming it.
fn watched_by_default(action: &str) {
    let statement = format!(r#"{{"Effect": "Allow", "Action": "ecs:{action}", "Resource": "*"}}"#);
    let tree = Tree::new(&[("p.json", &policy(&[&statement]))]);
    let run = tree.run(&["check", "--format", "json", "p.json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let json = run.json();
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "ecs-config-change", "{action}");
    assert_eq!(
        finding["actions"],
        serde_json::json!([format!("ecs:{action}")])
    );
    // The 2018 pack does not know it: nothing to report there.
    let run = tree.run(&["check", "--monitor", "rtma", "p.json"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{action}");
}

macro_rules! newly_watched {
    ($($test:ident: $action:literal),+ $(,)?) => {
        $(
            #[test]
            fn $test() {
                watched_by_default($action);
            }
        )+
    };
}

newly_watched! {
    associate_gateway_with_cluster: "AssociateGatewayWithCluster",
    continue_service_deployment: "ContinueServiceDeployment",
    create_daemon: "CreateDaemon",
    create_express_gateway_service: "CreateExpressGatewayService",
    create_gateway: "CreateGateway",
    delete_daemon: "DeleteDaemon",
    delete_daemon_task_definition: "DeleteDaemonTaskDefinition",
    delete_express_gateway_service: "DeleteExpressGatewayService",
    delete_gateway: "DeleteGateway",
    delete_task_definitions: "DeleteTaskDefinitions",
    disassociate_gateway_from_cluster: "DisassociateGatewayFromCluster",
    put_account_setting_default: "PutAccountSettingDefault",
    register_daemon_task_definition: "RegisterDaemonTaskDefinition",
    stop_service_deployment: "StopServiceDeployment",
    update_capacity_provider: "UpdateCapacityProvider",
    update_cluster: "UpdateCluster",
    update_daemon: "UpdateDaemon",
    update_express_gateway_service: "UpdateExpressGatewayService",
    update_gateway: "UpdateGateway",
}

#[test]
fn the_new_pack_holds_the_23_and_every_newly_watched_action() {
    let run = iamlint(&repo_root(), &["rules"]);
    assert_eq!(run.code, 0);
    // 23 of rtma + the 19 above.
    assert_eq!(iamlint::catalog::packs::ECS_CONFIG.len(), 23 + 19);
}

#[test]
fn operational_calls_stay_out_of_the_default_pack() {
    for action in [
        "RunTask",
        "StartTask",
        "StopTask",
        "ExecuteCommand",
        "Poll",
        "SubmitTaskStateChange",
        "DiscoverPollEndpoint",
        "UpdateTaskProtection",
        "TagResource",
    ] {
        let statement =
            format!(r#"{{"Effect": "Allow", "Action": "ecs:{action}", "Resource": "*"}}"#);
        let tree = Tree::new(&[("p.json", &policy(&[&statement]))]);
        let run = tree.run(&["check", "p.json"]);
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{action}");
    }
}

/// `--monitor rtma` on the bundled examples: exactly what iamlint printed when the
/// default pack was the 23 actions.
#[test]
fn rtma_check_examples_human() {
    let run = iamlint(&repo_root(), &["check", "policies/", "--monitor", "rtma"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn rtma_account_human_table() {
    let run = iamlint(
        &repo_root(),
        &[
            "account",
            "--from",
            "tests/fixtures/account/dump.json",
            "--privileged",
            "arn:aws:iam::*:role/platform/*",
            "--monitor",
            "rtma",
        ],
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}
