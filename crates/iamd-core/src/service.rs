//! The services iamd serves (IAM, STS, CloudTrail's event history), as data: the name requests are signed for, the CloudTrail event
//! source their calls are recorded under. Everything that tells IAM from STS reads it here
//! instead of matching strings.

/// One AWS service.
#[derive(Debug, PartialEq, Eq)]
pub struct Service {
    /// The SigV4 signing name (credential scope), also the endpoint prefix and the policy
    /// action prefix: `iam`, `sts`.
    pub signing_name: &'static str,
    /// The CloudTrail `eventSource`: `iam.amazonaws.com`.
    pub event_source: &'static str,
}

pub static IAM: Service = Service {
    signing_name: "iam",
    event_source: "iam.amazonaws.com",
};

pub static STS: Service = Service {
    signing_name: "sts",
    event_source: "sts.amazonaws.com",
};

pub static CLOUDTRAIL: Service = Service {
    signing_name: "cloudtrail",
    event_source: "cloudtrail.amazonaws.com",
};

/// Every service iamd serves.
pub static ALL: [&Service; 3] = [&IAM, &STS, &CLOUDTRAIL];

/// The service requests signed for `signing_name` are for.
pub fn by_signing_name(signing_name: &str) -> Option<&'static Service> {
    ALL.iter().copied().find(|s| s.signing_name == signing_name)
}
