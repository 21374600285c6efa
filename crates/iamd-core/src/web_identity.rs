//! Web identity tokens (OpenID Connect ID tokens, JWTs) as AssumeRoleWithWebIdentity checks
//! them: the issuer must be a registered OpenID Connect provider, the signature must verify
//! with one of the issuer's published keys (its JWKS, found through a [`KeySource`]), the
//! token must be within `nbf`..`exp` by the account's clock, and an audience (`aud`, or
//! `azp`) must be one of the provider's client ids. Errors are STS's.
//!
//! AWS's texts: "No OpenIDConnect provider found in your account for ISS", "Incorrect token
//! audience", "Token expired: current date/time NOW must be before the expiration date/time
//! EXP" (ExpiredTokenException), "Couldn't retrieve verification key from your identity
//! provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
//! (its double space included), as recorded from AWS by its users; the others are the API
//! reference's descriptions of the errors.

use std::sync::Arc;

use base64::Engine;
use iamd_policy::ContextValue;
use jsonwebtoken::jwk::Jwk;
pub use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::error::IamError;
use crate::model::OidcProvider;
use crate::state::AccountState;

/// An issuer's signing keys, fetched and cached by the server (`iamd-server`'s `oidc.rs`).
pub trait KeySource: Send + Sync {
    /// The JWKS of `issuer` (`https://HOST/PATH`). `refresh`: bypass the cache (a token names
    /// a key the cached set does not have). `Err`: the keys could not be obtained (why, for
    /// the log).
    fn keys(&self, issuer: &str, refresh: bool) -> Result<Arc<JwkSet>, String>;
}

pub const INVALID_TOKEN: &str = "The web identity token that was passed could not be validated by Amazon Web Services. Get a new identity token from the identity provider and then retry the request.";
pub const NO_KEY: &str = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";
pub const UNREACHABLE: &str = "The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached. This is often a transient error caused by network conditions. Retry the request a limited number of times and wait an increasing amount of time between attempts.";
pub const WRONG_AUDIENCE: &str = "Incorrect token audience";
pub const REJECTED_CLAIM: &str = "The identity provider (IdP) reported that authentication failed. This might be because the claim is invalid.";

/// The signature algorithms accepted: RSA (PKCS#1 v1.5 and PSS) and ECDSA. Never `none` or
/// HMAC (a public key must not serve as a shared secret).
const ALGORITHMS: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

pub fn invalid_token(message: impl Into<String>) -> IamError {
    IamError::new("InvalidIdentityToken", 400, message)
}

/// A token whose checks all passed.
#[derive(Debug, Clone)]
pub struct Verified {
    pub provider: Arc<OidcProvider>,
    pub subject: String,
    /// The client id the token was issued for: `azp` when present, else the `aud` that is
    /// one of the provider's client ids.
    pub audience: String,
    /// The token's `aud` values.
    pub token_audiences: Vec<String>,
    pub azp: Option<String>,
    /// Authentication methods (`amr`), when the token has them.
    pub amr: Vec<String>,
    /// Session tags the issuer passed in the `https://aws.amazon.com/tags` claim
    /// (`principal_tags`, the first value of each), and which of them are transitive.
    pub session_tags: Vec<crate::model::Tag>,
    pub transitive_tag_keys: Vec<String>,
}

impl Verified {
    /// The condition keys AWS sets for an IAM OIDC provider `HOST/PATH`: `HOST/PATH:sub`,
    /// `HOST/PATH:aud` (the `azp` when present), `HOST/PATH:oaud` (the `aud` when `azp` is
    /// present), `HOST/PATH:amr`, and `aws:FederatedProvider` (the provider's ARN).
    pub fn context(&self) -> Vec<(String, ContextValue)> {
        let url = &self.provider.url;
        let single = |k: String, v: &str| (k, ContextValue::Single(v.to_string()));
        let mut keys = vec![
            single(format!("{url}:sub"), &self.subject),
            single(format!("{url}:aud"), &self.audience),
            single("aws:FederatedProvider".into(), &self.provider.arn),
        ];
        if self.azp.is_some() {
            let oaud = ContextValue::Multi(self.token_audiences.clone());
            keys.push((format!("{url}:oaud"), oaud));
        }
        if !self.amr.is_empty() {
            keys.push((format!("{url}:amr"), ContextValue::Multi(self.amr.clone())));
        }
        keys
    }
}

/// A claim that is one string or a list of strings (`aud`, `amr`).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    sub: Option<String>,
    aud: Option<OneOrMany>,
    azp: Option<String>,
    exp: Option<f64>,
    nbf: Option<f64>,
    amr: Option<OneOrMany>,
    #[serde(rename = "https://aws.amazon.com/tags")]
    tags: Option<TokenTags>,
}

/// The session tags claim, as AWS documents it: `{"principal_tags": {"K": ["V"]},
/// "transitive_tag_keys": ["K"]}`.
#[derive(Deserialize)]
struct TokenTags {
    #[serde(default)]
    principal_tags: std::collections::BTreeMap<String, OneOrMany>,
    #[serde(default)]
    transitive_tag_keys: Vec<String>,
}

/// The claims of `token` before its signature is checked (to find the issuer's keys).
fn unverified_claims(token: &str) -> Result<Claims, IamError> {
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| invalid_token(INVALID_TOKEN))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| invalid_token(INVALID_TOKEN))?;
    serde_json::from_slice(&bytes).map_err(|_| invalid_token(INVALID_TOKEN))
}

/// Checks `token` for this account at `now` (Unix seconds), with `keys` for the issuer's
/// signing keys.
pub fn verify(
    token: &str,
    state: &AccountState,
    keys: Option<&dyn KeySource>,
    now: i64,
) -> Result<Verified, IamError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid_token(INVALID_TOKEN))?;
    let claims = unverified_claims(token)?;
    let issuer = claims.iss.clone().unwrap_or_default();
    let provider = crate::entities::oidc_providers::provider_for_issuer(state, &issuer)
        .cloned()
        .ok_or_else(|| {
            invalid_token(format!(
                "No OpenIDConnect provider found in your account for {issuer}"
            ))
        })?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(invalid_token(INVALID_TOKEN));
    }
    let issuer_url = format!("https://{}", provider.url);
    let jwk = signing_key(keys, &issuer_url, header.kid.as_deref())?;
    check_signature(token, header.alg, &jwk)?;
    check_times(&claims, now)?;
    let token_audiences = claims.aud.map(OneOrMany::into_vec).unwrap_or_default();
    let audience = match &claims.azp {
        Some(azp) => provider.client_ids.contains(azp).then(|| azp.clone()),
        None => token_audiences
            .iter()
            .find(|a| provider.client_ids.contains(a))
            .cloned(),
    }
    .ok_or_else(|| invalid_token(WRONG_AUDIENCE))?;
    let subject = claims
        .sub
        .filter(|s| !s.is_empty())
        .ok_or_else(|| IamError::new("IDPRejectedClaim", 403, REJECTED_CLAIM))?;
    let (session_tags, transitive_tag_keys) = match claims.tags {
        Some(tags) => (
            tags.principal_tags
                .into_iter()
                .filter_map(|(key, values)| {
                    let value = values.into_vec().into_iter().next()?;
                    Some(crate::model::Tag { key, value })
                })
                .collect(),
            tags.transitive_tag_keys,
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(Verified {
        provider,
        subject,
        audience,
        token_audiences,
        azp: claims.azp,
        amr: claims.amr.map(OneOrMany::into_vec).unwrap_or_default(),
        session_tags,
        transitive_tag_keys,
    })
}

/// The issuer's key named `kid` (or its only key, when the token names none). A key not in
/// the cached set is looked for once more in a fresh copy (the issuer rotated its keys).
fn signing_key(
    keys: Option<&dyn KeySource>,
    issuer: &str,
    kid: Option<&str>,
) -> Result<Jwk, IamError> {
    let keys = keys.ok_or_else(|| IamError::new("IDPCommunicationError", 400, UNREACHABLE))?;
    let find = |set: &JwkSet| match kid {
        Some(kid) => set.find(kid).cloned(),
        None if set.keys.len() == 1 => set.keys.first().cloned(),
        None => None,
    };
    for refresh in [false, true] {
        let set = keys.keys(issuer, refresh).map_err(|why| {
            tracing::warn!(target: "iamd", "OpenID Connect keys of {issuer}: {why}");
            IamError::new("IDPCommunicationError", 400, UNREACHABLE)
        })?;
        if let Some(jwk) = find(&set) {
            return Ok(jwk);
        }
    }
    Err(invalid_token(NO_KEY))
}

/// Verifies the signature only (times and audience are checked with the account's clock and
/// the provider's client ids).
fn check_signature(token: &str, alg: Algorithm, jwk: &Jwk) -> Result<(), IamError> {
    let key = DecodingKey::from_jwk(jwk).map_err(|_| invalid_token(NO_KEY))?;
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
        .map(drop)
        .map_err(|_| invalid_token(INVALID_TOKEN))
}

/// `exp` is required and must be after `now`; `nbf`, when present, not after it.
fn check_times(claims: &Claims, now: i64) -> Result<(), IamError> {
    let exp = claims.exp.ok_or_else(|| invalid_token(INVALID_TOKEN))?;
    if (now as f64) >= exp {
        return Err(IamError::new(
            "ExpiredTokenException",
            400,
            format!(
                "Token expired: current date/time {now} must be before the expiration date/time {}",
                exp as i64
            ),
        ));
    }
    if claims.nbf.is_some_and(|nbf| (now as f64) < nbf) {
        return Err(IamError::new("IDPRejectedClaim", 403, REJECTED_CLAIM));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
