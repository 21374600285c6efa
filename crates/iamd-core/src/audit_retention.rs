//! Retention of the audit log: records older than the retention period (AWS's event history
//! keeps 90 days) are deleted in batches, each its own short transaction, so that writes
//! waiting for the database are never held up for long.

use crate::account::Account;
use crate::error::IamError;

/// How long records are kept by default: AWS's event history's 90 days.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// Records deleted per transaction.
const BATCH: usize = 1_000;

/// Deletes the records older than `days` days (by the account's clock), in batches of
/// [`BATCH`]; returns how many it deleted.
pub fn expire_audit_records(account: &Account, days: u32) -> Result<usize, IamError> {
    let cutoff = account.now().saturating_sub(i64::from(days) * 86_400);
    let mut deleted = 0;
    loop {
        let batch = account.expire_audit(cutoff, BATCH)?;
        deleted += batch;
        if batch < BATCH {
            return Ok(deleted);
        }
        // Let a write waiting for the database go first.
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests;
