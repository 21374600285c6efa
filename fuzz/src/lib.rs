//! What the fuzz targets share: naive reference implementations (written for clarity, not
//! speed) that the optimised code must agree with, and small input helpers.

/// The naive matchers of the engine's differential tests (the test tree owns them).
#[path = "../../crates/iamd-policy/tests/reference/matcher.rs"]
pub mod reference;

/// Splits fuzz input at its first `\n`: `(before, after)`; all of it before when there is none.
pub fn two_parts(text: &str) -> (&str, &str) {
    text.split_once('\n').unwrap_or((text, ""))
}

pub mod console;
pub mod jwt;
pub mod lookup;
pub mod saml;
pub mod saml_assertion;
pub mod webauthn;
