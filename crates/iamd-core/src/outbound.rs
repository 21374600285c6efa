//! Outbound identity federation: the account as an OpenID Connect issuer. Once enabled
//! (EnableOutboundWebIdentityFederation), its principals get JWTs about themselves from
//! STS GetWebIdentityToken and present them to services outside; those verify them with the
//! keys published at `ISSUER/.well-known/jwks.json` (found through
//! `ISSUER/.well-known/openid-configuration`), which the server serves unauthenticated.
//!
//! The setting and the signing keys are one stored record, so every node of a shared
//! database signs with the same keys and publishes the same key set. The keys are made when
//! the feature is first enabled and kept when it is disabled: tokens issued before stay
//! verifiable, as AWS says disabling "does not affect tokens that were issued before".

pub mod keys;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use keys::{Alg, SigningKey};

/// The key the record is stored under (one per account).
pub const RECORD_KEY: &str = "account";

/// Where an issuer's discovery document and key set are, under its URL.
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

/// The issuer when the server did not say (tests, tools): the default listen address.
pub const DEFAULT_BASE: &str = "http://localhost:8080";

/// The account's outbound federation setting and signing keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboundFederation {
    /// Whether GetWebIdentityToken issues tokens (`JwtVendingEnabled`).
    pub enabled: bool,
    /// When the feature was first enabled (Unix seconds).
    pub first_enabled: i64,
    pub keys: Vec<SigningKey>,
}

impl OutboundFederation {
    /// The newest key for `alg`.
    pub fn key(&self, alg: Alg) -> Option<&SigningKey> {
        self.keys
            .iter()
            .filter(|k| k.alg == alg)
            .max_by_key(|k| k.created)
    }

    /// The published key set (`{"keys": [...]}`).
    pub fn jwks(&self) -> Value {
        json!({ "keys": self.keys.iter().map(SigningKey::jwk).collect::<Vec<_>>() })
    }
}

/// The issuer of an account whose server publishes under `base` (`--outbound-issuer-url`
/// is used as it is; this is the default's shape): `BASE/outbound/ACCOUNT`.
pub fn default_issuer(base: &str, account_id: &str) -> String {
    format!("{}/outbound/{account_id}", base.trim_end_matches('/'))
}

/// The OpenID Connect discovery document of `issuer`.
pub fn discovery(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}{JWKS_PATH}"),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": Alg::ALL.map(Alg::as_str),
        "claims_supported": ["iss", "sub", "aud", "iat", "exp", "jti", "https://sts.amazonaws.com/"],
    })
}

/// The path part of `issuer` (`https://host:port/a/b` -> `/a/b`; none -> empty), under which
/// the server answers for the documents; `None` when `issuer` is not an http(s) URL without
/// query or fragment.
pub fn issuer_path(issuer: &str) -> Option<&str> {
    let rest = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))?;
    if rest.contains(['?', '#']) || issuer.ends_with('/') {
        return None;
    }
    let (host, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    (!host.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests;
