//! GetSessionToken and the credentials it hands out.

use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::authz::{Caller, Identity, MfaInfo, SessionKind};
use crate::credentials::{resolve, Refused};
use crate::crypto::{base32, totp};
use crate::testing::{account, call, root, user};

pub(super) const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// Creates `bob` with admin rights and an enabled virtual device; returns its seed.
pub(super) fn bob_with_device(acct: &crate::Account, clock: &crate::clock::ManualClock) -> Vec<u8> {
    let r = root();
    call(acct, &r, "iam", "CreateUser", json!({"UserName": "bob"})).unwrap();
    call(
        acct,
        &r,
        "iam",
        "PutUserPolicy",
        json!({"UserName": "bob", "PolicyName": "admin", "PolicyDocument": ADMIN}),
    )
    .unwrap();
    let created = call(
        acct,
        &r,
        "iam",
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "bob"}),
    )
    .unwrap();
    let text = base64::engine::general_purpose::STANDARD
        .decode(
            created["VirtualMFADevice"]["Base32StringSeed"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let seed = base32::decode(std::str::from_utf8(&text).unwrap()).unwrap();
    let step = totp::step_at(clock.now());
    let input = json!({
        "UserName": "bob", "SerialNumber": "arn:aws:iam::111122223333:mfa/bob",
        "AuthenticationCode1": totp::code_for_step(&seed, step - 1).unwrap(),
        "AuthenticationCode2": totp::code_for_step(&seed, step).unwrap(),
    });
    call(acct, &r, "iam", "EnableMFADevice", input).unwrap();
    clock.advance(Duration::from_secs(30));
    seed
}

use crate::clock::Clock;

fn session_token(
    acct: &crate::Account,
    caller: &Caller,
    input: Value,
) -> Result<Value, crate::IamError> {
    call(acct, caller, "sts", "GetSessionToken", input)
}

/// The caller the server would build for the returned credentials.
fn caller_for(acct: &crate::Account, creds: &Value) -> Caller {
    let state = acct.snapshot();
    let id = creds["Credentials"]["AccessKeyId"].as_str().unwrap();
    let token = creds["Credentials"]["SessionToken"].as_str().unwrap();
    let resolved = resolve(acct, &state, id, Some(token), acct.now())
        .ok()
        .unwrap();
    let mut caller = user(acct, resolved.user.as_deref().unwrap(), resolved.mfa);
    caller.session = resolved.session;
    caller
}

#[test]
fn with_mfa_the_session_carries_mfa_and_codes_are_single_use() {
    let (acct, clock) = account();
    let seed = bob_with_device(&acct, &clock);
    let bob = user(&acct, "bob", None);
    let code = totp::code_at(&seed, clock.now()).unwrap();
    let serial = "arn:aws:iam::111122223333:mfa/bob";
    let creds = session_token(
        &acct,
        &bob,
        json!({"SerialNumber": serial, "TokenCode": code, "DurationSeconds": 900}),
    )
    .unwrap();
    let c = &creds["Credentials"];
    assert!(c["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_eq!(c["Expiration"], acct.now() + 900);
    let session = caller_for(&acct, &creds);
    assert_eq!(
        session.mfa,
        Some(MfaInfo {
            present: true,
            authenticated_at: Some(acct.now())
        })
    );
    assert_eq!(session.session, Some(SessionKind::SessionToken));
    call(&acct, &session, "iam", "ListGroups", json!({})).unwrap();
    // The same code again is refused.
    let again = session_token(
        &acct,
        &bob,
        json!({"SerialNumber": serial, "TokenCode": code}),
    )
    .unwrap_err();
    assert_eq!(
        (again.code, again.message.as_str()),
        ("AccessDenied", super::super::sessions::INVALID_CODE)
    );
    // Session credentials cannot get another session.
    let nested = session_token(&acct, &session, json!({})).unwrap_err();
    assert_eq!(
        nested.message,
        "Cannot call GetSessionToken with session credentials"
    );
    // Expired after 900 s.
    clock.advance(Duration::from_secs(901));
    let state = acct.snapshot();
    let expired = resolve(
        &acct,
        &state,
        c["AccessKeyId"].as_str().unwrap(),
        c["SessionToken"].as_str(),
        acct.now(),
    );
    assert_eq!(expired.err(), Some(Refused::Expired));
}

#[test]
fn wrong_codes_and_serials() {
    let (acct, clock) = account();
    let seed = bob_with_device(&acct, &clock);
    let bob = user(&acct, "bob", None);
    let serial = "arn:aws:iam::111122223333:mfa/bob";
    let good = totp::code_at(&seed, clock.now()).unwrap();
    let wrong = if good == "000000" { "111111" } else { "000000" };
    let e = session_token(
        &acct,
        &bob,
        json!({"SerialNumber": serial, "TokenCode": wrong}),
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.status, e.message.as_str()),
        (
            "AccessDenied",
            403,
            "MultiFactorAuthentication failed with invalid MFA one time pass code."
        )
    );
    let e = session_token(
        &acct,
        &bob,
        json!({"SerialNumber": "arn:aws:iam::111122223333:mfa/carol", "TokenCode": good}),
    )
    .unwrap_err();
    assert_eq!(e.message, super::super::sessions::UNKNOWN_SERIAL);
    // The failure was committed: the device counts it.
    let state = acct.snapshot();
    assert_eq!(
        state
            .mfa_devices
            .get(serial)
            .unwrap()
            .throttle
            .failures_in_a_row,
        1
    );
}

#[test]
fn without_mfa_no_iam_and_little_sts() {
    let (acct, clock) = account();
    bob_with_device(&acct, &clock);
    let creds = session_token(&acct, &user(&acct, "bob", None), json!({})).unwrap();
    let session = caller_for(&acct, &creds);
    assert_eq!(
        session.mfa,
        Some(MfaInfo {
            present: false,
            authenticated_at: None
        })
    );
    let e = call(&acct, &session, "iam", "ListUsers", json!({})).unwrap_err();
    assert_eq!((e.code, e.status), ("InvalidClientTokenId", 403));
    let me = call(&acct, &session, "sts", "GetCallerIdentity", json!({})).unwrap();
    assert_eq!(me["Arn"], "arn:aws:iam::111122223333:user/bob");
    assert_eq!(
        call(
            &acct,
            &session,
            "sts",
            "GetAccessKeyInfo",
            json!({"AccessKeyId": "AKIAX"})
        )
        .unwrap_err()
        .code,
        "AccessDenied"
    );
}

#[test]
fn tokens_are_checked_and_root_sessions_capped() {
    let (acct, _) = account();
    let creds = session_token(&acct, &root(), json!({"DurationSeconds": 129600})).unwrap();
    assert_eq!(creds["Credentials"]["Expiration"], acct.now() + 3600);
    let state = acct.snapshot();
    let id = creds["Credentials"]["AccessKeyId"].as_str().unwrap();
    assert_eq!(
        resolve(&acct, &state, id, Some("forged"), acct.now()).err(),
        Some(Refused::Invalid)
    );
    assert_eq!(
        resolve(&acct, &state, id, None, acct.now()).err(),
        Some(Refused::Invalid)
    );
    let r = resolve(
        &acct,
        &state,
        id,
        creds["Credentials"]["SessionToken"].as_str(),
        acct.now(),
    )
    .ok()
    .unwrap();
    assert_eq!(r.user, None);
    assert!(matches!(root().identity, Identity::Root));
}
