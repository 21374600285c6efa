//! `WireError`: an AWS error code, message and HTTP status, ready for the error envelope.

use std::fmt;

/// An error the wire layer reports to the client as an AWS Query error envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// The AWS error code, e.g. `ValidationError`, `InvalidAction`.
    pub code: String,
    /// The human-readable message, in AWS's wording where known.
    pub message: String,
    /// The HTTP status to answer with (400 for client faults, 500 for server faults).
    pub status: u16,
}

impl WireError {
    /// A new error with an explicit code, message and status.
    pub fn new(code: impl Into<String>, message: impl Into<String>, status: u16) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            status,
        }
    }

    /// `true` for client faults (`Type` `Sender`), `false` for server faults (`Receiver`).
    pub fn is_sender(&self) -> bool {
        self.status < 500
    }

    /// `ValidationError` (400) from a non-empty list of constraint violations, joined as AWS
    /// does: `"2 validation errors detected: A; B"`.
    pub fn validation(violations: &[String]) -> Self {
        let n = violations.len();
        let noun = if n == 1 { "error" } else { "errors" };
        let message = format!("{n} validation {noun} detected: {}", violations.join("; "));
        Self::new("ValidationError", message, 400)
    }

    /// `ValidationError` (400) with a free-form message (not a constraint list).
    pub fn validation_message(message: impl Into<String>) -> Self {
        Self::new("ValidationError", message, 400)
    }

    /// `InvalidAction` (400): `"Could not find operation X for version V"`.
    pub fn invalid_action(action: &str, version: &str) -> Self {
        Self::new(
            "InvalidAction",
            format!("Could not find operation {action} for version {version}"),
            400,
        )
    }

    /// `MissingAction` (400): the request carries no `Action` parameter.
    pub fn missing_action() -> Self {
        Self::new("MissingAction", "Missing Action", 400)
    }

    /// `MalformedQueryString` (400): the form body or query string cannot be decoded.
    pub fn malformed_query(message: impl Into<String>) -> Self {
        Self::new("MalformedQueryString", message, 400)
    }

    /// `InternalFailure` (500): a fault on our side (e.g. a handler result the model rejects).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("InternalFailure", message, 500)
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for WireError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_counts_and_joins() {
        let one = WireError::validation(&["A".to_string()]);
        assert_eq!(one.message, "1 validation error detected: A");
        assert_eq!(one.status, 400);
        let two = WireError::validation(&["A".to_string(), "B".to_string()]);
        assert_eq!(two.message, "2 validation errors detected: A; B");
        assert!(two.is_sender());
        assert!(!WireError::internal("x").is_sender());
    }

    #[test]
    fn invalid_action_text() {
        let e = WireError::invalid_action("Nope", "2010-05-08");
        assert_eq!(e.code, "InvalidAction");
        assert_eq!(
            e.message,
            "Could not find operation Nope for version 2010-05-08"
        );
    }
}
