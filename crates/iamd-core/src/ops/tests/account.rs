//! AWS managed policies, the account alias, GetAccountSummary and
//! GetAccountAuthorizationDetails, called as the server would.

use std::sync::Arc;

use serde_json::{json, Value};

use super::policies::{allow, iam, ok, strings as names};
use crate::account::Account;
use crate::error::IamError;
use crate::model::{Document, InstanceProfile, Role};
use crate::testing::{account, root, user};

const READ_ONLY: &str = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const LAMBDA: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

fn fails(acct: &Account, action: &str, input: Value) -> IamError {
    iam(acct, &root(), action, input).unwrap_err()
}

#[test]
fn aws_managed_policies_are_in_every_account_with_their_real_metadata() {
    let (acct, _) = account();
    let got = ok(&acct, "GetPolicy", json!({"PolicyArn": READ_ONLY}));
    let p = &got["Policy"];
    assert_eq!(p["PolicyId"], "ANPAJKSO7NDY4T57MWDSQ");
    assert_eq!(p["Path"], "/");
    assert_eq!(p["DefaultVersionId"], "v4");
    assert_eq!(
        p["Description"],
        "Provides read only access to IAM via the AWS Management Console."
    );
    assert_eq!(
        crate::time::iso8601(p["UpdateDate"].as_i64().unwrap()),
        "2018-01-25T19:11:27Z"
    );
    assert_eq!(p["AttachmentCount"], 0);
    let version = ok(
        &acct,
        "GetPolicyVersion",
        json!({"PolicyArn": READ_ONLY, "VersionId": "v4"}),
    );
    let document = version["PolicyVersion"]["Document"].as_str().unwrap();
    assert!(document.contains("%22iam%3AList%2A%22"), "{document}");
    assert_eq!(version["PolicyVersion"]["IsDefaultVersion"], true);
    let versions = ok(&acct, "ListPolicyVersions", json!({"PolicyArn": READ_ONLY}));
    assert_eq!(names(&versions, "Versions", "VersionId"), ["v4"]);
    let missing = fails(
        &acct,
        "GetPolicy",
        json!({"PolicyArn": "arn:aws:iam::aws:policy/NoSuchPolicy"}),
    );
    assert_eq!(
        (missing.code, missing.message.as_str()),
        (
            "NoSuchEntity",
            "Policy arn:aws:iam::aws:policy/NoSuchPolicy was not found."
        )
    );
    // The state is built with them; the store never holds them.
    let state = crate::state::AccountState::from_records("111122223333", Vec::new()).unwrap();
    assert!(state.policy(ADMIN).is_some() && state.policy(LAMBDA).is_some());
}

/// AWS's ids and descriptions beyond known-ids.json: the ids come from moto 3.1.15's
/// snapshot of ListPolicies and the descriptions from iam-floyd, whose generator reads them
/// with GetPolicy (scripts/refresh-aws-managed-policies). The expected ids are from other
/// recordings of AWS's answers: ReadOnlyAccess's from `aws iam get-policy` output quoted in
/// write-ups of TryHackMe's "IAM Permissions" room, the others from a 2017 ListPolicies
/// capture committed in wallix/awless (`aws/driver`, `policiesJSON`).
#[test]
fn aws_managed_policies_have_aws_ids_and_descriptions() {
    let rows = [
        (
            "ReadOnlyAccess",
            "ANPAILL3HVNFSB6DCOWYQ",
            "Provides read-only access to AWS services and resources.",
        ),
        (
            "AmazonS3ReadOnlyAccess",
            "ANPAIZTJ4DXE7G6AGAE6M",
            "Provides read only access to all buckets via the AWS Management Console.",
        ),
        (
            "AmazonEC2ReadOnlyAccess",
            "ANPAIGDT4SV4GSETWTBZK",
            "Provides read only access to Amazon EC2 via the AWS Management Console.",
        ),
        (
            "CloudWatchReadOnlyAccess",
            "ANPAJN23PDQP7SZQAE3QE",
            "Provides read only access to CloudWatch.",
        ),
        (
            "AWSAccountActivityAccess",
            "ANPAJQRYCWMFX5J3E333K",
            "Allows users to access the Account Activity page.",
        ),
    ];
    let (acct, _) = account();
    for (name, id, description) in rows {
        let arn = format!("arn:aws:iam::aws:policy/{name}");
        let got = ok(&acct, "GetPolicy", json!({"PolicyArn": arn}));
        assert_eq!(got["Policy"]["PolicyId"], id, "{name}");
        assert_eq!(got["Policy"]["Description"], description, "{name}");
    }
    // ListPolicies leaves Description out, as AWS documents for the Policy type.
    let listed = ok(
        &acct,
        "ListPolicies",
        json!({"Scope": "AWS", "PathPrefix": "/", "MaxItems": 1000}),
    );
    let policies = listed["Policies"].as_array().unwrap();
    let read_only = policies
        .iter()
        .find(|p| p["PolicyName"] == "ReadOnlyAccess")
        .unwrap();
    assert_eq!(read_only["PolicyId"], "ANPAILL3HVNFSB6DCOWYQ");
    assert!(read_only.get("Description").is_none(), "{read_only}");
}

#[test]
fn list_policies_scopes_paths_and_usage() {
    let (acct, _) = account();
    // Every page: the catalogue of AWS managed policies is longer than one.
    let names_of = |mut input: Value| {
        let mut all = Vec::new();
        loop {
            let page = ok(&acct, "ListPolicies", input.clone());
            all.extend(names(&page, "Policies", "PolicyName"));
            match page.get("Marker") {
                Some(marker) => input["Marker"] = marker.clone(),
                None => break all,
            }
        }
    };
    let aws = names_of(json!({"Scope": "AWS"}));
    for expected in [
        "AdministratorAccess",
        "PowerUserAccess",
        "ReadOnlyAccess",
        "IAMFullAccess",
        "IAMReadOnlyAccess",
        "IAMUserChangePassword",
        "IAMSelfManageServiceSpecificCredentials",
    ] {
        assert!(aws.iter().any(|n| n == expected), "{expected}");
    }
    assert!(names_of(json!({"Scope": "Local"})).is_empty());
    assert!(names_of(json!({"Scope": "AWS"})).len() > 1_300);
    let service_roles = names_of(json!({"PathPrefix": "/service-role/"}));
    assert!(service_roles.contains(&"AWSLambdaBasicExecutionRole".to_string()));
    assert!(!service_roles.contains(&"AdministratorAccess".to_string()));
    ok(&acct, "CreateUser", json!({"UserName": "u"}));
    ok(
        &acct,
        "AttachUserPolicy",
        json!({"UserName": "u", "PolicyArn": READ_ONLY}),
    );
    ok(
        &acct,
        "PutUserPermissionsBoundary",
        json!({"UserName": "u", "PermissionsBoundary": ADMIN}),
    );
    assert_eq!(
        names_of(json!({"Scope": "AWS", "OnlyAttached": true})),
        ["AdministratorAccess", "IAMReadOnlyAccess"]
    );
    assert_eq!(
        names_of(json!({"OnlyAttached": true, "PolicyUsageFilter": "PermissionsPolicy"})),
        ["IAMReadOnlyAccess"]
    );
    assert_eq!(
        names_of(json!({"PolicyUsageFilter": "PermissionsBoundary"})),
        ["AdministratorAccess"]
    );
    assert!(names_of(json!({"Scope": "Local", "OnlyAttached": true})).is_empty());
    let got = ok(&acct, "GetPolicy", json!({"PolicyArn": READ_ONLY}));
    assert_eq!(got["Policy"]["AttachmentCount"], 1);
    // Attachment counts are the account's own: a new account starts at zero.
    let (other, _) = account();
    let fresh = ok(&other, "GetPolicy", json!({"PolicyArn": READ_ONLY}));
    assert_eq!(fresh["Policy"]["AttachmentCount"], 0);
}

#[test]
fn an_aws_managed_policy_attached_to_a_group_grants_its_real_document() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "reader"}));
    ok(&acct, "CreateGroup", json!({"GroupName": "readers"}));
    ok(
        &acct,
        "AddUserToGroup",
        json!({"GroupName": "readers", "UserName": "reader"}),
    );
    ok(
        &acct,
        "AttachGroupPolicy",
        json!({"GroupName": "readers", "PolicyArn": READ_ONLY}),
    );
    let reader = user(&acct, "reader", None);
    iam(&acct, &reader, "ListUsers", json!({})).unwrap();
    iam(&acct, &reader, "GetPolicy", json!({"PolicyArn": ADMIN})).unwrap();
    let e = iam(&acct, &reader, "CreateUser", json!({"UserName": "x"})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    let entities = ok(
        &acct,
        "ListEntitiesForPolicy",
        json!({"PolicyArn": READ_ONLY}),
    );
    assert_eq!(names(&entities, "PolicyGroups", "GroupName"), ["readers"]);
    // IAMUserChangePassword: ChangePassword on the caller's own user only.
    ok(
        &acct,
        "AttachUserPolicy",
        json!({"UserName": "reader", "PolicyArn": "arn:aws:iam::aws:policy/IAMUserChangePassword"}),
    );
    iam(&acct, &reader, "GetAccountPasswordPolicy", json!({}))
        .map(|_| ())
        .or_else(|e| (e.code == "NoSuchEntity").then_some(()).ok_or(e))
        .unwrap();
    // Detached, the grant is gone at once.
    ok(
        &acct,
        "DetachGroupPolicy",
        json!({"GroupName": "readers", "PolicyArn": READ_ONLY}),
    );
    assert!(iam(&acct, &reader, "ListUsers", json!({})).is_err());
}

#[test]
fn aws_managed_policies_cannot_be_changed() {
    let (acct, _) = account();
    let refused = |action: &str, input: Value| {
        let e = fails(&acct, action, input);
        assert_eq!((e.code, e.status), ("AccessDenied", 403), "{action}");
        assert_eq!(
            e.message,
            format!(
                "User: arn:aws:iam::111122223333:root is not authorized to perform: iam:{action} \
                 on resource: policy {ADMIN} because no resource-based policy allows the \
                 iam:{action} action"
            )
        );
    };
    refused(
        "CreatePolicyVersion",
        json!({"PolicyArn": ADMIN, "PolicyDocument": allow("iam:ListUsers")}),
    );
    refused("DeletePolicy", json!({"PolicyArn": ADMIN}));
    refused(
        "DeletePolicyVersion",
        json!({"PolicyArn": ADMIN, "VersionId": "v1"}),
    );
    refused(
        "SetDefaultPolicyVersion",
        json!({"PolicyArn": ADMIN, "VersionId": "v1"}),
    );
    refused(
        "TagPolicy",
        json!({"PolicyArn": ADMIN, "Tags": [{"Key": "k", "Value": "v"}]}),
    );
    refused("UntagPolicy", json!({"PolicyArn": ADMIN, "TagKeys": ["k"]}));
    assert!(acct.snapshot().policy(ADMIN).is_some());
    // A caller without the permission sees the usual denial first.
    ok(&acct, "CreateUser", json!({"UserName": "nobody"}));
    let nobody = user(&acct, "nobody", None);
    let e = iam(&acct, &nobody, "DeletePolicy", json!({"PolicyArn": ADMIN})).unwrap_err();
    assert!(
        e.message
            .contains("because no identity-based policy allows"),
        "{}",
        e.message
    );
    // A customer policy of the same name is the account's own and can be created.
    ok(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "AdministratorAccess", "PolicyDocument": allow("iam:ListUsers")}),
    );
}

#[test]
fn account_alias_lifecycle() {
    let (acct, _) = account();
    let aliases = |acct: &Account| {
        ok(acct, "ListAccountAliases", json!({}))["AccountAliases"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert!(aliases(&acct).is_empty());
    ok(
        &acct,
        "CreateAccountAlias",
        json!({"AccountAlias": "example-corp"}),
    );
    assert_eq!(aliases(&acct), [json!("example-corp")]);
    // One alias per account: another one replaces it; the same one changes nothing.
    ok(
        &acct,
        "CreateAccountAlias",
        json!({"AccountAlias": "example2"}),
    );
    ok(
        &acct,
        "CreateAccountAlias",
        json!({"AccountAlias": "example2"}),
    );
    assert_eq!(aliases(&acct), [json!("example2")]);
    let bad = fails(
        &acct,
        "CreateAccountAlias",
        json!({"AccountAlias": "ab--c"}),
    );
    assert_eq!(
        (bad.code, bad.message.as_str()),
        (
            "ValidationError",
            "1 validation error detected: Value 'ab--c' at 'accountAlias' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: \
             ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"
        )
    );
    let missing = fails(
        &acct,
        "DeleteAccountAlias",
        json!({"AccountAlias": "other"}),
    );
    assert_eq!(missing.code, "NoSuchEntity");
    ok(
        &acct,
        "DeleteAccountAlias",
        json!({"AccountAlias": "example2"}),
    );
    assert!(aliases(&acct).is_empty());
    // Stored as its own record.
    let record = crate::store::Record {
        kind: "account_alias".into(),
        key: "alias".into(),
        body: "\"kept\"".into(),
    };
    let state = crate::state::AccountState::from_records("111122223333", vec![record]).unwrap();
    assert_eq!(state.account_alias.as_deref(), Some("kept"));
}

#[test]
fn account_operations_are_authorized_on_star() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "dana"}));
    let dana = user(&acct, "dana", None);
    for action in [
        "GetAccountSummary",
        "ListAccountAliases",
        "GetAccountAuthorizationDetails",
    ] {
        let e = iam(&acct, &dana, action, json!({})).unwrap_err();
        assert!(
            e.message
                .contains(&format!("perform: iam:{action} on resource: * because")),
            "{}",
            e.message
        );
    }
    ok(
        &acct,
        "PutUserPolicy",
        json!({"UserName": "dana", "PolicyName": "p", "PolicyDocument": allow("iam:GetAccountSummary")}),
    );
    iam(&acct, &dana, "GetAccountSummary", json!({})).unwrap();
}

#[test]
fn account_summary_counts_and_quotas() {
    let (acct, _) = account();
    for name in ["a", "b"] {
        ok(&acct, "CreateUser", json!({"UserName": name}));
    }
    ok(&acct, "CreateGroup", json!({"GroupName": "g"}));
    ok(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "P", "PolicyDocument": allow("iam:ListUsers")}),
    );
    ok(
        &acct,
        "AttachUserPolicy",
        json!({"UserName": "a", "PolicyArn": READ_ONLY}),
    );
    ok(
        &acct,
        "AttachGroupPolicy",
        json!({"GroupName": "g", "PolicyArn": "arn:aws:iam::111122223333:policy/P"}),
    );
    ok(
        &acct,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "unassigned"}),
    );
    let summary = ok(&acct, "GetAccountSummary", json!({}))["SummaryMap"].clone();
    let expected = [
        ("Users", 2),
        ("Groups", 1),
        ("Roles", 0),
        ("InstanceProfiles", 0),
        ("Policies", 1),
        ("PolicyVersionsInUse", 2),
        ("MFADevices", 1),
        ("MFADevicesInUse", 0),
        ("AccountMFAEnabled", 0),
        ("UsersQuota", 5000),
        ("GroupsQuota", 300),
        ("RolesQuota", 1000),
        ("PoliciesQuota", 1500),
        ("PolicySizeQuota", 6144),
        ("VersionsPerPolicyQuota", 5),
        ("AccessKeysPerUserQuota", 2),
        ("GroupsPerUserQuota", 10),
        ("AttachedPoliciesPerUserQuota", 10),
        ("UserPolicySizeQuota", 2048),
        ("GroupPolicySizeQuota", 5120),
        ("RolePolicySizeQuota", 10240),
        ("AssumeRolePolicySizeQuota", 2048),
    ];
    for (key, value) in expected {
        assert_eq!(summary[key], value, "{key}");
    }
    assert_eq!(summary.as_object().unwrap().len(), 33);
}

/// A role with an inline policy, an attached AWS policy and an instance profile, written
/// straight into the state (the role operations live elsewhere).
fn add_role(acct: &Account) {
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    .to_string();
    let document = |name: &str, text: &str, kind| Document::compile(name, text, kind).unwrap();
    let role = Role {
        name: "app".into(),
        id: "AROAEXAMPLEEXAMPLE01".into(),
        path: "/".into(),
        arn: "arn:aws:iam::111122223333:role/app".into(),
        create_date: 1_795_423_481,
        description: None,
        max_session_duration: 3600,
        assume_role_policy: document("app", &trust, iamd_policy::PolicyKind::Resource),
        tags: Vec::new(),
        inline: [(
            "logs".to_string(),
            document("logs", &allow("logs:*"), iamd_policy::PolicyKind::Identity),
        )]
        .into(),
        attached: vec![LAMBDA.to_string()],
        boundary: None,
        last_used: None,
        linked_service: None,
    };
    let profile = InstanceProfile {
        name: "app-profile".into(),
        id: "AIPAEXAMPLEEXAMPLE01".into(),
        path: "/".into(),
        arn: "arn:aws:iam::111122223333:instance-profile/app-profile".into(),
        create_date: 1_795_423_481,
        roles: vec!["app".into()],
        tags: Vec::new(),
    };
    acct.write(|txn| {
        txn.state.roles.insert("app".into(), Arc::new(role));
        txn.state
            .instance_profiles
            .insert("app-profile".into(), Arc::new(profile));
        Ok(())
    })
    .unwrap();
}

#[test]
fn authorization_details_lists_everything_with_relationships() {
    let (acct, _) = account();
    ok(
        &acct,
        "CreateUser",
        json!({"UserName": "alice", "Tags": [{"Key": "team", "Value": "ops"}]}),
    );
    ok(&acct, "CreateGroup", json!({"GroupName": "ops"}));
    ok(
        &acct,
        "AddUserToGroup",
        json!({"GroupName": "ops", "UserName": "alice"}),
    );
    ok(
        &acct,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "own", "PolicyDocument": allow("iam:GetUser")}),
    );
    ok(
        &acct,
        "AttachGroupPolicy",
        json!({"GroupName": "ops", "PolicyArn": READ_ONLY}),
    );
    ok(
        &acct,
        "PutUserPermissionsBoundary",
        json!({"UserName": "alice", "PermissionsBoundary": ADMIN}),
    );
    ok(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "Local", "PolicyDocument": allow("iam:ListUsers")}),
    );
    add_role(&acct);
    let all = ok(&acct, "GetAccountAuthorizationDetails", json!({}));
    assert_eq!(all["IsTruncated"], false);
    let alice = &all["UserDetailList"][0];
    assert_eq!(alice["UserName"], "alice");
    assert_eq!(alice["GroupList"], json!(["ops"]));
    assert_eq!(alice["UserPolicyList"][0]["PolicyName"], "own");
    let encoded = alice["UserPolicyList"][0]["PolicyDocument"]
        .as_str()
        .unwrap();
    assert!(encoded.contains("%22iam%3AGetUser%22"), "{encoded}");
    assert_eq!(
        alice["PermissionsBoundary"]["PermissionsBoundaryArn"],
        ADMIN
    );
    assert_eq!(alice["Tags"][0]["Key"], "team");
    let ops = &all["GroupDetailList"][0];
    assert_eq!(ops["AttachedManagedPolicies"][0]["PolicyArn"], READ_ONLY);
    let role = &all["RoleDetailList"][0];
    assert_eq!(role["RoleName"], "app");
    assert!(role["AssumeRolePolicyDocument"]
        .as_str()
        .unwrap()
        .contains("sts%3AAssumeRole"));
    assert_eq!(
        role["InstanceProfileList"][0]["InstanceProfileName"],
        "app-profile"
    );
    assert_eq!(
        role["InstanceProfileList"][0]["Roles"][0]["RoleName"],
        "app"
    );
    assert_eq!(role["RolePolicyList"][0]["PolicyName"], "logs");
    assert_eq!(
        role["AttachedManagedPolicies"][0]["PolicyName"],
        "AWSLambdaBasicExecutionRole"
    );
    // Policies: the account's own, and the AWS managed ones in use (attached or boundary).
    let policies = names(&all, "Policies", "PolicyName");
    assert_eq!(
        policies,
        [
            "Local",
            "AdministratorAccess",
            "IAMReadOnlyAccess",
            "AWSLambdaBasicExecutionRole"
        ]
    );
    let read_only = &all["Policies"][2];
    assert_eq!(read_only["AttachmentCount"], 1);
    assert_eq!(read_only["PolicyVersionList"][0]["VersionId"], "v4");
    assert!(read_only["PolicyVersionList"][0]["Document"]
        .as_str()
        .unwrap()
        .contains("iam%3AGet%2A"));
}

#[test]
fn authorization_details_filter_and_pagination() {
    let (acct, _) = account();
    for name in ["u1", "u2"] {
        ok(&acct, "CreateUser", json!({"UserName": name}));
    }
    ok(&acct, "CreateGroup", json!({"GroupName": "g1"}));
    ok(
        &acct,
        "AttachGroupPolicy",
        json!({"GroupName": "g1", "PolicyArn": ADMIN}),
    );
    ok(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "Mine", "PolicyDocument": allow("iam:ListUsers")}),
    );
    add_role(&acct);
    let filtered = |filter: Value| {
        ok(
            &acct,
            "GetAccountAuthorizationDetails",
            json!({"Filter": filter}),
        )
    };
    let only_aws = filtered(json!(["AWSManagedPolicy"]));
    assert_eq!(
        names(&only_aws, "Policies", "PolicyName"),
        ["AdministratorAccess", "AWSLambdaBasicExecutionRole"]
    );
    assert!(only_aws["UserDetailList"].as_array().unwrap().is_empty());
    let local = filtered(json!(["LocalManagedPolicy", "Group"]));
    assert_eq!(names(&local, "Policies", "PolicyName"), ["Mine"]);
    assert_eq!(names(&local, "GroupDetailList", "GroupName"), ["g1"]);
    assert!(local["RoleDetailList"].as_array().unwrap().is_empty());
    let roles = filtered(json!(["Role"]));
    assert_eq!(names(&roles, "RoleDetailList", "RoleName"), ["app"]);
    // Two entries a page, across the four lists: u1 u2 | g1 app | Mine Admin | Lambda.
    let mut pages = Vec::new();
    let mut marker: Option<Value> = None;
    loop {
        let mut input = json!({"MaxItems": 2});
        if let Some(m) = &marker {
            input["Marker"] = m.clone();
        }
        let page = ok(&acct, "GetAccountAuthorizationDetails", input);
        let count: usize = [
            "UserDetailList",
            "GroupDetailList",
            "RoleDetailList",
            "Policies",
        ]
        .iter()
        .map(|l| page[*l].as_array().unwrap().len())
        .sum();
        pages.push(count);
        if page["IsTruncated"] == false {
            break;
        }
        marker = Some(page["Marker"].clone());
    }
    assert_eq!(pages, [2, 2, 2, 1]);
}
