//! The token checks, with test keys (`testdata/oidc`) and a key source that counts fetches.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use super::*;
use crate::model::OidcProvider;
use crate::state::AccountState;

const JWKS: &str = include_str!("../../testdata/oidc/jwks.json");
const RSA: &str = include_str!("../../testdata/oidc/rsa.pem");
const EC: &str = include_str!("../../testdata/oidc/ec.pem");
const FORGER: &str = include_str!("../../testdata/oidc/forger.pem");
const NOW: i64 = 1_800_000_000;
const ISSUER: &str = "https://issuer.example.com/ci";

/// The test JWKS; `fetches` counts calls, `refreshes` those asking for a fresh copy.
#[derive(Default)]
struct TestKeys {
    fetches: AtomicUsize,
    refreshes: AtomicUsize,
    unreachable: bool,
}

impl KeySource for TestKeys {
    fn keys(&self, issuer: &str, refresh: bool) -> Result<Arc<JwkSet>, String> {
        assert_eq!(issuer, ISSUER);
        self.fetches.fetch_add(1, Ordering::SeqCst);
        if refresh {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
        }
        if self.unreachable {
            return Err("connection refused".into());
        }
        Ok(Arc::new(serde_json::from_str(JWKS).unwrap()))
    }
}

fn state() -> AccountState {
    let mut state = AccountState::new("111122223333");
    let arn = "arn:aws:iam::111122223333:oidc-provider/issuer.example.com/ci".to_string();
    let provider = OidcProvider {
        url: "issuer.example.com/ci".into(),
        arn: arn.clone(),
        create_date: 0,
        client_ids: vec!["sts.amazonaws.com".into(), "app".into()],
        thumbprints: Vec::new(),
        tags: Vec::new(),
    };
    state.oidc_providers.insert(arn, Arc::new(provider));
    state
}

fn claims() -> Value {
    json!({
        "iss": ISSUER, "sub": "repo:acme/app:ref:refs/heads/main",
        "aud": "sts.amazonaws.com", "exp": NOW + 300, "nbf": NOW - 10, "iat": NOW - 10,
    })
}

fn sign(alg: Algorithm, kid: Option<&str>, pem: &str, claims: &Value) -> String {
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    };
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    encode(&header, claims, &key).unwrap()
}

fn rsa(claims: &Value) -> String {
    sign(Algorithm::RS256, Some("rsa-1"), RSA, claims)
}

fn check(token: &str, keys: &TestKeys) -> Result<Verified, IamError> {
    verify(token, &state(), Some(keys), NOW)
}

fn refused(token: &str) -> (&'static str, String) {
    let e = check(token, &TestKeys::default()).unwrap_err();
    (e.code, e.message)
}

#[test]
fn rs256_and_es256_tokens_verify() {
    let keys = TestKeys::default();
    let ok = check(&rsa(&claims()), &keys).unwrap();
    assert_eq!(ok.subject, "repo:acme/app:ref:refs/heads/main");
    assert_eq!(ok.audience, "sts.amazonaws.com");
    let ec = sign(Algorithm::ES256, Some("ec-1"), EC, &claims());
    assert_eq!(check(&ec, &keys).unwrap().audience, "sts.amazonaws.com");
    assert_eq!(keys.refreshes.load(Ordering::SeqCst), 0);
}

#[test]
fn the_condition_keys_are_the_providers() {
    let mut c = claims();
    c["azp"] = json!("app");
    c["aud"] = json!(["other", "more"]);
    c["amr"] = json!(["pwd", "mfa"]);
    let ok = check(&rsa(&c), &TestKeys::default()).unwrap();
    let context = ok.context();
    let get = |k: &str| context.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let single = |v: &str| Some(ContextValue::Single(v.into()));
    assert_eq!(get("issuer.example.com/ci:aud"), single("app"));
    assert_eq!(
        get("issuer.example.com/ci:sub"),
        single("repo:acme/app:ref:refs/heads/main")
    );
    let multi = |v: &[&str]| {
        Some(ContextValue::Multi(
            v.iter().map(|s| s.to_string()).collect(),
        ))
    };
    assert_eq!(get("issuer.example.com/ci:oaud"), multi(&["other", "more"]));
    assert_eq!(get("issuer.example.com/ci:amr"), multi(&["pwd", "mfa"]));
    assert_eq!(
        get("aws:FederatedProvider"),
        single("arn:aws:iam::111122223333:oidc-provider/issuer.example.com/ci")
    );
}

#[test]
fn an_unknown_issuer_is_refused() {
    let mut c = claims();
    c["iss"] = json!("https://elsewhere.example.com");
    assert_eq!(
        refused(&rsa(&c)),
        (
            "InvalidIdentityToken",
            "No OpenIDConnect provider found in your account for https://elsewhere.example.com"
                .into()
        )
    );
}

#[test]
fn a_token_for_another_audience_is_refused() {
    let mut c = claims();
    c["aud"] = json!("someone-else");
    assert_eq!(
        refused(&rsa(&c)),
        ("InvalidIdentityToken", WRONG_AUDIENCE.into())
    );
    c["aud"] = json!(["someone-else", "app"]);
    assert!(check(&rsa(&c), &TestKeys::default()).is_ok());
}

#[test]
fn expired_and_early_tokens_are_refused() {
    let mut c = claims();
    c["exp"] = json!(NOW);
    assert_eq!(
        refused(&rsa(&c)),
        (
            "ExpiredTokenException",
            format!("Token expired: current date/time {NOW} must be before the expiration date/time {NOW}")
        )
    );
    let mut c = claims();
    c["nbf"] = json!(NOW + 60);
    assert_eq!(refused(&rsa(&c)).0, "IDPRejectedClaim");
    let mut c = claims();
    c.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        refused(&rsa(&c)),
        ("InvalidIdentityToken", INVALID_TOKEN.into())
    );
}

#[test]
fn a_forged_signature_is_refused() {
    let forged = sign(Algorithm::RS256, Some("rsa-1"), FORGER, &claims());
    assert_eq!(
        refused(&forged),
        ("InvalidIdentityToken", INVALID_TOKEN.into())
    );
    // A valid token with its claims changed.
    let token = rsa(&claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut c = claims();
    c["sub"] = json!("repo:evil/app:ref:refs/heads/main");
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(c.to_string());
    let tampered = format!("{}.{body}.{}", parts[0], parts[2]);
    assert_eq!(
        refused(&tampered),
        ("InvalidIdentityToken", INVALID_TOKEN.into())
    );
}

#[test]
fn an_unknown_key_is_looked_for_once_more_then_refused() {
    let keys = TestKeys::default();
    let token = sign(Algorithm::RS256, Some("rotated-away"), RSA, &claims());
    let e = check(&token, &keys).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("InvalidIdentityToken", NO_KEY)
    );
    assert_eq!(keys.fetches.load(Ordering::SeqCst), 2);
    assert_eq!(keys.refreshes.load(Ordering::SeqCst), 1);
}

#[test]
fn an_unreachable_issuer_is_an_idp_communication_error() {
    let keys = TestKeys {
        unreachable: true,
        ..Default::default()
    };
    let e = check(&rsa(&claims()), &keys).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("IDPCommunicationError", UNREACHABLE)
    );
    let e = verify(&rsa(&claims()), &state(), None, NOW).unwrap_err();
    assert_eq!(e.code, "IDPCommunicationError");
}

#[test]
fn hmac_and_unsigned_tokens_and_garbage_are_refused() {
    let hs = encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(b"secret"),
    )
    .unwrap();
    assert_eq!(refused(&hs), ("InvalidIdentityToken", INVALID_TOKEN.into()));
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims().to_string());
    assert_eq!(
        refused(&format!("{header}.{body}.")).0,
        "InvalidIdentityToken"
    );
    assert_eq!(refused("not-a-jwt").0, "InvalidIdentityToken");
}

#[test]
fn a_token_without_a_subject_is_rejected() {
    let mut c = claims();
    c.as_object_mut().unwrap().remove("sub");
    assert_eq!(refused(&rsa(&c)).0, "IDPRejectedClaim");
}
