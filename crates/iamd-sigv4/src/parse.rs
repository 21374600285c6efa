//! Finding and parsing the signature of a request: the `Authorization` header or the
//! presigned `X-Amz-*` query parameters.
//!
//! Checks run in the order AWS runs them (as recorded from AWS's answers): presence of
//! every part, date format, `host` signed, algorithm, credential shape. The clock and
//! the credential scope's date and terminator are checked by [`crate::verify`], which
//! knows the time; region and service by [`ParsedSignature::check_scope`], which
//! takes the server's rules.

use std::time::{Duration, SystemTime};

use crate::canonical::query_pairs;
use crate::error::{SigV4Error, MSG_BOTH_HEADER_AND_QUERY};
use crate::scope::{scope_problems, CredentialScope};
use crate::time::{format_amz_date, from_unix, parse_amz_date, parse_http_date};
use crate::SignedRequest;

/// The one algorithm SigV4 (as opposed to SigV4a) has.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The longest `X-Amz-Expires` AWS accepts: seven days.
pub const MAX_EXPIRES_SECS: u64 = 604_800;

/// Where the signature was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureLocation {
    /// The `Authorization` header.
    Header,
    /// Presigned query parameters, with `X-Amz-Expires` when given.
    Query {
        /// `X-Amz-Expires`, in seconds.
        expires: Option<u64>,
    },
}

/// A request's signature, parsed but not yet verified.
#[derive(Clone, Debug)]
pub struct ParsedSignature {
    access_key_id: String,
    scope: CredentialScope,
    amz_date: String,
    request_time: i64,
    signed_headers: Vec<String>,
    signature: Vec<u8>,
    session_token: Option<String>,
    location: SignatureLocation,
}

impl ParsedSignature {
    /// The access key id (`AKIA…` or `ASIA…`), for the server to look the secret up.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The credential scope.
    pub fn scope(&self) -> &CredentialScope {
        &self.scope
    }

    /// The request time in the signed form `YYYYMMDDTHHMMSSZ` (converted from the
    /// `Date` header when that is what the client used).
    pub fn amz_date(&self) -> &str {
        &self.amz_date
    }

    /// The request time as unix seconds.
    pub fn request_unix_time(&self) -> i64 {
        self.request_time
    }

    /// The request time.
    pub fn request_time(&self) -> SystemTime {
        from_unix(self.request_time)
    }

    /// The signed header names, lower case, in the order signed.
    pub fn signed_headers(&self) -> &[String] {
        &self.signed_headers
    }

    /// The signature bytes (empty when the hex sent was not valid hex).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The session token (`X-Amz-Security-Token`), for temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// Where the signature was found.
    pub fn location(&self) -> SignatureLocation {
        self.location
    }

    /// Whether the request is presigned (signature in the query string).
    pub fn is_presigned(&self) -> bool {
        matches!(self.location, SignatureLocation::Query { .. })
    }

    /// `X-Amz-Expires` of a presigned request.
    pub fn expires(&self) -> Option<Duration> {
        match self.location {
            SignatureLocation::Query { expires } => expires.map(Duration::from_secs),
            SignatureLocation::Header => None,
        }
    }

    /// Checks the credential scope against the server's rules: the `service` this
    /// endpoint serves and the regions it accepts, plus the terminator and the scope
    /// date. AWS's messages, joined when several parts are wrong:
    /// `Credential should be scoped to a valid region, not 'x'. Credential should be
    /// scoped to correct service: 'iam'. …` (`SignatureDoesNotMatch`, 403).
    pub fn check_scope(
        &self,
        service: &str,
        region_is_valid: impl Fn(&str) -> bool,
    ) -> Result<(), SigV4Error> {
        scope_problems(self, Some(service), Some(&region_is_valid))
    }
}

/// Finds and parses the signature of `req`.
///
/// Errors: `MissingAuthenticationToken` when there is no SigV4 signature at all,
/// `IncompleteSignature` when parts are missing or malformed, `SignatureDoesNotMatch`
/// when `host` is not signed or both a header and query signature are present.
pub fn parse(req: &SignedRequest<'_>) -> Result<ParsedSignature, SigV4Error> {
    let query = query_pairs(req.query);
    let presigned = query.iter().any(|(name, _)| name == b"X-Amz-Algorithm");
    match (req.header("authorization"), presigned) {
        (Some(_), true) => {
            Err(SigV4Error::does_not_match(MSG_BOTH_HEADER_AND_QUERY).with_status(400))
        }
        (Some(header), false) => parse_header(req, header),
        (None, true) => parse_query(req, &query),
        (None, false) => Err(SigV4Error::missing_authentication_token()),
    }
}

fn date_format_error(value: &str) -> SigV4Error {
    SigV4Error::incomplete(format!(
        "Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
    ))
}

fn split_signed_headers(value: &str) -> Vec<String> {
    value
        .split(';')
        .filter(|name| !name.is_empty())
        .map(|name| name.trim().to_ascii_lowercase())
        .collect()
}

fn require_host(signed_headers: &[String]) -> Result<(), SigV4Error> {
    if signed_headers.iter().any(|h| h == "host") {
        Ok(())
    } else {
        Err(SigV4Error::does_not_match(
            crate::error::MSG_HOST_NOT_SIGNED,
        ))
    }
}

fn require_algorithm(algorithm: &str) -> Result<(), SigV4Error> {
    if algorithm == ALGORITHM {
        Ok(())
    } else {
        Err(SigV4Error::incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). "
        )))
    }
}

/// Splits `AKID/date/region/service/terminator` (trailing slashes ignored).
fn split_credential(credential: &str) -> Result<(String, CredentialScope), SigV4Error> {
    let parts: Vec<&str> = credential.trim_end_matches('/').split('/').collect();
    match parts.as_slice() {
        [key, date, region, service, terminator] => Ok((
            (*key).to_owned(),
            CredentialScope {
                date: (*date).to_owned(),
                region: (*region).to_owned(),
                service: (*service).to_owned(),
                terminator: (*terminator).to_owned(),
            },
        )),
        _ => Err(SigV4Error::incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        ))),
    }
}

/// The session token from a value that must be UTF-8 (tokens are base64); anything
/// else cannot be a token iamd issued.
fn token(value: &[u8]) -> Result<String, SigV4Error> {
    String::from_utf8(value.to_vec()).map_err(|_| SigV4Error::invalid_client_token_id())
}

fn header_token(req: &SignedRequest<'_>) -> Result<Option<String>, SigV4Error> {
    let mut values = req.header_values("x-amz-security-token");
    match (values.next(), values.next()) {
        (None, _) => Ok(None),
        (Some(value), None) => token(value).map(Some),
        (Some(_), Some(_)) => Err(SigV4Error::invalid_client_token_id()),
    }
}

fn parse_header(req: &SignedRequest<'_>, raw: &[u8]) -> Result<ParsedSignature, SigV4Error> {
    let header = String::from_utf8_lossy(raw);
    let trimmed = header.trim();
    if !trimmed.starts_with("AWS4-") {
        return Err(SigV4Error::missing_authentication_token());
    }
    let mut tokens = trimmed
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|t| !t.is_empty());
    let algorithm = tokens.next().unwrap_or_default();
    let mut params: Vec<(&str, &str)> = Vec::new();
    for token in tokens {
        match token.split_once('=') {
            Some(pair) => params.push(pair),
            None => {
                return Err(SigV4Error::incomplete(format!(
                    "'{token}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
                )))
            }
        }
    }
    let param = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    };

    let x_amz_date = req.header("x-amz-date").filter(|v| !v.is_empty());
    let date = req.header("date").filter(|v| !v.is_empty());
    let mut missing = String::new();
    for name in ["Credential", "Signature"] {
        if param(name).is_none_or(str::is_empty) {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    if param("SignedHeaders").is_none() {
        missing.push_str("Authorization header requires 'SignedHeaders' parameter. ");
    }
    if x_amz_date.is_none() && date.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    if !missing.is_empty() {
        missing.push_str("Authorization=");
        missing.push_str(&header);
        return Err(SigV4Error::incomplete(missing));
    }

    let request_time = match (x_amz_date, date) {
        (Some(value), _) => {
            let value = String::from_utf8_lossy(value);
            parse_amz_date(value.trim()).ok_or_else(|| date_format_error(&value))?
        }
        (None, Some(value)) => {
            let value = String::from_utf8_lossy(value);
            parse_http_date(value.trim()).ok_or_else(|| date_format_error(&value))?
        }
        (None, None) => return Err(SigV4Error::missing_authentication_token()),
    };
    let signed_headers = split_signed_headers(param("SignedHeaders").unwrap_or_default());
    require_host(&signed_headers)?;
    require_algorithm(algorithm)?;
    let (access_key_id, scope) = split_credential(param("Credential").unwrap_or_default())?;
    Ok(ParsedSignature {
        access_key_id,
        scope,
        amz_date: format_amz_date(request_time),
        request_time,
        signed_headers,
        signature: crate::hexa::decode(param("Signature").unwrap_or_default()).unwrap_or_default(),
        session_token: header_token(req)?,
        location: SignatureLocation::Header,
    })
}

fn parse_expires(value: &str) -> Result<u64, SigV4Error> {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if value.strip_prefix('-').is_some_and(all_digits) {
        return Err(SigV4Error::incomplete("X-Amz-Expires must be non-negative"));
    }
    if !all_digits(value) {
        return Err(SigV4Error::incomplete("X-Amz-Expires should be a number"));
    }
    match value.parse::<u64>() {
        Ok(secs) if secs <= MAX_EXPIRES_SECS => Ok(secs),
        _ => Err(SigV4Error::incomplete(
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        )),
    }
}

fn parse_query(
    req: &SignedRequest<'_>,
    query: &[(Vec<u8>, Vec<u8>)],
) -> Result<ParsedSignature, SigV4Error> {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name.as_bytes())
            .map(|(_, v)| v.as_slice())
    };
    let text = |name: &str| param(name).map(|v| String::from_utf8_lossy(v).into_owned());

    let mut missing = String::new();
    for name in [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
        "X-Amz-Date",
    ] {
        if param(name).is_none_or(<[u8]>::is_empty) {
            missing.push_str(&format!(
                "AWS query-string parameters must include '{name}'. "
            ));
        }
    }
    if !missing.is_empty() {
        missing.push_str("Re-examine the query-string parameters.");
        return Err(SigV4Error::incomplete(missing));
    }

    let date = text("X-Amz-Date").unwrap_or_default();
    let request_time = parse_amz_date(&date).ok_or_else(|| date_format_error(&date))?;
    let signed_headers = split_signed_headers(&text("X-Amz-SignedHeaders").unwrap_or_default());
    require_host(&signed_headers)?;
    require_algorithm(&text("X-Amz-Algorithm").unwrap_or_default())?;
    let expires = text("X-Amz-Expires")
        .map(|v| parse_expires(&v))
        .transpose()?;
    let (access_key_id, scope) = split_credential(&text("X-Amz-Credential").unwrap_or_default())?;
    let session_token = match param("X-Amz-Security-Token") {
        Some(value) => Some(token(value)?),
        None => header_token(req)?,
    };
    Ok(ParsedSignature {
        access_key_id,
        scope,
        amz_date: format_amz_date(request_time),
        request_time,
        signed_headers,
        signature: crate::hexa::decode(param("X-Amz-Signature").unwrap_or_default())
            .unwrap_or_default(),
        session_token,
        location: SignatureLocation::Query { expires },
    })
}
