//! What hangs on a user by name, moved when UpdateUser renames it: access keys, SSH keys,
//! signing certificates, service-specific credentials, the login profile, MFA devices and
//! the user's STS sessions. Everything a user owns must move, or a user created later under
//! the old name would inherit it (its password, its MFA device).

use std::sync::Arc;

use crate::account::Txn;
use crate::error::IamError;

/// Moves every credential of user `old` (name as created) to `new`, in `txn`.
pub(super) fn move_belongings(txn: &mut Txn, old: &str, new: &str) -> Result<(), IamError> {
    let owned_by_old = |owner: Option<&str>| owner.is_some_and(|o| o.eq_ignore_ascii_case(old));

    let keys: Vec<_> = txn
        .state
        .access_keys
        .values()
        .filter(|k| owned_by_old(k.user.as_deref()))
        .cloned()
        .collect();
    for key in keys {
        let mut key = (*key).clone();
        key.user = Some(new.to_string());
        txn.put(crate::entities::Kind::AccessKey, &key.id, &key)?;
        txn.state.access_keys.insert(key.id.clone(), Arc::new(key));
    }

    crate::entities::user_credentials::rename_owner(txn, old, new)?;

    if let Some(profile) = txn.state.login_profiles.remove(&old.to_lowercase()) {
        txn.delete(crate::entities::Kind::LoginProfile, &old.to_lowercase());
        let mut profile = (*profile).clone();
        profile.user = new.to_string();
        let key = new.to_lowercase();
        txn.put(crate::entities::Kind::LoginProfile, &key, &profile)?;
        txn.state.login_profiles.insert(key, Arc::new(profile));
    }

    let devices: Vec<_> = txn.state.user_mfa_devices(old).cloned().collect();
    for device in devices {
        let mut device = (*device).clone();
        device.user = Some(new.to_string());
        txn.put(crate::entities::Kind::MfaDevice, &device.serial, &device)?;
        txn.state
            .mfa_devices
            .insert(device.serial.clone(), Arc::new(device));
    }

    let sessions: Vec<_> = txn
        .state
        .sessions
        .values()
        .filter(|s| owned_by_old(s.user.as_deref()))
        .cloned()
        .collect();
    for session in sessions {
        let mut session = (*session).clone();
        session.user = Some(new.to_string());
        txn.put(
            crate::entities::Kind::Session,
            &session.access_key_id,
            &session,
        )?;
        txn.state
            .sessions
            .insert(session.access_key_id.clone(), Arc::new(session));
    }
    Ok(())
}

/// Removes the STS sessions of user `name` (deleted): they could not be used anyway (a
/// session names its user's unique id), and nothing should outlive the user in the store.
pub(super) fn delete_sessions(txn: &mut Txn, name: &str) {
    let ids: Vec<String> = txn
        .state
        .sessions
        .values()
        .filter(|s| {
            s.user
                .as_deref()
                .is_some_and(|u| u.eq_ignore_ascii_case(name))
        })
        .map(|s| s.access_key_id.clone())
        .collect();
    for id in ids {
        txn.delete(crate::entities::Kind::Session, &id);
        txn.state.sessions.remove(&id);
    }
}
