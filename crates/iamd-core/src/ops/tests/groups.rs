//! Groups, membership and inline policies, called as the server would; and, at the engine
//! level, a user's permissions following their groups immediately.

use serde_json::{json, Value};

use crate::account::Account;
use crate::authz::Caller;
use crate::error::IamError;
use crate::testing::{account, call, root, user};

/// An account in memory, called as root unless a caller is given.
struct Fixture {
    acct: Account,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture { acct: account().0 }
    }

    fn call_as(&self, caller: &Caller, action: &str, input: Value) -> Result<Value, IamError> {
        call(&self.acct, caller, "iam", action, input)
    }

    /// Calls as root and expects success.
    fn ok(&self, action: &str, input: Value) -> Value {
        self.call_as(&root(), action, input).unwrap()
    }

    /// Calls as root and expects an error, returned as `Code: message`.
    fn err(&self, action: &str, input: Value) -> String {
        self.call_as(&root(), action, input)
            .unwrap_err()
            .to_string()
    }

    fn create_user(&self, name: &str) {
        self.ok("CreateUser", json!({ "UserName": name }));
    }

    fn create_group(&self, name: &str) {
        self.ok("CreateGroup", json!({ "GroupName": name }));
    }

    /// Calls as root; an error comes back as `Code: message`.
    fn try_call(&self, action: &str, input: Value) -> Result<Value, String> {
        self.call_as(&root(), action, input)
            .map_err(|e| e.to_string())
    }

    /// AddUserToGroup or RemoveUserFromGroup.
    fn membership(&self, action: &str, group: &str, user: &str) -> Result<Value, String> {
        self.try_call(action, json!({"GroupName": group, "UserName": user}))
    }

    fn member(&self, action: &str, group: &str, user_name: &str) {
        self.membership(action, group, user_name).unwrap();
    }

    /// Get/Delete{User,Group}Policy: `entity` is `("UserName", name)` or `("GroupName", name)`.
    fn policy_call(
        &self,
        action: &str,
        entity: (&str, &str),
        policy: &str,
    ) -> Result<Value, String> {
        self.try_call(action, json!({entity.0: entity.1, "PolicyName": policy}))
    }

    /// Put{User,Group}Policy.
    fn try_put(&self, entity: (&str, &str), policy: &str, document: &str) -> Result<Value, String> {
        let action = match entity.0 {
            "UserName" => "PutUserPolicy",
            _ => "PutGroupPolicy",
        };
        let input = json!({entity.0: entity.1, "PolicyName": policy, "PolicyDocument": document});
        self.try_call(action, input)
    }

    fn put(&self, entity: (&str, &str), policy: &str, document: &str) {
        self.try_put(entity, policy, document).unwrap();
    }

    /// A caller for existing user `name`, with long-term keys.
    fn user(&self, name: &str) -> Caller {
        user(&self.acct, name, None)
    }
}

/// Entities named in inline policy calls.
const ALICE: (&str, &str) = ("UserName", "alice");
const BOB: (&str, &str) = ("UserName", "bob");
const DEVS: (&str, &str) = ("GroupName", "devs");
const NOPE_GROUP: (&str, &str) = ("GroupName", "nope");

fn names(list: &Value, member: &str, field: &str) -> Vec<String> {
    list[member]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap().to_string())
        .collect()
}

fn allow(action: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": "*"}
    ]})
    .to_string()
}

#[test]
fn group_lifecycle_and_errors() {
    let t = Fixture::new();
    let out = t.ok(
        "CreateGroup",
        json!({"GroupName": "Developers", "Path": "/eng/"}),
    );
    let group = &out["Group"];
    assert_eq!(
        group["Arn"],
        "arn:aws:iam::111122223333:group/eng/Developers"
    );
    assert_eq!(group["Path"], "/eng/");
    assert!(group["GroupId"].as_str().unwrap().starts_with("AGPA"));
    assert_eq!(group["CreateDate"], 1_795_423_481);
    let e = t.err("CreateGroup", json!({"GroupName": "developers"}));
    assert_eq!(
        e,
        "EntityAlreadyExists: Group with name developers already exists."
    );
    let got = t.ok("GetGroup", json!({"GroupName": "DEVELOPERS"}));
    assert_eq!(got["Group"]["GroupName"], "Developers");
    assert_eq!(got["Users"], json!([]));
    assert_eq!(got["IsTruncated"], false);
    let e = t.err("GetGroup", json!({"GroupName": "nope"}));
    assert_eq!(e, "NoSuchEntity: The group with name nope cannot be found.");
    // Rename and move; the old name is gone, the new one has the new ARN.
    t.ok("CreateGroup", json!({"GroupName": "ops", "Path": "/ops/"}));
    let e = t.err(
        "UpdateGroup",
        json!({"GroupName": "Developers", "NewGroupName": "OPS"}),
    );
    assert_eq!(
        e,
        "EntityAlreadyExists: Group with name OPS already exists."
    );
    t.ok(
        "UpdateGroup",
        json!({"GroupName": "developers", "NewGroupName": "devs", "NewPath": "/team/"}),
    );
    let e = t.err("GetGroup", json!({"GroupName": "Developers"}));
    assert_eq!(
        e,
        "NoSuchEntity: The group with name Developers cannot be found."
    );
    let renamed = t.ok("GetGroup", json!({"GroupName": "devs"}));
    assert_eq!(
        renamed["Group"]["Arn"],
        "arn:aws:iam::111122223333:group/team/devs"
    );
    assert_eq!(renamed["Group"]["GroupId"], group["GroupId"]);
    // A case-only rename keeps one group.
    t.ok(
        "UpdateGroup",
        json!({"GroupName": "devs", "NewGroupName": "Devs"}),
    );
    assert_eq!(t.acct.snapshot().groups.len(), 2);
    t.ok("DeleteGroup", json!({"GroupName": "Devs"}));
    let e = t.err("DeleteGroup", json!({"GroupName": "Devs"}));
    assert_eq!(e, "NoSuchEntity: The group with name Devs cannot be found.");
    let e = t.err(
        "UpdateGroup",
        json!({"GroupName": "gone", "NewPath": "/x/"}),
    );
    assert_eq!(e, "NoSuchEntity: The group with name gone cannot be found.");
}

#[test]
fn list_groups_filters_by_path_and_paginates() {
    let t = Fixture::new();
    for (name, path) in [("a", "/x/"), ("b", "/x/y/"), ("c", "/"), ("d", "/x/")] {
        t.ok("CreateGroup", json!({"GroupName": name, "Path": path}));
    }
    let all = t.ok("ListGroups", json!({}));
    assert_eq!(names(&all, "Groups", "GroupName"), ["a", "b", "c", "d"]);
    assert_eq!(all["IsTruncated"], false);
    assert!(all.get("Marker").is_none());
    let x = t.ok("ListGroups", json!({"PathPrefix": "/x/"}));
    assert_eq!(names(&x, "Groups", "GroupName"), ["a", "b", "d"]);
    let first = t.ok("ListGroups", json!({"MaxItems": 3}));
    assert_eq!(names(&first, "Groups", "GroupName"), ["a", "b", "c"]);
    assert_eq!(first["IsTruncated"], true);
    let rest = t.ok(
        "ListGroups",
        json!({"MaxItems": 3, "Marker": first["Marker"]}),
    );
    assert_eq!(names(&rest, "Groups", "GroupName"), ["d"]);
    assert_eq!(rest["IsTruncated"], false);
}

#[test]
fn group_quota_is_300() {
    let t = Fixture::new();
    for i in 0..300 {
        t.ok("CreateGroup", json!({"GroupName": format!("g{i}")}));
    }
    let e = t.err("CreateGroup", json!({"GroupName": "one-more"}));
    assert_eq!(
        e,
        "LimitExceeded: Cannot exceed quota for GroupsPerAccount: 300"
    );
}

#[test]
fn membership_add_remove_list_and_rename() {
    let t = Fixture::new();
    for name in ["alice", "bob", "carol"] {
        t.create_user(name);
    }
    t.create_group("Devs");
    t.create_group("admins");
    for user_name in ["carol", "alice", "bob"] {
        t.member("AddUserToGroup", "devs", user_name);
    }
    // Adding twice changes nothing.
    t.member("AddUserToGroup", "DEVS", "alice");
    assert_eq!(t.acct.snapshot().user("alice").unwrap().groups, ["Devs"]);
    t.member("AddUserToGroup", "admins", "alice");
    let e = t.membership("AddUserToGroup", "nope", "alice").unwrap_err();
    assert_eq!(e, "NoSuchEntity: The group with name nope cannot be found.");
    let e = t.membership("AddUserToGroup", "devs", "dave").unwrap_err();
    assert_eq!(e, "NoSuchEntity: The user with name dave cannot be found.");
    // GetGroup pages its members in name order.
    let page = t.ok("GetGroup", json!({"GroupName": "devs", "MaxItems": 2}));
    assert_eq!(names(&page, "Users", "UserName"), ["alice", "bob"]);
    assert_eq!(page["IsTruncated"], true);
    let rest = t.ok(
        "GetGroup",
        json!({"GroupName": "devs", "Marker": page["Marker"]}),
    );
    assert_eq!(names(&rest, "Users", "UserName"), ["carol"]);
    assert_eq!(rest["Group"]["GroupName"], "Devs");
    // ListGroupsForUser, paginated.
    let groups = t.ok("ListGroupsForUser", json!({"UserName": "alice"}));
    assert_eq!(names(&groups, "Groups", "GroupName"), ["admins", "Devs"]);
    let one = t.ok(
        "ListGroupsForUser",
        json!({"UserName": "alice", "MaxItems": 1}),
    );
    assert_eq!(names(&one, "Groups", "GroupName"), ["admins"]);
    let two = t.ok(
        "ListGroupsForUser",
        json!({"UserName": "alice", "MaxItems": 1, "Marker": one["Marker"]}),
    );
    assert_eq!(names(&two, "Groups", "GroupName"), ["Devs"]);
    assert_eq!(two["IsTruncated"], false);
    let e = t.err("ListGroupsForUser", json!({"UserName": "dave"}));
    assert_eq!(e, "NoSuchEntity: The user with name dave cannot be found.");
    // Renaming the group renames it in every member's list.
    t.ok(
        "UpdateGroup",
        json!({"GroupName": "devs", "NewGroupName": "engineers"}),
    );
    let state = t.acct.snapshot();
    assert_eq!(state.user("alice").unwrap().groups, ["engineers", "admins"]);
    assert_eq!(state.user("bob").unwrap().groups, ["engineers"]);
    let members = t.ok("GetGroup", json!({"GroupName": "engineers"}));
    assert_eq!(
        names(&members, "Users", "UserName"),
        ["alice", "bob", "carol"]
    );
    // Removing; removing a non-member succeeds without change (as AWS).
    t.member("RemoveUserFromGroup", "ENGINEERS", "bob");
    t.member("RemoveUserFromGroup", "engineers", "bob");
    assert!(t.acct.snapshot().user("bob").unwrap().groups.is_empty());
    let e = t
        .membership("RemoveUserFromGroup", "nope", "bob")
        .unwrap_err();
    assert_eq!(e, "NoSuchEntity: The group with name nope cannot be found.");
    let e = t
        .membership("RemoveUserFromGroup", "engineers", "dave")
        .unwrap_err();
    assert_eq!(e, "NoSuchEntity: The user with name dave cannot be found.");
}

#[test]
fn groups_per_user_quota_is_10() {
    let t = Fixture::new();
    t.create_user("alice");
    for i in 0..11 {
        t.ok("CreateGroup", json!({"GroupName": format!("g{i}")}));
    }
    for i in 0..10 {
        t.ok(
            "AddUserToGroup",
            json!({"GroupName": format!("g{i}"), "UserName": "alice"}),
        );
    }
    // Re-adding an existing membership is still a no-op at the quota.
    t.member("AddUserToGroup", "g3", "alice");
    let e = t.membership("AddUserToGroup", "g10", "alice").unwrap_err();
    assert_eq!(
        e,
        "LimitExceeded: Cannot exceed quota for GroupsPerUser: 10"
    );
}

#[test]
fn delete_group_conflicts() {
    let t = Fixture::new();
    t.create_user("alice");
    t.create_group("devs");
    t.member("AddUserToGroup", "devs", "alice");
    t.put(DEVS, "p", &allow("iam:ListUsers"));
    let e = t.err("DeleteGroup", json!({"GroupName": "devs"}));
    assert_eq!(
        e,
        "DeleteConflict: Cannot delete entity, must remove users from group first."
    );
    // The user cannot be deleted while a member either.
    let e = t.err("DeleteUser", json!({"UserName": "alice"}));
    assert_eq!(
        e,
        "DeleteConflict: Cannot delete entity, must remove users from group first."
    );
    t.member("RemoveUserFromGroup", "devs", "alice");
    let e = t.err("DeleteGroup", json!({"GroupName": "devs"}));
    assert_eq!(
        e,
        "DeleteConflict: Cannot delete entity, must delete policies first."
    );
    t.policy_call("DeleteGroupPolicy", DEVS, "p").unwrap();
    // An attached managed policy (set directly: attaching is another module's operation).
    t.acct
        .write(|txn| {
            let mut group = (**txn.state.group("devs").unwrap()).clone();
            group
                .attached
                .push("arn:aws:iam::aws:policy/ReadOnlyAccess".into());
            crate::entities::groups::save_group(txn, group)
        })
        .unwrap();
    let e = t.err("DeleteGroup", json!({"GroupName": "devs"}));
    assert_eq!(
        e,
        "DeleteConflict: Cannot delete entity, must detach all policies first."
    );
    t.acct
        .write(|txn| {
            let mut group = (**txn.state.group("devs").unwrap()).clone();
            group.attached.clear();
            crate::entities::groups::save_group(txn, group)
        })
        .unwrap();
    t.ok("DeleteGroup", json!({"GroupName": "devs"}));
    assert!(t.acct.snapshot().group("devs").is_none());
}

#[test]
fn user_inline_policies() {
    let t = Fixture::new();
    t.create_user("alice");
    // Kept as sent (key order, spacing), and returned percent-encoded.
    let doc = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/a b"}]}"#;
    t.put(("UserName", "Alice"), "read", doc);
    t.put(ALICE, "another", &allow("iam:ListUsers"));
    let got = t
        .policy_call("GetUserPolicy", ("UserName", "ALICE"), "read")
        .unwrap();
    assert_eq!(got["UserName"], "alice");
    assert_eq!(got["PolicyName"], "read");
    let encoded = got["PolicyDocument"].as_str().unwrap();
    assert!(
        encoded
            .starts_with("%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%0A"),
        "{encoded}"
    );
    assert!(encoded.ends_with("user%2Fa%20b%22%7D%5D%7D"), "{encoded}");
    assert_eq!(decode(encoded), doc);
    let listed = t.ok("ListUserPolicies", json!({"UserName": "alice"}));
    assert_eq!(listed["PolicyNames"], json!(["another", "read"]));
    assert_eq!(listed["IsTruncated"], false);
    let first = t.ok(
        "ListUserPolicies",
        json!({"UserName": "alice", "MaxItems": 1}),
    );
    assert_eq!(first["PolicyNames"], json!(["another"]));
    assert_eq!(first["IsTruncated"], true);
    let second = t.ok(
        "ListUserPolicies",
        json!({"UserName": "alice", "MaxItems": 1, "Marker": first["Marker"]}),
    );
    assert_eq!(second["PolicyNames"], json!(["read"]));
    assert_eq!(second["IsTruncated"], false);
    // Errors.
    let e = t.policy_call("GetUserPolicy", ALICE, "nope").unwrap_err();
    assert_eq!(
        e,
        "NoSuchEntity: The user policy with name nope cannot be found."
    );
    let e = t.policy_call("GetUserPolicy", BOB, "read").unwrap_err();
    assert_eq!(e, "NoSuchEntity: The user with name bob cannot be found.");
    let e = t.try_put(BOB, "p", &allow("iam:GetUser")).unwrap_err();
    assert_eq!(e, "NoSuchEntity: The user with name bob cannot be found.");
    let bad = t
        .call_as(
            &root(),
            "PutUserPolicy",
            json!({"UserName": "alice", "PolicyName": "bad", "PolicyDocument": "{not json"}),
        )
        .unwrap_err();
    assert_eq!((bad.code, bad.status), ("MalformedPolicyDocument", 400));
    let e = t.err("ListUserPolicies", json!({"UserName": "bob"}));
    assert_eq!(e, "NoSuchEntity: The user with name bob cannot be found.");
    t.policy_call("DeleteUserPolicy", ALICE, "read").unwrap();
    let e = t
        .policy_call("DeleteUserPolicy", ALICE, "read")
        .unwrap_err();
    assert_eq!(
        e,
        "NoSuchEntity: The user policy with name read cannot be found."
    );
    // A user with inline policies cannot be deleted.
    let e = t.err("DeleteUser", json!({"UserName": "alice"}));
    assert_eq!(
        e,
        "DeleteConflict: Cannot delete entity, must delete policies first."
    );
}

#[test]
fn group_inline_policies() {
    let t = Fixture::new();
    t.create_group("Devs");
    t.put(DEVS, "list", &allow("iam:ListUsers"));
    let got = t
        .policy_call("GetGroupPolicy", ("GroupName", "DEVS"), "list")
        .unwrap();
    assert_eq!(got["GroupName"], "Devs");
    assert_eq!(
        decode(got["PolicyDocument"].as_str().unwrap()),
        allow("iam:ListUsers")
    );
    assert!(got.get("UserName").is_none());
    let listed = t.ok("ListGroupPolicies", json!({"GroupName": "devs"}));
    assert_eq!(listed["PolicyNames"], json!(["list"]));
    let e = t.policy_call("GetGroupPolicy", DEVS, "nope").unwrap_err();
    assert_eq!(
        e,
        "NoSuchEntity: The group policy with name nope cannot be found."
    );
    let e = t
        .try_put(NOPE_GROUP, "p", &allow("iam:GetUser"))
        .unwrap_err();
    assert_eq!(e, "NoSuchEntity: The group with name nope cannot be found.");
    let e = t.err("ListGroupPolicies", json!({"GroupName": "nope"}));
    assert_eq!(e, "NoSuchEntity: The group with name nope cannot be found.");
    t.policy_call("DeleteGroupPolicy", DEVS, "list").unwrap();
    let e = t
        .policy_call("DeleteGroupPolicy", DEVS, "list")
        .unwrap_err();
    assert_eq!(
        e,
        "NoSuchEntity: The group policy with name list cannot be found."
    );
    let empty = t.ok("ListGroupPolicies", json!({"GroupName": "devs"}));
    assert_eq!(empty["PolicyNames"], json!([]));
}

/// A document with `n` non-whitespace characters (plus whitespace, which is not counted).
fn document_of_size(n: usize) -> String {
    let head = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::111122223333:user/"#;
    let tail = r#""}]}"#;
    let pad = n - head.len() - tail.len();
    format!("{head}{}{tail}\n  \n", "x".repeat(pad))
}

#[test]
fn inline_policy_size_quotas() {
    let t = Fixture::new();
    t.create_user("alice");
    t.create_group("devs");
    // Exactly 2048 characters over two policies is accepted; whitespace does not count.
    t.put(ALICE, "a", &document_of_size(1024));
    t.put(ALICE, "b", &document_of_size(1024));
    let e = t.try_put(ALICE, "c", &document_of_size(200)).unwrap_err();
    assert_eq!(
        e,
        "LimitExceeded: Maximum policy size of 2048 bytes exceeded for user alice"
    );
    // Replacing a policy counts the new document instead of the old one.
    t.put(ALICE, "b", &document_of_size(1000));
    t.put(DEVS, "a", &document_of_size(5120));
    let e = t.try_put(DEVS, "b", &document_of_size(200)).unwrap_err();
    assert_eq!(
        e,
        "LimitExceeded: Maximum policy size of 5120 bytes exceeded for group devs"
    );
}

/// Moving a user from `developers` to `readers` changes what they may do, at once.
#[test]
fn permissions_follow_group_membership_immediately() {
    let t = Fixture::new();
    t.create_user("dana");
    t.create_group("developers");
    t.create_group("readers");
    t.put(
        ("GroupName", "developers"),
        "list-users",
        &allow("iam:ListUsers"),
    );
    t.put(("GroupName", "readers"), "get-user", &allow("iam:GetUser"));
    t.member("AddUserToGroup", "developers", "dana");
    let dana = t.user("dana");
    let listed = t.call_as(&dana, "ListUsers", json!({})).unwrap();
    assert_eq!(names(&listed, "Users", "UserName"), ["dana"]);
    t.member("RemoveUserFromGroup", "developers", "dana");
    t.member("AddUserToGroup", "readers", "dana");
    let denied = t.call_as(&dana, "ListUsers", json!({})).unwrap_err();
    assert_eq!((denied.code, denied.status), ("AccessDenied", 403));
    assert!(
        denied
            .message
            .contains("is not authorized to perform: iam:ListUsers"),
        "{}",
        denied.message
    );
    // What readers may do still works.
    t.call_as(&dana, "GetUser", json!({"UserName": "dana"}))
        .unwrap();
    // Without any group, nothing is allowed.
    t.member("RemoveUserFromGroup", "readers", "dana");
    let e = t
        .call_as(&dana, "GetUser", json!({"UserName": "dana"}))
        .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
}

/// A user's own inline policy takes effect at once, and stops when deleted; membership and
/// group operations are themselves authorized.
#[test]
fn user_inline_policy_takes_effect_immediately() {
    let t = Fixture::new();
    t.create_user("erin");
    t.create_group("admins");
    let erin = t.user("erin");
    let e = t.call_as(&erin, "ListGroups", json!({})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(
        e.message
            .contains("iam:ListGroups on resource: arn:aws:iam::111122223333:group/ "),
        "{}",
        e.message
    );
    let e = t
        .call_as(
            &erin,
            "AddUserToGroup",
            json!({"GroupName": "admins", "UserName": "erin"}),
        )
        .unwrap_err();
    assert!(
        e.message
            .contains("iam:AddUserToGroup on resource: arn:aws:iam::111122223333:group/admins "),
        "{}",
        e.message
    );
    t.put(("UserName", "erin"), "groups", &allow("iam:ListGroups"));
    let listed = t.call_as(&erin, "ListGroups", json!({})).unwrap();
    assert_eq!(names(&listed, "Groups", "GroupName"), ["admins"]);
    t.policy_call("DeleteUserPolicy", ("UserName", "erin"), "groups")
        .unwrap();
    let e = t.call_as(&erin, "ListGroups", json!({})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
}

/// Percent-decoding, as the SDKs do on `PolicyDocument`.
fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap()
        .into_owned()
}
