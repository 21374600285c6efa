//! CloudTrail's LookupEvents: the event history (every recorded call and sign-in, of any
//! event source), newest first, looked up by one attribute and a time range, paged with an
//! opaque `NextToken` sealed with the account's key (a forged token, or one from another
//! lookup, is refused).

use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::support::input;
use super::{Auth, OpContext, Operation};
use crate::error::IamError;
use crate::store::{AuditQuery, AuditRecord, ParameterMatch};

pub(super) static OPS: &[Operation] = &[Operation {
    service: &crate::service::CLOUDTRAIL,
    name: "LookupEvents",
    auth: Auth::Policy,
    handler: lookup_events,
    read_only: true,
}];

/// The most events a page holds, and the default (AWS's).
const MAX_RESULTS: i64 = 50;

/// The lookup attribute keys CloudTrail accepts.
const ATTRIBUTE_KEYS: &[&str] = &[
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
];

/// The request parameters that name a resource, and the resource's type: LookupEvents'
/// `Resources`, and what `ResourceType` / `ResourceName` look up. Names are as the request
/// gave them (a user's name, a policy's ARN), as CloudTrail's event history shows them.
pub const RESOURCE_PARAMETERS: &[(&str, &str)] = &[
    ("userName", "AWS::IAM::User"),
    ("newUserName", "AWS::IAM::User"),
    ("groupName", "AWS::IAM::Group"),
    ("newGroupName", "AWS::IAM::Group"),
    ("roleName", "AWS::IAM::Role"),
    ("roleArn", "AWS::IAM::Role"),
    ("policyArn", "AWS::IAM::Policy"),
    ("instanceProfileName", "AWS::IAM::InstanceProfile"),
    ("accessKeyId", "AWS::IAM::AccessKey"),
    ("serialNumber", "AWS::IAM::MFADevice"),
];

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Input {
    #[serde(default)]
    lookup_attributes: Vec<Attribute>,
    start_time: Option<String>,
    end_time: Option<String>,
    event_category: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Attribute {
    attribute_key: Option<String>,
    attribute_value: Option<String>,
}

fn invalid_attributes(message: impl Into<String>) -> IamError {
    IamError::new("InvalidLookupAttributesException", 400, message)
}

fn lookup_events(ctx: &OpContext<'_>, raw: &Value) -> Result<Value, IamError> {
    ctx.authorize("cloudtrail:LookupEvents", "*")?;
    let input: Input = input(raw)?;
    // AWS's messages for these errors are not documented; these say what is wrong.
    let max_results = input.max_results.unwrap_or(MAX_RESULTS);
    if !(1..=MAX_RESULTS).contains(&max_results) {
        return Err(IamError::new(
            "InvalidMaxResultsException",
            400,
            format!("MaxResults must be between 1 and {MAX_RESULTS}; {max_results} is not valid."),
        ));
    }
    let time = |t: &Option<String>| t.as_deref().and_then(crate::time::parse_iso8601);
    let (start, end) = (time(&input.start_time), time(&input.end_time));
    if let (Some(start), Some(end)) = (start, end) {
        if start > end {
            return Err(IamError::new(
                "InvalidTimeRangeException",
                400,
                "The start time must be before the end time.",
            ));
        }
    }
    let mut query = AuditQuery {
        start,
        end,
        ..Default::default()
    };
    apply_attributes(&mut query, &input.lookup_attributes)?;
    let scope = token_scope(&query, input.event_category.as_deref());
    match input.event_category.as_deref() {
        None => {}
        // iamd records no Insights events.
        Some("insight") => return Ok(json!({"Events": []})),
        Some(other) => {
            return Err(IamError::new(
                "InvalidEventCategoryException",
                400,
                format!("Event category {other} is not valid. The only valid value is insight."),
            ))
        }
    }
    if let Some(token) = &input.next_token {
        query.before = Some(open_token(ctx, token, &scope)?);
    }
    query.limit = usize::try_from(max_results).unwrap_or(50) + 1;
    // The records of reads and failed calls wait in memory for the next flush: write them
    // first, so that a lookup sees every call answered before it (AWS delivers events minutes
    // later; a self-hosted trail has no reason to).
    ctx.account.flush_deferred()?;
    let mut found = ctx.account.audit_lookup(&query)?;
    let more = found.len() > usize::try_from(max_results).unwrap_or(50);
    found.truncate(query.limit - 1);
    let next_token = match (more, found.last()) {
        (true, Some((position, last))) => {
            Some(seal_token(ctx, (last.event_time, *position), &scope)?)
        }
        _ => None,
    };
    let events: Vec<Value> = found.iter().map(|(_, record)| event(record)).collect();
    let mut output = json!({"Events": events});
    if let Some(token) = next_token {
        output["NextToken"] = Value::String(token);
    }
    Ok(output)
}

/// Narrows `query` by the lookup attributes (at most one, as AWS allows).
fn apply_attributes(query: &mut AuditQuery, attributes: &[Attribute]) -> Result<(), IamError> {
    let attribute = match attributes {
        [] => return Ok(()),
        [one] => one,
        _ => {
            return Err(invalid_attributes(
                "You can specify only one lookup attribute.",
            ))
        }
    };
    let key = attribute.attribute_key.as_deref().unwrap_or_default();
    if !ATTRIBUTE_KEYS.contains(&key) {
        return Err(invalid_attributes(format!(
            "The attribute key {key} is not valid. Valid keys: {}.",
            ATTRIBUTE_KEYS.join(", ")
        )));
    }
    let value = attribute.attribute_value.clone().unwrap_or_default();
    if value.is_empty() || value.chars().count() > 2000 {
        return Err(invalid_attributes(
            "The attribute value must be 1 to 2000 characters long.",
        ));
    }
    match key {
        "EventId" => query.event_id = Some(value),
        "EventName" => query.event_name = Some(value),
        "Username" => query.username = Some(value),
        "EventSource" => query.event_source = Some(value),
        "AccessKeyId" => query.access_key_id = Some(value),
        "ReadOnly" => {
            query.read_only = Some(match value.as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(invalid_attributes(
                        "The value of the ReadOnly attribute must be true or false.",
                    ))
                }
            })
        }
        "ResourceType" => {
            let names: Vec<String> = RESOURCE_PARAMETERS
                .iter()
                .filter(|(_, kind)| *kind == value)
                .map(|(name, _)| name.to_string())
                .collect();
            query.parameter = Some(ParameterMatch { names, value: None });
        }
        // "ResourceName"
        _ => {
            let names = RESOURCE_PARAMETERS.iter().map(|(n, _)| n.to_string());
            query.parameter = Some(ParameterMatch {
                names: names.collect(),
                value: Some(value),
            });
        }
    }
    Ok(())
}

/// One event of the answer, from its record: the lookup fields and the record itself as
/// `CloudTrailEvent` (a JSON string, as AWS returns it).
fn event(record: &AuditRecord) -> Value {
    let body: Value = serde_json::from_str(&record.body).unwrap_or(Value::Null);
    let mut event = json!({
        "EventId": record.event_id,
        "EventName": record.event_name,
        "EventTime": crate::time::iso8601(record.event_time),
        "EventSource": record.event_source,
        "Username": record.username,
        "Resources": resources(&body["requestParameters"]),
        "CloudTrailEvent": record.body,
    });
    if let Some(read_only) = body["readOnly"].as_bool() {
        event["ReadOnly"] = Value::String(read_only.to_string());
    }
    if let Some(key) = body["userIdentity"]["accessKeyId"]
        .as_str()
        .filter(|k| !k.is_empty())
    {
        event["AccessKeyId"] = Value::String(key.to_string());
    }
    event
}

/// The resources a call's request parameters name.
fn resources(parameters: &Value) -> Vec<Value> {
    RESOURCE_PARAMETERS
        .iter()
        .filter_map(|(name, kind)| {
            let value = parameters.get(*name)?.as_str()?;
            (value != crate::audit::HIDDEN)
                .then(|| json!({"ResourceType": kind, "ResourceName": value}))
        })
        .collect()
}

/// What a `NextToken` is bound to: the lookup's conditions (not its page size, which may
/// change between pages).
fn token_scope(query: &AuditQuery, category: Option<&str>) -> String {
    format!("iamd LookupEvents NextToken v1\n{query:?}\n{category:?}")
}

const TOKEN_ENCODING: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A `NextToken` for paging on after (event time, position), sealed to `scope`.
fn seal_token(ctx: &OpContext<'_>, after: (i64, i64), scope: &str) -> Result<String, IamError> {
    let plain = format!("{} {}", after.0, after.1);
    let sealed = ctx
        .account
        .sealing
        .seal(plain.as_bytes(), scope.as_bytes())
        .map_err(|_| IamError::service_failure())?;
    Ok(TOKEN_ENCODING.encode(sealed))
}

/// Opens a `NextToken`: only one this account sealed for the same lookup opens.
fn open_token(ctx: &OpContext<'_>, token: &str, scope: &str) -> Result<(i64, i64), IamError> {
    let invalid = || {
        IamError::new(
            "InvalidNextTokenException",
            400,
            "The NextToken is not valid for this request. Repeat the request that returned it, with the same parameters.",
        )
    };
    let sealed = TOKEN_ENCODING.decode(token).map_err(|_| invalid())?;
    let plain = ctx
        .account
        .sealing
        .open(&sealed, scope.as_bytes())
        .map_err(|_| invalid())?;
    let text = std::str::from_utf8(&plain).map_err(|_| invalid())?;
    let (time, position) = text.split_once(' ').ok_or_else(invalid)?;
    Ok((
        time.parse().map_err(|_| invalid())?,
        position.parse().map_err(|_| invalid())?,
    ))
}
