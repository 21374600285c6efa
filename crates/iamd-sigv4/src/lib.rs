//! AWS Signature Version 4 verification, server side, for iamd's IAM and STS
//! endpoints (AWS Query protocol: POST form bodies or GET query strings).
//!
//! A pure library: no HTTP framework, no I/O, no clock (the time is a parameter).
//!
//! ```text
//! let req = SignedRequest { method, path, query, headers: &headers, body: &body };
//! let parsed = iamd_sigv4::parse(&req)?;                       // find + parse the signature
//! parsed.check_scope("iam", |region| region == "us-east-1")?;  // the server's scope rules
//! let secret = lookup(parsed.access_key_id())                  // InvalidClientTokenId if unknown
//!     .ok_or_else(SigV4Error::invalid_client_token_id)?;
//! iamd_sigv4::verify(&parsed, &req, &secret, now)?;            // clock + signature
//! ```
//!
//! Every error carries AWS's code, message and HTTP status ([`SigV4Error`]).
//! Signatures are compared in constant time; secrets and signing keys are wiped on
//! drop and print as `***`.

mod canonical;
mod error;
mod hexa;
mod key;
mod parse;
mod scope;
mod time;
mod verify;

pub use error::{
    ErrorKind, SigV4Error, MSG_BOTH_HEADER_AND_QUERY, MSG_CONTENT_SHA256_MISMATCH,
    MSG_HOST_NOT_SIGNED, MSG_INVALID_CLIENT_TOKEN_ID, MSG_MISSING_AUTHENTICATION_TOKEN,
    MSG_REQUEST_EXPIRED, MSG_SIGNATURE_DOES_NOT_MATCH,
};
pub use key::{SecretKey, SigningKey};
pub use parse::{parse, ParsedSignature, SignatureLocation, ALGORITHM, MAX_EXPIRES_SECS};
pub use scope::{CredentialScope, TERMINATOR};
pub use time::{format_amz_date, parse_amz_date};
pub use verify::{
    check_time, string_to_sign, verify, verify_with_key, MAX_CLOCK_SKEW_SECS, UNSIGNED_PAYLOAD,
};

/// The parts of an HTTP request that SigV4 signs, as they arrived.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    /// The method, e.g. `POST`.
    pub method: &'a str,
    /// The path as sent on the wire, still percent-encoded, without the query.
    pub path: &'a str,
    /// The raw query string, without `?` (empty when there is none).
    pub query: &'a str,
    /// Every header, in arrival order, repeated names included. Names are compared
    /// case-insensitively; values are bytes (they need not be UTF-8).
    pub headers: &'a [(&'a str, &'a [u8])],
    /// The body.
    pub body: &'a [u8],
}

impl<'a> SignedRequest<'a> {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.header_values(name).next()
    }

    /// Every value of header `name` (case-insensitive), in arrival order.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}
