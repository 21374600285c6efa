//! Encoded authorization failure messages in AccessDenied errors, and
//! `sts:DecodeAuthorizationMessage`, through the official AWS SDK for Rust against a real
//! `iamd serve`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{code_message, Server};

const MARK: &str = " Encoded authorization failure message: ";

const DENY_LISTS: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Sid":"NoLists","Effect":"Deny","Action":"iam:List*","Resource":"*"},
  {"Effect":"Allow","Action":"sts:DecodeAuthorizationMessage","Resource":"*"}]}"#;

/// frank's AccessDenied for ListUsers (explicitly denied): its text and encoded message.
async fn frank_denied(server: &Server) -> (String, String, aws_sdk_sts::Client) {
    let (key, secret) = server.user_with_key("frank").await;
    server
        .iam()
        .put_user_policy()
        .user_name("frank")
        .policy_name("no-lists")
        .policy_document(DENY_LISTS)
        .send()
        .await
        .unwrap();
    let err = server
        .iam_as(&key, &secret)
        .list_users()
        .send()
        .await
        .unwrap_err();
    let (code, message) = code_message(err);
    assert_eq!(code, "AccessDenied");
    let (text, encoded) = message.split_once(MARK).expect("an encoded message");
    (
        text.to_string(),
        encoded.to_string(),
        server.sts_as(&key, &secret),
    )
}

#[tokio::test]
async fn access_denied_carries_a_message_the_caller_can_decode() {
    let server = Server::start();
    let (text, encoded, frank_sts) = frank_denied(&server).await;
    assert!(
        text.starts_with(
            "User: arn:aws:iam::123456789012:user/frank is not authorized to perform: \
             iam:ListUsers on resource: arn:aws:iam::123456789012:user/ with an explicit deny \
             in an identity-based policy."
        ),
        "{text}"
    );
    assert!(encoded.len() < 2000, "short enough: {}", encoded.len());
    assert!(!encoded.contains("frank") && !encoded.contains("ListUsers"));

    let decoded = frank_sts
        .decode_authorization_message()
        .encoded_message(&encoded)
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(decoded.decoded_message().unwrap()).unwrap();
    assert_eq!(json["allowed"], false);
    assert_eq!(json["explicitDeny"], true);
    assert_eq!(
        json["matchedStatements"]["items"][0]["statementId"],
        "NoLists"
    );
    assert_eq!(json["failures"]["items"], serde_json::json!([]));
    let context = &json["context"];
    assert_eq!(context["principal"]["name"], "frank");
    assert_eq!(
        context["principal"]["arn"],
        "arn:aws:iam::123456789012:user/frank"
    );
    assert!(context["principal"]["id"]
        .as_str()
        .unwrap()
        .starts_with("AIDA"));
    assert_eq!(context["action"], "iam:ListUsers");
    assert_eq!(context["resource"], "arn:aws:iam::123456789012:user/");
    let keys: Vec<&str> = context["conditions"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"aws:username") && keys.contains(&"aws:SourceIp"),
        "{keys:?}"
    );
    let why = json["iamd"]["explanation"].as_str().unwrap();
    assert!(why.contains("denied by statement NoLists"), "{why}");
}

#[tokio::test]
async fn decoding_needs_permission_and_a_genuine_message() {
    let server = Server::start();
    let (_, encoded, _) = frank_denied(&server).await;
    let root = server.sts();
    assert!(root
        .decode_authorization_message()
        .encoded_message(&encoded)
        .send()
        .await
        .is_ok());

    let (key, secret) = server.user_with_key("grace").await;
    let err = server
        .sts_as(&key, &secret)
        .decode_authorization_message()
        .encoded_message(&encoded)
        .send()
        .await
        .unwrap_err();
    let (code, message) = code_message(err);
    assert_eq!(code, "AccessDenied");
    assert!(
        message.contains("sts:DecodeAuthorizationMessage on resource: *"),
        "{message}"
    );

    let mut tampered = encoded.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    for garbage in [
        String::from_utf8(tampered).unwrap(),
        "not-a-message".to_string(),
    ] {
        let err = root
            .decode_authorization_message()
            .encoded_message(garbage)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_message(err).0, "InvalidAuthorizationMessageException");
    }
}
