//! Administration pages for those allowed: groups, managed policies (with their default
//! document), roles (with their trust policy). Read through the API's operations as the
//! signed-in user: a page shows what the API would return to that identity, and a denial
//! says why.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::Response;
use iamd_core::IamError;
use maud::{html, Markup};
use serde_json::{json, Value};

use super::denial::render_error;
use super::templates::{self, csrf_field};
use super::visit::Active;
use super::visit::Signed;
use super::{Console, Shared};

/// A column of a list: its heading and the member shown.
type Column = (&'static str, &'static str);

/// A list page: operation `action`'s `member` as a table, the first column linking to
/// `link_prefix` + the value of `link_key`.
struct List {
    title: &'static str,
    action: &'static str,
    input: Value,
    member: &'static str,
    columns: &'static [Column],
    link_prefix: &'static str,
    link_key: &'static str,
}

/// The list page; `after` below the table when the list could be read.
async fn list_page(console: &Console, signed: &Signed, list: List, after: Markup) -> Response {
    let (status, body) = match console.call(signed, list.action, list.input).await {
        Ok(out) => {
            let items = out[list.member].as_array().cloned().unwrap_or_default();
            let body = html! {
                p { "Total: " (items.len()) }
                table {
                    tr { @for (heading, _) in list.columns { th { (heading) } } }
                    @for item in &items {
                        tr {
                            @for (i, (_, key)) in list.columns.iter().enumerate() {
                                td {
                                    @if i == 0 {
                                        a href={ (list.link_prefix) (segment(&text(&item[list.link_key]))) } { (text(&item[*key])) }
                                    } @else {
                                        (text(&item[*key]))
                                    }
                                }
                            }
                        }
                    }
                }
                (after)
            };
            (StatusCode::OK, body)
        }
        Err(e) => (status_of(&e), render_error(&e, &console.situation(signed))),
    };
    console.render(signed, status, list.title, body)
}

/// One section of a detail page: an operation's result, or its denial.
fn section(
    console: &Console,
    signed: &Signed,
    result: &Result<Value, IamError>,
    show: impl Fn(&Value) -> Markup,
) -> Markup {
    match result {
        Ok(out) => show(out),
        Err(e) => render_error(e, &console.situation(signed)),
    }
}

/// The names under `member` (objects' `key`, or strings) as a list.
fn names(out: &Value, member: &str, key: &str) -> Markup {
    let items = out[member].as_array().cloned().unwrap_or_default();
    html! {
        @if items.is_empty() { p { "None." } }
        @else { ul { @for item in &items { li { (text(if key.is_empty() { item } else { &item[key] })) } } } }
    }
}

/// A policy document from an operation's output, percent-decoded and pretty-printed.
pub(crate) fn decoded_document(encoded: &Value) -> String {
    let raw = text(encoded);
    let decoded = percent_encoding::percent_decode_str(&raw)
        .decode_utf8()
        .map(|d| d.into_owned())
        .unwrap_or(raw);
    serde_json::from_str::<Value>(&decoded)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or(decoded)
}

fn document(encoded: &Value) -> Markup {
    html! { pre { code { (decoded_document(encoded)) } } }
}

pub(crate) fn status_of(e: &IamError) -> StatusCode {
    StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST)
}

/// `GET /console/groups`.
pub(crate) async fn groups(State(console): Shared, Active(signed): Active) -> Response {
    let list = List {
        title: "Groups",
        action: "ListGroups",
        input: json!({"MaxItems": 1000}),
        member: "Groups",
        columns: &[
            ("Group name", "GroupName"),
            ("ARN", "Arn"),
            ("Created", "CreateDate"),
        ],
        link_prefix: "/console/groups/",
        link_key: "GroupName",
    };
    let create = html! {
        h2 { "Create group" }
        form method="post" action="/console/groups" {
            (csrf_field(&signed.csrf))
            (templates::field("Group name", "name", "text", "", "off"))
            button type="submit" { "Create group" }
        }
    };
    list_page(&console, &signed, list, create).await
}

/// `GET /console/groups/NAME`.
pub(crate) async fn group(
    State(console): Shared,
    Path(name): Path<String>,
    Active(signed): Active,
) -> Response {
    holder_page(&console, &signed, "Group", &name, |out| {
        html! {
            p { code { (text(&out["Group"]["Arn"])) } }
            h2 { "Users" } (names(out, "Users", "UserName"))
        }
    })
    .await
}

/// A group's or a role's page (`kind`: `Group` or `Role`): Get{kind} shown by `head`, then
/// its attached policies (attach, detach) and inline policies, and its deletion.
pub(crate) async fn holder_page(
    console: &Console,
    signed: &Signed,
    kind: &str,
    name: &str,
    head: impl Fn(&Value) -> Markup,
) -> Response {
    let mut input = serde_json::Map::new();
    input.insert(format!("{kind}Name"), json!(name));
    let input = Value::Object(input);
    let got = console
        .call(signed, &format!("Get{kind}"), input.clone())
        .await;
    let attached = console
        .call(
            signed,
            &format!("ListAttached{kind}Policies"),
            input.clone(),
        )
        .await;
    let inline = console
        .call(signed, &format!("List{kind}Policies"), input)
        .await;
    let status = got.as_ref().err().map_or(StatusCode::OK, status_of);
    let all = format!("/console/{}s", kind.to_lowercase());
    let page = format!("{all}/{}", segment(name));
    let act = |action: &str, extra: Option<(&str, &str)>, button: &str| {
        html! {
            form.inline method="post" action=(page) {
                (csrf_field(&signed.csrf))
                input type="hidden" name="do" value=(action);
                @if let Some((k, v)) = extra { input type="hidden" name=(k) value=(v); }
                button.secondary type="submit" { (button) }
            }
        }
    };
    let body = html! {
        (section(console, signed, &got, head))
        h2 { "Attached policies" }
        (section(console, signed, &attached, |out| {
            let items = out["AttachedPolicies"].as_array().cloned().unwrap_or_default();
            html! {
                @if items.is_empty() { p { "None." } }
                ul { @for p in &items {
                    @let arn = text(&p["PolicyArn"]);
                    li { a href={ "/console/policies/" (segment(&arn)) } { (arn) } " " (act("detach", Some(("arn", &arn)), "Detach")) }
                } }
            }
        }))
        form method="post" action=(page) {
            (csrf_field(&signed.csrf))
            input type="hidden" name="do" value="attach";
            (templates::field("Policy ARN", "arn", "text", "", "off"))
            button type="submit" { "Attach policy" }
        }
        h2 { "Inline policies" }
        (section(console, signed, &inline, |out| names(out, "PolicyNames", "")))
        h2 { "Delete" }
        (act("delete", None, &format!("Delete {}", kind.to_lowercase())))
        p { a href=(all) { "All " (kind.to_lowercase()) "s" } }
    };
    console.render(signed, status, &format!("{kind} {name}"), body)
}

/// `GET /console/policies`: the customer managed policies (`?scope=AWS`: AWS's).
pub(crate) async fn policies(State(console): Shared, uri: Uri, Active(signed): Active) -> Response {
    let aws = uri.query() == Some("scope=AWS");
    let list = List {
        title: if aws {
            "AWS managed policies"
        } else {
            "Policies"
        },
        action: "ListPolicies",
        input: json!({"Scope": if aws { "AWS" } else { "Local" }, "MaxItems": 1000}),
        member: "Policies",
        columns: &[
            ("Policy name", "PolicyName"),
            ("ARN", "Arn"),
            ("Attachments", "AttachmentCount"),
        ],
        link_prefix: "/console/policies/",
        link_key: "Arn",
    };
    let create = if aws {
        Markup::default()
    } else {
        html! { h2 { "Create policy" } (super::policy_editor::form(&signed, "/console/policies", Some(""), "", "Create policy")) }
    };
    list_page(&console, &signed, list, create).await
}

/// `GET /console/policies/ARN-or-NAME`: the policy and its default version's document.
pub(crate) async fn policy(
    State(console): Shared,
    Path(id): Path<String>,
    Active(signed): Active,
) -> Response {
    let arn = if id.starts_with("arn:") {
        id.clone()
    } else {
        format!(
            "arn:aws:iam::{}:policy/{id}",
            console.pipeline.account.account_id()
        )
    };
    let got = console
        .call(&signed, "GetPolicy", json!({"PolicyArn": arn}))
        .await;
    let version = match &got {
        Ok(out) => Some(
            console
                .call(
                    &signed,
                    "GetPolicyVersion",
                    json!({"PolicyArn": arn, "VersionId": out["Policy"]["DefaultVersionId"]}),
                )
                .await,
        ),
        Err(_) => None,
    };
    let status = got.as_ref().err().map_or(StatusCode::OK, status_of);
    let body = html! {
        (section(&console, &signed, &got, |out| html! {
            p { code { (text(&out["Policy"]["Arn"])) } }
            p { (text(&out["Policy"]["Description"])) }
            p { "Default version " (text(&out["Policy"]["DefaultVersionId"])) ", attached "
                (text(&out["Policy"]["AttachmentCount"])) " times." }
        }))
        @if let Some(version) = &version {
            h2 { "Document" }
            (section(&console, &signed, version, |out| document(&out["PolicyVersion"]["Document"])))
            @if let Ok(out) = version {
                h2 { "Edit document" }
                (super::policy_editor::form(&signed, &format!("/console/policies/{}", segment(&arn)), None,
                    &decoded_document(&out["PolicyVersion"]["Document"]), "Save as new default version"))
            }
        }
        p { a href="/console/policies" { "All policies" } " · " a href="/console/policies?scope=AWS" { "AWS managed policies" } }
    };
    console.render(&signed, status, &format!("Policy {id}"), body)
}

/// `GET /console/roles`.
pub(crate) async fn roles(State(console): Shared, Active(signed): Active) -> Response {
    let list = List {
        title: "Roles",
        action: "ListRoles",
        input: json!({"MaxItems": 1000}),
        member: "Roles",
        columns: &[
            ("Role name", "RoleName"),
            ("ARN", "Arn"),
            ("Created", "CreateDate"),
        ],
        link_prefix: "/console/roles/",
        link_key: "RoleName",
    };
    let create = html! {
        h2 { "Create role" }
        (super::policy_editor::form(&signed, "/console/roles", Some(""), "", "Create role"))
    };
    list_page(&console, &signed, list, create).await
}

/// `GET /console/roles/NAME`: the role, its trust policy and its policies.
pub(crate) async fn role(
    State(console): Shared,
    Path(name): Path<String>,
    Active(signed): Active,
) -> Response {
    holder_page(&console, &signed, "Role", &name, |out| {
        html! {
            p { code { (text(&out["Role"]["Arn"])) } }
            h2 { "Trust policy" }
            (document(&out["Role"]["AssumeRolePolicyDocument"]))
        }
    })
    .await
}

/// A JSON value as text (dates in seconds as ISO 8601).
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n
            .as_i64()
            .filter(|secs| *secs > 100_000_000)
            .map(iamd_core::time::iso8601)
            .unwrap_or_else(|| n.to_string()),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A path segment, percent-encoded.
pub(crate) fn segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
