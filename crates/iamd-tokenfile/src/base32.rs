//! RFC 4648 Base32 (alphabet `A-Z2-7`), without padding, as AWS uses for
//! `Base32StringSeed`.

use thiserror::Error;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Why a Base32 string could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Base32Error {
    /// A character outside `A-Z`, `a-z`, `2-7`.
    #[error("invalid base32 character at position {0}")]
    InvalidCharacter(usize),
    /// A length no whole number of bytes encodes to, or non-zero trailing bits.
    #[error("invalid base32 length or trailing bits")]
    InvalidLength,
}

/// Encodes `data` as uppercase RFC 4648 Base32 without `=` padding.
///
/// 40 bytes give 64 characters, the length of AWS's `Base32StringSeed`.
pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    for &byte in data {
        buffer = (buffer << 8) | u16::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[usize::from((buffer >> bits) & 31)]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(
            ALPHABET[usize::from((buffer << (5 - bits)) & 31)],
        ));
    }
    out
}

/// Decodes RFC 4648 Base32 without padding; lowercase letters are accepted too.
///
/// Strict otherwise: no `=`, no whitespace, a length that encodes whole bytes
/// (mod 8 in {0, 2, 4, 5, 7}) and zero trailing bits, so every byte string has exactly one
/// accepted uppercase encoding.
pub fn decode(text: &str) -> Result<Vec<u8>, Base32Error> {
    if !matches!(text.len() % 8, 0 | 2 | 4 | 5 | 7) {
        return Err(Base32Error::InvalidLength);
    }
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    for (position, c) in text.bytes().enumerate() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return Err(Base32Error::InvalidCharacter(position)),
        };
        buffer = (buffer << 5) | u16::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    if buffer != 0 {
        return Err(Base32Error::InvalidLength);
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        let vectors: [(&str, &str); 7] = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
            assert_eq!(decode(&encoded.to_lowercase()).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn round_trip_all_lengths() {
        let data: Vec<u8> = (0..=255u8).collect();
        for len in 0..64 {
            let encoded = encode(&data[..len]);
            assert_eq!(decode(&encoded).unwrap(), &data[..len]);
        }
        assert_eq!(encode(&[0u8; 40]).len(), 64);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(decode("MZXW6==="), Err(Base32Error::InvalidCharacter(5)));
        assert_eq!(decode("MZ1"), Err(Base32Error::InvalidLength));
        assert_eq!(decode("M"), Err(Base32Error::InvalidLength));
        assert_eq!(decode("MZ XW"), Err(Base32Error::InvalidCharacter(2)));
        // "MZ" encodes "f"; "MZ" with non-zero trailing bits ("M3") is not canonical.
        assert_eq!(decode("M3"), Err(Base32Error::InvalidLength));
    }
}
