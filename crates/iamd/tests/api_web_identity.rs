//! OpenID Connect federation end to end: a local issuer (the test keys of
//! `crates/iamd-core/testdata/oidc`, its discovery document and key set served over HTTPS on
//! loopback by `openssl s_server` with a test CA given to iamd by `--oidc-ca-file`), the
//! provider registered with the AWS SDK, and AssumeRoleWithWebIdentity called with the SDK
//! (unsigned, as AWS serves it) for good and bad tokens.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use support::{code_message, Options, Server, ACCOUNT};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../iamd-core/testdata/oidc");

fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA and a certificate it issued for 127.0.0.1 (`ca.pem`, `cert.pem`, `key.pem`).
fn certificates(dir: &Path) {
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=iamd test CA",
        ]
        .iter()
        .chain(&["-keyout", "ca.key", "-out", "ca.pem"])
        .copied()
        .collect::<Vec<_>>(),
        dir,
    );
    openssl(
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "key.pem",
            "-out",
            "cert.csr",
        ],
        dir,
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "cert.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "ext.cnf",
            "-out",
            "cert.pem",
        ],
        dir,
    );
}

/// The issuer: `openssl s_server -WWW` serving the discovery document and the key set from
/// `dir` on a free loopback port; killed when dropped.
struct Issuer {
    child: Child,
    url: String,
}

impl Drop for Issuer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn issuer(dir: &Path) -> Issuer {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("https://127.0.0.1:{port}");
    std::fs::create_dir_all(dir.join(".well-known")).unwrap();
    let discovery = json!({"issuer": url, "jwks_uri": format!("{url}/jwks.json")});
    std::fs::write(
        dir.join(".well-known/openid-configuration"),
        discovery.to_string(),
    )
    .unwrap();
    std::fs::copy(Path::new(KEYS).join("jwks.json"), dir.join("jwks.json")).unwrap();
    let child = Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-WWW",
            "-accept",
            &port.to_string(),
            "-cert",
            "cert.pem",
            "-key",
            "key.pem",
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server");
    // Readiness, not timing: wait until the issuer accepts connections.
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::yield_now();
    }
    Issuer { child, url }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign(kid: &str, pem: &str, claims: &Value) -> String {
    let pem = std::fs::read(Path::new(KEYS).join(pem)).unwrap();
    let (alg, key) = match pem.starts_with(b"-----BEGIN PRIVATE KEY-----") && kid.starts_with("ec")
    {
        true => (Algorithm::ES256, EncodingKey::from_ec_pem(&pem).unwrap()),
        false => (Algorithm::RS256, EncodingKey::from_rsa_pem(&pem).unwrap()),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_string());
    encode(&header, claims, &key).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn assume_role_with_web_identity_against_a_local_issuer() {
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let issuer = issuer(dir.path());
    let ca = dir.path().join("ca.pem");
    let server = Server::start_opts(&Options::args(&["--oidc-ca-file", ca.to_str().unwrap()]));
    let iam = server.iam();
    let created = iam
        .create_open_id_connect_provider()
        .url(&issuer.url)
        .client_id_list("sts.amazonaws.com")
        .send()
        .await
        .unwrap();
    let host = issuer.url.trim_start_matches("https://");
    let provider = format!("arn:aws:iam::{ACCOUNT}:oidc-provider/{host}");
    assert_eq!(
        created.open_id_connect_provider_arn(),
        Some(provider.as_str())
    );
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {format!("{host}:aud"): "sts.amazonaws.com"},
            "StringLike": {format!("{host}:sub"): "repo:acme/app:*"}
        }
    }]});
    iam.create_role()
        .role_name("deploy")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    let claims = |sub: &str, aud: &str, exp: i64| json!({"iss": issuer.url, "sub": sub, "aud": aud, "exp": exp, "iat": now() - 5});
    let good = claims(
        "repo:acme/app:ref:refs/heads/main",
        "sts.amazonaws.com",
        now() + 600,
    );
    let sts = server.sts();
    let assume = |token: String| {
        sts.assume_role_with_web_identity()
            .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/deploy"))
            .role_session_name("run-1")
            .web_identity_token(token)
            .send()
    };

    // RS256 and ES256, both from the issuer's key set fetched over HTTPS.
    for (kid, pem) in [("rsa-1", "rsa.pem"), ("ec-1", "ec.pem")] {
        let out = assume(sign(kid, pem, &good)).await.unwrap();
        assert_eq!(
            out.subject_from_web_identity_token(),
            Some("repo:acme/app:ref:refs/heads/main")
        );
        assert_eq!(out.audience(), Some("sts.amazonaws.com"));
        assert_eq!(out.provider(), Some(provider.as_str()));
        let user = out.assumed_role_user().unwrap();
        assert_eq!(
            user.arn(),
            format!("arn:aws:sts::{ACCOUNT}:assumed-role/deploy/run-1")
        );
        let who = server
            .sts_session(out.credentials().unwrap())
            .get_caller_identity()
            .send()
            .await
            .unwrap();
        assert_eq!(who.arn(), Some(user.arn()));
    }

    let refused = |result: Result<_, _>| code_message(result.map(drop).unwrap_err());
    let wrong_audience = claims("repo:acme/app:x", "someone-else", now() + 600);
    assert_eq!(
        refused(assume(sign("rsa-1", "rsa.pem", &wrong_audience)).await),
        (
            "InvalidIdentityToken".into(),
            "Incorrect token audience".into()
        )
    );
    let expired = claims("repo:acme/app:x", "sts.amazonaws.com", now() - 600);
    let (code, message) = refused(assume(sign("rsa-1", "rsa.pem", &expired)).await);
    assert_eq!(code, "ExpiredTokenException");
    assert!(
        message.starts_with("Token expired: current date/time "),
        "{message}"
    );
    let (code, _) = refused(assume(sign("rsa-1", "forger.pem", &good)).await);
    assert_eq!(code, "InvalidIdentityToken");
    assert_eq!(
        refused(assume(sign("rotated", "rsa.pem", &good)).await),
        (
            "InvalidIdentityToken".into(),
            "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements".into()
        )
    );
    let other_repo = claims(
        "repo:evil/app:ref:refs/heads/main",
        "sts.amazonaws.com",
        now() + 600,
    );
    assert_eq!(
        refused(assume(sign("rsa-1", "rsa.pem", &other_repo)).await),
        (
            "AccessDenied".into(),
            "Not authorized to perform sts:AssumeRoleWithWebIdentity".into()
        )
    );

    // Unsigned, as AWS serves it; other operations still need a signature.
    let form = format!(
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A{ACCOUNT}%3Arole%2Fdeploy&RoleSessionName=raw&WebIdentityToken={}",
        sign("rsa-1", "rsa.pem", &good)
    );
    let form_type = [("content-type", "application/x-www-form-urlencoded")];
    let (status, body) = server.raw_post(&form_type, form.as_bytes());
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<SubjectFromWebIdentityToken>repo:acme/app:ref:refs/heads/main"));
    let (status, body) = server.raw_post(&form_type, b"Action=ListUsers&Version=2010-05-08");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("MissingAuthenticationToken"), "{body}");

    // Every call is in the audit trail, refused ones with their error; never the token.
    let mut server = server;
    server.terminate();
    let records: Vec<_> = support::audit_records(&server.data_dir())
        .into_iter()
        .filter(|r| r.event_name == "AssumeRoleWithWebIdentity")
        .collect();
    let codes: Vec<&str> = records
        .iter()
        .filter_map(|r| r.body.split("\"errorCode\":\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let failed = |code: &str| codes.iter().filter(|c| **c == code).count();
    assert_eq!(records.len(), 8, "{records:#?}");
    assert_eq!(failed("InvalidIdentityTokenException"), 3, "{codes:?}");
    assert_eq!(failed("ExpiredTokenException"), 1);
    assert_eq!(failed("AccessDenied"), 1);
    let principal =
        format!("\"principalId\":\"{host}:sts.amazonaws.com:repo:acme/app:ref:refs/heads/main\"");
    let succeeded: Vec<_> = records
        .iter()
        .filter(|r| !r.body.contains("errorCode"))
        .collect();
    assert_eq!(succeeded.len(), 3);
    for record in succeeded {
        assert!(record.body.contains(&principal), "{}", record.body);
        assert!(record
            .body
            .contains(&format!("\"identityProvider\":\"{provider}\"")));
    }
    // JWTs begin with `eyJ` (base64 of `{"`).
    assert!(records.iter().all(|r| !r.body.contains("eyJ")));
}

/// Closed networks: the issuer's key set from `--oidc-jwks-dir`, no network at all.
#[tokio::test(flavor = "multi_thread")]
async fn keys_from_a_directory_in_a_closed_network() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(KEYS).join("jwks.json"),
        dir.path().join("idp.closed.example_ci.json"),
    )
    .unwrap();
    let keys = dir.path().to_str().unwrap();
    let server = Server::start_opts(&Options::args(&["--oidc-jwks-dir", keys]));
    let iam = server.iam();
    iam.create_open_id_connect_provider()
        .url("https://idp.closed.example/ci")
        .client_id_list("app")
        .send()
        .await
        .unwrap();
    let provider = format!("arn:aws:iam::{ACCOUNT}:oidc-provider/idp.closed.example/ci");
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity"
    }]});
    iam.create_role()
        .role_name("job")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    let claims = json!({"iss": "https://idp.closed.example/ci", "sub": "job-7", "aud": "app", "exp": now() + 600});
    let out = server
        .sts()
        .assume_role_with_web_identity()
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/job"))
        .role_session_name("job-7")
        .web_identity_token(sign("ec-1", "ec.pem", &claims))
        .send()
        .await
        .unwrap();
    assert_eq!(out.subject_from_web_identity_token(), Some("job-7"));
}
