//! Last-accessed data computed from the audit trail, the policies granting a service, and
//! the STS preferences, called as the server would.

use serde_json::{json, Value};

use super::policies::{fails, iam, ok};
use crate::testing::{account, user};

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

fn job(acct: &crate::account::Account, arn: &str, granularity: &str) -> String {
    let out = ok(
        acct,
        "GenerateServiceLastAccessedDetails",
        json!({"Arn": arn, "Granularity": granularity}),
    );
    out["JobId"].as_str().unwrap().to_string()
}

fn service<'a>(details: &'a Value, namespace: &str) -> &'a Value {
    details["ServicesLastAccessed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["ServiceNamespace"] == namespace)
        .unwrap_or_else(|| panic!("no {namespace} in {details}"))
}

#[test]
fn last_access_comes_from_the_calls_recorded() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "alice"}));
    ok(&acct, "CreateUser", json!({"UserName": "bob"}));
    ok(&acct, "CreateGroup", json!({"GroupName": "devs"}));
    for name in ["alice", "bob"] {
        ok(
            &acct,
            "AddUserToGroup",
            json!({"GroupName": "devs", "UserName": name}),
        );
    }
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","s3:GetObject"],"Resource":"*"}]}"#;
    ok(
        &acct,
        "PutGroupPolicy",
        json!({"GroupName": "devs", "PolicyName": "read", "PolicyDocument": doc}),
    );
    let start = acct.now();
    let alice = user(&acct, "alice", None);
    iam(&acct, &alice, "GetUser", json!({})).unwrap();
    // A refused attempt counts too, as AWS counts attempts.
    assert!(iam(&acct, &alice, "ListUsers", json!({})).is_err());

    let id = job(&acct, ALICE, "ACTION_LEVEL");
    let details = ok(&acct, "GetServiceLastAccessedDetails", json!({"JobId": id}));
    assert_eq!(details["JobStatus"], "COMPLETED");
    assert_eq!(details["JobType"], "ACTION_LEVEL");
    let iam_service = service(&details, "iam");
    assert_eq!(
        iam_service["ServiceName"],
        "AWS Identity and Access Management"
    );
    assert_eq!(iam_service["LastAuthenticated"], start);
    assert_eq!(iam_service["LastAuthenticatedEntity"], ALICE);
    assert_eq!(iam_service["LastAuthenticatedRegion"], "us-east-1");
    assert_eq!(iam_service["TotalAuthenticatedEntities"], 1);
    let tracked = iam_service["TrackedActionsLastAccessed"]
        .as_array()
        .unwrap();
    let get_user = tracked
        .iter()
        .find(|a| a["ActionName"] == "GetUser")
        .unwrap();
    assert_eq!(get_user["LastAccessedEntity"], ALICE);
    let get_group = tracked
        .iter()
        .find(|a| a["ActionName"] == "GetGroup")
        .unwrap();
    assert!(get_group.get("LastAccessedTime").is_none());
    // Only what the policies allow: ListUsers is not a tracked action here.
    assert!(tracked.iter().all(|a| a["ActionName"] != "ListUsers"));
    let s3 = service(&details, "s3");
    assert!(s3.get("LastAuthenticated").is_none());

    // The group's report counts its users; bob made no call.
    let group = job(
        &acct,
        "arn:aws:iam::111122223333:group/devs",
        "SERVICE_LEVEL",
    );
    let entities = ok(
        &acct,
        "GetServiceLastAccessedDetailsWithEntities",
        json!({"JobId": group, "ServiceNamespace": "iam"}),
    );
    let list = entities["EntityDetailsList"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    let alice_entry = list
        .iter()
        .find(|e| e["EntityInfo"]["Name"] == "alice")
        .unwrap();
    assert_eq!(alice_entry["LastAuthenticated"], start);
    assert_eq!(alice_entry["EntityInfo"]["Type"], "USER");
    let bob_entry = list
        .iter()
        .find(|e| e["EntityInfo"]["Name"] == "bob")
        .unwrap();
    assert!(bob_entry.get("LastAuthenticated").is_none());

    let granting = ok(
        &acct,
        "ListPoliciesGrantingServiceAccess",
        json!({"Arn": ALICE, "ServiceNamespaces": ["iam", "ec2"]}),
    );
    assert_eq!(
        granting["PoliciesGrantingServiceAccess"],
        json!([
            {"ServiceNamespace": "iam", "Policies": [{"PolicyName": "read",
                "PolicyType": "INLINE", "EntityType": "GROUP", "EntityName": "devs"}]},
            {"ServiceNamespace": "ec2", "Policies": []},
        ])
    );
}

#[test]
fn last_accessed_bad_input() {
    let (acct, _) = account();
    fails(
        &acct,
        "GenerateServiceLastAccessedDetails",
        json!({"Arn": "arn:aws:iam::111122223333:user/nobody"}),
        "NoSuchEntity",
        "The user with ARN arn:aws:iam::111122223333:user/nobody cannot be found.",
    );
    fails(
        &acct,
        "GenerateServiceLastAccessedDetails",
        json!({"Arn": "arn:aws:s3:::bucket"}),
        "InvalidInput",
        "ARN arn:aws:s3:::bucket is not valid.",
    );
    let missing = "00000000-0000-4000-8000-000000000000";
    fails(
        &acct,
        "GetServiceLastAccessedDetails",
        json!({"JobId": missing}),
        "NoSuchEntity",
        &format!("The job with id {missing} cannot be found."),
    );
    fails(
        &acct,
        "ListPoliciesGrantingServiceAccess",
        json!({"Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "ServiceNamespaces": ["iam"]}),
        "InvalidInput",
        "ARN arn:aws:iam::aws:policy/ReadOnlyAccess is not valid.",
    );
    // A managed policy's report: no entity attached, nothing accessed.
    let id = job(
        &acct,
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "SERVICE_LEVEL",
    );
    // ReadOnlyAccess (AWS's full document) grants hundreds of services: one page of all.
    let details = ok(
        &acct,
        "GetServiceLastAccessedDetails",
        json!({"JobId": id, "MaxItems": 1000}),
    );
    assert_eq!(details["IsTruncated"], false);
    assert!(service(&details, "iam").get("LastAuthenticated").is_none());
}

#[test]
fn sts_preferences_show_in_the_summary() {
    let (acct, _) = account();
    let version = |acct: &crate::account::Account| {
        ok(acct, "GetAccountSummary", json!({}))["SummaryMap"]["GlobalEndpointTokenVersion"].clone()
    };
    assert_eq!(version(&acct), 1);
    ok(
        &acct,
        "SetSecurityTokenServicePreferences",
        json!({"GlobalEndpointTokenVersion": "v2Token"}),
    );
    assert_eq!(version(&acct), 2);
    ok(
        &acct,
        "SetSecurityTokenServicePreferences",
        json!({"GlobalEndpointTokenVersion": "v1Token"}),
    );
    assert_eq!(version(&acct), 1);
}

#[test]
fn the_last_thousand_jobs_are_kept() {
    let (acct, _) = account();
    let policy = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    let first = job(&acct, policy, "SERVICE_LEVEL");
    let mut last = String::new();
    for _ in 0..1000 {
        last = job(&acct, policy, "SERVICE_LEVEL");
    }
    assert_eq!(acct.snapshot().access_jobs.len(), 1000);
    fails(
        &acct,
        "GetServiceLastAccessedDetails",
        json!({"JobId": first}),
        "NoSuchEntity",
        &format!("The job with id {first} cannot be found."),
    );
    ok(
        &acct,
        "GetServiceLastAccessedDetails",
        json!({"JobId": last}),
    );
}
