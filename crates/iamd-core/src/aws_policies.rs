//! AWS managed policies (`arn:aws:iam::aws:policy/...`): present in every account, never
//! stored. `aws-policies/index.json` holds AWS's metadata of each (PolicyId, path,
//! description, default version, dates); `aws-policies/NAME.json` its default version's
//! document, in the text AWS returns (its pretty-printing and key order).
//!
//! ReadOnlyAccess is a faithful subset of its real document (see its `Subset` note); the
//! others are whole. Where AWS publishes a date only to the minute, the seconds are `00`.

use std::sync::{Arc, OnceLock};

use iamd_policy::PolicyKind;
use serde::Deserialize;

use crate::model::{Document, ManagedPolicy, PolicyVersion};
use crate::time::parse_iso8601;

const INDEX: &str = include_str!("../aws-policies/index.json");

/// The documents, by policy name.
const DOCUMENTS: &[(&str, &str)] = &[
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

/// One policy's metadata in the index.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata {
    policy_name: String,
    policy_id: String,
    path: String,
    description: String,
    default_version_id: String,
    create_date: String,
    update_date: String,
}

/// Every AWS managed policy, parsed and compiled once.
pub fn aws_managed_policies() -> &'static [Arc<ManagedPolicy>] {
    static POLICIES: OnceLock<Vec<Arc<ManagedPolicy>>> = OnceLock::new();
    POLICIES.get_or_init(|| match load_all() {
        Ok(policies) => policies,
        Err(e) => {
            // A broken file is a build defect (a unit test loads them all).
            tracing::error!(target: "iamd", "AWS managed policies: {e}");
            Vec::new()
        }
    })
}

fn load_all() -> Result<Vec<Arc<ManagedPolicy>>, String> {
    let index: Vec<Metadata> = serde_json::from_str(INDEX).map_err(|e| e.to_string())?;
    index
        .into_iter()
        .map(|meta| {
            let document = DOCUMENTS
                .iter()
                .find(|(name, _)| *name == meta.policy_name)
                .map(|(_, text)| *text)
                .ok_or_else(|| format!("no document for {}", meta.policy_name))?;
            load(meta, document).map(Arc::new)
        })
        .collect()
}

/// A managed policy with one version, the default, whose document is `text`.
fn load(meta: Metadata, text: &str) -> Result<ManagedPolicy, String> {
    let arn = format!("arn:aws:iam::aws:policy{}{}", meta.path, meta.policy_name);
    let date = |s: &str| parse_iso8601(s).ok_or_else(|| format!("bad date {s}"));
    let (create_date, update_date) = (date(&meta.create_date)?, date(&meta.update_date)?);
    let document = Document::compile(&arn, text, PolicyKind::Identity)
        .map_err(|e| format!("{}: {}", meta.policy_name, e.message))?;
    let version_number = meta
        .default_version_id
        .trim_start_matches('v')
        .parse::<u32>()
        .map_err(|e| e.to_string())?;
    Ok(ManagedPolicy {
        name: meta.policy_name,
        id: meta.policy_id,
        path: meta.path,
        arn,
        description: Some(meta.description),
        create_date,
        update_date,
        default_version: meta.default_version_id.clone(),
        versions: vec![PolicyVersion {
            id: meta.default_version_id,
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
        assert_eq!(policies.len(), DOCUMENTS.len());
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
        let read_only = policies
            .iter()
            .find(|p| p.name == "IAMReadOnlyAccess")
            .unwrap();
        // AWS's text: its key order and `"key" : value` pretty-printing.
        assert!(read_only.versions[0]
            .document
            .text
            .starts_with("{\n  \"Version\" : \"2012-10-17\",\n  \"Statement\" : ["));
        for p in policies {
            assert!(p.compiled().is_some(), "{}", p.name);
            assert!(p.id.starts_with("ANPA"), "{}", p.name);
        }
    }
}
