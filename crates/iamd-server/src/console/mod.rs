//! The web console: server-rendered pages under `/console` on the API's port. Another front
//! door on the [`Pipeline`]: a console session (cookie) instead of a SigV4 signature
//! authenticates the browser, and every page and action is an IAM operation run through
//! `Pipeline::call`, i.e. `iamd_core::ops::dispatch`, authorized by the same function as
//! the API with the session's context (`aws:MultiFactorAuthPresent` only after an MFA step).
//!
//! - `visit`: cookies, forms, CSRF, the session and its caller;
//! - `signin`: sign-in (password, then MFA code or security key), sign-out;
//! - `security_key`: FIDO2 / WebAuthn security keys (registration, the sign-in's ceremony);
//! - `credentials`: "My security credentials" and access keys; `password`: the password
//!   change; `mfa_wizard`: assigning and removing MFA devices;
//! - `users`: the users pages; `admin`: groups, policies, roles (`admin_actions`: their
//!   changes); `policy_editor`: creating
//!   policies and their versions; `account_pages`: password
//!   policy, credential report, simulator; `root`: the root user's password;
//! - `events`: CloudTrail's event history (LookupEvents) and one event's record;
//! - `denial`: AccessDenied in plain words, with the remedy;
//! - `templates`, `assets`: the HTML layout (maud, escaped) and the one CSS file.

mod account_pages;
mod admin;
mod admin_actions;
mod assets;
mod credentials;
mod denial;
mod events;
mod mfa_wizard;
mod password;
mod policy_editor;
mod root;
mod security_key;
mod signin;
mod templates;
mod users;
mod visit;

use std::sync::Arc;

use axum::http::{header, HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::pipeline::Pipeline;
pub(crate) use root::RootPassword;

/// What the console's handlers share.
pub(crate) struct Console {
    pub(crate) pipeline: Arc<Pipeline>,
    /// Served over TLS: cookies are `Secure` and `aws:SecureTransport` is true.
    pub(crate) secure: bool,
    pub(crate) root_password: RootPassword,
    /// The WebAuthn relying party of security keys (the console's origin).
    pub(crate) relying_party: Arc<iamd_core::security_keys::RelyingParty>,
}

type Shared = axum::extract::State<Arc<Console>>;

/// The console's routes.
pub(crate) fn router(
    pipeline: Arc<Pipeline>,
    root_password: RootPassword,
    relying_party: Arc<iamd_core::security_keys::RelyingParty>,
) -> Router {
    let console = Arc::new(Console {
        secure: pipeline.secure,
        pipeline,
        root_password,
        relying_party,
    });
    Router::new()
        .route("/console", get(signin::home))
        .route("/console/", get(signin::home))
        .route("/console/assets/console.css", get(assets::css))
        .route("/console/assets/security-key.js", get(security_key::script))
        .route("/console/signin", get(signin::form).post(signin::submit))
        .route(
            "/console/signin/security-key/options",
            axum::routing::post(security_key::sign_in_options),
        )
        .route(
            "/console/signin/security-key",
            axum::routing::post(signin::security_key_submit),
        )
        .route(
            "/console/security-credentials/security-key",
            get(security_key::register_form).post(security_key::register),
        )
        .route(
            "/console/security-credentials/security-key/options",
            axum::routing::post(security_key::register_options),
        )
        .route(
            "/console/signin/mfa",
            get(signin::mfa_form).post(signin::mfa_submit),
        )
        .route(
            "/console/signout",
            get(signin::signout_form).post(signin::signout),
        )
        .route(
            "/console/change-password",
            get(password::password_form).post(password::change_password),
        )
        .route("/console/security-credentials", get(credentials::overview))
        .route(
            "/console/security-credentials/mfa",
            get(mfa_wizard::mfa_name_form).post(mfa_wizard::mfa_create),
        )
        .route(
            "/console/security-credentials/mfa/enable",
            axum::routing::post(mfa_wizard::mfa_enable),
        )
        .route(
            "/console/security-credentials/mfa/remove",
            axum::routing::post(mfa_wizard::mfa_remove),
        )
        .route(
            "/console/security-credentials/access-keys",
            axum::routing::post(credentials::access_keys),
        )
        .route("/console/users", get(users::list).post(users::create))
        .route("/console/users/{name}", get(users::detail).post(users::act))
        .route(
            "/console/users/{name}/inline-policy",
            axum::routing::post(policy_editor::put_user_policy),
        )
        .route(
            "/console/groups",
            get(admin::groups).post(admin_actions::create_group),
        )
        .route(
            "/console/groups/{name}",
            get(admin::group).post(admin_actions::group),
        )
        .route(
            "/console/policies",
            get(admin::policies).post(policy_editor::create),
        )
        .route(
            "/console/policies/{*id}",
            get(admin::policy).post(policy_editor::new_version),
        )
        .route(
            "/console/roles",
            get(admin::roles).post(policy_editor::create_role),
        )
        .route(
            "/console/roles/{name}",
            get(admin::role).post(admin_actions::role),
        )
        .route(
            "/console/password-policy",
            get(account_pages::password_policy).post(account_pages::update_password_policy),
        )
        .route(
            "/console/credential-report",
            get(account_pages::credential_report),
        )
        .route("/console/events", get(events::history))
        .route("/console/events/{id}", get(events::detail))
        .route(
            "/console/simulator",
            get(account_pages::simulator).post(account_pages::simulate),
        )
        .with_state(console)
}

/// Whether a request to `/` is a browser's visit rather than an API call: a GET without an
/// `Action` parameter, a signature or an `Authorization` header. Those go to the console.
pub(crate) fn is_browser_visit(method: &Method, uri: &Uri, headers: &HeaderMap) -> bool {
    let query = uri.query().unwrap_or("");
    let api_parameter = query.split('&').any(|pair| {
        let name = pair.split('=').next().unwrap_or("");
        name == "Action" || name.starts_with("X-Amz-")
    });
    *method == Method::GET
        && uri.path() == "/"
        && !api_parameter
        && !headers.contains_key(header::AUTHORIZATION)
}

/// The answer to a browser's visit to `/`.
pub(crate) fn front_door() -> Response {
    Redirect::to("/console/signin").into_response()
}

#[cfg(test)]
mod tests;
