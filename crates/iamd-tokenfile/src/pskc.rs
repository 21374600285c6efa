//! The PSKC format (RFC 6030).

use std::collections::HashSet;

use base64::Engine;
use zeroize::Zeroizing;

use crate::depth::element_depth;
use crate::{check_seed_length, check_serial, HardwareToken, TokenFileError};

/// The first child element of `node` with local name `name`.
fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The trimmed text of `node/path...`.
fn text_at<'a>(node: roxmltree::Node<'a, '_>, path: &[&str]) -> Option<&'a str> {
    let mut current = node;
    for name in path {
        current = child(current, name)?;
    }
    current.text().map(str::trim)
}

/// One `KeyPackage`.
fn pskc_token(package: roxmltree::Node<'_, '_>) -> Result<HardwareToken, String> {
    let serial = text_at(package, &["DeviceInfo", "SerialNo"])
        .filter(|s| !s.is_empty())
        .ok_or("no DeviceInfo/SerialNo")?;
    check_serial(serial)?;
    let key = child(package, "Key").ok_or("no Key")?;
    if let Some(algorithm) = key.attribute("Algorithm") {
        if !algorithm.to_ascii_lowercase().ends_with(":totp") {
            return Err(format!(
                "the key's algorithm is {algorithm}; only TOTP tokens can be registered"
            ));
        }
    }
    let format = child(key, "AlgorithmParameters").and_then(|p| child(p, "ResponseFormat"));
    if let Some(length) = format.and_then(|f| f.attribute("Length")) {
        if length.trim() != "6" {
            return Err(format!(
                "the token shows {length} digits; only 6 are supported"
            ));
        }
    }
    if let Some(step) = text_at(key, &["Data", "TimeInterval", "PlainValue"]) {
        if step != "30" {
            return Err(format!(
                "the token's time step is {step} s; only 30 s is supported"
            ));
        }
    }
    let secret = child(key, "Data")
        .and_then(|d| child(d, "Secret"))
        .ok_or("no Key/Data/Secret")?;
    if child(secret, "EncryptedValue").is_some() {
        return Err(
            "the key is encrypted (EncryptedValue): iamd imports only unencrypted \
                    PSKC files; export the tokens with PlainValue secrets"
                .into(),
        );
    }
    let plain: String = text_at(secret, &["PlainValue"])
        .ok_or("no Key/Data/Secret/PlainValue")?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let plain = Zeroizing::new(plain);
    let seed = base64::engine::general_purpose::STANDARD
        .decode(plain.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| "Secret/PlainValue is not valid base64".to_string())?;
    check_seed_length(&seed)?;
    Ok(HardwareToken {
        serial: serial.to_string(),
        seed,
    })
}

/// How deep a PSKC document's elements may nest, checked before the XML is parsed: a
/// document nested thousands deep must not exhaust the parsing thread's stack.
const MAX_PSKC_DEPTH: usize = 32;

/// How many XML nodes a PSKC document may have (about 20 a token).
const MAX_PSKC_NODES: u32 = 200_000;

/// Parses an RFC 6030 PSKC document (see the module documentation). All-or-nothing: the
/// first bad `KeyPackage` is reported with its number; a serial number twice is an error.
/// DTDs are refused (no entity expansion).
pub fn parse_pskc(xml: &str) -> Result<Vec<HardwareToken>, TokenFileError> {
    if element_depth(xml) > MAX_PSKC_DEPTH {
        return Err(TokenFileError::File(format!(
            "elements are nested more than {MAX_PSKC_DEPTH} deep (PSKC needs 6)"
        )));
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_PSKC_NODES,
    };
    let doc = roxmltree::Document::parse_with_options(xml, options)
        .map_err(|e| TokenFileError::File(format!("not a valid XML document: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "KeyContainer" {
        return Err(TokenFileError::File(
            "not a PSKC document: the root element is not KeyContainer".into(),
        ));
    }
    if child(root, "EncryptionKey").is_some() {
        return Err(TokenFileError::File(
            "the keys are encrypted (EncryptionKey): iamd imports only unencrypted PSKC \
             files; export the tokens with PlainValue secrets"
                .into(),
        ));
    }
    let mut tokens = Vec::new();
    let mut seen = HashSet::new();
    let packages = root
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "KeyPackage");
    for (index, package) in packages.enumerate() {
        let entry = index + 1;
        let token =
            pskc_token(package).map_err(|message| TokenFileError::Pskc { entry, message })?;
        if !seen.insert(token.serial.clone()) {
            return Err(TokenFileError::Pskc {
                entry,
                message: format!("serial number {:?} appears twice", token.serial),
            });
        }
        tokens.push(token);
    }
    if tokens.is_empty() {
        return Err(TokenFileError::File(
            "the document has no KeyPackage".into(),
        ));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn pskc(packages: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">{packages}</KeyContainer>"#
        )
    }

    fn package(serial: &str, secret: &str) -> String {
        format!(
            r#"<KeyPackage><DeviceInfo><Manufacturer>Acme</Manufacturer><SerialNo>{serial}</SerialNo></DeviceInfo>
<Key Id="1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
<AlgorithmParameters><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>
<Data><Secret>{secret}</Secret><TimeInterval><PlainValue>30</PlainValue></TimeInterval></Data></Key></KeyPackage>"#
        )
    }

    fn plain(bytes: &[u8]) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        format!("<PlainValue>{b64}</PlainValue>")
    }

    #[test]
    fn pskc_plain_values() {
        let doc = pskc(
            &(package("GAHT00000001", &plain(b"12345678901234567890"))
                + &package("GAHT00000002", &plain(&[9u8; 32]))),
        );
        let tokens = parse_pskc(&doc).unwrap();
        assert_eq!(tokens[0].serial, "GAHT00000001");
        assert_eq!(tokens[0].seed.as_slice(), b"12345678901234567890");
        assert_eq!(tokens[1].seed.as_slice(), &[9u8; 32]);
    }

    #[test]
    fn pskc_rejections_name_the_entry() {
        let good = package("GAHT00000001", &plain(&[1u8; 20]));
        let encrypted = package(
            "GAHT00000002",
            "<EncryptedValue><CipherData><CipherValue>AAAA</CipherValue></CipherData></EncryptedValue>",
        );
        match parse_pskc(&pskc(&(good.clone() + &encrypted))) {
            Err(TokenFileError::Pskc { entry: 2, message }) => {
                assert!(message.contains("encrypted"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        let hotp = good.replace(":totp", ":hotp");
        assert!(matches!(
            parse_pskc(&pskc(&hotp)),
            Err(TokenFileError::Pskc { entry: 1, .. })
        ));
        let eight = good.replace("Length=\"6\"", "Length=\"8\"");
        assert!(matches!(
            parse_pskc(&pskc(&eight)),
            Err(TokenFileError::Pskc { entry: 1, .. })
        ));
        let dup = good.clone() + &good;
        assert!(matches!(
            parse_pskc(&pskc(&dup)),
            Err(TokenFileError::Pskc { entry: 2, .. })
        ));
        let with_key = pskc(&format!("<EncryptionKey/>{good}"));
        assert!(
            matches!(parse_pskc(&with_key), Err(TokenFileError::File(m)) if m.contains("encrypted"))
        );
        assert!(matches!(
            parse_pskc("<nope/>"),
            Err(TokenFileError::File(_))
        ));
        let dtd = "<!DOCTYPE x [<!ENTITY e \"boom\">]><KeyContainer/>";
        assert!(matches!(parse_pskc(dtd), Err(TokenFileError::File(_))));
    }

    #[test]
    fn a_document_nested_thousands_deep_is_refused_before_parsing() {
        // Plain nesting, and (regression, found while writing the `token_files` fuzz
        // target) nesting hidden from the old depth scan by `>` in attribute values and
        // comments.
        for open in ["<a>", "<a b=\"/>\">", "<a><!-- > </a> -->"] {
            let deep = pskc(&format!("{}{}", open.repeat(5000), "</a>".repeat(5000)));
            // On a thread with a small stack, as a blocking-pool thread might have: a
            // recursive parse of 5,000 levels would overflow it and abort the process.
            let handle = std::thread::Builder::new()
                .stack_size(128 * 1024)
                .spawn(move || {
                    parse_pskc(&deep)
                        .map(|t| t.len())
                        .map_err(|e| e.to_string())
                })
                .unwrap();
            let err = handle.join().unwrap().unwrap_err();
            assert!(err.contains("nested more than 32 deep"), "{open}: {err}");
        }
    }
}
