//! FIDO2 / WebAuthn security keys in the console: "Assign MFA device" → "Security key"
//! (registration), and the sign-in's "Use a security key". The browser runs the ceremony
//! with `security-key.js` (`navigator.credentials.create` / `.get`); the options and the
//! checks are [`iamd_core::security_keys`]'s; the registration is stored through the
//! pipeline as `EnableMFADevice`, authorized as for TOTP devices.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use iamd_core::entities::console_sessions::Stage;
use iamd_core::security_keys::KeyRefusal;
use iamd_core::IamError;
use maud::{html, Markup};
use serde_json::json;

use super::denial::render_error;
use super::templates::{self, csrf_field};
use super::visit::{Active, Signed};
use super::Shared;
use crate::pipeline::Incoming;

/// The browser side of the ceremonies.
const SCRIPT: &str = include_str!("security-key.js");

/// `GET /console/assets/security-key.js`.
pub(crate) async fn script() -> Response {
    let mut response = SCRIPT.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    response
}

/// The ceremony's button and the form the script posts the browser's answer with. Without
/// JavaScript the page says it is needed.
pub(crate) fn ceremony(csrf: &str, options: &str, action: &str, button: &str) -> Markup {
    html! {
        noscript { (templates::error("Security keys need JavaScript: allow it for this site, or use an authenticator app.")) }
        p.error #security-key-error role="alert" hidden {}
        form #security-key-form method="post" action=(action) data-options=(options) {
            (csrf_field(csrf))
            input type="hidden" name="credential" id="credential";
            button type="button" #security-key-button { (button) }
        }
        script src="/console/assets/security-key.js" {}
    }
}

/// The registration page: the device name and the button.
fn register_page(signed: &Signed, name: &str, message: Option<Markup>) -> Markup {
    html! {
        @if let Some(message) = message { (message) }
        p { "Name the security key, press the button, then touch your key (or enter its PIN) when your browser asks." }
        p { small { "Security keys work for console sign-in only. Use a virtual or hardware TOTP device for the CLI and the API (" code { "--serial-number" } ")." } }
        div.field {
            label for="device-name" { "Device name" }
            input #device-name form="security-key-form" name="name" type="text" value=(name) autocomplete="off";
        }
        (ceremony(&signed.csrf, "/console/security-credentials/security-key/options",
            "/console/security-credentials/security-key", "Register security key"))
    }
}

/// `GET /console/security-credentials/security-key`.
pub(crate) async fn register_form(State(console): Shared, Active(signed): Active) -> Response {
    let body = register_page(&signed, "", None);
    console.render(&signed, StatusCode::OK, "Assign security key", body)
}

/// A JSON answer for the script: the options, or `{"error": message}`.
fn json_answer(result: Result<serde_json::Value, String>) -> Response {
    let (status, body) = match result {
        Ok(options) => (StatusCode::OK, options),
        Err(message) => (StatusCode::BAD_REQUEST, json!({ "error": message })),
    };
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `POST /console/security-credentials/security-key/options`: the registration's options,
/// the challenge kept for this session.
pub(crate) async fn register_options(State(console): Shared, Active(signed): Active) -> Response {
    let name = signed.visit.field("name").trim().to_string();
    if name.is_empty() {
        return json_answer(Err("Enter a device name first.".to_string()));
    }
    let state = console.pipeline.account.snapshot();
    let Some(user) = state.user(signed.user()).cloned() else {
        return json_answer(Err(
            "Only IAM users can register security keys here.".to_string()
        ));
    };
    let existing = iamd_core::signin::security_keys(&state, &user.name)
        .iter()
        .map(|k| k.cred_id().clone())
        .collect();
    let (account, relying_party) = (
        console.pipeline.account.clone(),
        console.relying_party.clone(),
    );
    let cookie = signed.cookie.clone();
    json_answer(
        off_async(move || {
            relying_party.start_registration(&account, &cookie, &user, &name, existing)
        })
        .await
        .map_err(|r| r.message),
    )
}

/// Runs a ceremony step (it reads and writes the store) on the blocking pool.
async fn off_async<T: Send + 'static>(
    step: impl FnOnce() -> Result<T, KeyRefusal> + Send + 'static,
) -> Result<T, KeyRefusal> {
    tokio::task::spawn_blocking(step).await.unwrap_or_else(|_| {
        Err(KeyRefusal {
            message: "Security keys are not available right now. Try again.".into(),
            reason: "Internal error",
        })
    })
}

/// `POST /console/security-credentials/security-key`: the browser's answer checked, then
/// the key stored as the user's MFA device.
pub(crate) async fn register(State(console): Shared, Active(signed): Active) -> Response {
    let (account, relying_party) = (
        console.pipeline.account.clone(),
        console.relying_party.clone(),
    );
    let (cookie, credential) = (
        signed.cookie.clone(),
        signed.visit.field("credential").to_string(),
    );
    let finished =
        off_async(move || relying_party.finish_registration(&account, &cookie, &credential)).await;
    let refuse = |message: Markup, status: StatusCode| {
        let name = signed.visit.field("name").to_string();
        let body = register_page(&signed, &name, Some(message));
        console.render(&signed, status, "Assign security key", body)
    };
    let registered = match finished {
        Ok(r) if r.user_id == signed.session.user_id => r,
        Ok(_) => return refuse(templates::error(KEY_FOR_OTHER), StatusCode::BAD_REQUEST),
        Err(KeyRefusal { message, reason }) => {
            // Audited as a refused EnableMFADevice (iamd's choice of error code: AWS's
            // console records of a failed key registration are not documented).
            let error = IamError::new("InvalidAuthenticationCode", 403, reason);
            console.audit_refused(&signed, &iamd_core::ops::ENABLE_SECURITY_KEY, &error);
            return refuse(templates::error(&message), StatusCode::BAD_REQUEST);
        }
    };
    let input = json!({
        "UserName": signed.user(),
        "DeviceName": registered.device_name,
        "SecurityKey": registered.key,
    });
    let stored = console
        .call_operation(&signed, &iamd_core::ops::ENABLE_SECURITY_KEY, input)
        .await;
    match stored {
        Ok(_) => Redirect::to("/console/security-credentials?done=mfa").into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            refuse(render_error(&e, &console.situation(&signed)), status)
        }
    }
}

const KEY_FOR_OTHER: &str = "This registration was started for another user. Start again.";

/// `POST /console/signin/security-key/options`: the assertion options for the user's keys
/// in the half-signed-in session.
pub(crate) async fn sign_in_options(State(console): Shared, incoming: Incoming) -> Response {
    let signed = match console.signed_in(incoming, &[Stage::MfaPending]).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let state = console.pipeline.account.snapshot();
    let keys = iamd_core::signin::security_keys(&state, signed.user());
    if keys.is_empty() {
        return json_answer(Err("You have no security key.".to_string()));
    }
    let (account, relying_party) = (
        console.pipeline.account.clone(),
        console.relying_party.clone(),
    );
    let cookie = signed.cookie.clone();
    json_answer(
        off_async(move || relying_party.start_sign_in(&account, &cookie, &keys))
            .await
            .map_err(|r| r.message),
    )
}

/// The sign-in page's security key part.
pub(crate) fn sign_in_part(csrf: &str) -> Markup {
    html! {
        h2 { "Use a security key" }
        (ceremony(csrf, "/console/signin/security-key/options", "/console/signin/security-key", "Use security key"))
    }
}
