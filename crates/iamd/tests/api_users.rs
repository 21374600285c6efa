//! Users through the official AWS SDK for Rust against a real `iamd serve`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_iam::types::Tag;
use support::Server;

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().unwrap()
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn create_get_update_delete_user() {
    let server = Server::start();
    let iam = server.iam();
    let before = now_secs();
    let created = iam
        .create_user()
        .user_name("alice")
        .path("/eng/")
        .tags(tag("team", "core"))
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    let after = now_secs();
    assert_eq!(created.user_name, "alice");
    assert_eq!(created.path, "/eng/");
    assert_eq!(created.arn, "arn:aws:iam::123456789012:user/eng/alice");
    assert!(created.user_id.starts_with("AIDA"), "{}", created.user_id);
    assert_eq!(created.user_id.len(), 21, "{}", created.user_id);
    let secs = created.create_date.secs();
    assert!(
        before - 1 <= secs && secs <= after + 1,
        "{secs} not in {before}..{after}"
    );
    assert_eq!(created.tags(), &[tag("team", "core")]);

    let got = iam
        .get_user()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(got.user_id, created.user_id);
    assert_eq!(got.create_date, created.create_date);
    assert_eq!(got.tags(), &[tag("team", "core")]);

    iam.update_user()
        .user_name("alice")
        .new_user_name("alicia")
        .new_path("/ops/")
        .send()
        .await
        .unwrap();
    let renamed = iam
        .get_user()
        .user_name("alicia")
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(renamed.arn, "arn:aws:iam::123456789012:user/ops/alicia");
    assert_eq!(renamed.user_id, created.user_id);

    let err = iam
        .get_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("The user with name alice cannot be found.")
    );

    iam.delete_user().user_name("alicia").send().await.unwrap();
    let err = iam
        .delete_user()
        .user_name("alicia")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("The user with name alicia cannot be found.")
    );
}

#[tokio::test]
async fn user_names_are_unique_ignoring_case() {
    let server = Server::start();
    let iam = server.iam();
    iam.create_user().user_name("Bob").send().await.unwrap();
    for name in ["Bob", "bob", "BOB"] {
        let err = iam
            .create_user()
            .user_name(name)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(err.is_entity_already_exists_exception(), "{err:?}");
        assert_eq!(
            err.meta().message(),
            Some(format!("User with name {name} already exists.").as_str())
        );
    }
    // Looked up ignoring case, shown as created.
    let got = iam.get_user().user_name("bob").send().await.unwrap();
    assert_eq!(got.user.unwrap().user_name, "Bob");
}

#[tokio::test]
async fn invalid_user_name_is_a_validation_error() {
    let server = Server::start();
    let err = server
        .iam()
        .create_user()
        .user_name("no spaces allowed")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("ValidationError"), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some(
            "1 validation error detected: Value 'no spaces allowed' at 'userName' failed to \
             satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
        )
    );
}

#[tokio::test]
async fn user_with_access_key_cannot_be_deleted() {
    let server = Server::start();
    let iam = server.iam();
    let (key_id, _) = server.user_with_key("carol").await;
    let err = iam
        .delete_user()
        .user_name("carol")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_delete_conflict_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("Cannot delete entity, must delete access keys first.")
    );
    iam.delete_access_key()
        .user_name("carol")
        .access_key_id(key_id)
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("carol").send().await.unwrap();
}

#[tokio::test]
async fn list_users_pages_with_marker_and_paginator() {
    let server = Server::start();
    let iam = server.iam();
    let mut names: Vec<String> = (0..125).map(|i| format!("user{i:03}")).collect();
    for name in &names {
        iam.create_user().user_name(name).send().await.unwrap();
    }
    iam.create_user()
        .user_name("zed")
        .path("/other/")
        .send()
        .await
        .unwrap();

    // Default page: 100.
    let first = iam.list_users().send().await.unwrap();
    assert_eq!(first.users().len(), 100);
    assert!(first.is_truncated());
    assert!(first.marker().is_some());

    // MaxItems + Marker by hand.
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = iam
            .list_users()
            .path_prefix("/")
            .max_items(50)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        seen.extend(page.users().iter().map(|u| u.user_name.clone()));
        if !page.is_truncated() {
            assert_eq!(page.marker(), None);
            break;
        }
        marker = page.marker().map(str::to_string);
        assert!(marker.is_some());
    }
    names.push("zed".into());
    assert_eq!(pages, 3);
    assert_eq!(seen, names);

    // The SDK's paginator.
    let all: Vec<String> = iam
        .list_users()
        .max_items(40)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.user_name)
        .collect();
    assert_eq!(all, names);

    // PathPrefix filters.
    let other = iam
        .list_users()
        .path_prefix("/other/")
        .send()
        .await
        .unwrap();
    let other: Vec<&str> = other.users().iter().map(|u| u.user_name.as_str()).collect();
    assert_eq!(other, ["zed"]);
}

#[tokio::test]
async fn user_tags() {
    let server = Server::start();
    let iam = server.iam();
    iam.create_user().user_name("dave").send().await.unwrap();
    iam.tag_user()
        .user_name("dave")
        .tags(tag("a", "1"))
        .tags(tag("b", "2"))
        .send()
        .await
        .unwrap();
    iam.tag_user()
        .user_name("dave")
        .tags(tag("a", "3"))
        .send()
        .await
        .unwrap();
    let tags = iam.list_user_tags().user_name("dave").send().await.unwrap();
    assert_eq!(tags.tags(), &[tag("a", "3"), tag("b", "2")]);
    assert!(!tags.is_truncated());

    iam.untag_user()
        .user_name("dave")
        .tag_keys("a")
        .send()
        .await
        .unwrap();
    let tags = iam.list_user_tags().user_name("dave").send().await.unwrap();
    assert_eq!(tags.tags(), &[tag("b", "2")]);

    // 50 tags per user at most.
    let many: Vec<Tag> = (0..50).map(|i| tag(&format!("k{i}"), "v")).collect();
    let err = iam
        .tag_user()
        .user_name("dave")
        .set_tags(Some(many))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_limit_exceeded_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("The number of tags has reached the maximum limit.")
    );
    // Nothing of the failed call was kept.
    let tags = iam.list_user_tags().user_name("dave").send().await.unwrap();
    assert_eq!(tags.tags(), &[tag("b", "2")]);

    let err = iam
        .list_user_tags()
        .user_name("nobody")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
}
