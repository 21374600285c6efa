//! Lower-case hex, written out for the per-request path: the `hex` crate's iterator-based
//! decoding and encoding cost several times these loops.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends `bytes` as lower-case hex to `out`.
pub(crate) fn encode_into(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
}

/// `bytes` as lower-case hex.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    encode_into(&mut out, bytes);
    out
}

/// The bytes of a hex text (either case), or `None` when it is not hex or of odd length.
pub(crate) fn decode(text: &(impl AsRef<[u8]> + ?Sized)) -> Option<Vec<u8>> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let text = text.as_ref();
    if text.len() % 2 != 0 {
        return None;
    }
    text.chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_hex_crate() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(encode(&bytes), hex::encode(&bytes));
        assert_eq!(decode(&hex::encode(&bytes)), Some(bytes.clone()));
        assert_eq!(decode(&hex::encode_upper(&bytes)), Some(bytes));
        for bad in ["0", "abc", "zz", "0g", " 00", "é0"] {
            assert_eq!(decode(bad), None, "{bad}");
            assert!(hex::decode(bad).is_err(), "{bad}");
        }
        assert_eq!(decode(""), Some(vec![]));
    }
}
