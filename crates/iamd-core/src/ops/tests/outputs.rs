//! Operations no other unit test calls successfully: calling them here has
//! `crate::testing::call` check what they return against the AWS model's output shapes.

use serde_json::{json, Value};

use crate::account::Account;
use crate::testing::{account, call, root, user, ACCOUNT_ID};

fn ok(acct: &Account, service: &str, action: &str, input: Value) -> Value {
    call(acct, &root(), service, action, input).unwrap()
}

#[test]
fn user_tags_and_permissions_boundary() {
    let (acct, _) = account();
    ok(&acct, "iam", "CreateUser", json!({"UserName": "alice"}));
    let tags = json!([{"Key": "team", "Value": "ops"}, {"Key": "k", "Value": "v"}]);
    ok(
        &acct,
        "iam",
        "TagUser",
        json!({"UserName": "alice", "Tags": tags}),
    );
    let listed = ok(&acct, "iam", "ListUserTags", json!({"UserName": "alice"}));
    assert_eq!(listed["Tags"].as_array().unwrap().len(), 2);
    ok(
        &acct,
        "iam",
        "UntagUser",
        json!({"UserName": "alice", "TagKeys": ["team"]}),
    );
    let listed = ok(&acct, "iam", "ListUserTags", json!({"UserName": "alice"}));
    assert_eq!(listed["Tags"], json!([{"Key": "k", "Value": "v"}]));

    let boundary = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
    ok(
        &acct,
        "iam",
        "PutUserPermissionsBoundary",
        json!({"UserName": "alice", "PermissionsBoundary": boundary}),
    );
    let got = ok(&acct, "iam", "GetUser", json!({"UserName": "alice"}));
    assert_eq!(
        got["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"],
        boundary
    );
    assert_eq!(got["User"]["Tags"], json!([{"Key": "k", "Value": "v"}]));
    ok(
        &acct,
        "iam",
        "DeleteUserPermissionsBoundary",
        json!({"UserName": "alice"}),
    );
    let got = ok(&acct, "iam", "GetUser", json!({"UserName": "alice"}));
    assert!(got["User"].get("PermissionsBoundary").is_none(), "{got}");
}

#[test]
fn access_key_last_used_and_info() {
    let (acct, _) = account();
    ok(&acct, "iam", "CreateUser", json!({"UserName": "alice"}));
    let created = ok(
        &acct,
        "iam",
        "CreateAccessKey",
        json!({"UserName": "alice"}),
    );
    let id = created["AccessKey"]["AccessKeyId"].as_str().unwrap();
    let never = ok(
        &acct,
        "iam",
        "GetAccessKeyLastUsed",
        json!({"AccessKeyId": id}),
    );
    assert_eq!(
        never,
        json!({"UserName": "alice",
            "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}})
    );
    acct.record_key_use(id, "iam", "us-east-1");
    let used = ok(
        &acct,
        "iam",
        "GetAccessKeyLastUsed",
        json!({"AccessKeyId": id}),
    );
    assert_eq!(used["AccessKeyLastUsed"]["ServiceName"], "iam");
    assert!(used["AccessKeyLastUsed"]["LastUsedDate"].is_number());
    let info = ok(&acct, "sts", "GetAccessKeyInfo", json!({"AccessKeyId": id}));
    assert_eq!(info, json!({"Account": ACCOUNT_ID}));
}

#[test]
fn decode_authorization_message() {
    let (acct, _) = account();
    ok(&acct, "iam", "CreateUser", json!({"UserName": "bob"}));
    let bob = user(&acct, "bob", None);
    let denied = call(&acct, &bob, "iam", "ListUsers", json!({})).unwrap_err();
    let (_, encoded) = denied
        .message
        .split_once(" Encoded authorization failure message: ")
        .unwrap();
    let decoded = ok(
        &acct,
        "sts",
        "DecodeAuthorizationMessage",
        json!({"EncodedMessage": encoded}),
    );
    let message: Value = serde_json::from_str(decoded["DecodedMessage"].as_str().unwrap()).unwrap();
    assert_eq!(message["allowed"], false);
}
