//! Managed policies (customer and AWS managed): find, save, and the refusal to change AWS's.

use std::sync::Arc;

use crate::account::Txn;
use crate::error::IamError;
use crate::model::*;
use crate::ops::OpContext;
use crate::state::AccountState;

/// Whether `arn` names an AWS managed policy (`arn:aws:iam::aws:policy/...`).
pub fn is_aws_managed(arn: &str) -> bool {
    arn.starts_with("arn:aws:iam::aws:policy/")
}

/// AWS's NoSuchEntity for a policy that GetPolicy and the like cannot find.
pub fn policy_not_found(arn: &str) -> IamError {
    IamError::no_such_entity(format!("Policy {arn} was not found."))
}

/// Looks a managed policy up by ARN.
pub fn find_policy(state: &AccountState, arn: &str) -> Result<Arc<ManagedPolicy>, IamError> {
    check_policy_arn(arn)?;
    state
        .policy(arn)
        .cloned()
        .ok_or_else(|| policy_not_found(arn))
}

/// Stores a customer managed policy in a transaction (key: its ARN, kind "policy"). AWS
/// managed policies are never stored: every change to them is refused before this point.
pub fn save_policy(txn: &mut Txn, policy: ManagedPolicy) -> Result<(), IamError> {
    if is_aws_managed(&policy.arn) {
        return Err(IamError::service_failure());
    }
    let key = policy.arn.clone();
    txn.put(crate::entities::Kind::Policy, &key, &policy)?;
    txn.state.policies.insert(key, Arc::new(policy));
    Ok(())
}

/// AccessDenied when `arn` is an AWS managed policy, which `action` would change.
pub fn refuse_aws_managed_change(
    ctx: &OpContext<'_>,
    action: &str,
    arn: &str,
) -> Result<(), IamError> {
    if !is_aws_managed(arn) {
        return Ok(());
    }
    Err(IamError::access_denied(format!(
        "User: {} is not authorized to perform: {action} on resource: policy {arn} because no \
         resource-based policy allows the {action} action",
        ctx.caller.principal.arn
    )))
}

/// AWS's InvalidInput for a `PolicyArn` that is not a policy ARN.
pub fn check_policy_arn(arn: &str) -> Result<(), IamError> {
    match arn.strip_prefix("arn:aws:iam::") {
        Some(rest) if rest.contains(":policy/") => Ok(()),
        _ => Err(IamError::invalid_input(format!("ARN {arn} is not valid."))),
    }
}

/// Customer managed policies are found by name case-insensitively (names are unique so).
impl crate::state::Indexed for ManagedPolicy {
    fn index_keys(&self, _key: &str) -> Vec<(crate::state::By, String)> {
        vec![(crate::state::By::Name, self.name.to_ascii_lowercase())]
    }
}
