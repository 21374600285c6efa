//! The signing keys of OpenID Connect issuers, for AssumeRoleWithWebIdentity: fetched over
//! HTTPS from `ISSUER/.well-known/openid-configuration` -> `jwks_uri` (trusting the public
//! web PKI and, with `--oidc-ca-file`, the CAs in that file), cached for an hour and fetched
//! again when a token names a key the cache lacks (at most once a minute per issuer); or,
//! for closed networks, read from `--oidc-jwks-dir` (`HOST_PATH.json`: the provider's
//! `HOST/PATH` with `/` as `_`), which then takes precedence over the network.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use iamd_core::clock::Clock;
use iamd_core::web_identity::{JwkSet, KeySource};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

/// How long fetched keys are used without asking the issuer again.
const CACHE_FOR: Duration = Duration::from_secs(3600);
/// The least time between two fetches for one issuer (tokens naming unknown keys must not
/// make iamd hammer the issuer).
const REFETCH_AFTER: Duration = Duration::from_secs(60);
/// The most of a discovery document or key set read.
const MAX_BODY: u64 = 1 << 20;

/// Where the keys come from: settings of `iamd serve`.
#[derive(Debug, Clone, Default)]
pub struct OidcSettings {
    /// PEM CA certificates trusted for issuers, besides the public web PKI.
    pub ca_file: Option<PathBuf>,
    /// Key sets on disk, by issuer.
    pub jwks_dir: Option<PathBuf>,
}

/// The [`KeySource`] of a running server.
pub(crate) struct IssuerKeys {
    agent: ureq::Agent,
    jwks_dir: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    /// By issuer: when fetched, and the keys.
    cache: Mutex<HashMap<String, (SystemTime, Arc<JwkSet>)>>,
}

impl IssuerKeys {
    pub(crate) fn new(settings: &OidcSettings, clock: Arc<dyn Clock>) -> Result<Self, String> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(file) = &settings.ca_file {
            let read = |e: rustls_pki_types::pem::Error| format!("{}: {e}", file.display());
            for cert in CertificateDer::pem_file_iter(file).map_err(read)? {
                roots
                    .add(cert.map_err(read)?)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
            }
        }
        // ring, as the server's own TLS (tls.rs).
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let agent = ureq::AgentBuilder::new()
            .tls_config(Arc::new(tls))
            .https_only(true)
            .timeout(Duration::from_secs(5))
            .build();
        Ok(IssuerKeys {
            agent,
            jwks_dir: settings.jwks_dir.clone(),
            clock,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// A document over HTTPS (at most [`MAX_BODY`] bytes).
    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| format!("{url}: {e}"))?;
        let mut body = Vec::new();
        response
            .into_reader()
            .take(MAX_BODY)
            .read_to_end(&mut body)
            .map_err(|e| format!("{url}: {e}"))?;
        Ok(body)
    }

    /// The issuer's keys from the network: discovery, then `jwks_uri`.
    fn fetch(&self, issuer: &str) -> Result<JwkSet, String> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let discovery: serde_json::Value =
            serde_json::from_slice(&self.get(&url)?).map_err(|e| format!("{url}: {e}"))?;
        let jwks_uri = discovery["jwks_uri"]
            .as_str()
            .ok_or_else(|| format!("{url}: no jwks_uri"))?;
        serde_json::from_slice(&self.get(jwks_uri)?).map_err(|e| format!("{jwks_uri}: {e}"))
    }
}

/// The file of `issuer`'s keys in `dir`: `HOST_PATH.json`.
fn jwks_file(dir: &Path, issuer: &str) -> PathBuf {
    let url = issuer.strip_prefix("https://").unwrap_or(issuer);
    dir.join(format!(
        "{}.json",
        url.trim_end_matches('/').replace('/', "_")
    ))
}

impl KeySource for IssuerKeys {
    fn keys(&self, issuer: &str, refresh: bool) -> Result<Arc<JwkSet>, String> {
        if let Some(dir) = &self.jwks_dir {
            let file = jwks_file(dir, issuer);
            if file.exists() {
                let text = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
                let set: JwkSet = serde_json::from_slice(&text)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
                return Ok(Arc::new(set));
            }
        }
        let now = self.clock.now();
        let age = |at: SystemTime| now.duration_since(at).unwrap_or_default();
        {
            let cache = self.cache.lock().map_err(|_| "key cache poisoned")?;
            if let Some((at, set)) = cache.get(issuer) {
                let fresh = age(*at) < CACHE_FOR && !refresh;
                if fresh || age(*at) < REFETCH_AFTER {
                    return Ok(set.clone());
                }
            }
        }
        let set = Arc::new(self.fetch(issuer)?);
        let mut cache = self.cache.lock().map_err(|_| "key cache poisoned")?;
        cache.insert(issuer.to_string(), (now, set.clone()));
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_are_named_by_host_and_path() {
        let dir = Path::new("/keys");
        assert_eq!(
            jwks_file(dir, "https://token.actions.githubusercontent.com"),
            Path::new("/keys/token.actions.githubusercontent.com.json")
        );
        assert_eq!(
            jwks_file(dir, "https://oidc.eks.us-east-1.amazonaws.com/id/ABC/"),
            Path::new("/keys/oidc.eks.us-east-1.amazonaws.com_id_ABC.json")
        );
    }
}
