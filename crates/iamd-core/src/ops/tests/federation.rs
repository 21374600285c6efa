//! GetFederationToken and federated user sessions as callers.

use serde_json::{json, Value};

use super::super::federation_token::WITH_SESSION_CREDENTIALS;
use crate::authz::{Caller, SessionKind};
use crate::testing::{account, call, caller_with, root, user};
use crate::Account;

const S3_READ: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:GetUser","sts:GetFederationToken"],"Resource":"*"}]}"#;
const FED_ARN: &str = "arn:aws:sts::111122223333:federated-user/carol";

/// Creates user `alice` allowed `permissions`, and returns her as a caller.
fn alice(acct: &Account, permissions: &str) -> Caller {
    let r = root();
    call(acct, &r, "iam", "CreateUser", json!({"UserName": "alice"})).unwrap();
    call(
        acct,
        &r,
        "iam",
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "p", "PolicyDocument": permissions}),
    )
    .unwrap();
    user(acct, "alice", None)
}

fn federate(acct: &Account, caller: &Caller, input: Value) -> Result<Value, crate::IamError> {
    call(acct, caller, "sts", "GetFederationToken", input)
}

/// Whether `caller` may do `action` on `resource`, decided by the one authorization path.
fn allowed(acct: &Account, caller: &Caller, action: &str) -> bool {
    crate::authz::authorize(
        &acct.snapshot(),
        &acct.sealing,
        caller,
        action,
        "arn:aws:s3:::bucket/key",
        &[],
        acct.now(),
    )
    .is_ok()
}

#[test]
fn a_federated_session_is_the_intersection_of_the_user_and_the_session_policy() {
    let (acct, _) = account();
    let alice = alice(&acct, S3_READ);
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","ec2:*"],"Resource":"*"}]}"#;
    let out = federate(&acct, &alice, json!({"Name": "carol", "Policy": policy})).unwrap();
    assert_eq!(out["FederatedUser"]["Arn"], FED_ARN);
    assert_eq!(
        out["FederatedUser"]["FederatedUserId"],
        "111122223333:carol"
    );
    assert_eq!(out["Credentials"]["Expiration"], acct.now() + 43_200);
    assert!(out["PackedPolicySize"].as_u64().unwrap() > 0);

    let carol = caller_with(&acct, &out).unwrap();
    assert_eq!(carol.session, Some(SessionKind::Federated));
    assert_eq!(carol.principal.arn, FED_ARN);
    assert_eq!(carol.user_id, "111122223333:carol");
    // Both allow s3:GetObject; only the session policy allows ec2, only alice's iam:GetUser.
    assert!(allowed(&acct, &carol, "s3:GetObject"));
    assert!(!allowed(&acct, &carol, "ec2:RunInstances"));
    assert!(!allowed(&acct, &carol, "s3:PutObject"));
    let me = call(&acct, &carol, "sts", "GetCallerIdentity", json!({})).unwrap();
    assert_eq!(me["Arn"], FED_ARN);
    assert_eq!(me["UserId"], "111122223333:carol");
}

#[test]
fn without_a_session_policy_the_session_may_do_nothing() {
    let (acct, _) = account();
    let alice = alice(&acct, S3_READ);
    let out = federate(&acct, &alice, json!({"Name": "carol"})).unwrap();
    assert!(out.get("PackedPolicySize").is_none());
    let carol = caller_with(&acct, &out).unwrap();
    assert!(!allowed(&acct, &carol, "s3:GetObject"));
}

#[test]
fn managed_session_policies_limit_the_session() {
    let (acct, _) = account();
    let alice = alice(&acct, super::sessions::ADMIN);
    let get_only = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let created = call(
        &acct,
        &root(),
        "iam",
        "CreatePolicy",
        json!({"PolicyName": "get", "PolicyDocument": get_only}),
    )
    .unwrap();
    let arn = created["Policy"]["Arn"].as_str().unwrap();
    let input = json!({"Name": "carol", "PolicyArns": [{"arn": arn}]});
    let carol = caller_with(&acct, &federate(&acct, &alice, input).unwrap()).unwrap();
    assert!(allowed(&acct, &carol, "s3:GetObject"));
    assert!(!allowed(&acct, &carol, "s3:PutObject"));
}

#[test]
fn federated_sessions_may_call_no_iam_and_only_get_caller_identity_in_sts() {
    let (acct, _) = account();
    let alice = alice(&acct, super::sessions::ADMIN);
    let out = federate(
        &acct,
        &alice,
        json!({"Name": "carol", "Policy": super::sessions::ADMIN}),
    )
    .unwrap();
    let carol = caller_with(&acct, &out).unwrap();
    let iam = call(
        &acct,
        &carol,
        "iam",
        "GetUser",
        json!({"UserName": "alice"}),
    )
    .unwrap_err();
    assert_eq!(iam.code, "InvalidClientTokenId");
    let sts = call(&acct, &carol, "sts", "GetSessionToken", json!({})).unwrap_err();
    assert_eq!(
        (sts.code, sts.message.as_str()),
        (
            "AccessDenied",
            "Credentials from GetFederationToken can call only GetCallerIdentity in STS, not GetSessionToken."
        )
    );
    // Not with session credentials of any kind.
    let again = federate(&acct, &carol, json!({"Name": "dave"})).unwrap_err();
    assert_eq!(again.message, "Credentials from GetFederationToken can call only GetCallerIdentity in STS, not GetFederationToken.");
    let mfa = crate::authz::MfaInfo {
        present: true,
        authenticated_at: Some(acct.now()),
    };
    let token_session = user(&acct, "alice", Some(mfa));
    let e = federate(&acct, &token_session, json!({"Name": "dave"})).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("AccessDenied", WITH_SESSION_CREDENTIALS)
    );
}

#[test]
fn the_caller_needs_get_federation_token_on_the_federated_user() {
    let (acct, _) = account();
    let only_carol = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::111122223333:federated-user/carol"}]}"#;
    let alice = alice(&acct, only_carol);
    federate(&acct, &alice, json!({"Name": "carol"})).unwrap();
    let e = federate(&acct, &alice, json!({"Name": "dave"})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(e.message.starts_with("User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::111122223333:federated-user/dave because no identity-based policy allows"), "{}", e.message);
    // Session tags need sts:TagSession too.
    let tagged = json!({"Name": "carol", "Tags": [{"Key": "team", "Value": "blue"}]});
    let e = federate(&acct, &alice, tagged).unwrap_err();
    assert!(e.message.contains("sts:TagSession"), "{}", e.message);
}

#[test]
fn root_sessions_last_at_most_an_hour_and_users_choose() {
    let (acct, _) = account();
    let out = federate(
        &acct,
        &root(),
        json!({"Name": "carol", "DurationSeconds": 7200}),
    )
    .unwrap();
    assert_eq!(out["Credentials"]["Expiration"], acct.now() + 3_600);
    let alice = alice(&acct, super::sessions::ADMIN);
    let input = json!({"Name": "carol", "DurationSeconds": 129_600});
    let out = federate(&acct, &alice, input).unwrap();
    assert_eq!(out["Credentials"]["Expiration"], acct.now() + 129_600);
}

#[test]
fn a_root_federated_session_is_limited_by_its_session_policy() {
    let (acct, _) = account();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let out = federate(&acct, &root(), json!({"Name": "ops", "Policy": policy})).unwrap();
    let ops = caller_with(&acct, &out).unwrap();
    assert!(allowed(&acct, &ops, "s3:GetObject"));
    assert!(!allowed(&acct, &ops, "s3:PutObject"));
}

#[test]
fn bad_session_policies_are_refused() {
    let (acct, _) = account();
    let alice = alice(&acct, super::sessions::ADMIN);
    let e = federate(&acct, &alice, json!({"Name": "carol", "Policy": "{nope"})).unwrap_err();
    assert_eq!(e.code, "MalformedPolicyDocument");
    let huge = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{}"}}]}}"#,
        "b".repeat(2_100)
    );
    let e = federate(&acct, &alice, json!({"Name": "carol", "Policy": huge})).unwrap_err();
    assert_eq!(e.code, "PackedPolicyTooLarge");
}

#[test]
fn sessions_of_a_deleted_user_stop_working_and_calls_are_audited() {
    let (acct, _) = account();
    let alice = alice(&acct, super::sessions::ADMIN);
    let tagged = json!({"Name": "carol", "Policy": super::sessions::ADMIN,
        "Tags": [{"Key": "team", "Value": "blue"}]});
    let out = federate(&acct, &alice, tagged).unwrap();
    let carol = caller_with(&acct, &out).unwrap();
    let context = carol.context(&acct.snapshot(), acct.now());
    assert_eq!(
        context.single("aws:principaltag/team").map(str::to_string),
        Some("blue".to_string())
    );
    assert_eq!(
        context.single("aws:principaltype").map(str::to_string),
        Some("FederatedUser".to_string())
    );
    let identity = crate::audit::user_identity(&carol, "111122223333");
    assert_eq!(identity["type"], "FederatedUser");
    assert_eq!(identity["principalId"], "111122223333:carol");
    assert_eq!(
        identity["sessionContext"]["sessionIssuer"]["type"],
        "IAMUser"
    );
    assert_eq!(
        identity["sessionContext"]["sessionIssuer"]["userName"],
        "alice"
    );
    let events = acct.audit_events(20).unwrap();
    assert!(events.iter().any(|e| e.event_name == "GetFederationToken"));

    let r = root();
    call(
        &acct,
        &r,
        "iam",
        "DeleteUserPolicy",
        json!({"UserName": "alice", "PolicyName": "p"}),
    )
    .unwrap();
    call(&acct, &r, "iam", "DeleteUser", json!({"UserName": "alice"})).unwrap();
    assert!(caller_with(&acct, &out).is_none());
}

#[test]
fn a_stored_session_policy_is_compiled_again_when_loaded() {
    let (acct, _) = account();
    let alice = alice(&acct, S3_READ);
    let out = federate(&acct, &alice, json!({"Name": "carol", "Policy": S3_READ})).unwrap();
    let key = out["Credentials"]["AccessKeyId"].as_str().unwrap();
    let state = acct.snapshot();
    let stored = serde_json::to_string(&**state.sessions.get(key).unwrap()).unwrap();
    let record = crate::store::Record {
        kind: "session".into(),
        key: key.into(),
        body: stored,
    };
    let loaded = crate::state::AccountState::from_records("111122223333", vec![record]).unwrap();
    let federated = loaded.sessions.get(key).unwrap().federated.clone().unwrap();
    assert!(federated.policy.unwrap().compiled().is_some());
}
