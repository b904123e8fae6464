//! The `check`, `rules`, `explain` and `expand` commands as a user runs them: real
//! binary, real files, asserted stdout, stderr and exit code.

mod common;

use common::*;

#[test]
fn bundled_examples_human() {
    let run = iamlint(&repo_root(), &["check", "policies/"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    // Wrapped diagnostics never break a word at its hyphen (`cloudformation-` / `005`).
    let broken: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| {
            l.trim_end().ends_with('-')
                && l.trim_end()
                    .chars()
                    .rev()
                    .nth(1)
                    .is_some_and(char::is_alphanumeric)
        })
        .collect();
    assert!(broken.is_empty(), "{broken:?}");
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn bundled_examples_json() {
    let run = iamlint(&repo_root(), &["check", "policies/", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let mut json = run.json();
    json["tool"]["version"] = "[version]".into();
    insta::assert_json_snapshot!(json);
}

#[test]
fn json_report_has_the_documented_shape() {
    let tree = Tree::new(&[("p.json", &policy(&[ALLOW_UPDATE_SERVICE]))]);
    let json = tree.run(&["check", "--format", "json", "p.json"]).json();
    assert_eq!(json["version"], 1);
    let subject = &json["subjects"][0];
    assert_eq!(subject["name"], "p.json");
    assert_eq!(subject["kind"], "file");
    assert_eq!(subject["privileged"], false);
    assert_eq!(subject["allowed"], serde_json::json!(["ecs:UpdateService"]));
    assert_eq!(subject["scoped"], serde_json::json!([]));
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "ecs-config-change");
    assert_eq!(finding["level"], "error");
    assert_eq!(finding["subject"], "p.json");
    assert_eq!(finding["actions"], serde_json::json!(["ecs:UpdateService"]));
    assert_eq!(
        finding["location"],
        serde_json::json!({"path": "p.json", "line": 4, "column": 35, "end_line": 4, "end_column": 54})
    );
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("ecs:UpdateService")
    );
}

#[test]
fn clean_files_print_nothing_and_exit_0() {
    let tree = Tree::new(&[("a/read.json", &policy(&[READ_ONLY]))]);
    let run = tree.run(&["check", "."]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn a_folder_without_policy_files_warns_and_exits_0() {
    let tree = Tree::new(&[
        ("empty/.keep", ""),
        ("yaml/p.txt", "Version: 2012-10-17\n"),
        ("full/p.json", &policy(&[READ_ONLY])),
    ]);
    for args in [
        &["check", "empty", "yaml", "full"][..],
        &["check", "--quiet", "empty", "yaml", "full"],
    ] {
        let run = tree.run(args);
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (
                0,
                "",
                "warning: no policy files found under empty (folders are walked for *.json, *.yaml, *.yml, *.template and *.tf files)\n\
                 warning: no policy files found under yaml (folders are walked for *.json, *.yaml, *.yml, *.template and *.tf files)\n"
            ),
            "{args:?}"
        );
    }
    let bare = Tree::new(&[]);
    let run = bare.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.json()["subjects"], serde_json::json!([]));
    assert_eq!(
        run.stderr,
        "warning: no policy files found under . (folders are walked for *.json, *.yaml, *.yml, *.template and *.tf files)\n"
    );
}

#[test]
fn help_never_breaks_a_flag_name_across_lines() {
    let commands = [
        &["--help"][..],
        &["check", "--help"],
        &["account", "--help"],
        &["expand", "--help"],
    ];
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| w.starts_with("--") && w.len() > 2)
            .map(str::to_string)
            .collect()
    };
    // The flags: what the option lists of all commands start lines with.
    let mut known: Vec<String> = Vec::new();
    for command in commands {
        for line in help_at(command, "80").stdout.lines() {
            let line = line.trim_start();
            // `-q, --quiet`: the long name.
            let line = match line.as_bytes() {
                [b'-', short, b',', b' ', ..] if short.is_ascii_alphabetic() => &line[4..],
                _ => line,
            };
            if line.starts_with("--") {
                known.extend(words(line).into_iter().take(1));
            }
        }
    }
    assert!(known.contains(&"--max-file-size".to_string()), "{known:?}");
    for command in commands {
        for columns in ["80", "72", "60", "40", "30"] {
            let help = help_at(command, columns);
            assert_eq!(help.code, 0);
            for word in words(&help.stdout) {
                assert!(
                    known.contains(&word),
                    "`{word}` is a broken flag name at COLUMNS={columns}:\n{}",
                    help.stdout
                );
            }
        }
        // Not a terminal and no COLUMNS (`iamlint check --help | less`): 80 columns.
        let piped = iamlint(&repo_root(), command);
        for line in piped.stdout.lines() {
            assert!(line.chars().count() <= 80, "{line:?}");
        }
    }
}

/// `iamlint ARGS…` as if on a terminal `columns` wide (clap reads COLUMNS when stdout
/// is not a terminal).
fn help_at(args: &[&str], columns: &str) -> Run {
    run_command(command(&repo_root()).args(args).env("COLUMNS", columns))
}

#[test]
fn no_paths_means_the_current_folder() {
    let tree = Tree::new(&[("deep/er/p.json", &policy(&[ALLOW_UPDATE_SERVICE]))]);
    let run = tree.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["subjects"][0]["name"], "deep/er/p.json");
}

#[test]
fn quiet_drops_the_summary_line_only() {
    let tree = Tree::new(&[("p.json", &policy(&[ALLOW_UPDATE_SERVICE]))]);
    let loud = tree.run(&["check", "p.json"]);
    let quiet = tree.run(&["check", "--quiet", "p.json"]);
    assert!(
        loud.stdout
            .contains("iamlint: 1 error and 0 warnings in 1 subject checked")
    );
    assert!(!quiet.stdout.contains("iamlint:"));
    assert!(quiet.stdout.contains("ecs-config-change"));
    assert_eq!((loud.code, quiet.code), (1, 1));
}

#[test]
fn scoped_grants_are_warnings_and_fail_on_decides_the_exit_code() {
    let tree = Tree::new(&[("p.json", &policy(&[ALLOW_UPDATE_SERVICE_SCOPED]))]);
    let run = tree.run(&["check", "p.json"]);
    assert_eq!(run.code, 0, "warnings do not fail by default");
    assert!(
        run.stdout.contains("ecs-config-change-scoped"),
        "{}",
        run.transcript()
    );
    assert_eq!(
        tree.run(&["check", "--fail-on", "warning", "p.json"]).code,
        1
    );
    let strict = Tree::new(&[("p.json", &policy(&[ALLOW_UPDATE_SERVICE]))]);
    assert_eq!(
        strict.run(&["check", "--fail-on", "never", "p.json"]).code,
        0
    );
}

#[test]
fn privileged_globs_match_paths_and_silence_change_findings_only() {
    let tree = Tree::new(&[
        (
            "admin/ops.json",
            &policy(&[
                ALLOW_UPDATE_SERVICE,
                r#"{"Effect": "Allow", "Action": "ecs:UpdateServices", "Resource": "*"}"#,
            ]),
        ),
        ("team/dev.json", &policy(&[ALLOW_UPDATE_SERVICE])),
    ]);
    let json = tree
        .run(&["check", "--format", "json", "--privileged", "admin/**", "."])
        .json();
    let subjects = json["subjects"].as_array().unwrap();
    assert_eq!(subjects[0]["name"], "admin/ops.json");
    assert_eq!(subjects[0]["privileged"], true);
    assert_eq!(
        subjects[0]["allowed"],
        serde_json::json!(["ecs:UpdateService"])
    );
    assert_eq!(subjects[1]["privileged"], false);
    let rules: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["subject"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            ("admin/ops.json", "unknown-action"),
            ("team/dev.json", "ecs-config-change")
        ]
    );
}

#[test]
fn monitor_packs_and_patterns() {
    let run_task = r#"{"Effect": "Allow", "Action": "ecs:RunTask", "Resource": "*"}"#;
    let tree = Tree::new(&[("p.json", &policy(&[run_task]))]);
    assert_eq!(
        tree.run(&["check", "p.json"]).code,
        0,
        "RunTask is not in ecs-config"
    );
    let json = tree
        .run(&[
            "check",
            "--format",
            "json",
            "--monitor",
            "ecs:RunTask",
            "p.json",
        ])
        .json();
    assert_eq!(
        json["subjects"][0]["allowed"],
        serde_json::json!(["ecs:RunTask"])
    );
    let write = tree.run(&[
        "check",
        "--format",
        "json",
        "--monitor",
        "ecs-write",
        "p.json",
    ]);
    assert_eq!(write.code, 1);
}

#[test]
fn monitor_errors_are_usage_errors() {
    let tree = Tree::new(&[("p.json", &policy(&[READ_ONLY]))]);
    let unknown_pack = tree.run(&["check", "--monitor", "ecs-everything", "p.json"]);
    assert_eq!(unknown_pack.code, 2);
    assert!(
        unknown_pack
            .stderr
            .contains("unknown pack `ecs-everything`"),
        "{}",
        unknown_pack.stderr
    );
    let no_match = tree.run(&["check", "--monitor", "ecs:RunTasks", "p.json"]);
    assert_eq!(no_match.code, 2);
    assert!(
        no_match
            .stderr
            .contains("`ecs:RunTasks` matches no ECS action"),
        "{}",
        no_match.stderr
    );
}

#[test]
fn unknown_action_warns_with_a_suggestion() {
    let typo = r#"{"Effect": "Deny", "Action": "ecs:UpdateServices", "Resource": "*"}"#;
    let tree = Tree::new(&[("p.json", &policy(&[READ_ONLY, typo]))]);
    let run = tree.run(&["check", "p.json"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn one_finding_per_granting_statement() {
    let a = r#"{"Sid": "A", "Effect": "Allow", "Action": "ecs:UpdateService", "Resource": "*"}"#;
    let b = r#"{"Sid": "B", "Effect": "Allow", "Action": ["ecs:UpdateService", "ecs:DeleteService"], "Resource": "*"}"#;
    let tree = Tree::new(&[("p.json", &policy(&[a, b]))]);
    let json = tree.run(&["check", "--format", "json", "p.json"]).json();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert_eq!(
        findings[0]["actions"],
        serde_json::json!(["ecs:UpdateService"])
    );
    assert_eq!(findings[0]["location"]["line"], 4);
    assert_eq!(
        findings[1]["actions"],
        serde_json::json!(["ecs:DeleteService", "ecs:UpdateService"])
    );
    assert_eq!(findings[1]["location"]["line"], 5);
}

#[test]
fn a_bad_file_never_hides_the_others() {
    let tree = Tree::new(&[
        ("a-good.json", &policy(&[ALLOW_UPDATE_SERVICE])),
        ("b-trailing-comma.json", "{\"Statement\": [],}\n"),
        (
            "c-effect.json",
            &policy(&[r#"{"Effect": "allow", "Action": "ecs:*", "Resource": "*"}"#]),
        ),
        ("d-clean.json", &policy(&[READ_ONLY])),
    ]);
    let run = tree.run(&["check", "."]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
    let json = tree.run(&["check", "--format", "json", "."]).json();
    let names: Vec<&str> = subject_names(&json);
    assert_eq!(
        names,
        [
            "a-good.json",
            "b-trailing-comma.json",
            "c-effect.json",
            "d-clean.json"
        ]
    );
    assert_eq!(json["subjects"][1]["allowed"], serde_json::json!([]));
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["ecs-config-change", "invalid-policy", "invalid-policy"]
    );
}

#[test]
fn named_files_are_read_whatever_their_extension_and_walks_take_only_json() {
    let tree = Tree::new(&[
        ("policy.txt", &policy(&[ALLOW_UPDATE_SERVICE])),
        ("dir/notes.txt", "not json"),
        ("dir/.hidden.json", "not json"),
        ("dir/.git/x.json", "not json"),
        ("dir/P.JSON", &policy(&[ALLOW_UPDATE_SERVICE])),
    ]);
    let json = tree
        .run(&["check", "--format", "json", "policy.txt", "dir"])
        .json();
    let names: Vec<&str> = subject_names(&json);
    assert_eq!(names, ["dir/P.JSON", "policy.txt"]);
}

#[test]
fn missing_paths_are_invalid_inputs_beside_good_files() {
    let tree = Tree::new(&[("good.json", &policy(&[ALLOW_UPDATE_SERVICE]))]);
    let run = tree.run(&["check", "good.json", "missing.json"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn aws_cli_wrappers_are_unwrapped() {
    let inner = policy(&[ALLOW_UPDATE_SERVICE]);
    let tree = Tree::new(&[
        (
            "version.json",
            &format!(
                r#"{{"PolicyVersion": {{"Document": {inner}, "VersionId": "v2", "IsDefaultVersion": true}}}}"#
            ),
        ),
        (
            "role.json",
            &format!(r#"{{"RoleName": "r", "PolicyName": "p", "PolicyDocument": {inner}}}"#),
        ),
    ]);
    let json = tree.run(&["check", "--format", "json", "."]).json();
    for subject in json["subjects"].as_array().unwrap() {
        assert_eq!(
            subject["allowed"],
            serde_json::json!(["ecs:UpdateService"]),
            "{subject}"
        );
    }
}

#[test]
fn color_always_and_never() {
    let tree = Tree::new(&[("p.json", &policy(&[ALLOW_UPDATE_SERVICE]))]);
    let colored = tree.run(&["check", "--color", "always", "p.json"]);
    assert!(colored.stdout.contains('\u{1b}'), "{}", colored.stdout);
    let plain = tree.run(&["check", "--color", "never", "p.json"]);
    assert!(!plain.stdout.contains('\u{1b}'));
    let auto = tree.run(&["check", "--color", "auto", "p.json"]);
    assert!(!auto.stdout.contains('\u{1b}'), "not a terminal");
}

#[test]
fn usage_errors_exit_2() {
    let run = iamlint(&repo_root(), &["check", "--format", "yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("invalid value 'yaml'"),
        "{}",
        run.stderr
    );
    assert_eq!(iamlint(&repo_root(), &["frobnicate"]).code, 2);
}

// ---- config -------------------------------------------------------------------------

#[test]
fn config_is_discovered_in_parent_folders_and_flags_replace_its_values() {
    let tree = Tree::new(&[
        (
            "iamlint.toml",
            "privileged = [\"admin/**\"]\nfail-on = \"never\"\n",
        ),
        ("sub/admin/p.json", &policy(&[ALLOW_UPDATE_SERVICE])),
        ("sub/other/p.json", &policy(&[ALLOW_UPDATE_SERVICE])),
    ]);
    let sub = tree.path().join("sub");
    let run = iamlint(&sub, &["check", "--format", "json", "."]);
    assert_eq!(run.code, 0, "fail-on never from the file");
    let json = run.json();
    assert_eq!(json["subjects"][0]["privileged"], true);
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
    let flags = iamlint(
        &sub,
        &[
            "check",
            "--fail-on",
            "error",
            "--privileged",
            "other/**",
            ".",
        ],
    );
    assert_eq!(flags.code, 1);
    assert!(
        flags.stdout.contains("admin/p.json can make"),
        "{}",
        flags.stdout
    );
}

#[test]
fn config_exclude_applies_to_walked_and_named_files() {
    let tree = Tree::new(&[
        ("iamlint.toml", "exclude = [\"legacy/**\", \"*.tf.json\"]\n"),
        ("legacy/p.json", &policy(&[ALLOW_UPDATE_SERVICE])),
        ("main.tf.json", &policy(&[ALLOW_UPDATE_SERVICE])),
        ("ok.json", &policy(&[READ_ONLY])),
    ]);
    assert_eq!(tree.run(&["check", "."]).code, 0);
    assert_eq!(
        tree.run(&["check", "legacy/p.json", "main.tf.json"]).code,
        0
    );
}

#[test]
fn config_custom_packs_and_monitor() {
    let run_task = r#"{"Effect": "Allow", "Action": "ecs:RunTask", "Resource": "*"}"#;
    let tree = Tree::new(&[
        (
            "iamlint.toml",
            "monitor = [\"ecs-config\", \"tasks\"]\n[packs.tasks]\nactions = [\"ecs:RunTask\", \"ecs:StartTask\"]\ndescription = \"starting tasks\"\n",
        ),
        ("p.json", &policy(&[run_task])),
    ]);
    let json = tree.run(&["check", "--format", "json", "p.json"]).json();
    assert_eq!(
        json["subjects"][0]["allowed"],
        serde_json::json!(["ecs:RunTask"])
    );
}

#[test]
fn config_ignore_suppresses_with_its_reason() {
    let tree = Tree::new(&[
        (
            "iamlint.toml",
            "[[ignore]]\npath = \"break-glass.json\"\nrule = \"ecs-config-change\"\nreason = \"reviewed quarterly\"\n",
        ),
        ("break-glass.json", &policy(&[ALLOW_UPDATE_SERVICE])),
    ]);
    let run = tree.run(&["check", "break-glass.json"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    let json = tree
        .run(&["check", "--format", "json", "break-glass.json"])
        .json();
    assert_eq!(json["findings"], serde_json::json!([]));
    assert_eq!(json["suppressed"][0]["rule"], "ecs-config-change");
    assert_eq!(json["suppressed"][0]["reason"], "reviewed quarterly");
}

fn config_error(config: &str) -> Run {
    let tree = Tree::new(&[("iamlint.toml", config), ("p.json", &policy(&[READ_ONLY]))]);
    let run = tree.run(&["check", "p.json"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    run
}

#[test]
fn config_errors_are_located() {
    let cases = [
        ("unknown key", "privileged = []\nfail_on = \"error\"\n"),
        ("bad fail-on", "fail-on = \"sometimes\"\n"),
        ("wrong type", "privileged = \"admin/**\"\n"),
        ("bad glob", "exclude = [\"a/[b\"]\n"),
        ("unknown pack", "monitor = [\"ecs-everything\"]\n"),
        (
            "pack pattern matches nothing",
            "[packs.x]\nactions = [\"ecs:Nope\"]\n",
        ),
        ("ignore without reason", "[[ignore]]\npath = \"p.json\"\n"),
        (
            "ignore with empty reason",
            "[[ignore]]\npath = \"p.json\"\nreason = \" \"\n",
        ),
        (
            "ignore unknown rule",
            "[[ignore]]\npath = \"p.json\"\nrule = \"nope\"\nreason = \"x\"\n",
        ),
        (
            "ignore invalid-policy",
            "[[ignore]]\npath = \"p.json\"\nrule = \"invalid-policy\"\nreason = \"x\"\n",
        ),
        ("not toml", "privileged = [\n"),
    ];
    let mut transcript = String::new();
    for (name, config) in cases {
        let run = config_error(config);
        assert!(
            run.stderr.contains("iamlint.toml"),
            "{name}: {}",
            run.stderr
        );
        transcript.push_str(&format!("=== {name}\n{}", run.stderr));
    }
    insta::assert_snapshot!(transcript);
}

#[test]
fn explicit_config_path_and_missing_config_file() {
    let tree = Tree::new(&[
        ("conf/custom.toml", "fail-on = \"never\"\n"),
        ("p.json", &policy(&[ALLOW_UPDATE_SERVICE])),
    ]);
    assert_eq!(
        tree.run(&["check", "--config", "conf/custom.toml", "p.json"])
            .code,
        0
    );
    let missing = tree.run(&["check", "--config", "nope.toml", "p.json"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("cannot read config file nope.toml: no such file or directory"),
        "{}",
        missing.stderr
    );
}

// ---- rules, explain, expand ---------------------------------------------------------

#[test]
fn rules_lists_every_rule() {
    let run = iamlint(&repo_root(), &["rules"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn explain_prints_the_rule_text_or_fails_for_unknown_rules() {
    let run = iamlint(&repo_root(), &["explain", "ecs-config-change"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("## ecs-config-change (error)"));
    assert!(run.stdout.contains("**How to fix.**"));
    let unknown = iamlint(&repo_root(), &["explain", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("unknown rule `nope`"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn expand_shows_matching_actions() {
    let run = iamlint(&repo_root(), &["expand", "ecs:?pdate*"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn expand_not_is_the_complement_and_unknown_patterns_warn() {
    let all = iamlint(&repo_root(), &["expand", "ecs:*"])
        .stdout
        .lines()
        .count();
    let update = iamlint(&repo_root(), &["expand", "ecs:Update*"])
        .stdout
        .lines()
        .count();
    let not = iamlint(&repo_root(), &["expand", "--not", "ecs:Update*"]);
    assert_eq!(not.stdout.lines().count(), all - update);
    assert!(!not.stdout.contains("ecs:UpdateService "));
    let typo = iamlint(&repo_root(), &["expand", "ecs:UpdateServices"]);
    assert_eq!((typo.code, typo.stdout.as_str()), (0, ""));
    assert!(
        typo.stderr
            .contains("warning: `ecs:UpdateServices` matches no ECS action")
    );
}
