//! Server certificates: Upload/Get/List/Update/DeleteServerCertificate and their tags.
//!
//! The certificate, its chain and its private key are checked (`crypto::server_cert`); the
//! key is sealed at rest (AAD: the certificate id) and no operation returns it; the body and
//! chain are returned exactly as uploaded. Names are unique case-insensitively.
//!
//! AWS's texts: "The Server Certificate with name X already exists." (EntityAlreadyExists,
//! recorded in dlapiduz/certbot-s3front#17), "Unable to validate certificate chain. The
//! certificate chain must start with the immediate signing certificate, followed by any
//! intermediaries in order. The index within the chain of the invalid certificate is: -1"
//! (MalformedCertificate, recorded in mprahl/ansible-role-lets-encrypt-route-53#52, where the
//! certificate itself was not signed by the chain's first: index -1), and the signing
//! certificates' "Unable to parse certificate. Please ensure the certificate is in PEM
//! format."; the other refusals' wording is not documented and is iamd's, in AWS's style.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::support::{input, paginate, path_or_root};
use super::tags::{merge_tags, tag_context};
use super::{iam_op as op, OpContext, Operation};
use crate::crypto::server_cert::{check, ServerCertError};
use crate::crypto::{unique_id, UniqueIdKind};
use crate::entities::server_certificates::{
    certificate_arn, delete_certificate, find_certificate, save_certificate,
};
use crate::error::IamError;
use crate::model::{ServerCertificate, Tag};

pub(super) static OPS: &[Operation] = &[
    op("UploadServerCertificate", upload, false),
    op("GetServerCertificate", get, true),
    op("ListServerCertificates", list, true),
    op("UpdateServerCertificate", update, false),
    op("DeleteServerCertificate", delete, false),
    op(
        "TagServerCertificate",
        |c, v| super::tags::tag(c, v, super::tags::Tagged::ServerCertificate),
        false,
    ),
    op(
        "UntagServerCertificate",
        |c, v| super::tags::untag(c, v, super::tags::Tagged::ServerCertificate),
        false,
    ),
    op(
        "ListServerCertificateTags",
        |c, v| super::tags::list_tags(c, v, super::tags::Tagged::ServerCertificate),
        true,
    ),
];

/// AWS's default quota of server certificates in an account.
pub(crate) const MAX_SERVER_CERTIFICATES: usize = 20;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn refusal(e: ServerCertError) -> IamError {
    let malformed = |m: String| IamError::new("MalformedCertificate", 400, m);
    match e {
        ServerCertError::BodyNotCertificate => malformed(
            "Unable to parse certificate. Please ensure the certificate is in PEM format.".into(),
        ),
        ServerCertError::Expired => malformed(
            "Certificate is no longer valid. The 'Not After' date restriction on the certificate has passed.".into(),
        ),
        ServerCertError::NotYetValid => malformed(
            "Certificate is not yet valid. The 'Not Before' date restriction on the certificate has not been met.".into(),
        ),
        ServerCertError::KeyNotReadable => malformed(
            "Unable to parse private key. Please ensure the private key is an unencrypted RSA or EC key in PEM format.".into(),
        ),
        ServerCertError::KeyMismatch => IamError::new(
            "KeyPairMismatch",
            400,
            "The public key certificate and the private key do not match.",
        ),
        ServerCertError::Chain(index) => malformed(format!(
            "Unable to validate certificate chain. The certificate chain must start with the \
             immediate signing certificate, followed by any intermediaries in order. The index \
             within the chain of the invalid certificate is: {index}"
        )),
    }
}

/// The model's `ServerCertificateMetadata`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata {
    path: String,
    server_certificate_name: String,
    server_certificate_id: String,
    arn: String,
    upload_date: i64,
    expiration: i64,
}

impl Metadata {
    fn of(cert: &ServerCertificate) -> Metadata {
        Metadata {
            path: cert.path.clone(),
            server_certificate_name: cert.name.clone(),
            server_certificate_id: cert.id.clone(),
            arn: cert.arn.clone(),
            upload_date: cert.upload_date,
            expiration: cert.expiration,
        }
    }
}

fn tags_of(cert: &ServerCertificate) -> Option<&[Tag]> {
    (!cert.tags.is_empty()).then_some(cert.tags.as_slice())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UploadInput {
    path: Option<String>,
    server_certificate_name: String,
    certificate_body: String,
    private_key: String,
    certificate_chain: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

fn upload(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UploadInput = input(value)?;
    let path = path_or_root(input.path);
    let name = input.server_certificate_name;
    let arn = ctx.arn("server-certificate", &path, &name);
    ctx.authorize_with(
        "iam:UploadServerCertificate",
        &arn,
        &tag_context(&input.tags)?,
    )?;
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags)?;
    let checked = check(
        &input.certificate_body,
        &input.private_key,
        input.certificate_chain.as_deref(),
        ctx.now,
    )
    .map_err(refusal)?;
    let id = unique_id(UniqueIdKind::ServerCertificate).map_err(|_| IamError::service_failure())?;
    let sealed = ctx
        .account
        .sealing
        .seal(input.private_key.as_bytes(), id.as_bytes())
        .map_err(|_| IamError::service_failure())?;
    let cert = ctx.write(|txn| {
        if txn
            .state
            .server_certificates
            .contains_key(&name.to_lowercase())
        {
            return Err(IamError::already_exists(format!(
                "The Server Certificate with name {name} already exists."
            )));
        }
        if txn.state.server_certificates.len() >= MAX_SERVER_CERTIFICATES {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for ServerCertificatesPerAccount: {MAX_SERVER_CERTIFICATES}"
            )));
        }
        let cert = ServerCertificate {
            name: name.clone(),
            id,
            path,
            arn,
            upload_date: txn.now,
            expiration: checked.not_after,
            body: input.certificate_body,
            chain: input.certificate_chain,
            sealed_private_key: B64.encode(sealed),
            tags,
        };
        save_certificate(txn, cert.clone())?;
        Ok(cert)
    })?;
    Ok(json!({
        "ServerCertificateMetadata": Metadata::of(&cert),
        "Tags": tags_of(&cert),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NameInput {
    server_certificate_name: String,
}

fn get(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: NameInput = input(value)?;
    let name = &input.server_certificate_name;
    ctx.authorize("iam:GetServerCertificate", &certificate_arn(ctx, name))?;
    let cert = find_certificate(&ctx.state, name)?;
    Ok(json!({ "ServerCertificate": {
        "ServerCertificateMetadata": Metadata::of(&cert),
        "CertificateBody": cert.body,
        "CertificateChain": cert.chain,
        "Tags": tags_of(&cert),
    }}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
    path_prefix: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn list(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListInput = input(value)?;
    ctx.authorize(
        "iam:ListServerCertificates",
        &ctx.arn("server-certificate", "/", ""),
    )?;
    let prefix = path_or_root(input.path_prefix);
    let certs = ctx
        .state
        .server_certificates
        .iter()
        .filter(|(_, c)| c.path.starts_with(&prefix))
        .map(|(k, c)| (k.clone(), Metadata::of(c)));
    paginate(certs, input.marker.as_deref(), input.max_items)?
        .finish(Map::new(), "ServerCertificateMetadataList")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateInput {
    server_certificate_name: String,
    new_path: Option<String>,
    new_server_certificate_name: Option<String>,
}

/// Renames and/or moves a certificate: authorized on the old and the new ARN, as AWS
/// documents ("must have permission to change the server certificate with the old name and
/// the new name").
fn update(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UpdateInput = input(value)?;
    let name = &input.server_certificate_name;
    let old_arn = certificate_arn(ctx, name);
    ctx.authorize("iam:UpdateServerCertificate", &old_arn)?;
    let current = ctx.state.server_certificates.get(&name.to_lowercase());
    let new_name = input.new_server_certificate_name.as_deref().unwrap_or(name);
    let new_path = input
        .new_path
        .as_deref()
        .or(current.map(|c| c.path.as_str()))
        .unwrap_or("/");
    let new_arn = ctx.arn("server-certificate", new_path, new_name);
    ctx.authorize("iam:UpdateServerCertificate", &new_arn)?;
    ctx.write(|txn| {
        let mut cert = (*find_certificate(&txn.state, name)?).clone();
        let renamed = !new_name.eq_ignore_ascii_case(&cert.name);
        if renamed
            && txn
                .state
                .server_certificates
                .contains_key(&new_name.to_lowercase())
        {
            return Err(IamError::already_exists(format!(
                "The Server Certificate with name {new_name} already exists."
            )));
        }
        delete_certificate(txn, &cert.name);
        cert.name = new_name.to_string();
        cert.path = new_path.to_string();
        cert.arn = new_arn;
        save_certificate(txn, cert)
    })?;
    Ok(json!({}))
}

fn delete(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: NameInput = input(value)?;
    let name = &input.server_certificate_name;
    ctx.authorize("iam:DeleteServerCertificate", &certificate_arn(ctx, name))?;
    ctx.write(|txn| {
        let cert = find_certificate(&txn.state, name)?;
        delete_certificate(txn, &cert.name);
        Ok(())
    })?;
    Ok(json!({}))
}
