//! Transitive access in the account review (`tests/fixtures/graph/chains.json`): one
//! principal per edge kind and per way a step can be cut, asserted through the JSON report.

mod common;

use common::*;
use serde_json::Value;

const CHAINS: &str = "tests/fixtures/graph/chains.json";
const SCP_DENY_HOP3: &str = "tests/fixtures/graph/scp-deny-hop3.json";

fn review(extra: &[&str]) -> Value {
    let mut args = vec![
        "account",
        "--from",
        CHAINS,
        "--privileged",
        "arn:aws:iam::*:role/platform/*",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let run = iamlint(&repo_root(), &args);
    assert_eq!(run.code, 1, "{}", run.transcript());
    run.json()
}

fn subject<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("no subject {name}"))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// `field` of every step of each path of a subject.
fn path_steps(json: &Value, name: &str, field: impl Fn(&Value) -> String) -> Vec<Vec<String>> {
    subject(json, name)["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["steps"].as_array().unwrap().iter().map(&field).collect())
        .collect()
}

/// The step ids of each path of a subject.
fn path_ids(json: &Value, name: &str) -> Vec<Vec<String>> {
    path_steps(json, name, |s| s["id"].as_str().unwrap().to_string())
}

/// The principals each path goes through, shortened to `role/NAME`.
fn path_targets(json: &Value, name: &str) -> Vec<Vec<String>> {
    path_steps(json, name, |s| {
        let to = s["to"].as_str().unwrap();
        to.rsplit_once(':').map_or(to, |(_, r)| r).to_string()
    })
}

fn finding<'a>(json: &'a Value, rule: &str, name: &str) -> Option<&'a Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["subject"].as_str().unwrap().ends_with(name))
}

const DEPLOY: [&str; 2] = ["ecs:RegisterTaskDefinition", "ecs:UpdateService"];

#[test]
fn a_four_hop_chain_of_assumed_roles_is_followed_to_the_end() {
    let json = review(&[]);
    let hopper = subject(&json, "user/hopper");
    assert_eq!(strings(&hopper["allowed"]), Vec::<String>::new());
    assert_eq!(strings(&hopper["reachable"]), DEPLOY);
    assert_eq!(
        path_targets(&json, "user/hopper"),
        [["role/hop1", "role/hop2", "role/hop3", "role/deploy"]]
    );
    assert_eq!(path_ids(&json, "user/hopper"), [["sts-001"; 4]]);
    assert_eq!(hopper["paths"][0]["scoped"], false);
    let f = finding(&json, "ecs-config-change-indirect", "user/hopper").expect("finding");
    assert_eq!(f["level"], "error");
    assert!(
        f["message"].as_str().unwrap().contains(
            "via assume role/hop1 → assume role/hop2 → assume role/hop3 → assume role/deploy"
        ),
        "{f}"
    );
    // Each hop is explained from where it starts: shorter chains for the roles on the way.
    assert_eq!(path_targets(&json, "role/hop3"), [["role/deploy"]]);
    assert_eq!(
        path_targets(&json, "role/hop2"),
        [["role/hop3", "role/deploy"]]
    );
}

#[test]
fn an_scp_that_denies_one_hop_cuts_the_chain() {
    let json = review(&["--scp", SCP_DENY_HOP3]);
    assert!(strings(&subject(&json, "user/hopper")["reachable"]).is_empty());
    assert!(finding(&json, "ecs-config-change-indirect", "user/hopper").is_none());
    // hop3 itself can still assume deploy.
    assert_eq!(strings(&subject(&json, "role/hop3")["reachable"]), DEPLOY);
}

#[test]
fn cycles_end_and_a_trust_naming_the_user_needs_no_identity_permission() {
    let json = review(&[]);
    assert_eq!(
        strings(&subject(&json, "user/cycler")["reachable"]),
        ["ecs:DeleteCluster"]
    );
    assert_eq!(
        path_targets(&json, "user/cycler"),
        [["role/cycle-a", "role/cycle-b"]]
    );
    assert_eq!(path_targets(&json, "role/cycle-a"), [["role/cycle-b"]]);
}

#[test]
fn a_conditional_trust_makes_the_path_scoped_and_the_finding_a_warning() {
    let json = review(&[]);
    let user = subject(&json, "user/mfa-user");
    assert_eq!(strings(&user["reachable"]), ["ecs:CreateService"]);
    assert_eq!(user["paths"][0]["scoped"], true);
    assert!(finding(&json, "ecs-config-change-indirect", "user/mfa-user").is_none());
    let f = finding(&json, "ecs-config-change-indirect-scoped", "user/mfa-user").unwrap();
    assert_eq!(f["level"], "warning");
}

#[test]
fn an_unconditional_deny_and_a_boundary_cut_the_step() {
    let json = review(&[]);
    for name in ["user/denied", "user/bounded"] {
        let s = subject(&json, name);
        assert!(strings(&s["reachable"]).is_empty(), "{name}: {s}");
        assert_eq!(s["paths"], serde_json::json!([]), "{name}");
    }
}

#[test]
fn passrole_reaches_only_the_roles_it_names_that_trust_the_service() {
    let json = review(&[]);
    assert_eq!(path_ids(&json, "user/lambda-dev"), [["lambda-001"]]);
    assert_eq!(path_targets(&json, "user/lambda-dev"), [["role/fn-admin"]]);
    let dev = subject(&json, "user/lambda-dev");
    let step = &dev["paths"][0]["steps"][0];
    assert_eq!(
        strings(&step["permissions"]),
        [
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction"
        ]
    );
    // PassRole on `*` reaches every role that trusts Lambda, never the EC2 one.
    let any = review(&[]);
    let targets: Vec<String> = path_targets(&any, "user/lambda-any").concat();
    assert!(targets.contains(&"role/fn-admin".to_string()));
    assert!(
        !targets.iter().any(|t| t == "role/ec2-admin"),
        "{targets:?}"
    );
}

#[test]
fn code_in_an_existing_function_reaches_its_possible_roles_scoped() {
    let json = review(&[]);
    assert_eq!(path_ids(&json, "user/coder")[0], ["lambda-003"]);
    assert_eq!(subject(&json, "user/coder")["paths"][0]["scoped"], true);
    assert!(finding(&json, "ecs-config-change-indirect-scoped", "user/coder").is_some());
}

#[test]
fn self_modification_makes_the_principal_unrestricted() {
    let json = review(&[]);
    let me = subject(&json, "user/self-admin");
    assert_eq!(
        strings(&me["reachable"]).len(),
        iamlint::catalog::packs::ECS_CONFIG.len()
    );
    assert_eq!(path_ids(&json, "user/self-admin"), [["iam-008"]]);
    assert!(
        me["paths"][0]["steps"][0]["to"]
            .as_str()
            .unwrap()
            .ends_with("user/self-admin (unrestricted)")
    );
    // Managing only its own access keys takes over nobody.
    let keys = subject(&json, "user/keys");
    assert!(strings(&keys["reachable"]).is_empty(), "{keys}");
}

#[test]
fn taking_over_users_and_roles() {
    let json = review(&[]);
    assert_eq!(path_ids(&json, "user/helpdesk"), [["iam-004"]]);
    assert_eq!(path_targets(&json, "user/helpdesk"), [["user/deployer"]]);
    assert_eq!(
        strings(&subject(&json, "user/helpdesk")["reachable"]),
        ["ecs:UpdateService"]
    );
    assert_eq!(path_ids(&json, "user/trust-editor"), [["iam-012"]]);
    assert_eq!(
        strings(&subject(&json, "user/trust-editor")["reachable"]),
        ["ecs:UpdateCluster"]
    );
}

#[test]
fn modifying_a_role_it_can_assume_makes_that_role_unrestricted() {
    let json = review(&[]);
    assert_eq!(path_ids(&json, "user/attacher"), [["iam-014"]]);
    let step = &subject(&json, "user/attacher")["paths"][0]["steps"][0];
    assert_eq!(
        strings(&step["permissions"]),
        ["iam:AttachRolePolicy", "sts:AssumeRole"]
    );
    assert!(
        step["to"]
            .as_str()
            .unwrap()
            .ends_with("role/weak (unrestricted)")
    );
}

#[test]
fn outside_principals_a_trust_lets_in_are_findings() {
    let json = review(&[]);
    let partner = subject(&json, "arn:aws:iam::999988887777:root");
    assert_eq!(partner["kind"], "external");
    assert_eq!(strings(&partner["reachable"]), ["ecs:UpdateService"]);
    // The trust requires an external id: scoped.
    assert!(
        finding(
            &json,
            "ecs-config-change-indirect-scoped",
            "999988887777:root"
        )
        .is_some()
    );
}

#[test]
fn a_non_privileged_principal_reaching_a_privileged_role_is_reported() {
    let json = review(&[]);
    let glass = subject(&json, "role/platform/break-glass");
    assert_eq!(glass["privileged"], true);
    // AdministratorAccess is not in the dump: known from the bundled AWS managed policies.
    assert_eq!(
        strings(&glass["allowed"]).len(),
        iamlint::catalog::packs::ECS_CONFIG.len()
    );
    assert_eq!(
        path_targets(&json, "user/anyone"),
        [["role/platform/break-glass"]]
    );
    assert!(finding(&json, "ecs-config-change-indirect", "user/anyone").is_some());
    // A privileged principal's own reach is not reported.
    assert!(glass.get("paths").is_none());
}

#[test]
fn human_table_shows_the_shortest_path() {
    let run = iamlint(
        &repo_root(),
        &[
            "account",
            "--from",
            CHAINS,
            "--privileged",
            "arn:aws:iam::*:role/platform/*",
        ],
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn who_can_lists_every_principal_with_its_shortest_path() {
    let run = iamlint(
        &repo_root(),
        &[
            "account",
            "--from",
            CHAINS,
            "--privileged",
            "arn:aws:iam::*:role/platform/*",
            "--who-can",
            "ecs:UpdateService",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "a question, not a lint: {}", run.transcript());
    let json = run.json();
    assert_eq!(json["query"], "who can ecs:UpdateService");
    let answers = json["answers"].as_array().unwrap();
    let of = |name: &str| {
        answers
            .iter()
            .find(|a| a["principal"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    assert_eq!(
        of("user/hopper")["path"]["steps"].as_array().unwrap().len(),
        4
    );
    assert_eq!(of("user/deployer")["direct"], false);
    assert!(of("user/deployer").get("path").is_none());
    // Privileged principals answer too.
    assert_eq!(of("role/platform/break-glass")["privileged"], true);
    assert!(
        !answers
            .iter()
            .any(|a| a["principal"].as_str().unwrap().ends_with("user/denied"))
    );
    let human = iamlint(
        &repo_root(),
        &[
            "account",
            "--from",
            CHAINS,
            "--who-can",
            "ecs:UpdateService",
        ],
    );
    assert!(
        human.stdout.contains(
            "assume role/hop1 → assume role/hop2 → assume role/hop3 → assume role/deploy"
        ),
        "{}",
        human.stdout
    );
}

#[test]
fn principal_shows_everything_it_can_reach() {
    let run = iamlint(
        &repo_root(),
        &[
            "account",
            "--from",
            "examples/account/authorization-details.json",
            "--principal",
            "arn:aws:iam::111122223333:user/dana",
        ],
    );
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout);
}

/// `iamlint account --from CHAINS ARGS…` must fail with exit code 2 and say `message`.
fn usage_error(args: &[&str], message: &str) {
    let mut all = vec!["account", "--from", CHAINS];
    all.extend_from_slice(args);
    let run = iamlint(&repo_root(), &all);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains(message), "{}", run.stderr);
}

#[test]
fn questions_need_an_ecs_action_and_a_readable_format() {
    usage_error(
        &["--who-can", "s3:GetObject"],
        "--who-can takes one ECS action",
    );
    usage_error(
        &["--who-can", "ecs:UpdateService", "--format", "sarif"],
        "answer in --format human or json",
    );
    usage_error(
        &["--who-can", "ecs:UpdateService", "--principal", "x"],
        "cannot be used with",
    );
}

/// A dump of `roles` and `users`, each given as (name, trust or inline statements).
fn wide_dump(roles: &[(String, Value, Value)], users: &[(&str, Value)]) -> String {
    let doc =
        |statements: &Value| serde_json::json!({"Version": "2012-10-17", "Statement": statements});
    let roles: Vec<Value> = roles
        .iter()
        .map(|(name, trust, inline)| {
            serde_json::json!({
                "RoleName": name, "Arn": format!("arn:aws:iam::111122223333:role/{name}"),
                "Path": "/", "AssumeRolePolicyDocument": doc(trust),
                "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": doc(inline)}],
                "AttachedManagedPolicies": []
            })
        })
        .collect();
    let users: Vec<Value> = users
        .iter()
        .map(|(name, inline)| {
            serde_json::json!({
                "UserName": name, "Arn": format!("arn:aws:iam::111122223333:user/{name}"),
                "Path": "/", "GroupList": [],
                "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": doc(inline)}],
                "AttachedManagedPolicies": []
            })
        })
        .collect();
    serde_json::json!({
        "UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles,
        "Policies": [], "IsTruncated": false
    })
    .to_string()
}

fn trusting(principal: Value, condition: Option<Value>) -> Value {
    let mut statement =
        serde_json::json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
    if let Some(condition) = condition {
        statement["Condition"] = condition;
    }
    serde_json::json!([statement])
}

fn grants(actions: &[&str]) -> Value {
    serde_json::json!([{"Effect": "Allow", "Action": actions, "Resource": "*"}])
}

/// Many targets that are not a whole class (PassRole on `role/app-*`; AssumeRole on `*`
/// minus a Deny naming some roles) go through one shared set: each principal still gets
/// exactly its own targets, with the trust statement as evidence and scoped members kept
/// scoped.
#[test]
fn wide_target_sets_give_each_principal_exactly_its_targets() {
    let lambda = serde_json::json!({"Service": "lambda.amazonaws.com"});
    let root = serde_json::json!({"AWS": "arn:aws:iam::111122223333:root"});
    let mfa = serde_json::json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
    let mut roles = Vec::new();
    for i in 0..12 {
        let inline = if i == 7 {
            grants(&["ecs:UpdateService"])
        } else {
            grants(&["s3:GetObject"])
        };
        roles.push((
            format!("app-{i}-fn"),
            trusting(lambda.clone(), None),
            inline,
        ));
    }
    // Trusts Lambda and holds ECS, but `role/app-*` does not name it.
    roles.push((
        "other-fn".into(),
        trusting(lambda.clone(), None),
        grants(&["ecs:DeleteCluster"]),
    ));
    for i in 0..12 {
        let inline = match i {
            3 => grants(&["ecs:CreateCluster"]),
            5 => grants(&["ecs:PutAttributes"]),
            _ => grants(&["s3:GetObject"]),
        };
        let condition = (i == 5).then(|| mfa.clone());
        roles.push((
            format!("team-{i}"),
            trusting(root.clone(), condition),
            inline,
        ));
    }
    roles.push((
        "deploy-1".into(),
        trusting(root.clone(), None),
        grants(&["ecs:UpdateService"]),
    ));
    let pass_app = serde_json::json!([
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-*"},
        {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}
    ]);
    let assume_but_deploy = serde_json::json!([
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/deploy-*"}
    ]);
    let users = [
        ("dev-a", pass_app.clone()),
        ("dev-b", pass_app),
        ("contractor-a", assume_but_deploy.clone()),
        ("contractor-b", assume_but_deploy),
    ];
    let tree = Tree::new(&[("dump.json", &wide_dump(&roles, &users))]);
    let run = tree.run(&["account", "--from", "dump.json", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let json = run.json();
    for dev in ["dev-a", "dev-b"] {
        assert_eq!(
            strings(&subject(&json, dev)["reachable"]),
            ["ecs:UpdateService"],
            "{dev}"
        );
        assert_eq!(path_targets(&json, dev), [["role/app-7-fn"]]);
        assert_eq!(path_ids(&json, dev), [["lambda-001"]]);
        // The PassRole statement, the Lambda statement and the role's trust statement.
        let related = finding(&json, "ecs-config-change-indirect", dev).unwrap()["related"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(related, 3, "{dev}");
    }
    for contractor in ["contractor-a", "contractor-b"] {
        let reach = subject(&json, contractor);
        assert_eq!(
            strings(&reach["reachable"]),
            ["ecs:CreateCluster", "ecs:PutAttributes"]
        );
        let paths = reach["paths"].as_array().unwrap();
        let scoped: Vec<(String, bool)> = paths
            .iter()
            .map(|p| {
                (
                    p["steps"][0]["to"]
                        .as_str()
                        .unwrap()
                        .rsplit('/')
                        .next()
                        .unwrap()
                        .to_string(),
                    p["scoped"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            scoped,
            [("team-3".to_string(), false), ("team-5".to_string(), true)]
        );
        let finding = finding(&json, "ecs-config-change-indirect", contractor).unwrap();
        assert_eq!(finding["level"], "error");
    }
}
