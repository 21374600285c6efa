//! Customer managed policies, versions, tags and attachments, called as the server would; and
//! their effect on authorization: the force-MFA seed policy, new default versions and
//! permissions boundaries take effect immediately.

use serde_json::{json, Value};

use crate::account::Account;
use crate::authz::{Caller, MfaInfo};
use crate::error::IamError;
use crate::testing::{account, call, root, user};

const SEED_FORCE_MFA: &str =
    include_str!("../../../../../fixtures/policies/seed002-force-mfa-blog-ja.json");
const ADMIN: &str = include_str!("../../../../../fixtures/policies/administrator-access.json");

pub(super) fn iam(
    acct: &Account,
    caller: &Caller,
    action: &str,
    input: Value,
) -> Result<Value, IamError> {
    call(acct, caller, "iam", action, input)
}

/// Calls as root and expects success.
pub(super) fn ok(acct: &Account, action: &str, input: Value) -> Value {
    iam(acct, &root(), action, input).unwrap()
}

/// Calls as root and expects an error with `code` and `message`.
pub(super) fn fails(acct: &Account, action: &str, input: Value, code: &str, message: &str) {
    let e = iam(acct, &root(), action, input).unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (code, message), "{action}");
}

pub(super) fn strings(list: &Value, member: &str, field: &str) -> Vec<String> {
    list[member]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap().to_string())
        .collect()
}

pub(super) fn allow(action: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": "*"}
    ]})
    .to_string()
}

/// Attaches `arn` to user or group (`kind`) `name`, as root.
pub(super) fn attach(kind: &str, acct: &Account, name: &str, arn: &str) {
    let input = json!({format!("{kind}Name"): name, "PolicyArn": arn});
    ok(acct, &format!("Attach{kind}Policy"), input);
}

/// Sets user `name`'s permissions boundary, as root.
fn put_boundary(acct: &Account, name: &str, arn: &str) {
    let input = json!({"UserName": name, "PermissionsBoundary": arn});
    ok(acct, "PutUserPermissionsBoundary", input);
}

/// Creates policy `name` at `path` and returns its ARN.
pub(super) fn create(acct: &Account, name: &str, path: &str, document: &str) -> String {
    let out = ok(
        acct,
        "CreatePolicy",
        json!({"PolicyName": name, "Path": path, "PolicyDocument": document}),
    );
    out["Policy"]["Arn"].as_str().unwrap().to_string()
}

pub(super) fn policy_arn(name: &str) -> String {
    format!("arn:aws:iam::111122223333:policy/{name}")
}

#[test]
fn policy_lifecycle_and_errors() {
    let (acct, _) = account();
    let out = ok(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "Readers", "Path": "/team/", "PolicyDocument": allow("iam:Get*"), "Description": "read only", "Tags": [{"Key": "env", "Value": "dev"}]}),
    );
    let p = &out["Policy"];
    let arn = "arn:aws:iam::111122223333:policy/team/Readers";
    assert_eq!(p["Arn"], arn);
    assert!(p["PolicyId"].as_str().unwrap().starts_with("ANPA"));
    assert_eq!(
        (
            &p["DefaultVersionId"],
            &p["AttachmentCount"],
            &p["IsAttachable"]
        ),
        (&json!("v1"), &json!(0), &json!(true))
    );
    assert_eq!(p["PermissionsBoundaryUsageCount"], 0);
    assert!(p["CreateDate"].is_i64() && p["UpdateDate"] == p["CreateDate"]);
    fails(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "READERS", "PolicyDocument": allow("*")}),
        "EntityAlreadyExists",
        "A policy called READERS already exists. Duplicate names are not allowed.",
    );
    let got = ok(&acct, "GetPolicy", json!({"PolicyArn": arn}));
    assert_eq!(got["Policy"]["Description"], "read only");
    assert_eq!(
        got["Policy"]["Tags"],
        json!([{"Key": "env", "Value": "dev"}])
    );
    let missing = policy_arn("Nope");
    fails(
        &acct,
        "GetPolicy",
        json!({"PolicyArn": missing}),
        "NoSuchEntity",
        &format!("Policy {missing} was not found."),
    );
    fails(
        &acct,
        "GetPolicy",
        json!({"PolicyArn": "arn:aws:iam::111122223333:user/x"}),
        "InvalidInput",
        "ARN arn:aws:iam::111122223333:user/x is not valid.",
    );
    let e = iam(
        &acct,
        &root(),
        "CreatePolicy",
        json!({"PolicyName": "Bad", "PolicyDocument": "{not json"}),
    )
    .unwrap_err();
    assert_eq!(e.code, "MalformedPolicyDocument");
    ok(&acct, "DeletePolicy", json!({"PolicyArn": arn}));
    fails(
        &acct,
        "DeletePolicy",
        json!({"PolicyArn": arn}),
        "NoSuchEntity",
        &format!("Policy {arn} was not found."),
    );
}

/// A valid document of exactly `n` non-whitespace characters (plus some whitespace).
pub(super) fn document_of_size(n: usize) -> String {
    let head = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/"#;
    let tail = r#""}]}"#;
    let filler = "a".repeat(n - head.len() - tail.len());
    let compact = format!("{head}{filler}{tail}");
    compact.replacen(",", ",\n    ", 3)
}

#[test]
fn policy_size_quota_excludes_whitespace() {
    let (acct, _) = account();
    create(&acct, "Max", "/", &document_of_size(6144));
    fails(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "Over", "PolicyDocument": document_of_size(6145)}),
        "LimitExceeded",
        "Cannot exceed quota for PolicySize: 6144",
    );
    fails(
        &acct,
        "CreatePolicyVersion",
        json!({"PolicyArn": policy_arn("Max"), "PolicyDocument": document_of_size(6145)}),
        "LimitExceeded",
        "Cannot exceed quota for PolicySize: 6144",
    );
}

#[test]
fn policies_per_account_quota_is_1500() {
    let (acct, _) = account();
    for i in 0..1500 {
        create(&acct, &format!("p{i}"), "/", &allow("iam:GetUser"));
    }
    fails(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "one-more", "PolicyDocument": allow("*")}),
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerAccount: 1500",
    );
}

#[test]
fn list_policies_filters_and_paginates() {
    let (acct, _) = account();
    for (name, path) in [("a", "/"), ("b", "/ops/"), ("c", "/ops/"), ("d", "/dev/")] {
        create(&acct, name, path, &allow("iam:List*"));
    }
    ok(&acct, "CreateUser", json!({"UserName": "u"}));
    let arn_c = "arn:aws:iam::111122223333:policy/ops/c";
    let arn_d = "arn:aws:iam::111122223333:policy/dev/d";
    attach("User", &acct, "u", arn_c);
    put_boundary(&acct, "u", arn_d);
    let names = |input: Value| strings(&ok(&acct, "ListPolicies", input), "Policies", "PolicyName");
    // In ARN order; the account's own policies first, then the AWS managed ones.
    assert_eq!(names(json!({"Scope": "Local"})), ["a", "d", "b", "c"]);
    let all = names(json!({"MaxItems": 1000}));
    assert_eq!(all[..4], ["a", "d", "b", "c"]);
    assert_eq!(all.len(), 1000);
    assert_eq!(all[4], names(json!({"Scope": "AWS", "MaxItems": 1}))[0]);
    assert_eq!(names(json!({"PathPrefix": "/ops/"})), ["b", "c"]);
    assert_eq!(names(json!({"OnlyAttached": true})), ["d", "c"]);
    assert_eq!(
        names(json!({"OnlyAttached": true, "PolicyUsageFilter": "PermissionsPolicy"})),
        ["c"]
    );
    assert_eq!(
        names(json!({"PolicyUsageFilter": "PermissionsBoundary"})),
        ["d"]
    );
    let listed = ok(&acct, "ListPolicies", json!({"PathPrefix": "/ops/"}));
    let c = &listed["Policies"][1];
    assert_eq!(
        (&c["AttachmentCount"], &c["IsAttachable"]),
        (&json!(1), &json!(true))
    );
    assert!(c.get("Tags").is_none() && c.get("Description").is_none());
    let d = ok(&acct, "GetPolicy", json!({"PolicyArn": arn_d}));
    assert_eq!(d["Policy"]["PermissionsBoundaryUsageCount"], 1);
    assert_eq!(d["Policy"]["AttachmentCount"], 0);

    let first = ok(
        &acct,
        "ListPolicies",
        json!({"MaxItems": 3, "Scope": "Local"}),
    );
    assert_eq!(
        (
            first["Policies"].as_array().unwrap().len(),
            &first["IsTruncated"]
        ),
        (3, &json!(true))
    );
    let rest = ok(
        &acct,
        "ListPolicies",
        json!({"MaxItems": 3, "Scope": "Local", "Marker": first["Marker"]}),
    );
    assert_eq!(strings(&rest, "Policies", "PolicyName"), ["c"]);
    assert_eq!(rest["IsTruncated"], false);
    assert!(rest.get("Marker").is_none());
}

#[test]
fn policy_versions() {
    let (acct, clock) = account();
    let arn = create(&acct, "P", "/", &allow("iam:GetUser"));
    let created = ok(&acct, "GetPolicy", json!({"PolicyArn": arn}))["Policy"]["CreateDate"].clone();
    clock.advance(std::time::Duration::from_secs(60));
    let v2 = ok(
        &acct,
        "CreatePolicyVersion",
        json!({"PolicyArn": arn, "PolicyDocument": allow("iam:ListUsers")}),
    );
    assert_eq!(v2["PolicyVersion"]["VersionId"], "v2");
    assert_eq!(v2["PolicyVersion"]["IsDefaultVersion"], false);
    assert!(v2["PolicyVersion"].get("Document").is_none());
    let policy = ok(&acct, "GetPolicy", json!({"PolicyArn": arn}));
    assert_eq!(policy["Policy"]["DefaultVersionId"], "v1");
    assert_eq!(policy["Policy"]["CreateDate"], created);
    assert_eq!(
        policy["Policy"]["UpdateDate"],
        created.as_i64().unwrap() + 60
    );
    for n in 3..=5 {
        let out = ok(
            &acct,
            "CreatePolicyVersion",
            json!({"PolicyArn": arn, "PolicyDocument": allow("iam:ListGroups"), "SetAsDefault": true}),
        );
        assert_eq!(out["PolicyVersion"]["VersionId"], format!("v{n}"));
        assert_eq!(out["PolicyVersion"]["IsDefaultVersion"], true);
    }
    fails(
        &acct,
        "CreatePolicyVersion",
        json!({"PolicyArn": arn, "PolicyDocument": allow("*")}),
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    );
    // GetPolicyVersion returns the document URL-encoded (RFC 3986), as AWS does.
    let v1 = ok(
        &acct,
        "GetPolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v1"}),
    );
    let encoded = v1["PolicyVersion"]["Document"].as_str().unwrap();
    assert!(
        encoded.starts_with("%7B%22Statement%22%3A%5B%7B%22Action%22%3A%22iam%3AGetUser%22%2C")
            && encoded.contains("%2A"),
        "{encoded}"
    );
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .unwrap();
    assert_eq!(decoded, allow("iam:GetUser"));
    assert_eq!(v1["PolicyVersion"]["IsDefaultVersion"], false);
    fails(
        &acct,
        "GetPolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v9"}),
        "NoSuchEntity",
        &format!("Policy {arn} version v9 does not exist or is not attachable."),
    );
    // Newest first, paginated, without documents.
    let page = ok(
        &acct,
        "ListPolicyVersions",
        json!({"PolicyArn": arn, "MaxItems": 2}),
    );
    assert_eq!(strings(&page, "Versions", "VersionId"), ["v5", "v4"]);
    assert_eq!(page["Versions"][0]["IsDefaultVersion"], true);
    assert!(page["Versions"][0].get("Document").is_none());
    let rest = ok(
        &acct,
        "ListPolicyVersions",
        json!({"PolicyArn": arn, "Marker": page["Marker"]}),
    );
    assert_eq!(strings(&rest, "Versions", "VersionId"), ["v3", "v2", "v1"]);

    fails(
        &acct,
        "DeletePolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v5"}),
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
    );
    fails(
        &acct,
        "SetDefaultPolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v7"}),
        "NoSuchEntity",
        &format!("Policy {arn} version v7 does not exist or is not attachable."),
    );
    ok(
        &acct,
        "SetDefaultPolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v2"}),
    );
    ok(
        &acct,
        "DeletePolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v5"}),
    );
    fails(
        &acct,
        "DeletePolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v5"}),
        "NoSuchEntity",
        &format!("Policy {arn} version v5 does not exist or is not attachable."),
    );
    // Ids are never reused.
    let v6 = ok(
        &acct,
        "CreatePolicyVersion",
        json!({"PolicyArn": arn, "PolicyDocument": allow("*")}),
    );
    assert_eq!(v6["PolicyVersion"]["VersionId"], "v6");
    fails(
        &acct,
        "DeletePolicy",
        json!({"PolicyArn": arn}),
        "DeleteConflict",
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    for v in ["v1", "v3", "v4", "v6"] {
        ok(
            &acct,
            "DeletePolicyVersion",
            json!({"PolicyArn": arn, "VersionId": v}),
        );
    }
    ok(&acct, "DeletePolicy", json!({"PolicyArn": arn}));
}

#[test]
fn policy_tags() {
    let (acct, _) = account();
    let arn = create(&acct, "T", "/", &allow("*"));
    let tags: Vec<Value> = (0..5)
        .map(|i| json!({"Key": format!("k{i}"), "Value": format!("v{i}")}))
        .collect();
    ok(&acct, "TagPolicy", json!({"PolicyArn": arn, "Tags": tags}));
    ok(
        &acct,
        "TagPolicy",
        json!({"PolicyArn": arn, "Tags": [{"Key": "k0", "Value": "new"}]}),
    );
    ok(
        &acct,
        "UntagPolicy",
        json!({"PolicyArn": arn, "TagKeys": ["k1"]}),
    );
    let page = ok(
        &acct,
        "ListPolicyTags",
        json!({"PolicyArn": arn, "MaxItems": 3}),
    );
    assert_eq!(strings(&page, "Tags", "Value"), ["new", "v2", "v3"]);
    assert_eq!(page["IsTruncated"], true);
    let rest = ok(
        &acct,
        "ListPolicyTags",
        json!({"PolicyArn": arn, "Marker": page["Marker"]}),
    );
    assert_eq!(strings(&rest, "Tags", "Key"), ["k4"]);
    let many: Vec<Value> = (0..50)
        .map(|i| json!({"Key": format!("m{i}"), "Value": "x"}))
        .collect();
    fails(
        &acct,
        "TagPolicy",
        json!({"PolicyArn": arn, "Tags": many}),
        "LimitExceeded",
        "The number of tags has reached the maximum limit.",
    );
    let missing = policy_arn("Gone");
    fails(
        &acct,
        "ListPolicyTags",
        json!({"PolicyArn": missing}),
        "NoSuchEntity",
        &format!("Policy {missing} was not found."),
    );
}

#[test]
fn user_attachments() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "alice"}));
    let arns: Vec<String> = (0..11)
        .map(|i| {
            create(
                &acct,
                &format!("p{i}"),
                if i % 2 == 0 { "/even/" } else { "/" },
                &allow("*"),
            )
        })
        .collect();
    for arn in &arns[..10] {
        attach("User", &acct, "alice", arn);
    }
    // Attaching again is a no-op, even at the quota.
    attach("User", &acct, "alice", &arns[0]);
    fails(
        &acct,
        "AttachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": arns[10]}),
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerUser: 10",
    );
    let missing = policy_arn("Nope");
    fails(
        &acct,
        "AttachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": missing}),
        "NoSuchEntity",
        &format!("Policy {missing} does not exist or is not attachable."),
    );
    fails(
        &acct,
        "AttachUserPolicy",
        json!({"UserName": "bob", "PolicyArn": arns[0]}),
        "NoSuchEntity",
        "The user with name bob cannot be found.",
    );
    let page = ok(
        &acct,
        "ListAttachedUserPolicies",
        json!({"UserName": "alice", "MaxItems": 4}),
    );
    assert_eq!(
        strings(&page, "AttachedPolicies", "PolicyName"),
        ["p0", "p1", "p2", "p3"]
    );
    assert_eq!(page["AttachedPolicies"][1]["PolicyArn"], arns[1]);
    let rest = ok(
        &acct,
        "ListAttachedUserPolicies",
        json!({"UserName": "alice", "Marker": page["Marker"]}),
    );
    assert_eq!(rest["AttachedPolicies"].as_array().unwrap().len(), 6);
    let even = ok(
        &acct,
        "ListAttachedUserPolicies",
        json!({"UserName": "alice", "PathPrefix": "/even/"}),
    );
    assert_eq!(
        strings(&even, "AttachedPolicies", "PolicyName"),
        ["p0", "p2", "p4", "p6", "p8"]
    );
    let got = ok(&acct, "GetPolicy", json!({"PolicyArn": arns[0]}));
    assert_eq!(got["Policy"]["AttachmentCount"], 1);
    fails(
        &acct,
        "DeletePolicy",
        json!({"PolicyArn": arns[0]}),
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
    );
    ok(
        &acct,
        "DetachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": arns[0]}),
    );
    fails(
        &acct,
        "DetachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": arns[0]}),
        "NoSuchEntity",
        &format!("Policy {} was not found.", arns[0]),
    );
    ok(&acct, "DeletePolicy", json!({"PolicyArn": arns[0]}));
    // A policy used as a permissions boundary cannot be deleted either.
    put_boundary(&acct, "alice", &arns[10]);
    fails(
        &acct,
        "DeletePolicy",
        json!({"PolicyArn": arns[10]}),
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
    );
}

#[test]
fn group_attachments() {
    let (acct, _) = account();
    ok(&acct, "CreateGroup", json!({"GroupName": "devs"}));
    let arns: Vec<String> = (0..11)
        .map(|i| create(&acct, &format!("g{i}"), "/", &allow("*")))
        .collect();
    for arn in &arns[..10] {
        attach("Group", &acct, "DEVS", arn);
    }
    attach("Group", &acct, "devs", &arns[9]);
    fails(
        &acct,
        "AttachGroupPolicy",
        json!({"GroupName": "devs", "PolicyArn": arns[10]}),
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerGroup: 10",
    );
    fails(
        &acct,
        "AttachGroupPolicy",
        json!({"GroupName": "ops", "PolicyArn": arns[0]}),
        "NoSuchEntity",
        "The group with name ops cannot be found.",
    );
    let listed = ok(
        &acct,
        "ListAttachedGroupPolicies",
        json!({"GroupName": "devs", "MaxItems": 9}),
    );
    assert_eq!(listed["AttachedPolicies"].as_array().unwrap().len(), 9);
    assert_eq!(listed["IsTruncated"], true);
    ok(
        &acct,
        "DetachGroupPolicy",
        json!({"GroupName": "devs", "PolicyArn": arns[3]}),
    );
    fails(
        &acct,
        "DetachGroupPolicy",
        json!({"GroupName": "devs", "PolicyArn": arns[3]}),
        "NoSuchEntity",
        &format!("Policy {} was not found.", arns[3]),
    );
    let listed = ok(
        &acct,
        "ListAttachedGroupPolicies",
        json!({"GroupName": "devs"}),
    );
    assert_eq!(listed["AttachedPolicies"].as_array().unwrap().len(), 9);
    let got = ok(&acct, "GetPolicy", json!({"PolicyArn": arns[0]}));
    assert_eq!(got["Policy"]["AttachmentCount"], 1);
}

#[test]
fn list_entities_for_policy() {
    let (acct, _) = account();
    let arn = create(&acct, "Shared", "/", &allow("*"));
    for (name, path) in [("u1", "/"), ("u2", "/eng/"), ("u3", "/")] {
        ok(&acct, "CreateUser", json!({"UserName": name, "Path": path}));
    }
    ok(
        &acct,
        "CreateGroup",
        json!({"GroupName": "g1", "Path": "/eng/"}),
    );
    ok(&acct, "CreateGroup", json!({"GroupName": "g2"}));
    attach("User", &acct, "u1", &arn);
    attach("User", &acct, "u2", &arn);
    put_boundary(&acct, "u3", &arn);
    attach("Group", &acct, "g1", &arn);
    let list = |extra: Value| {
        let mut input = json!({"PolicyArn": arn});
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let out = ok(&acct, "ListEntitiesForPolicy", input);
        assert_eq!(out["PolicyRoles"], json!([]));
        (
            strings(&out, "PolicyGroups", "GroupName"),
            strings(&out, "PolicyUsers", "UserName"),
            out,
        )
    };
    let (groups, users, out) = list(json!({}));
    assert_eq!(
        (groups, users),
        (
            vec!["g1".to_string()],
            vec!["u1".into(), "u2".into(), "u3".into()]
        )
    );
    assert!(out["PolicyUsers"][0]["UserId"]
        .as_str()
        .unwrap()
        .starts_with("AIDA"));
    assert!(out["PolicyGroups"][0]["GroupId"]
        .as_str()
        .unwrap()
        .starts_with("AGPA"));
    let (groups, users, _) = list(json!({"EntityFilter": "User"}));
    assert!(groups.is_empty() && users.len() == 3);
    let (groups, users, _) = list(json!({"EntityFilter": "Group"}));
    assert_eq!((groups.len(), users.len()), (1, 0));
    let (groups, users, _) = list(json!({"EntityFilter": "Role"}));
    assert!(groups.is_empty() && users.is_empty());
    let (_, users, _) = list(json!({"EntityFilter": "AWSManagedPolicy"}));
    assert!(users.is_empty());
    let (_, users, _) = list(json!({"EntityFilter": "LocalManagedPolicy"}));
    assert_eq!(users.len(), 3);
    let (groups, users, _) = list(json!({"PolicyUsageFilter": "PermissionsBoundary"}));
    assert_eq!((groups.len(), users), (0, vec!["u3".to_string()]));
    let (groups, users, _) = list(json!({"PolicyUsageFilter": "PermissionsPolicy"}));
    assert_eq!(
        (groups.len(), users),
        (1, vec!["u1".to_string(), "u2".into()])
    );
    let (groups, users, _) = list(json!({"PathPrefix": "/eng/"}));
    assert_eq!(
        (groups, users),
        (vec!["g1".to_string()], vec!["u2".to_string()])
    );
    // One marker across the three lists.
    let (groups, users, first) = list(json!({"MaxItems": 2}));
    assert_eq!((groups.len(), users), (1, vec!["u1".to_string()]));
    assert_eq!(first["IsTruncated"], true);
    let (groups, users, last) = list(json!({"Marker": first["Marker"]}));
    assert_eq!(
        (groups.len(), users),
        (0, vec!["u2".to_string(), "u3".into()])
    );
    assert_eq!(last["IsTruncated"], false);
    let missing = policy_arn("Nope");
    fails(
        &acct,
        "ListEntitiesForPolicy",
        json!({"PolicyArn": missing}),
        "NoSuchEntity",
        &format!("Policy {missing} was not found."),
    );
}

/// The force-MFA seed policy plus an admin policy. With long-term keys (no MFA) the
/// seed's Deny wins; with MFA the admin policy allows.
#[test]
fn force_mfa_seed_policy_denies_without_mfa() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "mallory"}));
    let seed = create(&acct, "ForceMFA", "/", SEED_FORCE_MFA);
    let admin = create(&acct, "Admin", "/", ADMIN);
    for arn in [&seed, &admin] {
        attach("User", &acct, "mallory", arn);
    }
    let without_mfa = user(&acct, "mallory", None);
    let e = iam(&acct, &without_mfa, "ListGroups", json!({})).unwrap_err();
    assert_eq!((e.code, e.status), ("AccessDenied", 403));
    assert!(
        e.message
            .contains("with an explicit deny in an identity-based policy"),
        "{}",
        e.message
    );
    let mfa_false = MfaInfo {
        present: false,
        authenticated_at: None,
    };
    assert!(iam(
        &acct,
        &user(&acct, "mallory", Some(mfa_false)),
        "ListGroups",
        json!({})
    )
    .is_err());
    // Allowed without MFA by the seed's NotAction list.
    iam(&acct, &without_mfa, "ListUsers", json!({})).unwrap();
    let now = acct.now();
    let with_mfa = user(
        &acct,
        "mallory",
        Some(MfaInfo {
            present: true,
            authenticated_at: Some(now - 30),
        }),
    );
    iam(&acct, &with_mfa, "ListGroups", json!({})).unwrap();
    // Detaching the seed policy lifts the deny.
    ok(
        &acct,
        "DetachUserPolicy",
        json!({"UserName": "mallory", "PolicyArn": seed}),
    );
    iam(&acct, &without_mfa, "ListGroups", json!({})).unwrap();
}

#[test]
fn new_default_version_takes_effect_immediately() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "dana"}));
    let arn = create(&acct, "Ops", "/", &allow("iam:ListUsers"));
    ok(&acct, "CreateGroup", json!({"GroupName": "ops"}));
    attach("Group", &acct, "ops", &arn);
    ok(
        &acct,
        "AddUserToGroup",
        json!({"GroupName": "ops", "UserName": "dana"}),
    );
    let dana = user(&acct, "dana", None);
    iam(&acct, &dana, "ListUsers", json!({})).unwrap();
    assert_eq!(
        iam(&acct, &dana, "ListPolicies", json!({}))
            .unwrap_err()
            .code,
        "AccessDenied"
    );
    // A new version that is not the default changes nothing.
    ok(
        &acct,
        "CreatePolicyVersion",
        json!({"PolicyArn": arn, "PolicyDocument": allow("iam:ListPolicies")}),
    );
    iam(&acct, &dana, "ListUsers", json!({})).unwrap();
    assert!(iam(&acct, &dana, "ListPolicies", json!({})).is_err());
    ok(
        &acct,
        "SetDefaultPolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v2"}),
    );
    iam(&acct, &dana, "ListPolicies", json!({})).unwrap();
    assert!(iam(&acct, &dana, "ListUsers", json!({})).is_err());
    // And with SetAsDefault in one call.
    ok(
        &acct,
        "CreatePolicyVersion",
        json!({"PolicyArn": arn, "PolicyDocument": allow("iam:ListUsers"), "SetAsDefault": true}),
    );
    iam(&acct, &dana, "ListUsers", json!({})).unwrap();
    assert!(iam(&acct, &dana, "ListPolicies", json!({})).is_err());
}

#[test]
fn permissions_boundary_narrows() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "erin"}));
    let admin = create(&acct, "Admin", "/", ADMIN);
    let boundary = create(&acct, "OnlyListUsers", "/", &allow("iam:ListUsers"));
    attach("User", &acct, "erin", &admin);
    let erin = user(&acct, "erin", None);
    iam(&acct, &erin, "ListPolicies", json!({})).unwrap();
    put_boundary(&acct, "erin", &boundary);
    iam(&acct, &erin, "ListUsers", json!({})).unwrap();
    let e = iam(&acct, &erin, "ListPolicies", json!({})).unwrap_err();
    assert!(
        e.message
            .contains("because no permissions boundary allows the iam:ListPolicies action"),
        "{}",
        e.message
    );
    let got = ok(&acct, "GetPolicy", json!({"PolicyArn": boundary}));
    assert_eq!(got["Policy"]["PermissionsBoundaryUsageCount"], 1);
}

/// Attach authorization: `iam:AttachUserPolicy` on the user with `iam:PolicyARN` in context.
#[test]
fn attach_is_authorized_on_the_user_with_the_policy_arn_key() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "admin"}));
    ok(&acct, "CreateUser", json!({"UserName": "target"}));
    let safe = create(&acct, "Safe", "/", &allow("iam:GetUser"));
    let risky = create(&acct, "Risky", "/", &allow("*"));
    let delegate = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["iam:AttachUserPolicy", "iam:DetachUserPolicy"],
        "Resource": "arn:aws:iam::111122223333:user/target",
        "Condition": {"ArnEquals": {"iam:PolicyARN": safe}}
    }]});
    let delegate = create(&acct, "Delegate", "/", &delegate.to_string());
    attach("User", &acct, "admin", &delegate);
    let admin = user(&acct, "admin", None);
    iam(
        &acct,
        &admin,
        "AttachUserPolicy",
        json!({"UserName": "target", "PolicyArn": safe}),
    )
    .unwrap();
    let e = iam(
        &acct,
        &admin,
        "AttachUserPolicy",
        json!({"UserName": "target", "PolicyArn": risky}),
    )
    .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(
        e.message
            .contains("iam:AttachUserPolicy on resource: arn:aws:iam::111122223333:user/target"),
        "{}",
        e.message
    );
    let e = iam(
        &acct,
        &admin,
        "AttachUserPolicy",
        json!({"UserName": "admin", "PolicyArn": safe}),
    )
    .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    let e = iam(
        &acct,
        &admin,
        "CreatePolicy",
        json!({"PolicyName": "X", "PolicyDocument": allow("*")}),
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("iam:CreatePolicy on resource: arn:aws:iam::111122223333:policy/X"),
        "{}",
        e.message
    );
    let e = iam(&acct, &admin, "ListPolicies", json!({})).unwrap_err();
    assert!(
        e.message
            .contains("on resource: arn:aws:iam::111122223333:policy/ "),
        "{}",
        e.message
    );
    iam(
        &acct,
        &admin,
        "DetachUserPolicy",
        json!({"UserName": "target", "PolicyArn": safe}),
    )
    .unwrap();
}
