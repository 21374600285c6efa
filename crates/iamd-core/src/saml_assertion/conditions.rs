//! The assertion's times, audience and bearer confirmation, as AWS checks them with the
//! account's clock: `IssueInstant` at most 5 minutes old, `Conditions` `NotBefore` /
//! `NotOnOrAfter`, an `AudienceRestriction` naming AWS, and exactly one bearer
//! `SubjectConfirmation` whose `SubjectConfirmationData` has a `NotOnOrAfter` in the future
//! and an AWS sign-in endpoint as `Recipient` (IAM's "Configure SAML assertions for the
//! authentication response").

use super::{child, children, NO_AUDIENCE, SAML, WRONG_RECIPIENT};
use crate::error::IamError;
use crate::web_identity::{invalid_token, INVALID_TOKEN, REJECTED_CLAIM};

/// How long after its `IssueInstant` AWS accepts an assertion.
const REDEEM_WITHIN_SECONDS: i64 = 300;
/// How far ahead of the account's clock an IdP's `IssueInstant` or `NotBefore` may be
/// (iamd's choice: the IdP's clock may run a little ahead; times past are never stretched).
const CLOCK_SKEW_SECONDS: i64 = 60;
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
pub const EXPIRED: &str = "Response has expired";
pub const REDEEM_LATE: &str = "Token must be redeemed within 5 minutes of issuance";

/// What the checks found.
pub(super) struct Confirmation {
    pub recipient: String,
    pub usable_until: i64,
    pub session_not_on_or_after: Option<i64>,
}

fn expired(message: &str) -> IamError {
    IamError::new("ExpiredTokenException", 400, message)
}

fn not_yet() -> IamError {
    IamError::new("IDPRejectedClaim", 403, REJECTED_CLAIM)
}

/// A time attribute of `node`: `None` when absent, an error when malformed.
fn time(node: roxmltree::Node<'_, '_>, name: &str) -> Result<Option<i64>, IamError> {
    match node.attribute(name) {
        None => Ok(None),
        Some(text) => iamd_time::parse_iso8601(text)
            .map(Some)
            .ok_or_else(|| invalid_token(INVALID_TOKEN)),
    }
}

/// Checks `assertion` at `now` for the provider whose `SAMLProviderUUID` is `provider_uuid`.
pub(super) fn check(
    assertion: roxmltree::Node<'_, '_>,
    provider_uuid: &str,
    now: i64,
) -> Result<Confirmation, IamError> {
    let issued = time(assertion, "IssueInstant")?.ok_or_else(|| invalid_token(INVALID_TOKEN))?;
    if issued > now + CLOCK_SKEW_SECONDS {
        return Err(not_yet());
    }
    if now >= issued + REDEEM_WITHIN_SECONDS {
        return Err(expired(REDEEM_LATE));
    }
    let mut usable_until = issued + REDEEM_WITHIN_SECONDS;
    let conditions =
        child(assertion, SAML, "Conditions").ok_or_else(|| invalid_token(NO_AUDIENCE))?;
    if time(conditions, "NotBefore")?.is_some_and(|t| t > now + CLOCK_SKEW_SECONDS) {
        return Err(not_yet());
    }
    if let Some(until) = time(conditions, "NotOnOrAfter")? {
        if now >= until {
            return Err(expired(EXPIRED));
        }
        usable_until = usable_until.min(until);
    }
    check_audience(conditions)?;
    let (recipient, until) = bearer(assertion, provider_uuid, now)?;
    usable_until = usable_until.min(until);
    let session_not_on_or_after = match child(assertion, SAML, "AuthnStatement") {
        Some(statement) => time(statement, "SessionNotOnOrAfter")?,
        None => None,
    };
    if session_not_on_or_after.is_some_and(|t| now >= t) {
        return Err(expired(EXPIRED));
    }
    Ok(Confirmation {
        recipient,
        usable_until,
        session_not_on_or_after,
    })
}

/// At least one `AudienceRestriction`, and each names AWS (SAML requires every restriction
/// to be met).
fn check_audience(conditions: roxmltree::Node<'_, '_>) -> Result<(), IamError> {
    let restrictions: Vec<_> = children(conditions, SAML, "AudienceRestriction").collect();
    let names_aws = |r: &roxmltree::Node<'_, '_>| {
        children(*r, SAML, "Audience").any(|a| aws_audience(&super::text(a)))
    };
    if restrictions.is_empty() || !restrictions.iter().all(names_aws) {
        return Err(invalid_token(NO_AUDIENCE));
    }
    Ok(())
}

/// The one bearer confirmation's `Recipient` and `NotOnOrAfter`.
fn bearer(
    assertion: roxmltree::Node<'_, '_>,
    provider_uuid: &str,
    now: i64,
) -> Result<(String, i64), IamError> {
    let invalid = || invalid_token(INVALID_TOKEN);
    let subject = child(assertion, SAML, "Subject").ok_or_else(super::not_authorized)?;
    let mut confirmations = children(subject, SAML, "SubjectConfirmation");
    let (Some(confirmation), None) = (confirmations.next(), confirmations.next()) else {
        return Err(invalid());
    };
    if confirmation.attribute("Method") != Some(BEARER) {
        return Err(invalid());
    }
    let data = child(confirmation, SAML, "SubjectConfirmationData").ok_or_else(invalid)?;
    let until = time(data, "NotOnOrAfter")?.ok_or_else(invalid)?;
    if now >= until {
        return Err(expired(EXPIRED));
    }
    if time(data, "NotBefore")?.is_some_and(|t| t > now + CLOCK_SKEW_SECONDS) {
        return Err(not_yet());
    }
    let recipient = data.attribute("Recipient").ok_or_else(invalid)?;
    if !aws_endpoint(recipient, provider_uuid) {
        return Err(invalid_token(WRONG_RECIPIENT));
    }
    Ok((recipient.to_string(), until))
}

/// The audiences AWS accepts: `urn:amazon:webservices` (and GovCloud's), or a sign-in
/// endpoint.
fn aws_audience(audience: &str) -> bool {
    matches!(
        audience,
        "urn:amazon:webservices" | "urn:amazon:webservices:govcloud"
    ) || aws_endpoint(audience, "")
}

/// An AWS SAML sign-in endpoint: `https://signin.aws.amazon.com/saml`, its regional
/// `https://REGION.signin.aws.amazon.com/saml`, `.../static/saml`, the China and GovCloud
/// partitions' hosts, or `.../saml/acs/ID` with this provider's `SAMLProviderUUID` (the form
/// AWS uses for encrypted assertions).
fn aws_endpoint(url: &str, provider_uuid: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let region = |r: &str| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let host_ok = matches!(
        host,
        "signin.aws.amazon.com" | "signin.amazonaws.cn" | "signin.amazonaws-us-gov.com"
    ) || host
        .strip_suffix(".signin.aws.amazon.com")
        .is_some_and(region);
    let path_ok = matches!(path, "saml" | "static/saml")
        || path
            .strip_prefix("saml/acs/")
            .is_some_and(|id| !provider_uuid.is_empty() && id.eq_ignore_ascii_case(provider_uuid));
    host_ok && path_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_endpoints() {
        for url in [
            "https://signin.aws.amazon.com/saml",
            "https://eu-west-1.signin.aws.amazon.com/saml",
            "https://signin.aws.amazon.com/static/saml",
            "https://signin.aws.amazon.com/saml/acs/ABC123",
            "https://signin.amazonaws.cn/saml",
        ] {
            assert!(aws_endpoint(url, "abc123"), "{url}");
        }
        for url in [
            "http://signin.aws.amazon.com/saml",
            "https://signin.aws.amazon.com/saml/",
            "https://signin.aws.amazon.com.evil.example/saml",
            "https://evil.example/signin.aws.amazon.com/saml",
            "https://EU.signin.aws.amazon.com/saml",
            "https://signin.aws.amazon.com/saml/acs/OTHER",
            "https://signin.aws.amazon.com/saml/acs/",
            ".signin.aws.amazon.com/saml",
        ] {
            assert!(!aws_endpoint(url, "abc123"), "{url}");
        }
        assert!(aws_audience("urn:amazon:webservices"));
        assert!(aws_audience("https://signin.aws.amazon.com/saml"));
        assert!(!aws_audience("https://signin.aws.amazon.com/saml/acs/ABC"));
        assert!(!aws_audience("urn:amazon:webservices:other"));
    }
}
