//! Instance profiles and the roles they hold, called as the server would.

use serde_json::{json, Value};

use super::policies::{attach, create, fails, iam, ok, strings};
use super::roles::create_role;
use crate::account::Account;
use crate::testing::{account, user};

fn create_profile(acct: &Account, name: &str, path: &str) -> Value {
    ok(
        acct,
        "CreateInstanceProfile",
        json!({"InstanceProfileName": name, "Path": path}),
    )
}

fn add(acct: &Account, profile: &str, role: &str) -> Value {
    let input = json!({"InstanceProfileName": profile, "RoleName": role});
    ok(acct, "AddRoleToInstanceProfile", input)
}

#[test]
fn instance_profile_lifecycle_and_errors() {
    let (acct, _) = account();
    let out = ok(
        &acct,
        "CreateInstanceProfile",
        json!({"InstanceProfileName": "Web", "Path": "/app/", "Tags": [{"Key": "k", "Value": "v"}]}),
    );
    let profile = &out["InstanceProfile"];
    assert_eq!(
        profile["Arn"],
        "arn:aws:iam::111122223333:instance-profile/app/Web"
    );
    assert!(profile["InstanceProfileId"]
        .as_str()
        .unwrap()
        .starts_with("AIPA"));
    assert_eq!(profile["Roles"], json!([]));
    assert_eq!(profile["Tags"], json!([{"Key": "k", "Value": "v"}]));
    fails(
        &acct,
        "CreateInstanceProfile",
        json!({"InstanceProfileName": "WEB"}),
        "EntityAlreadyExists",
        "Instance Profile WEB already exists.",
    );
    fails(
        &acct,
        "GetInstanceProfile",
        json!({"InstanceProfileName": "nope"}),
        "NoSuchEntity",
        "Instance Profile nope cannot be found.",
    );
    create_profile(&acct, "Batch", "/");
    create_profile(&acct, "Cron", "/app/");
    let first = ok(&acct, "ListInstanceProfiles", json!({"MaxItems": 2}));
    assert_eq!(
        strings(&first, "InstanceProfiles", "InstanceProfileName"),
        ["Batch", "Cron"]
    );
    assert_eq!(first["IsTruncated"], true);
    let rest = ok(
        &acct,
        "ListInstanceProfiles",
        json!({"Marker": first["Marker"]}),
    );
    assert_eq!(
        strings(&rest, "InstanceProfiles", "InstanceProfileName"),
        ["Web"]
    );
    let app = ok(
        &acct,
        "ListInstanceProfiles",
        json!({"PathPrefix": "/app/"}),
    );
    assert_eq!(
        strings(&app, "InstanceProfiles", "InstanceProfileName"),
        ["Cron", "Web"]
    );
    ok(
        &acct,
        "DeleteInstanceProfile",
        json!({"InstanceProfileName": "web"}),
    );
    fails(
        &acct,
        "DeleteInstanceProfile",
        json!({"InstanceProfileName": "Web"}),
        "NoSuchEntity",
        "Instance Profile Web cannot be found.",
    );
}

#[test]
fn a_profile_holds_one_role() {
    let (acct, _) = account();
    create_role(&acct, "R1", "/");
    create_role(&acct, "R2", "/");
    create_profile(&acct, "P", "/");
    create_profile(&acct, "Q", "/");
    add(&acct, "P", "r1");
    let quota = "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1";
    for role in ["R2", "R1"] {
        fails(
            &acct,
            "AddRoleToInstanceProfile",
            json!({"InstanceProfileName": "P", "RoleName": role}),
            "LimitExceeded",
            quota,
        );
    }
    fails(
        &acct,
        "AddRoleToInstanceProfile",
        json!({"InstanceProfileName": "Q", "RoleName": "ghost"}),
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
    );
    add(&acct, "Q", "R1");
    let got = ok(
        &acct,
        "GetInstanceProfile",
        json!({"InstanceProfileName": "P"}),
    );
    let roles = &got["InstanceProfile"]["Roles"];
    assert_eq!(roles[0]["RoleName"], "R1");
    assert!(roles[0]["AssumeRolePolicyDocument"].is_string());
    let for_role = ok(
        &acct,
        "ListInstanceProfilesForRole",
        json!({"RoleName": "R1"}),
    );
    assert_eq!(
        strings(&for_role, "InstanceProfiles", "InstanceProfileName"),
        ["P", "Q"]
    );
    let none = ok(
        &acct,
        "ListInstanceProfilesForRole",
        json!({"RoleName": "R2"}),
    );
    assert_eq!(none["InstanceProfiles"], json!([]));
    fails(
        &acct,
        "DeleteRole",
        json!({"RoleName": "R1"}),
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
    );
    fails(
        &acct,
        "DeleteInstanceProfile",
        json!({"InstanceProfileName": "P"}),
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
    );
    let remove =
        |profile: &str, role: &str| json!({"InstanceProfileName": profile, "RoleName": role});
    fails(
        &acct,
        "RemoveRoleFromInstanceProfile",
        remove("P", "R2"),
        "NoSuchEntity",
        "Role R2 in Instance Profile P cannot be found.",
    );
    for profile in ["P", "Q"] {
        ok(
            &acct,
            "RemoveRoleFromInstanceProfile",
            remove(profile, "r1"),
        );
    }
    ok(&acct, "DeleteRole", json!({"RoleName": "R1"}));
    ok(
        &acct,
        "DeleteInstanceProfile",
        json!({"InstanceProfileName": "P"}),
    );
}

#[test]
fn instance_profile_tags() {
    let (acct, _) = account();
    create_profile(&acct, "P", "/");
    let name = json!({"InstanceProfileName": "P"});
    ok(
        &acct,
        "TagInstanceProfile",
        json!({"InstanceProfileName": "P", "Tags": [{"Key": "a", "Value": "1"}]}),
    );
    let listed = ok(&acct, "ListInstanceProfileTags", name.clone());
    assert_eq!(listed["Tags"], json!([{"Key": "a", "Value": "1"}]));
    ok(
        &acct,
        "UntagInstanceProfile",
        json!({"InstanceProfileName": "P", "TagKeys": ["a"]}),
    );
    let listed = ok(&acct, "ListInstanceProfileTags", name);
    assert_eq!(listed["Tags"], json!([]));
    fails(
        &acct,
        "TagInstanceProfile",
        json!({"InstanceProfileName": "ghost", "Tags": []}),
        "NoSuchEntity",
        "Instance Profile ghost cannot be found.",
    );
}

#[test]
fn instance_profile_operations_are_authorized_on_the_profile_arn() {
    let (acct, _) = account();
    create_role(&acct, "R", "/");
    create_profile(&acct, "P", "/ops/");
    ok(&acct, "CreateUser", json!({"UserName": "dev"}));
    let scoped = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["iam:AddRoleToInstanceProfile", "iam:GetInstanceProfile"],
        "Resource": "arn:aws:iam::111122223333:instance-profile/ops/*"
    }]});
    let arn = create(&acct, "Scoped", "/", &scoped.to_string());
    attach("User", &acct, "dev", &arn);
    let dev = user(&acct, "dev", None);
    let input = json!({"InstanceProfileName": "P", "RoleName": "R"});
    iam(&acct, &dev, "AddRoleToInstanceProfile", input.clone()).unwrap();
    let e = iam(&acct, &dev, "RemoveRoleFromInstanceProfile", input).unwrap_err();
    assert!(
        e.message.contains(
            "iam:RemoveRoleFromInstanceProfile on resource: arn:aws:iam::111122223333:instance-profile/ops/P"
        ),
        "{}",
        e.message
    );
    let e = iam(
        &acct,
        &dev,
        "ListInstanceProfilesForRole",
        json!({"RoleName": "R"}),
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("on resource: arn:aws:iam::111122223333:role/R "),
        "{}",
        e.message
    );
}
