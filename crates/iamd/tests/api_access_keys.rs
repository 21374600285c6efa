//! Access keys through the official AWS SDK for Rust against a real `iamd serve`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use aws_sdk_iam::types::StatusType;
use support::Server;

#[tokio::test]
async fn create_list_update_delete_access_keys() {
    let server = Server::start();
    let iam = server.iam();
    iam.create_user().user_name("erin").send().await.unwrap();

    let key = iam
        .create_access_key()
        .user_name("erin")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    assert_eq!(key.user_name, "erin");
    assert!(
        key.access_key_id.starts_with("AKIA"),
        "{}",
        key.access_key_id
    );
    assert_eq!(key.access_key_id.len(), 20);
    assert_eq!(key.secret_access_key.len(), 40);
    assert_eq!(key.status, StatusType::Active);
    assert!(key.create_date.is_some());

    let second = iam
        .create_access_key()
        .user_name("erin")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    assert_ne!(second.access_key_id, key.access_key_id);

    let err = iam
        .create_access_key()
        .user_name("erin")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_limit_exceeded_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("Cannot exceed quota for AccessKeysPerUser: 2")
    );

    let listed = iam
        .list_access_keys()
        .user_name("erin")
        .send()
        .await
        .unwrap();
    let mut ids: Vec<&str> = listed
        .access_key_metadata()
        .iter()
        .map(|k| k.access_key_id().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![key.access_key_id.as_str(), second.access_key_id.as_str()];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(!listed.is_truncated());
    for meta in listed.access_key_metadata() {
        assert_eq!(meta.user_name(), Some("erin"));
        assert_eq!(meta.status(), Some(&StatusType::Active));
    }

    iam.update_access_key()
        .user_name("erin")
        .access_key_id(&key.access_key_id)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let listed = iam
        .list_access_keys()
        .user_name("erin")
        .send()
        .await
        .unwrap();
    let status = listed
        .access_key_metadata()
        .iter()
        .find(|k| k.access_key_id() == Some(key.access_key_id.as_str()))
        .unwrap()
        .status()
        .cloned();
    assert_eq!(status, Some(StatusType::Inactive));

    iam.delete_access_key()
        .user_name("erin")
        .access_key_id(&key.access_key_id)
        .send()
        .await
        .unwrap();
    let err = iam
        .delete_access_key()
        .user_name("erin")
        .access_key_id(&key.access_key_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some(
            format!(
                "The Access Key with id {} cannot be found.",
                key.access_key_id
            )
            .as_str()
        )
    );
    let listed = iam
        .list_access_keys()
        .user_name("erin")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.access_key_metadata().len(), 1);
}

#[tokio::test]
async fn keys_of_another_user_are_not_found() {
    let server = Server::start();
    let iam = server.iam();
    let (frank_key, _) = server.user_with_key("frank").await;
    iam.create_user().user_name("grace").send().await.unwrap();
    let err = iam
        .update_access_key()
        .user_name("grace")
        .access_key_id(&frank_key)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some(format!("The Access Key with id {frank_key} cannot be found.").as_str())
    );

    let err = iam
        .create_access_key()
        .user_name("nobody")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("The user with name nobody cannot be found.")
    );

    let err = iam
        .list_access_keys()
        .user_name("nobody")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
}

#[tokio::test]
async fn root_lists_its_own_keys_without_user_name() {
    let server = Server::start();
    let listed = server.iam().list_access_keys().send().await.unwrap();
    let ids: Vec<&str> = listed
        .access_key_metadata()
        .iter()
        .map(|k| k.access_key_id().unwrap())
        .collect();
    assert_eq!(ids, [support::ROOT_KEY_ID]);
}

#[tokio::test]
async fn access_keys_page_with_max_items() {
    let server = Server::start();
    let iam = server.iam();
    iam.create_user().user_name("heidi").send().await.unwrap();
    for _ in 0..2 {
        iam.create_access_key()
            .user_name("heidi")
            .send()
            .await
            .unwrap();
    }
    let page = iam
        .list_access_keys()
        .user_name("heidi")
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.access_key_metadata().len(), 1);
    assert!(page.is_truncated());
    let rest = iam
        .list_access_keys()
        .user_name("heidi")
        .max_items(1)
        .marker(page.marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.access_key_metadata().len(), 1);
    assert!(!rest.is_truncated());
    assert_ne!(
        rest.access_key_metadata()[0].access_key_id(),
        page.access_key_metadata()[0].access_key_id()
    );
    let all = iam
        .list_access_keys()
        .user_name("heidi")
        .max_items(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}
