//! The SAMLProvider family through the official AWS SDK for Rust against a real `iamd serve`,
//! across a restart (stored like every other entity).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use aws_sdk_iam::types::Tag;
use support::{code_message, Server};

const PEM: &str = include_str!("../../../fixtures/credentials/signing-cert1.pem");

fn metadata() -> String {
    let cert: String = PEM.lines().filter(|l| !l.starts_with("-----")).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml" validUntil="2030-01-01T00:00:00Z">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

#[tokio::test]
async fn providers_are_created_read_tagged_and_deleted_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_in(dir.path());
    let iam = server.iam();
    let arn = iam
        .create_saml_provider()
        .name("corp")
        .saml_metadata_document(metadata())
        .tags(Tag::builder().key("team").value("id").build().unwrap())
        .send()
        .await
        .unwrap()
        .saml_provider_arn
        .unwrap();
    assert_eq!(arn, "arn:aws:iam::123456789012:saml-provider/corp");
    server.kill();

    let server = Server::start_in(dir.path());
    let iam = server.iam();
    let got = iam
        .get_saml_provider()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.saml_metadata_document(), Some(metadata().as_str()));
    assert_eq!(got.valid_until().unwrap().secs(), 1_893_456_000);
    assert_eq!(got.tags()[0].key(), "team");
    let list = iam.list_saml_providers().send().await.unwrap();
    assert_eq!(list.saml_provider_list()[0].arn(), Some(arn.as_str()));

    iam.untag_saml_provider()
        .saml_provider_arn(&arn)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_saml_provider_tags()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(tags.tags().is_empty());
    iam.update_saml_provider()
        .saml_provider_arn(&arn)
        .saml_metadata_document(metadata().replace("2030-01-01", "2031-01-01"))
        .send()
        .await
        .unwrap();
    iam.delete_saml_provider()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = iam
        .get_saml_provider()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_message(err).0, "NoSuchEntity");
}

#[tokio::test]
async fn bad_input_is_refused() {
    let server = Server::start();
    let iam = server.iam();
    let not_idp = metadata().replace("IDPSSODescriptor", "SPSSODescriptor");
    let err = iam
        .create_saml_provider()
        .name("corp")
        .saml_metadata_document(not_idp)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_message(err),
        (
            "InvalidInput".to_string(),
            "Could not parse metadata".to_string()
        )
    );
    // The model's rules: at least 1,000 characters, names of [\w._-].
    let err = iam
        .create_saml_provider()
        .name("corp")
        .saml_metadata_document("<x/>")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_message(err).0, "ValidationError");
    let err = iam
        .create_saml_provider()
        .name("no spaces")
        .saml_metadata_document(metadata())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_message(err).0, "ValidationError");
    let err = iam
        .get_saml_provider()
        .saml_provider_arn("arn:aws:iam::123456789012:saml-provider/none")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_message(err).0, "NoSuchEntity");
}
