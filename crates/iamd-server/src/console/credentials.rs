//! "My security credentials": the overview (password, MFA devices, access keys) and the
//! access keys' actions (create, the secret shown once with its CSV; activate, deactivate,
//! delete). The password change is `password`'s, the MFA wizard `mfa_wizard`'s.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use iamd_core::IamError;
use maud::{html, Markup};
use serde_json::{json, Value};

use super::denial::render_error;
use super::templates::{self, csrf_field};
use super::visit::Active;
use super::visit::Signed;
use super::{Console, Shared};

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

pub(crate) async fn overview_body(
    console: &Console,
    signed: &Signed,
    message: Option<Markup>,
) -> Markup {
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
