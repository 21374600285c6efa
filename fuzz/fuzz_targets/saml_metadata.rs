//! SAML identity provider metadata (CreateSAMLProvider / UpdateSAMLProvider's
//! `SAMLMetadataDocument`, `saml_metadata::parse`). The first byte picks a mode: 0, any other
//! value: the rest is a metadata document; 1: the rest is a certificate's DER bytes, put base64
//! into a valid document.
//!
//! Checks: a refusal is InvalidInput "Could not parse metadata"; accepted metadata has a
//! non-blank entity id and at least one certificate, each a well-formed X.509 certificate
//! (`x509-cert`), and written back as a document (entity id escaped, `validUntil` in ISO 8601,
//! certificates base64) reads to the same metadata; a DER certificate is accepted exactly when
//! `x509-cert` reads it.
#![no_main]

use iamd_core::saml_metadata::{parse, UNPARSABLE};
use iamd_fuzz::saml;
use libfuzzer_sys::fuzz_target;
use x509_cert::der::Decode;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = if mode == 1 {
        saml::document("https://idp.example.com/saml", None, &[rest.to_vec()])
    } else {
        match std::str::from_utf8(rest) {
            Ok(text) => text.to_string(),
            Err(_) => return,
        }
    };
    match parse(&text) {
        Ok(m) => {
            assert!(!m.entity_id.trim().is_empty(), "blank entity id");
            assert!(!m.certificates.is_empty(), "no certificate");
            for der in &m.certificates {
                assert!(
                    x509_cert::Certificate::from_der(der).is_ok(),
                    "not a certificate"
                );
            }
            if mode == 1 {
                assert_eq!(m.certificates, [rest.to_vec()]);
            }
            saml::round_trip(&m);
        }
        Err(e) => {
            assert_eq!(
                (e.code, e.status, e.message.as_str()),
                ("InvalidInput", 400, UNPARSABLE)
            );
            if mode == 1 {
                assert!(
                    x509_cert::Certificate::from_der(rest).is_err(),
                    "a certificate x509-cert reads was refused"
                );
            }
        }
    }
});
