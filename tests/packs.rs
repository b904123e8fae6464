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
        let json = tree.run(&["check", "--format", "json", "p.json"]).json();
        assert_eq!(
            json["subjects"][0]["allowed"],
            serde_json::json!([]),
            "{action}"
        );
        assert!(monitored_findings(&json).is_empty(), "{action}");
    }
}

/// Only what the pack decides: each subject's monitored access, and the findings about it.
fn monitored_view(json: &serde_json::Value) -> serde_json::Value {
    let subjects: Vec<serde_json::Value> = json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        // Outside principals are subjects since transitive access; they hold nothing.
        .filter(|s| s["kind"] != "external")
        .map(|s| serde_json::json!({"name": s["name"], "allowed": s["allowed"], "scoped": s["scoped"]}))
        .collect();
    serde_json::json!({"subjects": subjects, "findings": monitored_findings(json)})
}

fn monitored_findings(json: &serde_json::Value) -> Vec<serde_json::Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "ecs-config-change" || f["rule"] == "ecs-config-change-scoped")
        .map(|f| serde_json::json!({"rule": f["rule"], "subject": f["subject"], "actions": f["actions"], "location": f["location"]}))
        .collect()
}

/// `--monitor rtma` on the bundled examples: exactly the answers iamlint gave when the
/// default pack was the 23 actions (the snapshot was taken from that release's output).
#[test]
fn rtma_check_examples() {
    let run = iamlint(
        &repo_root(),
        &[
            "check",
            "policies/",
            "--monitor",
            "rtma",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_json_snapshot!(monitored_view(&run.json()));
}

#[test]
fn rtma_account() {
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
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1);
    insta::assert_json_snapshot!(monitored_view(&run.json()));
}
