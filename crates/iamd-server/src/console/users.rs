//! The users pages: ListUsers, and one user's groups, policies and MFA devices; each part
//! is the API's operation run as the signed-in user, so a page shows what the API would
//! return to that identity, and a denial says why and what to do.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use iamd_core::entities::console_sessions::Stage;
use maud::{html, Markup};
use serde_json::{json, Value};

use super::admin::{segment, text};
use super::denial::render_error;
use super::Shared;
use crate::pipeline::Incoming;

/// `GET /console/users`.
pub(crate) async fn list(State(console): Shared, incoming: Incoming) -> Response {
    let signed = match console.signed_in(incoming, &[Stage::Active]).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (status, body) = match console
        .call(&signed, "ListUsers", json!({"MaxItems": 1000}))
        .await
    {
        Ok(out) => (StatusCode::OK, users_table(&out)),
        Err(e) => (
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::FORBIDDEN),
            render_error(&e, &console.situation(&signed)),
        ),
    };
    console.render(&signed, status, "Users", body)
}

fn users_table(out: &Value) -> Markup {
    let users = out["Users"].as_array().cloned().unwrap_or_default();
    html! {
        p { (users.len()) " users" }
        table {
            tr { th { "User name" } th { "ARN" } th { "Created" } }
            @for u in &users {
                @let name = u["UserName"].as_str().unwrap_or("");
                tr {
                    td { a href={ "/console/users/" (segment(name)) } { (name) } }
                    td { code { (u["Arn"].as_str().unwrap_or("")) } }
                    td { (text(&u["CreateDate"])) }
                }
            }
        }
    }
}

/// `GET /console/users/NAME`.
pub(crate) async fn detail(
    State(console): Shared,
    Path(name): Path<String>,
    incoming: Incoming,
) -> Response {
    let signed = match console.signed_in(incoming, &[Stage::Active]).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let user = json!({"UserName": name});
    let got = console.call(&signed, "GetUser", user.clone()).await;
    let status = match &got {
        Ok(_) => StatusCode::OK,
        Err(e) => StatusCode::from_u16(e.status).unwrap_or(StatusCode::FORBIDDEN),
    };
    let groups = console
        .call(&signed, "ListGroupsForUser", user.clone())
        .await;
    let attached = console
        .call(&signed, "ListAttachedUserPolicies", user.clone())
        .await;
    let inline = console
        .call(&signed, "ListUserPolicies", user.clone())
        .await;
    let devices = console.call(&signed, "ListMFADevices", user).await;
    let situation = console.situation(&signed);
    let section = |result: &Result<Value, iamd_core::IamError>, member: &str, key: &str| {
        match result {
            Ok(out) => {
                let items = out[member].as_array().cloned().unwrap_or_default();
                html! {
                    @if items.is_empty() { p { "None." } }
                    @else { ul { @for item in &items { li { (text(if key.is_empty() { item } else { &item[key] })) } } } }
                }
            }
            Err(e) => render_error(e, &situation),
        }
    };
    let body = html! {
        @match &got {
            Ok(out) => {
                dl {
                    dt { "ARN" } dd { code { (text(&out["User"]["Arn"])) } }
                    dt { "User ID" } dd { code { (text(&out["User"]["UserId"])) } }
                    dt { "Created" } dd { (text(&out["User"]["CreateDate"])) }
                }
            }
            Err(e) => { (render_error(e, &situation)) }
        }
        h2 { "Groups" } (section(&groups, "Groups", "GroupName"))
        h2 { "Attached policies" } (section(&attached, "AttachedPolicies", "PolicyName"))
        h2 { "Inline policies" } (section(&inline, "PolicyNames", ""))
        h2 { "MFA devices" } (section(&devices, "MFADevices", "SerialNumber"))
        p { a href="/console/users" { "All users" } }
    };
    console.render(&signed, status, &format!("User {name}"), body)
}
