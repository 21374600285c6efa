//! Every API operation: a registry from (service, action) to a handler, and the context a
//! handler runs in. Handlers receive the input decoded by the wire layer (JSON following the
//! model's input shape) and return JSON following the output shape.

mod access_keys;
mod attachments;
mod groups;
mod inline_policies;
mod managed_policies;
mod sts;
mod support;
mod users;

use std::cell::Cell;
use std::sync::Arc;

use serde_json::Value;

use crate::account::Account;
use crate::authz::{authorize, Caller};
use crate::error::IamError;
use crate::state::AccountState;

pub use support::{paginate, Page};

/// Access key functions the server needs outside an operation.
pub mod access_keys_api {
    pub use super::access_keys::{bootstrap_root_key, unseal_secret};
}

/// How an operation is authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The handler calls [`OpContext::authorize`] with its action and resource.
    Policy,
    /// Needs no permission (sts:GetCallerIdentity, sts:GetSessionToken).
    None,
}

pub type Handler = fn(&OpContext<'_>, &Value) -> Result<Value, IamError>;

/// One operation.
pub struct Operation {
    pub service: &'static str,
    pub name: &'static str,
    pub auth: Auth,
    pub handler: Handler,
    /// Read-only operations are not written to the audit log's store transaction.
    pub read_only: bool,
}

/// What a handler sees.
pub struct OpContext<'a> {
    pub account: &'a Account,
    pub caller: &'a Caller,
    /// The snapshot the request started with.
    pub state: Arc<AccountState>,
    pub now: i64,
    authorized: Cell<bool>,
}

impl OpContext<'_> {
    /// Authorizes the caller for `action` on `resource` (the one choke point).
    pub fn authorize(&self, action: &str, resource: &str) -> Result<(), IamError> {
        self.authorize_with(action, resource, &[])
    }

    /// As [`authorize`](Self::authorize), with extra context keys (request or resource tags).
    pub fn authorize_with(
        &self,
        action: &str,
        resource: &str,
        extra: &[(String, iamd_policy::ContextValue)],
    ) -> Result<(), IamError> {
        authorize(&self.state, self.caller, action, resource, extra, self.now)?;
        self.authorized.set(true);
        Ok(())
    }

    pub fn account_id(&self) -> &str {
        &self.state.account_id
    }

    /// `arn:aws:iam::ACCOUNT:{kind}{path}{name}`.
    pub fn arn(&self, kind: &str, path: &str, name: &str) -> String {
        format!("arn:aws:iam::{}:{kind}{path}{name}", self.state.account_id)
    }

    /// The caller's own user name, for operations whose `UserName` defaults to the caller.
    pub fn caller_user(&self) -> Option<&str> {
        match &self.caller.identity {
            crate::authz::Identity::User(name) => Some(name),
            crate::authz::Identity::Root => None,
        }
    }
}

static REGISTRY: &[&[Operation]] = &[
    users::OPS,
    access_keys::OPS,
    sts::OPS,
    groups::OPS,
    inline_policies::OPS,
    managed_policies::OPS,
    attachments::OPS,
];

/// Looks an operation up.
pub fn find(service: &str, action: &str) -> Option<&'static Operation> {
    REGISTRY
        .iter()
        .flat_map(|ops| ops.iter())
        .find(|op| op.service == service && op.name == action)
}

/// Every operation iamd serves.
pub fn all() -> impl Iterator<Item = &'static Operation> {
    REGISTRY.iter().flat_map(|ops| ops.iter())
}

/// Runs an operation for a caller. A handler that returns without having authorized (when
/// its operation needs a permission) is a bug: the answer is then a service failure, never
/// the result.
pub fn dispatch(
    account: &Account,
    caller: &Caller,
    operation: &Operation,
    input: &Value,
) -> Result<Value, IamError> {
    let ctx = OpContext {
        account,
        caller,
        state: account.snapshot(),
        now: account.now(),
        authorized: Cell::new(false),
    };
    let result = (operation.handler)(&ctx, input);
    if operation.auth == Auth::Policy && !ctx.authorized.get() && result.is_ok() {
        eprintln!(
            "iamd: operation {} returned without authorizing",
            operation.name
        );
        return Err(IamError::service_failure());
    }
    result
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_groups;
#[cfg(test)]
mod tests_policies;
