//! The `webauthn` target's software security key: iamd-core's P-256 test key, and the
//! registration and sign-in answers a browser would send for it (CBOR written here, by hand,
//! for the few shapes needed), so that each part can be replaced by fuzz input.

use std::sync::OnceLock;

use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The console origin the relying party is built for, and its id.
pub const ORIGIN: &str = "http://localhost:8080";
pub const RP_ID: &str = "localhost";
/// The credential id the software key reports.
pub const CREDENTIAL_ID: &[u8] = b"iamd-fuzz-credential-0001";
/// In fuzzed client data, replaced by the challenge issued (base64url).
pub const CHALLENGE_MARK: &str = "CHALLENGE";

pub const USER_PRESENT: u8 = 0x01;
pub const USER_VERIFIED: u8 = 0x04;
pub const ATTESTED: u8 = 0x40;

pub fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The software key: a fixed one (iamd-core's ES256 test key), so runs repeat.
pub fn key() -> &'static EcdsaKeyPair {
    static KEY: OnceLock<EcdsaKeyPair> = OnceLock::new();
    KEY.get_or_init(|| {
        let pem = include_str!("../../crates/iamd-core/testdata/oidc/ec.pem");
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let pkcs8 = base64::engine::general_purpose::STANDARD
            .decode(body)
            .expect("the test key's PEM");
        EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_ASN1_SIGNING,
            &pkcs8,
            &SystemRandom::new(),
        )
        .expect("the P-256 test key")
    })
}

pub fn sign(message: &[u8]) -> Vec<u8> {
    key()
        .sign(&SystemRandom::new(), message)
        .expect("an ECDSA signature")
        .as_ref()
        .to_vec()
}

pub fn rp_id_hash() -> [u8; 32] {
    Sha256::digest(RP_ID.as_bytes()).into()
}

/// The challenge of `navigator.credentials.create` / `get` options, as sent (base64url).
pub fn challenge(options: &Value) -> String {
    options["publicKey"]["challenge"]
        .as_str()
        .expect("a challenge")
        .to_string()
}

/// `clientDataJSON` as a browser writes it.
pub fn client_data(kind: &str, challenge: &str) -> Vec<u8> {
    format!(
        r#"{{"type":"{kind}","challenge":"{challenge}","origin":"{ORIGIN}","crossOrigin":false}}"#
    )
    .into_bytes()
}

/// The key's COSE form (EC2, ES256, P-256).
pub fn cose_key() -> Vec<u8> {
    let point = key().public_key().as_ref();
    let mut out = Vec::new();
    head(&mut out, 5, 5);
    int(&mut out, 1);
    int(&mut out, 2);
    int(&mut out, 3);
    int(&mut out, -7);
    int(&mut out, -1);
    int(&mut out, 1);
    int(&mut out, -2);
    bytes(&mut out, &point[1..33]);
    int(&mut out, -3);
    bytes(&mut out, &point[33..65]);
    out
}

/// Authenticator data: the relying party's hash, `flags`, `counter`, then `rest` (attested
/// credential data, extensions).
pub fn authenticator_data(flags: u8, counter: u32, rest: &[u8]) -> Vec<u8> {
    let mut out = rp_id_hash().to_vec();
    out.push(flags);
    out.extend_from_slice(&counter.to_be_bytes());
    out.extend_from_slice(rest);
    out
}

/// Attested credential data: AAGUID (zero), the credential id and `cose_key`.
pub fn attested_credential(cose_key: &[u8]) -> Vec<u8> {
    let mut out = vec![0; 16];
    let len = u16::try_from(CREDENTIAL_ID.len()).expect("a short credential id");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(CREDENTIAL_ID);
    out.extend_from_slice(cose_key);
    out
}

/// An attestation object of format "none" around `auth_data`.
pub fn attestation_object(auth_data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    head(&mut out, 5, 3);
    text(&mut out, "fmt");
    text(&mut out, "none");
    text(&mut out, "attStmt");
    head(&mut out, 5, 0);
    text(&mut out, "authData");
    bytes(&mut out, auth_data);
    out
}

/// The registration answer (`PublicKeyCredential` of `create`) as JSON text.
pub fn registration(attestation_object: &[u8], client_data: &[u8]) -> String {
    json!({
        "id": b64url(CREDENTIAL_ID),
        "rawId": b64url(CREDENTIAL_ID),
        "type": "public-key",
        "response": {
            "attestationObject": b64url(attestation_object),
            "clientDataJSON": b64url(client_data),
        },
        "extensions": {},
    })
    .to_string()
}

/// The sign-in answer (`PublicKeyCredential` of `get`) as JSON text.
pub fn assertion(auth_data: &[u8], client_data: &[u8], signature: &[u8]) -> String {
    json!({
        "id": b64url(CREDENTIAL_ID),
        "rawId": b64url(CREDENTIAL_ID),
        "type": "public-key",
        "response": {
            "authenticatorData": b64url(auth_data),
            "clientDataJSON": b64url(client_data),
            "signature": b64url(signature),
            "userHandle": null,
        },
        "extensions": {},
    })
    .to_string()
}

/// What a sign-in signs: the authenticator data and the client data's digest.
pub fn signed_message(auth_data: &[u8], client_data: &[u8]) -> Vec<u8> {
    let mut message = auth_data.to_vec();
    message.extend_from_slice(&Sha256::digest(client_data));
    message
}

/// The reference reading of client data: the type, challenge and origin a browser wrote
/// (a relying party must accept nothing else).
pub fn client_data_is(client_data: &[u8], kind: &str, challenge: &str) -> bool {
    let Ok(value) = serde_json::from_slice::<Value>(client_data) else {
        return false;
    };
    // An origin's scheme and host are case-insensitive: the relying party compares them as
    // URLs (`http://loCalhost:8080` is this origin; the long run's one finding, seed
    // `origin-mixed-case`).
    let origin = value["origin"].as_str().unwrap_or_default();
    value["type"] == kind && value["challenge"] == challenge && origin.eq_ignore_ascii_case(ORIGIN)
}

fn head(out: &mut Vec<u8>, major: u8, n: usize) {
    let major = major << 5;
    match n {
        0..=23 => out.push(major | n as u8),
        24..=0xff => out.extend_from_slice(&[major | 24, n as u8]),
        _ => {
            out.push(major | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
}

fn int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        head(out, 0, n as usize);
    } else {
        head(out, 1, (-1 - n) as usize);
    }
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    head(out, 2, b.len());
    out.extend_from_slice(b);
}

fn text(out: &mut Vec<u8>, t: &str) {
    head(out, 3, t.len());
    out.extend_from_slice(t.as_bytes());
}
