//! Validation errors, with AWS's error code and message and the place in the document.

use std::fmt;

/// AWS's texts for `MalformedPolicyDocument`.
pub mod messages {
    pub const INVALID_JSON: &str = "This policy contains invalid Json";
    pub const SYNTAX: &str = "Syntax errors in policy.";
    pub const LEGACY_PARSING: &str = "The policy failed legacy parsing";
    pub const MISSING_ACTIONS: &str = "Policy statement must contain actions.";
    pub const MISSING_RESOURCES: &str = "Policy statement must contain resources.";
    pub const HAS_PRINCIPAL: &str = "Policy document should not specify a principal.";
    pub const MISSING_PRINCIPAL: &str = "Missing required field Principal";
    pub const NO_VENDOR: &str =
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
    pub const ONE_COLON: &str = "Actions/Condition can contain only one colon.";
    pub const SID_UNIQUE: &str = "Statement IDs (SID) in a single policy must be unique.";
    pub const SID_ALNUM: &str = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*";
    pub const TOO_LARGE: &str = "Policy document is too large.";
    /// Managed policies (CreatePolicy, CreatePolicyVersion) without `"Version": "2012-10-17"`.
    pub const VERSION: &str = "Policy document must be version 2012-10-17 or greater.";
    /// A resource ARN without a service, or with wildcards in it.
    pub const RESOURCE_VENDOR: &str =
        "Resource vendor must be fully qualified and cannot contain regexes.";
}

/// A policy document AWS would refuse. `message` is AWS's text; `place` says where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// AWS error code, always `MalformedPolicyDocument`.
    pub code: &'static str,
    /// AWS's message.
    pub message: String,
    /// Where in the document: e.g. `Statement[2] (Sid DenyAll) > Condition > BoolIfExists`.
    pub place: String,
    /// What exactly is wrong, for a person.
    pub detail: String,
}

impl PolicyError {
    pub(crate) fn new(
        message: impl Into<String>,
        place: &Place,
        detail: impl Into<String>,
    ) -> Self {
        PolicyError {
            code: "MalformedPolicyDocument",
            message: message.into(),
            place: place.to_string(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if !self.place.is_empty() {
            write!(f, " (at {}", self.place)?;
            if !self.detail.is_empty() {
                write!(f, ": {}", self.detail)?;
            }
            write!(f, ")")?;
        } else if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// A path into the document, for error messages.
#[derive(Debug, Clone, Default)]
pub(crate) struct Place {
    parts: Vec<String>,
}

impl Place {
    pub(crate) fn root() -> Self {
        Place::default()
    }

    pub(crate) fn child(&self, part: impl Into<String>) -> Self {
        let mut parts = self.parts.clone();
        parts.push(part.into());
        Place { parts }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.parts.join(" > "))
    }
}
