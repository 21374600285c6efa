//! AWS's error codes, statuses and texts, and the clock-skew boundaries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use iamd_sigv4::{
    check_time, parse, parse_amz_date, string_to_sign, verify, ErrorKind, SecretKey, SigV4Error,
    SignedRequest,
};
use sha2::Sha256;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const VANILLA_AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

fn at(amz_date: &str) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(parse_amz_date(amz_date).unwrap()).unwrap())
}

fn parse_with(
    headers: &[(&str, &str)],
    query: &str,
) -> Result<iamd_sigv4::ParsedSignature, SigV4Error> {
    let headers: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    parse(&SignedRequest {
        method: "GET",
        path: "/",
        query,
        headers: &headers,
        body: b"",
    })
}

fn parse_err(headers: &[(&str, &str)], query: &str) -> SigV4Error {
    parse_with(headers, query).unwrap_err()
}

/// The suite's `get-vanilla`, verified at `now`.
fn vanilla_at(now: SystemTime) -> Result<(), SigV4Error> {
    let headers: Vec<(&str, &[u8])> = vec![
        ("Host", b"example.amazonaws.com"),
        ("X-Amz-Date", b"20150830T123600Z"),
        ("Authorization", VANILLA_AUTH.as_bytes()),
    ];
    let req = SignedRequest {
        method: "GET",
        path: "/",
        query: "",
        headers: &headers,
        body: b"",
    };
    let parsed = parse(&req)?;
    verify(&parsed, &req, &SecretKey::from(SECRET), now)
}

#[test]
fn missing_authentication_token() {
    for headers in [
        vec![("Host", "example.amazonaws.com")],
        vec![("Authorization", "Basic dXNlcjpwYXNz")],
    ] {
        let err = parse_err(&headers, "Action=ListUsers");
        assert_eq!(err.kind(), ErrorKind::MissingAuthenticationToken);
        assert_eq!(
            (err.code(), err.status()),
            ("MissingAuthenticationToken", 403)
        );
        assert_eq!(err.message(), "Request is missing Authentication Token");
    }
}

#[test]
fn incomplete_signature_lists_every_missing_part_in_order() {
    let err = parse_err(&[("Authorization", "AWS4-HMAC-SHA256")], "");
    assert_eq!((err.code(), err.status()), ("IncompleteSignature", 400));
    assert_eq!(
        err.message(),
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256"
    );

    let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date";
    let err = parse_err(
        &[
            ("Authorization", header),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        "",
    );
    assert_eq!(
        err.message(),
        format!("Authorization header requires 'Signature' parameter. Authorization={header}")
    );
}

#[test]
fn incomplete_signature_key_value_pairs() {
    let header = "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders";
    let err = parse_err(&[("Authorization", header)], "");
    assert_eq!(err.kind(), ErrorKind::IncompleteSignature);
    assert_eq!(
        err.message(),
        "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'."
    );
}

#[test]
fn bad_date_format() {
    let err = parse_err(
        &[
            ("Authorization", VANILLA_AUTH),
            ("X-Amz-Date", "201"),
            ("Host", "h"),
        ],
        "",
    );
    assert_eq!(err.kind(), ErrorKind::IncompleteSignature);
    assert_eq!(
        err.message(),
        "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"
    );
}

#[test]
fn host_must_be_signed() {
    let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=x-amz-date, Signature=00";
    let err = parse_err(
        &[
            ("Authorization", header),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        "",
    );
    assert_eq!((err.code(), err.status()), ("SignatureDoesNotMatch", 403));
    assert_eq!(
        err.message(),
        "'Host' must be a 'SignedHeader' in the AWS Authorization."
    );
}

#[test]
fn unsupported_algorithm() {
    let header = "AWS4-HMAC-SHA512 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
    let err = parse_err(
        &[
            ("Authorization", header),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        "",
    );
    assert_eq!(err.kind(), ErrorKind::IncompleteSignature);
    assert_eq!(
        err.message(),
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "
    );
}

#[test]
fn malformed_credential() {
    let header = "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host;x-amz-date, Signature=00";
    let err = parse_err(
        &[
            ("Authorization", header),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        "",
    );
    assert_eq!(err.kind(), ErrorKind::IncompleteSignature);
    assert_eq!(
        err.message(),
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"
    );
    // Trailing slashes are ignored.
    let header = "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request//, SignedHeaders=host;x-amz-date, Signature=00";
    let parsed = parse_with(
        &[
            ("Authorization", header),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        "",
    )
    .unwrap();
    assert_eq!(parsed.scope().terminator, "aws4_request");
}

#[test]
fn bad_terminator_is_reported() {
    let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws5_request, SignedHeaders=host;x-amz-date, Signature=00";
    let parsed = parse_with(
        &[
            ("Authorization", header),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        "",
    )
    .unwrap();
    let err = parsed.check_scope("iam", |_| true).unwrap_err();
    assert_eq!(
        err.message(),
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."
    );
}

#[test]
fn presigned_missing_parameters() {
    let err = parse_err(
        &[("Host", "h")],
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20150830T123600Z",
    );
    assert_eq!((err.code(), err.status()), ("IncompleteSignature", 400));
    assert_eq!(
        err.message(),
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."
    );
}

#[test]
fn presigned_expires_must_be_sane() {
    let base = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00";
    for (expires, message) in [
        (
            "604801",
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        ),
        ("-5", "X-Amz-Expires must be non-negative"),
        ("soon", "X-Amz-Expires should be a number"),
    ] {
        let err = parse_err(&[("Host", "h")], &format!("{base}&X-Amz-Expires={expires}"));
        assert_eq!(
            (err.kind(), err.message()),
            (ErrorKind::IncompleteSignature, message)
        );
    }
    let parsed = parse_with(&[("Host", "h")], &format!("{base}&X-Amz-Expires=604800")).unwrap();
    assert_eq!(parsed.expires(), Some(Duration::from_secs(604_800)));
}

#[test]
fn header_and_query_signature_together() {
    let err = parse_err(
        &[
            ("Authorization", VANILLA_AUTH),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
    );
    assert_eq!((err.code(), err.status()), ("SignatureDoesNotMatch", 400));
    assert_eq!(
        err.message(),
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
    );
}

#[test]
fn clock_skew_messages_are_aws_texts() {
    let header = "AWS4-HMAC-SHA256 Credential=AKID/20220127/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
    let old = parse_with(
        &[
            ("Authorization", header),
            ("X-Amz-Date", "20220127T001427Z"),
            ("Host", "h"),
        ],
        "",
    )
    .unwrap();
    let err = check_time(&old, at("20220127T015928Z")).unwrap_err();
    assert_eq!((err.code(), err.status()), ("SignatureDoesNotMatch", 403));
    assert_eq!(
        err.message(),
        "Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)"
    );

    let future = parse_with(
        &[
            ("Authorization", header),
            ("X-Amz-Date", "20220127T021429Z"),
            ("Host", "h"),
        ],
        "",
    )
    .unwrap();
    let err = check_time(&future, at("20220127T015928Z")).unwrap_err();
    assert_eq!(
        err.message(),
        "Signature not yet current: 20220127T021429Z is still later than 20220127T021428Z (20220127T015928Z + 15 min.)"
    );
}

#[test]
fn clock_skew_boundaries() {
    let signed = at("20150830T123600Z");
    vanilla_at(signed).unwrap();
    vanilla_at(signed + Duration::from_secs(900)).unwrap();
    vanilla_at(signed - Duration::from_secs(900)).unwrap();

    let err = vanilla_at(signed + Duration::from_secs(901)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureDoesNotMatch);
    assert_eq!(
        err.message(),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)"
    );
    let err = vanilla_at(signed - Duration::from_secs(901)).unwrap_err();
    assert_eq!(
        err.message(),
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)"
    );
}

#[test]
fn date_header_instead_of_x_amz_date() {
    // botocore signs with the `Date` header when the caller set one: the string to
    // sign still carries the ISO-8601 basic form.
    let date = "Sun, 30 Aug 2015 12:36:00 GMT";
    let unsigned = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=date;host, Signature=00";
    let mut headers: Vec<(&str, Vec<u8>)> = vec![
        ("Host", b"iam.amazonaws.com".to_vec()),
        ("Date", date.as_bytes().to_vec()),
        ("Authorization", unsigned.as_bytes().to_vec()),
    ];
    let refs: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    let req = SignedRequest {
        method: "GET",
        path: "/",
        query: "Action=ListUsers",
        headers: &refs,
        body: b"",
    };
    let parsed = parse(&req).unwrap();
    assert_eq!(parsed.amz_date(), "20150830T123600Z");
    let (_, sts) = string_to_sign(&parsed, &req).unwrap();
    assert!(sts
        .starts_with("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"));

    // Sign it by hand with the documented key chain.
    let hmac = |key: &[u8], data: &[u8]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    };
    let mut key = hmac(format!("AWS4{SECRET}").as_bytes(), b"20150830");
    for part in ["us-east-1", "iam", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex::encode(hmac(&key, sts.as_bytes()));
    let signed = unsigned.replace("Signature=00", &format!("Signature={signature}"));
    headers[2].1 = signed.into_bytes();
    let refs: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    let req = SignedRequest {
        method: "GET",
        path: "/",
        query: "Action=ListUsers",
        headers: &refs,
        body: b"",
    };
    let parsed = parse(&req).unwrap();
    verify(
        &parsed,
        &req,
        &SecretKey::from(SECRET),
        at("20150830T124000Z"),
    )
    .unwrap();
}

#[test]
fn invalid_client_token_id_constant() {
    let err = SigV4Error::invalid_client_token_id();
    assert_eq!((err.code(), err.status()), ("InvalidClientTokenId", 403));
    assert_eq!(
        err.message(),
        "The security token included in the request is invalid."
    );
    assert_eq!(
        err.to_string(),
        "InvalidClientTokenId: The security token included in the request is invalid."
    );
}

#[test]
fn non_utf8_session_token_is_an_invalid_token() {
    let headers: Vec<(&str, &[u8])> = vec![
        ("Host", b"h"),
        ("X-Amz-Date", b"20150830T123600Z"),
        ("X-Amz-Security-Token", b"\xff\xfe"),
        ("Authorization", VANILLA_AUTH.as_bytes()),
    ];
    let err = parse(&SignedRequest {
        method: "GET",
        path: "/",
        query: "",
        headers: &headers,
        body: b"",
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidClientTokenId);
}
