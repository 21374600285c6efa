//! Reads `fixtures/policies/EXPECTED.md`: the seed policy sets and their expected decisions.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

pub const ACCOUNT: &str = "111122223333";

/// Actions of generated requests (property and differential tests).
pub const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "iam:GetUser",
    "iam:ListUsers",
    "iam:CreateAccessKey",
    "ec2:RunInstances",
];

/// Resources of generated requests.
pub const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::bucket/key",
    "arn:aws:s3:::bucket/home/alice/x",
    "arn:aws:s3:::other/key",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:user/bob",
    "arn:aws:iam::444455556666:user/carol",
];

/// The repository's `fixtures/policies` folder.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/policies")
}

/// One row of the table, for one MFA state.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub files: Vec<String>,
    pub action: String,
    pub resource: String,
    /// `None` = absent, `Some("false")`, `Some("true")`.
    pub mfa: Option<&'static str>,
    /// `Allow`, `Deny` or `Implicit`.
    pub expected: String,
}

/// All rows × the three MFA states.
pub fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(fixtures().join("EXPECTED.md")).unwrap();
    let mut files: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("## Set ") {
            files = heading
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() != 8 || cells[1] == "#" || cells[1].starts_with("---") {
            continue;
        }
        let resource = cells[3].trim_matches('`');
        let resource = match resource.strip_prefix("...") {
            Some(rest) => format!("arn:aws:iam::{ACCOUNT}:{rest}"),
            None => resource.to_string(),
        };
        for (mfa, expected) in [
            (None, cells[4]),
            (Some("false"), cells[5]),
            (Some("true"), cells[6]),
        ] {
            rows.push(Row {
                id: cells[1].to_string(),
                files: files.clone(),
                action: cells[2].to_string(),
                resource: resource.clone(),
                mfa,
                expected: expected.to_string(),
            });
        }
    }
    rows
}
