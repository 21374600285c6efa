//! STS GetFederationToken and federated user sessions through the official AWS SDK for Rust
//! against a real `iamd serve`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use aws_sdk_sts::types::PolicyDescriptorType;
use support::{code_message, Server};

const FEDERATE: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["sts:GetFederationToken","s3:GetObject"],"Resource":"*"}]}"#;
const S3_READ: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

/// User `name` with a key and `policy` inline; returns its STS client.
async fn user_allowed(server: &Server, name: &str, policy: &str) -> aws_sdk_sts::Client {
    let (key, secret) = server.user_with_key(name).await;
    server
        .iam()
        .put_user_policy()
        .user_name(name)
        .policy_name("p")
        .policy_document(policy)
        .send()
        .await
        .unwrap();
    server.sts_as(&key, &secret)
}

#[tokio::test]
async fn a_user_federates_and_the_session_is_a_federated_user() {
    let server = Server::start();
    let sts = user_allowed(&server, "proxy", FEDERATE).await;
    let out = sts
        .get_federation_token()
        .name("carol@example.com")
        .policy(S3_READ)
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    let user = out.federated_user().unwrap();
    assert_eq!(
        user.arn(),
        "arn:aws:sts::123456789012:federated-user/carol@example.com"
    );
    assert_eq!(user.federated_user_id(), "123456789012:carol@example.com");
    let creds = out.credentials().unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));

    let carol = server.sts_session(creds);
    let me = carol.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some(user.arn()));
    assert_eq!(me.user_id(), Some("123456789012:carol@example.com"));

    // No IAM at all, and nothing in STS but GetCallerIdentity.
    let err = server
        .iam_session(creds)
        .list_users()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_message(err).0, "InvalidClientTokenId");
    let err = carol.get_session_token().send().await.unwrap_err();
    assert_eq!(code_message(err).0, "AccessDenied");
    let err = carol
        .get_federation_token()
        .name("dave")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_message(err).0, "AccessDenied");
}

#[tokio::test]
async fn session_credentials_may_not_federate() {
    let server = Server::start();
    let sts = user_allowed(&server, "proxy", FEDERATE).await;
    let session = sts
        .get_session_token()
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    // Without MFA a GetSessionToken session may call only a few STS operations.
    let err = server
        .sts_session(&session)
        .get_federation_token()
        .name("carol")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_message(err).0, "AccessDenied");
}

#[tokio::test]
async fn root_federates_for_at_most_an_hour_with_managed_session_policies() {
    let server = Server::start();
    let arn = server
        .iam()
        .create_policy()
        .policy_name("read")
        .policy_document(S3_READ)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    let out = server
        .sts()
        .get_federation_token()
        .name("ops")
        .policy_arns(PolicyDescriptorType::builder().arn(arn).build())
        .duration_seconds(7_200)
        .send()
        .await
        .unwrap();
    let creds = out.credentials().unwrap();
    let issued = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let lasts = creds.expiration().secs() - issued;
    assert!((3_500..=3_600).contains(&lasts), "{lasts}");
}

#[tokio::test]
async fn bad_input_is_refused_as_aws_does() {
    let server = Server::start();
    let sts = user_allowed(&server, "proxy", FEDERATE).await;
    let short = sts.get_federation_token().name("c").send().await;
    let (code, message) = code_message(short.unwrap_err());
    assert_eq!(code, "ValidationError");
    assert!(message.contains("'name' failed to satisfy constraint: Member must have length greater than or equal to 2"), "{message}");
    let bad_chars = sts.get_federation_token().name("carol smith").send().await;
    assert_eq!(code_message(bad_chars.unwrap_err()).0, "ValidationError");
    let too_long = sts
        .get_federation_token()
        .name("carol")
        .duration_seconds(129_601)
        .send()
        .await;
    let (code, message) = code_message(too_long.unwrap_err());
    assert_eq!(code, "ValidationError");
    assert!(message.contains("durationSeconds"), "{message}");
    let malformed = sts
        .get_federation_token()
        .name("carol")
        .policy("{not json")
        .send()
        .await;
    assert_eq!(
        code_message(malformed.unwrap_err()).0,
        "MalformedPolicyDocument"
    );
    // Over the model's 2,048 characters: refused before iamd measures it.
    let policy = |len: usize| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{}"}}]}}"#,
            "b".repeat(len)
        )
    };
    let too_long = sts
        .get_federation_token()
        .name("carol")
        .policy(policy(2_100))
        .send()
        .await;
    assert_eq!(code_message(too_long.unwrap_err()).0, "ValidationError");
    // Within it, but with session tags over the packed limit.
    let tag = aws_sdk_sts::types::Tag::builder()
        .key("k".repeat(128))
        .value("v".repeat(200))
        .build()
        .unwrap();
    let too_big = sts
        .get_federation_token()
        .name("carol")
        .policy(policy(1_900))
        .tags(tag)
        .send()
        .await;
    let (code, message) = code_message(too_big.unwrap_err());
    assert_eq!(code, "PackedPolicyTooLarge");
    assert!(message.starts_with("Packed policy consumes "), "{message}");
}

#[tokio::test]
async fn a_refusal_to_federate_can_be_decoded() {
    let server = Server::start();
    let allow_decode = r#"{"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"sts:DecodeAuthorizationMessage","Resource":"*"}]}"#;
    let sts = user_allowed(&server, "proxy", allow_decode).await;
    let err = sts
        .get_federation_token()
        .name("carol")
        .send()
        .await
        .unwrap_err();
    let (code, message) = code_message(err);
    assert_eq!(code, "AccessDenied");
    assert!(message.starts_with("User: arn:aws:iam::123456789012:user/proxy is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::123456789012:federated-user/carol because no identity-based policy allows"), "{message}");
    let (_, encoded) = message
        .split_once(" Encoded authorization failure message: ")
        .unwrap();
    let decoded = sts
        .decode_authorization_message()
        .encoded_message(encoded)
        .send()
        .await
        .unwrap();
    let text = decoded.decoded_message().unwrap();
    assert!(text.contains("sts:GetFederationToken"), "{text}");
    assert!(text.contains("federated-user/carol"), "{text}");
}
