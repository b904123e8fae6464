//! Hostile and broken inputs, each checked in one run beside a good file: one clear,
//! located message, exit code 2, no panic, and the good file's finding still reported.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Run `check --format json` on `good.json` plus `args`; return the JSON and exit code.
fn check_beside_good(tree: &Tree, args: &[&str]) -> (i32, Value) {
    tree.write("good.json", &policy(&[ALLOW_UPDATE_SERVICE]));
    let mut all = vec!["check", "--format", "json", "good.json"];
    all.extend_from_slice(args);
    let run = tree.run(&all);
    assert!(!run.stderr.contains("panicked"), "{}", run.transcript());
    let json = run.json();
    let good = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["subject"] == "good.json" && f["rule"] == "ecs-config-change");
    assert!(good, "the good file's finding is missing:\n{}", run.stdout);
    (run.code, json)
}

/// The single invalid-policy finding about `subject`: (message, line, column).
fn invalid(json: &Value, subject: &str) -> (String, u64, u64) {
    let found: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["subject"] == subject && f["rule"] == "invalid-policy")
        .collect();
    assert_eq!(found.len(), 1, "{subject}: {json:#}");
    let f = found[0];
    (
        f["message"].as_str().unwrap().to_string(),
        f["location"]["line"].as_u64().unwrap(),
        f["location"]["column"].as_u64().unwrap(),
    )
}

fn case(name: &str, content: &[u8]) -> (i32, Value) {
    let tree = Tree::new(&[]);
    std::fs::write(tree.path().join(name), content).unwrap();
    let (code, json) = check_beside_good(&tree, &[name]);
    (code, json)
}

#[test]
fn invalid_utf8_is_located_at_the_first_bad_byte() {
    let (code, json) = case("bad.json", b"{\n  \"Statement\": \"\xff\"\n}\n");
    assert_eq!(code, 2);
    assert_eq!(
        invalid(&json, "bad.json"),
        ("file is not valid UTF-8".into(), 2, 17)
    );
}

#[test]
fn a_utf8_bom_is_accepted_and_columns_ignore_it() {
    let text = format!("\u{feff}{}", policy(&[ALLOW_UPDATE_SERVICE]));
    let (code, json) = case("bom.json", text.as_bytes());
    assert_eq!(code, 1);
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"] == "bom.json")
        .unwrap();
    assert_eq!(
        (
            finding["location"]["line"].as_u64(),
            finding["location"]["column"].as_u64()
        ),
        (Some(4), Some(35))
    );
}

#[test]
fn empty_and_whitespace_files() {
    for content in [&b""[..], b"  \n\t\r\n"] {
        let (code, json) = case("empty.json", content);
        assert_eq!(code, 2);
        assert_eq!(invalid(&json, "empty.json"), ("file is empty".into(), 1, 1));
    }
}

#[test]
fn json_values_that_are_not_policies() {
    for (content, message) in [
        ("null", "policy must be a JSON object, found null"),
        ("[]", "policy must be a JSON object, found array"),
        (
            "[{\"Statement\": []}]",
            "policy must be a JSON object, found array",
        ),
        (
            "\"Statement\"",
            "policy must be a JSON object, found string",
        ),
        ("42", "policy must be a JSON object, found number"),
    ] {
        let (code, json) = case("value.json", content.as_bytes());
        assert_eq!(code, 2, "{content}");
        assert_eq!(
            invalid(&json, "value.json"),
            (message.to_string(), 1, 1),
            "{content}"
        );
    }
}

#[test]
fn wrong_types_everywhere_are_each_reported() {
    let text = r#"{"Version": 1, "Statement": [{"Sid": [], "Effect": null, "Action": [1], "Resource": {}, "Condition": "x"}]}"#;
    let tree = Tree::new(&[("types.json", text)]);
    tree.write("good.json", &policy(&[ALLOW_UPDATE_SERVICE]));
    let json = tree
        .run(&["check", "--format", "json", "good.json", "types.json"])
        .json();
    let messages: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["subject"] == "types.json")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "expected a string, found number",
            "expected a string, found array",
            "expected a string, found null",
            "expected a string, found number",
            "expected a string or a list of strings, found object",
            "expected an object, found string",
        ]
    );
}

#[test]
fn deep_nesting_is_refused_without_a_stack_overflow() {
    let deep = format!(
        "{{\"Statement\": {}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (code, json) = case("deep.json", deep.as_bytes());
    assert_eq!(code, 2);
    let (message, line, column) = invalid(&json, "deep.json");
    assert_eq!(
        (message.as_str(), line, column),
        ("nesting deeper than 64 levels", 1, 78)
    );
}

#[test]
fn files_over_the_size_limit_are_refused_before_reading() {
    let tree = Tree::new(&[]);
    // A sparse 100 MB file: its size is real, its blocks are not.
    let file = std::fs::File::create(tree.path().join("huge.json")).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    let (code, json) = check_beside_good(&tree, &["huge.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        invalid(&json, "huge.json").0,
        "cannot read: file is 104857600 bytes, over the limit of 8388608 bytes (raise it with --max-file-size)"
    );
    let (_, json) = check_beside_good(&tree, &["--max-file-size", "1000", "huge.json"]);
    assert!(
        invalid(&json, "huge.json")
            .0
            .contains("over the limit of 1000 bytes")
    );
}

#[test]
fn max_file_size_from_the_config() {
    let tree = Tree::new(&[("iamlint.toml", "max-file-size = 10\n")]);
    let run = tree.run(&[
        "check",
        "--format",
        "json",
        "--max-file-size",
        "100000",
        ".",
    ]);
    assert_eq!(
        run.code, 0,
        "the flag replaces the config value: {}",
        run.stdout
    );
    tree.write("good.json", &policy(&[ALLOW_UPDATE_SERVICE]));
    let run = tree.run(&["check", "--format", "json", "good.json"]);
    assert_eq!(run.code, 2);
    assert!(
        invalid(&run.json(), "good.json")
            .0
            .contains("over the limit of 10 bytes")
    );
}

#[test]
fn duplicate_keys_anywhere() {
    let text = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"ecs:*\",\n \"Resource\": \"*\", \"Condition\": {\"Bool\": {\"a\": \"1\", \"a\": \"2\"}}}]}";
    let (code, json) = case("dup.json", text.as_bytes());
    assert_eq!(code, 2);
    assert_eq!(
        invalid(&json, "dup.json"),
        ("duplicate key `a`".into(), 2, 52)
    );
}

#[test]
fn unreadable_files() {
    use std::os::unix::fs::PermissionsExt;
    let tree = Tree::new(&[("locked.json", &policy(&[READ_ONLY]))]);
    let path = tree.path().join("locked.json");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root (as in many CI containers) reads a mode-000 file anyway: then iamlint must read
    // it too; otherwise it must say "permission denied".
    let privileged = std::fs::read(&path).is_ok();
    let (code, json) = check_beside_good(&tree, &["locked.json"]);
    if privileged {
        assert_eq!(code, 1, "{json:#}");
    } else {
        assert_eq!(code, 2);
        assert_eq!(
            invalid(&json, "locked.json").0,
            "cannot read: permission denied"
        );
    }
    // A dangling symlink cannot be read by anyone.
    std::os::unix::fs::symlink("nowhere.json", tree.path().join("dangling.json")).unwrap();
    let (code, json) = check_beside_good(&tree, &["dangling.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        invalid(&json, "dangling.json").0,
        "cannot read: no such file or directory"
    );
}

#[test]
fn a_symlink_loop_in_a_walked_folder_does_not_trap_the_walk() {
    let tree = Tree::new(&[("dir/p.json", &policy(&[READ_ONLY]))]);
    std::os::unix::fs::symlink("..", tree.path().join("dir/up")).unwrap();
    std::os::unix::fs::symlink("loop", tree.path().join("dir/loop")).unwrap();
    let (code, json) = check_beside_good(&tree, &["dir"]);
    assert_eq!(code, 1, "{json:#}");
    let names: Vec<&str> = subject_names(&json);
    assert_eq!(names, ["dir/p.json", "good.json"]);
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let tree = Tree::new(&[]);
    mkfifo(&tree.path().join("pipe.json"));
    let (code, json) = check_beside_good(&tree, &["pipe.json", "/dev/null"]);
    assert_eq!(code, 2);
    let not_regular = "cannot read: not a regular file (a FIFO, socket or device)";
    assert_eq!(invalid(&json, "pipe.json").0, not_regular);
    assert_eq!(invalid(&json, "/dev/null").0, not_regular);
    // Found by a walk too.
    let (code, json) = check_beside_good(&tree, &["."]);
    assert_eq!(code, 2);
    assert_eq!(invalid(&json, "pipe.json").0, not_regular);
}

#[test]
fn named_files_without_json_extension_are_read() {
    let (code, json) = case("policy.txt", policy(&[ALLOW_UPDATE_SERVICE]).as_bytes());
    assert_eq!(code, 1);
    assert_eq!(json["subjects"][1]["name"], "policy.txt");
    assert_eq!(
        json["subjects"][1]["allowed"],
        serde_json::json!(["ecs:UpdateService"])
    );
}

#[test]
fn non_existent_paths() {
    let tree = Tree::new(&[]);
    let (code, json) = check_beside_good(&tree, &["no/such/file.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        invalid(&json, "no/such/file.json"),
        ("cannot read: no such file or directory".into(), 1, 1)
    );
}

#[test]
fn binary_garbage_never_panics() {
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    bytes.extend_from_slice(b"{\"\\u");
    let (code, _) = case("garbage.json", &bytes);
    assert_eq!(code, 2);
}
