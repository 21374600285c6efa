//! `parse` and `verify` never panic, whatever the request holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, UNIX_EPOCH};

use iamd_sigv4::{parse, verify, SecretKey, SignedRequest};
use proptest::prelude::*;

/// Authorization-header-like strings: mostly well-formed pieces, shuffled and broken.
fn authorization() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just("AWS4-HMAC-SHA256".to_owned()),
        Just("AWS4-".to_owned()),
        Just("Credential=AKID/20150830/us-east-1/iam/aws4_request".to_owned()),
        Just("Credential=/////".to_owned()),
        Just("SignedHeaders=host;x-amz-date".to_owned()),
        Just("SignedHeaders=;;".to_owned()),
        Just(
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31".to_owned()
        ),
        Just("=".to_owned()),
        Just(",".to_owned()),
        Just(" ".to_owned()),
        "\\PC{0,40}",
    ];
    prop_oneof![
        proptest::collection::vec(piece, 0..8).prop_map(|p| p.join(" ").into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..200),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("X-Amz-Algorithm=AWS4-HMAC-SHA256".to_owned()),
        Just("X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fiam%2Faws4_request".to_owned()),
        Just("X-Amz-Date=20150830T123600Z".to_owned()),
        Just("X-Amz-SignedHeaders=host".to_owned()),
        Just("X-Amz-Signature=zz".to_owned()),
        Just("X-Amz-Expires=99999999999999999999999".to_owned()),
        Just("X-Amz-Security-Token=%FF%FE".to_owned()),
        Just("%".to_owned()),
        Just("%E1%88".to_owned()),
        Just("+=+".to_owned()),
        "[ -~]{0,20}",
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|p| p.join("&"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_and_verify_never_panic(
        auth in proptest::option::of(authorization()),
        date in proptest::option::of(prop_oneof![
            Just(b"20150830T123600Z".to_vec()),
            Just(b"Sun, 30 Aug 2015 12:36:00 GMT".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..40),
        ]),
        token in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        other in proptest::collection::vec(any::<u8>(), 0..100),
        query in query(),
        path in "\\PC{0,30}",
        body in proptest::collection::vec(any::<u8>(), 0..50),
        now in any::<i64>(),
    ) {
        let mut headers: Vec<(&str, &[u8])> = vec![("Host", b"iam.amazonaws.com"), ("X-Other", &other)];
        if let Some(auth) = &auth { headers.push(("Authorization", auth)); }
        if let Some(date) = &date { headers.push(("X-Amz-Date", date)); headers.push(("Date", date)); }
        if let Some(token) = &token { headers.push(("X-Amz-Security-Token", token)); }
        headers.push(("x-amz-content-sha256", &other));
        let req = SignedRequest { method: "POST", path: &path, query: &query, headers: &headers, body: &body };
        if let Ok(parsed) = parse(&req) {
            let now = if now >= 0 {
                UNIX_EPOCH + Duration::from_secs(now.unsigned_abs())
            } else {
                UNIX_EPOCH.checked_sub(Duration::from_secs(now.unsigned_abs())).unwrap_or(UNIX_EPOCH)
            };
            let _ = parsed.check_scope("iam", |r| r == "us-east-1");
            let _ = verify(&parsed, &req, &SecretKey::from("secret"), now);
        }
    }
}
