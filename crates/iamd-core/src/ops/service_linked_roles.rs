//! Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole and
//! GetServiceLinkedRoleDeletionStatus.
//!
//! A service-linked role is named and placed by AWS: `AWSServiceRoleFor...` (the table in
//! `entities::service_linked_roles`), `_SUFFIX` appended for the few services that take a
//! custom suffix, at path `/aws-service-role/PRINCIPAL/`, trusting the service principal, with
//! the service's AWS managed policies attached. Only DeleteServiceLinkedRole deletes it; other
//! changes to it are UnmodifiableEntity (`entities::roles::check_modifiable`). iamd has no
//! linked service holding resources, so a deletion task succeeds at once.
//!
//! AWS's texts, as recorded: "Service role name X has been taken in this account, please try a
//! different suffix." (InvalidInput; terraform-aws-hasura#17, lgallard/terraform-aws-elasticsearch#59)
//! and "Custom suffix is not allowed for es.amazonaws.com" (InvalidInput;
//! tf_aws_elasticsearch#23). The texts for a principal that is not an AWS service's, a name
//! past 64 characters, a role that is not service-linked and a malformed task id are iamd's.

use iamd_policy::ContextValue;
use serde::Deserialize;
use serde_json::{json, Value};

use super::roles::{check_role_quota, RoleDetail, RoleView, DEFAULT_MAX_SESSION_DURATION};
use super::support::input;
use super::{iam_op as op, OpContext, Operation};
use crate::crypto::{request_id, unique_id, UniqueIdKind};
use crate::entities::roles::{compile_trust_policy, find_role, no_such_role, save_role};
use crate::entities::service_linked_roles::linked_service;
use crate::entities::Kind;
use crate::error::IamError;
use crate::model::{DeletionTask, Role};

pub(super) static OPS: &[Operation] = &[
    op("CreateServiceLinkedRole", create, false),
    op("DeleteServiceLinkedRole", delete, false),
    op("GetServiceLinkedRoleDeletionStatus", deletion_status, true),
];

/// AWS's limit on a role name.
const MAX_ROLE_NAME: usize = 64;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateInput {
    #[serde(rename = "AWSServiceName")]
    aws_service_name: String,
    description: Option<String>,
    custom_suffix: Option<String>,
}

fn create(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreateInput = input(value)?;
    let principal = input.aws_service_name;
    let service = linked_service(&principal).ok_or_else(|| {
        IamError::invalid_input(format!(
            "{principal} is not an AWS service principal: service-linked roles are for \
             SERVICE.amazonaws.com principals."
        ))
    })?;
    let name = match &input.custom_suffix {
        None => service.role_name.clone(),
        Some(_) if !service.suffix_allowed => {
            return Err(IamError::invalid_input(format!(
                "Custom suffix is not allowed for {principal}"
            )))
        }
        Some(suffix) => format!("{}_{suffix}", service.role_name),
    };
    if name.len() > MAX_ROLE_NAME {
        return Err(IamError::invalid_input(format!(
            "The role name {name} exceeds the {MAX_ROLE_NAME}-character limit of role names."
        )));
    }
    let path = format!("/aws-service-role/{principal}/");
    let arn = ctx.arn("role", &path, &name);
    let extra = [(
        "iam:AWSServiceName".to_string(),
        ContextValue::Single(principal.clone()),
    )];
    ctx.authorize_with("iam:CreateServiceLinkedRole", &arn, &extra)?;
    let id = unique_id(UniqueIdKind::Role).map_err(|_| IamError::service_failure())?;
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}]})
    .to_string();
    let role = ctx.write(|txn| {
        if txn.state.role(&name).is_some() {
            return Err(IamError::invalid_input(format!(
                "Service role name {name} has been taken in this account, please try a different suffix."
            )));
        }
        check_role_quota(ctx, &txn.state)?;
        // The service's policies that this account knows (AWS managed policies).
        let attached = service
            .policies
            .iter()
            .filter(|arn| txn.state.policy(arn).is_some())
            .map(|arn| arn.to_string())
            .collect();
        let role = Role {
            name: name.clone(),
            id,
            path,
            arn,
            create_date: txn.now,
            description: input.description,
            max_session_duration: DEFAULT_MAX_SESSION_DURATION,
            assume_role_policy: compile_trust_policy(&txn.state, &name, &trust)?,
            tags: Vec::new(),
            inline: Default::default(),
            attached,
            boundary: None,
            last_used: None,
            linked_service: Some(principal.clone()),
        };
        save_role(txn, role.clone())?;
        Ok(role)
    })?;
    Ok(json!({ "Role": RoleView::of(&role, RoleDetail::Created) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteInput {
    role_name: String,
}

/// The role must be service-linked (an ordinary role is NoSuchEntity here, as for a role
/// that does not exist). Its deletion task succeeds at once and is kept for
/// GetServiceLinkedRoleDeletionStatus.
fn delete(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: DeleteInput = input(value)?;
    let name = &input.role_name;
    let arn = crate::entities::roles::role_arn(ctx, name);
    ctx.authorize("iam:DeleteServiceLinkedRole", &arn)?;
    let uuid = request_id().map_err(|_| IamError::service_failure())?;
    let task_id = ctx.write(|txn| {
        let role = find_role(&txn.state, name)?;
        let Some(principal) = &role.linked_service else {
            return Err(no_such_role(name));
        };
        let task = DeletionTask {
            id: format!("task/aws-service-role/{principal}/{}/{uuid}", role.name),
            role_name: role.name.clone(),
            status: "SUCCEEDED".into(),
            create_date: txn.now,
        };
        let key = role.name.to_lowercase();
        txn.delete(Kind::Role, &key);
        txn.state.roles.remove(&key);
        txn.put(Kind::DeletionTask, &task.id, &task)?;
        let id = task.id.clone();
        txn.state
            .deletion_tasks
            .insert(id.clone(), std::sync::Arc::new(task));
        Ok(id)
    })?;
    Ok(json!({ "DeletionTaskId": task_id }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StatusInput {
    deletion_task_id: String,
}

/// `task/aws-service-role/PRINCIPAL/ROLE/UUID` -> (PRINCIPAL, ROLE).
fn parse_task_id(id: &str) -> Option<(&str, &str)> {
    let rest = id.strip_prefix("task/aws-service-role/")?;
    let mut parts = rest.split('/');
    let (principal, role, uuid) = (parts.next()?, parts.next()?, parts.next()?);
    let ok =
        parts.next().is_none() && !principal.is_empty() && !role.is_empty() && uuid.len() == 36;
    ok.then_some((principal, role))
}

/// Authorized on the role the task deleted.
fn deletion_status(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: StatusInput = input(value)?;
    let id = &input.deletion_task_id;
    let (principal, role) = parse_task_id(id).ok_or_else(|| {
        IamError::invalid_input(
            "Invalid deletion task id: expected task/aws-service-role/SERVICE/ROLE/UUID.",
        )
    })?;
    let arn = ctx.arn("role", &format!("/aws-service-role/{principal}/"), role);
    ctx.authorize("iam:GetServiceLinkedRoleDeletionStatus", &arn)?;
    let task = ctx.state.deletion_tasks.get(id).ok_or_else(|| {
        IamError::no_such_entity(format!("The deletion task {id} cannot be found."))
    })?;
    Ok(json!({ "Status": task.status }))
}

#[cfg(test)]
mod tests {
    use super::parse_task_id;

    #[test]
    fn task_ids_name_the_service_and_role() {
        let id = "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(
            parse_task_id(id),
            Some(("ecs.amazonaws.com", "AWSServiceRoleForECS"))
        );
        for bad in [
            "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "task/aws-service-role//R/0f8fad5b-d9cb-469f-a165-70867728950e",
            "deletion/aws-service-role/s/R/0f8fad5b-d9cb-469f-a165-70867728950e",
            "task/aws-service-role/s/R/0f8fad5b-d9cb-469f-a165-70867728950e/x",
        ] {
            assert_eq!(parse_task_id(bad), None, "{bad}");
        }
    }
}
