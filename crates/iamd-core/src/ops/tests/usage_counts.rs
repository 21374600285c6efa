//! The counts kept on write (policy usage tallies, access keys by owner, virtual MFA devices
//! by status) stay equal to what a walk over the whole account finds, through creations,
//! attachments, detachments, renames, deletions and a reload from the store.

use serde_json::json;

use super::policies::{allow, create, fails, ok};
use crate::account::Account;
use crate::state::{AccountState, PolicyUsage};
use crate::testing::account;

/// The usage of `arn` found by walking every user, group and role (the old way).
fn walked(state: &AccountState, arn: &str) -> PolicyUsage {
    let attached = |list: &[String]| list.iter().filter(|a| *a == arn).count();
    let boundary = |b: &Option<String>| usize::from(b.as_deref() == Some(arn));
    PolicyUsage {
        attachments: state
            .users
            .values()
            .map(|u| attached(&u.attached))
            .sum::<usize>()
            + state
                .groups
                .values()
                .map(|g| attached(&g.attached))
                .sum::<usize>()
            + state
                .roles
                .values()
                .map(|r| attached(&r.attached))
                .sum::<usize>(),
        boundaries: state
            .users
            .values()
            .map(|u| boundary(&u.boundary))
            .sum::<usize>()
            + state
                .roles
                .values()
                .map(|r| boundary(&r.boundary))
                .sum::<usize>(),
    }
}

/// Checks the kept counts of `arns` against the walk, and GetPolicy's `AttachmentCount`.
fn check(acct: &Account, arns: &[&str], attachments: &[usize]) {
    let state = acct.snapshot();
    let in_use = state.policies_in_use();
    for (arn, want) in arns.iter().zip(attachments) {
        let kept = state.policy_usage(arn);
        assert_eq!(kept, walked(&state, arn), "{arn}");
        assert_eq!(kept.attachments, *want, "{arn}");
        let listed = in_use.get(arn).copied().unwrap_or_default();
        assert_eq!(listed, kept, "{arn}");
        let got = ok(acct, "GetPolicy", json!({"PolicyArn": arn}));
        assert_eq!(got["Policy"]["AttachmentCount"], *want, "{arn}");
    }
}

#[test]
fn policy_usage_follows_attachments_boundaries_renames_and_deletions() {
    let (acct, _) = account();
    let p1 = create(&acct, "p1", "/", &allow("s3:GetObject"));
    let p2 = create(&acct, "p2", "/", &allow("s3:PutObject"));
    let arns = [p1.as_str(), p2.as_str()];
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    .to_string();
    ok(&acct, "CreateUser", json!({"UserName": "alice"}));
    ok(&acct, "CreateGroup", json!({"GroupName": "devs"}));
    let role = json!({"RoleName": "app", "AssumeRolePolicyDocument": trust});
    ok(&acct, "CreateRole", role);
    check(&acct, &arns, &[0, 0]);

    ok(
        &acct,
        "AttachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": p1}),
    );
    ok(
        &acct,
        "AttachGroupPolicy",
        json!({"GroupName": "devs", "PolicyArn": p1}),
    );
    ok(
        &acct,
        "AttachRolePolicy",
        json!({"RoleName": "app", "PolicyArn": p1}),
    );
    ok(
        &acct,
        "AttachRolePolicy",
        json!({"RoleName": "app", "PolicyArn": p2}),
    );
    // Attaching again changes nothing.
    ok(
        &acct,
        "AttachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": p1}),
    );
    let boundary = json!({"UserName": "alice", "PermissionsBoundary": p2});
    ok(&acct, "PutUserPermissionsBoundary", boundary);
    let boundary = json!({"RoleName": "app", "PermissionsBoundary": p2});
    ok(&acct, "PutRolePermissionsBoundary", boundary);
    check(&acct, &arns, &[3, 1]);
    assert_eq!(acct.snapshot().policy_usage(&p2).boundaries, 2);
    let conflict = "Cannot delete a policy attached to entities.";
    fails(
        &acct,
        "DeletePolicy",
        json!({"PolicyArn": p2}),
        "DeleteConflict",
        conflict,
    );

    // A renamed user keeps its attachments, counted once.
    let rename = json!({"UserName": "alice", "NewUserName": "alicia"});
    ok(&acct, "UpdateUser", rename);
    check(&acct, &arns, &[3, 1]);

    ok(
        &acct,
        "DetachRolePolicy",
        json!({"RoleName": "app", "PolicyArn": p2}),
    );
    ok(
        &acct,
        "DeleteRolePermissionsBoundary",
        json!({"RoleName": "app"}),
    );
    ok(
        &acct,
        "DeleteUserPermissionsBoundary",
        json!({"UserName": "alicia"}),
    );
    check(&acct, &arns, &[3, 0]);
    assert_eq!(acct.snapshot().policy_usage(&p2), PolicyUsage::default());
    ok(&acct, "DeletePolicy", json!({"PolicyArn": p2}));

    ok(
        &acct,
        "DetachUserPolicy",
        json!({"UserName": "alicia", "PolicyArn": p1}),
    );
    ok(&acct, "DeleteUser", json!({"UserName": "alicia"}));
    ok(
        &acct,
        "DetachGroupPolicy",
        json!({"GroupName": "devs", "PolicyArn": p1}),
    );
    ok(&acct, "DeleteGroup", json!({"GroupName": "devs"}));
    check(&acct, &[p1.as_str()], &[1]);

    // The counts rebuilt from the stored records are the same.
    let records = acct_records(&acct);
    let reloaded = AccountState::from_records("111122223333", records).unwrap();
    assert_eq!(
        reloaded.policy_usage(&p1),
        acct.snapshot().policy_usage(&p1)
    );
    ok(
        &acct,
        "DetachRolePolicy",
        json!({"RoleName": "app", "PolicyArn": p1}),
    );
    ok(&acct, "DeleteRole", json!({"RoleName": "app"}));
    check(&acct, &[p1.as_str()], &[0]);
    assert!(acct.snapshot().policies_in_use().is_empty());
}

/// The entity records of the account, as the store returns them on start.
fn acct_records(acct: &Account) -> Vec<crate::store::Record> {
    acct.store().load().unwrap()
}

fn key_ids(acct: &Account, user: Option<&str>, extra: serde_json::Value) -> Vec<String> {
    let mut input = extra;
    if let Some(name) = user {
        input["UserName"] = json!(name);
    }
    let list = ok(acct, "ListAccessKeys", input);
    list["AccessKeyMetadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["AccessKeyId"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn access_keys_per_user_follow_creations_deletions_and_renames() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "bob"}));
    ok(&acct, "CreateUser", json!({"UserName": "Bobby"}));
    let create = |name: &str| {
        let out = ok(&acct, "CreateAccessKey", json!({"UserName": name}));
        out["AccessKey"]["AccessKeyId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = create("bob");
    let second = create("bob");
    let quota = "Cannot exceed quota for AccessKeysPerUser: 2";
    let bob = json!({"UserName": "bob"});
    fails(
        &acct,
        "CreateAccessKey",
        bob.clone(),
        "LimitExceeded",
        quota,
    );
    // Another user's keys are its own, and so are the root user's.
    let bobby = create("Bobby");
    let mut both = vec![first.clone(), second.clone()];
    both.sort();
    assert_eq!(key_ids(&acct, Some("bob"), json!({})), both);
    assert_eq!(key_ids(&acct, Some("Bobby"), json!({})), [bobby]);
    assert!(!key_ids(&acct, None, json!({})).contains(&first));

    // Paging starts at the marker.
    let page = ok(
        &acct,
        "ListAccessKeys",
        json!({"UserName": "bob", "MaxItems": 1}),
    );
    assert_eq!(page["IsTruncated"], true);
    let rest = key_ids(&acct, Some("bob"), json!({"Marker": page["Marker"]}));
    assert_eq!(rest, [both[1].clone()]);

    let delete = json!({"UserName": "bob", "AccessKeyId": first});
    ok(&acct, "DeleteAccessKey", delete);
    let third = create("bob");
    fails(&acct, "CreateAccessKey", bob, "LimitExceeded", quota);

    // A renamed user's keys follow it.
    ok(
        &acct,
        "UpdateUser",
        json!({"UserName": "bob", "NewUserName": "robert"}),
    );
    let mut kept = vec![second, third];
    kept.sort();
    assert_eq!(key_ids(&acct, Some("robert"), json!({})), kept);
    let robert = json!({"UserName": "robert"});
    fails(&acct, "CreateAccessKey", robert, "LimitExceeded", quota);
    let state = acct.snapshot();
    let owned = |owner: &str| {
        state
            .access_keys
            .find(crate::state::By::Owner, owner)
            .count()
    };
    assert_eq!((owned("bob"), owned("robert"), owned("bobby")), (0, 2, 1));
}
