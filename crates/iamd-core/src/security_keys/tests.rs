#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn user() -> User {
    serde_json::from_value(serde_json::json!({
        "name": "alice", "id": "AIDAEXAMPLE0000000001", "arn": "arn:aws:iam::000000000000:user/alice",
        "path": "/", "create_date": 0
    }))
    .expect("a user")
}

#[test]
fn the_relying_party_is_the_console_origin_host() {
    let (acct, _) = crate::testing::account();
    let rp = RelyingParty::new("http://localhost:8080/console").unwrap();
    assert_eq!(rp.origin(), "http://localhost:8080");
    let options = rp
        .start_registration(&acct, "s1", &user(), "key", Vec::new())
        .unwrap();
    assert_eq!(options["publicKey"]["rp"]["id"], "localhost");
    assert_eq!(options["publicKey"]["attestation"], "none");
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["userVerification"],
        "preferred"
    );
    assert!(RelyingParty::new("not a url").is_err());
}

#[test]
fn a_challenge_is_single_use_bound_to_its_session_and_expires() {
    let (acct, clock) = crate::testing::account();
    let rp = RelyingParty::new("http://localhost:8080").unwrap();
    rp.start_registration(&acct, "s1", &user(), "key", Vec::new())
        .unwrap();
    // Stored, by the session's digest (never the cookie itself).
    let stored = acct.snapshot().key_ceremonies.clone();
    assert_eq!(stored.len(), 1);
    assert!(stored.contains_key(&token_digest("s1")));
    // Another session has no ceremony.
    let other = rp.finish_registration(&acct, "s2", "{}").err().unwrap();
    assert_eq!(other.reason, "No registration under way");
    // A bad answer uses the challenge up.
    let bad = rp.finish_registration(&acct, "s1", "{}").err().unwrap();
    assert_eq!(bad.reason, "No credential");
    assert!(acct.snapshot().key_ceremonies.is_empty());
    let again = rp.finish_registration(&acct, "s1", "{}").err().unwrap();
    assert_eq!(again.reason, "No registration under way");
    // Too late; and the periodic purge deletes what is left.
    rp.start_registration(&acct, "s3", &user(), "key", Vec::new())
        .unwrap();
    clock.advance(std::time::Duration::from_secs(CHALLENGE_LIFETIME as u64));
    assert_eq!(
        crate::session_purge::purge_expired_sessions(&acct).unwrap(),
        1
    );
    let late = rp.finish_registration(&acct, "s3", "{}").err().unwrap();
    assert_eq!(late.reason, "No registration under way");
}

#[test]
fn a_sign_in_challenge_is_not_a_registration() {
    let (acct, _) = crate::testing::account();
    let rp = RelyingParty::new("http://localhost:8080").unwrap();
    rp.start_registration(&acct, "s1", &user(), "key", Vec::new())
        .unwrap();
    let refused = rp.finish_sign_in(&acct, "s1", "{}").err().unwrap();
    assert_eq!(refused.reason, "No sign-in challenge under way");
}
