//! FIDO2 / WebAuthn security keys (`security_keys::RelyingParty`, webauthn-rs underneath): the
//! console's registration and sign-in answers, built for a software P-256 key
//! (`fuzz/src/webauthn.rs`) with one part taken from the input. The first byte picks a mode
//! (modulo 6):
//!
//! - 0: a registration answer as sent (JSON): refused (the challenge is fresh and random).
//! - 1: registration, `clientDataJSON` from the input (`CHALLENGE` replaced by the challenge
//!   issued): accepted only when it says `webauthn.create`, that challenge and the console's
//!   origin; then a sign-in with the key succeeds.
//! - 2: registration, authenticator data the relying party's hash followed by the input
//!   (flags, counter, attested credential data with a COSE key, extensions): accepted only
//!   with user presence and attested data, and the key registered has the credential id
//!   the data gives.
//! - 3: registration, the whole attestation object (CBOR) from the input: accepted only when
//!   it carries the relying party's hash.
//! - 4: sign-in with a registered key, the next byte picking the part taken from the input:
//!   client data (`CHALLENGE` replaced) or authenticator data (the hash, then the input),
//!   signed again by the key (high bit set) or not; or the signature. Accepted only when the
//!   key signed what was sent (the signature verifies with `ring`, and unsigned changes are
//!   refused), the client data says `webauthn.get`, the challenge and the origin, and the
//!   flags have user presence and verification (the key was registered verified).
//! - 5: a sign-in answer as sent (JSON): refused.
//!
//! Refusals are the console's `KeyRefusal`s (a message and a reason, never a panic).
#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use iamd_core::model::User;
use iamd_core::security_keys::RelyingParty;
use iamd_core::Account;
use iamd_fuzz::webauthn::*;
use libfuzzer_sys::fuzz_target;
use ring::signature::{KeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_ASN1};
use webauthn_rs::prelude::SecurityKey;

fn account() -> &'static Account {
    static ACCOUNT: OnceLock<Account> = OnceLock::new();
    ACCOUNT.get_or_init(|| iamd_core::testing::account().0)
}

fn relying_party() -> &'static RelyingParty {
    static RP: OnceLock<RelyingParty> = OnceLock::new();
    RP.get_or_init(|| RelyingParty::new(ORIGIN).expect("the relying party"))
}

fn user() -> User {
    serde_json::from_value(serde_json::json!({
        "name": "alice", "id": "AIDAEXAMPLE0000000001", "arn": "arn:aws:iam::000000000000:user/alice",
        "path": "/", "create_date": 0
    }))
    .expect("a user")
}

/// A console session id no ceremony has used.
fn session() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("fuzz-session-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Starts a registration: its session and challenge.
fn start_registration() -> (String, String) {
    let session = session();
    let options = relying_party()
        .start_registration(account(), &session, &user(), "key", Vec::new())
        .expect("a registration started");
    (session, challenge(&options))
}

/// The software key's registration answer, with parts replaced.
fn register(
    challenge: &str,
    client: Option<Vec<u8>>,
    auth_data: Option<Vec<u8>>,
    object: Option<Vec<u8>>,
) -> String {
    let client = client.unwrap_or_else(|| client_data("webauthn.create", challenge));
    let auth_data = auth_data.unwrap_or_else(|| {
        authenticator_data(
            USER_PRESENT | USER_VERIFIED | ATTESTED,
            0,
            &attested_credential(&cose_key()),
        )
    });
    let object = object.unwrap_or_else(|| attestation_object(&auth_data));
    registration(&object, &client)
}

/// A key registered through a valid ceremony.
fn registered_key() -> SecurityKey {
    let (session, challenge) = start_registration();
    let answer = register(&challenge, None, None, None);
    relying_party()
        .finish_registration(account(), &session, &answer)
        .expect("the software key registers")
        .key
}

fn with_challenge(input: &[u8], challenge: &str) -> Vec<u8> {
    String::from_utf8_lossy(input)
        .replace(CHALLENGE_MARK, challenge)
        .into_bytes()
}

/// Signs in with `key`, the answer's `part` taken from `input`; whether it was accepted.
fn sign_in(key: &SecurityKey, part: u8, input: &[u8]) -> bool {
    let session = session();
    let options = relying_party()
        .start_sign_in(account(), &session, std::slice::from_ref(key))
        .expect("a sign-in started");
    let challenge = challenge(&options);
    let good_client = client_data("webauthn.get", &challenge);
    let good_auth = authenticator_data(USER_PRESENT | USER_VERIFIED, 1, &[]);
    let resign = part & 0x80 != 0;
    let (client, auth, signature) = match (part & 0x7f) % 3 {
        0 => {
            let client = with_challenge(input, &challenge);
            let signed = if resign { &client } else { &good_client };
            let signature = sign(&signed_message(&good_auth, signed));
            (client, good_auth, signature)
        }
        1 => {
            let auth = authenticator_data_from(input);
            let signed = if resign { &auth } else { &good_auth };
            let signature = sign(&signed_message(signed, &good_client));
            (good_client, auth, signature)
        }
        _ => (good_client, good_auth, input.to_vec()),
    };
    let answer = assertion(&auth, &client, &signature);
    let accepted = relying_party()
        .finish_sign_in(account(), &session, &answer)
        .is_ok();
    if accepted {
        let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key_public());
        assert!(
            public
                .verify(&signed_message(&auth, &client), &signature)
                .is_ok(),
            "accepted a sign-in the key did not sign"
        );
        assert!(
            client_data_is(&client, "webauthn.get", &challenge),
            "accepted client data of another ceremony"
        );
        assert!(
            auth.len() >= 37 && auth[32] & (USER_PRESENT | USER_VERIFIED) == 0x05,
            "accepted a sign-in without user presence and verification"
        );
    }
    accepted
}

fn key_public() -> Vec<u8> {
    key().public_key().as_ref().to_vec()
}

/// The relying party's hash followed by `input`.
fn authenticator_data_from(input: &[u8]) -> Vec<u8> {
    let mut auth = rp_id_hash().to_vec();
    auth.extend_from_slice(input);
    auth
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 6 {
        0 => {
            let (session, _) = start_registration();
            let text = String::from_utf8_lossy(rest);
            assert!(relying_party()
                .finish_registration(account(), &session, &text)
                .is_err());
        }
        1..=3 => {
            let (session, challenge) = start_registration();
            let (client, auth, object) = match mode % 6 {
                1 => (Some(with_challenge(rest, &challenge)), None, None),
                2 => (None, Some(authenticator_data_from(rest)), None),
                _ => (None, None, Some(rest.to_vec())),
            };
            let answer = register(&challenge, client.clone(), auth, object);
            let Ok(registered) = relying_party().finish_registration(account(), &session, &answer)
            else {
                return;
            };
            match mode % 6 {
                1 => {
                    let client = client.unwrap_or_default();
                    assert!(
                        client_data_is(&client, "webauthn.create", &challenge),
                        "accepted client data of another ceremony"
                    );
                    let good = client_data("webauthn.get", CHALLENGE_MARK);
                    assert!(
                        sign_in(&registered.key, 0x80, &good),
                        "a key just registered cannot sign in"
                    );
                }
                2 => {
                    let flags = rest.first().copied().unwrap_or(0);
                    assert!(
                        flags & USER_PRESENT != 0 && flags & ATTESTED != 0,
                        "registered without user presence or attested data"
                    );
                    // Flags, counter, AAGUID, then the id's length and the id.
                    let len = rest
                        .get(21..23)
                        .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])));
                    let id = len.and_then(|len| rest.get(23..23 + len));
                    assert_eq!(
                        Some(registered.key.cred_id().as_ref()),
                        id,
                        "the key registered has another credential id"
                    );
                }
                _ => {
                    let hash = rp_id_hash();
                    assert!(
                        rest.windows(32).any(|w| w == hash),
                        "registered an attestation without the relying party's hash"
                    );
                }
            }
        }
        4 => {
            let Some((&part, input)) = rest.split_first() else {
                return;
            };
            let key = registered_key();
            // What `sign_in` checks of an accepted answer covers changes the key did not sign
            // (its signature would not verify).
            sign_in(&key, part, input);
        }
        _ => {
            let key = registered_key();
            let session = session();
            relying_party()
                .start_sign_in(account(), &session, std::slice::from_ref(&key))
                .expect("a sign-in started");
            let text = String::from_utf8_lossy(rest);
            assert!(relying_party()
                .finish_sign_in(account(), &session, &text)
                .is_err());
        }
    }
});
