//! Roles, their trust policies, permissions policies, boundaries and tags through the official
//! AWS SDK for Rust against a real `iamd serve` (instance profiles: `api_instance_profiles`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::roles::{create_role, tag, EC2_TRUST};
use support::{code_message, percent_decode, Server};

const READ_S3: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#;

fn trust_of(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

#[tokio::test]
async fn role_lifecycle_listing_and_errors() {
    let server = Server::start();
    let iam = server.iam();
    let role = iam
        .create_role()
        .role_name("App")
        .path("/svc/")
        .assume_role_policy_document(EC2_TRUST)
        .description("the app")
        .tags(tag("team", "a"))
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(role.arn, "arn:aws:iam::123456789012:role/svc/App");
    assert!(role.role_id.starts_with("AROA"), "{}", role.role_id);
    // AWS's CreateRole answer has no MaxSessionDuration (LocalStack's AWS-validated
    // test_iam_roles snapshot, test_create_role_defaults).
    assert_eq!(role.max_session_duration, None);
    assert_eq!(role.tags().len(), 1);

    let (code, message) = code_message(
        iam.create_role()
            .role_name("app")
            .assume_role_policy_document(EC2_TRUST)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("EntityAlreadyExists", "Role with name app already exists.")
    );

    let got = iam
        .get_role()
        .role_name("App")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let document = got.assume_role_policy_document.as_deref().unwrap();
    assert_eq!(percent_decode(document), EC2_TRUST);
    assert_eq!(got.description.as_deref(), Some("the app"));
    let last_used = got.role_last_used.unwrap();
    assert!(last_used.last_used_date.is_none() && last_used.region.is_none());

    let (code, message) = code_message(iam.get_role().role_name("nope").send().await.unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NoSuchEntity", "The role with name nope cannot be found.")
    );

    for name in ["b", "c", "d", "e"] {
        create_role(&iam, name, "/").await;
    }
    let first = iam.list_roles().max_items(2).send().await.unwrap();
    assert!(first.is_truncated);
    assert_eq!(first.roles().len(), 2);
    let all: Vec<String> = iam
        .list_roles()
        .max_items(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.role_name)
        .collect();
    assert_eq!(all, ["App", "b", "c", "d", "e"]);
    let svc = iam.list_roles().path_prefix("/svc/").send().await.unwrap();
    assert_eq!(svc.roles().len(), 1);

    iam.update_role()
        .role_name("App")
        .max_session_duration(43200)
        .send()
        .await
        .unwrap();
    let (code, _) = code_message(
        iam.update_role()
            .role_name("App")
            .max_session_duration(100)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "ValidationError");
    let described = iam
        .update_role_description()
        .role_name("App")
        .description("new words")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(described.description.as_deref(), Some("new words"));
    // Nor has UpdateRoleDescription's (the same snapshot, test_update_role).
    assert_eq!(described.max_session_duration, None);

    iam.delete_role().role_name("App").send().await.unwrap();
    let (code, _) = code_message(iam.delete_role().role_name("App").send().await.unwrap_err());
    assert_eq!(code, "NoSuchEntity");
}

#[tokio::test]
async fn trust_policy_rules() {
    let server = Server::start();
    let iam = server.iam();
    iam.create_user().user_name("alice").send().await.unwrap();
    let alice = "arn:aws:iam::123456789012:user/alice";
    iam.create_role()
        .role_name("Trusting")
        .assume_role_policy_document(trust_of(alice))
        .send()
        .await
        .unwrap();

    let ghost = "arn:aws:iam::123456789012:user/ghost";
    let (code, message) = code_message(
        iam.create_role()
            .role_name("Bad")
            .assume_role_policy_document(trust_of(ghost))
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "MalformedPolicyDocument");
    assert_eq!(
        message,
        format!("Invalid principal in policy: \"AWS\":\"{ghost}\"")
    );
    let no_principal =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#;
    for (document, expected) in [
        (no_principal, "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"),
        (READ_S3, "Has prohibited field Resource"),
    ] {
        let (code, message) = code_message(
            iam.create_role()
                .role_name("Bad")
                .assume_role_policy_document(document)
                .send()
                .await
                .unwrap_err(),
        );
        assert_eq!(
            (code.as_str(), message.as_str()),
            ("MalformedPolicyDocument", expected)
        );
    }
    let padded = EC2_TRUST.replace(
        r#""Action":"sts:AssumeRole""#,
        &format!(
            r#""Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:userid":"{}"}}}}"#,
            "x".repeat(2048)
        ),
    );
    let (code, message) = code_message(
        iam.create_role()
            .role_name("Big")
            .assume_role_policy_document(padded)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "LimitExceeded",
            "Cannot exceed quota for ACLSizePerRole: 2048"
        )
    );

    iam.update_assume_role_policy()
        .role_name("Trusting")
        .policy_document(EC2_TRUST)
        .send()
        .await
        .unwrap();
    let got = iam.get_role().role_name("Trusting").send().await.unwrap();
    let document = got.role().unwrap().assume_role_policy_document().unwrap();
    assert_eq!(percent_decode(document), EC2_TRUST);
    let (code, _) = code_message(
        iam.update_assume_role_policy()
            .role_name("Trusting")
            .policy_document(trust_of(ghost))
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "MalformedPolicyDocument");
}

#[tokio::test]
async fn role_policies_boundary_and_tags() {
    let server = Server::start();
    let iam = server.iam();
    create_role(&iam, "R", "/").await;

    iam.put_role_policy()
        .role_name("R")
        .policy_name("read")
        .policy_document(READ_S3)
        .send()
        .await
        .unwrap();
    let got = iam
        .get_role_policy()
        .role_name("R")
        .policy_name("read")
        .send()
        .await
        .unwrap();
    assert_eq!(percent_decode(&got.policy_document), READ_S3);
    let names = iam
        .list_role_policies()
        .role_name("R")
        .send()
        .await
        .unwrap();
    assert_eq!(names.policy_names(), ["read"]);

    let policy = iam
        .create_policy()
        .policy_name("Shared")
        .policy_document(READ_S3)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    let arn = policy.arn.unwrap();
    iam.attach_role_policy()
        .role_name("R")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    let attached = iam
        .list_attached_role_policies()
        .role_name("R")
        .send()
        .await
        .unwrap();
    assert_eq!(
        attached.attached_policies()[0].policy_name(),
        Some("Shared")
    );
    let entities = iam
        .list_entities_for_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(entities.policy_roles()[0].role_name(), Some("R"));
    let got = iam.get_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(got.policy().unwrap().attachment_count(), Some(1));

    let (code, message) = code_message(iam.delete_role().role_name("R").send().await.unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "DeleteConflict",
            "Cannot delete entity, must detach all policies first."
        )
    );
    iam.detach_role_policy()
        .role_name("R")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    let (code, message) = code_message(iam.delete_role().role_name("R").send().await.unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "DeleteConflict",
            "Cannot delete entity, must delete policies first."
        )
    );
    iam.delete_role_policy()
        .role_name("R")
        .policy_name("read")
        .send()
        .await
        .unwrap();

    iam.put_role_permissions_boundary()
        .role_name("R")
        .permissions_boundary(&arn)
        .send()
        .await
        .unwrap();
    let role = iam.get_role().role_name("R").send().await.unwrap();
    let boundary = role.role().unwrap().permissions_boundary().unwrap();
    assert_eq!(boundary.permissions_boundary_arn(), Some(arn.as_str()));
    iam.delete_role_permissions_boundary()
        .role_name("R")
        .send()
        .await
        .unwrap();

    iam.tag_role()
        .role_name("R")
        .tags(tag("a", "1"))
        .tags(tag("b", "2"))
        .send()
        .await
        .unwrap();
    iam.untag_role()
        .role_name("R")
        .tag_keys("a")
        .send()
        .await
        .unwrap();
    let tags = iam.list_role_tags().role_name("R").send().await.unwrap();
    let keys: Vec<&str> = tags.tags().iter().map(|t| t.key()).collect();
    assert_eq!(keys, ["b"]);

    iam.delete_role().role_name("R").send().await.unwrap();
}

#[tokio::test]
async fn role_operations_are_authorized() {
    let server = Server::start();
    let iam = server.iam();
    let (key, secret) = server.user_with_key("dev").await;
    let scoped = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateRole","iam:GetRole"],"Resource":"arn:aws:iam::123456789012:role/apps/*"}]}"#;
    iam.put_user_policy()
        .user_name("dev")
        .policy_name("scoped")
        .policy_document(scoped)
        .send()
        .await
        .unwrap();
    let dev = server.iam_as(&key, &secret);
    dev.create_role()
        .role_name("Mine")
        .path("/apps/")
        .assume_role_policy_document(EC2_TRUST)
        .send()
        .await
        .unwrap();
    dev.get_role().role_name("Mine").send().await.unwrap();
    let (code, message) = code_message(
        dev.create_role()
            .role_name("Other")
            .assume_role_policy_document(EC2_TRUST)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "AccessDenied");
    assert!(
        message.contains("iam:CreateRole on resource: arn:aws:iam::123456789012:role/Other"),
        "{message}"
    );
    let (code, _) = code_message(
        dev.delete_role()
            .role_name("Mine")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "AccessDenied");
}
