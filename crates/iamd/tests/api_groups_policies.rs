//! Groups, inline policies, customer managed policies with versions, and attachments through
//! the official AWS SDK for Rust against a real `iamd serve`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{code_message, fixture, percent_decode, Server};

const READ_USERS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"}]}"#;
const LIST_GROUPS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*"}]}"#;

#[tokio::test]
async fn groups_and_membership() {
    let server = Server::start();
    let iam = server.iam();
    let group = iam
        .create_group()
        .group_name("developers")
        .path("/eng/")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(group.group_name, "developers");
    assert_eq!(group.arn, "arn:aws:iam::123456789012:group/eng/developers");
    assert!(group.group_id.starts_with("AGPA"), "{}", group.group_id);
    assert!(group.create_date.secs() > 0);

    let err = iam
        .create_group()
        .group_name("Developers")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_entity_already_exists_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("Group with name Developers already exists.")
    );

    iam.create_user().user_name("mia").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("developers")
        .user_name("mia")
        .send()
        .await
        .unwrap();
    let got = iam
        .get_group()
        .group_name("developers")
        .send()
        .await
        .unwrap();
    let members: Vec<&str> = got.users().iter().map(|u| u.user_name.as_str()).collect();
    assert_eq!(members, ["mia"]);
    assert_eq!(got.group().unwrap().group_id, group.group_id);

    let of_user = iam
        .list_groups_for_user()
        .user_name("mia")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = of_user
        .groups()
        .iter()
        .map(|g| g.group_name.as_str())
        .collect();
    assert_eq!(names, ["developers"]);

    let err = iam
        .delete_group()
        .group_name("developers")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_delete_conflict_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("Cannot delete entity, must remove users from group first.")
    );
    let err = iam
        .delete_user()
        .user_name("mia")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_delete_conflict_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("Cannot delete entity, must remove users from group first.")
    );

    iam.remove_user_from_group()
        .group_name("developers")
        .user_name("mia")
        .send()
        .await
        .unwrap();
    iam.delete_group()
        .group_name("developers")
        .send()
        .await
        .unwrap();
    let err = iam
        .get_group()
        .group_name("developers")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("The group with name developers cannot be found.")
    );
    let groups = iam.list_groups().send().await.unwrap();
    assert!(groups.groups().is_empty());
}

#[tokio::test]
async fn inline_user_and_group_policies() {
    let server = Server::start();
    let iam = server.iam();
    iam.create_user().user_name("nina").send().await.unwrap();
    iam.create_group()
        .group_name("readers")
        .send()
        .await
        .unwrap();
    let document = fixture("seed002-force-mfa-blog-ja.json");
    iam.put_user_policy()
        .user_name("nina")
        .policy_name("force-mfa")
        .policy_document(&document)
        .send()
        .await
        .unwrap();
    let got = iam
        .get_user_policy()
        .user_name("nina")
        .policy_name("force-mfa")
        .send()
        .await
        .unwrap();
    assert_eq!(got.user_name, "nina");
    assert_eq!(got.policy_name, "force-mfa");
    assert_eq!(percent_decode(&got.policy_document), document);
    let names = iam
        .list_user_policies()
        .user_name("nina")
        .send()
        .await
        .unwrap();
    assert_eq!(names.policy_names(), ["force-mfa"]);

    let err = iam
        .delete_user()
        .user_name("nina")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_delete_conflict_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("Cannot delete entity, must delete policies first.")
    );

    iam.put_group_policy()
        .group_name("readers")
        .policy_name("read")
        .policy_document(READ_USERS)
        .send()
        .await
        .unwrap();
    let got = iam
        .get_group_policy()
        .group_name("readers")
        .policy_name("read")
        .send()
        .await
        .unwrap();
    assert_eq!(percent_decode(&got.policy_document), READ_USERS);
    let names = iam
        .list_group_policies()
        .group_name("readers")
        .send()
        .await
        .unwrap();
    assert_eq!(names.policy_names(), ["read"]);

    iam.delete_user_policy()
        .user_name("nina")
        .policy_name("force-mfa")
        .send()
        .await
        .unwrap();
    let err = iam
        .get_user_policy()
        .user_name("nina")
        .policy_name("force-mfa")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("The user policy with name force-mfa cannot be found.")
    );

    let err = iam
        .put_user_policy()
        .user_name("nina")
        .policy_name("bad")
        .policy_document("{not json")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_malformed_policy_document_exception(), "{err:?}");
}

#[tokio::test]
async fn managed_policies_versions_and_attachments() {
    let server = Server::start();
    let iam = server.iam();
    let policy = iam
        .create_policy()
        .policy_name("ReadUsers")
        .path("/team/")
        .description("read users")
        .policy_document(READ_USERS)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    let arn = policy.arn().unwrap().to_string();
    assert_eq!(arn, "arn:aws:iam::123456789012:policy/team/ReadUsers");
    assert!(policy.policy_id().unwrap().starts_with("ANPA"));
    assert_eq!(policy.default_version_id(), Some("v1"));
    assert_eq!(policy.attachment_count(), Some(0));
    assert!(policy.is_attachable());
    assert!(policy.create_date().is_some());

    let err = iam
        .create_policy()
        .policy_name("ReadUsers")
        .policy_document(READ_USERS)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_entity_already_exists_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("A policy called ReadUsers already exists. Duplicate names are not allowed.")
    );

    // Versions: v2 becomes the default; at most 5.
    let v2 = iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(LIST_GROUPS)
        .set_as_default(true)
        .send()
        .await
        .unwrap()
        .policy_version
        .unwrap();
    assert_eq!(v2.version_id(), Some("v2"));
    assert!(v2.is_default_version());
    for _ in 0..3 {
        iam.create_policy_version()
            .policy_arn(&arn)
            .policy_document(READ_USERS)
            .send()
            .await
            .unwrap();
    }
    let err = iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(READ_USERS)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_limit_exceeded_exception(), "{err:?}");
    let versions = iam
        .list_policy_versions()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = versions
        .versions()
        .iter()
        .map(|v| v.version_id().unwrap())
        .collect();
    assert_eq!(ids, ["v5", "v4", "v3", "v2", "v1"]);
    let v1 = iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id("v1")
        .send()
        .await
        .unwrap()
        .policy_version
        .unwrap();
    assert_eq!(percent_decode(v1.document().unwrap()), READ_USERS);
    assert!(!v1.is_default_version());
    let err = iam
        .delete_policy_version()
        .policy_arn(&arn)
        .version_id("v2")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_delete_conflict_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("Cannot delete the default version of a policy.")
    );
    iam.set_default_policy_version()
        .policy_arn(&arn)
        .version_id("v1")
        .send()
        .await
        .unwrap();
    for v in ["v2", "v3", "v4", "v5"] {
        iam.delete_policy_version()
            .policy_arn(&arn)
            .version_id(v)
            .send()
            .await
            .unwrap();
    }

    // Attachments.
    iam.create_user().user_name("olga").send().await.unwrap();
    iam.create_group().group_name("ops").send().await.unwrap();
    iam.attach_user_policy()
        .user_name("olga")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("ops")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    let attached = iam
        .list_attached_user_policies()
        .user_name("olga")
        .send()
        .await
        .unwrap();
    let listed: Vec<(&str, &str)> = attached
        .attached_policies()
        .iter()
        .map(|p| (p.policy_name().unwrap(), p.policy_arn().unwrap()))
        .collect();
    assert_eq!(listed, [("ReadUsers", arn.as_str())]);
    let attached = iam
        .list_attached_group_policies()
        .group_name("ops")
        .send()
        .await
        .unwrap();
    assert_eq!(attached.attached_policies().len(), 1);
    let got = iam.get_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(got.policy().unwrap().attachment_count(), Some(2));
    let entities = iam
        .list_entities_for_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    let users: Vec<&str> = entities
        .policy_users()
        .iter()
        .map(|u| u.user_name().unwrap())
        .collect();
    let groups: Vec<&str> = entities
        .policy_groups()
        .iter()
        .map(|g| g.group_name().unwrap())
        .collect();
    assert_eq!((users, groups), (vec!["olga"], vec!["ops"]));

    let err = iam
        .delete_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_delete_conflict_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("Cannot delete a policy attached to entities.")
    );
    let err = iam
        .delete_user()
        .user_name("olga")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.meta().message(),
        Some("Cannot delete entity, must detach all policies first.")
    );

    iam.detach_user_policy()
        .user_name("olga")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    iam.detach_group_policy()
        .group_name("ops")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    iam.delete_policy().policy_arn(&arn).send().await.unwrap();
    let err = iam
        .get_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some(format!("Policy {arn} was not found.").as_str())
    );

    let missing = "arn:aws:iam::123456789012:policy/Nope";
    let err = iam
        .attach_user_policy()
        .user_name("olga")
        .policy_arn(missing)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some(format!("Policy {missing} does not exist or is not attachable.").as_str())
    );
}

#[tokio::test]
async fn policy_tags_and_list_policies() {
    let server = Server::start();
    let iam = server.iam();
    let tag = |k: &str, v: &str| {
        aws_sdk_iam::types::Tag::builder()
            .key(k)
            .value(v)
            .build()
            .unwrap()
    };
    let arn = iam
        .create_policy()
        .policy_name("Tagged")
        .policy_document(READ_USERS)
        .tags(tag("owner", "sec"))
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    iam.tag_policy()
        .policy_arn(&arn)
        .tags(tag("env", "prod"))
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_policy_tags()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags(), &[tag("owner", "sec"), tag("env", "prod")]);
    iam.untag_policy()
        .policy_arn(&arn)
        .tag_keys("owner")
        .send()
        .await
        .unwrap();
    let got = iam.get_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(got.policy().unwrap().tags(), &[tag("env", "prod")]);

    let local = iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = local
        .policies()
        .iter()
        .map(|p| p.policy_name().unwrap())
        .collect();
    assert_eq!(names, ["Tagged"]);
}

/// A user's permissions come from its groups' policies, and change when membership changes.
#[tokio::test]
async fn group_policies_apply_to_members() {
    let server = Server::start();
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key("pat").await;
    let pat = server.iam_as(&key_id, &secret);
    iam.create_group()
        .group_name("readers")
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name("readers")
        .policy_name("read")
        .policy_document(READ_USERS)
        .send()
        .await
        .unwrap();

    let (code, message) = pat
        .list_users()
        .send()
        .await
        .map(drop)
        .map_err(code_message)
        .unwrap_err();
    assert_eq!(code, "AccessDenied");
    assert!(
        message.starts_with(
            "User: arn:aws:iam::123456789012:user/pat is not authorized to perform: \
             iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no \
             identity-based policy allows the iam:ListUsers action."
        ),
        "{message}"
    );
    iam.add_user_to_group()
        .group_name("readers")
        .user_name("pat")
        .send()
        .await
        .unwrap();
    pat.list_users().send().await.unwrap();
    iam.remove_user_from_group()
        .group_name("readers")
        .user_name("pat")
        .send()
        .await
        .unwrap();
    let (code, _) = pat
        .list_users()
        .send()
        .await
        .map(drop)
        .map_err(code_message)
        .unwrap_err();
    assert_eq!(code, "AccessDenied");
}

#[tokio::test]
async fn permissions_boundary_limits_a_user() {
    let server = Server::start();
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key("quinn").await;
    let admin = fixture("administrator-access.json");
    iam.put_user_policy()
        .user_name("quinn")
        .policy_name("admin")
        .policy_document(admin)
        .send()
        .await
        .unwrap();
    let boundary = iam
        .create_policy()
        .policy_name("OnlyListGroups")
        .policy_document(LIST_GROUPS)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    let missing = "arn:aws:iam::123456789012:policy/Nope";
    let err = iam
        .put_user_permissions_boundary()
        .user_name("quinn")
        .permissions_boundary(missing)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some(format!("Policy {missing} does not exist or is not attachable.").as_str())
    );
    iam.put_user_permissions_boundary()
        .user_name("quinn")
        .permissions_boundary(&boundary)
        .send()
        .await
        .unwrap();
    let user = iam
        .get_user()
        .user_name("quinn")
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    let pb = user.permissions_boundary().unwrap();
    assert_eq!(pb.permissions_boundary_arn(), Some(boundary.as_str()));

    let quinn = server.iam_as(&key_id, &secret);
    quinn.list_groups().send().await.unwrap();
    let (code, message) = quinn
        .list_users()
        .send()
        .await
        .map(drop)
        .map_err(code_message)
        .unwrap_err();
    assert_eq!(code, "AccessDenied");
    assert!(
        message.contains("because no permissions boundary allows the iam:ListUsers action."),
        "{message}"
    );

    iam.delete_user_permissions_boundary()
        .user_name("quinn")
        .send()
        .await
        .unwrap();
    quinn.list_users().send().await.unwrap();
}
