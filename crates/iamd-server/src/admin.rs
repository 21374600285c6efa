//! iamd's admin extensions: operations AWS does not have, served on the same SigV4
//! endpoint (signed for service `iam`) but under `/iamd/admin/...`, outside the Query
//! protocol, so that no AWS client can mistake them for IAM. They are authenticated by
//! the [`Pipeline`](crate::pipeline::Pipeline) and authorized by the core like every operation.
//!
//! `POST /iamd/admin/hardware-mfa-devices`: registers hardware TOTP tokens. The body is a
//! CSV file (`Content-Type: text/csv`) or a PSKC document (`application/pskc+xml`, also
//! `application/xml` / `text/xml`). Answers `200 {"Imported": ["SERIAL", ...]}`, or an error
//! as `{"Error": {"Type", "Code", "Message"}, "RequestId"}` with AWS's status (400 for a
//! rejected file, naming its line or entry; 403 AccessDenied; ...). Nothing is imported on
//! error.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use iamd_wire::Service;
use serde_json::{json, Value};

use crate::authn::HttpRequest;
use crate::failure::Failure;
use crate::pipeline::{Decoded, Incoming, Pipeline};

/// Where hardware tokens are imported.
pub(crate) const IMPORT_PATH: &str = "/iamd/admin/hardware-mfa-devices";

/// The core operation behind [`IMPORT_PATH`].
const IMPORT_OPERATION: &str = "ImportHardwareMFADevices";

/// Handles `POST` [`IMPORT_PATH`].
pub(crate) async fn import(State(pipeline): State<Arc<Pipeline>>, incoming: Incoming) -> Response {
    let request_id = crate::pipeline::request_id();
    match pipeline.run(incoming, &request_id, decode_import).await {
        Ok(answered) => json_response(StatusCode::OK, &answered.output, &request_id),
        Err(f) => {
            let kind = if f.status < 500 { "Sender" } else { "Receiver" };
            let error = json!({
                "Error": {"Type": kind, "Code": f.code, "Message": f.message},
                "RequestId": request_id,
            });
            let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_REQUEST);
            json_response(status, &error, &request_id)
        }
    }
}

/// The import's input from the request: the file's format (from its Content-Type) and text.
fn decode_import(service: Service, request: HttpRequest<'_>) -> Result<Decoded, Failure> {
    let input_error = |message: &str| Failure::new(Service::Iam, "InvalidInput", message, 400);
    if service != Service::Iam {
        return Err(input_error(
            "iamd admin requests must be signed for service iam.",
        ));
    }
    let format = format_of(request.headers)
        .ok_or_else(|| input_error("Content-Type must be text/csv or application/pskc+xml."))?;
    let text = std::str::from_utf8(request.body)
        .map_err(|_| input_error("The token file is not UTF-8 text."))?;
    Ok(Decoded {
        action: IMPORT_OPERATION.to_string(),
        input: json!({"Format": format, "Body": text}),
    })
}

/// `csv` or `pskc`, from the Content-Type (parameters such as `charset` ignored).
fn format_of(headers: &HeaderMap) -> Option<&'static str> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let media = value.split(';').next()?.trim().to_ascii_lowercase();
    match media.as_str() {
        "text/csv" => Some("csv"),
        "application/pskc+xml" | "application/xml" | "text/xml" => Some("pskc"),
        _ => None,
    }
}

fn json_response(status: StatusCode, value: &Value, request_id: &str) -> Response {
    let body = value.to_string();
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Ok(id) = request_id.parse() {
        response.headers_mut().insert("x-amzn-RequestId", id);
    }
    response
}
