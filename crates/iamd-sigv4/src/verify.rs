//! Verification: clock, scope consistency, payload hash, canonical request, string
//! to sign, and the constant-time comparison of signatures.

use std::time::SystemTime;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::canonical::{canonical_request, query_pairs};
use crate::error::{
    ErrorKind, SigV4Error, MSG_CONTENT_SHA256_MISMATCH, MSG_REQUEST_EXPIRED,
    MSG_SIGNATURE_DOES_NOT_MATCH,
};
use crate::key::{SecretKey, SigningKey};
use crate::parse::{ParsedSignature, SignatureLocation, ALGORITHM};
use crate::scope::scope_problems;
use crate::time::{format_amz_date, to_unix};
use crate::SignedRequest;

/// How far the request time may be from the server's clock, either way: 15 minutes.
pub const MAX_CLOCK_SKEW_SECS: i64 = 15 * 60;

/// The payload hash a client declares when it does not sign the body.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Verifies `parsed` (from [`crate::parse`] on the same `req`) with the secret access
/// key of its access key id, at time `now`.
///
/// Checks, in order: the clock (±15 minutes, AWS's `Signature expired` /
/// `Signature not yet current` messages), a presigned request's `X-Amz-Expires`
/// (`RequestExpired`), that the scope's terminator is `aws4_request` and its date is
/// the request's day, the body against `x-amz-content-sha256` when sent, then the
/// signature itself, compared in constant time.
pub fn verify(
    parsed: &ParsedSignature,
    req: &SignedRequest<'_>,
    secret: &SecretKey,
    now: SystemTime,
) -> Result<(), SigV4Error> {
    check_time(parsed, now)?;
    scope_problems(parsed, None, None)?;
    let scope = parsed.scope();
    let key = SigningKey::derive(secret, &scope.date, &scope.region, &scope.service);
    check_signature(parsed, req, &key)
}

/// Like [`verify`], with a signing key the server derived (and may cache) with
/// [`SigningKey::derive`] for the request's scope. A key derived for another scope
/// is refused with `SignatureDoesNotMatch`.
pub fn verify_with_key(
    parsed: &ParsedSignature,
    req: &SignedRequest<'_>,
    key: &SigningKey,
    now: SystemTime,
) -> Result<(), SigV4Error> {
    check_time(parsed, now)?;
    scope_problems(parsed, None, None)?;
    let scope = parsed.scope();
    if !key.is_for(&scope.date, &scope.region, &scope.service) {
        return Err(SigV4Error::does_not_match(MSG_SIGNATURE_DOES_NOT_MATCH));
    }
    check_signature(parsed, req, key)
}

/// The clock checks, with AWS's texts, e.g.
/// `Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)`.
pub fn check_time(parsed: &ParsedSignature, now: SystemTime) -> Result<(), SigV4Error> {
    let now = to_unix(now);
    let signed = parsed.request_unix_time();
    let earliest = now.saturating_sub(MAX_CLOCK_SKEW_SECS);
    let latest = now.saturating_add(MAX_CLOCK_SKEW_SECS);
    if signed < earliest {
        return Err(SigV4Error::does_not_match(format!(
            "Signature expired: {} is now earlier than {} ({} - 15 min.)",
            parsed.amz_date(),
            format_amz_date(earliest),
            format_amz_date(now)
        )));
    }
    if signed > latest {
        return Err(SigV4Error::does_not_match(format!(
            "Signature not yet current: {} is still later than {} ({} + 15 min.)",
            parsed.amz_date(),
            format_amz_date(latest),
            format_amz_date(now)
        )));
    }
    if let SignatureLocation::Query {
        expires: Some(expires),
    } = parsed.location()
    {
        let expires = i64::try_from(expires).unwrap_or(i64::MAX);
        if now > signed.saturating_add(expires) {
            return Err(SigV4Error::new(
                ErrorKind::RequestExpired,
                MSG_REQUEST_EXPIRED,
            ));
        }
    }
    Ok(())
}

/// The payload hash to sign: the body's SHA-256, unless the client declared
/// `x-amz-content-sha256` (header, or `X-Amz-Content-Sha256` in a presigned query).
/// A declared hash must be the body's; `UNSIGNED-PAYLOAD` is accepted only for an
/// empty body, since IAM and STS read parameters from the body.
fn payload_hash(parsed: &ParsedSignature, req: &SignedRequest<'_>) -> Result<String, SigV4Error> {
    let computed = crate::hexa::encode(&Sha256::digest(req.body));
    let declared: Option<Vec<u8>> = match req.header("x-amz-content-sha256") {
        Some(value) => Some(value.to_vec()),
        None if parsed.is_presigned() => query_pairs(req.query)
            .into_iter()
            .find(|(name, _)| name == b"X-Amz-Content-Sha256")
            .map(|(_, value)| value),
        None => None,
    };
    let Some(declared) = declared else {
        return Ok(computed);
    };
    let declared = String::from_utf8_lossy(&declared)
        .trim_matches(' ')
        .to_owned();
    if declared == UNSIGNED_PAYLOAD && req.body.is_empty() {
        return Ok(declared);
    }
    if declared.eq_ignore_ascii_case(&computed) {
        return Ok(declared);
    }
    Err(SigV4Error::new(
        ErrorKind::XAmzContentSha256Mismatch,
        MSG_CONTENT_SHA256_MISMATCH,
    ))
}

/// The canonical request and string to sign AWS would compute for this request.
pub fn string_to_sign(
    parsed: &ParsedSignature,
    req: &SignedRequest<'_>,
) -> Result<(Vec<u8>, String), SigV4Error> {
    let payload = payload_hash(parsed, req)?;
    let exclude: &[&str] = if parsed.is_presigned() {
        &["X-Amz-Signature"]
    } else {
        &[]
    };
    let creq = canonical_request(req, parsed.signed_headers(), exclude, &payload);
    let scope = parsed.scope();
    let mut sts = String::with_capacity(160);
    for part in [ALGORITHM, "\n", parsed.amz_date(), "\n", &scope.date, "/"] {
        sts.push_str(part);
    }
    for part in [
        &scope.region,
        "/",
        &scope.service,
        "/",
        &scope.terminator,
        "\n",
    ] {
        sts.push_str(part);
    }
    crate::hexa::encode_into(&mut sts, &Sha256::digest(&creq));
    Ok((creq, sts))
}

fn check_signature(
    parsed: &ParsedSignature,
    req: &SignedRequest<'_>,
    key: &SigningKey,
) -> Result<(), SigV4Error> {
    let (creq, sts) = string_to_sign(parsed, req)?;
    let expected = key.sign(sts.as_bytes());
    if bool::from(expected.as_slice().ct_eq(parsed.signature())) {
        return Ok(());
    }
    Err(
        SigV4Error::does_not_match(MSG_SIGNATURE_DOES_NOT_MATCH).with_detail(format!(
            "\n\nThe Canonical String for this request should have been\n'{}'\n\nThe String-to-Sign should have been\n'{sts}'\n",
            String::from_utf8_lossy(&creq)
        )),
    )
}
