//! Whose access keys a request is about: the named user, or the caller (root included).

use crate::entities::users::user_arn;
use crate::error::IamError;
use crate::ops::OpContext;

/// The user an operation is about: `UserName`, or the caller; `None` for root's own keys.
pub fn target(ctx: &OpContext<'_>, name: Option<String>) -> Result<Option<String>, IamError> {
    ctx.user_or_caller(name)
}

pub fn resource(ctx: &OpContext<'_>, user: &Option<String>) -> String {
    match user {
        Some(name) => user_arn(ctx, name),
        None => format!("arn:aws:iam::{}:root", ctx.account_id()),
    }
}

/// The owner an access key is indexed under: the user's lowercase name, or "" for the root
/// user's keys (user names are never empty).
pub fn key_owner(user: Option<&str>) -> String {
    user.map(str::to_ascii_lowercase).unwrap_or_default()
}

/// Access keys are found by owner (CreateAccessKey's per-user quota, ListAccessKeys).
impl crate::state::Indexed for crate::model::AccessKey {
    fn index_keys(&self, _key: &str) -> Vec<(crate::state::By, String)> {
        vec![(crate::state::By::Owner, key_owner(self.user.as_deref()))]
    }
}
