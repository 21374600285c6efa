//! What the core reports to the metrics recorder the server installs (`metrics` facade; without
//! a recorder, as in tests, each call is a no-op). Names are Prometheus's: `_total` counters,
//! base units. The server describes them and adds the request metrics (iamd-server's
//! `telemetry.rs`).

use crate::mfa::{Outcome, Rejection};

/// MFA code checks, by `outcome`: accepted, wrong, malformed, replayed, throttled.
pub const MFA_CHECKS: &str = "iamd_mfa_code_checks_total";
/// Commit batches handed to the store (group commit: one transaction each; failures are also
/// counted in [`STORE_ERRORS`]).
pub const COMMIT_BATCHES: &str = "iamd_commit_batches_total";
/// Writes per commit batch (histogram).
pub const COMMIT_BATCH_WRITES: &str = "iamd_commit_batch_writes";
/// Store failures, by `during`: commit (a write batch) or flush (last uses, failed calls'
/// audit records).
pub const STORE_ERRORS: &str = "iamd_store_errors_total";
/// Audit records of failed calls dropped because too many were waiting (must stay 0).
pub const AUDIT_DROPPED: &str = "iamd_audit_records_dropped_total";

/// Counts one MFA code check.
pub(crate) fn mfa_checked(outcome: Outcome) {
    let outcome = match outcome {
        Outcome::Accepted => "accepted",
        Outcome::Rejected(Rejection::Invalid) => "wrong",
        Outcome::Rejected(Rejection::Malformed) => "malformed",
        Outcome::Rejected(Rejection::Replayed) => "replayed",
        Outcome::Rejected(Rejection::Locked) => "throttled",
    };
    metrics::counter!(MFA_CHECKS, "outcome" => outcome).increment(1);
}

/// Counts one batch of `writes` writes about to be committed.
pub(crate) fn batch_committing(writes: usize) {
    metrics::counter!(COMMIT_BATCHES).increment(1);
    metrics::histogram!(COMMIT_BATCH_WRITES).record(writes as f64);
}

/// Counts one store failure.
pub(crate) fn store_failed(during: &'static str) {
    metrics::counter!(STORE_ERRORS, "during" => during).increment(1);
}

/// Counts one dropped audit record.
pub(crate) fn audit_record_dropped() {
    metrics::counter!(AUDIT_DROPPED).increment(1);
}
