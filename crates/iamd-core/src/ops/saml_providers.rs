//! SAML identity providers: Create/Get/List/Update/DeleteSAMLProvider and their tags. The
//! metadata document is parsed and checked (see `saml_metadata`) before it is stored.

use serde::Deserialize;
use serde_json::{json, Value};

use super::support::input;
use super::tags::{list_tags, merge_tags, tag, tag_context, untag, Tagged};
use super::{iam_op, OpContext, Operation};
use crate::entities::saml_providers::{
    delete_saml_provider, find_saml_provider, save_saml_provider,
};
use crate::error::IamError;
use crate::model::{SamlProvider, Tag};
use crate::saml_metadata;

pub(super) static OPS: &[Operation] = &[
    iam_op("CreateSAMLProvider", create, false),
    iam_op("GetSAMLProvider", get, true),
    iam_op("ListSAMLProviders", list, true),
    iam_op("UpdateSAMLProvider", update, false),
    iam_op("DeleteSAMLProvider", delete, false),
    iam_op(
        "TagSAMLProvider",
        |c, v| tag(c, v, Tagged::SamlProvider),
        false,
    ),
    iam_op(
        "UntagSAMLProvider",
        |c, v| untag(c, v, Tagged::SamlProvider),
        false,
    ),
    iam_op(
        "ListSAMLProviderTags",
        |c, v| list_tags(c, v, Tagged::SamlProvider),
        true,
    ),
];

/// AWS's quota of SAML providers in an account.
const MAX_PROVIDERS: usize = 100;
/// Without `validUntil` in the metadata, a provider is valid for 100 years (iamd's choice:
/// `ValidUntil` is always returned, as AWS returns it).
const DEFAULT_VALIDITY_SECONDS: i64 = 100 * 365 * 86_400;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateInput {
    #[serde(rename = "SAMLMetadataDocument")]
    metadata: String,
    name: String,
    #[serde(default)]
    tags: Vec<Tag>,
    assertion_encryption_mode: Option<String>,
    add_private_key: Option<String>,
}

#[derive(Deserialize)]
struct ArnInput {
    #[serde(rename = "SAMLProviderArn")]
    arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateInput {
    #[serde(rename = "SAMLProviderArn")]
    arn: String,
    #[serde(rename = "SAMLMetadataDocument")]
    metadata: Option<String>,
    assertion_encryption_mode: Option<String>,
    add_private_key: Option<String>,
    remove_private_key: Option<String>,
}

/// Assertion decryption keys are not kept yet: iamd refuses them rather than ignore them.
fn no_private_keys(add: &Option<String>, remove: &Option<String>) -> Result<(), IamError> {
    if add.is_some() || remove.is_some() {
        return Err(IamError::invalid_input(
            "iamd does not support private keys for encrypted SAML assertions.",
        ));
    }
    Ok(())
}

fn valid_until(metadata: &saml_metadata::Metadata, now: i64) -> i64 {
    metadata
        .valid_until
        .unwrap_or(now + DEFAULT_VALIDITY_SECONDS)
}

fn create(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreateInput = input(value)?;
    let arn = ctx.arn("saml-provider", "/", &input.name);
    ctx.authorize_with("iam:CreateSAMLProvider", &arn, &tag_context(&input.tags)?)?;
    no_private_keys(&input.add_private_key, &None)?;
    let metadata = saml_metadata::parse(&input.metadata)?;
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags)?;
    let uuid = crate::crypto::request_id()
        .map_err(|_| IamError::service_failure())?
        .replace('-', "")
        .to_uppercase();
    ctx.write(|txn| {
        if txn.state.saml_providers.contains_key(&arn) {
            return Err(IamError::already_exists(format!(
                "SAMLProvider {} already exists.",
                input.name
            )));
        }
        if txn.state.saml_providers.len() >= MAX_PROVIDERS {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for SAMLProvidersPerAccount: {MAX_PROVIDERS}"
            )));
        }
        save_saml_provider(
            txn,
            SamlProvider {
                name: input.name.clone(),
                arn: arn.clone(),
                uuid,
                metadata: input.metadata.clone(),
                create_date: txn.now,
                valid_until: valid_until(&metadata, txn.now),
                tags: tags.clone(),
                assertion_encryption_mode: input.assertion_encryption_mode.clone(),
            },
        )
    })?;
    let mut out = json!({ "SAMLProviderArn": arn });
    if !tags.is_empty() {
        out["Tags"] = json!(tags);
    }
    Ok(out)
}

fn get(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ArnInput = input(value)?;
    ctx.authorize("iam:GetSAMLProvider", &input.arn)?;
    let provider = find_saml_provider(&ctx.state, &input.arn)?;
    let mut out = json!({
        "SAMLProviderUUID": provider.uuid,
        "SAMLMetadataDocument": provider.metadata,
        "CreateDate": provider.create_date,
        "ValidUntil": provider.valid_until,
        "Tags": provider.tags,
    });
    if let Some(mode) = &provider.assertion_encryption_mode {
        out["AssertionEncryptionMode"] = json!(mode);
    }
    Ok(out)
}

fn list(ctx: &OpContext<'_>, _: &Value) -> Result<Value, IamError> {
    ctx.authorize("iam:ListSAMLProviders", "*")?;
    let providers: Vec<Value> = ctx
        .state
        .saml_providers
        .values()
        .map(|p| json!({"Arn": p.arn, "ValidUntil": p.valid_until, "CreateDate": p.create_date}))
        .collect();
    Ok(json!({ "SAMLProviderList": providers }))
}

fn update(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UpdateInput = input(value)?;
    ctx.authorize("iam:UpdateSAMLProvider", &input.arn)?;
    no_private_keys(&input.add_private_key, &input.remove_private_key)?;
    let metadata = match &input.metadata {
        Some(text) => Some((text.clone(), saml_metadata::parse(text)?)),
        None => None,
    };
    ctx.write(|txn| {
        let mut provider = (*find_saml_provider(&txn.state, &input.arn)?).clone();
        if let Some((text, parsed)) = &metadata {
            provider.metadata = text.clone();
            provider.valid_until = valid_until(parsed, txn.now);
        }
        if let Some(mode) = &input.assertion_encryption_mode {
            provider.assertion_encryption_mode = Some(mode.clone());
        }
        save_saml_provider(txn, provider)
    })?;
    Ok(json!({ "SAMLProviderArn": input.arn }))
}

fn delete(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ArnInput = input(value)?;
    ctx.authorize("iam:DeleteSAMLProvider", &input.arn)?;
    ctx.write(|txn| {
        find_saml_provider(&txn.state, &input.arn)?;
        delete_saml_provider(txn, &input.arn);
        Ok(())
    })?;
    Ok(json!({}))
}
