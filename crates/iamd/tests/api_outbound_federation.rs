//! Outbound identity federation end to end: the AWS SDK for Rust enables it, gets tokens
//! from STS GetWebIdentityToken, and a relying party fetches the issuer's discovery document
//! and key set from the server over HTTP and verifies the tokens with `jsonwebtoken`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
use serde_json::Value;
use support::{code_message, Options, Server, ACCOUNT};

/// What a relying party does: discovery document, then key set, then the token's signature
/// and its `iss`, `aud` and `exp` against them. Returns the claims.
fn relying_party_verifies(server: &Server, issuer: &str, token: &str, audience: &str) -> Value {
    let path = issuer.strip_prefix(&server.endpoint).unwrap();
    let (status, head, body) = Server::raw_get(
        server.port,
        &format!("{path}/.well-known/openid-configuration"),
    );
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("content-type: application/json"), "{head}");
    let discovery: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(discovery["issuer"], issuer);
    let jwks_uri = discovery["jwks_uri"].as_str().unwrap();
    assert_eq!(jwks_uri, format!("{issuer}/.well-known/jwks.json"));
    let (status, _, body) = Server::raw_get(
        server.port,
        jwks_uri.strip_prefix(&server.endpoint).unwrap(),
    );
    assert_eq!(status, 200, "{body}");
    let set: JwkSet = serde_json::from_str(&body).unwrap();
    let header = decode_header(token).unwrap();
    let jwk = set.find(header.kid.as_deref().unwrap()).unwrap();
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap()
        .claims
}

#[tokio::test]
async fn a_user_gets_a_token_a_relying_party_verifies_with_the_published_keys() {
    let server = Server::start();
    let issuer = format!("{}/outbound/{ACCOUNT}", server.endpoint);
    let (status, _, _) = Server::raw_get(
        server.port,
        &format!("/outbound/{ACCOUNT}/.well-known/jwks.json"),
    );
    assert_eq!(status, 404);
    let iam = server.iam();
    let (code, _) = code_message(
        iam.get_outbound_web_identity_federation_info()
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "FeatureDisabled");
    let enabled = iam
        .enable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap();
    assert_eq!(enabled.issuer_identifier(), Some(issuer.as_str()));
    let info = iam
        .get_outbound_web_identity_federation_info()
        .send()
        .await
        .unwrap();
    assert_eq!(info.issuer_identifier(), Some(issuer.as_str()));
    assert!(info.jwt_vending_enabled());

    let (key, secret) = server.user_with_key("worker").await;
    iam.put_user_policy()
        .user_name("worker")
        .policy_name("tokens")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
              "Action":["sts:GetWebIdentityToken","sts:TagGetWebIdentityToken"],"Resource":"*",
              "Condition":{"ForAllValues:StringEquals":{"sts:IdentityTokenAudience":"https://api.example.com"}}}]}"#,
        )
        .send()
        .await
        .unwrap();
    let sts = server.sts_as(&key, &secret);
    for alg in ["ES384", "RS256"] {
        let out = sts
            .get_web_identity_token()
            .audience("https://api.example.com")
            .signing_algorithm(alg)
            .duration_seconds(120)
            .tags(
                aws_sdk_sts::types::Tag::builder()
                    .key("job")
                    .value("nightly")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        let token = out.web_identity_token().unwrap();
        let claims = relying_party_verifies(&server, &issuer, token, "https://api.example.com");
        assert_eq!(claims["sub"], format!("arn:aws:iam::{ACCOUNT}:user/worker"));
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            120
        );
        assert_eq!(
            out.expiration().unwrap().secs(),
            claims["exp"].as_i64().unwrap()
        );
        let aws = &claims["https://sts.amazonaws.com/"];
        assert_eq!(aws["aws_account"], ACCOUNT);
        assert_eq!(aws["request_tags"]["job"], "nightly");
    }
    // The policy's audience condition holds.
    let (code, _) = code_message(
        sts.get_web_identity_token()
            .audience("https://other.example.com")
            .signing_algorithm("ES384")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "AccessDenied");

    // Disabled: no new tokens; the keys stay published for the tokens already issued.
    iam.disable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap();
    let (code, _) = code_message(
        sts.get_web_identity_token()
            .audience("https://api.example.com")
            .signing_algorithm("ES384")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "OutboundWebIdentityFederationDisabledException");
    let (status, _, body) = Server::raw_get(
        server.port,
        &format!("/outbound/{ACCOUNT}/.well-known/jwks.json"),
    );
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["keys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_configured_issuer_url_is_the_tokens_iss_and_where_the_keys_are() {
    let server = Server::start_opts(&Options::args(&[
        "--outbound-issuer-url",
        "http://tokens.example.internal/iamd/prod",
    ]));
    let iam = server.iam();
    let enabled = iam
        .enable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap();
    assert_eq!(
        enabled.issuer_identifier(),
        Some("http://tokens.example.internal/iamd/prod")
    );
    let out = server
        .sts()
        .get_web_identity_token()
        .audience("a")
        .audience("b")
        .signing_algorithm("RS256")
        .send()
        .await
        .unwrap();
    let token = out.web_identity_token().unwrap();
    // A reverse proxy would map the issuer's host onto iamd; here the paths are asked for
    // directly.
    let (status, _, body) =
        Server::raw_get(server.port, "/iamd/prod/.well-known/openid-configuration");
    assert_eq!(status, 200, "{body}");
    let discovery: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        discovery["jwks_uri"],
        "http://tokens.example.internal/iamd/prod/.well-known/jwks.json"
    );
    let (status, _, body) = Server::raw_get(server.port, "/iamd/prod/.well-known/jwks.json");
    assert_eq!(status, 200);
    let set: JwkSet = serde_json::from_str(&body).unwrap();
    let header = decode_header(token).unwrap();
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&["http://tokens.example.internal/iamd/prod"]);
    validation.set_audience(&["b"]);
    let claims = decode::<Value>(
        token,
        &DecodingKey::from_jwk(set.find(header.kid.as_deref().unwrap()).unwrap()).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["aud"], serde_json::json!(["a", "b"]));
    assert_eq!(claims["sub"], format!("arn:aws:iam::{ACCOUNT}:root"));
}

#[tokio::test]
async fn the_keys_survive_a_restart_and_earlier_tokens_still_verify() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("data");
    let server = Server::start_in(&dir);
    server
        .iam()
        .enable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap();
    let out = server
        .sts()
        .get_web_identity_token()
        .audience("aud")
        .signing_algorithm("ES384")
        .send()
        .await
        .unwrap();
    let token = out.web_identity_token().unwrap().to_string();
    let jwks_path = format!("/outbound/{ACCOUNT}/.well-known/jwks.json");
    let (_, _, before) = Server::raw_get(server.port, &jwks_path);
    // The default issuer follows the listen address: the token names the first server's.
    let iss = format!("{}/outbound/{ACCOUNT}", server.endpoint);
    server.kill();

    let server = Server::start_in(&dir);
    let (status, _, after) = Server::raw_get(server.port, &jwks_path);
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&after).unwrap(),
        serde_json::from_str::<Value>(&before).unwrap()
    );
    let set: JwkSet = serde_json::from_str(&after).unwrap();
    let kid = decode_header(&token).unwrap().kid.unwrap();
    let mut validation = Validation::new(jsonwebtoken::Algorithm::ES384);
    validation.set_issuer(&[iss.as_str()]);
    validation.set_audience(&["aud"]);
    let claims = decode::<Value>(
        &token,
        &DecodingKey::from_jwk(set.find(&kid).unwrap()).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["sub"], format!("arn:aws:iam::{ACCOUNT}:root"));
}
