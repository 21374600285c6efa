//! The account's entities as stored. Compiled policies are kept beside their documents and
//! rebuilt at their first use after loading, never stored.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use iamd_policy::{NamedPolicy, Policy, PolicyKind};
use serde::{Deserialize, Serialize};

use crate::error::IamError;

/// A tag on a user, role, policy or device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// A policy document with its compiled form.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    /// The document as the caller sent it (URL-decoded JSON text).
    pub text: String,
    #[serde(skip)]
    compiled: Compiled,
}

/// A document's compiled form: built with the document when a caller gives it, and on first
/// use when it was loaded from the store (so that start-up does not parse and compile every
/// document of the account, most of which no request may need for a while).
#[derive(Debug, Clone, Default)]
struct Compiled {
    cell: OnceLock<Option<Arc<NamedPolicy>>>,
    /// The name and kind to compile a loaded document under.
    later: Option<(Box<str>, PolicyKind)>,
}

impl Document {
    /// Parses and compiles `text` under `name` (the policy's name or ARN, for explanations).
    pub fn compile(name: &str, text: &str, kind: PolicyKind) -> Result<Document, IamError> {
        Ok(Document::of(name, text, Policy::parse(text, kind)?))
    }

    /// `compile` for a managed policy's version (CreatePolicy, CreatePolicyVersion), which
    /// AWS also requires to be of version 2012-10-17.
    pub fn compile_managed(name: &str, text: &str) -> Result<Document, IamError> {
        Ok(Document::of(name, text, Policy::parse_managed(text)?))
    }

    fn of(name: &str, text: &str, policy: Policy) -> Document {
        Document {
            text: text.to_string(),
            compiled: Compiled {
                cell: OnceLock::from(Some(NamedPolicy::new(name, policy))),
                later: None,
            },
        }
    }

    /// After loading: the compiled form is rebuilt under `name` at its first use. A stored
    /// document that no longer compiles has none (it grants and denies nothing).
    pub fn recompile(&mut self, name: &str, kind: PolicyKind) {
        self.compiled = Compiled {
            cell: OnceLock::new(),
            later: Some((name.into(), kind)),
        };
    }

    /// The compiled form (compiled now if this is its first use since loading).
    pub fn compiled(&self) -> Option<&Arc<NamedPolicy>> {
        let Compiled { cell, later } = &self.compiled;
        cell.get_or_init(|| {
            let (name, kind) = later.as_ref()?;
            let policy = Policy::parse(&self.text, *kind).ok()?;
            Some(NamedPolicy::new(&**name, policy))
        })
        .as_ref()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    pub create_date: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Inline policies by name.
    #[serde(default)]
    pub inline: BTreeMap<String, Document>,
    /// Attached managed policy ARNs, in attachment order.
    #[serde(default)]
    pub attached: Vec<String>,
    /// Group names (as created), in the order the user joined.
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub boundary: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    pub create_date: i64,
    #[serde(default)]
    pub inline: BTreeMap<String, Document>,
    #[serde(default)]
    pub attached: Vec<String>,
}

/// An IAM role: who may assume it (the trust policy) and what its sessions may do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    /// `AROA...`.
    pub id: String,
    pub path: String,
    pub arn: String,
    pub create_date: i64,
    #[serde(default)]
    pub description: Option<String>,
    /// Seconds, 3600 to 43200.
    pub max_session_duration: i64,
    /// The trust policy (a resource-based policy: `Principal` required).
    pub assume_role_policy: Document,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub inline: BTreeMap<String, Document>,
    #[serde(default)]
    pub attached: Vec<String>,
    #[serde(default)]
    pub boundary: Option<String>,
    /// When a session of this role last made a request, and in which region.
    #[serde(default)]
    pub last_used: Option<(i64, String)>,
    /// The service principal of a service-linked role (CreateServiceLinkedRole): only
    /// DeleteServiceLinkedRole deletes it, and its trust, policies and boundary are AWS's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_service: Option<String>,
}

/// An instance profile: a container for one role, handed to applications.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstanceProfile {
    pub name: String,
    /// `AIPA...`.
    pub id: String,
    pub path: String,
    pub arn: String,
    pub create_date: i64,
    /// Role names (as created); AWS allows at most one.
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// An IAM OpenID Connect provider: an issuer whose tokens AssumeRoleWithWebIdentity
/// accepts, for the client ids (audiences) listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcProvider {
    /// The issuer URL without `https://` (`HOST/PATH`), as AWS returns it.
    pub url: String,
    /// `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`.
    pub arn: String,
    pub create_date: i64,
    #[serde(default)]
    pub client_ids: Vec<String>,
    #[serde(default)]
    pub thumbprints: Vec<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub id: String,
    pub document: Document,
    pub create_date: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    #[serde(default)]
    pub description: Option<String>,
    pub create_date: i64,
    pub update_date: i64,
    pub default_version: String,
    /// Versions, newest last.
    pub versions: Vec<PolicyVersion>,
    /// The number the next version gets (`v{n}`).
    pub next_version: u32,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl ManagedPolicy {
    /// The compiled default version.
    pub fn compiled(&self) -> Option<&Arc<NamedPolicy>> {
        self.versions
            .iter()
            .find(|v| v.id == self.default_version)
            .and_then(|v| v.document.compiled())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    Active,
    Inactive,
}

impl KeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Inactive => "Inactive",
        }
    }
}

/// A long-term access key. The secret is sealed with the data directory's key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessKey {
    pub id: String,
    /// The owning user's name; `None` for the account's root user.
    pub user: Option<String>,
    pub status: KeyStatus,
    pub create_date: i64,
    /// Base64 of the sealed secret (AAD: the key id).
    pub sealed_secret: String,
}

/// When and where an access key was last used (kept apart: it changes on every request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUsed {
    pub date: i64,
    pub service: String,
    pub region: String,
}

/// Whether a TOTP device is an app (created by CreateVirtualMFADevice) or a hardware token
/// (registered by an administrator with its serial number and seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MfaKind {
    Virtual,
    Hardware,
    /// A FIDO2 / WebAuthn security key, registered in the console (see
    /// [`crate::security_keys`]); console sign-in only, as in AWS.
    SecurityKey,
}

impl MfaKind {
    /// CloudTrail's name of the kind (`MfaType`, `mfaType`).
    pub fn audit_name(self) -> &'static str {
        match self {
            MfaKind::Virtual => "Virtual MFA",
            MfaKind::Hardware => "Hardware MFA",
            MfaKind::SecurityKey => "U2F MFA",
        }
    }
}

/// A TOTP device. The seed is sealed (AAD: the serial number) and never returned after
/// creation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MfaDevice {
    /// `arn:aws:iam::ACCOUNT:mfa{path}{name}` for virtual devices, the token's serial for
    /// hardware ones.
    pub serial: String,
    pub name: String,
    pub path: String,
    pub kind: MfaKind,
    /// Base64 of the sealed seed bytes.
    pub sealed_seed: String,
    /// The user it is assigned to (name as created); `None` while unassigned.
    pub user: Option<String>,
    pub enable_date: Option<i64>,
    pub create_date: i64,
    /// The TOTP step last accepted: codes of this step or older are refused (no replay).
    pub last_used_step: Option<u64>,
    #[serde(default)]
    pub throttle: crate::crypto::Throttle,
    /// While the device is unassigned: each caller's own throttle (by principal ARN), so
    /// that nobody's wrong codes lock the device for the user it is meant for.
    #[serde(default)]
    pub pending_throttles: BTreeMap<String, crate::crypto::Throttle>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// A security key's public key, credential id and signature counter (not secret). Boxed:
    /// inline it made every device ~530 bytes (26 MB of 50,000 TOTP devices at 100,000 users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_key: Option<Box<webauthn_rs::prelude::SecurityKey>>,
}

/// The most callers whose failed codes an unassigned device keeps apart.
const MAX_PENDING_THROTTLES: usize = 64;

impl MfaDevice {
    /// The throttle that code checks by `caller` (a principal ARN) count against: the
    /// device's own once it is assigned (only its user can give it codes then), the caller's
    /// own while it is unassigned.
    pub fn throttle_for(&self, caller: &str) -> Option<&crate::crypto::Throttle> {
        match self.user {
            Some(_) => Some(&self.throttle),
            None => self.pending_throttles.get(caller),
        }
    }

    /// As [`throttle_for`](Self::throttle_for), to record an attempt; keeps at most
    /// [`MAX_PENDING_THROTTLES`] callers apart (dropping one that is not locked first).
    pub fn throttle_for_mut(&mut self, caller: &str, now: i64) -> &mut crate::crypto::Throttle {
        if self.user.is_some() {
            return &mut self.throttle;
        }
        let pending = &mut self.pending_throttles;
        if !pending.contains_key(caller) && pending.len() >= MAX_PENDING_THROTTLES {
            let unlocked = pending
                .iter()
                .find(|(_, t)| t.locked_until.is_none_or(|u| u as i64 <= now))
                .map(|(k, _)| k.clone());
            if let Some(victim) = unlocked.or_else(|| pending.keys().next().cloned()) {
                pending.remove(&victim);
            }
        }
        pending.entry(caller.to_string()).or_default()
    }
}

/// A user's console password.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginProfile {
    /// The user's name as created.
    pub user: String,
    /// argon2id PHC string.
    pub password_hash: String,
    pub create_date: i64,
    pub password_reset_required: bool,
    pub password_last_changed: i64,
    #[serde(default)]
    pub password_last_used: Option<i64>,
    /// Earlier hashes, newest first, for `PasswordReusePrevention`.
    #[serde(default)]
    pub history: Vec<String>,
}

/// The account password policy (UpdateAccountPasswordPolicy); absent until set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub minimum_password_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub allow_users_to_change_password: bool,
    /// Days; `None`: passwords do not expire.
    pub max_password_age: Option<u32>,
    pub password_reuse_prevention: Option<u32>,
    pub hard_expiry: bool,
}

/// What a role session acts as (AssumeRole).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleSession {
    /// The role's name as created.
    pub role: String,
    /// The role's unique id (`AROA...`): a role deleted and created again under the same name
    /// is another role, and the sessions of the first one stop working.
    #[serde(default)]
    pub role_id: String,
    /// When the session was created (Unix seconds), for audit records.
    #[serde(default)]
    pub created: i64,
    pub session_name: String,
    #[serde(default)]
    pub source_identity: Option<String>,
    /// Session tags (`aws:PrincipalTag/*` for the session, over the role's own tags).
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Session policies (`Policy`): inline document.
    #[serde(default)]
    pub policy: Option<Document>,
    /// Session policies (`PolicyArns`): managed policy ARNs.
    #[serde(default)]
    pub policy_arns: Vec<String>,
    /// Whether these credentials came from role chaining (a role session assuming a role).
    #[serde(default)]
    pub chained: bool,
    /// Session tag keys passed on to sessions assumed with these credentials (lowercase).
    #[serde(default)]
    pub transitive_tag_keys: Vec<String>,
}

/// A SAML 2.0 identity provider (CreateSAMLProvider), stored by its ARN.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SamlProvider {
    pub name: String,
    pub arn: String,
    /// `SAMLProviderUUID`: 32 of `[0-9A-F]`.
    pub uuid: String,
    /// The metadata document as given.
    pub metadata: String,
    pub create_date: i64,
    pub valid_until: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// `Allowed` or `Required`, when set.
    #[serde(default)]
    pub assertion_encryption_mode: Option<String>,
}

/// What a federated user session acts as (GetFederationToken): the name it was given and its
/// session policies, which limit the permissions of the IAM user (or root) who asked for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FederatedSession {
    /// The `Name` given (`arn:aws:sts::ACCOUNT:federated-user/NAME`).
    pub name: String,
    /// When the session was created (Unix seconds), for audit records.
    pub created: i64,
    /// Session tags (`aws:PrincipalTag/*`, over the user's own tags).
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub policy: Option<Document>,
    #[serde(default)]
    pub policy_arns: Vec<String>,
}

/// Temporary credentials (GetSessionToken, AssumeRole, GetFederationToken).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// `ASIA...`.
    pub access_key_id: String,
    /// Base64 of the sealed secret (AAD: the key id).
    pub sealed_secret: String,
    /// Hex SHA-256 of the session token (the token itself is not stored).
    pub token_sha256: String,
    /// The user the session acts as; `None`: the root user.
    pub user: Option<String>,
    /// That user's unique id (`AIDA...`): a user deleted and created again under the same
    /// name is another user, and the first one's sessions stop working. Sessions stored
    /// before this field existed have none and are refused.
    #[serde(default)]
    pub user_id: String,
    pub expiration: i64,
    /// Whether MFA was given, and when.
    pub mfa_present: bool,
    pub mfa_authenticated_at: Option<i64>,
    /// The device that was used, for the audit log.
    #[serde(default)]
    pub mfa_serial: Option<String>,
    /// Set for AssumeRole sessions: then `user` is `None` and the session acts as the role.
    #[serde(default)]
    pub role: Option<RoleSession>,
    /// Set for GetFederationToken sessions: then `user` is the IAM user who asked for it
    /// (`None`: root) and the session acts as the federated user.
    #[serde(default)]
    pub federated: Option<FederatedSession>,
}

/// An SSH public key of a user, for CodeCommit (UploadSSHPublicKey).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SshPublicKey {
    /// `APKA...`.
    pub id: String,
    /// The owning user's name as created.
    pub user: String,
    /// The body as uploaded (trimmed): an OpenSSH line or PEM.
    pub body: String,
    /// MD5 of the key blob, `xx:xx:...`.
    pub fingerprint: String,
    pub status: KeyStatus,
    pub upload_date: i64,
}

/// An X.509 signing certificate of a user or (user `None`) of the root user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningCertificate {
    /// Base32 of the SHA-1 of the DER bytes.
    pub id: String,
    pub user: Option<String>,
    /// The PEM body as uploaded (trimmed).
    pub body: String,
    pub status: KeyStatus,
    pub upload_date: i64,
}

/// A user name and password for one service (CodeCommit Git, Amazon Keyspaces). The password
/// is sealed (AAD: the credential id) and returned only by Create/Reset.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceCredential {
    /// `ACCA...`.
    pub id: String,
    /// The owning user's name as created.
    pub user: String,
    /// `codecommit.amazonaws.com` or `cassandra.amazonaws.com`.
    pub service: String,
    /// `USER-at-ACCOUNT`, or `USER+1-at-ACCOUNT` for the second one.
    pub service_user_name: String,
    /// Base64 of the sealed password.
    pub sealed_password: String,
    pub status: KeyStatus,
    pub create_date: i64,
}

/// The account's last credential report (GenerateCredentialReport).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CredentialReport {
    pub generated: i64,
    /// The CSV text.
    pub csv: String,
}

/// A server certificate (UploadServerCertificate): the certificate and chain as uploaded and
/// its private key, sealed (AAD: the certificate id) and never returned.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerCertificate {
    pub name: String,
    /// `ASCA...`.
    pub id: String,
    pub path: String,
    pub arn: String,
    pub upload_date: i64,
    /// The end of the certificate's validity.
    pub expiration: i64,
    /// The PEM body, exactly as uploaded.
    pub body: String,
    #[serde(default)]
    pub chain: Option<String>,
    /// Base64 of the sealed PEM private key.
    pub sealed_private_key: String,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// A DeleteServiceLinkedRole task, by its id
/// (`task/aws-service-role/PRINCIPAL/ROLE/UUID`), for GetServiceLinkedRoleDeletionStatus.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeletionTask {
    pub id: String,
    pub role_name: String,
    /// `SUCCEEDED`, `IN_PROGRESS`, `FAILED` or `NOT_STARTED`.
    pub status: String,
    pub create_date: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(text: &str) -> Document {
        let stored = serde_json::json!({ "text": text }).to_string();
        let mut doc: Document = serde_json::from_str(&stored).unwrap();
        doc.recompile("readers", PolicyKind::Identity);
        doc
    }

    #[test]
    fn a_loaded_document_compiles_once_at_first_use_and_a_broken_one_to_nothing() {
        let doc = loaded(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#,
        );
        let compiled = doc.compiled().unwrap();
        assert_eq!(compiled.name, "readers");
        assert_eq!(compiled.policy.statements().len(), 1);
        assert!(Arc::ptr_eq(compiled, doc.compiled().unwrap()));
        assert!(loaded("{").compiled().is_none());
    }
}
