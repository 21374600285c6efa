//! `ImportHardwareMFADevices`: an iamd extension (AWS has no API for it) through which an
//! administrator registers hardware TOTP tokens from a CSV or PSKC file; see
//! [`crate::hardware_tokens`] for the formats. Users then enable a token with the ordinary
//! EnableMFADevice.
//!
//! It is not part of the IAM Query API (the botocore model does not know it, so
//! `Action=ImportHardwareMFADevices` is an InvalidAction there): the server offers it as
//! `POST /iamd/admin/hardware-mfa-devices` and builds the input `{"Format": "csv" | "pskc",
//! "Body": "<the file>"}`. The output is `{"Imported": [serial, ...]}`.
//!
//! Authorization: the action [`ACTION`] (`iamd:ImportHardwareMFADevices`, in iamd's own
//! namespace so that no `iam:*` grant written for AWS covers it by accident) on the resource
//! `arn:aws:iam::ACCOUNT:mfa/`. Root and identities allowed `"Action": "*"` may import;
//! nobody else unless a policy names the action. Authorization comes before the file is
//! parsed, so a refused caller learns nothing about the file.
//!
//! All-or-nothing: a bad line or entry (reported with its number) or a serial number that
//! already exists imports nothing. The input holds seeds: it is never put in an error
//! message nor in the audit log (the audit record lists the serial numbers only).

use serde::Deserialize;
use serde_json::{json, Value};

use super::support::input;
use super::{Auth, OpContext, Operation};
use crate::error::IamError;
use crate::hardware_tokens::{import, parse_csv, parse_pskc};

/// The action a policy must allow.
pub const ACTION: &str = "iamd:ImportHardwareMFADevices";

pub(super) static OPS: &[Operation] = &[Operation {
    service: &crate::service::IAM,
    name: "ImportHardwareMFADevices",
    auth: Auth::Policy,
    handler: import_hardware,
    read_only: false,
}];

/// The input the server's admin route builds.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImportInput {
    /// `csv` or `pskc`.
    format: String,
    /// The file's text (holds the seeds).
    body: String,
}

fn import_hardware(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    ctx.authorize(ACTION, &ctx.arn("mfa", "/", ""))?;
    let input: ImportInput = input(value)?;
    let parsed = match input.format.to_ascii_lowercase().as_str() {
        "csv" => parse_csv(&input.body),
        "pskc" => parse_pskc(&input.body),
        other => {
            return Err(IamError::invalid_input(format!(
                "Unknown token file format {other:?}: use csv or pskc."
            )))
        }
    };
    let tokens = parsed.map_err(|e| {
        IamError::invalid_input(format!(
            "The token file was rejected ({e}); no token was imported."
        ))
    })?;
    let imported = import(ctx.account, tokens, Some(ctx.caller))?;
    Ok(json!({ "Imported": imported }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::{json, Value};

    use crate::error::IamError;
    use crate::testing::{account, call, root, user};

    const SEED_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn import(
        acct: &crate::account::Account,
        caller: &crate::authz::Caller,
        format: &str,
        body: &str,
    ) -> Result<Value, IamError> {
        let input = json!({"Format": format, "Body": body});
        call(acct, caller, "iam", "ImportHardwareMFADevices", input)
    }

    fn user_with_policy(acct: &crate::account::Account, name: &str, action: &str) {
        let admin = root();
        call(acct, &admin, "iam", "CreateUser", json!({"UserName": name})).unwrap();
        let doc = json!({"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]});
        let input = json!({"UserName": name, "PolicyName": "p", "PolicyDocument": doc.to_string()});
        call(acct, &admin, "iam", "PutUserPolicy", input).unwrap();
    }

    #[test]
    fn root_and_admins_import_others_are_denied() {
        let (acct, _) = account();
        let out = import(&acct, &root(), "csv", &format!("GAHT00000001,{SEED_B32}\n")).unwrap();
        assert_eq!(out, json!({"Imported": ["GAHT00000001"]}));

        user_with_policy(&acct, "admin", "*");
        let admin = user(&acct, "admin", None);
        let out = import(&acct, &admin, "CSV", &format!("GAHT00000002,{SEED_B32}\n")).unwrap();
        assert_eq!(out["Imported"][0], "GAHT00000002");
        let event = &acct.audit_events(1).unwrap()[0];
        assert_eq!(
            (event.event_name.as_str(), event.username.as_str()),
            ("ImportHardwareMFADevices", "admin")
        );
        assert!(
            event.body.contains("arn:aws:iam::111122223333:user/admin"),
            "{}",
            event.body
        );

        // iam:* is written for AWS's actions: it does not reach iamd's own.
        user_with_policy(&acct, "iamadmin", "iam:*");
        let iam_admin = user(&acct, "iamadmin", None);
        let e = import(&acct, &iam_admin, "csv", "not,a,valid,file").unwrap_err();
        assert_eq!((e.code, e.status), ("AccessDenied", 403));
        assert!(
            e.message.contains("iamd:ImportHardwareMFADevices"),
            "{}",
            e.message
        );
        assert!(
            !e.message.contains("line"),
            "refused before parsing: {}",
            e.message
        );
        assert_eq!(acct.snapshot().mfa_devices.len(), 2);
    }

    #[test]
    fn bad_files_import_nothing_and_name_the_line() {
        let (acct, _) = account();
        let body = format!("GAHT00000001,{SEED_B32}\nGAHT00000002,hex:zz\n");
        let e = import(&acct, &root(), "csv", &body).unwrap_err();
        assert_eq!((e.code, e.status), ("InvalidInput", 400));
        assert!(e.message.contains("line 2"), "{}", e.message);
        assert!(!e.message.contains(SEED_B32));
        let e = import(&acct, &root(), "pskc", "<KeyContainer/>").unwrap_err();
        assert!(e.message.contains("no KeyPackage"), "{}", e.message);
        let e = import(&acct, &root(), "json", "{}").unwrap_err();
        assert_eq!(e.code, "InvalidInput");
        assert!(acct.snapshot().mfa_devices.is_empty());
        assert!(acct.audit_events(10).unwrap().is_empty());
    }
}
