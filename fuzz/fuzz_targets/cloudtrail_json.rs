//! A CloudTrail request (AWS JSON 1.1; input: `X-Amz-Target\nbody`): `operation_of_target`,
//! then `decode_json_request` for that operation (or, for an unknown target, the operation the
//! body's length picks). Checks: errors are 4xx with AWS's JSON error codes; a decoded input
//! is an object, and decoding is idempotent (the decoded input, written out as JSON and decoded
//! again, is the same: timestamps normalised once stay as they are).
#![no_main]

use iamd_wire::{decode_json_request, operation_of_target, Service, ServiceModel};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let model = ServiceModel::get(Service::CloudTrail);
    let (target, body) = match data.iter().position(|b| *b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let names: Vec<&str> = model.operation_names().collect();
    if names.is_empty() {
        return;
    }
    let operation = match std::str::from_utf8(target).map(|t| operation_of_target(model, t)) {
        Ok(Ok(name)) => name,
        Ok(Err(e)) => {
            assert_eq!(
                (e.code.as_str(), e.status),
                ("UnknownOperationException", 400)
            );
            names[body.len() % names.len()].to_string()
        }
        Err(_) => names[body.len() % names.len()].to_string(),
    };
    match decode_json_request(model, &operation, body) {
        Ok(input) => {
            assert!(input.is_object(), "{input}");
            let text = input.to_string();
            match decode_json_request(model, &operation, text.as_bytes()) {
                Ok(again) => assert_eq!(again, input, "decoding is idempotent"),
                Err(e) => panic!(
                    "a decoded input no longer decodes: {} {}: {text}",
                    e.code, e.message
                ),
            }
        }
        Err(e) => {
            assert!((400..500).contains(&e.status), "{} {}", e.code, e.status);
            assert!(
                [
                    "SerializationException",
                    "UnknownOperationException",
                    "ValidationException"
                ]
                .contains(&e.code.as_str()),
                "{}",
                e.code
            );
        }
    }
});
