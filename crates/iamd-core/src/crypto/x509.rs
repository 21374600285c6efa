//! X.509 signing certificates as IAM takes them: one PEM `CERTIFICATE` block holding a
//! well-formed DER certificate that is valid now. Its id is derived from its bytes, so the
//! same certificate always has the same id.

use sha1::{Digest, Sha1};
use x509_cert::der::{pem, Decode};
use x509_cert::Certificate;

use super::base32;

/// Why a certificate body was refused (AWS answers `MalformedCertificate` for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateError {
    /// Not one PEM `CERTIFICATE` block.
    NotPem,
    /// PEM around bytes that are not an X.509 certificate.
    Malformed,
    /// Outside its validity period now (not yet valid, or expired).
    NotValidNow,
}

/// A parsed certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningCertificate {
    /// The DER bytes.
    pub der: Vec<u8>,
    /// Validity, in Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
}

impl SigningCertificate {
    /// Parses `body` and checks it is valid at `now` (Unix seconds).
    pub fn parse(body: &str, now: i64) -> Result<SigningCertificate, CertificateError> {
        let (label, der) =
            pem::decode_vec(body.trim().as_bytes()).map_err(|_| CertificateError::NotPem)?;
        if label != "CERTIFICATE" {
            return Err(CertificateError::NotPem);
        }
        let cert = Certificate::from_der(&der).map_err(|_| CertificateError::Malformed)?;
        let validity = cert.tbs_certificate().validity();
        let secs = |t: x509_cert::time::Time| {
            i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
        };
        let (not_before, not_after) = (secs(validity.not_before), secs(validity.not_after));
        if now < not_before || now > not_after {
            return Err(CertificateError::NotValidNow);
        }
        Ok(SigningCertificate {
            der,
            not_before,
            not_after,
        })
    }

    /// The certificate id: Base32 of the SHA-1 of the DER bytes (32 of `[A-Z2-7]`).
    pub fn id(&self) -> String {
        base32::encode(&Sha1::digest(&self.der))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../../../../fixtures/credentials/signing-cert1.pem");
    const EXPIRED: &str = include_str!("../../../../fixtures/credentials/signing-expired.pem");
    /// 2026-11-23.
    const NOW: i64 = 1_795_423_481;
    /// 2020-01-01 and 2120-01-01, the fixture's validity.
    const NOT_BEFORE: i64 = 1_577_836_800;
    const NOT_AFTER: i64 = 4_733_510_400;

    #[test]
    fn parses_a_pem_certificate_and_derives_its_id() {
        let cert = SigningCertificate::parse(CERT, NOW).unwrap();
        assert_eq!((cert.not_before, cert.not_after), (NOT_BEFORE, NOT_AFTER));
        // Base32 of `openssl x509 -outform der | sha1sum`.
        assert_eq!(cert.id(), "MHNPUO35USQ5BYGF5Y2QXIHHYKHN4XOD");
        // Surrounding whitespace does not matter.
        let padded = format!("\n  {CERT}\n\n");
        assert_eq!(
            SigningCertificate::parse(&padded, NOW).unwrap().id(),
            cert.id()
        );
    }

    #[test]
    fn refuses_what_is_not_a_currently_valid_certificate() {
        let at = |body: &str, now| SigningCertificate::parse(body, now).map(|c| c.id());
        assert_eq!(at(EXPIRED, NOW), Err(CertificateError::NotValidNow));
        assert_eq!(at(CERT, NOT_BEFORE - 1), Err(CertificateError::NotValidNow));
        assert_eq!(at(CERT, NOT_AFTER + 1), Err(CertificateError::NotValidNow));
        assert!(at(CERT, NOT_BEFORE).is_ok() && at(CERT, NOT_AFTER).is_ok());
        assert_eq!(at("not a certificate", NOW), Err(CertificateError::NotPem));
        let key = include_str!("../../../../fixtures/credentials/ssh-rsa-2048-b.pem");
        assert_eq!(at(key, NOW), Err(CertificateError::NotPem));
        let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----";
        assert_eq!(at(garbage, NOW), Err(CertificateError::Malformed));
        // A truncated certificate: valid PEM around a partial DER.
        let der = pem::decode_vec(CERT.as_bytes()).unwrap().1;
        let truncated =
            pem::encode_string("CERTIFICATE", pem::LineEnding::LF, &der[..der.len() - 10]).unwrap();
        assert_eq!(at(&truncated, NOW), Err(CertificateError::Malformed));
    }
}
