//! Inline policies of users and groups: Put/Get/Delete/List{User,Group}Policy.
//!
//! Both kinds share one implementation, parameterised by [`Holder`]. Choices, as AWS:
//! - the document is validated as an identity policy (`MalformedPolicyDocument` otherwise);
//! - the aggregate size of an entity's inline policies, counted in characters other than
//!   whitespace, is limited to 2048 for a user and 5120 for a group; beyond it the answer is
//!   `LimitExceeded` "Maximum policy size of 2048 bytes exceeded for user NAME" (AWS's text,
//!   seen in CloudFormation/CDK and CLI reports; "... 5120 bytes exceeded for group NAME");
//!   replacing a policy counts the new document instead of the old one;
//! - policy names are case-sensitive keys of the entity's map;
//! - `Get*Policy` returns `PolicyDocument` percent-encoded (RFC 3986: everything but
//!   unreserved characters is escaped), as AWS does in its XML; the SDKs and CLI decode it.

use std::collections::BTreeMap;

use iamd_policy::PolicyKind;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::groups::{find_group, group_arn, save_group};
use super::support::{input, paginate};
use super::users::{find_user, save_user, user_arn};
use super::{iam_op as op, OpContext, Operation};
use crate::account::Txn;
use crate::error::IamError;
use crate::model::Document;
use crate::state::AccountState;

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

/// AWS's quota on the aggregate size of a user's inline policies (characters, no whitespace).
pub(crate) const MAX_USER_INLINE_SIZE: usize = 2048;
/// AWS's quota on the aggregate size of a group's inline policies.
pub(crate) const MAX_GROUP_INLINE_SIZE: usize = 5120;

/// RFC 3986: every byte but the unreserved characters `A-Z a-z 0-9 - . _ ~` is escaped.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A policy document percent-encoded as AWS returns it.
pub(crate) fn encode_document(text: &str) -> String {
    utf8_percent_encode(text, RFC3986).to_string()
}

/// The size of a policy document as the quotas count it: characters other than whitespace.
pub(crate) fn policy_size(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// The kind of entity holding inline policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holder {
    User,
    Group,
}

impl Holder {
    /// `user` or `group`, as in AWS's messages and action names.
    fn noun(self) -> &'static str {
        match self {
            Holder::User => "user",
            Holder::Group => "group",
        }
    }

    /// `User` or `Group`, as in action names and output members.
    fn title(self) -> &'static str {
        match self {
            Holder::User => "User",
            Holder::Group => "Group",
        }
    }

    fn max_size(self) -> usize {
        match self {
            Holder::User => MAX_USER_INLINE_SIZE,
            Holder::Group => MAX_GROUP_INLINE_SIZE,
        }
    }

    /// `iam:{verb}UserPolicy` / `iam:{verb}GroupPolicy` (`ListUserPolicies` for List).
    fn action(self, verb: &str) -> String {
        match verb {
            "List" => format!("iam:List{}Policies", self.title()),
            _ => format!("iam:{verb}{}Policy", self.title()),
        }
    }

    /// The resource every action is authorized on: the entity's ARN.
    fn arn(self, ctx: &OpContext<'_>, name: &str) -> String {
        match self {
            Holder::User => user_arn(ctx, name),
            Holder::Group => group_arn(ctx, name),
        }
    }

    /// The entity's name as created, and its inline policies.
    fn load(
        self,
        state: &AccountState,
        name: &str,
    ) -> Result<(String, BTreeMap<String, Document>), IamError> {
        match self {
            Holder::User => find_user(state, name).map(|u| (u.name.clone(), u.inline.clone())),
            Holder::Group => find_group(state, name).map(|g| (g.name.clone(), g.inline.clone())),
        }
    }

    /// Replaces the entity's inline policies in a transaction.
    fn store(
        self,
        txn: &mut Txn,
        name: &str,
        inline: BTreeMap<String, Document>,
    ) -> Result<(), IamError> {
        match self {
            Holder::User => {
                let mut user = (*find_user(&txn.state, name)?).clone();
                user.inline = inline;
                save_user(txn, user)
            }
            Holder::Group => {
                let mut group = (*find_group(&txn.state, name)?).clone();
                group.inline = inline;
                save_group(txn, group)
            }
        }
    }

    /// AWS's NoSuchEntity for a missing inline policy.
    fn no_such_policy(self, policy_name: &str) -> IamError {
        IamError::no_such_entity(format!(
            "The {} policy with name {policy_name} cannot be found.",
            self.noun()
        ))
    }
}

/// The input of every operation here. The entity is `UserName` or `GroupName` depending on the
/// operation (the wire layer has checked the operation's own shape, so only one is present).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InlineInput {
    #[serde(rename = "UserName", alias = "GroupName")]
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

/// Put{User,Group}Policy: adds or replaces an inline policy.
fn put_policy(ctx: &OpContext<'_>, value: &Value, holder: Holder) -> Result<Value, IamError> {
    let input: InlineInput = input(value)?;
    ctx.authorize(&holder.action("Put"), &holder.arn(ctx, &input.entity_name))?;
    let policy_name = InlineInput::required(&input.policy_name, "PolicyName")?;
    let text = InlineInput::required(&input.policy_document, "PolicyDocument")?;
    let document = Document::compile(policy_name, text, PolicyKind::Identity)?;
    ctx.write(|txn| {
        let (name, mut inline) = holder.load(&txn.state, &input.entity_name)?;
        let others: usize = inline
            .iter()
            .filter(|(n, _)| n.as_str() != policy_name)
            .map(|(_, d)| policy_size(&d.text))
            .sum();
        if others + policy_size(text) > holder.max_size() {
            return Err(IamError::limit_exceeded(format!(
                "Maximum policy size of {} bytes exceeded for {} {name}",
                holder.max_size(),
                holder.noun()
            )));
        }
        inline.insert(policy_name.to_string(), document);
        holder.store(txn, &name, inline)
    })?;
    Ok(json!({}))
}

/// Get{User,Group}Policy: the document, percent-encoded.
fn get_policy(ctx: &OpContext<'_>, value: &Value, holder: Holder) -> Result<Value, IamError> {
    let input: InlineInput = input(value)?;
    ctx.authorize(&holder.action("Get"), &holder.arn(ctx, &input.entity_name))?;
    let policy_name = InlineInput::required(&input.policy_name, "PolicyName")?;
    let (name, inline) = holder.load(&ctx.state, &input.entity_name)?;
    let document = inline
        .get(policy_name)
        .ok_or_else(|| holder.no_such_policy(policy_name))?;
    let mut result = Map::new();
    result.insert(format!("{}Name", holder.title()), Value::String(name));
    result.insert("PolicyName".into(), Value::String(policy_name.to_string()));
    result.insert(
        "PolicyDocument".into(),
        Value::String(encode_document(&document.text)),
    );
    Ok(Value::Object(result))
}

/// Delete{User,Group}Policy.
fn delete_policy(ctx: &OpContext<'_>, value: &Value, holder: Holder) -> Result<Value, IamError> {
    let input: InlineInput = input(value)?;
    ctx.authorize(
        &holder.action("Delete"),
        &holder.arn(ctx, &input.entity_name),
    )?;
    let policy_name = InlineInput::required(&input.policy_name, "PolicyName")?;
    ctx.write(|txn| {
        let (name, mut inline) = holder.load(&txn.state, &input.entity_name)?;
        if inline.remove(policy_name).is_none() {
            return Err(holder.no_such_policy(policy_name));
        }
        holder.store(txn, &name, inline)
    })?;
    Ok(json!({}))
}

/// List{User,Group}Policies: policy names in name order, paginated.
fn list_policies(ctx: &OpContext<'_>, value: &Value, holder: Holder) -> Result<Value, IamError> {
    let input: InlineInput = input(value)?;
    ctx.authorize(&holder.action("List"), &holder.arn(ctx, &input.entity_name))?;
    let (_, inline) = holder.load(&ctx.state, &input.entity_name)?;
    let names = inline.into_keys().map(|n| (n.clone(), n));
    paginate(names, input.marker.as_deref(), input.max_items)?.finish(Map::new(), "PolicyNames")
}
