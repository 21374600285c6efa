//! Any text as a hardware-token CSV file and as a PSKC document. Checks:
//! - the PSKC depth scan is never below the real depth of a document roxmltree accepts (the
//!   scan guards the recursive parser's stack), and equals it;
//! - every token parsed has a valid serial and seed, serial numbers are unique;
//! - round trips: the tokens written back as CSV (`serial,hex:...`) and as PSKC parse to the
//!   same tokens.
#![no_main]

use base64::Engine;
use iamd_tokenfile::{
    check_seed_length, check_serial, element_depth, parse_csv, parse_pskc, HardwareToken,
};
use libfuzzer_sys::fuzz_target;

fn check(tokens: &[HardwareToken]) {
    let mut serials = std::collections::HashSet::new();
    for token in tokens {
        assert!(check_serial(&token.serial).is_ok(), "{:?}", token.serial);
        assert!(check_seed_length(&token.seed).is_ok());
        assert!(
            serials.insert(token.serial.clone()),
            "{:?} twice",
            token.serial
        );
    }
}

fn same(a: &[HardwareToken], b: &[HardwareToken]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.serial == y.serial && x.seed.as_slice() == y.seed.as_slice())
}

fn as_csv(tokens: &[HardwareToken]) -> String {
    let lines: Vec<String> = tokens
        .iter()
        .map(|t| format!("{},hex:{}", t.serial, hex::encode(t.seed.as_slice())))
        .collect();
    format!("serial,seed\n{}\n", lines.join("\n"))
}

fn as_pskc(tokens: &[HardwareToken]) -> String {
    let packages: String = tokens
        .iter()
        .map(|t| {
            let secret = base64::engine::general_purpose::STANDARD.encode(t.seed.as_slice());
            format!(
                "<KeyPackage><DeviceInfo><SerialNo>{}</SerialNo></DeviceInfo>\
                 <Key Algorithm=\"urn:ietf:params:xml:ns:keyprov:pskc:totp\"><Data><Secret>\
                 <PlainValue>{secret}</PlainValue></Secret></Data></Key></KeyPackage>",
                t.serial
            )
        })
        .collect();
    format!("<KeyContainer Version=\"1.0\" xmlns=\"urn:ietf:params:xml:ns:keyprov:pskc\">{packages}</KeyContainer>")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(tokens) = parse_csv(text) {
        check(&tokens);
        let again = parse_csv(&as_csv(&tokens));
        assert!(again.is_ok_and(|t| same(&t, &tokens)), "CSV round trip");
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 200_000,
    };
    if let Ok(doc) = roxmltree::Document::parse_with_options(text, options) {
        let real = doc
            .descendants()
            .filter(|n| n.is_element())
            .map(|n| n.ancestors().filter(|a| a.is_element()).count())
            .max()
            .unwrap_or(0);
        assert_eq!(element_depth(text), real, "depth scan");
    }
    if let Ok(tokens) = parse_pskc(text) {
        check(&tokens);
        let again = parse_pskc(&as_pskc(&tokens));
        assert!(again.is_ok_and(|t| same(&t, &tokens)), "PSKC round trip");
    }
});
