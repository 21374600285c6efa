//! The AWS JSON 1.1 front door (CloudTrail's LookupEvents): `POST /` with
//! `X-Amz-Target: PREFIX.Operation` and a JSON body, signed for the service whose model has
//! that prefix; the answer is the output as JSON, or `{"__type", "message"}` with the JSON
//! protocol's error names and statuses. Everything else is the [`Pipeline`]'s.

use std::sync::Arc;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use iamd_wire::{Protocol, Service, ServiceModel};

use crate::authn::HttpRequest;
use crate::failure::Failure;
use crate::pipeline::{Decoded, Incoming, Pipeline};

/// The header naming a JSON protocol request's operation.
const TARGET: &str = "x-amz-target";

/// Whether a request speaks the JSON protocol (names its operation in `X-Amz-Target`).
pub(crate) fn is_json_request(headers: &HeaderMap) -> bool {
    headers.contains_key(TARGET)
}

/// Handles one JSON protocol request.
pub(crate) async fn handle(pipeline: Arc<Pipeline>, incoming: Incoming) -> Response {
    let request_id = crate::pipeline::request_id();
    let answered = pipeline.run(incoming, &request_id, decode).await;
    let encoded = answered.and_then(|a| {
        let model = ServiceModel::get(a.service);
        iamd_wire::encode_json_response(model, a.operation.name, &a.output)
            .map_err(|e| Failure::wire(a.service, e))
    });
    match encoded {
        Ok(body) => json_response(StatusCode::OK, body, &request_id),
        Err(f) => error_response(&f, &request_id),
    }
}

/// The operation (from `X-Amz-Target`) and its input (the body), decoded against the model
/// of the service the request was signed for.
fn decode(service: Service, request: HttpRequest<'_>) -> Result<Decoded, Failure> {
    let model = ServiceModel::get(service);
    let target = request
        .headers
        .get(TARGET)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let unknown = || {
        Failure::new(
            service,
            "UnknownOperationException",
            format!(
                "The operation {target} is not known to {}.",
                model.signing_name
            ),
            400,
        )
    };
    if model.protocol != Protocol::Json {
        return Err(unknown());
    }
    let action = iamd_wire::operation_of_target(model, target).map_err(|_| unknown())?;
    let input = iamd_wire::decode_json_request(model, &action, request.body)
        .map_err(|e| Failure::wire(service, e).of_operation(&action))?;
    Ok(Decoded { action, input })
}

/// The JSON protocol's name and status for an error: AWS's JSON services answer with
/// `...Exception` names (`UnrecognizedClientException` where the Query protocol says
/// `InvalidClientTokenId`) and status 400 for client faults.
fn json_error(code: &str, status: u16) -> (String, u16) {
    let (name, status) = match code {
        "InvalidClientTokenId" => ("UnrecognizedClientException", 400),
        "SignatureDoesNotMatch" => ("InvalidSignatureException", 400),
        "IncompleteSignature" => ("IncompleteSignatureException", 400),
        "MissingAuthenticationToken" => ("MissingAuthenticationTokenException", 403),
        "ExpiredToken" => ("ExpiredTokenException", 400),
        "AccessDenied" => ("AccessDeniedException", 400),
        "InvalidAction" => ("UnknownOperationException", 400),
        "ValidationError" => ("ValidationException", 400),
        "ServiceFailure" => ("InternalFailure", 500),
        other if status >= 500 => (other, status),
        other => (
            other,
            if status == 413 || status == 408 {
                status
            } else {
                400
            },
        ),
    };
    (name.to_string(), status)
}

fn error_response(f: &Failure, request_id: &str) -> Response {
    let (code, status) = json_error(&f.code, f.status);
    let body = iamd_wire::encode_json_error(&code, &f.message);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(status, body, request_id)
}

fn json_response(status: StatusCode, body: String, request_id: &str) -> Response {
    let content_type = [(header::CONTENT_TYPE, iamd_wire::JSON_CONTENT_TYPE)];
    let mut response = (status, content_type, body).into_response();
    if let Ok(value) = request_id.parse() {
        response.headers_mut().insert("x-amzn-RequestId", value);
    }
    response
}

#[cfg(test)]
mod tests;
