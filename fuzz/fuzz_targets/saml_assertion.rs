//! AssumeRoleWithSAML's `SAMLAssertion` (`saml_assertion::verify`: base64 → XML → shape
//! check → XML signature verified by libxmlsec1 through samael → conditions → claims), for
//! the test IdP's provider. The first byte picks a mode (modulo 3): 0, the rest is the
//! parameter as sent (base64); 1, the rest is a response's XML (the target encodes it);
//! 2, a fixture signed at start-up with one splice: the next byte picks the fixture and when
//! it is checked (`now` from its issue time to past its expiry), then a position (2 bytes),
//! a count of bytes to delete and the bytes to insert.
//!
//! The fixtures (`fuzz/src/saml_assertion.rs`) are signed by the test IdP's key (assertion,
//! response, both; one with every attribute iamd reads), by a forger's key, or not at all.
//! Checks: a refusal is one of AssumeRoleWithSAML's (InvalidIdentityToken or
//! ExpiredTokenException 400, IDPRejectedClaim or AccessDenied 403); an accepted response is
//! one the IdP signed: its assertion `ID` is a signed fixture's, and everything read from it
//! (subject, issuer, recipient, times, every claim) is what that fixture says, however the
//! bytes around it were changed; it is never the unsigned or the forged fixture's; and it is
//! accepted only while it may be (`now` before its `usable_until`, which is at most five
//! minutes after issue).
#![no_main]

use base64::Engine;
use iamd_core::saml_assertion::verify;
use iamd_fuzz::saml_assertion::{check_error, fixtures, provider, Fixture, NOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let fixtures = fixtures();
    let (encoded, now) = match mode % 3 {
        0 => match std::str::from_utf8(rest) {
            Ok(text) => (text.to_string(), NOW),
            Err(_) => return,
        },
        1 => (base64::engine::general_purpose::STANDARD.encode(rest), NOW),
        _ => {
            let Some((xml, now)) = spliced(fixtures, rest) else {
                return;
            };
            (base64::engine::general_purpose::STANDARD.encode(xml), now)
        }
    };
    match verify(&encoded, &provider(), now) {
        Ok(v) => {
            let fixture = fixtures
                .iter()
                .find(|f| f.id == v.assertion_id)
                .unwrap_or_else(|| panic!("accepted an assertion no fixture has: {v:?}"));
            assert!(
                fixture.expected.is_some(),
                "accepted the {} fixture: {v:?}",
                fixture.label
            );
            assert!(now < v.usable_until && v.usable_until <= NOW + 300);
            assert_eq!(
                Some(format!("{v:?}")),
                fixture.expected,
                "an accepted response read otherwise than its signed fixture"
            );
        }
        Err(e) => check_error(&e),
    }
});

/// Mode 2: a fixture with one splice, and the time it is checked at.
fn spliced(fixtures: &[Fixture], rest: &[u8]) -> Option<(Vec<u8>, i64)> {
    let (&pick, rest) = rest.split_first()?;
    let fixture = &fixtures[usize::from(pick) % fixtures.len()];
    // From 40 s before issue (inside the clock skew) to 560 s after (expired).
    let now = NOW - 40 + i64::from(pick / 16) * 40;
    let mut xml = fixture.xml.clone().into_bytes();
    if rest.len() >= 3 {
        let at = usize::from(u16::from_le_bytes([rest[0], rest[1]])) % (xml.len() + 1);
        let delete = usize::from(rest[2] % 32).min(xml.len() - at);
        xml.splice(at..at + delete, rest[3..].iter().copied());
    }
    Some((xml, now))
}
