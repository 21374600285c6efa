//! Denials that explain themselves: an operation's AccessDenied carries AWS's sentence and
//! iamd's explanation (the deciding policy and statement, the condition that failed); the
//! page shows them in plain words with the way out, e.g. signing in again with MFA.

use maud::{html, Markup};

use iamd_core::IamError;

/// An AccessDenied, taken apart.
pub(crate) struct Denial {
    /// The action refused (`iam:ListUsers`).
    pub(crate) action: String,
    /// AWS's sentence (`User: ... is not authorized to perform: ...`).
    pub(crate) aws: String,
    /// iamd's explanation (`denied by statement ... of policy ...: ...`).
    pub(crate) why: Option<String>,
    /// The decision hinged on MFA (`aws:MultiFactorAuthPresent` or `aws:MultiFactorAuthAge`).
    pub(crate) needs_mfa: bool,
}

/// What decides the remedy besides the denial.
pub(crate) struct Situation {
    /// This sign-in passed an MFA step.
    pub(crate) signed_in_with_mfa: bool,
    /// The user has an MFA device assigned.
    pub(crate) has_device: bool,
}

impl Denial {
    /// `e` as a denial; `None` for other errors.
    pub(crate) fn of(e: &IamError) -> Option<Denial> {
        if e.code != "AccessDenied" {
            return None;
        }
        let text = e
            .message
            .split(" Encoded authorization failure message: ")
            .next()
            .unwrap_or("");
        let (aws, why) = match text.split_once(" iamd: ") {
            Some((aws, why)) => (aws.to_string(), Some(why.to_string())),
            None => (text.to_string(), None),
        };
        let action = aws
            .split("perform: ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or("this action")
            .to_string();
        let needs_mfa = why
            .as_deref()
            .is_some_and(|w| w.contains("aws:MultiFactorAuth"));
        Some(Denial {
            action,
            aws,
            why,
            needs_mfa,
        })
    }

    /// The remedy, in plain words.
    pub(crate) fn remedy(&self, situation: &Situation) -> Markup {
        match (
            self.needs_mfa,
            situation.signed_in_with_mfa,
            situation.has_device,
        ) {
            (true, false, true) => html! {
                "Your permissions require signing in with MFA. You have an MFA device: sign out and sign in again with it."
            },
            (true, false, false) => html! {
                "Your permissions require signing in with MFA. "
                a href="/console/security-credentials/mfa" { "Assign an MFA device first" }
                ", then sign out and sign in again with it."
            },
            (true, true, _) => html! {
                "Your permissions require a recent MFA sign-in. Sign out and sign in again with your MFA device."
            },
            _ => html! {
                "Ask your administrator for permission to perform " code { (self.action) } "."
            },
        }
    }

    /// The denial as a page section.
    pub(crate) fn render(&self, situation: &Situation) -> Markup {
        self.section(Some(self.remedy(situation)))
    }

    /// The denial as a page section, with `remedy` (none when the page says it already).
    pub(crate) fn section(&self, remedy: Option<Markup>) -> Markup {
        html! {
            section.denied role="alert" {
                h2 { "Access denied" }
                p { "You are not allowed to perform " code { (self.action) } "." }
                @if let Some(why) = &self.why {
                    p { strong { "Why: " } (why) }
                }
                @if let Some(remedy) = remedy { p.remedy { (remedy) } }
                details {
                    summary { "The full message" }
                    p { (self.aws) }
                }
            }
        }
    }
}

/// An operation's error as a page section: a denial with its explanation, anything else as
/// its message.
pub(crate) fn render_error(e: &IamError, situation: &Situation) -> Markup {
    match Denial::of(e) {
        Some(denial) => denial.render(situation),
        None => html! { p.error role="alert" { (e.message) } },
    }
}
