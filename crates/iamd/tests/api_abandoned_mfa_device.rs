//! An abandoned virtual MFA device through the API (official AWS SDK for Rust, real
//! `iamd serve`; the console-onboarding journey of ../shared/JOURNEYS.md): alice,
//! signing with her own long-term access key (so `aws:MultiFactorAuthPresent` is absent),
//! starts assigning a virtual MFA device, abandons it, and starts again.
//!
//! - Under the seed 000 policy she may delete her own unassigned device, so starting again
//!   works without anyone's help, and two consecutive codes assign the new device.
//! - Under the seed 001 policy deleting it is an explicit deny: an administrator lists the
//!   unassigned devices and deletes hers, and then her retry succeeds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{code_message, fixture, fresh_step, mfa_seed, totp_code, Server};

const ALICE: &str = "arn:aws:iam::123456789012:user/alice";
const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";

/// The setup as the administrator: alice with a login profile, in group `developers` with
/// `policy` (a fixture) and the change-password fixture attached as customer managed
/// policies, and an access key. Returns the server and an IAM client signing as alice.
async fn setup(policy: &str, password_reset_required: bool) -> (Server, aws_sdk_iam::Client) {
    let server = Server::start();
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key("alice").await;
    iam.create_login_profile()
        .user_name("alice")
        .password("Temporary-Passw0rd!")
        .password_reset_required(password_reset_required)
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("developers")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("developers")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    for (name, file) in [
        ("force-mfa", policy),
        ("change-password", "iam-user-change-password.json"),
    ] {
        let arn = iam
            .create_policy()
            .policy_name(name)
            .policy_document(fixture(file))
            .send()
            .await
            .unwrap()
            .policy
            .unwrap()
            .arn
            .unwrap();
        iam.attach_group_policy()
            .group_name("developers")
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }
    let alice = server.iam_as(&key_id, &secret);
    (server, alice)
}

/// alice creates device `alice` (the name defaults to her user name) and leaves it
/// unassigned; creating it again with the same name is refused, as the name is taken. Returns
/// the abandoned device's seed.
async fn create_and_abandon(alice: &aws_sdk_iam::Client) -> Vec<u8> {
    let device = alice
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    assert_eq!(device.serial_number, SERIAL);
    assert!(device.qr_code_png.is_some(), "a QR code is shown");
    let abandoned = mfa_seed(&device);

    let (code, message) = code_message(
        alice
            .create_virtual_mfa_device()
            .virtual_mfa_device_name("alice")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "EntityAlreadyExists");
    assert_eq!(message, "MFA device already exists.");
    abandoned
}

/// Starting again once the abandoned device is gone: the new device, then two consecutive
/// codes assign it (codes of the
/// abandoned device are refused first), and ListMFADevices shows it.
async fn create_and_enable(alice: &aws_sdk_iam::Client, abandoned: &[u8]) {
    let device = alice
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    assert_eq!(device.serial_number, SERIAL);
    let seed = mfa_seed(&device);
    assert_ne!(seed, abandoned, "a new device has a new seed");

    let step = fresh_step().await;
    let (code, message) = code_message(
        alice
            .enable_mfa_device()
            .user_name("alice")
            .serial_number(SERIAL)
            .authentication_code1(totp_code(abandoned, step - 1))
            .authentication_code2(totp_code(abandoned, step))
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "InvalidAuthenticationCode", "{message}");
    assert_eq!(message, "Authentication code for device is not valid.");

    alice
        .enable_mfa_device()
        .user_name("alice")
        .serial_number(SERIAL)
        .authentication_code1(totp_code(&seed, step - 1))
        .authentication_code2(totp_code(&seed, step))
        .send()
        .await
        .unwrap();
    let devices = alice.list_mfa_devices().send().await.unwrap().mfa_devices;
    assert_eq!(devices.len(), 1, "{devices:?}");
    assert_eq!(devices[0].serial_number, SERIAL);
    assert_eq!(devices[0].user_name, "alice");
}

#[tokio::test]
async fn seed_000_alice_deletes_her_abandoned_device_and_starts_again() {
    let (_server, alice) = setup("seed000-force-mfa-blog-ko.json", true).await;
    let abandoned = create_and_abandon(&alice).await;
    // EXPECTED.md A5: she may delete her own device without MFA.
    alice
        .delete_virtual_mfa_device()
        .serial_number(SERIAL)
        .send()
        .await
        .unwrap();
    create_and_enable(&alice, &abandoned).await;
}

#[tokio::test]
async fn seed_001_an_administrator_deletes_her_abandoned_device() {
    let (server, alice) = setup("seed001-aws-docs-manage-own-mfa.json", false).await;
    let abandoned = create_and_abandon(&alice).await;

    // EXPECTED.md C3: without MFA, deleting her device is an explicit deny.
    let (code, message) = code_message(
        alice
            .delete_virtual_mfa_device()
            .serial_number(SERIAL)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "AccessDenied");
    let expected = format!(
        "User: {ALICE} is not authorized to perform: iam:DeleteVirtualMFADevice on resource: \
         {SERIAL} with an explicit deny in an identity-based policy. iamd: denied by statement \
         DenyAllExceptListedIfNoMFA of policy force-mfa (identity-based policy)"
    );
    assert!(
        message.starts_with(&expected),
        "{message}\n  does not start with\n{expected}"
    );

    // The administrator finds the unassigned device and deletes it.
    let root = server.iam();
    let unassigned = root
        .list_virtual_mfa_devices()
        .assignment_status(aws_sdk_iam::types::AssignmentStatusType::Unassigned)
        .send()
        .await
        .unwrap()
        .virtual_mfa_devices;
    let serials: Vec<&str> = unassigned
        .iter()
        .map(|d| d.serial_number.as_str())
        .collect();
    assert_eq!(serials, [SERIAL]);
    assert!(unassigned[0].user.is_none(), "{unassigned:?}");
    root.delete_virtual_mfa_device()
        .serial_number(SERIAL)
        .send()
        .await
        .unwrap();
    let left = root
        .list_virtual_mfa_devices()
        .assignment_status(aws_sdk_iam::types::AssignmentStatusType::Unassigned)
        .send()
        .await
        .unwrap()
        .virtual_mfa_devices;
    assert!(left.is_empty(), "{left:?}");

    // Her retry succeeds.
    create_and_enable(&alice, &abandoned).await;
}
