//! Infrastructure code through `iamlint check`: CloudFormation YAML (short tags) and a
//! CDK-synthesized JSON template of the same account, reviewed like an account; bad
//! templates; files without IAM staying quiet.

mod common;

use common::*;
use serde_json::Value;

const STACK: &str = "tests/fixtures/iac/cloudformation/stack.yaml";
const CDK: &str = "tests/fixtures/iac/cloudformation/cdk.out";
const BAD: &str = "tests/fixtures/iac/cloudformation/bad";

fn check(args: &[&str]) -> Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    iamlint(&repo_root(), &all)
}

fn subject<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no subject {name}"))
}

/// (rule, line, column) of every finding of a JSON report.
fn located(json: &Value) -> Vec<(String, u64, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The JSON report of a check that finds something.
fn findings_json(path: &str) -> Value {
    let run = check(&["--format", "json", path]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    run.json()
}

#[test]
fn cloudformation_yaml_human() {
    let run = check(&[STACK]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn cloudformation_yaml_json() {
    let json = findings_json(STACK);
    assert_eq!(
        subject_names(&json),
        [
            "BreakGlass",
            "DeployRole",
            "Developer",
            "Developers",
            "WorkerRole"
        ]
    );
    assert_eq!(subject(&json, "BreakGlass")["kind"], "policy");
    assert_eq!(subject(&json, "Developer")["kind"], "user");
    assert_eq!(subject(&json, "Developers")["kind"], "group");
    let path = &subject(&json, "Developer")["paths"][0]["steps"][0];
    assert_eq!(path["id"], "sts-001");
    assert_eq!(path["to"], "arn:aws:iam::123456789012:role/web-deploy");
    // The Deny under `!If IsWeb` holds: ecs:DeleteService is not granted by BreakGlass's
    // neighbour, and the role's access is exactly its Allow.
    assert_eq!(
        subject(&json, "DeployRole")["allowed"],
        serde_json::json!(["ecs:UpdateService"])
    );
    assert_eq!(
        located(&json),
        [
            ("ecs-config-change-indirect".to_string(), 23, 25),
            ("ecs-config-change".to_string(), 49, 19),
            ("unresolved".to_string(), 68, 23),
            ("ecs-config-change".to_string(), 77, 21),
            ("unknown-action".to_string(), 88, 23),
        ]
    );
    insta::assert_json_snapshot!(json);
}

#[test]
fn cdk_synth_is_the_same_account() {
    let json = findings_json(CDK);
    // manifest.json beside the template is not read as a policy.
    assert_eq!(
        subject_names(&json),
        [
            "DeployRole7E5E1C27",
            "Developer7A3C1F0B",
            "Developers2D2D9D5E"
        ]
    );
    let yaml = findings_json(STACK);
    for (cdk, cfn) in [
        ("Developer7A3C1F0B", "Developer"),
        ("DeployRole7E5E1C27", "DeployRole"),
    ] {
        for key in ["allowed", "scoped", "reachable", "trusted_by"] {
            assert_eq!(
                subject(&json, cdk)[key],
                subject(&yaml, cfn)[key],
                "{cdk} {key}"
            );
        }
        // The same steps; only the policies' names differ.
        let steps = |json: &Value, name: &str| -> Vec<String> {
            subject(json, name)["paths"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| p["steps"].as_array().unwrap().clone())
                .map(|s| format!("{} {} {}", s["id"], s["from"], s["to"]))
                .collect()
        };
        assert_eq!(steps(&json, cdk), steps(&yaml, cfn), "{cdk}");
    }
    assert_eq!(
        located(&json),
        [
            ("ecs-config-change-indirect".to_string(), 23, 18),
            ("ecs-config-change".to_string(), 94, 18),
        ]
    );
    insta::assert_snapshot!(check(&[CDK]).transcript());
}

#[test]
fn bad_templates_are_located_and_the_others_still_reported() {
    let run = check(&[BAD, STACK]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("DeployRole can make a monitored ECS configuration change")
    );
    insta::assert_snapshot!(check(&[BAD]).transcript());
}

#[test]
fn a_deny_holding_an_unknown_value_removes_nothing() {
    let tree = Tree::new(&[(
        "deny.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Service: {Type: String}\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement: {Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n              - {Effect: Allow, Action: 'ecs:UpdateService', Resource: '*'}\n              - {Effect: Deny, Action: 'ecs:*', Resource: !Ref Service}\n",
    )]);
    let json = tree.run(&["check", "--format", "json", "deny.yaml"]).json();
    assert_eq!(
        subject(&json, "Role")["allowed"],
        serde_json::json!(["ecs:UpdateService"])
    );
    assert_eq!(located(&json)[1].0, "unresolved");
}

#[test]
fn files_without_iam_are_quiet() {
    for path in [
        "tests/fixtures/iac/no-iam.yaml",
        "tests/fixtures/iac/compose.yaml",
    ] {
        let run = check(&["--format", "json", path]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        let json = run.json();
        assert_eq!(json["subjects"], serde_json::json!([]), "{path}");
        assert_eq!(json["findings"], serde_json::json!([]), "{path}");
    }
}

#[test]
fn privileged_globs_match_logical_ids_and_resolved_arns() {
    for glob in ["DeployRole", "arn:aws:iam::*:role/web-*"] {
        let json = check(&["--format", "json", "--privileged", glob, STACK]).json();
        assert_eq!(subject(&json, "DeployRole")["privileged"], true, "{glob}");
        let rules: Vec<String> = located(&json).into_iter().map(|f| f.0).collect();
        assert_eq!(
            rules.iter().filter(|r| *r == "ecs-config-change").count(),
            1,
            "{glob}: only BreakGlass"
        );
    }
}

#[test]
fn sarif_regions_point_into_the_template() {
    let run = check(&["--format", "sarif", STACK]);
    let sarif = run.json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let region = results
        .iter()
        .find(|r| r["ruleId"] == "ecs-config-change")
        .map(|r| &r["locations"][0]["physicalLocation"]["region"])
        .unwrap();
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(49), Some(19))
    );
    let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, STACK);
}

const MODULE: &str = "tests/fixtures/iac/terraform/deploy";

#[test]
fn terraform_module_human() {
    let run = check(&[MODULE]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn terraform_module_json() {
    let json = findings_json(MODULE);
    assert_eq!(
        subject_names(&json),
        [
            "aws_iam_group.ops",
            "aws_iam_policy.audit",
            "aws_iam_role.deploy",
            "aws_iam_role.service[\"api\"]",
            "aws_iam_role.service[\"worker\"]",
            "aws_iam_user.dana",
            // policies/audit.json, which `file()` reads, is judged in the module only.
        ]
    );
    // The user holds nothing itself and reaches the deploy role's grants by sts-001.
    let dana = subject(&json, "aws_iam_user.dana");
    assert_eq!(dana["allowed"], serde_json::json!([]));
    assert_eq!(
        dana["paths"][0]["steps"][0]["to"],
        "arn:aws:iam::123456789012:role/web-deploy"
    );
    // The policy document's condition scopes RegisterTaskDefinition; its Deny holds.
    let deploy = subject(&json, "aws_iam_role.deploy");
    assert_eq!(
        deploy["scoped"],
        serde_json::json!(["ecs:RegisterTaskDefinition"])
    );
    assert_eq!(deploy["allowed"], serde_json::json!(["ecs:UpdateService"]));
    // for_each: one role per key, each with its own action.
    assert_eq!(
        subject(&json, "aws_iam_role.service[\"worker\"]")["allowed"],
        serde_json::json!([])
    );
    let at = |f: &Value, key: &str| f["location"][key].as_u64().unwrap();
    let files: Vec<(String, u64, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["location"]["path"].as_str().unwrap();
            let (_, name) = path.rsplit_once('/').unwrap();
            (name.to_string(), at(f, "line"), at(f, "column"))
        })
        .collect();
    assert_eq!(
        files,
        [
            ("documents.tf".to_string(), 4, 17),
            ("documents.tf".to_string(), 10, 17),
            ("main.tf".to_string(), 21, 18),
            ("audit.json".to_string(), 6, 17),
            ("services.tf".to_string(), 3, 14),
            ("services.tf".to_string(), 42, 16),
        ]
    );
    insta::assert_json_snapshot!(json);
}

#[test]
fn policy_files_a_module_reads_are_judged_in_the_module_only() {
    // A trust policy read through `file()` is no identity policy: on its own it would be
    // invalid. `../shared` is outside the module's folder, and named so.
    let tree = Tree::new(&[
        (
            "infra/ci/main.tf",
            "resource \"aws_iam_role\" \"ci\" {\n  name               = \"ci\"\n  assume_role_policy = file(\"../shared/trust.json\")\n  inline_policy {\n    name   = \"deploy\"\n    policy = file(\"deploy.json\")\n  }\n}\n",
        ),
        (
            "infra/shared/trust.json",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#,
        ),
        ("infra/ci/deploy.json", &policy(&[ALLOW_UPDATE_SERVICE])),
        ("infra/other.json", &policy(&[ALLOW_UPDATE_SERVICE])),
    ]);
    let run = tree.run(&["check", "--format", "json", "infra"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let json = run.json();
    assert_eq!(
        subject_names(&json),
        ["aws_iam_role.ci", "infra/other.json"]
    );
    let findings: Vec<(&str, &str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["subject"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        [
            (
                "ecs-config-change",
                "aws_iam_role.ci",
                "infra/ci/deploy.json"
            ),
            ("ecs-config-change", "infra/other.json", "infra/other.json"),
        ]
    );
    // Named on the command line beside its module, it is still judged there only.
    let named = tree.run(&[
        "check",
        "--format",
        "json",
        "infra/ci",
        "infra/ci/deploy.json",
    ]);
    assert_eq!(subject_names(&named.json()), ["aws_iam_role.ci"]);
    // Without the module in the run, it is a policy file as any other.
    let alone = tree.run(&["check", "--format", "json", "infra/ci/deploy.json"]);
    assert_eq!(subject_names(&alone.json()), ["infra/ci/deploy.json"]);
}

#[test]
fn bad_terraform_is_located_and_the_others_still_reported() {
    let bad = "tests/fixtures/iac/terraform/bad";
    let run = check(&["--monitor", "ecs:UpdateService", bad, MODULE]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("aws_iam_role.deploy can make a monitored ECS configuration change")
    );
    insta::assert_snapshot!(check(&["--monitor", "ecs:UpdateService", bad]).transcript());
}

#[test]
fn terraform_without_iam_is_quiet() {
    let tree = Tree::new(&[
        (
            "net/main.tf",
            "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
        ),
        ("broken/main.tf", "this is { not HCL\n"),
    ]);
    let run = tree.run(&["check", "--format", "json", "net", "broken"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.json()["subjects"], serde_json::json!([]));
}

#[test]
fn one_named_tf_file_is_checked_with_its_module() {
    let json = findings_json("tests/fixtures/iac/terraform/deploy/main.tf");
    // documents.tf and services.tf come along: the deploy role's policy is there.
    assert_eq!(
        subject(&json, "aws_iam_role.deploy")["allowed"],
        serde_json::json!(["ecs:UpdateService"])
    );
    assert!(subject_names(&json).contains(&"aws_iam_role.service[\"api\"]"));
}

const PLAN: &str = "tests/fixtures/iac/terraform/plan/plan.json";

#[test]
fn terraform_plan_human() {
    let run = check(&[
        "--monitor",
        "ecs:UpdateService",
        "--monitor",
        "ecs:UpdateCluster",
        PLAN,
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn terraform_plan_json() {
    let run = check(&["--format", "json", PLAN]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let json = run.json();
    assert_eq!(
        subject_names(&json),
        [
            "aws_iam_role.ci",
            "aws_iam_role.deploy",
            "aws_iam_user.dana"
        ]
    );
    // The policy attachment's ARN is unknown until apply: the configuration names
    // aws_iam_policy.audit, whose planned name gives it.
    let deploy = subject(&json, "aws_iam_role.deploy");
    assert_eq!(
        deploy["granted_by"]["ecs:UpdateCluster"],
        serde_json::json!(["arn:aws:iam::123456789012:policy/audit"])
    );
    let dana = subject(&json, "aws_iam_user.dana");
    assert_eq!(
        dana["paths"][0]["steps"][0]["to"],
        "arn:aws:iam::111122223333:role/web-deploy"
    );
    // A trust policy known only after apply is unresolved, located at its resource.
    let unresolved: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unresolved")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        unresolved,
        ["`aws_iam_role.ci`'s `assume_role_policy` is known only after apply"]
    );
    insta::assert_json_snapshot!(json);
}

#[test]
fn var_files_give_variables_their_values() {
    let run = check(&[
        "--format",
        "json",
        "--var-file",
        "tests/fixtures/iac/terraform/prod.tfvars",
        MODULE,
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let json = run.json();
    // `cluster = "api"` names the deploy role; `ops_policy` is no longer unresolved.
    let dana = subject(&json, "aws_iam_user.dana");
    assert_eq!(
        dana["paths"][0]["steps"][0]["to"],
        "arn:aws:iam::123456789012:role/api-deploy"
    );
    assert!(!located(&json).iter().any(|f| f.0 == "unresolved"));
    let missing = check(&[
        "--var-file",
        "tests/fixtures/iac/terraform/none.tfvars",
        MODULE,
    ]);
    assert_eq!(missing.code, 2);
    // miette wraps the message: compare it without the frame.
    let words: Vec<&str> = missing
        .stderr
        .split_whitespace()
        .filter(|w| !["×", "│"].contains(w))
        .collect();
    assert_eq!(
        words.join(" "),
        "cannot read --var-file tests/fixtures/iac/terraform/none.tfvars: no such file or directory",
    );
}

const GROUPS_TF: &str = "tests/fixtures/iac/terraform/groups";
const GROUPS_CFN: &str = "tests/fixtures/iac/cloudformation/groups.yaml";

#[test]
fn groups_are_subjects_human() {
    let run = check(&["--monitor", "ecs:UpdateService", GROUPS_TF]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn groups_are_subjects_json() {
    let json = findings_json(GROUPS_TF);
    let kinds: Vec<(&str, &str)> = json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap(), s["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("group", "aws_iam_group.ci"),
            ("group", "aws_iam_group.deployers"),
            ("group", "aws_iam_group.editors"),
            ("group", "aws_iam_group.readers"),
            ("role", "aws_iam_role.release"),
            ("user", "aws_iam_user.robot"),
        ]
    );
    // A group without members in the module is judged on its own policies, named as a
    // principal's own.
    let deployers = subject(&json, "aws_iam_group.deployers");
    assert_eq!(
        deployers["allowed"],
        serde_json::json!(["ecs:UpdateService"])
    );
    assert_eq!(
        deployers["granted_by"]["ecs:UpdateService"],
        serde_json::json!(["inline:deploy"])
    );
    assert_eq!(
        deployers["file"],
        "tests/fixtures/iac/terraform/groups/main.tf"
    );
    // Paths start at the group, as they do at its member.
    for name in ["aws_iam_group.ci", "aws_iam_user.robot"] {
        let step = &subject(&json, name)["paths"][0]["steps"][0];
        assert_eq!(step["id"], "sts-001", "{name}");
        assert_eq!(
            step["to"], "arn:aws:iam::123456789012:role/release",
            "{name}"
        );
    }
    assert_eq!(
        subject(&json, "aws_iam_group.ci")["paths"][0]["steps"][0]["from"],
        "arn:aws:iam::123456789012:group/ci"
    );
    // Rewriting its own group's policy: every member can grant itself anything.
    let editors = &subject(&json, "aws_iam_group.editors")["paths"][0]["steps"][0];
    assert_eq!(editors["id"], "iam-011");
    assert_eq!(
        editors["to"],
        "arn:aws:iam::123456789012:group/editors (unrestricted)"
    );
    assert_eq!(
        subject(&json, "aws_iam_group.readers")["reachable"],
        serde_json::json!([])
    );
    assert_eq!(
        located(&json),
        [
            ("ecs-config-change".to_string(), 15, 47),
            ("ecs-config-change-indirect".to_string(), 31, 18),
            ("ecs-config-change-indirect".to_string(), 31, 18),
            ("ecs-config-change".to_string(), 60, 49),
            ("ecs-config-change-indirect".to_string(), 81, 18),
        ]
    );
    insta::assert_json_snapshot!(json);
}

#[test]
fn cloudformation_groups_are_the_same_subjects() {
    let tf = findings_json(GROUPS_TF);
    let cfn = findings_json(GROUPS_CFN);
    for (t, c) in [
        ("aws_iam_group.ci", "Ci"),
        ("aws_iam_group.deployers", "Deployers"),
        ("aws_iam_group.editors", "Editors"),
        ("aws_iam_group.readers", "Readers"),
        ("aws_iam_user.robot", "Robot"),
    ] {
        assert_eq!(subject(&cfn, c)["kind"], subject(&tf, t)["kind"], "{c}");
        for key in ["allowed", "scoped", "reachable", "granted_by"] {
            assert_eq!(subject(&cfn, c)[key], subject(&tf, t)[key], "{c} {key}");
        }
    }
    assert_eq!(
        located(&cfn),
        [
            ("ecs-config-change".to_string(), 15, 25),
            ("ecs-config-change-indirect".to_string(), 30, 21),
            ("ecs-config-change-indirect".to_string(), 30, 21),
            ("ecs-config-change".to_string(), 54, 25),
            ("ecs-config-change-indirect".to_string(), 69, 21),
        ]
    );
}

#[test]
fn group_findings_in_sarif_and_github() {
    let sarif = check(&["--format", "sarif", GROUPS_TF]).json();
    assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let deployers = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("aws_iam_group.deployers ")
        })
        .expect("a result about the group");
    let region = &deployers["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(15), Some(47))
    );
    let github = check(&[
        "--format",
        "github",
        "--monitor",
        "ecs:UpdateService",
        GROUPS_TF,
    ]);
    let first = github.stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "::error file=tests/fixtures/iac/terraform/groups/main.tf,line=15,col=47,endLine=15,endColumn=66,title=iamlint ecs-config-change::aws_iam_group.deployers can make a monitored ECS configuration change: ecs:UpdateService"
    );
}

#[test]
fn privileged_globs_match_group_arns_and_paths() {
    let json = check(&[
        "--format",
        "json",
        "--privileged",
        "arn:aws:iam::*:group/teams/*",
        GROUPS_TF,
    ])
    .json();
    assert_eq!(
        subject(&json, "aws_iam_group.deployers")["privileged"],
        true
    );
    assert_eq!(subject(&json, "aws_iam_group.ci")["privileged"], false);
    let findings = json["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .all(|f| f["subject"] != "aws_iam_group.deployers")
    );
}

#[test]
fn account_dumps_keep_groups_on_their_members() {
    // The example account has a developer group; an account review reports its access
    // on its members only.
    let run = iamlint(
        &repo_root(),
        &[
            "account",
            "--format",
            "json",
            "--from",
            "examples/account/authorization-details.json",
        ],
    );
    let json = run.json();
    let dump =
        std::fs::read_to_string(repo_root().join("examples/account/authorization-details.json"))
            .unwrap();
    assert!(dump.contains("\"GroupName\""), "the example has a group");
    assert!(
        json["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["kind"] != "group"),
        "{}",
        run.transcript()
    );
}

#[test]
fn group_paths_join_other_groups_and_act_on_their_members() {
    let json = check(&[
        "--monitor",
        "ecs:UpdateService",
        "--format",
        "json",
        "tests/fixtures/iac/terraform/group-paths",
    ])
    .json();
    let first_step = |name: &str| {
        let step = &subject(&json, name)["paths"][0]["steps"][0];
        (step["id"].clone(), step["to"].clone())
    };
    assert_eq!(
        first_step("aws_iam_group.joiners"),
        (
            "iam-013".into(),
            "arn:aws:iam::123456789012:group/joiners (+ group deployers)".into()
        )
    );
    // `iam:PutUserPolicy` on `user/${aws:username}`: each member rewrites its own user.
    assert_eq!(
        first_step("aws_iam_group.selfedit"),
        (
            "iam-007".into(),
            "arn:aws:iam::123456789012:group/selfedit (unrestricted)".into()
        )
    );
    assert_eq!(
        subject(&json, "aws_iam_user.eve")["reachable"],
        serde_json::json!(["ecs:UpdateService"])
    );
}

const LOOPS: &str = "tests/fixtures/iac/terraform/loops";

#[test]
fn for_expressions_and_templatefile_human() {
    let run = check(&[
        "--monitor",
        "ecs:UpdateService",
        "--monitor",
        "ecs:RegisterTaskDefinition",
        "--monitor",
        "ecs:UpdateCluster",
        "--monitor",
        "ecs:CreateService",
        LOOPS,
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn for_expressions_and_templatefile_json() {
    let json = findings_json(LOOPS);
    // `{for team, action in … : team => … if team != "skip"}`: two roles, not three.
    assert_eq!(
        subject_names(&json),
        [
            "aws_iam_role.team[\"deploy\"]",
            "aws_iam_role.team[\"read\"]",
            "aws_iam_user.guess",
            "aws_iam_user.release",
        ]
    );
    // The `for` over the clusters lists their services: scoped, not `*`.
    let deploy = subject(&json, "aws_iam_role.team[\"deploy\"]");
    assert_eq!(deploy["scoped"], serde_json::json!(["ecs:UpdateService"]));
    assert_eq!(deploy["allowed"], serde_json::json!([]));
    // The template rendered its `%{ for }` over the clusters and `${jsonencode(actions)}`.
    let release = subject(&json, "aws_iam_user.release");
    assert_eq!(
        release["scoped"],
        serde_json::json!(["ecs:RegisterTaskDefinition", "ecs:UpdateCluster"])
    );
    assert_eq!(release["allowed"], serde_json::json!(["ecs:CreateService"]));
    let at = |f: &Value| {
        let path = f["location"]["path"].as_str().unwrap();
        format!(
            "{} {}:{}:{}",
            f["rule"].as_str().unwrap(),
            path.rsplit_once('/').unwrap().1,
            f["location"]["line"],
            f["location"]["column"]
        )
    };
    let findings: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(at)
        .collect();
    assert_eq!(
        findings,
        [
            // The value of the `for` expression, where it is written.
            "ecs-config-change-scoped main.tf:12:55",
            // A rendered template stands at its call.
            "ecs-config-change-scoped main.tf:38:12",
            "ecs-config-change main.tf:59:47",
            "unresolved main.tf:59:57",
            // A template without interpolations is read in place.
            "ecs-config-change static.json:6:17",
        ]
    );
    // The templates are read as part of the module: static.json is no policy file of
    // its own.
    let run = check(&["--format", "json", "tests/fixtures/iac/terraform"]);
    assert!(
        !subject_names(&run.json())
            .iter()
            .any(|s| s.ends_with("static.json")),
        "{}",
        run.stdout
    );
}

const MODULES: &str = "tests/fixtures/iac/terraform/modules";

#[test]
fn module_calls_human() {
    let run = check(&[MODULES]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn module_calls_json() {
    let json = findings_json(MODULES);
    // The called folder is judged in its caller, once per call, named as Terraform
    // names the instances; not again as a root of its own.
    assert_eq!(
        subject_names(&json),
        [
            "aws_iam_user.dana",
            "module.deploy.aws_iam_role.deploy",
            "module.deploy_api.aws_iam_role.deploy",
        ]
    );
    let web = subject(&json, "module.deploy.aws_iam_role.deploy");
    assert_eq!(
        web["file"],
        "tests/fixtures/iac/terraform/modules/modules/deploy/main.tf"
    );
    // The call's input names the user the role trusts.
    assert_eq!(
        web["trusted_by"],
        serde_json::json!(["AWS:arn:aws:iam::123456789012:user/dana"])
    );
    // `module.deploy.role_arn` is the output: the web instance's ARN.
    let step = &subject(&json, "aws_iam_user.dana")["paths"][0]["steps"][0];
    assert_eq!(step["to"], "arn:aws:iam::123456789012:role/web-deploy");
    assert_eq!(
        located(&json),
        [
            ("unresolved".to_string(), 17, 13),
            ("ecs-config-change-indirect".to_string(), 27, 67),
            ("ecs-config-change".to_string(), 21, 14),
            ("ecs-config-change".to_string(), 21, 14),
            ("ecs-config-change-scoped".to_string(), 21, 14),
            ("ecs-config-change-scoped".to_string(), 21, 14),
        ]
    );
    // The privileged list matches the instances' addresses.
    let json = check(&[
        "--format",
        "json",
        "--privileged",
        "module.deploy_api.*",
        MODULES,
    ])
    .json();
    assert_eq!(
        subject(&json, "module.deploy_api.aws_iam_role.deploy")["privileged"],
        true
    );
    assert_eq!(
        subject(&json, "module.deploy.aws_iam_role.deploy")["privileged"],
        false
    );
    // Alone, the child folder is a root module: its inputs are unknown.
    let alone = check(&[
        "--format",
        "json",
        "tests/fixtures/iac/terraform/modules/modules/deploy",
    ])
    .json();
    // (`*`: the trust's principal, an unknown input, is anyone.)
    assert_eq!(subject_names(&alone), ["*", "aws_iam_role.deploy"]);
}

#[test]
fn module_calls_that_cannot_be_read_are_located() {
    let tree = Tree::new(&[
        (
            "infra/main.tf",
            "module \"gone\" {\n  source = \"./nowhere\"\n}\nmodule \"loop\" {\n  source = \"../infra\"\n}\nmodule \"many\" {\n  source   = \"./child\"\n  for_each = toset([\"a\"])\n}\nmodule \"child\" {\n  source = \"./child\"\n}\nresource \"aws_iam_user\" \"u\" {\n  name = module.child.missing\n}\n",
        ),
        (
            "infra/child/main.tf",
            "resource \"aws_iam_user\" \"c\" {\n  name = \"c\"\n}\n",
        ),
    ]);
    let run = tree.run(&["check", "--format", "json", "infra/main.tf"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    let json = run.json();
    let messages: Vec<(String, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                format!(
                    "{}: {}",
                    f["rule"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                ),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        messages,
        [
            (
                "invalid-policy: module `gone`: no such file or directory".to_string(),
                2
            ),
            (
                "invalid-policy: module `loop`: a module cycle: this folder is already being read"
                    .to_string(),
                5
            ),
            (
                "unresolved: module `many` has `for_each`: its instances are not read".to_string(),
                8
            ),
            (
                "invalid-policy: module `child` has no output `missing`".to_string(),
                15
            ),
        ]
    );
    assert_eq!(
        subject_names(&json),
        ["aws_iam_user.u", "module.child.aws_iam_user.c"]
    );
}

const SAM: &str = "tests/fixtures/iac/cloudformation/sam.yaml";

#[test]
fn sam_policy_templates_human() {
    let run = check(&["--monitor", "ecs:RunTask", SAM]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn sam_policy_templates_are_expanded() {
    let run = check(&["--format", "json", "--monitor", "ecs:RunTask", SAM]);
    let json = run.json();
    let runner = subject(&json, "RunnerRole");
    // EcsRunTaskPolicy: ecs:RunTask on the named task definition only.
    assert_eq!(runner["scoped"], serde_json::json!(["ecs:RunTask"]));
    assert_eq!(
        runner["granted_by"]["ecs:RunTask"],
        serde_json::json!(["inline:RunnerRolePolicy0"])
    );
    let messages: Vec<(&str, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["message"].as_str().unwrap(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        messages,
        [
            (
                "RunnerRole can make a monitored ECS configuration change, scoped: ecs:RunTask",
                12
            ),
            (
                "SAM policy template `DynamoDBCrudPolicy` needs `TableName`",
                16
            ),
            (
                "SAM policy template `SomeFuturePolicy` is not one iamlint knows; its grants are unknown",
                17
            ),
        ]
    );
}

#[test]
fn bad_templates_and_loops_are_located() {
    let tree = Tree::new(&[
        (
            "infra/main.tf",
            "resource \"aws_iam_user\" \"u\" {\n  name = \"u\"\n}\nresource \"aws_iam_user_policy\" \"gone\" {\n  user   = aws_iam_user.u.name\n  policy = templatefile(\"nowhere.tpl\", {})\n}\nresource \"aws_iam_user_policy\" \"broken\" {\n  user   = aws_iam_user.u.name\n  policy = templatefile(\"broken.tpl\", { a = 1 })\n}\nresource \"aws_iam_user_policy\" \"loop\" {\n  user   = aws_iam_user.u.name\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = [for a in \"ecs:x\" : a], Resource = \"*\" }] })\n}\n",
        ),
        ("infra/broken.tpl", "{\"Statement\": ${a\n"),
    ]);
    let run = tree.run(&["check", "--format", "json", "infra"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    let json = run.json();
    let found: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] != "ecs-config-change")
        .map(|f| {
            format!(
                "{} {}:{}:{} {}",
                f["rule"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap(),
                f["location"]["line"],
                f["location"]["column"],
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "invalid-policy infra/broken.tpl:1:18 template syntax error: expected `}`",
            "invalid-policy infra/main.tf:6:12 `templatefile(\"nowhere.tpl\")`: no such file or directory",
            "invalid-policy infra/main.tf:10:12 the template does not parse, so it renders no policy",
            "unresolved infra/main.tf:14:77 a `for` over something that is not a list or an object",
        ]
    );
}
