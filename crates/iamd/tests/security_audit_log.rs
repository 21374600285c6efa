//! Security review, the audit log (against a real `iamd serve`, stopped with SIGTERM as a
//! service manager stops it, then its data directory read as files and as a database):
//!
//! - finding 2: refused hardware-token imports must not write the tokens' seeds anywhere;
//! - finding 5: denied calls must not store their whole input (anyone can fill the log);
//! - finding 7: failed calls' audit records, kept in memory until the next flush, must
//!   survive SIGTERM, and the server must stop cleanly (exit 0).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::Value;
use support::{
    audit_records, audit_text, code_message, files_in, Server, REGION, ROOT_KEY_ID, ROOT_SECRET,
};

const ADMIN_PATH: &str = "/iamd/admin/hardware-mfa-devices";

/// A distinctive 20-byte seed: found in no file unless the server wrote it.
const PROBE_SEED: &[u8] = b"iamd-seed-leak-probe";

fn hex(bytes: &[u8], upper: bool) -> String {
    bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect()
}

/// Where `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A signed POST of a token file to the admin import endpoint; (status, JSON answer).
fn import(server: &Server, who: (&str, &str), content_type: &str, body: &str) -> (u16, Value) {
    let (status, answer) = server.signed_post_to(
        ADMIN_PATH,
        content_type,
        "iam",
        REGION,
        who,
        body.as_bytes(),
    );
    let answer = serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{e}: {answer}"));
    (status, answer)
}

/// A PSKC document with one TOTP `KeyPackage` per (serial, seed, digits).
fn pskc(tokens: &[(&str, &[u8], u8)]) -> String {
    let mut packages = String::new();
    for (serial, seed, digits) in tokens {
        let secret = base64::engine::general_purpose::STANDARD.encode(seed);
        packages.push_str(&format!(
            r#"
  <KeyPackage>
    <DeviceInfo><Manufacturer>Gemalto</Manufacturer><SerialNo>{serial}</SerialNo></DeviceInfo>
    <Key Id="{serial}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <AlgorithmParameters><ResponseFormat Length="{digits}" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><PlainValue>{secret}</PlainValue></Secret>
        <TimeInterval><PlainValue>30</PlainValue></TimeInterval>
      </Data>
    </Key>
  </KeyPackage>"#
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">{packages}
</KeyContainer>
"#
    )
}

/// The size in bytes of all files under `dir`.
fn total_size(dir: &std::path::Path) -> u64 {
    files_in(dir).iter().map(|(_, b)| b.len() as u64).sum()
}

/// The parsed bodies of the audit records named `event_name` with `errorCode` `code`.
fn failed_records(data_dir: &std::path::Path, event_name: &str, code: &str) -> Vec<Value> {
    audit_records(data_dir)
        .into_iter()
        .filter(|r| r.event_name == event_name)
        .map(|r| serde_json::from_str::<Value>(&r.body).unwrap())
        .filter(|b| b["errorCode"] == code)
        .collect()
}

/// Finding 2 (HIGH): a refused import (a bad line, or a caller without the permission) put
/// the whole token file, seeds in clear, into the failed call's audit record
/// (`requestParameters.body`), and from there into `iamd.db`. On the old code the Base32
/// seed is found in the database files after the shutdown flush; now `body` is
/// `HIDDEN_DUE_TO_SECURITY_REASONS` and the seed is in no file of the data directory.
#[tokio::test]
async fn refused_token_imports_leave_no_seed_in_the_data_directory() {
    let mut server = Server::start();
    let seed_b32 = iamd_core::crypto::base32::encode(PROBE_SEED);
    let seed_b64 = base64::engine::general_purpose::STANDARD.encode(PROBE_SEED);
    let csv = format!("serial,seed\nGAHT10000001,{seed_b32}\nGAHT10000002,hex:12zz\n");
    let csv_hex = format!(
        "GAHT10000003,hex:{}\nGAHT10000004,nonsense\n",
        hex(PROBE_SEED, false)
    );
    let xml = pskc(&[
        ("GAHT10000005", PROBE_SEED, 6),
        ("GAHT10000006", &[7; 20], 8),
    ]);
    let root = (ROOT_KEY_ID, ROOT_SECRET);

    // The administrator's files with a bad line / package: 400, nothing imported.
    for (content_type, body) in [
        ("text/csv", &csv),
        ("text/csv", &csv_hex),
        ("application/pskc+xml", &xml),
    ] {
        let (status, answer) = import(&server, root, content_type, body);
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["Error"]["Code"], "InvalidInput", "{answer}");
    }

    // A user without permissions: 403 AccessDenied, for a file that would import.
    let (key, secret) = server.user_with_key("mallory").await;
    let good = format!("GAHT10000007,{seed_b32}\n");
    let (status, answer) = import(&server, (&key, &secret), "text/csv", &good);
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["Error"]["Code"], "AccessDenied", "{answer}");

    // Stopped gracefully, the failed calls' records flushed. By SIGINT, which the old server
    // handled too: this test is about what is written, the SIGTERM test below about when.
    let status = server.interrupt();
    assert!(status.success(), "{status}: {}", server.log());

    let needles: Vec<(&str, Vec<u8>)> = vec![
        ("Base32", seed_b32.clone().into_bytes()),
        ("hex", hex(PROBE_SEED, false).into_bytes()),
        ("HEX", hex(PROBE_SEED, true).into_bytes()),
        ("base64", seed_b64.into_bytes()),
        ("raw", PROBE_SEED.to_vec()),
    ];
    let files = files_in(&server.data_dir());
    assert!(
        files.iter().any(|(p, _)| p.ends_with("iamd.db")),
        "{files:?}"
    );
    for (path, bytes) in &files {
        for (form, needle) in &needles {
            assert!(
                !contains(bytes, needle),
                "the seed ({form}) is in {}",
                path.display()
            );
        }
    }
    let audit = audit_text(&server.data_dir());
    assert!(audit.contains("ImportHardwareMFADevices"), "{audit}");
    for (form, needle) in &needles {
        assert!(
            !contains(server.log().as_bytes(), needle),
            "the seed ({form}) is in the server's log"
        );
        // Audit blocks are compressed: searched decoded too.
        assert!(
            !contains(audit.as_bytes(), needle),
            "the seed ({form}) is in an audit record"
        );
    }

    // The refused calls are in the audit log, the files hidden.
    let refused = failed_records(
        &server.data_dir(),
        "ImportHardwareMFADevices",
        "InvalidInputException",
    );
    let denied = failed_records(
        &server.data_dir(),
        "ImportHardwareMFADevices",
        "AccessDenied",
    );
    assert_eq!(
        (refused.len(), denied.len()),
        (3, 1),
        "{refused:?} {denied:?}"
    );
    for record in refused.iter().chain(&denied) {
        let parameters = &record["requestParameters"];
        assert_eq!(
            parameters["body"], "HIDDEN_DUE_TO_SECURITY_REASONS",
            "{record}"
        );
        assert!(
            parameters["format"] == "csv" || parameters["format"] == "pskc",
            "{record}"
        );
    }
    assert_eq!(denied[0]["userIdentity"]["userName"], "mallory");
}

/// A policy document of about `bytes` bytes (well-formed, under IAM's 128 KiB limit), mostly
/// letters so that its form encoding stays under the server's 256 KiB body limit.
fn big_policy(bytes: usize) -> String {
    let arn = |i: usize| format!("\"arn:aws:s3:::{}{i:05}/*\"", "b".repeat(100));
    let per = arn(0).len() + 1;
    let resources: Vec<String> = (0..bytes / per).map(arn).collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":[{}]}}]}}"#,
        resources.join(",")
    )
}

/// Finding 5: a denied call's audit record held its whole input, so a user with no
/// permissions could write ~120 KB to the log with each PutUserPolicy (40 calls: ~5 MB; on
/// the old code the database files grow by that much once the records are flushed). Now a
/// failed call's parameters beyond 4 KiB are replaced by CloudTrail's omission marker.
#[tokio::test]
async fn denied_calls_with_huge_inputs_write_little_to_the_log() {
    let mut server = Server::start();
    let (key, secret) = server.user_with_key("mallory").await;
    let mallory = server.iam_as(&key, &secret);
    let policy = big_policy(120 * 1024);
    assert!((120 * 1024 - 200..128 * 1024).contains(&policy.len()));
    // Something was written before (user, key): the WAL exists.
    server.iam().list_users().send().await.unwrap();
    let before = total_size(&server.data_dir());

    const CALLS: usize = 40;
    for i in 0..CALLS {
        let err = mallory
            .put_user_policy()
            .user_name("mallory")
            .policy_name(format!("p{i}"))
            .policy_document(&policy)
            .send()
            .await
            .unwrap_err();
        let (code, message) = code_message(err);
        assert_eq!(code, "AccessDenied", "{message}");
    }

    // SIGINT, which the old server handled too (see the first test).
    let status = server.interrupt();
    assert!(status.success(), "{status}: {}", server.log());
    let after = total_size(&server.data_dir());
    let grown = after.saturating_sub(before);
    eprintln!("the data directory: {before} -> {after} bytes");
    assert!(
        grown < 1024 * 1024,
        "the data directory grew by {grown} bytes ({before} -> {after}) for {CALLS} denied calls"
    );

    let records = failed_records(&server.data_dir(), "PutUserPolicy", "AccessDenied");
    assert_eq!(records.len(), CALLS, "{records:?}");
    for record in &records {
        let parameters = &record["requestParameters"];
        assert_eq!(
            parameters["reason"], "requestParameters too large",
            "{record}"
        );
        assert_eq!(parameters["omitted"], true, "{record}");
        let size = parameters["originalSize"].as_u64().unwrap();
        assert!(size > 120 * 1024, "{record}");
        assert_eq!(record["userIdentity"]["userName"], "mallory");
        assert!(record.to_string().len() < 4096, "{record}");
    }
}

/// Finding 7: failed calls' audit records wait in memory for the 5-second flush, and the old
/// server did not handle SIGTERM (only Ctrl-C): `systemctl stop` killed it with the records
/// of the last seconds' denied calls. Now SIGTERM stops accepting, finishes the requests in
/// flight and flushes: every AccessDenied a client received has its record, and the server
/// exits 0 saying it stopped. On the old code the exit status is "signal 15" and records are
/// missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_keeps_every_acknowledged_denied_call() {
    let mut server = Server::start();
    let (key, secret) = server.user_with_key("mallory").await;
    let mallory = server.iam_as(&key, &secret);
    let acknowledged = Arc::new(AtomicU64::new(0));
    let other_errors = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));

    let mut workers = Vec::new();
    for _ in 0..16 {
        let (client, acknowledged, other_errors, stop) = (
            mallory.clone(),
            acknowledged.clone(),
            other_errors.clone(),
            stop.clone(),
        );
        workers.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                match client.list_users().send().await {
                    Ok(_) => panic!("ListUsers allowed for a user without permissions"),
                    Err(err) => {
                        use aws_sdk_iam::error::ProvideErrorMetadata;
                        if err.code() == Some("AccessDenied") {
                            acknowledged.fetch_add(1, Ordering::SeqCst);
                        } else {
                            // The server going away: refused or reset connections.
                            other_errors.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                    }
                }
            }
        }));
    }

    // Load, then SIGTERM while the workers keep sending.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.load(Ordering::SeqCst) < 300 {
        assert!(Instant::now() < deadline, "no load: {}", server.log());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let at_signal = acknowledged.load(Ordering::SeqCst);
    let status = tokio::task::block_in_place(|| server.terminate());
    stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await.unwrap();
    }
    let acknowledged = acknowledged.load(Ordering::SeqCst);

    let records = failed_records(&server.data_dir(), "ListUsers", "AccessDenied");
    let mallory_records = records
        .iter()
        .filter(|r| r["userIdentity"]["userName"] == "mallory")
        .count();
    assert!(
        mallory_records as u64 >= acknowledged,
        "{acknowledged} AccessDenied answers ({at_signal} at SIGTERM, {} other errors), \
         {mallory_records} audit records",
        other_errors.load(Ordering::SeqCst)
    );
    assert!(status.success(), "{status}: {}", server.log());
    let log = server.log();
    assert!(log.contains("iamd: shutting down"), "{log}");
    assert!(log.contains("iamd: stopped"), "{log}");
}
