//! Metrics and the request log. The Prometheus recorder (`metrics-exporter-prometheus`, no
//! HTTP listener of its own) is installed once per process; [`request_done`] is called once
//! per API request, by the pipeline; [`render`] answers `GET /metrics`. The core reports its
//! own counters through the same facade (`iamd_core::telemetry`).

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};
use std::time::Duration;

use iamd_core::Account;
use iamd_wire::{Service, ServiceModel};
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::failure::Failure;

/// API requests by `service`, `operation` and `outcome` (ok, denied, unauthenticated,
/// client_error, server_error).
pub(crate) const REQUESTS: &str = "iamd_requests_total";
/// Request latency, by `service` and `operation` (histogram).
pub(crate) const REQUEST_SECONDS: &str = "iamd_request_duration_seconds";
/// Failed authentications by `reason` (the error code the caller got).
pub(crate) const AUTH_FAILURES: &str = "iamd_authentication_failures_total";
const SNAPSHOT_GENERATION: &str = "iamd_snapshot_generation";
const SNAPSHOT_AGE: &str = "iamd_snapshot_age_seconds";
const AUDIT_BUFFER: &str = "iamd_audit_buffer_records";

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 1024.0];

/// The operation label of requests that named no known operation: labels come from a fixed
/// set (never from what a caller sent), so that nobody can grow the metrics at will.
const UNKNOWN: &str = "unknown";

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder (once per process; later calls return the same handle) and starts
/// its upkeep (histograms keep raw samples until drained).
pub(crate) fn install() -> Result<&'static PrometheusHandle, String> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle);
    }
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.into()), LATENCY_BUCKETS)
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full(iamd_core::telemetry::COMMIT_BATCH_WRITES.into()),
                BATCH_BUCKETS,
            )
        })
        .map_err(|e| format!("metrics: {e}"))?
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder).map_err(|e| format!("metrics: {e}"))?;
    describe();
    let handle = HANDLE.get_or_init(|| handle);
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

fn describe() {
    use iamd_core::telemetry as core;
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(REQUESTS, "API requests by service, operation and outcome.");
    describe_histogram!(REQUEST_SECONDS, Unit::Seconds, "API request latency.");
    describe_counter!(AUTH_FAILURES, "Failed authentications by reason.");
    describe_counter!(core::MFA_CHECKS, "MFA code checks by outcome.");
    describe_counter!(
        core::COMMIT_BATCHES,
        "Write batches committed to the store."
    );
    describe_histogram!(core::COMMIT_BATCH_WRITES, "Writes per commit batch.");
    describe_counter!(core::STORE_ERRORS, "Store failures.");
    describe_counter!(
        core::AUDIT_DROPPED,
        "Audit records of failed calls dropped (over the buffer's limit)."
    );
    describe_gauge!(SNAPSHOT_GENERATION, "Snapshots published since the start.");
    describe_gauge!(SNAPSHOT_AGE, Unit::Seconds, "Age of the current snapshot.");
    describe_gauge!(
        AUDIT_BUFFER,
        "Audit records of failed calls waiting to be written."
    );
    // Counters that should stay 0 are shown from the start, so that alerts can watch them.
    metrics::counter!(core::AUDIT_DROPPED).increment(0);
    metrics::counter!(core::STORE_ERRORS, "during" => "commit").increment(0);
    metrics::counter!(core::STORE_ERRORS, "during" => "flush").increment(0);
}

/// The Prometheus text exposition, with the gauges read from `account` now.
pub(crate) fn render(account: &Account) -> String {
    let (generation, age) = account.snapshot_generation();
    metrics::gauge!(SNAPSHOT_GENERATION).set(generation as f64);
    metrics::gauge!(SNAPSHOT_AGE).set(age.as_secs_f64());
    metrics::gauge!(AUDIT_BUFFER).set(account.pending_audit_records() as f64);
    HANDLE.get().map(|h| h.render()).unwrap_or_default()
}

/// A request series: service, operation, outcome.
type Series = (&'static str, &'static str, &'static str);

/// The request metrics' handles by series, registered on first use: building a metric's key
/// and finding it in the recorder's registry costs several times the increment itself, on
/// every request. Kept only once the recorder is installed (before, handles are no-ops).
static SERIES: OnceLock<RwLock<HashMap<Series, (Counter, Histogram)>>> = OnceLock::new();

fn with_series(series: Series, record: impl FnOnce(&Counter, &Histogram)) {
    let cache = SERIES.get_or_init(Default::default);
    if let Some((requests, seconds)) = cache.read().ok().as_ref().and_then(|c| c.get(&series)) {
        return record(requests, seconds);
    }
    let (service, operation, outcome) = series;
    let requests = metrics::counter!(REQUESTS, "service" => service, "operation" => operation, "outcome" => outcome);
    let seconds =
        metrics::histogram!(REQUEST_SECONDS, "service" => service, "operation" => operation);
    record(&requests, &seconds);
    if HANDLE.get().is_some() {
        if let Ok(mut cache) = cache.write() {
            cache.insert(series, (requests, seconds));
        }
    }
}

/// What the pipeline learnt of a request on its way: filled in stage by stage, so that a
/// request that failed early is still counted and logged with what is known.
#[derive(Default)]
pub(crate) struct Seen {
    pub(crate) service: Option<Service>,
    pub(crate) authenticated: bool,
    pub(crate) operation: Option<&'static str>,
    /// The caller's ARN (never a key, signature or token).
    pub(crate) principal: Option<String>,
}

/// How a request ended, as the `outcome` label says it.
fn outcome(seen: &Seen, failure: Option<&Failure>) -> &'static str {
    match failure {
        None => "ok",
        Some(_) if !seen.authenticated => "unauthenticated",
        Some(f) if f.code == "AccessDenied" => "denied",
        Some(f) if f.status >= 500 => "server_error",
        Some(_) => "client_error",
    }
}

/// Counts and logs one finished request: one log line (request id, service, operation,
/// principal, outcome, status, latency; nothing the caller sent but what identifies the call).
pub(crate) fn request_done(
    seen: &Seen,
    failure: Option<&Failure>,
    elapsed: Duration,
    request_id: &str,
) {
    let service = seen
        .service
        .map_or(UNKNOWN, |s| ServiceModel::get(s).signing_name.as_str());
    let operation = seen.operation.unwrap_or(UNKNOWN);
    let outcome = outcome(seen, failure);
    with_series((service, operation, outcome), |requests, seconds| {
        requests.increment(1);
        seconds.record(elapsed.as_secs_f64());
    });
    tracing::info!(
        target: "iamd::request",
        request_id,
        service,
        operation,
        principal = seen.principal.as_deref().unwrap_or("-"),
        outcome,
        status = failure.map_or(200, |f| f.status),
        error = failure.map_or("-", |f| f.code.as_str()),
        latency_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        "request"
    );
}

#[cfg(test)]
mod tests;
