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
    assert_eq!(
        subjects[2],
        (
            "user/alice".into(),
            json!(false),
            update_and_register,
            json!([])
        )
    );
    assert_eq!(
        subjects[3],
        (
            "user/bob".into(),
            json!(false),
            json!([]),
            json!(["ecs:CreateCluster"])
        )
    );
    assert_eq!(
        subjects[4],
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
            ("user/alice".to_string(), "ecs-config-change"),
            ("user/bob".to_string(), "ecs-config-change-scoped"),
            ("user/carol".to_string(), "ecs-config-change"),
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
    assert_eq!(privileged, [false, false, true, false, false]);
}
