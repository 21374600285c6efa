//! Sign-in state shared by the nodes of one PostgreSQL database: two accounts (two nodes, no
//! follower threads: each catches up only when a write or a look-up makes it) on one database.
//! Needs `IAMD_TEST_POSTGRES_URL` (see `iamd_store::postgres::test_database`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use serde_json::json;

use crate::account::Account;
use crate::clock::ManualClock;
use crate::crypto::SealingKey;
use crate::entities::console_sessions as sessions;
use crate::signin::{password_step, Credentials, Origin, FAILED};
use crate::testing::{call, root, ACCOUNT_ID};

/// Two nodes on a fresh database `name`, one clock.
fn two_nodes(name: &str) -> (Account, Account) {
    two_nodes_at(&iamd_store::postgres::test_database::fresh(name))
}

fn two_nodes_at(url: &str) -> (Account, Account) {
    let clock = Arc::new(ManualClock::at_unix_secs(1_795_423_481));
    let open = || {
        let store = iamd_store::open(url, false).unwrap();
        Account::open(
            ACCOUNT_ID,
            store,
            clock.clone(),
            SealingKey::from_bytes([7; 32]),
        )
        .unwrap()
    };
    (open(), open())
}

const ORIGIN: Origin<'static> = Origin {
    source_ip: "192.0.2.7",
    login_to: "http://iamd.test/console/",
};

fn sign_in(node: &Account, password: &str) -> Result<String, String> {
    let credentials = Credentials {
        account: ACCOUNT_ID,
        user_name: "alice",
        password,
    };
    password_step(node, &credentials, &ORIGIN)
        .map(|s| s.cookie)
        .map_err(|r| r.message)
}

#[test]
fn sign_in_failures_lock_on_every_node_and_sessions_work_on_any() {
    let (a, b) = two_nodes("core_signin");
    call(
        &a,
        &root(),
        "iam",
        "CreateUser",
        json!({"UserName": "alice"}),
    )
    .unwrap();
    let password = "Right-Passw0rd!";
    let profile = json!({"UserName": "alice", "Password": password});
    call(&a, &root(), "iam", "CreateLoginProfile", profile).unwrap();

    // A session started on A is found on B, which has not followed A yet.
    let cookie = sign_in(&a, password).unwrap();
    let now = b.now();
    assert!(sessions::find(&b.snapshot(), &cookie, now).is_none());
    assert!(b.find_fresh(|s| sessions::find(s, &cookie, now)).is_some());

    // Five wrong passwords, three on A and two on B: the fifth locks the user on both.
    for attempt in 0..4 {
        let node = if attempt % 2 == 0 { &a } else { &b };
        assert_eq!(
            sign_in(node, "wrong").unwrap_err(),
            FAILED,
            "attempt {attempt}"
        );
    }
    let fifth = sign_in(&a, "wrong").unwrap_err();
    assert!(
        fifth.starts_with("Too many failed sign-in attempts. Try again in 60"),
        "{fifth}"
    );
    // B's snapshot has not seen the fifth: its write does, and refuses the right password.
    let refused = sign_in(&b, password).unwrap_err();
    assert!(
        refused.starts_with("Too many failed sign-in attempts"),
        "{refused}"
    );
    assert_eq!(
        a.snapshot().password_throttles.len(),
        2,
        "the user and the address"
    );
}

#[test]
fn a_security_key_challenge_started_on_one_node_is_used_once_on_any() {
    let (a, b) = two_nodes("core_ceremony");
    let rp = crate::security_keys::RelyingParty::new("http://localhost:8080").unwrap();
    let user: crate::model::User = serde_json::from_value(json!({
        "name": "alice", "id": "AIDAEXAMPLE0000000001", "arn": "arn:aws:iam::111122223333:user/alice",
        "path": "/", "create_date": 0
    }))
    .unwrap();
    rp.start_registration(&a, "s1", &user, "key", Vec::new())
        .unwrap();
    // B finds it (a bad answer, but the challenge was there: used up).
    let on_b = rp.finish_registration(&b, "s1", "{}").err().unwrap();
    assert_eq!(on_b.reason, "No credential");
    // A still holds it in its snapshot; taking it there finds it gone.
    assert_eq!(a.snapshot().key_ceremonies.len(), 1);
    let on_a = rp.finish_registration(&a, "s1", "{}").err().unwrap();
    assert_eq!(on_a.reason, "No registration under way");
}

#[test]
fn a_gap_in_the_real_change_log_reloads_the_account() {
    let url = iamd_store::postgres::test_database::fresh("core_gap");
    let (a, b) = two_nodes_at(&url);
    call(
        &a,
        &root(),
        "iam",
        "CreateUser",
        json!({"UserName": "alice"}),
    )
    .unwrap();
    call(&a, &root(), "iam", "CreateUser", json!({"UserName": "bob"})).unwrap();
    // The log loses alice's commit (as pruning does for a node far behind).
    let deleted = std::process::Command::new("psql")
        .args([
            "-w",
            "-At",
            &url,
            "-c",
            "DELETE FROM change_log WHERE seq = 1",
        ])
        .output()
        .expect("psql");
    assert!(deleted.status.success(), "{deleted:?}");
    b.catch_up().unwrap();
    let users = &b.snapshot().users;
    assert!(
        users.contains_key("alice") && users.contains_key("bob"),
        "reloaded, not guessed"
    );
}

#[test]
fn a_saml_assertion_used_on_one_node_is_refused_on_any() {
    use crate::saml_assertion::test_idp::{self, Response};
    let (a, b) = two_nodes("core_saml_replay");
    let provider = "arn:aws:iam::111122223333:saml-provider/corp";
    let role = "arn:aws:iam::111122223333:role/admin";
    let metadata = json!({"Name": "corp", "SAMLMetadataDocument": test_idp::metadata()});
    call(&a, &root(), "iam", "CreateSAMLProvider", metadata).unwrap();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML"}]});
    let input = json!({"RoleName": "admin", "AssumeRolePolicyDocument": trust.to_string()});
    call(&a, &root(), "iam", "CreateRole", input).unwrap();
    b.catch_up().unwrap();
    let assertion = Response::new(a.now(), role, provider).encoded();
    let input = json!({"RoleArn": role, "PrincipalArn": provider, "SAMLAssertion": assertion});
    let anonymous = crate::authz::Caller::anonymous("192.0.2.7", true);
    call(&a, &anonymous, "sts", "AssumeRoleWithSAML", input.clone()).unwrap();
    // B has not followed A: its write finds itself stale, catches up and refuses.
    assert!(b.snapshot().saml_assertions.is_empty());
    let e = call(&b, &anonymous, "sts", "AssumeRoleWithSAML", input).unwrap_err();
    assert_eq!(e.message, crate::saml_assertion::REPLAYED);
}
