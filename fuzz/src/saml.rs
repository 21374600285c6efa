//! SAML metadata written back from what iamd kept, for the `saml_metadata` target.

use base64::Engine;
use iamd_core::saml_metadata::Metadata;

/// `text` for an XML attribute value: markup characters and the whitespace XML would
/// normalise (tab, newline, carriage return) as references.
pub fn attribute(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A metadata document carrying `entity_id`, `valid_until` and certificates (DER).
pub fn document(entity_id: &str, valid_until: Option<i64>, certificates: &[Vec<u8>]) -> String {
    let until = valid_until
        .map(|t| format!(r#" validUntil="{}""#, iamd_time::format_iso8601(t)))
        .unwrap_or_default();
    let b64 = base64::engine::general_purpose::STANDARD;
    let keys: String = certificates
        .iter()
        .map(|der| {
            format!(
                "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n{}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>",
                b64.encode(der)
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{}"{until}>
<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}</md:IDPSSODescriptor>
</md:EntityDescriptor>"#,
        attribute(entity_id)
    )
}

/// Writes `m` back and parses it again: the same metadata.
pub fn round_trip(m: &Metadata) {
    let text = document(&m.entity_id, m.valid_until, &m.certificates);
    match iamd_core::saml_metadata::parse(&text) {
        Ok(again) => assert_eq!(
            &again, m,
            "metadata written back reads differently:\n{text}"
        ),
        Err(e) => panic!("metadata written back is refused ({}):\n{text}", e.message),
    }
}
