//! "My security credentials": the password change (forced after a reset), the MFA device
//! wizard (name, QR code and secret, two codes), removing a device, and access keys. Each
//! action is the IAM operation the API has, run as the signed-in user.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use iamd_core::entities::console_sessions::Stage;
use iamd_core::IamError;
use maud::{html, Markup};
use serde_json::{json, Value};

use super::denial::{render_error, Denial};
use super::templates::{self, code_field, csrf_field, field};
use super::visit::Active;
use super::visit::Signed;
use super::{Console, Shared};
use crate::pipeline::Incoming;

/// The account password policy, as rules to show (AWS's default policy when none is set).
fn policy_rules(console: &Console) -> Vec<String> {
    let state = console.pipeline.account.snapshot();
    let Some(p) = state.password_policy.as_deref() else {
        return vec![
            "At least 8 characters.".into(),
            "At least three of: uppercase letters, lowercase letters, numbers, symbols \
             (! @ # $ % ^ & * ( ) _ + - = [ ] { } | ')."
                .into(),
        ];
    };
    let mut rules = vec![format!(
        "At least {} characters.",
        p.minimum_password_length
    )];
    let kinds = [
        (p.require_uppercase_characters, "an uppercase letter (A-Z)"),
        (p.require_lowercase_characters, "a lowercase letter (a-z)"),
        (p.require_numbers, "a number (0-9)"),
        (
            p.require_symbols,
            "a symbol (! @ # $ % ^ & * ( ) _ + - = [ ] { } | ')",
        ),
    ];
    for (required, what) in kinds {
        if required {
            rules.push(format!("At least one {what}."));
        }
    }
    if let Some(n) = p.password_reuse_prevention {
        rules.push(format!("Not one of your last {n} passwords."));
    }
    if let Some(days) = p.max_password_age {
        rules.push(format!("Expires after {days} days."));
    }
    rules
}

/// The change-password page, forced (`ChangePassword` stage) or not.
fn password_page(console: &Console, signed: &Signed, message: Option<Markup>) -> Markup {
    let forced = signed.session.stage == Stage::ChangePassword;
    html! {
        @if forced {
            p { "You must change your password before you continue." }
        }
        @if let Some(message) = message { (message) }
        h2 { "Password policy" }
        ul.rules { @for rule in policy_rules(console) { li { (rule) } } }
        form method="post" action="/console/change-password" {
            (csrf_field(&signed.csrf))
            (field("Current password", "current", "password", "", "current-password"))
            (field("New password", "new", "password", "", "new-password"))
            (field("Confirm new password", "confirm", "password", "", "new-password"))
            button type="submit" { "Change password" }
        }
        @if forced {
            form method="post" action="/console/signout" {
                (csrf_field(&signed.csrf))
                button.secondary type="submit" { "Sign out" }
            }
        }
    }
}

/// The signed-in browser of the change-password page: forced after sign-in, or by choice.
async fn password_visitor(console: &Console, incoming: Incoming) -> Result<Signed, Response> {
    console
        .signed_in(incoming, &[Stage::ChangePassword, Stage::Active])
        .await
}

/// `GET /console/change-password`.
pub(crate) async fn password_form(State(console): Shared, incoming: Incoming) -> Response {
    let signed = match password_visitor(&console, incoming).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let body = password_page(&console, &signed, None);
    console.render(&signed, StatusCode::OK, "Change password", body)
}

/// `POST /console/change-password`: ChangePassword as the signed-in user (so policies that
/// deny it without MFA deny it here too, and the page says so).
pub(crate) async fn change_password(State(console): Shared, incoming: Incoming) -> Response {
    let signed = match password_visitor(&console, incoming).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let new = signed.visit.field("new");
    if new != signed.visit.field("confirm") {
        let message = templates::error("The new password and its confirmation differ.");
        let body = password_page(&console, &signed, Some(message));
        return console.render(&signed, StatusCode::BAD_REQUEST, "Change password", body);
    }
    let input = json!({"OldPassword": signed.visit.field("current"), "NewPassword": new});
    match console.call(&signed, "ChangePassword", input).await {
        Ok(_) => {
            let account = console.pipeline.account.clone();
            let cookie = signed.cookie.clone();
            let _ = tokio::task::spawn_blocking(move || {
                iamd_core::signin::password_changed(&account, &cookie)
            })
            .await;
            Redirect::to("/console/security-credentials?done=password").into_response()
        }
        Err(e) => {
            let message = password_error(&console, &signed, &e, new);
            let body = password_page(&console, &signed, Some(message));
            console.render(
                &signed,
                StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
                "Change password",
                body,
            )
        }
    }
}

/// Why the password was not changed, in plain words.
fn password_error(console: &Console, signed: &Signed, e: &IamError, new: &str) -> Markup {
    if let Some(denial) = Denial::of(e) {
        let situation = console.situation(signed);
        let lockout = denial.needs_mfa && !signed.has_mfa();
        return html! {
            @if lockout {
                p.error role="alert" {
                    strong { "Your password cannot be changed without MFA." }
                    " Your permissions deny iam:ChangePassword unless you signed in with MFA"
                    @if situation.has_device {
                        ". Sign out and sign in again with your MFA device."
                    } @else {
                        ", and you have no MFA device yet: you cannot set your password, and \
                         without it you cannot get MFA. Ask your administrator to reset your \
                         password without PasswordResetRequired, or to allow iam:ChangePassword \
                         without MFA."
                    }
                }
            }
            @if lockout { (denial.section(None)) } @else { (denial.render(&situation)) }
        };
    }
    if e.code == "PasswordPolicyViolation" {
        let state = console.pipeline.account.snapshot();
        let reasons =
            iamd_core::ops::passwords_api::check_password(new, state.password_policy.as_deref())
                .err()
                .unwrap_or_default();
        return html! {
            div.error role="alert" {
                p { (e.message) }
                @if !reasons.is_empty() { ul { @for r in &reasons { li { (r) } } } }
            }
        };
    }
    let situation = console.situation(signed);
    render_error(e, &situation)
}

/// `GET /console/security-credentials`.
pub(crate) async fn overview(State(console): Shared, uri: Uri, Active(signed): Active) -> Response {
    let done = uri.query().unwrap_or("").to_string();
    let notice = match done.as_str() {
        "done=password" => Some("Your password was changed."),
        "done=mfa" => Some(
            "Your MFA device is assigned. Sign out and sign in again with it to use the \
             permissions that require MFA.",
        ),
        "done=removed" => Some("The MFA device was removed."),
        "done=key" => Some("The access key was changed."),
        _ => None,
    };
    let body = overview_body(&console, &signed, notice.map(templates::notice)).await;
    console.render(&signed, StatusCode::OK, "My security credentials", body)
}

async fn overview_body(console: &Console, signed: &Signed, message: Option<Markup>) -> Markup {
    let situation = console.situation(signed);
    let devices = console.call(signed, "ListMFADevices", json!({})).await;
    let keys = console.call(signed, "ListAccessKeys", json!({})).await;
    html! {
        @if let Some(message) = message { (message) }
        p { "User " strong { (signed.user()) } }
        h2 { "Console password" }
        p { a href="/console/change-password" { "Change password" } }
        h2 { "Multi-factor authentication (MFA)" }
        @match &devices {
            Ok(out) => {
                @let list = out["MFADevices"].as_array().cloned().unwrap_or_default();
                @if list.is_empty() {
                    p { "No MFA device is assigned to you." }
                } @else {
                    table {
                        tr { th { "Device" } th { "Assigned" } th {} }
                        @for d in &list {
                            tr {
                                td { code { (d["SerialNumber"].as_str().unwrap_or("")) } }
                                td { (date(&d["EnableDate"])) }
                                td {
                                    form.inline method="post" action="/console/security-credentials/mfa/remove" {
                                        (csrf_field(&signed.csrf))
                                        input type="hidden" name="serial" value=(d["SerialNumber"].as_str().unwrap_or(""));
                                        button.secondary type="submit" { "Remove" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Err(e) => { (render_error(e, &situation)) }
        }
        form method="get" action="/console/security-credentials/mfa" {
            button type="submit" { "Assign MFA device" }
        }
        h2 { "Access keys" }
        @match &keys {
            Ok(out) => {
                @let list = out["AccessKeyMetadata"].as_array().cloned().unwrap_or_default();
                @if list.is_empty() { p { "You have no access keys." } }
                @else {
                    table {
                        tr { th { "Access key ID" } th { "Status" } th { "Created" } th {} }
                        @for k in &list {
                            @let id = k["AccessKeyId"].as_str().unwrap_or("");
                            @let active = k["Status"] == "Active";
                            tr {
                                td { code { (id) } }
                                td { (k["Status"].as_str().unwrap_or("")) }
                                td { (date(&k["CreateDate"])) }
                                td {
                                    form.inline method="post" action="/console/security-credentials/access-keys" {
                                        (csrf_field(&signed.csrf))
                                        input type="hidden" name="id" value=(id);
                                        @if active {
                                            button.secondary type="submit" name="do" value="deactivate" { "Deactivate" }
                                        } @else {
                                            button.secondary type="submit" name="do" value="activate" { "Activate" }
                                            " "
                                            button.secondary type="submit" name="do" value="delete" { "Delete" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Err(e) => { (render_error(e, &situation)) }
        }
        form method="post" action="/console/security-credentials/access-keys" {
            (csrf_field(&signed.csrf))
            button type="submit" name="do" value="create" { "Create access key" }
        }
    }
}

/// A date from an operation's output (Unix seconds or ISO text) as text.
fn date(value: &Value) -> String {
    match value {
        Value::Number(n) => n.as_i64().map(iamd_core::time::iso8601).unwrap_or_default(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

/// The wizard's first step: the device name (the user name by default).
fn name_page(signed: &Signed, name: &str, message: Option<Markup>) -> Markup {
    html! {
        @if let Some(message) = message { (message) }
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

/// `POST /console/security-credentials/access-keys`: create (the secret shown once),
/// activate, deactivate or delete one of the user's access keys.
pub(crate) async fn access_keys(State(console): Shared, Active(signed): Active) -> Response {
    let id = signed.visit.field("id").to_string();
    let user = signed.user().to_string();
    let result = match signed.visit.field("do") {
        "create" => console.call(&signed, "CreateAccessKey", json!({})).await,
        "activate" | "deactivate" => {
            let status = if signed.visit.field("do") == "activate" {
                "Active"
            } else {
                "Inactive"
            };
            let input = json!({"UserName": user, "AccessKeyId": id, "Status": status});
            console.call(&signed, "UpdateAccessKey", input).await
        }
        "delete" => {
            let input = json!({"UserName": user, "AccessKeyId": id});
            console.call(&signed, "DeleteAccessKey", input).await
        }
        _ => Err(IamError::validation("Unknown access key action.")),
    };
    match result {
        Ok(out) if out.get("AccessKey").is_some() => {
            let key = &out["AccessKey"];
            let id = key["AccessKeyId"].as_str().unwrap_or("");
            let secret = key["SecretAccessKey"].as_str().unwrap_or("");
            // AWS's CSV layout, built in the page (never a URL the server sees).
            let csv = format!("Access key ID,Secret access key\n{id},{secret}\n");
            let csv_url = format!(
                "data:text/csv;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(csv)
            );
            let file = format!("{user}_accessKeys.csv");
            let body = html! {
                p.notice role="status" { "Your new access key. The secret is shown only now: copy it to a safe place." }
                table {
                    tr { th { "Access key ID" } td { code #access-key-id { (id) } } }
                    tr { th { "Secret access key" } td { code.secret #secret-access-key { (secret) } } }
                }
                p { a.button href=(csv_url) download=(file) { "Download .csv file" } }
                p { a href="/console/security-credentials" { "Done" } }
            };
            console.render(&signed, StatusCode::OK, "Access key created", body)
        }
        Ok(_) => Redirect::to("/console/security-credentials?done=key").into_response(),
        Err(e) => {
            let message = render_error(&e, &console.situation(&signed));
            let body = overview_body(&console, &signed, Some(message)).await;
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            console.render(&signed, status, "My security credentials", body)
        }
    }
}
