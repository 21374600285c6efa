//! FIDO2 / WebAuthn security keys: the relying party (id and origin from the console's
//! origin), and the two ceremonies the console runs with the browser, registration and
//! sign-in. The verification (CBOR, COSE keys, signatures, origin, relying party id, user
//! presence and verification, the signature counter) is webauthn-rs's; this module keeps each
//! ceremony's state server-side, bound to one console session, single-use and for
//! [`CHALLENGE_LIFETIME`] seconds.
//!
//! The states are stored records (kind `key_ceremony`, by the digest of the session's cookie),
//! never sent to the browser: a ceremony started on one node of a shared database finishes on
//! any other, and taking it is a committed deletion, so it is used once across nodes.
//! (Hence webauthn-rs's `danger-allow-state-serialisation`, which its documentation names
//! safe for states kept in a database.)

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use webauthn_rs::prelude::{
    AuthenticationResult, CredentialID, PublicKeyCredential, RegisterPublicKeyCredential,
    SecurityKey, SecurityKeyAuthentication, SecurityKeyRegistration, Url, Uuid, WebauthnError,
};
use webauthn_rs::{Webauthn, WebauthnBuilder};

use crate::account::Account;
use crate::entities::sessions::token_digest;
use crate::entities::Kind;
use crate::model::User;

/// How long a challenge may be answered, in seconds.
pub const CHALLENGE_LIFETIME: i64 = 300;

/// A refused ceremony step: the page's message, and the audit record's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRefusal {
    pub message: String,
    pub reason: &'static str,
}

impl KeyRefusal {
    fn new(message: &str, reason: &'static str) -> Self {
        KeyRefusal {
            message: message.to_string(),
            reason,
        }
    }
}

/// A registration the browser answered correctly: the key, for the user and device name
/// the ceremony was started for.
pub struct Registered {
    pub user_id: String,
    pub device_name: String,
    pub key: SecurityKey,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Ceremony {
    Register {
        user_id: String,
        device_name: String,
        state: SecurityKeyRegistration,
    },
    SignIn {
        state: SecurityKeyAuthentication,
    },
}

/// A ceremony under way, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredCeremony {
    ceremony: Ceremony,
    started: i64,
}

/// The console's relying party.
pub struct RelyingParty {
    webauthn: Webauthn,
    origin: String,
}

impl RelyingParty {
    /// The relying party of console origin `origin` (e.g. `https://iam.example.com`): its id
    /// is the origin's host, and only that origin is allowed.
    pub fn new(origin: &str) -> Result<Self, String> {
        let url = Url::parse(origin).map_err(|e| format!("console origin {origin}: {e}"))?;
        let host = url
            .host_str()
            .ok_or_else(|| format!("console origin {origin} has no host"))?
            .to_string();
        let webauthn = WebauthnBuilder::new(&host, &url)
            .and_then(|b| b.rp_name("iamd").build())
            .map_err(|e| format!("console origin {origin}: {e}"))?;
        Ok(RelyingParty {
            webauthn,
            origin: url.origin().ascii_serialization(),
        })
    }

    /// The allowed origin, e.g. `http://localhost:8080`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Starts registering a key named `device_name` for `user` in console session `session`:
    /// the options for `navigator.credentials.create` (as JSON), attestation "none", user
    /// verification preferred, the user's keys excluded.
    pub fn start_registration(
        &self,
        account: &Account,
        session: &str,
        user: &User,
        device_name: &str,
        existing: Vec<CredentialID>,
    ) -> Result<Value, KeyRefusal> {
        let (options, state) = self
            .webauthn
            .start_securitykey_registration(
                user_handle(user),
                &user.name,
                &user.name,
                Some(existing),
                None,
                None,
            )
            .map_err(|_| KeyRefusal::new(UNAVAILABLE, "Registration not started"))?;
        let ceremony = Ceremony::Register {
            user_id: user.id.clone(),
            device_name: device_name.to_string(),
            state,
        };
        remember(account, session, ceremony)?;
        let mut options = serde_json::to_value(options)
            .map_err(|_| KeyRefusal::new(UNAVAILABLE, "Bad options"))?;
        // webauthn-rs asks for credProtect only opportunistically (not enforced); Chromium
        // refuses that request for a non-discoverable credential ("inconsistent protection
        // policy"), so it is left out.
        if let Some(extensions) = options["publicKey"]["extensions"].as_object_mut() {
            extensions.remove("credentialProtectionPolicy");
            extensions.remove("enforceCredentialProtectionPolicy");
        }
        Ok(options)
    }

    /// Finishes the registration of session `session` with the browser's `response` (JSON of
    /// the PublicKeyCredential). The challenge is used up either way.
    pub fn finish_registration(
        &self,
        account: &Account,
        session: &str,
        response: &str,
    ) -> Result<Registered, KeyRefusal> {
        let Some(Ceremony::Register {
            user_id,
            device_name,
            state,
        }) = take(account, session)?
        else {
            return Err(KeyRefusal::new(EXPIRED, "No registration under way"));
        };
        let credential: RegisterPublicKeyCredential = serde_json::from_str(response)
            .map_err(|_| KeyRefusal::new(NO_ANSWER, "No credential"))?;
        let key = self
            .webauthn
            .finish_securitykey_registration(&credential, &state)
            .map_err(|e| refusal(&e))?;
        Ok(Registered {
            user_id,
            device_name,
            key,
        })
    }

    /// Starts a sign-in with one of `keys` in (half-signed-in) session `session`: the
    /// options for `navigator.credentials.get`, as JSON.
    pub fn start_sign_in(
        &self,
        account: &Account,
        session: &str,
        keys: &[SecurityKey],
    ) -> Result<Value, KeyRefusal> {
        let (options, state) = self
            .webauthn
            .start_securitykey_authentication(keys)
            .map_err(|_| KeyRefusal::new(UNAVAILABLE, "Authentication not started"))?;
        remember(account, session, Ceremony::SignIn { state })?;
        serde_json::to_value(options).map_err(|_| KeyRefusal::new(UNAVAILABLE, "Bad options"))
    }

    /// Checks the browser's assertion `response` for the sign-in of session `session`
    /// (signature, challenge, origin, a counter that must increase). Single-use.
    pub fn finish_sign_in(
        &self,
        account: &Account,
        session: &str,
        response: &str,
    ) -> Result<AuthenticationResult, KeyRefusal> {
        let Some(Ceremony::SignIn { state }) = take(account, session)? else {
            return Err(KeyRefusal::new(EXPIRED, "No sign-in challenge under way"));
        };
        let credential: PublicKeyCredential = serde_json::from_str(response)
            .map_err(|_| KeyRefusal::new(NO_ANSWER, "No assertion"))?;
        self.webauthn
            .finish_securitykey_authentication(&credential, &state)
            .map_err(|e| refusal(&e))
    }
}

/// Stores `ceremony` for `session` (replacing one under way), and deletes those expired.
fn remember(account: &Account, session: &str, ceremony: Ceremony) -> Result<(), KeyRefusal> {
    let key = token_digest(session);
    account
        .write_retrying(|txn| {
            expire(txn);
            let stored = StoredCeremony {
                ceremony: ceremony.clone(),
                started: txn.now,
            };
            txn.put(Kind::KeyCeremony, &key, &stored)?;
            txn.state
                .key_ceremonies
                .insert(key.clone(), Arc::new(stored));
            Ok(())
        })
        .map_err(|_| KeyRefusal::new(UNAVAILABLE, "Challenge not stored"))
}

/// Deletes the ceremonies too old to be finished; how many.
pub fn expire(txn: &mut crate::account::Txn) -> usize {
    let now = txn.now;
    let expired: Vec<String> = txn
        .state
        .key_ceremonies
        .iter()
        .filter(|(_, c)| now - c.started >= CHALLENGE_LIFETIME)
        .map(|(k, _)| k.clone())
        .collect();
    for old in &expired {
        txn.state.key_ceremonies.remove(old);
        txn.delete(Kind::KeyCeremony, old);
    }
    expired.len()
}

/// Whether a ceremony is too old to be finished at `now` (an [`expire`] is due).
pub fn expiry_due(state: &crate::state::AccountState, now: i64) -> bool {
    state
        .key_ceremonies
        .values()
        .any(|c| now - c.started >= CHALLENGE_LIFETIME)
}

/// The ceremony of `session`, deleted (single use, on every node); `None` when there is none
/// or it is older than [`CHALLENGE_LIFETIME`]. A ceremony another node started and this one
/// has not seen yet is found after catching up.
fn take(account: &Account, session: &str) -> Result<Option<Ceremony>, KeyRefusal> {
    let key = token_digest(session);
    let found = account.find_fresh(|state| state.key_ceremonies.get(&key).cloned());
    if found.is_none() {
        return Ok(None);
    }
    account
        .write_retrying(|txn| {
            let Some(stored) = txn.state.key_ceremonies.remove(&key) else {
                return Ok(None);
            };
            txn.delete(Kind::KeyCeremony, &key);
            Ok((txn.now - stored.started < CHALLENGE_LIFETIME).then(|| stored.ceremony.clone()))
        })
        .map_err(|_| KeyRefusal::new(UNAVAILABLE, "Challenge not taken"))
}

const UNAVAILABLE: &str = "Security keys are not available right now. Try again.";
const EXPIRED: &str =
    "The security key request expired or was already used. Start again and use your key within 5 minutes.";
const NO_ANSWER: &str =
    "Your browser gave no answer from a security key (it was cancelled, timed out, or no key was found). Try again.";

/// What the page says for a refusal by the library.
fn refusal(e: &WebauthnError) -> KeyRefusal {
    match e {
        WebauthnError::CredentialPossibleCompromise => KeyRefusal::new(
            "This security key's signature counter did not increase: the key may have been \
             cloned. Sign-in refused; ask your administrator to check the key.",
            "Security key counter did not increase",
        ),
        WebauthnError::InvalidRPOrigin | WebauthnError::InvalidRPIDHash => KeyRefusal::new(
            "The security key answered for another site. Use the console's own address.",
            "Wrong origin or relying party",
        ),
        WebauthnError::CredentialNotFound => KeyRefusal::new(
            "This security key is not registered for your user. Use one of your keys.",
            "Unknown credential",
        ),
        _ => KeyRefusal::new(
            "The security key's answer was not valid. Try again.",
            "Invalid security key response",
        ),
    }
}

/// The user handle the key stores: derived from the user's unique id, so that a user of
/// the same name created later is another user for the key.
fn user_handle(user: &User) -> Uuid {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(user.id.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

#[cfg(test)]
mod tests;
