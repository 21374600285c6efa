//! Policy documents as IAM returns and counts them.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// A policy document percent-encoded as AWS returns it.
pub fn encode_document(text: &str) -> String {
    utf8_percent_encode(text, RFC3986).to_string()
}

/// The size of a policy document as the quotas count it: characters other than whitespace.
pub fn policy_size(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// RFC 3986: every byte but the unreserved characters `A-Z a-z 0-9 - . _ ~` is escaped.
pub const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
