//! Login profiles, the account password policy and ChangePassword through the real server
//! with the AWS SDK for Rust, including the seed 001 lockout that seed 000 fixes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{code_message, fixture, Server};

const CHANGE_OWN_PASSWORD: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#;

#[tokio::test(flavor = "multi_thread")]
async fn password_policy_and_login_profiles() {
    let server = Server::start();
    let iam = server.iam();
    let (code, message) = code_message(iam.get_account_password_policy().send().await.unwrap_err());
    assert_eq!(code, "NoSuchEntity");
    assert_eq!(
        message,
        format!(
            "The Password Policy with domain name {} cannot be found.",
            server.account
        )
    );
    iam.update_account_password_policy()
        .minimum_password_length(12)
        .require_numbers(true)
        .password_reuse_prevention(2)
        .send()
        .await
        .unwrap();
    let policy = iam
        .get_account_password_policy()
        .send()
        .await
        .unwrap()
        .password_policy
        .unwrap();
    assert_eq!(policy.minimum_password_length, Some(12));
    assert!(policy.require_numbers && !policy.require_symbols && !policy.expire_passwords);
    assert_eq!(policy.password_reuse_prevention, Some(2));

    iam.create_user().user_name("alice").send().await.unwrap();
    let weak = iam
        .create_login_profile()
        .user_name("alice")
        .password("short1")
        .send()
        .await
        .unwrap_err();
    let (code, message) = code_message(weak);
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "PasswordPolicyViolation",
            "Password does not conform to the account password policy."
        )
    );
    let created = iam
        .create_login_profile()
        .user_name("alice")
        .password("correct horse 1")
        .password_reset_required(true)
        .send()
        .await
        .unwrap()
        .login_profile
        .unwrap();
    assert!(created.password_reset_required);
    let (code, message) = code_message(
        iam.create_login_profile()
            .user_name("alice")
            .password("another pass 2")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "EntityAlreadyExists",
            "Login Profile for user alice already exists."
        )
    );
    let (code, _) = code_message(
        iam.delete_user()
            .user_name("alice")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "DeleteConflict");

    // alice changes her own password with her keys; the reset flag clears.
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("own")
        .policy_document(CHANGE_OWN_PASSWORD)
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    let alice = server.iam_as(&key.access_key_id, &key.secret_access_key);
    let (code, _) = code_message(
        alice
            .change_password()
            .old_password("wrong password 9")
            .new_password("brand new pass 3")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "AccessDenied");
    let (code, _) = code_message(
        alice
            .change_password()
            .old_password("correct horse 1")
            .new_password("nodigits here")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "PasswordPolicyViolation");
    let (code, _) = code_message(
        alice
            .change_password()
            .old_password("correct horse 1")
            .new_password("correct horse 1")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "PasswordPolicyViolation", "reuse prevention");
    alice
        .change_password()
        .old_password("correct horse 1")
        .new_password("brand new pass 3")
        .send()
        .await
        .unwrap();
    let profile = iam
        .get_login_profile()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .login_profile
        .unwrap();
    assert!(!profile.password_reset_required);
    iam.delete_login_profile()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let (code, message) = code_message(
        iam.get_login_profile()
            .user_name("alice")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "NoSuchEntity",
            "Login Profile for User alice cannot be found."
        )
    );
}

/// The lockout of seed 000's story: under the seed 001 policy (with the change-password
/// policy a console attaches) a user without MFA cannot change the password; under seed 000
/// she can.
#[tokio::test(flavor = "multi_thread")]
async fn seed001_locks_out_password_change_seed000_does_not() {
    let server = Server::start();
    let iam = server.iam();
    for (user, files) in [
        (
            "carol",
            vec![
                "seed001-aws-docs-manage-own-mfa.json",
                "iam-user-change-password.json",
            ],
        ),
        ("dave", vec!["seed000-force-mfa-blog-ko.json"]),
    ] {
        iam.create_user().user_name(user).send().await.unwrap();
        iam.create_login_profile()
            .user_name(user)
            .password("initial pass 1A!")
            .password_reset_required(true)
            .send()
            .await
            .unwrap();
        for file in files {
            let name = format!("{user}-{}", file.trim_end_matches(".json"));
            let arn = iam
                .create_policy()
                .policy_name(&name)
                .policy_document(fixture(file))
                .send()
                .await
                .unwrap()
                .policy
                .unwrap()
                .arn
                .unwrap();
            iam.attach_user_policy()
                .user_name(user)
                .policy_arn(arn)
                .send()
                .await
                .unwrap();
        }
    }
    let (id, secret) = {
        let k = iam
            .create_access_key()
            .user_name("carol")
            .send()
            .await
            .unwrap()
            .access_key
            .unwrap();
        (k.access_key_id, k.secret_access_key)
    };
    let carol = server.iam_as(&id, &secret);
    let (code, message) = code_message(
        carol
            .change_password()
            .old_password("initial pass 1A!")
            .new_password("new password 2B!")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "AccessDenied");
    assert!(
        message.contains("iam:ChangePassword") && message.contains("with an explicit deny"),
        "{message}"
    );
    let k = iam
        .create_access_key()
        .user_name("dave")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    let dave = server.iam_as(&k.access_key_id, &k.secret_access_key);
    dave.change_password()
        .old_password("initial pass 1A!")
        .new_password("new password 2B!")
        .send()
        .await
        .unwrap();
}
