//! The virtual MFA device wizard of "My security credentials": the device name (the user
//! name by default), the QR code and the secret key, two consecutive codes; an abandoned
//! device of the same name deleted when the user may, else the administrator's commands;
//! removing a device. Each step is the API's operation as the signed-in user.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use iamd_core::IamError;
use maud::{html, Markup};
use serde_json::{json, Value};

use super::denial::render_error;
use super::templates::{self, code_field, csrf_field, field};
use super::visit::Active;
use super::visit::Signed;
use super::{Console, Shared};

use super::credentials::overview_body;

/// The wizard's first step: the device name (the user name by default).
fn name_page(signed: &Signed, name: &str, message: Option<Markup>) -> Markup {
    html! {
        @if let Some(message) = message { (message) }
        h2 { "Security key" }
        p {
            "A FIDO2 security key (USB or NFC), for console sign-in. "
            a.button href="/console/security-credentials/security-key" { "Security key" }
        }
        h2 { "Authenticator app" }
        p { "Install an authenticator app on your phone (any TOTP app). Then name the device and show its QR code." }
        form method="post" action="/console/security-credentials/mfa" {
            (csrf_field(&signed.csrf))
            (field("Device name", "name", "text", name, "off"))
            button type="submit" { "Show QR code" }
        }
    }
}

/// `GET /console/security-credentials/mfa`.
pub(crate) async fn mfa_name_form(State(console): Shared, Active(signed): Active) -> Response {
    let body = name_page(&signed, signed.user(), None);
    console.render(&signed, StatusCode::OK, "Assign MFA device", body)
}

/// `POST /console/security-credentials/mfa`: CreateVirtualMFADevice; a device of that name
/// left unassigned (an abandoned wizard) is deleted first when the user may, else the page
/// says who must delete it and how.
pub(crate) async fn mfa_create(State(console): Shared, Active(signed): Active) -> Response {
    let name = signed.visit.field("name").trim().to_string();
    let input = json!({"VirtualMFADeviceName": name});
    let mut created = console
        .call(&signed, "CreateVirtualMFADevice", input.clone())
        .await;
    if matches!(&created, Err(e) if e.code == "EntityAlreadyExists") {
        let serial = format!(
            "arn:aws:iam::{}:mfa/{name}",
            console.pipeline.account.account_id()
        );
        let state = console.pipeline.account.snapshot();
        let abandoned = state
            .mfa_devices
            .get(&serial)
            .is_some_and(|d| d.user.is_none());
        if !abandoned {
            let message = templates::error(&format!(
                "An MFA device named {name} is already assigned. Choose another name."
            ));
            let body = name_page(&signed, &name, Some(message));
            return console.render(&signed, StatusCode::CONFLICT, "Assign MFA device", body);
        }
        let deleted = console
            .call(
                &signed,
                "DeleteVirtualMFADevice",
                json!({"SerialNumber": serial}),
            )
            .await;
        if let Err(e) = deleted {
            let body = name_page(
                &signed,
                &name,
                Some(abandoned_device(&console, &signed, &serial, &e)),
            );
            return console.render(&signed, StatusCode::CONFLICT, "Assign MFA device", body);
        }
        created = console.call(&signed, "CreateVirtualMFADevice", input).await;
    }
    match created {
        Ok(out) => {
            let body = qr_page(&signed, &out["VirtualMFADevice"]);
            console.render(&signed, StatusCode::OK, "Assign MFA device", body)
        }
        Err(e) => {
            let message = render_error(&e, &console.situation(&signed));
            let body = name_page(&signed, &name, Some(message));
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            console.render(&signed, status, "Assign MFA device", body)
        }
    }
}

/// An unassigned device of the same name that the user may not delete (seed 001): an
/// administrator must, with these commands.
fn abandoned_device(console: &Console, signed: &Signed, serial: &str, e: &IamError) -> Markup {
    html! {
        div.error role="alert" {
            p {
                strong { "An unfinished MFA device with this name is in the way, and you are not allowed to delete it." }
                " An administrator must delete it; then try again. The administrator runs:"
            }
            pre { code {
                "aws iam list-virtual-mfa-devices --assignment-status Unassigned\n"
                "aws iam delete-virtual-mfa-device --serial-number " (serial)
            } }
        }
        (render_error(e, &console.situation(signed)))
    }
}

/// The wizard's second step: the QR code, the secret as text, two codes.
fn qr_page(signed: &Signed, device: &Value) -> Markup {
    let serial = device["SerialNumber"].as_str().unwrap_or("");
    let png = device["QRCodePNG"].as_str().unwrap_or("");
    let secret = device["Base32StringSeed"]
        .as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    html! {
        ol {
            li { "Scan this QR code with your authenticator app, or type the secret key into it." }
            li { "Enter two consecutive codes the app shows." }
        }
        div.qr { img src={ "data:image/png;base64," (png) } alt="QR code of the MFA device"; }
        div.field {
            span #secret-label { strong { "Secret key" } }
            code.secret aria-labelledby="secret-label" role="textbox" aria-readonly="true" { (secret) }
        }
        (codes_form(signed, serial))
    }
}

/// The two codes' form for device `serial`.
fn codes_form(signed: &Signed, serial: &str) -> Markup {
    html! {
        form method="post" action="/console/security-credentials/mfa/enable" {
            (csrf_field(&signed.csrf))
            input type="hidden" name="serial" value=(serial);
            (code_field("MFA code 1", "code1"))
            (code_field("MFA code 2", "code2"))
            button type="submit" { "Add MFA" }
        }
    }
}

/// `POST /console/security-credentials/mfa/enable`: EnableMFADevice with two codes.
pub(crate) async fn mfa_enable(State(console): Shared, Active(signed): Active) -> Response {
    let serial = signed.visit.field("serial").to_string();
    let input = json!({
        "UserName": signed.user(),
        "SerialNumber": serial,
        "AuthenticationCode1": signed.visit.field("code1").trim(),
        "AuthenticationCode2": signed.visit.field("code2").trim(),
    });
    match console.call(&signed, "EnableMFADevice", input).await {
        Ok(_) => Redirect::to("/console/security-credentials?done=mfa").into_response(),
        Err(e) => {
            let message = if e.code == "InvalidAuthenticationCode" {
                templates::error(
                    "The codes were not accepted. Enter two consecutive codes from your app \
                     (wait for a new code after the first), and try again.",
                )
            } else {
                render_error(&e, &console.situation(&signed))
            };
            let body = html! { (message) (codes_form(&signed, &serial)) };
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            console.render(&signed, status, "Assign MFA device", body)
        }
    }
}

/// `POST /console/security-credentials/mfa/remove`: DeactivateMFADevice, then
/// DeleteVirtualMFADevice for a virtual device.
pub(crate) async fn mfa_remove(State(console): Shared, Active(signed): Active) -> Response {
    let serial = signed.visit.field("serial").to_string();
    let input = json!({"UserName": signed.user(), "SerialNumber": serial});
    let mut result = console.call(&signed, "DeactivateMFADevice", input).await;
    if result.is_ok() && serial.contains(":mfa/") {
        result = console
            .call(
                &signed,
                "DeleteVirtualMFADevice",
                json!({"SerialNumber": serial}),
            )
            .await;
    }
    match result {
        Ok(_) => Redirect::to("/console/security-credentials?done=removed").into_response(),
        Err(e) => {
            let message = render_error(&e, &console.situation(&signed));
            let body = overview_body(&console, &signed, Some(message)).await;
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            console.render(&signed, status, "My security credentials", body)
        }
    }
}
