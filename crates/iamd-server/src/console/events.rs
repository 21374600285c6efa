//! CloudTrail's "Event history": the events of the account, newest first, filtered by one
//! lookup attribute and a time range, paged with LookupEvents' `NextToken`, and one event's
//! whole record. Each page is the `cloudtrail:LookupEvents` operation run as the signed-in
//! user, so a user without that permission sees the explained denial.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde_json::{json, Value};

use super::admin::{segment, status_of};
use super::denial::render_error;
use super::templates;
use super::visit::{Active, Signed};
use super::{Console, Shared};

/// The lookup attributes the form offers: LookupEvents' key, and its label.
const ATTRIBUTES: &[(&str, &str)] = &[
    ("EventName", "Event name"),
    ("Username", "User name"),
    ("EventSource", "Event source"),
    ("ReadOnly", "Read-only"),
    ("AccessKeyId", "Access key ID"),
    ("ResourceType", "Resource type"),
    ("ResourceName", "Resource name"),
    ("EventId", "Event ID"),
];

/// The page sizes offered; LookupEvents' largest (and default) is 50.
const PAGE_SIZES: &[&str] = &["50", "25", "10"];

/// The filter of the history page, as the query string gave it.
#[derive(Default)]
struct Filter {
    attribute: String,
    value: String,
    start: String,
    end: String,
    per_page: String,
    /// LookupEvents' `NextToken` of the page shown (none: the first).
    token: String,
}

impl Filter {
    fn of(query: Option<&str>) -> Filter {
        let pairs = iamd_wire::parse_form(query.unwrap_or("").as_bytes()).unwrap_or_default();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map_or(String::new(), |(_, v)| v.trim().to_string())
        };
        Filter {
            attribute: get("attribute"),
            value: get("value"),
            start: get("start"),
            end: get("end"),
            per_page: get("per_page"),
            token: get("token"),
        }
    }

    /// LookupEvents' input for this filter and page. Times are read as a browser's
    /// `datetime-local` field sends them (`2026-12-07T06:40`, taken as UTC) or any ISO 8601
    /// form, and passed on exactly (`2026-12-07T06:40:00Z`); a time the page cannot read is
    /// refused here rather than ignored.
    fn input(&self) -> Result<Value, String> {
        let mut input = json!({});
        if !self.value.is_empty() {
            input["LookupAttributes"] =
                json!([{"AttributeKey": self.attribute, "AttributeValue": self.value}]);
        }
        for (name, label, text) in [
            ("StartTime", "start", &self.start),
            ("EndTime", "end", &self.end),
        ] {
            if text.is_empty() {
                continue;
            }
            let Some(seconds) = iamd_time::parse_iso8601(text) else {
                return Err(format!(
                    "The {label} time is not a date and time (YYYY-MM-DDTHH:MM, in UTC)."
                ));
            };
            input[name] = json!(iamd_core::time::iso8601(seconds));
        }
        if !self.per_page.is_empty() {
            let size: i64 = self
                .per_page
                .parse()
                .map_err(|_| "The page size is not a number.".to_string())?;
            input["MaxResults"] = json!(size);
        }
        if !self.token.is_empty() {
            input["NextToken"] = json!(self.token);
        }
        Ok(input)
    }

    /// The address of this filter's page after `token` (empty: the first page).
    fn link(&self, token: &str) -> String {
        let mut query = format!(
            "/console/events?attribute={}&value={}&start={}&end={}&per_page={}",
            segment(&self.attribute),
            segment(&self.value),
            segment(&self.start),
            segment(&self.end),
            segment(&self.per_page),
        );
        if !token.is_empty() {
            query.push_str(&format!("&token={}", segment(token)));
        }
        query
    }

    /// The filter form (GET: it changes nothing, and its pages can be linked).
    fn form(&self) -> Markup {
        let chosen = if self.attribute.is_empty() {
            "EventName"
        } else {
            self.attribute.as_str()
        };
        html! {
            form.filter method="get" action="/console/events" {
                div.field {
                    label for="attribute" { "Lookup attribute" }
                    select #attribute name="attribute" {
                        @for (key, label) in ATTRIBUTES {
                            option value=(key) selected[*key == chosen] { (label) }
                        }
                    }
                }
                div.field {
                    label for="value" { "Attribute value" }
                    input #value name="value" type="text" value=(self.value) autocomplete="off";
                    small { "Empty: every event. Read-only: true or false. Resource type: e.g. AWS::IAM::User." }
                }
                div.field {
                    label for="start" { "From (UTC)" }
                    input #start name="start" type="datetime-local" value=(self.start);
                }
                div.field {
                    label for="end" { "To (UTC)" }
                    input #end name="end" type="datetime-local" value=(self.end);
                }
                div.field {
                    label for="per_page" { "Events per page" }
                    select #per_page name="per_page" {
                        @for size in PAGE_SIZES {
                            option value=(size) selected[*size == self.per_page] { (size) }
                        }
                    }
                }
                button type="submit" { "Look up events" }
            }
        }
    }
}

/// `GET /console/events`: the filter form and a page of events.
pub(crate) async fn history(
    State(console): Shared,
    RawQuery(query): RawQuery,
    Active(signed): Active,
) -> Response {
    let filter = Filter::of(query.as_deref());
    let (status, found) = match filter.input() {
        Err(message) => (StatusCode::BAD_REQUEST, templates::error(&message)),
        Ok(input) => match lookup(&console, &signed, input).await {
            Ok(out) => (StatusCode::OK, events_table(&filter, &out)),
            Err(refused) => refused,
        },
    };
    let body = html! {
        (filter.form())
        (found)
    };
    console.render(&signed, status, "Event history", body)
}

/// LookupEvents as the signed-in user; its error (a denial, explained) as the page shows it.
async fn lookup(
    console: &Console,
    signed: &Signed,
    input: Value,
) -> Result<Value, (StatusCode, Markup)> {
    console
        .call_service(signed, "cloudtrail", "LookupEvents", input)
        .await
        .map_err(|e| (status_of(&e), render_error(&e, &console.situation(signed))))
}

/// `CloudTrailEvent` (the record, a JSON string) of `event`, parsed.
fn record(event: &Value) -> Value {
    event["CloudTrailEvent"]
        .as_str()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(Value::Null)
}

/// Whether the event's caller used MFA, where the record says: a sign-in's `MFAUsed`, or
/// the `mfaAuthenticated` of a call made with a session (console or temporary credentials).
fn mfa_used(record: &Value) -> &str {
    let session = &record["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"];
    match (
        record["additionalEventData"]["MFAUsed"].as_str(),
        session.as_str(),
    ) {
        (Some(used), _) => used,
        (None, Some("true")) => "Yes",
        (None, Some("false")) => "No",
        _ => "",
    }
}

fn events_table(filter: &Filter, out: &Value) -> Markup {
    let events = out["Events"].as_array().cloned().unwrap_or_default();
    let next = out["NextToken"].as_str().unwrap_or("");
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    html! {
        @if events.is_empty() {
            p { "No events match." }
        } @else {
            table.events {
                tr {
                    th { "Event time" } th { "User name" } th { "Event name" }
                    th { "Event source" } th { "Error code" } th { "MFA used" }
                }
                @for event in &events {
                    @let body = record(event);
                    tr {
                        td { (s(&event["EventTime"])) }
                        td { (s(&event["Username"])) }
                        td { a href={ "/console/events/" (segment(&s(&event["EventId"]))) } { (s(&event["EventName"])) } }
                        td { (s(&event["EventSource"])) }
                        td { (s(&body["errorCode"])) }
                        td { (mfa_used(&body)) }
                    }
                }
            }
        }
        nav.pages {
            @if !next.is_empty() {
                a.button href=(filter.link(next)) rel="next" { "Next page" }
                " "
            }
            a href=(filter.link("")) { "First page" }
        }
    }
}

/// `GET /console/events/ID`: one event, its lookup fields and its whole record.
pub(crate) async fn detail(
    State(console): Shared,
    Path(id): Path<String>,
    Active(signed): Active,
) -> Response {
    let input = json!({"LookupAttributes": [{"AttributeKey": "EventId", "AttributeValue": id}]});
    let (status, body) = match lookup(&console, &signed, input).await {
        Err(refused) => refused,
        Ok(out) => match out["Events"].as_array().and_then(|e| e.first()) {
            None => (
                StatusCode::NOT_FOUND,
                templates::error(&format!("No event with ID {id} is in the event history.")),
            ),
            Some(event) => (StatusCode::OK, event_view(event)),
        },
    };
    let body = html! {
        (body)
        p { a href="/console/events" { "Back to the event history" } }
    };
    console.render(&signed, status, "Event", body)
}

fn event_view(event: &Value) -> Markup {
    let body = record(event);
    let pretty = serde_json::to_string_pretty(&body).unwrap_or_default();
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    html! {
        table {
            @for (label, value) in [
                ("Event name", s(&event["EventName"])),
                ("Event time", s(&event["EventTime"])),
                ("User name", s(&event["Username"])),
                ("Event source", s(&event["EventSource"])),
                ("Event ID", s(&event["EventId"])),
                ("Access key ID", s(&event["AccessKeyId"])),
                ("Read-only", s(&event["ReadOnly"])),
                ("Source IP address", s(&body["sourceIPAddress"])),
                ("Error code", s(&body["errorCode"])),
                ("MFA used", mfa_used(&body).to_string()),
            ] {
                @if !value.is_empty() {
                    tr { th { (label) } td { (value) } }
                }
            }
        }
        h2 { "Event record" }
        pre.record { code { (pretty) } }
    }
}

#[cfg(test)]
mod tests;
