//! The AWS IAM policy language: parse and validate documents with AWS's messages, compile
//! them once, decide requests as AWS does (explicit deny, allow, implicit deny; boundaries,
//! session policies, resource-based policies, same- and cross-account rules) and explain
//! every decision.
//!
//! Pure and synchronous: no I/O, no clock (time arrives as `aws:CurrentTime` /
//! `aws:EpochTime` context keys).
//!
//! ```
//! use std::sync::Arc;
//! use iamd_policy::{evaluate, Context, Decision, NamedPolicy, Policy, PolicyKind, PolicySet, Principal, Request};
//!
//! let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}"#;
//! let policies = vec![NamedPolicy::new("ReadIam", Policy::parse(doc, PolicyKind::Identity).unwrap())];
//! let alice = Principal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap();
//! let request = Request::new(alice, "iam:GetUser", "arn:aws:iam::111122223333:user/alice", Context::default());
//! let set = PolicySet { identity: &policies, ..Default::default() };
//! assert_eq!(evaluate(&set, &request).decision, Decision::Allow);
//! ```

mod arn;
pub mod condition;
mod context;
mod error;
mod evaluate;
mod explain;
mod lead;
pub mod lint;
mod pattern;
mod policy;
mod positions;
mod principal;

pub use arn::Arn;
pub use context::{Context, ContextValue, Principal, PrincipalType, Request};
pub use error::{messages, PolicyError};
pub use evaluate::{
    evaluate, Decision, Evaluation, NamedPolicy, PolicySet, Reason, Source, StatementRef,
};
pub use explain::{explain, ConditionTrace, Explanation, Outcome, StatementTrace};
pub use policy::{Effect, Policy, PolicyKind, Statement, Version, MAX_DOCUMENT_BYTES};
pub use positions::{statement_spans, Position, Span};
pub use principal::{PrincipalEntry, PrincipalMatch};

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn compiled_policies_are_shareable() {
        assert_send_sync::<super::Policy>();
        assert_send_sync::<super::NamedPolicy>();
    }
}
