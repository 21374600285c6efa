//! The account's OpenID Connect issuer documents for outbound identity federation
//! (GetWebIdentityToken's tokens): `ISSUER/.well-known/openid-configuration` and
//! `ISSUER/.well-known/jwks.json`, served unauthenticated on the API port under the issuer
//! URL's path. Before outbound federation was ever enabled both are 404; once enabled they
//! stay published (a Disable keeps earlier tokens verifiable).
//!
//! As for the probes, only a plain `GET` (no query string, no `Authorization` header) is
//! answered here; anything else goes to the Query front door.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use iamd_core::outbound::{DISCOVERY_PATH, JWKS_PATH};

use crate::pipeline::{Incoming, Pipeline};

/// The issuer: `--outbound-issuer-url` when given, else `SCHEME://HOST:PORT/outbound/ACCOUNT`
/// of the listen address (`localhost` when it listens on every address).
pub(crate) fn issuer(
    configured: Option<&str>,
    addr: std::net::SocketAddr,
    scheme: &str,
    account_id: &str,
) -> Result<String, String> {
    let issuer = match configured {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let host = match addr.ip() {
                ip if ip.is_unspecified() => "localhost".to_string(),
                std::net::IpAddr::V4(ip) => ip.to_string(),
                std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            };
            let base = format!("{scheme}://{host}:{}", addr.port());
            iamd_core::outbound::default_issuer(&base, account_id)
        }
    };
    route_prefix(&issuer)?;
    Ok(issuer)
}

/// The path the documents are served under: the issuer's, which must be plain (letters,
/// digits, `-._~` and non-empty segments) to be a route.
fn route_prefix(issuer: &str) -> Result<&str, String> {
    let bad = || {
        format!(
            "outbound issuer URL `{issuer}` must be http(s)://HOST[:PORT][/PATH] without query, \
             fragment or characters other than letters, digits and -._~ in its path"
        )
    };
    let path = iamd_core::outbound::issuer_path(issuer).ok_or_else(bad)?;
    let plain = path.split('/').skip(1).all(|segment| {
        !segment.is_empty()
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    });
    if !plain {
        return Err(bad());
    }
    Ok(path)
}

/// The two documents' routes under `issuer`'s path.
pub(crate) fn router(pipeline: Arc<Pipeline>, issuer: &str) -> Router {
    let prefix = route_prefix(issuer).unwrap_or_default();
    Router::new()
        .route(&format!("{prefix}{DISCOVERY_PATH}"), any(discovery))
        .route(&format!("{prefix}{JWKS_PATH}"), any(jwks))
        .with_state(pipeline)
}

fn is_plain_get(incoming: &Incoming) -> bool {
    incoming.method == Method::GET
        && incoming.uri.query().is_none()
        && !incoming.headers.contains_key(header::AUTHORIZATION)
}

async fn discovery(State(pipeline): State<Arc<Pipeline>>, incoming: Incoming) -> Response {
    if !is_plain_get(&incoming) {
        return crate::query::handle(State(pipeline), incoming).await;
    }
    match pipeline.account.snapshot().outbound_federation {
        Some(_) => json(iamd_core::outbound::discovery(
            &pipeline.account.outbound_issuer(),
        )),
        None => not_found(),
    }
}

async fn jwks(State(pipeline): State<Arc<Pipeline>>, incoming: Incoming) -> Response {
    if !is_plain_get(&incoming) {
        return crate::query::handle(State(pipeline), incoming).await;
    }
    match &pipeline.account.snapshot().outbound_federation {
        Some(setting) => json(setting.jwks()),
        None => not_found(),
    }
}

fn json(body: serde_json::Value) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            // Relying parties may cache the keys a few minutes.
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"error":"outbound identity federation is not enabled"}"#,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> std::net::SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_default_issuer_follows_the_listen_address() {
        let at = |a: &str, scheme: &str| issuer(None, addr(a), scheme, "111122223333");
        assert_eq!(
            at("127.0.0.1:8080", "http"),
            Ok("http://127.0.0.1:8080/outbound/111122223333".to_string())
        );
        assert_eq!(
            at("0.0.0.0:443", "https"),
            Ok("https://localhost:443/outbound/111122223333".to_string())
        );
        assert_eq!(
            at("[::1]:8080", "http"),
            Ok("http://[::1]:8080/outbound/111122223333".to_string())
        );
    }

    #[test]
    fn a_configured_issuer_is_used_as_given_when_its_path_can_be_served() {
        let set = |url: &str| issuer(Some(url), addr("127.0.0.1:1"), "http", "1");
        assert_eq!(
            set("https://iam.example.com/"),
            Ok("https://iam.example.com".into())
        );
        assert_eq!(
            set("https://iam.example.com/tokens/prod"),
            Ok("https://iam.example.com/tokens/prod".into())
        );
        for bad in [
            "iam.example.com",
            "https://iam.example.com/a?b",
            "https://iam.example.com/{x}",
            "https://iam.example.com/a//b",
            "https://iam.example.com/*all",
        ] {
            assert!(set(bad).is_err(), "{bad}");
        }
    }
}
