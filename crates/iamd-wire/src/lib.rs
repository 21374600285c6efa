//! iamd-wire: the AWS Query protocol (IAM and STS) and AWS JSON 1.1 (CloudTrail), driven by the
//! AWS service model at run time.
//!
//! A pure library: no HTTP, no I/O. The botocore models in `model/` are embedded and parsed once.
//!
//! ```
//! use iamd_wire::{decode_request, encode_response, parse_form, Service, ServiceModel};
//!
//! let iam = ServiceModel::get(Service::Iam);
//! let params = parse_form(b"Action=GetUser&Version=2010-05-08&UserName=alice")?;
//! let req = decode_request(iam, &params)?;
//! assert_eq!(req.action, "GetUser");
//! assert_eq!(req.input["UserName"], "alice");
//!
//! let result = serde_json::json!({"User": {"UserName": "alice", "Path": "/",
//!     "UserId": "AIDAEXAMPLE", "Arn": "arn:aws:iam::123456789012:user/alice",
//!     "CreateDate": "2026-11-23T08:44:41Z"}});
//! let xml = encode_response(iam, &req.action, &result, "req-1")?;
//! assert!(xml.starts_with("<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"));
//! # Ok::<(), iamd_wire::WireError>(())
//! ```

mod check;
mod decode;
mod encode;
mod error;
mod form;
mod json;
mod model;
mod pattern;
pub mod time;
mod validate;

pub use check::check_output;
pub use decode::{decode_request, DecodedRequest, MAX_KEY_DEPTH};
pub use encode::{
    check_result, encode_error, encode_response, encode_response_checked, encode_wire_error,
    escape, Encoded,
};
pub use error::WireError;
pub use form::{parse_form, MAX_PARAMS};
pub use json::{
    decode_json_request, encode_json_error, encode_json_response, operation_of_target,
    JSON_CONTENT_TYPE,
};
pub use model::{Member, Operation, Protocol, Service, ServiceModel, Shape, ShapeKind};
pub use pattern::Pattern;
