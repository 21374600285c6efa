//! Policy enforcement at the API with MFA: the "true" column of
//! `fixtures/policies/EXPECTED.md` through a real `iamd serve`, signed with the MFA session
//! credentials that `sts:GetSessionToken` gives for a code of alice's virtual MFA device.
//!
//! The server runs as the table's account, 111122223333, so the table's ARNs are the
//! server's. Each set gets a fresh server with users alice (the set's policies attached as
//! customer managed policies: seed 000 is over the inline size limit; a login profile; an
//! access key; a virtual MFA device `alice` that root created and enabled for her) and bob.
//!
//! Every row whose action iamd serves is called with parameters that put the row's resource
//! in the request. An Allow row must get past authorization: the call succeeds or fails
//! with the one error that proves it got there (NoSuchEntity, EntityAlreadyExists,
//! DeleteConflict, InvalidAuthenticationCode). The "true" column has no Deny: the only
//! denials with MFA are implicit.
//!
//! Rows left out:
//! - not IAM, or not served by iamd (no such service): A14, B2, E1, E2, F1, G1 (s3:, lambda:);
//! - sts:GetSessionToken (A13, B6, C10, E14): iamd, as AWS, asks no permission for it, so
//!   the policy decision never shows at the API;
//! - IAM actions iamd does not serve: A19 (UploadSSHPublicKey);
//! - ChangePassword on bob (A2, B3, E11): ChangePassword has no user parameter, it always
//!   changes the caller's own password, so no request can ask for it on `user/bob`.
//!
//! The "false" column: a GetSessionToken session without MFA gets InvalidClientTokenId for
//! every IAM call (as from AWS), before any policy is read; each set checks that for one of
//! its rows ([`no_mfa_session_is_refused`]). The "absent" column (long-term access keys) is
//! `api_enforcement.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{code_message, fixture, fresh_step, mfa_seed, totp_code, Server};

const ACCOUNT_ID: &str = "111122223333";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const PASSWORD: &str = "Initial-Passw0rd!";

#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Authorized and succeeded.
    Allow,
    /// Authorized, then failed with this error code.
    AllowThen(&'static str),
    /// AccessDenied: no statement allows.
    Implicit,
}

#[derive(Debug, Clone, Copy)]
enum Call {
    /// ChangePassword as the caller (alice), from the setup's password.
    ChangePassword,
    CreateVirtualMfaDevice(&'static str),
    /// DeleteVirtualMFADevice of `mfa/NAME`.
    DeleteVirtualMfaDevice(&'static str),
    /// EnableMFADevice for user USER with device `mfa/DEVICE` and two made-up codes.
    EnableMfaDevice(&'static str, &'static str),
    /// DeactivateMFADevice for user USER of device `mfa/DEVICE`.
    DeactivateMfaDevice(&'static str, &'static str),
    /// ResyncMFADevice for user USER of device `mfa/DEVICE` with two made-up codes.
    ResyncMfaDevice(&'static str, &'static str),
    /// GetMFADevice for user USER of device `mfa/DEVICE`.
    GetMfaDevice(&'static str, &'static str),
    ListVirtualMfaDevices,
    ListUsers,
    GetUser(&'static str),
    CreateAccessKey(&'static str),
    ListAccessKeys(&'static str),
    CreateLoginProfile(&'static str),
    GetAccountPasswordPolicy,
    GetAccountSummary,
}

fn user(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT_ID}:user/{name}")
}

fn mfa(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT_ID}:mfa/{name}")
}

impl Call {
    /// The action, and the resource ARN for rows whose resource is not `*`.
    fn action_and_resource(self) -> (&'static str, Option<String>) {
        match self {
            Call::ChangePassword => ("iam:ChangePassword", Some(ALICE.to_string())),
            Call::CreateVirtualMfaDevice(name) => ("iam:CreateVirtualMFADevice", Some(mfa(name))),
            Call::DeleteVirtualMfaDevice(name) => ("iam:DeleteVirtualMFADevice", Some(mfa(name))),
            Call::EnableMfaDevice(name, _) => ("iam:EnableMFADevice", Some(user(name))),
            Call::DeactivateMfaDevice(name, _) => ("iam:DeactivateMFADevice", Some(user(name))),
            Call::ResyncMfaDevice(name, _) => ("iam:ResyncMFADevice", Some(user(name))),
            Call::GetMfaDevice(name, _) => ("iam:GetMFADevice", Some(user(name))),
            Call::ListVirtualMfaDevices => ("iam:ListVirtualMFADevices", None),
            Call::ListUsers => ("iam:ListUsers", None),
            Call::GetUser(name) => ("iam:GetUser", Some(user(name))),
            Call::CreateAccessKey(name) => ("iam:CreateAccessKey", Some(user(name))),
            Call::ListAccessKeys(name) => ("iam:ListAccessKeys", Some(user(name))),
            Call::CreateLoginProfile(name) => ("iam:CreateLoginProfile", Some(user(name))),
            Call::GetAccountPasswordPolicy => ("iam:GetAccountPasswordPolicy", None),
            Call::GetAccountSummary => ("iam:GetAccountSummary", None),
        }
    }

    /// Runs the call; `Err((code, message))` when it fails.
    async fn run(self, iam: &aws_sdk_iam::Client) -> Result<(), (String, String)> {
        // Two codes that are not two consecutive codes of any device (at worst a one in a
        // trillion chance).
        let (code1, code2) = ("123456", "654321");
        match self {
            Call::ChangePassword => iam
                .change_password()
                .old_password(PASSWORD)
                .new_password("Changed-Passw0rd!")
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::CreateVirtualMfaDevice(name) => iam
                .create_virtual_mfa_device()
                .virtual_mfa_device_name(name)
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::DeleteVirtualMfaDevice(name) => iam
                .delete_virtual_mfa_device()
                .serial_number(mfa(name))
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::EnableMfaDevice(name, device) => iam
                .enable_mfa_device()
                .user_name(name)
                .serial_number(mfa(device))
                .authentication_code1(code1)
                .authentication_code2(code2)
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::DeactivateMfaDevice(name, device) => iam
                .deactivate_mfa_device()
                .user_name(name)
                .serial_number(mfa(device))
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::ResyncMfaDevice(name, device) => iam
                .resync_mfa_device()
                .user_name(name)
                .serial_number(mfa(device))
                .authentication_code1(code1)
                .authentication_code2(code2)
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::GetMfaDevice(name, device) => iam
                .get_mfa_device()
                .user_name(name)
                .serial_number(mfa(device))
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::ListVirtualMfaDevices => iam
                .list_virtual_mfa_devices()
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::ListUsers => iam
                .list_users()
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::GetUser(name) => iam
                .get_user()
                .user_name(name)
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::CreateAccessKey(name) => iam
                .create_access_key()
                .user_name(name)
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::ListAccessKeys(name) => iam
                .list_access_keys()
                .user_name(name)
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::CreateLoginProfile(name) => iam
                .create_login_profile()
                .user_name(name)
                .password("Another-Passw0rd!")
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::GetAccountPasswordPolicy => iam
                .get_account_password_policy()
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::GetAccountSummary => iam
                .get_account_summary()
                .send()
                .await
                .map(drop)
                .map_err(code_message),
        }
    }
}

/// alice's two ways in: long-term keys, and the MFA session.
struct Alice {
    server: Server,
    key_id: String,
    secret: String,
    /// IAM signed with the MFA session credentials.
    mfa: aws_sdk_iam::Client,
}

/// Starts a server for account 111122223333 with alice (the `policies`, (name, fixture
/// file), attached as customer managed policies; a login profile; an access key; virtual MFA
/// device `alice`, created and enabled by root) and bob, and gets alice an MFA session.
async fn alice_with_mfa_session(policies: &[(&str, &str)]) -> Alice {
    let server = Server::start_with_account(ACCOUNT_ID);
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key("alice").await;
    iam.create_user().user_name("bob").send().await.unwrap();
    iam.create_login_profile()
        .user_name("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    for (name, file) in policies {
        let arn = iam
            .create_policy()
            .policy_name(*name)
            .policy_document(fixture(file))
            .send()
            .await
            .unwrap()
            .policy
            .unwrap()
            .arn
            .unwrap();
        iam.attach_user_policy()
            .user_name("alice")
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }

    // Root creates and enables alice's device (root may, whatever her policies say).
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    assert_eq!(device.serial_number, mfa("alice"));
    let seed = mfa_seed(&device);
    let step = fresh_step().await;
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(mfa("alice"))
        .authentication_code1(totp_code(&seed, step - 2))
        .authentication_code2(totp_code(&seed, step - 1))
        .send()
        .await
        .unwrap();

    // alice trades a code for MFA session credentials.
    let creds = server
        .sts_as(&key_id, &secret)
        .get_session_token()
        .serial_number(mfa("alice"))
        .token_code(totp_code(&seed, step))
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    assert!(
        creds.access_key_id.starts_with("ASIA"),
        "{}",
        creds.access_key_id
    );
    let me = server
        .sts_session(&creds)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(me.arn(), Some(ALICE));
    assert_eq!(me.account(), Some(ACCOUNT_ID));
    let mfa = server.iam_session(&creds);
    Alice {
        server,
        key_id,
        secret,
        mfa,
    }
}

/// Checks one EXPECTED.md row ("true" column) with alice's MFA session.
async fn check(alice: &Alice, row: &str, call: Call, expect: Expect) {
    let (action, resource) = call.action_and_resource();
    let result = call.run(&alice.mfa).await;
    match (expect, result) {
        (Expect::Allow, Ok(())) => {}
        (Expect::AllowThen(code), Err((actual, message))) => {
            assert_eq!(actual, code, "{row}: {call:?}: {message}");
        }
        (Expect::Implicit, Err((code, message))) => {
            assert_eq!(code, "AccessDenied", "{row}: {call:?}: {message}");
            // For `*` rows the resource in the message is whatever iamd names.
            let head = format!(
                "User: {ALICE} is not authorized to perform: {action} on resource: {}",
                resource.map(|arn| arn + " ").unwrap_or_default()
            );
            assert!(
                message.starts_with(&head),
                "{row}: {message}\n  does not start with\n{head}"
            );
            let because = format!("because no identity-based policy allows the {action} action");
            assert!(message.contains(&because), "{row}: {message}");
        }
        (expect, result) => panic!("{row}: {call:?} should be {expect:?}, got {result:?}"),
    }
}

/// The "false" column: a GetSessionToken session without MFA may not call IAM at all, so the
/// answer is InvalidClientTokenId whatever the policies say (as from AWS).
async fn no_mfa_session_is_refused(alice: &Alice, row: &str, call: Call) {
    let creds = alice
        .server
        .sts_as(&alice.key_id, &alice.secret)
        .get_session_token()
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let me = alice
        .server
        .sts_session(&creds)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(me.arn(), Some(ALICE), "the session itself is valid");
    let result = call.run(&alice.server.iam_session(&creds)).await;
    let (code, message) = result.expect_err(row);
    assert_eq!(code, "InvalidClientTokenId", "{row}: {call:?}: {message}");
    assert_eq!(
        message, "The security token included in the request is invalid.",
        "{row}"
    );
}

#[tokio::test]
async fn set_a_force_mfa_ko_alone() {
    let alice = alice_with_mfa_session(&[("force-mfa", "seed000-force-mfa-blog-ko.json")]).await;
    no_mfa_session_is_refused(&alice, "A8 (false)", Call::ListUsers).await;
    check(&alice, "A1", Call::ChangePassword, Expect::Allow).await;
    // Her device is named alice already: authorized, then the name is taken.
    let taken = Expect::AllowThen("EntityAlreadyExists");
    check(&alice, "A3", Call::CreateVirtualMfaDevice("alice"), taken).await;
    let a4 = Call::CreateVirtualMfaDevice("alice-phone");
    check(&alice, "A4", a4, Expect::Implicit).await;
    // Her device is assigned: authorized, then it cannot be deleted.
    let in_use = Expect::AllowThen("DeleteConflict");
    check(&alice, "A5", Call::DeleteVirtualMfaDevice("alice"), in_use).await;
    // The device is in use already.
    let a6 = Call::EnableMfaDevice("alice", "alice");
    check(&alice, "A6", a6, taken).await;
    check(&alice, "A8", Call::ListUsers, Expect::Implicit).await;
    check(&alice, "A9", Call::CreateAccessKey("alice"), Expect::Allow).await;
    // No account password policy is set.
    let a10 = Expect::AllowThen("NoSuchEntity");
    check(&alice, "A10", Call::GetAccountPasswordPolicy, a10).await;
    check(&alice, "A11", Call::GetAccountSummary, Expect::Allow).await;
    check(&alice, "A12", Call::ListVirtualMfaDevices, Expect::Allow).await;
    check(&alice, "A15", Call::GetUser("alice"), Expect::Allow).await;
    check(&alice, "A16", Call::GetUser("bob"), Expect::Implicit).await;
    let bad_codes = Expect::AllowThen("InvalidAuthenticationCode");
    let a17 = Call::ResyncMfaDevice("alice", "alice");
    check(&alice, "A17", a17, bad_codes).await;
    check(&alice, "A18", Call::ListAccessKeys("alice"), Expect::Allow).await;
    // Last: it unassigns her device.
    let a7 = Call::DeactivateMfaDevice("alice", "alice");
    check(&alice, "A7", a7, Expect::Allow).await;
}

#[tokio::test]
async fn set_b_force_mfa_ko_with_administrator_access() {
    let alice = alice_with_mfa_session(&[
        ("force-mfa", "seed000-force-mfa-blog-ko.json"),
        ("admin", "administrator-access.json"),
    ])
    .await;
    no_mfa_session_is_refused(&alice, "B1 (false)", Call::ListUsers).await;
    check(&alice, "B1", Call::ListUsers, Expect::Allow).await;
    let b4 = Call::CreateVirtualMfaDevice("alice-phone");
    check(&alice, "B4", b4, Expect::Allow).await;
    let b5 = Call::DeactivateMfaDevice("alice", "alice");
    check(&alice, "B5", b5, Expect::Allow).await;
}

#[tokio::test]
async fn set_c_manage_own_mfa_alone() {
    let alice =
        alice_with_mfa_session(&[("manage-own-mfa", "seed001-aws-docs-manage-own-mfa.json")]).await;
    no_mfa_session_is_refused(&alice, "C7 (false)", Call::GetMfaDevice("alice", "alice")).await;
    check(&alice, "C1", Call::ChangePassword, Expect::Implicit).await;
    let c2 = Call::CreateVirtualMfaDevice("alice-phone");
    check(&alice, "C2", c2, Expect::Allow).await;
    let c3 = Call::DeleteVirtualMfaDevice("alice");
    check(&alice, "C3", c3, Expect::Implicit).await;
    let c4 = Call::EnableMfaDevice("alice", "alice");
    check(&alice, "C4", c4, Expect::AllowThen("EntityAlreadyExists")).await;
    let c5 = Call::EnableMfaDevice("bob", "alice-phone");
    check(&alice, "C5", c5, Expect::Implicit).await;
    // GetMFADevice takes only FIDO keys: authorized, then NoSuchEntity for a TOTP device.
    let c7 = Call::GetMfaDevice("alice", "alice");
    check(&alice, "C7", c7, Expect::AllowThen("NoSuchEntity")).await;
    check(&alice, "C8", Call::ListVirtualMfaDevices, Expect::Allow).await;
    check(&alice, "C9", Call::ListUsers, Expect::Implicit).await;
    // Last: it unassigns her device.
    let c6 = Call::DeactivateMfaDevice("alice", "alice");
    check(&alice, "C6", c6, Expect::Allow).await;
}

#[tokio::test]
async fn set_d_manage_own_mfa_with_change_password() {
    let alice = alice_with_mfa_session(&[
        ("manage-own-mfa", "seed001-aws-docs-manage-own-mfa.json"),
        ("change-password", "iam-user-change-password.json"),
    ])
    .await;
    no_mfa_session_is_refused(&alice, "D1 (false)", Call::ChangePassword).await;
    check(&alice, "D1", Call::ChangePassword, Expect::Allow).await;
    let d2 = Expect::AllowThen("NoSuchEntity");
    check(&alice, "D2", Call::GetAccountPasswordPolicy, d2).await;
}

#[tokio::test]
async fn set_e_force_mfa_ja_with_administrator_access() {
    let alice = alice_with_mfa_session(&[
        ("admin", "administrator-access.json"),
        ("force-mfa-ja", "seed002-force-mfa-blog-ja.json"),
    ])
    .await;
    no_mfa_session_is_refused(&alice, "E8 (false)", Call::GetUser("alice")).await;
    let e3 = Call::CreateVirtualMfaDevice("alice");
    check(&alice, "E3", e3, Expect::AllowThen("EntityAlreadyExists")).await;
    check(
        &alice,
        "E4",
        Call::CreateVirtualMfaDevice("bob"),
        Expect::Allow,
    )
    .await;
    // bob's new device, with made-up codes.
    let e5 = Call::EnableMfaDevice("bob", "bob");
    check(
        &alice,
        "E5",
        e5,
        Expect::AllowThen("InvalidAuthenticationCode"),
    )
    .await;
    let e6 = Call::EnableMfaDevice("alice", "alice");
    check(&alice, "E6", e6, Expect::AllowThen("EntityAlreadyExists")).await;
    check(&alice, "E8", Call::GetUser("alice"), Expect::Allow).await;
    check(&alice, "E9", Call::ListUsers, Expect::Allow).await;
    check(&alice, "E10", Call::ChangePassword, Expect::Allow).await;
    let e12 = Expect::AllowThen("NoSuchEntity");
    check(&alice, "E12", Call::GetAccountPasswordPolicy, e12).await;
    // alice has a login profile already.
    let e13 = Call::CreateLoginProfile("alice");
    check(&alice, "E13", e13, Expect::AllowThen("EntityAlreadyExists")).await;
    // Last, the documented hole: deactivate her device, then delete it.
    let e7 = Call::DeactivateMfaDevice("alice", "alice");
    check(&alice, "E7", e7, Expect::Allow).await;
    let e15 = Call::DeleteVirtualMfaDevice("alice");
    check(&alice, "E15", e15, Expect::Allow).await;
}

#[tokio::test]
async fn set_f_force_mfa_ja_alone() {
    let alice = alice_with_mfa_session(&[("force-mfa-ja", "seed002-force-mfa-blog-ja.json")]).await;
    no_mfa_session_is_refused(&alice, "F5 (false)", Call::ListUsers).await;
    check(
        &alice,
        "F2",
        Call::CreateVirtualMfaDevice("bob"),
        Expect::Allow,
    )
    .await;
    let f3 = Call::DeactivateMfaDevice("alice", "alice");
    check(&alice, "F3", f3, Expect::Implicit).await;
    check(&alice, "F4", Call::GetUser("alice"), Expect::Allow).await;
    check(&alice, "F5", Call::ListUsers, Expect::Allow).await;
}

#[tokio::test]
async fn set_g_naive_bool_deny_with_administrator_access() {
    let alice = alice_with_mfa_session(&[
        ("naive", "naive-bool-deny.json"),
        ("admin", "administrator-access.json"),
    ])
    .await;
    no_mfa_session_is_refused(&alice, "G3 (false)", Call::CreateAccessKey("alice")).await;
    let g2 = Call::CreateVirtualMfaDevice("alice");
    check(&alice, "G2", g2, Expect::AllowThen("EntityAlreadyExists")).await;
    check(&alice, "G3", Call::CreateAccessKey("alice"), Expect::Allow).await;
}
