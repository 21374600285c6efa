//! Instance profiles: find, save, ARN.

use std::sync::Arc;

use crate::account::Txn;
use crate::error::IamError;
use crate::model::*;
use crate::ops::OpContext;
use crate::state::AccountState;

/// The ARN of instance profile `name`: its real one when it exists, else with the root path.
pub fn profile_arn(ctx: &OpContext<'_>, name: &str) -> String {
    match ctx.state.instance_profile(name) {
        Some(profile) => profile.arn.clone(),
        None => ctx.arn("instance-profile", "/", name),
    }
}

/// Looks an instance profile up (case-insensitively) in a state.
pub fn find_profile(state: &AccountState, name: &str) -> Result<Arc<InstanceProfile>, IamError> {
    state.instance_profile(name).cloned().ok_or_else(|| {
        IamError::no_such_entity(format!("Instance Profile {name} cannot be found."))
    })
}

/// Stores an instance profile in a transaction.
pub fn save_profile(txn: &mut Txn, profile: InstanceProfile) -> Result<(), IamError> {
    let key = profile.name.to_lowercase();
    txn.put(crate::entities::Kind::InstanceProfile, &key, &profile)?;
    txn.state.instance_profiles.insert(key, Arc::new(profile));
    Ok(())
}
