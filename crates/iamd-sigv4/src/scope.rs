//! The credential scope (`date/region/service/aws4_request`) and its checks, with
//! AWS's messages, which AWS joins into one when several parts are wrong.

use std::fmt;

use crate::error::SigV4Error;
use crate::parse::ParsedSignature;

/// The scope part of `Credential=AKID/20150830/us-east-1/iam/aws4_request`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialScope {
    /// `YYYYMMDD`, as sent (checked against the request date by [`crate::verify`]).
    pub date: String,
    /// The region, e.g. `us-east-1`.
    pub region: String,
    /// The service, e.g. `iam` or `sts`.
    pub service: String,
    /// The terminator, which must be `aws4_request`.
    pub terminator: String,
}

impl fmt::Display for CredentialScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{}",
            self.date, self.region, self.service, self.terminator
        )
    }
}

/// The only terminator SigV4 has.
pub const TERMINATOR: &str = "aws4_request";

/// The scope checks that need the server's word: region and service. `None` skips one.
pub(crate) fn scope_problems(
    parsed: &ParsedSignature,
    service: Option<&str>,
    region_is_valid: Option<&dyn Fn(&str) -> bool>,
) -> Result<(), SigV4Error> {
    let scope = parsed.scope();
    let mut problems: Vec<String> = Vec::new();
    if let Some(valid) = region_is_valid {
        if !valid(&scope.region) {
            problems.push(format!(
                "Credential should be scoped to a valid region, not '{}'.",
                scope.region
            ));
        }
    }
    if let Some(service) = service {
        if scope.service != service {
            problems.push(format!(
                "Credential should be scoped to correct service: '{service}'."
            ));
        }
    }
    if scope.terminator != TERMINATOR {
        problems.push(format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{}'.",
            scope.terminator
        ));
    }
    let request_day = parsed.amz_date().get(..8).unwrap_or_default();
    if scope.date != request_day {
        problems.push(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{request_day}', from '{}'.",
            scope.date,
            parsed.amz_date()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SigV4Error::does_not_match(problems.join(" ")))
    }
}
