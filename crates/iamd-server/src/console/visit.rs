//! A browser's request as the console sees it: its cookies and form (read within the body
//! limits), the console session it carries and the caller that session acts as, and the
//! CSRF check every form submission passes.

use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use iamd_core::entities::console_sessions::{self as sessions, ConsoleSession, Stage};
use iamd_core::{Caller, IamError};
use serde_json::Value;

use super::templates;
use super::Console;
use crate::pipeline::Incoming;

/// The console session's cookie (a random id; the store keeps only its digest).
pub(crate) const SESSION_COOKIE: &str = "iamd-console";
/// The signed-out browser's cookie, which the sign-in form's CSRF token is bound to.
pub(crate) const SIGNIN_COOKIE: &str = "iamd-signin";

/// A request, read.
pub(crate) struct Visit {
    pub(crate) method: Method,
    pub(crate) peer_ip: String,
    headers: HeaderMap,
    form: Vec<(String, String)>,
}

impl Visit {
    /// Reads the request's form body (POST), refusing oversized or slow bodies with a page.
    pub(crate) async fn read(incoming: Incoming) -> Result<Visit, Response> {
        let body = crate::body::read(&incoming.headers, incoming.body)
            .await
            .map_err(|f| {
                let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_REQUEST);
                templates::message_page(status, "Request refused", &f.message)
            })?;
        let form = if incoming.method == Method::POST {
            iamd_wire::parse_form(&body).map_err(|_| {
                templates::message_page(
                    StatusCode::BAD_REQUEST,
                    "Request refused",
                    "The form could not be read.",
                )
            })?
        } else {
            Vec::new()
        };
        Ok(Visit {
            method: incoming.method,
            peer_ip: incoming.peer.ip().to_string(),
            headers: incoming.headers,
            form,
        })
    }

    /// The value of cookie `name`.
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| sessions::cookie(v, name))
            .filter(|v| !v.is_empty())
    }

    /// Form field `name` (empty when absent).
    pub(crate) fn field(&self, name: &str) -> &str {
        self.form
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether the form carries the CSRF token of cookie value `cookie` (constant time).
    pub(crate) fn csrf_ok(&self, cookie: &str) -> bool {
        sessions::csrf_ok(cookie, self.field("csrf"))
    }

    /// The console's address as the browser reached it, for the audit record's `LoginTo`
    /// (the Host header, kept only when it looks like a host).
    pub(crate) fn login_to(&self, secure: bool) -> String {
        let host = self
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .filter(|h| {
                h.len() <= 255
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
            })
            .unwrap_or("localhost");
        let scheme = if secure { "https" } else { "http" };
        format!("{scheme}://{host}/console/")
    }
}

/// A signed-in browser: its session and the caller it acts as.
pub(crate) struct Signed {
    pub(crate) visit: Visit,
    pub(crate) cookie: String,
    pub(crate) session: Arc<ConsoleSession>,
    pub(crate) caller: Caller,
    /// The CSRF token for this page's forms.
    pub(crate) csrf: String,
}

impl Signed {
    /// The signed-in user's name.
    pub(crate) fn user(&self) -> &str {
        self.session.user.as_deref().unwrap_or("root")
    }

    /// Whether this sign-in passed an MFA step.
    pub(crate) fn has_mfa(&self) -> bool {
        self.session.mfa_at.is_some()
    }
}

impl Console {
    /// The signed-in browser behind `incoming`, for a page allowed in `stages`; otherwise the
    /// redirect where it belongs (sign-in, MFA step, forced password change). A form
    /// submission without this session's CSRF token is refused, changing nothing.
    pub(crate) async fn signed_in(
        &self,
        incoming: Incoming,
        stages: &[Stage],
    ) -> Result<Signed, Response> {
        let visit = Visit::read(incoming).await?;
        let account = &self.pipeline.account;
        let now = account.now();
        let found = match visit.cookie(SESSION_COOKIE) {
            Some(cookie) => find_session(account, cookie, now)
                .await
                .map(|session| (cookie.to_string(), session)),
            None => None,
        };
        let Some((cookie, session)) = found else {
            return Err(Redirect::to("/console/signin").into_response());
        };
        let state = account.snapshot();
        if !stages.contains(&session.stage) {
            return Err(Redirect::to(match session.stage {
                Stage::MfaPending => "/console/signin/mfa",
                Stage::ChangePassword => "/console/change-password",
                Stage::Active => "/console/",
            })
            .into_response());
        }
        if visit.method == Method::POST && !visit.csrf_ok(&cookie) {
            return Err(csrf_refused());
        }
        let Some(caller) = iamd_core::signin::caller(&state, &session, &visit.peer_ip, self.secure)
        else {
            return Err(Redirect::to("/console/signin").into_response());
        };
        if iamd_core::entities::console_sessions::needs_touch(&session, now) {
            let account = account.clone();
            let touched = cookie.clone();
            let done =
                tokio::task::spawn_blocking(move || iamd_core::signin::touch(&account, &touched))
                    .await;
            if let Ok(Err(e)) = done {
                tracing::warn!(target: "iamd", "console session not refreshed: {}", e.message);
            }
        }
        let csrf = sessions::csrf_token(&cookie);
        Ok(Signed {
            visit,
            cookie,
            session,
            caller,
            csrf,
        })
    }

    /// Runs IAM operation `action` with `input` as the signed-in caller: the API's path
    /// (`ops::dispatch`: authorization, audit), no other.
    pub(crate) async fn call(
        &self,
        signed: &Signed,
        action: &str,
        input: Value,
    ) -> Result<Value, IamError> {
        self.call_service(signed, "iam", action, input).await
    }

    /// As [`call`](Self::call), for an operation of the service signed as `service`
    /// (`cloudtrail`'s LookupEvents).
    pub(crate) async fn call_service(
        &self,
        signed: &Signed,
        service: &str,
        action: &str,
        input: Value,
    ) -> Result<Value, IamError> {
        let Some(operation) = iamd_core::ops::find(service, action) else {
            return Err(IamError::service_failure());
        };
        self.call_operation(signed, operation, input).await
    }

    /// Audits `operation` refused with `error` before it ran (e.g. a security key's answer
    /// that did not verify), as the signed-in user's failed call.
    pub(crate) fn audit_refused(
        &self,
        signed: &Signed,
        operation: &'static iamd_core::ops::Operation,
        error: &IamError,
    ) {
        let request_id = crate::pipeline::request_id();
        let user_agent = crate::pipeline::user_agent(&signed.visit.headers);
        iamd_core::ops::audit_refused_input(
            &self.pipeline.account,
            &signed.caller,
            operation,
            error,
            &request_id,
            &user_agent,
        );
    }

    /// As [`call`](Self::call), for an operation outside the API's registry (the console's
    /// own, e.g. registering a security key).
    pub(crate) async fn call_operation(
        &self,
        signed: &Signed,
        operation: &'static iamd_core::ops::Operation,
        input: Value,
    ) -> Result<Value, IamError> {
        let request_id = crate::pipeline::request_id();
        let user_agent = crate::pipeline::user_agent(&signed.visit.headers);
        self.pipeline
            .call(
                signed.caller.clone(),
                operation,
                input,
                &request_id,
                &user_agent,
            )
            .await
    }

    /// A `Set-Cookie` value for `name`: HttpOnly, SameSite=Strict, the console's path,
    /// Secure over TLS; `None` clears it.
    pub(crate) fn cookie_header(&self, name: &str, value: Option<&str>) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let text = match value {
            Some(v) => format!("{name}={v}; Path=/console; HttpOnly; SameSite=Strict{secure}"),
            None => format!("{name}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
        };
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// A form without this browser's CSRF token.
pub(crate) fn csrf_refused() -> Response {
    templates::message_page(
        StatusCode::FORBIDDEN,
        "Form refused",
        "This form did not come from your console session (it may have expired). Nothing was \
         changed. Reload the page and try again.",
    )
}

/// Adds a `Set-Cookie` header to `response`.
pub(crate) fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

impl Console {
    /// What a denial's remedy depends on, for `signed`.
    pub(crate) fn situation(&self, signed: &Signed) -> super::denial::Situation {
        let state = self.pipeline.account.snapshot();
        let has_device = state.user_mfa_devices(signed.user()).next().is_some();
        super::denial::Situation {
            signed_in_with_mfa: signed.has_mfa(),
            has_device,
        }
    }

    /// A signed-in page: the layout with its navigation and, while this sign-in has no MFA
    /// and the user's policies deny without it, the MFA banner.
    pub(crate) fn render(
        &self,
        signed: &Signed,
        status: StatusCode,
        title: &str,
        body: maud::Markup,
    ) -> Response {
        let nav = templates::Nav {
            user: signed.user(),
            csrf: &signed.csrf,
            mfa: signed.has_mfa(),
            links: signed.session.stage == Stage::Active,
        };
        let banner = self.mfa_banner(signed);
        templates::respond(status, templates::page(title, Some(&nav), banner, body))
    }

    /// The banner of a sign-in without MFA whose user's policies deny without it: decided by
    /// the one authorize function, for a representative action (`iam:ListUsers`).
    fn mfa_banner(&self, signed: &Signed) -> Option<maud::Markup> {
        if signed.has_mfa() || signed.session.stage != Stage::Active {
            return None;
        }
        let account = &self.pipeline.account;
        let state = account.snapshot();
        let denied = iamd_core::authorize(
            &state,
            &account.sealing,
            &signed.caller,
            "iam:ListUsers",
            "*",
            &[],
            account.now(),
        )
        .err()?;
        let denial = super::denial::Denial::of(&denied).filter(|d| d.needs_mfa)?;
        let remedy = denial.remedy(&self.situation(signed));
        Some(maud::html! {
            strong { "You signed in without MFA." } " " (remedy)
        })
    }
}

/// A signed-in browser whose session is fully signed in: the extractor of every page but
/// sign-in and the forced password change (it redirects the others where they belong).
pub(crate) struct Active(pub(crate) Signed);

impl axum::extract::FromRequest<Arc<Console>> for Active {
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        console: &Arc<Console>,
    ) -> Result<Self, Self::Rejection> {
        let incoming = Incoming::from_request(request, console)
            .await
            .map_err(IntoResponse::into_response)?;
        console
            .signed_in(incoming, &[Stage::Active])
            .await
            .map(Active)
    }
}

/// The live console session of cookie value `cookie`. One that another node (of a shared
/// database) has just started is found after catching up with its commits, off the async
/// threads: the browser's next request after a sign-in may reach any node.
pub(crate) async fn find_session(
    account: &Arc<iamd_core::Account>,
    cookie: &str,
    now: i64,
) -> Option<Arc<ConsoleSession>> {
    if let Some(session) = sessions::find(&account.snapshot(), cookie, now) {
        return Some(session);
    }
    account.store_is_shared().then_some(())?;
    let (account, cookie) = (account.clone(), cookie.to_string());
    tokio::task::spawn_blocking(move || {
        account.find_fresh(|state| sessions::find(state, &cookie, now))
    })
    .await
    .ok()
    .flatten()
}
