//! UTC timestamps (from [`iamd_time`]): the ISO-8601 basic format SigV4 signs
//! (`20150830T123600Z`), the RFC 1123 `Date` header AWS also accepts, and the conversion to
//! and from unix seconds.

pub use iamd_time::{format_amz_date, from_unix, parse_amz_date, parse_http_date, to_unix};
