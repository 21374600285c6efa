//! Service errors with AWS's codes, HTTP statuses and messages.

use std::fmt;

/// An error an operation returns to the caller, as AWS words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamError {
    pub code: &'static str,
    pub message: String,
    pub status: u16,
}

impl IamError {
    pub fn new(code: &'static str, status: u16, message: impl Into<String>) -> Self {
        IamError {
            code,
            message: message.into(),
            status,
        }
    }

    pub fn no_such_entity(message: impl Into<String>) -> Self {
        Self::new("NoSuchEntity", 404, message)
    }

    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new("EntityAlreadyExists", 409, message)
    }

    pub fn limit_exceeded(message: impl Into<String>) -> Self {
        Self::new("LimitExceeded", 409, message)
    }

    pub fn delete_conflict(message: impl Into<String>) -> Self {
        Self::new("DeleteConflict", 409, message)
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new("ValidationError", 400, message)
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new("InvalidInput", 400, message)
    }

    pub fn malformed_policy(message: impl Into<String>) -> Self {
        Self::new("MalformedPolicyDocument", 400, message)
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new("AccessDenied", 403, message)
    }

    /// Credentials that are unknown, inactive, of a deleted principal, or that may not call
    /// this service (AWS's text, with its final period).
    pub fn invalid_client_token_id() -> Self {
        Self::new(
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid.",
        )
    }

    /// Temporary credentials past their expiry (AWS's text, without a final period).
    pub fn expired_token() -> Self {
        Self::new(
            "ExpiredToken",
            403,
            "The security token included in the request is expired",
        )
    }

    /// A fault of ours, never of the request: logged, and answered with a plain message.
    pub fn service_failure() -> Self {
        Self::new(
            "ServiceFailure",
            500,
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    }

    /// A write applied on a snapshot that another node's commit made stale (several nodes on
    /// one database): nothing was written. `ops::dispatch` catches up and runs the operation
    /// again; a caller that gets it anyway may retry (a 500, which AWS SDKs retry).
    pub fn stale_snapshot() -> Self {
        Self::new(
            "ServiceFailure",
            500,
            "The account was changed by another iamd node meanwhile; nothing was written. Retry the request.",
        )
    }

    /// Whether this is [`IamError::stale_snapshot`].
    pub fn is_stale_snapshot(&self) -> bool {
        *self == Self::stale_snapshot()
    }

    /// A `user with name X cannot be found` error.
    pub fn no_such_user(name: &str) -> Self {
        Self::no_such_entity(format!("The user with name {name} cannot be found."))
    }
}

impl fmt::Display for IamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for IamError {}

impl From<iamd_policy::PolicyError> for IamError {
    fn from(e: iamd_policy::PolicyError) -> Self {
        IamError::malformed_policy(e.message)
    }
}
