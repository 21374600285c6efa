//! The console's HTML: one layout, compiled into the binary (maud escapes every value), and
//! the responses that carry it with the console's security headers (no caching, no framing,
//! nothing loaded from elsewhere).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

/// The navigation of a signed-in page.
pub(crate) struct Nav<'a> {
    pub(crate) user: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) mfa: bool,
    /// The pages' links (not while the password must be changed first).
    pub(crate) links: bool,
}

/// A whole page: `banner` (a warning on every page) above `body`.
pub(crate) fn page(
    title: &str,
    nav: Option<&Nav<'_>>,
    banner: Option<Markup>,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · iamd console" }
                link rel="stylesheet" href="/console/assets/console.css";
            }
            body {
                header.top {
                    a.brand href="/console/" { "iamd" }
                    @if let Some(nav) = nav {
                        nav {
                            @if nav.links {
                                a href="/console/users" { "Users" }
                                a href="/console/groups" { "Groups" }
                                a href="/console/roles" { "Roles" }
                                a href="/console/policies" { "Policies" }
                                a href="/console/events" { "Event history" }
                                a href="/console/security-credentials" { "My security credentials" }
                            }
                        }
                        div.who {
                            span { (nav.user) @if nav.mfa { " (MFA)" } }
                            form method="post" action="/console/signout" {
                                input type="hidden" name="csrf" value=(nav.csrf);
                                button.link type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                @if let Some(banner) = banner {
                    div.banner role="status" { (banner) }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// An HTML response with the console's headers.
pub(crate) fn respond(status: StatusCode, markup: Markup) -> Response {
    let mut response = (status, markup.into_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure_headers(headers);
    response
}

/// No caching (pages show secrets once), no framing, no resources from elsewhere.
pub(crate) fn secure_headers(headers: &mut axum::http::HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; \
             img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// A page with one message (refusals outside a session).
pub(crate) fn message_page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = html! {
        p.error role="alert" { (text) }
        p { a href="/console/" { "Back to the console" } }
    };
    respond(status, page(title, None, None, body))
}

/// An error message box.
pub(crate) fn error(text: &str) -> Markup {
    html! { p.error role="alert" { (text) } }
}

/// A notice (something done).
pub(crate) fn notice(text: &str) -> Markup {
    html! { p.notice role="status" { (text) } }
}

/// The hidden CSRF field every form carries.
pub(crate) fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A labelled text input.
pub(crate) fn field(
    label: &str,
    name: &str,
    kind: &str,
    value: &str,
    autocomplete: &str,
) -> Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            input id=(name) name=(name) type=(kind) value=(value) autocomplete=(autocomplete) required;
        }
    }
}

/// A six-digit code input.
pub(crate) fn code_field(label: &str, name: &str) -> Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            input id=(name) name=(name) type="text" inputmode="numeric" pattern="[0-9]{6}"
                maxlength="6" autocomplete="one-time-code" required;
        }
    }
}
