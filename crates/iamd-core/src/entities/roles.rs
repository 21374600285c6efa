//! Roles: find, save, ARN, and the trust policy's compiled form.

use std::sync::Arc;

use serde_json::Value;

use crate::account::Txn;
use crate::entities::documents::policy_size;
use crate::error::IamError;
use crate::model::*;
use crate::ops::OpContext;
use crate::state::AccountState;
use iamd_policy::{messages, PolicyKind, PrincipalEntry};

/// The ARN of role `name`: its real one when it exists, else with the root path.
pub fn role_arn(ctx: &OpContext<'_>, name: &str) -> String {
    match ctx.state.role(name) {
        Some(role) => role.arn.clone(),
        None => ctx.arn("role", "/", name),
    }
}

/// AWS's NoSuchEntity for a missing role.
pub fn no_such_role(name: &str) -> IamError {
    IamError::no_such_entity(format!("The role with name {name} cannot be found."))
}

/// Looks a role up (case-insensitively) in a state.
pub fn find_role(state: &AccountState, name: &str) -> Result<Arc<Role>, IamError> {
    state.role(name).cloned().ok_or_else(|| no_such_role(name))
}

/// Stores a role in a transaction.
pub fn save_role(txn: &mut Txn, role: Role) -> Result<(), IamError> {
    let key = role.name.to_lowercase();
    txn.put(crate::entities::Kind::Role, &key, &role)?;
    txn.state.roles.insert(key, Arc::new(role));
    Ok(())
}

/// Checks and compiles the trust policy of role `role_name` against `state` (whose users and
/// roles the policy's principals must name).
pub fn compile_trust_policy(
    state: &AccountState,
    role_name: &str,
    text: &str,
) -> Result<Document, IamError> {
    if policy_size(text) > MAX_TRUST_POLICY_SIZE {
        return Err(IamError::limit_exceeded(format!(
            "Cannot exceed quota for ACLSizePerRole: {MAX_TRUST_POLICY_SIZE}"
        )));
    }
    if let Some(field) = prohibited_field(text) {
        return Err(IamError::malformed_policy(format!(
            "Has prohibited field {field}"
        )));
    }
    let document = Document::compile(role_name, text, PolicyKind::Resource).map_err(|e| {
        if e.message == messages::MISSING_PRINCIPAL {
            IamError::malformed_policy(TRUST_POLICY_WITHOUT_PRINCIPAL)
        } else {
            e
        }
    })?;
    let statements = document
        .compiled()
        .into_iter()
        .flat_map(|p| p.policy.statements());
    if statements.clone().any(|s| !trust_actions_allowed(s)) {
        return Err(IamError::malformed_policy(TRUST_POLICY_ACTIONS));
    }
    for principals in statements.filter_map(|s| s.principals.as_ref()) {
        for entry in &principals.entries {
            if let PrincipalEntry::Arn(arn) = entry {
                if !principal_exists(state, arn) {
                    return Err(IamError::malformed_policy(format!(
                        "Invalid principal in policy: \"AWS\":\"{arn}\""
                    )));
                }
            }
        }
    }
    Ok(document)
}

/// AWS's answer to a trust policy naming other actions than the ones that start a
/// session (recorded by emulators' AWS-checked suites; LocalStack's IAM provider, a Go IAM
/// emulator's CreateRole table refusing `"Action": "*"`).
pub const TRUST_POLICY_ACTIONS: &str = "AssumeRole policy may only specify STS AssumeRole actions.";

/// The actions a trust policy may name (any case, no wildcards): AWS's "Granting
/// permissions to pass session tags / source identity / context" pages list the last three.
const TRUST_ACTIONS: [&str; 6] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
];

fn trust_actions_allowed(statement: &iamd_policy::Statement) -> bool {
    statement.actions.negated
        || statement
            .actions
            .texts
            .iter()
            .all(|a| TRUST_ACTIONS.contains(&a.to_ascii_lowercase().as_str()))
}

/// AWS's quota on a trust policy's size (characters other than whitespace).
pub const MAX_TRUST_POLICY_SIZE: usize = 2048;

/// `Resource` or `NotResource` in a trust policy statement: a trust policy applies to its
/// role, so AWS refuses them, before it looks at the principals. Text that is not JSON is
/// left to the parser.
pub fn prohibited_field(text: &str) -> Option<&'static str> {
    let policy: Value = serde_json::from_str(text).ok()?;
    let statements = match policy.get("Statement")? {
        Value::Array(list) => list.iter().collect(),
        single => vec![single],
    };
    statements.into_iter().find_map(|statement| {
        ["Resource", "NotResource"]
            .into_iter()
            .find(|field| statement.get(field).is_some())
    })
}

/// What AWS answers for a trust policy statement without `Principal` (observed text).
pub const TRUST_POLICY_WITHOUT_PRINCIPAL: &str = "Invalid principal in policy: \
     com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!";

/// Whether an `AWS` principal ARN names an existing user or role; ARNs of other accounts and
/// of sessions (`sts`) cannot be checked here and are accepted.
pub fn principal_exists(state: &AccountState, arn: &str) -> bool {
    let own = format!("arn:aws:iam::{}:", state.account_id);
    let Some(resource) = arn.strip_prefix(&own) else {
        return true;
    };
    let name = resource.rsplit('/').next().unwrap_or_default();
    match resource.split_once('/') {
        Some(("user", _)) => state.user(name).is_some_and(|u| u.arn == arn),
        Some(("role", _)) => state.role(name).is_some_and(|r| r.arn == arn),
        _ => true,
    }
}

/// AWS's UnmodifiableEntity for changing a service-linked role other than through the
/// service-linked role operations (DeleteRole, its trust policy, its policies, its boundary,
/// instance profiles). Text as AWS answers (recorded for DeleteRole on
/// `AWSServiceRoleForSupport`).
pub fn check_modifiable(role: &Role) -> Result<(), IamError> {
    match role.linked_service {
        None => Ok(()),
        Some(_) => Err(IamError::new(
            "UnmodifiableEntity",
            400,
            format!(
                "Cannot perform the operation on the protected role '{}' - this role is only modifiable by AWS",
                role.name
            ),
        )),
    }
}

/// Roles count towards their attached policies' and boundary's usage (see `User`'s).
impl crate::state::Indexed for Role {
    fn index_keys(&self, _key: &str) -> Vec<(crate::state::By, String)> {
        Vec::new()
    }

    fn tallies(&self, each: &mut dyn FnMut(crate::state::By, &str)) {
        crate::state::tally_policies(&self.attached, self.boundary.as_deref(), each);
    }
}
