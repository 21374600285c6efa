//! SAML identity providers: find, save, delete, ARN.

use std::sync::Arc;

use crate::account::Txn;
use crate::error::IamError;
use crate::model::SamlProvider;
use crate::state::AccountState;

/// Looks a SAML provider up by its ARN. iamd's text (AWS's is not documented).
pub fn find_saml_provider(state: &AccountState, arn: &str) -> Result<Arc<SamlProvider>, IamError> {
    state
        .saml_providers
        .get(arn)
        .cloned()
        .ok_or_else(|| IamError::no_such_entity(format!("SAMLProvider {arn} does not exist.")))
}

/// Stores a SAML provider in a transaction.
pub fn save_saml_provider(txn: &mut Txn, provider: SamlProvider) -> Result<(), IamError> {
    let key = provider.arn.clone();
    txn.put(crate::entities::Kind::SamlProvider, &key, &provider)?;
    txn.state.saml_providers.insert(key, Arc::new(provider));
    Ok(())
}

/// Removes a SAML provider in a transaction.
pub fn delete_saml_provider(txn: &mut Txn, arn: &str) {
    txn.delete(crate::entities::Kind::SamlProvider, arn);
    txn.state.saml_providers.remove(arn);
}
