//! `application/x-www-form-urlencoded` decoding, for POST bodies and GET query strings.

use crate::error::WireError;

/// At most this many parameters are accepted in one request (far above any IAM/STS call).
pub const MAX_PARAMS: usize = 10_000;

/// Decode a form body (or a query string, without its `?`) into `(name, value)` pairs in
/// request order: `&`-separated, `+` is a space, `%XX` is a byte, a name without `=` has an
/// empty value and empty segments are skipped. Bad `%` escapes, invalid UTF-8 and more than
/// [`MAX_PARAMS`] parameters are rejected with `MalformedQueryString` (400).
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, WireError> {
    let mut out = Vec::new();
    for segment in body.split(|b| *b == b'&') {
        if segment.is_empty() {
            continue;
        }
        if out.len() == MAX_PARAMS {
            return Err(WireError::malformed_query(format!(
                "Too many parameters: at most {MAX_PARAMS} are accepted."
            )));
        }
        let (name, value) = match segment.iter().position(|b| *b == b'=') {
            Some(eq) => (&segment[..eq], &segment[eq + 1..]),
            None => (segment, &[][..]),
        };
        let name = decode_component(name)?;
        let value = decode_component(value).map_err(|e| {
            WireError::malformed_query(format!("{} (in the value of parameter {name})", e.message))
        })?;
        out.push((name, value));
    }
    Ok(out)
}

/// Percent-decode one name or value (`+` → space) and check it is UTF-8.
fn decode_component(raw: &[u8]) -> Result<String, WireError> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hi = raw.get(i + 1).and_then(|b| hex(*b));
                let lo = raw.get(i + 2).and_then(|b| hex(*b));
                match (hi, lo) {
                    (Some(h), Some(l)) => bytes.push(h * 16 + l),
                    _ => {
                        let shown = String::from_utf8_lossy(&raw[i..raw.len().min(i + 3)]);
                        return Err(WireError::malformed_query(format!(
                            "Invalid percent-encoding '{shown}' at position {i}."
                        )));
                    }
                }
                i += 2;
            }
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|e| {
        WireError::malformed_query(format!(
            "Invalid UTF-8 byte sequence at byte {} of a decoded parameter.",
            e.utf8_error().valid_up_to()
        ))
    })
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn decodes_plus_percent_and_bare_names() -> Result<(), WireError> {
        let got = parse_form(b"Action=CreateUser&UserName=a%2Bb+c&&Flag&Path=%2F%C3%A9%2F")?;
        let want = pairs(&[
            ("Action", "CreateUser"),
            ("UserName", "a+b c"),
            ("Flag", ""),
            ("Path", "/é/"),
        ]);
        assert_eq!(got, want);
        assert_eq!(parse_form(b"")?, Vec::new());
        assert_eq!(parse_form(b"a=b=c")?, pairs(&[("a", "b=c")]));
        Ok(())
    }

    #[test]
    fn rejects_bad_escapes_and_utf8() {
        for bad in [
            &b"a=%"[..],
            b"a=%4",
            b"a=%zz",
            b"%=1",
            b"a=%FF",
            b"a=\xff",
            b"\xc3=1",
        ] {
            let err = parse_form(bad);
            assert!(
                err.as_ref()
                    .is_err_and(|e| e.code == "MalformedQueryString" && e.status == 400),
                "{bad:?}: {err:?}"
            );
        }
    }

    #[test]
    fn limits_parameter_count() {
        let body = "a=1&".repeat(MAX_PARAMS + 1);
        assert!(parse_form(body.as_bytes()).is_err());
        let body = "a=1&".repeat(MAX_PARAMS);
        assert!(parse_form(body.as_bytes()).is_ok_and(|v| v.len() == MAX_PARAMS));
    }
}
