//! The canonical request, built the way AWS builds it for services other than S3.
//!
//! ```text
//! METHOD\nCanonicalURI\nCanonicalQuery\nname:value\n…\n\nsigned;headers\nHashedPayload
//! ```
//!
//! * URI: the path exactly as it came on the wire (still percent-encoded), with `.`,
//!   `..` and empty segments removed, then every byte outside `A-Za-z0-9-_.~` encoded
//!   once more (`/` kept). The client encoded the path once to send it and the signer
//!   encoded it again: AWS's "double encoding" for non-S3 services.
//! * Query: every `name=value` decoded (`+` is a space, as in form encoding) then
//!   re-encoded with the same unreserved set (space is `%20`), sorted by name then
//!   value; for a presigned request `X-Amz-Signature` is left out.
//! * Headers: lower-case names in `SignedHeaders` order; each value trimmed of spaces
//!   with runs of spaces collapsed; repeated headers joined with `,` in arrival order.
//!
//! Everything works on bytes: a header value that is not UTF-8 is signed as is.

use percent_encoding::{percent_decode, percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::SignedRequest;

/// Everything but the SigV4 unreserved characters `A-Z a-z 0-9 - _ . ~`.
const SIGV4_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Appends `bytes` percent-encoded with the SigV4 unreserved set.
fn encode_into(out: &mut Vec<u8>, bytes: &[u8]) {
    for chunk in percent_encode(bytes, SIGV4_ENCODE) {
        out.extend_from_slice(chunk.as_bytes());
    }
}

/// The canonical URI of a raw request path.
#[cfg(test)]
fn canonical_uri(raw_path: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw_path.len() + 8);
    canonical_uri_into(&mut out, raw_path);
    out
}

/// Appends the canonical URI of a raw request path to `out`.
fn canonical_uri_into(out: &mut Vec<u8>, raw_path: &str) {
    // The common paths (`/`, none) need no segment list.
    if raw_path.is_empty() || raw_path == "/" {
        out.push(b'/');
        return;
    }
    let path = raw_path.as_bytes();
    let mut segments: Vec<&[u8]> = Vec::new();
    for segment in path.split(|&b| b == b'/') {
        match segment {
            b"" | b"." => {}
            b".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    // A trailing slash (or a final `.`/`..`, which stand for a directory) is kept.
    let trailing = path.ends_with(b"/") || path.ends_with(b"/.") || path.ends_with(b"/..");
    for segment in &segments {
        out.push(b'/');
        encode_into(out, segment);
    }
    if segments.is_empty() || trailing {
        out.push(b'/');
    }
}

/// Decodes one query-string component: `+` is a space, then `%XX` sequences.
/// Malformed escapes stay as they are (and are re-encoded as `%25…`).
pub fn decode_component(raw: &[u8]) -> Vec<u8> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&plus_as_space).collect()
}

/// The decoded `(name, value)` pairs of a raw query string, in order.
pub fn query_pairs(raw_query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    raw_query
        .as_bytes()
        .split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            (decode_component(name), decode_component(value))
        })
        .collect()
}

/// The canonical query string, leaving out the parameters named in `exclude`.
#[cfg(test)]
fn canonical_query(raw_query: &str, exclude: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    canonical_query_into(&mut out, raw_query, exclude);
    out
}

/// Appends the canonical query string to `out`, leaving out the parameters named in
/// `exclude`.
fn canonical_query_into(out: &mut Vec<u8>, raw_query: &str, exclude: &[&str]) {
    if raw_query.is_empty() {
        return;
    }
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query_pairs(raw_query)
        .into_iter()
        .filter(|(name, _)| !exclude.iter().any(|e| e.as_bytes() == name.as_slice()))
        .map(|(name, value)| {
            let mut n = Vec::with_capacity(name.len());
            encode_into(&mut n, &name);
            let mut v = Vec::with_capacity(value.len());
            encode_into(&mut v, &value);
            (n, v)
        })
        .collect();
    pairs.sort();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name);
        out.push(b'=');
        out.extend_from_slice(value);
    }
}

/// A header value trimmed of spaces at both ends with runs of spaces collapsed.
fn push_trimmed(out: &mut Vec<u8>, value: &[u8]) {
    let start = value.iter().position(|&b| b != b' ');
    let end = value.iter().rposition(|&b| b != b' ');
    let (Some(start), Some(end)) = (start, end) else {
        return;
    };
    let mut previous_space = false;
    for &b in &value[start..=end] {
        if b == b' ' {
            if !previous_space {
                out.push(b' ');
            }
            previous_space = true;
        } else {
            out.push(b);
            previous_space = false;
        }
    }
}

/// Appends the canonical value of header `name` (lower case): every occurrence, trimmed,
/// joined with `,`. A signed header that is absent has the empty value.
fn canonical_header_value_into(out: &mut Vec<u8>, req: &SignedRequest<'_>, name: &str) {
    let mut first = true;
    for (_, value) in req
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        if !first {
            out.push(b',');
        }
        first = false;
        push_trimmed(out, value);
    }
}

/// The full canonical request.
pub fn canonical_request(
    req: &SignedRequest<'_>,
    signed_headers: &[String],
    exclude_params: &[&str],
    payload_hash: &str,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(512 + req.path.len() + 2 * req.query.len());
    out.extend_from_slice(req.method.as_bytes());
    out.push(b'\n');
    canonical_uri_into(&mut out, req.path);
    out.push(b'\n');
    canonical_query_into(&mut out, req.query, exclude_params);
    out.push(b'\n');
    for name in signed_headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        canonical_header_value_into(&mut out, req, name);
        out.push(b'\n');
    }
    out.push(b'\n');
    for (i, name) in signed_headers.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        out.extend_from_slice(name.as_bytes());
    }
    out.push(b'\n');
    out.extend_from_slice(payload_hash.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(path: &str) -> String {
        String::from_utf8_lossy(&canonical_uri(path)).into_owned()
    }

    #[test]
    fn uri_normalization() {
        assert_eq!(uri(""), "/");
        assert_eq!(uri("/"), "/");
        assert_eq!(uri("//"), "/");
        assert_eq!(uri("/./"), "/");
        assert_eq!(uri("/example/.."), "/");
        assert_eq!(uri("/example1/example2/../.."), "/");
        assert_eq!(uri("/./example"), "/example");
        assert_eq!(uri("//example//"), "/example/");
        assert_eq!(uri("/../../x"), "/x");
        assert_eq!(uri("/a/b/."), "/a/b/");
        assert_eq!(uri("/example space/"), "/example%20space/");
        assert_eq!(uri("/ሴ"), "/%E1%88%B4");
        assert_eq!(
            uri("/test/@connections/JBDvjfGEIAMCERw%3D"),
            "/test/%40connections/JBDvjfGEIAMCERw%253D"
        );
    }

    #[test]
    fn query_canonicalization() {
        let q = |raw: &str| String::from_utf8_lossy(&canonical_query(raw, &[])).into_owned();
        assert_eq!(q(""), "");
        assert_eq!(
            q("Param2=value2&Param1=value1"),
            "Param1=value1&Param2=value2"
        );
        assert_eq!(q("b=2&a=2&a=1"), "a=1&a=2&b=2");
        assert_eq!(q("Param1"), "Param1=");
        assert_eq!(q("p=a+b&q=a%20b"), "p=a%20b&q=a%20b");
        assert_eq!(
            q("%E1%88%B4=Value1&Param=Value2"),
            "%E1%88%B4=Value1&Param=Value2"
        );
        assert_eq!(q("x=%zz&y=%4"), "x=%25zz&y=%254");
        assert_eq!(q("k=a%2Fb%7e"), "k=a%2Fb~");
        assert_eq!(
            String::from_utf8_lossy(&canonical_query(
                "A=1&X-Amz-Signature=abc",
                &["X-Amz-Signature"]
            )),
            "A=1"
        );
    }

    #[test]
    fn header_trimming() {
        let mut out = Vec::new();
        push_trimmed(&mut out, b"  \"a   b   c\"  ");
        assert_eq!(out, b"\"a b c\"");
        let mut out = Vec::new();
        push_trimmed(&mut out, b"   ");
        assert!(out.is_empty());
        let mut out = Vec::new();
        push_trimmed(&mut out, b"\xff  \xfe");
        assert_eq!(out, b"\xff \xfe");
    }
}
