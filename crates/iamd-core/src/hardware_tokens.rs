//! Hardware TOTP tokens: an administrator registers each token's serial number and seed
//! (parsed from a CSV or PSKC file by `iamd-tokenfile`); users then enable a token with
//! EnableMFADevice and two consecutive codes, as they would a virtual device.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::json;

use crate::account::Account;
use crate::error::IamError;
use crate::mfa::seal_seed;
use crate::model::{MfaDevice, MfaKind};
use crate::store::AuditRecord;

pub use iamd_tokenfile::{
    check_seed_length, check_serial, parse_csv, parse_pskc, HardwareToken, TokenFileError,
    MAX_SEED_BYTES, MIN_SEED_BYTES,
};

/// Registers hardware TOTP tokens in `account`, in one transaction: each becomes an
/// unassigned [`MfaDevice`] of kind [`MfaKind::Hardware`], named and keyed by its serial
/// number, path `/`, seed sealed. All-or-nothing: a serial number already in the account
/// (or given twice) fails the whole import with EntityAlreadyExists. Writes one audit record
/// (`ImportHardwareMFADevices`, listing the serial numbers, never seeds). Returns the serial
/// numbers registered. `by` is the caller recorded in the audit record (`None`: an
/// administrator working on the data directory).
pub fn import(
    account: &Account,
    tokens: Vec<HardwareToken>,
    by: Option<&crate::authz::Caller>,
) -> Result<Vec<String>, IamError> {
    let mut sealed = Vec::with_capacity(tokens.len());
    let mut seen = HashSet::new();
    for token in &tokens {
        check_serial(&token.serial).map_err(IamError::invalid_input)?;
        check_seed_length(&token.seed).map_err(IamError::invalid_input)?;
        if !seen.insert(token.serial.as_str()) {
            return Err(duplicate(&token.serial));
        }
        sealed.push((
            token.serial.clone(),
            seal_seed(&account.sealing, &token.serial, &token.seed)?,
        ));
    }
    let event_id = crate::crypto::request_id().map_err(|_| IamError::service_failure())?;
    account.write(|txn| {
        let mut serials = Vec::with_capacity(sealed.len());
        for (serial, sealed_seed) in sealed {
            let taken = txn
                .state
                .mfa_devices
                .keys()
                .any(|existing| existing.eq_ignore_ascii_case(&serial));
            if taken {
                return Err(duplicate(&serial));
            }
            let device = MfaDevice {
                serial: serial.clone(),
                name: serial.clone(),
                path: "/".into(),
                kind: MfaKind::Hardware,
                sealed_seed,
                user: None,
                enable_date: None,
                create_date: txn.now,
                last_used_step: None,
                throttle: Default::default(),
                pending_throttles: Default::default(),
                security_key: None,
                tags: Vec::new(),
            };
            txn.put(crate::entities::Kind::MfaDevice, &serial, &device)?;
            txn.state
                .mfa_devices
                .insert(serial.clone(), Arc::new(device));
            serials.push(serial);
        }
        let body = json!({
            "eventVersion": "1.11",
            "userIdentity": match by {
                Some(caller) => crate::audit::user_identity(caller, &txn.state.account_id),
                None => json!({"type": "iamd-administrator"}),
            },
            "eventTime": crate::time::iso8601(txn.now),
            "eventSource": "iamd.admin",
            "eventName": "ImportHardwareMFADevices",
            "requestParameters": {"serialNumbers": serials},
            "responseElements": null,
            "eventID": event_id,
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "eventCategory": "Management",
            "recipientAccountId": txn.state.account_id,
        });
        txn.audit(AuditRecord {
            event_id: event_id.clone(),
            event_time: txn.now,
            event_name: "ImportHardwareMFADevices".into(),
            event_source: "iamd.admin".into(),
            username: match by {
                Some(caller) => crate::audit::audit_username(caller),
                None => "iamd-administrator".into(),
            },
            body: body.to_string(),
            lookup: Default::default(),
        });
        Ok(serials)
    })
}

fn duplicate(serial: &str) -> IamError {
    IamError::already_exists(format!(
        "MFA Device with serial number {serial} already exists; no token was imported."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"

    #[test]
    fn import_is_one_transaction() {
        let (acct, _) = crate::testing::account();
        let tokens = parse_csv(&format!("GAHT00000001,{SEED_B32}\n")).unwrap();
        import(&acct, tokens, None).unwrap();
        let again = parse_csv(&format!(
            "GAHT00000002,{SEED_B32}\ngaht00000001,{SEED_B32}\n"
        ))
        .unwrap();
        let e = import(&acct, again, None).unwrap_err();
        assert_eq!(e.code, "EntityAlreadyExists");
        let state = acct.snapshot();
        assert_eq!(state.mfa_devices.len(), 1);
        let device = &state.mfa_devices["GAHT00000001"];
        assert_eq!(
            (device.kind, device.path.as_str(), device.name.as_str()),
            (MfaKind::Hardware, "/", "GAHT00000001")
        );
        assert!(device.user.is_none());
        assert!(!device.sealed_seed.contains(SEED_B32));
        let opened = crate::mfa::open_seed(&acct.sealing, device).unwrap();
        assert_eq!(opened.as_slice(), b"12345678901234567890");
        let events = acct.audit_events(10).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event_name, "ImportHardwareMFADevices");
    }
}
