//! Any text through the XML encoder (`escape`, a GetUser response and an error document),
//! parsed back with roxmltree. Checks: the document is well-formed, and the text comes back
//! as written, except what XML 1.0 cannot carry (control characters other than tab, newline
//! and carriage return, U+FFFE, U+FFFF), which becomes U+FFFD; in an attribute value, tab and
//! newline come back as spaces (XML's attribute-value normalisation).
#![no_main]

use iamd_wire::{encode_response, encode_wire_error, escape, Service, ServiceModel, WireError};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

/// What an XML parser gives back for `text` written through `escape`.
fn expected(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
            c if (c as u32) < 0x20 => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// The text of the first element named `name` (empty when it has none).
fn text_of(xml: &str, name: &str) -> String {
    let doc = match roxmltree::Document::parse(xml) {
        Ok(doc) => doc,
        Err(e) => panic!("not well-formed ({e}): {xml:?}"),
    };
    let node = doc.descendants().find(|n| n.has_tag_name(name));
    node.map(|n| n.text().unwrap_or_default().to_string())
        .unwrap_or_else(|| panic!("no {name}: {xml:?}"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let want = expected(text);
    let escaped = escape(text);
    let xml = format!("<a b=\"{escaped}\">{escaped}</a>");
    assert_eq!(text_of(&xml, "a"), want);
    let doc = roxmltree::Document::parse(&xml).ok();
    let attribute = doc.as_ref().and_then(|d| d.root_element().attribute("b"));
    assert_eq!(attribute, Some(want.replace(['\t', '\n'], " ").as_str()));

    let iam = ServiceModel::get(Service::Iam);
    let user = json!({"User": {"UserName": text, "Path": "/", "UserId": "AIDAEXAMPLE",
        "Arn": text, "CreateDate": "2026-11-23T08:44:41Z"}});
    if let Ok(xml) = encode_response(iam, "GetUser", &user, "req-1") {
        assert_eq!(text_of(&xml, "UserName"), want);
        assert_eq!(text_of(&xml, "Arn"), want);
    }
    let error = WireError::new("ValidationError", text, 400);
    let xml = encode_wire_error(Service::Iam, &error, "req-1");
    assert_eq!(text_of(&xml, "Message"), want);
});
