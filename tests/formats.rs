//! SARIF, GitHub annotations and the job summary for the bundled examples and for
//! hostile file names: snapshots of the real output, SARIF validated against the
//! official 2.1.0 schema (vendored under tests/schema).

mod common;

use common::*;
use serde_json::Value;

#[test]
fn the_schema_check_rejects_broken_sarif() {
    // The validation above must be able to fail: a result level SARIF does not have.
    let broken = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "iamlint"}},
                  "results": [{"message": {"text": "x"}, "level": "fatal"}]}]
    });
    let errors = sarif_errors(&broken);
    assert!(
        errors.iter().any(|e| e.contains("/runs/0/results/0/level")),
        "{errors:?}"
    );
    assert!(sarif_errors(&serde_json::json!({"version": "2.1.0", "runs": []})).is_empty());
}

/// A copy of the example policies in a fresh git repository, so paths relative to the
/// repository root are stable whatever the checkout's location.
fn example_repo() -> Tree {
    let tree = Tree::new(&[("iamlint.toml", "privileged = [\"policies/admin/**\"]\n")]);
    std::fs::create_dir(tree.path().join(".git")).unwrap();
    for entry in walk(&repo_root().join("policies")) {
        let relative = entry
            .strip_prefix(repo_root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        tree.write(&relative, &std::fs::read_to_string(&entry).unwrap());
    }
    tree
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn sarif_for_the_examples_is_valid_and_stable() {
    let tree = example_repo();
    let run = tree.run(&["check", "--format", "sarif", "policies"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut sarif = run.json();
    assert_valid_sarif(&sarif);
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["columnKind"], "unicodeCodePoints");
    assert_eq!(run0["invocations"][0]["executionSuccessful"], true);
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules[0]["id"], "ecs-config-change");
    assert_eq!(rules[0]["properties"]["security-severity"], "8.0");
    assert!(
        rules[0]["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&"security".into())
    );
    for result in run0["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        assert!(artifact["uri"].as_str().unwrap().starts_with("policies/"));
    }
    sarif["runs"][0]["tool"]["driver"]["version"] = "[version]".into();
    sarif["runs"][0]["tool"]["driver"]["semanticVersion"] = "[version]".into();
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap()
    {
        rule["help"] = "[explanation]".into();
    }
    insta::assert_json_snapshot!(sarif);
}

#[test]
fn sarif_region_is_exactly_the_offending_token() {
    let tree = Tree::new(&[("p.json", &policy(&[ALLOW_UPDATE_SERVICE]))]);
    let sarif = tree.run(&["check", "--format", "sarif", "p.json"]).json();
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        region,
        &serde_json::json!({"startLine": 4, "startColumn": 35, "endLine": 4, "endColumn": 54})
    );
}

#[test]
fn sarif_fingerprints_survive_unrelated_edits() {
    let deploy =
        r#"{"Sid": "Deploy", "Effect": "Allow", "Action": "ecs:UpdateService", "Resource": "*"}"#;
    let tree = Tree::new(&[("p.json", &policy(&[deploy]))]);
    let fingerprint = |tree: &Tree| {
        let sarif = tree.run(&["check", "--format", "sarif", "p.json"]).json();
        sarif["runs"][0]["results"][0]["partialFingerprints"]["iamlint/v1"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = fingerprint(&tree);
    // Lines added above and another statement before it: same Sid, same actions.
    tree.write("p.json", &format!("\n\n\n{}", policy(&[READ_ONLY, deploy])));
    assert_eq!(
        first,
        fingerprint(&tree),
        "an unrelated edit keeps the alert"
    );
    tree.write(
        "p.json",
        &policy(&[&deploy.replace("ecs:UpdateService", "ecs:DeleteService")]),
    );
    assert_ne!(first, fingerprint(&tree), "other actions are another alert");
}

#[test]
fn invalid_inputs_are_tool_execution_notifications() {
    let tree = Tree::new(&[
        ("good.json", &policy(&[ALLOW_UPDATE_SERVICE])),
        ("bad.json", "{\"Statement\": [}\n"),
    ]);
    let run = tree.run(&["check", "--format", "sarif", "."]);
    assert_eq!(run.code, 2);
    let sarif = run.json();
    assert_valid_sarif(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        notes[0]["message"]["text"],
        "bad.json: expected a JSON value"
    );
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        2,
        "the good file's finding is there too"
    );
}

#[test]
fn sarif_file_is_written_beside_another_format() {
    let tree = Tree::new(&[("p.json", &policy(&[ALLOW_UPDATE_SERVICE]))]);
    let run = tree.run(&[
        "check",
        "--format",
        "github",
        "--sarif-file",
        "out.sarif",
        "p.json",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("::error file=p.json,line=4,col=35"),
        "{}",
        run.stdout
    );
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(tree.path().join("out.sarif")).unwrap())
            .unwrap();
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    let unwritable = tree.run(&["check", "--sarif-file", "no/such/dir/out.sarif", "p.json"]);
    assert_eq!(unwritable.code, 2);
    assert!(
        unwritable
            .stderr
            .contains("cannot write SARIF file no/such/dir/out.sarif: no such file or directory"),
        "{}",
        unwritable.stderr
    );
}

#[test]
fn github_annotations_for_the_examples() {
    let tree = example_repo();
    let run = tree.run(&["check", "--format", "github", "policies"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn hostile_file_names_are_escaped_everywhere() {
    let name = "100%, a:b\nc.json";
    let tree = Tree::new(&[(name, &policy(&[ALLOW_UPDATE_SERVICE]))]);
    std::fs::create_dir(tree.path().join(".git")).unwrap();
    let github = tree.run(&["check", "--format", "github", "."]);
    let line = github.stdout.lines().next().unwrap();
    assert!(line.starts_with("::error file=100%25%2C a%3Ab%0Ac.json,line=4,col=35,endLine=4,endColumn=54,title=iamlint ecs-config-change::100%25, a:b%0Ac.json can make"), "{line}");
    assert_eq!(
        github.stdout.lines().count(),
        1,
        "one command per finding, newlines escaped"
    );
    let sarif = tree.run(&["check", "--format", "sarif", "."]).json();
    assert_valid_sarif(&sarif);
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "100%25%2C%20a%3Ab%0Ac.json"
    );
}

#[test]
fn github_step_summary_is_appended_when_set() {
    let typo = r#"{"Effect": "Allow", "Action": ["ecs:UpdateServices", "ecs:Describe|*"], "Resource": "*"}"#;
    let tree = Tree::new(&[
        ("p.json", &policy(&[ALLOW_UPDATE_SERVICE])),
        ("typo.json", &policy(&[typo])),
        ("summary.md", "before\n"),
    ]);
    let summary = tree.path().join("summary.md");
    let run = run_command(
        command(tree.path())
            .args(["check", "--format", "github", "p.json", "typo.json"])
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(std::fs::read_to_string(&summary).unwrap());
    let clean = Tree::new(&[("p.json", &policy(&[READ_ONLY]))]);
    let clean_summary = clean.path().join("s.md");
    let run = run_command(
        command(clean.path())
            .args(["check", "--format", "github", "p.json"])
            .env("GITHUB_STEP_SUMMARY", &clean_summary),
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert_eq!(
        std::fs::read_to_string(&clean_summary).unwrap(),
        "## iamlint\n\nNo findings in 1 checked subject.\n"
    );
}
