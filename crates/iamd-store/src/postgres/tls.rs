//! TLS to PostgreSQL, as the URL asks (libpq's `sslmode` and `sslrootcert`), with rustls:
//! - `disable`: plain text;
//! - `prefer` (the default, as libpq's): TLS when the server offers it, else plain text; the
//!   certificate is not checked;
//! - `require`: TLS or no connection; the certificate is not checked, unless `sslrootcert` is
//!   given (then as `verify-ca`, as libpq does);
//! - `verify-ca`: TLS, the certificate signed by a CA of `sslrootcert`;
//! - `verify-full`: as `verify-ca`, and the certificate names the host of the URL.
//!
//! `sslrootcert=PATH` is a PEM file of CA certificates; without it `verify-ca` and
//! `verify-full` use `~/.postgresql/root.crt`, as libpq does. tokio-postgres itself knows only
//! `disable`, `prefer` and `require`: the other options are taken out of the URL here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::StoreError;

/// What `sslmode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// The URL's TLS options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Options {
    pub mode: Mode,
    pub root_cert: Option<PathBuf>,
}

impl Options {
    /// Whether the server's certificate is checked against a CA.
    pub fn verifies(&self) -> bool {
        matches!(self.mode, Mode::VerifyCa | Mode::VerifyFull)
            || (self.mode == Mode::Require && self.root_cert.is_some())
    }
}

/// `url` without the options tokio-postgres does not know (its `sslmode` reduced to one it
/// knows), and the TLS options.
pub(super) fn split_url(url: &str) -> Result<(String, Options), StoreError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut options = Options {
        mode: Mode::Prefer,
        root_cert: None,
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                options.mode = match value {
                    "disable" => Mode::Disable,
                    "prefer" | "allow" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" => Mode::VerifyCa,
                    "verify-full" => Mode::VerifyFull,
                    other => {
                        return Err(StoreError(format!(
                            "invalid PostgreSQL URL: sslmode={other} (expected disable, prefer, require, verify-ca or verify-full)"
                        )))
                    }
                }
            }
            "sslrootcert" => options.root_cert = Some(PathBuf::from(percent_decode(value)?)),
            _ => kept.push(pair),
        }
    }
    kept.push(match options.mode {
        Mode::Disable => "sslmode=disable",
        Mode::Prefer => "sslmode=prefer",
        _ => "sslmode=require",
    });
    Ok((format!("{base}?{}", kept.join("&")), options))
}

fn percent_decode(value: &str) -> Result<String, StoreError> {
    let bad = || StoreError(format!("invalid PostgreSQL URL: bad escape in `{value}`"));
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value.get(i + 1..i + 3).ok_or_else(bad)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

/// The connector for `options` (for `disable` too: tokio-postgres then never uses it).
pub(super) fn connector(options: &Options) -> Result<MakeRustlsConnect, StoreError> {
    // ring, as the server's own TLS (deprecated in rustls 0.23.48 only for lacking
    // post-quantum key exchange).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = if options.verifies() {
        let roots = root_store(options)?;
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| StoreError(format!("postgres: sslrootcert: {e}")))?;
        if options.mode == Mode::VerifyFull {
            webpki
        } else {
            Arc::new(AnyName(webpki))
        }
    } else {
        Arc::new(Unchecked(provider.clone()))
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError(format!("postgres: TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// The CAs of `sslrootcert` (or libpq's default file).
fn root_store(options: &Options) -> Result<rustls::RootCertStore, StoreError> {
    let path = match &options.root_cert {
        Some(path) => path.clone(),
        None => default_root_cert().ok_or_else(|| {
            StoreError(
                "postgres: sslmode=verify-ca and verify-full need the CA certificate of the server: add sslrootcert=PATH (PEM) to the URL".into(),
            )
        })?,
    };
    let certs = read_certs(&path)?;
    let mut roots = rustls::RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(StoreError(format!(
            "postgres: sslrootcert {} holds no CA certificate",
            path.display()
        )));
    }
    Ok(roots)
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, StoreError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        StoreError(format!(
            "postgres: cannot read sslrootcert {}: {e}",
            path.display()
        ))
    };
    CertificateDer::pem_file_iter(path)
        .map_err(|e| unreadable(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable(&e))
}

/// `~/.postgresql/root.crt`, when it exists.
fn default_root_cert() -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var_os("HOME")?).join(".postgresql/root.crt");
    path.exists().then_some(path)
}

/// `prefer` and `require` without a CA: the connection is encrypted, the server's certificate
/// not checked (libpq's behaviour); the handshake's signatures are still verified.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain is checked, whatever host the certificate names.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_tls_options_are_taken_out_of_the_url() {
        let (url, options) =
            split_url("postgres://u@h:5/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&application_name=x")
                .unwrap();
        assert_eq!(
            url,
            "postgres://u@h:5/db?application_name=x&sslmode=require"
        );
        assert_eq!(options.mode, Mode::VerifyFull);
        assert_eq!(options.root_cert, Some(PathBuf::from("/tmp/ca.pem")));
        let (url, options) = split_url("postgres://u@h:5/db").unwrap();
        assert_eq!(url, "postgres://u@h:5/db?sslmode=prefer");
        assert_eq!(options.mode, Mode::Prefer);
        assert!(!options.verifies());
        let (_, options) =
            split_url("postgres://u@h/db?sslmode=require&sslrootcert=ca.pem").unwrap();
        assert!(
            options.verifies(),
            "require with a CA is verify-ca, as libpq"
        );
        let err = split_url("postgres://u@h/db?sslmode=strict").unwrap_err();
        assert!(err.0.contains("sslmode=strict (expected disable"), "{err}");
    }

    #[test]
    fn a_missing_or_empty_ca_file_is_one_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Options {
            mode: Mode::VerifyFull,
            root_cert: Some(dir.path().join("nope.pem")),
        };
        let err = connector(&missing).err().unwrap();
        assert!(
            err.0.starts_with("postgres: cannot read sslrootcert"),
            "{err}"
        );
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let err = connector(&Options {
            mode: Mode::VerifyCa,
            root_cert: Some(empty),
        })
        .err()
        .unwrap();
        assert!(err.0.contains("holds no CA certificate"), "{err}");
    }
}
