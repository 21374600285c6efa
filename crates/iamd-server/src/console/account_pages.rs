//! Account-wide administration pages: the password policy (shown and edited), the credential
//! report (a table and the CSV), and the policy simulator. Each is the API's operations run
//! as the signed-in user.

use axum::extract::State;
use axum::http::Uri;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use maud::{html, Markup};
use serde_json::{json, Value};

use super::admin::text;
use super::denial::render_error;
use super::templates::{self, csrf_field};
use super::visit::Active;
use super::visit::Signed;
use super::{Console, Shared};

const RULES: [(&str, &str); 5] = [
    (
        "RequireUppercaseCharacters",
        "Require at least one uppercase letter",
    ),
    (
        "RequireLowercaseCharacters",
        "Require at least one lowercase letter",
    ),
    ("RequireNumbers", "Require at least one number"),
    ("RequireSymbols", "Require at least one symbol"),
    (
        "AllowUsersToChangePassword",
        "Allow users to change their own password",
    ),
];

/// The password policy page, with `message` above it.
async fn policy_page(console: &Console, signed: &Signed, message: Option<Markup>) -> Markup {
    let got = console
        .call(signed, "GetAccountPasswordPolicy", json!({}))
        .await;
    let policy = match &got {
        Ok(out) => Some(out["PasswordPolicy"].clone()),
        Err(e) if e.code == "NoSuchEntity" => None,
        Err(e) => {
            return html! { (message.unwrap_or_default()) (render_error(e, &console.situation(signed))) }
        }
    };
    let value = |key: &str| policy.as_ref().map(|p| text(&p[key])).unwrap_or_default();
    let checked = |key: &str| policy.as_ref().is_some_and(|p| p[key] == true);
    html! {
        @if let Some(message) = message { (message) }
        @if policy.is_none() {
            p { "No password policy is set: AWS's default applies (at least 8 characters, three of uppercase, lowercase, numbers, symbols)." }
        }
        form method="post" action="/console/password-policy" {
            (csrf_field(&signed.csrf))
            div.field {
                label for="min" { "Minimum password length" }
                input #min name="MinimumPasswordLength" type="text" inputmode="numeric" value=(value("MinimumPasswordLength"));
            }
            @for (key, label) in RULES {
                div.field {
                    label.option { input type="checkbox" name=(key) value="true" checked[checked(key)]; " " (label) }
                }
            }
            div.field {
                label for="age" { "Password expiration (days, empty: never)" }
                input #age name="MaxPasswordAge" type="text" inputmode="numeric" value=(value("MaxPasswordAge"));
            }
            div.field {
                label for="reuse" { "Prevent reuse of the last passwords (empty: allow)" }
                input #reuse name="PasswordReusePrevention" type="text" inputmode="numeric" value=(value("PasswordReusePrevention"));
            }
            button type="submit" { "Save password policy" }
        }
    }
}

/// `GET /console/password-policy`.
pub(crate) async fn password_policy(State(console): Shared, Active(signed): Active) -> Response {
    let body = policy_page(&console, &signed, None).await;
    console.render(&signed, StatusCode::OK, "Password policy", body)
}

/// `POST /console/password-policy`: UpdateAccountPasswordPolicy (the whole policy).
pub(crate) async fn update_password_policy(
    State(console): Shared,
    Active(signed): Active,
) -> Response {
    let mut input = serde_json::Map::new();
    for key in [
        "MinimumPasswordLength",
        "MaxPasswordAge",
        "PasswordReusePrevention",
    ] {
        let given = signed.visit.field(key).trim();
        if given.is_empty() {
            continue;
        }
        match given.parse::<i64>() {
            Ok(n) => {
                input.insert(key.into(), json!(n));
            }
            Err(_) => {
                let message = templates::error(&format!("{key} must be a number."));
                let body = policy_page(&console, &signed, Some(message)).await;
                return console.render(&signed, StatusCode::BAD_REQUEST, "Password policy", body);
            }
        }
    }
    for (key, _) in RULES {
        input.insert(key.into(), json!(signed.visit.field(key) == "true"));
    }
    let (status, message) = match console
        .call(&signed, "UpdateAccountPasswordPolicy", Value::Object(input))
        .await
    {
        Ok(_) => (
            StatusCode::OK,
            templates::notice("The password policy was saved."),
        ),
        Err(e) => (
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            render_error(&e, &console.situation(&signed)),
        ),
    };
    let body = policy_page(&console, &signed, Some(message)).await;
    console.render(&signed, status, "Password policy", body)
}

/// `GET /console/credential-report` (`?format=csv`: the CSV file): GenerateCredentialReport,
/// then GetCredentialReport.
pub(crate) async fn credential_report(
    State(console): Shared,
    uri: Uri,
    Active(signed): Active,
) -> Response {
    let csv_wanted = uri.query() == Some("format=csv");
    let report = match console
        .call(&signed, "GenerateCredentialReport", json!({}))
        .await
    {
        Ok(_) => {
            console
                .call(&signed, "GetCredentialReport", json!({}))
                .await
        }
        Err(e) => Err(e),
    };
    let csv = match report {
        Ok(out) => base64::engine::general_purpose::STANDARD
            .decode(text(&out["Content"]))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            let body = render_error(&e, &console.situation(&signed));
            return console.render(&signed, status, "Credential report", body);
        }
    };
    if csv_wanted {
        let mut response = csv.into_response();
        let headers = response.headers_mut();
        templates::secure_headers(headers);
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv"));
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"credential-report.csv\""),
        );
        return response;
    }
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let body = html! {
        p { a.button href="/console/credential-report?format=csv" { "Download CSV" } }
        table {
            @for (i, row) in rows.iter().enumerate() {
                tr { @for cell in row { @if i == 0 { th { (cell) } } @else { td { (cell) } } } }
            }
        }
    };
    console.render(&signed, StatusCode::OK, "Credential report", body)
}

/// The simulator's form, with the values given.
fn simulator_form(signed: &Signed, principal: &str, action: &str, resource: &str) -> Markup {
    html! {
        form method="post" action="/console/simulator" {
            (csrf_field(&signed.csrf))
            (templates::field("Principal ARN", "principal", "text", principal, "off"))
            (templates::field("Action", "action", "text", action, "off"))
            (templates::field("Resource", "resource", "text", resource, "off"))
            div.field {
                label.option { input type="checkbox" name="mfa" value="true"; " With MFA (aws:MultiFactorAuthPresent = true)" }
            }
            button type="submit" { "Simulate" }
        }
    }
}

/// `GET /console/simulator`.
pub(crate) async fn simulator(State(console): Shared, Active(signed): Active) -> Response {
    let body = simulator_form(&signed, &signed.caller.principal.arn, "iam:ListUsers", "*");
    console.render(&signed, StatusCode::OK, "Policy simulator", body)
}

/// `POST /console/simulator`: SimulatePrincipalPolicy, and its decision and matched
/// statements.
pub(crate) async fn simulate(State(console): Shared, Active(signed): Active) -> Response {
    let principal = signed.visit.field("principal").trim().to_string();
    let action = signed.visit.field("action").trim().to_string();
    let resource = signed.visit.field("resource").trim().to_string();
    let mut input = json!({
        "PolicySourceArn": principal,
        "ActionNames": [action],
        "ResourceArns": [if resource.is_empty() { "*" } else { resource.as_str() }],
    });
    if signed.visit.field("mfa") == "true" {
        input["ContextEntries"] = json!([{
            "ContextKeyName": "aws:MultiFactorAuthPresent",
            "ContextKeyValues": ["true"],
            "ContextKeyType": "boolean",
        }]);
    }
    let result = console
        .call(&signed, "SimulatePrincipalPolicy", input)
        .await;
    let (status, outcome) = match &result {
        Ok(out) => {
            let results = out["EvaluationResults"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            (
                StatusCode::OK,
                html! {
                    @for r in &results {
                        section {
                            h2 { (text(&r["EvalActionName"])) " on " (text(&r["EvalResourceName"])) ": " strong { (text(&r["EvalDecision"])) } }
                            @let matched = r["MatchedStatements"].as_array().cloned().unwrap_or_default();
                            @if matched.is_empty() { p { "No statement matched." } }
                            @else { ul { @for m in &matched { li { "Policy " code { (text(&m["SourcePolicyId"])) } } } } }
                        }
                    }
                },
            )
        }
        Err(e) => (
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            render_error(e, &console.situation(&signed)),
        ),
    };
    let body = html! { (outcome) (simulator_form(&signed, &principal, &action, &resource)) };
    console.render(&signed, status, "Policy simulator", body)
}
