//! SAML 2.0 identity provider metadata, as CreateSAMLProvider and UpdateSAMLProvider take it:
//! an `md:EntityDescriptor` with an `entityID`, an `md:IDPSSODescriptor` and at least one
//! signing certificate (`ds:X509Certificate`, base64 DER) that is a well-formed X.509
//! certificate. Parsed with `roxmltree`, which refuses DTDs (no entity expansion).

use base64::Engine;
use x509_cert::der::Decode;

use crate::error::IamError;

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// AWS's answer to metadata it cannot use (InvalidInput).
pub const UNPARSABLE: &str = "Could not parse metadata";

/// What iamd keeps from a metadata document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// The IdP's `entityID`: the `Issuer` of its assertions (`saml:iss`).
    pub entity_id: String,
    /// `validUntil` of the entity (or of its IdP descriptor), Unix seconds.
    pub valid_until: Option<i64>,
    /// The DER bytes of its signing certificates.
    pub certificates: Vec<Vec<u8>>,
}

/// Parses and checks `text`; InvalidInput "Could not parse metadata" when it is not usable.
pub fn parse(text: &str) -> Result<Metadata, IamError> {
    parse_inner(text).ok_or_else(|| IamError::invalid_input(UNPARSABLE))
}

fn parse_inner(text: &str) -> Option<Metadata> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let root = doc.root_element();
    if !is(root, MD, "EntityDescriptor") {
        return None;
    }
    let entity_id = root
        .attribute("entityID")
        .filter(|e| !e.trim().is_empty())?;
    let idp = root.children().find(|n| is(*n, MD, "IDPSSODescriptor"))?;
    let certificates: Vec<Vec<u8>> = idp
        .children()
        .filter(|n| is(*n, MD, "KeyDescriptor"))
        .filter(|n| n.attribute("use").is_none_or(|u| u == "signing"))
        .flat_map(|k| k.descendants().filter(|n| is(*n, DS, "X509Certificate")))
        .map(|n| certificate(n.text().unwrap_or_default()))
        .collect::<Option<_>>()?;
    if certificates.is_empty() {
        return None;
    }
    let valid_until = match root.attribute("validUntil").or(idp.attribute("validUntil")) {
        Some(t) => Some(iamd_time::parse_iso8601(t.trim())?),
        None => None,
    };
    Some(Metadata {
        entity_id: entity_id.to_string(),
        valid_until,
        certificates,
    })
}

fn is(node: roxmltree::Node<'_, '_>, namespace: &str, name: &str) -> bool {
    node.is_element()
        && node.tag_name().namespace() == Some(namespace)
        && node.tag_name().name() == name
}

/// The DER of a `ds:X509Certificate` (base64, whitespace allowed), if it is a certificate.
fn certificate(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()?;
    x509_cert::Certificate::from_der(&der).ok()?;
    Some(der)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
