//! The AWS Query protocol front door (IAM and STS): form parameters in, XML out, errors as
//! AWS's `ErrorResponse` documents (requests with `X-Amz-Target` go to the JSON front door,
//! `json.rs`). Everything else is the [`Pipeline`]'s.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use iamd_wire::{Service, ServiceModel};

use crate::authn::HttpRequest;
use crate::failure::Failure;
use crate::pipeline::{Decoded, Incoming, Pipeline};

/// The endpoint's routes: the Query API on every path, the admin extensions under
/// `/iamd/admin/`, the web console under `/console`.
pub(crate) fn router(
    pipeline: Arc<Pipeline>,
    root_password: crate::console::RootPassword,
    relying_party: Arc<iamd_core::security_keys::RelyingParty>,
) -> Router {
    Router::new()
        .route("/", any(handle))
        .route(
            crate::admin::IMPORT_PATH,
            axum::routing::post(crate::admin::import),
        )
        .route("/{*path}", any(handle))
        .with_state(pipeline.clone())
        .merge(crate::console::router(
            pipeline,
            root_password,
            relying_party,
        ))
}

pub(crate) async fn handle(State(pipeline): State<Arc<Pipeline>>, incoming: Incoming) -> Response {
    if crate::console::is_browser_visit(&incoming.method, &incoming.uri, &incoming.headers) {
        return crate::console::front_door();
    }
    if crate::json::is_json_request(&incoming.headers) {
        return crate::json::handle(pipeline, incoming).await;
    }
    let request_id = crate::pipeline::request_id();
    let answered = pipeline.run(incoming, &request_id, decode).await;
    let encoded = answered.and_then(|a| {
        let model = ServiceModel::get(a.service);
        iamd_wire::encode_response(model, a.operation.name, &a.output, &request_id)
            .map_err(|e| Failure::wire(a.service, e))
    });
    match encoded {
        Ok(xml) => xml_response(StatusCode::OK, xml, &request_id),
        Err(f) => error_response(f, &request_id),
    }
}

/// The operation and input of a Query request: `Action` and the other parameters, decoded
/// and validated against the service's model.
fn decode(service: Service, request: HttpRequest<'_>) -> Result<Decoded, Failure> {
    if ServiceModel::get(service).protocol != iamd_wire::Protocol::Query {
        let message = "This service speaks the JSON protocol: name the operation in X-Amz-Target.";
        return Err(Failure::new(service, "InvalidAction", message, 400));
    }
    let params = parameters(service, request)?;
    let decoded = iamd_wire::decode_request(ServiceModel::get(service), &params).map_err(|e| {
        let action = params.iter().find(|(name, _)| name == "Action");
        match action {
            Some((_, action)) if e.code == "ValidationError" => {
                Failure::wire(service, e).of_operation(action)
            }
            _ => Failure::wire(service, e),
        }
    })?;
    Ok(Decoded {
        action: decoded.action,
        input: decoded.input,
    })
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
    request: HttpRequest<'_>,
) -> Result<Vec<(String, String)>, Failure> {
    let form = request
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let mut params = Vec::new();
    let wire = |e| Failure::wire(service, e);
    if let Some(query) = request.uri.query() {
        params.extend(iamd_wire::parse_form(query.as_bytes()).map_err(wire)?);
    }
    if *request.method == Method::POST && (form || !request.body.is_empty()) {
        params.extend(iamd_wire::parse_form(request.body).map_err(wire)?);
    }
    Ok(params)
}
