//! The credential report (GenerateCredentialReport, GetCredentialReport): one CSV row per
//! user, the root user first, with AWS's columns and values (`true`/`false`, `N/A` where a
//! credential does not exist or was never used, `no_information` for a password never used,
//! `not_supported` for the root user's password columns, dates as `2026-11-23T08:44:41+00:00`).
//!
//! Behaviour chosen where AWS leaves room:
//! - The report is generated at once, inside GenerateCredentialReport, so the first call
//!   answers `STARTED` (with AWS's description) and GetCredentialReport has it right away; a
//!   call within 4 hours of the last report answers `COMPLETE` and keeps it, as AWS does.
//! - GetCredentialReport returns the last report whatever its age (no `ReportExpired`): AWS
//!   does not document when a report expires.
//! - The root row's `user_creation_time` is when the account's root key was created (iamd's
//!   first start); the root user has no console password in iamd.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use base64::Engine;
use serde_json::{json, Value};

use super::{iam_op, OpContext, Operation};
use crate::error::IamError;
use crate::model::{CredentialReport, KeyStatus};
use crate::state::AccountState;

pub(super) static OPS: &[Operation] = &[
    iam_op("GenerateCredentialReport", generate, false),
    iam_op("GetCredentialReport", get, true),
];

/// AWS reuses a report younger than this instead of generating a new one.
const REUSE_SECS: i64 = 4 * 3600;

const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,\
password_last_changed,password_next_rotation,mfa_active,access_key_1_active,\
access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,\
access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,\
access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,\
cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

const NA: &str = "N/A";

fn generate(ctx: &OpContext<'_>, _value: &Value) -> Result<Value, IamError> {
    ctx.authorize("iam:GenerateCredentialReport", "*")?;
    let last_used = |key_id: &str| ctx.account.key_last_used(key_id);
    ctx.write(|txn| {
        let now = txn.now;
        let recent = txn.state.credential_report.as_ref();
        if recent.is_some_and(|r| now - r.generated < REUSE_SECS) {
            return Ok(json!({"State": "COMPLETE"}));
        }
        let report = CredentialReport {
            generated: now,
            csv: report_csv(&txn.state, &last_used),
        };
        txn.put(crate::entities::Kind::CredentialReport, "report", &report)?;
        let first = txn.state.credential_report.is_none();
        txn.state.credential_report = Some(Arc::new(report));
        Ok(if first {
            json!({
                "State": "STARTED",
                "Description": "No report exists. Starting a new report generation task",
            })
        } else {
            json!({"State": "STARTED"})
        })
    })
}

fn get(ctx: &OpContext<'_>, _value: &Value) -> Result<Value, IamError> {
    ctx.authorize("iam:GetCredentialReport", "*")?;
    let report = ctx.state.credential_report.as_ref().ok_or_else(|| {
        IamError::new(
            "ReportNotPresent",
            410,
            "The request was rejected because the credential report does not exist. To \
             generate a credential report, use GenerateCredentialReport.",
        )
    })?;
    Ok(json!({
        "Content": base64::engine::general_purpose::STANDARD.encode(report.csv.as_bytes()),
        "ReportFormat": "text/csv",
        "GeneratedTime": report.generated,
    }))
}

/// A date as the credential report writes it.
fn date(secs: i64) -> String {
    let mut text = crate::time::iso8601(secs);
    text.pop(); // the `Z`
    text.push_str("+00:00");
    text
}

fn flag(value: bool) -> String {
    value.to_string()
}

/// The report's CSV: the root user, then every user by name.
pub(crate) fn report_csv(
    state: &AccountState,
    last_used: &dyn Fn(&str) -> Option<crate::model::LastUsed>,
) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    // Each user's keys, certificates and MFA, gathered in one pass over each (not one pass per
    // user: the report was quadratic in the account's size).
    let mut keys_of: HashMap<Option<&str>, Vec<_>> = HashMap::new();
    for key in state.access_keys.values() {
        keys_of.entry(key.user.as_deref()).or_default().push(key);
    }
    let mut certs_of: HashMap<Option<&str>, Vec<_>> = HashMap::new();
    for cert in state.signing_certificates.values() {
        certs_of.entry(cert.user.as_deref()).or_default().push(cert);
    }
    let with_mfa: HashSet<&str> = state
        .mfa_devices
        .values()
        .filter_map(|d| d.user.as_deref())
        .collect();
    let credentials = |user: Option<&str>| -> Vec<String> {
        let mut keys = keys_of.get(&user).cloned().unwrap_or_default();
        keys.sort_by_key(|k| (k.create_date, k.id.clone()));
        let mut cells = Vec::new();
        for slot in 0..2 {
            match keys.get(slot) {
                Some(key) => {
                    cells.push(flag(key.status == KeyStatus::Active));
                    cells.push(date(key.create_date));
                    match last_used(&key.id) {
                        Some(used) => {
                            cells.extend([date(used.date), used.region, used.service]);
                        }
                        None => cells.extend([NA.into(), NA.into(), NA.into()]),
                    }
                }
                None => cells.extend([flag(false), NA.into(), NA.into(), NA.into(), NA.into()]),
            }
        }
        let mut certs = certs_of.get(&user).cloned().unwrap_or_default();
        certs.sort_by_key(|c| (c.upload_date, c.id.clone()));
        for slot in 0..2 {
            match certs.get(slot) {
                Some(cert) => {
                    cells.push(flag(cert.status == KeyStatus::Active));
                    cells.push(date(cert.upload_date));
                }
                None => cells.extend([flag(false), NA.into()]),
            }
        }
        cells
    };

    let root_created = state
        .access_keys
        .values()
        .filter(|k| k.user.is_none())
        .map(|k| k.create_date)
        .min();
    let mut root = vec![
        "<root_account>".to_string(),
        format!("arn:aws:iam::{}:root", state.account_id),
        root_created.map_or_else(|| NA.to_string(), date),
        "not_supported".into(),
        NA.into(),
        "not_supported".into(),
        "not_supported".into(),
        flag(false),
    ];
    root.extend(credentials(None));
    push_row(&mut out, &root);

    let max_age = state
        .password_policy
        .as_ref()
        .and_then(|p| p.max_password_age);
    for user in state.users.values() {
        let profile = state.login_profiles.get(&user.name.to_lowercase());
        let mfa_active = with_mfa.contains(user.name.as_str());
        let mut row = vec![user.name.clone(), user.arn.clone(), date(user.create_date)];
        match profile {
            Some(p) => row.extend([
                flag(true),
                p.password_last_used
                    .map_or_else(|| "no_information".to_string(), date),
                date(p.password_last_changed),
                max_age.map_or_else(
                    || NA.to_string(),
                    |days| date(p.password_last_changed + i64::from(days) * 86_400),
                ),
            ]),
            None => row.extend([flag(false), NA.into(), NA.into(), NA.into()]),
        }
        row.push(flag(mfa_active));
        row.extend(credentials(Some(&user.name)));
        push_row(&mut out, &row);
    }
    out
}

/// One CSV line; a cell with a comma (IAM names may hold one) is quoted.
fn push_row(out: &mut String, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push('\n');
}
