//! A role's permissions policies: inline (Put/Get/Delete/ListRolePolicies) and managed
//! (Attach/Detach/ListAttachedRolePolicies). The implementations are those of users and
//! groups ([`Holder::Role`]); a role's inline policies may total 10240 characters (no
//! whitespace) and it may have 10 managed policies attached, as AWS's default quotas.

use super::attachments::{attach_policy, detach_policy, list_attached_policies};
use super::holder::Holder;
use super::inline_policies::{delete_policy, get_policy, list_policies, put_policy};
use super::{iam_op as op, Operation};

pub(super) static OPS: &[Operation] = &[
    op(
        "PutRolePolicy",
        |c, v| put_policy(c, v, Holder::Role),
        false,
    ),
    op("GetRolePolicy", |c, v| get_policy(c, v, Holder::Role), true),
    op(
        "DeleteRolePolicy",
        |c, v| delete_policy(c, v, Holder::Role),
        false,
    ),
    op(
        "ListRolePolicies",
        |c, v| list_policies(c, v, Holder::Role),
        true,
    ),
    op(
        "AttachRolePolicy",
        |c, v| attach_policy(c, v, Holder::Role),
        false,
    ),
    op(
        "DetachRolePolicy",
        |c, v| detach_policy(c, v, Holder::Role),
        false,
    ),
    op(
        "ListAttachedRolePolicies",
        |c, v| list_attached_policies(c, v, Holder::Role),
        true,
    ),
];
