//! AWS managed policies (`arn:aws:iam::aws:policy/...`): present in every account, never
//! stored. Each is kept as a JSON file in `aws-policies/` with AWS's own metadata (PolicyId,
//! path, default version, dates) and the default version's document.
//!
//! ReadOnlyAccess is a faithful subset of its real document (see its `Subset` note); the
//! others are whole. Where AWS publishes a date only to the minute, the seconds are `00`.

use std::sync::{Arc, OnceLock};

use iamd_policy::PolicyKind;
use serde::Deserialize;
use serde_json::Value;

use crate::model::{Document, ManagedPolicy, PolicyVersion};
use crate::time::parse_iso8601;

/// The files, by name.
const FILES: &[(&str, &str)] = &[
    (
        "AdministratorAccess",
        include_str!("../aws-policies/AdministratorAccess.json"),
    ),
    (
        "PowerUserAccess",
        include_str!("../aws-policies/PowerUserAccess.json"),
    ),
    (
        "ReadOnlyAccess",
        include_str!("../aws-policies/ReadOnlyAccess.json"),
    ),
    (
        "IAMFullAccess",
        include_str!("../aws-policies/IAMFullAccess.json"),
    ),
    (
        "IAMReadOnlyAccess",
        include_str!("../aws-policies/IAMReadOnlyAccess.json"),
    ),
    (
        "IAMUserChangePassword",
        include_str!("../aws-policies/IAMUserChangePassword.json"),
    ),
    (
        "IAMSelfManageServiceSpecificCredentials",
        include_str!("../aws-policies/IAMSelfManageServiceSpecificCredentials.json"),
    ),
    (
        "AWSLambdaBasicExecutionRole",
        include_str!("../aws-policies/AWSLambdaBasicExecutionRole.json"),
    ),
];

/// One file's content.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AwsPolicyFile {
    policy_name: String,
    policy_id: String,
    path: String,
    description: String,
    default_version_id: String,
    create_date: String,
    update_date: String,
    document: Value,
}

/// Every AWS managed policy, parsed and compiled once.
pub fn aws_managed_policies() -> &'static [Arc<ManagedPolicy>] {
    static POLICIES: OnceLock<Vec<Arc<ManagedPolicy>>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        FILES
            .iter()
            .filter_map(|(name, text)| match load(text) {
                Ok(policy) => Some(Arc::new(policy)),
                Err(e) => {
                    // A broken file is a build defect (a unit test loads them all).
                    eprintln!("iamd: AWS managed policy {name}: {e}");
                    None
                }
            })
            .collect()
    })
}

/// Parses one file into a managed policy with one (the default) version.
fn load(text: &str) -> Result<ManagedPolicy, String> {
    let file: AwsPolicyFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let arn = format!("arn:aws:iam::aws:policy{}{}", file.path, file.policy_name);
    let date = |s: &str| parse_iso8601(s).ok_or_else(|| format!("bad date {s}"));
    let (create_date, update_date) = (date(&file.create_date)?, date(&file.update_date)?);
    let document_text = serde_json::to_string_pretty(&file.document).map_err(|e| e.to_string())?;
    let document =
        Document::compile(&arn, &document_text, PolicyKind::Identity).map_err(|e| e.message)?;
    let version_number = file
        .default_version_id
        .trim_start_matches('v')
        .parse::<u32>()
        .map_err(|e| e.to_string())?;
    Ok(ManagedPolicy {
        name: file.policy_name,
        id: file.policy_id,
        path: file.path,
        arn,
        description: Some(file.description),
        create_date,
        update_date,
        default_version: file.default_version_id.clone(),
        versions: vec![PolicyVersion {
            id: file.default_version_id,
            document,
            create_date: update_date,
        }],
        next_version: version_number + 1,
        tags: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_loads_with_its_real_metadata() {
        let policies = aws_managed_policies();
        assert_eq!(policies.len(), FILES.len());
        let admin = policies
            .iter()
            .find(|p| p.name == "AdministratorAccess")
            .unwrap();
        assert_eq!(admin.arn, "arn:aws:iam::aws:policy/AdministratorAccess");
        assert_eq!(admin.id, "ANPAIWMBCKSKIEE64ZLYK");
        assert_eq!(
            crate::time::iso8601(admin.create_date),
            "2015-02-06T18:39:46Z"
        );
        let lambda = policies
            .iter()
            .find(|p| p.name == "AWSLambdaBasicExecutionRole")
            .unwrap();
        assert_eq!(
            lambda.arn,
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        );
        for p in policies {
            assert!(p.compiled().is_some(), "{}", p.name);
            assert!(p.id.starts_with("ANPA"), "{}", p.name);
        }
    }
}
