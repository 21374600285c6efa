//! The users pages: the list (and creating a user with a temporary password), and one
//! user's groups, policies (attached and inline), MFA devices and password, with their changes; each part is the
//! API's operation run as the signed-in user, so a page shows what the API would return to
//! that identity, and a denial says why and what to do.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde_json::{json, Value};

use iamd_core::IamError;

use super::admin::{segment, status_of, text};
use super::denial::render_error;
use super::templates::{self, csrf_field};
use super::visit::Active;
use super::visit::Signed;
use super::{Console, Shared};

/// `GET /console/users`.
pub(crate) async fn list(State(console): Shared, Active(signed): Active) -> Response {
    let (status, body) = list_body(&console, &signed, None).await;
    console.render(&signed, status, "Users", body)
}

async fn list_body(
    console: &Console,
    signed: &Signed,
    message: Option<Markup>,
) -> (StatusCode, Markup) {
    let listed = console
        .call(signed, "ListUsers", json!({"MaxItems": 1000}))
        .await;
    let (status, table) = match &listed {
        Ok(out) => (StatusCode::OK, users_table(out)),
        Err(e) => (status_of(e), render_error(e, &console.situation(signed))),
    };
    let body = html! {
        @if let Some(message) = message { (message) }
        (table)
        @if listed.is_ok() {
            h2 { "Create user" }
            form method="post" action="/console/users" {
                (csrf_field(&signed.csrf))
                (templates::field("User name", "name", "text", "", "off"))
                div.field {
                    label for="password" { "Console password (empty: none)" }
                    input #password name="password" type="password" autocomplete="new-password";
                }
                div.field {
                    label.option { input type="checkbox" name="reset" value="true" checked; " User must create a new password at next sign-in" }
                }
                button type="submit" { "Create user" }
            }
        }
    };
    (status, body)
}

/// `POST /console/users`: CreateUser, then CreateLoginProfile when a password is given.
pub(crate) async fn create(State(console): Shared, Active(signed): Active) -> Response {
    let name = signed.visit.field("name").trim().to_string();
    let password = signed.visit.field("password").to_string();
    let mut result = console
        .call(&signed, "CreateUser", json!({"UserName": name}))
        .await;
    if result.is_ok() && !password.is_empty() {
        let input = json!({
            "UserName": name,
            "Password": password,
            "PasswordResetRequired": signed.visit.field("reset") == "true",
        });
        result = console.call(&signed, "CreateLoginProfile", input).await;
    }
    let message = match &result {
        Ok(_) => templates::notice(&format!("User {name} was created.")),
        Err(e) => render_error(e, &console.situation(&signed)),
    };
    let (status, body) = list_body(&console, &signed, Some(message)).await;
    let status = result.as_ref().err().map_or(status, status_of);
    console.render(&signed, status, "Users", body)
}

fn users_table(out: &Value) -> Markup {
    let users = out["Users"].as_array().cloned().unwrap_or_default();
    html! {
        p { "Total: " (users.len()) }
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
    Active(signed): Active,
) -> Response {
    let (status, body) = detail_body(&console, &signed, &name, None).await;
    console.render(&signed, status, &format!("User {name}"), body)
}

/// A small form posting `do` = `action` (with `extra` hidden fields) to the user's page.
fn action_form(
    signed: &Signed,
    name: &str,
    action: &str,
    extra: &[(&str, &str)],
    button: &str,
) -> Markup {
    html! {
        form.inline method="post" action={ "/console/users/" (segment(name)) } {
            (csrf_field(&signed.csrf))
            input type="hidden" name="do" value=(action);
            @for (k, v) in extra { input type="hidden" name=(k) value=(v); }
            button.secondary type="submit" { (button) }
        }
    }
}

/// The items under `member` of an operation's result, each shown by `show`; or its denial.
fn entries(
    result: &Result<Value, IamError>,
    member: &str,
    situation: &super::denial::Situation,
    show: impl Fn(&Value) -> Markup,
) -> Markup {
    match result {
        Ok(out) => {
            let list = out[member].as_array().cloned().unwrap_or_default();
            html! {
                @if list.is_empty() { p { "None." } }
                ul { @for item in &list { li { (show(item)) } } }
            }
        }
        Err(e) => render_error(e, situation),
    }
}

/// A form posting `do` = `action` with one text field (`label`, `field`).
fn input_form(
    signed: &Signed,
    name: &str,
    action: &str,
    (label, field): (&str, &str),
    button: &str,
) -> Markup {
    html! {
        form method="post" action={ "/console/users/" (segment(name)) } {
            (csrf_field(&signed.csrf))
            input type="hidden" name="do" value=(action);
            (templates::field(label, field, "text", "", "off"))
            button type="submit" { (button) }
        }
    }
}

async fn detail_body(
    console: &Console,
    signed: &Signed,
    name: &str,
    message: Option<Markup>,
) -> (StatusCode, Markup) {
    let user = json!({"UserName": name});
    let got = console.call(signed, "GetUser", user.clone()).await;
    let status = got.as_ref().err().map_or(StatusCode::OK, status_of);
    let groups = console
        .call(signed, "ListGroupsForUser", user.clone())
        .await;
    let attached = console
        .call(signed, "ListAttachedUserPolicies", user.clone())
        .await;
    let inline = console.call(signed, "ListUserPolicies", user.clone()).await;
    let devices = console.call(signed, "ListMFADevices", user).await;
    let situation = console.situation(signed);
    let items = |result: &Result<Value, IamError>, member: &str| match result {
        Ok(out) => Ok(out[member].as_array().cloned().unwrap_or_default()),
        Err(e) => Err(render_error(e, &situation)),
    };
    let body = html! {
        @if let Some(message) = message { (message) }
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
        h2 { "Groups" }
        (entries(&groups, "Groups", &situation, |g| {
            let group = text(&g["GroupName"]);
            html! { a href={ "/console/groups/" (segment(&group)) } { (group) } " " (action_form(signed, name, "remove-group", &[("group", &group)], "Remove")) }
        }))
        (input_form(signed, name, "add-group", ("Group name", "group"), "Add to group"))
        h2 { "Attached policies" }
        (entries(&attached, "AttachedPolicies", &situation, |p| {
            let arn = text(&p["PolicyArn"]);
            html! { a href={ "/console/policies/" (segment(&arn)) } { (text(&p["PolicyName"])) } " " (action_form(signed, name, "detach", &[("arn", &arn)], "Detach")) }
        }))
        (input_form(signed, name, "attach", ("Policy ARN", "arn"), "Attach policy"))
        h2 { "Inline policies" }
        (entries(&inline, "PolicyNames", &situation, |p| {
            let policy = text(p);
            html! { (policy) " " (action_form(signed, name, "delete-inline", &[("policy", &policy)], "Delete")) }
        }))
        (super::policy_editor::form(signed, &format!("/console/users/{}/inline-policy", segment(name)), Some(""), "", "Save inline policy"))
        h2 { "MFA devices" }
        @match items(&devices, "MFADevices") {
            Ok(list) => { @if list.is_empty() { p { "None: this user has no MFA." } } ul { @for d in &list { li { code { (text(&d["SerialNumber"])) } } } } }
            Err(denied) => { (denied) }
        }
        h2 { "Console password" }
        form method="post" action={ "/console/users/" (segment(name)) } {
            (csrf_field(&signed.csrf))
            input type="hidden" name="do" value="password";
            div.field {
                label for="password" { "New console password" }
                input #password name="password" type="password" autocomplete="new-password" required;
            }
            div.field {
                label.option { input type="checkbox" name="reset" value="true" checked; " User must create a new password at next sign-in" }
            }
            button type="submit" { "Set password" }
        }
        h2 { "Delete" }
        (action_form(signed, name, "delete", &[], "Delete user"))
        p { a href="/console/users" { "All users" } }
    };
    (status, body)
}

/// `POST /console/users/NAME`: add to or remove from a group, attach or detach a managed
/// policy, set the console password, or delete the user.
pub(crate) async fn act(
    State(console): Shared,
    Path(name): Path<String>,
    Active(signed): Active,
) -> Response {
    let field = |key: &str| signed.visit.field(key).trim().to_string();
    let action = field("do");
    let result = match action.as_str() {
        "add-group" | "remove-group" => {
            let op = if action == "add-group" {
                "AddUserToGroup"
            } else {
                "RemoveUserFromGroup"
            };
            console
                .call(
                    &signed,
                    op,
                    json!({"UserName": name, "GroupName": field("group")}),
                )
                .await
        }
        "attach" | "detach" => {
            let op = if action == "attach" {
                "AttachUserPolicy"
            } else {
                "DetachUserPolicy"
            };
            console
                .call(
                    &signed,
                    op,
                    json!({"UserName": name, "PolicyArn": field("arn")}),
                )
                .await
        }
        "password" => {
            let input = json!({
                "UserName": name,
                "Password": signed.visit.field("password"),
                "PasswordResetRequired": field("reset") == "true",
            });
            match console
                .call(&signed, "UpdateLoginProfile", input.clone())
                .await
            {
                Err(e) if e.code == "NoSuchEntity" => {
                    console.call(&signed, "CreateLoginProfile", input).await
                }
                other => other,
            }
        }
        "delete-inline" => {
            let input = json!({"UserName": name, "PolicyName": field("policy")});
            console.call(&signed, "DeleteUserPolicy", input).await
        }
        "delete" => {
            let deleted = console
                .call(&signed, "DeleteUser", json!({"UserName": name}))
                .await;
            if deleted.is_ok() {
                let message = templates::notice(&format!("User {name} was deleted."));
                let (status, body) = list_body(&console, &signed, Some(message)).await;
                return console.render(&signed, status, "Users", body);
            }
            deleted
        }
        _ => Err(IamError::validation("Unknown action.")),
    };
    let message = match &result {
        Ok(_) => templates::notice("Done."),
        Err(e) => render_error(e, &console.situation(&signed)),
    };
    let (status, body) = detail_body(&console, &signed, &name, Some(message)).await;
    let status = result.as_ref().err().map_or(status, status_of);
    console.render(&signed, status, &format!("User {name}"), body)
}
