//! The account as an immutable snapshot: what authentication and authorization read on every
//! request, swapped atomically after each committed write. Cloning is cheap (persistent maps
//! sharing their entries).

use std::sync::Arc;

use iamd_policy::{NamedPolicy, PolicyKind};
use imbl::OrdMap;

use crate::model::{AccessKey, Group, ManagedPolicy, User};
use crate::store::Record;

/// Keys are lowercase names (names are unique case-insensitively) or ARNs / key ids.
#[derive(Debug, Clone, Default)]
pub struct AccountState {
    pub account_id: String,
    pub users: OrdMap<String, Arc<User>>,
    pub groups: OrdMap<String, Arc<Group>>,
    pub policies: OrdMap<String, Arc<ManagedPolicy>>,
    pub access_keys: OrdMap<String, Arc<AccessKey>>,
}

/// The policies that apply to a user, gathered for one decision.
#[derive(Debug, Default)]
pub struct UserPolicies {
    pub identity: Vec<Arc<NamedPolicy>>,
    pub boundary: Option<Arc<NamedPolicy>>,
}

impl AccountState {
    pub fn new(account_id: &str) -> Self {
        AccountState {
            account_id: account_id.to_string(),
            ..Default::default()
        }
    }

    pub fn user(&self, name: &str) -> Option<&Arc<User>> {
        self.users.get(&name.to_lowercase())
    }

    pub fn group(&self, name: &str) -> Option<&Arc<Group>> {
        self.groups.get(&name.to_lowercase())
    }

    pub fn policy(&self, arn: &str) -> Option<&Arc<ManagedPolicy>> {
        self.policies.get(arn)
    }

    /// Every policy that applies to `user`: inline, attached, and its groups' inline and
    /// attached policies; plus its permissions boundary.
    pub fn user_policies(&self, user: &User) -> UserPolicies {
        let mut identity = Vec::new();
        let mut add_entity =
            |inline: &std::collections::BTreeMap<String, crate::model::Document>,
             attached: &[String]| {
                identity.extend(inline.values().filter_map(|d| d.compiled.clone()));
                identity.extend(
                    attached
                        .iter()
                        .filter_map(|arn| self.policy(arn))
                        .filter_map(|p| p.compiled().cloned()),
                );
            };
        add_entity(&user.inline, &user.attached);
        for name in &user.groups {
            if let Some(group) = self.group(name) {
                add_entity(&group.inline, &group.attached);
            }
        }
        let boundary = user
            .boundary
            .as_deref()
            .and_then(|arn| self.policy(arn))
            .and_then(|p| p.compiled().cloned());
        UserPolicies { identity, boundary }
    }

    /// Rebuilds the state from stored records, recompiling every policy document.
    pub fn from_records(account_id: &str, records: Vec<Record>) -> Result<Self, String> {
        let mut state = AccountState::new(account_id);
        for record in records {
            let fail = |e: serde_json::Error| format!("stored {} {}: {e}", record.kind, record.key);
            match record.kind.as_str() {
                "user" => {
                    let mut user: User = serde_json::from_str(&record.body).map_err(fail)?;
                    for (name, doc) in user.inline.iter_mut() {
                        doc.recompile(name, PolicyKind::Identity);
                    }
                    state.users.insert(record.key, Arc::new(user));
                }
                "group" => {
                    let mut group: Group = serde_json::from_str(&record.body).map_err(fail)?;
                    for (name, doc) in group.inline.iter_mut() {
                        doc.recompile(name, PolicyKind::Identity);
                    }
                    state.groups.insert(record.key, Arc::new(group));
                }
                "policy" => {
                    let mut policy: ManagedPolicy =
                        serde_json::from_str(&record.body).map_err(fail)?;
                    let name = policy.name.clone();
                    for v in policy.versions.iter_mut() {
                        v.document.recompile(&name, PolicyKind::Identity);
                    }
                    state.policies.insert(record.key, Arc::new(policy));
                }
                "access_key" => {
                    let key: AccessKey = serde_json::from_str(&record.body).map_err(fail)?;
                    state.access_keys.insert(record.key, Arc::new(key));
                }
                _ => {}
            }
        }
        Ok(state)
    }
}
