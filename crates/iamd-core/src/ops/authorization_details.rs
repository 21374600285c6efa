//! GetAccountAuthorizationDetails: every user, group, role and managed policy of the account
//! with their relationships, in one paginated answer (iam:GetAccountAuthorizationDetails on
//! `*`). Inline and trust policy documents are URL-encoded, as AWS returns documents.
//!
//! Order: users, then groups, then roles (each by lowercase name), then policies (by ARN);
//! `MaxItems` counts entries of all four lists together and `Marker` is the sort key of the
//! first entry of the next page. `Filter` keeps the entity types named (all when empty).
//!
//! AWS managed policies are listed only while the account uses them (attached or as a
//! permissions boundary), as AWS's answers show: the account holds hundreds of them.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::attachments::{usage_counts, AttachedPolicy, PolicyUsage};
use super::groups::GroupView;

use super::managed_policies::{version_view, PolicyDetail, PolicyView};
use super::support::{entries_from, input, paginate_by, Page};
use super::users::UserView;
use super::{iam_op, OpContext, Operation};
use crate::entities::boundaries::boundary_view;
use crate::entities::documents::encode_document;
use crate::entities::policies::is_aws_managed;
use crate::error::IamError;
use crate::model::{Document, Role};
use crate::state::AccountState;

pub(super) static OPS: &[Operation] = &[iam_op(
    "GetAccountAuthorizationDetails",
    get_account_authorization_details,
    true,
)];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DetailsInput {
    #[serde(default)]
    filter: Vec<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

/// The four lists of the answer, in answer order.
const LISTS: [&str; 4] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

fn get_account_authorization_details(
    ctx: &OpContext<'_>,
    value: &Value,
) -> Result<Value, IamError> {
    let input: DetailsInput = input(value)?;
    ctx.authorize("iam:GetAccountAuthorizationDetails", "*")?;
    let wanted = |kind: &str| input.filter.is_empty() || input.filter.iter().any(|f| f == kind);
    let state = &ctx.state;
    // The page starts in the section its marker names (`1/` users ... `4/` policies), at the
    // marker's key: the entries before it are neither visited nor built.
    let (first, from) = match input.marker.as_deref().and_then(|m| m.split_once('/')) {
        Some((section, key)) => (section, Some(key)),
        None => ("1", None),
    };
    let start = |section: &str| match section.cmp(first) {
        std::cmp::Ordering::Less => None,
        std::cmp::Ordering::Equal => Some(from),
        std::cmp::Ordering::Greater => Some(None),
    };
    let users = start("1")
        .filter(|_| wanted("User"))
        .into_iter()
        .flat_map(|from| entries_from(&state.users, from))
        .map(|(key, user)| (format!("1/{key}"), Entry::User(user)));
    let groups = start("2")
        .filter(|_| wanted("Group"))
        .into_iter()
        .flat_map(|from| entries_from(&state.groups, from))
        .map(|(key, group)| (format!("2/{key}"), Entry::Group(group)));
    let roles = start("3")
        .filter(|_| wanted("Role"))
        .into_iter()
        .flat_map(|from| entries_from(&state.roles, from))
        .map(|(key, role)| (format!("3/{key}"), Entry::Role(role)));
    // Which policies are in use is only needed once the page reaches the policies.
    let usage = std::cell::OnceCell::new();
    let usage = || usage.get_or_init(|| usage_counts(state));
    // The account's policies, then the AWS managed policies in use, in ARN order (the
    // account's ARNs sort first).
    let policies = start("4").into_iter().flat_map(|from| {
        let local = entries_from(&state.policies, from).filter(|_| wanted("LocalManagedPolicy"));
        let mut aws_in_use: Vec<&str> = match wanted("AWSManagedPolicy") {
            true => usage()
                .keys()
                .copied()
                .filter(|arn| is_aws_managed(arn) && from.is_none_or(|f| *arn >= f))
                .collect(),
            false => Vec::new(),
        };
        aws_in_use.sort_unstable();
        let aws = aws_in_use
            .into_iter()
            .filter_map(|arn| crate::aws_policies::get(arn).map(|policy| (arn, policy)));
        local
            .map(|(arn, policy)| (arn.as_str(), policy))
            .chain(aws)
            .map(|(arn, policy)| (format!("4/{arn}"), Entry::Policy(policy)))
    });
    let page = paginate_by(
        users.chain(groups).chain(roles).chain(policies),
        input.marker.as_deref(),
        input.max_items,
        |entry| match entry {
            Entry::User(user) => (0, user_detail(user)),
            Entry::Group(group) => (1, group_detail(group)),
            Entry::Role(role) => (2, role_detail(state, role)),
            Entry::Policy(policy) => {
                let used = usage().get(policy.arn.as_str()).copied();
                (3, policy_detail(policy, used.unwrap_or_default()))
            }
        },
    )?;
    let mut lists: [Vec<Value>; 4] = Default::default();
    for (list, item) in page.items {
        if let Some(items) = lists.get_mut(list) {
            items.push(item);
        }
    }
    let mut result = Map::new();
    let [users, groups, roles, policies] = lists;
    for (name, items) in LISTS.iter().take(3).zip([users, groups, roles]) {
        result.insert((*name).to_string(), Value::Array(items));
    }
    Page {
        items: policies,
        marker: page.marker,
    }
    .finish(result, LISTS[3])
}

/// An entry of the answer, built only when it is on the page.
enum Entry<'a> {
    User(&'a crate::model::User),
    Group(&'a crate::model::Group),
    Role(&'a Role),
    Policy(&'a crate::model::ManagedPolicy),
}

/// The model's `UserDetail`.
fn user_detail(user: &crate::model::User) -> Value {
    let mut view = to_object(&UserView::of(user, true));
    view.insert("UserPolicyList".into(), inline_list(&user.inline));
    view.insert("GroupList".into(), json!(user.groups));
    view.insert("AttachedManagedPolicies".into(), attached(&user.attached));
    view.entry("Tags").or_insert_with(|| json!([]));
    Value::Object(view)
}

/// The model's `GroupDetail`.
fn group_detail(group: &crate::model::Group) -> Value {
    let mut view = to_object(&GroupView::of(group));
    view.insert("GroupPolicyList".into(), inline_list(&group.inline));
    view.insert("AttachedManagedPolicies".into(), attached(&group.attached));
    Value::Object(view)
}

/// A view serialized as a JSON object (views are structs, so always an object).
fn to_object(view: &impl serde::Serialize) -> Map<String, Value> {
    match serde_json::to_value(view) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// The model's `PolicyDetail` list: inline policies with their documents URL-encoded.
fn inline_list(inline: &BTreeMap<String, Document>) -> Value {
    inline
        .iter()
        .map(
            |(name, doc)| json!({"PolicyName": name, "PolicyDocument": encode_document(&doc.text)}),
        )
        .collect()
}

/// The model's `AttachedPolicy` list.
fn attached(arns: &[String]) -> Value {
    arns.iter()
        .filter_map(|arn| serde_json::to_value(AttachedPolicy::of(arn)).ok())
        .collect()
}

/// The model's `RoleDetail`, with the instance profiles that hold the role.
fn role_detail(state: &AccountState, role: &Role) -> Value {
    let mut view = role_summary(role);
    let profiles: Vec<Value> = state
        .instance_profiles
        .values()
        .filter(|p| p.roles.iter().any(|r| r.eq_ignore_ascii_case(&role.name)))
        .map(|p| {
            let members: Vec<Value> = p
                .roles
                .iter()
                .filter_map(|name| state.role(name))
                .map(|r| Value::Object(role_summary(r)))
                .collect();
            json!({
                "Path": p.path, "InstanceProfileName": p.name, "InstanceProfileId": p.id,
                "Arn": p.arn, "CreateDate": p.create_date, "Roles": members,
            })
        })
        .collect();
    view.insert("InstanceProfileList".into(), Value::Array(profiles));
    view.insert("RolePolicyList".into(), inline_list(&role.inline));
    view.insert("AttachedManagedPolicies".into(), attached(&role.attached));
    if let Some(arn) = &role.boundary {
        view.insert("PermissionsBoundary".into(), boundary_view(arn));
    }
    view.insert("Tags".into(), json!(role.tags));
    let last_used = match &role.last_used {
        Some((date, region)) => json!({"LastUsedDate": date, "Region": region}),
        None => json!({}),
    };
    view.insert("RoleLastUsed".into(), last_used);
    Value::Object(view)
}

/// A role's identity and trust policy (the members of `Role` that `RoleDetail` shares).
fn role_summary(role: &Role) -> Map<String, Value> {
    to_object(&json!({
        "Path": role.path, "RoleName": role.name, "RoleId": role.id, "Arn": role.arn,
        "CreateDate": role.create_date,
        "AssumeRolePolicyDocument": encode_document(&role.assume_role_policy.text),
    }))
}

/// The model's `ManagedPolicyDetail`: the policy with every version's document.
fn policy_detail(policy: &crate::model::ManagedPolicy, usage: PolicyUsage) -> Value {
    let mut view = to_object(&PolicyView::of(policy, usage, PolicyDetail::Full));
    view.remove("Tags");
    let versions: Vec<Value> = policy
        .versions
        .iter()
        .map(|v| version_view(policy, v, true))
        .collect();
    view.insert("PolicyVersionList".into(), Value::Array(versions));
    Value::Object(view)
}
