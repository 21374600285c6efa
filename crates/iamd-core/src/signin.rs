//! Web console sign-in, without HTTP: the password step (argon2id, throttled per user and per
//! source address, the same answer and about the same time for an unknown user as for a wrong
//! password), the MFA step (the API's code check: single-use, throttled), the new session at
//! each step, sign-out, and the caller a console session acts as. Every sign-in and failed
//! sign-in is audited as CloudTrail's `ConsoleLogin` (see [`record`]).

pub mod record;

use std::sync::{Arc, OnceLock};

use crate::account::{Account, Txn};
use crate::authz::{Caller, Identity, MfaInfo, SessionKind};
use crate::entities::console_sessions::{self as sessions, ConsoleSession, Stage};
use crate::error::IamError;
use crate::mfa::{Check, Outcome};
use crate::model::{LoginProfile, PasswordPolicy, User};
use crate::password_guard;
use crate::state::AccountState;

/// The throttle key of the root user's password.
const ROOT_KEY: &str = "root";

/// AWS's console answer to a wrong account, user name or password (the same for each).
pub const FAILED: &str = "Your authentication information is incorrect. Please try again.";

/// A sign-in attempt's facts besides its secrets.
pub struct Origin<'a> {
    pub source_ip: &'a str,
    /// The console's address, for the audit record's `LoginTo`.
    pub login_to: &'a str,
}

/// The password step's input.
pub struct Credentials<'a> {
    /// The account id or its alias.
    pub account: &'a str,
    pub user_name: &'a str,
    pub password: &'a str,
}

/// A refused sign-in step, with the text the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub message: String,
}

impl Refused {
    fn new(message: impl Into<String>) -> Self {
        Refused {
            message: message.into(),
        }
    }
}

impl From<IamError> for Refused {
    fn from(e: IamError) -> Self {
        Refused::new(e.message)
    }
}

/// A new session: the cookie value (never stored) and the session.
pub struct Started {
    pub cookie: String,
    pub session: ConsoleSession,
}

/// A hash of a random password nobody knows, checked for unknown users so that they take as
/// long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let random = crate::crypto::random::bytes::<24>().unwrap_or([7; 24]);
        let password: String = random.iter().map(|b| format!("{b:02x}")).collect();
        crate::crypto::hash_password(&password).unwrap_or_default()
    })
}

/// Refuses sign-ins from an address locked by its failures.
fn source_allowed(
    state: &AccountState,
    origin: &Origin<'_>,
    now: std::time::SystemTime,
) -> Result<(), Refused> {
    match password_guard::locked(state, &password_guard::source_key(origin.source_ip), now) {
        Some(seconds) => Err(Refused::new(format!(
            "Too many failed sign-in attempts from your address. Try again in {seconds} seconds."
        ))),
        None => Ok(()),
    }
}

/// A password step's outcome recorded on the attempt's throttles (`key`, then the source
/// address) in `txn`: how many seconds the key is locked for, when this failure locked it.
fn record_attempt(
    txn: &mut Txn,
    key: &str,
    origin: &Origin<'_>,
    success: bool,
    now: std::time::SystemTime,
) -> Result<Option<u64>, IamError> {
    let lock = password_guard::record(txn, key, success, now)?;
    let source = password_guard::source_key(origin.source_ip);
    password_guard::record(txn, &source, success, now)?;
    Ok(lock)
}

/// A right password recorded on its throttles (`key`, then the source address) in `txn` — or
/// refused, when the newest state (which may hold other nodes' failures this node's snapshot
/// did not) says either is locked.
fn record_success(
    txn: &mut Txn,
    key: &str,
    origin: &Origin<'_>,
    now: std::time::SystemTime,
) -> Result<Result<(), Refused>, IamError> {
    if let Err(refused) = source_allowed(&txn.state, origin, now) {
        return Ok(Err(refused));
    }
    if let Some(seconds) = password_guard::locked(&txn.state, key, now) {
        return Ok(Err(locked_out(seconds)));
    }
    record_attempt(txn, key, origin, true, now)?;
    Ok(Ok(()))
}

fn locked_out(seconds: u64) -> Refused {
    Refused::new(format!(
        "Too many failed sign-in attempts. Try again in {seconds} seconds."
    ))
}

/// A refused password step: the failure recorded on its throttles (unless `key` was locked
/// already: such attempts are not counted) with its `ConsoleLogin` record, all in one write.
fn refuse_password(
    account: &Account,
    key: &str,
    locked: Option<u64>,
    failure: &record::Failure<'_>,
    origin: &Origin<'_>,
    now: std::time::SystemTime,
) -> Refused {
    let recorded = account.write_retrying(|txn| {
        let lock = match locked {
            Some(seconds) => {
                let source = password_guard::source_key(origin.source_ip);
                password_guard::record(txn, &source, false, now)?;
                Some(seconds)
            }
            None => record_attempt(txn, key, origin, false, now)?,
        };
        // A known user's failure that locks it is recorded as such.
        let reason = match (lock, failure.who) {
            (Some(_), record::Who::User(_)) => "Too many failed attempts",
            _ => failure.reason,
        };
        let failure = record::Failure {
            who: failure.who,
            reason,
            mfa_used: failure.mfa_used,
        };
        txn.audit(record::failure(&txn.state, &failure, origin, txn.now));
        Ok(lock)
    });
    match recorded {
        Ok(Some(seconds)) => locked_out(seconds),
        Ok(None) => Refused::new(FAILED),
        Err(e) => Refused::from(e),
    }
}

/// Whether `given` names this account: its id or its alias.
fn names_account(state: &AccountState, given: &str) -> bool {
    let given = given.trim();
    given == state.account_id || state.account_alias.as_deref() == Some(given)
}

/// The password step. On success, a new session: `MfaPending` when the user has MFA devices
/// (then [`mfa_step`] finishes the sign-in), else signed in (`ChangePassword` when the
/// password must be changed first).
pub fn password_step(
    account: &Account,
    credentials: &Credentials<'_>,
    origin: &Origin<'_>,
) -> Result<Started, Refused> {
    let now = account.clock.now();
    let state = account.snapshot();
    source_allowed(&state, origin, now)?;
    let user = state
        .user(credentials.user_name.trim())
        .filter(|_| names_account(&state, credentials.account))
        .cloned();
    let profile = user
        .as_ref()
        .and_then(|u| state.login_profiles.get(&u.name.to_lowercase()).cloned());
    // Unknown users and users without a password are throttled and hashed like the others.
    let (throttle_key, phc) = match (&user, &profile) {
        (Some(u), Some(p)) => (u.id.clone(), p.password_hash.clone()),
        _ => (
            password_guard::unknown_user_key(credentials.user_name),
            decoy_hash().to_string(),
        ),
    };
    // A locked key's guesses are refused before any hashing.
    let locked = password_guard::locked(&state, &throttle_key, now);
    let right = locked.is_none()
        && crate::crypto::verify_password(&phc, credentials.password)
        && profile.is_some();
    let (Some(user), Some(profile), true) = (user.clone(), profile, right) else {
        let failure = record::Failure {
            who: user
                .as_deref()
                .map_or(record::Who::Unknown, record::Who::User),
            reason: match (&user, locked) {
                (None, _) => "No username found in supplied account",
                (_, Some(_)) => "Too many failed attempts",
                _ => "Failed authentication",
            },
            mfa_used: false,
        };
        return Err(refuse_password(
            account,
            &throttle_key,
            locked,
            &failure,
            origin,
            now,
        ));
    };
    let policy = state.password_policy.as_deref();
    if hard_expired(&profile, policy, account.now()) {
        return Err(Refused::new(
            "Your password has expired and the account password policy requires an \
             administrator to reset it. Ask your administrator for a new password.",
        ));
    }
    let has_mfa = state.user_mfa_devices(&user.name).next().is_some();
    let cookie = sessions::new_session_id()?;
    let started = account.write_retrying(|txn| {
        if let Err(refused) = record_success(txn, &throttle_key, origin, now)? {
            return Ok(Err(refused));
        }
        let stage = if has_mfa {
            Stage::MfaPending
        } else {
            stage_after_sign_in(&profile, policy, txn.now)
        };
        let session = new_session(&user, stage, None, txn.now)?;
        sessions::save(txn, &cookie, session.clone())?;
        if !has_mfa {
            signed_in(txn, &user, &session, origin)?;
        }
        Ok(Ok(session))
    })??;
    Ok(Started {
        cookie,
        session: started,
    })
}

/// The root user's sign-in: the account id (or alias) and the root password, which
/// `is_root_password` checks (in constant time). Throttled like users' passwords.
pub fn root_step(
    account: &Account,
    credentials: &Credentials<'_>,
    is_root_password: impl FnOnce(&str) -> bool,
    origin: &Origin<'_>,
) -> Result<Started, Refused> {
    let now = account.clock.now();
    let state = account.snapshot();
    source_allowed(&state, origin, now)?;
    let ours = names_account(&state, credentials.account);
    let locked = password_guard::locked(&state, ROOT_KEY, now);
    if locked.is_some() || !(is_root_password(credentials.password) && ours) {
        let failure = record::Failure {
            who: record::Who::Root,
            reason: "Failed authentication",
            mfa_used: false,
        };
        return Err(refuse_password(
            account, ROOT_KEY, locked, &failure, origin, now,
        ));
    }
    let cookie = sessions::new_session_id()?;
    let access_key_id = crate::crypto::access_key_id(crate::crypto::AccessKeyKind::Temporary)
        .map_err(|_| IamError::service_failure())?;
    let session = account.write_retrying(|txn| {
        if let Err(refused) = record_success(txn, ROOT_KEY, origin, now)? {
            return Ok(Err(refused));
        }
        let session = ConsoleSession {
            user: None,
            user_id: txn.state.account_id.clone(),
            access_key_id: access_key_id.clone(),
            stage: Stage::Active,
            created: txn.now,
            last_seen: txn.now,
            mfa_at: None,
            mfa_serial: None,
        };
        sessions::save(txn, &cookie, session.clone())?;
        let record = record::success(&txn.state, record::Who::Root, &session, origin, txn.now)?;
        txn.audit(record);
        Ok(Ok(session))
    })??;
    Ok(Started { cookie, session })
}

/// The MFA step of the sign-in in session `pending` (cookie value): checks `code` against
/// the user's device `serial` as the API does (single use, throttled), and on success
/// replaces the pending session with a new one that carries the MFA facts.
pub fn mfa_step(
    account: &Account,
    pending: &str,
    serial: &str,
    code: &str,
    origin: &Origin<'_>,
) -> Result<Started, Refused> {
    let now = account.now();
    let user = pending_user(account, pending, now)?;
    let state = account.snapshot();
    if !state
        .user_mfa_devices(&user.name)
        .any(|d| d.serial == serial)
    {
        return Err(Refused::new("Choose one of your MFA devices."));
    }
    let cookie = sessions::new_session_id()?;
    let clock_now = account.clock.now();
    let result = account.write_retrying(|txn| {
        let outcome = crate::mfa::check_code(
            txn,
            &account.sealing,
            serial,
            &user.arn,
            Check::One(code.trim()),
            clock_now,
        )?;
        if let Outcome::Rejected(rejection) = outcome {
            let failure = record::Failure {
                who: record::Who::User(&user),
                reason: "Failed authentication",
                mfa_used: true,
            };
            txn.audit(record::failure(&txn.state, &failure, origin, txn.now));
            return Ok(Err(rejection));
        }
        let fresh = signed_in_with_mfa(txn, &user, (pending, &cookie), serial, origin)?;
        Ok(Ok(fresh))
    })?;
    match result {
        Ok(session) => Ok(Started { cookie, session }),
        Err(crate::mfa::Rejection::Locked) => Err(Refused::new(
            "Too many wrong MFA codes: the device is locked for a while. Try again later.",
        )),
        Err(crate::mfa::Rejection::Replayed) => Err(Refused::new(
            "This MFA code was used already. Wait for the next code and try again.",
        )),
        Err(_) => Err(Refused::new(
            "The MFA code is not valid. Check the device and try again.",
        )),
    }
}

/// The user's security keys, for the sign-in's assertion options (empty when none).
pub fn security_keys(state: &AccountState, user: &str) -> Vec<webauthn_rs::prelude::SecurityKey> {
    state
        .user_mfa_devices(user)
        .filter_map(|d| d.security_key.as_deref().cloned())
        .collect()
}

/// The MFA step with a security key: the browser's assertion `response` for the challenge
/// of session `pending` (see [`crate::security_keys`]). The key's signature counter must
/// increase (a clone is refused); each refusal is audited as a failed `ConsoleLogin`. On
/// success the key's counter is stored and the session replaced as in [`mfa_step`].
pub fn security_key_step(
    account: &Account,
    relying_party: &crate::security_keys::RelyingParty,
    pending: &str,
    response: &str,
    origin: &Origin<'_>,
) -> Result<Started, Refused> {
    let now = account.now();
    let user = pending_user(account, pending, now)?;
    let checked = relying_party.finish_sign_in(account, pending, response);
    let cookie = sessions::new_session_id()?;
    let result = account.write_retrying(|txn| {
        let device = checked.as_ref().ok().and_then(|result| {
            txn.state
                .user_mfa_devices(&user.name)
                .find(|d| {
                    d.security_key
                        .as_ref()
                        .is_some_and(|k| k.cred_id() == result.cred_id())
                })
                .cloned()
        });
        let (result, device) = match (&checked, device) {
            (Ok(result), Some(device)) => (result, device),
            (outcome, _) => {
                let reason = match outcome {
                    Err(refusal) => refusal.reason,
                    Ok(_) => "Unknown credential",
                };
                let failure = record::Failure {
                    who: record::Who::User(&user),
                    reason,
                    mfa_used: true,
                };
                txn.audit(record::failure(&txn.state, &failure, origin, txn.now));
                return Ok(Err(match outcome {
                    Err(refusal) => refusal.message.clone(),
                    Ok(_) => "This security key is not registered for your user.".to_string(),
                }));
            }
        };
        let mut updated = (*device).clone();
        if let Some(key) = updated.security_key.as_mut() {
            key.update_credential(result);
        }
        let serial = updated.serial.clone();
        crate::entities::mfa_devices::save_device(txn, updated)?;
        let fresh = signed_in_with_mfa(txn, &user, (pending, &cookie), &serial, origin)?;
        Ok(Ok(fresh))
    })?;
    match result {
        Ok(session) => Ok(Started { cookie, session }),
        Err(message) => Err(Refused::new(message)),
    }
}

/// The password was changed in session `cookie`: it may go on.
pub fn password_changed(account: &Account, cookie: &str) -> Result<(), IamError> {
    account.write_retrying(|txn| {
        let Some(session) = sessions::find(&txn.state, cookie, txn.now) else {
            return Ok(());
        };
        if session.stage == Stage::ChangePassword {
            let mut updated = (*session).clone();
            updated.stage = Stage::Active;
            sessions::save(txn, cookie, updated)?;
        }
        Ok(())
    })
}

/// Signs out: the session is deleted (its cookie no longer works anywhere), and a signed-in
/// session's end is audited (`ConsoleSignOut`, see [`record::sign_out`]).
pub fn sign_out(account: &Account, cookie: &str, origin: &Origin<'_>) -> Result<(), IamError> {
    account.write_retrying(|txn| {
        let Some(session) = sessions::find(&txn.state, cookie, txn.now) else {
            sessions::delete(txn, cookie);
            return Ok(());
        };
        sessions::delete(txn, cookie);
        if session.stage == Stage::MfaPending {
            return Ok(());
        }
        let user = session
            .user
            .as_deref()
            .and_then(|n| txn.state.user(n))
            .cloned();
        let who = match &user {
            Some(u) => record::Who::User(u),
            None if session.user.is_none() => record::Who::Root,
            None => return Ok(()),
        };
        let record = record::sign_out(&txn.state, who, origin, txn.now)?;
        txn.audit(record);
        Ok(())
    })
}

/// Records that session `cookie` was used now (at most once a minute), for its idle timeout.
pub fn touch(account: &Account, cookie: &str) -> Result<(), IamError> {
    let now = account.now();
    let state = account.snapshot();
    match sessions::find(&state, cookie, now) {
        Some(s) if sessions::needs_touch(&s, now) => account.write_retrying(|txn| {
            if let Some(s) = sessions::find(&txn.state, cookie, txn.now) {
                let mut updated = (*s).clone();
                updated.last_seen = txn.now;
                sessions::save(txn, cookie, updated)?;
            }
            Ok(())
        }),
        _ => Ok(()),
    }
}

/// Deletes timed-out console sessions; returns how many.
pub fn purge(account: &Account) -> Result<usize, IamError> {
    let now = account.now();
    let state = account.snapshot();
    if state
        .console_sessions
        .values()
        .all(|s| sessions::live(s, now))
    {
        return Ok(0);
    }
    account.write_retrying(|txn| Ok(sessions::purge(txn, txn.now)))
}

/// The caller a console session acts as: its user, with `aws:MultiFactorAuthPresent` true
/// only when this sign-in passed an MFA step (and its age from then). `None` when the user
/// is gone (or was deleted and created again) or has no console password any more.
pub fn caller(
    state: &AccountState,
    session: &ConsoleSession,
    source_ip: &str,
    secure_transport: bool,
) -> Option<Caller> {
    let Some(name) = session.user.as_deref() else {
        let arn = format!("arn:aws:iam::{}:root", state.account_id);
        return Some(Caller {
            principal: iamd_policy::Principal::from_arn(&arn)?,
            identity: Identity::Root,
            user_id: state.account_id.clone(),
            access_key_id: session.access_key_id.clone(),
            mfa: Some(MfaInfo {
                present: false,
                authenticated_at: None,
            }),
            session: Some(SessionKind::Console),
            source_ip: source_ip.to_string(),
            secure_transport,
            region: "us-east-1".to_string(),
        });
    };
    let user = state.user(name).filter(|u| u.id == session.user_id)?;
    // Deleting the login profile ends console access at once, sessions included (safer
    // than AWS, whose console sessions run on until they expire).
    state.login_profiles.get(&user.name.to_lowercase())?;
    Some(Caller {
        principal: iamd_policy::Principal::from_arn(&user.arn)?,
        identity: Identity::User(user.name.clone()),
        user_id: user.id.clone(),
        access_key_id: session.access_key_id.clone(),
        mfa: Some(MfaInfo {
            present: session.mfa_at.is_some(),
            authenticated_at: session.mfa_at,
        }),
        session: Some(SessionKind::Console),
        source_ip: source_ip.to_string(),
        secure_transport,
        region: "us-east-1".to_string(),
    })
}

/// The user of the half-signed-in session `pending` (waiting for its MFA step), checked by id.
/// The session may have been started on another node: see [`Account::find_fresh`].
fn pending_user(account: &Account, pending: &str, now: i64) -> Result<Arc<User>, Refused> {
    let session = account
        .find_fresh(|state| sessions::find(state, pending, now))
        .filter(|s| s.stage == Stage::MfaPending)
        .ok_or_else(|| Refused::new("Your sign-in has expired. Sign in again."))?;
    let state = account.snapshot();
    session
        .user
        .as_deref()
        .and_then(|name| state.user(name))
        .filter(|u| u.id == session.user_id)
        .cloned()
        .ok_or_else(|| Refused::new(FAILED))
}

/// The MFA step passed with device `serial`: the pending session (`pending`) is replaced by
/// a new one (`cookie`) that carries the MFA facts, and the sign-in is recorded.
fn signed_in_with_mfa(
    txn: &mut Txn,
    user: &User,
    (pending, cookie): (&str, &str),
    serial: &str,
    origin: &Origin<'_>,
) -> Result<ConsoleSession, IamError> {
    let profile = txn
        .state
        .login_profiles
        .get(&user.name.to_lowercase())
        .cloned()
        .ok_or_else(|| IamError::access_denied(FAILED))?;
    let stage = stage_after_sign_in(&profile, txn.state.password_policy.as_deref(), txn.now);
    let mut fresh = new_session(user, stage, Some(txn.now), txn.now)?;
    fresh.mfa_serial = Some(serial.to_string());
    sessions::delete(txn, pending);
    sessions::save(txn, cookie, fresh.clone())?;
    signed_in(txn, user, &fresh, origin)?;
    Ok(fresh)
}

fn new_session(
    user: &User,
    stage: Stage,
    mfa_at: Option<i64>,
    now: i64,
) -> Result<ConsoleSession, IamError> {
    let access_key_id = crate::crypto::access_key_id(crate::crypto::AccessKeyKind::Temporary)
        .map_err(|_| IamError::service_failure())?;
    Ok(ConsoleSession {
        user: Some(user.name.clone()),
        user_id: user.id.clone(),
        access_key_id,
        stage,
        created: now,
        last_seen: now,
        mfa_at,
        mfa_serial: None,
    })
}

/// A completed sign-in: the password's last use, and the `ConsoleLogin` success record.
fn signed_in(
    txn: &mut Txn,
    user: &User,
    session: &ConsoleSession,
    origin: &Origin<'_>,
) -> Result<(), IamError> {
    let key = user.name.to_lowercase();
    if let Some(profile) = txn.state.login_profiles.get(&key).cloned() {
        let mut updated = (*profile).clone();
        updated.password_last_used = Some(txn.now);
        txn.put(crate::entities::Kind::LoginProfile, &key, &updated)?;
        txn.state.login_profiles.insert(key, Arc::new(updated));
    }
    let record = record::success(
        &txn.state,
        record::Who::User(user),
        session,
        origin,
        txn.now,
    )?;
    txn.audit(record);
    Ok(())
}

/// Where a sign-in lands: the change-password page when the password must be changed
/// (PasswordResetRequired, or older than the policy's maximum age), else signed in.
fn stage_after_sign_in(profile: &LoginProfile, policy: Option<&PasswordPolicy>, now: i64) -> Stage {
    if profile.password_reset_required || expired(profile, policy, now) {
        Stage::ChangePassword
    } else {
        Stage::Active
    }
}

fn expired(profile: &LoginProfile, policy: Option<&PasswordPolicy>, now: i64) -> bool {
    policy
        .and_then(|p| p.max_password_age)
        .is_some_and(|days| now >= profile.password_last_changed + i64::from(days) * 86_400)
}

fn hard_expired(profile: &LoginProfile, policy: Option<&PasswordPolicy>, now: i64) -> bool {
    policy.is_some_and(|p| p.hard_expiry) && expired(profile, policy, now)
}

#[cfg(test)]
mod tests;
