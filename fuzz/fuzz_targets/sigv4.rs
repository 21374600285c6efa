//! A request as text (`method\npath\nquery\nName: value\n...\n\nbody`) through the SigV4
//! parser (Authorization header and presigned query), canonicaliser and verifier. Checks:
//! - a parsed signature's string to sign is deterministic;
//! - a wrong signature is never accepted;
//! - for a header-signed request, the signature a reference signer computes (AWS's key
//!   derivation, written here with `hmac`/`sha2`) over iamd's string to sign is never
//!   refused as a mismatch (the request may still fail its clock, scope or payload checks),
//!   and the re-signed request parses to the same scope and signed headers.
#![no_main]

use hmac::{KeyInit, Mac};
use iamd_sigv4::{parse, string_to_sign, verify, SecretKey, SignedRequest};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// AWS's signing: kDate, kRegion, kService, kSigning, then the string to sign.
fn reference_signature(date: &str, region: &str, service: &str, sts: &str) -> String {
    let k_date = hmac(format!("AWS4{SECRET}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    hex::encode(hmac(&k_signing, sts.as_bytes()))
}

fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    let Ok(head) = std::str::from_utf8(head) else {
        return;
    };
    let mut lines = head.split('\n');
    let method = lines.next().unwrap_or("POST");
    let path = lines.next().unwrap_or("/");
    let query = lines.next().unwrap_or("");
    let headers: Vec<(&str, &[u8])> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n, v.trim_start().as_bytes()))
        .collect();
    let req = SignedRequest {
        method,
        path,
        query,
        headers: &headers,
        body,
    };
    let Ok(parsed) = parse(&req) else {
        return;
    };
    let first = string_to_sign(&parsed, &req);
    let second = string_to_sign(&parsed, &req);
    assert_eq!(first.as_ref().ok(), second.as_ref().ok());
    let secret = SecretKey::new(SECRET.as_bytes().to_vec());
    let now = parsed.request_time();
    let wrong_result = verify(&parsed, &req, &secret, now);
    let Ok((_, sts)) = first else {
        return;
    };
    let scope = parsed.scope();
    let right = reference_signature(&scope.date, &scope.region, &scope.service, &sts);
    if hex::encode(parsed.signature()) != right {
        assert!(wrong_result.is_err(), "a wrong signature was accepted");
    }
    let signs_authorization = parsed.signed_headers().iter().any(|h| h == "authorization");
    if parsed.is_presigned() || signs_authorization {
        return;
    }
    // The last `Signature=` of the header wins: append the right one.
    let Some(auth) = req.header("authorization") else {
        return;
    };
    let resigned_auth = [auth, b", Signature=", right.as_bytes()].concat();
    let resigned_headers: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| {
            if n.eq_ignore_ascii_case("authorization") {
                (*n, &resigned_auth[..])
            } else {
                (*n, *v)
            }
        })
        .collect();
    let resigned = SignedRequest {
        headers: &resigned_headers,
        ..req
    };
    let Ok(reparsed) = parse(&resigned) else {
        panic!("the re-signed request no longer parses");
    };
    assert_eq!(reparsed.signed_headers(), parsed.signed_headers());
    assert_eq!(reparsed.scope(), parsed.scope());
    if let Err(e) = verify(&reparsed, &resigned, &secret, now) {
        let compared = e
            .detail()
            .is_some_and(|d| d.contains("The String-to-Sign should have been"));
        assert!(!compared, "the right signature was refused: {e:?}");
    }
});
