use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
use serde_json::{json, Value};

use super::*;
use crate::crypto::SealingKey;

fn sealing() -> SealingKey {
    SealingKey::from_bytes([7; 32])
}

/// Verifies `token` with the key of `jwks` its header names, as a relying party would.
fn verify(token: &str, jwks: &Value, audience: &str) -> Value {
    let set: JwkSet = serde_json::from_value(jwks.clone()).unwrap();
    let header = decode_header(token).unwrap();
    let jwk = set.find(header.kid.as_deref().unwrap()).unwrap();
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[audience]);
    validation.validate_exp = false;
    decode::<Value>(token, &key, &validation).unwrap().claims
}

#[test]
fn keys_of_both_algorithms_sign_tokens_their_jwks_verify() {
    let sealing = sealing();
    let keys: Vec<SigningKey> = Alg::ALL
        .into_iter()
        .map(|alg| SigningKey::generate(alg, &sealing, 100).unwrap())
        .collect();
    let setting = OutboundFederation {
        enabled: true,
        first_enabled: 100,
        keys,
    };
    let jwks = setting.jwks();
    for alg in Alg::ALL {
        let key = setting.key(alg).unwrap();
        let claims = json!({"sub": "s", "aud": "https://api.example.com", "exp": 1});
        let token = key.sign(&sealing, &claims).unwrap();
        let header = decode_header(&token).unwrap();
        assert_eq!(format!("{:?}", header.alg), alg.as_str());
        assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
        assert_eq!(verify(&token, &jwks, "https://api.example.com"), claims);
    }
    // The private halves are sealed: neither the record nor the key set shows them.
    let stored = serde_json::to_string(&setting).unwrap();
    assert!(!stored.contains("\"d\""), "{stored}");
    for jwk in jwks["keys"].as_array().unwrap() {
        assert!(jwk.get("d").is_none(), "{jwk}");
        assert_eq!(jwk["use"], "sig");
    }
    let ec = setting.key(Alg::ES384).unwrap();
    assert_eq!(ec.public["crv"], "P-384");
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(ec.public["x"].as_str().unwrap())
        .unwrap();
    assert_eq!(x.len(), 48);
}

#[test]
fn a_key_sealed_under_another_id_or_sealing_key_does_not_sign() {
    let sealing = sealing();
    let key = SigningKey::generate(Alg::ES384, &sealing, 0).unwrap();
    let other = SealingKey::from_bytes([8; 32]);
    assert!(key.sign(&other, &json!({})).is_err());
    let renamed = SigningKey {
        kid: "another".into(),
        ..key
    };
    assert!(renamed.sign(&sealing, &json!({})).is_err());
}

#[test]
fn issuer_paths_and_documents() {
    assert_eq!(
        default_issuer("http://127.0.0.1:8080/", "111122223333"),
        "http://127.0.0.1:8080/outbound/111122223333"
    );
    assert_eq!(issuer_path("https://iam.example.com"), Some(""));
    assert_eq!(
        issuer_path("https://iam.example.com:8443/a/b"),
        Some("/a/b")
    );
    assert_eq!(issuer_path("https://iam.example.com/a/"), None);
    assert_eq!(issuer_path("https://iam.example.com/a?b"), None);
    assert_eq!(issuer_path("ftp://iam.example.com/a"), None);
    assert_eq!(issuer_path("https:///a"), None);
    let doc = discovery("https://iam.example.com/outbound/1");
    assert_eq!(doc["issuer"], "https://iam.example.com/outbound/1");
    assert_eq!(
        doc["jwks_uri"],
        "https://iam.example.com/outbound/1/.well-known/jwks.json"
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256", "ES384"])
    );
}
