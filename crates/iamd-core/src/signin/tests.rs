use serde_json::json;

use super::*;
use crate::testing::{account, call, root};

const ORIGIN: Origin<'static> = Origin {
    source_ip: "192.0.2.7",
    login_to: "http://iamd.test/console/",
};

fn ok(acct: &Account, action: &str, input: serde_json::Value) -> serde_json::Value {
    call(acct, &root(), "iam", action, input).unwrap()
}

fn alice(acct: &Account, reset: bool) {
    ok(acct, "CreateUser", json!({"UserName": "alice"}));
    ok(
        acct,
        "CreateLoginProfile",
        json!({"UserName": "alice", "Password": "Temporary-Passw0rd!", "PasswordResetRequired": reset}),
    );
}

fn creds<'a>(user: &'a str, password: &'a str) -> Credentials<'a> {
    Credentials {
        account: crate::testing::ACCOUNT_ID,
        user_name: user,
        password,
    }
}

#[test]
fn a_right_password_starts_a_session_and_records_console_login() {
    let (acct, _) = account();
    alice(&acct, true);
    let started = password_step(&acct, &creds("alice", "Temporary-Passw0rd!"), &ORIGIN).unwrap();
    assert_eq!(started.session.stage, Stage::ChangePassword);
    assert_eq!(started.session.mfa_at, None);
    let state = acct.snapshot();
    let session = sessions::find(&state, &started.cookie, acct.now()).unwrap();
    let caller = caller(&state, &session, "192.0.2.7", false).unwrap();
    assert_eq!(caller.identity, Identity::User("alice".into()));
    assert_eq!(
        caller.mfa,
        Some(MfaInfo {
            present: false,
            authenticated_at: None
        })
    );
    let events = acct.audit_events(10).unwrap();
    let login = events
        .iter()
        .find(|e| e.event_name == "ConsoleLogin")
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&login.body).unwrap();
    assert_eq!(body["eventSource"], "signin.amazonaws.com");
    assert_eq!(body["responseElements"]["ConsoleLogin"], "Success");
    assert_eq!(body["additionalEventData"]["MFAUsed"], "No");
    assert_eq!(body["userIdentity"]["userName"], "alice");
    assert!(!login.body.contains("Passw0rd"));
}

#[test]
fn unknown_users_and_wrong_passwords_get_the_same_answer_and_are_throttled() {
    let (acct, _) = account();
    alice(&acct, false);
    let wrong = password_step(&acct, &creds("alice", "nope"), &ORIGIN)
        .err()
        .unwrap();
    let unknown = password_step(&acct, &creds("mallory", "nope"), &ORIGIN)
        .err()
        .unwrap();
    let other_account = Credentials {
        account: "999999999999",
        ..creds("alice", "Temporary-Passw0rd!")
    };
    let elsewhere = password_step(&acct, &other_account, &ORIGIN).err().unwrap();
    assert_eq!(wrong.message, FAILED);
    assert_eq!(unknown, wrong);
    assert_eq!(elsewhere, wrong);
    acct.flush_deferred().unwrap();
    let events = acct.audit_events(10).unwrap();
    let failures: Vec<serde_json::Value> = events
        .iter()
        .filter(|e| e.event_name == "ConsoleLogin")
        .map(|e| serde_json::from_str(&e.body).unwrap())
        .collect();
    assert_eq!(failures.len(), 3);
    for f in &failures {
        assert_eq!(f["responseElements"]["ConsoleLogin"], "Failure");
        assert!(!f.to_string().contains("nope"));
    }
    assert!(failures
        .iter()
        .any(|f| f["errorMessage"] == "Failed authentication"));
    // Two more failures from the same address lock it out, even with the right password.
    password_step(&acct, &creds("bob", "x"), &ORIGIN)
        .err()
        .unwrap();
    password_step(&acct, &creds("bob", "x"), &ORIGIN)
        .err()
        .unwrap();
    let locked = password_step(&acct, &creds("alice", "Temporary-Passw0rd!"), &ORIGIN)
        .err()
        .unwrap();
    assert!(locked
        .message
        .starts_with("Too many failed sign-in attempts from your address"));
    let elsewhere = Origin {
        source_ip: "198.51.100.1",
        ..ORIGIN
    };
    assert!(password_step(&acct, &creds("alice", "Temporary-Passw0rd!"), &elsewhere).is_ok());
}

#[test]
fn with_an_mfa_device_a_code_finishes_the_sign_in_once() {
    let (acct, _) = account();
    alice(&acct, false);
    let device = ok(
        &acct,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "alice"}),
    );
    let serial = device["VirtualMFADevice"]["SerialNumber"]
        .as_str()
        .unwrap()
        .to_string();
    use base64::Engine;
    let base32 = base64::engine::general_purpose::STANDARD
        .decode(
            device["VirtualMFADevice"]["Base32StringSeed"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let seed = crate::crypto::base32::decode(std::str::from_utf8(&base32).unwrap()).unwrap();
    let now = acct.clock.now();
    let step = crate::crypto::totp::step_at(now);
    let c1 = crate::crypto::totp::code_for_step(&seed, step - 1).unwrap();
    let c2 = crate::crypto::totp::code_for_step(&seed, step).unwrap();
    ok(
        &acct,
        "EnableMFADevice",
        json!({"UserName": "alice", "SerialNumber": serial, "AuthenticationCode1": c1, "AuthenticationCode2": c2}),
    );
    let pending = password_step(&acct, &creds("alice", "Temporary-Passw0rd!"), &ORIGIN).unwrap();
    assert_eq!(pending.session.stage, Stage::MfaPending);
    // The code of the step EnableMFADevice used is spent.
    let replay = mfa_step(&acct, &pending.cookie, &serial, &c2, &ORIGIN)
        .err()
        .unwrap();
    assert!(
        replay.message.contains("used already"),
        "{}",
        replay.message
    );
    let wrong = mfa_step(&acct, &pending.cookie, &serial, "000000", &ORIGIN);
    assert!(wrong.is_err());
    let c3 = crate::crypto::totp::code_for_step(&seed, step + 1).unwrap();
    let done = mfa_step(&acct, &pending.cookie, &serial, &c3, &ORIGIN).unwrap();
    assert_eq!(done.session.stage, Stage::Active);
    assert_eq!(done.session.mfa_at, Some(acct.now()));
    assert_ne!(done.cookie, pending.cookie);
    let state = acct.snapshot();
    assert!(sessions::find(&state, &pending.cookie, acct.now()).is_none());
    let session = sessions::find(&state, &done.cookie, acct.now()).unwrap();
    let caller = caller(&state, &session, "192.0.2.7", false).unwrap();
    assert!(caller.mfa.unwrap().present);
    let events = acct.audit_events(10).unwrap();
    let login: serde_json::Value = events
        .iter()
        .filter(|e| e.event_name == "ConsoleLogin")
        .map(|e| serde_json::from_str(&e.body).unwrap())
        .find(|b: &serde_json::Value| b["responseElements"]["ConsoleLogin"] == "Success")
        .unwrap();
    assert_eq!(login["additionalEventData"]["MFAUsed"], "Yes");
    assert_eq!(
        login["additionalEventData"]["MFAIdentifier"],
        serial.as_str()
    );
    sign_out(&acct, &done.cookie, &ORIGIN).unwrap();
    assert!(acct.snapshot().console_sessions.is_empty());
    let out = acct.audit_events(1).unwrap();
    assert_eq!(out[0].event_name, "ConsoleSignOut");
    assert_eq!(out[0].event_source, "signin.amazonaws.com");
    assert_eq!(out[0].username, "alice");
}

#[test]
fn the_root_user_signs_in_with_the_root_password() {
    let (acct, _) = account();
    let root_creds = |password| Credentials {
        account: crate::testing::ACCOUNT_ID,
        user_name: "",
        password,
    };
    let is_root = |p: &str| p == "Root-Passw0rd-x";
    let wrong = root_step(&acct, &root_creds("nope"), is_root, &ORIGIN)
        .err()
        .unwrap();
    assert_eq!(wrong.message, FAILED);
    let started = root_step(&acct, &root_creds("Root-Passw0rd-x"), is_root, &ORIGIN).unwrap();
    assert_eq!(started.session.user, None);
    let state = acct.snapshot();
    let caller = caller(&state, &started.session, "192.0.2.7", false).unwrap();
    assert_eq!(caller.identity, Identity::Root);
    let login: serde_json::Value = acct
        .audit_events(10)
        .unwrap()
        .iter()
        .filter(|e| e.event_name == "ConsoleLogin")
        .map(|e| serde_json::from_str(&e.body).unwrap())
        .find(|b: &serde_json::Value| b["responseElements"]["ConsoleLogin"] == "Success")
        .unwrap();
    assert_eq!(login["userIdentity"]["type"], "Root");
}

#[test]
fn an_expired_password_must_be_changed_and_a_hard_expired_one_reset_by_an_administrator() {
    let (acct, clock) = account();
    alice(&acct, false);
    ok(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"MaxPasswordAge": 30}),
    );
    let fresh = password_step(&acct, &creds("alice", "Temporary-Passw0rd!"), &ORIGIN).unwrap();
    assert_eq!(fresh.session.stage, Stage::Active);
    clock.advance(std::time::Duration::from_secs(31 * 86_400));
    let expired = password_step(&acct, &creds("alice", "Temporary-Passw0rd!"), &ORIGIN).unwrap();
    assert_eq!(expired.session.stage, Stage::ChangePassword);
    ok(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"MaxPasswordAge": 30, "HardExpiry": true}),
    );
    let refused = password_step(&acct, &creds("alice", "Temporary-Passw0rd!"), &ORIGIN)
        .err()
        .unwrap();
    assert!(
        refused.message.contains("administrator"),
        "{}",
        refused.message
    );
}

#[test]
fn deleting_the_login_profile_ends_the_console_sessions() {
    let (acct, _) = account();
    alice(&acct, false);
    let started = password_step(&acct, &creds("alice", "Temporary-Passw0rd!"), &ORIGIN).unwrap();
    assert!(caller(&acct.snapshot(), &started.session, "192.0.2.7", false).is_some());
    ok(&acct, "DeleteLoginProfile", json!({"UserName": "alice"}));
    assert!(caller(&acct.snapshot(), &started.session, "192.0.2.7", false).is_none());
}
