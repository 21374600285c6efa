//! The account's entities as stored. Compiled policies are kept beside their documents and
//! rebuilt on load, never stored.

use std::collections::BTreeMap;
use std::sync::Arc;

use iamd_policy::{NamedPolicy, Policy, PolicyKind};
use serde::{Deserialize, Serialize};

use crate::error::IamError;

/// A tag on a user, role, policy or device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// A policy document with its compiled form.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    /// The document as the caller sent it (URL-decoded JSON text).
    pub text: String,
    #[serde(skip)]
    pub compiled: Option<Arc<NamedPolicy>>,
}

impl Document {
    /// Parses and compiles `text` under `name` (the policy's name or ARN, for explanations).
    pub fn compile(name: &str, text: &str, kind: PolicyKind) -> Result<Document, IamError> {
        let policy = Policy::parse(text, kind)?;
        Ok(Document {
            text: text.to_string(),
            compiled: Some(NamedPolicy::new(name, policy)),
        })
    }

    /// Rebuilds the compiled form after loading.
    pub fn recompile(&mut self, name: &str, kind: PolicyKind) {
        self.compiled = Policy::parse(&self.text, kind)
            .ok()
            .map(|p| NamedPolicy::new(name, p));
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    pub create_date: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Inline policies by name.
    #[serde(default)]
    pub inline: BTreeMap<String, Document>,
    /// Attached managed policy ARNs, in attachment order.
    #[serde(default)]
    pub attached: Vec<String>,
    /// Group names (as created), in the order the user joined.
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub boundary: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    pub create_date: i64,
    #[serde(default)]
    pub inline: BTreeMap<String, Document>,
    #[serde(default)]
    pub attached: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub id: String,
    pub document: Document,
    pub create_date: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    #[serde(default)]
    pub description: Option<String>,
    pub create_date: i64,
    pub update_date: i64,
    pub default_version: String,
    /// Versions, newest last.
    pub versions: Vec<PolicyVersion>,
    /// The number the next version gets (`v{n}`).
    pub next_version: u32,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl ManagedPolicy {
    /// The compiled default version.
    pub fn compiled(&self) -> Option<&Arc<NamedPolicy>> {
        self.versions
            .iter()
            .find(|v| v.id == self.default_version)
            .and_then(|v| v.document.compiled.as_ref())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    Active,
    Inactive,
}

impl KeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Inactive => "Inactive",
        }
    }
}

/// A long-term access key. The secret is sealed with the data directory's key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessKey {
    pub id: String,
    /// The owning user's name; `None` for the account's root user.
    pub user: Option<String>,
    pub status: KeyStatus,
    pub create_date: i64,
    /// Base64 of the sealed secret (AAD: the key id).
    pub sealed_secret: String,
}

/// When and where an access key was last used (kept apart: it changes on every request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUsed {
    pub date: i64,
    pub service: String,
    pub region: String,
}
