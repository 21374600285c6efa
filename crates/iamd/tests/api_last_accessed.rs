//! Last-accessed data through the official AWS SDK for Rust against a real `iamd serve`: a
//! user's and a role session's calls to IAM and STS show in the reports, the policies granting
//! a service are listed, STS preferences reach the account summary, and bad input is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use aws_sdk_iam::types::{AccessAdvisorUsageGranularityType, JobStatusType, SummaryKeyType};
use support::Server;

const READ_IAM: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","sts:GetCallerIdentity","sts:AssumeRole"],"Resource":"*"}]}"#;

#[tokio::test]
async fn last_accessed_from_recorded_calls() {
    let server = Server::start();
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key("carol").await;
    iam.put_user_policy()
        .user_name("carol")
        .policy_name("read")
        .policy_document(READ_IAM)
        .send()
        .await
        .unwrap();
    let carol_arn = "arn:aws:iam::123456789012:user/carol";
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{carol_arn}"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    iam.create_role()
        .role_name("Reader")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("Reader")
        .policy_name("read")
        .policy_document(READ_IAM)
        .send()
        .await
        .unwrap();
    let carol = server.iam_as(&key_id, &secret);
    carol.get_user().send().await.unwrap();
    let sts = server.sts_as(&key_id, &secret);
    let creds = sts
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/Reader")
        .role_session_name("s1")
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    server
        .iam_session(&creds)
        .list_roles()
        .send()
        .await
        .unwrap();

    let job = iam
        .generate_service_last_accessed_details()
        .arn(carol_arn)
        .granularity(AccessAdvisorUsageGranularityType::ActionLevel)
        .send()
        .await
        .unwrap()
        .job_id
        .unwrap();
    let details = iam
        .get_service_last_accessed_details()
        .job_id(&job)
        .send()
        .await
        .unwrap();
    assert_eq!(details.job_status, JobStatusType::Completed);
    let services = details.services_last_accessed();
    let namespaces: Vec<&str> = services.iter().map(|s| s.service_namespace()).collect();
    assert_eq!(namespaces, ["iam", "sts"]);
    assert_eq!(services[0].last_authenticated_entity(), Some(carol_arn));
    assert_eq!(services[1].last_authenticated_entity(), Some(carol_arn));
    let tracked = services[0].tracked_actions_last_accessed();
    let get_user = tracked
        .iter()
        .find(|a| a.action_name() == Some("GetUser"))
        .unwrap();
    assert_eq!(get_user.last_accessed_entity(), Some(carol_arn));

    // The role's report: its session's ListRoles.
    let role_job = iam
        .generate_service_last_accessed_details()
        .arn("arn:aws:iam::123456789012:role/Reader")
        .send()
        .await
        .unwrap()
        .job_id
        .unwrap();
    let entities = iam
        .get_service_last_accessed_details_with_entities()
        .job_id(&role_job)
        .service_namespace("iam")
        .send()
        .await
        .unwrap();
    let list = entities.entity_details_list();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].entity_info().unwrap().name(), "Reader");
    assert!(list[0].last_authenticated().is_some());

    let granting = iam
        .list_policies_granting_service_access()
        .arn(carol_arn)
        .service_namespaces("iam")
        .service_namespaces("s3")
        .send()
        .await
        .unwrap();
    let entries = granting.policies_granting_service_access();
    assert_eq!(entries[0].policies()[0].policy_name(), "read");
    assert!(entries[1].policies().is_empty());

    iam.set_security_token_service_preferences()
        .global_endpoint_token_version(aws_sdk_iam::types::GlobalEndpointTokenVersion::V2Token)
        .send()
        .await
        .unwrap();
    let summary = iam.get_account_summary().send().await.unwrap();
    assert_eq!(
        summary.summary_map().unwrap()[&SummaryKeyType::GlobalEndpointTokenVersion],
        2
    );
}

#[tokio::test]
async fn last_accessed_bad_input() {
    let server = Server::start();
    let iam = server.iam();
    let (code, _) = refused!(
        iam.generate_service_last_accessed_details()
            .arn("arn:aws:iam::123456789012:user/nobody")
            .send()
            .await
    );
    assert_eq!(code, "NoSuchEntity");
    let (code, _) = refused!(
        iam.generate_service_last_accessed_details()
            .arn("not-an-arn")
            .send()
            .await
    );
    assert_eq!(code, "ValidationError");
    let (code, _) = refused!(
        iam.get_service_last_accessed_details()
            .job_id("short")
            .send()
            .await
    );
    assert_eq!(code, "ValidationError");
    let (code, _) = refused!(
        iam.get_service_last_accessed_details()
            .job_id("00000000-0000-4000-8000-000000000000")
            .send()
            .await
    );
    assert_eq!(code, "NoSuchEntity");
    let (key_id, secret) = server.user_with_key("dave").await;
    let dave = server.iam_as(&key_id, &secret);
    let (code, _) = refused!(
        dave.generate_service_last_accessed_details()
            .arn("arn:aws:iam::123456789012:user/dave")
            .send()
            .await
    );
    assert_eq!(code, "AccessDenied");
    let (code, _) = refused!(
        dave.set_security_token_service_preferences()
            .global_endpoint_token_version(aws_sdk_iam::types::GlobalEndpointTokenVersion::V2Token)
            .send()
            .await
    );
    assert_eq!(code, "AccessDenied");
}
