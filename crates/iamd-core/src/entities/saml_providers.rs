//! SAML identity providers: find, save, delete, ARN.

use std::sync::Arc;

use crate::account::Txn;
use crate::error::IamError;
use crate::model::SamlProvider;
use crate::state::AccountState;

/// Looks a SAML provider up by its ARN. AWS's text for GetSAMLProvider and DeleteSAMLProvider,
/// recorded in LocalStack's AWS-validated `test_iam_saml_providers.snapshot.json`.
pub fn find_saml_provider(state: &AccountState, arn: &str) -> Result<Arc<SamlProvider>, IamError> {
    state
        .saml_providers
        .get(arn)
        .cloned()
        .ok_or_else(|| IamError::no_such_entity(format!("Manifest not found for arn {arn}")))
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
