//! The policy simulator called as the server would: results, positions, missing context
//! keys, pagination, errors and authorization, for users, groups and roles.

use serde_json::{json, Value};

use crate::account::Account;
use crate::testing::{account, call, root, user};

pub(super) const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

pub(super) fn ok(acct: &Account, action: &str, input: Value) -> Value {
    call(acct, &root(), "iam", action, input).unwrap()
}

fn custom(policies: &[&str], actions: &[&str], extra: Value) -> Value {
    let (acct, _) = account();
    let mut input = json!({"PolicyInputList": policies, "ActionNames": actions});
    if let (Some(map), Value::Object(more)) = (input.as_object_mut(), extra) {
        map.extend(more);
    }
    ok(&acct, "SimulateCustomPolicy", input)
}

const MFA_DENY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadIam", "Effect": "Allow", "Action": "iam:Get*", "Resource": "*"},
    {
      "Sid": "NoDeletesWithoutMfa",
      "Effect": "Deny",
      "Action": "iam:Delete*",
      "Resource": "*",
      "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
    },
    {"Effect": "Allow", "Action": "iam:Delete*", "Resource": "*"}
  ]
}"#;

#[test]
fn custom_policy_decisions_with_statement_positions() {
    let out = custom(
        &[MFA_DENY],
        &["iam:GetUser", "iam:DeleteUser", "s3:ListBucket"],
        json!({}),
    );
    let results = out["EvaluationResults"].as_array().unwrap();
    assert_eq!(out["IsTruncated"], false);
    let decisions: Vec<&str> = results
        .iter()
        .map(|r| r["EvalDecision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["allowed", "explicitDeny", "implicitDeny"]);
    assert_eq!(results[0]["EvalResourceName"], "*");
    assert_eq!(
        results[0]["MatchedStatements"],
        json!([{
            "SourcePolicyId": "PolicyInputList.1",
            "SourcePolicyType": "IAM Policy",
            "StartPosition": {"Line": 4, "Column": 5},
            "EndPosition": {"Line": 4, "Column": 81},
        }])
    );
    // The deny, then the allows it overrides.
    let deny = &results[1]["MatchedStatements"];
    let starts: Vec<&Value> = deny
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["StartPosition"])
        .collect();
    assert_eq!(
        starts,
        [
            &json!({"Line": 5, "Column": 5}),
            &json!({"Line": 12, "Column": 5})
        ]
    );
    assert_eq!(deny[0]["EndPosition"], json!({"Line": 11, "Column": 6}));
    assert_eq!(
        results[1]["MissingContextValues"],
        json!(["aws:MultiFactorAuthPresent"])
    );
    assert_eq!(results[2]["MatchedStatements"], json!([]));
    assert_eq!(results[2]["MissingContextValues"], json!([]));
    assert!(results[2].get("EvalDecisionDetails").is_none());
}

#[test]
fn context_entries_decide_conditions() {
    let mfa = |value: &str| {
        let entry = json!([{"ContextKeyName": "aws:MultiFactorAuthPresent",
            "ContextKeyValues": [value], "ContextKeyType": "boolean"}]);
        let out = custom(
            &[MFA_DENY],
            &["iam:DeleteUser"],
            json!({"ContextEntries": entry}),
        );
        out["EvaluationResults"][0].clone()
    };
    let with = mfa("true");
    assert_eq!(with["EvalDecision"], "allowed");
    assert_eq!(with["MissingContextValues"], json!([]));
    assert_eq!(
        with["MatchedStatements"][0]["StartPosition"],
        json!({"Line": 12, "Column": 5})
    );
    assert_eq!(mfa("false")["EvalDecision"], "explicitDeny");

    let tags = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:TagUser","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}}}"#;
    let decide = |keys: Value| {
        let entry = json!([{"ContextKeyName": "aws:TagKeys",
            "ContextKeyValues": keys, "ContextKeyType": "stringList"}]);
        let out = custom(&[tags], &["iam:TagUser"], json!({"ContextEntries": entry}));
        out["EvaluationResults"][0]["EvalDecision"].clone()
    };
    assert_eq!(decide(json!(["team", "env"])), "allowed");
    assert_eq!(decide(json!(["team", "owner"])), "implicitDeny");

    let (acct, _) = account();
    let bad = json!({"PolicyInputList": [MFA_DENY], "ActionNames": ["iam:GetUser"],
        "ContextEntries": [{"ContextKeyName": "aws:MultiFactorAuthPresent",
            "ContextKeyValues": ["yes"], "ContextKeyType": "boolean"}]});
    let e = call(&acct, &root(), "iam", "SimulateCustomPolicy", bad).unwrap_err();
    assert_eq!((e.code, e.status), ("InvalidInput", 400));
}

#[test]
fn resources_boundaries_and_resource_policies() {
    let own = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::111122223333:user/${aws:username}"}}"#;
    let boundary = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}"#;
    let out = custom(
        &[own],
        &["iam:GetUser", "iam:DeleteUser"],
        json!({
            "ResourceArns": [ALICE, "arn:aws:iam::111122223333:user/bob"],
            "CallerArn": ALICE,
            "PermissionsBoundaryPolicyInputList": [boundary],
        }),
    );
    let get = &out["EvaluationResults"][0];
    assert!(get.get("EvalResourceName").is_none(), "{get}");
    assert_eq!(get["EvalDecisionDetails"], json!({}));
    assert_eq!(get["EvalDecision"], "implicitDeny", "bob is not alice");
    let per: Vec<(&str, &str)> = get["ResourceSpecificResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["EvalResourceName"].as_str().unwrap(),
                r["EvalResourceDecision"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        per,
        [
            (ALICE, "allowed"),
            ("arn:aws:iam::111122223333:user/bob", "implicitDeny")
        ]
    );
    assert_eq!(
        get["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        true
    );
    let delete = &out["EvaluationResults"][1];
    assert_eq!(delete["EvalDecision"], "implicitDeny");
    assert_eq!(
        delete["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        false
    );

    let bucket = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;
    let nothing = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}"#;
    let out = custom(
        &[nothing],
        &["s3:GetObject"],
        json!({"ResourceArns": ["arn:aws:s3:::b/k"], "ResourcePolicy": bucket, "CallerArn": ALICE}),
    );
    let result = &out["EvaluationResults"][0];
    assert_eq!(result["EvalDecision"], "allowed");
    assert_eq!(
        result["MatchedStatements"][0]["SourcePolicyType"],
        "Resource Policy"
    );
    assert_eq!(
        result["MatchedStatements"][0]["SourcePolicyId"],
        "ResourcePolicy"
    );
}

#[test]
fn pages_of_evaluation_results() {
    let actions = ["iam:GetUser", "iam:GetGroup", "iam:GetRole"];
    let first = custom(&[MFA_DENY], &actions, json!({"MaxItems": 2}));
    assert_eq!(first["EvaluationResults"].as_array().unwrap().len(), 2);
    assert_eq!(first["IsTruncated"], true);
    let rest = custom(
        &[MFA_DENY],
        &actions,
        json!({"MaxItems": 2, "Marker": first["Marker"]}),
    );
    assert_eq!(
        rest["EvaluationResults"][0]["EvalActionName"],
        "iam:GetRole"
    );
    assert_eq!(rest["IsTruncated"], false);
}

/// alice in group `devs`: an inline policy, a managed policy on the group and a boundary.
fn alice_account() -> Account {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "alice"}));
    ok(&acct, "CreateGroup", json!({"GroupName": "devs"}));
    ok(
        &acct,
        "AddUserToGroup",
        json!({"GroupName": "devs", "UserName": "alice"}),
    );
    ok(
        &acct,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "own", "PolicyDocument": MFA_DENY}),
    );
    let s3 = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}}"#;
    let created = ok(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "storage", "PolicyDocument": s3}),
    );
    let arn = created["Policy"]["Arn"].clone();
    ok(
        &acct,
        "AttachGroupPolicy",
        json!({"GroupName": "devs", "PolicyArn": arn}),
    );
    acct
}

#[test]
fn principal_policy_of_a_user_includes_its_groups() {
    let acct = alice_account();
    let input = json!({"PolicySourceArn": ALICE,
        "ActionNames": ["iam:GetUser", "s3:GetObject"],
        "ContextEntries": [{"ContextKeyName": "aws:SourceIp",
            "ContextKeyValues": ["192.0.2.7"], "ContextKeyType": "ip"}]});
    let out = ok(&acct, "SimulatePrincipalPolicy", input);
    let results = &out["EvaluationResults"];
    assert_eq!(results[0]["EvalDecision"], "allowed");
    assert_eq!(results[0]["MatchedStatements"][0]["SourcePolicyId"], "own");
    assert_eq!(
        results[0]["MatchedStatements"][0]["SourcePolicyType"],
        "IAM Policy"
    );
    assert_eq!(results[1]["EvalDecision"], "allowed");
    assert_eq!(
        results[1]["MatchedStatements"][0],
        json!({"SourcePolicyId": "storage", "SourcePolicyType": "IAM Policy",
            "StartPosition": {"Line": 1, "Column": 37}, "EndPosition": {"Line": 1, "Column": 144}})
    );

    let group = json!({"PolicySourceArn": "arn:aws:iam::111122223333:group/devs",
        "ActionNames": ["iam:GetUser", "s3:GetObject"]});
    let out = ok(&acct, "SimulatePrincipalPolicy", group);
    assert_eq!(out["EvaluationResults"][0]["EvalDecision"], "implicitDeny");
    assert_eq!(out["EvaluationResults"][1]["EvalDecision"], "implicitDeny");
    assert_eq!(
        out["EvaluationResults"][1]["MissingContextValues"],
        json!(["aws:SourceIp"])
    );

    let keys = ok(
        &acct,
        "GetContextKeysForPrincipalPolicy",
        json!({"PolicySourceArn": ALICE}),
    );
    assert_eq!(
        keys["ContextKeyNames"],
        json!(["aws:MultiFactorAuthPresent", "aws:SourceIp"])
    );
    let custom_keys = ok(
        &acct,
        "GetContextKeysForCustomPolicy",
        json!({"PolicyInputList": [MFA_DENY, MFA_DENY]}),
    );
    assert_eq!(
        custom_keys["ContextKeyNames"],
        json!(["aws:MultiFactorAuthPresent"])
    );
}

#[test]
fn unknown_sources_and_bad_inputs() {
    let acct = alice_account();
    let fails = |action: &str, input: Value| {
        let e = call(&acct, &root(), "iam", action, input).unwrap_err();
        (e.code, e.message)
    };
    let bob = json!({"PolicySourceArn": "arn:aws:iam::111122223333:user/bob", "ActionNames": ["iam:GetUser"]});
    assert_eq!(
        fails("SimulatePrincipalPolicy", bob),
        (
            "NoSuchEntity",
            "The user with name bob cannot be found.".to_string()
        )
    );
    let wrong_path = json!({"PolicySourceArn": "arn:aws:iam::111122223333:user/ops/alice",
        "ActionNames": ["iam:GetUser"]});
    assert_eq!(
        fails("SimulatePrincipalPolicy", wrong_path).0,
        "NoSuchEntity"
    );
    let role = json!({"PolicySourceArn": "arn:aws:iam::111122223333:role/app"});
    assert_eq!(
        fails("GetContextKeysForPrincipalPolicy", role).0,
        "NoSuchEntity"
    );
    let bucket = json!({"PolicySourceArn": "arn:aws:s3:::bucket", "ActionNames": ["s3:GetObject"]});
    assert_eq!(fails("SimulatePrincipalPolicy", bucket).0, "InvalidInput");
    let broken = json!({"PolicyInputList": ["{\"Version\":"], "ActionNames": ["iam:GetUser"]});
    assert_eq!(fails("SimulateCustomPolicy", broken).0, "InvalidInput");
    let group = json!({"PolicySourceArn": "arn:aws:iam::111122223333:group/devs",
        "ActionNames": ["s3:GetObject"], "ResourcePolicy": MFA_DENY});
    assert_eq!(fails("SimulatePrincipalPolicy", group).0, "InvalidInput");
}

#[test]
fn simulating_needs_permission_on_the_source() {
    let acct = alice_account();
    ok(&acct, "CreateUser", json!({"UserName": "carol"}));
    let only_alice = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:SimulatePrincipalPolicy", "Resource": ALICE}
    ]});
    ok(
        &acct,
        "PutUserPolicy",
        json!({"UserName": "carol", "PolicyName": "sim", "PolicyDocument": only_alice.to_string()}),
    );
    let carol = user(&acct, "carol", None);
    let simulate = |arn: &str| {
        let input = json!({"PolicySourceArn": arn, "ActionNames": ["iam:GetUser"]});
        call(&acct, &carol, "iam", "SimulatePrincipalPolicy", input)
    };
    assert!(simulate(ALICE).is_ok());
    let e = simulate("arn:aws:iam::111122223333:user/carol").unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    let input = json!({"PolicyInputList": [MFA_DENY], "ActionNames": ["iam:GetUser"]});
    let e = call(&acct, &carol, "iam", "SimulateCustomPolicy", input).unwrap_err();
    assert!(e
        .message
        .contains("iam:SimulateCustomPolicy on resource: *"));
}

#[test]
fn principal_policy_of_a_role_uses_its_policies_and_boundary() {
    use crate::model::{Document, Role};
    use iamd_policy::PolicyKind;
    let (acct, _) = account();
    let trust = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#;
    let boundary = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}"#;
    let created = ok(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "edge", "PolicyDocument": boundary}),
    );
    let boundary_arn = created["Policy"]["Arn"].as_str().unwrap().to_string();
    let mut inline = std::collections::BTreeMap::new();
    inline.insert(
        "reads".to_string(),
        Document::compile("reads", MFA_DENY, PolicyKind::Identity).unwrap(),
    );
    let role = Role {
        name: "app".into(),
        id: "AROAEXAMPLE".into(),
        path: "/".into(),
        arn: "arn:aws:iam::111122223333:role/app".into(),
        create_date: 0,
        description: None,
        max_session_duration: 3600,
        assume_role_policy: Document::compile("app", trust, PolicyKind::Resource).unwrap(),
        tags: Vec::new(),
        inline,
        attached: Vec::new(),
        boundary: Some(boundary_arn),
        last_used: None,
        linked_service: None,
    };
    acct.write(|txn| {
        txn.state
            .roles
            .insert("app".into(), std::sync::Arc::new(role));
        Ok(())
    })
    .unwrap();
    let input = json!({"PolicySourceArn": "arn:aws:iam::111122223333:role/app",
        "ActionNames": ["iam:GetUser", "iam:GetRole"]});
    let out = ok(&acct, "SimulatePrincipalPolicy", input);
    let results = &out["EvaluationResults"];
    assert_eq!(results[0]["EvalDecision"], "allowed");
    assert_eq!(
        results[0]["MatchedStatements"][0]["SourcePolicyType"],
        "IAM Policy"
    );
    assert_eq!(
        results[1]["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        false
    );
    assert_eq!(results[1]["EvalDecision"], "implicitDeny");
}
