//! Unauthenticated endpoints for operators: `GET /health` (liveness: the process answers),
//! `GET /ready` (readiness: the store answers; the snapshot is loaded before the server
//! listens) and `GET /metrics` (Prometheus text). Their bodies say nothing about the account.
//!
//! The Query API answers on every path, so only a plain `GET` of these paths (no query
//! string, no `Authorization` header) is a probe; anything else (a `POST`, a presigned or
//! signed `GET`) goes to the Query front door as before.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use crate::pipeline::{Incoming, Pipeline};

pub(crate) const HEALTH_PATH: &str = "/health";
pub(crate) const READY_PATH: &str = "/ready";
pub(crate) const METRICS_PATH: &str = "/metrics";

/// The probes on the API port; `/metrics` too unless it has a listener of its own.
pub(crate) fn router(pipeline: Arc<Pipeline>, with_metrics: bool) -> Router {
    let router = Router::new()
        .route(HEALTH_PATH, any(health))
        .route(READY_PATH, any(ready));
    let router = if with_metrics {
        router.route(METRICS_PATH, any(metrics_or_query))
    } else {
        router
    };
    router.with_state(pipeline)
}

/// `/metrics` alone, for `--metrics-listen`.
pub(crate) fn metrics_router(pipeline: Arc<Pipeline>) -> Router {
    Router::new()
        .route(METRICS_PATH, axum::routing::get(metrics))
        .with_state(pipeline)
}

/// Whether `incoming` is a probe rather than an API call.
fn is_probe(incoming: &Incoming) -> bool {
    incoming.method == Method::GET
        && incoming.uri.query().is_none()
        && !incoming.headers.contains_key(header::AUTHORIZATION)
}

async fn health(State(pipeline): State<Arc<Pipeline>>, incoming: Incoming) -> Response {
    if !is_probe(&incoming) {
        return crate::query::handle(State(pipeline), incoming).await;
    }
    json(StatusCode::OK, r#"{"status":"ok"}"#)
}

async fn ready(State(pipeline): State<Arc<Pipeline>>, incoming: Incoming) -> Response {
    if !is_probe(&incoming) {
        return crate::query::handle(State(pipeline), incoming).await;
    }
    let account = pipeline.account.clone();
    let reachable = tokio::task::spawn_blocking(move || account.store_reachable())
        .await
        .unwrap_or(false);
    if reachable {
        json(StatusCode::OK, r#"{"status":"ready"}"#)
    } else {
        json(
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"status":"unavailable"}"#,
        )
    }
}

async fn metrics_or_query(State(pipeline): State<Arc<Pipeline>>, incoming: Incoming) -> Response {
    if !is_probe(&incoming) {
        return crate::query::handle(State(pipeline), incoming).await;
    }
    metrics(State(pipeline)).await
}

async fn metrics(State(pipeline): State<Arc<Pipeline>>) -> Response {
    let text = crate::telemetry::render(&pipeline.account);
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

fn json(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests;
