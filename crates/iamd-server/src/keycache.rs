//! SigV4 signing keys, cached per access key and scope (date, region, service), so that a
//! request does not unseal the stored secret (AES-GCM) and derive the key (4 HMACs) again.
//!
//! The cache never decides whether a key may be used: the caller first finds and checks the
//! key in the current snapshot ([`iamd_core::credentials::find`]: status, session token and
//! expiry, every request), and an entry is served only for the very stored secret it was
//! derived from ([`Found::sealed_secret`]), so a deleted, replaced or deactivated key is never
//! signed with from here. [`iamd_sigv4::verify_with_key`] refuses a key of another scope.
//! Bounded: when full it is emptied. Signing keys are wiped on drop.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use iamd_core::credentials::{Found, Refused};
use iamd_core::Account;
use iamd_sigv4::{SecretKey, SigningKey};

/// Most access keys held; past it the cache starts again empty.
const MAX_KEYS: usize = 4096;
/// Most scopes (date, region, service) kept per access key; past it the oldest goes.
const MAX_SCOPES_PER_KEY: usize = 8;

/// One derived key and the stored secret it came from.
struct Entry {
    sealed_secret: String,
    key: Arc<SigningKey>,
}

#[derive(Default)]
pub(crate) struct KeyCache {
    keys: RwLock<HashMap<String, Vec<Entry>>>,
}

impl KeyCache {
    pub(crate) fn new() -> Self {
        KeyCache::default()
    }

    /// The signing key of `found` (found under `key_id`) for the scope, from the cache or
    /// unsealed and derived now (and then cached).
    pub(crate) fn signing_key(
        &self,
        account: &Account,
        key_id: &str,
        found: &Found<'_>,
        date: &str,
        region: &str,
        service: &str,
    ) -> Result<Arc<SigningKey>, Refused> {
        if let Ok(keys) = self.keys.read() {
            let hit = keys.get(key_id).and_then(|entries| {
                entries.iter().find(|e| {
                    e.sealed_secret == found.sealed_secret() && e.key.is_for(date, region, service)
                })
            });
            if let Some(entry) = hit {
                return Ok(entry.key.clone());
            }
        }
        let secret = SecretKey::new(found.unseal(account)?.to_vec());
        let key = Arc::new(SigningKey::derive(&secret, date, region, service));
        if let Ok(mut keys) = self.keys.write() {
            if keys.len() >= MAX_KEYS && !keys.contains_key(key_id) {
                keys.clear();
            }
            let entries = keys.entry(key_id.to_string()).or_default();
            // Keys derived from a secret that is no longer the stored one are of no use.
            entries.retain(|e| e.sealed_secret == found.sealed_secret());
            if entries.len() >= MAX_SCOPES_PER_KEY {
                entries.remove(0);
            }
            entries.push(Entry {
                sealed_secret: found.sealed_secret().to_string(),
                key: key.clone(),
            });
        }
        Ok(key)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.keys
            .read()
            .map(|k| k.values().map(Vec::len).sum())
            .unwrap_or(0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use iamd_core::credentials::find;
    use iamd_core::testing;

    #[test]
    fn caches_per_scope_and_stored_secret() {
        let (account, _clock) = testing::account();
        let id = "AKIAIOSFODNN7EXAMPLE";
        iamd_core::bootstrap_root_key(&account, Some((id, "secret"))).unwrap();
        let cache = KeyCache::new();
        let state = account.snapshot();
        let found = find(&state, id, None, account.now()).unwrap();
        let key = |date: &str| {
            cache
                .signing_key(&account, id, &found, date, "us-east-1", "iam")
                .unwrap()
        };
        let a = key("20261123");
        assert!(a.is_for("20261123", "us-east-1", "iam"));
        assert!(Arc::ptr_eq(&a, &key("20261123")));
        let b = key("20261124");
        assert!(!Arc::ptr_eq(&a, &b));
        assert!(b.is_for("20261124", "us-east-1", "iam"));
        assert_eq!(cache.len(), 2);
        for day in 10..30 {
            key(&format!("202612{day}"));
        }
        assert_eq!(cache.len(), MAX_SCOPES_PER_KEY);
    }

    #[test]
    fn another_stored_secret_is_not_served() {
        let (account, _clock) = testing::account();
        let id = "AKIAIOSFODNN7EXAMPLE";
        iamd_core::bootstrap_root_key(&account, Some((id, "secret"))).unwrap();
        let cache = KeyCache::new();
        let state = account.snapshot();
        let found = find(&state, id, None, account.now()).unwrap();
        let a = cache
            .signing_key(&account, id, &found, "20261123", "us-east-1", "iam")
            .unwrap();
        // The same id with another stored secret (as after the key was replaced).
        let (other, _clock) = testing::account();
        iamd_core::bootstrap_root_key(&other, Some((id, "secret"))).unwrap();
        let other_state = other.snapshot();
        let found = find(&other_state, id, None, other.now()).unwrap();
        let b = cache
            .signing_key(&other, id, &found, "20261123", "us-east-1", "iam")
            .unwrap();
        assert!(!Arc::ptr_eq(&a, &b));
        assert_eq!(cache.len(), 1, "the stale key was dropped");
    }
}
