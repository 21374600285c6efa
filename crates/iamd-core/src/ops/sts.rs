//! STS: GetCallerIdentity (needs no permission), GetAccessKeyInfo and
//! DecodeAuthorizationMessage.

use serde::Deserialize;
use serde_json::{json, Value};

use super::support::input;
use super::{Auth, OpContext, Operation};
use crate::error::IamError;

pub(super) static OPS: &[Operation] = &[
    Operation {
        service: &crate::service::STS,
        name: "GetCallerIdentity",
        auth: Auth::None,
        handler: get_caller_identity,
        read_only: true,
    },
    Operation {
        service: &crate::service::STS,
        name: "GetAccessKeyInfo",
        auth: Auth::Policy,
        handler: get_access_key_info,
        read_only: true,
    },
    Operation {
        service: &crate::service::STS,
        name: "DecodeAuthorizationMessage",
        auth: Auth::Policy,
        handler: decode_authorization_message,
        read_only: true,
    },
];

fn get_caller_identity(ctx: &OpContext<'_>, _: &Value) -> Result<Value, IamError> {
    Ok(json!({
        "UserId": ctx.caller.user_id,
        "Account": ctx.account_id(),
        "Arn": ctx.caller.principal.arn,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyInfoInput {
    access_key_id: String,
}

fn get_access_key_info(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: KeyInfoInput = input(value)?;
    ctx.authorize("sts:GetAccessKeyInfo", "*")?;
    // iamd knows its own keys only; AWS decodes the account from any key id. Unknown keys
    // get an error rather than a guessed account (the safer answer).
    if !ctx.state.access_keys.contains_key(&input.access_key_id) {
        return Err(IamError::validation(format!(
            "The access key ID {} is not known to this iamd account.",
            input.access_key_id
        )));
    }
    Ok(json!({ "Account": ctx.account_id() }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DecodeInput {
    encoded_message: String,
}

/// Opens an encoded authorization failure message of this account (see `authz_message`).
fn decode_authorization_message(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: DecodeInput = input(value)?;
    ctx.authorize("sts:DecodeAuthorizationMessage", "*")?;
    let decoded = crate::authz_message::open(
        &ctx.account.sealing,
        ctx.account_id(),
        &input.encoded_message,
    )?;
    Ok(json!({ "DecodedMessage": decoded }))
}
