//! AssumeRole and role sessions as callers.

use std::sync::Arc;
use std::time::Duration;

use iamd_policy::PolicyKind;
use serde_json::{json, Value};

use super::super::assume_role::{OVER_CHAINING_MAX, OVER_ROLE_MAX, ROOT_MAY_NOT};
use super::super::input_checks::TRANSITIVE_CONFLICT;
use super::super::sessions::INVALID_CODE;
use super::sessions::{bob_with_device, ADMIN};
use crate::authz::{Caller, Identity, SessionKind};
use crate::crypto::totp;
use crate::model::{Document, Role, Tag};
use crate::testing::{account, call, caller_with, root, user};
use crate::Account;

const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/team/app";
const SERIAL: &str = "arn:aws:iam::111122223333:mfa/bob";
const ACCOUNT_USERS_WITH_MFA: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole",
  "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#;
const GET_USER_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#;

/// Puts role `app` (path `/team/`) straight into the state, as CreateRole would.
fn put_role(acct: &Account, trust: &str, permissions: &str, max_session_duration: i64) -> String {
    let id = format!(
        "AROA{}",
        crate::crypto::request_id().unwrap()[..17].to_uppercase()
    );
    acct.write(|txn| {
        let mut role = Role {
            name: "app".into(),
            id: id.clone(),
            path: "/team/".into(),
            arn: ROLE_ARN.into(),
            create_date: txn.now,
            description: None,
            max_session_duration,
            assume_role_policy: Document::compile("app", trust, PolicyKind::Resource)?,
            tags: vec![Tag {
                key: "team".into(),
                value: "blue".into(),
            }],
            inline: Default::default(),
            attached: Vec::new(),
            boundary: None,
            last_used: None,
            linked_service: None,
        };
        let policy = Document::compile("perms", permissions, PolicyKind::Identity)?;
        role.inline.insert("perms".into(), policy);
        txn.put(crate::entities::Kind::Role, "app", &role)?;
        txn.state.roles.insert("app".into(), Arc::new(role));
        Ok(())
    })
    .unwrap();
    id
}

fn assume(acct: &Account, caller: &Caller, input: Value) -> Result<Value, crate::IamError> {
    call(acct, caller, "sts", "AssumeRole", input)
}

fn code(acct: &Account, seed: &[u8]) -> String {
    totp::code_for_step(seed, totp::step_at(acct.clock.now())).unwrap()
}

#[test]
fn mfa_trust_refuses_long_term_keys_and_accepts_a_code_once() {
    let (acct, clock) = account();
    let seed = bob_with_device(&acct, &clock);
    let role_id = put_role(&acct, ACCOUNT_USERS_WITH_MFA, GET_USER_ONLY, 3600);
    let bob = user(&acct, "bob", None);
    let input = json!({"RoleArn": ROLE_ARN, "RoleSessionName": "s1"});
    let e = assume(&acct, &bob, input.clone()).unwrap_err();
    assert_eq!((e.code, e.status), ("AccessDenied", 403));
    assert!(e.message.starts_with("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/team/app. iamd: "), "{}", e.message);

    let code = code(&acct, &seed);
    let with_mfa = json!({"RoleArn": ROLE_ARN, "RoleSessionName": "s1",
        "SerialNumber": SERIAL, "TokenCode": code});
    let out = assume(&acct, &bob, with_mfa.clone()).unwrap();
    assert_eq!(out["Credentials"]["Expiration"], acct.now() + 3600);
    assert_eq!(
        out["AssumedRoleUser"]["Arn"],
        "arn:aws:sts::111122223333:assumed-role/app/s1"
    );
    assert_eq!(
        out["AssumedRoleUser"]["AssumedRoleId"],
        format!("{role_id}:s1")
    );
    assert!(out.get("PackedPolicySize").is_none());

    let session = caller_with(&acct, &out).unwrap();
    assert_eq!(session.session, Some(SessionKind::AssumedRole));
    assert!(session.mfa.unwrap().present);
    let me = call(&acct, &session, "sts", "GetCallerIdentity", json!({})).unwrap();
    assert_eq!(me["Arn"], "arn:aws:sts::111122223333:assumed-role/app/s1");
    assert_eq!(me["UserId"], format!("{role_id}:s1"));
    // The role's permissions, not bob's (who is an administrator).
    call(
        &acct,
        &session,
        "iam",
        "GetUser",
        json!({"UserName": "bob"}),
    )
    .unwrap();
    let denied = call(&acct, &session, "iam", "ListUsers", json!({})).unwrap_err();
    assert!(denied.message.starts_with("User: arn:aws:sts::111122223333:assumed-role/app/s1 is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::111122223333:user/ because no identity-based policy allows the iam:ListUsers action"), "{}", denied.message);
    let no_name = call(&acct, &session, "iam", "GetUser", json!({})).unwrap_err();
    assert_eq!(
        (no_name.code, no_name.message.as_str()),
        (
            "ValidationError",
            "Must specify userName when calling with non-User credentials"
        )
    );

    // The code is single use.
    let replay = assume(&acct, &bob, with_mfa).unwrap_err();
    assert_eq!(replay.message, INVALID_CODE);

    // Audit: the role session's calls carry its issuer.
    let events = acct.audit_events(20).unwrap();
    let assumed = events
        .iter()
        .find(|e| e.event_name == "AssumeRole" && !e.body.contains("errorCode"))
        .unwrap();
    let body: Value = serde_json::from_str(&assumed.body).unwrap();
    assert_eq!(body["userIdentity"]["type"], "IAMUser");
    assert_eq!(
        body["requestParameters"]["tokenCode"],
        "HIDDEN_DUE_TO_SECURITY_REASONS"
    );
    let identity = crate::audit::user_identity(&session, "111122223333");
    assert_eq!(identity["type"], "AssumedRole");
    assert_eq!(identity["principalId"], format!("{role_id}:s1"));
    assert!(identity.get("userName").is_none());
    let issuer = &identity["sessionContext"]["sessionIssuer"];
    assert_eq!(
        (
            issuer["type"].as_str(),
            issuer["arn"].as_str(),
            issuer["userName"].as_str()
        ),
        (Some("Role"), Some(ROLE_ARN), Some("app"))
    );
    assert_eq!(
        identity["sessionContext"]["attributes"]["mfaAuthenticated"],
        "true"
    );
    assert_eq!(
        identity["sessionContext"]["attributes"]["creationDate"],
        crate::time::iso8601(acct.now())
    );
}

#[test]
fn trust_naming_the_user_needs_no_identity_policy() {
    let (acct, _) = account();
    let r = root();
    for name in ["carol", "dave"] {
        call(&acct, &r, "iam", "CreateUser", json!({"UserName": name})).unwrap();
    }
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::111122223333:user/carol"},"Action":"sts:AssumeRole"}]}"#;
    put_role(&acct, trust, GET_USER_ONLY, 3600);
    let input = json!({"RoleArn": ROLE_ARN, "RoleSessionName": "c"});
    let carol = user(&acct, "carol", None);
    let out = assume(&acct, &carol, input.clone()).unwrap();
    let session = caller_with(&acct, &out).unwrap();
    // Long-term keys give a session without MFA: the key is present and false.
    assert!(!session.mfa.unwrap().present);
    let dave = user(&acct, "dave", None);
    assert_eq!(
        assume(&acct, &dave, input).unwrap_err().code,
        "AccessDenied"
    );
    // Unknown roles are refused as AWS does, without saying they do not exist.
    let e = assume(
        &acct,
        &carol,
        json!({"RoleArn": "arn:aws:iam::111122223333:role/nope", "RoleSessionName": "c"}),
    )
    .unwrap_err();
    assert_eq!(e.message, "User: arn:aws:iam::111122223333:user/carol is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/nope");
    // A path that is not the role's is another ARN.
    let e = assume(
        &acct,
        &carol,
        json!({"RoleArn": "arn:aws:iam::111122223333:role/app", "RoleSessionName": "c"}),
    )
    .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    let e = assume(
        &acct,
        &r,
        json!({"RoleArn": ROLE_ARN, "RoleSessionName": "c"}),
    )
    .unwrap_err();
    assert_eq!((e.code, e.message.as_str()), ("AccessDenied", ROOT_MAY_NOT));
}

/// A role trusting any user of the account whose policies allow it, and `bob` (admin).
fn admin_role(acct: &Account, clock: &crate::clock::ManualClock, max: i64) -> Caller {
    bob_with_device(acct, clock);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"111122223333"},"Action":["sts:AssumeRole","sts:TagSession"]}]}"#;
    put_role(acct, trust, ADMIN, max);
    user(acct, "bob", None)
}

#[test]
fn session_policies_and_the_boundary_narrow_the_role() {
    let (acct, clock) = account();
    let bob = admin_role(&acct, &clock, 3600);
    let out = assume(
        &acct,
        &bob,
        json!({"RoleArn": ROLE_ARN, "RoleSessionName": "narrow", "Policy": GET_USER_ONLY}),
    )
    .unwrap();
    assert_eq!(out["PackedPolicySize"], 5);
    let narrow = caller_with(&acct, &out).unwrap();
    call(&acct, &narrow, "iam", "GetUser", json!({"UserName": "bob"})).unwrap();
    let e = call(&acct, &narrow, "iam", "ListUsers", json!({})).unwrap_err();
    assert!(
        e.message
            .contains("because no session policy allows the iam:ListUsers action"),
        "{}",
        e.message
    );

    // A managed session policy that does not exist allows nothing.
    let out = assume(
        &acct,
        &bob,
        json!({"RoleArn": ROLE_ARN, "RoleSessionName": "gone",
               "PolicyArns": [{"arn": "arn:aws:iam::111122223333:policy/missing"}]}),
    )
    .unwrap();
    let gone = caller_with(&acct, &out).unwrap();
    let e = call(&acct, &gone, "iam", "GetUser", json!({"UserName": "bob"})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");

    // A boundary on the role limits its sessions, even those made before it was set.
    let unlimited = caller_with(
        &acct,
        &assume(
            &acct,
            &bob,
            json!({"RoleArn": ROLE_ARN, "RoleSessionName": "b"}),
        )
        .unwrap(),
    )
    .unwrap();
    call(&acct, &unlimited, "iam", "ListUsers", json!({})).unwrap();
    let created = call(
        &acct,
        &root(),
        "iam",
        "CreatePolicy",
        json!({"PolicyName": "only-get-user", "PolicyDocument": GET_USER_ONLY}),
    )
    .unwrap();
    let boundary = created["Policy"]["Arn"].as_str().unwrap().to_string();
    acct.write(|txn| {
        let mut role = (**txn.state.role("app").unwrap()).clone();
        role.boundary = Some(boundary.clone());
        txn.state.roles.insert("app".into(), Arc::new(role));
        Ok(())
    })
    .unwrap();
    let e = call(&acct, &unlimited, "iam", "ListUsers", json!({})).unwrap_err();
    assert!(
        e.message
            .contains("because no permissions boundary allows the iam:ListUsers action"),
        "{}",
        e.message
    );
    call(
        &acct,
        &unlimited,
        "iam",
        "GetUser",
        json!({"UserName": "bob"}),
    )
    .unwrap();

    // Too large a session policy.
    let big = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::111122223333:user/{}"}}]}}"#,
        "x".repeat(2100)
    );
    let e = assume(
        &acct,
        &bob,
        json!({"RoleArn": ROLE_ARN, "RoleSessionName": "big", "Policy": big}),
    )
    .unwrap_err();
    assert_eq!(e.code, "PackedPolicyTooLarge");
    assert!(
        e.message.starts_with("Packed policy consumes 1"),
        "{}",
        e.message
    );
    let e = assume(
        &acct,
        &bob,
        json!({"RoleArn": ROLE_ARN, "RoleSessionName": "bad", "Policy": "{"}),
    )
    .unwrap_err();
    assert_eq!(e.code, "MalformedPolicyDocument");
}

#[test]
fn durations_chaining_and_the_role_lifecycle() {
    let (acct, clock) = account();
    let bob = admin_role(&acct, &clock, 7200);
    let input = |name: &str, seconds: i64| json!({"RoleArn": ROLE_ARN, "RoleSessionName": name, "DurationSeconds": seconds});
    let e = assume(&acct, &bob, input("long", 7201)).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("ValidationError", OVER_ROLE_MAX)
    );
    let out = assume(&acct, &bob, input("two-hours", 7200)).unwrap();
    assert_eq!(out["Credentials"]["Expiration"], acct.now() + 7200);
    let session = caller_with(&acct, &out).unwrap();

    // Role chaining: a role session assumes a role, for at most an hour.
    let e = assume(&acct, &session, input("chained", 3601)).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("ValidationError", OVER_CHAINING_MAX)
    );
    let chained = assume(&acct, &session, input("chained", 3600)).unwrap();
    let chained_session = caller_with(&acct, &chained).unwrap();
    assert!(matches!(&chained_session.identity,
        Identity::AssumedRole(a) if a.session_name == "chained"));
    let stored = acct.snapshot();
    let key = chained["Credentials"]["AccessKeyId"].as_str().unwrap();
    assert!(
        stored
            .sessions
            .get(key)
            .unwrap()
            .role
            .as_ref()
            .unwrap()
            .chained
    );

    // Sessions expire.
    clock.advance(Duration::from_secs(3601));
    assert!(caller_with(&acct, &chained).is_none());
    assert!(caller_with(&acct, &out).is_some());

    // Deleting the role ends its sessions, also when a role of that name comes back.
    acct.write(|txn| {
        txn.state.roles.remove("app");
        Ok(())
    })
    .unwrap();
    assert!(caller_with(&acct, &out).is_none());
    put_role(&acct, ACCOUNT_USERS_WITH_MFA, ADMIN, 3600);
    assert!(caller_with(&acct, &out).is_none());
    let e = call(&acct, &session, "iam", "ListUsers", json!({})).unwrap_err();
    assert_eq!(e.code, "InvalidClientTokenId");
}

#[test]
fn tags_external_id_and_source_identity_in_the_context() {
    let (acct, clock) = account();
    bob_with_device(&acct, &clock);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"111122223333"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],
      "Condition":{"StringEquals":{"sts:ExternalId":"ext-1"}}}]}"#;
    let by_tag = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"},
      {"Effect":"Allow","Action":"iam:GetUser",
      "Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red",
      "aws:PrincipalType":"AssumedRole","aws:PrincipalArn":"arn:aws:iam::111122223333:role/team/app",
      "aws:SourceIdentity":"bob@example"}}}]}"#;
    put_role(&acct, trust, by_tag, 3600);
    let bob = user(&acct, "bob", None);
    let e = assume(
        &acct,
        &bob,
        json!({"RoleArn": ROLE_ARN, "RoleSessionName": "t"}),
    )
    .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    let base = json!({"RoleArn": ROLE_ARN, "RoleSessionName": "t", "ExternalId": "ext-1",
        "SourceIdentity": "bob@example"});
    // The role's tag `team=blue` does not match.
    let blue = caller_with(&acct, &assume(&acct, &bob, base.clone()).unwrap()).unwrap();
    let e = call(&acct, &blue, "iam", "GetUser", json!({"UserName": "bob"})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    // A session tag overrides it, and is passed on when transitive.
    let mut tagged = base.clone();
    tagged["Tags"] = json!([{"Key": "team", "Value": "red"}]);
    tagged["TransitiveTagKeys"] = json!(["team"]);
    let out = assume(&acct, &bob, tagged).unwrap();
    assert_eq!(out["SourceIdentity"], "bob@example");
    let red = caller_with(&acct, &out).unwrap();
    call(&acct, &red, "iam", "GetUser", json!({"UserName": "bob"})).unwrap();
    let mut chained_input = base;
    chained_input["RoleSessionName"] = json!("t2");
    // A transitive tag of the calling session cannot be set again, in any case (AWS's
    // answer recorded by LocalStack, test_iam_role_chaining_override_transitive_tags).
    for key in ["team", "TEAM"] {
        let mut overriding = chained_input.clone();
        overriding["Tags"] = json!([{"Key": key, "Value": "blue"}]);
        let e = assume(&acct, &red, overriding).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("InvalidParameterValue", TRANSITIVE_CONFLICT)
        );
    }
    // Without it, the chained session inherits `team=red`.
    let chained = caller_with(&acct, &assume(&acct, &red, chained_input).unwrap()).unwrap();
    call(
        &acct,
        &chained,
        "iam",
        "GetUser",
        json!({"UserName": "bob"}),
    )
    .unwrap();
}

#[test]
fn role_last_use_is_the_newest_of_memory_and_store() {
    let (acct, clock) = account();
    let id = put_role(&acct, ACCOUNT_USERS_WITH_MFA, ADMIN, 3600);
    let role = acct.snapshot().role("app").unwrap().clone();
    assert_eq!(acct.role_last_used(&role), None);
    acct.record_key_use(&id, "iam", "eu-west-1");
    let recorded = (acct.now(), "eu-west-1".to_string());
    assert_eq!(acct.role_last_used(&role), Some(recorded.clone()));
    let mut stored = (*role).clone();
    stored.last_used = Some((acct.now() - 10, "us-east-1".into()));
    assert_eq!(acct.role_last_used(&stored), Some(recorded));
    clock.advance(Duration::from_secs(60));
    stored.last_used = Some((acct.now(), "us-east-1".into()));
    assert_eq!(acct.role_last_used(&stored), stored.last_used);
}

#[test]
fn a_deny_in_the_trust_policy_wins() {
    let (acct, clock) = account();
    bob_with_device(&acct, &clock);
    let trust = r#"{"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"},
      {"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole",
       "Condition":{"StringEquals":{"sts:RoleSessionName":"blocked"}}}]}"#;
    put_role(&acct, trust, ADMIN, 3600);
    let bob = user(&acct, "bob", None);
    assume(
        &acct,
        &bob,
        json!({"RoleArn": ROLE_ARN, "RoleSessionName": "fine"}),
    )
    .unwrap();
    let e = assume(
        &acct,
        &bob,
        json!({"RoleArn": ROLE_ARN, "RoleSessionName": "blocked"}),
    )
    .unwrap_err();
    assert!(e.message.starts_with("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/team/app with an explicit deny in a resource-based policy"), "{}", e.message);
}
