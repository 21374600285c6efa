//! Operating iamd, against a real `iamd serve`: the health and readiness probes (which do not
//! shadow the Query API), a Prometheus scrape after SDK calls, a JSON log line per request,
//! `/metrics` on a port of its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::HashMap;

use aws_sdk_iam::operation::RequestId;
use serde_json::Value;
use support::{
    code_message, fresh_step, mfa_seed, totp_code, Options, Server, REGION, ROOT_KEY_ID,
    ROOT_SECRET,
};

/// A Prometheus text exposition: `name{labels}` → value, every sample line parsed (a line
/// that does not parse fails the test).
fn parse_prometheus(text: &str) -> HashMap<String, f64> {
    let mut samples = HashMap::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        assert!(!line.starts_with('#'), "unexpected comment: {line}");
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("no value: {line}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("bad value: {line}")),
        };
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':'),
            "bad metric name: {line}"
        );
        if name_end < series.len() {
            assert!(series.ends_with('}'), "bad labels: {line}");
        }
        assert!(
            samples.insert(series.to_string(), value).is_none(),
            "repeated series: {line}"
        );
    }
    samples
}

fn sample(samples: &HashMap<String, f64>, series: &str) -> f64 {
    *samples
        .get(series)
        .unwrap_or_else(|| panic!("no {series} in {samples:#?}"))
}

/// The JSON log lines of requests (`target` `iamd::request`).
fn request_lines(log: &str) -> Vec<Value> {
    log.lines()
        .map(|line| {
            serde_json::from_str::<Value>(line)
                .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"))
        })
        .filter(|line| line["target"] == "iamd::request")
        .collect()
}

#[tokio::test]
async fn probes_answer_plain_gets_and_leave_the_query_api_alone() {
    let server = Server::start();
    let (status, head, body) = Server::raw_get(server.port, "/health");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    assert!(head.contains("content-type: application/json"), "{head}");
    let (status, _, body) = Server::raw_get(server.port, "/ready");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ready"}"#));

    // A signed POST to the probes' paths is still an API call.
    for path in ["/health", "/ready", "/metrics"] {
        let (status, xml) = server.signed_post_to(
            path,
            "application/x-www-form-urlencoded; charset=utf-8",
            "sts",
            REGION,
            (ROOT_KEY_ID, ROOT_SECRET),
            b"Action=GetCallerIdentity&Version=2011-06-15",
        );
        assert_eq!(status, 200, "{path}: {xml}");
        assert!(xml.contains("<GetCallerIdentityResult>"), "{path}: {xml}");
    }
    // A GET with a query string is the Query API's too (here: unsigned, so refused by it).
    let (status, _, xml) = Server::raw_get(server.port, "/health?Action=ListUsers");
    assert_eq!(status, 403, "{xml}");
    assert!(xml.contains("<ErrorResponse"), "{xml}");
    // And the SDK, which posts to `/`, is unaffected.
    server.iam().list_users().send().await.unwrap();
}

#[tokio::test]
async fn a_prometheus_scrape_counts_requests_outcomes_and_commits() {
    let server = Server::start();
    let iam = server.iam();
    let (key, secret) = server.user_with_key("mallory").await;
    iam.list_users().send().await.unwrap();
    iam.list_users().send().await.unwrap();
    let denied = server.iam_as(&key, &secret).list_users().send().await;
    assert_eq!(code_message(denied.unwrap_err()).0, "AccessDenied");
    let forged = server
        .iam_as(&key, "not-the-secret")
        .list_users()
        .send()
        .await;
    assert_eq!(code_message(forged.unwrap_err()).0, "SignatureDoesNotMatch");

    let (status, head, text) = Server::raw_get(server.port, "/metrics");
    assert_eq!(status, 200, "{text}");
    assert!(
        head.contains("content-type: text/plain; version=0.0.4"),
        "{head}"
    );
    let samples = parse_prometheus(&text);
    let requests = |operation: &str, outcome: &str| {
        sample(
            &samples,
            &format!(
                r#"iamd_requests_total{{service="iam",operation="{operation}",outcome="{outcome}"}}"#
            ),
        )
    };
    assert_eq!(requests("ListUsers", "ok"), 2.0);
    assert_eq!(requests("ListUsers", "denied"), 1.0);
    assert_eq!(requests("CreateUser", "ok"), 1.0);
    assert_eq!(requests("CreateAccessKey", "ok"), 1.0);
    assert_eq!(
        sample(
            &samples,
            r#"iamd_requests_total{service="unknown",operation="unknown",outcome="unauthenticated"}"#
        ),
        1.0
    );
    assert_eq!(
        sample(
            &samples,
            r#"iamd_authentication_failures_total{reason="SignatureDoesNotMatch"}"#
        ),
        1.0
    );
    assert_eq!(
        sample(
            &samples,
            r#"iamd_request_duration_seconds_count{service="iam",operation="ListUsers"}"#
        ),
        3.0
    );
    assert_eq!(
        sample(
            &samples,
            r#"iamd_request_duration_seconds_bucket{service="iam",operation="ListUsers",le="+Inf"}"#
        ),
        3.0
    );
    // Two writes (CreateUser, CreateAccessKey) and the root key's bootstrap at the start.
    let batches = sample(&samples, "iamd_commit_batches_total");
    assert!((2.0..=3.0).contains(&batches), "{batches}");
    assert_eq!(sample(&samples, "iamd_commit_batch_writes_count"), batches);
    assert!(sample(&samples, "iamd_snapshot_generation") >= 2.0);
    assert!(sample(&samples, "iamd_snapshot_age_seconds") >= 0.0);
    // The records of the reads and of the denied call wait for the next flush (every 5 s),
    // or were written: never more than the calls made.
    assert!(sample(&samples, "iamd_audit_buffer_records") <= 8.0);
    assert_eq!(sample(&samples, "iamd_audit_records_dropped_total"), 0.0);
    // Nothing secret is in the scrape.
    for secret in [ROOT_SECRET, secret.as_str(), key.as_str(), ROOT_KEY_ID] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[tokio::test]
async fn json_logs_have_one_line_per_request_and_no_secrets() {
    let mut server = Server::start_opts(&Options::args(&["--log-format", "json"]));
    let iam = server.iam();
    let created = iam.create_user().user_name("alice").send().await.unwrap();
    let listed = iam.list_users().send().await.unwrap();
    let sts = server.sts();
    let me = sts.get_caller_identity().send().await.unwrap();
    let forged = server
        .iam_as(ROOT_KEY_ID, "not-the-secret")
        .list_users()
        .send()
        .await;
    assert_eq!(code_message(forged.unwrap_err()).0, "SignatureDoesNotMatch");
    assert!(server.terminate().success());

    let log = server.log();
    let lines = request_lines(&log);
    assert_eq!(lines.len(), 4, "{log}");
    let ids = [created.request_id(), listed.request_id(), me.request_id()];
    let root = format!("arn:aws:iam::{}:root", server.account);
    for (line, (id, (service, operation))) in lines.iter().zip(ids.iter().zip([
        ("iam", "CreateUser"),
        ("iam", "ListUsers"),
        ("sts", "GetCallerIdentity"),
    ])) {
        assert_eq!(line["request_id"].as_str(), *id, "{line}");
        assert_eq!(line["service"], service, "{line}");
        assert_eq!(line["operation"], operation, "{line}");
        assert_eq!(line["principal"], root.as_str(), "{line}");
        assert_eq!(line["outcome"], "ok", "{line}");
        assert_eq!(line["status"], 200, "{line}");
        assert_eq!(line["level"], "INFO", "{line}");
        assert!(line["latency_us"].is_u64(), "{line}");
        assert!(line["timestamp"].is_string(), "{line}");
    }
    let refused = &lines[3];
    assert_eq!(refused["outcome"], "unauthenticated", "{refused}");
    assert_eq!(refused["status"], 403, "{refused}");
    assert_eq!(refused["error"], "SignatureDoesNotMatch", "{refused}");
    // The other lines (start, stop, the failed authentication) are JSON too, with a message.
    assert!(log.contains(r#""message":"shutting down"#), "{log}");
    for needle in [ROOT_SECRET, "Signature=", "X-Amz-Security-Token"] {
        assert!(!log.contains(needle), "{needle} in the log: {log}");
    }
}

#[tokio::test]
async fn metrics_listen_moves_metrics_off_the_api_port() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Server::start_opts(&Options::args(&[
        "--metrics-listen",
        &format!("127.0.0.1:{port}"),
    ]));
    server.iam().list_users().send().await.unwrap();
    let (status, _, text) = Server::raw_get(port, "/metrics");
    assert_eq!(status, 200, "{text}");
    let samples = parse_prometheus(&text);
    assert_eq!(
        sample(
            &samples,
            r#"iamd_requests_total{service="iam",operation="ListUsers",outcome="ok"}"#
        ),
        1.0
    );
    // On the API port, `/metrics` is only the Query API (an unsigned request: refused).
    let (status, _, body) = Server::raw_get(server.port, "/metrics");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("MissingAuthenticationToken"), "{body}");
    // The probes stay on the API port.
    assert_eq!(Server::raw_get(server.port, "/health").0, 200);
}

#[tokio::test]
async fn mfa_code_checks_are_counted_by_outcome() {
    let server = Server::start();
    let iam = server.iam();
    let (key, secret) = server.user_with_key("alice").await;
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    let serial = device.serial_number.clone();
    let seed = mfa_seed(&device);
    let step = fresh_step().await;
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(&serial)
        .authentication_code1(totp_code(&seed, step - 2))
        .authentication_code2(totp_code(&seed, step - 1))
        .send()
        .await
        .unwrap();
    let sts = server.sts_as(&key, &secret);
    let valid: Vec<String> = (step - 3..=step + 2).map(|s| totp_code(&seed, s)).collect();
    let wrong = (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !valid.contains(c))
        .unwrap();
    let session = |code: String| {
        sts.get_session_token()
            .serial_number(&serial)
            .token_code(code)
            .send()
    };
    assert!(session(wrong).await.is_err());
    session(totp_code(&seed, step)).await.unwrap();
    assert!(session(totp_code(&seed, step)).await.is_err());

    let (_, _, text) = Server::raw_get(server.port, "/metrics");
    let samples = parse_prometheus(&text);
    let checks = |outcome: &str| {
        sample(
            &samples,
            &format!(r#"iamd_mfa_code_checks_total{{outcome="{outcome}"}}"#),
        )
    };
    // EnableMFADevice's two codes and GetSessionToken's first good one.
    assert_eq!(checks("accepted"), 2.0);
    assert_eq!(checks("wrong"), 1.0);
    assert_eq!(checks("replayed"), 1.0);
}

#[tokio::test]
async fn text_logs_by_default_and_log_level_filters_them() {
    let mut server = Server::start();
    let listed = server.iam().list_users().send().await.unwrap();
    assert!(server.terminate().success());
    let log = server.log();
    let line = log
        .lines()
        .find(|l| l.contains(" iamd::request: "))
        .unwrap_or_else(|| panic!("no request line: {log}"));
    for field in [
        format!("request_id=\"{}\"", listed.request_id().unwrap()),
        "operation=\"ListUsers\"".to_string(),
        format!("principal=\"arn:aws:iam::{}:root\"", server.account),
        "status=200".to_string(),
        "outcome=\"ok\"".to_string(),
    ] {
        assert!(line.contains(&field), "{field} not in {line}");
    }

    let mut quiet = Server::start_opts(&Options {
        args: vec!["--log-level".into(), "iamd::request=off,info".into()],
        env: vec![("RUST_LOG".into(), "debug".into())],
        ..Options::default()
    });
    quiet.iam().list_users().send().await.unwrap();
    assert!(quiet.terminate().success());
    let log = quiet.log();
    assert!(!log.contains("iamd::request"), "{log}");
    assert!(log.contains("iamd: stopped"), "{log}");
}
