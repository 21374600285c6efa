//! Which users' policies require MFA, decided by evaluation as `iamd policy lint` does: the
//! account's users, groups and policies from GetAccountAuthorizationDetails (every page), each
//! user's set (inline, attached, and their groups' policies) judged by
//! `iamd_policy::lint::mfa_requirement`.

use std::collections::BTreeMap;

use iamd_policy::lint::{self, Loaded, PolicyFile};
use roxmltree::{Document, Node};

/// An inline policy: (name, document text).
type Inline = (String, String);

/// One user's policies by name, before evaluation.
#[derive(Default)]
struct UserPolicies {
    inline: Vec<Inline>,
    attached: Vec<String>,
    groups: Vec<String>,
}

/// One group's inline policies and attached policy ARNs.
#[derive(Default)]
struct GroupPolicies {
    inline: Vec<Inline>,
    attached: Vec<String>,
}

/// What one or more pages of GetAccountAuthorizationDetails say.
#[derive(Default)]
pub struct Details {
    users: BTreeMap<String, UserPolicies>,
    groups: BTreeMap<String, GroupPolicies>,
    /// Policy ARN → (name, default version's document).
    policies: BTreeMap<String, (String, String)>,
}

impl Details {
    /// Adds one page; returns the marker of the next page, if any.
    pub fn add_page(&mut self, xml: &str) -> Result<Option<String>, String> {
        let doc = Document::parse(xml).map_err(|e| format!("not XML: {e}"))?;
        let root = doc.root_element();
        let result = child(root, "GetAccountAuthorizationDetailsResult").unwrap_or(root);
        for user in members(child(result, "UserDetailList")) {
            let name = text(user, "UserName");
            let entry = self.users.entry(name).or_default();
            entry.inline.extend(inline(child(user, "UserPolicyList")));
            entry
                .attached
                .extend(attached(child(user, "AttachedManagedPolicies")));
            entry.groups.extend(
                members(child(user, "GroupList")).map(|g| g.text().unwrap_or("").to_string()),
            );
        }
        for group in members(child(result, "GroupDetailList")) {
            let entry = self.groups.entry(text(group, "GroupName")).or_default();
            entry.inline.extend(inline(child(group, "GroupPolicyList")));
            entry
                .attached
                .extend(attached(child(group, "AttachedManagedPolicies")));
        }
        for policy in members(child(result, "Policies")) {
            let default = text(policy, "DefaultVersionId");
            let version = members(child(policy, "PolicyVersionList")).find(|v| {
                text(*v, "VersionId") == default || text(*v, "IsDefaultVersion") == "true"
            });
            if let Some(version) = version {
                self.policies.insert(
                    text(policy, "Arn"),
                    (
                        text(policy, "PolicyName"),
                        decode(&text(version, "Document")),
                    ),
                );
            }
        }
        let truncated = child(result, "IsTruncated").and_then(|n| n.text()) == Some("true");
        Ok(truncated
            .then(|| text(result, "Marker"))
            .filter(|m| !m.is_empty()))
    }

    /// User name → the statement that makes MFA required (`POLICY statement S`), for every
    /// user whose policies require MFA.
    pub fn requiring_mfa(&self) -> BTreeMap<String, String> {
        let mut required = BTreeMap::new();
        for (name, user) in &self.users {
            let mut documents: Vec<Inline> = user.inline.clone();
            let mut arns = user.attached.clone();
            for group in &user.groups {
                if let Some(policies) = self.groups.get(group) {
                    documents.extend(policies.inline.iter().cloned());
                    arns.extend(policies.attached.iter().cloned());
                }
            }
            documents.extend(arns.iter().filter_map(|arn| self.document_of(arn)));
            let files: Vec<PolicyFile> = documents
                .iter()
                .filter_map(|(policy, text)| match lint::load(policy, text, true) {
                    Ok(Loaded::Policy(file)) => Some(file),
                    _ => None,
                })
                .collect();
            if let Some(why) = lint::mfa_requirement(&files) {
                required.insert(name.clone(), why);
            }
        }
        required
    }

    /// A managed policy's (name, document): from the answer, else the AWS managed policies
    /// iamd ships.
    fn document_of(&self, arn: &str) -> Option<Inline> {
        if let Some(found) = self.policies.get(arn) {
            return Some(found.clone());
        }
        iamd_core::aws_policies::get(arn)
            .and_then(|p| Some((p.name.clone(), p.versions.last()?.document.text.clone())))
    }
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.tag_name().name() == name)
}

fn members<'a, 'i>(list: Option<Node<'a, 'i>>) -> impl Iterator<Item = Node<'a, 'i>> {
    list.into_iter()
        .flat_map(|l| l.children().filter(|c| c.tag_name().name() == "member"))
}

fn text(node: Node<'_, '_>, name: &str) -> String {
    child(node, name)
        .and_then(|c| c.text())
        .unwrap_or("")
        .to_string()
}

fn inline(list: Option<Node<'_, '_>>) -> Vec<Inline> {
    members(list)
        .map(|m| (text(m, "PolicyName"), decode(&text(m, "PolicyDocument"))))
        .collect()
}

fn attached(list: Option<Node<'_, '_>>) -> Vec<String> {
    members(list).map(|m| text(m, "PolicyArn")).collect()
}

/// Percent-decoding of a URL-encoded document (as AWS returns them).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn users_whose_policies_require_mfa() {
        let deny = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Deny%22%2C%22NotAction%22%3A%22iam%3A%2AMFA%2A%22%2C%22Resource%22%3A%22%2A%22%2C%22Condition%22%3A%7B%22BoolIfExists%22%3A%7B%22aws%3AMultiFactorAuthPresent%22%3A%22false%22%7D%7D%7D%5D%7D";
        let xml = format!(
            "<GetAccountAuthorizationDetailsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetAccountAuthorizationDetailsResult>\
             <UserDetailList><member><UserName>ann</UserName><GroupList><member>devs</member></GroupList>\
             <AttachedManagedPolicies><member><PolicyName>AdministratorAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member></AttachedManagedPolicies></member>\
             <member><UserName>bob</UserName><AttachedManagedPolicies><member><PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member></AttachedManagedPolicies></member></UserDetailList>\
             <GroupDetailList><member><GroupName>devs</GroupName><GroupPolicyList><member><PolicyName>force-mfa</PolicyName><PolicyDocument>{deny}</PolicyDocument></member></GroupPolicyList></member></GroupDetailList>\
             <IsTruncated>true</IsTruncated><Marker>next</Marker></GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>"
        );
        let mut details = Details::default();
        assert_eq!(details.add_page(&xml).unwrap().as_deref(), Some("next"));
        let required = details.requiring_mfa();
        assert_eq!(required.len(), 1);
        assert_eq!(required["ann"], "force-mfa statement #1");
    }
}
