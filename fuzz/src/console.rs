//! The `console` target's account: alice signed in once (the password step hashes with
//! Argon2, too slow for every input), and a naive reading of a Cookie header.

use iamd_core::signin::{password_step, Credentials, Origin, Started};
use iamd_core::testing::{account, call, root, ACCOUNT_ID};
use iamd_core::Account;
use serde_json::json;

pub const ORIGIN: Origin<'static> = Origin {
    source_ip: "192.0.2.7",
    login_to: "http://iamd.test/console/",
};

pub struct SignedIn {
    pub account: Account,
    pub started: Started,
}

pub fn signed_in() -> SignedIn {
    let (acct, _clock) = account();
    let r = root();
    call(&acct, &r, "iam", "CreateUser", json!({"UserName": "alice"})).expect("alice");
    call(
        &acct,
        &r,
        "iam",
        "CreateLoginProfile",
        json!({"UserName": "alice", "Password": "Fuzzing-Passw0rd!"}),
    )
    .expect("a password");
    let credentials = Credentials {
        account: ACCOUNT_ID,
        user_name: "alice",
        password: "Fuzzing-Passw0rd!",
    };
    let started = password_step(&acct, &credentials, &ORIGIN).expect("signed in");
    SignedIn {
        account: acct,
        started,
    }
}

/// Cookie `name` in `header`, read character by character: pairs end at `;`, a pair's name
/// is what comes before its first `=` with spaces around it dropped; the first pair named
/// `name` counts.
pub fn reference_cookie(header: &str, name: &str) -> Option<String> {
    let mut pair = String::new();
    let mut pairs = Vec::new();
    for c in header.chars() {
        if c == ';' {
            pairs.push(std::mem::take(&mut pair));
        } else {
            pair.push(c);
        }
    }
    pairs.push(pair);
    for pair in pairs {
        let pair = pair.trim();
        let Some(eq) = pair.find('=') else { continue };
        if &pair[..eq] == name {
            return Some(pair[eq + 1..].to_string());
        }
    }
    None
}
