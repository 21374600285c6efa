#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value};

use super::*;
use crate::model::Service;

fn iam() -> &'static ServiceModel {
    ServiceModel::get(Service::Iam)
}

fn user(name: &str) -> Value {
    json!({
        "UserName": name,
        "Path": "/",
        "UserId": "AIDAEXAMPLE",
        "Arn": format!("arn:aws:iam::123456789012:user/{name}"),
        "CreateDate": "2026-11-23T08:44:41Z"
    })
}

fn none() -> Vec<String> {
    Vec::new()
}

#[test]
fn a_result_matching_the_model_has_no_problems() {
    assert_eq!(
        check_output(iam(), "GetUser", &json!({"User": user("a")})),
        none()
    );
    assert_eq!(
        check_output(
            iam(),
            "ListUsers",
            &json!({"Users": [user("a"), user("b")], "IsTruncated": true, "Marker": "m"})
        ),
        none()
    );
    // Timestamps as Unix seconds; blobs as base64; maps of integers; enums.
    assert_eq!(
        check_output(
            iam(),
            "CreateAccessKey",
            &json!({"AccessKey": {"UserName": "a", "AccessKeyId": "AKIA", "Status": "Active",
                "SecretAccessKey": "s", "CreateDate": 1_795_423_481}})
        ),
        none()
    );
    assert_eq!(
        check_output(
            iam(),
            "CreateVirtualMFADevice",
            &json!({"VirtualMFADevice": {"SerialNumber": "arn:aws:iam::1:mfa/a",
                "QRCodePNG": "iVBORw0KGgo=", "Base32StringSeed": "SlJH"}})
        ),
        none()
    );
    assert_eq!(
        check_output(
            iam(),
            "GetAccountSummary",
            &json!({"SummaryMap": {"Users": 3, "Groups": 0}})
        ),
        none()
    );
    // No output: an empty object or null.
    assert_eq!(check_output(iam(), "DeleteUser", &json!({})), none());
    assert_eq!(check_output(iam(), "DeleteUser", &Value::Null), none());
}

#[test]
fn members_the_model_lacks_are_reported() {
    let mut u = user("a");
    u["Nickname"] = json!("x");
    assert_eq!(
        check_output(iam(), "GetUser", &json!({"User": u, "Extra": 1})),
        ["User.Nickname: not in the model", "Extra: not in the model"]
    );
    assert_eq!(
        check_output(iam(), "DeleteUser", &json!({"Deleted": true})),
        ["Deleted: DeleteUser has no output"]
    );
    assert_eq!(
        check_output(iam(), "Nope", &json!({})),
        ["the model has no operation Nope"]
    );
}

#[test]
fn wrong_json_types_are_reported_even_where_the_encoder_would_coerce() {
    // The encoder writes "true", 3 and "3" as text; the check wants the JSON type.
    assert_eq!(
        check_output(
            iam(),
            "ListUsers",
            &json!({"Users": [], "IsTruncated": "true", "Marker": 3})
        ),
        [
            "IsTruncated: expected a boolean, got a string",
            "Marker: expected a string, got an integer"
        ]
    );
    assert_eq!(
        check_output(
            iam(),
            "GetAccountSummary",
            &json!({"SummaryMap": {"Users": "3", "Groups": 1.5}})
        ),
        [
            "SummaryMap.Groups: expected an integer, got a number",
            "SummaryMap.Users: expected an integer, got a string"
        ]
    );
    let mut u = user("a");
    u["CreateDate"] = json!("yesterday");
    u["PasswordLastUsed"] = json!(true);
    u["Tags"] = json!({"Key": "k"});
    assert_eq!(
        check_output(iam(), "GetUser", &json!({"User": u})),
        [
            "User.CreateDate: \"yesterday\" is not a valid timestamp",
            "User.PasswordLastUsed: expected a timestamp (ISO 8601 text or Unix seconds as a \
             number), got a boolean",
            "User.Tags: expected an array, got an object"
        ]
    );
    assert_eq!(
        check_output(iam(), "GetUser", &json!({"User": [user("a")]})),
        ["User: expected an object, got an array"]
    );
    assert_eq!(
        check_output(iam(), "GetUser", &json!([])),
        ["result: expected an object, got an array"]
    );
    assert_eq!(
        check_output(
            iam(),
            "CreateVirtualMFADevice",
            &json!({"VirtualMFADevice": {"SerialNumber": "s", "QRCodePNG": [1, 2],
                "Base32StringSeed": "not base64!"}})
        ),
        [
            "VirtualMFADevice.Base32StringSeed: not base64 text",
            "VirtualMFADevice.QRCodePNG: expected a string (base64), got an array"
        ]
    );
}

#[test]
fn enum_values_the_model_does_not_list_are_reported() {
    assert_eq!(
        check_output(
            iam(),
            "CreateAccessKey",
            &json!({"AccessKey": {"UserName": "a", "AccessKeyId": "AKIA", "Status": "active",
                "SecretAccessKey": "s"}})
        ),
        ["AccessKey.Status: \"active\" is not one of Active, Inactive, Expired (statusType)"]
    );
    // What AWS is known to send outside the enum passes.
    let matched = |kind: &str| {
        json!({"EvaluationResults": [{"EvalActionName": "s3:GetObject",
            "EvalDecision": "allowed",
            "MatchedStatements": [{"SourcePolicyId": "p", "SourcePolicyType": kind}]}],
            "IsTruncated": false})
    };
    assert_eq!(
        check_output(iam(), "SimulateCustomPolicy", &matched("IAM Policy")),
        none()
    );
    assert_eq!(
        check_output(iam(), "SimulateCustomPolicy", &matched("Resource Policy")),
        none()
    );
    assert_eq!(
        check_output(iam(), "SimulateCustomPolicy", &matched("IAM policy")).len(),
        1
    );
    let problems = check_output(
        iam(),
        "GetAccountSummary",
        &json!({"SummaryMap": {"Usres": 3}}),
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("SummaryMap.Usres: \"Usres\" is not one of Users, "),
        "{problems:?}"
    );
}

#[test]
fn missing_required_members_are_reported() {
    let mut u = user("a");
    u.as_object_mut().unwrap().remove("Arn");
    u["CreateDate"] = Value::Null;
    assert_eq!(
        check_output(iam(), "GetUser", &json!({"User": u})),
        [
            "User.Arn: required but missing",
            "User.CreateDate: required but missing"
        ]
    );
    assert_eq!(
        check_output(iam(), "ListUsers", &json!({"IsTruncated": false})),
        ["Users: required but missing"]
    );
    assert_eq!(
        check_output(iam(), "GetUser", &Value::Null),
        ["User: required but missing"]
    );
    // In list items too.
    assert_eq!(
        check_output(
            iam(),
            "ListUsers",
            &json!({"Users": [user("a"), {"UserName": "b"}]})
        ),
        [
            "Users[1].Path: required but missing",
            "Users[1].UserId: required but missing",
            "Users[1].Arn: required but missing",
            "Users[1].CreateDate: required but missing"
        ]
    );
}

#[test]
fn null_list_items_and_map_values_are_reported() {
    assert_eq!(
        check_output(iam(), "ListUsers", &json!({"Users": [null, user("a")]})),
        ["Users[0]: null list item"]
    );
    assert_eq!(
        check_output(
            iam(),
            "GetAccountSummary",
            &json!({"SummaryMap": {"Users": null}})
        ),
        ["SummaryMap.Users: null map value"]
    );
}

#[test]
fn sts_results_are_checked_too() {
    let sts = ServiceModel::get(Service::Sts);
    assert_eq!(
        check_output(
            sts,
            "GetCallerIdentity",
            &json!({"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/a",
                "UserId": "AIDA"})
        ),
        none()
    );
    assert_eq!(
        check_output(
            sts,
            "GetSessionToken",
            &json!({"Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s",
                "SessionToken": "t"}})
        ),
        ["Credentials.Expiration: required but missing"]
    );
}

#[test]
fn base64() {
    for ok in ["", "QQ==", "QUI=", "QUJD", "a+/9"] {
        assert!(is_base64(ok), "{ok}");
    }
    for bad in ["Q", "QQ=", "Q===", "QU=I", "QU I", "QUJ-"] {
        assert!(!is_base64(bad), "{bad}");
    }
}
