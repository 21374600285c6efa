//! Changing the password: forced after a sign-in whose password must be changed (reset
//! required, or expired), or by choice; the account password policy shown; ChangePassword
//! run as the signed-in user, so a policy that denies it without MFA is explained.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use iamd_core::entities::console_sessions::Stage;
use iamd_core::IamError;
use maud::{html, Markup};
use serde_json::json;

use super::denial::{render_error, Denial};
use super::templates::{self, csrf_field, field};
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
