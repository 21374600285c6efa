//! Outbound identity federation, the IAM side: Enable/DisableOutboundWebIdentityFederation
//! and GetOutboundWebIdentityFederationInfo (see [`crate::outbound`]). None names a
//! resource: each is authorized on `*`.
//!
//! Behaviour chosen where AWS leaves room:
//! - The issuer URL and the signing keys are made by the first Enable and kept by Disable;
//!   enabling again reuses them (the issuer is "unique" to the account, and tokens issued
//!   before a Disable stay verifiable).
//! - GetOutboundWebIdentityFederationInfo answers FeatureDisabled only when the feature was
//!   never enabled; after a Disable it returns the issuer with `JwtVendingEnabled` false.
//! - The error texts are the API reference's descriptions of the errors (AWS's own wording
//!   is not recorded anywhere public).

use std::sync::Arc;

use serde_json::{json, Value};

use super::{iam_op, OpContext, Operation};
use crate::entities::Kind;
use crate::error::IamError;
use crate::outbound::{Alg, OutboundFederation, SigningKey, RECORD_KEY};

pub(super) static OPS: &[Operation] = &[
    iam_op("EnableOutboundWebIdentityFederation", enable, false),
    iam_op("DisableOutboundWebIdentityFederation", disable, false),
    iam_op("GetOutboundWebIdentityFederationInfo", info, true),
];

fn already_enabled() -> IamError {
    IamError::new(
        "FeatureEnabled",
        409,
        "The request failed because outbound identity federation is already enabled for your \
         AWS account. You cannot enable the feature multiple times. To fetch the current \
         configuration (including the unique issuer URL), use the \
         GetOutboundWebIdentityFederationInfo operation.",
    )
}

fn already_disabled() -> IamError {
    IamError::new(
        "FeatureDisabled",
        404,
        "The request failed because outbound identity federation is already disabled for your \
         AWS account. You cannot disable the feature multiple times",
    )
}

fn never_enabled() -> IamError {
    IamError::new(
        "FeatureDisabled",
        404,
        "Outbound identity federation has never been enabled for your AWS account. Enable it \
         with EnableOutboundWebIdentityFederation.",
    )
}

fn enabled(setting: Option<&Arc<OutboundFederation>>) -> bool {
    setting.is_some_and(|s| s.enabled)
}

fn enable(ctx: &OpContext<'_>, _: &Value) -> Result<Value, IamError> {
    ctx.authorize("iam:EnableOutboundWebIdentityFederation", "*")?;
    if enabled(ctx.state.outbound_federation.as_ref()) {
        return Err(already_enabled());
    }
    // Keys are made outside the write (an RSA key takes a moment), and only when the account
    // has none yet.
    let fresh = match &ctx.state.outbound_federation {
        Some(_) => Vec::new(),
        None => new_keys(ctx)?,
    };
    let issuer = ctx.account.outbound_issuer();
    ctx.write(|txn| {
        let current = txn.state.outbound_federation.clone();
        if enabled(current.as_ref()) {
            return Err(already_enabled());
        }
        let setting = OutboundFederation {
            enabled: true,
            first_enabled: current.as_ref().map_or(txn.now, |c| c.first_enabled),
            keys: match &current {
                Some(c) if !c.keys.is_empty() => c.keys.clone(),
                _ => fresh,
            },
        };
        txn.put(Kind::OutboundFederation, RECORD_KEY, &setting)?;
        txn.state.outbound_federation = Some(Arc::new(setting));
        ctx.record_response(json!({ "IssuerIdentifier": issuer }));
        Ok(())
    })?;
    Ok(json!({ "IssuerIdentifier": issuer }))
}

/// One signing key per algorithm.
fn new_keys(ctx: &OpContext<'_>) -> Result<Vec<SigningKey>, IamError> {
    Alg::ALL
        .into_iter()
        .map(|alg| {
            SigningKey::generate(alg, &ctx.account.sealing, ctx.now).map_err(|e| {
                tracing::error!(target: "iamd", "cannot make a token signing key: {e}");
                IamError::service_failure()
            })
        })
        .collect()
}

fn disable(ctx: &OpContext<'_>, _: &Value) -> Result<Value, IamError> {
    ctx.authorize("iam:DisableOutboundWebIdentityFederation", "*")?;
    if !enabled(ctx.state.outbound_federation.as_ref()) {
        return Err(already_disabled());
    }
    ctx.write(|txn| {
        let Some(current) = txn.state.outbound_federation.clone().filter(|c| c.enabled) else {
            return Err(already_disabled());
        };
        let setting = OutboundFederation {
            enabled: false,
            ..(*current).clone()
        };
        txn.put(Kind::OutboundFederation, RECORD_KEY, &setting)?;
        txn.state.outbound_federation = Some(Arc::new(setting));
        Ok(())
    })?;
    Ok(json!({}))
}

fn info(ctx: &OpContext<'_>, _: &Value) -> Result<Value, IamError> {
    ctx.authorize("iam:GetOutboundWebIdentityFederationInfo", "*")?;
    let setting = ctx
        .state
        .outbound_federation
        .as_ref()
        .ok_or_else(never_enabled)?;
    Ok(json!({
        "IssuerIdentifier": ctx.account.outbound_issuer(),
        "JwtVendingEnabled": setting.enabled,
    }))
}
