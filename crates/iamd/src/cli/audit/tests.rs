#![allow(clippy::unwrap_used)]

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
    let audit = audit(&csv, NOW, 90).unwrap();
    let seen: Vec<(Severity, &str, &str)> = audit
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
                "bob",
                "access key 1 never used, created 326 days ago: delete it"
            ),
            (Severity::Low, "carol", "password last used 100 days ago"),
        ]
    );
    assert_eq!((audit.with_credentials, audit.with_mfa), (3, 1));
    let text = audit.render();
    assert!(text.ends_with(
        "MFA: 1 of 3 users with a password or an active access key have an MFA device; 5 finding(s)\n"
    ));
    // A longer threshold drops the unused-credential findings.
    assert_eq!(audit_len(&csv, 400), 3);
}

fn audit_len(csv: &str, days: u32) -> usize {
    audit(csv, NOW, days).unwrap().findings.len()
}

#[test]
fn reports_without_the_columns_are_refused() {
    assert!(audit("user,arn\nbob,x\n", NOW, 90).is_err());
    assert!(audit("", NOW, 90).is_err());
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
