//! The account as an immutable snapshot: what authentication and authorization read on every
//! request, swapped atomically after each committed write. Cloning is cheap (persistent maps
//! sharing their entries).

use std::sync::Arc;

use iamd_policy::{NamedPolicy, PolicyKind};
use imbl::OrdMap;

use crate::entities::Kind;
use crate::model::{
    AccessKey, CredentialReport, DeletionTask, Document, Group, InstanceProfile, LoginProfile,
    ManagedPolicy, MfaDevice, OidcProvider, PasswordPolicy, Role, ServerCertificate,
    ServiceCredential, Session, SigningCertificate, SshPublicKey, User,
};
use crate::store::Record;

mod indexed;
pub use indexed::{By, Indexed, IndexedMap};

/// The name a role session's inline session policy goes by in explanations.
pub const SESSION_POLICY_NAME: &str = "session policy";

/// Keys are lowercase names (names are unique case-insensitively) or ARNs / key ids.
#[derive(Debug, Clone, Default)]
pub struct AccountState {
    pub account_id: String,
    /// Users, groups and roles tally their attached policies and boundaries (see
    /// [`AccountState::policy_usage`]).
    pub users: IndexedMap<User>,
    pub groups: IndexedMap<Group>,
    pub roles: IndexedMap<Role>,
    pub instance_profiles: OrdMap<String, Arc<InstanceProfile>>,
    /// OpenID Connect providers, by ARN.
    pub oidc_providers: OrdMap<String, Arc<OidcProvider>>,
    /// Customer managed policies, by ARN; indexed by lowercase name.
    pub policies: IndexedMap<ManagedPolicy>,
    /// By key id; indexed by owner (see [`crate::entities::access_keys::key_owner`]).
    pub access_keys: IndexedMap<AccessKey>,
    /// By serial number; indexed by owner, lowercase serial number and virtual devices'
    /// assignment status, virtual devices counted.
    pub mfa_devices: IndexedMap<MfaDevice>,
    /// By lowercase user name.
    pub login_profiles: OrdMap<String, Arc<LoginProfile>>,
    pub password_policy: Option<Arc<PasswordPolicy>>,
    /// Temporary credentials by access key id.
    pub sessions: OrdMap<String, Arc<Session>>,
    /// The account alias (AWS allows one).
    pub account_alias: Option<String>,
    /// A user's other credentials, by id: SSH public keys, signing certificates,
    /// service-specific credentials.
    pub ssh_public_keys: OrdMap<String, Arc<SshPublicKey>>,
    pub signing_certificates: OrdMap<String, Arc<SigningCertificate>>,
    pub service_credentials: OrdMap<String, Arc<ServiceCredential>>,
    /// The last credential report.
    pub credential_report: Option<Arc<CredentialReport>>,
    /// SAML identity providers, by ARN.
    pub saml_providers: OrdMap<String, Arc<crate::model::SamlProvider>>,
    /// Web console sign-ins, by the digest of their cookie.
    pub console_sessions: OrdMap<String, Arc<crate::entities::console_sessions::ConsoleSession>>,
    /// Password guess failures, by throttle key (see `password_guard`).
    pub password_throttles: OrdMap<String, Arc<crate::crypto::Throttle>>,
    /// Security key ceremonies under way, by the digest of their console session's cookie.
    pub key_ceremonies: OrdMap<String, Arc<crate::security_keys::StoredCeremony>>,
    /// Server certificates, by lowercase name.
    pub server_certificates: OrdMap<String, Arc<ServerCertificate>>,
    /// DeleteServiceLinkedRole tasks, by task id.
    pub deletion_tasks: OrdMap<String, Arc<DeletionTask>>,
    /// Last-accessed jobs, by job id.
    pub access_jobs: OrdMap<String, Arc<crate::entities::access_jobs::AccessJob>>,
    /// SetSecurityTokenServicePreferences: `v2Token` (2) or AWS's default `v1Token` (1).
    pub global_endpoint_token_version: Option<u8>,
    /// SAML assertions already accepted (single use), by replay key.
    pub saml_assertions: OrdMap<String, Arc<crate::entities::saml_assertions::UsedAssertion>>,
    /// Outbound identity federation: the setting and the token signing keys (`None`: never
    /// enabled).
    pub outbound_federation: Option<Arc<crate::outbound::OutboundFederation>>,
}

/// How many entities use a managed policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyUsage {
    /// Users, groups and roles the policy is attached to.
    pub attachments: usize,
    /// Users and roles whose permissions boundary the policy is.
    pub boundaries: usize,
}

/// Calls `each` with the tallies of an entity's attached policies and boundary.
pub(crate) fn tally_policies(
    attached: &[String],
    boundary: Option<&str>,
    each: &mut dyn FnMut(By, &str),
) {
    for arn in attached {
        each(By::Attached, arn);
    }
    if let Some(arn) = boundary {
        each(By::Boundary, arn);
    }
}

/// Where a policy that applies to a principal comes from, for the simulator's results.
#[derive(Debug, Clone, Copy)]
pub struct PolicyOrigin<'a> {
    /// The inline policy's name or the managed policy's name.
    pub id: &'a str,
    /// The document as stored, for statement positions.
    pub text: &'a str,
}

/// An entity whose policies are gathered.
#[derive(Debug, Clone, Copy)]
pub enum PolicyHolder<'a> {
    User(&'a User),
    Group(&'a Group),
    Role(&'a Role),
}

/// The policies that apply to a user, gathered for one decision.
#[derive(Debug, Default)]
pub struct UserPolicies {
    pub identity: Vec<Arc<NamedPolicy>>,
    pub boundary: Option<Arc<NamedPolicy>>,
}

impl AccountState {
    /// An empty account. The AWS managed policies, which every account has, are not in
    /// `policies` but found through [`crate::aws_policies`] (see `policy`).
    pub fn new(account_id: &str) -> Self {
        AccountState {
            account_id: account_id.to_string(),
            ..Default::default()
        }
    }

    pub fn user(&self, name: &str) -> Option<&Arc<User>> {
        self.users.get(&name.to_lowercase())
    }

    pub fn group(&self, name: &str) -> Option<&Arc<Group>> {
        self.groups.get(&name.to_lowercase())
    }

    pub fn role(&self, name: &str) -> Option<&Arc<Role>> {
        self.roles.get(&name.to_lowercase())
    }

    pub fn instance_profile(&self, name: &str) -> Option<&Arc<InstanceProfile>> {
        self.instance_profiles.get(&name.to_lowercase())
    }

    /// The account's managed policy `arn`, or the AWS managed policy `arn`.
    pub fn policy(&self, arn: &str) -> Option<&Arc<ManagedPolicy>> {
        self.policies
            .get(arn)
            .or_else(|| crate::aws_policies::get(arn))
    }

    /// How many users, groups and roles use managed policy `arn`, in O(log n).
    pub fn policy_usage(&self, arn: &str) -> PolicyUsage {
        PolicyUsage {
            attachments: self.users.tally(By::Attached, arn)
                + self.groups.tally(By::Attached, arn)
                + self.roles.tally(By::Attached, arn),
            boundaries: self.users.tally(By::Boundary, arn) + self.roles.tally(By::Boundary, arn),
        }
    }

    /// The usage of every managed policy in use, by ARN (a walk over the policies in use,
    /// not over the entities).
    pub fn policies_in_use(&self) -> std::collections::HashMap<&str, PolicyUsage> {
        let mut usage: std::collections::HashMap<&str, PolicyUsage> = Default::default();
        for (arn, n) in self
            .users
            .tallies(By::Attached)
            .chain(self.groups.tallies(By::Attached))
            .chain(self.roles.tallies(By::Attached))
        {
            usage.entry(arn).or_default().attachments += n;
        }
        for (arn, n) in self
            .users
            .tallies(By::Boundary)
            .chain(self.roles.tallies(By::Boundary))
        {
            usage.entry(arn).or_default().boundaries += n;
        }
        usage
    }

    /// The MFA devices assigned to user `name`.
    pub fn user_mfa_devices<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Arc<MfaDevice>> + 'a {
        self.mfa_devices.find(By::Owner, &name.to_ascii_lowercase())
    }

    /// Every policy that applies to `user`: inline, attached, and its groups' inline and
    /// attached policies; plus its permissions boundary.
    pub fn user_policies(&self, user: &User) -> UserPolicies {
        self.collect_policies(PolicyHolder::User(user))
    }

    /// Every policy that applies to a role's sessions (inline and attached) and its
    /// permissions boundary. Session policies are the session's own.
    pub fn role_policies(&self, role: &Role) -> UserPolicies {
        self.collect_policies(PolicyHolder::Role(role))
    }

    fn collect_policies(&self, holder: PolicyHolder<'_>) -> UserPolicies {
        let mut identity = Vec::new();
        let boundary = self.gather_policies(holder, &mut |_, p| identity.push(p.clone()));
        UserPolicies {
            identity,
            boundary: boundary.map(|(_, p)| p.clone()),
        }
    }

    /// The one walk over a principal's policies, for enforcement and the simulator alike:
    /// calls `each` with every identity-based policy (inline first, then attached; for a
    /// user, then each group's) and returns the permissions boundary, with their origins.
    pub fn gather_policies<'a>(
        &'a self,
        holder: PolicyHolder<'a>,
        each: &mut dyn FnMut(PolicyOrigin<'a>, &'a Arc<NamedPolicy>),
    ) -> Option<(PolicyOrigin<'a>, &'a Arc<NamedPolicy>)> {
        let mut add_entity = |inline: &'a std::collections::BTreeMap<String, Document>,
                              attached: &'a [String]| {
            for (name, doc) in inline {
                if let Some(compiled) = doc.compiled() {
                    let text = &doc.text;
                    each(PolicyOrigin { id: name, text }, compiled);
                }
            }
            for arn in attached {
                if let Some((origin, compiled)) = self.managed_origin(arn) {
                    each(origin, compiled);
                }
            }
        };
        let boundary = match holder {
            PolicyHolder::User(user) => {
                add_entity(&user.inline, &user.attached);
                for name in &user.groups {
                    if let Some(group) = self.group(name) {
                        add_entity(&group.inline, &group.attached);
                    }
                }
                if let Some((origin, compiled)) = self.password_change_grant() {
                    each(origin, compiled);
                }
                user.boundary.as_deref()
            }
            PolicyHolder::Group(group) => {
                add_entity(&group.inline, &group.attached);
                None
            }
            PolicyHolder::Role(role) => {
                add_entity(&role.inline, &role.attached);
                role.boundary.as_deref()
            }
        };
        boundary.and_then(|arn| self.managed_origin(arn))
    }

    /// With the password policy's `AllowUsersToChangePassword`, IAM grants every user
    /// `iam:ChangePassword` on itself and `iam:GetAccountPasswordPolicy` at the account level,
    /// without a policy attached: what the AWS managed policy IAMUserChangePassword allows.
    /// It is one more identity-based allow, so explicit denies and boundaries still apply.
    fn password_change_grant(&self) -> Option<(PolicyOrigin<'_>, &Arc<NamedPolicy>)> {
        if !self
            .password_policy
            .as_ref()
            .is_some_and(|p| p.allow_users_to_change_password)
        {
            return None;
        }
        let (origin, compiled) =
            self.managed_origin("arn:aws:iam::aws:policy/IAMUserChangePassword")?;
        let origin = PolicyOrigin {
            id: "AllowUsersToChangePassword (account password policy)",
            ..origin
        };
        Some((origin, compiled))
    }

    /// Managed policy `arn`'s compiled default version, with its origin.
    fn managed_origin(&self, arn: &str) -> Option<(PolicyOrigin<'_>, &Arc<NamedPolicy>)> {
        let policy = self.policy(arn)?;
        let version = policy
            .versions
            .iter()
            .find(|v| v.id == policy.default_version)?;
        let compiled = version.document.compiled()?;
        let origin = PolicyOrigin {
            id: &policy.name,
            text: &version.document.text,
        };
        Some((origin, compiled))
    }

    /// Rebuilds the state from stored records, recompiling every policy document.
    pub fn from_records(account_id: &str, records: Vec<Record>) -> Result<Self, String> {
        let mut state = AccountState::new(account_id);
        for record in records {
            state.put_record(record)?;
        }
        Ok(state)
    }

    /// Sets the entity a stored record holds (a record read back from the store).
    pub fn put_record(&mut self, record: Record) -> Result<(), String> {
        let fail = |e: serde_json::Error| format!("stored {} {}: {e}", record.kind, record.key);
        let Some(kind) = Kind::parse(&record.kind) else {
            return Err(format!(
                "stored record of unknown kind `{}` (key `{}`): written by a newer iamd?",
                record.kind, record.key
            ));
        };
        match kind {
            Kind::User => {
                let mut user: User = serde_json::from_str(&record.body).map_err(fail)?;
                for (name, doc) in user.inline.iter_mut() {
                    doc.recompile(name, PolicyKind::Identity);
                }
                self.users.insert(record.key, Arc::new(user));
            }
            Kind::Group => {
                let mut group: Group = serde_json::from_str(&record.body).map_err(fail)?;
                for (name, doc) in group.inline.iter_mut() {
                    doc.recompile(name, PolicyKind::Identity);
                }
                self.groups.insert(record.key, Arc::new(group));
            }
            Kind::Role => {
                let mut role: Role = serde_json::from_str(&record.body).map_err(fail)?;
                for (name, doc) in role.inline.iter_mut() {
                    doc.recompile(name, PolicyKind::Identity);
                }
                let trust_name = role.name.clone();
                role.assume_role_policy
                    .recompile(&trust_name, PolicyKind::Resource);
                self.roles.insert(record.key, Arc::new(role));
            }
            Kind::InstanceProfile => {
                let profile: InstanceProfile = serde_json::from_str(&record.body).map_err(fail)?;
                self.instance_profiles.insert(record.key, Arc::new(profile));
            }
            Kind::OidcProvider => {
                let provider: OidcProvider = serde_json::from_str(&record.body).map_err(fail)?;
                self.oidc_providers.insert(record.key, Arc::new(provider));
            }
            Kind::Policy => {
                let mut policy: ManagedPolicy = serde_json::from_str(&record.body).map_err(fail)?;
                let name = policy.name.clone();
                for v in policy.versions.iter_mut() {
                    v.document.recompile(&name, PolicyKind::Identity);
                }
                self.policies.insert(record.key, Arc::new(policy));
            }
            Kind::AccessKey => {
                let key: AccessKey = serde_json::from_str(&record.body).map_err(fail)?;
                self.access_keys.insert(record.key, Arc::new(key));
            }
            Kind::MfaDevice => {
                let device: MfaDevice = serde_json::from_str(&record.body).map_err(fail)?;
                self.mfa_devices.insert(record.key, Arc::new(device));
            }
            Kind::LoginProfile => {
                let profile: LoginProfile = serde_json::from_str(&record.body).map_err(fail)?;
                self.login_profiles.insert(record.key, Arc::new(profile));
            }
            Kind::PasswordPolicy => {
                let policy: PasswordPolicy = serde_json::from_str(&record.body).map_err(fail)?;
                self.password_policy = Some(Arc::new(policy));
            }
            Kind::CredentialReport => {
                let report: CredentialReport = serde_json::from_str(&record.body).map_err(fail)?;
                self.credential_report = Some(Arc::new(report));
            }
            Kind::AccountAlias => {
                let alias: String = serde_json::from_str(&record.body).map_err(fail)?;
                self.account_alias = Some(alias);
            }
            Kind::Session => {
                let mut session: Session = serde_json::from_str(&record.body).map_err(fail)?;
                let role_policy = session.role.as_mut().and_then(|r| r.policy.as_mut());
                let federated_policy = session.federated.as_mut().and_then(|f| f.policy.as_mut());
                for policy in role_policy.into_iter().chain(federated_policy) {
                    policy.recompile(SESSION_POLICY_NAME, PolicyKind::Identity);
                }
                self.sessions.insert(record.key, Arc::new(session));
            }
            Kind::SshPublicKey => {
                let key: SshPublicKey = serde_json::from_str(&record.body).map_err(fail)?;
                self.ssh_public_keys.insert(record.key, Arc::new(key));
            }
            Kind::SigningCertificate => {
                let cert: SigningCertificate = serde_json::from_str(&record.body).map_err(fail)?;
                self.signing_certificates.insert(record.key, Arc::new(cert));
            }
            Kind::ServiceCredential => {
                let cred: ServiceCredential = serde_json::from_str(&record.body).map_err(fail)?;
                self.service_credentials.insert(record.key, Arc::new(cred));
            }
            // Loaded by `Account::open` beside the self.
            Kind::ConsoleSession => {
                let session = serde_json::from_str(&record.body).map_err(fail)?;
                self.console_sessions.insert(record.key, Arc::new(session));
            }
            Kind::SamlProvider => {
                let provider = serde_json::from_str(&record.body).map_err(fail)?;
                self.saml_providers.insert(record.key, Arc::new(provider));
            }
            Kind::PasswordThrottle => {
                let throttle = serde_json::from_str(&record.body).map_err(fail)?;
                self.password_throttles
                    .insert(record.key, Arc::new(throttle));
            }
            Kind::KeyCeremony => {
                let ceremony = serde_json::from_str(&record.body).map_err(fail)?;
                self.key_ceremonies.insert(record.key, Arc::new(ceremony));
            }
            Kind::ServerCertificate => {
                let cert: ServerCertificate = serde_json::from_str(&record.body).map_err(fail)?;
                self.server_certificates.insert(record.key, Arc::new(cert));
            }
            Kind::DeletionTask => {
                let task: DeletionTask = serde_json::from_str(&record.body).map_err(fail)?;
                self.deletion_tasks.insert(record.key, Arc::new(task));
            }
            Kind::AccessJob => {
                let job = serde_json::from_str(&record.body).map_err(fail)?;
                self.access_jobs.insert(record.key, Arc::new(job));
            }
            Kind::StsPreferences => {
                let version: u8 = serde_json::from_str(&record.body).map_err(fail)?;
                self.global_endpoint_token_version = Some(version);
            }
            Kind::SamlAssertion => {
                let used = serde_json::from_str(&record.body).map_err(fail)?;
                self.saml_assertions.insert(record.key, Arc::new(used));
            }
            Kind::OutboundFederation => {
                let setting = serde_json::from_str(&record.body).map_err(fail)?;
                self.outbound_federation = Some(Arc::new(setting));
            }
            Kind::LastUsed => {}
        }
        Ok(())
    }

    /// Removes the entity stored under (`kind`, `key`).
    pub fn remove_record(&mut self, kind: &str, key: &str) -> Result<(), String> {
        let Some(kind) = Kind::parse(kind) else {
            return Err(format!(
                "stored record of unknown kind `{kind}` (key `{key}`)"
            ));
        };
        match kind {
            Kind::User => drop(self.users.remove(key)),
            Kind::Group => drop(self.groups.remove(key)),
            Kind::Role => drop(self.roles.remove(key)),
            Kind::InstanceProfile => drop(self.instance_profiles.remove(key)),
            Kind::OidcProvider => drop(self.oidc_providers.remove(key)),
            Kind::Policy => drop(self.policies.remove(key)),
            Kind::AccessKey => drop(self.access_keys.remove(key)),
            Kind::MfaDevice => drop(self.mfa_devices.remove(key)),
            Kind::LoginProfile => drop(self.login_profiles.remove(key)),
            Kind::PasswordPolicy => self.password_policy = None,
            Kind::CredentialReport => self.credential_report = None,
            Kind::AccountAlias => self.account_alias = None,
            Kind::Session => drop(self.sessions.remove(key)),
            Kind::SshPublicKey => drop(self.ssh_public_keys.remove(key)),
            Kind::SigningCertificate => drop(self.signing_certificates.remove(key)),
            Kind::ServiceCredential => drop(self.service_credentials.remove(key)),
            Kind::ConsoleSession => drop(self.console_sessions.remove(key)),
            Kind::SamlProvider => drop(self.saml_providers.remove(key)),
            Kind::PasswordThrottle => drop(self.password_throttles.remove(key)),
            Kind::KeyCeremony => drop(self.key_ceremonies.remove(key)),
            Kind::ServerCertificate => drop(self.server_certificates.remove(key)),
            Kind::DeletionTask => drop(self.deletion_tasks.remove(key)),
            Kind::AccessJob => drop(self.access_jobs.remove(key)),
            Kind::StsPreferences => self.global_endpoint_token_version = None,
            Kind::SamlAssertion => drop(self.saml_assertions.remove(key)),
            Kind::OutboundFederation => self.outbound_federation = None,
            Kind::LastUsed => {}
        }
        Ok(())
    }
}
