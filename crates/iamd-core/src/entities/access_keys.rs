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
