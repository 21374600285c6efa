//! SAML 2.0 authentication responses as AssumeRoleWithSAML checks them. The response's XML
//! signature (on the `Response`, its `Assertion` or both) is verified by libxmlsec1 (through
//! `samael`) with the signing certificates of the provider's metadata only ([`signature`]);
//! every claim is then read from the bytes the signature covers, never from the document as
//! sent, so a signed element moved or copied elsewhere (signature wrapping) or a comment
//! inserted into a signed value changes nothing that is read. Then, as AWS documents: the
//! `Issuer` is the provider's `entityID`, an `AudienceRestriction` names AWS, the one bearer
//! `SubjectConfirmationData` has an AWS sign-in endpoint as `Recipient` and a `NotOnOrAfter`,
//! and the times hold by the account's clock ([`conditions`]). The attributes AWS reads
//! (`Role`, `RoleSessionName`, `SessionDuration`, `SourceIdentity`, `PrincipalTag:*`,
//! `TransitiveTagKeys`, and the eduPerson, Active Directory and X.500 ones that become `saml:`
//! condition keys) are in [`claims`].
//!
//! AWS's texts: "Response signature invalid", "RoleSessionName is required in AuthnResponse",
//! "RoleSessionName in AuthnResponse must match ...", "Source Identity must match ...",
//! "Issuer not present in specified provider", "Specified provider doesn't exist.", "Response
//! does not contain the required audience." (IAM's SAML troubleshooting guide), "Response has
//! expired" and "Token must be redeemed within 5 minutes of issuance" (ExpiredTokenException,
//! as recorded from AWS by its users). Where AWS's text is not known (a wrong `Recipient`, a
//! replayed assertion, an encrypted one) iamd says what is wrong with InvalidIdentityToken.

mod claims;
mod conditions;
mod signature;

use base64::Engine;
use iamd_policy::ContextValue;

pub use claims::SessionClaims;

use crate::error::IamError;
use crate::model::SamlProvider;
use crate::web_identity::{invalid_token, INVALID_TOKEN, REJECTED_CLAIM};

pub const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";

pub const NO_PROVIDER: &str = "Specified provider doesn't exist.";
pub const SIGNATURE_INVALID: &str = "Response signature invalid";
pub const ISSUER_MISMATCH: &str = "Issuer not present in specified provider";
pub const NO_AUDIENCE: &str = "Response does not contain the required audience.";
pub const WRONG_RECIPIENT: &str =
    "The Recipient of the SubjectConfirmationData is not an AWS sign-in endpoint.";
pub const ENCRYPTED: &str = "iamd does not support encrypted SAML assertions.";
pub const REPLAYED: &str = "The SAML assertion has already been used.";
pub const NOT_AUTHORIZED: &str = "Not authorized to perform sts:AssumeRoleWithSAML";

/// The `NameID` format AWS shortens in `SubjectType` and `saml:sub_type`.
const NAME_ID_FORMAT_PREFIX: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:";
/// SAML's default `NameID` format.
const UNSPECIFIED_FORMAT: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// A response whose checks all passed.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The assertion's `ID`, with its issuer the key of its single use ([`Self::replay_key`]).
    pub assertion_id: String,
    /// The assertion's `Issuer` (the provider's `entityID`).
    pub issuer: String,
    /// `NameID`, and its `Format` as given (SAML's default when absent).
    pub subject: String,
    pub subject_format: String,
    /// The `Recipient` of the bearer confirmation (`Audience` in the answer, `saml:aud`).
    pub recipient: String,
    /// Until when the assertion could be accepted: its replay record is kept until then.
    pub usable_until: i64,
    /// `SessionNotOnOrAfter` of the `AuthnStatement`, when given.
    pub session_not_on_or_after: Option<i64>,
    pub claims: SessionClaims,
}

impl Verified {
    /// `SubjectType`: the format without `urn:oasis:names:tc:SAML:2.0:nameid-format:`, as
    /// AWS answers (`persistent`, `transient`); other formats in full.
    pub fn subject_type(&self) -> &str {
        self.subject_format
            .strip_prefix(NAME_ID_FORMAT_PREFIX)
            .unwrap_or(&self.subject_format)
    }

    /// `NameQualifier` and `saml:namequalifier`: `BASE64(SHA1(issuer + account + "/" +
    /// provider name))`, as the STS API reference computes it.
    pub fn name_qualifier(&self, account_id: &str, provider: &SamlProvider) -> String {
        use sha1::Digest;
        let digest = sha1::Sha1::digest(format!("{}{account_id}/{}", self.issuer, provider.name));
        base64::engine::general_purpose::STANDARD.encode(digest)
    }

    /// The key of this assertion's replay record: a digest of its issuer and `ID`.
    pub fn replay_key(&self) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(format!("{}\n{}", self.issuer, self.assertion_id));
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The trust policy's condition keys, as AWS documents them for SAML federation:
    /// `saml:aud` (the `Recipient`), `saml:iss`, `saml:sub`, `saml:sub_type`,
    /// `saml:namequalifier`, `saml:doc` (`ACCOUNT/PROVIDER`) and the mapped attributes.
    pub fn context(
        &self,
        account_id: &str,
        provider: &SamlProvider,
    ) -> Vec<(String, ContextValue)> {
        let single = |k: &str, v: String| (k.to_string(), ContextValue::Single(v));
        let mut keys = vec![
            single("saml:aud", self.recipient.clone()),
            single("saml:iss", self.issuer.clone()),
            single("saml:sub", self.subject.clone()),
            single("saml:sub_type", self.subject_type().to_string()),
            single(
                "saml:namequalifier",
                self.name_qualifier(account_id, provider),
            ),
            single("saml:doc", format!("{account_id}/{}", provider.name)),
        ];
        keys.extend(self.claims.condition_keys.iter().cloned());
        keys
    }
}

/// Checks `encoded` (AssumeRoleWithSAML's `SAMLAssertion`: a base64 `samlp:Response`) for
/// `provider` at `now` (Unix seconds).
pub fn verify(encoded: &str, provider: &SamlProvider, now: i64) -> Result<Verified, IamError> {
    let xml = decode(encoded)?;
    let doc = roxmltree::Document::parse(&xml).map_err(|_| invalid_token(INVALID_TOKEN))?;
    let root = doc.root_element();
    if !is(root, SAMLP, "Response") {
        return Err(invalid_token(INVALID_TOKEN));
    }
    if root
        .descendants()
        .any(|n| is(n, SAML, "EncryptedAssertion"))
    {
        return Err(invalid_token(ENCRYPTED));
    }
    if !succeeded(root) {
        return Err(IamError::new("IDPRejectedClaim", 403, REJECTED_CLAIM));
    }
    let metadata = crate::saml_metadata::parse(&provider.metadata)
        .map_err(|_| invalid_token(SIGNATURE_INVALID))?;
    let signed = signature::signed_content(&doc, &xml, &metadata.certificates)?;
    let signed =
        roxmltree::Document::parse(&signed).map_err(|_| invalid_token(SIGNATURE_INVALID))?;
    let assertion = signature::signed_assertion(&signed)?;
    read(assertion, &metadata.entity_id, &provider.uuid, now)
}

/// The XML text of a base64 response (line breaks and spaces allowed, as IdPs wrap it).
fn decode(encoded: &str) -> Result<String, IamError> {
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| invalid_token(INVALID_TOKEN))?;
    String::from_utf8(bytes).map_err(|_| invalid_token(INVALID_TOKEN))
}

/// The response's top-level status is Success.
fn succeeded(response: roxmltree::Node<'_, '_>) -> bool {
    child(response, SAMLP, "Status")
        .and_then(|s| child(s, SAMLP, "StatusCode"))
        .and_then(|c| c.attribute("Value"))
        == Some(SUCCESS)
}

/// Reads and checks the signed `assertion`.
fn read(
    assertion: roxmltree::Node<'_, '_>,
    entity_id: &str,
    provider_uuid: &str,
    now: i64,
) -> Result<Verified, IamError> {
    let invalid = || invalid_token(INVALID_TOKEN);
    let issuer = child(assertion, SAML, "Issuer")
        .map(text)
        .unwrap_or_default();
    if issuer != entity_id {
        return Err(invalid_token(ISSUER_MISMATCH));
    }
    let assertion_id = assertion
        .attribute("ID")
        .filter(|id| !id.is_empty())
        .ok_or_else(invalid)?
        .to_string();
    let confirmation = conditions::check(assertion, provider_uuid, now)?;
    let subject = child(assertion, SAML, "Subject").ok_or_else(not_authorized)?;
    let name_id = child(subject, SAML, "NameID").ok_or_else(not_authorized)?;
    let subject_id = text(name_id);
    if subject_id.is_empty() {
        return Err(not_authorized());
    }
    Ok(Verified {
        assertion_id,
        issuer,
        subject: subject_id,
        subject_format: name_id
            .attribute("Format")
            .unwrap_or(UNSPECIFIED_FORMAT)
            .to_string(),
        recipient: confirmation.recipient,
        usable_until: confirmation.usable_until,
        session_not_on_or_after: confirmation.session_not_on_or_after,
        claims: claims::read(assertion)?,
    })
}

/// AWS's refusal of an assertion that names no subject, or not the role asked for.
pub fn not_authorized() -> IamError {
    IamError::access_denied(NOT_AUTHORIZED)
}

fn is(node: roxmltree::Node<'_, '_>, namespace: &str, name: &str) -> bool {
    node.is_element()
        && node.tag_name().namespace() == Some(namespace)
        && node.tag_name().name() == name
}

fn child<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    namespace: &str,
    name: &str,
) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|n| is(*n, namespace, name))
}

fn children<'a, 'i: 'a>(
    node: roxmltree::Node<'a, 'i>,
    namespace: &'a str,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> + 'a {
    node.children().filter(move |n| is(*n, namespace, name))
}

/// All the text of an element (comments and child elements' markup left out), trimmed.
fn text(node: roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
pub(crate) mod test_idp;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
