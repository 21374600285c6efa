//! Parsing and validation: AWS's messages, with the place.

use super::*;

fn err(doc: &str) -> PolicyError {
    match Policy::parse(doc, PolicyKind::Identity) {
        Err(e) => e,
        Ok(_) => panic!("accepted: {doc}"),
    }
}

fn stmt(body: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{body}]}}"#)
}

#[test]
fn accepts_aws_shapes() {
    let single =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
    assert_eq!(
        Policy::parse(single, PolicyKind::Identity).map(|p| p.statements.len()),
        Ok(1)
    );
    let old = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/*"}]}"#;
    let p = Policy::parse(old, PolicyKind::Identity).unwrap();
    assert_eq!(p.version, Version::V2008_10_17);
    assert!(p.statements[0].actions.negated);
    let none = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    assert_eq!(
        Policy::parse(none, PolicyKind::Identity).unwrap().version,
        Version::Absent
    );
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:user/alice"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true}}}]}"#;
    let p = Policy::parse(trust, PolicyKind::Resource).unwrap();
    assert_eq!(
        p.statements[0].principals.as_ref().map(|s| s.entries.len()),
        Some(3)
    );
    assert_eq!(
        p.statements[0].conditions[0].values,
        vec!["true".to_string()]
    );
}

#[test]
fn aws_messages() {
    let rows: &[(&str, &str, &str)] = &[
        ("{not json", messages::SYNTAX, ""),
        ("[]", messages::SYNTAX, ""),
        (r#"{"Version":"2012-10-17"}"#, messages::SYNTAX, ""),
        (
            r#"{"Version":"2012-10-18","Statement":[]}"#,
            messages::SYNTAX,
            "Version",
        ),
        (
            r#"{"Version":"2012-10-17","Statement":[],"Extra":1}"#,
            messages::SYNTAX,
            "",
        ),
        (
            &stmt(r#"{"Effect":"Allow","Resource":"*"}"#),
            messages::MISSING_ACTIONS,
            "Statement[0]",
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":[],"Resource":"*"}"#),
            messages::MISSING_ACTIONS,
            "Action",
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"s3:*"}"#),
            messages::MISSING_RESOURCES,
            "Statement[0]",
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"listusers","Resource":"*"}"#),
            messages::NO_VENDOR,
            "Action",
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"ec2:ec2:Run","Resource":"*"}"#),
            messages::ONE_COLON,
            "Action",
        ),
        (
            &stmt(r#"{"Effect":"Alow","Action":"s3:*","Resource":"*"}"#),
            messages::SYNTAX,
            "Effect",
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}"#),
            messages::SYNTAX,
            "Statement[0]",
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":{"a":1},"Resource":"*"}"#),
            messages::SYNTAX,
            "Action",
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}"#),
            messages::HAS_PRINCIPAL,
            "Principal",
        ),
        (
            &stmt(r#"{"Sid":"has space","Effect":"Allow","Action":"s3:*","Resource":"*"}"#),
            messages::SID_ALNUM,
            "Sid",
        ),
        (
            &stmt(
                r#"{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}"#,
            ),
            messages::SID_UNIQUE,
            "Statement[1]",
        ),
        (
            &stmt(
                r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualss":{"aws:username":"a"}}}"#,
            ),
            messages::SYNTAX,
            "StringEqualss",
        ),
        (
            &stmt(
                r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"soon"}}}"#,
            ),
            messages::SYNTAX,
            "aws:MultiFactorAuthAge",
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Actions":"x"}"#),
            messages::SYNTAX,
            "Statement[0]",
        ),
    ];
    for (doc, message, place) in rows {
        let e = err(doc);
        assert_eq!(e.code, "MalformedPolicyDocument");
        assert_eq!(e.message, *message, "{doc}: {e}");
        assert!(
            e.place.contains(place),
            "{doc}: place `{}` lacks `{place}`",
            e.place
        );
    }
}

#[test]
fn resource_must_be_an_arn() {
    let e = err(&stmt(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"my-bucket"}"#,
    ));
    assert_eq!(
        e.message,
        "Resource my-bucket must be in ARN format or \"*\"."
    );
}

#[test]
fn places_name_the_sid() {
    let e = err(&stmt(
        r#"{"Sid":"Bad","Effect":"Allow","Action":"x","Resource":"*"}"#,
    ));
    assert!(e.place.contains("Sid Bad"), "{}", e.place);
    assert!(e.to_string().contains("MalformedPolicyDocument"), "{e}");
}

#[test]
fn principals_in_resource_policies() {
    let missing = stmt(r#"{"Effect":"Allow","Action":"sts:AssumeRole"}"#);
    let e = Policy::parse(&missing, PolicyKind::Resource).err();
    assert_eq!(
        e.map(|e| e.message),
        Some(messages::MISSING_PRINCIPAL.to_string())
    );
    let bad = stmt(r#"{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"sts:AssumeRole"}"#);
    let e = Policy::parse(&bad, PolicyKind::Resource).err();
    assert_eq!(
        e.map(|e| e.message),
        Some("Invalid principal in policy: \"AWS\":\"alice\"".to_string())
    );
    let not_allow =
        stmt(r#"{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*"}"#);
    assert!(Policy::parse(&not_allow, PolicyKind::Resource).is_err());
}

#[test]
fn huge_and_deep_documents_are_refused() {
    let huge = format!("{{\"Statement\":\"{}\"}}", "x".repeat(MAX_DOCUMENT_BYTES));
    assert_eq!(err(&huge).message, messages::TOO_LARGE);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(err(&deep).message, messages::SYNTAX);
    let trust = Policy::parse(&deep, PolicyKind::Resource).err();
    assert_eq!(
        trust.map(|e| e.message),
        Some(messages::INVALID_JSON.to_string())
    );
}
