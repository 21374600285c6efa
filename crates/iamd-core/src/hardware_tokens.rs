//! Hardware TOTP tokens: an administrator registers each token's serial number
//! and seed; users then enable a token with EnableMFADevice and two consecutive codes, as
//! they would a virtual device.
//!
//! Two input formats, both all-or-nothing (one bad line or entry rejects the whole file,
//! with its line or entry number):
//! - CSV, `serial,seed` per line; an optional header line (`serial,seed`); blank lines and
//!   lines starting with `#` are skipped. The seed is Base32 (RFC 4648, `=` padding and
//!   spaces allowed) or hex; prefix it with `base32:` or `hex:` when it could be either.
//! - PSKC (RFC 6030): each `KeyPackage` gives `DeviceInfo/SerialNo` and
//!   `Key/Data/Secret/PlainValue` (base64). Encrypted keys are refused.
//!
//! Tokens must be TOTP with HMAC-SHA1, 6 digits and 30-second steps (what AWS accepts).
//! Seeds are never logged nor put in an error message.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use base64::Engine;
use serde_json::json;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::account::Account;
use crate::crypto::base32;
use crate::error::IamError;
use crate::mfa::seal_seed;
use crate::model::{MfaDevice, MfaKind};
use crate::store::AuditRecord;

/// Shortest accepted seed: 128 bits, RFC 4226's minimum.
pub const MIN_SEED_BYTES: usize = 16;
/// Longest accepted seed.
pub const MAX_SEED_BYTES: usize = 128;

/// One token to register. `Debug` does not show the seed.
pub struct HardwareToken {
    /// The serial number users give to EnableMFADevice (9–256 of `[\w+=/:,.@-]`, as AWS's
    /// `SerialNumber` allows).
    pub serial: String,
    pub seed: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for HardwareToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HardwareToken")
            .field("serial", &self.serial)
            .field("seed", &"<hidden>")
            .finish()
    }
}

/// Why a token file was rejected (nothing is imported).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenFileError {
    /// A CSV line (1-based).
    #[error("line {line}: {message}")]
    Csv { line: usize, message: String },
    /// A PSKC `KeyPackage` (1-based, in document order).
    #[error("KeyPackage {entry}: {message}")]
    Pskc { entry: usize, message: String },
    /// The file as a whole.
    #[error("{0}")]
    File(String),
}

/// Checks a serial number against AWS's `SerialNumber` constraints.
fn check_serial(serial: &str) -> Result<(), String> {
    let len = serial.chars().count();
    if !(9..=256).contains(&len) {
        return Err(format!(
            "serial number {serial:?} must be 9 to 256 characters long"
        ));
    }
    let allowed = |c: char| c.is_alphanumeric() || "_+=/:,.@-".contains(c);
    if !serial.chars().all(allowed) {
        return Err(format!(
            "serial number {serial:?} may contain only letters, digits and _+=/:,.@-"
        ));
    }
    Ok(())
}

fn check_seed_length(seed: &[u8]) -> Result<(), String> {
    if seed.len() < MIN_SEED_BYTES || seed.len() > MAX_SEED_BYTES {
        return Err(format!(
            "the seed is {} bytes; tokens need {MIN_SEED_BYTES} to {MAX_SEED_BYTES}",
            seed.len()
        ));
    }
    Ok(())
}

fn decode_hex(text: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return Err("the hex seed has an odd number of digits".into());
    }
    let digit = |b: u8| char::from(b).to_digit(16);
    let mut out = Zeroizing::new(Vec::with_capacity(bytes.len() / 2));
    for pair in bytes.chunks(2) {
        match (digit(pair[0]), pair.get(1).copied().and_then(digit)) {
            (Some(hi), Some(lo)) => out.push((hi * 16 + lo) as u8),
            _ => return Err("the hex seed contains a character that is not a hex digit".into()),
        }
    }
    Ok(out)
}

fn decode_base32(text: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    base32::decode(text.trim_end_matches('='))
        .map(Zeroizing::new)
        .map_err(|e| format!("the Base32 seed is invalid: {e}"))
}

/// A CSV seed: `hex:` / `0x` / `base32:` prefixes decide; otherwise a character only one
/// alphabet has (`0 1 8 9` hex, `G`–`Z` Base32) does; else it is ambiguous.
fn decode_seed(field: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let text: Zeroizing<String> = Zeroizing::new(field.chars().filter(|c| *c != ' ').collect());
    let lower = Zeroizing::new(text.to_ascii_lowercase());
    let seed = if let Some(hex) = lower.strip_prefix("hex:").or(lower.strip_prefix("0x")) {
        decode_hex(hex)?
    } else if let Some(b32) = lower.strip_prefix("base32:") {
        decode_base32(b32)?
    } else if text.is_empty() {
        return Err("the seed is empty".into());
    } else if text.chars().any(|c| matches!(c, '0' | '1' | '8' | '9')) {
        decode_hex(&text)?
    } else if text
        .chars()
        .any(|c| matches!(c.to_ascii_uppercase(), 'G'..='Z' | '='))
    {
        decode_base32(&text)?
    } else {
        return Err(
            "the seed could be hex or Base32: prefix it with \"hex:\" or \"base32:\"".into(),
        );
    };
    check_seed_length(&seed)?;
    Ok(seed)
}

/// Parses `serial,seed` lines (see the module documentation). All-or-nothing: the first
/// bad line is reported with its number; a serial number twice is an error.
pub fn parse_csv(text: &str) -> Result<Vec<HardwareToken>, TokenFileError> {
    let mut tokens = Vec::new();
    let mut seen = HashSet::new();
    let mut first = true;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let fail = |message: String| TokenFileError::Csv { line, message };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = trimmed.split(',').map(str::trim).collect();
        let is_header = first
            && fields
                .first()
                .is_some_and(|f| f.eq_ignore_ascii_case("serial"));
        first = false;
        if is_header {
            continue;
        }
        let [serial, seed] = fields.as_slice() else {
            return Err(fail(format!(
                "expected 2 fields (serial,seed), found {}",
                fields.len()
            )));
        };
        check_serial(serial).map_err(fail)?;
        let seed = decode_seed(seed).map_err(fail)?;
        if !seen.insert(serial.to_string()) {
            return Err(fail(format!("serial number {serial:?} appears twice")));
        }
        tokens.push(HardwareToken {
            serial: serial.to_string(),
            seed,
        });
    }
    if tokens.is_empty() {
        return Err(TokenFileError::File("the file lists no tokens".into()));
    }
    Ok(tokens)
}

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

/// The deepest nesting of elements in `xml`, counted from its tags without parsing it: `<x`
/// opens, `</x` and `/>` close; `<?`, `<!` (comments, CDATA, declarations) are skipped.
/// Text that only looks like tags can make the count too high, never too low for a real
/// nesting, which is all the check needs.
fn element_depth(xml: &str) -> usize {
    let bytes = xml.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        let start = i + offset;
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(bytes.len(), |e| start + e);
        match bytes.get(start + 1) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b'?' | b'!') => {}
            Some(_) if bytes.get(end.wrapping_sub(1)) == Some(&b'/') => {}
            Some(_) => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            None => {}
        }
        i = (end + 1).min(bytes.len());
    }
    deepest
}

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

/// Registers hardware TOTP tokens in `account`, in one transaction: each becomes an
/// unassigned [`MfaDevice`] of kind [`MfaKind::Hardware`], named and keyed by its serial
/// number, path `/`, seed sealed. All-or-nothing: a serial number already in the account
/// (or given twice) fails the whole import with EntityAlreadyExists. Writes one audit record
/// (`ImportHardwareMFADevices`, listing the serial numbers, never seeds). Returns the serial
/// numbers registered. `by` is the caller recorded in the audit record (`None`: an
/// administrator working on the data directory).
pub fn import(
    account: &Account,
    tokens: Vec<HardwareToken>,
    by: Option<&crate::authz::Caller>,
) -> Result<Vec<String>, IamError> {
    let mut sealed = Vec::with_capacity(tokens.len());
    let mut seen = HashSet::new();
    for token in &tokens {
        check_serial(&token.serial).map_err(IamError::invalid_input)?;
        check_seed_length(&token.seed).map_err(IamError::invalid_input)?;
        if !seen.insert(token.serial.as_str()) {
            return Err(duplicate(&token.serial));
        }
        sealed.push((
            token.serial.clone(),
            seal_seed(&account.sealing, &token.serial, &token.seed)?,
        ));
    }
    let event_id = crate::crypto::request_id().map_err(|_| IamError::service_failure())?;
    account.write(|txn| {
        let mut serials = Vec::with_capacity(sealed.len());
        for (serial, sealed_seed) in sealed {
            let taken = txn
                .state
                .mfa_devices
                .keys()
                .any(|existing| existing.eq_ignore_ascii_case(&serial));
            if taken {
                return Err(duplicate(&serial));
            }
            let device = MfaDevice {
                serial: serial.clone(),
                name: serial.clone(),
                path: "/".into(),
                kind: MfaKind::Hardware,
                sealed_seed,
                user: None,
                enable_date: None,
                create_date: txn.now,
                last_used_step: None,
                throttle: Default::default(),
                pending_throttles: Default::default(),
                security_key: None,
                tags: Vec::new(),
            };
            txn.put(crate::entities::Kind::MfaDevice, &serial, &device)?;
            txn.state
                .mfa_devices
                .insert(serial.clone(), Arc::new(device));
            serials.push(serial);
        }
        let body = json!({
            "eventVersion": "1.11",
            "userIdentity": match by {
                Some(caller) => crate::audit::user_identity(caller, &txn.state.account_id),
                None => json!({"type": "iamd-administrator"}),
            },
            "eventTime": crate::time::iso8601(txn.now),
            "eventSource": "iamd.admin",
            "eventName": "ImportHardwareMFADevices",
            "requestParameters": {"serialNumbers": serials},
            "responseElements": null,
            "eventID": event_id,
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "eventCategory": "Management",
            "recipientAccountId": txn.state.account_id,
        });
        txn.audit(AuditRecord {
            event_id: event_id.clone(),
            event_time: txn.now,
            event_name: "ImportHardwareMFADevices".into(),
            event_source: "iamd.admin".into(),
            username: match by {
                Some(caller) => crate::audit::audit_username(caller),
                None => "iamd-administrator".into(),
            },
            body: body.to_string(),
            lookup: Default::default(),
        });
        Ok(serials)
    })
}

fn duplicate(serial: &str) -> IamError {
    IamError::already_exists(format!(
        "MFA Device with serial number {serial} already exists; no token was imported."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"

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
    fn csv_base32_hex_header_and_comments() {
        let text = format!(
            "Serial,Seed\n# spare tokens\n\nGAHT00000001, {SEED_B32}\nGAHT00000002,hex:{hex}\nGAHT00000003,{hex}\n",
            hex = "3132333435363738393031323334353637383930"
        );
        let tokens = parse_csv(&text).unwrap();
        assert_eq!(tokens.len(), 3);
        for t in &tokens {
            assert_eq!(t.seed.as_slice(), b"12345678901234567890", "{}", t.serial);
        }
        assert!(!format!("{tokens:?}").contains(SEED_B32));
    }

    #[test]
    fn csv_errors_name_the_line_and_never_the_seed() {
        let cases = [
            ("GAHT00000001\n", 1, "expected 2 fields"),
            ("\nshort,{S}\n", 2, "9 to 256"),
            (
                "GAHT00000001,{S}\nGAHT00000002,abcdef2345abcdef\n",
                2,
                "could be hex or Base32",
            ),
            ("GAHT00000001,{S}\nGAHT00000001,{S}\n", 2, "appears twice"),
            ("GAHT00000001,GEZDGNBV\n", 1, "need 16"),
            ("GAHT00000001,hex:12z4\n", 1, "not a hex digit"),
            ("GAHT 0000001,{S}\n", 1, "may contain only"),
        ];
        for (text, line, needle) in cases {
            let text = text.replace("{S}", SEED_B32);
            match parse_csv(&text) {
                Err(TokenFileError::Csv { line: l, message }) => {
                    assert_eq!(l, line, "{text}");
                    assert!(message.contains(needle), "{message}");
                    assert!(!message.contains(SEED_B32));
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        assert!(matches!(
            parse_csv("serial,seed\n"),
            Err(TokenFileError::File(_))
        ));
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
    fn import_is_one_transaction() {
        let (acct, _) = crate::testing::account();
        let tokens = parse_csv(&format!("GAHT00000001,{SEED_B32}\n")).unwrap();
        import(&acct, tokens, None).unwrap();
        let again = parse_csv(&format!(
            "GAHT00000002,{SEED_B32}\ngaht00000001,{SEED_B32}\n"
        ))
        .unwrap();
        let e = import(&acct, again, None).unwrap_err();
        assert_eq!(e.code, "EntityAlreadyExists");
        let state = acct.snapshot();
        assert_eq!(state.mfa_devices.len(), 1);
        let device = &state.mfa_devices["GAHT00000001"];
        assert_eq!(
            (device.kind, device.path.as_str(), device.name.as_str()),
            (MfaKind::Hardware, "/", "GAHT00000001")
        );
        assert!(device.user.is_none());
        assert!(!device.sealed_seed.contains(SEED_B32));
        let opened = crate::mfa::open_seed(&acct.sealing, device).unwrap();
        assert_eq!(opened.as_slice(), b"12345678901234567890");
        let events = acct.audit_events(10).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event_name, "ImportHardwareMFADevices");
    }

    #[test]
    fn a_document_nested_thousands_deep_is_refused_before_parsing() {
        let deep = pskc(&format!("{}{}", "<a>".repeat(5000), "</a>".repeat(5000)));
        // On a thread with a small stack, as a blocking-pool thread might have: a recursive
        // parse of 5,000 levels would overflow it and abort the process.
        let handle = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(move || {
                parse_pskc(&deep)
                    .map(|t| t.len())
                    .map_err(|e| e.to_string())
            })
            .unwrap();
        let err = handle.join().unwrap().unwrap_err();
        assert!(err.contains("nested more than 32 deep"), "{err}");
    }

    #[test]
    fn element_depth_counts_elements_only() {
        assert_eq!(element_depth("<?xml?><!-- c --><a><b/><c>t</c></a>"), 2);
        assert_eq!(element_depth(&pskc(&package("GAHT1", SEED_B32))), 6);
    }
}
