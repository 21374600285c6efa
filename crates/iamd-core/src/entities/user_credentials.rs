//! What SSH public keys, signing certificates and service-specific credentials share: an
//! owner (a user, or the root user for signing certificates), a status, lookups checked
//! against the owner, and what DeleteUser and UpdateUser must know about them.

use std::sync::Arc;

use imbl::OrdMap;
use serde::Serialize;
use serde_json::{json, Value};

use super::access_keys::{resource, target};
use super::users::find_user;
use crate::account::Txn;
use crate::error::IamError;
use crate::model::{KeyStatus, ServiceCredential, SigningCertificate, SshPublicKey};
use crate::ops::OpContext;
use crate::state::AccountState;

/// A credential that belongs to a user (`None`: the root user), stored as its own record.
pub(crate) trait Owned: Clone + Serialize {
    /// The store's record kind.
    const KIND: crate::entities::Kind;
    fn id(&self) -> &str;
    fn owner(&self) -> Option<&str>;
    fn set_owner(&mut self, name: &str);
    fn set_status(&mut self, status: KeyStatus);
    /// The state's map of this kind.
    fn map(state: &mut AccountState) -> &mut OrdMap<String, Arc<Self>>;
}

impl Owned for SshPublicKey {
    const KIND: crate::entities::Kind = crate::entities::Kind::SshPublicKey;
    fn id(&self) -> &str {
        &self.id
    }
    fn owner(&self) -> Option<&str> {
        Some(&self.user)
    }
    fn set_owner(&mut self, name: &str) {
        self.user = name.to_string();
    }
    fn set_status(&mut self, status: KeyStatus) {
        self.status = status;
    }
    fn map(state: &mut AccountState) -> &mut OrdMap<String, Arc<Self>> {
        &mut state.ssh_public_keys
    }
}

impl Owned for SigningCertificate {
    const KIND: crate::entities::Kind = crate::entities::Kind::SigningCertificate;
    fn id(&self) -> &str {
        &self.id
    }
    fn owner(&self) -> Option<&str> {
        self.user.as_deref()
    }
    fn set_owner(&mut self, name: &str) {
        self.user = Some(name.to_string());
    }
    fn set_status(&mut self, status: KeyStatus) {
        self.status = status;
    }
    fn map(state: &mut AccountState) -> &mut OrdMap<String, Arc<Self>> {
        &mut state.signing_certificates
    }
}

impl Owned for ServiceCredential {
    const KIND: crate::entities::Kind = crate::entities::Kind::ServiceCredential;
    fn id(&self) -> &str {
        &self.id
    }
    fn owner(&self) -> Option<&str> {
        Some(&self.user)
    }
    fn set_owner(&mut self, name: &str) {
        self.user = name.to_string();
    }
    fn set_status(&mut self, status: KeyStatus) {
        self.status = status;
    }
    fn map(state: &mut AccountState) -> &mut OrdMap<String, Arc<Self>> {
        &mut state.service_credentials
    }
}

/// Stores `item` (new or changed) in a transaction.
pub(crate) fn save<T: Owned>(txn: &mut Txn, item: T) -> Result<(), IamError> {
    txn.put(T::KIND, item.id(), &item)?;
    T::map(&mut txn.state).insert(item.id().to_string(), Arc::new(item));
    Ok(())
}

/// Update…(Status) for item `id` of `user` (default: the caller), authorized with `action`
/// on the user (or root).
pub(crate) fn update_status<T: Owned>(
    ctx: &OpContext<'_>,
    action: &str,
    user: Option<String>,
    id: &str,
    status: Option<&str>,
    missing: impl FnOnce() -> IamError,
) -> Result<Value, IamError> {
    let user = target(ctx, user)?;
    ctx.authorize(action, &resource(ctx, &user))?;
    let status = settable_status(status.unwrap_or_default())?;
    ctx.write(|txn| {
        let owner = resolve_owner(&txn.state, user.as_deref())?;
        let mut item =
            (*find_owned(T::map(&mut txn.state), id, owner.as_deref(), missing)?).clone();
        item.set_status(status);
        save(txn, item)
    })?;
    Ok(json!({}))
}

/// Delete… for item `id` of `user` (default: the caller), authorized with `action`.
pub(crate) fn delete<T: Owned>(
    ctx: &OpContext<'_>,
    action: &str,
    user: Option<String>,
    id: &str,
    missing: impl FnOnce() -> IamError,
) -> Result<Value, IamError> {
    let user = target(ctx, user)?;
    ctx.authorize(action, &resource(ctx, &user))?;
    ctx.write(|txn| {
        let owner = resolve_owner(&txn.state, user.as_deref())?;
        let item = find_owned(T::map(&mut txn.state), id, owner.as_deref(), missing)?;
        txn.delete(T::KIND, item.id());
        T::map(&mut txn.state).remove(item.id());
        Ok(())
    })?;
    Ok(json!({}))
}

fn same_owner(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    }
}

/// The owner's name as created (`None`: root), failing with NoSuchEntity for an unknown user.
pub(crate) fn resolve_owner(
    state: &AccountState,
    user: Option<&str>,
) -> Result<Option<String>, IamError> {
    user.map(|name| find_user(state, name).map(|u| u.name.clone()))
        .transpose()
}

/// The items of `owner`, in id order, with their ids.
pub(crate) fn owned_by<'a, T: Owned>(
    items: &'a OrdMap<String, Arc<T>>,
    owner: Option<&'a str>,
) -> impl Iterator<Item = (&'a String, &'a Arc<T>)> + 'a {
    items
        .iter()
        .filter(move |(_, item)| same_owner(item.owner(), owner))
}

/// Item `id`, checked to belong to `owner` (as resolved); `missing` when it does not exist or
/// belongs to someone else (the same answer, so ids of others are not revealed).
pub(crate) fn find_owned<T: Owned>(
    items: &OrdMap<String, Arc<T>>,
    id: &str,
    owner: Option<&str>,
    missing: impl FnOnce() -> IamError,
) -> Result<Arc<T>, IamError> {
    items
        .get(id)
        .filter(|item| same_owner(item.owner(), owner))
        .cloned()
        .ok_or_else(missing)
}

/// `Status` of an Update call: the model also allows `Expired`, which only AWS sets. AWS's
/// wording for it is unknown; InvalidInput is the error the model lists.
fn settable_status(status: &str) -> Result<KeyStatus, IamError> {
    match status {
        "Active" => Ok(KeyStatus::Active),
        "Inactive" => Ok(KeyStatus::Inactive),
        other => Err(IamError::invalid_input(format!(
            "Invalid status {other}: the status can be set only to Active or Inactive."
        ))),
    }
}

/// Whether user `name` still has any of these credentials (DeleteUser refuses then).
pub(crate) fn user_has_any(state: &AccountState, name: &str) -> bool {
    let owner = Some(name);
    owned_by(&state.ssh_public_keys, owner).next().is_some()
        || owned_by(&state.signing_certificates, owner)
            .next()
            .is_some()
        || owned_by(&state.service_credentials, owner).next().is_some()
}

/// Moves user `old`'s credentials to its new name `new` (UpdateUser).
pub(crate) fn rename_owner(txn: &mut Txn, old: &str, new: &str) -> Result<(), IamError> {
    rename_in::<SshPublicKey>(txn, old, new)?;
    rename_in::<SigningCertificate>(txn, old, new)?;
    rename_in::<ServiceCredential>(txn, old, new)
}

fn rename_in<T: Owned>(txn: &mut Txn, old: &str, new: &str) -> Result<(), IamError> {
    let items: Vec<Arc<T>> = owned_by(T::map(&mut txn.state), Some(old))
        .map(|(_, item)| item.clone())
        .collect();
    for item in items {
        let mut item = (*item).clone();
        item.set_owner(new);
        save(txn, item)?;
    }
    Ok(())
}
