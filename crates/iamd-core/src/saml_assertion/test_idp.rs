//! A test identity provider: SAML responses signed with the test keys of
//! `crates/iamd-core/testdata/saml` by libxmlsec1 (samael), as an IdP would sign them, and
//! the IdP's metadata. Shared by iamd-core's unit tests and the end-to-end tests (which
//! include this file by path), so it uses only `samael`, `base64` and `std`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use samael::crypto::{Crypto, CryptoProvider};

pub const IDP_KEY: &str = include_str!("../../testdata/saml/idp.key.pem");
pub const IDP_CERT: &str = include_str!("../../testdata/saml/idp.cert.pem");
pub const FORGER_KEY: &str = include_str!("../../testdata/saml/forger.key.pem");
pub const ENTITY_ID: &str = "https://idp.example.com/saml";
pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";

/// The IdP's metadata: its `entityID` and signing certificate.
pub fn metadata() -> String {
    let cert: String = IDP_CERT
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{ENTITY_ID}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
      <ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

/// What goes into a response; [`Response::new`] makes a valid one.
#[derive(Clone)]
pub struct Response {
    pub id: String,
    pub issuer: String,
    pub subject: String,
    pub format: String,
    pub recipient: String,
    pub audience: String,
    pub status: String,
    /// `IssueInstant` (Unix seconds) and the `NotOnOrAfter` of conditions and confirmation.
    pub issued: i64,
    pub not_on_or_after: i64,
    pub attributes: Vec<(String, Vec<String>)>,
    pub sign_response: bool,
    pub sign_assertion: bool,
    pub key: &'static str,
}

impl Response {
    /// A response issued at `now`, valid 5 minutes, for `role_arn` through `provider_arn`,
    /// session name `alice`, its assertion signed with the IdP's key.
    pub fn new(now: i64, role_arn: &str, provider_arn: &str) -> Response {
        Response {
            id: format!("_a{now}"),
            issuer: ENTITY_ID.to_string(),
            subject: "alice@example.com".to_string(),
            format: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".to_string(),
            recipient: "https://signin.aws.amazon.com/saml".to_string(),
            audience: "urn:amazon:webservices".to_string(),
            status: "urn:oasis:names:tc:SAML:2.0:status:Success".to_string(),
            issued: now,
            not_on_or_after: now + 300,
            attributes: vec![
                (
                    ROLE_ATTRIBUTE.to_string(),
                    vec![format!("{role_arn},{provider_arn}")],
                ),
                aws("RoleSessionName", "alice"),
            ],
            sign_response: false,
            sign_assertion: true,
            key: IDP_KEY,
        }
    }

    /// Adds (or, for an AWS attribute already there, replaces) an attribute.
    pub fn with(mut self, name: &str, values: &[&str]) -> Response {
        self.attributes.retain(|(n, _)| n != name);
        let values = values.iter().map(|v| v.to_string()).collect();
        self.attributes.push((name.to_string(), values));
        self
    }

    pub fn without(mut self, name: &str) -> Response {
        self.attributes.retain(|(n, _)| n != name);
        self
    }

    /// The response as XML, with empty signature templates where it is to be signed.
    pub fn template(&self, response_signature: bool, assertion_signature: bool) -> String {
        let attributes: String = self
            .attributes
            .iter()
            .map(|(name, values)| {
                let values: String = values
                    .iter()
                    .map(|v| format!("<saml:AttributeValue>{v}</saml:AttributeValue>"))
                    .collect();
                format!(r#"<saml:Attribute Name="{name}">{values}</saml:Attribute>"#)
            })
            .collect();
        let (issued, until) = (
            iamd_time::format_iso8601(self.issued),
            iamd_time::format_iso8601(self.not_on_or_after),
        );
        let sig = |on: bool, id: &str| if on { signature(id) } else { String::new() };
        format!(
            r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r{id}" Version="2.0" IssueInstant="{issued}" Destination="{recipient}"><saml:Issuer>{issuer}</saml:Issuer>{rsig}<samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status><saml:Assertion ID="{id}" Version="2.0" IssueInstant="{issued}"><saml:Issuer>{issuer}</saml:Issuer>{asig}<saml:Subject><saml:NameID Format="{format}">{subject}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{recipient}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{issued}" NotOnOrAfter="{until}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{issued}" SessionIndex="{id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>{attributes}</saml:AttributeStatement></saml:Assertion></samlp:Response>"#,
            id = self.id,
            recipient = self.recipient,
            issuer = self.issuer,
            status = self.status,
            format = self.format,
            subject = self.subject,
            audience = self.audience,
            rsig = sig(response_signature, &format!("_r{}", self.id)),
            asig = sig(assertion_signature, &self.id),
        )
    }

    /// The signed response's XML.
    pub fn xml(&self) -> String {
        let key = der(self.key);
        let mut xml = self.template(false, self.sign_assertion);
        if self.sign_assertion {
            xml = Crypto::sign_xml(&xml, &key).expect("sign the assertion");
        }
        if self.sign_response {
            // The response's signature goes right after its Issuer, before the assertion's
            // (the signer signs the first template it finds).
            let at = xml.find("</saml:Issuer>").expect("issuer") + "</saml:Issuer>".len();
            xml.insert_str(at, &signature(&format!("_r{}", self.id)));
            xml = Crypto::sign_xml(&xml, &key).expect("sign the response");
        }
        xml
    }

    /// The signed response, base64-encoded as AssumeRoleWithSAML takes it.
    pub fn encoded(&self) -> String {
        encode(&self.xml())
    }
}

/// An attribute named `https://aws.amazon.com/SAML/Attributes/{name}` with one value.
pub fn aws(name: &str, value: &str) -> (String, Vec<String>) {
    (
        format!("https://aws.amazon.com/SAML/Attributes/{name}"),
        vec![value.to_string()],
    )
}

pub fn encode(xml: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(xml)
}

/// An enveloped RSA-SHA256 signature template for the element whose `ID` is `id`.
fn signature(id: &str) -> String {
    format!(
        r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue></ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue></ds:Signature>"##
    )
}

/// The DER of a PEM private key.
fn der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM body")
}
