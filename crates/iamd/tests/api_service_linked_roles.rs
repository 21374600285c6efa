//! Service-linked roles through the official AWS SDK for Rust against a real `iamd serve`:
//! created with AWS's name, path and trust, protected from ordinary changes, deleted through a
//! deletion task, and AWS's refusals; the role survives a restart still protected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{percent_decode, Server};

#[tokio::test]
async fn service_linked_roles_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = Server::start_in(&data);
    let iam = first.iam();
    let role = iam
        .create_service_linked_role()
        .aws_service_name("elasticloadbalancing.amazonaws.com")
        .description("load balancers")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(role.role_name, "AWSServiceRoleForElasticLoadBalancing");
    assert_eq!(
        role.path,
        "/aws-service-role/elasticloadbalancing.amazonaws.com/"
    );
    let trust = percent_decode(role.assume_role_policy_document().unwrap());
    assert!(
        trust.contains(r#""Service":"elasticloadbalancing.amazonaws.com""#),
        "{trust}"
    );
    let (code, message) = refused!(
        iam.create_service_linked_role()
            .aws_service_name("elasticloadbalancing.amazonaws.com")
            .custom_suffix("two")
            .send()
            .await
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "InvalidInput",
            "Custom suffix is not allowed for elasticloadbalancing.amazonaws.com"
        )
    );
    let (code, message) = refused!(
        iam.create_service_linked_role()
            .aws_service_name("elasticloadbalancing.amazonaws.com")
            .send()
            .await
    );
    assert_eq!(code, "InvalidInput");
    assert_eq!(
        message,
        "Service role name AWSServiceRoleForElasticLoadBalancing has been taken in this account, please try a different suffix."
    );
    let suffixed = iam
        .create_service_linked_role()
        .aws_service_name("autoscaling.amazonaws.com")
        .custom_suffix("web")
        .send()
        .await
        .unwrap();
    assert_eq!(
        suffixed.role.unwrap().role_name,
        "AWSServiceRoleForAutoScaling_web"
    );
    // The model's pattern for the service name.
    let (code, _) = refused!(
        iam.create_service_linked_role()
            .aws_service_name("a/b.amazonaws.com")
            .send()
            .await
    );
    assert_eq!(code, "ValidationError");
    first.kill();

    let second = Server::start_in(&data);
    let iam = second.iam();
    let name = "AWSServiceRoleForElasticLoadBalancing";
    let (code, message) = refused!(iam.delete_role().role_name(name).send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "UnmodifiableEntity",
            "Cannot perform the operation on the protected role 'AWSServiceRoleForElasticLoadBalancing' - this role is only modifiable by AWS"
        )
    );
    let (code, _) = refused!(
        iam.attach_role_policy()
            .role_name(name)
            .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
            .send()
            .await
    );
    assert_eq!(code, "UnmodifiableEntity");
    let (code, _) = refused!(
        iam.update_assume_role_policy()
            .role_name(name)
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#)
            .send()
            .await
    );
    assert_eq!(code, "UnmodifiableEntity");
    let task = iam
        .delete_service_linked_role()
        .role_name(name)
        .send()
        .await
        .unwrap()
        .deletion_task_id;
    assert!(task.starts_with(
        "task/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing/"
    ));
    let status = iam
        .get_service_linked_role_deletion_status()
        .deletion_task_id(&task)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status.as_str(), "SUCCEEDED");
    let (code, _) = refused!(iam.get_role().role_name(name).send().await);
    assert_eq!(code, "NoSuchEntity");
    let (code, _) = refused!(
        iam.get_service_linked_role_deletion_status()
            .deletion_task_id("not-a-task")
            .send()
            .await
    );
    assert_eq!(code, "InvalidInput");
    // A user without permission may not create one.
    let (key_id, secret) = second.user_with_key("bob").await;
    let bob = second.iam_as(&key_id, &secret);
    let (code, _) = refused!(
        bob.create_service_linked_role()
            .aws_service_name("ecs.amazonaws.com")
            .send()
            .await
    );
    assert_eq!(code, "AccessDenied");
}
