//! Server certificates as UploadServerCertificate takes them: a PEM certificate, its PEM
//! private key (unencrypted PKCS #1, SEC1 or PKCS #8; RSA or ECDSA) and an optional PEM
//! chain. The certificate must be valid now, the key must be the certificate's (its public
//! half equal to the certificate's public key, and, where `ring` can load it, a consistent
//! key pair), and each certificate of the chain must have signed the one before it (the
//! first, the certificate itself): signatures checked with `x509-parser` over `ring`.

use pkcs1::RsaPrivateKeyRef;
use sec1::EcPrivateKey;
use x509_parser::certificate::X509Certificate;
use x509_parser::oid_registry::{OID_EC_P256, OID_NIST_EC_P384};
use x509_parser::pem::Pem;
use x509_parser::public_key::PublicKey;

/// Why an upload was refused. AWS answers `MalformedCertificate` for all but
/// [`KeyMismatch`](ServerCertError::KeyMismatch) (`KeyPairMismatch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerCertError {
    /// The body is not one PEM `CERTIFICATE` block holding an X.509 certificate.
    BodyNotCertificate,
    /// Its validity ended before now.
    Expired,
    /// Its validity starts after now.
    NotYetValid,
    /// The private key is not an unencrypted PEM RSA or EC private key.
    KeyNotReadable,
    /// The key is not the certificate's.
    KeyMismatch,
    /// The chain is not PEM certificates, or the certificate at this index (-1: the
    /// certificate itself) was not signed by the next one.
    Chain(i64),
}

/// What iamd keeps of a checked certificate besides its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedServerCertificate {
    /// The end of its validity, Unix seconds (`Expiration`).
    pub not_after: i64,
}

/// Checks a server certificate, its private key and its chain at `now` (Unix seconds).
pub fn check(
    body: &str,
    private_key: &str,
    chain: Option<&str>,
    now: i64,
) -> Result<CheckedServerCertificate, ServerCertError> {
    let body_pems = pems(body).ok_or(ServerCertError::BodyNotCertificate)?;
    let [body_pem] = body_pems.as_slice() else {
        return Err(ServerCertError::BodyNotCertificate);
    };
    let cert = certificate(body_pem).ok_or(ServerCertError::BodyNotCertificate)?;
    let validity = cert.validity();
    let (not_before, not_after) = (
        validity.not_before.timestamp(),
        validity.not_after.timestamp(),
    );
    if now > not_after {
        return Err(ServerCertError::Expired);
    }
    if now < not_before {
        return Err(ServerCertError::NotYetValid);
    }
    check_key(&cert, private_key)?;
    if let Some(chain) = chain {
        check_chain(&cert, chain)?;
    }
    Ok(CheckedServerCertificate { not_after })
}

/// The PEM blocks of `text` (`None` when there are none or one is broken).
fn pems(text: &str) -> Option<Vec<Pem>> {
    let blocks: Result<Vec<Pem>, _> = Pem::iter_from_buffer(text.trim().as_bytes()).collect();
    blocks.ok().filter(|b| !b.is_empty())
}

/// A `CERTIFICATE` block's certificate.
fn certificate(pem: &Pem) -> Option<X509Certificate<'_>> {
    if pem.label != "CERTIFICATE" {
        return None;
    }
    pem.parse_x509().ok()
}

/// Each certificate of the chain must have signed the one before it.
fn check_chain(cert: &X509Certificate<'_>, chain: &str) -> Result<(), ServerCertError> {
    let blocks = pems(chain).ok_or(ServerCertError::Chain(0))?;
    let mut signed = cert.clone();
    for (index, block) in blocks.iter().enumerate() {
        let index = i64::try_from(index).unwrap_or(i64::MAX);
        let signer = certificate(block).ok_or(ServerCertError::Chain(index))?;
        signed
            .verify_signature(Some(signer.public_key()))
            .map_err(|_| ServerCertError::Chain(index - 1))?;
        signed = signer;
    }
    Ok(())
}

/// A private key's public half, read from its PEM.
enum KeyPublic {
    /// Modulus and exponent, without leading zero bytes.
    Rsa(Vec<u8>, Vec<u8>),
    /// The curve and the uncompressed point.
    Ec(x509_parser::der_parser::oid::Oid<'static>, Vec<u8>),
}

/// `1.2.840.113549.1.1.1` and `1.2.840.10045.2.1`, the PKCS #8 algorithms.
const RSA_ENCRYPTION: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

fn check_key(cert: &X509Certificate<'_>, private_key: &str) -> Result<(), ServerCertError> {
    let unreadable = ServerCertError::KeyNotReadable;
    let blocks = pems(private_key).ok_or(unreadable)?;
    let [block] = blocks.as_slice() else {
        return Err(unreadable);
    };
    let key = match block.label.as_str() {
        "RSA PRIVATE KEY" => rsa_key(&block.contents)?,
        "EC PRIVATE KEY" => ec_key(&block.contents, None)?,
        "PRIVATE KEY" => {
            let info = pkcs8::PrivateKeyInfoRef::try_from(block.contents.as_slice())
                .map_err(|_| unreadable)?;
            let (algorithm, curve) = info.algorithm.oids().map_err(|_| unreadable)?;
            let inner = info.private_key.as_bytes();
            match algorithm {
                RSA_ENCRYPTION => rsa_key(inner)?,
                EC_PUBLIC_KEY => ec_key(inner, curve)?,
                _ => return Err(unreadable),
            }
        }
        _ => return Err(unreadable),
    };
    let spki = cert.public_key();
    let matches = match (key, spki.parsed()) {
        (KeyPublic::Rsa(n, e), Ok(PublicKey::RSA(public))) => {
            n == unpadded(public.modulus) && e == unpadded(public.exponent)
        }
        (KeyPublic::Ec(curve, point), Ok(PublicKey::EC(public))) => {
            let cert_curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok());
            cert_curve.as_ref() == Some(&curve) && point == public.data()
        }
        _ => false,
    };
    if matches {
        Ok(())
    } else {
        Err(ServerCertError::KeyMismatch)
    }
}

fn unpadded(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

/// A PKCS #1 RSA private key's public half; keys `ring` can load (2,048 to 8,192 bits) must
/// also be consistent (its primes multiply to the modulus, and so on).
fn rsa_key(der: &[u8]) -> Result<KeyPublic, ServerCertError> {
    let key = RsaPrivateKeyRef::try_from(der).map_err(|_| ServerCertError::KeyNotReadable)?;
    let n = unpadded(key.modulus.as_bytes());
    let bits = n.len() * 8;
    if (2048..=8192).contains(&bits) && ring::rsa::KeyPair::from_der(der).is_err() {
        return Err(ServerCertError::KeyNotReadable);
    }
    Ok(KeyPublic::Rsa(n, unpadded(key.public_exponent.as_bytes())))
}

/// A SEC1 EC private key's curve (its own, or the PKCS #8 algorithm's `curve`) and public
/// point, which must be present; P-256 and P-384 keys must be consistent with it.
fn ec_key(
    der: &[u8],
    curve: Option<pkcs8::ObjectIdentifier>,
) -> Result<KeyPublic, ServerCertError> {
    let unreadable = ServerCertError::KeyNotReadable;
    let key = EcPrivateKey::try_from(der).map_err(|_| unreadable)?;
    let curve = key
        .parameters
        .and_then(|p| p.named_curve())
        .or(curve)
        .ok_or(unreadable)?;
    let curve = x509_parser::der_parser::oid::Oid::new(curve.as_bytes().to_vec().into());
    let public = key.public_key.ok_or(unreadable)?;
    let algorithm = if curve == OID_EC_P256 {
        Some(&ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING)
    } else if curve == OID_NIST_EC_P384 {
        Some(&ring::signature::ECDSA_P384_SHA384_ASN1_SIGNING)
    } else {
        None
    };
    if let Some(algorithm) = algorithm {
        let rng = ring::rand::SystemRandom::new();
        ring::signature::EcdsaKeyPair::from_private_key_and_public_key(
            algorithm,
            key.private_key,
            public,
            &rng,
        )
        .map_err(|_| ServerCertError::KeyMismatch)?;
    }
    Ok(KeyPublic::Ec(curve, public.to_vec()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../../../fixtures/server-certs/", $name))
        };
    }
    const LEAF: &str = fixture!("leaf.pem");
    const PKCS1: &str = fixture!("leaf-key.pkcs1.pem");
    const PKCS8: &str = fixture!("leaf-key.pkcs8.pem");
    const OTHER: &str = fixture!("other-key.pem");
    const EC_LEAF: &str = fixture!("ec-leaf.pem");
    const SEC1: &str = fixture!("ec-key.sec1.pem");
    const EC_PKCS8: &str = fixture!("ec-key.pkcs8.pem");
    const EXPIRED: &str = fixture!("expired.pem");
    const CHAIN: &str = fixture!("chain.pem");
    const REVERSED: &str = fixture!("chain-reversed.pem");
    /// 2026-11-23; the fixtures are valid 2020-01-01 to 2120-01-01.
    const NOW: i64 = 1_795_423_481;
    const NOT_AFTER: i64 = 4_733_510_400;

    #[test]
    fn accepts_matching_keys_in_every_format_and_a_chain_in_order() {
        let ok = CheckedServerCertificate {
            not_after: NOT_AFTER,
        };
        assert_eq!(check(LEAF, PKCS1, None, NOW), Ok(ok.clone()));
        assert_eq!(check(LEAF, PKCS8, Some(CHAIN), NOW), Ok(ok.clone()));
        assert_eq!(check(EC_LEAF, SEC1, Some(CHAIN), NOW), Ok(ok.clone()));
        assert_eq!(check(EC_LEAF, EC_PKCS8, None, NOW), Ok(ok));
        // The intermediate alone is a chain too.
        let intermediate = CHAIN.split_inclusive("-----END CERTIFICATE-----\n").next();
        assert!(check(LEAF, PKCS1, intermediate, NOW).is_ok());
    }

    #[test]
    fn refuses_keys_of_other_certificates() {
        let mismatch = Err(ServerCertError::KeyMismatch);
        assert_eq!(check(LEAF, OTHER, None, NOW), mismatch);
        assert_eq!(check(LEAF, SEC1, None, NOW), mismatch);
        assert_eq!(check(EC_LEAF, PKCS1, None, NOW), mismatch);
        let unreadable = Err(ServerCertError::KeyNotReadable);
        assert_eq!(check(LEAF, "not a key", None, NOW), unreadable);
        assert_eq!(check(LEAF, LEAF, None, NOW), unreadable);
        let two = format!("{PKCS1}{PKCS8}");
        assert_eq!(check(LEAF, &two, None, NOW), unreadable);
        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(check(LEAF, encrypted, None, NOW), unreadable);
    }

    #[test]
    fn refuses_bodies_that_are_not_one_valid_certificate() {
        let not = Err(ServerCertError::BodyNotCertificate);
        assert_eq!(check("hello", PKCS1, None, NOW), not);
        assert_eq!(check(PKCS1, PKCS1, None, NOW), not);
        assert_eq!(check(CHAIN, PKCS1, None, NOW), not);
        let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert_eq!(check(garbage, PKCS1, None, NOW), not);
        assert_eq!(
            check(EXPIRED, PKCS1, None, NOW),
            Err(ServerCertError::Expired)
        );
        assert_eq!(
            check(LEAF, PKCS1, None, 1_500_000_000),
            Err(ServerCertError::NotYetValid)
        );
    }

    #[test]
    fn refuses_chains_out_of_order_naming_the_certificate() {
        // The root first: the certificate itself was not signed by it (AWS's index -1).
        assert_eq!(
            check(LEAF, PKCS1, Some(REVERSED), NOW),
            Err(ServerCertError::Chain(-1))
        );
        // The intermediate twice: the second did not sign the first.
        let intermediate = CHAIN
            .split_inclusive("-----END CERTIFICATE-----\n")
            .next()
            .unwrap();
        let twice = format!("{intermediate}{intermediate}");
        assert_eq!(
            check(LEAF, PKCS1, Some(&twice), NOW),
            Err(ServerCertError::Chain(0))
        );
        assert_eq!(
            check(LEAF, PKCS1, Some("junk"), NOW),
            Err(ServerCertError::Chain(0))
        );
    }
}
