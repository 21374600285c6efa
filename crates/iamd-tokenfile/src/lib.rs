//! Hardware TOTP token files, parsed without the rest of iamd (so they can be fuzzed
//! cheaply): an administrator registers each token's serial number and seed; users then
//! enable a token with EnableMFADevice and two consecutive codes, as they would a virtual
//! device. Also the RFC 4648 Base32 codec that AWS uses for seeds.
//!
//! Two input formats, both all-or-nothing (one bad line or entry rejects the whole file,
//! with its line or entry number):
//! - CSV, `serial,seed` per line; an optional header line (`serial,seed`); blank lines and
//!   lines starting with `#` are skipped. The seed is Base32 (RFC 4648, `=` padding and
//!   spaces allowed) or hex; prefix it with `base32:` or `hex:` when it could be either.
//! - PSKC (RFC 6030): each `KeyPackage` gives `DeviceInfo/SerialNo` and
//!   `Key/Data/Secret/PlainValue` (base64). Encrypted keys are refused.
//!
//! Tokens must be TOTP with HMAC-SHA1, 6 digits and 30-second steps (what AWS accepts).
//! Seeds are never logged nor put in an error message.

pub mod base32;
mod csv;
mod depth;
mod pskc;

use std::fmt;

use thiserror::Error;
use zeroize::Zeroizing;

pub use csv::parse_csv;
#[doc(hidden)]
pub use depth::element_depth;
pub use pskc::parse_pskc;

/// Shortest accepted seed: 128 bits, RFC 4226's minimum.
pub const MIN_SEED_BYTES: usize = 16;
/// Longest accepted seed.
pub const MAX_SEED_BYTES: usize = 128;

/// One token to register. `Debug` does not show the seed.
pub struct HardwareToken {
    /// The serial number users give to EnableMFADevice (9–256 of `[\w+=/:,.@-]`, as AWS's
    /// `SerialNumber` allows).
    pub serial: String,
    pub seed: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for HardwareToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HardwareToken")
            .field("serial", &self.serial)
            .field("seed", &"<hidden>")
            .finish()
    }
}

/// Why a token file was rejected (nothing is imported).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenFileError {
    /// A CSV line (1-based).
    #[error("line {line}: {message}")]
    Csv { line: usize, message: String },
    /// A PSKC `KeyPackage` (1-based, in document order).
    #[error("KeyPackage {entry}: {message}")]
    Pskc { entry: usize, message: String },
    /// The file as a whole.
    #[error("{0}")]
    File(String),
}

/// Checks a serial number against AWS's `SerialNumber` constraints.
pub fn check_serial(serial: &str) -> Result<(), String> {
    let len = serial.chars().count();
    if !(9..=256).contains(&len) {
        return Err(format!(
            "serial number {serial:?} must be 9 to 256 characters long"
        ));
    }
    let allowed = |c: char| c.is_alphanumeric() || "_+=/:,.@-".contains(c);
    if !serial.chars().all(allowed) {
        return Err(format!(
            "serial number {serial:?} may contain only letters, digits and _+=/:,.@-"
        ));
    }
    Ok(())
}

pub fn check_seed_length(seed: &[u8]) -> Result<(), String> {
    if seed.len() < MIN_SEED_BYTES || seed.len() > MAX_SEED_BYTES {
        return Err(format!(
            "the seed is {} bytes; tokens need {MIN_SEED_BYTES} to {MAX_SEED_BYTES}",
            seed.len()
        ));
    }
    Ok(())
}

pub(crate) fn decode_hex(text: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return Err("the hex seed has an odd number of digits".into());
    }
    let digit = |b: u8| char::from(b).to_digit(16);
    let mut out = Zeroizing::new(Vec::with_capacity(bytes.len() / 2));
    for pair in bytes.chunks(2) {
        match (digit(pair[0]), pair.get(1).copied().and_then(digit)) {
            (Some(hi), Some(lo)) => out.push((hi * 16 + lo) as u8),
            _ => return Err("the hex seed contains a character that is not a hex digit".into()),
        }
    }
    Ok(out)
}

fn decode_base32(text: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    base32::decode(text.trim_end_matches('='))
        .map(Zeroizing::new)
        .map_err(|e| format!("the Base32 seed is invalid: {e}"))
}

/// A CSV seed: `hex:` / `0x` / `base32:` prefixes decide; otherwise a character only one
/// alphabet has (`0 1 8 9` hex, `G`–`Z` Base32) does; else it is ambiguous.
pub(crate) fn decode_seed(field: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let text: Zeroizing<String> = Zeroizing::new(field.chars().filter(|c| *c != ' ').collect());
    let lower = Zeroizing::new(text.to_ascii_lowercase());
    let seed = if let Some(hex) = lower.strip_prefix("hex:").or(lower.strip_prefix("0x")) {
        decode_hex(hex)?
    } else if let Some(b32) = lower.strip_prefix("base32:") {
        decode_base32(b32)?
    } else if text.is_empty() {
        return Err("the seed is empty".into());
    } else if text.chars().any(|c| matches!(c, '0' | '1' | '8' | '9')) {
        decode_hex(&text)?
    } else if text
        .chars()
        .any(|c| matches!(c.to_ascii_uppercase(), 'G'..='Z' | '='))
    {
        decode_base32(&text)?
    } else {
        return Err(
            "the seed could be hex or Base32: prefix it with \"hex:\" or \"base32:\"".into(),
        );
    };
    check_seed_length(&seed)?;
    Ok(seed)
}
