//! OpenID Connect providers: Create/Get/List/DeleteOpenIDConnectProvider,
//! Add/RemoveClientID, UpdateOpenIDConnectProviderThumbprint (tags: `tags`). The issuers
//! whose tokens AssumeRoleWithWebIdentity accepts (`web_identity.rs`).
//!
//! AWS's rules and texts (the API reference, and AWS answers recorded by others):
//! - the URL begins with `https://`, has a host, no query or fragment; the provider is stored
//!   and shown without the scheme and its ARN is `oidc-provider/HOST/PATH`. AWS's reference
//!   says the URL "should not contain a port number"; iamd accepts one (self-hosted issuers
//!   often listen on one), which then is part of HOST;
//! - one provider per URL: EntityAlreadyExists "Provider with url URL already exists.";
//! - at most 100 client ids (LimitExceeded "Cannot exceed quota for
//!   ClientIdsPerOpenIdConnectProvider: 100") and 5 thumbprints (InvalidInput "Thumbprint list
//!   must contain fewer than 5 entries."), 100 providers per account;
//! - an unknown ARN: NoSuchEntity "OpenIDConnect Provider not found for arn ARN";
//! - DeleteOpenIDConnectProvider of a provider that does not exist is NoSuchEntity "OpenId
//!   connect Provider ARN cannot be found." (AWS's answer recorded in LocalStack's AWS-validated
//!   `test_iam_oidc.snapshot.json`, `test_delete_open_id_connect_provider`; the API reference
//!   calls the operation idempotent, AWS is not); RemoveClientIDFromOpenIDConnectProvider is
//!   idempotent for a client id that is not listed (the API reference); adding a client id
//!   already listed changes nothing.

use serde::Deserialize;
use serde_json::{json, Value};

use super::support::input;
use super::tags::{list_tags, merge_tags, tag, tag_context, untag, Tagged};
use super::{iam_op as op, OpContext, Operation};
use crate::entities::oidc_providers::{
    delete_provider, find_provider, provider_arn, save_provider,
};
use crate::error::IamError;
use crate::model::{OidcProvider, Tag};

pub(super) static OPS: &[Operation] = &[
    op("CreateOpenIDConnectProvider", create_provider, false),
    op("GetOpenIDConnectProvider", get_provider, true),
    op("ListOpenIDConnectProviders", list_providers, true),
    op("DeleteOpenIDConnectProvider", delete, false),
    op("AddClientIDToOpenIDConnectProvider", add_client_id, false),
    op(
        "RemoveClientIDFromOpenIDConnectProvider",
        remove_client_id,
        false,
    ),
    op(
        "UpdateOpenIDConnectProviderThumbprint",
        update_thumbprints,
        false,
    ),
    op(
        "TagOpenIDConnectProvider",
        |c, v| tag(c, v, Tagged::OidcProvider),
        false,
    ),
    op(
        "UntagOpenIDConnectProvider",
        |c, v| untag(c, v, Tagged::OidcProvider),
        false,
    ),
    op(
        "ListOpenIDConnectProviderTags",
        |c, v| list_tags(c, v, Tagged::OidcProvider),
        true,
    ),
];

/// AWS's quotas.
pub(crate) const MAX_PROVIDERS: usize = 100;
pub(crate) const MAX_CLIENT_IDS: usize = 100;
pub(crate) const MAX_THUMBPRINTS: usize = 5;

/// The URL without `https://` (`HOST/PATH`), or AWS's ValidationError.
pub(crate) fn provider_url(url: &str) -> Result<String, IamError> {
    let invalid = || IamError::validation("Invalid Open ID Connect Provider URL");
    let rest = url.strip_prefix("https://").ok_or_else(invalid)?;
    let host = rest.split('/').next().unwrap_or_default();
    let bad_char = |c: char| c.is_whitespace() || c.is_control() || "?#@\\".contains(c);
    let port_ok = host
        .split_once(':')
        .is_none_or(|(name, port)| !name.is_empty() && port.parse::<u16>().is_ok());
    if host.is_empty() || !port_ok || rest.contains(bad_char) {
        return Err(invalid());
    }
    Ok(rest.to_string())
}

/// Thumbprints as AWS takes them: at most five, each 40 hex digits (the model checks the
/// length; iamd also refuses non-hex text, which cannot be a SHA-1 digest).
fn checked_thumbprints(list: Vec<String>) -> Result<Vec<String>, IamError> {
    if list.len() > MAX_THUMBPRINTS {
        return Err(IamError::invalid_input(format!(
            "Thumbprint list must contain fewer than {MAX_THUMBPRINTS} entries."
        )));
    }
    if let Some(bad) = list
        .iter()
        .find(|t| !t.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(IamError::invalid_input(format!(
            "Thumbprint {bad} is not a 40-character hexadecimal SHA-1 digest."
        )));
    }
    Ok(list)
}

/// Client ids, each once, at most 100.
fn checked_client_ids(list: Vec<String>) -> Result<Vec<String>, IamError> {
    let mut unique: Vec<String> = Vec::with_capacity(list.len());
    for id in list {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    if unique.len() > MAX_CLIENT_IDS {
        return Err(too_many_client_ids());
    }
    Ok(unique)
}

fn too_many_client_ids() -> IamError {
    IamError::limit_exceeded(format!(
        "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}"
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateInput {
    url: String,
    #[serde(rename = "ClientIDList", default)]
    client_id_list: Vec<String>,
    #[serde(default)]
    thumbprint_list: Vec<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

fn create_provider(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreateInput = input(value)?;
    let url = provider_url(&input.url)?;
    let arn = provider_arn(ctx.account_id(), &url);
    ctx.authorize_with(
        "iam:CreateOpenIDConnectProvider",
        &arn,
        &tag_context(&input.tags)?,
    )?;
    let thumbprints = checked_thumbprints(input.thumbprint_list)?;
    let client_ids = checked_client_ids(input.client_id_list)?;
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags)?;
    let provider = ctx.write(|txn| {
        if txn.state.oidc_providers.contains_key(&arn) {
            return Err(IamError::already_exists(format!(
                "Provider with url {} already exists.",
                input.url
            )));
        }
        if txn.state.oidc_providers.len() >= MAX_PROVIDERS {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for OpenIdConnectProvidersPerAccount: {MAX_PROVIDERS}"
            )));
        }
        let provider = OidcProvider {
            url,
            arn: arn.clone(),
            create_date: txn.now,
            client_ids,
            thumbprints,
            tags,
        };
        save_provider(txn, provider.clone())?;
        Ok(provider)
    })?;
    let mut out = json!({ "OpenIDConnectProviderArn": provider.arn });
    if !provider.tags.is_empty() {
        out["Tags"] = json!(provider.tags);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ArnInput {
    #[serde(rename = "OpenIDConnectProviderArn")]
    arn: String,
}

fn get_provider(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ArnInput = input(value)?;
    ctx.authorize("iam:GetOpenIDConnectProvider", &input.arn)?;
    let provider = find_provider(&ctx.state, &input.arn)?;
    let mut out = json!({
        "Url": provider.url,
        "ClientIDList": provider.client_ids,
        "ThumbprintList": provider.thumbprints,
        "CreateDate": provider.create_date,
    });
    if !provider.tags.is_empty() {
        out["Tags"] = json!(provider.tags);
    }
    Ok(out)
}

/// Authorized on `*`: the action names no resource type (AWS's service authorization
/// reference).
fn list_providers(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let _: serde::de::IgnoredAny = input(value)?;
    ctx.authorize("iam:ListOpenIDConnectProviders", "*")?;
    let list: Vec<Value> = ctx
        .state
        .oidc_providers
        .keys()
        .map(|arn| json!({ "Arn": arn }))
        .collect();
    Ok(json!({ "OpenIDConnectProviderList": list }))
}

fn delete(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ArnInput = input(value)?;
    ctx.authorize("iam:DeleteOpenIDConnectProvider", &input.arn)?;
    ctx.write(|txn| {
        if find_provider(&txn.state, &input.arn).is_err() {
            return Err(IamError::no_such_entity(format!(
                "OpenId connect Provider {} cannot be found.",
                input.arn
            )));
        }
        delete_provider(txn, &input.arn);
        Ok(())
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ClientIdInput {
    #[serde(rename = "OpenIDConnectProviderArn")]
    arn: String,
    #[serde(rename = "ClientID")]
    client_id: String,
}

/// Changes a provider in a write: NoSuchEntity when it does not exist.
fn change_provider(
    ctx: &OpContext<'_>,
    arn: &str,
    change: impl FnOnce(&mut OidcProvider) -> Result<(), IamError>,
) -> Result<Value, IamError> {
    ctx.write(|txn| {
        let mut provider = (*find_provider(&txn.state, arn)?).clone();
        change(&mut provider)?;
        save_provider(txn, provider)
    })?;
    Ok(json!({}))
}

fn add_client_id(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ClientIdInput = input(value)?;
    ctx.authorize("iam:AddClientIDToOpenIDConnectProvider", &input.arn)?;
    change_provider(ctx, &input.arn, |provider| {
        if provider.client_ids.contains(&input.client_id) {
            return Ok(());
        }
        if provider.client_ids.len() >= MAX_CLIENT_IDS {
            return Err(too_many_client_ids());
        }
        provider.client_ids.push(input.client_id);
        Ok(())
    })
}

fn remove_client_id(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ClientIdInput = input(value)?;
    ctx.authorize("iam:RemoveClientIDFromOpenIDConnectProvider", &input.arn)?;
    change_provider(ctx, &input.arn, |provider| {
        provider.client_ids.retain(|id| *id != input.client_id);
        Ok(())
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ThumbprintInput {
    #[serde(rename = "OpenIDConnectProviderArn")]
    arn: String,
    thumbprint_list: Vec<String>,
}

fn update_thumbprints(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ThumbprintInput = input(value)?;
    ctx.authorize("iam:UpdateOpenIDConnectProviderThumbprint", &input.arn)?;
    let thumbprints = checked_thumbprints(input.thumbprint_list)?;
    change_provider(ctx, &input.arn, |provider| {
        provider.thumbprints = thumbprints;
        Ok(())
    })
}
