//! The entities that hold policies (users, groups, roles), for the operations that treat them
//! alike: inline policies (Put/Get/Delete/List*Policy) and managed policy attachments
//! (Attach/Detach/ListAttached*Policies).

use std::collections::BTreeMap;

use super::OpContext;
use crate::account::Txn;
use crate::entities::groups::{find_group, group_arn, save_group};
use crate::entities::roles::{check_modifiable, find_role, role_arn, save_role};
use crate::entities::users::{find_user, save_user, user_arn};
use crate::error::IamError;
use crate::model::Document;
use crate::state::AccountState;

/// AWS's quota on the aggregate size of a user's inline policies (characters, no whitespace).
pub(crate) const MAX_USER_INLINE_SIZE: usize = 2048;
/// AWS's quota on the aggregate size of a group's inline policies.
pub(crate) const MAX_GROUP_INLINE_SIZE: usize = 5120;
/// AWS's quota on the aggregate size of a role's inline policies.
pub(crate) const MAX_ROLE_INLINE_SIZE: usize = 10240;

/// The kind of entity holding policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Holder {
    User,
    Group,
    Role,
}

/// An entity's policies, as loaded for a change.
pub(super) struct HeldPolicies {
    /// The entity's name as created.
    pub name: String,
    pub inline: BTreeMap<String, Document>,
    /// Managed policy ARNs, in attachment order.
    pub attached: Vec<String>,
}

impl Holder {
    /// `user`, `group` or `role`, as in AWS's messages.
    pub(super) fn noun(self) -> &'static str {
        match self {
            Holder::User => "user",
            Holder::Group => "group",
            Holder::Role => "role",
        }
    }

    /// The quota on managed policies attached to one such entity.
    pub(super) fn attached_quota(self) -> crate::quotas::Quota {
        match self {
            Holder::User => crate::quotas::Quota::PoliciesPerUser,
            Holder::Group => crate::quotas::Quota::PoliciesPerGroup,
            Holder::Role => crate::quotas::Quota::PoliciesPerRole,
        }
    }

    /// `User`, `Group` or `Role`, as in action names and output members.
    pub(super) fn title(self) -> &'static str {
        match self {
            Holder::User => "User",
            Holder::Group => "Group",
            Holder::Role => "Role",
        }
    }

    pub(super) fn max_inline_size(self) -> usize {
        match self {
            Holder::User => MAX_USER_INLINE_SIZE,
            Holder::Group => MAX_GROUP_INLINE_SIZE,
            Holder::Role => MAX_ROLE_INLINE_SIZE,
        }
    }

    /// The resource every action is authorized on: the entity's ARN.
    pub(super) fn arn(self, ctx: &OpContext<'_>, name: &str) -> String {
        match self {
            Holder::User => user_arn(ctx, name),
            Holder::Group => group_arn(ctx, name),
            Holder::Role => role_arn(ctx, name),
        }
    }

    /// The entity's policies (NoSuchEntity if it does not exist).
    pub(super) fn load(self, state: &AccountState, name: &str) -> Result<HeldPolicies, IamError> {
        let held =
            |name: &str, inline: &BTreeMap<String, Document>, attached: &[String]| HeldPolicies {
                name: name.to_string(),
                inline: inline.clone(),
                attached: attached.to_vec(),
            };
        Ok(match self {
            Holder::User => {
                let u = find_user(state, name)?;
                held(&u.name, &u.inline, &u.attached)
            }
            Holder::Group => {
                let g = find_group(state, name)?;
                held(&g.name, &g.inline, &g.attached)
            }
            Holder::Role => {
                let r = find_role(state, name)?;
                held(&r.name, &r.inline, &r.attached)
            }
        })
    }

    /// Replaces the entity's policies in a transaction.
    pub(super) fn store(self, txn: &mut Txn, policies: HeldPolicies) -> Result<(), IamError> {
        let HeldPolicies {
            name,
            inline,
            attached,
        } = policies;
        match self {
            Holder::User => {
                let mut user = (*find_user(&txn.state, &name)?).clone();
                (user.inline, user.attached) = (inline, attached);
                save_user(txn, user)
            }
            Holder::Group => {
                let mut group = (*find_group(&txn.state, &name)?).clone();
                (group.inline, group.attached) = (inline, attached);
                save_group(txn, group)
            }
            Holder::Role => {
                let mut role = (*find_role(&txn.state, &name)?).clone();
                check_modifiable(&role)?;
                (role.inline, role.attached) = (inline, attached);
                save_role(txn, role)
            }
        }
    }
}
