//! Inline policies of users, groups and roles: Put/Get/Delete/List{User,Group,Role}Policy
//! (the role operations are registered in `role_policies`).
//!
//! All kinds share one implementation, parameterised by [`Holder`]. Choices, as AWS:
//! - the document is validated as an identity policy (`MalformedPolicyDocument` otherwise);
//! - the aggregate size of an entity's inline policies, counted in characters other than
//!   whitespace, is limited to 2048 for a user, 5120 for a group and 10240 for a role; beyond it the answer is
//!   `LimitExceeded` "Maximum policy size of 2048 bytes exceeded for user NAME" (AWS's text,
//!   seen in CloudFormation/CDK and CLI reports; "... 5120 bytes exceeded for group NAME");
//!   replacing a policy counts the new document instead of the old one;
//! - policy names are case-sensitive keys of the entity's map;
//! - `Get*Policy` returns `PolicyDocument` percent-encoded (RFC 3986: everything but
//!   unreserved characters is escaped), as AWS does in its XML; the SDKs and CLI decode it.

use iamd_policy::PolicyKind;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::holder::Holder;
use super::support::{input, paginate};
use super::{iam_op as op, OpContext, Operation};
use crate::entities::documents::{encode_document, policy_size};
use crate::error::IamError;
use crate::model::Document;

pub(super) static OPS: &[Operation] = &[
    op(
        "PutUserPolicy",
        |c, v| put_policy(c, v, Holder::User),
        false,
    ),
    op("GetUserPolicy", |c, v| get_policy(c, v, Holder::User), true),
    op(
        "DeleteUserPolicy",
        |c, v| delete_policy(c, v, Holder::User),
        false,
    ),
    op(
        "ListUserPolicies",
        |c, v| list_policies(c, v, Holder::User),
        true,
    ),
    op(
        "PutGroupPolicy",
        |c, v| put_policy(c, v, Holder::Group),
        false,
    ),
    op(
        "GetGroupPolicy",
        |c, v| get_policy(c, v, Holder::Group),
        true,
    ),
    op(
        "DeleteGroupPolicy",
        |c, v| delete_policy(c, v, Holder::Group),
        false,
    ),
    op(
        "ListGroupPolicies",
        |c, v| list_policies(c, v, Holder::Group),
        true,
    ),
];

/// AWS's NoSuchEntity for a missing inline policy.
fn no_such_policy(holder: Holder, policy_name: &str) -> IamError {
    IamError::no_such_entity(format!(
        "The {} policy with name {policy_name} cannot be found.",
        holder.noun()
    ))
}

/// `iam:{verb}UserPolicy` / `iam:{verb}GroupPolicy` / `iam:{verb}RolePolicy`
/// (`ListUserPolicies` for List).
fn action(holder: Holder, verb: &str) -> String {
    match verb {
        "List" => format!("iam:List{}Policies", holder.title()),
        _ => format!("iam:{verb}{}Policy", holder.title()),
    }
}

/// The input of every operation here. The entity is `UserName` or `GroupName` depending on the
/// operation (the wire layer has checked the operation's own shape, so only one is present).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InlineInput {
    #[serde(rename = "UserName", alias = "GroupName", alias = "RoleName")]
    entity_name: String,
    policy_name: Option<String>,
    policy_document: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

impl InlineInput {
    /// A member the operation's shape requires.
    fn required<'a>(value: &'a Option<String>, member: &str) -> Result<&'a str, IamError> {
        value.as_deref().ok_or_else(|| {
            IamError::validation(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                lower_first(member)
            ))
        })
    }
}

/// `PolicyName` → `policyName`, as AWS names parameters in validation messages.
fn lower_first(member: &str) -> String {
    let mut chars = member.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Put{User,Group,Role}Policy: adds or replaces an inline policy.
pub(super) fn put_policy(
    ctx: &OpContext<'_>,
    value: &Value,
    holder: Holder,
) -> Result<Value, IamError> {
    let input: InlineInput = input(value)?;
    ctx.authorize(&action(holder, "Put"), &holder.arn(ctx, &input.entity_name))?;
    let policy_name = InlineInput::required(&input.policy_name, "PolicyName")?;
    let text = InlineInput::required(&input.policy_document, "PolicyDocument")?;
    let document = Document::compile(policy_name, text, PolicyKind::Identity)?;
    ctx.write(|txn| {
        let mut held = holder.load(&txn.state, &input.entity_name)?;
        let others: usize = held
            .inline
            .iter()
            .filter(|(n, _)| n.as_str() != policy_name)
            .map(|(_, d)| policy_size(&d.text))
            .sum();
        if others + policy_size(text) > holder.max_inline_size() {
            return Err(IamError::limit_exceeded(format!(
                "Maximum policy size of {} bytes exceeded for {} {}",
                holder.max_inline_size(),
                holder.noun(),
                held.name
            )));
        }
        held.inline.insert(policy_name.to_string(), document);
        holder.store(txn, held)
    })?;
    Ok(json!({}))
}

/// Get{User,Group,Role}Policy: the document, percent-encoded.
pub(super) fn get_policy(
    ctx: &OpContext<'_>,
    value: &Value,
    holder: Holder,
) -> Result<Value, IamError> {
    let input: InlineInput = input(value)?;
    ctx.authorize(&action(holder, "Get"), &holder.arn(ctx, &input.entity_name))?;
    let policy_name = InlineInput::required(&input.policy_name, "PolicyName")?;
    let held = holder.load(&ctx.state, &input.entity_name)?;
    let document = held
        .inline
        .get(policy_name)
        .ok_or_else(|| no_such_policy(holder, policy_name))?;
    let mut result = Map::new();
    result.insert(
        format!("{}Name", holder.title()),
        Value::String(held.name.clone()),
    );
    result.insert("PolicyName".into(), Value::String(policy_name.to_string()));
    result.insert(
        "PolicyDocument".into(),
        Value::String(encode_document(&document.text)),
    );
    Ok(Value::Object(result))
}

/// Delete{User,Group,Role}Policy.
pub(super) fn delete_policy(
    ctx: &OpContext<'_>,
    value: &Value,
    holder: Holder,
) -> Result<Value, IamError> {
    let input: InlineInput = input(value)?;
    ctx.authorize(
        &action(holder, "Delete"),
        &holder.arn(ctx, &input.entity_name),
    )?;
    let policy_name = InlineInput::required(&input.policy_name, "PolicyName")?;
    ctx.write(|txn| {
        let mut held = holder.load(&txn.state, &input.entity_name)?;
        if held.inline.remove(policy_name).is_none() {
            return Err(no_such_policy(holder, policy_name));
        }
        holder.store(txn, held)
    })?;
    Ok(json!({}))
}

/// List{User,Group,Role}Policies: policy names in name order, paginated.
pub(super) fn list_policies(
    ctx: &OpContext<'_>,
    value: &Value,
    holder: Holder,
) -> Result<Value, IamError> {
    let input: InlineInput = input(value)?;
    ctx.authorize(
        &action(holder, "List"),
        &holder.arn(ctx, &input.entity_name),
    )?;
    let held = holder.load(&ctx.state, &input.entity_name)?;
    let names = held.inline.into_keys().map(|n| (n.clone(), n));
    paginate(names, input.marker.as_deref(), input.max_items)?.finish(Map::new(), "PolicyNames")
}
