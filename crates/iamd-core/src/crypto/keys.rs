//! AWS-shaped identifiers and credentials, all drawn from the OS CSPRNG.
//!
//! | what | shape |
//! | --- | --- |
//! | access key id | `AKIA` (long-term) or `ASIA` (temporary) + 16 of `[A-Z2-7]` |
//! | secret access key | 40 of `[A-Za-z0-9+/]` (240 random bits) |
//! | unique id | `AIDA` user, `AGPA` group, `AROA` role, `ANPA` policy, `AIPA` instance profile, `ASCA` server certificate, `ACCA` service-specific credential, + 17 of `[A-Z2-7]` (21 chars) |
//! | SSH public key id | `APKA` + 16 of `[A-Z2-7]` (20 chars) |
//! | service-specific password | standard base64 of 44 random bytes (60 chars, ending in `=`) |
//! | session token | standard base64 of 96 random bytes (128 chars) |
//! | request id | UUID v4, lowercase |

use std::fmt;

use base64::Engine as _;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::random::{self, RandomError};

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Random characters after the 4-letter prefix of an access key id.
pub const ACCESS_KEY_ID_RANDOM_LEN: usize = 16;
/// Characters in a secret access key.
pub const SECRET_ACCESS_KEY_LEN: usize = 40;
/// Random characters after the 4-letter prefix of a unique id.
pub const UNIQUE_ID_RANDOM_LEN: usize = 17;
/// Random bytes in a session token.
pub const SESSION_TOKEN_BYTES: usize = 96;

/// A string that must not leak: zeroized on drop, `Debug` prints `***`, no `Display` and
/// no `==` (compare with [`Secret::ct_eq`]).
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret text, for signing or storing sealed.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Constant-time equality with `other` (time depends only on the lengths).
    pub fn ct_eq(&self, other: &str) -> bool {
        ct_eq(self.0.as_bytes(), other.as_bytes())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Whether `a == b`, in time that depends only on the lengths, never on the contents.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Long-term (`AKIA`) or temporary (`ASIA`) access key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessKeyKind {
    /// An IAM user's access key.
    LongTerm,
    /// STS session credentials.
    Temporary,
}

impl AccessKeyKind {
    /// `AKIA` or `ASIA`.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::LongTerm => "AKIA",
            Self::Temporary => "ASIA",
        }
    }

    /// The kind of a well-formed access key id (prefix + 16 of `[A-Z2-7]`), else `None`.
    pub fn of(access_key_id: &str) -> Option<Self> {
        let kind = [Self::LongTerm, Self::Temporary]
            .into_iter()
            .find(|k| access_key_id.starts_with(k.prefix()))?;
        let rest = access_key_id.get(4..)?;
        (rest.len() == ACCESS_KEY_ID_RANDOM_LEN && rest.bytes().all(|c| BASE32.contains(&c)))
            .then_some(kind)
    }
}

/// What a unique id (`UserId`, `GroupId`, `RoleId`, `PolicyId`, ...) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UniqueIdKind {
    /// `AIDA`
    User,
    /// `AGPA`
    Group,
    /// `AROA`
    Role,
    /// `ANPA` (managed policy)
    Policy,
    /// `AIPA`
    InstanceProfile,
    /// `ASCA`
    ServerCertificate,
    /// `ACCA`
    ServiceCredential,
}

impl UniqueIdKind {
    /// The 4-letter prefix AWS uses for this kind.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::User => "AIDA",
            Self::Group => "AGPA",
            Self::Role => "AROA",
            Self::Policy => "ANPA",
            Self::InstanceProfile => "AIPA",
            Self::ServerCertificate => "ASCA",
            Self::ServiceCredential => "ACCA",
        }
    }
}

/// `len` characters drawn uniformly from `alphabet` (32 or 64 symbols, so masking a random
/// byte is unbiased).
fn random_chars(alphabet: &[u8], len: usize) -> Result<String, RandomError> {
    let mask = alphabet.len() - 1;
    let mut bytes = Zeroizing::new(vec![0u8; len]);
    random::fill(&mut bytes)?;
    Ok(bytes
        .iter()
        .map(|&b| char::from(alphabet[usize::from(b) & mask]))
        .collect())
}

/// A new access key id: `AKIA`/`ASIA` + 16 random `[A-Z2-7]` (80 random bits).
pub fn access_key_id(kind: AccessKeyKind) -> Result<String, RandomError> {
    Ok(format!(
        "{}{}",
        kind.prefix(),
        random_chars(BASE32, ACCESS_KEY_ID_RANDOM_LEN)?
    ))
}

/// A new secret access key: 40 random characters of `[A-Za-z0-9+/]` (240 bits).
pub fn secret_access_key() -> Result<Secret, RandomError> {
    random_chars(BASE64, SECRET_ACCESS_KEY_LEN).map(Secret::new)
}

/// A new unique id: the kind's prefix + 17 random `[A-Z2-7]` (85 random bits), 21 chars.
pub fn unique_id(kind: UniqueIdKind) -> Result<String, RandomError> {
    Ok(format!(
        "{}{}",
        kind.prefix(),
        random_chars(BASE32, UNIQUE_ID_RANDOM_LEN)?
    ))
}

/// A new SSH public key id: `APKA` + 16 random `[A-Z2-7]` (20 chars, the length of AWS's).
pub fn ssh_public_key_id() -> Result<String, RandomError> {
    Ok(format!(
        "APKA{}",
        random_chars(BASE32, ACCESS_KEY_ID_RANDOM_LEN)?
    ))
}

/// Random bytes in a service-specific credential's password.
pub const SERVICE_PASSWORD_BYTES: usize = 44;

/// A new service-specific credential password: standard base64 of 44 random bytes (352
/// bits; 60 characters ending in `=`, the shape of AWS's).
pub fn service_password() -> Result<Secret, RandomError> {
    let mut bytes = Zeroizing::new([0u8; SERVICE_PASSWORD_BYTES]);
    random::fill(bytes.as_mut_slice())?;
    Ok(Secret::new(
        base64::engine::general_purpose::STANDARD.encode(bytes.as_slice()),
    ))
}

/// A new opaque session token: standard base64 of 96 random bytes (768 bits, 128 chars).
pub fn session_token() -> Result<Secret, RandomError> {
    let mut bytes = Zeroizing::new([0u8; SESSION_TOKEN_BYTES]);
    random::fill(bytes.as_mut_slice())?;
    Ok(Secret::new(
        base64::engine::general_purpose::STANDARD.encode(bytes.as_slice()),
    ))
}

/// A new request id: a random (version 4) UUID in lowercase, `8-4-4-4-12` hex digits.
///
/// Request ids (and audit event ids) are unique labels, not secrets: they come from a fast
/// per-thread generator (wyrand) seeded once per thread from the operating system's CSPRNG,
/// so no system call is made per id. Fails only if that first seeding fails.
pub fn request_id() -> Result<String, RandomError> {
    let (hi, lo) = IdRng::with(|rng| (rng.next(), rng.next()))?;
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&hi.to_le_bytes());
    b[8..].copy_from_slice(&lo.to_le_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    Ok(uuid_text(&b))
}

/// A new audit event id: a time-ordered (version 7) UUID in lowercase, its first 48 bits
/// `unix_millis` (the account clock's), the other 74 random. Ids made close in time are close
/// in the store's event id index, so writing a block's ids touches a few index pages at its
/// end instead of one page per id (random ids made the index the largest write of a flush
/// of read records). Like [`request_id`], a unique label, not a secret.
pub fn event_id(unix_millis: u64) -> Result<String, RandomError> {
    let (hi, lo) = IdRng::with(|rng| (rng.next(), rng.next()))?;
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&unix_millis.to_be_bytes()[2..]);
    b[6..8].copy_from_slice(&hi.to_le_bytes()[..2]);
    b[8..].copy_from_slice(&lo.to_le_bytes());
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    Ok(uuid_text(&b))
}

/// `8-4-4-4-12` lowercase hex digits of a UUID's bytes (written into an array first: every
/// request and every audit record has one, and pushing characters cost several times more).
fn uuid_text(b: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'-'; 36];
    let mut at = 0;
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        if let Some(pair) = text.get_mut(at..at + 2) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0x0f)];
        }
        at += 2;
    }
    String::from_utf8(text.to_vec()).unwrap_or_default()
}

/// The per-thread generator behind [`request_id`] (wyrand: a 64-bit counter through a
/// multiply-xor mix).
struct IdRng(u64);

thread_local! {
    static ID_RNG: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

impl IdRng {
    fn with<T>(f: impl FnOnce(&mut IdRng) -> T) -> Result<T, RandomError> {
        ID_RNG.with(|cell| {
            let seed = match cell.get() {
                Some(state) => state,
                None => u64::from_le_bytes(random::bytes()?),
            };
            let mut rng = IdRng(seed);
            let out = f(&mut rng);
            cell.set(Some(rng.0));
            Ok(out)
        })
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.0) * u128::from(self.0 ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn is_base32(s: &str) -> bool {
        s.bytes()
            .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c))
    }

    #[test]
    fn access_key_ids() {
        for kind in [AccessKeyKind::LongTerm, AccessKeyKind::Temporary] {
            let id = access_key_id(kind).unwrap();
            assert_eq!(id.len(), 20);
            assert!(id.starts_with(kind.prefix()));
            assert!(is_base32(&id[4..]), "{id}");
            assert_eq!(AccessKeyKind::of(&id), Some(kind));
        }
        assert_eq!(
            AccessKeyKind::of("AKIAIOSFODNN7EXAMPLE"),
            Some(AccessKeyKind::LongTerm)
        );
        assert_eq!(
            AccessKeyKind::of("ASIAIOSFODNN7EXAMPLE"),
            Some(AccessKeyKind::Temporary)
        );
        assert_eq!(AccessKeyKind::of("AKIAIOSFODNN7EXAMPL"), None);
        assert_eq!(AccessKeyKind::of("AKIAIOSFODNN0EXAMPLE"), None);
        assert_eq!(AccessKeyKind::of("AIDAIOSFODNN7EXAMPLE"), None);
        assert_eq!(AccessKeyKind::of("AKIAé"), None);
    }

    #[test]
    fn secret_access_keys() {
        let secret = secret_access_key().unwrap();
        assert_eq!(secret.expose().len(), 40);
        assert!(secret
            .expose()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/'));
        assert_eq!(format!("{secret:?}"), "***");
        assert!(secret.ct_eq(secret.expose()));
        assert!(!secret.ct_eq(secret_access_key().unwrap().expose()));
    }

    #[test]
    fn unique_ids() {
        let kinds = [
            (UniqueIdKind::User, "AIDA"),
            (UniqueIdKind::Group, "AGPA"),
            (UniqueIdKind::Role, "AROA"),
            (UniqueIdKind::Policy, "ANPA"),
            (UniqueIdKind::InstanceProfile, "AIPA"),
            (UniqueIdKind::ServerCertificate, "ASCA"),
            (UniqueIdKind::ServiceCredential, "ACCA"),
        ];
        for (kind, prefix) in kinds {
            let id = unique_id(kind).unwrap();
            assert_eq!(id.len(), 21, "{id}");
            assert!(id.starts_with(prefix));
            assert!(is_base32(&id[4..]), "{id}");
        }
        let many: HashSet<String> = (0..1000)
            .map(|_| unique_id(UniqueIdKind::User).unwrap())
            .collect();
        assert_eq!(many.len(), 1000);
    }

    #[test]
    fn session_tokens() {
        let token = session_token().unwrap();
        assert_eq!(token.expose().len(), 128);
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(token.expose())
            .unwrap();
        assert_eq!(decoded.len(), SESSION_TOKEN_BYTES);
        assert_eq!(format!("{token:?}"), "***");
        assert!(!token.ct_eq(session_token().unwrap().expose()));
    }

    #[test]
    fn ssh_key_ids_and_service_passwords() {
        let id = ssh_public_key_id().unwrap();
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("APKA") && is_base32(&id[4..]), "{id}");
        let password = service_password().unwrap();
        assert_eq!(password.expose().len(), 60);
        assert!(password.expose().ends_with('='));
        assert_eq!(format!("{password:?}"), "***");
        assert!(!password.ct_eq(service_password().unwrap().expose()));
    }

    #[test]
    fn event_ids_are_version_7_uuids_ordered_by_time() {
        let a = event_id(1_796_634_321_000).unwrap();
        let b = event_id(1_796_634_321_001).unwrap();
        assert_eq!(a.len(), 36);
        assert!(a.starts_with("01a2") && a < b, "{a} {b}");
        let parts: Vec<&str> = a.split('-').collect();
        assert!(parts[2].starts_with('7'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(event_id(5).unwrap(), event_id(5).unwrap());
    }

    #[test]
    fn uuids_are_written_in_their_groups() {
        let bytes: [u8; 16] = core::array::from_fn(|i| (i as u8) * 17);
        assert_eq!(uuid_text(&bytes), "00112233-4455-6677-8899-aabbccddeeff");
    }

    #[test]
    fn request_ids() {
        let id = request_id().unwrap();
        assert_eq!(id.len(), 36);
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(id
            .bytes()
            .all(|c| c == b'-' || c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(id, request_id().unwrap());
        let many: HashSet<String> = (0..10_000).map(|_| request_id().unwrap()).collect();
        assert_eq!(many.len(), 10_000);
        let other = std::thread::spawn(|| request_id().unwrap()).join().unwrap();
        assert!(!many.contains(&other));
    }

    #[test]
    fn ct_eq_helper() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"abcd"));
        assert!(ct_eq(b"", b""));
    }
}
