use super::*;

const PEM: &str = include_str!("../../../../fixtures/credentials/signing-cert1.pem");

/// IdP metadata with the fixture's certificate; `attrs` go on the EntityDescriptor.
pub(crate) fn metadata_with(attrs: &str, cert: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml" {attrs}>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
{cert}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

fn cert() -> String {
    PEM.lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn reads_the_entity_its_certificates_and_valid_until() {
    let m = parse(&metadata_with(
        r#"validUntil="2030-01-01T00:00:00Z""#,
        &cert(),
    ))
    .unwrap();
    assert_eq!(m.entity_id, "https://idp.example.com/saml");
    assert_eq!(m.valid_until, Some(1_893_456_000));
    assert_eq!(m.certificates.len(), 1);
    let none = parse(&metadata_with("", &cert())).unwrap();
    assert_eq!(none.valid_until, None);
}

#[test]
fn refuses_what_is_not_idp_metadata() {
    let good = metadata_with("", &cert());
    let cases = [
        ("not xml", "<md:EntityDescriptor".to_string()),
        ("no certificate", good.replace(&cert(), "")),
        (
            "not a certificate",
            good.replace(&cert(), "bm90IGEgY2VydGlmaWNhdGU="),
        ),
        ("not base64", good.replace(&cert(), "!!!")),
        (
            "no entity id",
            good.replace(r#"entityID="https://idp.example.com/saml""#, ""),
        ),
        (
            "no IdP",
            good.replace("IDPSSODescriptor", "SPSSODescriptor"),
        ),
        ("wrong namespace", good.replace(MD, "urn:example")),
        (
            "bad validUntil",
            metadata_with(r#"validUntil="soon""#, &cert()),
        ),
        (
            "a DTD",
            format!(
                "<!DOCTYPE x [<!ENTITY e \"e\">]>{}",
                good.replace("<?xml version=\"1.0\"?>", "")
            ),
        ),
    ];
    for (why, text) in cases {
        let e = parse(&text).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("InvalidInput", UNPARSABLE),
            "{why}"
        );
    }
}

#[test]
fn an_encryption_only_key_is_not_a_signing_certificate() {
    let text = metadata_with("", &cert()).replace(r#"use="signing""#, r#"use="encryption""#);
    assert!(parse(&text).is_err());
}
