//! The CSV format: `serial,seed` per line.

use std::collections::HashSet;

use crate::{check_serial, decode_seed, HardwareToken, TokenFileError};

/// Parses `serial,seed` lines (see the module documentation). All-or-nothing: the first
/// bad line is reported with its number; a serial number twice is an error.
pub fn parse_csv(text: &str) -> Result<Vec<HardwareToken>, TokenFileError> {
    let mut tokens = Vec::new();
    let mut seen = HashSet::new();
    let mut first = true;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let fail = |message: String| TokenFileError::Csv { line, message };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = trimmed.split(',').map(str::trim).collect();
        let is_header = first
            && fields
                .first()
                .is_some_and(|f| f.eq_ignore_ascii_case("serial"));
        first = false;
        if is_header {
            continue;
        }
        let [serial, seed] = fields.as_slice() else {
            return Err(fail(format!(
                "expected 2 fields (serial,seed), found {}",
                fields.len()
            )));
        };
        check_serial(serial).map_err(fail)?;
        let seed = decode_seed(seed).map_err(fail)?;
        if !seen.insert(serial.to_string()) {
            return Err(fail(format!("serial number {serial:?} appears twice")));
        }
        tokens.push(HardwareToken {
            serial: serial.to_string(),
            seed,
        });
    }
    if tokens.is_empty() {
        return Err(TokenFileError::File("the file lists no tokens".into()));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"

    #[test]
    fn csv_base32_hex_header_and_comments() {
        let text = format!(
            "Serial,Seed\n# spare tokens\n\nGAHT00000001, {SEED_B32}\nGAHT00000002,hex:{hex}\nGAHT00000003,{hex}\n",
            hex = "3132333435363738393031323334353637383930"
        );
        let tokens = parse_csv(&text).unwrap();
        assert_eq!(tokens.len(), 3);
        for t in &tokens {
            assert_eq!(t.seed.as_slice(), b"12345678901234567890", "{}", t.serial);
        }
        assert!(!format!("{tokens:?}").contains(SEED_B32));
    }

    #[test]
    fn csv_errors_name_the_line_and_never_the_seed() {
        let cases = [
            ("GAHT00000001\n", 1, "expected 2 fields"),
            ("\nshort,{S}\n", 2, "9 to 256"),
            (
                "GAHT00000001,{S}\nGAHT00000002,abcdef2345abcdef\n",
                2,
                "could be hex or Base32",
            ),
            ("GAHT00000001,{S}\nGAHT00000001,{S}\n", 2, "appears twice"),
            ("GAHT00000001,GEZDGNBV\n", 1, "need 16"),
            ("GAHT00000001,hex:12z4\n", 1, "not a hex digit"),
            ("GAHT 0000001,{S}\n", 1, "may contain only"),
        ];
        for (text, line, needle) in cases {
            let text = text.replace("{S}", SEED_B32);
            match parse_csv(&text) {
                Err(TokenFileError::Csv { line: l, message }) => {
                    assert_eq!(l, line, "{text}");
                    assert!(message.contains(needle), "{message}");
                    assert!(!message.contains(SEED_B32));
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        assert!(matches!(
            parse_csv("serial,seed\n"),
            Err(TokenFileError::File(_))
        ));
    }
}
