//! Hardware TOTP tokens (seed 003) against a real `iamd serve`: the administrator
//! imports tokens with `iamd mfa import` (CSV and PSKC) through the admin extension
//! `POST /iamd/admin/hardware-mfa-devices` (action `iamd:ImportHardwareMFADevices`); bad
//! files import nothing; users without the permission are refused; then a user enables a
//! token with two consecutive codes from its seed and trades a code for MFA session
//! credentials (AWS SDK for Rust).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use iamd_core::crypto::totp;
use serde_json::Value;
use support::{code_message, fixture, Server, REGION, ROOT_KEY_ID, ROOT_SECRET};

const TOKEN: &str = "GAHT12345678";
const SPARE: &str = "GAHT87654321";
/// Base32 of the RFC 6238 test seed "12345678901234567890".
const SEED_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const SEED: &[u8] = b"12345678901234567890";
const ADMIN_PATH: &str = "/iamd/admin/hardware-mfa-devices";
const ROOT: (&str, &str) = (ROOT_KEY_ID, ROOT_SECRET);

/// Runs `iamd mfa import FILE --endpoint-url ... [extra]` signed with `key`/`secret`.
fn iamd_import(server: &Server, key: &str, secret: &str, file: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(["mfa", "import"])
        .arg(file)
        .args(["--endpoint-url", &server.endpoint])
        .args(extra)
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REGION")
        .output()
        .expect("run iamd mfa import")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A SigV4-signed (service `iam`) POST to `path` as `key`; returns the status and body.
fn admin_post(
    server: &Server,
    (key, secret): (&str, &str),
    content_type: &str,
    body: &[u8],
) -> (u16, String) {
    let path = ADMIN_PATH;
    let host = format!("127.0.0.1:{}", server.port);
    let identity: Identity = Credentials::new(key, secret, None, None, "t").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name("iam")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let url = format!("http://{host}{path}");
    let headers = [("host", host.as_str()), ("content-type", content_type)];
    let signable =
        SignableRequest::new("POST", &url, headers.into_iter(), SignableBody::Bytes(body)).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: {content_type}\r\n\
         content-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in instructions.headers() {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

/// Waits until at least 10 s remain in the current 30-second TOTP step; returns the step.
async fn fresh_step() -> u64 {
    loop {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        if secs % 30 < 20 {
            return secs / 30;
        }
        tokio::time::sleep(Duration::from_secs(30 - secs % 30)).await;
    }
}

#[tokio::test]
async fn admin_imports_tokens_and_a_user_signs_in_with_one() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let iam = server.iam();

    // The administrator imports two tokens from a CSV file.
    let csv = dir.path().join("tokens.csv");
    std::fs::write(
        &csv,
        format!(
            "serial,seed\n{TOKEN},{SEED_B32}\n{SPARE},hex:{}\n",
            "ab".repeat(20)
        ),
    )
    .unwrap();
    let out = iamd_import(&server, ROOT_KEY_ID, ROOT_SECRET, &csv, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("{TOKEN}\n{SPARE}\n"));
    assert!(!server.log().contains(SEED_B32), "seeds are never logged");

    // Importing the same serial again imports nothing: 409, exit 1.
    let out = iamd_import(&server, ROOT_KEY_ID, ROOT_SECRET, &csv, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("EntityAlreadyExists"),
        "{}",
        text(&out.stderr)
    );

    // dave: AdministratorAccess plus the seed 002 force-MFA policy, as managed policies.
    let (dave_key, dave_secret) = server.user_with_key("dave").await;
    for (name, file) in [
        ("AdministratorAccess", "administrator-access.json"),
        ("ForceMFA", "seed002-force-mfa-blog-ja.json"),
    ] {
        let created = iam
            .create_policy()
            .policy_name(name)
            .policy_document(fixture(file))
            .send()
            .await
            .unwrap();
        let arn = created.policy.unwrap().arn.unwrap();
        iam.attach_user_policy()
            .user_name("dave")
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }
    let dave_iam = server.iam_as(&dave_key, &dave_secret);
    let (code, _) = code_message(dave_iam.list_groups().send().await.unwrap_err());
    assert_eq!(
        code, "AccessDenied",
        "no MFA yet: the seed 002 deny applies"
    );

    // The token is enabled for dave with two consecutive codes.
    let step = fresh_step().await;
    let code = |s: u64| totp::code_for_step(SEED, s).unwrap();
    iam.enable_mfa_device()
        .user_name("dave")
        .serial_number(TOKEN)
        .authentication_code1(code(step - 2))
        .authentication_code2(code(step - 1))
        .send()
        .await
        .unwrap();
    let devices = iam
        .list_mfa_devices()
        .user_name("dave")
        .send()
        .await
        .unwrap();
    assert_eq!(devices.mfa_devices[0].serial_number, TOKEN);

    // GetSessionToken with the token's serial and a fresh code gives MFA session credentials.
    let session = server
        .sts_as(&dave_key, &dave_secret)
        .get_session_token()
        .serial_number(TOKEN)
        .token_code(code(step))
        .send()
        .await
        .unwrap();
    let creds = session.credentials.unwrap();
    assert!(
        creds.access_key_id.starts_with("ASIA"),
        "{}",
        creds.access_key_id
    );
    let session_creds = Credentials::new(
        &creds.access_key_id,
        &creds.secret_access_key,
        Some(creds.session_token.clone()),
        None,
        "session",
    );
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::new()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new(REGION))
            .endpoint_url(&server.endpoint)
            .credentials_provider(session_creds.clone())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build(),
    );
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:iam::123456789012:user/dave"));
    let dave_mfa = aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::new()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new(REGION))
            .endpoint_url(&server.endpoint)
            .credentials_provider(session_creds)
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build(),
    );
    dave_mfa.list_groups().send().await.unwrap();
}

#[tokio::test]
async fn bad_files_and_callers_import_nothing() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();

    // A bad line 3: nothing is imported, the message names the line, exit 1.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("# tokens\n{TOKEN},{SEED_B32}\n{SPARE},hex:12zz\n"),
    )
    .unwrap();
    let out = iamd_import(&server, ROOT_KEY_ID, ROOT_SECRET, &bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("InvalidInput") && stderr.contains("line 3"),
        "{stderr}"
    );
    assert!(!stderr.contains(SEED_B32), "{stderr}");

    // The raw answer: 400, AWS-style JSON error.
    let body = std::fs::read(&bad).unwrap();
    let (status, answer) = admin_post(&server, ROOT, "text/csv", &body);
    assert_eq!(status, 400, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["Error"]["Code"], "InvalidInput");
    assert_eq!(answer["Error"]["Type"], "Sender");
    assert!(answer["RequestId"].is_string());

    // Unknown Content-Type, unknown extension: refused / usage error.
    let (status, _) = admin_post(&server, ROOT, "application/json", &body);
    assert_eq!(status, 400);
    let txt = dir.path().join("tokens.txt");
    std::fs::write(&txt, format!("{TOKEN},{SEED_B32}\n")).unwrap();
    let out = iamd_import(&server, ROOT_KEY_ID, ROOT_SECRET, &txt, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));

    // The operation is not part of the IAM Query API.
    let (status, xml) = server.signed_post(
        "iam",
        ROOT_KEY_ID,
        ROOT_SECRET,
        b"Action=ImportHardwareMFADevices&Version=2010-05-08",
    );
    assert_eq!(status, 400, "{xml}");
    assert!(xml.contains("InvalidAction"), "{xml}");

    // A user without the permission: 403 AccessDenied naming iamd's action, exit 1.
    let (key, secret) = server.user_with_key("mallory").await;
    let out = iamd_import(&server, &key, &secret, &txt, &["--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("AccessDenied") && stderr.contains("iamd:ImportHardwareMFADevices"),
        "{stderr}"
    );
    let csv = format!("{TOKEN},{SEED_B32}\n");
    let (status, answer) = admin_post(&server, (&key, &secret), "text/csv", csv.as_bytes());
    assert_eq!(status, 403, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["Error"]["Code"], "AccessDenied");

    // Nothing was imported above: the same serials import now, from a PSKC document.
    let pskc = dir.path().join("tokens.xml");
    std::fs::write(&pskc, pskc_document(&[(TOKEN, SEED), (SPARE, &[7u8; 20])])).unwrap();
    let out = iamd_import(&server, ROOT_KEY_ID, ROOT_SECRET, &pskc, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("{TOKEN}\n{SPARE}\n"));
}

/// An RFC 6030 PSKC document with one TOTP `KeyPackage` per token, PlainValue secrets.
fn pskc_document(tokens: &[(&str, &[u8])]) -> String {
    use base64::Engine;
    let mut packages = String::new();
    for (serial, seed) in tokens {
        let secret = base64::engine::general_purpose::STANDARD.encode(seed);
        packages.push_str(&format!(
            r#"
  <KeyPackage>
    <DeviceInfo><Manufacturer>Gemalto</Manufacturer><SerialNo>{serial}</SerialNo></DeviceInfo>
    <Key Id="{serial}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <AlgorithmParameters><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>
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
