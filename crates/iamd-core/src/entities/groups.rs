//! Groups: find, save, ARN.

use std::sync::Arc;

use crate::account::Txn;
use crate::error::IamError;
use crate::model::*;
use crate::ops::OpContext;
use crate::state::AccountState;

/// The ARN of group `name`: its real one when it exists, else with the root path.
pub fn group_arn(ctx: &OpContext<'_>, name: &str) -> String {
    match ctx.state.group(name) {
        Some(group) => group.arn.clone(),
        None => ctx.arn("group", "/", name),
    }
}

/// AWS's NoSuchEntity for a missing group.
pub fn no_such_group(name: &str) -> IamError {
    IamError::no_such_entity(format!("The group with name {name} cannot be found."))
}

/// Looks a group up (case-insensitively) in a state.
pub fn find_group(state: &AccountState, name: &str) -> Result<Arc<Group>, IamError> {
    state
        .group(name)
        .cloned()
        .ok_or_else(|| no_such_group(name))
}

/// Stores a group in a transaction.
pub fn save_group(txn: &mut Txn, group: Group) -> Result<(), IamError> {
    let key = group.name.to_lowercase();
    txn.put(crate::entities::Kind::Group, &key, &group)?;
    txn.state.groups.insert(key, Arc::new(group));
    Ok(())
}

/// Whether `member_of` (an entry of `User.groups`) names group `group_name`: group names are
/// unique case-insensitively, compared as the state's keys are (lowercase).
pub fn same_group(member_of: &str, group_name: &str) -> bool {
    member_of.to_lowercase() == group_name.to_lowercase()
}

/// Groups count towards their attached policies' usage (see `User`'s).
impl crate::state::Indexed for Group {
    fn index_keys(&self, _key: &str) -> Vec<(crate::state::By, String)> {
        Vec::new()
    }

    fn tallies(&self, each: &mut dyn FnMut(crate::state::By, &str)) {
        crate::state::tally_policies(&self.attached, None, each);
    }
}
