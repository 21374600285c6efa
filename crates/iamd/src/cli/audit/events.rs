//! `iamd audit events --endpoint-url URL [--since TIME] [--until TIME] [--event-name N]
//! [--user U] [--out FILE]`: exports the event history as JSON Lines, one CloudTrail record a
//! line, newest first, for shipping to a log system.
//!
//! It reads through CloudTrail's LookupEvents, page by page (50 events each, following
//! `NextToken`), writing each page before asking for the next: memory stays constant however
//! many events there are. LookupEvents rather than an admin endpoint because it is AWS's own
//! API: authorized as `cloudtrail:LookupEvents` like any lookup, with AWS's paging and errors,
//! and the same export works against anything that speaks it. LookupEvents takes one lookup
//! attribute: with both `--event-name` and `--user` the user is matched here.
//!
//! Credentials come from the environment as for `iamd mfa import`. Exit codes: 0 exported,
//! 1 the server refused (AccessDenied, bad input), 2 usage, file or network errors.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde_json::{json, Value};

use super::super::signed_http::{credentials_from_env, Endpoint};
use super::super::{fail, ERROR, NO, OK};

const TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

/// Flags of `iamd audit events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// The iamd endpoint, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    endpoint_url: String,
    /// Only events at or after this time (ISO 8601, e.g. 2026-12-01T00:00:00Z, or Unix seconds).
    #[arg(long, value_parser = parse_time)]
    since: Option<i64>,
    /// Only events at or before this time (ISO 8601 or Unix seconds).
    #[arg(long, value_parser = parse_time)]
    until: Option<i64>,
    /// Only events of this name (e.g. CreateUser, ConsoleLogin).
    #[arg(long)]
    event_name: Option<String>,
    /// Only events of this user (the IAM user's name, `root`, or a role session's name).
    #[arg(long)]
    user: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The region to sign for.
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    region: String,
}

/// Unix seconds from ISO 8601 text or a number of seconds.
fn parse_time(text: &str) -> Result<i64, String> {
    if let Ok(secs) = text.parse::<i64>() {
        return Ok(secs);
    }
    let text = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_string()
    };
    iamd_core::time::parse_iso8601(&text).ok_or_else(|| {
        format!("`{text}` is not a time: give YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or Unix seconds")
    })
}

pub fn run(args: &EventsArgs) -> u8 {
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Box::new(file),
            Err(e) => {
                fail(&format!("cannot write {}: {e}", path.display()));
                return ERROR;
            }
        },
        None => Box::new(std::io::stdout().lock()),
    };
    let mut sink = std::io::BufWriter::new(sink);
    match export(args, &mut sink).and_then(|n| {
        sink.flush()
            .map(|()| n)
            .map_err(|e| (ERROR, format!("cannot write the events: {e}")))
    }) {
        Ok(count) => {
            eprintln!("iamd: {count} events exported");
            OK
        }
        Err((code, message)) => {
            fail(&message);
            code
        }
    }
}

/// The body of the first LookupEvents request.
fn first_request(args: &EventsArgs) -> Value {
    let mut request = json!({"MaxResults": 50});
    let attribute = match (&args.event_name, &args.user) {
        (Some(name), _) => Some(("EventName", name)),
        (None, Some(user)) => Some(("Username", user)),
        (None, None) => None,
    };
    if let Some((key, value)) = attribute {
        request["LookupAttributes"] = json!([{"AttributeKey": key, "AttributeValue": value}]);
    }
    if let Some(since) = args.since {
        request["StartTime"] = json!(since);
    }
    if let Some(until) = args.until {
        request["EndTime"] = json!(until);
    }
    request
}

/// Writes every matching event's record as a line; how many.
fn export(args: &EventsArgs, sink: &mut impl Write) -> Result<u64, (u8, String)> {
    let endpoint = Endpoint::parse(&args.endpoint_url).map_err(|e| (ERROR, e))?;
    let credentials = credentials_from_env().map_err(|e| (ERROR, e))?;
    // The user, when the lookup is by event name (LookupEvents takes one attribute).
    let user_filter = args.event_name.as_ref().and(args.user.as_deref());
    let mut request = first_request(args);
    let mut count = 0;
    loop {
        let (status, body) = endpoint
            .json_call(
                &credentials,
                ("cloudtrail", &args.region),
                TARGET,
                &request.to_string(),
            )
            .map_err(|e| (ERROR, format!("{}: {e}", args.endpoint_url)))?;
        let answer: Value = serde_json::from_str(&body)
            .map_err(|_| (ERROR, format!("the server answered {status} without JSON")))?;
        if status != 200 {
            let code = answer["__type"].as_str().unwrap_or("error");
            let message = answer["message"].as_str().unwrap_or_default();
            return Err((NO, format!("{code}: {message}")));
        }
        for event in answer["Events"].as_array().into_iter().flatten() {
            if user_filter.is_some_and(|user| event["Username"].as_str() != Some(user)) {
                continue;
            }
            let Some(record) = event["CloudTrailEvent"].as_str() else {
                continue;
            };
            writeln!(sink, "{record}")
                .map_err(|e| (ERROR, format!("cannot write the events: {e}")))?;
            count += 1;
        }
        match answer["NextToken"].as_str() {
            Some(token) => request["NextToken"] = json!(token),
            None => return Ok(count),
        }
    }
}

#[cfg(test)]
mod tests;
