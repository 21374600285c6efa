//! The root user's console password: `IAMD_ROOT_PASSWORD`, else the one generated at first
//! start into `DATA_DIR/root-password` (mode 0600). Kept in memory only as its SHA-256,
//! compared in constant time.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use base64::Engine;

/// The root password's digest.
#[derive(Clone)]
pub(crate) struct RootPassword {
    digest: String,
}

impl RootPassword {
    /// Reads (or on first start generates and writes) the root password.
    pub(crate) fn load(data_dir: &Path) -> Result<RootPassword, String> {
        if let Ok(given) = std::env::var("IAMD_ROOT_PASSWORD") {
            if !given.is_empty() {
                return Ok(RootPassword::of(&given));
            }
        }
        let path = data_dir.join("root-password");
        if path.exists() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            return Ok(RootPassword::of(text.trim()));
        }
        let random = iamd_core::crypto::random::bytes::<18>()
            .map_err(|_| "cannot generate the root password".to_string())?;
        let password = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        writeln!(file, "{password}")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        tracing::info!(target: "iamd",
            "root console password generated into {} (mode 0600)",
            path.display()
        );
        Ok(RootPassword::of(&password))
    }

    fn of(password: &str) -> RootPassword {
        RootPassword {
            digest: iamd_core::ops::token_digest(password),
        }
    }

    /// Whether `candidate` is the root password (constant time).
    pub(crate) fn matches(&self, candidate: &str) -> bool {
        let given = iamd_core::ops::token_digest(candidate);
        iamd_core::crypto::ct_eq(given.as_bytes(), self.digest.as_bytes())
    }
}
