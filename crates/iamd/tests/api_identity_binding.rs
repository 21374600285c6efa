//! Credentials are bound to the user they were issued to, not to its name (security review,
//! finding 1): a session of a deleted user stays dead when a user of the same name is created
//! again, and a rename takes every credential along, so a later user of the old name inherits
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{code_message, fresh_step, mfa_seed, totp_code, Server, ACCOUNT};

const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

#[tokio::test]
async fn a_deleted_users_session_does_not_come_back_with_a_new_user_of_its_name() {
    let server = Server::start();
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key("ghost").await;
    let session = server
        .sts_as(&key_id, &secret)
        .get_session_token()
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let me = server.sts_session(&session).get_caller_identity().send();
    let first_id = me.await.unwrap().user_id.unwrap();

    iam.delete_access_key()
        .user_name("ghost")
        .access_key_id(&key_id)
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("ghost").send().await.unwrap();
    let gone = server.sts_session(&session).get_caller_identity().send();
    let (code, _) = code_message(gone.await.unwrap_err());
    assert_eq!(code, "InvalidClientTokenId");

    // A new ghost, an administrator this time.
    iam.create_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name("admins")
        .policy_name("admin")
        .policy_document(ADMIN)
        .send()
        .await
        .unwrap();
    let second = iam.create_user().user_name("ghost").send().await.unwrap();
    assert_ne!(second.user.unwrap().user_id, first_id);
    iam.add_user_to_group()
        .group_name("admins")
        .user_name("ghost")
        .send()
        .await
        .unwrap();

    let again = server.sts_session(&session).get_caller_identity().send();
    let (code, message) = code_message(again.await.unwrap_err());
    assert_eq!(code, "InvalidClientTokenId", "{message}");
    assert_eq!(
        message,
        "The security token included in the request is invalid."
    );
}

#[tokio::test]
async fn a_rename_moves_the_password_and_the_mfa_device_and_leaves_nothing_behind() {
    let server = Server::start();
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key("bob").await;
    iam.create_login_profile()
        .user_name("bob")
        .password("Correct-Horse-9")
        .send()
        .await
        .unwrap();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("bob")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    let seed = mfa_seed(&device);
    let serial = format!("arn:aws:iam::{ACCOUNT}:mfa/bob");
    let step = fresh_step().await;
    iam.enable_mfa_device()
        .user_name("bob")
        .serial_number(&serial)
        .authentication_code1(totp_code(&seed, step - 1))
        .authentication_code2(totp_code(&seed, step))
        .send()
        .await
        .unwrap();

    iam.update_user()
        .user_name("bob")
        .new_user_name("robert")
        .send()
        .await
        .unwrap();

    // Everything went along: the password, the device, the key.
    let profile = iam.get_login_profile().user_name("robert").send().await;
    assert_eq!(profile.unwrap().login_profile.unwrap().user_name, "robert");
    let devices = iam.list_mfa_devices().user_name("robert").send().await;
    let devices = devices.unwrap().mfa_devices;
    assert_eq!(devices.len(), 1, "{devices:?}");
    assert_eq!(devices[0].user_name, "robert");
    let me = server.sts_as(&key_id, &secret).get_caller_identity().send();
    assert_eq!(
        me.await.unwrap().arn.unwrap(),
        format!("arn:aws:iam::{ACCOUNT}:user/robert")
    );

    // robert cannot be deleted while it has them.
    let (code, message) = code_message(
        iam.delete_user()
            .user_name("robert")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "DeleteConflict", "{message}");

    iam.delete_login_profile()
        .user_name("robert")
        .send()
        .await
        .unwrap();
    iam.deactivate_mfa_device()
        .user_name("robert")
        .serial_number(&serial)
        .send()
        .await
        .unwrap();
    iam.delete_access_key()
        .user_name("robert")
        .access_key_id(&key_id)
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("robert").send().await.unwrap();

    // A new bob starts with nothing of the old one's.
    iam.create_user().user_name("bob").send().await.unwrap();
    let (code, _) = code_message(
        iam.get_login_profile()
            .user_name("bob")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "NoSuchEntity");
    let devices = iam.list_mfa_devices().user_name("bob").send().await;
    assert!(devices.unwrap().mfa_devices.is_empty());
    let keys = iam.list_access_keys().user_name("bob").send().await;
    assert!(keys.unwrap().access_key_metadata.is_empty());
}
