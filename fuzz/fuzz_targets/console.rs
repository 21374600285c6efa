//! The console's cookie and forms (input: `Cookie header\nform body`), against an account where
//! alice signed in: `console_sessions::cookie` (the console's reading of its session and
//! sign-in cookies), `iamd_wire::parse_form` (every console form), the session lookup, the
//! CSRF check and the MFA step with the cookie and fields sent.
//!
//! Checks: the cookie read agrees with a naive reading; a session is found only for the cookie
//! iamd issued; the CSRF check passes only with the token of that cookie (`csrf_token`); a
//! form that parses has no pair without a name... refusals are `MalformedQueryString`; the MFA
//! step is refused for any cookie but a pending sign-in's (alice's session is past it).
#![no_main]

use iamd_core::entities::console_sessions::{cookie, csrf_ok, csrf_token, find};
use iamd_core::signin::mfa_step;
use iamd_fuzz::console;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static SIGNED_IN: console::SignedIn = console::signed_in();
}

fuzz_target!(|data: &[u8]| {
    let (header, body) = match data.iter().position(|b| *b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let header = String::from_utf8_lossy(header);
    let form = match iamd_wire::parse_form(body) {
        Ok(form) => form,
        Err(e) => {
            assert_eq!((e.code.as_str(), e.status), ("MalformedQueryString", 400));
            Vec::new()
        }
    };
    let field = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    SIGNED_IN.with(|s| {
        let issued = s.started.cookie.as_str();
        for name in ["iamd-console", "iamd-signin"] {
            let value = cookie(&header, name);
            assert_eq!(
                value.map(str::to_string),
                console::reference_cookie(&header, name),
                "{header:?}"
            );
            let value = value.unwrap_or_default();
            let state = s.account.snapshot();
            let found = find(&state, value, s.account.now());
            assert_eq!(found.is_some(), value == issued, "session for {value:?}");
            let given = field("csrf");
            if csrf_ok(value, given) {
                assert!(!value.is_empty() && given == csrf_token(value));
            }
            assert_eq!(csrf_ok(issued, given), given == csrf_token(issued));
            let refused = mfa_step(
                &s.account,
                value,
                field("serial"),
                field("code"),
                &console::ORIGIN,
            );
            assert!(refused.is_err(), "an MFA step passed for {value:?}");
        }
    });
});
