//! Users: find, save, ARN.

use std::sync::Arc;

use crate::error::IamError;
use crate::model::*;
use crate::ops::OpContext;

/// The ARN of user `name`: its real one when it exists, else with the root path.
pub fn user_arn(ctx: &OpContext<'_>, name: &str) -> String {
    match ctx.state.user(name) {
        Some(user) => user.arn.clone(),
        None => ctx.arn("user", "/", name),
    }
}

/// Looks a user up in a transaction's state.
pub fn find_user(state: &crate::state::AccountState, name: &str) -> Result<Arc<User>, IamError> {
    state
        .user(name)
        .cloned()
        .ok_or_else(|| IamError::no_such_user(name))
}

/// Stores a user in a transaction.
pub fn save_user(txn: &mut crate::account::Txn, user: User) -> Result<(), IamError> {
    let key = user.name.to_lowercase();
    txn.put(crate::entities::Kind::User, &key, &user)?;
    txn.state.users.insert(key, Arc::new(user));
    Ok(())
}

/// Users count towards their attached policies' and boundary's usage (GetPolicy's
/// `AttachmentCount`, DeletePolicy's conflict) without a walk over every user.
impl crate::state::Indexed for User {
    fn index_keys(&self, _key: &str) -> Vec<(crate::state::By, String)> {
        Vec::new()
    }

    fn tallies(&self, each: &mut dyn FnMut(crate::state::By, &str)) {
        crate::state::tally_policies(&self.attached, self.boundary.as_deref(), each);
    }
}
