//! The HTTP side of iamd: one endpoint serving IAM and STS (AWS Query protocol) and
//! CloudTrail's LookupEvents (AWS JSON 1.1), the service chosen by the SigV4 credential
//! scope. Every request is authenticated here and handed
//! to `iamd_core::ops::dispatch`, which authorizes it.

mod admin;
mod authn;
mod body;
mod config;
mod console;
mod failure;
mod json;
mod keycache;
mod listener;
mod oidc;
mod outbound;
mod pipeline;
mod probes;
mod query;
mod startup;
mod telemetry;
mod tls;

pub use authn::AWS_REGIONS;
pub use config::Config;
/// The accept loop, for a bare server built on it (the benchmark's HTTP floor).
pub use listener::serve as serve_router;
pub use listener::Limits;
pub use oidc::OidcSettings;
pub use startup::{open_account, serve, Server};
