//! Authentication of SigV4-signed requests, for every front door: the signature is verified,
//! the credential scope checked (service and region), the credentials found in the current
//! snapshot and turned into a [`Caller`]. Failed authentications are counted and logged
//! without secrets (the access key id, the source address and AWS's error code only).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, Method, Uri};
use iamd_core::credentials::Refused;
use iamd_core::{Account, Caller, IamError, Identity};
use iamd_sigv4::{SigV4Error, SignedRequest};
use iamd_wire::Service;

use crate::failure::Failure;
use crate::keycache::KeyCache;

/// The regions iamd accepts in a credential scope by default: AWS's public, China and
/// GovCloud regions. AWS refuses any other region (`SignatureDoesNotMatch`, "Credential
/// should be scoped to a valid region, not 'xx-fake-1'."). AWS's global IAM endpoint
/// accepts only `us-east-1`; iamd is reached through `--endpoint-url`, where the SDKs sign
/// with the configured region, so it accepts every real region unless configured otherwise
/// (`IAMD_REGIONS=us-east-1` is AWS's rule).
pub const AWS_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "mx-central-1",
    "sa-east-1",
    "cn-north-1",
    "cn-northwest-1",
    "us-gov-east-1",
    "us-gov-west-1",
];

/// What authenticates requests: the signing-key cache, the accepted regions and the
/// failure log.
pub(crate) struct Authenticator {
    keys: KeyCache,
    regions: Vec<String>,
    failures: FailureLog,
    /// See [`crate::Config::max_staleness`].
    max_staleness: std::time::Duration,
}

/// An incoming request, as authentication needs it.
#[derive(Clone, Copy)]
pub(crate) struct HttpRequest<'a> {
    pub peer: SocketAddr,
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// A refused authentication, with the caller when the key it names is known.
pub(crate) type Refusal = (Failure, Option<Box<Caller>>);

impl Authenticator {
    pub(crate) fn new(regions: Vec<String>, max_staleness: std::time::Duration) -> Self {
        Authenticator {
            keys: KeyCache::new(),
            regions,
            failures: FailureLog::default(),
            max_staleness,
        }
    }

    /// Verifies the signature and finds who signed; a refusal ([`Refusal`]) is counted and logged, and
    /// comes with the caller when the key it names is known (a bad signature of a valid key,
    /// an expired session), for the audit record.
    pub(crate) fn authenticate(
        &self,
        account: &Account,
        request: HttpRequest<'_>,
    ) -> Result<(Caller, Service), Refusal> {
        let mut known = None;
        let result = self.verify(account, request, &mut known);
        match result {
            Ok(found) => Ok(found),
            Err(failure) => {
                self.failures.record(&failure, request);
                Err((failure, known.map(Box::new)))
            }
        }
    }

    /// Authentication failures since the start.
    pub(crate) fn failures(&self) -> u64 {
        self.failures.total.load(Ordering::Relaxed)
    }

    /// As [`Authenticator::authenticate`]; sets `known` to the caller once the key (and
    /// session token) it names is known, before the signature is checked.
    fn verify(
        &self,
        account: &Account,
        request: HttpRequest<'_>,
        known: &mut Option<Caller>,
    ) -> Result<(Caller, Service), Failure> {
        let HttpRequest {
            peer,
            method,
            uri,
            headers,
            body,
        } = request;
        let header_list: Vec<(&str, &[u8])> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let signed = SignedRequest {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query().unwrap_or(""),
            headers: &header_list,
            body,
        };
        let parsed = iamd_sigv4::parse(&signed).map_err(|e| Failure::sigv4(Service::Iam, &e))?;
        let signing_name = parsed.scope().service.as_str();
        let Some(model) = iamd_wire::ServiceModel::by_signing_name(signing_name) else {
            let e = parsed.check_scope("iam", |_| true).err();
            let e = e.unwrap_or_else(SigV4Error::invalid_client_token_id);
            return Err(Failure::sigv4(Service::Iam, &e));
        };
        let service = model.service;
        let service_name = model.signing_name.as_str();
        parsed
            .check_scope(service_name, |region| {
                self.regions.iter().any(|r| r == region)
            })
            .map_err(|e| Failure::sigv4(service, &e))?;
        if account
            .snapshot_age()
            .is_some_and(|age| age > self.max_staleness)
        {
            // Out of touch with the other nodes: a key revoked meanwhile must not pass.
            return Err(Failure::iam(service, IamError::service_failure()));
        }
        let state = account.snapshot();
        let invalid = || Failure::sigv4(service, &SigV4Error::invalid_client_token_id());
        let refused = |refused| match refused {
            Refused::Invalid => invalid(),
            Refused::Expired => Failure::iam(service, IamError::expired_token()),
        };
        let region = parsed.scope().region.clone();
        let origin = iamd_core::credentials::Origin {
            access_key_id: parsed.access_key_id(),
            source_ip: &peer.ip().to_string(),
            region: &region,
        };
        let find = |now| {
            iamd_core::credentials::find(
                &state,
                parsed.access_key_id(),
                parsed.session_token(),
                now,
            )
        };
        let resolved = match find(account.now()) {
            Ok(resolved) => resolved,
            Err(Refused::Expired) => {
                // The session (its token checked) as it was just before it expired.
                let expired = state.sessions.get(parsed.access_key_id());
                let was = expired.and_then(|s| find(s.expiration - 1).ok());
                *known = was.and_then(|f| iamd_core::credentials::caller(&state, &f, &origin));
                return Err(refused(Refused::Expired));
            }
            Err(other) => return Err(refused(other)),
        };
        *known = iamd_core::credentials::caller(&state, &resolved, &origin);
        let scope = parsed.scope();
        let key = self
            .keys
            .signing_key(
                account,
                parsed.access_key_id(),
                &resolved,
                &scope.date,
                &scope.region,
                &scope.service,
            )
            .map_err(refused)?;
        iamd_sigv4::verify_with_key(&parsed, &signed, &key, account.clock.now())
            .map_err(|e| Failure::sigv4(service, &e))?;
        account.record_key_use(parsed.access_key_id(), service_name, &region);
        let caller = known.take().ok_or_else(invalid)?;
        if let Identity::AssumedRole(assumed) = &caller.identity {
            // A role's last use, kept with access keys' (in memory, flushed periodically).
            account.record_key_use(&assumed.role_id, service_name, &region);
        }
        Ok((caller, service))
    }
}

/// Counts failed authentications and logs them, at most [`LOG_PER_WINDOW`] lines per
/// [`LOG_WINDOW`] (a flood of bad signatures must not fill the disk), then how many were
/// left out.
#[derive(Default)]
struct FailureLog {
    total: AtomicU64,
    window: Mutex<Option<(Instant, u64)>>,
}

const LOG_WINDOW: Duration = Duration::from_secs(10);
const LOG_PER_WINDOW: u64 = 20;

impl FailureLog {
    fn record(&self, failure: &Failure, request: HttpRequest<'_>) {
        let total = self.total.fetch_add(1, Ordering::Relaxed) + 1;
        metrics::counter!(crate::telemetry::AUTH_FAILURES, "reason" => failure.code.clone())
            .increment(1);
        let Ok(mut window) = self.window.lock() else {
            return;
        };
        let now = Instant::now();
        let (started, logged) = match *window {
            Some((started, logged)) if now.duration_since(started) < LOG_WINDOW => {
                (started, logged)
            }
            Some((_, logged)) => {
                if logged > LOG_PER_WINDOW {
                    tracing::warn!(
                        target: "iamd",
                        "{} more authentication failures not logged",
                        logged - LOG_PER_WINDOW
                    );
                }
                (now, 0)
            }
            None => (now, 0),
        };
        *window = Some((started, logged + 1));
        if logged < LOG_PER_WINDOW {
            tracing::warn!(
                target: "iamd",
                "authentication failed: {} ({}) for access key {} from {}; {total} failures so far",
                failure.code,
                failure.status,
                access_key_id(request).unwrap_or("(none)"),
                request.peer.ip(),
            );
        }
    }
}

/// The access key id a request names (never its signature or secret), if it looks like one.
fn access_key_id<'a>(request: HttpRequest<'a>) -> Option<&'a str> {
    let from_header = request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("Credential=").nth(1));
    let from_query = request
        .uri
        .query()
        .and_then(|q| q.split("X-Amz-Credential=").nth(1));
    let credential = from_header.or(from_query)?;
    let id = credential.split(['/', '%']).next()?;
    let plausible = (16..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric());
    plausible.then_some(id)
}
