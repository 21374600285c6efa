//! Editing customer managed policies: CreatePolicy and CreatePolicyVersion (as the new
//! default) from a text area. A refused document shows AWS's message and, from the same
//! validator the API runs (`iamd_policy::Policy::parse`), the place of the error in it.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use iamd_core::IamError;
use iamd_policy::{Policy, PolicyKind};
use maud::{html, Markup};
use serde_json::json;

use super::admin::{segment, status_of};
use super::denial::render_error;
use super::templates::{self, csrf_field};
use super::visit::{Active, Signed};
use super::{Console, Shared};

/// The editor's form posting to `action`: with a "Policy name" field when `name` is given.
pub(crate) fn form(
    signed: &Signed,
    action: &str,
    name: Option<&str>,
    document: &str,
    button: &str,
) -> Markup {
    html! {
        form method="post" action=(action) {
            (csrf_field(&signed.csrf))
            @if let Some(name) = name {
                (templates::field("Policy name", "name", "text", name, "off"))
            }
            div.field {
                label for="document" { "Policy document" }
                textarea #document name="document" rows="16" spellcheck="false" required { (document) }
            }
            button type="submit" { (button) }
        }
    }
}

/// Why a document (of `kind`) was refused: AWS's message, and where the validator found the
/// error.
fn refusal(
    console: &Console,
    signed: &Signed,
    e: &IamError,
    document: &str,
    kind: PolicyKind,
) -> Markup {
    if e.code != "MalformedPolicyDocument" {
        return render_error(e, &console.situation(signed));
    }
    let found = Policy::parse(document, kind).err();
    html! {
        div.error role="alert" {
            p { strong { "MalformedPolicyDocument: " } (e.message) }
            @if let Some(found) = found {
                @if !found.place.is_empty() { p { "At " code { (found.place) } } }
                @if !found.detail.is_empty() { p { (found.detail) } }
            }
        }
    }
}

/// Where an editor form posts and how it looks.
struct Editor<'a> {
    title: &'a str,
    action: &'a str,
    /// The "Policy name" field's value, for a new policy.
    name: Option<&'a str>,
    button: &'a str,
    /// Identity-based, or a role's trust policy (resource-based).
    kind: PolicyKind,
}

/// The editor again, after a refusal.
fn again(
    console: &Console,
    signed: &Signed,
    e: &IamError,
    editor: &Editor<'_>,
    document: &str,
) -> Response {
    let body = html! {
        (refusal(console, signed, e, document, editor.kind))
        (form(signed, editor.action, editor.name, document, editor.button))
    };
    console.render(signed, status_of(e), editor.title, body)
}

/// `POST /console/policies`: CreatePolicy.
pub(crate) async fn create(State(console): Shared, Active(signed): Active) -> Response {
    let name = signed.visit.field("name").trim().to_string();
    let document = signed.visit.field("document").to_string();
    let input = json!({"PolicyName": name, "PolicyDocument": document});
    match console.call(&signed, "CreatePolicy", input).await {
        Ok(out) => {
            let arn = out["Policy"]["Arn"].as_str().unwrap_or_default();
            Redirect::to(&format!("/console/policies/{}", segment(arn))).into_response()
        }
        Err(e) => {
            let editor = Editor {
                title: "Create policy",
                action: "/console/policies",
                name: Some(&name),
                button: "Create policy",
                kind: PolicyKind::Identity,
            };
            again(&console, &signed, &e, &editor, &document)
        }
    }
}

/// `POST /console/policies/ARN`: CreatePolicyVersion, set as the default.
pub(crate) async fn new_version(
    State(console): Shared,
    Path(arn): Path<String>,
    Active(signed): Active,
) -> Response {
    let document = signed.visit.field("document").to_string();
    let input = json!({"PolicyArn": arn, "PolicyDocument": document, "SetAsDefault": true});
    let page = format!("/console/policies/{}", segment(&arn));
    match console.call(&signed, "CreatePolicyVersion", input).await {
        Ok(_) => Redirect::to(&page).into_response(),
        Err(e) => {
            let editor = Editor {
                title: &format!("Policy {arn}"),
                action: &page,
                name: None,
                button: "Save as new default version",
                kind: PolicyKind::Identity,
            };
            again(&console, &signed, &e, &editor, &document)
        }
    }
}

/// `POST /console/users/NAME/inline-policy`: PutUserPolicy (add or replace an inline policy).
pub(crate) async fn put_user_policy(
    State(console): Shared,
    Path(user): Path<String>,
    Active(signed): Active,
) -> Response {
    let name = signed.visit.field("name").trim().to_string();
    let document = signed.visit.field("document").to_string();
    let input = json!({"UserName": user, "PolicyName": name, "PolicyDocument": document});
    let action = format!("/console/users/{}/inline-policy", segment(&user));
    match console.call(&signed, "PutUserPolicy", input).await {
        Ok(_) => Redirect::to(&format!("/console/users/{}", segment(&user))).into_response(),
        Err(e) => {
            let editor = Editor {
                title: &format!("Inline policy of {user}"),
                action: &action,
                name: Some(&name),
                button: "Save inline policy",
                kind: PolicyKind::Identity,
            };
            again(&console, &signed, &e, &editor, &document)
        }
    }
}

/// `POST /console/roles`: CreateRole with the trust policy from the editor.
pub(crate) async fn create_role(State(console): Shared, Active(signed): Active) -> Response {
    let name = signed.visit.field("name").trim().to_string();
    let document = signed.visit.field("document").to_string();
    let input = json!({"RoleName": name, "AssumeRolePolicyDocument": document});
    match console.call(&signed, "CreateRole", input).await {
        Ok(_) => Redirect::to(&format!("/console/roles/{}", segment(&name))).into_response(),
        Err(e) => {
            let editor = Editor {
                title: "Create role",
                action: "/console/roles",
                name: Some(&name),
                button: "Create role",
                kind: PolicyKind::Resource,
            };
            again(&console, &signed, &e, &editor, &document)
        }
    }
}
