//! AWS managed policies, the account alias, GetAccountSummary and
//! GetAccountAuthorizationDetails through the official AWS SDK for Rust against a real
//! `iamd serve`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use aws_sdk_iam::types::{EntityType, PolicyScopeType, SummaryKeyType};
use support::{code_message, percent_decode, Server};

const READ_ONLY: &str = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const LIST_USERS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}"#;

#[tokio::test]
async fn aws_managed_policies_read_attach_and_refuse_changes() {
    let server = Server::start();
    let iam = server.iam();

    let policy = iam
        .get_policy()
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    assert_eq!(policy.policy_id.as_deref(), Some("ANPAIWMBCKSKIEE64ZLYK"));
    assert_eq!(policy.default_version_id.as_deref(), Some("v1"));
    assert_eq!(policy.create_date.unwrap().secs(), 1_423_247_986);
    assert_eq!(
        policy.description.as_deref(),
        Some("Provides full access to AWS services and resources.")
    );
    let version = iam
        .get_policy_version()
        .policy_arn(READ_ONLY)
        .version_id("v4")
        .send()
        .await
        .unwrap()
        .policy_version
        .unwrap();
    let document = percent_decode(version.document.as_deref().unwrap());
    assert!(
        document.contains("\"iam:GenerateCredentialReport\""),
        "{document}"
    );

    // Every page: the catalogue of AWS managed policies is longer than one.
    let aws = iam
        .list_policies()
        .scope(PolicyScopeType::Aws)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let names: Vec<&str> = aws
        .iter()
        .filter_map(|p| p.policy_name.as_deref())
        .collect();
    assert!(names.len() > 1_300, "{}", names.len());
    for expected in [
        "AdministratorAccess",
        "PowerUserAccess",
        "IAMUserChangePassword",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let service_role = iam
        .list_policies()
        .path_prefix("/service-role/")
        .send()
        .await
        .unwrap();
    let lambda = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    let arns: Vec<&str> = service_role
        .policies()
        .iter()
        .filter_map(|p| p.arn.as_deref())
        .collect();
    assert!(arns.contains(&lambda), "{arns:?}");
    assert!(
        arns.iter().all(|a| a.contains(":policy/service-role/")),
        "{arns:?}"
    );

    // Attached to a user, it grants what its document grants.
    let (key_id, secret) = server.user_with_key("olga").await;
    iam.attach_user_policy()
        .user_name("olga")
        .policy_arn(READ_ONLY)
        .send()
        .await
        .unwrap();
    let olga = server.iam_as(&key_id, &secret);
    olga.list_users().send().await.unwrap();
    let (code, _) = code_message(
        olga.create_group()
            .group_name("g")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "AccessDenied");
    let attached = iam
        .list_policies()
        .scope(PolicyScopeType::Aws)
        .only_attached(true)
        .send()
        .await
        .unwrap();
    assert_eq!(attached.policies().len(), 1);
    assert_eq!(attached.policies()[0].attachment_count, Some(1));

    // AWS's own: no new version, no deletion, no tags.
    let (code, message) = code_message(
        iam.create_policy_version()
            .policy_arn(READ_ONLY)
            .policy_document(LIST_USERS)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        message,
        "User: arn:aws:iam::123456789012:root is not authorized to perform: \
         iam:CreatePolicyVersion on resource: policy arn:aws:iam::aws:policy/IAMReadOnlyAccess \
         because no resource-based policy allows the iam:CreatePolicyVersion action"
    );
    let (code, _) = code_message(
        iam.delete_policy()
            .policy_arn(ADMIN)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "AccessDenied");
    let (code, _) = code_message(
        iam.tag_policy()
            .policy_arn(ADMIN)
            .tags(
                aws_sdk_iam::types::Tag::builder()
                    .key("k")
                    .value("v")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "AccessDenied");
}

#[tokio::test]
async fn account_alias_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = Server::start_in(&data);
    let iam = first.iam();
    iam.create_account_alias()
        .account_alias("example-corp")
        .send()
        .await
        .unwrap();
    let (code, message) = code_message(
        iam.create_account_alias()
            .account_alias("-bad")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "ValidationError");
    assert!(
        message.contains("at 'accountAlias' failed to satisfy constraint"),
        "{message}"
    );
    first.kill();

    let second = Server::start_in(&data);
    let iam = second.iam();
    let aliases = iam.list_account_aliases().send().await.unwrap();
    assert_eq!(aliases.account_aliases(), ["example-corp"]);
    assert!(!aliases.is_truncated);
    let (code, _) = code_message(
        iam.delete_account_alias()
            .account_alias("other")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "NoSuchEntity");
    iam.delete_account_alias()
        .account_alias("example-corp")
        .send()
        .await
        .unwrap();
    let aliases = iam.list_account_aliases().send().await.unwrap();
    assert!(aliases.account_aliases().is_empty());
}

#[tokio::test]
async fn account_summary_has_aws_keys_and_real_counts() {
    let server = Server::start();
    let iam = server.iam();
    for name in ["a", "b", "c"] {
        iam.create_user().user_name(name).send().await.unwrap();
    }
    iam.create_group().group_name("g").send().await.unwrap();
    iam.create_policy()
        .policy_name("Mine")
        .policy_document(LIST_USERS)
        .send()
        .await
        .unwrap();
    let summary = iam
        .get_account_summary()
        .send()
        .await
        .unwrap()
        .summary_map
        .unwrap();
    let get = |key: SummaryKeyType| summary.get(&key).copied();
    assert_eq!(get(SummaryKeyType::Users), Some(3));
    assert_eq!(get(SummaryKeyType::Groups), Some(1));
    assert_eq!(get(SummaryKeyType::Policies), Some(1));
    assert_eq!(get(SummaryKeyType::Roles), Some(0));
    assert_eq!(get(SummaryKeyType::UsersQuota), Some(5000));
    assert_eq!(get(SummaryKeyType::PoliciesQuota), Some(1500));
    assert_eq!(get(SummaryKeyType::AccessKeysPerUserQuota), Some(2));
    assert_eq!(get(SummaryKeyType::AccountMfaEnabled), Some(0));
    // The root user signs with long-term keys in these tests.
    assert_eq!(get(SummaryKeyType::AccountAccessKeysPresent), Some(1));
    // Every key is one the SDK knows.
    let known = SummaryKeyType::values();
    assert!(
        summary.keys().all(|k| known.contains(&k.as_str())),
        "{summary:?}"
    );
    assert_eq!(summary.len(), 33);
}

#[tokio::test]
async fn authorization_details_paginate_with_documents() {
    let server = Server::start();
    let iam = server.iam();
    iam.create_user().user_name("ann").send().await.unwrap();
    iam.put_user_policy()
        .user_name("ann")
        .policy_name("own")
        .policy_document(LIST_USERS)
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("auditors")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("auditors")
        .user_name("ann")
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("auditors")
        .policy_arn(READ_ONLY)
        .send()
        .await
        .unwrap();

    let all = iam
        .get_account_authorization_details()
        .send()
        .await
        .unwrap();
    let ann = &all.user_detail_list()[0];
    assert_eq!(ann.user_name.as_deref(), Some("ann"));
    assert_eq!(ann.group_list(), ["auditors"]);
    let inline = &ann.user_policy_list()[0];
    assert_eq!(
        percent_decode(inline.policy_document.as_deref().unwrap()),
        LIST_USERS
    );
    let auditors = &all.group_detail_list()[0];
    assert_eq!(
        auditors.attached_managed_policies()[0]
            .policy_arn
            .as_deref(),
        Some(READ_ONLY)
    );
    let policies: Vec<&str> = all
        .policies()
        .iter()
        .filter_map(|p| p.policy_name.as_deref())
        .collect();
    assert_eq!(policies, ["IAMReadOnlyAccess"]);
    let versions = all.policies()[0].policy_version_list();
    assert_eq!(versions[0].version_id.as_deref(), Some("v4"));
    assert!(versions[0].is_default_version);

    let first = iam
        .get_account_authorization_details()
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert!(first.is_truncated);
    assert_eq!(first.user_detail_list().len(), 1);
    let rest = iam
        .get_account_authorization_details()
        .max_items(10)
        .marker(first.marker.unwrap())
        .send()
        .await
        .unwrap();
    assert!(!rest.is_truncated);
    assert!(rest.user_detail_list().is_empty());
    assert_eq!(rest.group_detail_list().len(), 1);
    assert_eq!(rest.policies().len(), 1);

    let groups_only = iam
        .get_account_authorization_details()
        .filter(EntityType::Group)
        .send()
        .await
        .unwrap();
    assert!(groups_only.user_detail_list().is_empty());
    assert!(groups_only.policies().is_empty());
    assert_eq!(groups_only.group_detail_list().len(), 1);
}
