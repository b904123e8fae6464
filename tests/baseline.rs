//! `iamlint check --baseline REV|REPORT`: a temporary git repository per test, with a base
//! and a head commit, and the real CLI's human, JSON, SARIF and GitHub outputs.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

/// A git repository of its own, committed with a fixed author and date so that nothing of
/// the developer's configuration leaks in.
struct Repo {
    tree: Tree,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        Repo::in_format(files, "sha1")
    }

    /// A repository whose object ids are `sha1` or `sha256`.
    fn in_format(files: &[(&str, &str)], format: &str) -> Repo {
        let repo = Repo {
            tree: Tree::new(files),
        };
        repo.git(&["init", "-q", "-b", "main", "--object-format", format]);
        repo
    }

    fn path(&self) -> &Path {
        self.tree.path()
    }

    fn git(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .current_dir(self.path())
            .args([
                "-c",
                "user.name=iamlint tests",
                "-c",
                "user.email=tests@iamlint.invalid",
            ])
            .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Write the files and commit everything; the commit id.
    fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (path, text) in files {
            self.tree.write(path, text);
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    fn run(&self, args: &[&str]) -> Run {
        self.tree.run(args)
    }

    /// `iamlint check policies --baseline BASE --format json`.
    fn against(&self, base: &str) -> Run {
        self.against_on(base, &["policies"])
    }

    /// `iamlint check PATHS --baseline BASE --format json`.
    fn against_on(&self, base: &str, paths: &[&str]) -> Run {
        let args = [
            &["check"][..],
            paths,
            &["--baseline", base, "--format", "json"],
        ]
        .concat();
        self.run(&args)
    }
}

const CREATE_SERVICE: &str =
    r#"{"Sid": "Create", "Effect": "Allow", "Action": "ecs:CreateService", "Resource": "*"}"#;

/// The string values of `keys` in `value`, separated by spaces; a list's items by commas.
fn fields(value: &Value, keys: &[&str]) -> String {
    let text = |v: &Value| match v {
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect::<Vec<_>>()
            .join(","),
        other => other.as_str().unwrap().to_string(),
    };
    keys.iter()
        .map(|k| text(&value[*k]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `baseline` object of a JSON run, reduced to what each test asserts: findings as
/// `rule subject actions`, access changes as `change subject action base->head`.
fn outcome(run: &Run) -> Value {
    let json = run.json();
    let list = |key: &str, keys: &[&str]| -> Vec<String> {
        json["baseline"][key]
            .as_array()
            .unwrap_or_else(|| panic!("no baseline.{key}:\n{}", run.transcript()))
            .iter()
            .map(|item| fields(item, keys))
            .collect()
    };
    let finding = ["rule", "subject", "actions"];
    let access: Vec<String> = list(
        "access_diff",
        &["change", "subject", "action", "base", "head"],
    )
    .into_iter()
    .map(|line| {
        let (front, head) = line.rsplit_once(' ').unwrap();
        format!("{front}->{head}")
    })
    .collect();
    serde_json::json!({
        "new": list("new", &finding),
        "unchanged": list("unchanged", &finding),
        "fixed": list("fixed", &finding),
        "access_diff": access,
    })
}

/// Whether stderr holds `message`, however miette wrapped it.
fn said(run: &Run, message: &str) -> bool {
    let bare = |text: &str| -> String {
        text.chars()
            .filter(|c| !c.is_whitespace() && !"×│".contains(*c))
            .collect()
    };
    bare(&run.stderr).contains(&bare(message))
}

/// One run of `args` (which give `--baseline`) in every format, as one text to snapshot:
/// the human output, the JSON `baseline` object, each SARIF result (rule, state, level,
/// place, `iamlint/v1` key; the log validated) and the GitHub annotations and step
/// summary. `base` (a commit id) reads as `BASE`.
fn every_format(cwd: &Path, args: &[&str], base: &str) -> String {
    let run = |format: &[&str]| iamlint(cwd, &[args, format].concat());
    let human = run(&[]);
    let json = run(&["--format", "json"]).json();
    let sarif: Value = serde_json::from_str(&run(&["--format", "sarif"]).stdout).unwrap();
    assert_valid_sarif(&sarif);
    let results: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let place = &r["locations"][0]["physicalLocation"];
            format!(
                "{} {} {} {}:{} {}",
                r["ruleId"].as_str().unwrap(),
                r["baselineState"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                place["artifactLocation"]["uri"].as_str().unwrap(),
                place["region"]["startLine"],
                r["partialFingerprints"]["iamlint/v1"].as_str().unwrap(),
            )
        })
        .collect();
    let summary = tempfile::tempdir().unwrap();
    let summary = summary.path().join("summary.md");
    let github = run_command(
        command(cwd)
            .args(args)
            .args(["--format", "github"])
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    assert_eq!(github.code, human.code, "{}", github.transcript());
    let text = format!(
        "## human\n{}\n## json baseline\n{}\n\n## sarif results\n{}\n\n## github\n{}--- step summary\n{}",
        human.transcript(),
        serde_json::to_string_pretty(&json["baseline"]).unwrap(),
        results.join("\n"),
        github.stdout,
        std::fs::read_to_string(&summary).unwrap(),
    );
    if base.is_empty() {
        text
    } else {
        text.replace(base, "BASE")
    }
}

/// A JSON run's exit code and [`outcome`].
fn assert_outcome(run: &Run, code: i32, expected: Value) {
    assert_eq!(run.code, code, "{}", run.transcript());
    assert_eq!(outcome(run), expected);
}

/// The exit code and the access diff of a JSON run.
fn access_diff(run: &Run) -> (i32, Value) {
    (run.code, outcome(run)["access_diff"].clone())
}

#[test]
fn an_added_grant_is_new() {
    let repo = Repo::new(&[]);
    let base = repo.commit(
        &[
            ("policies/dev.json", &policy(&[READ_ONLY])),
            ("policies/ci.json", &policy(&[ALLOW_UPDATE_SERVICE])),
        ],
        "base",
    );
    repo.commit(
        &[("policies/dev.json", &policy(&[READ_ONLY, CREATE_SERVICE]))],
        "head",
    );
    let human = repo.run(&["check", "policies", "--baseline", &base]);
    assert_eq!(human.code, 1, "{}", human.transcript());
    insta::assert_snapshot!(human.transcript().replace(&base, "BASE"));

    let json = repo.against(&base);
    assert_eq!(json.code, 1);
    assert_eq!(json.json()["baseline"]["commit"], base.as_str());
    assert_eq!(
        outcome(&json),
        serde_json::json!({
            "new": ["ecs-config-change policies/dev.json ecs:CreateService"],
            "unchanged": ["ecs-config-change policies/ci.json ecs:UpdateService"],
            "fixed": [],
            "access_diff": ["+ policies/dev.json ecs:CreateService none->unscoped"],
        })
    );
    let baseline = serde_json::to_string_pretty(&json.json()["baseline"]).unwrap();
    insta::assert_snapshot!(baseline.replace(&base, "BASE"));
    // The unchanged finding is still in `findings`, the whole run's list.
    assert_eq!(json.json()["findings"].as_array().unwrap().len(), 2);
    // The working tree was not touched.
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    insta::assert_snapshot!(
        "1-an-added-grant-every-format",
        every_format(
            repo.path(),
            &["check", "policies", "--baseline", &base],
            &base
        )
    );
}

#[test]
fn moved_reformatted_reordered_and_split_statements_are_no_change() {
    let repo = Repo::new(&[]);
    let both = r#"{"Sid": "Deploy", "Effect": "Allow", "Action": ["ecs:UpdateService", "ecs:CreateService"], "Resource": "*"}"#;
    let base = repo.commit(&[("policies/ci.json", &policy(&[READ_ONLY, both]))], "base");
    // One line, the statements reordered, the grant split in two with other Sids.
    let head = r#"{"Version":"2012-10-17","Statement":[{"Sid":"B","Effect":"Allow","Action":"ecs:CreateService","Resource":"*"},{"Effect":"Allow","Action":["ecs:List*","ecs:Describe*"],"Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"ecs:UpdateService","Resource":["*"]}]}"#;
    repo.commit(&[("policies/ci.json", head)], "head");
    let run = repo.against(&base);
    assert_outcome(
        &run,
        0,
        serde_json::json!({
            "new": [],
            "unchanged": [
                "ecs-config-change policies/ci.json ecs:CreateService",
                "ecs-config-change policies/ci.json ecs:UpdateService",
            ],
            "fixed": [],
            "access_diff": [],
        }),
    );
    let human = repo.run(&["check", "policies", "--baseline", &base]);
    assert_eq!(
        human.transcript().replace(&base, "BASE"),
        "exit: 0\n--- stdout\niamlint: 0 new errors and 0 new warnings in 1 subject checked against BASE (2 unchanged, 0 fixed)\n--- stderr\n"
    );
    insta::assert_snapshot!(
        "2-moved-and-reformatted-every-format",
        every_format(
            repo.path(),
            &["check", "policies", "--baseline", &base],
            &base
        )
    );
}

#[test]
fn a_statement_made_conditional_is_a_narrowing_not_new_access() {
    let repo = Repo::new(&[]);
    let base = repo.commit(
        &[("policies/ci.json", &policy(&[ALLOW_UPDATE_SERVICE]))],
        "base",
    );
    let conditional = r#"{"Effect": "Allow", "Action": "ecs:UpdateService", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "ci"}}}"#;
    repo.commit(&[("policies/ci.json", &policy(&[conditional]))], "head");
    // Even failing on warnings: the scoped warning is not new access.
    let run = repo.run(&[
        "check",
        "policies",
        "--baseline",
        &base,
        "--format",
        "json",
        "--fail-on",
        "warning",
    ]);
    assert_outcome(
        &run,
        0,
        serde_json::json!({
            "new": [],
            "unchanged": ["ecs-config-change-scoped policies/ci.json ecs:UpdateService"],
            "fixed": ["ecs-config-change policies/ci.json ecs:UpdateService"],
            "access_diff": ["- policies/ci.json ecs:UpdateService unscoped->scoped"],
        }),
    );
    let human = repo.run(&["check", "policies", "--baseline", &base]);
    insta::assert_snapshot!(human.transcript().replace(&base, "BASE"));

    // The other way round, the unscoped grant is new.
    insta::assert_snapshot!(
        "3-made-conditional-every-format",
        every_format(
            repo.path(),
            &["check", "policies", "--baseline", &base],
            &base
        )
    );
    let back = repo.commit(
        &[("policies/ci.json", &policy(&[ALLOW_UPDATE_SERVICE]))],
        "back",
    );
    let head = repo.git(&["rev-parse", "HEAD~1"]);
    repo.git(&["checkout", "-q", &back]);
    assert_eq!(
        access_diff(&repo.against(&head)),
        (
            1,
            serde_json::json!(["+ policies/ci.json ecs:UpdateService scoped->unscoped"])
        )
    );
}

#[test]
fn a_fixed_finding_is_listed_and_absent_in_sarif() {
    let repo = Repo::new(&[]);
    let base = repo.commit(
        &[
            (
                "policies/ci.json",
                &policy(&[ALLOW_UPDATE_SERVICE, READ_ONLY]),
            ),
            ("policies/team.json", &policy(&[CREATE_SERVICE])),
        ],
        "base",
    );
    let plain: Value =
        serde_json::from_str(&repo.run(&["check", "policies", "--format", "sarif"]).stdout)
            .unwrap();
    let plain = &plain["runs"][0]["results"];
    assert!(plain[0].get("baselineState").is_none(), "{plain}");
    repo.commit(&[("policies/ci.json", &policy(&[READ_ONLY]))], "head");
    let run = repo.against(&base);
    assert_outcome(
        &run,
        0,
        serde_json::json!({
            "new": [],
            "unchanged": ["ecs-config-change policies/team.json ecs:CreateService"],
            "fixed": ["ecs-config-change policies/ci.json ecs:UpdateService"],
            "access_diff": ["- policies/ci.json ecs:UpdateService unscoped->none"],
        }),
    );
    // The fixed finding keeps its place in the base (line 4 of the base file).
    assert_eq!(
        run.json()["baseline"]["fixed"][0]["location"]["line"],
        4,
        "{}",
        run.stdout
    );

    let sarif = repo.run(&[
        "check",
        "policies",
        "--baseline",
        &base,
        "--format",
        "sarif",
    ]);
    let log: Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let states: Vec<(&str, &str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap(),
                r["baselineState"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("ecs-config-change", "unchanged", "error"),
            ("ecs-config-change", "absent", "none"),
        ]
    );
    // The absent result keeps the partial fingerprint it had while present.
    assert_eq!(
        plain[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "policies/ci.json"
    );
    assert_eq!(
        results[1]["partialFingerprints"],
        plain[0]["partialFingerprints"]
    );
    insta::assert_snapshot!(serde_json::to_string_pretty(results).unwrap());
    insta::assert_snapshot!(
        "4-a-fixed-finding-every-format",
        every_format(
            repo.path(),
            &["check", "policies", "--baseline", &base],
            &base
        )
    );
}

#[test]
fn a_renamed_file_is_matched_by_git_rename_detection() {
    let repo = Repo::new(&[]);
    let grants = policy(&[ALLOW_UPDATE_SERVICE, READ_ONLY]);
    let base = repo.commit(&[("policies/ci.json", &grants)], "base");
    repo.git(&["mv", "policies/ci.json", "policies/ci-deployer.json"]);
    repo.commit(&[], "rename");
    let run = repo.against(&base);
    assert_outcome(
        &run,
        0,
        serde_json::json!({
            "new": [],
            "unchanged": ["ecs-config-change policies/ci-deployer.json ecs:UpdateService"],
            "fixed": [],
            "access_diff": [],
        }),
    );
    insta::assert_snapshot!(
        "5-a-renamed-file-every-format",
        every_format(
            repo.path(),
            &["check", "policies", "--baseline", &base],
            &base
        )
    );
    // Renamed and given one more grant: only that grant is new.
    let renamed = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["mv", "policies/ci-deployer.json", "policies/deployer.json"]);
    repo.commit(
        &[(
            "policies/deployer.json",
            &policy(&[ALLOW_UPDATE_SERVICE, READ_ONLY, CREATE_SERVICE]),
        )],
        "rename and grant",
    );
    assert_eq!(
        access_diff(&repo.against(&renamed)),
        (
            1,
            serde_json::json!(["+ policies/deployer.json ecs:CreateService none->unscoped"])
        )
    );
}

#[test]
fn a_saved_json_report_is_a_baseline_too() {
    let repo = Repo::new(&[
        ("policies/ci.json", &policy(&[ALLOW_UPDATE_SERVICE])),
        ("policies/team.json", &policy(&[READ_ONLY])),
    ]);
    let saved = repo.run(&["check", "policies", "--format", "json"]);
    assert_eq!(saved.code, 1);
    repo.tree.write("base.json", &saved.stdout);
    repo.tree
        .write("policies/team.json", &policy(&[READ_ONLY, CREATE_SERVICE]));
    let run = repo.run(&[
        "check",
        "policies",
        "--baseline",
        "base.json",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(run.json()["baseline"]["ref"], "base.json");
    assert!(run.json()["baseline"].get("commit").is_none());
    assert_eq!(
        outcome(&run),
        serde_json::json!({
            "new": ["ecs-config-change policies/team.json ecs:CreateService"],
            "unchanged": ["ecs-config-change policies/ci.json ecs:UpdateService"],
            "fixed": [],
            "access_diff": ["+ policies/team.json ecs:CreateService none->unscoped"],
        })
    );
    // Every subject and finding carries its fingerprint; the same access, the same one.
    let json = run.json();
    let old = saved.json();
    assert_eq!(
        json["subjects"][0]["fingerprint"],
        old["subjects"][0]["fingerprint"]
    );
    assert_ne!(
        json["subjects"][1]["fingerprint"],
        old["subjects"][1]["fingerprint"]
    );
    assert_eq!(
        json["findings"][0]["fingerprint"],
        old["findings"][0]["fingerprint"]
    );
}

#[test]
fn github_annotates_only_new_findings_and_summarises_the_access_diff() {
    let repo = Repo::new(&[]);
    let base = repo.commit(
        &[
            ("policies/ci.json", &policy(&[ALLOW_UPDATE_SERVICE])),
            (
                "policies/team.json",
                &policy(&[ALLOW_UPDATE_SERVICE_SCOPED]),
            ),
        ],
        "base",
    );
    repo.commit(
        &[
            ("policies/team.json", &policy(&[ALLOW_UPDATE_SERVICE])),
            ("policies/dev.json", &policy(&[CREATE_SERVICE])),
        ],
        "head",
    );
    let summary = repo.path().join("summary.md");
    let run = run_command(
        command(repo.path())
            .args([
                "check",
                "policies",
                "--format",
                "github",
                "--baseline",
                &base,
            ])
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    assert_eq!(run.code, 1);
    let annotated: Vec<&str> = run
        .stdout
        .lines()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        annotated,
        [
            "::error file=policies/dev.json",
            "::error file=policies/team.json"
        ]
    );
    let text = std::fs::read_to_string(&summary).unwrap();
    insta::assert_snapshot!(text.replace(&base, "BASE"));
}

#[test]
fn paths_absent_at_the_base_are_all_new() {
    let repo = Repo::new(&[("README", "x\n")]);
    let base = repo.commit(&[], "base");
    repo.commit(
        &[("infra/iam/ci.json", &policy(&[ALLOW_UPDATE_SERVICE]))],
        "head",
    );
    let run = repo.against_on(&base, &["infra/iam"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(
        outcome(&run)["new"],
        serde_json::json!(["ecs-config-change infra/iam/ci.json ecs:UpdateService"])
    );
    // From a subfolder, paths are the working folder's.
    let run = run_command(command(&repo.path().join("infra")).args([
        "check",
        "iam",
        "--baseline",
        &base,
        "--format",
        "json",
    ]));
    assert_eq!(
        outcome(&run)["access_diff"],
        serde_json::json!(["+ iam/ci.json ecs:UpdateService none->unscoped"])
    );
}

#[test]
fn the_base_is_read_like_the_working_tree() {
    // Hidden entries, non-JSON files and excluded folders are not read at the base either;
    // a named file is read whatever its name.
    let repo = Repo::new(&[]);
    let grant = policy(&[ALLOW_UPDATE_SERVICE]);
    let base = repo.commit(
        &[
            ("iamlint.toml", "exclude = [\"policies/legacy\"]\n"),
            ("policies/.hidden/a.json", &grant),
            ("policies/notes.txt", &grant),
            ("policies/legacy/old.json", &grant),
            ("policies/ci.JSON", &grant),
            ("other/policy.txt", &grant),
        ],
        "base",
    );
    let run = repo.against_on(&base, &["policies", "other/policy.txt"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        outcome(&run)["unchanged"],
        serde_json::json!([
            "ecs-config-change other/policy.txt ecs:UpdateService",
            "ecs-config-change policies/ci.JSON ecs:UpdateService",
        ])
    );
}

#[test]
fn comparisons_that_cannot_be_made_exit_2_with_one_message() {
    let repo = Repo::new(&[]);
    repo.commit(&[("policies/ci.json", &policy(&[READ_ONLY]))], "base");
    let first = repo.git(&["rev-parse", "HEAD"]);
    repo.commit(
        &[("policies/ci.json", &policy(&[ALLOW_UPDATE_SERVICE]))],
        "head",
    );
    repo.tree
        .write("corrupt.json", "{\"version\": 1, \"subjects\": [");
    repo.tree
        .write("old.json", "{\"version\": 7, \"subjects\": []}");
    let sarif = repo.run(&["check", "policies", "--format", "sarif"]);
    repo.tree.write("log.sarif.json", &sarif.stdout);
    let outside = Tree::new(&[("p.json", &policy(&[READ_ONLY]))]);
    let cases: Vec<(Run, &str)> = vec![
        (
            repo.run(&["check", "policies", "--baseline", "no-such-branch"]),
            "--baseline no-such-branch: not a commit of this repository (an unknown revision, or one not fetched yet)",
        ),
        (
            repo.run(&["check", "policies", "--baseline=--version"]),
            "--baseline --version: not a commit of this repository",
        ),
        (
            repo.run(&["check", "policies", "--baseline", "corrupt.json"]),
            "--baseline corrupt.json: not an iamlint JSON report (invalid JSON: EOF while parsing a list at line 1 column 28)",
        ),
        (
            repo.run(&["check", "policies", "--baseline", "old.json"]),
            "--baseline old.json: a JSON report of version 7; this iamlint reads version 1",
        ),
        (
            repo.run(&["check", "policies", "--baseline", "log.sarif.json"]),
            "--baseline log.sarif.json: not an iamlint JSON report (a SARIF log; save the base with --format json)",
        ),
        (
            outside.run(&["check", "p.json", "--baseline", "main"]),
            "--baseline main: the current folder is not in a git repository",
        ),
        (
            repo.run(&["check", "/", "--baseline", &first]),
            "--baseline: / is outside the git repository",
        ),
    ];
    for (run, message) in cases {
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert_eq!(run.stdout, "", "{}", run.transcript());
        assert!(said(&run, message), "{message}\n{}", run.transcript());
        assert!(run.stderr.lines().count() <= 3, "{}", run.transcript());
    }
}

#[test]
fn no_temporary_file_for_git_is_one_message() {
    // git writes the changed files' contents into a temporary file: none, no comparison.
    let repo = Repo::new(&[]);
    commit_ci_and_team_then_widen_team(&repo);
    let run = common::run_command(
        common::command(repo.path())
            .args(["check", "policies", "--baseline", "HEAD"])
            .env("TMPDIR", repo.path().join("no-such-folder")),
    );
    let message = "--baseline HEAD: cannot create a temporary file for git cat-file: no such file or directory";
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(said(&run, message), "{message}\n{}", run.transcript());
    assert!(run.stderr.lines().count() <= 3, "{}", run.transcript());
}

#[test]
fn a_shallow_clone_without_the_base_says_how_to_fetch_it() {
    let repo = Repo::new(&[]);
    let base = repo.commit(&[("policies/ci.json", &policy(&[READ_ONLY]))], "base");
    repo.commit(
        &[("policies/ci.json", &policy(&[ALLOW_UPDATE_SERVICE]))],
        "head",
    );
    let clones = tempfile::tempdir().unwrap();
    let shallow = clones.path().join("shallow");
    let url = format!("file://{}", repo.path().display());
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(&shallow)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    assert!(status.success());
    let run = iamlint(&shallow, &["check", "policies", "--baseline", &base]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    let message = format!(
        "--baseline {base}: this clone is shallow and does not have that commit; check out with `fetch-depth: 0` (actions/checkout), or fetch it first: git fetch --depth=1 origin {base}"
    );
    assert!(said(&run, &message), "{}", run.transcript());
}

#[test]
fn ignore_entries_that_match_nothing_are_stale() {
    let config = "\
[[ignore]]
path = \"policies/ci.json\"
rule = \"ecs-config-change\"
reason = \"deploys, reviewed\"

[[ignore]]
path = \"policies/gone.json\"
reason = \"deleted long ago\"

[[ignore]]
path = \"policies/team.json\"
rule = \"unknown-action\"
reason = \"typo fixed since\"
";
    let repo = Repo::new(&[]);
    let base = repo.commit(
        &[
            ("iamlint.toml", config),
            ("policies/ci.json", &policy(&[ALLOW_UPDATE_SERVICE])),
            (
                "policies/team.json",
                &policy(&[
                    r#"{"Effect": "Allow", "Action": "ecs:DescribeServicez", "Resource": "*"}"#,
                ]),
            ),
        ],
        "base",
    );
    repo.commit(&[("policies/team.json", &policy(&[READ_ONLY]))], "head");
    let run = repo.run(&["check", "policies"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
    // A run on one file cannot tell whether an entry for another file is stale.
    let single = repo
        .run(&["check", "policies/team.json", "--format", "json"])
        .json();
    let rules: Vec<&str> = single["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "this [[ignore]] entry for `unknown-action` findings on `policies/team.json` matches no finding"
        ]
    );
    // Against the base, where the typo was: that entry's staleness is new, the deleted
    // file's is not.
    let run = repo.against(&base);
    assert_eq!(
        outcome(&run)["new"],
        serde_json::json!(["stale-ignore iamlint.toml "])
    );
    assert_eq!(outcome(&run)["unchanged"].as_array().unwrap().len(), 1);
    insta::assert_snapshot!(
        "7-a-stale-ignore-every-format",
        every_format(
            repo.path(),
            &["check", "policies", "--baseline", &base],
            &base
        )
    );
    let explain = repo.run(&["explain", "stale-ignore"]);
    assert!(explain.stdout.starts_with("## stale-ignore (warning)"));
}

/// The example account, and the same account where a new user `ravi` is let into the
/// existing `ecs-deployer` role by a new statement of its trust policy.
fn account_dumps() -> (String, String) {
    let text =
        std::fs::read_to_string(repo_root().join("examples/account/authorization-details.json"))
            .unwrap();
    let base: Value = serde_json::from_str(&text).unwrap();
    let mut head = base.clone();
    let mut ravi = head["UserDetailList"][0].clone();
    ravi["UserName"] = "ravi".into();
    ravi["UserId"] = "AIDARAVI0000000000001".into();
    ravi["Arn"] = "arn:aws:iam::111122223333:user/ravi".into();
    ravi["GroupList"] = serde_json::json!([]);
    head["UserDetailList"].as_array_mut().unwrap().push(ravi);
    let_into_the_deployer(&mut head, "arn:aws:iam::111122223333:user/ravi");
    (base.to_string(), head.to_string())
}

/// One more statement of the `ecs-deployer` role's trust policy, for `principal`.
fn let_into_the_deployer(dump: &mut Value, principal: &str) {
    let deployer = dump["RoleDetailList"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["RoleName"] == "ecs-deployer")
        .unwrap();
    deployer["AssumeRolePolicyDocument"]["Statement"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "Effect": "Allow",
            "Principal": {"AWS": principal},
            "Action": "sts:AssumeRole"
        }));
}

/// The review of `dump.json` against `base.json`, with `sam` privileged.
const REVIEW: [&str; 6] = [
    "account",
    "--from",
    "dump.json",
    "--privileged=arn:aws:iam::*:user/sam",
    "--baseline",
    "base.json",
];

/// A folder with the `head` dump as `dump.json` and the saved JSON review of the `base`
/// dump as `base.json`.
fn saved_review(base: &str, head: &str) -> Tree {
    let tree = Tree::new(&[("base-dump.json", base), ("dump.json", head)]);
    let saved = tree.run(&[
        "account",
        "--from",
        "base-dump.json",
        REVIEW[3],
        "--format",
        "json",
    ]);
    assert_eq!(saved.code, 1, "{}", saved.transcript());
    tree.write("base.json", &saved.stdout);
    tree
}

#[test]
fn a_new_principal_reaching_an_old_role_through_a_new_trust_edge() {
    let (base, head) = account_dumps();
    let tree = saved_review(&base, &head);
    let review = REVIEW;
    let run = tree.run(&[&review[..], &["--format", "json"]].concat());
    assert_outcome(
        &run,
        1,
        serde_json::json!({
            "new": [
                "ecs-config-change-indirect arn:aws:iam::111122223333:user/ravi ecs:RegisterTaskDefinition,ecs:UpdateService"
            ],
            "unchanged": [
                "ecs-config-change-indirect arn:aws:iam::111122223333:user/dana ecs:RegisterTaskDefinition,ecs:UpdateService",
                "ecs-config-change-indirect arn:aws:iam::111122223333:role/ci-runner ecs:RegisterTaskDefinition,ecs:UpdateService",
                "ecs-config-change arn:aws:iam::111122223333:role/ecs-deployer ecs:RegisterTaskDefinition,ecs:UpdateService",
            ],
            "fixed": [],
            "access_diff": [
                "+ arn:aws:iam::111122223333:user/ravi ecs:RegisterTaskDefinition none->path",
                "+ arn:aws:iam::111122223333:user/ravi ecs:UpdateService none->path",
            ],
        }),
    );
    // The saved report's paths are compared too: only ravi's is new.
    assert_eq!(
        path_diff(&run),
        [
            "+ arn:aws:iam::111122223333:user/ravi: sts-001 user/ravi>role/ecs-deployer ecs:RegisterTaskDefinition,ecs:UpdateService"
        ]
    );
    let human = tree.run(&review);
    assert_eq!(human.code, 1);
    insta::assert_snapshot!(human.transcript());
    insta::assert_snapshot!(
        "6-a-new-trust-edge-every-format",
        every_format(tree.path(), &review, "")
    );
    // Without a report to compare with, the comparison cannot be made.
    let missing = tree.run(&["account", "--from", "dump.json", "--baseline", "main"]);
    assert_eq!(missing.code, 2);
    assert!(
        said(
            &missing,
            "--baseline main: no such report file (iamlint account compares with a saved --format json report; git revisions are for iamlint check)"
        ),
        "{}",
        missing.transcript()
    );
}

#[test]
fn a_saved_account_report_compares_routes_too() {
    // The same account, where the deploy role now trusts dana herself: her route is
    // shorter, the actions she reaches the same.
    let (base, _) = account_dumps();
    let mut head: Value = serde_json::from_str(&base).unwrap();
    let_into_the_deployer(&mut head, "arn:aws:iam::111122223333:user/dana");
    let tree = saved_review(&base, &head.to_string());
    let run = tree.run(&[&REVIEW[..], &["--format", "json"]].concat());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(outcome(&run)["new"], serde_json::json!([]));
    assert_eq!(outcome(&run)["access_diff"], serde_json::json!([]));
    assert_eq!(
        path_diff(&run),
        [
            "- arn:aws:iam::111122223333:user/dana: sts-001 user/dana>role/ci-runner, lambda-001 role/ci-runner>role/ecs-deployer ecs:RegisterTaskDefinition,ecs:UpdateService",
            "+ arn:aws:iam::111122223333:user/dana: sts-001 user/dana>role/ecs-deployer ecs:RegisterTaskDefinition,ecs:UpdateService",
        ]
    );
}

/// A base with a deployer and a read-only team, then the team's policy widened (not
/// committed).
fn commit_ci_and_team_then_widen_team(repo: &Repo) {
    repo.commit(
        &[
            ("policies/ci.json", &policy(&[ALLOW_UPDATE_SERVICE])),
            ("policies/team.json", &policy(&[READ_ONLY])),
        ],
        "base",
    );
    repo.tree
        .write("policies/team.json", &policy(&[READ_ONLY, CREATE_SERVICE]));
}

/// The outcome of [`commit_ci_and_team_then_widen_team`] against its base.
fn assert_only_the_team_widened(run: &Run) {
    assert_outcome(
        run,
        1,
        serde_json::json!({
            "new": ["ecs-config-change policies/team.json ecs:CreateService"],
            "unchanged": ["ecs-config-change policies/ci.json ecs:UpdateService"],
            "fixed": [],
            "access_diff": ["+ policies/team.json ecs:CreateService none->unscoped"],
        }),
    );
}

#[test]
fn uncommitted_and_untracked_changes_count() {
    // The head is the working tree, not a commit: an edit not yet staged, a file not yet
    // added. Files git does not name as changed are not checked twice, and still compare.
    let repo = Repo::new(&[]);
    commit_ci_and_team_then_widen_team(&repo);
    repo.tree
        .write("policies/new.json", &policy(&[ALLOW_UPDATE_SERVICE_SCOPED]));
    let run = repo.against("HEAD");
    assert_outcome(
        &run,
        1,
        serde_json::json!({
            "new": [
                "ecs-config-change-scoped policies/new.json ecs:UpdateService",
                "ecs-config-change policies/team.json ecs:CreateService",
            ],
            "unchanged": ["ecs-config-change policies/ci.json ecs:UpdateService"],
            "fixed": [],
            "access_diff": [
                "+ policies/new.json ecs:UpdateService none->scoped",
                "+ policies/team.json ecs:CreateService none->unscoped",
            ],
        }),
    );
}

#[test]
fn a_file_named_twice_or_inside_a_named_folder_is_compared_once() {
    // The run reads such a file twice; which files changed is told once per file.
    let repo = Repo::new(&[]);
    commit_ci_and_team_then_widen_team(&repo);
    let run = repo.against_on(
        "HEAD",
        &["policies", "policies/team.json", "policies/team.json"],
    );
    assert_only_the_team_widened(&run);
}

#[test]
fn a_sha256_repository_is_compared_as_git_diff_says() {
    // iamlint computes SHA-1 blob ids to find changed files; with SHA-256 object ids it
    // asks `git diff` instead: an edited file is still new access, an unedited one still
    // unchanged.
    let repo = Repo::in_format(&[], "sha256");
    commit_ci_and_team_then_widen_team(&repo);
    let run = repo.against("HEAD");
    assert_only_the_team_widened(&run);
}

#[test]
#[cfg(unix)]
fn a_working_file_that_is_no_longer_a_regular_file_does_not_hang_the_comparison() {
    // Hashing the working tree's files must not open a FIFO (that waits for a writer).
    let repo = Repo::new(&[]);
    repo.commit(
        &[("policies/ci.json", &policy(&[ALLOW_UPDATE_SERVICE]))],
        "base",
    );
    let fifo = repo.path().join("policies/ci.json");
    std::fs::remove_file(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let mut child = command(repo.path())
        .args([
            "check",
            "policies",
            "--baseline",
            "HEAD",
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run iamlint");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("iamlint check --baseline hung on a FIFO in the working tree");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    // The head's file cannot be read (an input error, exit 2); the base's still was.
    assert_outcome(
        &run,
        2,
        serde_json::json!({
            "new": ["invalid-policy policies/ci.json "],
            "unchanged": [],
            "fixed": ["ecs-config-change policies/ci.json ecs:UpdateService"],
            "access_diff": ["- policies/ci.json ecs:UpdateService unscoped->none"],
        }),
    );
}

const TF_ROLE: &str = r#"resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
"#;

fn tf_policy(actions: &str) -> String {
    format!(
        r#"resource "aws_iam_role_policy" "deploy" {{
  role   = aws_iam_role.deploy.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = [{actions}], Resource = "*" }}]
  }})
}}
"#
    )
}

const CFN_BASE: &str = "Resources:
  Ops:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: ops
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: ecs:UpdateService
                Resource: '*'
";

/// Infrastructure code at the base is read as the walk reads it: a Terraform module by
/// its folder (one changed file among unchanged ones), a template file by file.
#[test]
fn infrastructure_code_is_compared_by_module_and_template() {
    let repo = Repo::new(&[]);
    let base = repo.commit(
        &[
            ("infra/deploy/role.tf", TF_ROLE),
            (
                "infra/deploy/policy.tf",
                &tf_policy(r#""ecs:UpdateService""#),
            ),
            ("infra/stack.yaml", CFN_BASE),
        ],
        "base",
    );
    // Nothing changed: nothing new.
    let same = repo.against_on(&base, &["infra"]);
    assert_outcome(
        &same,
        0,
        serde_json::json!({
            "new": [],
            "unchanged": [
                "ecs-config-change aws_iam_role.deploy ecs:UpdateService",
                "ecs-config-change Ops ecs:UpdateService",
            ],
            "fixed": [],
            "access_diff": [],
        }),
    );
    // One file of the module changes; the template gains an action.
    repo.commit(
        &[
            (
                "infra/deploy/policy.tf",
                &tf_policy(r#""ecs:UpdateService", "ecs:DeleteCluster""#),
            ),
            (
                "infra/stack.yaml",
                &CFN_BASE.replace(
                    "Action: ecs:UpdateService",
                    "Action: [ecs:UpdateService, ecs:CreateCluster]",
                ),
            ),
        ],
        "head",
    );
    let changed = repo.against_on(&base, &["infra"]);
    let outcome = outcome(&changed);
    assert_eq!(changed.code, 1, "{}", changed.transcript());
    assert_eq!(
        outcome["access_diff"],
        serde_json::json!([
            "+ Ops ecs:CreateCluster none->unscoped",
            "+ aws_iam_role.deploy ecs:DeleteCluster none->unscoped",
        ])
    );
    assert_eq!(outcome["fixed"], serde_json::json!([]));
}

/// A user `dana` (logical id `Developer`) who reaches the `deploy` role through the `ci`
/// role: `Developer` and `CiRole` reach `ecs:UpdateService` only by a path.
const ROUTED: &str = "Resources:
  Developer:
    Type: AWS::IAM::User
    Properties:
      UserName: dana
      Policies:
        - PolicyName: assume
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: sts:AssumeRole
                Resource: '*'
  CiRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: ci
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: !GetAtt Developer.Arn}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: assume-deploy
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: sts:AssumeRole
                Resource: !GetAtt DeployRole.Arn
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: deploy
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: !GetAtt CiRole.Arn}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: deploy
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: ecs:UpdateService
                Resource: '*'
";

/// Exit code 0, and every finding (`rule subject actions`) unchanged: nothing new, fixed
/// or held differently.
fn assert_all_unchanged(run: &Run, unchanged: &[&str]) {
    assert_outcome(
        run,
        0,
        serde_json::json!({"new": [], "unchanged": unchanged, "fixed": [], "access_diff": []}),
    );
}

/// The `path_diff` of a JSON run, each row as `change subject: from>to, … actions`.
fn path_diff(run: &Run) -> Vec<String> {
    run.json()["baseline"]["path_diff"]
        .as_array()
        .unwrap_or_else(|| panic!("no baseline.path_diff:\n{}", run.transcript()))
        .iter()
        .map(|row| {
            let steps: Vec<String> = row["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    let short = |k: &str| s[k].as_str().unwrap().rsplit(':').next().unwrap();
                    format!(
                        "{} {}>{}",
                        s["id"].as_str().unwrap(),
                        short("from"),
                        short("to")
                    )
                })
                .collect();
            format!(
                "{}: {} {}{}",
                fields(row, &["change", "subject"]),
                steps.join(", "),
                fields(row, &["actions"]),
                if row["scoped"] == true { " scoped" } else { "" }
            )
        })
        .collect()
}

/// The `iamlint/v1` partial fingerprint of every result of a SARIF run, by rule and
/// message, sorted.
fn sarif_keys(run: &Run) -> Vec<(String, String)> {
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&log);
    let mut keys: Vec<(String, String)> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["iamlint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    keys.sort();
    keys
}

#[test]
fn a_new_route_to_the_same_role_is_a_path_row_not_a_new_finding() {
    let repo = Repo::new(&[]);
    let base = repo.commit(&[("infra/stack.yaml", ROUTED)], "base");
    let base_sarif = repo.run(&["check", "infra", "--format", "sarif"]);
    // The deploy role now trusts dana herself: a shorter route to the same actions.
    let direct = ROUTED.replace(
        "Principal: {AWS: !GetAtt CiRole.Arn}",
        "Principal: {AWS: [!GetAtt CiRole.Arn, !GetAtt Developer.Arn]}",
    );
    let head = repo.commit(&[("infra/stack.yaml", &direct)], "head");
    let run = repo.against_on(&base, &["infra"]);
    assert_all_unchanged(
        &run,
        &[
            "ecs-config-change-indirect Developer ecs:UpdateService",
            "ecs-config-change-indirect CiRole ecs:UpdateService",
            "ecs-config-change DeployRole ecs:UpdateService",
        ],
    );
    assert_eq!(
        path_diff(&run),
        [
            "- Developer: sts-001 user/dana>role/ci, sts-001 role/ci>role/deploy ecs:UpdateService",
            "+ Developer: sts-001 user/dana>role/deploy ecs:UpdateService",
        ]
    );
    insta::assert_snapshot!(
        serde_json::to_string_pretty(&run.json()["baseline"]["path_diff"]).unwrap()
    );
    let human = repo.run(&["check", "infra", "--baseline", &base]);
    assert_eq!(human.code, 0, "{}", human.transcript());
    insta::assert_snapshot!(human.transcript().replace(&base, "BASE"));
    let summary = repo.path().join("summary.md");
    let github = run_command(
        command(repo.path())
            .args(["check", "infra", "--format", "github", "--baseline", &base])
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    assert_eq!((github.code, github.stdout.as_str()), (0, ""));
    let text = std::fs::read_to_string(&summary).unwrap();
    insta::assert_snapshot!(text.replace(&base, "BASE"));
    // The alert of dana's finding is the same one whatever its route.
    let sarif = repo.run(&["check", "infra", "--format", "sarif", "--baseline", &base]);
    assert_eq!(sarif_keys(&sarif), sarif_keys(&base_sarif));

    // Back again: the direct route is the removed one.
    repo.commit(&[("infra/stack.yaml", ROUTED)], "back");
    assert_eq!(
        path_diff(&repo.against_on(&head, &["infra"])),
        [
            "- Developer: sts-001 user/dana>role/deploy ecs:UpdateService",
            "+ Developer: sts-001 user/dana>role/ci, sts-001 role/ci>role/deploy ecs:UpdateService",
        ]
    );
}

#[test]
fn a_removed_route_is_a_minus_path_row() {
    let repo = Repo::new(&[]);
    let base = repo.commit(&[("infra/stack.yaml", ROUTED)], "base");
    // The deploy role no longer trusts the ci role: neither ci nor dana reach it.
    let closed = ROUTED.replace(
        "{AWS: !GetAtt CiRole.Arn}",
        "{Service: ecs-tasks.amazonaws.com}",
    );
    repo.commit(&[("infra/stack.yaml", &closed)], "head");
    let run = repo.against_on(&base, &["infra"]);
    assert_outcome(
        &run,
        0,
        serde_json::json!({
            "new": [],
            "unchanged": ["ecs-config-change DeployRole ecs:UpdateService"],
            "fixed": [
                "ecs-config-change-indirect Developer ecs:UpdateService",
                "ecs-config-change-indirect CiRole ecs:UpdateService",
            ],
            "access_diff": [
                "- CiRole ecs:UpdateService path->none",
                "- Developer ecs:UpdateService path->none",
            ],
        }),
    );
    assert_eq!(
        path_diff(&run),
        [
            "- CiRole: sts-001 role/ci>role/deploy ecs:UpdateService",
            "- Developer: sts-001 user/dana>role/ci, sts-001 role/ci>role/deploy ecs:UpdateService",
        ]
    );
    let human = repo.run(&["check", "infra", "--baseline", &base]);
    insta::assert_snapshot!(human.transcript().replace(&base, "BASE"));
}

#[test]
fn a_reordered_and_reformatted_trust_policy_is_no_change() {
    let repo = Repo::new(&[]);
    let base = repo.commit(&[("infra/stack.yaml", ROUTED)], "base");
    let base_sarif = repo.run(&["check", "infra", "--format", "sarif"]);
    // The resources in another order, the trust policies in flow style and split in
    // two statements, a principal given as a list.
    let head = "Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: deploy
      Policies: [{PolicyName: deploy, PolicyDocument: {Statement: [{Effect: Allow, Resource: '*', Action: [ecs:UpdateService]}]}}]
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Action: sts:AssumeRole, Effect: Allow, Principal: {AWS: [!GetAtt CiRole.Arn]}}]}
  CiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Sid: Dana, Effect: Allow, Principal: {AWS: !GetAtt Developer.Arn}, Action: sts:AssumeRole}
          - {Sid: DanaTags, Effect: Allow, Principal: {AWS: !GetAtt Developer.Arn}, Action: sts:TagSession}
      RoleName: ci
      Policies:
        - PolicyName: assume-deploy
          PolicyDocument: {Statement: {Effect: Allow, Action: 'sts:AssumeRole', Resource: !GetAtt DeployRole.Arn}}
  Developer:
    Type: AWS::IAM::User
    Properties:
      Policies: [{PolicyName: assume, PolicyDocument: {Statement: [{Effect: Allow, Action: sts:AssumeRole, Resource: '*'}]}}]
      UserName: dana
";
    repo.commit(&[("infra/stack.yaml", head)], "head");
    let run = repo.against_on(&base, &["infra"]);
    assert_all_unchanged(
        &run,
        &[
            "ecs-config-change DeployRole ecs:UpdateService",
            "ecs-config-change-indirect CiRole ecs:UpdateService",
            "ecs-config-change-indirect Developer ecs:UpdateService",
        ],
    );
    assert_eq!(path_diff(&run), Vec::<String>::new());
    let human = repo.run(&["check", "infra", "--baseline", &base]);
    assert_eq!(
        human.transcript().replace(&base, "BASE"),
        "exit: 0\n--- stdout\niamlint: 0 new errors and 0 new warnings in 3 subjects checked against BASE (3 unchanged, 0 fixed)\n--- stderr\n"
    );
    let sarif = repo.run(&["check", "infra", "--format", "sarif", "--baseline", &base]);
    assert_eq!(sarif_keys(&sarif), sarif_keys(&base_sarif));
}

#[test]
fn sarif_partial_fingerprints_survive_reordered_statements() {
    let repo = Repo::new(&[]);
    let scoped = r#"{"Sid": "Tagged", "Effect": "Allow", "Action": "ecs:DeleteService", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "ci"}}}"#;
    let base = repo.commit(
        &[(
            "policies/ci.json",
            &policy(&[ALLOW_UPDATE_SERVICE, CREATE_SERVICE, scoped, READ_ONLY]),
        )],
        "base",
    );
    let base_sarif = repo.run(&["check", "policies", "--format", "sarif"]);
    // Reordered, reformatted, the Sids renamed or dropped, one grant given twice.
    let head = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ecs:Describe*", "ecs:List*"], "Resource": "*"},
        {"Condition": {"StringEquals": {"aws:ResourceTag/team": "ci"}}, "Resource": "*", "Action": "ecs:DeleteService", "Effect": "Allow"},
        {"Sid": "Again", "Effect": "Allow", "Action": "ecs:CreateService", "Resource": "*"},
        {"Sid": "Other", "Effect": "Allow", "Action": "ecs:UpdateService", "Resource": "*"},
        {"Effect": "Allow", "Action": "ecs:CreateService", "Resource": ["*"]}]}"#;
    repo.commit(&[("policies/ci.json", head)], "head");
    let run = repo.run(&[
        "check",
        "policies",
        "--format",
        "sarif",
        "--baseline",
        &base,
    ]);
    let mut keys = sarif_keys(&run);
    // The grant given twice is one more result, told apart by its count.
    let twice: Vec<String> = keys
        .iter()
        .filter(|(rule, key)| rule == "ecs-config-change" && key.ends_with(":2"))
        .map(|(_, key)| key.clone())
        .collect();
    assert_eq!(twice.len(), 1, "{keys:?}");
    keys.retain(|(_, key)| !twice.contains(key));
    assert_eq!(keys, sarif_keys(&base_sarif));
    assert_eq!(keys.len(), 3);
    // The key is the JSON report's fingerprint, and the count.
    let json = repo.run(&["check", "policies", "--format", "json"]).json();
    let mut fingerprints: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    fingerprints.sort();
    fingerprints.dedup();
    let mut bare: Vec<String> = keys
        .iter()
        .map(|(_, key)| key.strip_suffix(":1").unwrap().to_string())
        .collect();
    bare.sort();
    assert_eq!(bare, fingerprints);
}

/// A policy file a module reads through `file()` is judged in the module on both sides,
/// never as a bare policy file of the base (which would make its findings "fixed").
#[test]
fn a_policy_file_a_module_reads_is_not_a_base_file_of_its_own() {
    let repo = Repo::new(&[]);
    let module = "resource \"aws_iam_role\" \"ci\" {\n  name               = \"ci\"\n  assume_role_policy = jsonencode({ Statement = [{ Effect = \"Allow\", Principal = { Service = \"codebuild.amazonaws.com\" }, Action = \"sts:AssumeRole\" }] })\n  inline_policy {\n    name   = \"deploy\"\n    policy = file(\"deploy.json\")\n  }\n}\n";
    let base = repo.commit(
        &[
            ("infra/ci/main.tf", module),
            ("infra/ci/deploy.json", &policy(&[ALLOW_UPDATE_SERVICE])),
        ],
        "base",
    );
    repo.commit(
        &[(
            "infra/ci/deploy.json",
            &policy(&[ALLOW_UPDATE_SERVICE, READ_ONLY]),
        )],
        "head",
    );
    only_unchanged(
        &repo,
        &base,
        "ecs-config-change aws_iam_role.ci ecs:UpdateService",
    );
}

/// `check infra --baseline BASE` finds no change: exit 0, this one finding unchanged.
fn only_unchanged(repo: &Repo, base: &str, finding: &str) {
    let run = repo.against_on(base, &["infra"]);
    assert_outcome(
        &run,
        0,
        serde_json::json!({"new": [], "unchanged": [finding], "fixed": [], "access_diff": []}),
    );
}

/// A folder a module calls is judged in its caller on both sides, never as a root
/// module of the base (whose findings would then be "fixed").
#[test]
fn a_called_module_is_not_a_base_module_of_its_own() {
    let repo = Repo::new(&[]);
    let root = "module \"deploy\" {\n  source  = \"./deploy\"\n  cluster = \"web\"\n}\n";
    let child = |actions: &str| {
        format!(
            "variable \"cluster\" {{}}\nresource \"aws_iam_role\" \"deploy\" {{\n  name               = \"${{var.cluster}}-deploy\"\n  assume_role_policy = jsonencode({{ Statement = [{{ Effect = \"Allow\", Principal = {{ Service = \"ecs-tasks.amazonaws.com\" }}, Action = \"sts:AssumeRole\" }}] }})\n  inline_policy {{\n    name   = \"deploy\"\n    policy = jsonencode({{ Statement = [{{ Effect = \"Allow\", Action = [{actions}], Resource = \"*\" }}] }})\n  }}\n}}\n"
        )
    };
    let base = repo.commit(
        &[
            ("infra/main.tf", root),
            ("infra/deploy/main.tf", &child(r#""ecs:UpdateService""#)),
        ],
        "base",
    );
    repo.commit(
        &[(
            "infra/deploy/main.tf",
            &child(r#""ecs:UpdateService", "ecs:DescribeServices""#),
        )],
        "head",
    );
    only_unchanged(
        &repo,
        &base,
        "ecs-config-change module.deploy.aws_iam_role.deploy ecs:UpdateService",
    );
}
