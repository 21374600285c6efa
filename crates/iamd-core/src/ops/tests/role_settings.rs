//! Changes to existing roles: UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
//! permissions boundaries and tags.

use serde_json::json;

use super::policies::{allow, attach, create, fails, iam, ok, strings};
use super::roles::{create_role, ec2_trust, trust};
use crate::testing::{account, user};

#[test]
fn update_role_and_description() {
    let (acct, _) = account();
    create_role(&acct, "R", "/");
    ok(
        &acct,
        "UpdateRole",
        json!({"RoleName": "r", "MaxSessionDuration": 43200}),
    );
    let role = ok(&acct, "GetRole", json!({"RoleName": "R"}))["Role"].clone();
    assert_eq!(role["MaxSessionDuration"], 43200);
    assert!(role.get("Description").is_none());
    ok(
        &acct,
        "UpdateRole",
        json!({"RoleName": "R", "Description": "first"}),
    );
    let role = ok(&acct, "GetRole", json!({"RoleName": "R"}))["Role"].clone();
    assert_eq!(
        (&role["Description"], &role["MaxSessionDuration"]),
        (&json!("first"), &json!(43200))
    );
    let out = ok(
        &acct,
        "UpdateRoleDescription",
        json!({"RoleName": "R", "Description": "second"}),
    );
    assert_eq!(out["Role"]["Description"], "second");
    assert_eq!(out["Role"]["RoleName"], "R");
    fails(
        &acct,
        "UpdateRole",
        json!({"RoleName": "ghost", "Description": "x"}),
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
    );
}

#[test]
fn update_assume_role_policy_applies_create_rules() {
    let (acct, _) = account();
    create_role(&acct, "R", "/");
    ok(&acct, "CreateUser", json!({"UserName": "alice"}));
    let alice = "arn:aws:iam::111122223333:user/alice";
    let update = |doc: String| json!({"RoleName": "R", "PolicyDocument": doc});
    ok(
        &acct,
        "UpdateAssumeRolePolicy",
        update(trust(json!({"AWS": alice}))),
    );
    let role = ok(&acct, "GetRole", json!({"RoleName": "R"}))["Role"].clone();
    let text = role["AssumeRolePolicyDocument"].as_str().unwrap();
    assert!(text.contains("user%2Falice"), "{text}");
    let ghost = "arn:aws:iam::111122223333:user/ghost";
    fails(
        &acct,
        "UpdateAssumeRolePolicy",
        update(trust(json!({"AWS": ghost}))),
        "MalformedPolicyDocument",
        &format!("Invalid principal in policy: \"AWS\":\"{ghost}\""),
    );
    let e = iam(
        &acct,
        &crate::testing::root(),
        "UpdateAssumeRolePolicy",
        update(allow("sts:AssumeRole")),
    )
    .unwrap_err();
    assert_eq!(e.code, "MalformedPolicyDocument");
    // The failed updates changed nothing.
    let after = ok(&acct, "GetRole", json!({"RoleName": "R"}))["Role"].clone();
    assert_eq!(
        after["AssumeRolePolicyDocument"],
        role["AssumeRolePolicyDocument"]
    );
}

#[test]
fn role_permissions_boundary() {
    let (acct, _) = account();
    create_role(&acct, "R", "/");
    let arn = create(&acct, "Boundary", "/", &allow("s3:*"));
    let missing = "arn:aws:iam::111122223333:policy/Nope";
    fails(
        &acct,
        "PutRolePermissionsBoundary",
        json!({"RoleName": "R", "PermissionsBoundary": missing}),
        "NoSuchEntity",
        &format!("Policy {missing} does not exist or is not attachable."),
    );
    ok(
        &acct,
        "PutRolePermissionsBoundary",
        json!({"RoleName": "R", "PermissionsBoundary": arn}),
    );
    let role = ok(&acct, "GetRole", json!({"RoleName": "R"}))["Role"].clone();
    assert_eq!(
        role["PermissionsBoundary"],
        json!({"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn})
    );
    let policy = ok(&acct, "GetPolicy", json!({"PolicyArn": arn}));
    assert_eq!(policy["Policy"]["PermissionsBoundaryUsageCount"], 1);
    let bounded = json!({"PolicyArn": arn, "PolicyUsageFilter": "PermissionsBoundary"});
    let entities = ok(&acct, "ListEntitiesForPolicy", bounded);
    assert_eq!(strings(&entities, "PolicyRoles", "RoleName"), ["R"]);
    fails(
        &acct,
        "DeletePolicy",
        json!({"PolicyArn": arn}),
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
    );
    ok(
        &acct,
        "DeleteRolePermissionsBoundary",
        json!({"RoleName": "R"}),
    );
    let role = ok(&acct, "GetRole", json!({"RoleName": "R"}))["Role"].clone();
    assert!(role.get("PermissionsBoundary").is_none());
    // CreateRole can set the boundary too.
    let out = ok(
        &acct,
        "CreateRole",
        json!({"RoleName": "B", "AssumeRolePolicyDocument": ec2_trust(), "PermissionsBoundary": arn}),
    );
    assert_eq!(
        out["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"],
        arn
    );
}

#[test]
fn role_tags() {
    let (acct, _) = account();
    create_role(&acct, "R", "/");
    let tags = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect::<Vec<_>>()
    };
    ok(
        &acct,
        "TagRole",
        json!({"RoleName": "R", "Tags": tags(&[("a", "1"), ("b", "2")])}),
    );
    ok(
        &acct,
        "TagRole",
        json!({"RoleName": "r", "Tags": tags(&[("a", "3")])}),
    );
    let listed = ok(&acct, "ListRoleTags", json!({"RoleName": "R"}));
    assert_eq!(listed["Tags"], json!(tags(&[("a", "3"), ("b", "2")])));
    let page = ok(
        &acct,
        "ListRoleTags",
        json!({"RoleName": "R", "MaxItems": 1}),
    );
    assert_eq!(page["IsTruncated"], true);
    ok(
        &acct,
        "UntagRole",
        json!({"RoleName": "R", "TagKeys": ["a", "absent"]}),
    );
    let listed = ok(&acct, "ListRoleTags", json!({"RoleName": "R"}));
    assert_eq!(listed["Tags"], json!(tags(&[("b", "2")])));
    let many: Vec<_> = (0..50)
        .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
        .collect();
    fails(
        &acct,
        "TagRole",
        json!({"RoleName": "R", "Tags": many}),
        "LimitExceeded",
        "The number of tags has reached the maximum limit.",
    );
    fails(
        &acct,
        "ListRoleTags",
        json!({"RoleName": "ghost"}),
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
    );
}

#[test]
fn role_tagging_is_authorized_with_request_tags() {
    let (acct, _) = account();
    create_role(&acct, "R", "/");
    ok(&acct, "CreateUser", json!({"UserName": "dev"}));
    let only_team = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:TagRole",
        "Resource": "arn:aws:iam::111122223333:role/R",
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}
    }]});
    let arn = create(&acct, "OnlyTeam", "/", &only_team.to_string());
    attach("User", &acct, "dev", &arn);
    let dev = user(&acct, "dev", None);
    let tag = |key: &str| json!({"RoleName": "R", "Tags": [{"Key": key, "Value": "x"}]});
    iam(&acct, &dev, "TagRole", tag("team")).unwrap();
    let e = iam(&acct, &dev, "TagRole", tag("owner")).unwrap_err();
    assert!(
        e.message
            .contains("iam:TagRole on resource: arn:aws:iam::111122223333:role/R"),
        "{}",
        e.message
    );
    let e = iam(&acct, &dev, "UpdateRole", json!({"RoleName": "R"})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
}
