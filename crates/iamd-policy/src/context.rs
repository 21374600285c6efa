//! The request: who asks, for what action on which resource, with which context keys.

use crate::arn::Arn;

/// A context key's value: single-valued (`aws:username`) or multi-valued (`aws:TagKeys`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum ContextValue {
    Single(String),
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice (one for a single-valued key).
    pub fn values(&self) -> &[String] {
        match self {
            ContextValue::Single(v) => std::slice::from_ref(v),
            ContextValue::Multi(v) => v,
        }
    }

    /// The value of a single-valued key.
    fn single(&self) -> Option<&str> {
        match self {
            ContextValue::Single(v) => Some(v),
            ContextValue::Multi(_) => None,
        }
    }
}

/// A context key's name, lowercase, with a hash of it: lookups compare the hash first and
/// the text only on a hit. Policies compile their keys to this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyName {
    hash: u64,
    lower: String,
}

impl KeyName {
    /// The key name of `key`, in any case.
    pub(crate) fn new(key: &str) -> KeyName {
        let lower = key.to_ascii_lowercase();
        KeyName {
            hash: fnv1a(lower.as_bytes()),
            lower,
        }
    }
}

/// Context keys of a request. Key names are case-insensitive (stored lowercase); values are
/// kept as given.
#[derive(Debug, Clone, Default)]
pub struct Context {
    entries: Vec<(KeyName, String, ContextValue)>,
}

/// A context without keys.
pub(crate) static EMPTY: Context = Context {
    entries: Vec::new(),
};

impl Context {
    /// Sets a single-valued key, replacing any earlier value.
    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        self.set(key, ContextValue::Single(value.into()));
    }

    /// Sets a multi-valued key, replacing any earlier value.
    pub fn insert_multi(&mut self, key: &str, values: Vec<String>) {
        self.set(key, ContextValue::Multi(values));
    }

    /// Sets a key to a value.
    pub fn set(&mut self, key: &str, value: ContextValue) {
        let name = KeyName::new(key);
        match self.entries.iter_mut().find(|(k, _, _)| *k == name) {
            Some(entry) => entry.2 = value,
            None => self.entries.push((name, key.to_string(), value)),
        }
    }

    /// Removes a key.
    pub fn remove(&mut self, key: &str) {
        let name = KeyName::new(key);
        self.entries.retain(|(k, _, _)| *k != name);
    }

    /// Looks a key up; `key` must already be lowercase.
    pub fn get(&self, lower_key: &str) -> Option<&ContextValue> {
        self.entries
            .iter()
            .find(|(k, _, _)| k.lower == lower_key)
            .map(|(_, _, v)| v)
    }

    /// Looks a compiled key name up.
    #[inline]
    pub(crate) fn lookup(&self, key: &KeyName) -> Option<&ContextValue> {
        self.entries
            .iter()
            .find(|(k, _, _)| k.hash == key.hash && k.lower == key.lower)
            .map(|(_, _, v)| v)
    }

    /// Looks a key up by any case.
    pub fn get_any_case(&self, key: &str) -> Option<&ContextValue> {
        self.lookup(&KeyName::new(key))
    }

    /// A single-valued key's value (multi-valued keys cannot be policy variables).
    pub fn single(&self, lower_key: &str) -> Option<&str> {
        self.get(lower_key)?.single()
    }

    /// `single` for a compiled key name.
    #[inline]
    pub(crate) fn single_of(&self, key: &KeyName) -> Option<&str> {
        self.lookup(key)?.single()
    }

    /// All keys with their names as first given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(_, name, v)| (name.as_str(), v))
    }
}

/// What kind of principal makes the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PrincipalType {
    /// The account's root user.
    Account,
    /// An IAM user.
    User,
    /// An assumed-role session.
    AssumedRole,
    /// A federated user session.
    FederatedUser,
    /// An AWS service.
    Service,
    /// An unauthenticated caller.
    Anonymous,
}

impl PrincipalType {
    /// The value of `aws:PrincipalType`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Account => "Account",
            PrincipalType::User => "User",
            PrincipalType::AssumedRole => "AssumedRole",
            PrincipalType::FederatedUser => "FederatedUser",
            PrincipalType::Service => "Service",
            PrincipalType::Anonymous => "Anonymous",
        }
    }
}

/// The principal making a request.
#[derive(Debug, Clone)]
pub struct Principal {
    /// `arn:aws:iam::111122223333:user/alice`, `arn:aws:sts::111122223333:assumed-role/R/S`,
    /// or a service name such as `ec2.amazonaws.com`.
    pub arn: String,
    /// The principal's account (empty for services).
    pub account: String,
    pub kind: PrincipalType,
    /// For an assumed-role session: the role's ARN (`arn:aws:iam::ACCOUNT:role/PATH/R`).
    pub role_arn: Option<String>,
}

impl Principal {
    /// Derives the principal from an ARN: users, roots, roles' sessions and federated users.
    /// Returns `None` for text that is not such an ARN.
    pub fn from_arn(arn: &str) -> Option<Principal> {
        let parsed = Arn::parse(arn)?;
        let account = parsed.account.to_string();
        let (kind, role_arn) = match (parsed.service, parsed.resource) {
            ("iam", "root") => (PrincipalType::Account, None),
            ("iam", r) if r.starts_with("user/") => (PrincipalType::User, None),
            ("sts", r) if r.starts_with("assumed-role/") => {
                let mut parts = r.split('/');
                let role = parts.nth(1)?;
                (
                    PrincipalType::AssumedRole,
                    Some(format!(
                        "arn:{}:iam::{}:role/{}",
                        parsed.partition, account, role
                    )),
                )
            }
            ("sts", r) if r.starts_with("federated-user/") => (PrincipalType::FederatedUser, None),
            _ => return None,
        };
        Some(Principal {
            arn: arn.to_string(),
            account,
            kind,
            role_arn,
        })
    }

    /// The friendly name: the user name, the session name, or the account for root.
    pub fn name(&self) -> &str {
        let resource = self.arn.rsplit(':').next().unwrap_or("");
        match self.kind {
            PrincipalType::Account => &self.account,
            _ => resource.rsplit('/').next().unwrap_or(resource),
        }
    }

    /// Adds the principal keys a server would set: `aws:username` (users), `aws:PrincipalArn`,
    /// `aws:PrincipalAccount`, `aws:PrincipalType`. Keys already present are kept.
    pub fn fill_context(&self, context: &mut Context) {
        let mut set = |key: &str, value: String| {
            if context.get_any_case(key).is_none() {
                context.insert(key, value);
            }
        };
        if self.kind == PrincipalType::User {
            set("aws:username", self.name().to_string());
        }
        let principal_arn = self.role_arn.clone().unwrap_or_else(|| self.arn.clone());
        set("aws:PrincipalArn", principal_arn);
        set("aws:PrincipalAccount", self.account.clone());
        set("aws:PrincipalType", self.kind.as_str().to_string());
    }
}

/// One of 64 bits for a (lowercase) service prefix such as `s3` (FNV-1a). Statements keep the
/// union of their services' bits, so most statements about other services are skipped with
/// one AND; equal bits for different services only cost the full check.
pub(crate) fn service_bit(service: &str) -> u64 {
    1 << (fnv1a(service.as_bytes()) >> 58)
}

/// The 64-bit FNV-1a hash.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A request for the engine to decide.
#[derive(Debug, Clone)]
pub struct Request {
    pub principal: Principal,
    action: String,
    action_lower: String,
    /// Bloom bit of the action's service, see [`service_bit`].
    service_bit: u64,
    /// The resource ARN, or `*` for actions without a resource.
    pub resource: String,
    /// The account that owns the resource; `None` means the principal's own account.
    pub resource_account: Option<String>,
    pub context: Context,
}

impl Request {
    pub fn new(principal: Principal, action: &str, resource: &str, context: Context) -> Request {
        let action_lower = action.to_ascii_lowercase();
        let service_bit = match action_lower.split_once(':') {
            Some((service, _)) => service_bit(service),
            None => u64::MAX,
        };
        Request {
            principal,
            action: action.to_string(),
            action_lower,
            service_bit,
            resource: resource.to_string(),
            resource_account: None,
            context,
        }
    }

    /// The action as given, e.g. `iam:ListUsers`.
    pub fn action(&self) -> &str {
        &self.action
    }

    pub(crate) fn action_lower(&self) -> &str {
        &self.action_lower
    }

    pub(crate) fn service_bit(&self) -> u64 {
        self.service_bit
    }

    /// Whether the resource lies in another account than the principal's.
    pub fn is_cross_account(&self) -> bool {
        match &self.resource_account {
            Some(account) => *account != self.principal.account,
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_from_arn() {
        let p = Principal::from_arn("arn:aws:iam::111122223333:user/division/alice");
        let p = p.as_ref().map(|p| (p.kind, p.name(), p.account.as_str()));
        assert_eq!(p, Some((PrincipalType::User, "alice", "111122223333")));
        let s = Principal::from_arn("arn:aws:sts::111122223333:assumed-role/app/session1");
        assert_eq!(
            s.and_then(|s| s.role_arn),
            Some("arn:aws:iam::111122223333:role/app".to_string())
        );
        assert!(Principal::from_arn("not-an-arn").is_none());
    }

    #[test]
    fn context_keys_are_case_insensitive() {
        let mut c = Context::default();
        c.insert("aws:MultiFactorAuthPresent", "true");
        assert_eq!(c.single("aws:multifactorauthpresent"), Some("true"));
        c.insert("AWS:multifactorauthpresent", "false");
        assert_eq!(c.iter().count(), 1);
    }
}
