//! `iamlint trail` on the generated CloudTrail fixtures (`tests/fixtures/trail/gen.py`):
//! snapshots of every format, the actor rules seen from the command line, the time
//! window, privileged globs from flags and config, and unreadable files.

mod common;

use common::*;
use std::path::Path;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The fixtures in a temporary folder (so no iamlint.toml of this repository applies),
/// with the given extra files.
fn fixtures(files: &[(&str, &str)]) -> Tree {
    let tree = Tree::new(files);
    for part in ["logs", "bad", "account"] {
        copy_tree(
            &repo_root().join("tests/fixtures/trail").join(part),
            &tree.path().join(part),
        );
    }
    tree
}

/// `iamlint trail logs --format json ARGS…` in the tree, as JSON.
fn json_of(tree: &Tree, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["trail", "logs", "--format", "json"];
    all.extend_from_slice(args);
    tree.run(&all).json()
}

/// Run `iamlint` with the words of `line` (none has a space), `{PLATFORM}` replaced.
fn run_words(tree: &Tree, line: &str) -> Run {
    let line = line.replace("{PLATFORM}", PLATFORM);
    tree.run(&line.split_whitespace().collect::<Vec<_>>())
}

const PLATFORM: &str = "arn:aws:iam::*:role/platform/*";

#[test]
fn the_fixtures_are_what_the_script_generates() {
    let output = std::process::Command::new("python3")
        .arg(repo_root().join("tests/fixtures/trail/gen.py"))
        .arg("--check")
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn human_table() {
    let tree = fixtures(&[]);
    let run = tree.run(&["trail", "logs", "--privileged", PLATFORM]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn json_report() {
    let tree = fixtures(&[]);
    let run = run_words(&tree, "trail logs --privileged {PLATFORM} --format json");
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(run.stderr, "");
    insta::assert_json_snapshot!(run.json());
}

#[test]
fn csv_report() {
    let tree = fixtures(&[]);
    let run = run_words(&tree, "trail logs --privileged {PLATFORM} --format csv");
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn github_annotations_and_step_summary() {
    let tree = fixtures(&[]);
    let summary = tree.path().join("summary.md");
    let run = run_command(
        command(tree.path())
            .args([
                "trail",
                "logs",
                "--privileged",
                PLATFORM,
                "--format",
                "github",
            ])
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!("github_annotations", run.stdout);
    insta::assert_snapshot!(
        "github_step_summary",
        std::fs::read_to_string(&summary).unwrap()
    );
}

/// The `(actor, action, outcome, calls)` of each activity of a JSON report.
fn activity(json: &serde_json::Value) -> Vec<(String, String, String, u64, bool)> {
    json["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["actor"].as_str().unwrap().to_string(),
                a["action"].as_str().unwrap().to_string(),
                a["outcome"].as_str().unwrap().to_string(),
                a["calls"].as_u64().unwrap(),
                a["privileged"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_actor_type_is_resolved() {
    let tree = fixtures(&[]);
    let json = json_of(&tree, &[]);
    let by_actor = |id: &str| {
        json["activity"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["actor"] == id)
            .unwrap_or_else(|| panic!("no activity of {id}"))
            .clone()
    };
    let sso = by_actor(
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Developer_0123456789abcdef",
    );
    assert_eq!(sso["kind"], "AssumedRole");
    assert_eq!(sso["sessions"], serde_json::json!(["alice@example.com"]));
    let ci = by_actor("arn:aws:iam::111122223333:role/ci-deploy");
    assert_eq!(
        ci["sessions"][0],
        "GitHubActions (web identity token.actions.githubusercontent.com)"
    );
    assert_eq!(ci["user_agents"], serde_json::json!({"Terraform": 1}));
    assert_eq!(by_actor("arn:aws:iam::111122223333:root")["kind"], "Root");
    let vendor = by_actor("arn:aws:iam::444455556666:role/vendor-ops");
    assert_eq!(
        (&vendor["cross_account"], &vendor["account"]),
        (&serde_json::json!(true), &serde_json::json!("444455556666"))
    );
    let federated = by_actor("arn:aws:iam::111122223333:user/broker");
    assert_eq!(
        (&federated["kind"], &federated["sessions"][0]),
        (
            &serde_json::json!("FederatedUser"),
            &serde_json::json!("bob")
        )
    );
    let cfn = by_actor("arn:aws:iam::111122223333:role/cfn-exec");
    assert_eq!(
        cfn["via"],
        serde_json::json!(["cloudformation.amazonaws.com"])
    );
    // AWS itself: privileged unless asked.
    let service = by_actor("service:ecs.amazonaws.com");
    assert_eq!(
        (&service["kind"], &service["privileged"]),
        (&"AWSService".into(), &true.into())
    );
    let linked = by_actor(
        "arn:aws:iam::111122223333:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
    );
    assert_eq!(linked["privileged"], true);
    let included = json_of(&tree, &["--include-service-linked"]);
    assert!(activity(&included).iter().all(|a| !a.4), "{included:#}");
    // Noise is read but not selected: S3, STS, ECS reads and RunTask (not ecs-config).
    assert_eq!(
        (json["records"].as_u64(), json["selected"].as_u64()),
        (Some(21), Some(16))
    );
    assert!(activity(&json).iter().all(|a| {
        !["ecs:RunTask", "ecs:DescribeServices", "ecs:ListServices"].contains(&a.1.as_str())
    }));
}

#[test]
fn denied_and_failed_attempts_are_findings_apart_from_changes() {
    let tree = fixtures(&[]);
    let json = json_of(&tree, &[]);
    let all = activity(&json);
    let ci = "arn:aws:iam::111122223333:role/ci-deploy".to_string();
    assert!(all.contains(&(
        ci.clone(),
        "ecs:UpdateService".into(),
        "made".into(),
        1,
        false
    )));
    assert!(all.contains(&(ci, "ecs:UpdateService".into(), "failed".into(), 1, false)));
    let intern = "arn:aws:iam::111122223333:user/intern".to_string();
    assert!(all.contains(&(
        intern,
        "ecs:DeleteCluster".into(),
        "denied".into(),
        2,
        false
    )));
    // Only the denied attempt: still exit 1.
    let run = run_words(
        &tree,
        "trail logs --privileged arn:aws:iam::* --privileged service:* --privileged accounts.google.com",
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let run = run_words(
        &tree,
        "trail logs --privileged arn:aws:iam::*:role/* --privileged */dana --privileged broker --privileged *:root -q",
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("user/intern") && run.stdout.contains("tried (denied)"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
}

#[test]
fn fail_on_never_reports_and_exits_zero() {
    let tree = fixtures(&[]);
    let run = tree.run(&["trail", "logs", "--fail-on", "never"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("user/dana"));
}

#[test]
fn privileged_globs_and_monitor_come_from_the_config_file() {
    let tree = fixtures(&[(
        "iamlint.toml",
        "privileged = [\"arn:aws:iam::111122223333:*\", \"arn:aws:iam::*:role/vendor-ops\"]\nmonitor = [\"rtma\"]\n",
    )]);
    let json = json_of(&tree, &[]);
    let findings: Vec<_> = activity(&json).into_iter().filter(|a| !a.4).collect();
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(json["monitored"].as_array().unwrap().len(), 23);
    // A flag replaces the file's globs: name (`dana`) and path (`/platform/`) match too.
    let json = json_of(
        &tree,
        &["--privileged", "dana", "--privileged", "/platform/"],
    );
    let non_privileged: Vec<String> = activity(&json)
        .into_iter()
        .filter(|a| !a.4)
        .map(|a| a.0)
        .collect();
    assert!(
        !non_privileged
            .iter()
            .any(|a| a.ends_with("user/dana") || a.contains("platform"))
    );
    assert!(non_privileged.iter().any(|a| a.ends_with("user/intern")));
    // --monitor narrows what is selected.
    let json = json_of(&tree, &["--monitor", "ecs:DeleteCluster"]);
    assert_eq!(json["monitored"], serde_json::json!(["ecs:DeleteCluster"]));
    assert_eq!(json["selected"], 2);
}

#[test]
fn since_and_until_pick_the_window() {
    let tree = fixtures(&[]);
    let json = json_of(
        &tree,
        &["--since", "2026-11-19", "--until", "2026-11-20T17:00:00Z"],
    );
    assert_eq!(
        json["window"],
        serde_json::json!({"since": "2026-11-19T00:00:00Z", "until": "2026-11-20T17:00:00Z"})
    );
    for a in json["activity"].as_array().unwrap() {
        let first = a["first"].as_str().unwrap();
        assert!(
            ("2026-11-19".."2026-11-20T17:00:00Z").contains(&first),
            "{a}"
        );
    }
    assert_eq!(json["activity"].as_array().unwrap().len(), 5, "{json:#}");
    assert_eq!(json["outside_window"], 10);
    // An age: every fixture is older than a day, so nothing is left.
    let run = tree.run(&["trail", "logs", "--since", "1d"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("16 monitored calls outside the time window"),
        "{}",
        run.stdout
    );
    let run = tree.run(&["trail", "logs", "--since", "last week"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--since: `last week` is not a time"),
        "{}",
        run.stderr
    );
}

#[test]
fn lookup_events_output_alone() {
    let tree = fixtures(&[]);
    let run = tree.run(&["trail", "logs/lookup/lookup-events.json", "--format", "csv"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert!(run.stdout.contains("bo@example.com"));
}

#[test]
fn unreadable_files_are_located_and_the_others_still_read() {
    let tree = fixtures(&[]);
    let run = tree.run(&["trail", "bad", "missing.json.gz"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.transcript());
    let json = tree.run(&["trail", "bad", "--format", "json"]).json();
    insta::assert_json_snapshot!("unreadable_files_json_errors", json["errors"]);
    // The good file and the records before each fault are reported.
    assert!(activity(&json).iter().any(|a| a.0.ends_with("user/dana")));
}

#[test]
fn an_empty_folder_is_named() {
    let tree = Tree::new(&[("empty/notes.txt", "")]);
    let run = tree.run(&["trail", "empty"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stderr,
        "warning: no CloudTrail files found under empty (folders are walked for *.json and *.json.gz files)\n"
    );
}

/// The `usage.principals` entry of one principal of an account report.
fn principal_usage(json: &serde_json::Value, arn: &str) -> serde_json::Value {
    json["usage"]["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["principal"] == arn)
        .unwrap_or_else(|| panic!("no usage of {arn}"))
        .clone()
}

#[test]
fn account_review_joined_with_the_trail() {
    let tree = fixtures(&[]);
    let args = [
        "account",
        "--from",
        "account/authorization-details.json",
        "--trail",
        "logs",
        "--privileged",
        PLATFORM,
    ];
    let run = tree.run(&args);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let json = tree.run(&json_args).json();
    let usage = &json["usage"];
    assert_eq!(
        (&usage["since"], &usage["until"], &usage["days"]),
        (
            &"2026-11-18T09:12:03Z".into(),
            &"2026-11-21T09:00:00Z".into(),
            &3.into()
        )
    );
    let ci = principal_usage(&json, "arn:aws:iam::111122223333:role/ci-deploy");
    assert_eq!(ci["holds"].as_array().unwrap().len(), 9);
    assert_eq!(
        ci["used"],
        serde_json::json!(["ecs:RegisterTaskDefinition", "ecs:UpdateService"])
    );
    assert_eq!(ci["unused"].as_array().unwrap().len(), 7);
    let reasons: Vec<(&str, &str)> = usage["unexpected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["principal"].as_str().unwrap(),
                u["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(reasons.contains(&("arn:aws:iam::111122223333:user/broker", "missed-access")));
    assert!(reasons.contains(&("arn:aws:iam::111122223333:role/cfn-exec", "stale-dump")));
    assert!(reasons.contains(&("arn:aws:iam::444455556666:role/vendor-ops", "other-account")));
    assert!(reasons.contains(&("arn:aws:iam::111122223333:root", "root")));
    // Denied attempts are what the review predicts; the platform role is privileged
    // but did only what it holds; AWS's own calls are not compared.
    assert!(!reasons.iter().any(|(p, _)| p.contains("intern")
        || p.contains("platform")
        || p.contains("aws-service-role")
        || p.starts_with("service:")));
    // The window narrows what counts as used: dana's last call was on the 21st.
    let mut window = json_args.clone();
    window.extend(["--until", "2026-11-18T10:00:00Z"]);
    let json = tree.run(&window).json();
    let dana = principal_usage(&json, "arn:aws:iam::111122223333:user/dana");
    assert_eq!(dana["used"], serde_json::json!(["ecs:UpdateService"]));
    window.truncate(json_args.len());
    window.extend(["--since", "2026-11-19"]);
    let json = tree.run(&window).json();
    let dana = principal_usage(&json, "arn:aws:iam::111122223333:user/dana");
    assert_eq!(dana["used"], serde_json::json!(["ecs:UpdateService"]));
    window.truncate(json_args.len());
    window.extend(["--since", "2026-11-21T08:00:00Z", "--until", "2026-11-22"]);
    let json = tree.run(&window).json();
    assert_eq!(json["usage"]["days"], 1);
    assert!(
        json["usage"]["principals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["used"].as_array().unwrap().is_empty())
    );
}

#[test]
fn account_trail_faults_and_usage() {
    let tree = fixtures(&[]);
    let run = run_words(
        &tree,
        "account --from account/authorization-details.json --trail bad",
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("error: bad/policy.json:10:1: not a CloudTrail log"),
        "{}",
        run.stderr
    );
    let run = run_words(
        &tree,
        "account --from account/authorization-details.json --since 7d",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--trail"), "{}", run.stderr);
}

/// The pinned Python of the test command, with DuckDB installed.
fn python() -> std::path::PathBuf {
    std::env::var_os("IAMLINT_TEST_PYTHON")
        .unwrap_or_else(|| {
            panic!("IAMLINT_TEST_PYTHON is not set: run the tests with scripts/test.sh, which installs DuckDB and sets it")
        })
        .into()
}

/// The non-privileged activity of a trail JSON report.
fn findings_of(json: &serde_json::Value) -> Vec<serde_json::Value> {
    json["activity"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["privileged"] == false)
        .cloned()
        .collect()
}

#[test]
fn the_athena_query_selects_what_the_reader_reports() {
    let tree = fixtures(&[]);
    for window in [
        &[][..],
        &["--since", "2026-11-19", "--until", "2026-11-21T07:40:00Z"][..],
    ] {
        let mut emit = vec!["trail", "--emit-sql", "athena", "--privileged", PLATFORM];
        emit.extend_from_slice(window);
        let sql = tree.run(&emit);
        assert_eq!(sql.code, 0, "{}", sql.transcript());
        let mut engine = std::process::Command::new(python())
            .arg(repo_root().join("tests/trail_duckdb.py"))
            .args(["logs", "result.csv", "result.json"])
            .current_dir(tree.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run the DuckDB script");
        use std::io::Write;
        engine
            .stdin
            .take()
            .unwrap()
            .write_all(sql.stdout.as_bytes())
            .unwrap();
        let output = engine.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut from_files = vec![
            "trail",
            "logs",
            "--privileged",
            PLATFORM,
            "--format",
            "json",
        ];
        from_files.extend_from_slice(window);
        let expected = tree.run(&from_files).json();
        assert!(!findings_of(&expected).is_empty());
        for result in ["result.csv", "result.json"] {
            let mut from_query = vec![
                "trail",
                "--from-query",
                result,
                "--privileged",
                PLATFORM,
                "--format",
                "json",
            ];
            from_query.extend_from_slice(window);
            let run = tree.run(&from_query);
            assert_eq!(run.code, 1, "{}", run.transcript());
            let json = run.json();
            assert_eq!(
                findings_of(&json),
                findings_of(&expected),
                "{result} {window:?}"
            );
            // The query dropped the privileged role itself.
            assert!(!run.stdout.contains("role/platform/admin"), "{result}");
        }
    }
}

#[test]
fn emitted_queries() {
    let tree = fixtures(&[]);
    let common = [
        "--monitor",
        "rtma",
        "--privileged",
        PLATFORM,
        "--privileged",
        "dana",
        "--privileged",
        "arn:aws:iam::*:user/o'brien",
        "--since",
        "2026-11-19",
    ];
    let mut athena = vec!["trail", "--emit-sql", "athena"];
    athena.extend_from_slice(&common);
    insta::assert_snapshot!("emitted_athena", tree.run(&athena).transcript());
    let mut lake = vec![
        "trail",
        "--emit-sql",
        "cloudtrail-lake",
        "--sql-table",
        "eds-0123",
    ];
    lake.extend_from_slice(&common);
    insta::assert_snapshot!("emitted_cloudtrail_lake", tree.run(&lake).transcript());
    let run = tree.run(&["trail", "logs", "--emit-sql", "athena"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
}

#[test]
fn unreadable_query_results_are_located() {
    let tree = fixtures(&[
        (
            "short.csv",
            "event_time,event_source,event_name\n2026-11-20T10:15:00Z,ecs.amazonaws.com\n",
        ),
        ("policy.json", "{\"Version\": \"2012-10-17\"}\n"),
    ]);
    let run = run_words(
        &tree,
        "trail --from-query short.csv policy.json missing.csv",
    );
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}
