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
/// recording each request's head (request line and headers) and body.
struct FakeIam {
    url: String,
    bodies: Arc<Mutex<Vec<String>>>,
    heads: Arc<Mutex<Vec<String>>>,
}

impl FakeIam {
    fn start(answers: Vec<Answer>) -> FakeIam {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (seen_bodies, seen_heads) = (Arc::clone(&bodies), Arc::clone(&heads));
        std::thread::spawn(move || {
            for (served, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { return };
                let answer = answers.get(served).or(answers.last()).cloned().unwrap();
                if let Some((head, body)) = serve(stream, &answer) {
                    seen_heads.lock().unwrap().push(head);
                    seen_bodies.lock().unwrap().push(body);
                }
            }
        });
        FakeIam { url, bodies, heads }
    }
}

fn serve(stream: TcpStream, (status, body): &Answer) -> Option<(String, String)> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut length = 0;
    let mut head = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push_str(&line);
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
    Some((head, String::from_utf8_lossy(&request).into_owned()))
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

/// `iamlint account` with credentials in the environment and region us-east-1, and
/// nothing of the developer's AWS set-up: no profile files, no instance metadata.
fn account_command(home: &std::path::Path) -> std::process::Command {
    let mut cmd = command(&repo_root());
    cmd.arg("account")
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", "token-that-must-not-leak")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"));
    cmd
}

/// Run it, asserting that no secret, panic or backtrace reaches the output.
fn checked(cmd: &mut std::process::Command) -> Run {
    let run = run_command(cmd);
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

/// `iamlint account ARGS…` with credentials in the environment, aimed at `url`.
fn live(url: &str, args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    checked(
        account_command(home.path())
            .args(["--endpoint-url", url])
            .args(args),
    )
}

/// A fault ends the run with one short message: exit 2, nothing on stdout, a few lines
/// on stderr, and nothing of an SDK error's `Debug` form (requests, headers, structs).
fn assert_one_message(run: &Run) {
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(run.stdout, "", "never a partial report");
    let lines = run.stderr.lines().filter(|l| !l.trim().is_empty()).count();
    assert!((1..=5).contains(&lines), "{lines} lines:\n{}", run.stderr);
    for debug in [
        "DispatchFailure",
        "ConnectorError",
        "ServiceError",
        "SdkError",
        "Some(",
        "None",
        "{ ",
        " }",
        "kind:",
        "source:",
        "headers",
        "HttpResponse",
    ] {
        assert!(
            !run.stderr.contains(debug),
            "Debug-shaped text {debug:?} in:\n{}",
            run.stderr
        );
    }
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
    assert_one_message(&run);
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

/// Whether `stderr` holds `expected`, whitespace ignored (miette also wraps inside paths).
fn says(stderr: &str, expected: &str) -> bool {
    let squash = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    squash(&unwrapped(stderr)).contains(&squash(expected))
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
    assert_one_message(&run);
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
    let mut cmd = account_command(home.path());
    cmd.args(["--endpoint-url", &iam.url])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN");
    let run = checked(&mut cmd);
    assert_one_message(&run);
    assert!(
        unwrapped(&run.stderr).contains("no AWS credentials found; set AWS_PROFILE"),
        "{}",
        run.stderr
    );
}

/// The `Credential=KEY/DATE/REGION/iam/aws4_request` scope of a signed request.
fn signing_region(head: &str) -> &str {
    let scope = head
        .split("Credential=")
        .nth(1)
        .unwrap_or_else(|| panic!("unsigned request:\n{head}"));
    scope.split('/').nth(2).unwrap()
}

#[test]
fn without_a_region_iam_is_signed_for_the_global_endpoint() {
    let iam = FakeIam::start(vec![page(&user("alice", READ, None), "", None)]);
    let home = tempfile::tempdir().unwrap();
    let run = checked(
        account_command(home.path())
            .args(["--endpoint-url", &iam.url])
            .env_remove("AWS_REGION"),
    );
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, ""),
        "{}",
        run.transcript()
    );
    assert_eq!(signing_region(&iam.heads.lock().unwrap()[0]), "us-east-1");
}

#[test]
fn region_from_the_flag_or_the_profile_picks_the_partition() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    std::fs::write(&config, "[profile gov]\nregion = us-gov-west-1\n").unwrap();
    for (args, expected) in [
        (&["--region", "cn-north-1"][..], "cn-north-1"),
        (&["--profile", "gov"][..], "us-gov-west-1"),
    ] {
        let iam = FakeIam::start(vec![page("", "", None)]);
        let run = checked(
            account_command(home.path())
                .args(["--endpoint-url", &iam.url])
                .args(args)
                .env_remove("AWS_REGION")
                .env("AWS_CONFIG_FILE", &config),
        );
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert_eq!(signing_region(&iam.heads.lock().unwrap()[0]), expected);
    }
}

#[test]
fn a_profile_that_does_not_exist_is_named_with_where_iamlint_looked() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("my-config");
    std::fs::write(&config, "[profile other]\nregion = eu-west-1\n").unwrap();
    let iam = FakeIam::start(vec![page("", "", None)]);
    // Given files, and the default locations under HOME.
    let given = checked(
        account_command(home.path())
            .args(["--endpoint-url", &iam.url, "--profile", "audit"])
            .env("AWS_CONFIG_FILE", &config),
    );
    let defaults = checked(
        account_command(home.path())
            .args(["--endpoint-url", &iam.url])
            .env("AWS_PROFILE", "audit")
            .env_remove("AWS_CONFIG_FILE")
            .env_remove("AWS_SHARED_CREDENTIALS_FILE"),
    );
    let home = home.path().display();
    for (run, from, config, credentials) in [
        (
            &given,
            "--profile",
            config.display().to_string(),
            format!("{home}/none"),
        ),
        (
            &defaults,
            "AWS_PROFILE",
            format!("{home}/.aws/config"),
            format!("{home}/.aws/credentials"),
        ),
    ] {
        assert_one_message(run);
        let expected = format!(
            "AWS profile `audit` (from {from}) is not in the config or credentials files; iamlint looked in {config} and {credentials}."
        );
        assert!(
            says(&run.stderr, &expected),
            "expected {expected:?} in:\n{}",
            run.stderr
        );
    }
    assert!(iam.bodies.lock().unwrap().is_empty(), "no call was made");
}

#[test]
fn a_profile_in_the_credentials_file_is_used() {
    let home = tempfile::tempdir().unwrap();
    let credentials = home.path().join("credentials");
    std::fs::write(
        &credentials,
        format!("[audit]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"),
    )
    .unwrap();
    let iam = FakeIam::start(vec![page(&user("alice", READ, None), "", None)]);
    let run = checked(
        account_command(home.path())
            .args(["--endpoint-url", &iam.url, "--profile", "audit"])
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env("AWS_SHARED_CREDENTIALS_FILE", &credentials),
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(iam.heads.lock().unwrap()[0].contains(KEY_ID));
}

#[test]
fn a_malformed_endpoint_url_is_refused_before_any_call() {
    let home = tempfile::tempdir().unwrap();
    for (url, why) in [
        ("not a url", "is not a URL"),
        ("ftp://iam.example.com", "has the scheme `ftp`"),
        ("http://127.0.0.1:99999", "has the port `99999`"),
        ("https://", "is not a URL"),
    ] {
        let run = checked(account_command(home.path()).args(["--endpoint-url", url]));
        assert_one_message(&run);
        let expected = format!("--endpoint-url `{url}` {why}");
        assert!(
            says(&run.stderr, &expected),
            "expected {expected:?} in:\n{}",
            run.stderr
        );
    }
    let run = checked(account_command(home.path()).env("AWS_ENDPOINT_URL", "not a url"));
    assert_one_message(&run);
    assert!(
        says(
            &run.stderr,
            "the endpoint URL `not a url` (from AWS_ENDPOINT_URL)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn live_review_flags_with_from_are_usage_errors() {
    let dump = repo_root().join("tests/fixtures/account/dump.json");
    for flag in [
        &["--profile", "audit"][..],
        &["--region", "eu-west-1"],
        &["--endpoint-url", "http://127.0.0.1:1"],
        &["--snapshot", "snap"],
    ] {
        let home = tempfile::tempdir().unwrap();
        let run = checked(
            account_command(home.path())
                .args(flag)
                .arg("--from")
                .arg(&dump),
        );
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (2, ""),
            "{}",
            run.transcript()
        );
        let reason = run.stderr.lines().next().unwrap();
        assert!(
            reason.starts_with("error: the argument '--")
                && reason.contains(flag[0])
                && reason.contains("--from")
                && reason.contains("cannot be used with"),
            "{}",
            run.stderr
        );
    }
}
