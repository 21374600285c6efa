//! SSH public keys as IAM takes them for CodeCommit: RSA only, at least 2048 bits, given as
//! an OpenSSH line (`ssh-rsa BASE64 [comment]`) or as PEM (`PUBLIC KEY`, or PKCS #1
//! `RSA PUBLIC KEY`). Gives AWS's fingerprint (MD5 of the OpenSSH key blob, `xx:xx:...`) and
//! both encodings GetSSHPublicKey returns.

use base64::Engine;
use md5::{Digest, Md5};
use x509_cert::der::asn1::{AnyRef, BitStringRef, UintRef};
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::pem::{self, LineEnding};
use x509_cert::der::{Decode, Encode, Reader, SliceReader};
use x509_cert::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

/// The smallest modulus IAM accepts, in bits.
pub const MIN_BITS: usize = 2048;

/// `rsaEncryption` (RFC 8017).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SSH_RSA: &str = "ssh-rsa";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Why a key body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SshKeyError {
    /// Neither an OpenSSH key line nor PEM (AWS: `UnrecognizedPublicKeyEncoding`).
    UnrecognizedEncoding,
    /// A recognised encoding around a malformed key (AWS: `InvalidPublicKey`).
    Malformed,
    /// A well-formed key of another algorithm than RSA (AWS: `InvalidPublicKey`).
    NotRsa,
    /// An RSA key shorter than [`MIN_BITS`] (AWS: `InvalidPublicKey`); the key's bits.
    TooShort(usize),
}

/// An RSA public key: modulus and exponent, unsigned big-endian without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl RsaPublicKey {
    /// Parses an OpenSSH line or PEM text and checks the key is RSA of at least 2048 bits.
    pub fn parse(body: &str) -> Result<RsaPublicKey, SshKeyError> {
        let body = body.trim();
        let key = if body.starts_with("-----BEGIN ") {
            from_pem(body)?
        } else {
            from_openssh_line(body)?
        };
        // An RSA public exponent is odd (and so never zero).
        if key.modulus.is_empty() || key.exponent.last().is_none_or(|e| e & 1 == 0) {
            return Err(SshKeyError::Malformed);
        }
        match key.bits() {
            bits if bits < MIN_BITS => Err(SshKeyError::TooShort(bits)),
            _ => Ok(key),
        }
    }

    /// The modulus length in bits.
    pub fn bits(&self) -> usize {
        match self.modulus.first() {
            Some(top) => self.modulus.len() * 8 - top.leading_zeros() as usize,
            None => 0,
        }
    }

    /// The OpenSSH wire blob: string `ssh-rsa`, mpint e, mpint n (RFC 4253 §6.6).
    pub fn ssh_blob(&self) -> Vec<u8> {
        let mut blob = Vec::with_capacity(self.modulus.len() + 32);
        put_string(&mut blob, SSH_RSA.as_bytes());
        put_mpint(&mut blob, &self.exponent);
        put_mpint(&mut blob, &self.modulus);
        blob
    }

    /// `ssh-rsa BASE64`, without a comment.
    pub fn to_openssh(&self) -> String {
        format!("{SSH_RSA} {}", B64.encode(self.ssh_blob()))
    }

    /// PEM `PUBLIC KEY` (SubjectPublicKeyInfo), lines of 64 characters.
    pub fn to_pem(&self) -> Result<String, SshKeyError> {
        let fail = |_| SshKeyError::Malformed;
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        let integers = [
            UintRef::new(&self.modulus).map_err(fail)?,
            UintRef::new(&self.exponent).map_err(fail)?,
        ];
        let pkcs1 = integers.to_der().map_err(fail)?;
        let spki = SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef {
                oid: RSA_ENCRYPTION,
                parameters: Some(AnyRef::NULL),
            },
            subject_public_key: BitStringRef::from_bytes(&pkcs1).map_err(fail)?,
        };
        let der = spki.to_der().map_err(fail)?;
        pem::encode_string("PUBLIC KEY", LineEnding::LF, &der).map_err(|_| SshKeyError::Malformed)
    }

    /// AWS's fingerprint: the MD5 of the OpenSSH blob as colon-separated lowercase hex
    /// (what `ssh-keygen -l -E md5` shows after `MD5:`).
    pub fn fingerprint(&self) -> String {
        let digest = Md5::digest(self.ssh_blob());
        let hex: Vec<String> = digest.iter().map(|b| format!("{b:02x}")).collect();
        hex.join(":")
    }
}

/// `TYPE BASE64 [comment]`: the encoding is recognised by an SSH key type name.
fn from_openssh_line(body: &str) -> Result<RsaPublicKey, SshKeyError> {
    let mut fields = body.split_whitespace();
    let kind = fields.next().unwrap_or_default();
    let is_ssh_type = ["ssh-", "ecdsa-", "sk-"]
        .iter()
        .any(|p| kind.starts_with(p));
    if !is_ssh_type {
        return Err(SshKeyError::UnrecognizedEncoding);
    }
    if kind != SSH_RSA {
        return Err(SshKeyError::NotRsa);
    }
    let blob = fields
        .next()
        .and_then(|b| B64.decode(b).ok())
        .ok_or(SshKeyError::Malformed)?;
    let mut reader = BlobReader(&blob);
    if reader.string()? != SSH_RSA.as_bytes() {
        return Err(SshKeyError::Malformed);
    }
    let exponent = reader.mpint()?;
    let modulus = reader.mpint()?;
    if !reader.0.is_empty() {
        return Err(SshKeyError::Malformed);
    }
    Ok(RsaPublicKey { modulus, exponent })
}

/// PEM `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS #1).
fn from_pem(body: &str) -> Result<RsaPublicKey, SshKeyError> {
    let (label, der) = pem::decode_vec(body.as_bytes()).map_err(|_| SshKeyError::Malformed)?;
    match label {
        "PUBLIC KEY" => {
            let spki =
                SubjectPublicKeyInfoRef::from_der(&der).map_err(|_| SshKeyError::Malformed)?;
            if spki.algorithm.oid != RSA_ENCRYPTION {
                return Err(SshKeyError::NotRsa);
            }
            let key = spki
                .subject_public_key
                .as_bytes()
                .ok_or(SshKeyError::Malformed)?;
            from_pkcs1(key)
        }
        "RSA PUBLIC KEY" => from_pkcs1(&der),
        _ => Err(SshKeyError::UnrecognizedEncoding),
    }
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
fn from_pkcs1(der: &[u8]) -> Result<RsaPublicKey, SshKeyError> {
    let parse = || -> Result<RsaPublicKey, x509_cert::der::Error> {
        let mut reader = SliceReader::new(der)?;
        let key = reader.sequence(|r| {
            let modulus = UintRef::decode(r)?.as_bytes().to_vec();
            let exponent = UintRef::decode(r)?.as_bytes().to_vec();
            Ok::<_, x509_cert::der::Error>(RsaPublicKey { modulus, exponent })
        })?;
        reader.finish()?;
        Ok(key)
    };
    parse()
        .map(|k| RsaPublicKey {
            modulus: strip_zeros(&k.modulus).to_vec(),
            exponent: strip_zeros(&k.exponent).to_vec(),
        })
        .map_err(|_| SshKeyError::Malformed)
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().take_while(|b| **b == 0).count();
    &bytes[start..]
}

/// Reads RFC 4251 `string` and `mpint` fields from an OpenSSH blob.
struct BlobReader<'a>(&'a [u8]);

impl<'a> BlobReader<'a> {
    fn string(&mut self) -> Result<&'a [u8], SshKeyError> {
        let (len, rest) = self
            .0
            .split_first_chunk::<4>()
            .ok_or(SshKeyError::Malformed)?;
        let len = u32::from_be_bytes(*len) as usize;
        if rest.len() < len {
            return Err(SshKeyError::Malformed);
        }
        let (value, rest) = rest.split_at(len);
        self.0 = rest;
        Ok(value)
    }

    /// A non-negative mpint, without leading zeros.
    fn mpint(&mut self) -> Result<Vec<u8>, SshKeyError> {
        let value = self.string()?;
        if value.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(SshKeyError::Malformed);
        }
        Ok(strip_zeros(value).to_vec())
    }
}

fn put_string(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(&(value.len() as u32).to_be_bytes());
    out.extend_from_slice(value);
}

/// An unsigned value as an mpint: a zero byte first when the top bit is set.
fn put_mpint(out: &mut Vec<u8>, value: &[u8]) {
    if value.first().is_some_and(|b| b & 0x80 != 0) {
        out.extend_from_slice(&(value.len() as u32 + 1).to_be_bytes());
        out.push(0);
        out.extend_from_slice(value);
    } else {
        put_string(out, value);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const A: &str = include_str!("../../../../fixtures/credentials/ssh-rsa-2048-a.pub");
    const B: &str = include_str!("../../../../fixtures/credentials/ssh-rsa-2048-b.pub");
    const B_SPKI: &str = include_str!("../../../../fixtures/credentials/ssh-rsa-2048-b.pem");
    const B_PKCS1: &str = include_str!("../../../../fixtures/credentials/ssh-rsa-2048-b.pkcs1.pem");
    const SHORT: &str = include_str!("../../../../fixtures/credentials/ssh-rsa-1024.pub");
    const ED25519: &str = include_str!("../../../../fixtures/credentials/ssh-ed25519.pub");

    #[test]
    fn openssh_lines_and_fingerprints_as_ssh_keygen_shows_them() {
        let a = RsaPublicKey::parse(A).unwrap();
        assert_eq!(a.bits(), 2048);
        // `ssh-keygen -l -E md5 -f ssh-rsa-2048-a.pub`
        assert_eq!(
            a.fingerprint(),
            "07:c1:13:80:77:c8:37:b8:e1:0f:8c:17:8f:a2:26:fe"
        );
        // The comment is dropped; the blob is the one given.
        let line: Vec<&str> = A.split_whitespace().collect();
        assert_eq!(a.to_openssh(), format!("{} {}", line[0], line[1]));
        let b = RsaPublicKey::parse(B).unwrap();
        assert_eq!(
            b.fingerprint(),
            "70:b9:e8:f9:fe:48:9e:e3:9f:d7:1a:26:b2:10:24:e1"
        );
        assert_ne!(a, b);
    }

    #[test]
    fn pem_forms_are_the_same_key_and_pem_comes_back_as_openssl_writes_it() {
        let b = RsaPublicKey::parse(B).unwrap();
        assert_eq!(RsaPublicKey::parse(B_SPKI).unwrap(), b);
        assert_eq!(RsaPublicKey::parse(B_PKCS1).unwrap(), b);
        assert_eq!(b.to_pem().unwrap(), B_SPKI);
        assert_eq!(RsaPublicKey::parse(&b.to_pem().unwrap()).unwrap(), b);
    }

    #[test]
    fn refusals() {
        assert_eq!(RsaPublicKey::parse(SHORT), Err(SshKeyError::TooShort(1024)));
        assert_eq!(RsaPublicKey::parse(ED25519), Err(SshKeyError::NotRsa));
        assert_eq!(
            RsaPublicKey::parse("ssh-dss AAAA"),
            Err(SshKeyError::NotRsa)
        );
        for malformed in [
            "ssh-rsa",
            "ssh-rsa not-base64!",
            "ssh-rsa AAAAB3NzaC1yc2E=",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
        ] {
            assert_eq!(
                RsaPublicKey::parse(malformed),
                Err(SshKeyError::Malformed),
                "{malformed}"
            );
        }
        // An ssh-rsa line whose blob names another type, or has bytes after the modulus.
        let blob = B64.decode(B.split_whitespace().nth(1).unwrap()).unwrap();
        let mut renamed = blob.clone();
        renamed[4..11].copy_from_slice(b"ssh-dss");
        let mut longer = blob.clone();
        longer.push(0);
        for bad in [renamed, longer] {
            let line = format!("ssh-rsa {}", B64.encode(bad));
            assert_eq!(RsaPublicKey::parse(&line), Err(SshKeyError::Malformed));
        }
        for unrecognized in [
            "hello",
            "",
            "AAAAB3NzaC1yc2EAAAADAQABAAABAQ",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        ] {
            assert_eq!(
                RsaPublicKey::parse(unrecognized),
                Err(SshKeyError::UnrecognizedEncoding),
                "{unrecognized}"
            );
        }
    }
}
