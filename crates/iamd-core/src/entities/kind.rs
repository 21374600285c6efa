//! Every kind of stored record, by the name it is stored under.

/// A kind of stored record. Writes name the kind of each change with it, and loading the
/// store refuses a record of a kind it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    User,
    Group,
    Role,
    InstanceProfile,
    /// An OpenID Connect provider, by its ARN.
    OidcProvider,
    Policy,
    AccessKey,
    MfaDevice,
    LoginProfile,
    PasswordPolicy,
    CredentialReport,
    AccountAlias,
    Session,
    SshPublicKey,
    SigningCertificate,
    ServiceCredential,
    /// Access key (and role) last use, flushed from memory periodically.
    LastUsed,
    /// A web console sign-in, by the digest of its cookie.
    ConsoleSession,
    SamlProvider,
    /// The failures of password guesses on one user or source address (`password_guard`).
    PasswordThrottle,
    /// A security key ceremony under way in a console session (`security_keys`).
    KeyCeremony,
    ServerCertificate,
    /// A DeleteServiceLinkedRole task.
    DeletionTask,
    /// A GenerateServiceLastAccessedDetails job.
    AccessJob,
    /// SetSecurityTokenServicePreferences: the global endpoint's token version.
    StsPreferences,
    /// A SAML assertion AssumeRoleWithSAML accepted (single use), by a digest of its issuer
    /// and `ID`.
    SamlAssertion,
    /// Outbound identity federation: the setting and the token signing keys.
    OutboundFederation,
}

impl Kind {
    pub const ALL: [Kind; 27] = [
        Kind::User,
        Kind::Group,
        Kind::Role,
        Kind::InstanceProfile,
        Kind::OidcProvider,
        Kind::Policy,
        Kind::AccessKey,
        Kind::MfaDevice,
        Kind::LoginProfile,
        Kind::PasswordPolicy,
        Kind::CredentialReport,
        Kind::AccountAlias,
        Kind::Session,
        Kind::SshPublicKey,
        Kind::SigningCertificate,
        Kind::ServiceCredential,
        Kind::LastUsed,
        Kind::ConsoleSession,
        Kind::SamlProvider,
        Kind::PasswordThrottle,
        Kind::KeyCeremony,
        Kind::ServerCertificate,
        Kind::DeletionTask,
        Kind::AccessJob,
        Kind::StsPreferences,
        Kind::SamlAssertion,
        Kind::OutboundFederation,
    ];

    /// The name records of this kind are stored under.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Role => "role",
            Kind::InstanceProfile => "instance_profile",
            Kind::OidcProvider => "oidc_provider",
            Kind::Policy => "policy",
            Kind::AccessKey => "access_key",
            Kind::MfaDevice => "mfa_device",
            Kind::LoginProfile => "login_profile",
            Kind::PasswordPolicy => "password_policy",
            Kind::CredentialReport => "credential_report",
            Kind::AccountAlias => "account_alias",
            Kind::Session => "session",
            Kind::SshPublicKey => "ssh_public_key",
            Kind::SigningCertificate => "signing_certificate",
            Kind::ServiceCredential => "service_credential",
            Kind::LastUsed => "last_used",
            Kind::ConsoleSession => "console_session",
            Kind::SamlProvider => "saml_provider",
            Kind::PasswordThrottle => "password_throttle",
            Kind::KeyCeremony => "key_ceremony",
            Kind::ServerCertificate => "server_certificate",
            Kind::DeletionTask => "deletion_task",
            Kind::AccessJob => "access_job",
            Kind::StsPreferences => "sts_preferences",
            Kind::SamlAssertion => "saml_assertion",
            Kind::OutboundFederation => "outbound_federation",
        }
    }

    /// The kind stored under `name`.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_parse_back() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("widget"), None);
    }
}

#[cfg(test)]
mod conformance {
    use super::Kind;

    /// The store conformance suite stores a record of every kind: it must know them all.
    #[test]
    fn the_store_conformance_suite_covers_every_kind() {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, iamd_store::conformance::ENTITY_KINDS);
    }
}
