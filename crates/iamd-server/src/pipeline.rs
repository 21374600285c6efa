//! The request path, written once for every front door: read the body, authenticate,
//! decode (the front door's part: its protocol), find the operation, dispatch it (writes on
//! the blocking pool; the core authorizes and audits), and hand back the result or a
//! [`Failure`] for the front door to encode. The Query endpoint (`query.rs`), CloudTrail's
//! JSON protocol (`json.rs`) and the admin import (`admin.rs`) are front doors; the console
//! will be one more.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Uri};
use iamd_core::ops::Operation;
use iamd_core::{Account, IamError};
use iamd_wire::Service;
use serde_json::Value;

use crate::authn::{Authenticator, HttpRequest};
use crate::failure::Failure;
use crate::telemetry::Seen;

/// What every front door shares: the account and the authenticator.
pub(crate) struct Pipeline {
    pub(crate) account: Arc<Account>,
    pub(crate) authenticator: Authenticator,
    /// Served over TLS (`aws:SecureTransport`).
    pub(crate) secure: bool,
}

/// A request as it arrived, its body not read yet.
pub(crate) struct Incoming {
    pub(crate) peer: SocketAddr,
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for Incoming {
    type Rejection = (axum::http::StatusCode, &'static str);

    /// Takes the request apart, with the peer address the listener recorded (without one,
    /// policies on `aws:SourceIp` could not be decided: the request is refused).
    async fn from_request(request: axum::extract::Request, _: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .ok_or((
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "iamd: the connection's peer address is unknown",
            ))?;
        Ok(Incoming {
            peer,
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
        })
    }
}

/// What a front door decoded from an authenticated request: the operation's name (in the
/// service the request was signed for) and its input, shaped as the model's input shape.
pub(crate) struct Decoded {
    pub(crate) action: String,
    pub(crate) input: Value,
}

/// A call that ran: the service, the operation and its output.
pub(crate) struct Answered {
    pub(crate) service: Service,
    pub(crate) operation: &'static Operation,
    pub(crate) output: Value,
}

impl Pipeline {
    /// Records a request refused at authentication whose caller is known (a valid key with a
    /// bad signature, an expired session) under the operation it names, with the error it
    /// got (as CloudTrail records such calls); returns the failure.
    fn audit_refused_signature(
        &self,
        caller: Option<Box<iamd_core::Caller>>,
        failure: Failure,
        request: HttpRequest<'_>,
        request_id: &str,
    ) -> Failure {
        let Some(caller) = caller else {
            return failure;
        };
        let model = iamd_wire::ServiceModel::get(failure.service);
        let operation = requested_action(request)
            .and_then(|action| iamd_core::ops::find(&model.signing_name, action));
        let code = iamd_core::audit::AUTHENTICATION_ERRORS
            .iter()
            .find(|code| **code == failure.code);
        if let (Some(operation), Some(code)) = (operation, code) {
            // Without the canonical request a signature mismatch explains itself with (it
            // shows the signed headers, a session token among them).
            let message = failure.message.split("\n\n").next().unwrap_or_default();
            let error = IamError::new(code, failure.status, message);
            iamd_core::ops::audit_refused_input(
                &self.account,
                &caller,
                operation,
                &error,
                request_id,
                &user_agent(request.headers),
            );
        }
        failure
    }

    /// Records a call whose input the front door refused (it names an operation iamd
    /// serves), as the core records the calls it refuses; returns the failure.
    fn audit_refused_input(
        &self,
        caller: &iamd_core::Caller,
        service: Service,
        failure: Failure,
        request_id: &str,
        user_agent: &str,
    ) -> Failure {
        let model = iamd_wire::ServiceModel::get(service);
        let operation = failure
            .operation
            .as_deref()
            .and_then(|name| iamd_core::ops::find(&model.signing_name, name));
        let error = match failure.code.as_str() {
            "ValidationError" => Some(IamError::validation(failure.message.clone())),
            "SerializationException" => Some(IamError::new(
                "SerializationException",
                failure.status,
                failure.message.clone(),
            )),
            _ => None,
        };
        if let (Some(operation), Some(error)) = (operation, error) {
            iamd_core::ops::audit_refused_input(
                &self.account,
                caller,
                operation,
                &error,
                request_id,
                user_agent,
            );
        }
        failure
    }
}

/// The client's `User-Agent` for audit records: at most 1 KiB of it (CloudTrail's
/// `userAgent`), empty when absent or not text.
pub(crate) fn user_agent(headers: &HeaderMap) -> String {
    let text = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    text.chars().take(1024).collect()
}

/// `Some` for a request without a signature whose `Action` is one AWS serves unsigned
/// (AssumeRoleWithWebIdentity: the token in it says who calls). Any other unsigned request
/// goes on to authentication, which refuses it.
fn unsigned_call(request: HttpRequest<'_>) -> Option<()> {
    let query = request.uri.query().unwrap_or_default();
    let signed = request
        .headers
        .contains_key(axum::http::header::AUTHORIZATION)
        || query.contains("X-Amz-Signature=");
    if signed {
        return None;
    }
    let mut params = iamd_wire::parse_form(query.as_bytes()).ok()?;
    if *request.method == Method::POST {
        params.extend(iamd_wire::parse_form(request.body).ok()?);
    }
    let action = params.iter().find(|(name, _)| name == "Action")?;
    iamd_core::ops::accepts_unsigned(&action.1).map(drop)
}

/// The action a request names before it is decoded: `X-Amz-Target`'s operation (JSON
/// protocols), else the `Action` of the form body or of the query string.
fn requested_action(request: HttpRequest<'_>) -> Option<&str> {
    if let Some(target) = request.headers.get("x-amz-target") {
        return target.to_str().ok()?.rsplit('.').next();
    }
    fn action(text: &str) -> Option<&str> {
        text.split('&').find_map(|p| p.strip_prefix("Action="))
    }
    std::str::from_utf8(request.body)
        .ok()
        .and_then(action)
        .or_else(|| request.uri.query().and_then(action))
}

/// A fresh request id (AWS's UUID form).
pub(crate) fn request_id() -> String {
    iamd_core::crypto::request_id()
        .unwrap_or_else(|_| "00000000-0000-4000-8000-000000000000".into())
}

impl Pipeline {
    /// Runs one request: `decode` is the front door's protocol, given the service the
    /// request was signed for and the authenticated request. Every request is counted and
    /// logged here, once (`telemetry.rs`).
    pub(crate) async fn run(
        &self,
        incoming: Incoming,
        request_id: &str,
        decode: impl FnOnce(Service, HttpRequest<'_>) -> Result<Decoded, Failure>,
    ) -> Result<Answered, Failure> {
        let started = std::time::Instant::now();
        let mut seen = Seen::default();
        let result = self.stages(incoming, request_id, decode, &mut seen).await;
        crate::telemetry::request_done(&seen, result.as_ref().err(), started.elapsed(), request_id);
        result
    }

    /// The stages of [`Pipeline::run`], noting in `seen` what each learns.
    async fn stages(
        &self,
        incoming: Incoming,
        request_id: &str,
        decode: impl FnOnce(Service, HttpRequest<'_>) -> Result<Decoded, Failure>,
        seen: &mut Seen,
    ) -> Result<Answered, Failure> {
        let body = crate::body::read(&incoming.headers, incoming.body).await?;
        let request = HttpRequest {
            peer: incoming.peer,
            method: &incoming.method,
            uri: &incoming.uri,
            headers: &incoming.headers,
            body: &body,
        };
        let (mut caller, service) = match unsigned_call(request) {
            Some(()) => (
                iamd_core::Caller::anonymous(&incoming.peer.ip().to_string(), self.secure),
                Service::Sts,
            ),
            None => self
                .authenticator
                .authenticate(&self.account, request)
                .map_err(|(failure, known)| {
                    self.audit_refused_signature(known, failure, request, request_id)
                })?,
        };
        caller.secure_transport = self.secure;
        seen.service = Some(service);
        seen.authenticated = true;
        seen.principal = Some(caller.principal.arn.clone());
        let user_agent = user_agent(&incoming.headers);
        let decoded = decode(service, request)
            .map_err(|f| self.audit_refused_input(&caller, service, f, request_id, &user_agent))?;
        let model = iamd_wire::ServiceModel::get(service);
        let Some(operation) = iamd_core::ops::find(&model.signing_name, &decoded.action) else {
            return Err(Failure::new(
                service,
                "InvalidAction",
                format!(
                    "The action {} is not implemented by iamd yet.",
                    decoded.action
                ),
                400,
            ));
        };
        seen.operation = Some(operation.name);
        let output = self
            .call(caller, operation, decoded.input, request_id, &user_agent)
            .await
            .map_err(|e| Failure::iam(service, e))?;
        Ok(Answered {
            service,
            operation,
            output,
        })
    }

    /// Dispatches `operation` for an authenticated caller (writes on the blocking pool):
    /// the core authorizes and audits. Every front door's calls end here.
    pub(crate) async fn call(
        &self,
        caller: iamd_core::Caller,
        operation: &'static Operation,
        input: Value,
        request_id: &str,
        user_agent: &str,
    ) -> Result<Value, IamError> {
        use iamd_core::ops::dispatch_from;
        if operation.read_only {
            return dispatch_from(
                &self.account,
                &caller,
                operation,
                &input,
                request_id,
                user_agent,
            );
        }
        let account = self.account.clone();
        let (request_id, user_agent) = (request_id.to_string(), user_agent.to_string());
        tokio::task::spawn_blocking(move || {
            dispatch_from(
                &account,
                &caller,
                operation,
                &input,
                &request_id,
                &user_agent,
            )
        })
        .await
        .unwrap_or_else(|_| Err(IamError::service_failure()))
    }
}
