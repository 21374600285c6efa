//! MFA devices called as the server would: codes computed from the returned seed with the
//! manual clock; an abandoned device deleted and enrolment restarted under the seed 000 and
//! 001 policies; refused, replayed and throttled codes (committed and audited); hardware tokens.

use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::account::Account;
use crate::authz::Caller;
use crate::clock::{Clock, ManualClock};
use crate::crypto::{base32, totp};
use crate::error::IamError;
use crate::testing::{account, call, root, user, ACCOUNT_ID};

const SEED000: &str =
    include_str!("../../../../../fixtures/policies/seed000-force-mfa-blog-ko.json");
const SEED001: &str =
    include_str!("../../../../../fixtures/policies/seed001-aws-docs-manage-own-mfa.json");
const SEED002: &str =
    include_str!("../../../../../fixtures/policies/seed002-force-mfa-blog-ja.json");
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn iam(acct: &Account, caller: &Caller, action: &str, input: Value) -> Result<Value, IamError> {
    call(acct, caller, "iam", action, input)
}

fn ok(acct: &Account, action: &str, input: Value) -> Value {
    iam(acct, &root(), action, input).unwrap()
}

fn serial(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT_ID}:mfa/{name}")
}

/// A user whose group has `policy` (if any).
fn user_with(acct: &Account, name: &str, policy: Option<&str>) -> Caller {
    ok(acct, "CreateUser", json!({"UserName": name}));
    if let Some(doc) = policy {
        // Through a group (seed 000 is over the 2048-byte inline user limit).
        let group = format!("{name}-group");
        ok(acct, "CreateGroup", json!({"GroupName": group}));
        ok(
            acct,
            "PutGroupPolicy",
            json!({"GroupName": group, "PolicyName": "mfa", "PolicyDocument": doc}),
        );
        ok(
            acct,
            "AddUserToGroup",
            json!({"GroupName": group, "UserName": name}),
        );
    }
    user(acct, name, None)
}

/// The seed bytes from a CreateVirtualMFADevice response, as an authenticator app reads it.
fn seed_of(created: &Value) -> Vec<u8> {
    let blob = created["VirtualMFADevice"]["Base32StringSeed"]
        .as_str()
        .unwrap();
    let text = String::from_utf8(B64.decode(blob).unwrap()).unwrap();
    assert_eq!(text.len(), 64);
    base32::decode(&text).unwrap()
}

/// The code shown a step ago and the current one.
fn codes(seed: &[u8], clock: &ManualClock) -> (String, String) {
    let step = totp::step_at(clock.now());
    (
        totp::code_for_step(seed, step - 1).unwrap(),
        totp::code_for_step(seed, step).unwrap(),
    )
}

/// A pair that is certainly wrong: the right first code and a different second one.
fn wrong_codes(seed: &[u8], clock: &ManualClock) -> (String, String) {
    let (c1, c2) = codes(seed, clock);
    let first = c2.as_bytes()[0];
    let changed = if first == b'9' {
        '0'
    } else {
        char::from(first + 1)
    };
    (c1, format!("{changed}{}", &c2[1..]))
}

fn enable(
    acct: &Account,
    caller: &Caller,
    name: &str,
    serial: &str,
    (c1, c2): (String, String),
) -> Result<Value, IamError> {
    let input = json!({"UserName": name, "SerialNumber": serial,
        "AuthenticationCode1": c1, "AuthenticationCode2": c2});
    iam(acct, caller, "EnableMFADevice", input)
}

fn resync(acct: &Account, name: &str, serial: &str, (c1, c2): (String, String)) -> IamError {
    let input = json!({"UserName": name, "SerialNumber": serial,
        "AuthenticationCode1": c1, "AuthenticationCode2": c2});
    iam(acct, &root(), "ResyncMFADevice", input).unwrap_err()
}

fn serials(list: &Value, member: &str) -> Vec<String> {
    list[member]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["SerialNumber"].as_str().unwrap().to_string())
        .collect()
}

fn unassigned(acct: &Account) -> Vec<String> {
    let list = ok(
        acct,
        "ListVirtualMFADevices",
        json!({"AssignmentStatus": "Unassigned"}),
    );
    serials(&list, "VirtualMFADevices")
}

/// The QR code in a CreateVirtualMFADevice response, decoded.
fn qr_text(created: &Value) -> String {
    let png_bytes = B64
        .decode(created["VirtualMFADevice"]["QRCodePNG"].as_str().unwrap())
        .unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0u8; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * info.line_size + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().unwrap().1
}

/// Audit records named `name`, newest first, as JSON.
fn audit(acct: &Account, name: &str) -> Vec<Value> {
    acct.audit_events(100)
        .unwrap()
        .into_iter()
        .filter(|r| r.event_name == name)
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect()
}

#[test]
fn abandoned_device_under_seed000_alice_deletes_it_herself() {
    let (acct, clock) = account();
    let alice = user_with(&acct, "alice", Some(SEED000));
    let first = iam(
        &acct,
        &alice,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "alice"}),
    )
    .unwrap();
    assert_eq!(first["VirtualMFADevice"]["SerialNumber"], serial("alice"));
    let seed_text = String::from_utf8(
        B64.decode(
            first["VirtualMFADevice"]["Base32StringSeed"]
                .as_str()
                .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        qr_text(&first),
        format!("otpauth://totp/alice@alice?secret={seed_text}")
    );
    // She leaves; the device stays, unassigned, and keeps its name.
    assert_eq!(unassigned(&acct), vec![serial("alice")]);
    let again = json!({"VirtualMFADeviceName": "alice"});
    let e = iam(&acct, &alice, "CreateVirtualMFADevice", again.clone()).unwrap_err();
    assert_eq!(
        (e.code, e.status, e.message.as_str()),
        ("EntityAlreadyExists", 409, "MFA device already exists.")
    );
    // Seed 000 lets her delete her own unassigned device without MFA, and nobody else's name.
    iam(
        &acct,
        &alice,
        "DeleteVirtualMFADevice",
        json!({"SerialNumber": serial("alice")}),
    )
    .unwrap();
    let other = json!({"VirtualMFADeviceName": "bob"});
    let denied = iam(&acct, &alice, "CreateVirtualMFADevice", other).unwrap_err();
    assert_eq!(denied.code, "AccessDenied");
    let second = iam(&acct, &alice, "CreateVirtualMFADevice", again).unwrap();
    let seed = seed_of(&second);
    assert_ne!(seed, seed_of(&first), "a new seed");
    enable(
        &acct,
        &alice,
        "alice",
        &serial("alice"),
        codes(&seed, &clock),
    )
    .unwrap();
    let mine = iam(&acct, &alice, "ListMFADevices", json!({})).unwrap();
    assert_eq!(serials(&mine, "MFADevices"), vec![serial("alice")]);
    assert_eq!(mine["MFADevices"][0]["UserName"], "alice");
    assert_eq!(mine["MFADevices"][0]["EnableDate"], acct.now());
    assert!(unassigned(&acct).is_empty());
    // The seed is never shown again.
    let listed = ok(&acct, "ListVirtualMFADevices", json!({}));
    assert!(!listed.to_string().contains(&base32::encode(&seed)));
    assert_eq!(listed["VirtualMFADevices"][0]["User"]["UserName"], "alice");
    assert!(listed["VirtualMFADevices"][0]["User"]["Arn"].is_string());
}

#[test]
fn abandoned_device_under_seed001_needs_an_administrator() {
    let (acct, clock) = account();
    let alice = user_with(&acct, "alice", Some(SEED001));
    let create = json!({"VirtualMFADeviceName": "alice"});
    iam(&acct, &alice, "CreateVirtualMFADevice", create.clone()).unwrap();
    let e = iam(&acct, &alice, "CreateVirtualMFADevice", create.clone()).unwrap_err();
    assert_eq!(e.code, "EntityAlreadyExists");
    let denied = iam(
        &acct,
        &alice,
        "DeleteVirtualMFADevice",
        json!({"SerialNumber": serial("alice")}),
    )
    .unwrap_err();
    assert_eq!(denied.code, "AccessDenied");
    assert!(
        denied.message.contains("iam:DeleteVirtualMFADevice")
            && denied.message.contains("explicit deny"),
        "{}",
        denied.message
    );
    // The administrator finds and deletes it; her retry succeeds.
    for abandoned in unassigned(&acct) {
        ok(
            &acct,
            "DeleteVirtualMFADevice",
            json!({"SerialNumber": abandoned}),
        );
    }
    let created = iam(&acct, &alice, "CreateVirtualMFADevice", create).unwrap();
    // Created by root, the QR code names the account.
    let by_root = ok(
        &acct,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "spare", "Path": "/ops/"}),
    );
    assert_eq!(
        by_root["VirtualMFADevice"]["SerialNumber"],
        format!("arn:aws:iam::{ACCOUNT_ID}:mfa/ops/spare")
    );
    assert!(qr_text(&by_root).starts_with(&format!("otpauth://totp/spare@{ACCOUNT_ID}?secret=")));
    let seed = seed_of(&created);
    enable(
        &acct,
        &alice,
        "alice",
        &serial("alice"),
        codes(&seed, &clock),
    )
    .unwrap();
}

#[test]
fn wrong_replayed_and_throttled_codes_are_refused_committed_and_audited() {
    let (acct, clock) = account();
    user_with(&acct, "bob", None);
    let created = ok(
        &acct,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "bob"}),
    );
    let seed = seed_of(&created);
    let bob_serial = serial("bob");
    // Unknown user first, whatever the codes.
    let e = enable(
        &acct,
        &root(),
        "nobody",
        &bob_serial,
        ("000000".into(), "000000".into()),
    )
    .unwrap_err();
    assert_eq!(e.message, "The user with name nobody cannot be found.");
    // Wrong codes: refused, the device stays unassigned, the failure is committed.
    let e = enable(
        &acct,
        &root(),
        "bob",
        &bob_serial,
        wrong_codes(&seed, &clock),
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.status, e.message.as_str()),
        (
            "InvalidAuthenticationCode",
            403,
            "Authentication code for device is not valid."
        )
    );
    assert_eq!(unassigned(&acct), vec![bob_serial.clone()]);
    let state = acct.snapshot();
    // An unassigned device counts failures per caller (here root's).
    let root_arn = format!("arn:aws:iam::{ACCOUNT_ID}:root");
    let device = &state.mfa_devices[&bob_serial];
    assert_eq!(device.pending_throttles[&root_arn].failures_in_a_row, 1);
    assert_eq!(device.throttle.failures_in_a_row, 0);
    let checks = audit(&acct, "CheckMfa");
    assert_eq!(checks[0]["additionalEventData"]["FailureReason"], "Invalid");
    assert_eq!(checks[0]["errorCode"], "InvalidAuthenticationCodeException");
    let calls = audit(&acct, "EnableMFADevice");
    assert_eq!(calls[0]["errorCode"], "InvalidAuthenticationCodeException");
    assert_eq!(
        calls[0]["requestParameters"]["authenticationCode1"],
        "HIDDEN_DUE_TO_SECURITY_REASONS"
    );
    // Right codes: enabled. The same device cannot be enabled twice.
    let good = codes(&seed, &clock);
    enable(&acct, &root(), "bob", &bob_serial, good.clone()).unwrap();
    let e = enable(&acct, &root(), "bob", &bob_serial, good.clone()).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("EntityAlreadyExists", "MFA Device is already in use.")
    );
    // Replaying the enable codes for a resync is refused and audited as a replay.
    let e = resync(&acct, "bob", &bob_serial, good.clone());
    assert_eq!(e.code, "InvalidAuthenticationCode");
    assert!(e
        .message
        .starts_with("Authentication code for device is not valid."));
    let checks = audit(&acct, "CheckMfa");
    assert_eq!(
        checks[0]["additionalEventData"]["FailureReason"],
        "Replayed"
    );
    assert_eq!(
        checks[0]["additionalEventData"]["MFAIdentifier"],
        bob_serial
    );
    assert!(
        !checks[0].to_string().contains(&good.1),
        "codes are not logged"
    );
    // The next two codes resync it.
    clock.advance(Duration::from_secs(60));
    let input = json!({"UserName": "bob", "SerialNumber": bob_serial,
        "AuthenticationCode1": codes(&seed, &clock).0, "AuthenticationCode2": codes(&seed, &clock).1});
    ok(&acct, "ResyncMFADevice", input);
    // Assigned: not deletable; deactivated: deletable, gone.
    let del = json!({"SerialNumber": bob_serial});
    let e = iam(&acct, &root(), "DeleteVirtualMFADevice", del.clone()).unwrap_err();
    assert_eq!(
        (e.code, e.status, e.message.as_str()),
        (
            "DeleteConflict",
            409,
            "MFA Device is in use and cannot be deleted."
        )
    );
    let deactivate = json!({"UserName": "bob", "SerialNumber": bob_serial});
    ok(&acct, "DeactivateMFADevice", deactivate.clone());
    let e = iam(&acct, &root(), "DeactivateMFADevice", deactivate).unwrap_err();
    assert_eq!(
        (e.code, e.message),
        (
            "NoSuchEntity",
            format!("MFA Device with serial number {bob_serial} does not exist.")
        )
    );
    assert_eq!(unassigned(&acct), vec![bob_serial.clone()]);
    ok(&acct, "DeleteVirtualMFADevice", del.clone());
    let e = iam(&acct, &root(), "DeleteVirtualMFADevice", del).unwrap_err();
    assert_eq!(e.code, "NoSuchEntity");
}

#[test]
fn five_wrong_codes_lock_the_device_until_the_lock_passes() {
    let (acct, clock) = account();
    user_with(&acct, "carol", None);
    let created = ok(
        &acct,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "carol"}),
    );
    let seed = seed_of(&created);
    let s = serial("carol");
    for attempt in 1..=5 {
        let e = enable(&acct, &root(), "carol", &s, wrong_codes(&seed, &clock)).unwrap_err();
        assert_eq!(e.code, "InvalidAuthenticationCode");
        assert_eq!(
            e.message.contains("Too many failed attempts"),
            attempt == 5,
            "{attempt}"
        );
    }
    // Even the right codes are refused while locked, and the device stays unassigned.
    clock.advance(Duration::from_secs(30));
    let e = enable(&acct, &root(), "carol", &s, codes(&seed, &clock)).unwrap_err();
    assert!(
        e.message.contains("Too many failed attempts"),
        "{}",
        e.message
    );
    assert_eq!(unassigned(&acct), vec![s.clone()]);
    assert_eq!(
        audit(&acct, "CheckMfa")[0]["additionalEventData"]["FailureReason"],
        "Locked"
    );
    clock.advance(Duration::from_secs(31));
    enable(&acct, &root(), "carol", &s, codes(&seed, &clock)).unwrap();
}

#[test]
fn nobody_can_lock_another_users_pending_device_with_wrong_codes() {
    // Security review, finding 10: mallory may enable devices on herself, and sends wrong
    // codes naming bob's unassigned device until she is locked out: bob is not.
    let (acct, clock) = account();
    let self_service = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Action":"iam:EnableMFADevice","Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#;
    let mallory = user_with(&acct, "mallory", Some(self_service));
    user_with(&acct, "bob", None);
    let created = ok(
        &acct,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "bob"}),
    );
    let seed = seed_of(&created);
    let s = serial("bob");
    for _ in 0..6 {
        let e = enable(&acct, &mallory, "mallory", &s, wrong_codes(&seed, &clock)).unwrap_err();
        assert_eq!(e.code, "InvalidAuthenticationCode");
    }
    let e = enable(&acct, &mallory, "mallory", &s, wrong_codes(&seed, &clock)).unwrap_err();
    assert!(
        e.message.contains("Too many failed attempts"),
        "{}",
        e.message
    );
    // bob's administrator enables it for bob at once.
    enable(&acct, &root(), "bob", &s, codes(&seed, &clock)).unwrap();
    let state = acct.snapshot();
    assert_eq!(state.mfa_devices[&s].user.as_deref(), Some("bob"));
    assert!(state.mfa_devices[&s].pending_throttles.is_empty());
}

#[test]
fn seed002_user_manages_only_their_own_device() {
    let (acct, clock) = account();
    let bob = user_with(&acct, "bob", Some(SEED002));
    user_with(&acct, "carol", None);
    let created = iam(
        &acct,
        &bob,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "bob"}),
    )
    .unwrap();
    let e = iam(
        &acct,
        &bob,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "carol"}),
    )
    .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    let seed = seed_of(&created);
    let e = enable(&acct, &bob, "carol", &serial("bob"), codes(&seed, &clock)).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(e.message.contains("iam:EnableMFADevice"), "{}", e.message);
    // The denied attempt did not touch the device: bob's own enable works.
    enable(&acct, &bob, "bob", &serial("bob"), codes(&seed, &clock)).unwrap();
}

#[test]
fn hardware_token_is_enabled_like_a_virtual_device_and_imports_are_all_or_nothing() {
    let (acct, clock) = account();
    user_with(&acct, "dana", None);
    let seed = [0x42u8; 20];
    let csv = format!("serial,seed\nGAHT12345678,{}\n", base32::encode(&seed));
    let tokens = crate::hardware_tokens::parse_csv(&csv).unwrap();
    let imported = crate::hardware_tokens::import(&acct, tokens, None).unwrap();
    assert_eq!(imported, vec!["GAHT12345678".to_string()]);
    // Not a virtual device: not listed there, not deletable through that API.
    assert!(unassigned(&acct).is_empty());
    let e = iam(
        &acct,
        &root(),
        "DeleteVirtualMFADevice",
        json!({"SerialNumber": "GAHT12345678"}),
    )
    .unwrap_err();
    assert_eq!(e.code, "NoSuchEntity");
    let step = totp::step_at(clock.now());
    let pair = (
        totp::code_for_step(&seed, step - 1).unwrap(),
        totp::code_for_step(&seed, step).unwrap(),
    );
    enable(&acct, &root(), "dana", "GAHT12345678", pair).unwrap();
    let listed = ok(&acct, "ListMFADevices", json!({"UserName": "dana"}));
    assert_eq!(serials(&listed, "MFADevices"), vec!["GAHT12345678"]);
    // A second file with one new and one known serial imports nothing.
    let csv = format!(
        "GAHT99999999,{hex}\nGAHT12345678,{hex}\n",
        hex = "0x".to_string() + &"ab".repeat(20)
    );
    let e = crate::hardware_tokens::import(
        &acct,
        crate::hardware_tokens::parse_csv(&csv).unwrap(),
        None,
    )
    .unwrap_err();
    assert_eq!(e.code, "EntityAlreadyExists");
    assert!(!acct.snapshot().mfa_devices.contains_key("GAHT99999999"));
    // Deactivating a token unassigns it; it stays registered.
    ok(
        &acct,
        "DeactivateMFADevice",
        json!({"UserName": "dana", "SerialNumber": "GAHT12345678"}),
    );
    let device = acct.snapshot().mfa_devices["GAHT12345678"].clone();
    assert!(device.user.is_none());
}

#[test]
fn tags_get_and_lists() {
    let (acct, _) = account();
    let created = ok(
        &acct,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "t1", "Tags": [{"Key": "team", "Value": "ops"}]}),
    );
    assert_eq!(created["VirtualMFADevice"]["Tags"][0]["Key"], "team");
    let s = serial("t1");
    ok(
        &acct,
        "TagMFADevice",
        json!({"SerialNumber": s, "Tags": [{"Key": "k", "Value": "v"}]}),
    );
    ok(
        &acct,
        "UntagMFADevice",
        json!({"SerialNumber": s, "TagKeys": ["team"]}),
    );
    let tags = ok(&acct, "ListMFADeviceTags", json!({"SerialNumber": s}));
    assert_eq!(tags["Tags"], json!([{"Key": "k", "Value": "v"}]));
    let e = iam(&acct, &root(), "GetMFADevice", json!({"SerialNumber": s})).unwrap_err();
    assert_eq!(e.code, "NoSuchEntity");
    assert!(e.message.contains("FIDO"), "{}", e.message);
    for name in ["t2", "t3"] {
        ok(
            &acct,
            "CreateVirtualMFADevice",
            json!({"VirtualMFADeviceName": name}),
        );
    }
    let page = ok(&acct, "ListVirtualMFADevices", json!({"MaxItems": 2}));
    assert_eq!(page["IsTruncated"], true);
    let rest = ok(
        &acct,
        "ListVirtualMFADevices",
        json!({"Marker": page["Marker"]}),
    );
    assert_eq!(serials(&rest, "VirtualMFADevices"), vec![serial("t3")]);
    let assigned = ok(
        &acct,
        "ListVirtualMFADevices",
        json!({"AssignmentStatus": "Assigned"}),
    );
    assert!(serials(&assigned, "VirtualMFADevices").is_empty());
    // The root user has no API-managed devices.
    let mine = ok(&acct, "ListMFADevices", json!({}));
    assert_eq!(mine["MFADevices"], json!([]));
}

/// The virtual device quota counts the devices there are (deleting one frees its place),
/// and a name differing only in case clashes.
#[test]
fn virtual_device_quota_and_name_clashes_follow_creations_and_deletions() {
    let (mut acct, _) = account();
    acct.quotas.set("VirtualMFADevicesPerAccount", 2).unwrap();
    ok(
        &acct,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "one"}),
    );
    let clash = json!({"VirtualMFADeviceName": "ONE"});
    let e = iam(&acct, &root(), "CreateVirtualMFADevice", clash).unwrap_err();
    assert_eq!(e.code, "EntityAlreadyExists");
    ok(
        &acct,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "two"}),
    );
    let three = json!({"VirtualMFADeviceName": "three"});
    let e = iam(&acct, &root(), "CreateVirtualMFADevice", three.clone()).unwrap_err();
    assert_eq!(e.code, "LimitExceeded");
    ok(
        &acct,
        "DeleteVirtualMFADevice",
        json!({"SerialNumber": serial("one")}),
    );
    ok(&acct, "CreateVirtualMFADevice", three);
    // "one" is gone: its name is free, but the quota is full again.
    let one = json!({"VirtualMFADeviceName": "One"});
    let e = iam(&acct, &root(), "CreateVirtualMFADevice", one).unwrap_err();
    assert_eq!(e.code, "LimitExceeded");
}

/// ListVirtualMFADevices by status follows enabling and deactivation (the status index), and
/// pages start at the marker.
#[test]
fn virtual_devices_by_status_follow_enabling_and_deactivation() {
    let (acct, clock) = account();
    ok(&acct, "CreateUser", json!({"UserName": "carol"}));
    let mut seeds = Vec::new();
    for name in ["v1", "v2", "v3"] {
        let created = ok(
            &acct,
            "CreateVirtualMFADevice",
            json!({"VirtualMFADeviceName": name}),
        );
        seeds.push(seed_of(&created));
    }
    let listed = |status: &str, extra: Value| {
        let mut input = extra;
        input["AssignmentStatus"] = json!(status);
        ok(&acct, "ListVirtualMFADevices", input)
    };
    let all = [serial("v1"), serial("v2"), serial("v3")];
    assert_eq!(unassigned(&acct), all);
    assert!(serials(&listed("Assigned", json!({})), "VirtualMFADevices").is_empty());

    enable(
        &acct,
        &root(),
        "carol",
        &serial("v2"),
        codes(&seeds[1], &clock),
    )
    .unwrap();
    let assigned = listed("Assigned", json!({}));
    assert_eq!(serials(&assigned, "VirtualMFADevices"), [serial("v2")]);
    assert_eq!(
        assigned["VirtualMFADevices"][0]["User"]["UserName"],
        "carol"
    );
    assert_eq!(unassigned(&acct), [serial("v1"), serial("v3")]);
    let page = listed("Unassigned", json!({"MaxItems": 1}));
    assert_eq!(serials(&page, "VirtualMFADevices"), [serial("v1")]);
    let rest = listed("Unassigned", json!({"Marker": page["Marker"]}));
    assert_eq!(serials(&rest, "VirtualMFADevices"), [serial("v3")]);
    assert_eq!(rest["IsTruncated"], false);
    let any = listed("Any", json!({}));
    assert_eq!(serials(&any, "VirtualMFADevices"), all);

    let deactivate = json!({"UserName": "carol", "SerialNumber": serial("v2")});
    ok(&acct, "DeactivateMFADevice", deactivate);
    assert_eq!(unassigned(&acct), all);
    ok(
        &acct,
        "DeleteVirtualMFADevice",
        json!({"SerialNumber": serial("v1")}),
    );
    assert_eq!(unassigned(&acct), [serial("v2"), serial("v3")]);
    assert_eq!(acct.snapshot().mfa_devices.counted(), 2);
}
