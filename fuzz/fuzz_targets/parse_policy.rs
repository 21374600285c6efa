//! Fuzzes the policy parser with arbitrary bytes (as UTF-8 text) for both kinds of policy,
//! and decides and explains a fixed request with every document that parses.
#![no_main]

use iamd_policy::{
    evaluate, explain, Context, NamedPolicy, Policy, PolicyKind, PolicySet, Principal, Request,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(alice) = Principal::from_arn("arn:aws:iam::111122223333:user/alice") else {
        return;
    };
    let mut context = Context::default();
    alice.fill_context(&mut context);
    context.insert("aws:CurrentTime", "2024-05-01T12:00:00Z");
    context.insert("aws:SourceIp", "192.0.2.10");
    let request = Request::new(
        alice,
        "iam:CreateAccessKey",
        "arn:aws:iam::111122223333:user/alice",
        context,
    );
    for kind in [PolicyKind::Identity, PolicyKind::Resource] {
        let Ok(policy) = Policy::parse(text, kind) else {
            continue;
        };
        let named = [NamedPolicy::new("fuzzed", policy)];
        let set = match kind {
            PolicyKind::Identity => PolicySet {
                identity: &named,
                ..Default::default()
            },
            PolicyKind::Resource => PolicySet {
                resource: Some(&named[0]),
                ..Default::default()
            },
        };
        let fast = evaluate(&set, &request).decision;
        let explained = explain(&set, &request);
        assert_eq!(fast, explained.decision, "explain agrees with evaluate");
        let _ = explained.to_text();
        let _ = explained.to_json();
    }
});
