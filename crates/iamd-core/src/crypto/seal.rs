//! Secrets at rest: AES-256-GCM under one server key.
//!
//! Sealed format: `version (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)`.
//! The version byte is authenticated (it is prepended to the associated data). The caller's
//! associated data binds a ciphertext to its row (e.g. the access key id or MFA serial
//! number), so a ciphertext copied to another row fails to open.
//!
//! Nonces are 96 random bits per message; keep well under 2^32 messages per key.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use thiserror::Error;
use zeroize::Zeroizing;

use super::random::{self, RandomError};

/// Key length in bytes (AES-256).
pub const KEY_LEN: usize = 32;
/// The only sealed-format version this build writes and reads.
pub const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Why a key could not be loaded or a secret sealed or opened.
#[derive(Debug, Error)]
pub enum SealError {
    /// Reading or creating the key file failed.
    #[error("cannot use key file `{path}`: {source}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The key file may be read or written by group or others.
    #[error("key file `{path}` has mode {mode:o}; it must not be accessible by group or others (use 0600)")]
    KeyFilePermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The key file is not a regular file of exactly 32 bytes.
    #[error("key file `{path}` must be a regular file of exactly 32 bytes")]
    KeyFileSize {
        /// The key file.
        path: PathBuf,
    },
    /// The base64 key is not valid base64 or does not decode to 32 bytes.
    #[error("sealing key must be base64 of exactly 32 bytes")]
    InvalidKey,
    /// No random key or nonce could be drawn.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// Too short to be sealed data, or an unknown version.
    #[error("sealed data is malformed or of an unknown version")]
    Malformed,
    /// Wrong key, wrong associated data, or tampered ciphertext.
    #[error("sealed data cannot be opened: wrong key, wrong associated data or tampered")]
    Open,
    /// The cipher refused to encrypt (message too long).
    #[error("cannot seal data")]
    Seal,
}

/// The server's AES-256-GCM key. Zeroized on drop; `Debug` prints `SealingKey(***)`.
#[derive(Clone)]
pub struct SealingKey {
    key: Zeroizing<[u8; KEY_LEN]>,
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealingKey(***)")
    }
}

impl SealingKey {
    /// A fresh random key from the OS CSPRNG.
    pub fn generate() -> Result<Self, SealError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        random::fill(key.as_mut_slice())?;
        Ok(Self { key })
    }

    /// A key from its 32 raw bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self {
            key: Zeroizing::new(bytes),
        }
    }

    /// A key from standard base64 (with or without padding; surrounding whitespace is
    /// ignored), e.g. an environment variable made with `head -c32 /dev/urandom | base64`.
    pub fn from_base64(text: &str) -> Result<Self, SealError> {
        let unpadded = text.trim().trim_end_matches('=');
        let decoded = Zeroizing::new(
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(unpadded)
                .map_err(|_| SealError::InvalidKey)?,
        );
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if decoded.len() != KEY_LEN {
            return Err(SealError::InvalidKey);
        }
        key.copy_from_slice(&decoded);
        Ok(Self { key })
    }

    /// Loads the key from `path`, or creates it there if no file exists.
    ///
    /// A new file is created atomically (`O_CREAT | O_EXCL`) with mode 0600 and 32 random
    /// bytes, then synced. An existing file is refused, with an error, if it has any
    /// group or other permission bit, is not a regular file, or is not exactly 32 bytes.
    pub fn load_or_create(path: &Path) -> Result<Self, SealError> {
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(file) => Self::create(path, file),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Self::load(path),
            Err(source) => Err(io(path, source)),
        }
    }

    /// Loads an existing key file, with the checks of [`SealingKey::load_or_create`].
    pub fn load(path: &Path) -> Result<Self, SealError> {
        let mut file = File::open(path).map_err(|e| io(path, e))?;
        let metadata = file.metadata().map_err(|e| io(path, e))?;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(SealError::KeyFilePermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
        if !metadata.is_file() || metadata.len() != KEY_LEN as u64 {
            return Err(SealError::KeyFileSize {
                path: path.to_path_buf(),
            });
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        file.read_exact(key.as_mut_slice())
            .map_err(|e| io(path, e))?;
        let mut extra = [0u8; 1];
        if file.read(&mut extra).map_err(|e| io(path, e))? != 0 {
            return Err(SealError::KeyFileSize {
                path: path.to_path_buf(),
            });
        }
        Ok(Self { key })
    }

    fn create(path: &Path, mut file: File) -> Result<Self, SealError> {
        // On any failure, remove the half-made file so the next start does not trip over it.
        let written = Self::generate().and_then(|key| {
            file.write_all(key.key.as_slice())
                .and_then(|()| file.sync_all())
                .map_err(|e| io(path, e))?;
            Ok(key)
        });
        if written.is_err() {
            drop(file);
            let _ = std::fs::remove_file(path);
        }
        written
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&Key::<Aes256Gcm>::from(*self.key))
    }

    /// Encrypts `plaintext` bound to `aad` under a fresh random nonce.
    ///
    /// The result opens only with this key and the same `aad`. Sealing the same plaintext
    /// twice gives different outputs.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let nonce_bytes: [u8; NONCE_LEN] = random::bytes()?;
        let full_aad = full_aad(aad);
        let ciphertext = self
            .cipher()
            .encrypt(
                &Nonce::from(nonce_bytes),
                Payload {
                    msg: plaintext,
                    aad: &full_aad,
                },
            )
            .map_err(|_| SealError::Seal)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// Decrypts what [`SealingKey::seal`] produced with the same `aad`.
    ///
    /// Fails with [`SealError::Malformed`] for short input or an unknown version and with
    /// [`SealError::Open`] for a wrong key, wrong `aad` or any modified byte. The plaintext
    /// is zeroized when dropped.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN {
            return Err(SealError::Malformed);
        }
        let (version, rest) = sealed.split_at(1);
        if version != [VERSION] {
            return Err(SealError::Malformed);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Malformed)?;
        let full_aad = full_aad(aad);
        self.cipher()
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &full_aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Open)
    }
}

fn full_aad(aad: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(1 + aad.len());
    full.push(VERSION);
    full.extend_from_slice(aad);
    full
}

fn io(path: &Path, source: std::io::Error) -> SealError {
    SealError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn round_trip_and_tamper() {
        let key = SealingKey::generate().unwrap();
        let sealed = key
            .seal(b"wJalrXUtnFEMI/K7MDENG", b"AKIAIOSFODNN7EXAMPLE")
            .unwrap();
        assert_eq!(sealed[0], VERSION);
        assert_eq!(sealed.len(), 1 + 12 + 21 + 16);
        let opened = key.open(&sealed, b"AKIAIOSFODNN7EXAMPLE").unwrap();
        assert_eq!(opened.as_slice(), b"wJalrXUtnFEMI/K7MDENG");
        // Fresh nonce each time.
        assert_ne!(
            sealed,
            key.seal(b"wJalrXUtnFEMI/K7MDENG", b"AKIAIOSFODNN7EXAMPLE")
                .unwrap()
        );
        // Every flipped byte is detected.
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(key.open(&bad, b"AKIAIOSFODNN7EXAMPLE").is_err(), "byte {i}");
        }
        // Swapped row: wrong associated data.
        assert!(matches!(
            key.open(&sealed, b"AKIAOTHERKEY00000000"),
            Err(SealError::Open)
        ));
        // Wrong key.
        let other = SealingKey::generate().unwrap();
        assert!(matches!(
            other.open(&sealed, b"AKIAIOSFODNN7EXAMPLE"),
            Err(SealError::Open)
        ));
        // Truncated.
        assert!(matches!(
            key.open(&sealed[..20], b""),
            Err(SealError::Malformed)
        ));
        // Empty plaintext works.
        let empty = key.seal(b"", b"").unwrap();
        assert!(key.open(&empty, b"").unwrap().is_empty());
    }

    #[test]
    fn debug_hides_the_key() {
        let key = SealingKey::from_bytes([7u8; 32]);
        assert_eq!(format!("{key:?}"), "SealingKey(***)");
    }

    #[test]
    fn from_base64() {
        let b64 = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        let key = SealingKey::from_base64(&format!(" {b64}\n")).unwrap();
        let same = SealingKey::from_bytes([9u8; 32]);
        let sealed = key.seal(b"x", b"row").unwrap();
        assert_eq!(same.open(&sealed, b"row").unwrap().as_slice(), b"x");
        assert!(matches!(
            SealingKey::from_base64(&b64[..40]),
            Err(SealError::InvalidKey)
        ));
        assert!(matches!(
            SealingKey::from_base64("!!!!"),
            Err(SealError::InvalidKey)
        ));
        let short = base64::engine::general_purpose::STANDARD.encode([9u8; 16]);
        assert!(matches!(
            SealingKey::from_base64(&short),
            Err(SealError::InvalidKey)
        ));
    }

    #[test]
    fn key_file_created_then_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seal.key");
        let created = SealingKey::load_or_create(&path).unwrap();
        let metadata = fs::metadata(&path).unwrap();
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
        assert_eq!(metadata.len(), 32);
        let loaded = SealingKey::load_or_create(&path).unwrap();
        let sealed = created.seal(b"secret", b"aad").unwrap();
        assert_eq!(loaded.open(&sealed, b"aad").unwrap().as_slice(), b"secret");
    }

    #[test]
    fn key_file_checks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seal.key");
        SealingKey::load_or_create(&path).unwrap();

        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let err = SealingKey::load_or_create(&path).unwrap_err();
        assert!(matches!(
            err,
            SealError::KeyFilePermissions { mode: 0o640, .. }
        ));
        assert!(err.to_string().contains("mode 640"), "{err}");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o604)).unwrap();
        assert!(SealingKey::load(&path).is_err());

        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        fs::write(&path, [1u8; 31]).unwrap();
        assert!(matches!(
            SealingKey::load_or_create(&path),
            Err(SealError::KeyFileSize { .. })
        ));
        fs::write(&path, [1u8; 33]).unwrap();
        assert!(matches!(
            SealingKey::load_or_create(&path),
            Err(SealError::KeyFileSize { .. })
        ));

        // A directory in the way is refused, not overwritten.
        let sub = dir.path().join("dir.key");
        fs::create_dir(&sub).unwrap();
        fs::set_permissions(&sub, fs::Permissions::from_mode(0o700)).unwrap();
        assert!(SealingKey::load_or_create(&sub).is_err());
    }
}
