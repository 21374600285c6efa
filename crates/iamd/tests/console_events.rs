//! The console's event history against a real `iamd serve`, over raw HTTP: a user signs in
//! without MFA and, once a device is enabled, with MFA; `aws cloudtrail lookup-events` (the
//! AWS CLI) returns both ConsoleLogin events newest first with their `MFAUsed`, and
//! `/console/events` lists them to a user allowed `cloudtrail:LookupEvents` (filter, paging,
//! each event's record) while a user without it gets the explained denial.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use support::cli::Cli;
use support::console::{request, sign_in, submit, Answer};
use support::{fresh_step, mfa_seed, totp_code, Server};

const READ_EVENTS: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": "cloudtrail:LookupEvents", "Resource": "*"}]}"#;

async fn user(server: &Server, name: &str, password: &str) {
    let iam = server.iam();
    iam.create_user().user_name(name).send().await.unwrap();
    iam.create_login_profile()
        .user_name(name)
        .password(password)
        .send()
        .await
        .unwrap();
}

/// The rows of the events table: each row's cells, as text.
fn rows(page: &Answer) -> Vec<Vec<String>> {
    let table = page
        .body
        .split("<table class=\"events\">")
        .nth(1)
        .map_or("", |rest| rest.split("</table>").next().unwrap());
    table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|cell| {
                    let text = cell.split("</td>").next().unwrap();
                    // The event name's cell is a link.
                    match text.split_once('>') {
                        Some((_, inner)) if text.starts_with("<a") => {
                            inner.trim_end_matches("</a>").to_string()
                        }
                        _ => text.to_string(),
                    }
                })
                .collect()
        })
        .collect()
}

/// The target of the link with `rel="next"`, if the page has one.
fn next_link(page: &Answer) -> Option<String> {
    let before = page.body.split(" rel=\"next\"").next()?;
    if before.len() == page.body.len() {
        return None;
    }
    let href = before.rsplit("href=\"").next()?.trim_end_matches('"');
    Some(href.replace("&amp;", "&"))
}

#[tokio::test(flavor = "multi_thread")]
async fn console_logins_with_and_without_mfa_in_lookup_events_and_the_event_history() {
    let server = Server::start();
    let iam = server.iam();
    user(&server, "alice", "Alice-Passw0rd-1").await;
    user(&server, "bob", "Bob-Passw0rd-1").await;
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("read-events")
        .policy_document(READ_EVENTS)
        .send()
        .await
        .unwrap();

    // Without MFA: alice has no device yet.
    let first = sign_in(&server, "alice", "Alice-Passw0rd-1");
    assert_eq!(
        first.header("location"),
        Some("/console/"),
        "{}",
        first.body
    );

    // With MFA, once a device is enabled.
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    let seed = mfa_seed(&device);
    let step = fresh_step().await;
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(&device.serial_number)
        .authentication_code1(totp_code(&seed, step - 2))
        .authentication_code2(totp_code(&seed, step - 1))
        .send()
        .await
        .unwrap();
    let password_step = sign_in(&server, "alice", "Alice-Passw0rd-1");
    assert_eq!(
        password_step.header("location"),
        Some("/console/signin/mfa")
    );
    let pending = password_step.set_cookie("iamd-console").unwrap();
    let code = totp_code(&seed, step);
    let signed = submit(
        &server,
        &pending,
        "/console/signin/mfa",
        &[("serial", &device.serial_number), ("code", &code)],
    );
    assert_eq!(
        signed.header("location"),
        Some("/console/"),
        "{}",
        signed.body
    );
    let alice = signed.set_cookie("iamd-console").unwrap();

    // The AWS CLI: both ConsoleLogin events, newest first, with MFAUsed.
    let cli = Cli::new(&server);
    let out = cli.root(&[
        "cloudtrail",
        "lookup-events",
        "--lookup-attributes",
        "AttributeKey=EventName,AttributeValue=ConsoleLogin",
    ]);
    let events = out["Events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{out}");
    let used: Vec<String> = events
        .iter()
        .map(|e| {
            assert_eq!(e["Username"], "alice");
            let record: Value =
                serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap();
            assert_eq!(record["responseElements"]["ConsoleLogin"], "Success");
            record["additionalEventData"]["MFAUsed"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(used, ["Yes", "No"]);

    // The console's event history, as alice (allowed).
    let cookies = [("iamd-console", alice.as_str())];
    let path = "/console/events?attribute=EventName&value=ConsoleLogin";
    let page = request(&server, "GET", path, &cookies, "");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("href=\"/console/events\""), "navigation");
    let listed = rows(&page);
    assert_eq!(listed.len(), 2, "{}", page.body);
    for (row, mfa) in listed.iter().zip(["Yes", "No"]) {
        assert_eq!(
            row[1..],
            ["alice", "ConsoleLogin", "signin.amazonaws.com", "", mfa]
        );
    }
    // The CLI prints the time as Unix seconds; the page as ISO 8601 (UTC).
    let time = events[0]["EventTime"].as_f64().unwrap() as i64;
    assert_eq!(listed[0][0], iamd_core::time::iso8601(time));
    assert!(next_link(&page).is_none());

    // The time range (UTC, as a browser's datetime-local field sends it).
    let later = format!("{path}&start=2099-01-01T00%3A00");
    let none = request(&server, "GET", &later, &cookies, "");
    assert_eq!(none.status, 200, "{}", none.body);
    assert!(rows(&none).is_empty() && none.body.contains("No events match."));
    let span = format!("{path}&start=2000-01-01T00%3A00&end=2099-01-01T00%3A00");
    assert_eq!(rows(&request(&server, "GET", &span, &cookies, "")).len(), 2);

    // Paging with NextToken: one event a page.
    let page = request(&server, "GET", &format!("{path}&per_page=1"), &cookies, "");
    assert_eq!(rows(&page).len(), 1, "{}", page.body);
    assert_eq!(rows(&page)[0][5], "Yes");
    let next = next_link(&page).expect("a next page");
    assert!(next.contains("&token="), "{next}");
    let second = request(&server, "GET", &next, &cookies, "");
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(rows(&second).len(), 1);
    assert_eq!(rows(&second)[0][5], "No");
    assert!(next_link(&second).is_none());
    // A token bound to another lookup is refused with CloudTrail's error.
    let token = next.split("&token=").nth(1).unwrap();
    let other = format!(
        "/console/events?attribute=EventName&value=ConsoleSignOut&per_page=1&token={token}"
    );
    let refused = request(&server, "GET", &other, &cookies, "");
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("NextToken is not valid"));

    // One event's whole record.
    let id = events[0]["EventId"].as_str().unwrap();
    let detail = request(
        &server,
        "GET",
        &format!("/console/events/{id}"),
        &cookies,
        "",
    );
    assert_eq!(detail.status, 200, "{}", detail.body);
    assert!(
        detail.body.contains("&quot;MFAUsed&quot;: &quot;Yes&quot;"),
        "{}",
        detail.body
    );
    assert!(detail.body.contains(id));
    let missing = request(
        &server,
        "GET",
        "/console/events/no-such-event",
        &cookies,
        "",
    );
    assert_eq!(missing.status, 404);

    // What the filter form echoes is escaped; a time it cannot read is refused.
    let typed = "/console/events?attribute=ResourceName&value=%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    let page = request(&server, "GET", typed, &cookies, "");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("<script>"));
    assert!(page
        .body
        .contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
    let bad_time = request(
        &server,
        "GET",
        "/console/events?start=yesterday",
        &cookies,
        "",
    );
    assert_eq!(bad_time.status, 400);
    assert!(bad_time
        .body
        .contains("The start time is not a date and time"));

    // bob, without cloudtrail:LookupEvents: the explained denial, and no event.
    let bob = sign_in(&server, "bob", "Bob-Passw0rd-1")
        .set_cookie("iamd-console")
        .unwrap();
    let denied = request(&server, "GET", path, &[("iamd-console", &bob)], "");
    assert_eq!(denied.status, 403, "{}", denied.body);
    assert!(denied.body.contains("Access denied"));
    assert!(denied
        .body
        .contains("You are not allowed to perform <code>cloudtrail:LookupEvents</code>"));
    assert!(denied
        .body
        .contains("Ask your administrator for permission"));
    assert!(rows(&denied).is_empty());
    assert!(!denied.body.contains("signin.amazonaws.com"));
    let record = format!("/console/events/{id}");
    let denied = request(&server, "GET", &record, &[("iamd-console", &bob)], "");
    assert_eq!(denied.status, 403, "{}", denied.body);
    assert!(denied.body.contains("Access denied") && !denied.body.contains("MFAUsed"));
}
