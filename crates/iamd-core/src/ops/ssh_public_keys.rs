//! SSH public keys of users, for CodeCommit: Upload/Get/List/Update/DeleteSSHPublicKey.
//!
//! AWS documents the rules (ssh-rsa or PEM, at least 2048 bits, five per user, a key once per
//! user) but not its messages for them; the messages here are iamd's.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::support::{input, paginate};

use super::{Auth, OpContext, Operation};
use crate::crypto::ssh_key::{RsaPublicKey, SshKeyError, MIN_BITS};
use crate::crypto::ssh_public_key_id;
use crate::entities::access_keys::{resource, target};
use crate::entities::user_credentials::{self as creds, find_owned, owned_by, resolve_owner};
use crate::entities::users::user_arn;
use crate::error::IamError;
use crate::model::{KeyStatus, SshPublicKey};

pub(super) static OPS: &[Operation] = &[
    op("UploadSSHPublicKey", upload_ssh_public_key, false),
    op("GetSSHPublicKey", get_ssh_public_key, true),
    op("ListSSHPublicKeys", list_ssh_public_keys, true),
    op("UpdateSSHPublicKey", update_ssh_public_key, false),
    op("DeleteSSHPublicKey", delete_ssh_public_key, false),
];

const fn op(name: &'static str, handler: super::Handler, read_only: bool) -> Operation {
    Operation {
        service: &crate::service::IAM,
        name,
        auth: Auth::Policy,
        handler,
        read_only,
    }
}

/// SSH public keys a user may have (AWS's quota).
pub(crate) const MAX_KEYS: usize = 5;

fn missing(id: &str) -> impl FnOnce() -> IamError + '_ {
    // AWS's text, recorded in LocalStack's AWS-validated `test_iam_ssh_public_keys.snapshot.json`.
    move || IamError::no_such_entity(format!("The Public Key with id {id} cannot be found."))
}

/// AWS's error for a refused key body.
fn key_error(e: SshKeyError) -> IamError {
    let invalid = |m: String| IamError::new("InvalidPublicKey", 400, m);
    match e {
        SshKeyError::UnrecognizedEncoding => IamError::new(
            "UnrecognizedPublicKeyEncoding",
            400,
            "The public key encoding format is unsupported or unrecognized: use ssh-rsa or PEM.",
        ),
        SshKeyError::Malformed => invalid("The public key is malformed or otherwise invalid.".into()),
        SshKeyError::NotRsa => invalid("The public key must be an RSA (ssh-rsa) key.".into()),
        SshKeyError::TooShort(bits) => invalid(format!(
            "The public key is {bits} bits long; the minimum bit-length of the public key is {MIN_BITS} bits."
        )),
    }
}

/// `SSHPublicKey`; `body` in the encoding asked for.
fn view(key: &SshPublicKey, body: String) -> Value {
    json!({
        "UserName": key.user,
        "SSHPublicKeyId": key.id,
        "Fingerprint": key.fingerprint,
        "SSHPublicKeyBody": body,
        "Status": key.status.as_str(),
        "UploadDate": key.upload_date,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UploadInput {
    user_name: String,
    #[serde(rename = "SSHPublicKeyBody")]
    body: String,
}

fn upload_ssh_public_key(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UploadInput = input(value)?;
    ctx.authorize("iam:UploadSSHPublicKey", &user_arn(ctx, &input.user_name))?;
    let key = RsaPublicKey::parse(&input.body).map_err(key_error)?;
    let id = ssh_public_key_id().map_err(|_| IamError::service_failure())?;
    let stored = ctx.write(|txn| {
        let owner = resolve_owner(&txn.state, Some(&input.user_name))?;
        let mut count = 0;
        for (_, other) in owned_by(&txn.state.ssh_public_keys, owner.as_deref()) {
            count += 1;
            if RsaPublicKey::parse(&other.body).is_ok_and(|k| k == key) {
                return Err(IamError::new(
                    "DuplicateSSHPublicKey",
                    400,
                    "The SSH public key is already associated with the specified IAM user.",
                ));
            }
        }
        if count >= MAX_KEYS {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for SSHPublicKeysPerUser: {MAX_KEYS}"
            )));
        }
        let stored = SshPublicKey {
            id,
            user: owner.unwrap_or_default(),
            body: input.body.trim().to_string(),
            fingerprint: key.fingerprint(),
            status: KeyStatus::Active,
            upload_date: txn.now,
        };
        creds::save(txn, stored.clone())?;
        Ok(stored)
    })?;
    Ok(json!({ "SSHPublicKey": view(&stored, stored.body.clone()) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyInput {
    user_name: String,
    #[serde(rename = "SSHPublicKeyId")]
    id: String,
    encoding: Option<String>,
    status: Option<String>,
}

fn get_ssh_public_key(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: KeyInput = input(value)?;
    ctx.authorize("iam:GetSSHPublicKey", &user_arn(ctx, &input.user_name))?;
    let owner = resolve_owner(&ctx.state, Some(&input.user_name))?;
    let key = find_owned(
        &ctx.state.ssh_public_keys,
        &input.id,
        owner.as_deref(),
        missing(&input.id),
    )?;
    let parsed = RsaPublicKey::parse(&key.body).map_err(|_| IamError::service_failure())?;
    let body = match input.encoding.as_deref() {
        // The key as uploaded when it was uploaded as an OpenSSH line (with its comment).
        Some("SSH") if !key.body.starts_with("-----") => key.body.clone(),
        Some("SSH") => parsed.to_openssh(),
        Some("PEM") => parsed.to_pem().map_err(|_| IamError::service_failure())?,
        _ => return Err(key_error(SshKeyError::UnrecognizedEncoding)),
    };
    Ok(json!({ "SSHPublicKey": view(&key, body) }))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct KeyMetadata {
    user_name: String,
    #[serde(rename = "SSHPublicKeyId")]
    id: String,
    status: &'static str,
    upload_date: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
    user_name: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

/// `UserName` defaults to the caller; the root user has no SSH keys (an empty list).
fn list_ssh_public_keys(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListInput = input(value)?;
    let user = target(ctx, input.user_name)?;
    ctx.authorize("iam:ListSSHPublicKeys", &resource(ctx, &user))?;
    let owner = resolve_owner(&ctx.state, user.as_deref())?;
    let keys = owned_by(&ctx.state.ssh_public_keys, owner.as_deref()).map(|(id, k)| {
        let metadata = KeyMetadata {
            user_name: k.user.clone(),
            id: k.id.clone(),
            status: k.status.as_str(),
            upload_date: k.upload_date,
        };
        (id.clone(), metadata)
    });
    paginate(keys, input.marker.as_deref(), input.max_items)?.finish(Map::new(), "SSHPublicKeys")
}

fn update_ssh_public_key(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: KeyInput = input(value)?;
    creds::update_status::<SshPublicKey>(
        ctx,
        "iam:UpdateSSHPublicKey",
        Some(input.user_name),
        &input.id,
        input.status.as_deref(),
        missing(&input.id),
    )
}

fn delete_ssh_public_key(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: KeyInput = input(value)?;
    creds::delete::<SshPublicKey>(
        ctx,
        "iam:DeleteSSHPublicKey",
        Some(input.user_name),
        &input.id,
        missing(&input.id),
    )
}
