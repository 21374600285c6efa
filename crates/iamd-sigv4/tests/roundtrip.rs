//! Requests signed by the official signer (`aws-sigv4`, as the AWS SDK for Rust uses
//! it) verify; tampered ones fail with the right error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use iamd_sigv4::{parse, verify, verify_with_key, ErrorKind, SecretKey, SignedRequest, SigningKey};

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "FwoGZXIvYXdzEBYaDHqa0AP1Lp+EXAMPLE/TOKEN==";
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// 2026-11-23T08:00:00Z.
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_420_800)
}

struct Signed {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Signed {
    fn request(&self) -> (Vec<(&str, &[u8])>, &Self) {
        let headers = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        (headers, self)
    }

    fn check(
        &self,
        secret: &str,
        now: SystemTime,
    ) -> Result<iamd_sigv4::ParsedSignature, iamd_sigv4::SigV4Error> {
        let (headers, this) = self.request();
        let req = SignedRequest {
            method: &this.method,
            path: &this.path,
            query: &this.query,
            headers: &headers,
            body: &this.body,
        };
        let parsed = parse(&req)?;
        parsed.check_scope("iam", |r| r == "us-east-1")?;
        verify(&parsed, &req, &SecretKey::from(secret), now)?;
        Ok(parsed)
    }

    fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers
            .push((name.to_owned(), value.as_bytes().to_vec()));
    }
}

/// Signs like the SDK: `service` iam, `us-east-1`, at `time`.
fn sign_with_sdk(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    time: SystemTime,
    token: Option<&str>,
    presign: Option<Duration>,
) -> Signed {
    let identity: Identity =
        Credentials::new(AKID, SECRET, token.map(str::to_owned), None, "test").into();
    let mut settings = SigningSettings::default();
    if let Some(expires) = presign {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(expires);
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("iam")
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        method,
        uri,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _signature) = sign(signable, &params).unwrap().into_parts();
    let mut builder = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut request = builder.body(body.to_vec()).unwrap();
    instructions.apply_to_request_http1x(&mut request);

    let uri = request.uri().clone();
    let mut headers: Vec<(String, Vec<u8>)> = request
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    if !headers.iter().any(|(n, _)| n == "host") {
        // What hyper sends from the URI.
        headers.push((
            "host".into(),
            uri.authority().unwrap().as_str().as_bytes().to_vec(),
        ));
    }
    Signed {
        method: method.to_owned(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        headers,
        body: request.into_body(),
    }
}

fn iam_post(body: &str, time: SystemTime, token: Option<&str>) -> Signed {
    sign_with_sdk(
        "POST",
        "https://iam.amazonaws.com/",
        &[("content-type", FORM)],
        body.as_bytes(),
        time,
        token,
        None,
    )
}

const CREATE_USER: &str = "Action=CreateUser&UserName=alice&Path=%2Fteam%2F&Version=2010-05-08";

#[test]
fn sdk_signed_iam_post_verifies() {
    let signed = iam_post(CREATE_USER, t0(), None);
    let parsed = signed.check(SECRET, t0()).unwrap();
    assert_eq!(parsed.access_key_id(), AKID);
    assert_eq!(
        parsed.scope().to_string(),
        "20261123/us-east-1/iam/aws4_request"
    );
    assert_eq!(parsed.amz_date(), "20261123T080000Z");
    assert_eq!(parsed.request_time(), t0());
    assert_eq!(parsed.session_token(), None);
    assert!(!parsed.is_presigned());
    assert!(parsed.signed_headers().iter().any(|h| h == "host"));
    assert_eq!(parsed.signature().len(), 32);
}

#[test]
fn cached_signing_key_verifies_and_is_scope_bound() {
    let signed = iam_post(CREATE_USER, t0(), None);
    let (headers, s) = signed.request();
    let req = SignedRequest {
        method: &s.method,
        path: &s.path,
        query: &s.query,
        headers: &headers,
        body: &s.body,
    };
    let parsed = parse(&req).unwrap();
    let secret = SecretKey::from(SECRET);
    let key = SigningKey::derive(&secret, "20261123", "us-east-1", "iam");
    verify_with_key(&parsed, &req, &key, t0()).unwrap();
    let yesterday = SigningKey::derive(&secret, "20261122", "us-east-1", "iam");
    let err = verify_with_key(&parsed, &req, &yesterday, t0()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureDoesNotMatch);
}

#[test]
fn sdk_signed_session_token_request_verifies() {
    let signed = iam_post("Action=GetUser&Version=2010-05-08", t0(), Some(TOKEN));
    let parsed = signed.check(SECRET, t0()).unwrap();
    assert_eq!(parsed.session_token(), Some(TOKEN));
    assert!(parsed
        .signed_headers()
        .iter()
        .any(|h| h == "x-amz-security-token"));

    // The token is signed: swapping it breaks the signature.
    let mut swapped = iam_post("Action=GetUser&Version=2010-05-08", t0(), Some(TOKEN));
    swapped.set_header("x-amz-security-token", "AnotherToken");
    let err = swapped.check(SECRET, t0()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureDoesNotMatch);
}

#[test]
fn sdk_presigned_get_verifies() {
    let signed = sign_with_sdk(
        "GET",
        "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fa%20b%2F",
        &[],
        b"",
        t0(),
        Some(TOKEN),
        Some(Duration::from_secs(300)),
    );
    assert!(signed.query.contains("X-Amz-Signature="));
    let parsed = signed
        .check(SECRET, t0() + Duration::from_secs(299))
        .unwrap();
    assert!(parsed.is_presigned());
    assert_eq!(parsed.expires(), Some(Duration::from_secs(300)));
    assert_eq!(parsed.session_token(), Some(TOKEN));

    // Past X-Amz-Expires (but within the 15-minute window): RequestExpired.
    let err = signed
        .check(SECRET, t0() + Duration::from_secs(301))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RequestExpired);
    assert_eq!((err.code(), err.status()), ("RequestExpired", 400));
    assert_eq!(err.message(), "Request has expired.");

    // A changed parameter breaks it.
    let mut tampered = sign_with_sdk(
        "GET",
        "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
        &[],
        b"",
        t0(),
        None,
        Some(Duration::from_secs(300)),
    );
    tampered.query = tampered.query.replace("ListUsers", "DeleteUser");
    let err = tampered.check(SECRET, t0()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureDoesNotMatch);
}

#[test]
fn presigned_expiry_beyond_15_minutes_is_capped_by_the_clock_window() {
    let signed = sign_with_sdk(
        "GET",
        "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
        &[],
        b"",
        t0(),
        None,
        Some(Duration::from_secs(3600)),
    );
    signed
        .check(SECRET, t0() + Duration::from_secs(900))
        .unwrap();
    let err = signed
        .check(SECRET, t0() + Duration::from_secs(901))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureDoesNotMatch);
    assert!(err
        .message()
        .starts_with("Signature expired: 20261123T080000Z"));
}

#[test]
fn tampered_body_fails() {
    let mut signed = iam_post(CREATE_USER, t0(), None);
    signed.body = CREATE_USER.replace("alice", "mallory").into_bytes();
    let err = signed.check(SECRET, t0()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureDoesNotMatch);
    assert_eq!(err.status(), 403);
    assert_eq!(
        err.message(),
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    );
    let detail = err.detail().unwrap();
    assert!(detail
        .starts_with("\n\nThe Canonical String for this request should have been\n'POST\n/\n\n"));
    assert!(detail.contains("\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261123T080000Z\n20261123/us-east-1/iam/aws4_request\n"));
    assert!(!detail.contains(SECRET));
}

#[test]
fn tampered_signed_header_fails() {
    let mut signed = iam_post(CREATE_USER, t0(), None);
    signed.set_header("content-type", "application/json");
    assert_eq!(
        signed.check(SECRET, t0()).unwrap_err().kind(),
        ErrorKind::SignatureDoesNotMatch
    );

    let mut signed = iam_post(CREATE_USER, t0(), None);
    signed.set_header("host", "iam.evil.example");
    assert_eq!(
        signed.check(SECRET, t0()).unwrap_err().kind(),
        ErrorKind::SignatureDoesNotMatch
    );

    // An unsigned header may change freely.
    let mut signed = iam_post(CREATE_USER, t0(), None);
    signed.set_header("user-agent", "curl/8");
    signed.check(SECRET, t0()).unwrap();
}

#[test]
fn tampered_date_fails() {
    let mut signed = iam_post(CREATE_USER, t0(), None);
    signed.set_header("x-amz-date", "20261123T080001Z");
    let err = signed.check(SECRET, t0()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureDoesNotMatch);
    assert_eq!(err.message(), iamd_sigv4::MSG_SIGNATURE_DOES_NOT_MATCH);

    // Another day than the credential scope's: AWS's scope message.
    let mut signed = iam_post(CREATE_USER, t0(), None);
    signed.set_header("x-amz-date", "20261124T000001Z");
    let err = signed
        .check(SECRET, UNIX_EPOCH + Duration::from_secs(1_795_478_401))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureDoesNotMatch);
    assert_eq!(
        err.message(),
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261123' != '20261124', from '20261124T000001Z'."
    );
}

#[test]
fn wrong_secret_fails() {
    let signed = iam_post(CREATE_USER, t0(), None);
    let err = signed
        .check("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ", t0())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureDoesNotMatch);
}

#[test]
fn wrong_service_and_region_are_reported_together() {
    let signed = iam_post(CREATE_USER, t0(), None);
    let (headers, s) = signed.request();
    let req = SignedRequest {
        method: &s.method,
        path: &s.path,
        query: &s.query,
        headers: &headers,
        body: &s.body,
    };
    let parsed = parse(&req).unwrap();
    let err = parsed.check_scope("sts", |r| r == "eu-west-1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureDoesNotMatch);
    assert_eq!(
        err.message(),
        "Credential should be scoped to a valid region, not 'us-east-1'. Credential should be scoped to correct service: 'sts'."
    );
}

#[test]
fn content_sha256_header_is_checked_against_the_body() {
    let body = CREATE_USER.as_bytes();
    let hash = "ae1b4b4e1e9bbd6b8e7ad4b6dc5f2fcfb5d4c2b8c0b8f0e2f4e27e2b2a2b2c2d";
    let mut signed = sign_with_sdk(
        "POST",
        "https://iam.amazonaws.com/",
        &[("content-type", FORM), ("x-amz-content-sha256", hash)],
        body,
        t0(),
        None,
        None,
    );
    let err = signed.check(SECRET, t0()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::XAmzContentSha256Mismatch);
    assert_eq!(err.code(), "XAmzContentSHA256Mismatch");

    // The right hash, signed: fine.
    let right = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(body))
    };
    signed = sign_with_sdk(
        "POST",
        "https://iam.amazonaws.com/",
        &[("content-type", FORM), ("x-amz-content-sha256", &right)],
        body,
        t0(),
        None,
        None,
    );
    signed.check(SECRET, t0()).unwrap();

    // UNSIGNED-PAYLOAD with a body: the body's parameters would be unsigned.
    let unsigned = sign_with_sdk(
        "POST",
        "https://iam.amazonaws.com/",
        &[
            ("content-type", FORM),
            ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
        ],
        body,
        t0(),
        None,
        None,
    );
    assert_eq!(
        unsigned.check(SECRET, t0()).unwrap_err().kind(),
        ErrorKind::XAmzContentSha256Mismatch
    );
}
