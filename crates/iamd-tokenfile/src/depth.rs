//! How deep an XML document's elements nest, counted from its bytes before it is parsed:
//! roxmltree parses recursively, so a document nested thousands deep would exhaust the stack
//! of the thread parsing it (and abort the server).

/// The deepest nesting of elements in `xml` (1: only a root). `<x ...>` opens (an empty
/// element `<x/>` counts one level without staying open),
/// `</x>` closes; comments (`<!-- -->`), CDATA sections (`<![CDATA[ ]]>`), processing
/// instructions (`<? ?>`) and declarations (`<! >`) are skipped whole, and a `>` inside a
/// quoted attribute value does not end a tag. For a well-formed document the count is exact;
/// for a malformed one it is never lower than the depth the parser reaches before its error.
pub fn element_depth(xml: &str) -> usize {
    let bytes = xml.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while let Some(offset) = find(bytes, i, b"<") {
        let start = i + offset;
        let rest = &bytes[start..];
        let end = if rest.starts_with(b"<!--") {
            skip_to(bytes, start + 4, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(bytes, start + 9, b"]]>")
        } else if rest.starts_with(b"<?") {
            skip_to(bytes, start + 2, b"?>")
        } else if rest.starts_with(b"<!") {
            skip_to(bytes, start + 2, b">")
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_to(bytes, start + 2, b">")
        } else {
            let end = tag_end(bytes, start + 1);
            deepest = deepest.max(depth + 1);
            if bytes.get(end.wrapping_sub(2)) != Some(&b'/') {
                depth += 1;
            }
            end
        };
        i = end;
    }
    deepest
}

/// Where `needle` first occurs in `bytes` from `from`, relative to `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
}

/// The index just past the first `needle` from `from` (the end of `bytes` without one).
fn skip_to(bytes: &[u8], from: usize, needle: &[u8]) -> usize {
    find(bytes, from, needle).map_or(bytes.len(), |at| from + at + needle.len())
}

/// The index just past the `>` that ends a start tag whose name begins at `from`, skipping
/// quoted attribute values (the end of `bytes` without one).
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut quote: Option<u8> = None;
    for (at, &b) in bytes.iter().enumerate().skip(from) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return at + 1,
            (None, _) => {}
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::element_depth;

    #[test]
    fn counts_elements_only() {
        assert_eq!(element_depth("<?xml?><!-- c --><a><b/><c>t</c></a>"), 2);
        assert_eq!(element_depth("<a><b><c/></b></a>"), 3);
        assert_eq!(
            element_depth("<a><![CDATA[<b><c>]]><!-- <d> --><?pi <e>?></a>"),
            1
        );
        assert_eq!(element_depth("<a x='1' y=\"2\"/><b/>"), 1);
    }

    /// Regression (found while writing the `token_files` fuzz target): `>` inside an attribute value or
    /// a comment hid the nesting from the old scan (`<a b="/>">` looked self-closing, and
    /// `<!-- > </a> -->` closed an element), so a document nested thousands deep reached the
    /// recursive parser and overflowed its thread's stack.
    #[test]
    fn a_greater_than_sign_in_a_value_or_comment_hides_nothing() {
        let quoted = format!("{}{}", "<a b=\"/>\">".repeat(50), "</a>".repeat(50));
        assert_eq!(element_depth(&quoted), 50);
        let single = format!("{}{}", "<a b='/>'>".repeat(50), "</a>".repeat(50));
        assert_eq!(element_depth(&single), 50);
        let comment = format!("{}{}", "<a><!-- > </a> -->".repeat(50), "</a>".repeat(50));
        assert_eq!(element_depth(&comment), 50);
    }
}
