//! The response's XML signatures, verified by libxmlsec1 (through `samael`, whose
//! `PreDigest` mode returns the canonical bytes each verified reference covered) with the
//! provider's signing certificates as the only keys (a key or certificate inside the
//! response is never trusted).
//!
//! Before xmlsec sees the document, its shape must be the one SAML's signature profile
//! allows (SAML core 5.4): one `Assertion`, a child of the `Response`; every `Signature` a
//! child of the `Response` or of that `Assertion`, at most one each, with one `Reference` to
//! its parent's `ID` and only the enveloped-signature and exclusive canonicalization
//! transforms; RSA or ECDSA with SHA-2 (samael refuses the others before any digest). The
//! claims are then read from the signed bytes alone: an assertion that the signature does
//! not cover is never read.

use samael::crypto::{
    AllowedSignatureAlgorithm, CertificateDer, Crypto, CryptoProvider, ReduceMode,
};

use super::{child, children, is, SAML, SAMLP, SIGNATURE_INVALID};
use crate::error::IamError;
use crate::web_identity::invalid_token;

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const EXCLUSIVE_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// SHA-1 signatures are refused (samael offers no SHA-1 to allow; AWS's own guidance for
/// IdPs is SHA-256).
const ALGORITHMS: [AllowedSignatureAlgorithm; 6] = [
    AllowedSignatureAlgorithm::RsaSha256,
    AllowedSignatureAlgorithm::RsaSha384,
    AllowedSignatureAlgorithm::RsaSha512,
    AllowedSignatureAlgorithm::EcdsaSha256,
    AllowedSignatureAlgorithm::EcdsaSha384,
    AllowedSignatureAlgorithm::EcdsaSha512,
];

fn invalid() -> IamError {
    invalid_token(SIGNATURE_INVALID)
}

/// The canonical XML the response's signatures cover (the signed `Response`, else the signed
/// `Assertion`), verified with `certificates` (DER).
pub(super) fn signed_content(
    doc: &roxmltree::Document<'_>,
    xml: &str,
    certificates: &[Vec<u8>],
) -> Result<String, IamError> {
    check_shape(doc).ok_or_else(invalid)?;
    verified_bytes(xml, certificates)
}

/// What xmlsec verified, without the shape check.
fn verified_bytes(xml: &str, certificates: &[Vec<u8>]) -> Result<String, IamError> {
    let keys: Vec<CertificateDer> = certificates.iter().cloned().map(Into::into).collect();
    Crypto::reduce_xml_to_signed_with_allowed_algorithms(
        xml,
        &keys,
        ReduceMode::PreDigest,
        Some(&ALGORITHMS),
    )
    .map_err(|e| {
        tracing::debug!(target: "iamd", "SAML response signature refused: {e}");
        invalid()
    })
}

/// The one `Assertion` of the signed content: its root, or the signed `Response`'s only
/// assertion.
pub(super) fn signed_assertion<'a, 'i>(
    signed: &'a roxmltree::Document<'i>,
) -> Result<roxmltree::Node<'a, 'i>, IamError> {
    let root = signed.root_element();
    if is(root, SAML, "Assertion") {
        return Ok(root);
    }
    if !is(root, SAMLP, "Response") {
        return Err(invalid());
    }
    let mut assertions = root.descendants().filter(|n| is(*n, SAML, "Assertion"));
    match (assertions.next(), assertions.next()) {
        (Some(assertion), None) if assertion.parent() == Some(root) => Ok(assertion),
        _ => Err(invalid()),
    }
}

/// The document has the shape SAML's signature profile allows (see the module's comment).
fn check_shape(doc: &roxmltree::Document<'_>) -> Option<()> {
    let response = doc.root_element();
    let mut assertions = response.descendants().filter(|n| is(*n, SAML, "Assertion"));
    let assertion = assertions.next()?;
    if assertions.next().is_some() || assertion.parent() != Some(response) {
        return None;
    }
    let signatures: Vec<_> = response
        .descendants()
        .filter(|n| is(*n, DS, "Signature"))
        .collect();
    let placed =
        |s: &roxmltree::Node<'_, '_>| s.parent() == Some(response) || s.parent() == Some(assertion);
    if signatures.is_empty() || !signatures.iter().all(placed) {
        return None;
    }
    for parent in [response, assertion] {
        if children(parent, DS, "Signature").count() > 1 {
            return None;
        }
    }
    signatures.iter().all(|s| well_formed(*s)).then_some(())
}

/// One `Signature`: a child of an element with an `ID`, with one `Reference` to that `ID`
/// and only the transforms SAML allows.
fn well_formed(signature: roxmltree::Node<'_, '_>) -> bool {
    let Some(parent) = signature.parent() else {
        return false;
    };
    let Some(id) = parent.attribute("ID").filter(|id| !id.is_empty()) else {
        return false;
    };
    let Some(info) = child(signature, DS, "SignedInfo") else {
        return false;
    };
    let mut references = children(info, DS, "Reference");
    let (Some(reference), None) = (references.next(), references.next()) else {
        return false;
    };
    if reference.attribute("URI") != Some(format!("#{id}").as_str()) {
        return false;
    }
    child(reference, DS, "Transforms").is_none_or(|transforms| {
        transforms.children().filter(|n| n.is_element()).all(|t| {
            is(t, DS, "Transform")
                && matches!(t.attribute("Algorithm"), Some(ENVELOPED | EXCLUSIVE_C14N))
        })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_idp::{self, Response};
    use super::*;

    /// Without the shape check too, a signed assertion moved into `Extensions` beside an
    /// unsigned one is the only one read: claims come from what the signature covers.
    #[test]
    fn only_the_signed_assertion_is_ever_read() {
        let role = "arn:aws:iam::111122223333:role/admin";
        let provider = "arn:aws:iam::111122223333:saml-provider/corp";
        let good = Response::new(1_795_423_481, role, provider).xml();
        let evil = Response {
            subject: "root@example.com".into(),
            id: "_evil".into(),
            sign_assertion: false,
            ..Response::new(1_795_423_481, role, provider)
        }
        .template(false, false);
        let evil =
            &evil[evil.find("<saml:Assertion").unwrap()..evil.find("</samlp:Response>").unwrap()];
        let (start, end) = (
            good.find("<saml:Assertion").unwrap(),
            good.find("</samlp:Response>").unwrap(),
        );
        let moved = format!(
            "{}<samlp:Extensions>{}</samlp:Extensions>{evil}</samlp:Response>",
            &good[good.find("<samlp:Response").unwrap()..start],
            &good[start..end]
        );
        let doc = roxmltree::Document::parse(&moved).unwrap();
        assert!(check_shape(&doc).is_none());
        let metadata = crate::saml_metadata::parse(&test_idp::metadata()).unwrap();
        let signed = verified_bytes(&moved, &metadata.certificates).unwrap();
        let signed = roxmltree::Document::parse(&signed).unwrap();
        let assertion = signed_assertion(&signed).unwrap();
        assert!(signed.root_element() == assertion);
        assert!(!signed.input_text().contains("root@example.com"));
        assert!(signed.input_text().contains("alice@example.com"));
    }
}
