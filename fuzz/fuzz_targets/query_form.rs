//! A Query request body: `parse_form`, then the model-driven decoder and validator for IAM
//! and STS. Checks: every decoded pair survives a round trip through a reference
//! percent-encoder; a decoded request names an operation of the model and its input is a
//! JSON object; decoding is deterministic; errors are 4xx with AWS's codes.
#![no_main]

use iamd_wire::{decode_request, parse_form, Service, ServiceModel};
use libfuzzer_sys::fuzz_target;

/// `application/x-www-form-urlencoded`, every byte but unreserved ones as `%XX`.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let params = match parse_form(data) {
        Ok(params) => params,
        Err(e) => {
            assert_eq!((e.code.as_str(), e.status), ("MalformedQueryString", 400));
            return;
        }
    };
    let again: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let round = parse_form(again.join("&").as_bytes()).ok();
    assert_eq!(Some(&params), round.as_ref(), "form round trip");
    for service in [Service::Iam, Service::Sts] {
        let model = ServiceModel::get(service);
        let first = decode_request(model, &params);
        match &first {
            Ok(req) => {
                assert!(model.operation(&req.action).is_some(), "{}", req.action);
                assert!(req.input.is_object());
            }
            Err(e) => assert!((400..500).contains(&e.status), "{} {}", e.code, e.status),
        }
        let second = decode_request(model, &params);
        assert_eq!(
            first
                .as_ref()
                .map(|r| (&r.action, &r.input))
                .map_err(|e| (&e.code, &e.message)),
            second
                .as_ref()
                .map(|r| (&r.action, &r.input))
                .map_err(|e| (&e.code, &e.message)),
        );
    }
});
