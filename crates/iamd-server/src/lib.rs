//! The HTTP side of iamd: one endpoint serving IAM and STS (AWS Query protocol, chosen by
//! the SigV4 credential scope's service). Every request is authenticated here and handed
//! to `iamd_core::ops::dispatch`, which authorizes it.

mod admin;
mod api;
mod config;
mod keycache;
mod startup;

pub use config::Config;
pub use startup::{open_account, serve, Server};
