//! The attributes of a signed assertion that AWS reads (IAM's "Configure SAML assertions for
//! the authentication response"): `Role` (comma-separated role and provider ARN pairs, in
//! either order), `RoleSessionName` (required), `SessionDuration`, `SourceIdentity`,
//! `PrincipalTag:KEY` and `TransitiveTagKeys`, all under `https://aws.amazon.com/SAML/Attributes/`
//! (names are case-sensitive); and the eduPerson, eduOrg, Active Directory and X.500
//! attributes that become `saml:` condition keys of the trust policy.

use iamd_policy::ContextValue;

use super::{children, text, SAML};
use crate::error::IamError;
use crate::model::Tag;
use crate::web_identity::invalid_token;

const AWS: &str = "https://aws.amazon.com/SAML/Attributes/";
pub const SESSION_NAME_REQUIRED: &str = "RoleSessionName is required in AuthnResponse";
pub const SESSION_NAME_INVALID: &str =
    "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}";
pub const SOURCE_IDENTITY_INVALID: &str =
    "Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with \"aws:\"";
/// iamd's text (AWS's is not known): the attribute only ever shortens a session.
pub const SESSION_DURATION_INVALID: &str =
    "SessionDuration in AuthnResponse must be a number of seconds from 900 to 43200";

/// Attribute names and the condition keys they become (`true`: a list of strings), from
/// AWS's tables "eduPerson and eduOrg attributes", "Active Directory attributes" and "X.500
/// attributes" (the X.500 OIDs as AWS prints them, with `2.5.4.42` for `givenName` too).
const MAPPED: &[(&str, &str, bool)] = &[
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
        "saml:edupersonaffiliation",
        true,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.2",
        "saml:edupersonnickname",
        true,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.3",
        "saml:edupersonorgdn",
        false,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.4",
        "saml:edupersonorgunitdn",
        true,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.5",
        "saml:edupersonprimaryaffiliation",
        false,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
        "saml:edupersonprincipalname",
        false,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.7",
        "saml:edupersonentitlement",
        true,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.8",
        "saml:edupersonprimaryorgunitdn",
        false,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
        "saml:edupersonscopedaffiliation",
        true,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.10",
        "saml:edupersontargetedid",
        true,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.11",
        "saml:edupersonassurance",
        true,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.2",
        "saml:eduorghomepageuri",
        true,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.3",
        "saml:eduorgidentityauthnpolicyuri",
        true,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.4",
        "saml:eduorglegalname",
        true,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.5",
        "saml:eduorgsuperioruri",
        true,
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.6",
        "saml:eduorgwhitepagesuri",
        true,
    ),
    ("urn:oid:2.5.4.3", "saml:cn", true),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "saml:name",
        false,
    ),
    (
        "http://schemas.xmlsoap.org/claims/CommonName",
        "saml:commonName",
        false,
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "saml:givenName",
        false,
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "saml:surname",
        false,
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "saml:mail",
        false,
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid",
        "saml:uid",
        false,
    ),
    ("2.5.4.3", "saml:commonName", false),
    ("2.5.4.4", "saml:surname", false),
    ("2.4.5.42", "saml:givenName", false),
    ("2.5.4.42", "saml:givenName", false),
    ("2.5.4.45", "saml:x500UniqueIdentifier", false),
    ("0.9.2342.19200300100.1.1", "saml:uid", false),
    ("0.9.2342.19200300100.1.3", "saml:mail", false),
    (
        "0.9.2342.19200300.100.1.45",
        "saml:organizationStatus",
        false,
    ),
];

/// What the assertion's attributes ask for.
#[derive(Debug, Clone, Default)]
pub struct SessionClaims {
    /// `(role ARN, provider ARN)` pairs of the `Role` attribute.
    pub roles: Vec<(String, String)>,
    pub session_name: String,
    /// `SessionDuration`: it may only shorten the session (AWS: "it can be used to shorten
    /// the duration of the session").
    pub session_duration: Option<i64>,
    pub source_identity: Option<String>,
    pub tags: Vec<Tag>,
    pub transitive_tag_keys: Vec<String>,
    /// The mapped attributes as `saml:` condition keys.
    pub condition_keys: Vec<(String, ContextValue)>,
}

impl SessionClaims {
    /// Whether the `Role` attribute offers `role_arn` through `provider_arn`.
    pub fn offers(&self, role_arn: &str, provider_arn: &str) -> bool {
        self.roles
            .iter()
            .any(|(role, provider)| role == role_arn && provider == provider_arn)
    }
}

/// The attributes of `assertion`'s attribute statements, by name, values in order (an
/// attribute given twice keeps both lists of values).
fn attributes(assertion: roxmltree::Node<'_, '_>) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let statements = children(assertion, SAML, "AttributeStatement");
    for attribute in statements.flat_map(|s| children(s, SAML, "Attribute")) {
        let Some(name) = attribute.attribute("Name") else {
            continue;
        };
        let values = children(attribute, SAML, "AttributeValue").map(text);
        match out.iter_mut().find(|(n, _)| n == name) {
            Some((_, existing)) => existing.extend(values),
            None => out.push((name.to_string(), values.collect())),
        }
    }
    out
}

/// Reads and checks the attributes of a signed `assertion`.
pub(super) fn read(assertion: roxmltree::Node<'_, '_>) -> Result<SessionClaims, IamError> {
    let attributes = attributes(assertion);
    let aws = |name: &str| {
        attributes
            .iter()
            .find(|(n, _)| n.strip_prefix(AWS) == Some(name))
            .map(|(_, values)| values.as_slice())
    };
    let first = |name: &str| aws(name).and_then(|v| v.first()).cloned();
    let session_name =
        first("RoleSessionName").ok_or_else(|| invalid_token(SESSION_NAME_REQUIRED))?;
    if !name_like(&session_name) {
        return Err(invalid_token(SESSION_NAME_INVALID));
    }
    let source_identity = first("SourceIdentity");
    if let Some(source) = &source_identity {
        if !name_like(source) || source.to_ascii_lowercase().starts_with("aws:") {
            return Err(invalid_token(SOURCE_IDENTITY_INVALID));
        }
    }
    let session_duration = match first("SessionDuration") {
        Some(text) => Some(
            text.parse::<i64>()
                .ok()
                .filter(|s| (900..=43_200).contains(s))
                .ok_or_else(|| invalid_token(SESSION_DURATION_INVALID))?,
        ),
        None => None,
    };
    let roles = aws("Role")
        .unwrap_or_default()
        .iter()
        .filter_map(|v| pair(v))
        .collect();
    let tags = attributes
        .iter()
        .filter_map(|(name, values)| {
            let key = name.strip_prefix(AWS)?.strip_prefix("PrincipalTag:")?;
            let value = values.first()?;
            (!key.is_empty()).then(|| Tag {
                key: key.to_string(),
                value: value.clone(),
            })
        })
        .collect();
    Ok(SessionClaims {
        roles,
        session_name,
        session_duration,
        source_identity,
        tags,
        transitive_tag_keys: aws("TransitiveTagKeys").unwrap_or_default().to_vec(),
        condition_keys: condition_keys(&attributes),
    })
}

/// `ROLE_ARN,PROVIDER_ARN` or `PROVIDER_ARN,ROLE_ARN`, as AWS accepts both.
fn pair(value: &str) -> Option<(String, String)> {
    let (a, b) = value.split_once(',')?;
    let (a, b) = (a.trim(), b.trim());
    let is_role = |arn: &str| arn.starts_with("arn:") && arn.contains(":role/");
    let is_provider = |arn: &str| arn.starts_with("arn:") && arn.contains(":saml-provider/");
    match (is_role(a) && is_provider(b), is_provider(a) && is_role(b)) {
        (true, _) => Some((a.to_string(), b.to_string())),
        (_, true) => Some((b.to_string(), a.to_string())),
        _ => None,
    }
}

/// `[a-zA-Z_0-9+=,.@-]{2,64}`: AWS's rule for session names and source identities.
fn name_like(text: &str) -> bool {
    (2..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

/// The mapped attributes as condition keys (AWS: one claim per key; the first one wins).
fn condition_keys(attributes: &[(String, Vec<String>)]) -> Vec<(String, ContextValue)> {
    let mut keys: Vec<(String, ContextValue)> = Vec::new();
    for (name, values) in attributes {
        let Some((_, key, list)) = MAPPED.iter().find(|(n, _, _)| n == name) else {
            continue;
        };
        let Some(first) = values.first() else {
            continue;
        };
        if keys.iter().any(|(k, _)| k == key) {
            continue;
        }
        let value = match list {
            true => ContextValue::Multi(values.clone()),
            false => ContextValue::Single(first.clone()),
        };
        keys.push((key.to_string(), value));
    }
    keys
}
