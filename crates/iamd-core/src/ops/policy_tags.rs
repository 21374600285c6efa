//! Tags on customer managed policies: TagPolicy, UntagPolicy, ListPolicyTags. AWS managed
//! policies have none and take none.

use iamd_policy::ContextValue;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::managed_policies::ListByPolicyInput;
use super::support::{input, paginate};
use super::tags::{merge_tags, tag_context};
use super::{iam_op as op, OpContext, Operation};
use crate::entities::policies::{find_policy, refuse_aws_managed_change, save_policy};
use crate::error::IamError;
use crate::model::Tag;

pub(super) static OPS: &[Operation] = &[
    op("TagPolicy", tag_policy, false),
    op("UntagPolicy", untag_policy, false),
    op("ListPolicyTags", list_policy_tags, true),
];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagPolicyInput {
    policy_arn: String,
    tags: Vec<Tag>,
}

fn tag_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: TagPolicyInput = input(value)?;
    ctx.authorize_with(
        "iam:TagPolicy",
        &input.policy_arn,
        &tag_context(&input.tags)?,
    )?;
    refuse_aws_managed_change(ctx, "iam:TagPolicy", &input.policy_arn)?;
    ctx.write(|txn| {
        let mut policy = (*find_policy(&txn.state, &input.policy_arn)?).clone();
        merge_tags(&mut policy.tags, input.tags)?;
        save_policy(txn, policy)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UntagPolicyInput {
    policy_arn: String,
    tag_keys: Vec<String>,
}

fn untag_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UntagPolicyInput = input(value)?;
    let extra = [(
        "aws:TagKeys".to_string(),
        ContextValue::Multi(input.tag_keys.clone()),
    )];
    ctx.authorize_with("iam:UntagPolicy", &input.policy_arn, &extra)?;
    refuse_aws_managed_change(ctx, "iam:UntagPolicy", &input.policy_arn)?;
    ctx.write(|txn| {
        let mut policy = (*find_policy(&txn.state, &input.policy_arn)?).clone();
        policy.tags.retain(|t| !input.tag_keys.contains(&t.key));
        save_policy(txn, policy)
    })?;
    Ok(json!({}))
}

fn list_policy_tags(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListByPolicyInput = input(value)?;
    ctx.authorize("iam:ListPolicyTags", &input.policy_arn)?;
    let policy = find_policy(&ctx.state, &input.policy_arn)?;
    let tags = policy
        .tags
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("{i:08}"), t.clone()));
    paginate(tags, input.marker.as_deref(), input.max_items)?.finish(Map::new(), "Tags")
}
