//! Authentication and the request envelope: what the SDK sees for bad credentials, and what
//! a raw HTTP client gets for unsigned, malformed or oversized requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use aws_sdk_iam::types::StatusType;
use support::{xml_value, Server, ROOT_KEY_ID, ROOT_SECRET};

const INVALID_TOKEN: &str = "The security token included in the request is invalid.";

#[tokio::test]
async fn wrong_secret_is_signature_does_not_match() {
    let server = Server::start();
    let err = server
        .iam_as(ROOT_KEY_ID, "wrong-secret-wrong-secret-wrong-secret00")
        .list_users()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("SignatureDoesNotMatch"), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details."
        )
    );
    let err = server
        .sts_as(ROOT_KEY_ID, "wrong-secret-wrong-secret-wrong-secret00")
        .get_caller_identity()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("SignatureDoesNotMatch"), "{err:?}");
}

#[tokio::test]
async fn unknown_key_is_invalid_client_token_id() {
    let server = Server::start();
    let err = server
        .iam_as("AKIAUNKNOWNKEY000000", ROOT_SECRET)
        .list_users()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("InvalidClientTokenId"), "{err:?}");
    assert_eq!(err.meta().message(), Some(INVALID_TOKEN));
    let err = server
        .sts_as("AKIAUNKNOWNKEY000000", ROOT_SECRET)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("InvalidClientTokenId"), "{err:?}");
    assert_eq!(err.meta().message(), Some(INVALID_TOKEN));
}

#[tokio::test]
async fn inactive_key_is_invalid_client_token_id_until_reactivated() {
    let server = Server::start();
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key("kim").await;
    let sts = server.sts_as(&key_id, &secret);
    sts.get_caller_identity().send().await.unwrap();

    iam.update_access_key()
        .user_name("kim")
        .access_key_id(&key_id)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let err = sts
        .get_caller_identity()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("InvalidClientTokenId"), "{err:?}");
    assert_eq!(err.meta().message(), Some(INVALID_TOKEN));

    iam.update_access_key()
        .user_name("kim")
        .access_key_id(&key_id)
        .status(StatusType::Active)
        .send()
        .await
        .unwrap();
    sts.get_caller_identity().send().await.unwrap();

    iam.delete_access_key()
        .user_name("kim")
        .access_key_id(&key_id)
        .send()
        .await
        .unwrap();
    let err = sts
        .get_caller_identity()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("InvalidClientTokenId"), "{err:?}");
}

#[tokio::test]
async fn last_used_shows_after_a_call() {
    let server = Server::start();
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key("lena").await;

    let unused = iam
        .get_access_key_last_used()
        .access_key_id(&key_id)
        .send()
        .await
        .unwrap();
    assert_eq!(unused.user_name(), Some("lena"));
    let last = unused.access_key_last_used().unwrap();
    assert_eq!(last.last_used_date(), None);
    assert_eq!(last.service_name(), "N/A");
    assert_eq!(last.region(), "N/A");

    let created = iam
        .list_access_keys()
        .user_name("lena")
        .send()
        .await
        .unwrap()
        .access_key_metadata()[0]
        .create_date()
        .copied()
        .unwrap();
    server
        .sts_as(&key_id, &secret)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    let used = iam
        .get_access_key_last_used()
        .access_key_id(&key_id)
        .send()
        .await
        .unwrap();
    let last = used.access_key_last_used().unwrap();
    let date = last.last_used_date().expect("LastUsedDate after a call");
    assert!(date.secs() >= created.secs(), "{date} before {created}");
    assert_eq!(last.service_name(), "sts");
    assert_eq!(last.region(), "us-east-1");
}

#[tokio::test]
async fn unsigned_request_is_missing_authentication_token() {
    let server = Server::start();
    let (status, body) = server.raw_post(
        &[("content-type", "application/x-www-form-urlencoded")],
        b"Action=ListUsers&Version=2010-05-08",
    );
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("<ErrorResponse"), "{body}");
    assert_eq!(
        xml_value(&body, "Type").as_deref(),
        Some("Sender"),
        "{body}"
    );
    assert_eq!(
        xml_value(&body, "Code").as_deref(),
        Some("MissingAuthenticationToken"),
        "{body}"
    );
    assert_eq!(
        xml_value(&body, "Message").as_deref(),
        Some("Request is missing Authentication Token"),
        "{body}"
    );
    assert!(
        xml_value(&body, "RequestId").is_some_and(|id| id.len() == 36),
        "{body}"
    );
}

/// A correctly signed request whose content is bad: 400 with AWS's code, never 5xx.
fn assert_client_error(server: &Server, service: &str, body: &str, code: &str, message: &str) {
    let (status, response) = server.signed_post(service, ROOT_KEY_ID, ROOT_SECRET, body.as_bytes());
    assert_eq!(status, 400, "{body}: {response}");
    assert!(response.contains("<ErrorResponse"), "{response}");
    assert_eq!(
        xml_value(&response, "Type").as_deref(),
        Some("Sender"),
        "{response}"
    );
    assert_eq!(
        xml_value(&response, "Code").as_deref(),
        Some(code),
        "{response}"
    );
    assert_eq!(
        xml_value(&response, "Message").as_deref(),
        Some(message),
        "{response}"
    );
}

#[tokio::test]
async fn signed_but_bad_requests_are_400_with_aws_codes() {
    let server = Server::start();
    // The signer itself works: the same helper gets a 200 for a good body.
    let (status, body) = server.signed_post(
        "iam",
        ROOT_KEY_ID,
        ROOT_SECRET,
        b"Action=ListUsers&Version=2010-05-08",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<ListUsersResponse"), "{body}");

    assert_client_error(
        &server,
        "iam",
        "Action=FlyToTheMoon&Version=2010-05-08",
        "InvalidAction",
        "Could not find operation FlyToTheMoon for version 2010-05-08",
    );
    assert_client_error(
        &server,
        "sts",
        "Action=ListUsers&Version=2011-06-15",
        "InvalidAction",
        "Could not find operation ListUsers for version 2011-06-15",
    );
    assert_client_error(
        &server,
        "iam",
        "Version=2010-05-08",
        "MissingAction",
        "Missing Action",
    );
    assert_client_error(
        &server,
        "iam",
        "Action=GetUser&Version=2010-05-08&UserName=%ZZ",
        "MalformedQueryString",
        "Invalid percent-encoding '%ZZ' at position 0. (in the value of parameter UserName)",
    );
    assert_client_error(
        &server,
        "iam",
        "Action=CreateUser&Version=2010-05-08",
        "ValidationError",
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: \
         Member must not be null",
    );
}

#[tokio::test]
async fn huge_body_is_rejected_with_4xx() {
    let server = Server::start();
    let mut body = b"Action=ListUsers&Version=2010-05-08&Pad=".to_vec();
    body.resize(300 * 1024, b'a');
    let (status, response) = server.raw_post(
        &[("content-type", "application/x-www-form-urlencoded")],
        &body,
    );
    assert_eq!(status, 413, "{response}");
    // Signed, too.
    let (status, response) = server.signed_post("iam", ROOT_KEY_ID, ROOT_SECRET, &body);
    assert_eq!(status, 413, "{response}");
    // And the server still answers afterwards.
    server.iam().list_users().send().await.unwrap();
}
