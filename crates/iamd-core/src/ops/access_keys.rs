//! Access keys: Create/List/Update/Delete, GetAccessKeyLastUsed, and the root key bootstrap.

use std::sync::Arc;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use super::support::{input, paginate_by};

use super::{iam_op as op, OpContext, Operation};
use crate::account::Account;
use crate::crypto::{access_key_id, secret_access_key, AccessKeyKind, Secret};
use crate::entities::access_keys::{key_owner, resource, target};
use crate::entities::users::find_user;
use crate::error::IamError;
use crate::model::{AccessKey, KeyStatus};
use crate::state::By;

pub(super) static OPS: &[Operation] = &[
    op("CreateAccessKey", create_access_key, false),
    op("ListAccessKeys", list_access_keys, true),
    op("UpdateAccessKey", update_access_key, false),
    op("DeleteAccessKey", delete_access_key, false),
    op("GetAccessKeyLastUsed", get_access_key_last_used, true),
];

pub(crate) const MAX_KEYS: usize = 2;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Creates a key record for `user` (`None`: root) with a fresh or given secret.
fn new_key(
    account: &Account,
    user: Option<String>,
    id: Option<&str>,
    secret: Option<&str>,
    now: i64,
) -> Result<(AccessKey, Secret), IamError> {
    let fail = |_| IamError::service_failure();
    let id = match id {
        Some(id) => id.to_string(),
        None => access_key_id(AccessKeyKind::LongTerm).map_err(fail)?,
    };
    let secret = match secret {
        Some(s) => Secret::new(s.to_string()),
        None => secret_access_key().map_err(fail)?,
    };
    let sealed = account
        .sealing
        .seal(secret.expose().as_bytes(), id.as_bytes())
        .map_err(|_| IamError::service_failure())?;
    let key = AccessKey {
        id,
        user,
        status: KeyStatus::Active,
        create_date: now,
        sealed_secret: B64.encode(sealed),
    };
    Ok((key, secret))
}

/// The secret of a stored key, unsealed.
pub fn unseal_secret(account: &Account, key: &AccessKey) -> Option<Zeroizing<Vec<u8>>> {
    let sealed = B64.decode(&key.sealed_secret).ok()?;
    account.sealing.open(&sealed, key.id.as_bytes()).ok()
}

/// Makes sure the account's root user has an access key. With `given` (id, secret) that key
/// is installed if absent; otherwise a key is generated when root has none. Returns the
/// credentials when new ones were generated (to be written to the credentials file).
pub fn bootstrap_root_key(
    account: &Account,
    given: Option<(&str, &str)>,
) -> Result<Option<(String, Secret)>, IamError> {
    // Nodes starting at once on one new database: one creates the key, the others find it.
    account.write_retrying(|txn| {
        let exists = match given {
            Some((id, _)) => txn.state.access_keys.contains_key(id),
            None => txn
                .state
                .access_keys
                .find(By::Owner, &key_owner(None))
                .next()
                .is_some(),
        };
        if exists {
            return Ok(None);
        }
        let (key, secret) = new_key(
            account,
            None,
            given.map(|g| g.0),
            given.map(|g| g.1),
            txn.now,
        )?;
        txn.put(crate::entities::Kind::AccessKey, &key.id, &key)?;
        let id = key.id.clone();
        txn.state.access_keys.insert(id.clone(), Arc::new(key));
        Ok(if given.is_some() {
            None
        } else {
            Some((id, secret))
        })
    })
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct KeyMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<String>,
    access_key_id: String,
    status: &'static str,
    create_date: i64,
}

impl KeyMetadata {
    fn of(key: &AccessKey) -> Self {
        KeyMetadata {
            user_name: key.user.clone(),
            access_key_id: key.id.clone(),
            status: key.status.as_str(),
            create_date: key.create_date,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserInput {
    user_name: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn create_access_key(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UserInput = input(value)?;
    let user = target(ctx, input.user_name)?;
    ctx.authorize("iam:CreateAccessKey", &resource(ctx, &user))?;
    let (key, secret) = ctx.write(|txn| {
        let owner = match &user {
            Some(name) => Some(find_user(&txn.state, name)?.name.clone()),
            None => None,
        };
        let count = txn
            .state
            .access_keys
            .find(By::Owner, &key_owner(owner.as_deref()))
            .filter(|k| k.user == owner)
            .count();
        if count >= MAX_KEYS {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS}"
            )));
        }
        let (key, secret) = new_key(ctx.account, owner, None, None, txn.now)?;
        txn.put(crate::entities::Kind::AccessKey, &key.id, &key)?;
        txn.state
            .access_keys
            .insert(key.id.clone(), Arc::new(key.clone()));
        // The response without the secret.
        ctx.record_response(json!({ "AccessKey": {
            "UserName": key.user.clone().unwrap_or_else(|| ctx.account_id().to_string()),
            "AccessKeyId": key.id,
            "Status": key.status.as_str(),
            "CreateDate": key.create_date,
        }}));
        Ok((key, secret))
    })?;
    Ok(json!({ "AccessKey": {
        "UserName": key.user.clone().unwrap_or_else(|| ctx.account_id().to_string()),
        "AccessKeyId": key.id,
        "Status": key.status.as_str(),
        "SecretAccessKey": secret.expose(),
        "CreateDate": key.create_date,
    }}))
}

fn list_access_keys(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UserInput = input(value)?;
    let user = target(ctx, input.user_name)?;
    ctx.authorize("iam:ListAccessKeys", &resource(ctx, &user))?;
    let owner = match &user {
        Some(name) => Some(find_user(&ctx.state, name)?.name.clone()),
        None => None,
    };
    let marker = input.marker.as_deref();
    let keys = ctx
        .state
        .access_keys
        .find_from(By::Owner, &key_owner(owner.as_deref()), marker)
        .filter(|(_, k)| k.user == owner)
        .map(|(id, k)| (id.clone(), k));
    paginate_by(keys, marker, input.max_items, |k| KeyMetadata::of(k))?
        .finish(Map::new(), "AccessKeyMetadata")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyInput {
    user_name: Option<String>,
    access_key_id: String,
    status: Option<String>,
}

/// The key, checked to belong to `user`.
fn owned_key(
    state: &crate::state::AccountState,
    user: &Option<String>,
    id: &str,
) -> Result<Arc<AccessKey>, IamError> {
    let missing =
        || IamError::no_such_entity(format!("The Access Key with id {id} cannot be found."));
    if let Some(name) = user {
        find_user(state, name)?;
    }
    let key = state.access_keys.get(id).cloned().ok_or_else(missing)?;
    let owner_matches = match (user, &key.user) {
        (Some(name), Some(owner)) => name.to_lowercase() == owner.to_lowercase(),
        (None, None) => true,
        _ => false,
    };
    if owner_matches {
        Ok(key)
    } else {
        Err(missing())
    }
}

fn update_access_key(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: KeyInput = input(value)?;
    let user = target(ctx, input.user_name)?;
    ctx.authorize("iam:UpdateAccessKey", &resource(ctx, &user))?;
    let status = match input.status.as_deref() {
        Some("Active") => KeyStatus::Active,
        Some("Inactive") => KeyStatus::Inactive,
        _ => return Err(IamError::validation("1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]")),
    };
    ctx.write(|txn| {
        let mut key = (*owned_key(&txn.state, &user, &input.access_key_id)?).clone();
        key.status = status;
        txn.put(crate::entities::Kind::AccessKey, &key.id, &key)?;
        txn.state.access_keys.insert(key.id.clone(), Arc::new(key));
        Ok(())
    })?;
    Ok(json!({}))
}

fn delete_access_key(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: KeyInput = input(value)?;
    let user = target(ctx, input.user_name)?;
    ctx.authorize("iam:DeleteAccessKey", &resource(ctx, &user))?;
    ctx.write(|txn| {
        let key = owned_key(&txn.state, &user, &input.access_key_id)?;
        txn.delete(crate::entities::Kind::AccessKey, &key.id);
        txn.state.access_keys.remove(&key.id);
        Ok(())
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LastUsedInput {
    access_key_id: String,
}

fn get_access_key_last_used(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: LastUsedInput = input(value)?;
    let key = ctx.state.access_keys.get(&input.access_key_id).cloned();
    let owner = key.as_ref().and_then(|k| k.user.clone());
    ctx.authorize("iam:GetAccessKeyLastUsed", &resource(ctx, &owner))?;
    // AWS's answer for a key that does not exist (recorded in LocalStack's AWS-validated
    // `test_iam_users.snapshot.json`, `test_access_key_errors`): a denial without a reason.
    let Some(key) = key else {
        return Err(IamError::access_denied(format!(
            "User: {} is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key {}",
            ctx.caller.principal.arn, input.access_key_id
        )));
    };
    let last = match ctx.account.key_last_used(&key.id) {
        Some(used) => {
            json!({"LastUsedDate": used.date, "ServiceName": used.service, "Region": used.region})
        }
        None => json!({"ServiceName": "N/A", "Region": "N/A"}),
    };
    let mut out = json!({ "AccessKeyLastUsed": last });
    if let Some(name) = key.user.clone() {
        out["UserName"] = Value::String(name);
    }
    Ok(out)
}
