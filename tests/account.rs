//! `iamlint account --from`: the offline account review on recorded
//! authorization-details dumps (tests/fixtures/account).

mod common;

use common::*;
use serde_json::{Value, json};

const DUMP: &str = "tests/fixtures/account/dump.json";
const SCP: &str = "tests/fixtures/account/scp-deny-deletes.json";
const PLATFORM: &str = "arn:aws:iam::*:role/platform/*";

fn review(args: &[&str]) -> Run {
    let mut all = vec!["account", "--from", DUMP, "--privileged", PLATFORM];
    all.extend_from_slice(args);
    iamlint(&repo_root(), &all)
}

fn subject<'a>(json: &'a Value, arn_suffix: &str) -> &'a Value {
    json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().unwrap().ends_with(arn_suffix))
        .unwrap_or_else(|| panic!("no subject {arn_suffix}"))
}

#[test]
fn human_table() {
    let run = review(&[]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn json_lists_every_user_and_role_with_access_sources_and_trust() {
    let run = review(&["--format", "json"]);
    assert_eq!(run.code, 1);
    let mut json = run.json();
    json["tool"]["version"] = "[version]".into();
    insta::assert_json_snapshot!(json);
}

#[test]
fn effective_access_per_principal() {
    let json = review(&["--format", "json"]).json();
    let names: Vec<&str> = subject_names(&json);
    assert_eq!(
        names.len(),
        10,
        "4 users, 4 roles and the 2 outside principals a trust policy lets in; groups are not subjects: {names:?}"
    );
    // Through the group's managed policy, default version v2 (not the newer v3, not v1).
    let alice = subject(&json, "user/alice");
    assert_eq!(alice["kind"], "user");
    assert_eq!(
        alice["allowed"],
        json!(["ecs:RegisterTaskDefinition", "ecs:UpdateService"])
    );
    assert_eq!(
        alice["granted_by"]["ecs:UpdateService"],
        json!(["group/deployers:arn:aws:iam::111122223333:policy/EcsDeploy"]),
        "a group's managed policy names the group"
    );
    // A condition makes it scoped.
    let bob = subject(&json, "user/bob");
    assert_eq!(
        (bob["allowed"].clone(), bob["scoped"].clone()),
        (json!([]), json!(["ecs:CreateCluster"]))
    );
    // The boundary keeps only what it grants too, and scopes what it grants scoped.
    let carol = subject(&json, "user/carol");
    assert_eq!(
        (carol["allowed"].clone(), carol["scoped"].clone()),
        (json!(["ecs:UpdateService"]), json!(["ecs:DeleteService"]))
    );
    // An unconditional Deny removes.
    let dave = subject(&json, "user/dave");
    let allowed: Vec<&str> = dave["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        allowed.contains(&"ecs:UpdateService")
            && !allowed
                .iter()
                .any(|a| a.starts_with("ecs:Delete") || a.starts_with("ecs:Deregister"))
    );
    // Roles list who can assume them.
    let ci = subject(&json, "role/ci-deploy");
    assert_eq!(ci["kind"], "role");
    assert_eq!(
        ci["trusted_by"],
        json!([
            "AWS:arn:aws:iam::444455556666:root",
            "Federated:arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
        ])
    );
    assert_eq!(subject(&json, "role/app-task")["allowed"], json!([]));
}

#[test]
fn privileged_principals_and_service_linked_roles() {
    let json = review(&["--format", "json"]).json();
    let admin = subject(&json, "role/platform/platform-admin");
    assert_eq!(admin["privileged"], true);
    assert_eq!(
        admin["allowed"].as_array().unwrap().len(),
        iamlint::catalog::packs::ECS_CONFIG.len(),
        "privileged subjects still list their access"
    );
    let slr = subject(&json, "AWSServiceRoleForECS");
    assert_eq!(
        slr["privileged"], true,
        "service-linked roles are privileged by default"
    );
    let subjects_with_findings: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["subject"].as_str().unwrap())
        .collect();
    assert!(
        !subjects_with_findings
            .iter()
            .any(|s| s.contains("platform-admin") || s.contains("AWSServiceRole"))
    );
    let included = review(&["--format", "json", "--include-service-linked"]).json();
    assert_eq!(
        subject(&included, "AWSServiceRoleForECS")["privileged"],
        false
    );
    // Globs also match the principal's name and path.
    let by_name = iamlint(
        &repo_root(),
        &[
            "account",
            "--from",
            DUMP,
            "--privileged",
            "alice",
            "--privileged",
            "/platform/",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(subject(&by_name, "user/alice")["privileged"], true);
    assert_eq!(
        subject(&by_name, "role/platform/platform-admin")["privileged"],
        true
    );
}

#[test]
fn scps_cut_access_and_their_denies_win() {
    let json = review(&["--format", "json", "--scp", SCP]).json();
    assert_eq!(
        subject(&json, "user/alice")["allowed"],
        json!(["ecs:RegisterTaskDefinition"])
    );
    assert_eq!(subject(&json, "user/carol")["allowed"], json!([]));
}

#[test]
fn findings_point_into_the_dump() {
    let json = review(&["--format", "json"]).json();
    let alice = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"] == "arn:aws:iam::111122223333:user/alice")
        .unwrap();
    assert_eq!(alice["rule"], "ecs-config-change");
    assert_eq!(alice["location"]["path"], DUMP);
    let dump = std::fs::read_to_string(repo_root().join(DUMP)).unwrap();
    let line = dump
        .lines()
        .nth(alice["location"]["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert!(
        line.contains(r#""Action": ["ecs:RegisterTaskDefinition", "ecs:UpdateService"]"#),
        "{line}"
    );
}

/// The fixture's entities spread over two pages, documents URL-encoded as the IAM API
/// returns them.
fn api_shaped_pages(tree: &Tree) -> (String, String) {
    let dump: Value =
        serde_json::from_str(&std::fs::read_to_string(repo_root().join(DUMP)).unwrap()).unwrap();
    let encode = |doc: &Value| -> Value {
        let text = serde_json::to_string(doc).unwrap();
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
            .into()
    };
    let mut users = dump["UserDetailList"].clone();
    for user in users.as_array_mut().unwrap() {
        for policy in user["UserPolicyList"].as_array_mut().unwrap() {
            policy["PolicyDocument"] = encode(&policy["PolicyDocument"]);
        }
    }
    let mut policies = dump["Policies"].clone();
    for policy in policies.as_array_mut().unwrap() {
        for version in policy["PolicyVersionList"].as_array_mut().unwrap() {
            version["Document"] = encode(&version["Document"]);
        }
    }
    let first = json!({"UserDetailList": users, "GroupDetailList": dump["GroupDetailList"], "RoleDetailList": [], "Policies": [], "IsTruncated": true, "Marker": "next"});
    let second = json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": dump["RoleDetailList"], "Policies": policies, "IsTruncated": false});
    tree.write(
        "page1.json",
        &serde_json::to_string_pretty(&first)
            .unwrap()
            .replace("\"IsTruncated\": true", "\"IsTruncated\": false"),
    );
    tree.write(
        "page2.json",
        &serde_json::to_string_pretty(&second).unwrap(),
    );
    tree.write(
        "truncated.json",
        &serde_json::to_string_pretty(&first).unwrap(),
    );
    ("page1.json".into(), "page2.json".into())
}

fn access_of(json: &Value) -> Vec<(String, Value, Value)> {
    json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["allowed"].clone(),
                s["scoped"].clone(),
            )
        })
        .collect()
}

#[test]
fn several_pages_with_url_encoded_documents_give_the_same_review() {
    let tree = Tree::new(&[]);
    let (page1, page2) = api_shaped_pages(&tree);
    let expected = access_of(&review(&["--format", "json"]).json());
    let run = tree.run(&[
        "account",
        "--from",
        &page1,
        &page2,
        "--privileged",
        PLATFORM,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(access_of(&run.json()), expected);
}

#[test]
fn incomplete_dumps_are_errors_not_partial_reports() {
    let tree = Tree::new(&[]);
    api_shaped_pages(&tree);
    let truncated = tree.run(&[
        "account",
        "--from",
        "truncated.json",
        "page2.json",
        "--format",
        "json",
    ]);
    assert_eq!(truncated.code, 2);
    let messages: Vec<String> = truncated.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "invalid-policy")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        messages[0].starts_with("this page is truncated and the next page is missing"),
        "{messages:?}"
    );
    // Users whose groups and policies are on a page that was not passed.
    let half = tree.run(&["account", "--from", "page1.json", "--format", "json"]);
    assert_eq!(half.code, 2);
    let messages: Vec<String> = half.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "invalid-policy")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    // A customer managed policy a group attaches: the error names the group.
    assert!(messages.contains(&"arn:aws:iam::111122223333:group/deployers refers to managed policy arn:aws:iam::111122223333:policy/EcsDeploy, which is not in the dump (pass every page, and do not filter out entity types)".to_string()), "{messages:?}");
    // An AWS managed policy the page lacks is known from the bundled table: no error,
    // and carol's access from it is evaluated exactly.
    assert!(
        !messages.iter().any(|m| m.contains("AmazonECS_FullAccess")),
        "{messages:?}"
    );
    let carol = subject(&half.json(), "user/carol").clone();
    assert_eq!(
        carol["granted_by"]["ecs:UpdateService"],
        json!(["arn:aws:iam::aws:policy/AmazonECS_FullAccess"])
    );
}

#[test]
fn malformed_dumps_and_unreadable_files() {
    let tree = Tree::new(&[
        ("bad.json", "{\"UserDetailList\": [{\"UserName\": \"x\"}]}"),
        ("list.json", "[]"),
    ]);
    let run = tree.run(&["account", "--from", "bad.json", "list.json"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.transcript());
    let missing = tree.run(&["account", "--from", "nope.json"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("cannot read nope.json: no such file or directory"),
        "{}",
        missing.stderr
    );
    let bad_scp = tree.run(&[
        "account",
        "--from",
        "bad.json",
        "--scp",
        "list.json",
        "--format",
        "json",
    ]);
    assert_eq!(bad_scp.code, 2);
}

#[test]
fn sarif_for_an_account_review_is_located_in_the_dump() {
    let run = review(&["--format", "sarif"]);
    assert_eq!(run.code, 1);
    let sarif = run.json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], DUMP);
        assert!(location["region"]["startLine"].as_u64().unwrap() > 1);
    }
}

#[cfg(not(feature = "aws"))]
#[test]
fn live_review_needs_the_aws_feature() {
    let run = iamlint(&repo_root(), &["account"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("live account review is not available in this build: use --from"),
        "{}",
        run.stderr
    );
}

#[test]
fn iamlints_own_policy_is_clean() {
    let run = iamlint(&repo_root(), &["check", "policies/iamlint-readonly.json"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
}

/// SARIF `partialFingerprints` by result message: one per finding.
fn fingerprints(run: &Run) -> Vec<(String, String)> {
    let sarif = run.json();
    let mut out: Vec<(String, String)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["message"]["text"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["iamlint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn fingerprints_name_the_subject_and_survive_repaging() {
    let tree = Tree::new(&[]);
    let (page1, page2) = api_shaped_pages(&tree);
    let whole = fingerprints(&review(&["--format", "sarif"]));
    let paged = fingerprints(&tree.run(&[
        "account",
        "--from",
        &page1,
        &page2,
        "--privileged",
        PLATFORM,
        "--format",
        "sarif",
    ]));
    assert_eq!(
        whole, paged,
        "the same findings keep their fingerprints on other pages"
    );
    // alice (through her group) and ci-deploy share the managed policy EcsDeploy.
    let of = |who: &str| {
        whole
            .iter()
            .find(|(m, _)| m.starts_with(&format!("arn:aws:iam::111122223333:{who} can make")))
            .map(|(_, f)| f.clone())
            .unwrap_or_else(|| panic!("no finding for {who}"))
    };
    assert_ne!(of("user/alice"), of("role/ci-deploy"));
    let mut all: Vec<&String> = whole.iter().map(|(_, f)| f).collect();
    all.sort();
    all.dedup();
    assert_eq!(
        all.len(),
        whole.len(),
        "every finding has its own fingerprint"
    );
}

#[test]
fn a_minified_dump_names_far_columns_instead_of_printing_the_line() {
    // One line, and the typo beyond column 65,535: miette cannot underline there, and a
    // snippet would print the whole line for every finding.
    let user = json!({
        "UserName": "ops", "UserId": "AIDAOPS", "Path": "/",
        "Arn": "arn:aws:iam::111122223333:user/ops", "GroupList": [],
        "AttachedManagedPolicies": [],
        "UserPolicyList": [{"PolicyName": "typo", "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "ecs:UpdateServices", "Resource": "*"}]}}],
    });
    let dump = format!(
        "{{\"GroupDetailList\": [], \"RoleDetailList\": [], \"Policies\": [],{}\"UserDetailList\": [{user}]}}",
        " ".repeat(70_000)
    );
    let tree = Tree::new(&[("dump.json", &dump)]);
    let run = tree.run(&["account", "--from", "dump.json", "--format", "human"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("dump.json:1:70276: ") && run.stdout.contains("`ecs:UpdateServices`"),
        "{}",
        run.transcript()
    );
    assert!(run.stdout.len() < 5_000, "the long line is not printed");
}
