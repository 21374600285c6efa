//! Secrets and the SigV4 signing key chain.
//!
//! `kDate = HMAC("AWS4" + secret, date)`, `kRegion = HMAC(kDate, region)`,
//! `kService = HMAC(kRegion, service)`, `kSigning = HMAC(kService, "aws4_request")`.
//! The signing key depends only on (secret, date, region, service), so a server can
//! cache it per access key and day; [`SigningKey`] remembers its scope so it cannot
//! be used for another one by mistake.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

type HmacSha256 = Hmac<Sha256>;

/// SHA-256's block size, which is HMAC-SHA256's key block size.
const BLOCK: usize = 64;

/// HMAC-SHA256 of `data` under `key`.
///
/// The key is brought to one block the way RFC 2104 says (hashed when longer,
/// zero-padded), so the keyed constructor used is the infallible one.
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut block = Zeroizing::new([0u8; BLOCK]);
    if key.len() > BLOCK {
        let digest = Sha256::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut mac = <HmacSha256 as KeyInit>::new(&(*block).into());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// An AWS secret access key. `Debug` prints `***`; the bytes are wiped on drop.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<Vec<u8>>);

impl SecretKey {
    /// Wraps the secret (taking ownership: the caller's copy is the one to wipe).
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        SecretKey(Zeroizing::new(secret.into()))
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl From<&str> for SecretKey {
    fn from(secret: &str) -> Self {
        SecretKey::new(secret.as_bytes().to_vec())
    }
}

impl From<String> for SecretKey {
    fn from(secret: String) -> Self {
        SecretKey::new(secret.into_bytes())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// A derived SigV4 signing key for one (date, region, service).
///
/// `Debug` prints the scope and `***`; the key bytes are wiped on drop.
#[derive(Clone)]
pub struct SigningKey {
    key: [u8; 32],
    date: String,
    region: String,
    service: String,
}

impl SigningKey {
    /// Derives the signing key of `secret` for `date` (`YYYYMMDD`), `region` and `service`.
    pub fn derive(secret: &SecretKey, date: &str, region: &str, service: &str) -> Self {
        let mut k_secret = Zeroizing::new(Vec::with_capacity(4 + secret.expose().len()));
        k_secret.extend_from_slice(b"AWS4");
        k_secret.extend_from_slice(secret.expose());
        let mut k_date = hmac_sha256(&k_secret, date.as_bytes());
        let mut k_region = hmac_sha256(&k_date, region.as_bytes());
        let mut k_service = hmac_sha256(&k_region, service.as_bytes());
        let key = hmac_sha256(&k_service, b"aws4_request");
        k_date.zeroize();
        k_region.zeroize();
        k_service.zeroize();
        SigningKey {
            key,
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
        }
    }

    /// Whether this key was derived for that scope.
    pub fn is_for(&self, date: &str, region: &str, service: &str) -> bool {
        self.date == date && self.region == region && self.service == service
    }

    /// The scope date (`YYYYMMDD`) it was derived for.
    pub fn date(&self) -> &str {
        &self.date
    }

    /// The region it was derived for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The service it was derived for.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// HMAC-SHA256 of `data` under this key: the signature of a string to sign.
    pub(crate) fn sign(&self, data: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.key, data)
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SigningKey({}/{}/{}, ***)",
            self.date, self.region, self.service
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2 and 6 (key longer than a block).
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn signing_key_matches_aws_example() {
        // The AWS documentation's example: secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
        // 20150830/us-east-1/iam.
        let secret = SecretKey::from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let key = SigningKey::derive(&secret, "20150830", "us-east-1", "iam");
        assert_eq!(
            hex::encode(key.key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
        assert!(key.is_for("20150830", "us-east-1", "iam"));
        assert!(!key.is_for("20150831", "us-east-1", "iam"));
    }

    #[test]
    fn debug_hides_secrets() {
        let secret = SecretKey::from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        assert_eq!(format!("{secret:?}"), "SecretKey(***)");
        let key = SigningKey::derive(&secret, "20150830", "us-east-1", "iam");
        let shown = format!("{key:?}");
        assert_eq!(shown, "SigningKey(20150830/us-east-1/iam, ***)");
    }
}
