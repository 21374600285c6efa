//! Tags: the request-tag context and quota every tagging operation shares, and one
//! implementation of Tag/Untag/List*Tags for the entities looked up by name (users, roles,
//! instance profiles, server certificates) or by ARN (SAML and OpenID Connect providers).

use iamd_policy::ContextValue;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::support::{input, paginate};

use super::OpContext;
use crate::account::Txn;
use crate::entities::instance_profiles::{find_profile, profile_arn, save_profile};
use crate::entities::oidc_providers::{find_provider, save_provider};
use crate::entities::roles::{find_role, role_arn, save_role};
use crate::entities::saml_providers::{find_saml_provider, save_saml_provider};
use crate::entities::server_certificates::{certificate_arn, find_certificate, save_certificate};
use crate::entities::users::{find_user, save_user, user_arn};
use crate::error::IamError;
use crate::model::Tag;
use crate::state::AccountState;

/// AWS's quota of tags on one resource.
pub(crate) const MAX_TAGS: usize = 50;

/// More than [`MAX_TAGS`] tags on one resource: AWS's answer to TagOpenIDConnectProvider
/// past the quota, recorded in LocalStack's AWS-validated `test_iam_oidc.snapshot.json`
/// (`test_open_id_connect_provider_tags_limit`); iamd gives it for every taggable resource.
pub(crate) fn too_many_tags() -> IamError {
    IamError::limit_exceeded("The number of tags has reached the maximum limit.")
}

/// `aws:RequestTag/k` and `aws:TagKeys` for tags in a request, whose keys must be unique
/// regardless of case (checked before authorization).
pub(crate) fn tag_context(tags: &[Tag]) -> Result<Vec<(String, ContextValue)>, IamError> {
    super::input_checks::check_unique_tag_keys(tags)?;
    let mut extra: Vec<(String, ContextValue)> = tags
        .iter()
        .map(|t| {
            (
                format!("aws:RequestTag/{}", t.key),
                ContextValue::Single(t.value.clone()),
            )
        })
        .collect();
    extra.push((
        "aws:TagKeys".into(),
        ContextValue::Multi(tags.iter().map(|t| t.key.clone()).collect()),
    ));
    Ok(extra)
}

/// Merges `new` into `tags` (same key replaces), enforcing the quota of 50.
pub(crate) fn merge_tags(tags: &mut Vec<Tag>, new: Vec<Tag>) -> Result<(), IamError> {
    for tag in new {
        match tags.iter_mut().find(|t| t.key == tag.key) {
            Some(existing) => existing.value = tag.value,
            None => tags.push(tag),
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(too_many_tags());
    }
    Ok(())
}

/// The kinds of entity tagged by name (OpenID Connect providers: by ARN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tagged {
    User,
    Role,
    InstanceProfile,
    /// By ARN.
    SamlProvider,
    OidcProvider,
    ServerCertificate,
}

impl Tagged {
    /// `User`, `Role` or `InstanceProfile`, as in action names.
    fn title(self) -> &'static str {
        match self {
            Tagged::User => "User",
            Tagged::Role => "Role",
            Tagged::InstanceProfile => "InstanceProfile",
            Tagged::SamlProvider => "SAMLProvider",
            Tagged::OidcProvider => "OpenIDConnectProvider",
            Tagged::ServerCertificate => "ServerCertificate",
        }
    }

    /// The resource the tagging actions are authorized on: the entity's ARN.
    fn arn(self, ctx: &OpContext<'_>, name: &str) -> String {
        match self {
            Tagged::User => user_arn(ctx, name),
            Tagged::Role => role_arn(ctx, name),
            Tagged::InstanceProfile => profile_arn(ctx, name),
            Tagged::SamlProvider => name.to_string(),
            Tagged::OidcProvider => name.to_string(),
            Tagged::ServerCertificate => certificate_arn(ctx, name),
        }
    }

    /// The entity's tags (NoSuchEntity if it does not exist).
    fn tags(self, state: &AccountState, name: &str) -> Result<Vec<Tag>, IamError> {
        Ok(match self {
            Tagged::User => find_user(state, name)?.tags.clone(),
            Tagged::Role => find_role(state, name)?.tags.clone(),
            Tagged::InstanceProfile => find_profile(state, name)?.tags.clone(),
            Tagged::SamlProvider => find_saml_provider(state, name)?.tags.clone(),
            Tagged::OidcProvider => find_provider(state, name)?.tags.clone(),
            Tagged::ServerCertificate => find_certificate(state, name)?.tags.clone(),
        })
    }

    /// Changes the entity's tags in a transaction.
    fn update(
        self,
        txn: &mut Txn,
        name: &str,
        change: impl FnOnce(&mut Vec<Tag>) -> Result<(), IamError>,
    ) -> Result<(), IamError> {
        match self {
            Tagged::User => {
                let mut user = (*find_user(&txn.state, name)?).clone();
                change(&mut user.tags)?;
                save_user(txn, user)
            }
            Tagged::Role => {
                let mut role = (*find_role(&txn.state, name)?).clone();
                change(&mut role.tags)?;
                save_role(txn, role)
            }
            Tagged::InstanceProfile => {
                let mut profile = (*find_profile(&txn.state, name)?).clone();
                change(&mut profile.tags)?;
                save_profile(txn, profile)
            }
            Tagged::SamlProvider => {
                let mut provider = (*find_saml_provider(&txn.state, name)?).clone();
                change(&mut provider.tags)?;
                save_saml_provider(txn, provider)
            }
            Tagged::OidcProvider => {
                let mut provider = (*find_provider(&txn.state, name)?).clone();
                change(&mut provider.tags)?;
                save_provider(txn, provider)
            }
            Tagged::ServerCertificate => {
                let mut cert = (*find_certificate(&txn.state, name)?).clone();
                change(&mut cert.tags)?;
                save_certificate(txn, cert)
            }
        }
    }
}

/// The input of every operation here; the entity's name member depends on the operation
/// (the wire layer has checked the operation's own shape).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagsInput {
    #[serde(
        rename = "UserName",
        alias = "RoleName",
        alias = "InstanceProfileName",
        alias = "SAMLProviderArn",
        alias = "OpenIDConnectProviderArn",
        alias = "ServerCertificateName"
    )]
    entity_name: String,
    #[serde(default)]
    tags: Vec<Tag>,
    #[serde(default)]
    tag_keys: Vec<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

/// Tag{User,Role,InstanceProfile}: adds or replaces tags, authorized with the request tags.
pub(super) fn tag(ctx: &OpContext<'_>, value: &Value, kind: Tagged) -> Result<Value, IamError> {
    let input: TagsInput = input(value)?;
    ctx.authorize_with(
        &format!("iam:Tag{}", kind.title()),
        &kind.arn(ctx, &input.entity_name),
        &tag_context(&input.tags)?,
    )?;
    ctx.write(|txn| kind.update(txn, &input.entity_name, |tags| merge_tags(tags, input.tags)))?;
    Ok(json!({}))
}

/// Untag{User,Role,InstanceProfile}: removes tags by key (absent keys are ignored).
pub(super) fn untag(ctx: &OpContext<'_>, value: &Value, kind: Tagged) -> Result<Value, IamError> {
    let input: TagsInput = input(value)?;
    let extra = [(
        "aws:TagKeys".to_string(),
        ContextValue::Multi(input.tag_keys.clone()),
    )];
    ctx.authorize_with(
        &format!("iam:Untag{}", kind.title()),
        &kind.arn(ctx, &input.entity_name),
        &extra,
    )?;
    ctx.write(|txn| {
        kind.update(txn, &input.entity_name, |tags| {
            tags.retain(|t| !input.tag_keys.contains(&t.key));
            Ok(())
        })
    })?;
    Ok(json!({}))
}

/// List{User,Role,InstanceProfile}Tags, in the order the tags were added.
pub(super) fn list_tags(
    ctx: &OpContext<'_>,
    value: &Value,
    kind: Tagged,
) -> Result<Value, IamError> {
    let input: TagsInput = input(value)?;
    ctx.authorize(
        &format!("iam:List{}Tags", kind.title()),
        &kind.arn(ctx, &input.entity_name),
    )?;
    let tags = kind.tags(&ctx.state, &input.entity_name)?;
    let tags = tags
        .into_iter()
        .enumerate()
        .map(|(i, t)| (format!("{i:08}"), t));
    paginate(tags, input.marker.as_deref(), input.max_items)?.finish(Map::new(), "Tags")
}
