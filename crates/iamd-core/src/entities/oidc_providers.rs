//! OpenID Connect providers: find, save, ARN. Keyed by ARN (AWS compares provider URLs as
//! given: no case folding).

use std::sync::Arc;

use crate::account::Txn;
use crate::error::IamError;
use crate::model::OidcProvider;
use crate::state::AccountState;

/// `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH` for a provider URL without its scheme.
pub fn provider_arn(account_id: &str, url: &str) -> String {
    format!("arn:aws:iam::{account_id}:oidc-provider/{url}")
}

/// AWS's NoSuchEntity for an unknown provider ARN.
pub fn no_such_provider(arn: &str) -> IamError {
    IamError::no_such_entity(format!("OpenIDConnect Provider not found for arn {arn}"))
}

/// Looks a provider up by ARN.
pub fn find_provider(state: &AccountState, arn: &str) -> Result<Arc<OidcProvider>, IamError> {
    state
        .oidc_providers
        .get(arn)
        .cloned()
        .ok_or_else(|| no_such_provider(arn))
}

/// The provider whose URL is `issuer` (a token's `iss`, with or without `https://`).
pub fn provider_for_issuer<'a>(
    state: &'a AccountState,
    issuer: &str,
) -> Option<&'a Arc<OidcProvider>> {
    let url = issuer.strip_prefix("https://").unwrap_or(issuer);
    state
        .oidc_providers
        .get(&provider_arn(&state.account_id, url))
}

/// Stores a provider in a transaction.
pub fn save_provider(txn: &mut Txn, provider: OidcProvider) -> Result<(), IamError> {
    let key = provider.arn.clone();
    txn.put(crate::entities::Kind::OidcProvider, &key, &provider)?;
    txn.state.oidc_providers.insert(key, Arc::new(provider));
    Ok(())
}

/// Removes a provider in a transaction (absent: nothing to do).
pub fn delete_provider(txn: &mut Txn, arn: &str) {
    txn.delete(crate::entities::Kind::OidcProvider, arn);
    txn.state.oidc_providers.remove(arn);
}
