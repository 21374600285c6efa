//! Roles, their trust policies and their permissions policies, called as the server would.

use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

use super::policies::{allow, attach, create, document_of_size, fails, iam, ok, strings};
use crate::account::Account;
use crate::testing::{account, root, user};

const ACCOUNT: &str = "111122223333";

/// A trust policy letting `principal` assume the role.
pub(super) fn trust(principal: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    ]})
    .to_string()
}

/// A trust policy for EC2, the usual service principal.
pub(super) fn ec2_trust() -> String {
    trust(json!({"Service": "ec2.amazonaws.com"}))
}

/// Creates role `name` at `path` trusting EC2, as root.
pub(super) fn create_role(acct: &Account, name: &str, path: &str) -> Value {
    ok(
        acct,
        "CreateRole",
        json!({"RoleName": name, "Path": path, "AssumeRolePolicyDocument": ec2_trust()}),
    )
}

fn decoded(encoded: &Value) -> String {
    percent_decode_str(encoded.as_str().unwrap())
        .decode_utf8()
        .unwrap()
        .into_owned()
}

#[test]
fn role_lifecycle_and_errors() {
    let (acct, _) = account();
    let out = ok(
        &acct,
        "CreateRole",
        json!({"RoleName": "App", "Path": "/svc/", "AssumeRolePolicyDocument": ec2_trust(),
               "Description": "the app", "Tags": [{"Key": "team", "Value": "a"}]}),
    );
    let role = &out["Role"];
    assert_eq!(role["Arn"], format!("arn:aws:iam::{ACCOUNT}:role/svc/App"));
    assert!(role["RoleId"].as_str().unwrap().starts_with("AROA"));
    // AWS's CreateRole answer has no MaxSessionDuration (see aws_answers.rs).
    assert_eq!(
        (&role["MaxSessionDuration"], &role["Description"]),
        (&Value::Null, &json!("the app"))
    );
    assert_eq!(role["Tags"], json!([{"Key": "team", "Value": "a"}]));
    assert!(role.get("RoleLastUsed").is_none());
    assert_eq!(decoded(&role["AssumeRolePolicyDocument"]), ec2_trust());
    assert!(role["AssumeRolePolicyDocument"]
        .as_str()
        .unwrap()
        .starts_with("%7B%22Statement%22%3A"));
    fails(
        &acct,
        "CreateRole",
        json!({"RoleName": "APP", "AssumeRolePolicyDocument": ec2_trust()}),
        "EntityAlreadyExists",
        "Role with name APP already exists.",
    );
    let got = ok(&acct, "GetRole", json!({"RoleName": "app"}));
    assert_eq!(got["Role"]["RoleName"], "App");
    assert_eq!(got["Role"]["RoleLastUsed"], json!({}));
    assert_eq!(got["Role"]["Tags"], role["Tags"]);
    fails(
        &acct,
        "GetRole",
        json!({"RoleName": "nobody"}),
        "NoSuchEntity",
        "The role with name nobody cannot be found.",
    );
    ok(&acct, "DeleteRole", json!({"RoleName": "App"}));
    fails(
        &acct,
        "DeleteRole",
        json!({"RoleName": "App"}),
        "NoSuchEntity",
        "The role with name App cannot be found.",
    );
}

#[test]
fn get_role_reports_last_use() {
    let (acct, _) = account();
    create_role(&acct, "Used", "/");
    acct.write(|txn| {
        let mut role = (**txn.state.role("Used").unwrap()).clone();
        role.last_used = Some((1_700_000_000, "eu-west-1".into()));
        crate::entities::roles::save_role(txn, role)
    })
    .unwrap();
    let got = ok(&acct, "GetRole", json!({"RoleName": "Used"}));
    assert_eq!(
        got["Role"]["RoleLastUsed"],
        json!({"LastUsedDate": 1_700_000_000, "Region": "eu-west-1"})
    );
}

#[test]
fn list_roles_paginates_and_filters_by_path() {
    let (acct, _) = account();
    for (name, path) in [("a", "/"), ("b", "/eng/"), ("c", "/eng/"), ("d", "/")] {
        create_role(&acct, name, path);
    }
    let first = ok(&acct, "ListRoles", json!({"MaxItems": 3}));
    assert_eq!(strings(&first, "Roles", "RoleName"), ["a", "b", "c"]);
    assert_eq!(first["IsTruncated"], true);
    // Listed roles carry their trust policy but no tags or last use, as AWS lists them.
    assert!(first["Roles"][0]["AssumeRolePolicyDocument"].is_string());
    assert!(first["Roles"][0].get("RoleLastUsed").is_none());
    let rest = ok(&acct, "ListRoles", json!({"Marker": first["Marker"]}));
    assert_eq!(strings(&rest, "Roles", "RoleName"), ["d"]);
    assert_eq!(rest["IsTruncated"], false);
    let eng = ok(&acct, "ListRoles", json!({"PathPrefix": "/eng/"}));
    assert_eq!(strings(&eng, "Roles", "RoleName"), ["b", "c"]);
}

#[test]
fn roles_per_account_quota_is_1000() {
    let (acct, _) = account();
    for i in 0..1000 {
        create_role(&acct, &format!("r{i}"), "/");
    }
    fails(
        &acct,
        "CreateRole",
        json!({"RoleName": "one-more", "AssumeRolePolicyDocument": ec2_trust()}),
        "LimitExceeded",
        "Cannot exceed quota for RolesPerAccount: 1000",
    );
}

#[test]
fn trust_policy_needs_a_principal_and_fits_2048_characters() {
    let (acct, _) = account();
    let create = |doc: String| json!({"RoleName": "R", "AssumeRolePolicyDocument": doc});
    fails(
        &acct,
        "CreateRole",
        create(json!({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}).to_string()),
        "MalformedPolicyDocument",
        "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: \
         The passed in policy has a statement with no principals!",
    );
    let with_resource = json!({"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole", "NotResource": "*"
    }});
    fails(
        &acct,
        "CreateRole",
        create(with_resource.to_string()),
        "MalformedPolicyDocument",
        "Has prohibited field NotResource",
    );
    // Checked before the principals, as AWS does.
    fails(
        &acct,
        "CreateRole",
        create(allow("s3:*")),
        "MalformedPolicyDocument",
        "Has prohibited field Resource",
    );
    let e = iam(&acct, &root(), "CreateRole", create("{not json".into())).unwrap_err();
    assert_eq!(e.code, "MalformedPolicyDocument");
    // 2048 characters without whitespace fit; the padding is a long condition value.
    let sized = |n: usize| {
        let doc = trust(json!({"Service": "ec2.amazonaws.com"}));
        let pad =
            "x".repeat(n - doc.len() - r#","Condition":{"StringEquals":{"aws:userid":""}}"#.len());
        let doc = doc.replacen(
            r#""Action":"sts:AssumeRole""#,
            &format!(r#""Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:userid":"{pad}"}}}}"#),
            1,
        );
        assert_eq!(doc.len(), n);
        doc.replacen(',', ",\n  ", 3)
    };
    ok(&acct, "CreateRole", create(sized(2048)));
    fails(
        &acct,
        "CreateRole",
        json!({"RoleName": "R2", "AssumeRolePolicyDocument": sized(2049)}),
        "LimitExceeded",
        "Cannot exceed quota for ACLSizePerRole: 2048",
    );
}

#[test]
fn trust_policy_principals_must_exist() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "alice"}));
    create_role(&acct, "Base", "/team/");
    let with = |name: &str, arn: &str| json!({"RoleName": name, "AssumeRolePolicyDocument": trust(json!({"AWS": arn}))});
    for (i, arn) in [
        format!("arn:aws:iam::{ACCOUNT}:user/alice"),
        format!("arn:aws:iam::{ACCOUNT}:role/team/Base"),
        format!("arn:aws:iam::{ACCOUNT}:root"),
        "arn:aws:iam::999988887777:role/Elsewhere".to_string(),
        ACCOUNT.to_string(),
    ]
    .iter()
    .enumerate()
    {
        ok(&acct, "CreateRole", with(&format!("ok{i}"), arn));
    }
    for arn in [
        format!("arn:aws:iam::{ACCOUNT}:user/bob"),
        // The role exists, but not at this path.
        format!("arn:aws:iam::{ACCOUNT}:role/Base"),
    ] {
        fails(
            &acct,
            "CreateRole",
            with("Bad", &arn),
            "MalformedPolicyDocument",
            &format!("Invalid principal in policy: \"AWS\":\"{arn}\""),
        );
    }
}

#[test]
fn role_inline_policies() {
    let (acct, _) = account();
    create_role(&acct, "R", "/");
    let put = |name: &str, doc: String| json!({"RoleName": "r", "PolicyName": name, "PolicyDocument": doc});
    ok(&acct, "PutRolePolicy", put("read", allow("s3:Get*")));
    let got = ok(
        &acct,
        "GetRolePolicy",
        json!({"RoleName": "R", "PolicyName": "read"}),
    );
    assert_eq!(got["RoleName"], "R");
    assert_eq!(decoded(&got["PolicyDocument"]), allow("s3:Get*"));
    let listed = ok(&acct, "ListRolePolicies", json!({"RoleName": "R"}));
    assert_eq!(listed["PolicyNames"], json!(["read"]));
    fails(
        &acct,
        "GetRolePolicy",
        json!({"RoleName": "R", "PolicyName": "nope"}),
        "NoSuchEntity",
        "The role policy with name nope cannot be found.",
    );
    fails(
        &acct,
        "PutRolePolicy",
        json!({"RoleName": "ghost", "PolicyName": "p", "PolicyDocument": allow("*")}),
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
    );
    // Inline policies of a role total at most 10240 characters (no whitespace).
    ok(&acct, "PutRolePolicy", put("read", document_of_size(6000)));
    let used = 6000;
    ok(
        &acct,
        "PutRolePolicy",
        put("more", document_of_size(10240 - used)),
    );
    fails(
        &acct,
        "PutRolePolicy",
        put("over", document_of_size(200)),
        "LimitExceeded",
        "Maximum policy size of 10240 bytes exceeded for role R",
    );
    fails(
        &acct,
        "DeleteRole",
        json!({"RoleName": "R"}),
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    );
    for name in ["read", "more"] {
        ok(
            &acct,
            "DeleteRolePolicy",
            json!({"RoleName": "R", "PolicyName": name}),
        );
    }
    fails(
        &acct,
        "DeleteRolePolicy",
        json!({"RoleName": "R", "PolicyName": "read"}),
        "NoSuchEntity",
        "The role policy with name read cannot be found.",
    );
    ok(&acct, "DeleteRole", json!({"RoleName": "R"}));
}

#[test]
fn role_attachments_count_in_policy_usage() {
    let (acct, _) = account();
    create_role(&acct, "R", "/");
    let arn = create(&acct, "Shared", "/", &allow("*"));
    attach("Role", &acct, "R", &arn);
    attach("Role", &acct, "r", &arn); // already attached: no change
    let listed = ok(&acct, "ListAttachedRolePolicies", json!({"RoleName": "R"}));
    assert_eq!(
        listed["AttachedPolicies"],
        json!([{"PolicyName": "Shared", "PolicyArn": arn}])
    );
    let got = ok(&acct, "GetPolicy", json!({"PolicyArn": arn}));
    assert_eq!(got["Policy"]["AttachmentCount"], 1);
    let entities = ok(&acct, "ListEntitiesForPolicy", json!({"PolicyArn": arn}));
    assert_eq!(strings(&entities, "PolicyRoles", "RoleName"), ["R"]);
    assert!(entities["PolicyRoles"][0]["RoleId"]
        .as_str()
        .unwrap()
        .starts_with("AROA"));
    let roles_only = json!({"PolicyArn": arn, "EntityFilter": "Role"});
    let only = ok(&acct, "ListEntitiesForPolicy", roles_only);
    assert_eq!(strings(&only, "PolicyRoles", "RoleName"), ["R"]);
    let users_only = json!({"PolicyArn": arn, "EntityFilter": "User"});
    let none = ok(&acct, "ListEntitiesForPolicy", users_only);
    assert_eq!(none["PolicyRoles"], json!([]));
    fails(
        &acct,
        "DeletePolicy",
        json!({"PolicyArn": arn}),
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
    );
    fails(
        &acct,
        "DeleteRole",
        json!({"RoleName": "R"}),
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
    );
    let detach = json!({"RoleName": "R", "PolicyArn": arn});
    ok(&acct, "DetachRolePolicy", detach.clone());
    fails(
        &acct,
        "DetachRolePolicy",
        detach,
        "NoSuchEntity",
        &format!("Policy {arn} was not found."),
    );
    ok(&acct, "DeletePolicy", json!({"PolicyArn": arn}));
}

#[test]
fn managed_policies_per_role_quota_is_10() {
    let (acct, _) = account();
    create_role(&acct, "R", "/");
    for i in 0..10 {
        let arn = create(&acct, &format!("p{i}"), "/", &allow("*"));
        attach("Role", &acct, "R", &arn);
    }
    let arn = create(&acct, "p10", "/", &allow("*"));
    fails(
        &acct,
        "AttachRolePolicy",
        json!({"RoleName": "R", "PolicyArn": arn}),
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerRole: 10",
    );
}

#[test]
fn role_operations_are_authorized_on_the_role_arn() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "dev"}));
    let scoped = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["iam:CreateRole", "iam:GetRole", "iam:PutRolePolicy"],
        "Resource": format!("arn:aws:iam::{ACCOUNT}:role/apps/*"),
        "Condition": {"StringEquals": {"aws:RequestTag/team": "a"}}
    }]});
    let arn = create(&acct, "Scoped", "/", &scoped.to_string());
    attach("User", &acct, "dev", &arn);
    let dev = user(&acct, "dev", None);
    let input = |path: &str, team: &str| {
        json!({"RoleName": "Mine", "Path": path, "AssumeRolePolicyDocument": ec2_trust(),
               "Tags": [{"Key": "team", "Value": team}]})
    };
    let e = iam(&acct, &dev, "CreateRole", input("/other/", "a")).unwrap_err();
    assert!(
        e.message.contains(&format!(
            "iam:CreateRole on resource: arn:aws:iam::{ACCOUNT}:role/other/Mine"
        )),
        "{}",
        e.message
    );
    let e = iam(&acct, &dev, "CreateRole", input("/apps/", "b")).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    iam(&acct, &dev, "CreateRole", input("/apps/", "a")).unwrap();
    // GetRole carries no request tags, so the condition does not match.
    let e = iam(&acct, &dev, "GetRole", json!({"RoleName": "Mine"})).unwrap_err();
    assert!(
        e.message.contains(&format!(
            "iam:GetRole on resource: arn:aws:iam::{ACCOUNT}:role/apps/Mine"
        )),
        "{}",
        e.message
    );
    let e = iam(&acct, &dev, "ListRoles", json!({})).unwrap_err();
    assert!(
        e.message.contains(&format!(
            "iam:ListRoles on resource: arn:aws:iam::{ACCOUNT}:role/ "
        )),
        "{}",
        e.message
    );
}
