//! Sign-in (account, user name, password; then an MFA code when the user has a device),
//! sign-out, and the home page. The checks are `iamd_core::signin`'s; this is their HTTP.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use iamd_core::entities::console_sessions::{self as sessions, Stage};
use iamd_core::signin::{Credentials, Origin, Refused, Started};
use maud::html;

use super::templates::{self, csrf_field, field};
use super::visit::Active;
use super::visit::{
    csrf_refused, find_session, with_cookie, Signed, Visit, SESSION_COOKIE, SIGNIN_COOKIE,
};
use super::{Console, Shared};
use crate::pipeline::Incoming;

/// Where a session in `stage` goes next.
fn landing(stage: Stage) -> &'static str {
    match stage {
        Stage::MfaPending => "/console/signin/mfa",
        Stage::ChangePassword => "/console/change-password",
        Stage::Active => "/console/",
    }
}

/// `GET /console/`: who is signed in, and where to go.
pub(crate) async fn home(State(console): Shared, Active(signed): Active) -> Response {
    let body = html! {
        p {
            "Signed in as " strong { (signed.user()) } " to account "
            (console.pipeline.account.account_id())
            @if signed.has_mfa() { ", with MFA." } @else { ", without MFA." }
        }
        ul {
            li { a href="/console/security-credentials" { "My security credentials" } " — password, MFA devices, access keys" }
            li { a href="/console/users" { "Users" } ", " a href="/console/groups" { "groups" } ", " a href="/console/roles" { "roles" } ", " a href="/console/policies" { "policies" } }
            li { a href="/console/password-policy" { "Password policy" } }
            li { a href="/console/credential-report" { "Credential report" } }
            li { a href="/console/simulator" { "Policy simulator" } }
        }
    };
    console.render(&signed, StatusCode::OK, "Console home", body)
}

/// The sign-in form, with `error` and the values typed.
fn signin_page(
    console: &Console,
    csrf: &str,
    account: &str,
    user: &str,
    root: bool,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let account = if account.is_empty() {
        console.pipeline.account.account_id()
    } else {
        account.to_string()
    };
    let body = html! {
        @if let Some(error) = error { (templates::error(error)) }
        form method="post" action="/console/signin" {
            (csrf_field(csrf))
            fieldset.choice {
                legend { "Sign in as" }
                label.option {
                    input type="radio" name="kind" value="iam" checked[!root];
                    " IAM user"
                }
                label.option {
                    input type="radio" name="kind" value="root" checked[root];
                    " Root user"
                }
            }
            (field("Account ID or alias", "account", "text", &account, "organization"))
            div.field {
                label for="username" { "User name" }
                input #username name="username" type="text" value=(user) autocomplete="username";
                small { " (not for the root user)" }
            }
            (field("Password", "password", "password", "", "current-password"))
            button type="submit" { "Sign in" }
        }
    };
    templates::respond(status, templates::page("Sign in", None, None, body))
}

/// The signed-out browser's cookie (a new one when it has none) and the response header
/// setting it.
fn signin_cookie(console: &Console, visit: &Visit) -> (String, Option<axum::http::HeaderValue>) {
    match visit.cookie(SIGNIN_COOKIE) {
        Some(c) => (c.to_string(), None),
        None => {
            let fresh = sessions::new_session_id().unwrap_or_default();
            let header = console.cookie_header(SIGNIN_COOKIE, Some(&fresh));
            (fresh, Some(header))
        }
    }
}

/// `GET /console/signin`.
pub(crate) async fn form(State(console): Shared, incoming: Incoming) -> Response {
    let visit = match Visit::read(incoming).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let now = console.pipeline.account.now();
    let session = match visit.cookie(SESSION_COOKIE) {
        Some(c) => find_session(&console.pipeline.account, c, now).await,
        None => None,
    };
    if let Some(session) = session {
        return Redirect::to(landing(session.stage)).into_response();
    }
    let (cookie, set) = signin_cookie(&console, &visit);
    let page = signin_page(
        &console,
        &sessions::csrf_token(&cookie),
        "",
        "",
        false,
        None,
        StatusCode::OK,
    );
    match set {
        Some(header) => with_cookie(page, header),
        None => page,
    }
}

/// `POST /console/signin`: the password step.
pub(crate) async fn submit(State(console): Shared, incoming: Incoming) -> Response {
    let visit = match Visit::read(incoming).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(signin) = visit.cookie(SIGNIN_COOKIE).map(str::to_string) else {
        return csrf_refused();
    };
    if !visit.csrf_ok(&signin) {
        return csrf_refused();
    }
    let account_field = visit.field("account").to_string();
    let root = visit.field("kind") == "root";
    let root_password = console.root_password.clone();
    let user = visit.field("username").to_string();
    let password = zeroize::Zeroizing::new(visit.field("password").to_string());
    let login_to = visit.login_to(console.secure);
    let peer = visit.peer_ip.clone();
    let account = console.pipeline.account.clone();
    let (account_given, user_given) = (account_field.clone(), user.clone());
    let result = tokio::task::spawn_blocking(move || {
        let credentials = Credentials {
            account: &account_given,
            user_name: &user_given,
            password: &password,
        };
        let origin = Origin {
            source_ip: &peer,
            login_to: &login_to,
        };
        if root {
            let matches = |p: &str| root_password.matches(p);
            iamd_core::signin::root_step(&account, &credentials, matches, &origin)
        } else {
            iamd_core::signin::password_step(&account, &credentials, &origin)
        }
    })
    .await
    .unwrap_or_else(|_| Err(Refused::from(iamd_core::IamError::service_failure())));
    match result {
        Ok(started) => start(&console, &visit, started).await,
        Err(refused) => signin_page(
            &console,
            &sessions::csrf_token(&signin),
            &account_field,
            &user,
            root,
            Some(&refused.message),
            StatusCode::UNAUTHORIZED,
        ),
    }
}

/// A new session: its cookie, the previous session (if any) ended, and on to its stage.
async fn start(console: &Console, visit: &Visit, started: Started) -> Response {
    if let Some(old) = visit.cookie(SESSION_COOKIE).map(str::to_string) {
        let _ = end_session(console, visit, old).await;
    }
    let response = Redirect::to(landing(started.session.stage)).into_response();
    with_cookie(
        response,
        console.cookie_header(SESSION_COOKIE, Some(&started.cookie)),
    )
}

/// The MFA step's form for `user`'s devices.
fn mfa_page(
    console: &Console,
    csrf: &str,
    user: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let state = console.pipeline.account.snapshot();
    let devices: Vec<String> = state
        .user_mfa_devices(user)
        .filter(|d| d.security_key.is_none())
        .map(|d| d.serial.clone())
        .collect();
    let has_key = !iamd_core::signin::security_keys(&state, user).is_empty();
    let body = html! {
        @if let Some(error) = error { (templates::error(error)) }
        @if has_key {
            p { "Confirm your sign-in as " strong { (user) } " with one of your MFA devices." }
            (super::security_key::sign_in_part(csrf))
        }
        @if !devices.is_empty() {
            @if has_key { h2 { "Use an authenticator app" } }
            p { "Enter the code your MFA device shows for " strong { (user) } "." }
            (code_form(csrf, &devices))
        }
        p { a href="/console/signout" { "Cancel" } }
    };
    templates::respond(
        status,
        templates::page("Multi-factor authentication", None, None, body),
    )
}

/// The MFA code form for TOTP devices `devices` (serial numbers).
fn code_form(csrf: &str, devices: &[String]) -> maud::Markup {
    html! {
        form method="post" action="/console/signin/mfa" {
            (csrf_field(csrf))
            @if devices.len() == 1 {
                input type="hidden" name="serial" value=(devices[0]);
            } @else {
                div.field {
                    label for="serial" { "MFA device" }
                    select id="serial" name="serial" {
                        @for serial in devices { option value=(serial) { (serial) } }
                    }
                }
            }
            (templates::code_field("MFA code", "code"))
            button type="submit" { "Sign in" }
        }
    }
}

/// `GET /console/signin/mfa`.
pub(crate) async fn mfa_form(State(console): Shared, incoming: Incoming) -> Response {
    match console.signed_in(incoming, &[Stage::MfaPending]).await {
        Ok(signed) => mfa_page(&console, &signed.csrf, signed.user(), None, StatusCode::OK),
        Err(r) => r,
    }
}

/// `POST /console/signin/mfa`: the MFA step.
pub(crate) async fn mfa_submit(State(console): Shared, incoming: Incoming) -> Response {
    let signed = match console.signed_in(incoming, &[Stage::MfaPending]).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let serial = signed.visit.field("serial").to_string();
    let code = zeroize::Zeroizing::new(signed.visit.field("code").to_string());
    finish_mfa(&console, &signed, move |account, pending, origin| {
        iamd_core::signin::mfa_step(account, pending, &serial, &code, origin)
    })
    .await
}

/// `POST /console/signin/security-key`: the MFA step with a security key's assertion.
pub(crate) async fn security_key_submit(State(console): Shared, incoming: Incoming) -> Response {
    let signed = match console.signed_in(incoming, &[Stage::MfaPending]).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let relying_party = console.relying_party.clone();
    let response = signed.visit.field("credential").to_string();
    finish_mfa(&console, &signed, move |account, pending, origin| {
        iamd_core::signin::security_key_step(account, &relying_party, pending, &response, origin)
    })
    .await
}

/// Runs an MFA `step` for the half-signed-in `signed` on the blocking pool: on success the
/// session goes on, otherwise the MFA page again with the refusal.
async fn finish_mfa(
    console: &Console,
    signed: &Signed,
    step: impl FnOnce(&iamd_core::Account, &str, &Origin<'_>) -> Result<Started, Refused>
        + Send
        + 'static,
) -> Response {
    let account = console.pipeline.account.clone();
    let pending = signed.cookie.clone();
    let login_to = signed.visit.login_to(console.secure);
    let peer = signed.visit.peer_ip.clone();
    let result = tokio::task::spawn_blocking(move || {
        let origin = Origin {
            source_ip: &peer,
            login_to: &login_to,
        };
        step(&account, &pending, &origin)
    })
    .await
    .unwrap_or_else(|_| Err(Refused::from(iamd_core::IamError::service_failure())));
    match result {
        Ok(started) => start(console, &signed.visit, started).await,
        Err(refused) => mfa_page(
            console,
            &signed.csrf,
            signed.user(),
            Some(&refused.message),
            StatusCode::UNAUTHORIZED,
        ),
    }
}

/// Ends the session of cookie value `cookie` (sign-out): whether it worked.
async fn end_session(console: &Console, visit: &Visit, cookie: String) -> bool {
    let account: Arc<iamd_core::Account> = console.pipeline.account.clone();
    let login_to = visit.login_to(console.secure);
    let peer = visit.peer_ip.clone();
    let ended = tokio::task::spawn_blocking(move || {
        let origin = Origin {
            source_ip: &peer,
            login_to: &login_to,
        };
        iamd_core::signin::sign_out(&account, &cookie, &origin)
    })
    .await;
    matches!(ended, Ok(Ok(())))
}

/// `GET /console/signout`: a confirmation with the "Sign out" button (a GET changes nothing).
pub(crate) async fn signout_form(State(console): Shared, incoming: Incoming) -> Response {
    let visit = match Visit::read(incoming).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let now = console.pipeline.account.now();
    let cookie = match visit.cookie(SESSION_COOKIE) {
        Some(c) => find_session(&console.pipeline.account, c, now)
            .await
            .map(|_| c),
        None => None,
    };
    let Some(cookie) = cookie else {
        return Redirect::to("/console/signin").into_response();
    };
    let body = html! {
        form method="post" action="/console/signout" {
            (csrf_field(&sessions::csrf_token(cookie)))
            button type="submit" { "Sign out" }
        }
    };
    templates::respond(
        StatusCode::OK,
        templates::page("Sign out", None, None, body),
    )
}

/// `POST /console/signout`: deletes the session (in every stage) and its cookie.
pub(crate) async fn signout(State(console): Shared, incoming: Incoming) -> Response {
    let visit = match Visit::read(incoming).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(cookie) = visit.cookie(SESSION_COOKIE).map(str::to_string) else {
        return Redirect::to("/console/signin").into_response();
    };
    if !visit.csrf_ok(&cookie) {
        return csrf_refused();
    }
    if !end_session(&console, &visit, cookie).await {
        return templates::message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sign out",
            "Signing out failed; try again.",
        );
    }
    let response = Redirect::to("/console/signin").into_response();
    with_cookie(response, console.cookie_header(SESSION_COOKIE, None))
}
