//! SSH public keys, signing certificates and service-specific credentials through the AWS SDK
//! for Rust against a real `iamd serve`: the operations' shapes and errors, DeleteUser's
//! refusal, that they survive a restart, and seed 000's self-service statements (a user with
//! MFA manages their own SSH keys, never another user's).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use aws_sdk_iam::types::{EncodingType, StatusType};
use support::{code_message, fixture, fresh_step, mfa_seed, totp_code, Server};

const KEY_A: &str = include_str!("../../../fixtures/credentials/ssh-rsa-2048-a.pub");
const KEY_B_PEM: &str = include_str!("../../../fixtures/credentials/ssh-rsa-2048-b.pem");
const KEY_SHORT: &str = include_str!("../../../fixtures/credentials/ssh-rsa-1024.pub");
const CERT_1: &str = include_str!("../../../fixtures/credentials/signing-cert1.pem");
const CERT_EXPIRED: &str = include_str!("../../../fixtures/credentials/signing-expired.pem");
const GIT: &str = "codecommit.amazonaws.com";

#[tokio::test]
async fn ssh_keys_certificates_and_service_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_in(dir.path());
    let iam = server.iam();
    iam.create_user().user_name("alice").send().await.unwrap();

    // SSH public keys.
    let key = iam
        .upload_ssh_public_key()
        .user_name("alice")
        .ssh_public_key_body(KEY_A)
        .send()
        .await
        .unwrap()
        .ssh_public_key
        .unwrap();
    assert!(key.ssh_public_key_id.starts_with("APKA"));
    assert_eq!(
        key.fingerprint,
        "07:c1:13:80:77:c8:37:b8:e1:0f:8c:17:8f:a2:26:fe"
    );
    assert_eq!(key.status, StatusType::Active);
    assert!(key.upload_date.is_some());
    let pem = iam
        .get_ssh_public_key()
        .user_name("alice")
        .ssh_public_key_id(&key.ssh_public_key_id)
        .encoding(EncodingType::Pem)
        .send()
        .await
        .unwrap()
        .ssh_public_key
        .unwrap();
    assert!(pem
        .ssh_public_key_body
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    iam.upload_ssh_public_key()
        .user_name("alice")
        .ssh_public_key_body(KEY_B_PEM)
        .send()
        .await
        .unwrap();
    let refused = |body: &'static str| {
        let iam = iam.clone();
        async move {
            let e = iam
                .upload_ssh_public_key()
                .user_name("alice")
                .ssh_public_key_body(body)
                .send()
                .await
                .unwrap_err();
            code_message(e).0
        }
    };
    assert_eq!(refused(KEY_A).await, "DuplicateSSHPublicKey");
    assert_eq!(refused(KEY_SHORT).await, "InvalidPublicKey");
    assert_eq!(refused("not a key").await, "UnrecognizedPublicKeyEncoding");
    iam.update_ssh_public_key()
        .user_name("alice")
        .ssh_public_key_id(&key.ssh_public_key_id)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();

    // Signing certificates.
    let cert = iam
        .upload_signing_certificate()
        .user_name("alice")
        .certificate_body(CERT_1)
        .send()
        .await
        .unwrap()
        .certificate
        .unwrap();
    assert_eq!(cert.certificate_id, "MHNPUO35USQ5BYGF5Y2QXIHHYKHN4XOD");
    assert_eq!(cert.user_name, "alice");
    let e = iam
        .upload_signing_certificate()
        .user_name("alice")
        .certificate_body(CERT_EXPIRED)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_message(e).0, "MalformedCertificate");

    // Service-specific credentials.
    let cred = iam
        .create_service_specific_credential()
        .user_name("alice")
        .service_name(GIT)
        .send()
        .await
        .unwrap()
        .service_specific_credential
        .unwrap();
    assert_eq!(cred.service_user_name, "alice-at-123456789012");
    let password = cred.service_password.clone();
    assert_eq!(password.len(), 60);
    let reset = iam
        .reset_service_specific_credential()
        .user_name("alice")
        .service_specific_credential_id(&cred.service_specific_credential_id)
        .send()
        .await
        .unwrap()
        .service_specific_credential
        .unwrap();
    assert_ne!(reset.service_password, password);
    let e = iam
        .create_service_specific_credential()
        .user_name("alice")
        .service_name("s3.amazonaws.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_message(e),
        (
            "NoSuchEntity".to_string(),
            "No such service s3.amazonaws.com is supported for Service Specific Credentials"
                .to_string()
        )
    );

    // DeleteUser refuses while any remain.
    let e = iam
        .delete_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_message(e),
        (
            "DeleteConflict".to_string(),
            "Cannot delete entity, must remove referenced objects first.".to_string()
        )
    );

    // All of it is stored: a restarted server lists the same.
    drop(iam);
    server.kill();
    let server = Server::start_in(dir.path());
    let iam = server.iam();
    let keys = iam
        .list_ssh_public_keys()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .ssh_public_keys
        .unwrap();
    assert_eq!(keys.len(), 2);
    let inactive = keys
        .iter()
        .find(|k| k.ssh_public_key_id == key.ssh_public_key_id)
        .unwrap();
    assert_eq!(inactive.status, StatusType::Inactive);
    let certs = iam
        .list_signing_certificates()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .certificates;
    assert_eq!(certs.len(), 1);
    let creds = iam
        .list_service_specific_credentials()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .service_specific_credentials
        .unwrap();
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0].service_name, GIT);

    for k in keys {
        iam.delete_ssh_public_key()
            .user_name("alice")
            .ssh_public_key_id(k.ssh_public_key_id)
            .send()
            .await
            .unwrap();
    }
    iam.delete_signing_certificate()
        .user_name("alice")
        .certificate_id(cert.certificate_id)
        .send()
        .await
        .unwrap();
    iam.delete_service_specific_credential()
        .user_name("alice")
        .service_specific_credential_id(cred.service_specific_credential_id)
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("alice").send().await.unwrap();
}

/// Seed 000 reaches alice as a managed policy (it is larger than AWS allows inline).
#[tokio::test]
async fn seed000_lets_a_user_with_mfa_manage_only_their_own_ssh_keys() {
    let server = Server::start();
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key("alice").await;
    iam.create_user().user_name("bob").send().await.unwrap();
    let arn = iam
        .create_policy()
        .policy_name("force-mfa")
        .policy_document(fixture("seed000-force-mfa-blog-ko.json"))
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

    // With long-term keys (no MFA) seed 000 denies her own keys too.
    let long_term = server.iam_as(&key_id, &secret);
    let e = long_term
        .upload_ssh_public_key()
        .user_name("alice")
        .ssh_public_key_body(KEY_A)
        .send()
        .await
        .unwrap_err();
    let (code, message) = code_message(e);
    assert_eq!(code, "AccessDenied");
    assert!(message.contains("explicit deny"), "{message}");

    // Root enables her virtual MFA device; she trades a code for MFA session credentials.
    let serial = "arn:aws:iam::123456789012:mfa/alice";
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
        .serial_number(serial)
        .authentication_code1(totp_code(&seed, step - 2))
        .authentication_code2(totp_code(&seed, step - 1))
        .send()
        .await
        .unwrap();
    let creds = server
        .sts_as(&key_id, &secret)
        .get_session_token()
        .serial_number(serial)
        .token_code(totp_code(&seed, step))
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let alice = server.iam_session(&creds);

    let own = alice
        .upload_ssh_public_key()
        .user_name("alice")
        .ssh_public_key_body(KEY_A)
        .send()
        .await
        .unwrap()
        .ssh_public_key
        .unwrap();
    let listed = alice
        .list_ssh_public_keys()
        .send()
        .await
        .unwrap()
        .ssh_public_keys
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].user_name, "alice");
    alice
        .update_ssh_public_key()
        .user_name("alice")
        .ssh_public_key_id(&own.ssh_public_key_id)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();

    let denied = "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: \
                  iam:UploadSSHPublicKey on resource: arn:aws:iam::123456789012:user/bob";
    let e = alice
        .upload_ssh_public_key()
        .user_name("bob")
        .ssh_public_key_body(KEY_A)
        .send()
        .await
        .unwrap_err();
    let (code, message) = code_message(e);
    assert_eq!(code, "AccessDenied");
    assert!(message.starts_with(denied), "{message}");
    let e = alice
        .list_ssh_public_keys()
        .user_name("bob")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_message(e).0, "AccessDenied");
    let bobs = iam
        .list_ssh_public_keys()
        .user_name("bob")
        .send()
        .await
        .unwrap()
        .ssh_public_keys
        .unwrap();
    assert!(bobs.is_empty());

    alice
        .delete_ssh_public_key()
        .user_name("alice")
        .ssh_public_key_id(own.ssh_public_key_id)
        .send()
        .await
        .unwrap();
}
