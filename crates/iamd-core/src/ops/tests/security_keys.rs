//! FIDO security keys through the API: the console's registration (`ENABLE_SECURITY_KEY`,
//! with a key as webauthn-rs stores it), then ListMFADevices, GetMFADevice, the per-user
//! quota, taken names and keys, DeactivateMFADevice, and the API's refusal of a key as MFA.

use serde_json::{json, Value};

use crate::account::Account;
use crate::authz::Caller;
use crate::error::IamError;
use crate::ops::{dispatch, ENABLE_SECURITY_KEY};
use crate::testing::{account, call, root, user, ACCOUNT_ID};

/// A key registered by Chromium's virtual authenticator (public key, id, counter), with the
/// credential id's first character replaced by `first` to make other keys.
fn key(first: char) -> Value {
    let id = format!("{first}nF7uNqHeGijFgqxwM1GoJ0fnvxf4zSReWqnzXN7jNk");
    json!({"cred": {
        "cred_id": id,
        "cred": {"type_": "ES256", "key": {"EC_EC2": {"curve": "SECP256R1",
            "x": "zwbIaXWSVKvj9_RSc9o6yh5FzAEyzAhOuaMDNHrHohQ",
            "y": "ObtpcSI5DCXLT7nU0ono5bXggOLCBE1kcS2pWCI5zPk"}}},
        "counter": 2, "transports": null, "user_verified": true, "backup_eligible": false,
        "backup_state": false, "registration_policy": "preferred",
        "extensions": {"cred_protect": "Ignored", "hmac_create_secret": "NotRequested",
            "appid": "NotRequested", "cred_props": {"Unsigned": {"rk": null}}},
        "attestation": {"data": "None", "metadata": "None"}, "attestation_format": "none"
    }})
}

fn register(acct: &Account, caller: &Caller, name: &str, first: char) -> Result<String, IamError> {
    let input = json!({"UserName": "alice", "DeviceName": name, "SecurityKey": key(first)});
    let out = dispatch(acct, caller, &ENABLE_SECURITY_KEY, &input, "req-1")?;
    Ok(out["SerialNumber"].as_str().unwrap_or_default().to_string())
}

fn iam(acct: &Account, action: &str, input: Value) -> Result<Value, IamError> {
    call(acct, &root(), "iam", action, input)
}

#[test]
fn a_registered_key_is_an_mfa_device_with_aws_s_fido_serial() {
    let (acct, _clock) = account();
    iam(&acct, "CreateUser", json!({"UserName": "alice"})).unwrap();
    let serial = register(&acct, &root(), "yubikey", 'G').unwrap();
    let prefix = format!("arn:aws:iam::{ACCOUNT_ID}:u2f/user/alice/yubikey-");
    let id = serial.strip_prefix(&prefix).unwrap();
    assert_eq!(id.len(), 26);
    assert!(id
        .chars()
        .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
    let listed = iam(&acct, "ListMFADevices", json!({"UserName": "alice"})).unwrap();
    assert_eq!(listed["MFADevices"][0]["SerialNumber"], serial.as_str());
    let got = iam(
        &acct,
        "GetMFADevice",
        json!({"UserName": "alice", "SerialNumber": serial}),
    )
    .unwrap();
    assert_eq!(got["UserName"], "alice");
    assert_eq!(got["Certifications"], json!({}));
    assert!(got["EnableDate"].is_i64());
    // Another user's key is not GetMFADevice's answer for alice's name.
    iam(&acct, "CreateUser", json!({"UserName": "bob"})).unwrap();
    let bob = iam(
        &acct,
        "GetMFADevice",
        json!({"UserName": "bob", "SerialNumber": serial}),
    );
    assert_eq!(bob.unwrap_err().code, "NoSuchEntity");
    // Deactivating a key deletes it.
    iam(
        &acct,
        "DeactivateMFADevice",
        json!({"UserName": "alice", "SerialNumber": serial}),
    )
    .unwrap();
    assert!(!acct.snapshot().mfa_devices.contains_key(&serial));
}

#[test]
fn names_keys_and_the_quota_of_eight_are_enforced() {
    let (acct, _clock) = account();
    iam(&acct, "CreateUser", json!({"UserName": "alice"})).unwrap();
    register(&acct, &root(), "key", 'A').unwrap();
    let taken = register(&acct, &root(), "KEY", 'B').unwrap_err();
    assert_eq!(taken.code, "EntityAlreadyExists");
    let same_key = register(&acct, &root(), "other", 'A').unwrap_err();
    assert_eq!(same_key.code, "EntityAlreadyExists");
    let bad_name = register(&acct, &root(), "a b", 'C').unwrap_err();
    assert_eq!(bad_name.code, "ValidationError");
    for (i, first) in "CDEFGHI".chars().enumerate() {
        register(&acct, &root(), &format!("key{i}"), first).unwrap();
    }
    let ninth = register(&acct, &root(), "ninth", 'J').unwrap_err();
    assert_eq!(ninth.code, "LimitExceeded");
    assert_eq!(acct.snapshot().user_mfa_devices("alice").count(), 8);
}

#[test]
fn registering_needs_enable_mfa_device_permission() {
    let (acct, _clock) = account();
    iam(&acct, "CreateUser", json!({"UserName": "alice"})).unwrap();
    let alice = user(&acct, "alice", None);
    let denied = register(&acct, &alice, "key", 'A').unwrap_err();
    assert_eq!(denied.code, "AccessDenied");
    assert_eq!(acct.snapshot().user_mfa_devices("alice").count(), 0);
}

#[test]
fn the_api_refuses_a_security_key_as_mfa() {
    let (acct, _clock) = account();
    iam(&acct, "CreateUser", json!({"UserName": "alice"})).unwrap();
    let serial = register(&acct, &root(), "key", 'A').unwrap();
    let alice = user(&acct, "alice", None);
    let input = json!({"SerialNumber": serial, "TokenCode": "123456"});
    let refused = call(&acct, &alice, "sts", "GetSessionToken", input).unwrap_err();
    assert_eq!(refused.code, "AccessDenied", "{refused:?}");
    assert!(refused
        .message
        .contains("Use a virtual or hardware TOTP device"));
}
