//! An action pattern and an action (input: `pattern\naction`), decided through a policy's
//! `Action` and `NotAction` and checked against the naive reference matcher (wildcards,
//! ASCII case-insensitive): same answer.
#![no_main]

use iamd_fuzz::{reference, two_parts};
use iamd_policy::{
    evaluate, Context, Decision, NamedPolicy, Policy, PolicyKind, PolicySet, Principal, Request,
};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, action) = two_parts(text);
    let Some(alice) = Principal::from_arn("arn:aws:iam::111122223333:user/alice") else {
        return;
    };
    for element in ["Action", "NotAction"] {
        let doc = json!({"Version": "2012-10-17", "Statement": {
            "Effect": "Allow", element: pattern, "Resource": "*"}});
        let Ok(policy) = Policy::parse(&doc.to_string(), PolicyKind::Identity) else {
            continue;
        };
        let expected = reference::action_matches(pattern, action);
        let named = [NamedPolicy::new("p", policy)];
        let set = PolicySet {
            identity: &named,
            ..Default::default()
        };
        let request = Request::new(alice.clone(), action, "*", Context::default());
        let allowed = evaluate(&set, &request).decision == Decision::Allow;
        assert_eq!(
            allowed,
            expected != (element == "NotAction"),
            "{element} {pattern:?} against {action:?}"
        );
    }
});
