//! `Principal` / `NotPrincipal` of resource-based policies.

use crate::context::{Principal, PrincipalType};

/// One principal named in a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: anyone.
    Anyone,
    /// An account, by ID or as `arn:aws:iam::ACCOUNT:root`.
    Account(String),
    /// A user, role, assumed-role session or federated user ARN.
    Arn(String),
    /// `{"Service": "ec2.amazonaws.com"}`.
    Service(String),
    /// `{"Federated": "..."}`.
    Federated(String),
    /// `{"CanonicalUser": "..."}`.
    CanonicalUser(String),
}

/// How a request's principal matched a policy's `Principal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalMatch {
    /// Named by `*`.
    Anyone,
    /// Named by its account: the account delegates to its identity-based policies.
    Account,
    /// Named directly: the user ARN or the role session ARN (or a service).
    Direct,
    /// Named by the ARN of the role whose session makes the request.
    Role,
}

impl PrincipalEntry {
    /// Parses one value under `AWS`, `Service`, `Federated` or `CanonicalUser`.
    pub(crate) fn parse(kind: &str, value: &str) -> Option<PrincipalEntry> {
        match kind {
            "AWS" => {
                if value == "*" {
                    return Some(PrincipalEntry::Anyone);
                }
                if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                    return Some(PrincipalEntry::Account(value.to_string()));
                }
                let arn = crate::arn::Arn::parse(value)?;
                let account_ok =
                    arn.account.len() == 12 && arn.account.bytes().all(|b| b.is_ascii_digit());
                if !account_ok || value.contains(['*', '?']) {
                    return None;
                }
                match (arn.service, arn.resource) {
                    ("iam", "root") => Some(PrincipalEntry::Account(arn.account.to_string())),
                    ("iam", r) if r.starts_with("user/") || r.starts_with("role/") => {
                        Some(PrincipalEntry::Arn(value.to_string()))
                    }
                    ("sts", r)
                        if r.starts_with("assumed-role/") || r.starts_with("federated-user/") =>
                    {
                        Some(PrincipalEntry::Arn(value.to_string()))
                    }
                    _ => None,
                }
            }
            "Service" if !value.is_empty() => Some(PrincipalEntry::Service(value.to_string())),
            "Federated" if !value.is_empty() => Some(PrincipalEntry::Federated(value.to_string())),
            "CanonicalUser" if !value.is_empty() => {
                Some(PrincipalEntry::CanonicalUser(value.to_string()))
            }
            _ => None,
        }
    }

    /// How `principal` matches this entry, if it does.
    pub fn matches(&self, principal: &Principal) -> Option<PrincipalMatch> {
        match self {
            PrincipalEntry::Anyone => Some(PrincipalMatch::Anyone),
            PrincipalEntry::Account(id) => (principal.kind != PrincipalType::Service
                && principal.account == *id)
                .then_some(PrincipalMatch::Account),
            PrincipalEntry::Arn(arn) => {
                if *arn == principal.arn {
                    Some(PrincipalMatch::Direct)
                } else if principal.role_arn.as_deref() == Some(arn.as_str()) {
                    Some(PrincipalMatch::Role)
                } else {
                    None
                }
            }
            PrincipalEntry::Service(s) => (principal.kind == PrincipalType::Service
                && principal.arn == *s)
                .then_some(PrincipalMatch::Direct),
            PrincipalEntry::Federated(s) | PrincipalEntry::CanonicalUser(s) => {
                (principal.arn == *s).then_some(PrincipalMatch::Direct)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_match() {
        let user = Principal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap();
        let entry = |k: &str, v: &str| PrincipalEntry::parse(k, v);
        assert_eq!(
            entry("AWS", "111122223333").and_then(|e| e.matches(&user)),
            Some(PrincipalMatch::Account)
        );
        assert_eq!(
            entry("AWS", "arn:aws:iam::111122223333:root").and_then(|e| e.matches(&user)),
            Some(PrincipalMatch::Account)
        );
        assert_eq!(
            entry("AWS", "arn:aws:iam::111122223333:user/alice").and_then(|e| e.matches(&user)),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(
            entry("AWS", "arn:aws:iam::111122223333:user/bob").and_then(|e| e.matches(&user)),
            None
        );
        let session = Principal::from_arn("arn:aws:sts::111122223333:assumed-role/app/s1").unwrap();
        assert_eq!(
            entry("AWS", "arn:aws:iam::111122223333:role/app").and_then(|e| e.matches(&session)),
            Some(PrincipalMatch::Role)
        );
        assert!(entry("AWS", "alice").is_none());
        assert!(entry("AWS", "arn:aws:iam::*:user/alice").is_none());
        assert!(entry("Bogus", "x").is_none());
    }
}
