//! The live account review against a real moto IAM server (PyPI `moto[server]`, pinned
//! in scripts/test.sh), started on a free loopback port for each test and stopped after.
#![cfg(feature = "aws")]

mod common;

use common::*;
use serde_json::json;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A moto server; killed when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn venv_tool(var: &str) -> PathBuf {
    let path = std::env::var_os(var).unwrap_or_else(|| {
        panic!(
            "{var} is not set: run the tests with scripts/test.sh, which installs moto and sets it"
        )
    });
    PathBuf::from(path)
}

fn start_moto() -> Moto {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(venv_tool("IAMLINT_TEST_MOTO_SERVER"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not start within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    let seeded = Command::new(venv_tool("IAMLINT_TEST_PYTHON"))
        .arg(repo_root().join("tests/moto_seed.py"))
        .arg(&moto.url)
        .output()
        .expect("run the seeding script");
    assert!(
        seeded.status.success(),
        "seeding failed: {}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    moto
}

fn review(moto: &Moto, args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = command(&repo_root());
    cmd.args(["account", "--endpoint-url", &moto.url, "--format", "json"])
        .args(args)
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    run_command(&mut cmd)
}

#[test]
fn reviews_a_seeded_account() {
    let moto = start_moto();
    let run = review(&moto, &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let json = run.json();
    let subjects: Vec<_> = json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"]
                    .as_str()
                    .unwrap()
                    .rsplit(':')
                    .next()
                    .unwrap()
                    .to_string(),
                s["privileged"].clone(),
                s["allowed"].clone(),
                s["scoped"].clone(),
            )
        })
        .collect();
    let update_and_register = json!(["ecs:RegisterTaskDefinition", "ecs:UpdateService"]);
    assert_eq!(
        subjects[0],
        ("role/app-task".into(), json!(false), json!([]), json!([]))
    );
    assert_eq!(
        subjects[1].0,
        "role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForecs"
    );
    assert_eq!(
        subjects[1].1,
        json!(true),
        "service-linked roles are privileged by default"
    );
    // Through the group; the default version v2, not v1 (DeleteCluster) or v3 (ecs:*).
    assert_eq!(subjects[2].0, "role/hop-a");
    assert_eq!(subjects[3].0, "role/hop-b");
    assert_eq!(
        subjects[4],
        (
            "user/alice".into(),
            json!(false),
            update_and_register,
            json!([])
        )
    );
    assert_eq!(
        subjects[5],
        (
            "user/bob".into(),
            json!(false),
            json!([]),
            json!(["ecs:CreateCluster"])
        )
    );
    assert_eq!(
        subjects[6],
        (
            "user/carol".into(),
            json!(false),
            json!(["ecs:UpdateService"]),
            json!([])
        )
    );
    assert_eq!(
        json["subjects"][0]["trusted_by"],
        json!(["Service:ecs-tasks.amazonaws.com"])
    );
    let mut findings: Vec<(String, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let subject = f["subject"].as_str().unwrap().rsplit(':').next().unwrap();
            (subject.to_string(), f["rule"].as_str().unwrap())
        })
        .collect();
    findings.sort();
    assert_eq!(
        findings,
        [
            ("role/hop-a".to_string(), "ecs-config-change-indirect"),
            ("role/hop-b".to_string(), "ecs-config-change"),
            ("user/alice".to_string(), "ecs-config-change"),
            ("user/bob".to_string(), "ecs-config-change-scoped"),
            ("user/carol".to_string(), "ecs-config-change"),
            ("user/chain-user".to_string(), "ecs-config-change-indirect"),
        ]
    );
}

#[test]
fn privileged_globs_and_service_linked_override() {
    let moto = start_moto();
    let json = review(
        &moto,
        &[
            "--privileged",
            "arn:aws:iam::*:user/alice",
            "--include-service-linked",
        ],
    )
    .json();
    let privileged: Vec<bool> = json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["privileged"].as_bool().unwrap())
        .collect();
    assert_eq!(
        privileged,
        [false, false, false, false, true, false, false, false]
    );
}

#[test]
fn follows_an_assume_role_chain() {
    let moto = start_moto();
    let run = review(&moto, &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let json = run.json();
    let subjects = json["subjects"].as_array().unwrap();
    let by_name = |suffix: &str| {
        subjects
            .iter()
            .find(|s| s["name"].as_str().unwrap().ends_with(suffix))
            .unwrap_or_else(|| panic!("no subject {suffix}: {json}"))
    };
    let user = by_name(":user/chain-user");
    let user_arn = user["name"].as_str().unwrap();
    let account = user_arn.split(':').nth(4).unwrap();
    let hop_a = format!("arn:aws:iam::{account}:role/hop-a");
    let hop_b = format!("arn:aws:iam::{account}:role/hop-b");
    assert_eq!(user["allowed"], json!([]));
    assert_eq!(user["reachable"], json!(["ecs:UpdateService"]));
    let path = &user["paths"][0];
    assert_eq!(path["actions"], json!(["ecs:UpdateService"]));
    assert_eq!(path["scoped"], json!(false));
    let steps: Vec<_> = path["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap(),
                s["id"].as_str().unwrap(),
                s["from"].as_str().unwrap(),
                s["to"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("assume-role", "sts-001", user_arn, hop_a.as_str()),
            ("assume-role", "sts-001", hop_a.as_str(), hop_b.as_str()),
        ]
    );
    assert_eq!(
        by_name(":role/hop-b")["trusted_by"],
        json!([format!("AWS:{hop_a}")])
    );
    let indirect: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["subject"] == user_arn)
        .map(|f| (f["rule"].as_str().unwrap(), f["actions"].clone()))
        .collect();
    assert_eq!(
        indirect,
        [("ecs-config-change-indirect", json!(["ecs:UpdateService"]))]
    );
}
