//! The operations' unit tests, called as the server would call them (see `crate::testing`).

mod account;
mod assume;
mod aws_answers;
mod credential_report;
mod credentials;
mod dispatch;
mod federation;
mod groups;
mod instance_profiles;
mod last_accessed;
mod lookup_events;
mod mfa;
mod oidc;
mod outbound;
mod outputs;
mod passwords;
mod policies;
mod role_settings;
mod roles;
mod saml_providers;
mod security_keys;
mod server_certificates;
mod service_linked_roles;
mod sessions;
mod simulate;
mod simulate_expected;
