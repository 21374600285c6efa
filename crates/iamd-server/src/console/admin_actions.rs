//! Changes from the administration pages of groups and roles: create, attach and detach a
//! managed policy, delete. Each is the API's operation as the signed-in user; its error
//! (a denial, AWS's DeleteConflict...) is shown on the entity's page.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde_json::{json, Map, Value};

use super::admin::{holder_page, segment, status_of};
use super::denial::render_error;
use super::visit::Active;
use super::Shared;

/// `POST /console/groups`: CreateGroup.
pub(crate) async fn create_group(State(console): Shared, Active(signed): Active) -> Response {
    let name = signed.visit.field("name").trim().to_string();
    match console
        .call(&signed, "CreateGroup", json!({"GroupName": name}))
        .await
    {
        Ok(_) => Redirect::to(&format!("/console/groups/{}", segment(&name))).into_response(),
        Err(e) => {
            let body = html! {
                (render_error(&e, &console.situation(&signed)))
                p { a href="/console/groups" { "Back to the groups" } }
            };
            console.render(&signed, status_of(&e), "Create group", body)
        }
    }
}

/// `POST /console/groups/NAME`.
pub(crate) async fn group(
    State(console): Shared,
    Path(name): Path<String>,
    Active(signed): Active,
) -> Response {
    act(console, signed, "Group", name).await
}

/// `POST /console/roles/NAME`.
pub(crate) async fn role(
    State(console): Shared,
    Path(name): Path<String>,
    Active(signed): Active,
) -> Response {
    act(console, signed, "Role", name).await
}

/// Attach, detach or delete for the group or role (`kind`) `name`.
async fn act(
    console: std::sync::Arc<super::Console>,
    signed: super::visit::Signed,
    kind: &str,
    name: String,
) -> Response {
    let mut input = Map::new();
    input.insert(format!("{kind}Name"), json!(name));
    let arn = signed.visit.field("arn").trim().to_string();
    let action = match signed.visit.field("do") {
        "attach" => format!("Attach{kind}Policy"),
        "detach" => format!("Detach{kind}Policy"),
        "delete" => format!("Delete{kind}"),
        _ => String::new(),
    };
    if action.starts_with("Attach") || action.starts_with("Detach") {
        input.insert("PolicyArn".into(), json!(arn));
    }
    let all = format!("/console/{}s", kind.to_lowercase());
    let result = match action.as_str() {
        "" => Err(iamd_core::IamError::validation("Unknown action.")),
        op => console.call(&signed, op, Value::Object(input)).await,
    };
    match result {
        Ok(_) if action.starts_with("Delete") => Redirect::to(&all).into_response(),
        Ok(_) => Redirect::to(&format!("{all}/{}", segment(&name))).into_response(),
        Err(e) => {
            let situation = console.situation(&signed);
            let mut page = holder_page(&console, &signed, kind, &name, |_| {
                render_error(&e, &situation)
            })
            .await;
            *page.status_mut() = status_of(&e);
            page
        }
    }
}
