//! A resource pattern and an ARN (input: `pattern\nsubject`), decided through a policy's
//! `Resource` and `NotResource` (versions 2012-10-17, with variables, and 2008-10-17,
//! without) and checked against the naive reference matcher: same answer.
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
    let (pattern, subject) = two_parts(text);
    let Some(alice) = Principal::from_arn("arn:aws:iam::111122223333:user/alice") else {
        return;
    };
    let mut context = Context::default();
    alice.fill_context(&mut context);
    let lookup = |key: &str| context.single(key).map(str::to_string);
    for version in ["2012-10-17", "2008-10-17"] {
        for negated in [false, true] {
            let element = if negated { "NotResource" } else { "Resource" };
            let doc = json!({"Version": version, "Statement": {
                "Effect": "Allow", "Action": "iam:GetUser", element: pattern}});
            let Ok(policy) = Policy::parse(&doc.to_string(), PolicyKind::Identity) else {
                continue;
            };
            let variables = version == "2012-10-17";
            let entry = reference::resource_entry(pattern);
            let expected = reference::arn_matches(&entry, subject, variables, &lookup);
            let named = [NamedPolicy::new("p", policy)];
            let set = PolicySet {
                identity: &named,
                ..Default::default()
            };
            let request = Request::new(alice.clone(), "iam:GetUser", subject, context.clone());
            let allowed = evaluate(&set, &request).decision == Decision::Allow;
            assert_eq!(
                allowed,
                expected != negated,
                "{element} {pattern:?} (version {version}) against {subject:?}"
            );
        }
    }
});
