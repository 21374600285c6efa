use serde_json::json;

use super::{mfa_used, Filter};

#[test]
fn the_filter_becomes_lookup_events_input() {
    let filter = Filter::of(Some(
        "attribute=EventName&value=ConsoleLogin&start=2026-12-07T06%3A40&end=&per_page=10&token=tok",
    ));
    let input = filter.input().unwrap();
    assert_eq!(
        input,
        json!({
            "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}],
            "StartTime": "2026-12-07T06:40:00Z",
            "MaxResults": 10,
            "NextToken": "tok",
        })
    );
    // No value: every event; no token: the first page.
    let all = Filter::of(Some("attribute=Username&value=+&token=")).input();
    assert_eq!(all.unwrap(), json!({}));
}

#[test]
fn unreadable_times_and_page_sizes_are_refused() {
    let error = Filter::of(Some("end=tomorrow")).input().unwrap_err();
    assert!(
        error.starts_with("The end time is not a date and time"),
        "{error}"
    );
    assert!(Filter::of(Some("per_page=many")).input().is_err());
}

#[test]
fn links_keep_the_filter_and_encode_it() {
    let filter = Filter::of(Some("attribute=ResourceName&value=a%26b%3Dc+d"));
    assert_eq!(
        filter.link("x+y/z"),
        "/console/events?attribute=ResourceName&value=a%26b%3Dc%20d&start=&end=&per_page=&token=x%2By/z"
    );
}

#[test]
fn the_form_escapes_what_it_echoes() {
    let filter = Filter::of(Some("attribute=%22%3E&value=%3Cscript%3E"));
    let html = filter.form().into_string();
    assert!(!html.contains("<script>"));
    assert!(html.contains("value=\"&lt;script&gt;\""));
    // An unknown attribute selects none of the offered ones.
    assert!(!html.contains("selected"));
}

#[test]
fn mfa_used_comes_from_the_sign_in_or_the_session() {
    let sign_in = json!({"additionalEventData": {"MFAUsed": "No"}});
    assert_eq!(mfa_used(&sign_in), "No");
    let session = |v: &str| json!({"userIdentity": {"sessionContext": {"attributes": {"mfaAuthenticated": v}}}});
    assert_eq!(mfa_used(&session("true")), "Yes");
    assert_eq!(mfa_used(&session("false")), "No");
    // A long-term access key's call: the record does not say.
    assert_eq!(mfa_used(&json!({"userIdentity": {"type": "IAMUser"}})), "");
}
