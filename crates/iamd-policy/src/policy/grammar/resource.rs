//! The checks of `Resource` and `NotResource` entries, as AWS makes them at create time.
//!
//! AWS reads an entry as an ARN padded with `*` to its six parts: whatever precedes the
//! first `:` is taken as `arn`, so `arn:aws:fdsasf` is valid (service `fdsasf`, the rest
//! `*`) and `a:b` fails on its partition `b` (`Partition "b" is not valid for resource
//! "arn:b:*:*:*:*".`). Recorded AWS answers: moto's `test_iam_policies.py`.
//!
//! Order: for `Resource` in every statement, then `NotResource`: each entry's format is
//! checked and the first error kept (it is reported after the missing-actions and
//! missing-resources checks); while no format error has been found, the statement's
//! entries are also parsed the legacy way, whose failure is reported at once.

use super::{strings, Statement};
use crate::error::{messages, PolicyError};

/// The partitions AWS knows. `*` is accepted too (moto's recorded valid documents).
const PARTITIONS: [&str; 9] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
    "*",
];

/// What an IAM resource's path may start with; AWS's message lists them in this order.
const IAM_PATHS: [&str; 13] = [
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
];

/// S3 resources that do have a region (access points, batch jobs, Storage Lens): only
/// buckets and objects may not. AWS accepts
/// `arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point` (moto's recorded valid
/// documents).
const S3_REGIONAL: [&str; 6] = [
    "accesspoint/",
    "job/",
    "storage-lens/",
    "storage-lens-group/",
    "async-request/",
    "access-grants/",
];

/// The legacy failure (at once), or the first format error (reported later by the caller).
pub(super) fn check_all(statements: &[Statement<'_>]) -> Result<Option<PolicyError>, PolicyError> {
    let mut first: Option<PolicyError> = None;
    for key in ["Resource", "NotResource"] {
        for (place, st) in statements {
            if !st.contains_key(key) {
                continue;
            }
            let entries = strings(st.get(key));
            let place = place.child(key);
            for entry in &entries {
                if first.is_none() {
                    first = format_error(entry)
                        .map(|message| PolicyError::new(message, &place, format!("`{entry}`")));
                }
            }
            if first.is_some() {
                continue;
            }
            if let Some(entry) = entries.iter().find(|e| !legacy_ok(e)) {
                let detail = format!("`{entry}` is not a six-part ARN with a service");
                return Err(PolicyError::new(messages::LEGACY_PARSING, &place, detail));
            }
        }
    }
    Ok(first)
}

/// The legacy parser: fewer than six parts only without `::`, and a non-empty service.
fn legacy_ok(entry: &str) -> bool {
    if entry == "*" {
        return true;
    }
    let colons = entry.bytes().filter(|b| *b == b':').count();
    let short_with_empty = colons < 5 && entry.contains("::");
    let service = entry.split(':').nth(2).unwrap_or_default();
    !short_with_empty && !service.is_empty()
}

/// AWS's message for a malformed entry, `None` when it is well formed.
pub(super) fn format_error(entry: &str) -> Option<String> {
    if entry == "*" {
        return None;
    }
    let Some((_, rest)) = entry.split_once(':') else {
        return Some(format!("Resource {entry} must be in ARN format or \"*\"."));
    };
    let (partition, after) = match rest.split_once(':') {
        Some((partition, after)) => (partition, Some(after)),
        None => (rest, None),
    };
    let fields: Vec<&str> = after
        .map(|a| a.splitn(4, ':').collect())
        .unwrap_or_default();
    if !PARTITIONS.contains(&partition) {
        return Some(format!(
            "Partition \"{partition}\" is not valid for resource \"arn:{partition}:{}\".",
            padded(&fields)
        ));
    }
    let vendor = match fields.first() {
        Some(vendor) if !vendor.contains(['*', '?']) => *vendor,
        _ => return Some(messages::RESOURCE_VENDOR.to_string()),
    };
    let region = fields.get(1).copied();
    let resource = fields.get(3).copied().unwrap_or("*");
    match vendor {
        "iam" if region != Some("") => Some(format!(
            "IAM resource {entry} cannot contain region information."
        )),
        "s3" if region != Some("") && !S3_REGIONAL.iter().any(|p| resource.starts_with(p)) => Some(
            format!("Resource {entry} can not contain region information."),
        ),
        "iam" if !iam_resource_ok(resource) => Some(format!(
            "IAM resource path must either be \"*\" or start with {}.",
            IAM_PATHS.join(", ")
        )),
        _ => None,
    }
}

/// `*`, the account's root user (AWS's own managed policies name `arn:aws:iam::*:root`,
/// e.g. IAMCreateRootUserPassword), or a resource of one of AWS's listed types.
fn iam_resource_ok(resource: &str) -> bool {
    resource == "*" || resource == "root" || IAM_PATHS.iter().any(|p| resource.starts_with(p))
}

/// The four parts after the partition, missing ones as `*` (a lone empty part too).
fn padded(fields: &[&str]) -> String {
    let fields = if fields == [""] { &[][..] } else { fields };
    (0..4)
        .map(|i| fields.get(i).copied().unwrap_or("*"))
        .collect::<Vec<_>>()
        .join(":")
}
