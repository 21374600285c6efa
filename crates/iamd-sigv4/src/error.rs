//! Errors of SigV4 verification, each with the code, message and HTTP status AWS answers.
//!
//! The texts come from AWS (see the crate README for which were confirmed against
//! recorded AWS answers and which iamd chose). They echo client input where AWS
//! does (the `Authorization` header, the credential, the date); they never contain
//! a secret.

use std::fmt;

/// The AWS error code family of a [`SigV4Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `MissingAuthenticationToken`, 403: no SigV4 signature at all.
    MissingAuthenticationToken,
    /// `IncompleteSignature`, 400: a signature is there but malformed or incomplete.
    IncompleteSignature,
    /// `SignatureDoesNotMatch`, 403 (400 for one case): wrong signature, wrong scope,
    /// clock skew beyond 15 minutes, `host` not signed.
    SignatureDoesNotMatch,
    /// `RequestExpired`, 400: a presigned request used after its `X-Amz-Expires`.
    RequestExpired,
    /// `InvalidClientTokenId`, 403: unknown access key or session token. The server
    /// decides this one (it owns the keys); the crate only builds it.
    InvalidClientTokenId,
    /// `XAmzContentSHA256Mismatch`, 400: `x-amz-content-sha256` disagrees with the body.
    XAmzContentSha256Mismatch,
}

impl ErrorKind {
    /// The AWS error code, as sent in `<Code>`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::MissingAuthenticationToken => "MissingAuthenticationToken",
            ErrorKind::IncompleteSignature => "IncompleteSignature",
            ErrorKind::SignatureDoesNotMatch => "SignatureDoesNotMatch",
            ErrorKind::RequestExpired => "RequestExpired",
            ErrorKind::InvalidClientTokenId => "InvalidClientTokenId",
            ErrorKind::XAmzContentSha256Mismatch => "XAmzContentSHA256Mismatch",
        }
    }

    /// The usual HTTP status of this code.
    pub fn default_status(self) -> u16 {
        match self {
            ErrorKind::MissingAuthenticationToken
            | ErrorKind::SignatureDoesNotMatch
            | ErrorKind::InvalidClientTokenId => 403,
            ErrorKind::IncompleteSignature
            | ErrorKind::RequestExpired
            | ErrorKind::XAmzContentSha256Mismatch => 400,
        }
    }
}

/// `MissingAuthenticationToken` message.
pub const MSG_MISSING_AUTHENTICATION_TOKEN: &str = "Request is missing Authentication Token";
/// `SignatureDoesNotMatch` message for a signature that does not verify.
pub const MSG_SIGNATURE_DOES_NOT_MATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
/// `InvalidClientTokenId` message (unknown access key id or session token).
pub const MSG_INVALID_CLIENT_TOKEN_ID: &str =
    "The security token included in the request is invalid.";
/// `SignatureDoesNotMatch` message when `host` is not among the signed headers.
pub const MSG_HOST_NOT_SIGNED: &str = "'Host' must be a 'SignedHeader' in the AWS Authorization.";
/// Message when both an `Authorization` header and `X-Amz-Algorithm` are present.
pub const MSG_BOTH_HEADER_AND_QUERY: &str =
    "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.";
/// `RequestExpired` message for a presigned request past its `X-Amz-Expires` (chosen by iamd).
pub const MSG_REQUEST_EXPIRED: &str = "Request has expired.";
/// `XAmzContentSHA256Mismatch` message (Amazon S3's text).
pub const MSG_CONTENT_SHA256_MISMATCH: &str =
    "The provided 'x-amz-content-sha256' header does not match what was computed.";

/// Why a request's signature was refused: AWS code, message and HTTP status.
///
/// `Display` prints `Code: message`. [`SigV4Error::detail`] carries, for a signature
/// mismatch, the canonical request and string to sign that AWS appends to the message
/// (useful to the client that signed wrongly; it holds no secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigV4Error {
    kind: ErrorKind,
    status: u16,
    message: String,
    detail: Option<String>,
}

impl SigV4Error {
    /// An error of `kind` with its usual status.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        SigV4Error {
            kind,
            status: kind.default_status(),
            message: message.into(),
            detail: None,
        }
    }

    /// `MissingAuthenticationToken`, 403.
    pub fn missing_authentication_token() -> Self {
        Self::new(
            ErrorKind::MissingAuthenticationToken,
            MSG_MISSING_AUTHENTICATION_TOKEN,
        )
    }

    /// `InvalidClientTokenId`, 403, for the server to answer an unknown access key id
    /// or session token with.
    pub fn invalid_client_token_id() -> Self {
        Self::new(ErrorKind::InvalidClientTokenId, MSG_INVALID_CLIENT_TOKEN_ID)
    }

    pub(crate) fn incomplete(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::IncompleteSignature, message)
    }

    pub(crate) fn does_not_match(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::SignatureDoesNotMatch, message)
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    pub(crate) fn with_detail(mut self, detail: String) -> Self {
        self.detail = Some(detail);
        self
    }

    /// The code family.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The AWS error code, e.g. `SignatureDoesNotMatch`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The AWS message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For a signature mismatch: what AWS appends to the message, i.e.
    /// `"\n\nThe Canonical String for this request should have been\n'…'\n\nThe String-to-Sign should have been\n'…'\n"`.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Display for SigV4Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message)
    }
}

impl std::error::Error for SigV4Error {}
