//! Web identity tokens (AssumeRoleWithWebIdentity's JWT checks, `web_identity::verify`) with the
//! test keys of iamd-core (`testdata/oidc`). The first byte picks a mode:
//! - 0: the rest is a token as a client sends it;
//! - 1, 2, 3: the rest is a token's payload (any bytes), signed with a test key (RS256, ES256,
//!   or RS256 naming no key);
//! - 4: the rest is a JWKS document (an issuer's `jwks_uri` answer or `--oidc-jwks-dir` file),
//!   used as the issuer's keys for a valid token signed with the test RSA key.
//!
//! Checks: refusals are InvalidIdentityToken / ExpiredTokenException 400 or IDPRejectedClaim
//! 403; a token that verified decodes to the claims of its payload read plainly (issuer,
//! subject, audiences, `azp`, `amr`, session tags, within `nbf`..`exp`), so a signed token
//! always says what its signer signed; a token with a changed signature is refused; a JWKS
//! document that parses writes back to the same set, every key in it either loads or is
//! refused, and a token verifies with it only when it holds the test RSA key.
#![no_main]

use std::sync::Arc;

use iamd_core::web_identity::{verify, JwkSet};
use iamd_fuzz::jwt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let state = jwt::state();
    match mode % 5 {
        0 => {
            let Ok(token) = std::str::from_utf8(rest) else {
                return;
            };
            let keys = jwt::test_keys();
            match verify(token, &state, Some(&keys), jwt::NOW) {
                Ok(v) => {
                    // Only the holder of a test key could have signed it: the fuzzer found
                    // a token of the seeds or a signature check that lets a forgery through.
                    let payload = token.split('.').nth(1).unwrap_or_default();
                    let payload = base64_decode(payload);
                    jwt::check_claims(&payload, &v);
                }
                Err(e) => jwt::check_error(&e),
            }
        }
        choice @ 1..=3 => {
            let token = jwt::sign(choice - 1, rest);
            let keys = jwt::test_keys();
            match verify(&token, &state, Some(&keys), jwt::NOW) {
                Ok(v) => {
                    assert_ne!(
                        choice, 3,
                        "a token naming no key verified with a set of two"
                    );
                    jwt::check_claims(rest, &v);
                    let forged = change_signature(&token);
                    assert!(
                        verify(&forged, &state, Some(&keys), jwt::NOW).is_err(),
                        "a changed signature verified: {forged}"
                    );
                }
                Err(e) => jwt::check_error(&e),
            }
        }
        _ => {
            let Ok(set) = serde_json::from_slice::<JwkSet>(rest) else {
                return;
            };
            let text = serde_json::to_string(&set).expect("a JWKS writes");
            let again: JwkSet = serde_json::from_str(&text).expect("a written JWKS reads");
            assert_eq!(again, set, "JWKS round trip");
            for key in &set.keys {
                let _ = jsonwebtoken::DecodingKey::from_jwk(key);
            }
            let claims = format!(
                r#"{{"iss":"{}","sub":"s","aud":"app","exp":{}}}"#,
                jwt::ISSUER,
                jwt::NOW + 60
            );
            let token = jwt::sign(0, claims.as_bytes());
            let test = jwt::test_keys();
            let rsa = test.0.find("rsa-1").expect("the test RSA key");
            let keys = jwt::FixedKeys(Arc::new(set.clone()));
            match verify(&token, &state, Some(&keys), jwt::NOW) {
                Ok(_) => {
                    let used = set.find("rsa-1").expect("verified with a key named rsa-1");
                    assert_eq!(
                        used.algorithm, rsa.algorithm,
                        "verified with another key than the signer's"
                    );
                }
                Err(e) => jwt::check_error(&e),
            }
        }
    }
});

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .unwrap_or_default()
}

/// The token with the first character of its signature changed.
fn change_signature(token: &str) -> String {
    let at = token.rfind('.').map_or(0, |i| i + 1);
    let mut bytes = token.as_bytes().to_vec();
    if let Some(b) = bytes.get_mut(at) {
        *b = if *b == b'A' { b'B' } else { b'A' };
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
