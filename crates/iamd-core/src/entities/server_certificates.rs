//! Server certificates: find, save, ARN.

use std::sync::Arc;

use crate::account::Txn;
use crate::error::IamError;
use crate::model::ServerCertificate;
use crate::ops::OpContext;
use crate::state::AccountState;

/// The ARN of server certificate `name`: its real one when it exists, else with the root
/// path.
pub fn certificate_arn(ctx: &OpContext<'_>, name: &str) -> String {
    match ctx.state.server_certificates.get(&name.to_lowercase()) {
        Some(cert) => cert.arn.clone(),
        None => ctx.arn("server-certificate", "/", name),
    }
}

/// Looks a server certificate up (case-insensitively) in a state.
pub fn find_certificate(
    state: &AccountState,
    name: &str,
) -> Result<Arc<ServerCertificate>, IamError> {
    state
        .server_certificates
        .get(&name.to_lowercase())
        .cloned()
        .ok_or_else(|| {
            IamError::no_such_entity(format!(
                "The Server Certificate with name {name} cannot be found."
            ))
        })
}

/// Stores a server certificate in a transaction.
pub fn save_certificate(txn: &mut Txn, cert: ServerCertificate) -> Result<(), IamError> {
    let key = cert.name.to_lowercase();
    txn.put(crate::entities::Kind::ServerCertificate, &key, &cert)?;
    txn.state.server_certificates.insert(key, Arc::new(cert));
    Ok(())
}

/// Removes a server certificate in a transaction.
pub fn delete_certificate(txn: &mut Txn, name: &str) {
    let key = name.to_lowercase();
    txn.delete(crate::entities::Kind::ServerCertificate, &key);
    txn.state.server_certificates.remove(&key);
}
