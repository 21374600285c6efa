//! CloudTrail's event history with the real AWS CLI against `iamd serve`: `aws cloudtrail
//! lookup-events` finds writes, reads, denials, MFA sessions and role sessions by every lookup
//! attribute, pages through 500 events, answers bad input with CloudTrail's exceptions in the
//! JSON protocol, refuses callers without `cloudtrail:LookupEvents`, stores no secret, and
//! old records expire.
//!
//! The CLI is `$IAMD_TEST_AWS_CLI`, else `aws` on PATH (`scripts/test` installs it). Without it
//! the tests fail: they are never skipped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use support::cli::Cli;
use support::{fresh_step, mfa_seed, totp_code, Options, Server, ROOT_KEY_ID, ROOT_SECRET};

const TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
const ALICE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","sts:AssumeRole"],"Resource":"*"}]}"#;
const TRUST_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}"#;

/// `aws cloudtrail lookup-events ARGS` as root: the events (every page the CLI fetched) and
/// the NextToken it printed, if any.
fn lookup(cli: &Cli<'_>, args: &[&str]) -> (Vec<Value>, Option<String>) {
    let mut all = vec!["cloudtrail", "lookup-events"];
    all.extend_from_slice(args);
    let out = cli.root(&all);
    let events = out["Events"].as_array().cloned().unwrap_or_default();
    (events, out["NextToken"].as_str().map(str::to_string))
}

fn by(key: &str, value: &str) -> String {
    format!("AttributeKey={key},AttributeValue={value}")
}

/// The events with lookup attribute `key` = `value`, once there are at least `count` of
/// them: reads and failed calls are written to the database every few seconds.
fn wait_for(cli: &Cli<'_>, key: &str, value: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (events, _) = lookup(cli, &["--lookup-attributes", &by(key, value)]);
        if events.len() >= count {
            return events;
        }
        assert!(Instant::now() < deadline, "{key}={value}: {events:?}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn record(event: &Value) -> Value {
    serde_json::from_str(event["CloudTrailEvent"].as_str().unwrap()).unwrap()
}

fn error_code(stderr: &str) -> &str {
    stderr
        .split("An error occurred (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no AWS error in {stderr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_events_finds_writes_reads_denials_and_sessions_without_secrets() {
    let mut server = Server::start();
    let cli = Cli::new(&server);
    cli.root(&["iam", "create-user", "--user-name", "bob"]);
    let key = cli.root(&["iam", "create-access-key", "--user-name", "bob"]);
    let bob_key = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let bob_secret = key["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    cli.root(&["iam", "get-user", "--user-name", "bob"]);

    // Bob may do nothing: his denials are recorded, and he may not read the history.
    let denied = cli.run(&bob_key, &bob_secret, &["iam", "list-users"]);
    assert_eq!(error_code(&denied.stderr), "AccessDenied");
    let denied = cli.run(&bob_key, &bob_secret, &["cloudtrail", "lookup-events"]);
    assert_eq!(error_code(&denied.stderr), "AccessDeniedException");
    assert!(
        denied
            .stderr
            .contains("is not authorized to perform: cloudtrail:LookupEvents"),
        "{}",
        denied.stderr
    );

    // Alice: an MFA session (GetSessionToken with a code) reads herself; then a role session.
    let iam = server.iam();
    let (alice_key, alice_secret) = server.user_with_key("alice").await;
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("alice")
        .policy_document(ALICE)
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name("app")
        .assume_role_policy_document(TRUST_ACCOUNT)
        .send()
        .await
        .unwrap();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    let seed = mfa_seed(&device);
    let step = fresh_step().await;
    let serial = "arn:aws:iam::123456789012:mfa/alice";
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(serial)
        .authentication_code1(totp_code(&seed, step - 2))
        .authentication_code2(totp_code(&seed, step - 1))
        .send()
        .await
        .unwrap();
    let code = totp_code(&seed, step);
    let sts = server.sts_as(&alice_key, &alice_secret);
    let session = sts
        .get_session_token()
        .serial_number(serial)
        .token_code(&code)
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    server
        .iam_session(&session)
        .get_user()
        .send()
        .await
        .unwrap();
    let role = sts
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/app")
        .role_session_name("deploy")
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();

    // Writes are there at once, with the CLI's user agent and the resource they name.
    let (created, _) = lookup(
        &cli,
        &["--lookup-attributes", &by("EventName", "CreateUser")],
    );
    assert_eq!(created.len(), 2, "{created:?}");
    let bob_created = created
        .iter()
        .find(|e| e["Resources"][0]["ResourceName"] == "bob")
        .unwrap();
    assert_eq!(bob_created["Username"], "root");
    assert_eq!(bob_created["ReadOnly"], "false");
    assert_eq!(bob_created["EventSource"], "iam.amazonaws.com");
    assert_eq!(
        bob_created["Resources"][0]["ResourceType"],
        "AWS::IAM::User"
    );
    let r = record(bob_created);
    assert!(
        r["userAgent"].as_str().unwrap().starts_with("aws-cli/"),
        "{r}"
    );
    assert_eq!(r["eventType"], "AwsApiCall");
    assert_eq!(r["userIdentity"]["type"], "Root");

    // Reads, once flushed: the MFA session's GetUser says so.
    let reads = wait_for(&cli, "EventName", "GetUser", 2);
    let alice_read = reads
        .iter()
        .map(record)
        .find(|r| r["userIdentity"]["userName"] == "alice")
        .unwrap();
    let identity = &alice_read["userIdentity"];
    assert_eq!(identity["type"], "IAMUser");
    assert!(identity["accessKeyId"]
        .as_str()
        .unwrap()
        .starts_with("ASIA"));
    assert_eq!(
        identity["sessionContext"]["attributes"]["mfaAuthenticated"],
        "true"
    );
    assert_eq!(alice_read["readOnly"], true);

    let got = wait_for(&cli, "EventName", "GetSessionToken", 1);
    let r = record(&got[0]);
    assert_eq!(r["eventSource"], "sts.amazonaws.com");
    assert_eq!(r["requestParameters"]["serialNumber"], serial);
    assert_eq!(
        r["requestParameters"]["tokenCode"],
        "HIDDEN_DUE_TO_SECURITY_REASONS"
    );

    let assumed = wait_for(&cli, "EventName", "AssumeRole", 1);
    assert_eq!(assumed[0]["EventSource"], "sts.amazonaws.com");
    assert!(assumed[0]["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["ResourceType"] == "AWS::IAM::Role"));
    assert_eq!(
        record(&assumed[0])["requestParameters"]["roleSessionName"],
        "deploy"
    );

    // Bob's denials: by user name, and by his access key.
    let bobs = wait_for(&cli, "Username", "bob", 2);
    let failures: BTreeSet<(String, String, String)> = bobs
        .iter()
        .map(record)
        .map(|r| {
            (
                r["eventSource"].as_str().unwrap().to_string(),
                r["eventName"].as_str().unwrap().to_string(),
                r["errorCode"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        failures,
        BTreeSet::from([
            (
                "cloudtrail.amazonaws.com".into(),
                "LookupEvents".into(),
                "AccessDenied".into()
            ),
            (
                "iam.amazonaws.com".into(),
                "ListUsers".into(),
                "AccessDenied".into()
            ),
        ])
    );
    let (by_key, _) = lookup(&cli, &["--lookup-attributes", &by("AccessKeyId", &bob_key)]);
    assert_eq!(by_key.len(), 2);

    // The other attributes.
    let (read_only, _) = lookup(&cli, &["--lookup-attributes", &by("ReadOnly", "true")]);
    assert!(read_only.iter().all(|e| e["ReadOnly"] == "true"));
    assert!(read_only.iter().any(|e| e["EventName"] == "GetUser"));
    let (writes, _) = lookup(&cli, &["--lookup-attributes", &by("ReadOnly", "false")]);
    assert!(writes.iter().any(|e| e["EventName"] == "CreateUser"));
    assert!(writes.iter().all(|e| e["ReadOnly"] == "false"));
    let (roles, _) = lookup(
        &cli,
        &["--lookup-attributes", &by("ResourceType", "AWS::IAM::Role")],
    );
    let names: BTreeSet<&str> = roles
        .iter()
        .map(|e| e["EventName"].as_str().unwrap())
        .collect();
    assert_eq!(names, BTreeSet::from(["AssumeRole", "CreateRole"]));
    let (named, _) = lookup(&cli, &["--lookup-attributes", &by("ResourceName", "bob")]);
    let names: BTreeSet<&str> = named
        .iter()
        .map(|e| e["EventName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["CreateAccessKey", "CreateUser", "GetUser"])
    );
    let event_id = created[0]["EventId"].as_str().unwrap();
    let (one, _) = lookup(&cli, &["--lookup-attributes", &by("EventId", event_id)]);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["EventId"], event_id);
    let (sts_events, _) = lookup(
        &cli,
        &[
            "--lookup-attributes",
            &by("EventSource", "sts.amazonaws.com"),
        ],
    );
    assert!(sts_events
        .iter()
        .all(|e| e["EventSource"] == "sts.amazonaws.com"));
    assert!(sts_events.len() >= 2);

    // No secret the test created is in the database, nor a TOTP code in any record.
    let status = server.interrupt();
    assert!(status.success(), "{}", server.log());
    let secrets = [
        bob_secret.as_str(),
        alice_secret.as_str(),
        session.secret_access_key(),
        session.session_token(),
        role.secret_access_key(),
        role.session_token(),
    ];
    for (path, bytes) in support::files_in(&server.data_dir()) {
        for secret in secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret is in {}",
                path.display()
            );
        }
    }
    for record in support::audit_records(&server.data_dir()) {
        assert!(!record.body.contains(&code), "{}", record.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_events_page_with_next_token_and_time_ranges() {
    let server = Server::start();
    let cli = Cli::new(&server);
    let iam = server.iam();
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for _ in 0..500 {
        iam.get_account_summary().send().await.unwrap();
    }
    let ended = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let all = wait_for(&cli, "EventName", "GetAccountSummary", 500);
    assert_eq!(
        all.len(),
        500,
        "the CLI follows NextToken through every page"
    );

    let attribute = by("EventName", "GetAccountSummary");
    let (first, token) = lookup(
        &cli,
        &["--lookup-attributes", &attribute, "--max-items", "120"],
    );
    assert_eq!(first.len(), 120);
    let token = token.expect("a NextToken after 120 of 500");
    let (rest, none) = lookup(
        &cli,
        &[
            "--lookup-attributes",
            &attribute,
            "--starting-token",
            &token,
        ],
    );
    assert_eq!(rest.len(), 380);
    assert_eq!(none, None);
    let ids: BTreeSet<&str> = first
        .iter()
        .chain(&rest)
        .map(|e| e["EventId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 500, "no event twice, none left out");
    let times: Vec<u64> = first
        .iter()
        .chain(&rest)
        .map(|e| e["EventTime"].as_u64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let (start, end) = (started.to_string(), ended.to_string());
    let (inside, _) = lookup(
        &cli,
        &[
            "--lookup-attributes",
            &attribute,
            "--start-time",
            &start,
            "--end-time",
            &end,
        ],
    );
    assert_eq!(inside.len(), 500);
    let before = (started - 3600).to_string();
    let just_before = (started - 1).to_string();
    let (outside, _) = lookup(
        &cli,
        &[
            "--lookup-attributes",
            &attribute,
            "--start-time",
            &before,
            "--end-time",
            &just_before,
        ],
    );
    assert!(outside.is_empty());
}

/// A LookupEvents request sent by hand, signed for `cloudtrail` by the official signer.
fn raw_lookup(server: &Server, key: (&str, &str), target: &str, body: &str) -> (u16, Value) {
    let headers = server.signed_headers(
        "/",
        "application/x-amz-json-1.1",
        "cloudtrail",
        "us-east-1",
        key,
        body.as_bytes(),
    );
    let mut headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    headers.push(("x-amz-target", target));
    let (status, body) = server.raw_post(&headers, body.as_bytes());
    (status, serde_json::from_str(&body).unwrap())
}

#[test]
fn bad_input_gets_cloudtrails_exceptions_in_the_json_protocol() {
    let server = Server::start();
    let cli = Cli::new(&server);
    let fails = |args: &[&str]| {
        let mut all = vec!["cloudtrail", "lookup-events"];
        all.extend_from_slice(args);
        let out = cli.run(ROOT_KEY_ID, ROOT_SECRET, &all);
        assert!(!out.ok, "{args:?}: {}", out.stdout);
        error_code(&out.stderr).to_string()
    };
    let two = [by("EventName", "CreateUser"), by("Username", "bob")];
    let cases: [(Vec<&str>, &str); 6] = [
        (
            vec!["--lookup-attributes", &two[0], &two[1]],
            "InvalidLookupAttributesException",
        ),
        (
            vec![
                "--lookup-attributes",
                "AttributeKey=Colour,AttributeValue=blue",
            ],
            "InvalidLookupAttributesException",
        ),
        (
            vec!["--start-time", "2026-12-02", "--end-time", "2026-12-01"],
            "InvalidTimeRangeException",
        ),
        (vec!["--max-results", "51"], "InvalidMaxResultsException"),
        (
            vec!["--starting-token", "forged"],
            "InvalidNextTokenException",
        ),
        (
            vec!["--event-category", "data"],
            "InvalidEventCategoryException",
        ),
    ];
    for (args, code) in cases {
        assert_eq!(fails(&args), code, "{args:?}");
    }

    // What the CLI refuses to send, sent by hand.
    let root = (ROOT_KEY_ID, ROOT_SECRET);
    let (status, body) = raw_lookup(&server, root, TARGET, r#"{"MaxResults": 0}"#);
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "InvalidMaxResultsException");
    assert!(body["message"].as_str().is_some(), "{body}");
    let (status, body) = raw_lookup(&server, root, TARGET, r#"{"MaxResults": "#);
    assert_eq!(
        (status, &body["__type"]),
        (400, &"SerializationException".into())
    );
    let other = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DeleteTrail";
    let (status, body) = raw_lookup(&server, root, other, "{}");
    assert_eq!(
        (status, &body["__type"]),
        (400, &"UnknownOperationException".into())
    );
    let (status, body) = raw_lookup(&server, ("AKIAUNKNOWNUNKNOWN00", ROOT_SECRET), TARGET, "{}");
    assert_eq!(
        (status, &body["__type"]),
        (400, &"UnrecognizedClientException".into())
    );
    let (status, body) = raw_lookup(&server, (ROOT_KEY_ID, "wrong"), TARGET, "{}");
    assert_eq!(
        (status, &body["__type"]),
        (400, &"InvalidSignatureException".into())
    );
    let (status, body) = raw_lookup(&server, root, TARGET, r#"{"MaxResults": 1}"#);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Events"].as_array().unwrap().len(), 1);

    // Input the model refuses is recorded too, under the operation it named.
    let (status, _) = server.signed_post(
        "iam",
        ROOT_KEY_ID,
        ROOT_SECRET,
        b"Action=CreateUser&Version=2010-05-08&UserName=has%20space",
    );
    assert_eq!(status, 400);
    let refused = wait_for(&cli, "EventName", "CreateUser", 1);
    let r = record(&refused[0]);
    assert!(
        r["errorMessage"]
            .as_str()
            .unwrap()
            .contains("failed to satisfy constraint"),
        "{r}"
    );
    let lookups = wait_for(&cli, "EventName", "LookupEvents", 1);
    assert!(
        lookups
            .iter()
            .any(|e| record(e)["errorCode"] == "SerializationException"),
        "{lookups:?}"
    );

    // A known key with a bad signature is recorded under the operation it named, with the
    // error the caller got and the key's owner; an unknown key is not (no one to name).
    let (status, _) = server.signed_post(
        "iam",
        ROOT_KEY_ID,
        "wrong",
        b"Action=GetAccountSummary&Version=2010-05-08",
    );
    assert_eq!(status, 403);
    let (status, _) = server.signed_post(
        "iam",
        "AKIAUNKNOWNUNKNOWN00",
        "wrong",
        b"Action=GetAccountSummary&Version=2010-05-08",
    );
    assert_eq!(status, 403);
    let refused = wait_for(&cli, "EventName", "GetAccountSummary", 1);
    assert_eq!(refused.len(), 1, "{refused:?}");
    let r = record(&refused[0]);
    assert_eq!(r["errorCode"], "SignatureDoesNotMatch", "{r}");
    assert_eq!(r["userIdentity"]["type"], "Root", "{r}");
    assert_eq!(r["userIdentity"]["accessKeyId"], ROOT_KEY_ID, "{r}");
    let message = r["errorMessage"].as_str().unwrap();
    assert!(
        message.starts_with("The request signature we calculated"),
        "{r}"
    );
    assert!(!message.contains("Canonical"), "{r}");
    let lookups = wait_for(&cli, "EventName", "LookupEvents", 2);
    assert!(
        lookups
            .iter()
            .any(|e| record(e)["errorCode"] == "SignatureDoesNotMatch"),
        "{lookups:?}"
    );
}

#[test]
fn records_older_than_the_retention_period_are_removed() {
    let data = tempfile::tempdir().unwrap();
    let mut server = Server::start_in(data.path());
    let cli = Cli::new(&server);
    cli.root(&["iam", "create-user", "--user-name", "bob"]);
    drop(cli);
    assert!(server.interrupt().success(), "{}", server.log());

    // Two records of a server that ran long ago: 100 and 10 days old.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let old = |id: &str, days: i64| iamd_store::AuditRecord {
        event_id: id.into(),
        event_time: now - days * 86_400,
        event_name: "CreateUser".into(),
        event_source: "iam.amazonaws.com".into(),
        username: "root".into(),
        body: format!(r#"{{"eventID":"{id}","readOnly":false}}"#),
        lookup: Default::default(),
    };
    {
        use iamd_store::Store;
        let store = iamd_store::SqliteStore::open(&data.path().join("iamd.db"), false).unwrap();
        store
            .commit(&[], &[old("old-100-days", 100), old("old-10-days", 10)])
            .unwrap();
    }

    let options = Options {
        env: vec![("IAMD_AUDIT_RETENTION_DAYS".into(), "30".into())],
        ..Options::default()
    };
    let server = Server::start_in_with(data.path(), &options);
    server.wait_for_log("iamd: 1 audit records older than 30 days removed");
    let cli = Cli::new(&server);
    let (events, _) = lookup(
        &cli,
        &["--lookup-attributes", &by("EventName", "CreateUser")],
    );
    let ids: BTreeSet<&str> = events
        .iter()
        .map(|e| e["EventId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains("old-10-days"));
    assert!(!ids.contains("old-100-days"));
}

/// `iamd audit events` as a process, with the root key in the environment.
fn export(server: &Server, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(["audit", "events", "--endpoint-url", &server.endpoint])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", ROOT_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", ROOT_SECRET)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_events_exports_json_lines_through_lookup_events() {
    let server = Server::start();
    let iam = server.iam();
    let (bob_key, bob_secret) = server.user_with_key("bob").await;
    for _ in 0..120 {
        iam.get_user().user_name("bob").send().await.unwrap();
    }
    let cli = Cli::new(&server);
    wait_for(&cli, "EventName", "GetUser", 120);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let out = export(
        &server,
        &["--event-name", "GetUser", "--out", file.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 120, "every page, one record a line");
    assert!(lines.iter().all(|r| r["eventName"] == "GetUser"));
    assert!(lines.iter().all(|r| r["eventVersion"] == "1.11"));
    assert!(!text.contains(&bob_secret), "no secret in the export");
    assert!(String::from_utf8_lossy(&out.stderr).contains("120 events exported"));

    // By user (with an event name: matched by the export), to standard output.
    let out = export(
        &server,
        &["--user", "root", "--event-name", "CreateAccessKey"],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(!text.contains(&bob_secret));
    // A time range that holds nothing.
    let out = export(&server, &["--since", "2000-01-01", "--until", "2000-01-02"]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());

    // A caller without cloudtrail:LookupEvents is refused: exit 1 and AWS's error.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(["audit", "events", "--endpoint-url", &server.endpoint])
        .env("AWS_ACCESS_KEY_ID", &bob_key)
        .env("AWS_SECRET_ACCESS_KEY", &bob_secret)
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("AccessDeniedException"));
}
