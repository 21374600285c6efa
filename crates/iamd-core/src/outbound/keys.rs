//! The account's token signing keys: one RS256 (RSA 2048) and one ES384 (P-384) key,
//! generated when outbound federation is first enabled, the private halves sealed at rest
//! with the account's sealing key (AAD: the key id) and the public halves kept as JWKs.

use base64::Engine;
use rand::SeedableRng;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P384_SHA384_FIXED_SIGNING};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use zeroize::Zeroizing;

use crate::crypto::SealingKey;

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// RSA modulus size of the RS256 key (AWS does not say; 2048 is what RFC 7518 requires).
const RSA_BITS: usize = 2048;

/// The signing algorithms GetWebIdentityToken offers (`SigningAlgorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Alg {
    RS256,
    ES384,
}

impl Alg {
    pub const ALL: [Alg; 2] = [Alg::RS256, Alg::ES384];

    pub fn parse(name: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|a| a.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Alg::RS256 => "RS256",
            Alg::ES384 => "ES384",
        }
    }

    fn jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Alg::RS256 => jsonwebtoken::Algorithm::RS256,
            Alg::ES384 => jsonwebtoken::Algorithm::ES384,
        }
    }
}

/// One signing key as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningKey {
    pub kid: String,
    pub alg: Alg,
    /// The public key's JWK members (`kty`, `n`/`e` or `crv`/`x`/`y`).
    pub public: Value,
    /// The private key (PKCS#1 DER for RSA, PKCS#8 DER for EC), sealed, base64.
    pub sealed_private: String,
    pub created: i64,
}

impl SigningKey {
    /// Generates a key for `alg`, sealed with `sealing`.
    pub fn generate(alg: Alg, sealing: &SealingKey, now: i64) -> Result<SigningKey, String> {
        let kid = hex(&crate::crypto::random::bytes::<16>().map_err(|e| e.to_string())?);
        let (private, public) = match alg {
            Alg::RS256 => rsa_key()?,
            Alg::ES384 => ec_key()?,
        };
        let sealed = sealing
            .seal(&private, aad(&kid).as_bytes())
            .map_err(|e| e.to_string())?;
        Ok(SigningKey {
            kid,
            alg,
            public,
            sealed_private: B64.encode(sealed),
            created: now,
        })
    }

    /// The public key as a JWK (`use` `sig`, with `alg` and `kid`).
    pub fn jwk(&self) -> Value {
        let mut jwk = self.public.clone();
        if let Some(members) = jwk.as_object_mut() {
            members.insert("use".into(), json!("sig"));
            members.insert("alg".into(), json!(self.alg.as_str()));
            members.insert("kid".into(), json!(self.kid));
        }
        jwk
    }

    /// Signs `claims` as a compact JWT (header `alg`, `kid`, `typ` `JWT`).
    pub fn sign(&self, sealing: &SealingKey, claims: &Value) -> Result<String, String> {
        let sealed = B64
            .decode(&self.sealed_private)
            .map_err(|e| e.to_string())?;
        let private = sealing
            .open(&sealed, aad(&self.kid).as_bytes())
            .map_err(|e| e.to_string())?;
        let key = match self.alg {
            Alg::RS256 => jsonwebtoken::EncodingKey::from_rsa_der(&private),
            Alg::ES384 => jsonwebtoken::EncodingKey::from_ec_der(&private),
        };
        let mut header = jsonwebtoken::Header::new(self.alg.jwt());
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &key).map_err(|e| e.to_string())
    }
}

/// The sealing AAD of key `kid`: a sealed key cannot be passed off as another.
fn aad(kid: &str) -> String {
    format!("outbound-federation-key:{kid}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An RSA key: its PKCS#1 DER and its public JWK members.
fn rsa_key() -> Result<(Zeroizing<Vec<u8>>, Value), String> {
    let seed = crate::crypto::random::bytes::<32>().map_err(|e| e.to_string())?;
    let mut rng = rand::rngs::StdRng::from_seed(seed);
    let key = rsa::RsaPrivateKey::new(&mut rng, RSA_BITS).map_err(|e| e.to_string())?;
    let der = key.to_pkcs1_der().map_err(|e| e.to_string())?;
    let public = json!({
        "kty": "RSA",
        "n": B64URL.encode(key.n_bytes()),
        "e": B64URL.encode(key.e_bytes()),
    });
    Ok((Zeroizing::new(der.as_bytes().to_vec()), public))
}

/// A P-384 key: its PKCS#8 DER and its public JWK members.
fn ec_key() -> Result<(Zeroizing<Vec<u8>>, Value), String> {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &rng)
        .map_err(|e| e.to_string())?;
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|e| e.to_string())?;
    // The uncompressed point: 0x04, then x and y of 48 bytes each.
    let point = pair.public_key().as_ref();
    let (x, y) = match point {
        [0x04, rest @ ..] if rest.len() == 96 => rest.split_at(48),
        _ => return Err("unexpected P-384 public key encoding".into()),
    };
    let public = json!({
        "kty": "EC",
        "crv": "P-384",
        "x": B64URL.encode(x),
        "y": B64URL.encode(y),
    });
    Ok((Zeroizing::new(pkcs8.as_ref().to_vec()), public))
}
