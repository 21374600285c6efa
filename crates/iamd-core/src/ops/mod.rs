//! Every API operation: a registry from (service, action) to a handler, and the context a
//! handler runs in. Handlers receive the input decoded by the wire layer (JSON following the
//! model's input shape) and return JSON following the output shape.

mod access_keys;
mod account;
mod assume_role;
mod attachments;
mod authorization_details;
mod aws_policies;
mod credential_report;
mod federation_token;
mod groups;
mod hardware_import;
mod holder;
mod inline_policies;
mod input_checks;
mod instance_profiles;
mod last_accessed;
mod login_profiles;
mod lookup_events;
mod managed_policies;
mod mfa_device_lists;
mod mfa_devices;
mod oidc_providers;
mod outbound_federation;
mod passwords;
mod policy_tags;
mod role_policies;
mod role_settings;
mod roles;
mod saml_assume;
mod saml_providers;
mod server_certificates;
mod service_access;
mod service_credentials;
mod service_linked_roles;
mod sessions;
mod signing_certificates;
mod simulate;
mod simulate_eval;
mod ssh_public_keys;
mod sts;
mod support;
mod tags;
mod user_rename;
mod users;
mod web_identity;
mod web_identity_token;

use std::cell::Cell;
use std::sync::Arc;

use serde_json::Value;

use crate::account::Account;
use crate::authz::{authorize, Caller};
use crate::error::IamError;
use crate::state::AccountState;

pub use crate::entities::sessions::token_digest;
pub use support::{paginate, Page};

/// Access key functions the server needs outside an operation.
pub mod access_keys_api {
    pub use super::access_keys::{bootstrap_root_key, unseal_secret};
}

/// The console's registration of a FIDO security key.
pub use mfa_devices::ENABLE_SECURITY_KEY;

/// Password rules, for the console's sign-in and change-password pages.
pub mod passwords_api {
    pub use super::passwords::{check_password, SYMBOLS};
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

/// An IAM operation authorized by its handler's policy check.
pub(crate) const fn iam_op(name: &'static str, handler: Handler, read_only: bool) -> Operation {
    Operation {
        service: &crate::service::IAM,
        name,
        auth: Auth::Policy,
        handler,
        read_only,
    }
}

/// One operation.
pub struct Operation {
    pub service: &'static crate::service::Service,
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
    /// The operation's name and input, for the audit record written with each change.
    operation: &'a Operation,
    input: &'a Value,
    request_id: &'a str,
    /// The client's `User-Agent`, for audit records (empty when unknown).
    user_agent: &'a str,
    authorized: Cell<bool>,
    /// This call already has its audit record (committed with its changes).
    call_audited: Cell<bool>,
    /// Who the audit record names when the operation learned it (a web identity's issuer
    /// and subject), instead of `caller`.
    audited_caller: std::cell::OnceCell<Caller>,
    /// The `responseElements` of this call's audit record (a write sets them, inside its
    /// transaction, with secrets left out).
    response_elements: std::cell::RefCell<Option<Value>>,
}

impl OpContext<'_> {
    /// Runs a write (see [`Account::write`]) and records this call in the audit log in the
    /// same transaction.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut crate::account::Txn) -> Result<T, IamError>,
    ) -> Result<T, IamError> {
        let event_id = self.account.new_event_id()?;
        let out = self.account.write(|txn| {
            let out = f(txn)?;
            self.audit_call(txn, event_id, None);
            Ok(out)
        })?;
        self.call_audited.set(true);
        Ok(out)
    }

    /// As [`write`](Self::write), for a call whose changes must be committed even when it
    /// fails (an MFA code check records replay and throttle state on the device): `f`
    /// returns `Ok(Err(e))` for such a failure; the changes are committed with an audit
    /// record carrying `errorCode`/`errorMessage`, and `e` is returned.
    pub fn write_committed<T>(
        &self,
        f: impl FnOnce(&mut crate::account::Txn) -> Result<Result<T, IamError>, IamError>,
    ) -> Result<T, IamError> {
        let event_id = self.account.new_event_id()?;
        let out = self.account.write(|txn| {
            let out = f(txn)?;
            self.audit_call(txn, event_id, out.as_ref().err());
            Ok(out)
        })?;
        self.call_audited.set(true);
        out
    }

    /// Sets the `responseElements` of this call's audit record (CloudTrail records them for
    /// writes): call it inside the write, with the parts of the response that may be
    /// recorded (never a secret key, session token or seed; [`crate::audit`] also drops
    /// any member named as one).
    pub fn record_response(&self, elements: Value) {
        if let Ok(mut slot) = self.response_elements.try_borrow_mut() {
            *slot = Some(elements);
        }
    }

    /// Adds this call's audit record to `txn`.
    fn audit_call(
        &self,
        txn: &mut crate::account::Txn,
        event_id: String,
        error: Option<&IamError>,
    ) {
        let mut call = self.api_call(event_id, txn.now);
        if error.is_none() {
            call.response = self
                .response_elements
                .try_borrow_mut()
                .ok()
                .and_then(|mut slot| slot.take());
        }
        let record = call.record_with(error);
        txn.audit(record);
    }

    /// This call, for its audit record.
    fn api_call(&self, event_id: String, now: i64) -> crate::audit::ApiCall<'_> {
        crate::audit::ApiCall {
            caller: self.audited_caller.get().unwrap_or(self.caller),
            account_id: &self.state.account_id,
            event_source: self.event_source(),
            event_name: self.operation.name,
            input: self.input,
            read_only: self.operation.read_only,
            request_id: self.request_id,
            user_agent: self.user_agent,
            event_id,
            now,
            response: None,
        }
    }

    /// `iam.amazonaws.com` or `sts.amazonaws.com`, for audit records.
    pub fn event_source(&self) -> &'static str {
        self.operation.service.event_source
    }

    /// The operation's name, for audit records.
    pub fn operation_name(&self) -> &'static str {
        self.operation.name
    }

    /// This request's id, for audit records written besides the call's own.
    pub fn request_id(&self) -> &str {
        self.request_id
    }

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
        authorize(
            &self.state,
            &self.account.sealing,
            self.caller,
            action,
            resource,
            extra,
            self.now,
        )?;
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

    /// As [`authorize`](Self::authorize), for an [`Access`](crate::authz::Access) decided
    /// in `state` (a write's state) for `caller` (the request's caller, or it with the MFA
    /// facts of a code checked in this request).
    pub fn authorize_access(
        &self,
        state: &AccountState,
        caller: &Caller,
        access: &crate::authz::Access<'_>,
    ) -> Result<(), IamError> {
        crate::authz::authorize_access(state, &self.account.sealing, caller, access, self.now)?;
        self.authorized.set(true);
        Ok(())
    }

    /// As [`authorize_access`](Self::authorize_access), for a federated caller (see
    /// [`crate::authz::authorize_federated`]): only the role's trust policy decides.
    pub fn authorize_federated(
        &self,
        caller: &Caller,
        access: &crate::authz::Access<'_>,
    ) -> Result<(), IamError> {
        crate::authz::authorize_federated(&self.state, caller, access, self.now)?;
        self.authorized.set(true);
        Ok(())
    }

    /// Names `caller` in this call's audit record (once; later calls change nothing).
    pub fn audit_as(&self, caller: Caller) {
        let _ = self.audited_caller.set(caller);
    }

    /// The caller's own user name, for operations whose `UserName` defaults to the caller.
    pub fn caller_user(&self) -> Option<&str> {
        match &self.caller.identity {
            crate::authz::Identity::User(name) => Some(name),
            crate::authz::Identity::Root
            | crate::authz::Identity::AssumedRole(_)
            | crate::authz::Identity::FederatedUser(_)
            | crate::authz::Identity::Anonymous => None,
        }
    }

    /// The user an operation is about: `name` if given, else the calling user; `None` for the
    /// root user's own. Role sessions must name a user (AWS's ValidationError).
    pub fn user_or_caller(&self, name: Option<String>) -> Result<Option<String>, IamError> {
        match (name, &self.caller.identity) {
            (Some(name), _) => Ok(Some(name)),
            (
                None,
                crate::authz::Identity::AssumedRole(_) | crate::authz::Identity::FederatedUser(_),
            ) => Err(IamError::validation(
                "Must specify userName when calling with non-User credentials",
            )),
            (None, _) => Ok(self.caller_user().map(str::to_string)),
        }
    }
}

static REGISTRY: &[&[Operation]] = &[
    users::OPS,
    access_keys::OPS,
    sts::OPS,
    sessions::OPS,
    assume_role::OPS,
    federation_token::OPS,
    web_identity::OPS,
    saml_assume::OPS,
    web_identity_token::OPS,
    groups::OPS,
    inline_policies::OPS,
    managed_policies::OPS,
    policy_tags::OPS,
    attachments::OPS,
    mfa_devices::OPS,
    login_profiles::OPS,
    passwords::OPS,
    hardware_import::OPS,
    roles::OPS,
    role_policies::OPS,
    role_settings::OPS,
    instance_profiles::OPS,
    saml_providers::OPS,
    oidc_providers::OPS,
    outbound_federation::OPS,
    account::OPS,
    credential_report::OPS,
    authorization_details::OPS,
    ssh_public_keys::OPS,
    signing_certificates::OPS,
    server_certificates::OPS,
    service_linked_roles::OPS,
    last_accessed::OPS,
    service_access::OPS,
    service_credentials::OPS,
    simulate::OPS,
    lookup_events::OPS,
];

/// What GetSessionToken sessions without MFA may not do: call IAM at all (AWS answers
/// InvalidClientTokenId), or call STS beyond GetCallerIdentity and AssumeRole. Federated user
/// sessions (GetFederationToken) may not call IAM either, nor STS beyond GetCallerIdentity
/// (AWS: "You cannot call any IAM operations using the AWS CLI or the AWS API", "You cannot
/// call any STS operations except GetCallerIdentity"); iamd answers them as it answers
/// GetSessionToken sessions.
fn session_restriction(caller: &Caller, operation: &Operation) -> Option<IamError> {
    let mfa = caller.mfa.is_some_and(|m| m.present);
    let (kind, allowed): (&str, &[&str]) = match caller.session {
        Some(crate::authz::SessionKind::SessionToken) if !mfa => (
            "GetSessionToken without MFA",
            &["GetCallerIdentity", "AssumeRole", "GetSessionToken"],
        ),
        Some(crate::authz::SessionKind::Federated) => {
            ("GetFederationToken", &["GetCallerIdentity"])
        }
        _ => return None,
    };
    match (operation.service.signing_name, operation.name) {
        ("iam", _) => Some(IamError::invalid_client_token_id()),
        ("sts", name) if allowed.contains(&name) => None,
        ("sts", name) => Some(IamError::access_denied(format!(
            "Credentials from {kind} can call only {} in STS, not {name}.",
            allowed[..allowed.len().min(2)].join(" and ")
        ))),
        _ => None,
    }
}

/// The operations AWS serves without a signature (`(signing name, operation)`): the caller
/// proves who it is with a token in the request.
const UNSIGNED: &[(&str, &str)] = &[
    ("sts", "AssumeRoleWithWebIdentity"),
    ("sts", "AssumeRoleWithSAML"),
];

/// The operation named `action` when it accepts unsigned requests (it is then an STS
/// operation: unsigned requests name no service).
pub fn accepts_unsigned(action: &str) -> Option<&'static Operation> {
    UNSIGNED
        .iter()
        .find(|(_, name)| *name == action)
        .and_then(|(service, name)| find(service, name))
}

/// Looks an operation up by its service's signing name (`iam`, `sts`) and its name.
pub fn find(service: &str, action: &str) -> Option<&'static Operation> {
    REGISTRY
        .iter()
        .flat_map(|ops| ops.iter())
        .find(|op| op.service.signing_name == service && op.name == action)
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
    operation: &'static Operation,
    input: &Value,
    request_id: &str,
) -> Result<Value, IamError> {
    dispatch_from(account, caller, operation, input, request_id, "")
}

/// As [`dispatch`], for a request whose client sent `user_agent` (recorded as CloudTrail's
/// `userAgent`).
pub fn dispatch_from(
    account: &Account,
    caller: &Caller,
    operation: &'static Operation,
    input: &Value,
    request_id: &str,
    user_agent: &str,
) -> Result<Value, IamError> {
    let mut attempts = 0;
    let (ctx, result) = loop {
        let ctx = OpContext {
            account,
            caller,
            state: account.snapshot(),
            now: account.now(),
            operation,
            input,
            request_id,
            user_agent,
            authorized: Cell::new(false),
            call_audited: Cell::new(false),
            audited_caller: std::cell::OnceCell::new(),
            response_elements: std::cell::RefCell::new(None),
        };
        let refusal = input_checks::malformed_policy_arn(input)
            .or_else(|| session_restriction(caller, operation));
        let result = match refusal {
            Some(refusal) => Err(refusal),
            None => (operation.handler)(&ctx, input),
        };
        // Another node committed first (several nodes on one database): nothing was
        // written; catch up and run the operation again on the newer state.
        let stale = result.as_ref().is_err_and(IamError::is_stale_snapshot);
        if stale && attempts < crate::account::STALE_RETRIES {
            attempts += 1;
            crate::account::stale_backoff(attempts);
            if account.catch_up().is_ok() {
                continue;
            }
        }
        break (ctx, result);
    };
    if operation.auth == Auth::Policy && !ctx.authorized.get() && result.is_ok() {
        tracing::error!(
            target: "iamd",
            "operation {} returned without authorizing",
            operation.name
        );
        return Err(IamError::service_failure());
    }
    if ctx.call_audited.get() {
        return result;
    }
    match &result {
        Err(error) => audit_failure(&ctx, error),
        // A call that changed nothing (a read): its record waits in memory for the next
        // flush. When it cannot be kept, the call is refused rather than left unrecorded.
        Ok(_) => audit_success(&ctx)?,
    }
    result
}

/// Records a call whose input was refused before its operation ran (it failed the model's
/// validation): a failed call's record, without request parameters.
pub fn audit_refused_input(
    account: &Account,
    caller: &Caller,
    operation: &'static Operation,
    error: &IamError,
    request_id: &str,
    user_agent: &str,
) {
    let Ok(event_id) = account.new_event_id() else {
        return;
    };
    let account_id = account.account_id();
    let call = crate::audit::ApiCall {
        caller,
        account_id: &account_id,
        event_source: operation.service.event_source,
        event_name: operation.name,
        input: &Value::Null,
        read_only: operation.read_only,
        request_id,
        user_agent,
        event_id,
        now: account.now(),
        response: None,
    };
    let _ = account.audit_call(&call, Some(error));
}

/// Records a successful call that wrote nothing (reads, and calls whose changes are not
/// committed through [`OpContext::write`]).
fn audit_success(ctx: &OpContext<'_>) -> Result<(), IamError> {
    if ctx.operation.read_only && !ctx.account.audits_reads() {
        return Ok(());
    }
    let event_id = ctx.account.new_event_id()?;
    ctx.account
        .audit_call(&ctx.api_call(event_id, ctx.now), None)
}

/// Records a failed call (denied, invalid, conflicting...) in the audit log, as CloudTrail
/// records failed calls with `errorCode` and `errorMessage`.
fn audit_failure(ctx: &OpContext<'_>, error: &IamError) {
    let Ok(event_id) = ctx.account.new_event_id() else {
        return;
    };
    let _ = ctx
        .account
        .audit_call(&ctx.api_call(event_id, ctx.now), Some(error));
}

#[cfg(test)]
mod tests;
