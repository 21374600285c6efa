//! The account's quotas: AWS's IAM quotas are the defaults (with AWS's `LimitExceeded`
//! errors), and an operator may set others per account (`iamd serve --quota
//! UsersPerAccount=100000`, or the `[quotas]` table of the config file): a self-hosted account
//! is not bound by AWS's limits. A quota is named as in AWS's error message ("Cannot exceed
//! quota for UsersPerAccount: 5000"); GetAccountSummary reports the values in effect.

use crate::error::IamError;

/// A quota an operator may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    UsersPerAccount,
    GroupsPerAccount,
    RolesPerAccount,
    PoliciesPerAccount,
    InstanceProfilesPerAccount,
    VirtualMFADevicesPerAccount,
    GroupsPerUser,
    PoliciesPerUser,
    PoliciesPerGroup,
    PoliciesPerRole,
}

/// Every quota with its name and AWS's default, in the order of [`Quota`]'s variants.
const TABLE: [(Quota, &str, usize); 10] = [
    (Quota::UsersPerAccount, "UsersPerAccount", 5000),
    (Quota::GroupsPerAccount, "GroupsPerAccount", 300),
    (Quota::RolesPerAccount, "RolesPerAccount", 1000),
    (Quota::PoliciesPerAccount, "PoliciesPerAccount", 1500),
    (
        Quota::InstanceProfilesPerAccount,
        "InstanceProfilesPerAccount",
        1000,
    ),
    (
        Quota::VirtualMFADevicesPerAccount,
        "VirtualMFADevicesPerAccount",
        5000,
    ),
    (Quota::GroupsPerUser, "GroupsPerUser", 10),
    (Quota::PoliciesPerUser, "PoliciesPerUser", 10),
    (Quota::PoliciesPerGroup, "PoliciesPerGroup", 10),
    (Quota::PoliciesPerRole, "PoliciesPerRole", 10),
];

/// The largest value a quota may be set to (a bound on what one account may hold).
pub const MAX_QUOTA: usize = 100_000_000;

impl Quota {
    /// Its row of [`TABLE`] (in the order of the variants).
    fn index(self) -> usize {
        self as usize
    }

    /// The quota's name, as in AWS's messages.
    pub fn name(self) -> &'static str {
        TABLE[self.index()].1
    }

    /// AWS's value.
    pub fn aws_default(self) -> usize {
        TABLE[self.index()].2
    }

    /// The quota named `name` (exactly as in [`Quota::names`]).
    pub fn from_name(name: &str) -> Option<Quota> {
        TABLE
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(q, _, _)| *q)
    }

    /// The names of every quota, for messages.
    pub fn names() -> impl Iterator<Item = &'static str> {
        TABLE.iter().map(|(_, n, _)| *n)
    }
}

/// The quotas in effect for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotas {
    values: [usize; TABLE.len()],
}

impl Default for Quotas {
    /// AWS's quotas.
    fn default() -> Self {
        Quotas {
            values: TABLE.map(|(_, _, v)| v),
        }
    }
}

impl Quotas {
    pub fn get(&self, quota: Quota) -> usize {
        self.values[quota.index()]
    }

    /// Sets the quota `name` to `value`; an unknown name or a value outside 1..=[`MAX_QUOTA`]
    /// is refused with a message that says what is accepted.
    pub fn set(&mut self, name: &str, value: usize) -> Result<(), String> {
        let Some(quota) = Quota::from_name(name) else {
            let known: Vec<_> = Quota::names().collect();
            return Err(format!(
                "unknown quota {name:?}; the quotas are {}",
                known.join(", ")
            ));
        };
        if !(1..=MAX_QUOTA).contains(&value) {
            return Err(format!("quota {name} must be from 1 to {MAX_QUOTA}"));
        }
        self.values[quota.index()] = value;
        Ok(())
    }

    /// Sets a quota from `NAME=VALUE` (the `--quota` flag).
    pub fn set_from_str(&mut self, setting: &str) -> Result<(), String> {
        let Some((name, value)) = setting.split_once('=') else {
            return Err(format!("--quota {setting:?}: expected NAME=VALUE"));
        };
        let value: usize = value
            .trim()
            .parse()
            .map_err(|_| format!("--quota {setting:?}: the value must be a whole number"))?;
        self.set(name.trim(), value)
    }

    /// The quotas that differ from AWS's, as `NAME=VALUE` (for `--check-config`).
    pub fn changed(&self) -> Vec<String> {
        TABLE
            .iter()
            .filter(|(q, _, default)| self.get(*q) != *default)
            .map(|(q, name, _)| format!("{name}={}", self.get(*q)))
            .collect()
    }

    /// `Ok` while `count` is below the quota, else AWS's `LimitExceeded` error.
    pub fn check(&self, quota: Quota, count: usize) -> Result<(), IamError> {
        let max = self.get(quota);
        if count >= max {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for {}: {max}",
                quota.name()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_variant_order() {
        for (i, (q, name, _)) in TABLE.iter().enumerate() {
            assert_eq!(q.index(), i);
            assert_eq!(Quota::from_name(name), Some(*q));
        }
    }

    #[test]
    fn defaults_are_aws_quotas_and_can_be_raised() {
        let mut q = Quotas::default();
        assert_eq!(q.get(Quota::UsersPerAccount), 5000);
        assert_eq!(q.get(Quota::PoliciesPerRole), 10);
        let e = q.check(Quota::UsersPerAccount, 5000).unwrap_err();
        assert_eq!(e.message, "Cannot exceed quota for UsersPerAccount: 5000");
        q.set_from_str("UsersPerAccount=100000").unwrap();
        assert!(q.check(Quota::UsersPerAccount, 5000).is_ok());
        assert_eq!(q.changed(), vec!["UsersPerAccount=100000".to_string()]);
    }

    #[test]
    fn unknown_names_and_bad_values_are_refused() {
        let mut q = Quotas::default();
        let e = q.set_from_str("UsersPerAcount=10").unwrap_err();
        assert!(e.contains("unknown quota \"UsersPerAcount\""), "{e}");
        assert!(e.contains("UsersPerAccount"), "{e}");
        assert!(q.set_from_str("UsersPerAccount").is_err());
        assert!(q.set_from_str("UsersPerAccount=-1").is_err());
        assert!(q.set_from_str("UsersPerAccount=0").is_err());
        assert_eq!(q, Quotas::default());
    }
}
