//! `privilege-escalation` in `iamlint check`: one document that grants every permission
//! of a path of the escalation catalog, with the path ids and located statements.

mod common;

use common::*;

fn check(statements: &[&str]) -> serde_json::Value {
    let tree = Tree::new(&[("p.json", &policy(statements))]);
    tree.run(&["check", "--format", "json", "p.json"]).json()
}

fn escalation_findings(json: &serde_json::Value) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["rule"]
                .as_str()
                .unwrap()
                .starts_with("privilege-escalation")
        })
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_two_command_admin_policy_is_an_error_naming_every_path() {
    // The policy of the issue: reported clean before the escalation catalog existed.
    let tree = Tree::new(&[(
        "esc.json",
        &policy(&[
            r#"{"Effect": "Allow", "Action": ["iam:AttachUserPolicy", "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction", "sts:AssumeRole"], "Resource": "*"}"#,
        ]),
    )]);
    let run = tree.run(&["check", "esc.json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn every_contributing_statement_is_located() {
    let json = check(&[
        r#"{"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#,
        r#"{"Sid": "Run", "Effect": "Allow", "Action": ["ecs:RegisterTaskDefinition", "ecs:RunTask"], "Resource": "*"}"#,
    ]);
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "privilege-escalation")
        .expect("finding");
    assert!(
        finding["message"].as_str().unwrap().contains("ecs-004"),
        "{finding}"
    );
    assert_eq!(finding["location"]["line"], 4, "the PassRole statement");
    let related: Vec<i64> = finding["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["location"]["line"].as_i64().unwrap())
        .collect();
    assert_eq!(related, [5], "the statement with the ECS actions");
}

#[test]
fn conditions_and_account_dependent_paths_are_warnings() {
    let scoped = check(&[
        r#"{"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}"#,
    ]);
    assert_eq!(
        escalation_findings(&scoped)[0].0,
        "privilege-escalation-scoped"
    );
    let assume = check(&[r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}"#]);
    let found = escalation_findings(&assume);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "privilege-escalation-scoped");
    assert!(found[0].1.contains("sts-001 (sts:AssumeRole)"), "{found:?}");
}

#[test]
fn incomplete_permission_sets_denies_and_foreign_resources_are_not_paths() {
    // PassRole without a service that runs code.
    let partial = check(&[
        r#"{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction"], "Resource": "*"}"#,
    ]);
    assert!(escalation_findings(&partial).is_empty());
    // An unconditional Deny removes a permission of the path.
    let denied = check(&[
        r#"{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"}"#,
        r#"{"Effect": "Deny", "Action": "iam:Attach*", "Resource": "*"}"#,
    ]);
    assert!(escalation_findings(&denied).is_empty());
    // An S3 ARN cannot name an IAM user.
    let foreign = check(&[
        r#"{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "arn:aws:s3:::bucket/*"}"#,
    ]);
    assert!(escalation_findings(&foreign).is_empty());
}

#[test]
fn privileged_files_are_not_reported() {
    let tree = Tree::new(&[(
        "admin/p.json",
        &policy(&[r#"{"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "*"}"#]),
    )]);
    let run = tree.run(&["check", "--privileged", "admin/**", "admin/p.json"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
}
