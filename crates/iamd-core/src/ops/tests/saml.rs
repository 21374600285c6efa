//! AssumeRoleWithSAML, called as the server would (unsigned), with responses signed by the
//! test IdP (`saml_assertion::test_idp`).

use serde_json::{json, Value};

use super::policies::ok;
use crate::account::Account;
use crate::authz::Caller;
use crate::error::IamError;
use crate::saml_assertion::test_idp::{self, aws, Response};
use crate::saml_assertion::{NOT_AUTHORIZED, NO_PROVIDER, REPLAYED};
use crate::testing::{account, call, caller_with};

const PROVIDER: &str = "arn:aws:iam::111122223333:saml-provider/corp";
const ADMIN: &str = "arn:aws:iam::111122223333:role/admin";

fn anonymous() -> Caller {
    Caller::anonymous("192.0.2.1", true)
}

/// The provider, and a role trusting it for `actions` under `condition`.
fn setup(acct: &Account, role: &str, actions: Value, condition: Value) {
    if acct.snapshot().saml_providers.is_empty() {
        ok(
            acct,
            "CreateSAMLProvider",
            json!({"Name": "corp", "SAMLMetadataDocument": test_idp::metadata()}),
        );
    }
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": PROVIDER},
        "Action": actions, "Condition": condition
    }]});
    let input = json!({"RoleName": role, "AssumeRolePolicyDocument": trust.to_string()});
    ok(acct, "CreateRole", input);
}

fn aws_condition() -> Value {
    json!({"StringEquals": {
        "saml:aud": "https://signin.aws.amazon.com/saml",
        "saml:iss": test_idp::ENTITY_ID,
        "saml:doc": "111122223333/corp",
        "saml:sub_type": "persistent",
    }})
}

fn assume(
    acct: &Account,
    role: &str,
    response: &Response,
    extra: Value,
) -> Result<Value, IamError> {
    let mut input = json!({
        "RoleArn": role,
        "PrincipalArn": PROVIDER,
        "SAMLAssertion": response.encoded(),
    });
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    call(acct, &anonymous(), "sts", "AssumeRoleWithSAML", input)
}

fn code_message(e: IamError) -> (String, String) {
    (e.code.to_string(), e.message)
}

#[test]
fn grants_the_role_the_assertion_offers_and_the_trust_policy_allows() {
    let (acct, _) = account();
    setup(
        &acct,
        "admin",
        json!("sts:AssumeRoleWithSAML"),
        aws_condition(),
    );
    let now = acct.now();
    let out = assume(
        &acct,
        ADMIN,
        &Response::new(now, ADMIN, PROVIDER),
        json!({}),
    )
    .unwrap();
    assert_eq!(
        out["AssumedRoleUser"]["Arn"],
        "arn:aws:sts::111122223333:assumed-role/admin/alice"
    );
    assert_eq!(out["Subject"], "alice@example.com");
    assert_eq!(out["SubjectType"], "persistent");
    assert_eq!(out["Issuer"], test_idp::ENTITY_ID);
    assert_eq!(out["Audience"], "https://signin.aws.amazon.com/saml");
    assert_eq!(out["NameQualifier"].as_str().unwrap().len(), 28);
    assert_eq!(out["Credentials"]["Expiration"], now + 3600);
    let session = caller_with(&acct, &out).unwrap();
    assert_eq!(
        session.principal.arn,
        "arn:aws:sts::111122223333:assumed-role/admin/alice"
    );
    // The audit record names the SAML user, never the assertion.
    let events = acct.audit_events(20).unwrap();
    let event = events
        .iter()
        .find(|e| e.event_name == "AssumeRoleWithSAML")
        .unwrap();
    let body: Value = serde_json::from_str(&event.body).unwrap();
    let identity = &body["userIdentity"];
    assert_eq!(identity["type"], "SAMLUser");
    assert_eq!(identity["userName"], "alice@example.com");
    assert_eq!(identity["identityProvider"], out["NameQualifier"]);
    assert_eq!(
        identity["principalId"],
        format!(
            "{}:alice@example.com",
            out["NameQualifier"].as_str().unwrap()
        )
    );
    assert_eq!(
        body["requestParameters"]["sAMLAssertion"],
        "HIDDEN_DUE_TO_SECURITY_REASONS"
    );
    assert_eq!(body["responseElements"]["subject"], "alice@example.com");
    assert!(!event
        .body
        .contains(&Response::new(now, ADMIN, PROVIDER).encoded()[..40]));
}

#[test]
fn an_assertion_is_accepted_once() {
    let (acct, clock) = account();
    setup(&acct, "admin", json!("sts:AssumeRoleWithSAML"), json!({}));
    setup(
        &acct,
        "strict",
        json!("sts:AssumeRoleWithSAML"),
        json!({"StringEquals": {"saml:sub": "bob@example.com"}}),
    );
    let strict = "arn:aws:iam::111122223333:role/strict";
    let r = Response::new(acct.now(), ADMIN, PROVIDER).with(
        test_idp::ROLE_ATTRIBUTE,
        &[
            &format!("{ADMIN},{PROVIDER}"),
            &format!("{strict},{PROVIDER}"),
        ],
    );
    // A refused call does not use the assertion up.
    let e = assume(&acct, strict, &r, json!({})).unwrap_err();
    assert_eq!(
        code_message(e),
        ("AccessDenied".into(), NOT_AUTHORIZED.into())
    );
    assume(&acct, ADMIN, &r, json!({})).unwrap();
    let e = assume(&acct, ADMIN, &r, json!({})).unwrap_err();
    assert_eq!(
        code_message(e),
        ("InvalidIdentityToken".into(), REPLAYED.into())
    );
    // The record lasts as long as the assertion could be used, then the purge drops it.
    assert_eq!(acct.snapshot().saml_assertions.len(), 1);
    clock.advance(std::time::Duration::from_secs(300));
    crate::session_purge::purge_expired_sessions(&acct).unwrap();
    assert!(acct.snapshot().saml_assertions.is_empty());
}

#[test]
fn the_role_must_be_offered_exist_and_trust_the_assertion() {
    let (acct, _) = account();
    setup(
        &acct,
        "admin",
        json!("sts:AssumeRoleWithSAML"),
        aws_condition(),
    );
    setup(
        &acct,
        "bobs",
        json!("sts:AssumeRoleWithSAML"),
        json!({"StringEquals": {"saml:sub": "bob@example.com"}}),
    );
    let now = acct.now();
    let denied = ("AccessDenied".to_string(), NOT_AUTHORIZED.to_string());
    let other = "arn:aws:iam::111122223333:role/other";
    let r = Response::new(now, ADMIN, PROVIDER);
    // Not offered by the assertion.
    let e = assume(&acct, other, &r, json!({})).unwrap_err();
    assert_eq!(code_message(e), denied);
    // Offered but not there.
    let e = assume(
        &acct,
        other,
        &Response::new(now, other, PROVIDER),
        json!({}),
    )
    .unwrap_err();
    assert_eq!(code_message(e), denied);
    // There, offered, but its conditions are not met.
    let bobs = "arn:aws:iam::111122223333:role/bobs";
    let e = assume(&acct, bobs, &Response::new(now, bobs, PROVIDER), json!({})).unwrap_err();
    assert_eq!(code_message(e), denied);
    // Offered through another provider.
    let elsewhere = "arn:aws:iam::111122223333:saml-provider/elsewhere";
    let e = assume(
        &acct,
        ADMIN,
        &Response::new(now, ADMIN, elsewhere),
        json!({}),
    )
    .unwrap_err();
    assert_eq!(code_message(e), denied);
    // An unknown provider, a malformed ARN.
    let mut input =
        json!({"RoleArn": ADMIN, "PrincipalArn": elsewhere, "SAMLAssertion": r.encoded()});
    let e = call(
        &acct,
        &anonymous(),
        "sts",
        "AssumeRoleWithSAML",
        input.clone(),
    )
    .unwrap_err();
    assert_eq!(
        code_message(e),
        ("InvalidIdentityToken".into(), NO_PROVIDER.into())
    );
    input["RoleArn"] = json!("admin");
    let e = call(&acct, &anonymous(), "sts", "AssumeRoleWithSAML", input).unwrap_err();
    assert_eq!(
        code_message(e),
        ("ValidationError".into(), "admin is invalid".into())
    );
    // The role's maximum holds.
    let e = assume(&acct, ADMIN, &r, json!({"DurationSeconds": 7200})).unwrap_err();
    assert_eq!(e.code, "ValidationError");
}

#[test]
fn tags_and_source_identity_need_their_actions() {
    let (acct, _) = account();
    setup(&acct, "plain", json!("sts:AssumeRoleWithSAML"), json!({}));
    setup(
        &acct,
        "full",
        json!([
            "sts:AssumeRoleWithSAML",
            "sts:TagSession",
            "sts:SetSourceIdentity"
        ]),
        json!({"StringEquals": {"aws:RequestTag/team": "ops", "sts:SourceIdentity": "alice"}}),
    );
    let now = acct.now();
    let role = |name: &str| format!("arn:aws:iam::111122223333:role/{name}");
    let tagged = |role: &str| {
        Response::new(now, role, PROVIDER)
            .with(&aws("PrincipalTag:team", "").0, &["ops"])
            .with(&aws("TransitiveTagKeys", "").0, &["team"])
    };
    let e = assume(&acct, &role("plain"), &tagged(&role("plain")), json!({})).unwrap_err();
    assert_eq!(e.message, "Not authorized to perform sts:TagSession");
    let sourced =
        Response::new(now, &role("plain"), PROVIDER).with(&aws("SourceIdentity", "").0, &["alice"]);
    let e = assume(&acct, &role("plain"), &sourced, json!({})).unwrap_err();
    assert_eq!(e.message, "Not authorized to perform sts:SetSourceIdentity");
    let full = tagged(&role("full"))
        .with(&aws("SourceIdentity", "").0, &["alice"])
        .with(&aws("SessionDuration", "").0, &["900"]);
    let out = assume(&acct, &role("full"), &full, json!({})).unwrap();
    assert_eq!(out["SourceIdentity"], "alice");
    assert_eq!(out["Credentials"]["Expiration"], now + 900);
    assert!(out["PackedPolicySize"].as_i64().unwrap() > 0);
    let session = caller_with(&acct, &out).unwrap();
    let context = session.context(&acct.snapshot(), acct.now());
    assert_eq!(context.single("aws:principaltag/team"), Some("ops"));
    assert_eq!(context.single("aws:sourceidentity"), Some("alice"));
}

#[test]
fn bad_assertions_are_refused_with_awss_errors_and_audited() {
    let (acct, _) = account();
    setup(&acct, "admin", json!("sts:AssumeRoleWithSAML"), json!({}));
    let now = acct.now();
    let forged = Response {
        key: test_idp::FORGER_KEY,
        ..Response::new(now, ADMIN, PROVIDER)
    };
    let e = assume(&acct, ADMIN, &forged, json!({})).unwrap_err();
    assert_eq!(
        code_message(e),
        (
            "InvalidIdentityToken".into(),
            "Response signature invalid".into()
        )
    );
    let stale = Response::new(now - 600, ADMIN, PROVIDER);
    assert_eq!(
        assume(&acct, ADMIN, &stale, json!({})).unwrap_err().code,
        "ExpiredTokenException"
    );
    acct.flush_deferred().unwrap();
    let events = acct.audit_events(20).unwrap();
    let failures: Vec<&str> = events
        .iter()
        .filter(|e| e.event_name == "AssumeRoleWithSAML")
        .map(|e| e.body.as_str())
        .collect();
    assert_eq!(failures.len(), 2);
    assert!(failures
        .iter()
        .all(|b| b.contains("HIDDEN_DUE_TO_SECURITY_REASONS")));
    assert!(failures.iter().any(|b| b.contains("ExpiredTokenException")));
}
