//! STS through the official AWS SDK for Rust against a real `iamd serve`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{Server, ACCOUNT, ROOT_KEY_ID};

#[tokio::test]
async fn caller_identity_of_root() {
    let server = Server::start();
    let me = server.sts().get_caller_identity().send().await.unwrap();
    assert_eq!(me.account(), Some(ACCOUNT));
    assert_eq!(me.arn(), Some("arn:aws:iam::123456789012:root"));
    assert_eq!(me.user_id(), Some(ACCOUNT));
}

#[tokio::test]
async fn caller_identity_of_a_user_needs_no_permission() {
    let server = Server::start();
    let iam = server.iam();
    let user = iam
        .create_user()
        .user_name("ivan")
        .path("/team/")
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name("ivan")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    // ivan has no policy at all.
    let me = server
        .sts_as(&key.access_key_id, &key.secret_access_key)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(me.account(), Some(ACCOUNT));
    assert_eq!(me.arn(), Some("arn:aws:iam::123456789012:user/team/ivan"));
    assert_eq!(me.user_id(), Some(user.user_id.as_str()));
}

#[tokio::test]
async fn access_key_info() {
    let server = Server::start();
    let sts = server.sts();
    let (key_id, secret) = server.user_with_key("judy").await;
    for id in [ROOT_KEY_ID, key_id.as_str()] {
        let info = sts.get_access_key_info().access_key_id(id).send().await;
        assert_eq!(info.unwrap().account(), Some(ACCOUNT));
    }

    let err = sts
        .get_access_key_info()
        .access_key_id("AKIAUNKNOWNKEY000000")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("ValidationError"), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("The access key ID AKIAUNKNOWNKEY000000 is not known to this iamd account.")
    );

    // judy has no policy: sts:GetAccessKeyInfo is implicitly denied.
    let err = server
        .sts_as(&key_id, &secret)
        .get_access_key_info()
        .access_key_id(ROOT_KEY_ID)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("AccessDenied"), "{err:?}");
    let message = err.meta().message().unwrap();
    assert!(
        message.starts_with(
            "User: arn:aws:iam::123456789012:user/judy is not authorized to perform: \
             sts:GetAccessKeyInfo on resource: * because no identity-based policy allows \
             the sts:GetAccessKeyInfo action."
        ),
        "{message}"
    );
}
