//! X.509 signing certificates of users and of the root user:
//! Upload/List/Update/DeleteSigningCertificate. `UserName` defaults to the caller (the root
//! user included, as in AWS).
//!
//! A body that is not PEM is MalformedCertificate "Certificate BODY is malformed." (AWS's
//! answer recorded in LocalStack's AWS-validated `test_iam_signing_certificates.snapshot.json`,
//! `test_signing_certificate_errors`), except that a body holding a private key is not echoed
//! (error messages go to the audit trail): it gets the text AWS gives UploadServerCertificate,
//! "Unable to parse certificate. Please ensure the certificate is in PEM format.". A certificate
//! outside its validity period is MalformedCertificate too; the wording of that refusal and of
//! a PEM block that is not a certificate is not recorded and is iamd's.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::support::{input, paginate};

use super::{Auth, OpContext, Operation};
use crate::crypto::x509::{CertificateError, SigningCertificate as ParsedCertificate};
use crate::entities::access_keys::{resource, target};
use crate::entities::user_credentials::{self as creds, owned_by, resolve_owner};
use crate::error::IamError;
use crate::model::{KeyStatus, SigningCertificate};

pub(super) static OPS: &[Operation] = &[
    op(
        "UploadSigningCertificate",
        upload_signing_certificate,
        false,
    ),
    op("ListSigningCertificates", list_signing_certificates, true),
    op(
        "UpdateSigningCertificate",
        update_signing_certificate,
        false,
    ),
    op(
        "DeleteSigningCertificate",
        delete_signing_certificate,
        false,
    ),
];

const fn op(name: &'static str, handler: super::Handler, read_only: bool) -> Operation {
    Operation {
        service: &crate::service::IAM,
        name,
        auth: Auth::Policy,
        handler,
        read_only,
    }
}

/// Signing certificates a user (or the root user) may have (AWS's quota).
pub(crate) const MAX_CERTIFICATES: usize = 2;

fn missing(id: &str) -> impl FnOnce() -> IamError + '_ {
    move || IamError::no_such_entity(format!("The Certificate with id {id} cannot be found."))
}

fn certificate_error(body: &str) -> impl FnOnce(CertificateError) -> IamError + '_ {
    move |e| {
        let message = match e {
            CertificateError::NotPem if !body.contains("PRIVATE KEY") => {
                format!("Certificate {body} is malformed.")
            }
            CertificateError::NotPem => {
                "Unable to parse certificate. Please ensure the certificate is in PEM format."
                    .to_string()
            }
            CertificateError::Malformed => "The certificate is malformed.".to_string(),
            CertificateError::NotValidNow => {
                "The certificate is not valid at the current time.".to_string()
            }
        };
        IamError::new("MalformedCertificate", 400, message)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CertificateView {
    user_name: String,
    certificate_id: String,
    certificate_body: String,
    status: &'static str,
    upload_date: i64,
}

impl CertificateView {
    /// A root user's certificate shows the account id as its `UserName` (as its access keys).
    fn of(ctx: &OpContext<'_>, cert: &SigningCertificate) -> Self {
        CertificateView {
            user_name: cert
                .user
                .clone()
                .unwrap_or_else(|| ctx.account_id().to_string()),
            certificate_id: cert.id.clone(),
            certificate_body: cert.body.clone(),
            status: cert.status.as_str(),
            upload_date: cert.upload_date,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UploadInput {
    user_name: Option<String>,
    certificate_body: String,
}

fn upload_signing_certificate(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UploadInput = input(value)?;
    let user = target(ctx, input.user_name)?;
    ctx.authorize("iam:UploadSigningCertificate", &resource(ctx, &user))?;
    let parsed = ParsedCertificate::parse(&input.certificate_body, ctx.now)
        .map_err(certificate_error(&input.certificate_body))?;
    let id = parsed.id();
    let cert = ctx.write(|txn| {
        let owner = resolve_owner(&txn.state, user.as_deref())?;
        // The id is derived from the certificate: a second upload anywhere in the account
        // finds it.
        if txn.state.signing_certificates.contains_key(&id) {
            return Err(IamError::new(
                "DuplicateCertificate",
                409,
                "The same certificate is already associated with an IAM user in the account.",
            ));
        }
        if owned_by(&txn.state.signing_certificates, owner.as_deref()).count() >= MAX_CERTIFICATES {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for CertificatesPerUser: {MAX_CERTIFICATES}"
            )));
        }
        let cert = SigningCertificate {
            id,
            user: owner,
            body: input.certificate_body.trim().to_string(),
            status: KeyStatus::Active,
            upload_date: txn.now,
        };
        creds::save(txn, cert.clone())?;
        Ok(cert)
    })?;
    Ok(json!({ "Certificate": CertificateView::of(ctx, &cert) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
    user_name: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn list_signing_certificates(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListInput = input(value)?;
    let user = target(ctx, input.user_name)?;
    ctx.authorize("iam:ListSigningCertificates", &resource(ctx, &user))?;
    let owner = resolve_owner(&ctx.state, user.as_deref())?;
    let certs = owned_by(&ctx.state.signing_certificates, owner.as_deref())
        .map(|(id, cert)| (id.clone(), CertificateView::of(ctx, cert)));
    paginate(certs, input.marker.as_deref(), input.max_items)?.finish(Map::new(), "Certificates")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CertificateInput {
    user_name: Option<String>,
    certificate_id: String,
    status: Option<String>,
}

fn update_signing_certificate(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CertificateInput = input(value)?;
    let id = &input.certificate_id;
    creds::update_status::<SigningCertificate>(
        ctx,
        "iam:UpdateSigningCertificate",
        input.user_name,
        id,
        input.status.as_deref(),
        missing(id),
    )
}

fn delete_signing_certificate(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CertificateInput = input(value)?;
    let id = &input.certificate_id;
    creds::delete::<SigningCertificate>(
        ctx,
        "iam:DeleteSigningCertificate",
        input.user_name,
        id,
        missing(id),
    )
}
