//! The `web_identity` target's fixed issuer, keys and reference reading of claims.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use iamd_core::model::OidcProvider;
use iamd_core::web_identity::{JwkSet, KeySource, Verified};
use iamd_core::AccountState;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::Value;

/// The test keys of iamd-core's own web identity tests.
pub const JWKS: &str = include_str!("../../crates/iamd-core/testdata/oidc/jwks.json");
const RSA: &[u8] = include_bytes!("../../crates/iamd-core/testdata/oidc/rsa.pem");
const EC: &[u8] = include_bytes!("../../crates/iamd-core/testdata/oidc/ec.pem");
pub const ISSUER: &str = "https://issuer.example.com/ci";
pub const NOW: i64 = 1_800_000_000;
pub const CLIENT_IDS: [&str; 2] = ["sts.amazonaws.com", "app"];

/// A key source answering with one fixed set.
pub struct FixedKeys(pub Arc<JwkSet>);

impl KeySource for FixedKeys {
    fn keys(&self, issuer: &str, _refresh: bool) -> Result<Arc<JwkSet>, String> {
        assert_eq!(issuer, ISSUER, "keys asked for another issuer");
        Ok(self.0.clone())
    }
}

pub fn test_keys() -> FixedKeys {
    FixedKeys(Arc::new(serde_json::from_str(JWKS).expect("the test JWKS")))
}

/// An account with the OpenID Connect provider of [`ISSUER`].
pub fn state() -> AccountState {
    let mut state = AccountState::new("111122223333");
    let arn = "arn:aws:iam::111122223333:oidc-provider/issuer.example.com/ci".to_string();
    let provider = OidcProvider {
        url: "issuer.example.com/ci".into(),
        arn: arn.clone(),
        create_date: 0,
        client_ids: CLIENT_IDS.iter().map(|c| c.to_string()).collect(),
        thumbprints: Vec::new(),
        tags: Vec::new(),
    };
    state.oidc_providers.insert(arn, Arc::new(provider));
    state
}

/// A token over `payload` (any bytes) signed with a test key: `choice` picks RS256 with kid
/// `rsa-1`, ES256 with `ec-1`, or RS256 naming no key (refused: the set has two).
pub fn sign(choice: u8, payload: &[u8]) -> String {
    let (alg, kid, pem) = match choice % 3 {
        0 => (Algorithm::RS256, Some("rsa-1"), RSA),
        1 => (Algorithm::ES256, Some("ec-1"), EC),
        _ => (Algorithm::RS256, None, RSA),
    };
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem),
        _ => EncodingKey::from_rsa_pem(pem),
    }
    .expect("the test key");
    let mut header = jsonwebtoken::Header::new(alg);
    header.kid = kid.map(str::to_string);
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let head = b64.encode(serde_json::to_vec(&header).expect("a header"));
    let input = format!("{head}.{}", b64.encode(payload));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &key, alg).expect("signing");
    format!("{input}.{signature}")
}

/// The codes and statuses `verify` may refuse with.
pub fn check_error(e: &iamd_core::IamError) {
    let allowed = [
        ("InvalidIdentityToken", 400),
        ("IDPRejectedClaim", 403),
        ("ExpiredTokenException", 400),
    ];
    assert!(
        allowed.contains(&(e.code, e.status)),
        "refused with {} {}: {}",
        e.code,
        e.status,
        e.message
    );
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .expect("a verified list claim of strings")
                    .to_string()
            })
            .collect(),
        Value::Null => Vec::new(),
        other => panic!("a verified token's list claim is {other}"),
    }
}

/// Checks a verified token against a plain reading of its payload: the same issuer, subject,
/// audiences, `azp`, `amr`, session tags; unexpired and valid by `nbf` at [`NOW`].
pub fn check_claims(payload: &[u8], v: &Verified) {
    let claims: Value = serde_json::from_slice(payload).expect("verified claims are JSON");
    // The issuer with or without its scheme (as Google's `accounts.google.com`).
    let iss = claims["iss"].as_str().expect("an issuer");
    assert_eq!(
        iss.strip_prefix("https://").unwrap_or(iss),
        &ISSUER[8..],
        "issuer"
    );
    assert_eq!(claims["sub"].as_str(), Some(v.subject.as_str()), "subject");
    assert!(!v.subject.is_empty());
    let exp = claims["exp"].as_f64().expect("exp is a number");
    assert!(exp > NOW as f64, "expired at {exp}");
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_f64) {
        assert!(nbf <= NOW as f64, "not before {nbf}");
    }
    let aud = strings(&claims["aud"]);
    assert_eq!(aud, v.token_audiences, "aud");
    assert_eq!(claims["azp"].as_str(), v.azp.as_deref(), "azp");
    match &v.azp {
        Some(azp) => assert_eq!(azp, &v.audience),
        None => assert!(
            aud.contains(&v.audience),
            "audience {} not in aud",
            v.audience
        ),
    }
    assert!(
        CLIENT_IDS.contains(&v.audience.as_str()),
        "audience {}",
        v.audience
    );
    assert_eq!(strings(&claims["amr"]), v.amr, "amr");
    let tags = &claims["https://aws.amazon.com/tags"];
    let mut expected = BTreeMap::new();
    if let Some(map) = tags["principal_tags"].as_object() {
        for (key, values) in map {
            if let Some(first) = strings(values).into_iter().next() {
                expected.insert(key.clone(), first);
            }
        }
    }
    let got: BTreeMap<String, String> = v
        .session_tags
        .iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect();
    assert_eq!(got, expected, "session tags");
    assert_eq!(got.len(), v.session_tags.len(), "a session tag twice");
    assert_eq!(strings(&tags["transitive_tag_keys"]), v.transitive_tag_keys);
}
