//! Outbound identity federation: Enable/Disable/GetOutboundWebIdentityFederationInfo and
//! STS GetWebIdentityToken.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
use serde_json::{json, Value};

use crate::authz::Caller;
use crate::testing::{account, call, caller_with, root, user, ACCOUNT_ID};
use crate::{Account, IamError};

const ISSUER: &str = "http://localhost:8080/outbound/111122223333";

fn iam(acct: &Account, caller: &Caller, action: &str) -> Result<Value, IamError> {
    call(acct, caller, "iam", action, json!({}))
}

fn token(acct: &Account, caller: &Caller, input: Value) -> Result<Value, IamError> {
    call(acct, caller, "sts", "GetWebIdentityToken", input)
}

/// The claims of `token`, its signature checked with the account's published keys.
fn verified(acct: &Account, token: &str, audience: &str) -> Value {
    let jwks = acct.snapshot().outbound_federation.clone().unwrap().jwks();
    let set: JwkSet = serde_json::from_value(jwks).unwrap();
    let header = decode_header(token).unwrap();
    let key = DecodingKey::from_jwk(set.find(header.kid.as_deref().unwrap()).unwrap()).unwrap();
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[ISSUER]);
    validation.validate_exp = false;
    decode::<Value>(token, &key, &validation).unwrap().claims
}

/// Creates user `name` with inline policy `policy` and returns it as a caller.
fn user_with(acct: &Account, name: &str, policy: &str) -> Caller {
    let r = root();
    call(acct, &r, "iam", "CreateUser", json!({"UserName": name})).unwrap();
    call(
        acct,
        &r,
        "iam",
        "PutUserPolicy",
        json!({"UserName": name, "PolicyName": "p", "PolicyDocument": policy}),
    )
    .unwrap();
    user(acct, name, None)
}

#[test]
fn enable_disable_and_info_keep_one_issuer_and_one_set_of_keys() {
    let (acct, _) = account();
    let r = root();
    let err = iam(&acct, &r, "GetOutboundWebIdentityFederationInfo").unwrap_err();
    assert_eq!((err.code, err.status), ("FeatureDisabled", 404));
    let err = iam(&acct, &r, "DisableOutboundWebIdentityFederation").unwrap_err();
    assert_eq!((err.code, err.status), ("FeatureDisabled", 404));

    let out = iam(&acct, &r, "EnableOutboundWebIdentityFederation").unwrap();
    assert_eq!(out, json!({"IssuerIdentifier": ISSUER}));
    let err = iam(&acct, &r, "EnableOutboundWebIdentityFederation").unwrap_err();
    assert_eq!((err.code, err.status), ("FeatureEnabled", 409));
    let info = iam(&acct, &r, "GetOutboundWebIdentityFederationInfo").unwrap();
    assert_eq!(
        info,
        json!({"IssuerIdentifier": ISSUER, "JwtVendingEnabled": true})
    );
    let kids = |acct: &Account| -> Vec<String> {
        let setting = acct.snapshot().outbound_federation.clone().unwrap();
        setting.keys.iter().map(|k| k.kid.clone()).collect()
    };
    let before = kids(&acct);
    assert_eq!(before.len(), 2);

    iam(&acct, &r, "DisableOutboundWebIdentityFederation").unwrap();
    let info = iam(&acct, &r, "GetOutboundWebIdentityFederationInfo").unwrap();
    assert_eq!(info["JwtVendingEnabled"], false);
    let err = token(
        &acct,
        &r,
        json!({"Audience": ["a"], "SigningAlgorithm": "ES384"}),
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.status),
        ("OutboundWebIdentityFederationDisabledException", 403)
    );
    iam(&acct, &r, "EnableOutboundWebIdentityFederation").unwrap();
    assert_eq!(kids(&acct), before);
}

#[test]
fn a_token_names_the_caller_and_verifies_with_the_published_keys() {
    let (acct, _) = account();
    let r = root();
    let err = token(
        &acct,
        &r,
        json!({"Audience": ["a"], "SigningAlgorithm": "RS256"}),
    )
    .unwrap_err();
    assert_eq!(err.code, "OutboundWebIdentityFederationDisabledException");
    iam(&acct, &r, "EnableOutboundWebIdentityFederation").unwrap();
    let alice = user_with(
        &acct,
        "alice",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetWebIdentityToken","sts:TagGetWebIdentityToken"],"Resource":"*"}]}"#,
    );
    call(
        &acct,
        &r,
        "iam",
        "TagUser",
        json!({"UserName": "alice", "Tags": [{"Key": "team", "Value": "data"}]}),
    )
    .unwrap();
    for alg in ["RS256", "ES384"] {
        let out = token(
            &acct,
            &alice,
            json!({"Audience": ["https://api.example.com"], "SigningAlgorithm": alg,
                   "Tags": [{"Key": "job", "Value": "42"}]}),
        )
        .unwrap();
        assert_eq!(out["Expiration"], acct.now() + 300);
        let jwt = out["WebIdentityToken"].as_str().unwrap();
        assert_eq!(
            format!("{:?}", decode_header(jwt).unwrap().alg),
            alg.to_string()
        );
        let claims = verified(&acct, jwt, "https://api.example.com");
        assert_eq!(claims["sub"], "arn:aws:iam::111122223333:user/alice");
        assert_eq!(claims["aud"], "https://api.example.com");
        assert_eq!(claims["iat"], acct.now());
        assert_eq!(claims["exp"], acct.now() + 300);
        assert_eq!(claims["jti"].as_str().unwrap().len(), 36);
        assert_eq!(
            claims["https://sts.amazonaws.com/"],
            json!({"aws_account": ACCOUNT_ID, "source_region": "us-east-1",
                   "principal_tags": {"team": "data"}, "request_tags": {"job": "42"}})
        );
    }
    // Several audiences: an array.
    let out = token(
        &acct,
        &alice,
        json!({"Audience": ["a", "b"], "SigningAlgorithm": "ES384", "DurationSeconds": 3600}),
    )
    .unwrap();
    let claims = verified(&acct, out["WebIdentityToken"].as_str().unwrap(), "b");
    assert_eq!(claims["aud"], json!(["a", "b"]));
    assert_eq!(claims["exp"], acct.now() + 3600);
}

#[test]
fn the_condition_keys_limit_audience_algorithm_lifetime_and_tags() {
    let (acct, _) = account();
    iam(&acct, &root(), "EnableOutboundWebIdentityFederation").unwrap();
    let bob = user_with(
        &acct,
        "bob",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*",
          "Condition":{"ForAllValues:StringEquals":{"sts:IdentityTokenAudience":["https://api.example.com"]},
                       "StringEquals":{"sts:SigningAlgorithm":"ES384"},
                       "NumericLessThanEquals":{"sts:DurationSeconds":"300"}}}]}"#,
    );
    let ask = |input: Value| token(&acct, &bob, input).map_err(|e| e.code);
    let good = json!({"Audience": ["https://api.example.com"], "SigningAlgorithm": "ES384"});
    assert!(ask(good.clone()).is_ok());
    let mut other_audience = good.clone();
    other_audience["Audience"] = json!(["https://api.example.com", "https://evil.example"]);
    assert_eq!(ask(other_audience), Err("AccessDenied"));
    let mut rsa = good.clone();
    rsa["SigningAlgorithm"] = json!("RS256");
    assert_eq!(ask(rsa), Err("AccessDenied"));
    let mut long = good.clone();
    long["DurationSeconds"] = json!(301);
    assert_eq!(ask(long), Err("AccessDenied"));
    // Tags need sts:TagGetWebIdentityToken, which bob lacks.
    let mut tagged = good.clone();
    tagged["Tags"] = json!([{"Key": "k", "Value": "v"}]);
    assert_eq!(ask(tagged), Err("AccessDenied"));
    let mut unknown = good;
    unknown["SigningAlgorithm"] = json!("HS256");
    assert_eq!(ask(unknown), Err("ValidationError"));
}

#[test]
fn a_role_session_gets_its_roles_arn_and_no_token_outlasting_the_session() {
    let (acct, _) = account();
    let r = root();
    iam(&acct, &r, "EnableOutboundWebIdentityFederation").unwrap();
    let carol = user_with(
        &acct,
        "carol",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}"#,
    );
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}"#;
    call(
        &acct,
        &r,
        "iam",
        "CreateRole",
        json!({"RoleName": "deploy", "AssumeRolePolicyDocument": trust,
               "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "a"}]}),
    )
    .unwrap();
    call(
        &acct,
        &r,
        "iam",
        "PutRolePolicy",
        json!({"RoleName": "deploy", "PolicyName": "p",
               "PolicyDocument": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*"}]}"#}),
    )
    .unwrap();
    let assumed = call(
        &acct,
        &carol,
        "sts",
        "AssumeRole",
        json!({"RoleArn": "arn:aws:iam::111122223333:role/deploy", "RoleSessionName": "s1",
               "DurationSeconds": 900, "SourceIdentity": "carol",
               "Tags": [{"Key": "team", "Value": "b"}]}),
    )
    .unwrap();
    let session = caller_with(&acct, &assumed).unwrap();
    let err = token(
        &acct,
        &session,
        json!({"Audience": ["x"], "SigningAlgorithm": "RS256", "DurationSeconds": 901}),
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.status),
        ("SessionDurationEscalationException", 403)
    );
    let out = token(
        &acct,
        &session,
        json!({"Audience": ["x"], "SigningAlgorithm": "RS256", "DurationSeconds": 900}),
    )
    .unwrap();
    let claims = verified(&acct, out["WebIdentityToken"].as_str().unwrap(), "x");
    assert_eq!(claims["sub"], "arn:aws:iam::111122223333:role/deploy");
    let aws = &claims["https://sts.amazonaws.com/"];
    // The session's tags over the role's.
    assert_eq!(aws["principal_tags"], json!({"env": "prod", "team": "b"}));
    assert_eq!(aws["source_identity"], "carol");
    assert_eq!(
        aws["original_session_exp"],
        crate::time::iso8601(acct.now() + 900)
    );
}
