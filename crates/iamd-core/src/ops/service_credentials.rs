//! Service-specific credentials (Git credentials for CodeCommit, Amazon Keyspaces):
//! Create/List/Reset/Update/DeleteServiceSpecificCredential. The password is generated here,
//! returned only by Create and Reset, and stored sealed.
//!
//! AWS answers an unsupported service with NoSuchEntity "No such service X is supported for
//! Service Specific Credentials" (as observed; the model also names NotSupportedService), and
//! an unknown credential with "No such credential X exists".

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::support::{input, paginate};

use super::{Auth, OpContext, Operation};
use crate::crypto::{service_password, unique_id, Secret, UniqueIdKind};
use crate::entities::access_keys::{resource, target};
use crate::entities::user_credentials::{self as creds, find_owned, owned_by, resolve_owner};
use crate::entities::users::user_arn;
use crate::error::IamError;
use crate::model::{KeyStatus, ServiceCredential};

pub(super) static OPS: &[Operation] = &[
    op("CreateServiceSpecificCredential", create_credential, false),
    op("ListServiceSpecificCredentials", list_credentials, true),
    op("ResetServiceSpecificCredential", reset_credential, false),
    op("UpdateServiceSpecificCredential", update_credential, false),
    op("DeleteServiceSpecificCredential", delete_credential, false),
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

/// The services with user-name-and-password credentials. AWS also issues long-term API keys
/// (Amazon Bedrock and others) through these operations; iamd does not.
pub(crate) const SERVICES: [&str; 2] = ["codecommit.amazonaws.com", "cassandra.amazonaws.com"];

/// Credentials a user may have per service (AWS's quota).
pub(crate) const MAX_PER_SERVICE: usize = 2;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn check_service(name: &str) -> Result<(), IamError> {
    if SERVICES.contains(&name) {
        return Ok(());
    }
    Err(IamError::no_such_entity(format!(
        "No such service {name} is supported for Service Specific Credentials"
    )))
}

fn missing(id: &str) -> impl FnOnce() -> IamError + '_ {
    move || IamError::no_such_entity(format!("No such credential {id} exists"))
}

/// A new password for credential `id`: the secret, and its sealed form (AAD: the id).
fn new_password(ctx: &OpContext<'_>, id: &str) -> Result<(Secret, String), IamError> {
    let password = service_password().map_err(|_| IamError::service_failure())?;
    let sealed = ctx
        .account
        .sealing
        .seal(password.expose().as_bytes(), id.as_bytes())
        .map_err(|_| IamError::service_failure())?;
    Ok((password, B64.encode(sealed)))
}

/// `ServiceSpecificCredentialMetadata`, or with `password` the full `ServiceSpecificCredential`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CredentialView<'a> {
    user_name: &'a str,
    status: &'static str,
    service_user_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_password: Option<&'a str>,
    create_date: i64,
    service_specific_credential_id: &'a str,
    service_name: &'a str,
}

impl<'a> CredentialView<'a> {
    fn of(cred: &'a ServiceCredential, password: Option<&'a Secret>) -> Self {
        CredentialView {
            user_name: &cred.user,
            status: cred.status.as_str(),
            service_user_name: &cred.service_user_name,
            service_password: password.map(Secret::expose),
            create_date: cred.create_date,
            service_specific_credential_id: &cred.id,
            service_name: &cred.service,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateInput {
    user_name: String,
    service_name: String,
    credential_age_days: Option<i64>,
}

fn create_credential(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreateInput = input(value)?;
    let arn = user_arn(ctx, &input.user_name);
    ctx.authorize("iam:CreateServiceSpecificCredential", &arn)?;
    check_service(&input.service_name)?;
    if input.credential_age_days.is_some() {
        // AWS: valid only for services with long-term API keys; its error here is unknown.
        return Err(IamError::invalid_input(format!(
            "CredentialAgeDays is not valid for {}: only credentials of services that support long-term API keys expire.",
            input.service_name
        )));
    }
    let id = unique_id(UniqueIdKind::ServiceCredential).map_err(|_| IamError::service_failure())?;
    let (password, sealed_password) = new_password(ctx, &id)?;
    let account_id = ctx.account_id().to_string();
    let cred = ctx.write(|txn| {
        let owner = resolve_owner(&txn.state, Some(&input.user_name))?.unwrap_or_default();
        let taken: Vec<String> = owned_by(&txn.state.service_credentials, Some(&owner))
            .filter(|(_, c)| c.service == input.service_name)
            .map(|(_, c)| c.service_user_name.clone())
            .collect();
        if taken.len() >= MAX_PER_SERVICE {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {MAX_PER_SERVICE}"
            )));
        }
        // The first is `USER-at-ACCOUNT`; a second one alongside gets `USER+1-at-ACCOUNT`.
        let service_user_name = [format!("{owner}-at-{account_id}"), format!("{owner}+1-at-{account_id}")]
            .into_iter()
            .find(|name| !taken.contains(name))
            .unwrap_or_default();
        let cred = ServiceCredential {
            id,
            user: owner,
            service: input.service_name.clone(),
            service_user_name,
            sealed_password,
            status: KeyStatus::Active,
            create_date: txn.now,
        };
        creds::save(txn, cred.clone())?;
        Ok(cred)
    })?;
    Ok(json!({ "ServiceSpecificCredential": CredentialView::of(&cred, Some(&password)) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
    user_name: Option<String>,
    service_name: Option<String>,
    all_users: Option<bool>,
    marker: Option<String>,
    max_items: Option<i64>,
}

/// One user's credentials (`UserName`, default the caller), or with `AllUsers` everyone's,
/// authorized then on `user/*`; `ServiceName` filters.
fn list_credentials(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListInput = input(value)?;
    let all_users = input.all_users.unwrap_or(false);
    if all_users && input.user_name.is_some() {
        return Err(IamError::invalid_input(
            "AllUsers cannot be specified together with UserName.",
        ));
    }
    let user = target(ctx, input.user_name)?;
    let arn = if all_users {
        ctx.arn("user", "/", "*")
    } else {
        resource(ctx, &user)
    };
    ctx.authorize("iam:ListServiceSpecificCredentials", &arn)?;
    if let Some(service) = &input.service_name {
        check_service(service)?;
    }
    let owner = resolve_owner(&ctx.state, user.as_deref())?;
    let creds = ctx
        .state
        .service_credentials
        .iter()
        .filter(|(_, c)| {
            all_users
                || owner
                    .as_deref()
                    .is_some_and(|o| c.user.eq_ignore_ascii_case(o))
        })
        .filter(|(_, c)| input.service_name.as_ref().is_none_or(|s| *s == c.service))
        .map(|(id, c)| (id.clone(), CredentialView::of(c, None)));
    paginate(creds, input.marker.as_deref(), input.max_items)?
        .finish(Map::new(), "ServiceSpecificCredentials")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CredentialInput {
    user_name: Option<String>,
    service_specific_credential_id: String,
    status: Option<String>,
}

fn reset_credential(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CredentialInput = input(value)?;
    let user = target(ctx, input.user_name)?;
    ctx.authorize("iam:ResetServiceSpecificCredential", &resource(ctx, &user))?;
    let id = &input.service_specific_credential_id;
    let (password, sealed_password) = new_password(ctx, id)?;
    let cred = ctx.write(|txn| {
        let owner = resolve_owner(&txn.state, user.as_deref())?;
        let found = find_owned(
            &txn.state.service_credentials,
            id,
            owner.as_deref(),
            missing(id),
        )?;
        let mut cred = (*found).clone();
        cred.sealed_password = sealed_password;
        creds::save(txn, cred.clone())?;
        Ok(cred)
    })?;
    Ok(json!({ "ServiceSpecificCredential": CredentialView::of(&cred, Some(&password)) }))
}

fn update_credential(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CredentialInput = input(value)?;
    let id = &input.service_specific_credential_id;
    creds::update_status::<ServiceCredential>(
        ctx,
        "iam:UpdateServiceSpecificCredential",
        input.user_name,
        id,
        input.status.as_deref(),
        missing(id),
    )
}

fn delete_credential(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CredentialInput = input(value)?;
    let id = &input.service_specific_credential_id;
    creds::delete::<ServiceCredential>(
        ctx,
        "iam:DeleteServiceSpecificCredential",
        input.user_name,
        id,
        missing(id),
    )
}
