//! The order and wording of AWS's errors, and the members of its answers: one row per rule,
//! each with where AWS's answer was found.
//!
//! Sources:
//! - [ls-sts]: LocalStack's AWS-validated snapshots, `tests/aws/services/sts/test_sts.snapshot.json`;
//! - [ls-roles], [ls-policies]: the same for `tests/aws/services/iam/test_iam_roles.snapshot.json`
//!   and `test_iam_policies.snapshot.json`;
//! - [log]: AWS's answer to CreateRole quoted in a public build log ("InvalidInput: Duplicate
//!   tag keys found. ..."); moto's `DuplicateTags` has the same code and text;
//! - [issue16]: this project's issue 16, which records AWS's answer to a non-ARN `PolicyArn`;
//! - [ls-profiles], [ls-saml], [ls-ssh], [ls-signing], [ls-users], [ls-oidc]: LocalStack's
//!   AWS-validated snapshots `tests/aws/services/iam/test_iam_instance_profiles.snapshot.json`,
//!   `test_iam_saml_providers.snapshot.json`, `test_iam_ssh_public_keys.snapshot.json` and
//!   `test_iam_signing_certificates.snapshot.json`, `test_iam_users.snapshot.json`,
//!   `test_iam_oidc.snapshot.json` and ([ls-groups]) `test_iam_groups.snapshot.json`.

use serde_json::{json, Value};

use super::super::input_checks::{DUPLICATE_TAG_KEYS, TRANSITIVE_NOT_TAGGED, UNPARSABLE_ARN};
use super::roles::ec2_trust;
use crate::entities::roles::TRUST_POLICY_ACTIONS;
use crate::testing::{account, call, root, user};

/// Who calls: a user without any permission (so an answer other than AccessDenied shows
/// that AWS validated the input first), or the account's root.
#[derive(Clone, Copy)]
enum Who {
    Nobody,
    Root,
}

fn trust_with_action(action: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": action}]})
    .to_string()
}

#[test]
fn errors_in_aws_order_and_words() {
    let role = "arn:aws:iam::111122223333:role/none";
    let tags = |keys: &[&str]| -> Value {
        keys.iter()
            .map(|k| json!({"Key": k, "Value": "v"}))
            .collect()
    };
    let rows: Vec<(Who, &str, &str, Value, &str, String)> = vec![
        // [ls-sts] test_sts_invalid_parameters: a RoleArn AWS cannot parse, before any
        // authorization: no partition, no service, too few parts, no resource.
        (
            Who::Nobody,
            "sts",
            "AssumeRole",
            json!({"RoleArn": "nothing-valid-in-here", "RoleSessionName": "s"}),
            "ValidationError",
            "nothing-valid-in-here is invalid".into(),
        ),
        (
            Who::Nobody,
            "sts",
            "AssumeRole",
            json!({"RoleArn": "arn::b:::something/test-role", "RoleSessionName": "s"}),
            "ValidationError",
            "arn::b:::something/test-role is invalid".into(),
        ),
        (
            Who::Nobody,
            "sts",
            "AssumeRole",
            json!({"RoleArn": "arn:a::::something/test-role", "RoleSessionName": "s"}),
            "ValidationError",
            "arn:a::::something/test-role is invalid".into(),
        ),
        (
            Who::Nobody,
            "sts",
            "AssumeRole",
            json!({"RoleArn": "arn:a:::something/test-role", "RoleSessionName": "s"}),
            "ValidationError",
            "arn:a:::something/test-role is invalid".into(),
        ),
        (
            Who::Nobody,
            "sts",
            "AssumeRole",
            json!({"RoleArn": "arn:a:a::aaaaaaaaaa:", "RoleSessionName": "s"}),
            "ValidationError",
            "arn:a:a::aaaaaaaaaa: is invalid".into(),
        ),
        // [ls-sts] test_assume_role_tag_validation: transitive keys must be among the tags.
        (
            Who::Nobody,
            "sts",
            "AssumeRole",
            json!({"RoleArn": role, "RoleSessionName": "s",
            "Tags": tags(&["SessionTag1"]), "TransitiveTagKeys": ["InvalidKey"]}),
            "InvalidParameterValue",
            TRANSITIVE_NOT_TAGGED.into(),
        ),
        // [ls-sts] the same: tag keys are unique regardless of case.
        (
            Who::Nobody,
            "sts",
            "AssumeRole",
            json!({"RoleArn": role, "RoleSessionName": "s",
            "Tags": tags(&["SessionTag1", "sessiontag1"]), "TransitiveTagKeys": ["sessiontag1"]}),
            "InvalidParameterValue",
            DUPLICATE_TAG_KEYS.into(),
        ),
        // [ls-sts] the same: a transitive key matches its tag regardless of case (the
        // request passes the checks; this caller then may not assume the role).
        (
            Who::Nobody,
            "sts",
            "AssumeRole",
            json!({"RoleArn": role, "RoleSessionName": "s",
            "Tags": tags(&["SessionTag1"]), "TransitiveTagKeys": ["sessiontag1"]}),
            "AccessDenied",
            String::new(),
        ),
        // [issue16] a PolicyArn that is not an ARN, before authorization, in any operation.
        (
            Who::Nobody,
            "iam",
            "AttachUserPolicy",
            json!({"UserName": "bob", "PolicyArn": "foo"}),
            "ValidationError",
            UNPARSABLE_ARN.into(),
        ),
        (
            Who::Nobody,
            "iam",
            "GetPolicy",
            json!({"PolicyArn": "policy/foo"}),
            "ValidationError",
            UNPARSABLE_ARN.into(),
        ),
        // [log] IAM tag keys are unique regardless of case, before authorization.
        (
            Who::Nobody,
            "iam",
            "CreateRole",
            json!({"RoleName": "r", "AssumeRolePolicyDocument": ec2_trust(),
            "Tags": tags(&["Team", "team"])}),
            "InvalidInput",
            DUPLICATE_TAG_KEYS.into(),
        ),
        (
            Who::Nobody,
            "iam",
            "TagUser",
            json!({"UserName": "bob", "Tags": tags(&["a", "A"])}),
            "InvalidInput",
            DUPLICATE_TAG_KEYS.into(),
        ),
        // [ls-roles] test_update_assume_role_policy_errors: a trust policy names only the
        // STS actions that start sessions; one that is not JSON has its own text.
        (
            Who::Root,
            "iam",
            "CreateRole",
            json!({"RoleName": "r", "AssumeRolePolicyDocument": trust_with_action("s3:GetObject")}),
            "MalformedPolicyDocument",
            TRUST_POLICY_ACTIONS.into(),
        ),
        (
            Who::Root,
            "iam",
            "CreateRole",
            json!({"RoleName": "r", "AssumeRolePolicyDocument": trust_with_action("*")}),
            "MalformedPolicyDocument",
            TRUST_POLICY_ACTIONS.into(),
        ),
        (
            Who::Root,
            "iam",
            "CreateRole",
            json!({"RoleName": "r", "AssumeRolePolicyDocument": "{not json"}),
            "MalformedPolicyDocument",
            "This policy contains invalid Json".into(),
        ),
        // iamd-policy's tests/grammar.rs has the sources: managed policies need 2012-10-17.
        (
            Who::Root,
            "iam",
            "CreatePolicy",
            json!({"PolicyName": "p", "PolicyDocument":
            r#"{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}"#}),
            "MalformedPolicyDocument",
            "Policy document must be version 2012-10-17 or greater.".into(),
        ),
    ];
    for (who, service, operation, input, code, message) in rows {
        let (acct, _clock) = account();
        let caller = match who {
            Who::Nobody => user(&acct, "bob", None),
            Who::Root => root(),
        };
        let e = call(&acct, &caller, service, operation, input.clone())
            .expect_err(&format!("{operation} {input}"));
        assert_eq!(e.code, code, "{operation} {input}: {}", e.message);
        if !message.is_empty() {
            assert_eq!(e.message, message, "{operation} {input}");
        }
    }
}

/// Calls made (as root) before a row's call: operation and input.
type Setup = Vec<(&'static str, Value)>;

/// Answers that were iamd's own wording until a recorded AWS answer was found: each row sets
/// up the account (as root), then makes one call.
#[test]
fn recorded_answers_to_lookups_that_fail() {
    let profile = |name: &str| json!({"InstanceProfileName": name});
    let role = json!({"RoleName": "R", "AssumeRolePolicyDocument": ec2_trust()});
    let remove = |p: &str, r: &str| json!({"InstanceProfileName": p, "RoleName": r});
    let saml = "arn:aws:iam::111122223333:saml-provider/NonExistentProvider";
    let alice = || ("CreateUser", json!({"UserName": "alice"}));
    let oidc = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com";
    let fifty: Vec<Value> = (0..50)
        .map(|i| json!({"Key": format!("k{i:02}"), "Value": "v"}))
        .collect();
    let provider = json!({"Url": "https://oidc.example.com", "ThumbprintList": ["a".repeat(40)],
        "Tags": fifty});
    let rows: Vec<(Setup, &str, Value, &str, String)> = vec![
        // [ls-profiles] test_role_instance_profile_operations_errors: the profile is looked
        // up first, then the role, then whether the profile holds it.
        (
            vec![("CreateRole", role.clone())],
            "RemoveRoleFromInstanceProfile",
            remove("nonexistent-profile", "R"),
            "NoSuchEntity",
            "Instance Profile nonexistent-profile cannot be found.".into(),
        ),
        (
            vec![("CreateInstanceProfile", profile("P"))],
            "RemoveRoleFromInstanceProfile",
            remove("P", "nonexistent-role"),
            "NoSuchEntity",
            "The role with name nonexistent-role cannot be found.".into(),
        ),
        (
            vec![
                ("CreateInstanceProfile", profile("P")),
                ("CreateRole", role.clone()),
            ],
            "RemoveRoleFromInstanceProfile",
            remove("P", "R"),
            "NoSuchEntity",
            "Role R in Instance Profile P cannot be found.".into(),
        ),
        // [ls-saml] test_get_saml_provider_not_found, test_delete_saml_provider_not_found.
        (
            vec![],
            "GetSAMLProvider",
            json!({"SAMLProviderArn": saml}),
            "NoSuchEntity",
            format!("Manifest not found for arn {saml}"),
        ),
        (
            vec![],
            "DeleteSAMLProvider",
            json!({"SAMLProviderArn": saml}),
            "NoSuchEntity",
            format!("Manifest not found for arn {saml}"),
        ),
        // [ls-ssh] test_get_ssh_public_key_not_found (Update and Delete answer the same).
        (
            vec![alice()],
            "GetSSHPublicKey",
            json!({"UserName": "alice", "SSHPublicKeyId": "APKAXXXXXXXXXXXXXXXXX", "Encoding": "SSH"}),
            "NoSuchEntity",
            "The Public Key with id APKAXXXXXXXXXXXXXXXXX cannot be found.".into(),
        ),
        (
            vec![alice()],
            "DeleteSSHPublicKey",
            json!({"UserName": "alice", "SSHPublicKeyId": "APKAXXXXXXXXXXXXXXXXX"}),
            "NoSuchEntity",
            "The Public Key with id APKAXXXXXXXXXXXXXXXXX cannot be found.".into(),
        ),
        // [ls-signing] test_signing_certificate_errors.
        (
            vec![alice()],
            "UploadSigningCertificate",
            json!({"UserName": "alice", "CertificateBody": "invalid-certificate-body"}),
            "MalformedCertificate",
            "Certificate invalid-certificate-body is malformed.".into(),
        ),
        (
            vec![alice()],
            "UpdateSigningCertificate",
            json!({"UserName": "alice", "CertificateId": "NONEXISTENTCERTID12345678901",
            "Status": "Inactive"}),
            "NoSuchEntity",
            "The Certificate with id NONEXISTENTCERTID12345678901 cannot be found.".into(),
        ),
        (
            vec![],
            "ListSigningCertificates",
            json!({"UserName": "nonexistent-user"}),
            "NoSuchEntity",
            "The user with name nonexistent-user cannot be found.".into(),
        ),
        // [ls-users] test_access_key_errors: a key that does not exist is denied, with no reason.
        (
            vec![],
            "GetAccessKeyLastUsed",
            json!({"AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}),
            "AccessDenied",
            "User: arn:aws:iam::111122223333:root is not authorized to perform \
             iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE"
                .into(),
        ),
        // [ls-users] the same: a key id that is not the caller's to change.
        (
            vec![alice()],
            "UpdateAccessKey",
            json!({"UserName": "alice", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Inactive"}),
            "NoSuchEntity",
            "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.".into(),
        ),
        // [ls-groups] test_remove_user_from_unknown_group: with neither, the user is named.
        (
            vec![],
            "RemoveUserFromGroup",
            json!({"GroupName": "non-existent-group", "UserName": "any-user"}),
            "NoSuchEntity",
            "The user with name any-user cannot be found.".into(),
        ),
        // [ls-users] test_user_group_errors: a user who exists, a group that does not.
        (
            vec![alice()],
            "RemoveUserFromGroup",
            json!({"GroupName": "nonexistent-group", "UserName": "alice"}),
            "NoSuchEntity",
            "The group with name nonexistent-group cannot be found.".into(),
        ),
        // [ls-oidc] test_delete_open_id_connect_provider: not idempotent, despite the API
        // reference.
        (
            vec![],
            "DeleteOpenIDConnectProvider",
            json!({"OpenIDConnectProviderArn": oidc}),
            "NoSuchEntity",
            format!("OpenId connect Provider {oidc} cannot be found."),
        ),
        // [ls-oidc] test_open_id_connect_provider_tags_limit: one tag past the quota of 50.
        (
            vec![("CreateOpenIDConnectProvider", provider)],
            "TagOpenIDConnectProvider",
            json!({"OpenIDConnectProviderArn": oidc, "Tags": [{"Key": "string", "Value": "string"}]}),
            "LimitExceeded",
            "The number of tags has reached the maximum limit.".into(),
        ),
    ];
    for (setup, operation, input, code, message) in rows {
        let (acct, _clock) = account();
        for (step, step_input) in setup {
            call(&acct, &root(), "iam", step, step_input).unwrap();
        }
        let e = call(&acct, &root(), "iam", operation, input.clone())
            .expect_err(&format!("{operation} {input}"));
        assert_eq!((e.code, e.message), (code, message), "{operation} {input}");
    }
}

#[test]
fn trust_policies_may_name_every_session_action() {
    // AWS's pages on session tags, source identity and context name these actions.
    let (acct, _clock) = account();
    let actions = json!([
        "sts:AssumeRole",
        "sts:TagSession",
        "sts:SetSourceIdentity",
        "sts:SetContext"
    ]);
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": actions}]});
    let input = json!({"RoleName": "r", "AssumeRolePolicyDocument": trust.to_string()});
    call(&acct, &root(), "iam", "CreateRole", input).unwrap();
}

#[test]
fn answers_have_the_members_aws_returns() {
    let (acct, _clock) = account();
    let admin = root();
    let input = json!({"RoleName": "r", "AssumeRolePolicyDocument": ec2_trust()});
    let created = call(&acct, &admin, "iam", "CreateRole", input).unwrap();
    // [ls-roles] test_create_role_defaults: CreateRole has no MaxSessionDuration, no
    // RoleLastUsed and no Tags; GetRole has the first two.
    let role = &created["Role"];
    for absent in ["MaxSessionDuration", "RoleLastUsed", "Tags"] {
        assert!(
            role.get(absent).is_none(),
            "CreateRole has {absent}: {role}"
        );
    }
    let got = call(&acct, &admin, "iam", "GetRole", json!({"RoleName": "r"})).unwrap();
    assert_eq!(got["Role"]["MaxSessionDuration"], 3600);
    assert_eq!(got["Role"]["RoleLastUsed"], json!({}));
    // [ls-policies] test_policy_lifecycle: CreatePolicy without tags has no Tags; GetPolicy
    // has an empty list; ListPolicies none.
    let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}"#;
    let input = json!({"PolicyName": "p", "PolicyDocument": doc});
    let created = call(&acct, &admin, "iam", "CreatePolicy", input).unwrap();
    assert!(created["Policy"].get("Tags").is_none(), "{created}");
    let arn = created["Policy"]["Arn"].clone();
    let got = call(&acct, &admin, "iam", "GetPolicy", json!({"PolicyArn": arn})).unwrap();
    assert_eq!(got["Policy"]["Tags"], json!([]));
    let listed = call(
        &acct,
        &admin,
        "iam",
        "ListPolicies",
        json!({"Scope": "Local"}),
    )
    .unwrap();
    assert!(listed["Policies"][0].get("Tags").is_none(), "{listed}");
}
