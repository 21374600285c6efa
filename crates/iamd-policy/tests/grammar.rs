//! The policy grammar as AWS judges it when a document is created: one row per rule, each
//! with where AWS's answer was found.
//!
//! Sources:
//! - [moto]: AWS responses to `CreatePolicy` recorded in moto's
//!   `tests/test_iam/test_iam_policies.py` (`invalid_policy_document_test_cases`,
//!   `valid_policy_documents`);
//! - [grammar]: AWS's "Grammar of the IAM JSON policy language" and "IAM JSON policy
//!   elements" pages;
//! - [users]: AWS answers quoted in public issue threads (named in the row).

use iamd_policy::{messages, Policy, PolicyKind};

/// A 2012-10-17 document with `statements` (JSON text of one statement or several).
fn v2012(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

/// `Allow s3:ListBucket on arn:aws:s3:::example_bucket` with `extra` members appended.
fn list_bucket(extra: &str) -> String {
    v2012(&format!(
        r#"{{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"{extra}}}"#
    ))
}

/// A statement with `resource` (a JSON value) and `s3:ListBucket`.
fn resource(value: &str) -> String {
    v2012(&format!(
        r#"{{"Effect":"Allow","Action":"s3:ListBucket","Resource":{value}}}"#
    ))
}

fn managed(text: &str) -> Result<(), String> {
    Policy::parse_managed(text)
        .map(|_| ())
        .map_err(|e| e.message)
}

const IAM_PATH: &str = "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.";

#[test]
fn documents_aws_refuses_when_creating_a_managed_policy() {
    let no_version = r#"{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}"#;
    let v2008 = r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}"#;
    let rows: Vec<(String, &str)> = vec![
        // [moto] text that is not JSON; [users] aws-samples/amazon-ecs-firelens-examples#50
        // (a trailing comma to CreatePolicy).
        ("This is not a json document".into(), messages::SYNTAX),
        (r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",}]}"#.into(), messages::SYNTAX),
        // [moto] no Version, or 2008-10-17: managed policies need 2012-10-17.
        (no_version.into(), messages::VERSION),
        (v2008.into(), messages::VERSION),
        // [moto] a Version that does not exist is a syntax error, not a version error.
        (v2008.replace("2008", "2013"), messages::SYNTAX),
        // [moto] the version is checked before legacy parsing and SID uniqueness.
        (no_version.replace("Allow", "denY"), messages::VERSION),
        (r#"{"Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},{"Sid":"sdf","Effect":"Allow"}]}"#.into(), messages::VERSION),
        // [moto] no Statement, an empty one, a statement that is not an object.
        (r#"{"Version":"2012-10-17"}"#.into(), messages::SYNTAX),
        (r#"{"Version":"2012-10-17","Statement":[]}"#.into(), messages::SYNTAX),
        (r#"{"Version":"2012-10-17","Statement":["afd"]}"#.into(), messages::SYNTAX),
        // [moto] unknown members, at the top and in a statement.
        (list_bucket("").replace(r#""Statement""#, r#""Extra field":"value","Statement""#), messages::SYNTAX),
        (list_bucket(r#","Extra field":"value""#), messages::SYNTAX),
        // [moto] Id and Sid must be strings.
        (list_bucket("").replace(r#""Statement""#, r#""Id":{},"Statement""#), messages::SYNTAX),
        (list_bucket(r#","Sid":[]"#), messages::SYNTAX),
        // [moto] Effect missing or not allow/deny in any case: syntax.
        (v2012(r#"{"Action":"s3:ListBucket","Resource":"*"}"#), messages::SYNTAX),
        (list_bucket("").replace("\"Allow\"", "\"invalid\""), messages::SYNTAX),
        // [moto] Effect in the wrong case fails legacy parsing.
        (list_bucket("").replace("\"Allow\"", "\"denY\""), messages::LEGACY_PARSING),
        // [moto] both Action and NotAction (even empty), both Resource and NotResource.
        (list_bucket(r#","NotAction":[]"#), messages::SYNTAX),
        (list_bucket(r#","NotResource":"*""#), messages::SYNTAX),
        // [moto] Action and Resource: a string or an array of strings.
        (v2012(r#"{"Effect":"Allow","Action":{},"Resource":"*"}"#), messages::SYNTAX),
        (v2012(r#"{"Effect":"Deny","Action":[[]],"Resource":"*"}"#), messages::SYNTAX),
        (resource(r#"["adfdf",{}]"#), messages::SYNTAX),
        // [moto] Condition: an object of operators, each an object of keys.
        (list_bucket(r#","Condition":[]"#), messages::SYNTAX),
        (list_bucket(r#","Condition":{"a":"b"}"#), messages::SYNTAX),
        (list_bucket(r#","Condition":{"DateGreaterThan":{"a":{}}}"#), messages::SYNTAX),
        // [moto] an unknown operator with keys; `ForAnyValue::` (two colons) is unknown.
        (list_bucket(r#","Condition":{"x":{"a":"1"}}"#), messages::SYNTAX),
        (list_bucket(r#","Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}"#), messages::SYNTAX),
        // [moto] Date values the legacy parser cannot read.
        (list_bucket(r#","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}"#), messages::LEGACY_PARSING),
        (list_bucket(r#","Condition":{"DateLessThanEquals":{"a":"234-13"}}"#), messages::LEGACY_PARSING),
        (list_bucket(r#","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+1"}}"#), messages::LEGACY_PARSING),
        (list_bucket(r#","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.1999999999+10:59"}}"#), messages::LEGACY_PARSING),
        (list_bucket(r#","Condition":{"DateLessThan":{"a":"9223372036854775808"}}"#), messages::LEGACY_PARSING),
        // [moto] legacy parsing comes before missing actions and before resource formats.
        (v2012(r#"{"Effect":"Allow","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}"#), messages::LEGACY_PARSING),
        (v2012(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:error:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}"#), messages::LEGACY_PARSING),
        (v2012(r#"{"Effect":"allow","Resource":"arn:aws:s3:us-east-1::example_bucket"}"#), messages::LEGACY_PARSING),
        // [moto] legacy parsing of resources: fewer than six parts with `::`, or no service.
        (resource(r#""arn:aws:s3::example_bucket""#), messages::LEGACY_PARSING),
        (v2012(r#"{"Effect":"Allow","Resource":"arn:aws:s3::example_bucket"}"#), messages::LEGACY_PARSING),
        (resource(r#""arn:aws::fdsasf""#), messages::LEGACY_PARSING),
        (v2012(r#"{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws::::example_bucket"}"#), messages::LEGACY_PARSING),
        (v2012(r#"{"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:s3::example_bucket"}"#), messages::LEGACY_PARSING),
        // [moto] legacy parsing (Effect) is reported before duplicate SIDs.
        (v2012(r#"{"Sid":"sdf","Effect":"aLLow","Action":"s3:ListBucket","Resource":"*"},{"Sid":"sdf","Effect":"Allow"}"#), messages::LEGACY_PARSING),
        // [moto] duplicate SIDs come before missing actions.
        (v2012(r#"{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},{"Sid":"sdf","Effect":"Allow"}"#), messages::SID_UNIQUE),
        // [moto] actions: missing, or an empty array; checked in every statement first.
        (v2012(r#"{"Effect":"Allow","Resource":"arn:aws:s3:::example_bucket"}"#), messages::MISSING_ACTIONS),
        (v2012(r#"{"Effect":"Allow"}"#), messages::MISSING_ACTIONS),
        (v2012(r#"{"Effect":"Allow","Action":[],"Resource":"*"}"#), messages::MISSING_ACTIONS),
        (v2012(r#"{"Effect":"Deny"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}"#), messages::MISSING_ACTIONS),
        // [moto] resources: missing or empty; reported before an action's vendor.
        (v2012(r#"{"Effect":"Allow","Action":"s3:ListBucket"}"#), messages::MISSING_RESOURCES),
        (resource("[]"), messages::MISSING_RESOURCES),
        (v2012(r#"{"Effect":"Allow","Action":"invalid"}"#), messages::MISSING_RESOURCES),
        // [moto] action vendors.
        (v2012(r#"{"Effect":"Allow","Action":"invalid","Resource":"*"}"#), messages::NO_VENDOR),
        (v2012(r#"{"Effect":"Allow","NotAction":"","Resource":"*"}"#), messages::NO_VENDOR),
        (v2012(r#"{"Effect":"Allow","Action":"a a:ListBucket","Resource":"*"}"#), "Vendor a a is not valid"),
        (v2012(r#"{"Effect":"Allow","Action":"s3:List:Bucket","Resource":"*"}"#), messages::ONE_COLON),
        (v2012(r#"{"Effect":"Allow","Action":"s3s:ListBucket","Resource":"*"},{"Effect":"Allow","Action":"s:3s:ListBucket","Resource":"*"}"#), messages::ONE_COLON),
        // [moto] a resource's format is reported before an action's vendor.
        (v2012(r#"{"Effect":"Allow","Action":"s:3:ListBucket","Resource":"sdfsadf"}"#), "Resource sdfsadf must be in ARN format or \"*\"."),
        // [moto] resources that are not ARNs.
        (resource(r#""invalid resource""#), "Resource invalid resource must be in ARN format or \"*\"."),
        (resource(r#"["adf"]"#), "Resource adf must be in ARN format or \"*\"."),
        (resource(r#""""#), "Resource  must be in ARN format or \"*\"."),
        // [moto] the partition is checked with the ARN padded with `*` to six parts, and
        // whatever precedes the first colon read as `arn`.
        (resource(r#""a:bsdfdsafsad""#), "Partition \"bsdfdsafsad\" is not valid for resource \"arn:bsdfdsafsad:*:*:*:*\"."),
        (resource(r#""a:b:cadfsdf""#), "Partition \"b\" is not valid for resource \"arn:b:cadfsdf:*:*:*\"."),
        // [moto] the same rule for the shortest such resource, issue 16's `a:b`.
        (resource(r#""a:b""#), "Partition \"b\" is not valid for resource \"arn:b:*:*:*:*\"."),
        (resource(r#""a:b:c:d:e:f:g:h""#), "Partition \"b\" is not valid for resource \"arn:b:c:d:e:f:g:h\"."),
        (resource(r#""aws:s3:::example_bucket""#), "Partition \"s3\" is not valid for resource \"arn:s3:::example_bucket:*\"."),
        // [moto] the first bad resource of a statement is the one reported.
        (resource(r#"["arn:error:s3:::example_bucket","arn:error:s3::example_bucket"]"#), "Partition \"error\" is not valid for resource \"arn:error:s3:::example_bucket\"."),
        // [moto] no service after the partition.
        (resource(r#""arn:aws""#), messages::RESOURCE_VENDOR),
        // [moto] IAM and S3 resources have no region; IAM paths name a resource type.
        (resource(r#""arn:aws:iam:us-east-1::example_bucket""#), "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."),
        (resource(r#""arn:aws:s3:us-east-1::example_bucket""#), "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."),
        (resource(r#""arn:aws:iam:::example_bucket""#), IAM_PATH),
    ];
    for (text, message) in &rows {
        assert_eq!(managed(text).err().as_deref(), Some(*message), "{text}");
    }
}

#[test]
fn documents_aws_accepts() {
    let rows: Vec<String> = vec![
        // [moto] anything after the vendor's colon; vendors with `-` and `.`.
        v2012(r#"{"Effect":"Allow","Action":"iam: asdf safdsf af ","Resource":"*"}"#),
        v2012(r#"{"Effect":"Allow","Action":"service-prefix:action-name","Resource":"*"}"#),
        v2012(r#"{"Effect":"Allow","Action":"s3.s:ListBucket","Resource":"*"}"#),
        v2012(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#),
        // [moto] services the validator does not know; regions outside IAM and S3.
        resource(r#""arn:aws:s33:::example_bucket""#),
        resource(r#""arn:aws:invalid-service:us-east-1::example_bucket""#),
        resource(r#""arn:aws:ec2:us-east-1::example_bucket""#),
        resource(r#"["arn:aws:s3:::example_bucket","*"]"#),
        resource(r#""arn:aws:iam:::user/example_bucket""#),
        // AWS's own managed policy IAMCreateRootUserPassword names the root user.
        resource(r#""arn:aws:iam::*:root""#),
        // [moto] a short ARN is padded with `*`: `arn:aws:fdsasf` is valid.
        resource(r#""arn:aws:fdsasf""#),
        // [moto] S3 access points do have a region.
        resource(r#"["arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point"]"#),
        // [moto] empty condition blocks, unknown operators with empty blocks, keys with
        // empty lists of values.
        list_bucket(r#","Condition":{}"#),
        list_bucket(r#","Condition":{"DateGreaterThan":{}}"#),
        list_bucket(r#","Condition":{"x":{},"y":{}}"#),
        list_bucket(r#","Condition":{"DateGreaterThan":{"a":[]}}"#),
        // [moto] condition keys need no vendor prefix.
        list_bucket(r#","Condition":{"StringEqualsIfExists":{"a":"asf"}}"#),
        list_bucket(r#","Condition":{"ForAnyValue:StringEqualsIfExists":{"a":"asf"}}"#),
        // [moto] dates the legacy parser reads.
        list_bucket(r#","Condition":{"DateGreaterThan":{"a":"01T"}}"#),
        list_bucket(
            r#","Condition":{"DateLessThanEquals":{"a":"2016-12-13T21:20:37.593194+00:00"}}"#,
        ),
        list_bucket(r#","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+23"}}"#),
        list_bucket(r#","Condition":{"DateLessThan":{"a":"-292275054"}}"#),
        // [moto] empty SIDs may repeat; NotAction with NotResource.
        v2012(
            r#"{"Sid":"","Effect":"Allow","Action":"rds:*","Resource":"*"},{"Sid":"","Effect":"Allow","Action":"rds:Describe*","Resource":"*"}"#,
        ),
        v2012(r#"{"Effect":"Allow","NotAction":"s3:ListBucket","NotResource":"*"}"#),
        // [grammar] a condition value may be a boolean or a number.
        list_bucket(
            r#","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}"#,
        ),
    ];
    for text in &rows {
        assert_eq!(managed(text), Ok(()), "{text}");
    }
}

#[test]
fn inline_and_trust_policies_keep_older_versions() {
    // [grammar] "Version" is optional and 2008-10-17 is still a version; only managed
    // policies (CreatePolicy, CreatePolicyVersion) require 2012-10-17 ([moto]).
    let old =
        r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
    assert!(Policy::parse(old, PolicyKind::Identity).is_ok());
    assert!(Policy::parse(
        &old.replace(r#""Version":"2008-10-17","#, ""),
        PolicyKind::Identity
    )
    .is_ok());
    let trust = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    assert!(Policy::parse(trust, PolicyKind::Resource).is_ok());
    // [users] AWSCookbook/Security#2: CreateRole given text that is not JSON.
    let e = Policy::parse("assume-role-policy.json", PolicyKind::Resource).err();
    assert_eq!(
        e.map(|e| e.message),
        Some(messages::INVALID_JSON.to_string())
    );
}

#[test]
fn trust_policies_with_oidc_keys_and_dotted_vendors_compile() {
    // [grammar] OIDC condition keys are the provider's URL followed by `:aud`/`:sub`.
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:ns:sa","token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}"#;
    let policy = Policy::parse(trust, PolicyKind::Resource);
    assert!(policy.is_ok(), "{policy:?}");
}
