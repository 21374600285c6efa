//! Service-linked roles called as the server would: AWS's names, path, trust policy and
//! policies; custom suffixes; the deletion task; and the protection from ordinary changes.

use serde_json::json;

use super::policies::{fails, ok};
use crate::testing::account;

const ECS: &str = "ecs.amazonaws.com";

#[test]
fn create_names_and_places_the_role_as_aws() {
    let (acct, _) = account();
    let out = ok(
        &acct,
        "CreateServiceLinkedRole",
        json!({"AWSServiceName": ECS, "Description": "for ECS"}),
    );
    let role = &out["Role"];
    assert_eq!(role["RoleName"], "AWSServiceRoleForECS");
    assert_eq!(role["Path"], "/aws-service-role/ecs.amazonaws.com/");
    assert_eq!(
        role["Arn"],
        "arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
    );
    let trust: serde_json::Value = serde_json::from_str(
        &percent_encoding::percent_decode_str(role["AssumeRolePolicyDocument"].as_str().unwrap())
            .decode_utf8()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(trust["Statement"][0]["Principal"]["Service"], ECS);
    fails(
        &acct,
        "CreateServiceLinkedRole",
        json!({"AWSServiceName": ECS}),
        "InvalidInput",
        "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.",
    );
    fails(
        &acct,
        "CreateServiceLinkedRole",
        json!({"AWSServiceName": ECS, "CustomSuffix": "x"}),
        "InvalidInput",
        "Custom suffix is not allowed for ecs.amazonaws.com",
    );
    let suffixed = ok(
        &acct,
        "CreateServiceLinkedRole",
        json!({"AWSServiceName": "autoscaling.amazonaws.com", "CustomSuffix": "batch"}),
    );
    assert_eq!(
        suffixed["Role"]["RoleName"],
        "AWSServiceRoleForAutoScaling_batch"
    );
    fails(
        &acct,
        "CreateServiceLinkedRole",
        json!({"AWSServiceName": "autoscaling.amazonaws.com", "CustomSuffix": "x".repeat(40)}),
        "InvalidInput",
        &format!(
            "The role name AWSServiceRoleForAutoScaling_{} exceeds the 64-character limit of role names.",
            "x".repeat(40)
        ),
    );
    fails(
        &acct,
        "CreateServiceLinkedRole",
        json!({"AWSServiceName": "example.com"}),
        "InvalidInput",
        "example.com is not an AWS service principal: service-linked roles are for SERVICE.amazonaws.com principals.",
    );
    let listed = ok(
        &acct,
        "ListRoles",
        json!({"PathPrefix": "/aws-service-role/"}),
    );
    assert_eq!(listed["Roles"].as_array().unwrap().len(), 2);
}

#[test]
fn only_delete_service_linked_role_changes_it() {
    let (acct, _) = account();
    ok(
        &acct,
        "CreateServiceLinkedRole",
        json!({"AWSServiceName": ECS}),
    );
    let name = "AWSServiceRoleForECS";
    let protected = format!(
        "Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS"
    );
    let doc =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let readonly = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    ok(
        &acct,
        "CreateInstanceProfile",
        json!({"InstanceProfileName": "p"}),
    );
    for (action, input) in [
        ("DeleteRole", json!({"RoleName": name})),
        (
            "UpdateAssumeRolePolicy",
            json!({"RoleName": name, "PolicyDocument": trust}),
        ),
        (
            "PutRolePolicy",
            json!({"RoleName": name, "PolicyName": "p", "PolicyDocument": doc}),
        ),
        (
            "AttachRolePolicy",
            json!({"RoleName": name, "PolicyArn": readonly}),
        ),
        (
            "PutRolePermissionsBoundary",
            json!({"RoleName": name, "PermissionsBoundary": readonly}),
        ),
        ("DeleteRolePermissionsBoundary", json!({"RoleName": name})),
        (
            "AddRoleToInstanceProfile",
            json!({"RoleName": name, "InstanceProfileName": "p"}),
        ),
    ] {
        fails(&acct, action, input, "UnmodifiableEntity", &protected);
    }
    // Its description and tags stay the account's to change, as AWS documents.
    ok(
        &acct,
        "UpdateRoleDescription",
        json!({"RoleName": name, "Description": "mine"}),
    );
    ok(
        &acct,
        "TagRole",
        json!({"RoleName": name, "Tags": [{"Key": "k", "Value": "v"}]}),
    );

    ok(
        &acct,
        "CreateRole",
        json!({"RoleName": "plain", "AssumeRolePolicyDocument": trust}),
    );
    fails(
        &acct,
        "DeleteServiceLinkedRole",
        json!({"RoleName": "plain"}),
        "NoSuchEntity",
        "The role with name plain cannot be found.",
    );
    let out = ok(&acct, "DeleteServiceLinkedRole", json!({"RoleName": name}));
    let task = out["DeletionTaskId"].as_str().unwrap().to_string();
    assert!(
        task.starts_with("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/"),
        "{task}"
    );
    let status = ok(
        &acct,
        "GetServiceLinkedRoleDeletionStatus",
        json!({"DeletionTaskId": task}),
    );
    assert_eq!(status["Status"], "SUCCEEDED");
    fails(
        &acct,
        "GetRole",
        json!({"RoleName": name}),
        "NoSuchEntity",
        "The role with name AWSServiceRoleForECS cannot be found.",
    );
    let unknown = "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/00000000-0000-4000-8000-000000000000";
    fails(
        &acct,
        "GetServiceLinkedRoleDeletionStatus",
        json!({"DeletionTaskId": unknown}),
        "NoSuchEntity",
        &format!("The deletion task {unknown} cannot be found."),
    );
    fails(
        &acct,
        "GetServiceLinkedRoleDeletionStatus",
        json!({"DeletionTaskId": "nonsense"}),
        "InvalidInput",
        "Invalid deletion task id: expected task/aws-service-role/SERVICE/ROLE/UUID.",
    );
    // The name is free again.
    ok(
        &acct,
        "CreateServiceLinkedRole",
        json!({"AWSServiceName": ECS}),
    );
}
