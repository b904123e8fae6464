//! `iamlint trail --live` against a scripted CloudTrail endpoint on 127.0.0.1 (moto 5.2.5
//! does not implement LookupEvents): pages followed by NextToken and reported as the
//! files are, the client-side pace, backoff on ThrottlingException, and one clear message
//! with exit code 2 for each fault. No real AWS is contacted: credentials come from the
//! environment and instance metadata is disabled.

mod common;

use common::*;

#[cfg(not(feature = "aws"))]
#[test]
fn the_default_build_says_live_needs_the_aws_feature() {
    let run = iamlint(&repo_root(), &["trail", "--live"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("reading CloudTrail live is not available in this build"),
        "{}",
        run.stderr
    );
}

#[cfg(feature = "aws")]
mod live {
    use super::*;
    use serde_json::{Value, json};
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    /// A request as the endpoint saw it.
    #[derive(Clone, Debug)]
    struct Seen {
        at: Instant,
        head: String,
        body: Value,
    }

    /// A JSON 1.1 endpoint answering LookupEvents calls in order from `answers` (HTTP
    /// status, body; the last repeats), recording every request.
    struct FakeCloudTrail {
        url: String,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    impl FakeCloudTrail {
        fn start(answers: Vec<(u16, Value)>) -> FakeCloudTrail {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            let seen = Arc::new(Mutex::new(Vec::new()));
            let log = Arc::clone(&seen);
            std::thread::spawn(move || {
                for (n, stream) in listener.incoming().enumerate() {
                    let Ok(mut stream) = stream else { return };
                    let Some((head, body)) = read_request(&mut stream) else {
                        continue;
                    };
                    log.lock().unwrap().push(Seen {
                        at: Instant::now(),
                        head,
                        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                    });
                    let (status, answer) = answers.get(n).or(answers.last()).unwrap();
                    let text = answer.to_string();
                    let reply = format!(
                        "HTTP/1.1 {status} S\r\ncontent-type: application/x-amz-json-1.1\r\nx-amzn-requestid: r-{n}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                        text.len()
                    );
                    let _ = stream.write_all(reply.as_bytes());
                }
            });
            FakeCloudTrail { url, seen }
        }

        fn seen(&self) -> Vec<Seen> {
            self.seen.lock().unwrap().clone()
        }
    }

    /// The head (request line and headers) and body of one HTTP request.
    fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
        let mut data = Vec::new();
        let mut chunk = [0u8; 4096];
        let end = loop {
            if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
            let n = stream.read(&mut chunk).ok().filter(|&n| n > 0)?;
            data.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&data[..end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap_or(0))
            })
            .unwrap_or(0);
        let mut body = data[end + 4..].to_vec();
        while body.len() < length {
            let n = stream.read(&mut chunk).ok().filter(|&n| n > 0)?;
            body.extend_from_slice(&chunk[..n]);
        }
        Some((head, body))
    }

    /// A page of LookupEvents: the records as `CloudTrailEvent` strings.
    fn page(records: &[Value], next: Option<&str>) -> (u16, Value) {
        let events: Vec<Value> = records
            .iter()
            .map(|r| json!({"EventId": r["eventID"], "EventName": r["eventName"], "EventSource": r["eventSource"], "CloudTrailEvent": r.to_string()}))
            .collect();
        let mut body = json!({"Events": events});
        if let Some(next) = next {
            body["NextToken"] = json!(next);
        }
        (200, body)
    }

    fn fault(status: u16, code: &str, message: &str) -> (u16, Value) {
        (status, json!({"__type": code, "Message": message}))
    }

    /// The records of the fixtures' lookup-events output and plain file.
    fn records() -> Vec<Value> {
        let root = repo_root().join("tests/fixtures/trail/logs");
        let lookup: Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("lookup/lookup-events.json")).unwrap(),
        )
        .unwrap();
        let mut records: Vec<Value> = lookup["Events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap())
            .collect();
        let plain: Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("plain/2026-11-21-eu-west-1.json")).unwrap(),
        )
        .unwrap();
        records.extend(plain["Records"].as_array().unwrap().iter().cloned());
        assert!(records.len() >= 4, "{}", records.len());
        records
    }

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
    const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
    const PLATFORM: &str = "arn:aws:iam::*:role/platform/*";

    /// `iamlint trail --live` with credentials in the environment, region eu-west-1, and
    /// nothing of the developer's AWS set-up.
    fn trail_live(tree: &Tree, url: Option<&str>, args: &[&str]) -> Run {
        let mut cmd = command(tree.path());
        cmd.args(["trail", "--live"])
            .env("HOME", tree.path())
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_SESSION_TOKEN", "token-that-must-not-leak")
            .env("AWS_REGION", "eu-west-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", tree.path().join("none"))
            .env("AWS_SHARED_CREDENTIALS_FILE", tree.path().join("none"));
        if let Some(url) = url {
            cmd.args(["--endpoint-url", url]);
        }
        cmd.args(args);
        run_command(&mut cmd)
    }

    /// One message, exit 2, nothing secret, no debug dump.
    fn assert_one_clear_fault(run: &Run, expected: &str) {
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(run.stdout.is_empty(), "{}", run.transcript());
        // miette wraps the message: its words, joined again.
        let words: Vec<&str> = run
            .stderr
            .split_whitespace()
            .filter(|w| !["×", "│"].contains(w))
            .collect();
        assert!(words.join(" ").contains(expected), "{}", run.stderr);
        assert!(run.stderr.lines().count() <= 5, "{}", run.stderr);
        for leak in [
            SECRET,
            "token-that-must-not-leak",
            "Request {",
            "SdkBody",
            "panicked",
        ] {
            assert!(!run.stderr.contains(leak), "{leak} in {}", run.stderr);
        }
    }

    #[test]
    fn pages_are_followed_paced_and_reported_as_files_are() {
        let records = records();
        let third = records.len() / 3;
        let endpoint = FakeCloudTrail::start(vec![
            page(&records[..third], Some("token-1")),
            page(&records[third..2 * third], Some("token-2")),
            page(&records[2 * third..], None),
        ]);
        let tree = Tree::new(&[]);
        for (i, part) in [
            &records[..third],
            &records[third..2 * third],
            &records[2 * third..],
        ]
        .iter()
        .enumerate()
        {
            tree.write(
                &format!("logs/{i}.json"),
                &json!({"Records": part}).to_string(),
            );
        }
        let run = trail_live(
            &tree,
            Some(&endpoint.url),
            &[
                "--privileged",
                PLATFORM,
                "--format",
                "json",
                "--since",
                "2026-11-01",
            ],
        );
        assert_eq!(run.code, 1, "{}", run.transcript());
        let live = run.json();
        let files = tree
            .run(&[
                "trail",
                "logs",
                "--privileged",
                PLATFORM,
                "--format",
                "json",
            ])
            .json();
        assert!(!live["activity"].as_array().unwrap().is_empty());
        assert_eq!(live["activity"], files["activity"]);
        assert_eq!(
            (&live["files"], &live["records"]),
            (&json!(3), &json!(records.len()))
        );
        let seen = endpoint.seen();
        assert_eq!(seen.len(), 3);
        for (request, token) in seen.iter().zip([None, Some("token-1"), Some("token-2")]) {
            assert!(
                request
                    .head
                    .to_ascii_lowercase()
                    .contains("x-amz-target: cloudtrail_20131101.lookupevents"),
                "{}",
                request.head
            );
            assert!(
                request.head.contains("/eu-west-1/cloudtrail/aws4_request"),
                "{}",
                request.head
            );
            assert_eq!(
                request.body["LookupAttributes"],
                json!([{"AttributeKey": "EventSource", "AttributeValue": "ecs.amazonaws.com"}])
            );
            assert_eq!(request.body["MaxResults"], json!(50));
            assert_eq!(request.body["StartTime"], json!(1_793_491_200));
            assert_eq!(request.body.get("NextToken").and_then(Value::as_str), token);
        }
        // At most 2 requests a second.
        for pair in seen.windows(2) {
            let gap = pair[1].at - pair[0].at;
            assert!(gap >= Duration::from_millis(450), "{gap:?}");
        }
    }

    #[test]
    fn each_region_is_read() {
        let records = records();
        let endpoint = FakeCloudTrail::start(vec![page(&records, None)]);
        let tree = Tree::new(&[]);
        let run = trail_live(
            &tree,
            Some(&endpoint.url),
            &[
                "--region",
                "eu-west-1",
                "--region",
                "us-east-1",
                "--format",
                "json",
            ],
        );
        assert_eq!(run.code, 1, "{}", run.transcript());
        let seen = endpoint.seen();
        assert_eq!(seen.len(), 2);
        assert!(
            seen[0].head.contains("/eu-west-1/cloudtrail/"),
            "{}",
            seen[0].head
        );
        assert!(
            seen[1].head.contains("/us-east-1/cloudtrail/"),
            "{}",
            seen[1].head
        );
        assert_eq!(run.json()["files"], json!(2));
    }

    #[test]
    fn a_throttled_page_is_tried_again_after_a_backoff() {
        let records = records();
        let endpoint = FakeCloudTrail::start(vec![
            fault(400, "ThrottlingException", "Rate exceeded"),
            page(&records, None),
        ]);
        let tree = Tree::new(&[]);
        let run = trail_live(&tree, Some(&endpoint.url), &["--format", "json"]);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert_eq!(run.stderr, "");
        let seen = endpoint.seen();
        assert_eq!(seen.len(), 2);
        assert!(seen[1].at - seen[0].at >= Duration::from_millis(950));
        assert_eq!(run.json()["records"], json!(records.len()));
    }

    /// Faults that retries do not end, and one that is not retried: the message, and how
    /// many requests were made (4 attempts of the failing page).
    #[test]
    fn faults_end_the_run_with_one_message() {
        let records = records();
        let denied = "User: arn:aws:iam::111122223333:user/audit is not authorized to perform: cloudtrail:LookupEvents";
        let cases = [
            (
                vec![fault(400, "ThrottlingException", "Rate exceeded")],
                "CloudTrail LookupEvents in eu-west-1 (page 1): the CloudTrail API kept throttling after 4 attempts with backoff; try again later".to_string(),
                4,
            ),
            (
                vec![(500, json!({}))],
                "CloudTrail LookupEvents in eu-west-1 (page 1): the endpoint answered HTTP 500 without an AWS error, 4 times".into(),
                4,
            ),
            (
                vec![
                    page(&records[..2], Some("token-1")),
                    fault(400, "AccessDeniedException", denied),
                ],
                format!("CloudTrail LookupEvents in eu-west-1 (page 2): access denied ({denied}). The credentials need cloudtrail:LookupEvents; policies/iamlint-readonly.json is the policy to attach"),
                2,
            ),
            (
                vec![page(&records[..2], Some("same"))],
                "CloudTrail LookupEvents in eu-west-1 (page 2): the answer repeats the NextToken it was asked with".into(),
                2,
            ),
        ];
        for (answers, expected, requests) in cases {
            let endpoint = FakeCloudTrail::start(answers);
            let tree = Tree::new(&[]);
            let run = trail_live(&tree, Some(&endpoint.url), &[]);
            assert_one_clear_fault(&run, &expected);
            assert_eq!(endpoint.seen().len(), requests, "{expected}");
        }
    }

    #[test]
    fn an_endpoint_that_is_down() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let tree = Tree::new(&[]);
        let run = trail_live(&tree, Some(&format!("http://127.0.0.1:{port}")), &[]);
        assert_one_clear_fault(
            &run,
            "CloudTrail LookupEvents in eu-west-1 (page 1): cannot reach the CloudTrail endpoint; check the network, the region or --endpoint-url",
        );
    }

    #[test]
    fn no_credentials_no_region_and_a_bad_endpoint() {
        let endpoint = FakeCloudTrail::start(vec![page(&[], None)]);
        let tree = Tree::new(&[]);
        let mut cmd = command(tree.path());
        cmd.args(["trail", "--live", "--endpoint-url", &endpoint.url])
            .env("HOME", tree.path())
            .env("AWS_REGION", "eu-west-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", tree.path().join("none"))
            .env("AWS_SHARED_CREDENTIALS_FILE", tree.path().join("none"));
        let run = run_command(&mut cmd);
        assert_one_clear_fault(
            &run,
            "no AWS credentials found; set AWS_PROFILE (or --profile)",
        );
        let mut cmd = command(tree.path());
        cmd.args(["trail", "--live", "--endpoint-url", &endpoint.url])
            .env("HOME", tree.path())
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", tree.path().join("none"))
            .env("AWS_SHARED_CREDENTIALS_FILE", tree.path().join("none"));
        let run = run_command(&mut cmd);
        assert_one_clear_fault(
            &run,
            "CloudTrail is regional and no region is configured: give --region REGION",
        );
        let run = trail_live(&tree, Some("not a url"), &[]);
        assert_one_clear_fault(&run, "--endpoint-url `not a url` is not a URL");
        let run = trail_live(&tree, None, &["--profile", "audit"]);
        assert_one_clear_fault(
            &run,
            "AWS profile `audit` (from --profile) is not in the config or credentials files",
        );
        assert!(endpoint.seen().is_empty());
    }

    #[test]
    fn a_bad_event_is_located_in_its_page() {
        let records = records();
        let mut broken = page(&records[..1], None);
        broken.1["Events"][0]["CloudTrailEvent"] = json!("{\"eventVersion\": \"1.08\"}");
        let endpoint = FakeCloudTrail::start(vec![broken]);
        let tree = Tree::new(&[]);
        let run = trail_live(&tree, Some(&endpoint.url), &[]);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(
            run.stderr.contains(
                "error: <live>/eu-west-1/lookup-events-1.json:1:24: not a CloudTrail log: Events[0].CloudTrailEvent: missing field `eventTime`"
            ),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("Events[0].CloudTrailEvent: missing field"),
            "{}",
            run.stderr
        );
    }

    #[test]
    fn live_is_not_for_files() {
        let tree = Tree::new(&[]);
        let run = trail_live(&tree, None, &["logs"]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
        let run = tree.run(&["trail", "logs", "--region", "eu-west-1"]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("--live"), "{}", run.stderr);
    }
}

/// The policy the fault messages name grants what the live reads call, and nothing else.
#[test]
fn the_readonly_policy_grants_lookup_events_and_nothing_more() {
    let text = std::fs::read_to_string(repo_root().join("policies/iamlint-readonly.json")).unwrap();
    let policy: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut actions: Vec<&str> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|s| {
            assert_eq!(
                (&s["Effect"], &s["Resource"]),
                (&"Allow".into(), &"*".into())
            )
        })
        .map(|s| s["Action"].as_str().unwrap())
        .collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "cloudtrail:LookupEvents",
            "iam:GetAccountAuthorizationDetails"
        ]
    );
}
