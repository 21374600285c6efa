//! STS AssumeRole and role sessions through the official AWS SDK for Rust against a real
//! `iamd serve`: trust policies with and without MFA, session policies and a boundary
//! narrowing a role, durations, session names and role chaining.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use aws_sdk_sts::types::Credentials;
use support::{code_message, fresh_step, mfa_seed, totp_code, Server};

const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/app";
const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";
const TRUST_ACCOUNT_WITH_MFA: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole",
  "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#;
const TRUST_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}"#;
const MAY_ASSUME: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;
const IAM_ALL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","sts:AssumeRole"],"Resource":"*"}]}"#;
const LIST_USERS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}"#;

/// A server with user alice (an access key, an inline policy allowing sts:AssumeRole) and
/// role `app` with `trust` and the inline `permissions`; returns alice's key.
async fn setup(server: &Server, trust: &str, permissions: &str) -> (String, String) {
    let iam = server.iam();
    let key = server.user_with_key("alice").await;
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("assume")
        .policy_document(MAY_ASSUME)
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name("app")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("app")
        .policy_name("permissions")
        .policy_document(permissions)
        .send()
        .await
        .unwrap();
    key
}

#[tokio::test]
async fn role_session_with_and_without_mfa() {
    let server = Server::start();
    let (key_id, secret) = setup(&server, TRUST_ACCOUNT_WITH_MFA, LIST_USERS).await;
    let iam = server.iam();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    let seed = mfa_seed(&device);
    let step = fresh_step().await;
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(SERIAL)
        .authentication_code1(totp_code(&seed, step - 2))
        .authentication_code2(totp_code(&seed, step - 1))
        .send()
        .await
        .unwrap();
    let sts = server.sts_as(&key_id, &secret);

    // Long-term keys carry no MFA: the trust policy refuses them.
    let err = sts
        .assume_role()
        .role_arn(ROLE_ARN)
        .role_session_name("deploy")
        .send()
        .await
        .unwrap_err();
    let (code, message) = code_message(err);
    assert_eq!(code, "AccessDenied");
    assert!(message.starts_with("User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/app"), "{message}");

    // With a code it works, once.
    let assume_with_code = || {
        sts.assume_role()
            .role_arn(ROLE_ARN)
            .role_session_name("deploy")
            .serial_number(SERIAL)
            .token_code(totp_code(&seed, step))
    };
    let out = assume_with_code().send().await.unwrap();
    let user = out.assumed_role_user.unwrap();
    assert_eq!(
        user.arn,
        "arn:aws:sts::123456789012:assumed-role/app/deploy"
    );
    assert!(
        user.assumed_role_id.starts_with("AROA"),
        "{}",
        user.assumed_role_id
    );
    assert!(user.assumed_role_id.ends_with(":deploy"));
    let (code, message) = code_message(assume_with_code().send().await.unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "AccessDenied",
            "MultiFactorAuthentication failed with invalid MFA one time pass code."
        )
    );

    // The session acts as the role: the role's permissions, not alice's.
    let creds = out.credentials.unwrap();
    assert!(creds.access_key_id.starts_with("ASIA"));
    let me = server
        .sts_session(&creds)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.arn(),
        Some("arn:aws:sts::123456789012:assumed-role/app/deploy")
    );
    assert_eq!(me.user_id(), Some(user.assumed_role_id.as_str()));
    let role_iam = server.iam_session(&creds);
    role_iam.list_users().send().await.unwrap();
    let (code, message) = code_message(role_iam.list_groups().send().await.unwrap_err());
    assert_eq!(code, "AccessDenied");
    assert!(message.starts_with("User: arn:aws:sts::123456789012:assumed-role/app/deploy is not authorized to perform: iam:ListGroups"), "{message}");
    let (code, message) = code_message(role_iam.get_user().send().await.unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "ValidationError",
            "Must specify userName when calling with non-User credentials"
        )
    );

    // Deleting the role ends its sessions.
    iam.delete_role_policy()
        .role_name("app")
        .policy_name("permissions")
        .send()
        .await
        .unwrap();
    iam.delete_role().role_name("app").send().await.unwrap();
    let (code, _) = code_message(role_iam.list_users().send().await.unwrap_err());
    assert_eq!(code, "InvalidClientTokenId");
}

#[tokio::test]
async fn a_trust_policy_naming_the_user_needs_no_identity_policy() {
    let server = Server::start();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"},"Action":"sts:AssumeRole"}]}"#;
    // A trust policy may name only users that exist.
    let (bob_id, bob_secret) = server.user_with_key("bob").await;
    setup(&server, trust, LIST_USERS).await;
    let out = server
        .sts_as(&bob_id, &bob_secret)
        .assume_role()
        .role_arn(ROLE_ARN)
        .role_session_name("bob")
        .send()
        .await
        .unwrap();
    server
        .iam_session(&out.credentials.unwrap())
        .list_users()
        .send()
        .await
        .unwrap();
    let err = server
        .sts()
        .assume_role()
        .role_arn(ROLE_ARN)
        .role_session_name("root")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_message(err),
        (
            "AccessDenied".to_string(),
            "Roles may not be assumed by root accounts.".to_string()
        )
    );
}

#[tokio::test]
async fn session_policies_and_a_boundary_narrow_the_role() {
    let server = Server::start();
    let (key_id, secret) = setup(&server, TRUST_ACCOUNT, IAM_ALL).await;
    let sts = server.sts_as(&key_id, &secret);
    let out = sts
        .assume_role()
        .role_arn(ROLE_ARN)
        .role_session_name("narrow")
        .policy(LIST_USERS)
        .send()
        .await
        .unwrap();
    let narrow = server.iam_session(&out.credentials.unwrap());
    narrow.list_users().send().await.unwrap();
    let (code, message) = code_message(narrow.list_groups().send().await.unwrap_err());
    assert_eq!(code, "AccessDenied");
    assert!(
        message.contains("because no session policy allows the iam:ListGroups action"),
        "{message}"
    );

    // A boundary allowing only ListUsers limits every session of the role.
    let iam = server.iam();
    let boundary = iam
        .create_policy()
        .policy_name("only-list-users")
        .policy_document(LIST_USERS)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    iam.put_role_permissions_boundary()
        .role_name("app")
        .permissions_boundary(boundary)
        .send()
        .await
        .unwrap();
    let out = sts
        .assume_role()
        .role_arn(ROLE_ARN)
        .role_session_name("bounded")
        .send()
        .await
        .unwrap();
    let bounded = server.iam_session(&out.credentials.unwrap());
    bounded.list_users().send().await.unwrap();
    let (_, message) = code_message(bounded.list_groups().send().await.unwrap_err());
    assert!(
        message.contains("because no permissions boundary allows the iam:ListGroups action"),
        "{message}"
    );
}

async fn assume(
    sts: &aws_sdk_sts::Client,
    name: &str,
    seconds: Option<i32>,
) -> Result<Credentials, (String, String)> {
    sts.assume_role()
        .role_arn(ROLE_ARN)
        .role_session_name(name)
        .set_duration_seconds(seconds)
        .send()
        .await
        .map(|out| out.credentials.unwrap())
        .map_err(code_message)
}

#[tokio::test]
async fn durations_session_names_and_chaining() {
    let server = Server::start();
    let (key_id, secret) = setup(&server, TRUST_ACCOUNT, IAM_ALL).await;
    let sts = server.sts_as(&key_id, &secret);

    let over = assume(&sts, "long", Some(7200)).await.unwrap_err();
    assert_eq!(
        over,
        (
            "ValidationError".to_string(),
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                .to_string()
        )
    );
    let (code, _) = assume(&sts, "short", Some(899)).await.unwrap_err();
    assert_eq!(code, "ValidationError");
    for bad in ["a", "has space", &"x".repeat(65)] {
        let (code, message) = assume(&sts, bad, None).await.unwrap_err();
        assert_eq!(code, "ValidationError", "{bad}: {message}");
        assert!(message.contains("roleSessionName"), "{message}");
    }
    let creds = assume(&sts, "first", Some(3600)).await.unwrap();

    // Role chaining: at most an hour.
    let chained_sts = server.sts_session(&creds);
    let (code, message) = assume(&chained_sts, "second", Some(3601))
        .await
        .unwrap_err();
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    );
    let chained = assume(&chained_sts, "second", None).await.unwrap();
    let me = server
        .sts_session(&chained)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.arn(),
        Some("arn:aws:sts::123456789012:assumed-role/app/second")
    );
}
