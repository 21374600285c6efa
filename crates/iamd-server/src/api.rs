//! The API endpoint: authenticate (SigV4), decode (wire layer), dispatch (core, which
//! authorizes), encode.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Extension;
use axum::Router;
use iamd_core::{Account, IamError};
use iamd_wire::{Service, ServiceModel};

use crate::authn::{Authenticator, HttpRequest};
pub(crate) use crate::failure::Failure;

/// The endpoint's routes, authenticating with `authenticator`.
pub(crate) fn router(account: Arc<Account>, authenticator: Arc<Authenticator>) -> Router {
    Router::new()
        .route("/", any(handle))
        .route(
            crate::admin::IMPORT_PATH,
            axum::routing::post(crate::admin::import),
        )
        .route("/{*path}", any(handle))
        .layer(Extension(authenticator))
        .with_state(account)
}

async fn handle(
    State(account): State<Arc<Account>>,
    Extension(authenticator): Extension<Arc<Authenticator>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request_id = iamd_core::crypto::request_id()
        .unwrap_or_else(|_| "00000000-0000-4000-8000-000000000000".into());
    let body = match crate::body::read(&headers, body).await {
        Ok(body) => body,
        Err(f) => return error_response(f, &request_id),
    };
    let request = HttpRequest {
        peer,
        method: &method,
        uri: &uri,
        headers: &headers,
        body: &body,
    };
    let result = process(&account, &authenticator, request, &request_id).await;
    match result {
        Ok(xml) => xml_response(StatusCode::OK, xml, &request_id),
        Err(f) => error_response(f, &request_id),
    }
}

/// An AWS `ErrorResponse` document for `f`.
fn error_response(f: Failure, request_id: &str) -> Response {
    let xml = iamd_wire::encode_error(f.service, &f.code, &f.message, f.status < 500, request_id);
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_REQUEST);
    xml_response(status, xml, request_id)
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

async fn process(
    account: &Arc<Account>,
    authenticator: &Authenticator,
    request: HttpRequest<'_>,
    request_id: &str,
) -> Result<String, Failure> {
    let (caller, service) = authenticator.authenticate(account, request)?;
    let HttpRequest {
        method,
        uri,
        headers,
        body,
        ..
    } = request;
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
