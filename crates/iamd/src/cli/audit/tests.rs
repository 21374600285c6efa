#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use super::*;

const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
/// 2026-11-23T08:44:41Z.
const NOW: i64 = 1_795_423_481;

fn report(rows: &[&str]) -> String {
    let mut csv = format!("{HEADER}\n");
    for row in rows {
        csv.push_str(row);
        csv.push('\n');
    }
    csv
}

#[test]
fn findings_by_severity_with_mfa_coverage() {
    let csv = report(&[
        "<root_account>,arn:aws:iam::1:root,N/A,not_supported,N/A,not_supported,not_supported,false,true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        // Password, no MFA; a key used yesterday.
        "\"ann,a\",arn,2026-01-01T00:00:00+00:00,true,2026-11-20T00:00:00+00:00,2026-01-01T00:00:00+00:00,N/A,false,true,2026-01-01T00:00:00+00:00,2026-11-22T00:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        // Keys only, no MFA; key 1 never used for 326 days, key 2 inactive.
        "bob,arn,2026-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A,false,2026-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A",
        // MFA, password unused for 100 days.
        "carol,arn,2026-01-01T00:00:00+00:00,true,2026-08-15T00:00:00+00:00,2026-01-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        // No credentials at all: nothing to say.
        "dave,arn,2026-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
    ]);
    let report = audit(&csv, &limits(90), &BTreeMap::new()).unwrap();
    let seen: Vec<(Severity, &str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.severity, f.user.as_str(), f.text.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                Severity::High,
                "<root_account>",
                "the root user has an active access key (1): delete it and use IAM users or roles"
            ),
            (
                Severity::High,
                "ann,a",
                "console password without MFA: assign an MFA device"
            ),
            (
                Severity::Medium,
                "bob",
                "active access keys without MFA: no MFA session credentials possible (sts get-session-token)"
            ),
            (
                Severity::Low,
                "ann,a",
                "access key 1 not rotated for 326 days (rotate every 90): create a new key, switch to it, delete this one"
            ),
            (
                Severity::Low,
                "bob",
                "inactive user (access key 1 never used, created 326 days ago): disable or delete the user"
            ),
            (
                Severity::Low,
                "carol",
                "inactive user (password last used 100 days ago): disable or delete the user"
            ),
        ]
    );
    assert_eq!((report.with_credentials, report.with_mfa), (3, 1));
    let text = report.render();
    assert!(text.ends_with(
        "MFA: 1 of 3 users with a password or an active access key have an MFA device; 6 finding(s)\n"
    ));
    let rows: Vec<(&str, bool, Option<i64>)> = report
        .users
        .iter()
        .map(|u| (u.user.as_str(), u.inactive, u.last_used_days))
        .collect();
    assert_eq!(
        rows,
        [
            ("ann,a", false, Some(1)),
            ("bob", true, None),
            ("carol", true, Some(100)),
            ("dave", false, None)
        ]
    );
    // A longer threshold drops the unused-credential findings; bob's key is then reported
    // as not rotated instead.
    assert_eq!(audit_len(&csv, 400), 5);
    // A user whose policies require MFA, without a device, and one with a device.
    let required: BTreeMap<String, String> = [("ann,a", "force-mfa statement #1"), ("carol", "x")]
        .iter()
        .map(|(u, w)| (u.to_string(), w.to_string()))
        .collect();
    let with_policies = audit(&csv, &limits(90), &required).unwrap();
    let texts: Vec<&str> = with_policies
        .findings
        .iter()
        .map(|f| f.text.as_str())
        .collect();
    assert!(texts.contains(&"policies require MFA (force-mfa statement #1) but the user has no MFA device: until one is enrolled only MFA self-service works"), "{texts:?}");
    assert_eq!(
        with_policies
            .findings
            .iter()
            .filter(|f| f.text.starts_with("policies require"))
            .count(),
        1
    );
}

fn limits(unused_days: u32) -> Limits {
    Limits {
        now: NOW,
        unused_days,
        rotation_days: 90,
    }
}

fn audit_len(csv: &str, days: u32) -> usize {
    audit(csv, &limits(days), &BTreeMap::new())
        .unwrap()
        .findings
        .len()
}

#[test]
fn reports_without_the_columns_are_refused() {
    assert!(audit("user,arn\nbob,x\n", &limits(90), &BTreeMap::new()).is_err());
    assert!(audit("", &limits(90), &BTreeMap::new()).is_err());
}

#[test]
fn html_is_one_self_contained_page_with_chart_and_sortable_tables() {
    let csv = report(&[
        "ann,arn,2026-01-01T00:00:00+00:00,true,2026-11-20T00:00:00+00:00,2026-01-01T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "<b>ob,arn,2026-01-01T00:00:00+00:00,true,2026-11-20T00:00:00+00:00,2026-01-01T00:00:00+00:00,N/A,true,true,2026-11-01T00:00:00+00:00,2026-11-22T00:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
    ]);
    let report = audit(&csv, &limits(90), &BTreeMap::new()).unwrap();
    assert_eq!(
        report.coverage(),
        [("Console password", 1, 1), ("Active access keys", 1, 0)]
    );
    let page = html::page(&report, &limits(90));
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<svg role=\"img\" aria-label=\"MFA coverage\""));
    assert!(page.contains("1 with MFA, 1 without"));
    assert!(page.contains("<table class=\"sortable\" id=\"findings\">"));
    assert!(page.contains("<td class=\"high\" data-v=\"1\">HIGH</td><td>ann</td>"));
    assert!(
        page.contains("<td>&lt;b&gt;ob</td>"),
        "user names are escaped"
    );
    // No external assets: nothing loaded from elsewhere.
    for needle in ["src=", "href=", "@import", "url("] {
        assert!(!page.contains(needle), "{needle}");
    }
    let json = report.to_json(&limits(90));
    assert_eq!(json["coverage"][0]["without_mfa"], 1);
    assert_eq!(json["findings"][0]["severity"], "high");
}

#[test]
fn csv_cells_and_xml_answers() {
    assert_eq!(split_csv("a,\"b,c\",\"d\"\"e\","), ["a", "b,c", "d\"e", ""]);
    let xml = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>";
    assert_eq!(error_text(403, xml), "AccessDenied: no");
    assert_eq!(
        xml_text("<A><Content>abc</Content></A>", "Content").unwrap(),
        "abc"
    );
    assert_eq!(error_text(500, "boom"), "HTTP 500: boom");
}
