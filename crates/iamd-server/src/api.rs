//! The API endpoint: authenticate (SigV4), decode (wire layer), dispatch (core, which
//! authorizes), encode.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Extension;
use axum::Router;
use iamd_core::credentials::Refused;
use iamd_core::{Account, Caller, IamError, Identity};
use iamd_sigv4::{SecretKey, SigV4Error, SignedRequest};
use iamd_wire::{Service, ServiceModel};

use crate::keycache::KeyCache;

/// Largest request body accepted (policy documents are at most a few KiB).
const MAX_BODY: usize = 256 * 1024;

pub fn router(account: Arc<Account>) -> Router {
    Router::new()
        .route("/", any(handle))
        .route(
            crate::admin::IMPORT_PATH,
            axum::routing::post(crate::admin::import),
        )
        .route("/{*path}", any(handle))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(Extension(Arc::new(KeyCache::new())))
        .with_state(account)
}

/// An error on its way to the caller.
pub(crate) struct Failure {
    pub(crate) service: Service,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) status: u16,
}

impl Failure {
    pub(crate) fn new(
        service: Service,
        code: impl Into<String>,
        message: impl Into<String>,
        status: u16,
    ) -> Self {
        Failure {
            service,
            code: code.into(),
            message: message.into(),
            status,
        }
    }

    fn sigv4(service: Service, e: &SigV4Error) -> Self {
        Failure::new(service, e.code(), e.message(), e.status())
    }

    pub(crate) fn iam(service: Service, e: IamError) -> Self {
        Failure::new(service, e.code, e.message, e.status)
    }
}

async fn handle(
    State(account): State<Arc<Account>>,
    Extension(keys): Extension<Arc<KeyCache>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = iamd_core::crypto::request_id()
        .unwrap_or_else(|_| "00000000-0000-4000-8000-000000000000".into());
    let request = Request {
        peer,
        method: &method,
        uri: &uri,
        headers: &headers,
        body: &body,
    };
    let result = process(&account, &keys, request, &request_id).await;
    match result {
        Ok(xml) => xml_response(StatusCode::OK, xml, &request_id),
        Err(f) => {
            let xml = iamd_wire::encode_error(
                f.service,
                &f.code,
                &f.message,
                f.status < 500,
                &request_id,
            );
            let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_REQUEST);
            xml_response(status, xml, &request_id)
        }
    }
}

fn xml_response(status: StatusCode, xml: String, request_id: &str) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "text/xml")], xml).into_response();
    if let Ok(value) = request_id.parse() {
        response.headers_mut().insert("x-amzn-RequestId", value);
    }
    response
}

/// The request parameters: the form body of a POST, or the query string.
fn parameters(
    service: Service,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, Failure> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let mut params = Vec::new();
    let wire = |e: iamd_wire::WireError| Failure::new(service, e.code, e.message, e.status);
    if let Some(query) = uri.query() {
        params.extend(iamd_wire::parse_form(query.as_bytes()).map_err(wire)?);
    }
    if *method == Method::POST && (form || !body.is_empty()) {
        params.extend(iamd_wire::parse_form(body).map_err(wire)?);
    }
    Ok(params)
}

/// An incoming request, as `process` needs it.
#[derive(Clone, Copy)]
struct Request<'a> {
    peer: SocketAddr,
    method: &'a Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    body: &'a Bytes,
}

async fn process(
    account: &Arc<Account>,
    keys: &KeyCache,
    request: Request<'_>,
    request_id: &str,
) -> Result<String, Failure> {
    let Request {
        peer,
        method,
        uri,
        headers,
        body,
    } = request;
    let (caller, service) =
        authenticate_with(account, Some(keys), peer, method, uri, headers, body)?;
    let params = parameters(service, method, uri, headers, body)?;
    let model = ServiceModel::get(service);
    let decoded = iamd_wire::decode_request(model, &params)
        .map_err(|e| Failure::new(service, e.code, e.message, e.status))?;
    let service_name = match service {
        Service::Iam => "iam",
        Service::Sts => "sts",
    };
    let Some(operation) = iamd_core::ops::find(service_name, &decoded.action) else {
        return Err(Failure::new(
            service,
            "InvalidAction",
            format!(
                "The action {} is not implemented by iamd yet.",
                decoded.action
            ),
            400,
        ));
    };
    let result = if operation.read_only {
        iamd_core::ops::dispatch(account, &caller, operation, &decoded.input, request_id)
    } else {
        let account = account.clone();
        let input = decoded.input;
        let request_id = request_id.to_string();
        tokio::task::spawn_blocking(move || {
            iamd_core::ops::dispatch(&account, &caller, operation, &input, &request_id)
        })
        .await
        .unwrap_or_else(|_| Err(IamError::service_failure()))
    };
    let value = result.map_err(|e| Failure::iam(service, e))?;
    let xml = iamd_wire::encode_response(model, &decoded.action, &value, request_id)
        .map_err(|e| Failure::new(service, e.code, e.message, e.status))?;
    Ok(xml)
}

/// Verifies the signature and finds who signed.
pub(crate) fn authenticate(
    account: &Account,
    peer: SocketAddr,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Caller, Service), Failure> {
    authenticate_with(account, None, peer, method, uri, headers, body)
}

/// [`authenticate`], taking the signing key from `keys` (deriving and caching it there on a
/// miss) when given. The key is found and checked in the current snapshot every time.
fn authenticate_with(
    account: &Account,
    keys: Option<&KeyCache>,
    peer: SocketAddr,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Caller, Service), Failure> {
    let header_list: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let request = SignedRequest {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        headers: &header_list,
        body,
    };
    let parsed = iamd_sigv4::parse(&request).map_err(|e| Failure::sigv4(Service::Iam, &e))?;
    let service = match parsed.scope().service.as_str() {
        "sts" => Service::Sts,
        "iam" => Service::Iam,
        _ => {
            let e = parsed.check_scope("iam", |_| true).err();
            let e = e.unwrap_or_else(SigV4Error::invalid_client_token_id);
            return Err(Failure::sigv4(Service::Iam, &e));
        }
    };
    let state = account.snapshot();
    let invalid = || Failure::sigv4(service, &SigV4Error::invalid_client_token_id());
    let refused = |refused| match refused {
        Refused::Invalid => invalid(),
        Refused::Expired => Failure::new(
            service,
            "ExpiredToken",
            "The security token included in the request is expired",
            403,
        ),
    };
    let resolved = iamd_core::credentials::find(
        &state,
        parsed.access_key_id(),
        parsed.session_token(),
        account.now(),
    )
    .map_err(refused)?;
    let verified = match keys {
        Some(keys) => {
            let scope = parsed.scope();
            let key = keys
                .signing_key(
                    account,
                    parsed.access_key_id(),
                    &resolved,
                    &scope.date,
                    &scope.region,
                    &scope.service,
                )
                .map_err(refused)?;
            iamd_sigv4::verify_with_key(&parsed, &request, &key, account.clock.now())
        }
        None => {
            let secret = SecretKey::new(resolved.unseal(account).map_err(refused)?.to_vec());
            iamd_sigv4::verify(&parsed, &request, &secret, account.clock.now())
        }
    };
    verified.map_err(|e| Failure::sigv4(service, &e))?;
    let region = parsed.scope().region.clone();
    let service_name = if service == Service::Sts {
        "sts"
    } else {
        "iam"
    };
    account.record_key_use(parsed.access_key_id(), service_name, &region);
    let origin = iamd_core::credentials::Origin {
        access_key_id: parsed.access_key_id(),
        source_ip: &peer.ip().to_string(),
        region: &region,
    };
    let caller = iamd_core::credentials::caller(&state, &resolved, &origin).ok_or_else(invalid)?;
    if let Identity::AssumedRole(assumed) = &caller.identity {
        // A role's last use, kept with access keys' (in memory, flushed periodically).
        account.record_key_use(&assumed.role_id, service_name, &region);
    }
    Ok((caller, service))
}
