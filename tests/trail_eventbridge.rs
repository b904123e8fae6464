//! `iamlint trail --emit eventbridge|cloudformation`: the emitted pattern, applied by an
//! EventBridge matcher written here from AWS's documented matching rules, matches exactly
//! the fixture records that the file reader reports as monitored calls of non-privileged
//! actors (changes and attempts alike); the template passes cfn-lint; both are
//! snapshotted.

mod common;

use common::*;
use serde_json::{Value, json};
use std::io::Read;
use std::path::Path;

/// EventBridge's pattern matching as AWS documents it ("Creating event patterns",
/// "Comparison operators"): every field of a pattern must match (AND), a field matches
/// when any condition of its array matches its value, or any element of an array value;
/// a missing field matches only `{"exists": false}`; `$or` matches when one of its
/// patterns does. Operators: exact values, `prefix`, `suffix`, `equals-ignore-case`,
/// `wildcard` (`*`, with `\*` and `\\` escaped), `exists`, and `anything-but` with a value,
/// a list, or `prefix` / `suffix` / `wildcard` / `equals-ignore-case` (a value or a list).
mod eventbridge {
    use serde_json::Value;

    pub fn matches(pattern: &Value, event: &Value) -> bool {
        object_matches(pattern, Some(event))
    }

    fn object_matches(pattern: &Value, event: Option<&Value>) -> bool {
        let fields = pattern.as_object().expect("a pattern is an object");
        fields.iter().all(|(key, sub)| {
            if key == "$or" {
                let branches = sub.as_array().expect("$or holds an array");
                assert!(branches.len() >= 2, "$or needs two patterns or more");
                return branches.iter().any(|b| object_matches(b, event));
            }
            let value = event.and_then(|e| e.as_object()).and_then(|o| o.get(key));
            match sub {
                Value::Object(_) => object_matches(sub, value),
                Value::Array(conditions) => {
                    assert!(!conditions.is_empty(), "an empty condition list at {key}");
                    field_matches(conditions, value)
                }
                _ => panic!("a pattern's field {key} is neither an object nor an array"),
            }
        })
    }

    fn field_matches(conditions: &[Value], value: Option<&Value>) -> bool {
        conditions.iter().any(|condition| match value {
            Some(Value::Array(items)) => {
                items
                    .iter()
                    .any(|item| condition_matches(condition, Some(item)))
                    || (condition == &serde_json::json!({"exists": true}) && !items.is_empty())
            }
            Some(Value::Object(_)) => false,
            other => condition_matches(condition, other),
        })
    }

    /// One or several strings (`"a"` or `["a", "b"]`).
    fn strings(value: &Value) -> Vec<&str> {
        match value {
            Value::String(s) => vec![s.as_str()],
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().expect("a string"))
                .collect(),
            _ => panic!("expected a string or a list of strings: {value}"),
        }
    }

    fn condition_matches(condition: &Value, value: Option<&Value>) -> bool {
        let Value::Object(operator) = condition else {
            // An exact value: strings, numbers, booleans, null.
            return value.is_some_and(|v| equal(condition, v));
        };
        assert_eq!(operator.len(), 1, "one operator per condition: {condition}");
        let (name, argument) = operator.iter().next().unwrap();
        if name == "exists" {
            return argument.as_bool().expect("exists takes a boolean") == value.is_some();
        }
        let Some(value) = value else { return false };
        let text = value.as_str();
        match name.as_str() {
            "prefix" => text.is_some_and(|t| string_test(argument, t, |t, p| t.starts_with(p))),
            "suffix" => text.is_some_and(|t| string_test(argument, t, |t, s| t.ends_with(s))),
            "equals-ignore-case" => text.is_some_and(|t| {
                strings(argument)
                    .iter()
                    .any(|a| a.to_lowercase() == t.to_lowercase())
            }),
            "wildcard" => text.is_some_and(|t| strings(argument).iter().any(|w| wildcard(w, t))),
            "anything-but" => match argument {
                Value::Object(inner) => {
                    assert_eq!(inner.len(), 1, "one operator in anything-but: {argument}");
                    let (kind, values) = inner.iter().next().unwrap();
                    let Some(t) = text else { return false };
                    let values = strings(values);
                    !values.iter().any(|v| match kind.as_str() {
                        "prefix" => t.starts_with(v),
                        "suffix" => t.ends_with(v),
                        "wildcard" => wildcard(v, t),
                        "equals-ignore-case" => v.to_lowercase() == t.to_lowercase(),
                        other => panic!("anything-but does not take {other}"),
                    })
                }
                Value::Array(values) => !values.iter().any(|v| equal(v, value)),
                single => !equal(single, value),
            },
            other => panic!("operator {other} is not implemented by this matcher"),
        }
    }

    /// `prefix`/`suffix` take a string, or `{"equals-ignore-case": string}`.
    fn string_test(argument: &Value, text: &str, test: fn(&str, &str) -> bool) -> bool {
        match argument {
            Value::String(s) => test(text, s),
            Value::Object(o) => {
                let s = o["equals-ignore-case"].as_str().expect("a string");
                test(&text.to_lowercase(), &s.to_lowercase())
            }
            _ => panic!("prefix and suffix take a string"),
        }
    }

    fn equal(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
            _ => a == b,
        }
    }

    /// `*` matches any run of characters; `\*` is a star and `\\` a backslash.
    pub fn wildcard(pattern: &str, text: &str) -> bool {
        #[derive(PartialEq)]
        enum Token {
            Star,
            Char(char),
        }
        let mut tokens = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(e @ ('*' | '\\')) => tokens.push(Token::Char(e)),
                    _ => panic!("a backslash escapes only * or \\ in {pattern}"),
                },
                '*' => {
                    assert!(
                        tokens.last() != Some(&Token::Star),
                        "consecutive * in {pattern}"
                    );
                    tokens.push(Token::Star)
                }
                c => tokens.push(Token::Char(c)),
            }
        }
        let text: Vec<char> = text.chars().collect();
        // reachable[j]: the tokens so far can match text[..j].
        let mut reachable = vec![false; text.len() + 1];
        reachable[0] = true;
        for token in &tokens {
            let mut next = vec![false; text.len() + 1];
            for j in 0..=text.len() {
                match token {
                    Token::Star => next[j] = reachable[j] || (j > 0 && next[j - 1]),
                    Token::Char(c) => next[j] = j > 0 && reachable[j - 1] && text[j - 1] == *c,
                }
            }
            reachable = next;
        }
        reachable[text.len()]
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use serde_json::json;

        fn event() -> Value {
            json!({"source": "aws.ecs", "detail": {"state": "running", "count": 5,
                "path": "/usr/lib/x", "tags": ["a", "b"], "empty": "", "user": {"arn": "arn:aws:iam::1:user/dana"}}})
        }

        fn check(pattern: Value) -> bool {
            matches(&pattern, &event())
        }

        #[test]
        fn exact_values_and_and() {
            assert!(check(json!({"source": ["aws.ecs"]})));
            assert!(check(json!({"source": ["aws.s3", "aws.ecs"]})));
            assert!(!check(json!({"source": ["aws.s3"]})));
            assert!(check(json!({"detail": {"count": [5]}})));
            assert!(!check(json!({"detail": {"count": ["5"]}})));
            assert!(check(json!({"detail": {"empty": [""]}})));
            // Every field must match.
            assert!(check(
                json!({"source": ["aws.ecs"], "detail": {"state": ["running"]}})
            ));
            assert!(!check(
                json!({"source": ["aws.ecs"], "detail": {"state": ["stopped"]}})
            ));
        }

        #[test]
        fn prefix_suffix_ignore_case_and_wildcard() {
            assert!(check(json!({"detail": {"state": [{"prefix": "run"}]}})));
            assert!(!check(json!({"detail": {"state": [{"prefix": "stop"}]}})));
            assert!(check(json!({"detail": {"state": [{"suffix": "ing"}]}})));
            assert!(!check(json!({"detail": {"count": [{"prefix": "5"}]}})));
            assert!(check(
                json!({"detail": {"state": [{"equals-ignore-case": "RUNNING"}]}})
            ));
            assert!(check(
                json!({"detail": {"state": [{"prefix": {"equals-ignore-case": "RUN"}}]}})
            ));
            assert!(check(
                json!({"detail": {"path": [{"wildcard": "*/lib/*"}]}})
            ));
            assert!(!check(
                json!({"detail": {"path": [{"wildcard": "*/bin/*"}]}})
            ));
            assert!(wildcard("a*b*c", "abbbc") && wildcard("*", "") && wildcard("a\\*", "a*"));
            assert!(
                !wildcard("a\\*", "ab") && !wildcard("a*c", "ab") && wildcard("a\\\\b", "a\\b")
            );
        }

        #[test]
        fn anything_but() {
            assert!(check(
                json!({"detail": {"state": [{"anything-but": "stopped"}]}})
            ));
            assert!(!check(
                json!({"detail": {"state": [{"anything-but": "running"}]}})
            ));
            assert!(!check(
                json!({"detail": {"state": [{"anything-but": ["stopped", "running"]}]}})
            ));
            assert!(!check(
                json!({"detail": {"count": [{"anything-but": [5, 6]}]}})
            ));
            assert!(!check(
                json!({"detail": {"state": [{"anything-but": {"prefix": "run"}}]}})
            ));
            assert!(check(
                json!({"detail": {"state": [{"anything-but": {"prefix": ["x", "y"]}}]}})
            ));
            assert!(!check(
                json!({"detail": {"state": [{"anything-but": {"suffix": ["x", "ing"]}}]}})
            ));
            assert!(!check(
                json!({"detail": {"user": {"arn": [{"anything-but": {"wildcard": ["*/sam", "*:user/*"]}}]}}})
            ));
            assert!(check(
                json!({"detail": {"user": {"arn": [{"anything-but": {"wildcard": "*/sam"}}]}}})
            ));
            assert!(!check(
                json!({"detail": {"state": [{"anything-but": {"equals-ignore-case": "RUNNING"}}]}})
            ));
        }

        #[test]
        fn arrays_match_when_any_element_does() {
            assert!(check(json!({"detail": {"tags": ["b"]}})));
            assert!(!check(json!({"detail": {"tags": ["c"]}})));
            assert!(check(json!({"detail": {"tags": [{"anything-but": "a"}]}})));
            assert!(check(json!({"detail": {"tags": [{"exists": true}]}})));
        }

        #[test]
        fn missing_fields_match_only_exists_false() {
            for condition in [
                json!("x"),
                json!({"prefix": ""}),
                json!({"anything-but": "x"}),
                json!({"anything-but": {"prefix": "x"}}),
                json!({"wildcard": "*"}),
                json!({"exists": true}),
            ] {
                assert!(
                    !check(json!({"detail": {"missing": [condition]}})),
                    "{condition}"
                );
                assert!(
                    !check(json!({"detail": {"gone": {"deeper": [condition]}}})),
                    "{condition}"
                );
            }
            assert!(check(json!({"detail": {"missing": [{"exists": false}]}})));
            assert!(check(
                json!({"detail": {"gone": {"deeper": [{"exists": false}]}}})
            ));
            assert!(!check(json!({"detail": {"state": [{"exists": false}]}})));
        }

        #[test]
        fn or_matches_one_branch() {
            assert!(check(
                json!({"detail": {"$or": [{"state": ["stopped"]}, {"count": [5]}]}})
            ));
            assert!(!check(
                json!({"detail": {"$or": [{"state": ["stopped"]}, {"count": [6]}]}})
            ));
            assert!(!check(
                json!({"source": ["aws.s3"], "detail": {"$or": [{"state": ["running"]}, {"count": [5]}]}})
            ));
        }
    }
}

const PLATFORM: &str = "arn:aws:iam::*:role/platform/*";

/// Every record of the fixture logs (S3 files, plain files, lookup-events output).
fn fixture_records() -> Vec<Value> {
    fn walk(dir: &Path, out: &mut Vec<Value>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                walk(&path, out);
                continue;
            }
            if name.contains("Digest") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let mut text = String::new();
            if bytes.starts_with(&[0x1f, 0x8b]) {
                flate2::read::MultiGzDecoder::new(&bytes[..])
                    .read_to_string(&mut text)
                    .unwrap();
            } else {
                text = String::from_utf8(bytes).unwrap();
            }
            let log: Value = serde_json::from_str(&text).unwrap();
            if let Some(records) = log["Records"].as_array() {
                out.extend(records.iter().cloned());
            }
            for event in log["Events"].as_array().into_iter().flatten() {
                out.push(serde_json::from_str(event["CloudTrailEvent"].as_str().unwrap()).unwrap());
            }
        }
    }
    let mut records = Vec::new();
    walk(&repo_root().join("tests/fixtures/trail/logs"), &mut records);
    assert!(records.len() >= 20, "{} records", records.len());
    records
}

/// A record as EventBridge delivers CloudTrail's management events.
fn as_event(record: &Value) -> Value {
    let source = record["eventSource"].as_str().unwrap();
    json!({
        "version": "0",
        "id": record["eventID"],
        "detail-type": "AWS API Call via CloudTrail",
        "source": format!("aws.{}", source.split('.').next().unwrap()),
        "account": record["recipientAccountId"],
        "time": record["eventTime"],
        "region": record["awsRegion"],
        "resources": [],
        "detail": record,
    })
}

/// Whether the file reader, given only `record`, reports a monitored call by a
/// non-privileged actor.
fn reader_reports(tree: &Tree, record: &Value, args: &[&str]) -> bool {
    tree.write("one/record.json", &json!({"Records": [record]}).to_string());
    let mut all = vec!["trail", "one/record.json", "--format", "json"];
    all.extend_from_slice(args);
    let run = tree.run(&all);
    assert!(run.code == 0 || run.code == 1, "{}", run.transcript());
    run.json()["activity"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["privileged"] == false)
}

fn emitted_pattern(tree: &Tree, args: &[&str]) -> (Value, String) {
    let mut all = vec!["trail", "--emit", "eventbridge"];
    all.extend_from_slice(args);
    let run = tree.run(&all);
    assert_eq!(run.code, 0, "{}", run.transcript());
    (run.json(), run.stderr)
}

/// The ids of the records the pattern matches, and of those the reader reports.
fn compare(tree: &Tree, records: &[Value], args: &[&str]) -> (Vec<String>, Vec<String>, String) {
    let (pattern, notes) = emitted_pattern(tree, args);
    let mut matched = Vec::new();
    let mut reported = Vec::new();
    for record in records {
        let id = format!(
            "{} {} {}",
            record["eventID"].as_str().unwrap_or("?"),
            record["eventName"].as_str().unwrap(),
            record["userIdentity"]["type"].as_str().unwrap_or("?")
        );
        if eventbridge::matches(&pattern, &as_event(record)) {
            matched.push(id.clone());
        }
        if reader_reports(tree, record, args) {
            reported.push(id);
        }
    }
    (matched, reported, notes)
}

#[test]
fn the_pattern_matches_exactly_what_the_reader_reports() {
    let tree = Tree::new(&[]);
    let records = fixture_records();
    let cases: &[&[&str]] = &[
        &[],
        &["--privileged", PLATFORM],
        &[
            "--privileged",
            "arn:aws:iam::111122223333:*",
            "--privileged",
            "service:*",
            "--privileged",
            "accounts.google.com",
        ],
        &[
            "--privileged",
            "arn:aws:iam::*:role/*",
            "--privileged",
            "*/dana",
            "--privileged",
            "broker",
            "--privileged",
            "*:root",
        ],
        &[
            "--privileged",
            "arn:aws:iam::111122223333:user/intern",
            "--privileged",
            "arn:aws:iam::111122223333:user/dana",
        ],
        &["--include-service-linked", "--privileged", PLATFORM],
        &[
            "--include-service-linked",
            "--privileged",
            "service:ecs.amazonaws.com",
        ],
        &["--monitor", "rtma", "--privileged", "ci-deploy"],
        &["--privileged", "*"],
    ];
    for args in cases {
        let (matched, reported, _) = compare(&tree, &records, args);
        assert_eq!(matched, reported, "{args:?}");
        if args != &["--privileged", "*"] {
            assert!(
                !reported.is_empty(),
                "{args:?}: a case that selects nothing proves little"
            );
        }
    }
    // Denied and failed attempts are matched too.
    let (matched, _, _) = compare(&tree, &records, &["--privileged", PLATFORM]);
    assert!(
        matched.iter().any(|m| m.contains("DeleteCluster IAMUser")),
        "{matched:?}"
    );
}

#[test]
fn what_eventbridge_cannot_say_is_matched_and_noted() {
    let tree = Tree::new(&[]);
    let records = fixture_records();
    let args = [
        "--privileged",
        "/aws-reserved/sso.amazonaws.com/eu-west-1/",
        "--privileged",
        "dan?",
    ];
    let (matched, reported, notes) = compare(&tree, &records, &args);
    for id in &reported {
        assert!(matched.contains(id), "{id} reported, not matched");
    }
    assert!(matched.len() > reported.len(), "{matched:?}");
    assert!(notes.contains("note: privileged glob `/aws-reserved/sso.amazonaws.com/eu-west-1/` matches a name or path"), "{notes}");
    assert!(
        notes.contains("note: privileged glob `dan?` uses ?"),
        "{notes}"
    );
}

#[test]
fn privileged_globs_and_monitor_come_from_the_config_file() {
    let tree = Tree::new(&[(
        "iamlint.toml",
        "privileged = [\"arn:aws:iam::111122223333:user/dana\"]\nmonitor = [\"ecs:UpdateService\"]\n",
    )]);
    let (pattern, _) = emitted_pattern(&tree, &[]);
    assert_eq!(pattern["detail"]["eventName"], json!(["UpdateService"]));
    assert!(
        pattern
            .to_string()
            .contains("arn:aws:iam::111122223333:user/dana")
    );
}

#[test]
fn emitted_outputs() {
    let tree = Tree::new(&[]);
    let args = [
        "--monitor",
        "ecs:UpdateService",
        "--monitor",
        "ecs:DeleteCluster",
        "--privileged",
        PLATFORM,
        "--privileged",
        "dana",
        "--privileged",
        "/platform/",
    ];
    let mut eventbridge = vec!["trail", "--emit", "eventbridge"];
    eventbridge.extend_from_slice(&args);
    insta::assert_snapshot!("emitted_eventbridge", tree.run(&eventbridge).transcript());
    let mut cloudformation = vec!["trail", "--emit", "cloudformation"];
    cloudformation.extend_from_slice(&args);
    insta::assert_snapshot!(
        "emitted_cloudformation",
        tree.run(&cloudformation).transcript()
    );
    for conflicting in [
        &["logs"][..],
        &["--since", "7d"],
        &["--emit-sql", "athena"],
        &["--from-query", "r.csv"],
        &["--live"],
    ] {
        let mut all = vec!["trail", "--emit", "eventbridge"];
        all.extend_from_slice(conflicting);
        let run = tree.run(&all);
        assert_eq!(run.code, 2, "{conflicting:?}");
        assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    }
}

/// cfn-lint on `template`, run by the pinned Python of the test command.
fn cfn_lint(tree: &Tree, template: &str) -> std::process::Output {
    let Some(python) = std::env::var_os("IAMLINT_TEST_PYTHON") else {
        panic!(
            "IAMLINT_TEST_PYTHON is not set: run the tests with scripts/test.sh, which installs cfn-lint and sets it"
        )
    };
    std::process::Command::new(python)
        .args([
            "-c",
            "import sys; from cfnlint.runner import main; sys.exit(main())",
        ])
        .arg(template)
        .current_dir(tree.path())
        .output()
        .expect("run cfn-lint")
}

#[test]
fn the_template_passes_cfn_lint() {
    let tree = Tree::new(&[]);
    for args in [
        &["--privileged", PLATFORM, "--privileged", "/platform/"][..],
        &[
            "--include-service-linked",
            "--privileged",
            "service:ecs.amazonaws.com",
        ],
    ] {
        let mut all = vec!["trail", "--emit", "cloudformation"];
        all.extend_from_slice(args);
        let run = tree.run(&all);
        assert_eq!(run.code, 0, "{}", run.transcript());
        let template = run.json();
        assert_eq!(
            template["Resources"]["EcsChangeRule"]["Properties"]["EventPattern"],
            emitted_pattern(&tree, args).0
        );
        tree.write("template.json", &run.stdout);
        let output = cfn_lint(&tree, "template.json");
        assert!(
            output.status.success() && output.stdout.is_empty(),
            "cfn-lint: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        // cfn-lint does check: the same template with the rule's target broken fails.
        let mut broken = template.clone();
        broken["Resources"]["EcsChangeRule"]["Properties"]["Targets"] =
            json!([{"Arn": {"Ref": "NoSuchTopic"}}]);
        tree.write("broken.json", &broken.to_string());
        let output = cfn_lint(&tree, "broken.json");
        assert!(
            !output.status.success(),
            "cfn-lint passed a broken template"
        );
    }
}

/// Any glob that the pattern expresses without a note excludes exactly the users and roles
/// the reader's privileged matcher names (by ARN, name or path), for role sessions and
/// IAM users alike.
mod globs_against_the_reader {
    use super::eventbridge;
    use iamlint::globs::PrincipalMatcher;
    use iamlint::report::trail::eventbridge::{Selection, pattern};
    use iamlint::trail::actor::Actor;
    use proptest::prelude::*;
    use serde_json::json;

    const ARNS: &[&str] = &[
        "arn:aws:iam::111122223333:user/dana",
        "arn:aws:iam::111122223333:user/ops/dana",
        "arn:aws:iam::111122223333:user/danab",
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::444455556666:role/platform/admin",
        "arn:aws:iam::111122223333:role/platform/team/deploy",
        "arn:aws:iam::111122223333:role/ci-deploy",
        "arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "arn:aws-cn:iam::111122223333:role/dana",
    ];

    fn glob() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "arn:",
            "aws",
            ":iam::",
            "111122223333",
            ":",
            "role/",
            "user/",
            "platform/",
            "dana",
            "admin",
            "/",
            "*",
            "**",
            "root",
            "deploy",
            "ci-",
        ]);
        prop::collection::vec(pieces, 1..6).prop_map(|p| p.concat())
    }

    fn actor(id: &str) -> Actor {
        Actor {
            id: id.into(),
            kind: "IAMUser".into(),
            account: None,
            cross_account: false,
            session: None,
            via: None,
        }
    }

    proptest! {
        #[test]
        fn exclusions_agree_with_the_matcher(glob in glob()) {
            let globs = vec![glob.clone()];
            let emitted = pattern(&Selection {
                monitored: &["ecs:UpdateService".to_string()],
                privileged_globs: &globs,
                include_service_linked: false,
            });
            let glob_noted = emitted.notes.iter().any(|n| n.contains(&format!("`{glob}`")));
            prop_assume!(!glob_noted);
            let matcher = PrincipalMatcher::new(&globs);
            for arn in ARNS {
                let actor = actor(arn);
                let privileged = actor.is_aws()
                    || actor.names().iter().any(|n| !n.is_empty() && matcher.is_match(n));
                let (kind, identity) = if arn.ends_with(":root") || arn.contains(":user/") {
                    ("IAMUser", json!({"type": "IAMUser", "arn": arn}))
                } else {
                    ("AssumedRole", json!({"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/r/s",
                        "sessionContext": {"sessionIssuer": {"type": "Role", "arn": arn}}}))
                };
                let event = json!({"source": "aws.ecs", "detail-type": "AWS API Call via CloudTrail",
                    "detail": {"eventSource": "ecs.amazonaws.com", "eventName": "UpdateService", "userIdentity": identity}});
                prop_assert_eq!(
                    eventbridge::matches(&emitted.pattern, &event),
                    !privileged,
                    "glob {} on {} ({})", glob, arn, kind
                );
            }
        }
    }
}
