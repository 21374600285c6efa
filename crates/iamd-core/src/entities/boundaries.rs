//! Permissions boundaries: the policy a boundary names, its view and its condition key.

use serde_json::{json, Value};

use crate::error::IamError;
use iamd_policy::ContextValue;

/// The model's `AttachedPermissionsBoundary` for boundary policy `arn`.
pub fn boundary_view(arn: &str) -> Value {
    json!({"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn})
}

/// `iam:PermissionsBoundary`, the condition key of the operations setting a boundary.
pub fn boundary_context(arn: &str) -> (String, ContextValue) {
    (
        "iam:PermissionsBoundary".to_string(),
        ContextValue::Single(arn.to_string()),
    )
}

/// A boundary must be an existing managed policy.
pub fn check_boundary_policy(
    state: &crate::state::AccountState,
    arn: &str,
) -> Result<(), IamError> {
    if state.policy(arn).is_none() {
        return Err(IamError::no_such_entity(format!(
            "Policy {arn} does not exist or is not attachable."
        )));
    }
    Ok(())
}
