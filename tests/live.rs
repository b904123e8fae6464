//! The live review against a scripted IAM endpoint on 127.0.0.1: paging through Marker,
//! and one clear message with exit code 2 for every fault. No real AWS is contacted: the
//! credential chain is pinned to environment variables and IMDS is disabled.
#![cfg(feature = "aws")]

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One scripted answer: HTTP status and body.
type Answer = (u16, String);

/// A tiny HTTP server answering requests in order from `answers` (the last repeats),
/// recording each request body.
struct FakeIam {
    url: String,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl FakeIam {
    fn start(answers: Vec<Answer>) -> FakeIam {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&bodies);
        std::thread::spawn(move || {
            for (served, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { return };
                let answer = answers.get(served).or(answers.last()).cloned().unwrap();
                if let Some(body) = serve(stream, &answer) {
                    seen.lock().unwrap().push(body);
                }
            }
        });
        FakeIam { url, bodies }
    }
}

fn serve(stream: TcpStream, (status, body): &Answer) -> Option<String> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut request = vec![0; length];
    reader.read_exact(&mut request).ok()?;
    let mut stream = stream;
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).ok()?;
    Some(String::from_utf8_lossy(&request).into_owned())
}

fn encode(document: &str) -> String {
    document
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn page(users: &str, policies: &str, marker: Option<&str>) -> Answer {
    let truncated = match marker {
        Some(m) => format!("<IsTruncated>true</IsTruncated><Marker>{m}</Marker>"),
        None => "<IsTruncated>false</IsTruncated>".into(),
    };
    (
        200,
        format!(
            r#"<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult>{truncated}<UserDetailList>{users}</UserDetailList><GroupDetailList/><RoleDetailList/><Policies>{policies}</Policies></GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>"#
        ),
    )
}

fn user(name: &str, inline_document: &str, attached_arn: Option<&str>) -> String {
    let attached = attached_arn.map_or(String::new(), |arn| {
        format!("<member><PolicyName>p</PolicyName><PolicyArn>{arn}</PolicyArn></member>")
    });
    format!(
        "<member><Path>/</Path><UserName>{name}</UserName><UserId>AIDA{name}</UserId><Arn>arn:aws:iam::111122223333:user/{name}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate><UserPolicyList><member><PolicyName>own</PolicyName><PolicyDocument>{}</PolicyDocument></member></UserPolicyList><GroupList/><AttachedManagedPolicies>{attached}</AttachedManagedPolicies></member>",
        encode(inline_document)
    )
}

fn managed(arn: &str, default_document: &str, newer_document: &str) -> String {
    format!(
        "<member><PolicyName>p</PolicyName><PolicyId>ANPA1</PolicyId><Arn>{arn}</Arn><Path>/</Path><DefaultVersionId>v1</DefaultVersionId><AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable><PolicyVersionList><member><Document>{}</Document><VersionId>v2</VersionId><IsDefaultVersion>false</IsDefaultVersion></member><member><Document>{}</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion></member></PolicyVersionList></member>",
        encode(newer_document),
        encode(default_document)
    )
}

fn error(status: u16, code: &str, message: &str) -> Answer {
    (
        status,
        format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
        ),
    )
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";

/// `iamlint account ARGS…` with credentials in the environment, aimed at `url`.
fn live(url: &str, args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = command(&repo_root());
    cmd.args(["account", "--endpoint-url", url])
        .args(args)
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", "token-that-must-not-leak")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("none"));
    let run = run_command(&mut cmd);
    for secret in [SECRET, KEY_ID, "token-that-must-not-leak"] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a secret leaked:\n{}",
            run.transcript()
        );
    }
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("backtrace"),
        "{}",
        run.transcript()
    );
    run
}

const UPDATE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:UpdateService","Resource":"*"}]}"#;
const DELETE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:DeleteService","Resource":"*"}]}"#;
const EVERYTHING: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}"#;
const READ: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}"#;

#[test]
fn follows_every_page_and_reviews_the_default_versions() {
    let arn = "arn:aws:iam::111122223333:policy/deploy";
    let iam = FakeIam::start(vec![
        page(&user("alice", UPDATE, None), "", Some("page-2")),
        page(&user("bob", READ, Some(arn)), "", Some("page-3")),
        page("", &managed(arn, DELETE, EVERYTHING), None),
    ]);
    let run = live(&iam.url, &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let json = run.json();
    let access: Vec<(String, serde_json::Value)> = json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["allowed"].clone(),
            )
        })
        .collect();
    assert_eq!(
        access,
        [
            (
                "arn:aws:iam::111122223333:user/alice".to_string(),
                serde_json::json!(["ecs:UpdateService"])
            ),
            (
                "arn:aws:iam::111122223333:user/bob".to_string(),
                serde_json::json!(["ecs:DeleteService"])
            ),
        ]
    );
    let bodies = iam.bodies.lock().unwrap();
    assert_eq!(bodies.len(), 3);
    assert!(!bodies[0].contains("Marker="));
    assert!(
        bodies[1].contains("Marker=page-2") && bodies[2].contains("Marker=page-3"),
        "{bodies:?}"
    );
}

#[test]
fn permissions_boundaries_from_the_api_cut_access() {
    let arn = "arn:aws:iam::111122223333:policy/boundary";
    let boundary = format!(
        "<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>{arn}</PermissionsBoundaryArn></PermissionsBoundary>"
    );
    let carol = user("carol", EVERYTHING, None).replace(
        "<AttachedManagedPolicies>",
        &format!("{boundary}<AttachedManagedPolicies>"),
    );
    let iam = FakeIam::start(vec![page(&carol, &managed(arn, UPDATE, EVERYTHING), None)]);
    let json = live(&iam.url, &["--format", "json"]).json();
    assert_eq!(
        json["subjects"][0]["allowed"],
        serde_json::json!(["ecs:UpdateService"])
    );
}

#[test]
fn snapshot_writes_the_pages_and_findings_point_there() {
    let iam = FakeIam::start(vec![page(&user("alice", UPDATE, None), "", None)]);
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snap");
    let run = live(
        &iam.url,
        &["--format", "json", "--snapshot", snapshot.to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    let page = std::fs::read_to_string(snapshot.join("authorization-details-1.json")).unwrap();
    let location = &run.json()["findings"][0]["location"];
    let line = page
        .lines()
        .nth(location["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert!(line.contains("\"Action\": \"ecs:UpdateService\""), "{line}");
}

#[test]
fn a_single_throttle_is_retried_and_the_run_completes() {
    let iam = FakeIam::start(vec![
        error(400, "Throttling", "Rate exceeded"),
        page(&user("alice", READ, None), "", None),
    ]);
    let run = live(&iam.url, &[]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, ""),
        "{}",
        run.transcript()
    );
}

fn fault(answers: Vec<Answer>, expected: &str) {
    let iam = FakeIam::start(answers);
    let run = live(&iam.url, &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(run.stdout, "", "never a partial report");
    assert!(
        unwrapped(&run.stderr).contains(expected),
        "expected {expected:?} in:\n{}",
        run.stderr
    );
}

/// The error text with miette's line wrapping undone.
fn unwrapped(stderr: &str) -> String {
    stderr
        .split('\n')
        .map(|l| l.trim_start().trim_start_matches(['×', '│']).trim())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn access_denied_names_the_missing_permission() {
    fault(
        vec![error(
            403,
            "AccessDenied",
            "User: arn:aws:iam::111122223333:user/x is not authorized to perform: iam:GetAccountAuthorizationDetails",
        )],
        "The credentials need iam:GetAccountAuthorizationDetails; policies/iamlint-readonly.json is the policy to attach",
    );
}

#[test]
fn endless_throttling_fails_after_retries() {
    fault(
        vec![error(400, "Throttling", "Rate exceeded")],
        "the IAM API kept throttling after 4 attempts with backoff",
    );
}

#[test]
fn expired_and_invalid_credentials() {
    fault(
        vec![error(
            403,
            "ExpiredToken",
            "The security token included in the request is expired",
        )],
        "the credentials have expired",
    );
    fault(
        vec![error(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )],
        "the credentials were rejected (InvalidClientTokenId)",
    );
}

#[test]
fn server_errors_and_malformed_answers() {
    fault(
        vec![(500, "oops".into())],
        "IAM GetAccountAuthorizationDetails (page 1): the endpoint answered HTTP 500 without an AWS error, 4 times",
    );
    fault(
        vec![(200, "<not-xml".into())],
        "the IAM endpoint sent a response that is not a valid IAM answer",
    );
}

#[test]
fn a_failure_on_a_later_page_fails_the_whole_review() {
    fault(
        vec![
            page(&user("alice", UPDATE, None), "", Some("p2")),
            error(403, "AccessDenied", "denied"),
        ],
        "IAM GetAccountAuthorizationDetails (page 2): access denied",
    );
}

#[test]
fn closed_port_means_the_endpoint_is_unreachable() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = live(&format!("http://127.0.0.1:{port}"), &[]);
    assert_eq!(run.code, 2);
    assert!(
        unwrapped(&run.stderr).contains("cannot reach the IAM endpoint; check the network"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_credentials() {
    let iam = FakeIam::start(vec![page("", "", None)]);
    let home = tempfile::tempdir().unwrap();
    let mut cmd = command(&repo_root());
    cmd.args(["account", "--endpoint-url", &iam.url])
        .env("HOME", home.path())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("none"));
    let run = run_command(&mut cmd);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        unwrapped(&run.stderr).contains("no AWS credentials found; set AWS_PROFILE"),
        "{}",
        run.stderr
    );
}
