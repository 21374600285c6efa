//! OpenID Connect providers and AssumeRoleWithWebIdentity, called as the server would.

use std::sync::Arc;

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use super::policies::{fails, iam, ok};
use crate::account::Account;
use crate::authz::Caller;
use crate::error::IamError;
use crate::testing::{account, call, caller_with, root, user};
use crate::web_identity::{JwkSet, KeySource};

const URL: &str = "https://token.example.com/ci";
const ARN: &str = "arn:aws:iam::111122223333:oidc-provider/token.example.com/ci";
const RSA: &str = include_str!("../../../testdata/oidc/rsa.pem");
const JWKS: &str = include_str!("../../../testdata/oidc/jwks.json");
const THUMB: &str = "0123456789abcdef0123456789abcdef01234567";

struct Keys;

impl KeySource for Keys {
    fn keys(&self, _: &str, _: bool) -> Result<Arc<JwkSet>, String> {
        serde_json::from_str(JWKS)
            .map(Arc::new)
            .map_err(|e| e.to_string())
    }
}

fn create(acct: &Account) -> Value {
    ok(
        acct,
        "CreateOpenIDConnectProvider",
        json!({"Url": URL, "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": [THUMB]}),
    )
}

#[test]
fn provider_lifecycle() {
    let (acct, _) = account();
    let out = ok(
        &acct,
        "CreateOpenIDConnectProvider",
        json!({"Url": URL, "ClientIDList": ["a", "a", "b"], "Tags": [{"Key": "team", "Value": "ci"}]}),
    );
    assert_eq!(out["OpenIDConnectProviderArn"], ARN);
    assert_eq!(out["Tags"], json!([{"Key": "team", "Value": "ci"}]));
    let got = ok(
        &acct,
        "GetOpenIDConnectProvider",
        json!({"OpenIDConnectProviderArn": ARN}),
    );
    assert_eq!(got["Url"], "token.example.com/ci");
    assert_eq!(got["ClientIDList"], json!(["a", "b"]));
    assert_eq!(got["ThumbprintList"], json!([]));
    let arn = json!({"OpenIDConnectProviderArn": ARN});
    let with = |extra: Value| {
        let mut input = arn.clone();
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        input
    };
    ok(
        &acct,
        "AddClientIDToOpenIDConnectProvider",
        with(json!({"ClientID": "c"})),
    );
    ok(
        &acct,
        "AddClientIDToOpenIDConnectProvider",
        with(json!({"ClientID": "c"})),
    );
    ok(
        &acct,
        "RemoveClientIDFromOpenIDConnectProvider",
        with(json!({"ClientID": "a"})),
    );
    ok(
        &acct,
        "RemoveClientIDFromOpenIDConnectProvider",
        with(json!({"ClientID": "zz"})),
    );
    ok(
        &acct,
        "UpdateOpenIDConnectProviderThumbprint",
        with(json!({"ThumbprintList": [THUMB]})),
    );
    let got = ok(&acct, "GetOpenIDConnectProvider", arn.clone());
    assert_eq!(got["ClientIDList"], json!(["b", "c"]));
    assert_eq!(got["ThumbprintList"], json!([THUMB]));
    ok(
        &acct,
        "TagOpenIDConnectProvider",
        with(json!({"Tags": [{"Key": "k", "Value": "v"}]})),
    );
    ok(
        &acct,
        "UntagOpenIDConnectProvider",
        with(json!({"TagKeys": ["team"]})),
    );
    let tags = ok(&acct, "ListOpenIDConnectProviderTags", arn.clone());
    assert_eq!(tags["Tags"], json!([{"Key": "k", "Value": "v"}]));
    let list = ok(&acct, "ListOpenIDConnectProviders", json!({}));
    assert_eq!(list["OpenIDConnectProviderList"], json!([{"Arn": ARN}]));
    let summary = ok(&acct, "GetAccountSummary", json!({}));
    assert_eq!(summary["SummaryMap"]["Providers"], 1);
    ok(&acct, "DeleteOpenIDConnectProvider", arn.clone());
    // Not idempotent, whatever the API reference says (AWS's answer recorded by LocalStack).
    let again = iam(&acct, &root(), "DeleteOpenIDConnectProvider", arn.clone()).unwrap_err();
    assert_eq!(
        (again.code, again.message),
        (
            "NoSuchEntity",
            format!("OpenId connect Provider {ARN} cannot be found.")
        )
    );
    let list = ok(&acct, "ListOpenIDConnectProviders", json!({}));
    assert_eq!(list["OpenIDConnectProviderList"], json!([]));
}

#[test]
fn bad_input_to_each_provider_operation() {
    let (acct, _) = account();
    let create_with = |input: Value, code: &str, message: &str| {
        fails(&acct, "CreateOpenIDConnectProvider", input, code, message)
    };
    for url in [
        "http://token.example.com",
        "token.example.com",
        "https://",
        "https://a.example.com?x=1",
        "https://a.example.com:99999",
    ] {
        create_with(
            json!({"Url": url}),
            "ValidationError",
            "Invalid Open ID Connect Provider URL",
        );
    }
    let six: Vec<String> = (0..6).map(|i| format!("{i}").repeat(40)).collect();
    create_with(
        json!({"Url": URL, "ThumbprintList": six}),
        "InvalidInput",
        "Thumbprint list must contain fewer than 5 entries.",
    );
    create_with(
        json!({"Url": URL, "ThumbprintList": ["g".repeat(40)]}),
        "InvalidInput",
        &format!(
            "Thumbprint {} is not a 40-character hexadecimal SHA-1 digest.",
            "g".repeat(40)
        ),
    );
    let many: Vec<String> = (0..101).map(|i| format!("client-{i}")).collect();
    create_with(
        json!({"Url": URL, "ClientIDList": many}),
        "LimitExceeded",
        "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100",
    );
    create(&acct);
    create_with(
        json!({"Url": URL}),
        "EntityAlreadyExists",
        &format!("Provider with url {URL} already exists."),
    );
    let unknown = "arn:aws:iam::111122223333:oidc-provider/nowhere.example.com";
    let missing = format!("OpenIDConnect Provider not found for arn {unknown}");
    let arn = json!({"OpenIDConnectProviderArn": unknown});
    for (action, extra) in [
        ("GetOpenIDConnectProvider", json!({})),
        (
            "AddClientIDToOpenIDConnectProvider",
            json!({"ClientID": "x"}),
        ),
        (
            "RemoveClientIDFromOpenIDConnectProvider",
            json!({"ClientID": "x"}),
        ),
        (
            "UpdateOpenIDConnectProviderThumbprint",
            json!({"ThumbprintList": [THUMB]}),
        ),
        (
            "TagOpenIDConnectProvider",
            json!({"Tags": [{"Key": "k", "Value": "v"}]}),
        ),
        ("UntagOpenIDConnectProvider", json!({"TagKeys": ["k"]})),
        ("ListOpenIDConnectProviderTags", json!({})),
    ] {
        let mut input = arn.clone();
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        fails(&acct, action, input, "NoSuchEntity", &missing);
    }
    let known = json!({"OpenIDConnectProviderArn": ARN, "ThumbprintList": six});
    fails(
        &acct,
        "UpdateOpenIDConnectProviderThumbprint",
        known,
        "InvalidInput",
        "Thumbprint list must contain fewer than 5 entries.",
    );
    for i in 1..100 {
        let input = json!({"OpenIDConnectProviderArn": ARN, "ClientID": format!("c{i}")});
        ok(&acct, "AddClientIDToOpenIDConnectProvider", input);
    }
    fails(
        &acct,
        "AddClientIDToOpenIDConnectProvider",
        json!({"OpenIDConnectProviderArn": ARN, "ClientID": "one-too-many"}),
        "LimitExceeded",
        "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100",
    );
    let tags: Vec<Value> = (0..51)
        .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
        .collect();
    fails(
        &acct,
        "TagOpenIDConnectProvider",
        json!({"OpenIDConnectProviderArn": ARN, "Tags": tags}),
        "LimitExceeded",
        "The number of tags has reached the maximum limit.",
    );
}

#[test]
fn provider_operations_are_authorized() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "dev"}));
    let dev = user(&acct, "dev", None);
    let e = iam(
        &acct,
        &dev,
        "CreateOpenIDConnectProvider",
        json!({"Url": URL}),
    )
    .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(
        e.message.contains("iam:CreateOpenIDConnectProvider"),
        "{}",
        e.message
    );
    let e = iam(&acct, &dev, "ListOpenIDConnectProviders", json!({})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
}

fn token(claims: Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("rsa-1".into());
    encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(RSA.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// A GitHub Actions-like trust policy: the provider, its audience, one repository.
fn federated_role(acct: &Account) {
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": ARN},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"token.example.com/ci:aud": "sts.amazonaws.com"},
            "StringLike": {"token.example.com/ci:sub": "repo:acme/app:*"}
        }
    }]});
    let input = json!({"RoleName": "deploy", "AssumeRolePolicyDocument": trust.to_string()});
    ok(acct, "CreateRole", input);
}

fn assume(acct: &Account, caller: &Caller, sub: &str, extra: Value) -> Result<Value, IamError> {
    let now = acct.now();
    let jwt = token(json!({"iss": URL, "sub": sub, "aud": "sts.amazonaws.com", "exp": now + 300}));
    let mut input = json!({
        "RoleArn": "arn:aws:iam::111122223333:role/deploy",
        "RoleSessionName": "run-42",
        "WebIdentityToken": jwt,
    });
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    call(acct, caller, "sts", "AssumeRoleWithWebIdentity", input)
}

#[test]
fn assume_role_with_web_identity_grants_what_the_trust_policy_allows() {
    let (acct, _) = account();
    assert!(acct.web_identity_keys.set(Arc::new(Keys)).is_ok());
    create(&acct);
    federated_role(&acct);
    let anonymous = Caller::anonymous("192.0.2.1", true);
    let out = assume(
        &acct,
        &anonymous,
        "repo:acme/app:ref:refs/heads/main",
        json!({}),
    )
    .unwrap();
    assert_eq!(
        out["SubjectFromWebIdentityToken"],
        "repo:acme/app:ref:refs/heads/main"
    );
    assert_eq!(out["Audience"], "sts.amazonaws.com");
    assert_eq!(out["Provider"], ARN);
    assert_eq!(
        out["AssumedRoleUser"]["Arn"],
        "arn:aws:sts::111122223333:assumed-role/deploy/run-42"
    );
    let session = caller_with(&acct, &out).unwrap();
    assert_eq!(
        session.principal.arn,
        "arn:aws:sts::111122223333:assumed-role/deploy/run-42"
    );
    // A signed caller gets the same answer: the token decides, not the signature.
    assert!(assume(&acct, &root(), "repo:acme/app:pull_request", json!({})).is_ok());
    let e = assume(
        &acct,
        &anonymous,
        "repo:evil/app:ref:refs/heads/main",
        json!({}),
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity"
        )
    );
    let other_role = json!({"RoleArn": "arn:aws:iam::111122223333:role/missing"});
    let e = assume(&acct, &anonymous, "repo:acme/app:x", other_role).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    let e = assume(
        &acct,
        &anonymous,
        "repo:acme/app:x",
        json!({"DurationSeconds": 7200}),
    )
    .unwrap_err();
    assert_eq!(e.code, "ValidationError");
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#;
    let out = assume(
        &acct,
        &anonymous,
        "repo:acme/app:x",
        json!({"Policy": policy}),
    )
    .unwrap();
    assert!(out["PackedPolicySize"].as_i64().unwrap() > 0);
}

#[test]
fn web_identity_sessions_cannot_call_iam_operations_unsigned() {
    let (acct, _) = account();
    let anonymous = Caller::anonymous("192.0.2.1", true);
    let e = iam(&acct, &anonymous, "ListUsers", json!({})).unwrap_err();
    assert_eq!(e.code, "InvalidClientTokenId");
    assert!(crate::ops::accepts_unsigned("ListUsers").is_none());
    assert!(crate::ops::accepts_unsigned("AssumeRoleWithWebIdentity").is_some());
}

#[test]
fn session_tags_from_the_token_need_tag_session() {
    let (acct, _) = account();
    assert!(acct.web_identity_keys.set(Arc::new(Keys)).is_ok());
    create(&acct);
    let trust = |actions: Value| {
        json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": ARN}, "Action": actions,
            "Condition": {"StringEquals": {"aws:RequestTag/team": "ci"}}
        }]})
        .to_string()
    };
    let role = |name: &str, actions: Value| {
        let input = json!({"RoleName": name, "AssumeRolePolicyDocument": trust(actions)});
        ok(&acct, "CreateRole", input);
    };
    role("plain", json!("sts:AssumeRoleWithWebIdentity"));
    role(
        "tagged",
        json!(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]),
    );
    let jwt = token(json!({
        "iss": URL, "sub": "svc", "aud": "sts.amazonaws.com", "exp": acct.now() + 300,
        "https://aws.amazon.com/tags": {
            "principal_tags": {"team": ["ci"], "env": ["prod"]},
            "transitive_tag_keys": ["team"]
        }
    }));
    let anonymous = Caller::anonymous("192.0.2.1", true);
    let assume = |role: &str| {
        let input = json!({
            "RoleArn": format!("arn:aws:iam::111122223333:role/{role}"),
            "RoleSessionName": "s", "WebIdentityToken": jwt,
        });
        call(&acct, &anonymous, "sts", "AssumeRoleWithWebIdentity", input)
    };
    let e = assume("plain").unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("AccessDenied", "Not authorized to perform sts:TagSession")
    );
    let out = assume("tagged").unwrap();
    assert!(out["PackedPolicySize"].as_i64().unwrap() > 0);
    let session = caller_with(&acct, &out).unwrap();
    let context = session.context(&acct.snapshot(), acct.now());
    assert_eq!(context.single("aws:principaltag/env"), Some("prod"));
}
