//! Reading a request body: at most [`MAX_BODY`] bytes, within [`BODY_TIMEOUT`]. Refusals are
//! [`Failure`]s, so each front door answers them in its own protocol (an AWS
//! `ErrorResponse` on the Query endpoint), never as a bare text.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use iamd_wire::Service;

use crate::failure::Failure;

/// Largest request body accepted (policy documents are at most 128 KiB, token files a few
/// hundred KiB at most).
pub(crate) const MAX_BODY: usize = 256 * 1024;

/// How long a client may take to send a body once its headers have arrived.
pub(crate) const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The body of a request, or why it was refused.
pub(crate) async fn read(headers: &HeaderMap, body: Body) -> Result<Bytes, Failure> {
    let too_large = || {
        Failure::new(
            Service::Iam,
            "RequestEntityTooLarge",
            format!("The request body is larger than {MAX_BODY} bytes."),
            413,
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        // Over the limit without a Content-Length (chunked), or the client went away; in the
        // second case nobody reads the answer.
        Ok(Err(_)) => Err(too_large()),
        Err(_) => Err(Failure::new(
            Service::Iam,
            "RequestTimeout",
            format!(
                "The request body did not arrive within {} seconds.",
                BODY_TIMEOUT.as_secs()
            ),
            408,
        )),
    }
}
