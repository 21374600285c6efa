//! CloudTrail's LookupEvents end to end (input: the JSON 1.1 request body): the body is decoded
//! against the CloudTrail model (`decode_json_request`) and the operation runs on an account in
//! memory holding a few events (`iamd_core::testing`). Checks: errors are 4xx with CloudTrail's
//! exception names; an answer matches the model's output shape and holds at most MaxResults
//! events; a `NextToken` the fuzzer wrote is never accepted (they are sealed with the
//! account's key); a `NextToken` iamd returned pages on (to older events, none repeated) with
//! the same request, and is refused once one character of it is changed.
#![no_main]

use iamd_fuzz::lookup;
use iamd_wire::{decode_json_request, Service, ServiceModel};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let model = ServiceModel::get(Service::CloudTrail);
    let input = match decode_json_request(model, "LookupEvents", data) {
        Ok(input) => input,
        Err(e) => {
            assert!((400..500).contains(&e.status), "{} {}", e.code, e.status);
            return;
        }
    };
    let account = lookup::history();
    let forged = input.get("NextToken").is_some();
    let first = match lookup::call(&account, &input) {
        Ok(output) => output,
        Err(e) => {
            lookup::check_error(&e);
            return;
        }
    };
    assert!(
        !forged,
        "a NextToken iamd did not issue was accepted: {input}"
    );
    let events = lookup::check_page(model, &input, &first);
    let Some(token) = first["NextToken"].as_str() else {
        return;
    };
    let mut next = input.clone();
    next["NextToken"] = Value::String(token.to_string());
    let second = match lookup::call(&account, &next) {
        Ok(output) => output,
        Err(e) => panic!("iamd's own NextToken refused: {} {}", e.code, e.message),
    };
    let later = lookup::check_page(model, &next, &second);
    for id in &later {
        assert!(!events.contains(id), "event {id} on two pages");
    }
    for changed in lookup::tampered(token) {
        next["NextToken"] = Value::String(changed.clone());
        match lookup::call(&account, &next) {
            Err(e) => assert_eq!(
                (e.code, e.status),
                ("InvalidNextTokenException", 400),
                "{changed}"
            ),
            Ok(_) => panic!("a changed NextToken was accepted: {changed} (from {token})"),
        }
    }
});
