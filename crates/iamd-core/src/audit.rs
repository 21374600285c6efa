//! CloudTrail-style audit records for API calls.

use serde_json::{json, Value};

use crate::authz::{Caller, Identity};
use crate::store::AuditRecord;

mod identity;
mod json;
#[cfg(test)]
mod json_tests;
pub(crate) mod waiting;

/// The request parameters (model member names, at any depth) whose values an audit record
/// may show. It is an allow-list: a parameter not named here (a secret, a file of seeds, a
/// parameter of an operation added later) is recorded as [`HIDDEN`], never in clear. A test
/// holds it against the AWS models: every input member is either here or in
/// [`UNRECORDED_PARAMETERS`].
pub const RECORDED_PARAMETERS: &[&str] = &[
    "AWSServiceName",
    "AccessKeyId",
    "AccountAlias",
    "ActionNames",
    "AllUsers",
    "AllowUsersToChangePassword",
    "Arn",
    "AssertionEncryptionMode",
    "AssignmentStatus",
    "AssumeRolePolicyDocument",
    "AttributeKey",
    "AttributeValue",
    "Audience",
    "CallerArn",
    "CertificateBody",
    "CertificateChain",
    "CertificateId",
    "ClientID",
    "ClientIDList",
    "ContextEntries",
    "ContextKeyName",
    "ContextKeyType",
    "ContextKeyValues",
    "CredentialAgeDays",
    "CustomSuffix",
    "DelegationPermissionCheck",
    "DelegationRequestId",
    "DeletionTaskId",
    "Description",
    "DurationSeconds",
    "EncodedMessage",
    "Encoding",
    "EndTime",
    "EntityArn",
    "EntityFilter",
    "EntityPath",
    "EventCategory",
    "ExternalId",
    "Filter",
    "Format",
    "GlobalEndpointTokenVersion",
    "Granularity",
    "GroupName",
    "HardExpiry",
    "InstanceProfileName",
    "JobId",
    "Key",
    "Locale",
    "LookupAttributes",
    "Marker",
    "MaxItems",
    "MaxPasswordAge",
    "MaxResults",
    "MaxSessionDuration",
    "MinimumPasswordLength",
    "Name",
    "NewGroupName",
    "NewPath",
    "NewServerCertificateName",
    "NewUserName",
    "NextToken",
    "Notes",
    "NotificationChannel",
    "OnlyAttached",
    "OnlySendByOwner",
    "OpenIDConnectProviderArn",
    "OrganizationsPolicyId",
    "OwnerAccountId",
    "OwnerId",
    "Parameters",
    "PasswordResetRequired",
    "PasswordReusePrevention",
    "Path",
    "PathPrefix",
    "Permissions",
    "PermissionsBoundary",
    "PermissionsBoundaryPolicyInputList",
    "Policy",
    "PolicyArn",
    "PolicyArns",
    "PolicyDocument",
    "PolicyInputList",
    "PolicyName",
    "PolicySourceArn",
    "PolicyTemplateArn",
    "PolicyUsageFilter",
    "PrincipalArn",
    "ProvidedContexts",
    "ProviderArn",
    "ProviderId",
    "RedirectUrl",
    "RemovePrivateKey",
    "RequestMessage",
    "RequestorWorkflowId",
    "RequireLowercaseCharacters",
    "RequireNumbers",
    "RequireSymbols",
    "RequireUppercaseCharacters",
    "ResourceArns",
    "ResourceHandlingOption",
    "ResourceOwner",
    "ResourcePolicy",
    "RoleArn",
    "RoleName",
    "RoleSessionName",
    "SAMLMetadataDocument",
    "SAMLProviderArn",
    "SSHPublicKeyBody",
    "SSHPublicKeyId",
    "Scope",
    "SerialNumber",
    "ServerCertificateName",
    "ServiceName",
    "ServiceNamespace",
    "ServiceNamespaces",
    "ServiceSpecificCredentialId",
    "SessionDuration",
    "SetAsDefault",
    "SigningAlgorithm",
    "SortKey",
    "SourceIdentity",
    "StartTime",
    "Status",
    "TagKeys",
    "Tags",
    "TargetPrincipal",
    "TaskPolicyArn",
    "ThumbprintList",
    "TransitiveTagKeys",
    "Type",
    "Url",
    "UserName",
    "Value",
    "Values",
    "VersionId",
    "VirtualMFADeviceName",
    "arn",
];

/// The input members of the AWS models that are never recorded: passwords, private keys,
/// tokens and assertions, and MFA codes (a logged code of a failed attempt could still be
/// valid for a few seconds). Listed so that the model test can tell a decision from an
/// omission; redaction itself needs only [`RECORDED_PARAMETERS`].
pub const UNRECORDED_PARAMETERS: &[&str] = &[
    "Password",
    "OldPassword",
    "NewPassword",
    "PrivateKey",
    "AddPrivateKey",
    "SAMLAssertion",
    "WebIdentityToken",
    "TradeInToken",
    "ContextAssertion",
    "AuthenticationCode1",
    "AuthenticationCode2",
    "TokenCode",
];

/// What an audit record shows for a parameter it may not record (CloudTrail's marker).
pub const HIDDEN: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// The most bytes of request parameters a record keeps: beyond it CloudTrail replaces them
/// with a marker (`{"reason": "requestParameters too large", "omitted": true,
/// "originalSize": N}`) at about 100 KiB. A failed call gets a smaller budget: anyone can make
/// one (a 128 KiB policy document from a caller with no permissions), and failed calls must
/// not let anyone fill the log at will.
const MAX_PARAMETER_BYTES: usize = 100 * 1024;
const MAX_FAILED_CALL_PARAMETER_BYTES: usize = 4 * 1024;

/// The `requestParameters` of a record: [`recorded_parameters`], or CloudTrail's marker when
/// they are larger than `max_bytes`.
fn request_parameters(input: &Value, max_bytes: usize) -> Parameters<'_> {
    // Exact size only when a cheap upper bound exceeds the budget (every read writes a
    // record; most have a parameter or two).
    if size_bound(input) <= max_bytes {
        return Parameters::Recorded(Recorded(input));
    }
    let mut counter = ByteCounter(0);
    let size =
        serde_json::to_writer(&mut counter, &Recorded(input)).map_or(usize::MAX, |_| counter.0);
    if size <= max_bytes {
        return Parameters::Recorded(Recorded(input));
    }
    Parameters::Omitted(
        json!({"reason": "requestParameters too large", "omitted": true, "originalSize": size}),
    )
}

/// At least the bytes [`Recorded`] serializes `value` to.
fn size_bound(value: &Value) -> usize {
    const HIDDEN_VALUE: usize = HIDDEN.len() + 2;
    let text = |s: &str| 6 * s.len() + 2;
    let bound = match value {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 24,
        Value::String(s) => text(s),
        Value::Array(items) => items.iter().map(|v| size_bound(v) + 1).sum::<usize>() + 2,
        Value::Object(map) => {
            map.iter()
                .map(|(k, v)| text(k) + 2 + size_bound(v))
                .sum::<usize>()
                + 2
        }
    };
    bound.max(HIDDEN_VALUE)
}

/// Counts the bytes written to it.
struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A record's `requestParameters`.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Parameters<'a> {
    Recorded(Recorded<'a>),
    Omitted(Value),
}

/// Serializes an input as CloudTrail's camelCase request parameters: allowed parameters as
/// given, every other one [`HIDDEN`] (at any depth), without building a copy.
struct Recorded<'a>(&'a Value);

impl serde::Serialize for Recorded<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(map) => {
                let mut out = s.serialize_map(Some(map.len()))?;
                for (key, value) in map {
                    if is_recorded(key) {
                        out.serialize_entry(&camel_case(key), &Recorded(value))?;
                    } else {
                        out.serialize_entry(&camel_case(key), HIDDEN)?;
                    }
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Recorded(item))?;
                }
                out.end()
            }
            other => other.serialize(s),
        }
    }
}

/// Whether a parameter's value may be recorded (in [`RECORDED_PARAMETERS`]). Every read's
/// record asks for each of its parameters, twice: the names are looked up among those of the
/// same length (a few; a whole binary search or a SipHash cost several times more).
fn is_recorded(key: &str) -> bool {
    static BY_LENGTH: std::sync::LazyLock<Vec<Vec<&str>>> = std::sync::LazyLock::new(|| {
        let longest = RECORDED_PARAMETERS
            .iter()
            .map(|p| p.len())
            .max()
            .unwrap_or(0);
        let mut by_length = vec![Vec::new(); longest + 1];
        for name in RECORDED_PARAMETERS {
            if let Some(names) = by_length.get_mut(name.len()) {
                names.push(*name);
            }
        }
        by_length
    });
    BY_LENGTH
        .get(key.len())
        .is_some_and(|names| names.binary_search(&key).is_ok())
}

/// CloudTrail's camelCase request parameters from the PascalCase input: allowed parameters
/// as given, every other one [`HIDDEN`].
#[cfg(test)]
fn recorded_parameters(input: &Value) -> Value {
    serde_json::to_value(Recorded(input)).unwrap_or_default()
}

/// `UserName` -> `userName`, as CloudTrail names request parameters.
fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    camel_case_into(&mut out, key);
    out
}

/// [`camel_case`], appended to `out`.
fn camel_case_into(out: &mut String, key: &str) {
    if let Some(first) = key.as_bytes().first().filter(|b| b.is_ascii()) {
        out.push(char::from(first.to_ascii_lowercase()));
        out.push_str(key.get(1..).unwrap_or_default());
        return;
    }
    let mut chars = key.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_lowercase().chain(chars));
    }
}

/// `2026-11-23T08:44:41Z` for Unix seconds, as [`crate::time::iso8601`] writes it, without
/// `format!` (every read's record has one: formatting cost it a tenth of its instructions).
fn iso8601(secs: i64) -> String {
    let mut out = String::with_capacity(20);
    iamd_time::write_iso8601(&mut out, secs);
    out
}

/// [`iso8601`] of a record's time, written once a second per thread (the records of a second
/// share it).
fn event_time(secs: i64) -> String {
    thread_local! {
        static LAST: std::cell::RefCell<(i64, String)> =
            const { std::cell::RefCell::new((i64::MIN, String::new())) };
    }
    LAST.with(|last| {
        let Ok(mut last) = last.try_borrow_mut() else {
            return iso8601(secs);
        };
        if last.0 != secs {
            *last = (secs, iso8601(secs));
        }
        last.1.clone()
    })
}

/// `userIdentity` for a caller.
pub fn user_identity(caller: &Caller, account_id: &str) -> Value {
    serde_json::to_value(UserIdentity::of(caller, account_id)).unwrap_or_default()
}

/// CloudTrail's `userIdentity`, in its member order.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct UserIdentity<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    principal_id: &'a str,
    arn: &'a str,
    account_id: &'a str,
    access_key_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<&'a str>,
    /// A web identity's provider (AssumeRoleWithWebIdentity).
    #[serde(skip_serializing_if = "Option::is_none")]
    identity_provider: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_context: Option<SessionContext<'a>>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionContext<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    session_issuer: Option<SessionIssuer<'a>>,
    attributes: SessionAttributes,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionIssuer<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    principal_id: Option<&'a str>,
    arn: std::borrow::Cow<'a, str>,
    account_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<&'a str>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionAttributes {
    #[serde(skip_serializing_if = "Option::is_none")]
    creation_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mfa_authenticated: Option<&'static str>,
}

impl<'a> UserIdentity<'a> {
    fn of(caller: &'a Caller, account_id: &'a str) -> UserIdentity<'a> {
        let kind = match &caller.identity {
            Identity::Root => "Root",
            Identity::User(_) => "IAMUser",
            Identity::AssumedRole(_) => "AssumedRole",
            Identity::FederatedUser(_) => "FederatedUser",
            Identity::Anonymous if saml_user(caller).is_some() => "SAMLUser",
            Identity::Anonymous => "WebIdentityUser",
        };
        let mfa_authenticated = caller
            .mfa
            .map(|mfa| if mfa.present { "true" } else { "false" });
        let session_context = match &caller.identity {
            Identity::AssumedRole(assumed) => Some(SessionContext {
                session_issuer: Some(SessionIssuer {
                    kind: "Role",
                    principal_id: Some(&assumed.role_id),
                    arn: std::borrow::Cow::Borrowed(&assumed.role_arn),
                    account_id,
                    user_name: Some(&assumed.role),
                }),
                attributes: SessionAttributes {
                    creation_date: Some(iso8601(assumed.created)),
                    mfa_authenticated,
                },
            }),
            Identity::FederatedUser(federated) => Some(SessionContext {
                session_issuer: Some(match &federated.user {
                    Some(user) => SessionIssuer {
                        kind: "IAMUser",
                        principal_id: None,
                        arn: federated_issuer_arn(account_id, user).into(),
                        account_id,
                        user_name: Some(user),
                    },
                    None => SessionIssuer {
                        kind: "Root",
                        principal_id: Some(account_id),
                        arn: format!("arn:aws:iam::{account_id}:root").into(),
                        account_id,
                        user_name: None,
                    },
                }),
                attributes: SessionAttributes {
                    creation_date: Some(iso8601(federated.created)),
                    mfa_authenticated,
                },
            }),
            _ => mfa_authenticated.map(|m| SessionContext {
                session_issuer: None,
                attributes: SessionAttributes {
                    creation_date: None,
                    mfa_authenticated: Some(m),
                },
            }),
        };
        UserIdentity {
            kind,
            principal_id: &caller.user_id,
            arn: &caller.principal.arn,
            account_id,
            access_key_id: &caller.access_key_id,
            user_name: match &caller.identity {
                Identity::User(name) => Some(name),
                Identity::Anonymous => saml_user(caller).map(|(_, subject)| subject),
                _ => None,
            },
            // A web identity: its provider, as CloudTrail's `identityProvider`; a SAML
            // user: its name qualifier.
            identity_provider: match &caller.identity {
                Identity::Anonymous => match saml_user(caller) {
                    Some((qualifier, _)) => Some(qualifier),
                    None => Some(caller.principal.arn.as_str()).filter(|arn| !arn.is_empty()),
                },
                _ => None,
            },
            session_context,
        }
    }
}

/// A SAML user (AssumeRoleWithSAML's caller, whose principal is its SAML provider): its name
/// qualifier and subject, from its `aws:userid` `NAMEQUALIFIER:SUBJECT` (a base64 qualifier
/// has no `:`), as CloudTrail's `identityProvider` and `userName`.
fn saml_user(caller: &Caller) -> Option<(&str, &str)> {
    if !caller.principal.arn.contains(":saml-provider/") {
        return None;
    }
    caller.user_id.split_once(':')
}

/// The ARN of the IAM user who asked for a federated session, as the audit record names it
/// (without the user's path, which the caller does not carry).
fn federated_issuer_arn(account_id: &str, user: &str) -> String {
    format!("arn:aws:iam::{account_id}:user/{user}")
}

/// One API call, for its audit record.
pub struct ApiCall<'a> {
    pub caller: &'a Caller,
    pub account_id: &'a str,
    pub event_source: &'a str,
    pub event_name: &'a str,
    pub input: &'a Value,
    pub read_only: bool,
    pub request_id: &'a str,
    /// The client's `User-Agent` (empty: unknown, not recorded).
    pub user_agent: &'a str,
    pub event_id: String,
    pub now: i64,
    /// What the call returned, for `responseElements` (writes; `None`: `null`).
    pub response: Option<Value>,
}

/// The errors of a refused authentication, recorded as the API returned them.
pub const AUTHENTICATION_ERRORS: &[&str] = &[
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidClientTokenId",
    "ExpiredToken",
    "RequestExpired",
    "XAmzContentSHA256Mismatch",
];

/// CloudTrail's `errorCode` for an error: IAM's modelled errors carry an `Exception` suffix
/// there (`NoSuchEntityException`); `AccessDenied` and authentication errors do not.
pub fn cloudtrail_error_code(code: &str) -> String {
    if code == "AccessDenied"
        || code.ends_with("Exception")
        || AUTHENTICATION_ERRORS.contains(&code)
    {
        code.to_string()
    } else {
        format!("{code}Exception")
    }
}

#[cfg(test)]
impl<'a> ApiCall<'a> {
    /// A GetUser by `caller` of `account_id` with `input`, read-only and successful.
    pub(crate) fn get_user(caller: &'a Caller, account_id: &'a str, input: &'a Value) -> Self {
        ApiCall {
            caller,
            account_id,
            event_source: "iam.amazonaws.com",
            event_name: "GetUser",
            input,
            read_only: true,
            request_id: "r",
            user_agent: "",
            event_id: "01a24fc0-2068-7abc-8def-0123456789ab".into(),
            now: 1_796_634_321,
            response: None,
        }
    }
}

impl ApiCall<'_> {
    /// The record of this call; `error`: the call failed with it (`errorCode`,
    /// `errorMessage`). Written by [`json::write`] straight into one buffer, not through a
    /// JSON tree or serde: every read writes one, so it must be cheap.
    pub fn record_with(&self, error: Option<&crate::error::IamError>) -> AuditRecord {
        self.with_json(error, |record, parameters| AuditRecord {
            event_id: self.event_id.clone(),
            event_time: self.now,
            event_name: self.event_name.to_string(),
            event_source: self.event_source.to_string(),
            username: audit_username(self.caller),
            body: json::write(record),
            lookup: lookup_hint(self, parameters),
        })
    }

    /// [`ApiCall::record_with`], written straight into `waiting`: no string of its own (every
    /// read makes one).
    pub(crate) fn record_into(
        &self,
        error: Option<&crate::error::IamError>,
        waiting: &mut waiting::Waiting,
    ) {
        self.with_json(error, |record, parameters| {
            let recorded = match parameters {
                Parameters::Recorded(Recorded(input)) => Some(*input),
                Parameters::Omitted(_) => None,
            };
            let head = waiting::Head {
                event_time: self.now,
                event_id: &self.event_id,
                event_name: self.event_name,
                event_source: self.event_source,
                username: audit_username_of(self.caller),
            };
            let hint = recorded.map(|_| waiting::Hint {
                read_only: Some(self.read_only),
                access_key_id: Some(&self.caller.access_key_id),
            });
            waiting.push_with(
                head,
                |body| json::write_into(body, record),
                hint,
                |list| {
                    for (name, value) in recorded.into_iter().flat_map(lookup_parameters) {
                        list.add(|text| camel_case_into(text, name), value);
                    }
                },
            );
        })
    }

    /// Calls `f` with the parts of this call's record and its request parameters.
    fn with_json<R>(
        &self,
        error: Option<&crate::error::IamError>,
        f: impl FnOnce(&json::Record<'_>, &Parameters<'_>) -> R,
    ) -> R {
        let max_parameter_bytes = match error {
            None => MAX_PARAMETER_BYTES,
            Some(_) => MAX_FAILED_CALL_PARAMETER_BYTES,
        };
        let request_parameters = request_parameters(self.input, max_parameter_bytes);
        let event_time = event_time(self.now);
        let error_code = error.map(|e| cloudtrail_error_code(e.code));
        let record = json::Record {
            caller: self.caller,
            account_id: self.account_id,
            event_time: &event_time,
            event_source: self.event_source,
            event_name: self.event_name,
            aws_region: region(self.caller, self.event_source),
            source_ip_address: &self.caller.source_ip,
            user_agent: self.user_agent,
            error_code: error_code.as_deref(),
            error_message: error.map(|e| e.message.as_str()),
            request_parameters: &request_parameters,
            response_elements: self.response.as_ref(),
            request_id: self.request_id,
            event_id: &self.event_id,
            read_only: self.read_only,
            recipient_account_id: self.account_id,
        };
        f(&record, &request_parameters)
    }

    /// The record's text as `serde_json` writes the typed [`ApiCallRecord`]: what
    /// [`json::write`] must match byte for byte.
    #[cfg(test)]
    fn record_by_serde(&self, error: Option<&crate::error::IamError>) -> String {
        let max_parameter_bytes = match error {
            None => MAX_PARAMETER_BYTES,
            Some(_) => MAX_FAILED_CALL_PARAMETER_BYTES,
        };
        let record = ApiCallRecord {
            event_version: "1.11",
            user_identity: UserIdentity::of(self.caller, self.account_id),
            event_time: iso8601(self.now),
            event_source: self.event_source,
            event_name: self.event_name,
            aws_region: region(self.caller, self.event_source),
            source_ip_address: &self.caller.source_ip,
            user_agent: self.user_agent,
            error_code: error.map(|e| cloudtrail_error_code(e.code)),
            error_message: error.map(|e| e.message.as_str()),
            request_parameters: request_parameters(self.input, max_parameter_bytes),
            response_elements: self.response.as_ref().map(ResponseElements),
            request_id: self.request_id,
            event_id: &self.event_id,
            read_only: self.read_only,
            event_type: "AwsApiCall",
            management_event: true,
            recipient_account_id: self.account_id,
            event_category: "Management",
        };
        serde_json::to_string(&record).unwrap_or_default()
    }
}

/// What the store indexes a call's record by, as `LookupFields::of` would read it from the
/// record (so that the store need not parse the record again): `readOnly`, the access key
/// and the top-level text request parameters. No hint for omitted parameters.
fn lookup_hint(call: &ApiCall<'_>, parameters: &Parameters<'_>) -> iamd_store::LookupHint {
    let Parameters::Recorded(Recorded(input)) = parameters else {
        return iamd_store::LookupHint::none();
    };
    iamd_store::LookupHint(Some(iamd_store::lookup::LookupFields {
        read_only: Some(call.read_only),
        access_key_id: Some(call.caller.access_key_id.clone()),
        parameters: lookup_parameters(input)
            .map(|(name, value)| (camel_case(name), value.to_string()))
            .collect(),
    }))
}

/// The top-level text request parameters a record is looked up by: (PascalCase name, value
/// or [`HIDDEN`]), values of at most [`iamd_store::lookup::MAX_INDEXED_VALUE`] bytes.
fn lookup_parameters(input: &Value) -> impl Iterator<Item = (&str, &str)> {
    let map = match input {
        Value::Object(map) => Some(map),
        _ => None,
    };
    map.into_iter().flatten().filter_map(|(key, value)| {
        let value = match value {
            _ if !is_recorded(key) => HIDDEN,
            Value::String(text) => text.as_str(),
            _ => return None,
        };
        (value.len() <= iamd_store::lookup::MAX_INDEXED_VALUE).then_some((key.as_str(), value))
    })
}

/// CloudTrail's record of an API call, in CloudTrail's member order (the reference that
/// [`json::write`] is tested against).
#[cfg(test)]
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ApiCallRecord<'a> {
    event_version: &'static str,
    user_identity: UserIdentity<'a>,
    event_time: String,
    event_source: &'a str,
    event_name: &'a str,
    aws_region: &'a str,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    user_agent: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<&'a str>,
    request_parameters: Parameters<'a>,
    /// A write's response without secrets; `null` for reads and failed calls.
    response_elements: Option<ResponseElements<'a>>,
    #[serde(rename = "requestID")]
    request_id: &'a str,
    #[serde(rename = "eventID")]
    event_id: &'a str,
    read_only: bool,
    event_type: &'static str,
    management_event: bool,
    recipient_account_id: &'a str,
    event_category: &'static str,
}

/// Response members never recorded, at any depth: secrets a response carries.
pub const UNRECORDED_RESPONSE_MEMBERS: &[&str] = &[
    "SecretAccessKey",
    "SessionToken",
    "Base32StringSeed",
    "QRCodePNG",
    "Password",
    "PrivateKey",
    "ServicePassword",
];

/// A response as CloudTrail's `responseElements`: camelCase members, dates (`...Date`,
/// `Expiration`, Unix seconds in iamd's responses) as CloudTrail writes them (`Dec 7, 2026
/// 9:05:21 AM`), and no member of [`UNRECORDED_RESPONSE_MEMBERS`].
struct ResponseElements<'a>(&'a Value);

impl serde::Serialize for ResponseElements<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(map) => {
                let kept = map
                    .iter()
                    .filter(|(key, _)| !UNRECORDED_RESPONSE_MEMBERS.contains(&key.as_str()));
                let mut out = s.serialize_map(None)?;
                for (key, value) in kept {
                    let is_date = key.ends_with("Date") || key == "Expiration";
                    match value.as_i64() {
                        Some(secs) if is_date => {
                            out.serialize_entry(&camel_case(key), &cloudtrail_date(secs))?
                        }
                        _ => out.serialize_entry(&camel_case(key), &ResponseElements(value))?,
                    }
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&ResponseElements(item))?;
                }
                out.end()
            }
            other => other.serialize(s),
        }
    }
}

/// `Dec 7, 2026 9:05:21 AM` (UTC) for Unix seconds: how CloudTrail writes dates in IAM's and
/// STS's `responseElements`.
pub fn cloudtrail_date(secs: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // 2026-12-07T09:05:21Z
    let iso = crate::time::iso8601(secs);
    let number = |range: std::ops::Range<usize>| {
        iso.get(range)
            .and_then(|t| t.parse::<usize>().ok())
            .unwrap_or(0)
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
    let (hour12, half) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    let month = MONTHS.get(month.wrapping_sub(1)).unwrap_or(&"Jan");
    format!("{month} {day}, {year} {hour12}:{minute:02}:{second:02} {half}")
}

/// CloudTrail's `awsRegion`: `us-east-1` for IAM (a global service, recorded there), else
/// the region the request was signed for.
fn region<'a>(caller: &'a Caller, event_source: &str) -> &'a str {
    if event_source == crate::service::IAM.event_source || caller.region.is_empty() {
        "us-east-1"
    } else {
        &caller.region
    }
}

/// The `Username` a record is looked up by (a role session's name for role sessions, as
/// CloudTrail's LookupEvents shows it).
pub(crate) fn audit_username(caller: &Caller) -> String {
    audit_username_of(caller).to_string()
}

fn audit_username_of(caller: &Caller) -> &str {
    match &caller.identity {
        Identity::Root => "root",
        Identity::User(name) => name,
        Identity::AssumedRole(assumed) => &assumed.session_name,
        Identity::FederatedUser(federated) => &federated.name,
        Identity::Anonymous => "",
    }
}

/// A refused MFA code (wrong, replayed, or the device locked): a `CheckMfa` record with
/// `responseElements {"CheckMfa": "Failure"}`, the reason and the device in
/// `additionalEventData`, and the error the caller got. Written in the transaction that
/// records the refusal on the device, so a replayed code is always both refused and logged
/// (OWASP ASVS 4.0.3 2.8.5). Never carries the code itself.
pub struct MfaCheckFailure<'a> {
    pub caller: &'a Caller,
    pub account_id: &'a str,
    pub event_source: &'a str,
    /// The operation the code was given to (`EnableMFADevice`, `GetSessionToken`, ...).
    pub operation: &'a str,
    pub serial: &'a str,
    /// `Virtual MFA` or `Hardware MFA`.
    pub mfa_type: &'a str,
    /// `Invalid`, `Malformed`, `Replayed` or `Locked`.
    pub reason: &'a str,
    pub error: &'a crate::error::IamError,
    pub request_id: &'a str,
    pub event_id: String,
    pub now: i64,
}

impl MfaCheckFailure<'_> {
    pub fn record(&self) -> AuditRecord {
        let body = json!({
            "eventVersion": "1.11",
            "userIdentity": user_identity(self.caller, self.account_id),
            "eventTime": crate::time::iso8601(self.now),
            "eventSource": self.event_source,
            "eventName": "CheckMfa",
            "awsRegion": "us-east-1",
            "sourceIPAddress": self.caller.source_ip,
            "requestParameters": Value::Null,
            "responseElements": {"CheckMfa": "Failure"},
            "additionalEventData": {
                "MfaType": self.mfa_type,
                "MFAIdentifier": self.serial,
                "Operation": self.operation,
                "FailureReason": self.reason,
            },
            "errorCode": cloudtrail_error_code(self.error.code),
            "errorMessage": self.error.message,
            "requestID": self.request_id,
            "eventID": self.event_id,
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "eventCategory": "Management",
            "recipientAccountId": self.account_id,
        });
        AuditRecord {
            event_id: self.event_id.clone(),
            event_time: self.now,
            event_name: "CheckMfa".to_string(),
            event_source: self.event_source.to_string(),
            username: audit_username(self.caller),
            body: body.to_string(),
            lookup: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lookup_hint_is_what_the_store_would_read_from_the_record() {
        let caller = crate::testing::root();
        for input in [
            json!({"UserName": "bob", "Password": "x", "MaxItems": 5, "Tags": [{"Key": "k"}],
                   "PolicyDocument": "d", "NewPassword": {"a": 1}}),
            json!({}),
            Value::Null,
        ] {
            let call = ApiCall::get_user(&caller, "123456789012", &input);
            let record = call.record_with(None);
            let mut hint = record.lookup.0.unwrap();
            hint.parameters.sort();
            assert_eq!(
                hint,
                iamd_store::lookup::LookupFields::of(&record.body),
                "{input}"
            );
        }
    }

    #[test]
    fn a_record_written_in_place_is_the_record_and_hint_of_record_with() {
        let caller = crate::testing::root();
        let error =
            crate::error::IamError::no_such_entity("The user with name bob cannot be found.");
        let big = "x".repeat(5000);
        for input in [
            json!({"UserName": "bob", "Password": "x", "MaxItems": 5, "Tags": [{"Key": "k"}],
                   "Ümlaut": "ü", "PolicyDocument": big}),
            json!({"UserName": big}),
            json!({}),
            Value::Null,
        ] {
            for error in [None, Some(&error)] {
                let call = ApiCall::get_user(&caller, "123456789012", &input);
                let mut waiting = waiting::Waiting::default();
                call.record_into(error, &mut waiting);
                let written = waiting.records();
                let record = call.record_with(error);
                assert_eq!(written, vec![record.clone()], "{input}");
                assert_eq!(written[0].lookup.0, record.lookup.0, "{input}");
            }
        }
    }

    #[test]
    fn response_elements_are_camel_case_without_secrets_with_cloudtrails_dates() {
        let response = json!({"Credentials": {"AccessKeyId": "ASIA1", "SecretAccessKey": "s",
            "SessionToken": "t", "Expiration": 1_796_634_321},
            "User": {"UserName": "bob", "CreateDate": 1_796_590_800, "Tags": [{"Key": "k"}]}});
        let text = serde_json::to_string(&ResponseElements(&response)).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            json!({"credentials": {"accessKeyId": "ASIA1", "expiration": "Dec 7, 2026 9:05:21 AM"},
                   "user": {"userName": "bob", "createDate": "Dec 6, 2026 9:00:00 PM",
                            "tags": [{"key": "k"}]}})
        );
        assert_eq!(cloudtrail_date(1_796_601_600), "Dec 7, 2026 12:00:00 AM");
        assert_eq!(cloudtrail_date(1_796_644_800), "Dec 7, 2026 12:00:00 PM");
    }

    #[test]
    fn a_records_time_is_written_for_each_second() {
        for secs in [0, 1, 1, 0, 1_796_634_321, 1] {
            assert_eq!(event_time(secs), iso8601(secs));
        }
        assert_eq!(event_time(1), "1970-01-01T00:00:01Z");
    }

    #[test]
    fn recorded_parameters_are_sorted_and_found() {
        assert!(RECORDED_PARAMETERS.windows(2).all(|w| w[0] < w[1]));
        assert!(RECORDED_PARAMETERS.iter().all(|name| is_recorded(name)));
        assert!(!UNRECORDED_PARAMETERS.iter().any(|name| is_recorded(name)));
        assert!(!is_recorded("userName") && !is_recorded("") && !is_recorded("UserNam"));
    }

    #[test]
    fn the_size_bound_is_at_least_the_size() {
        for input in [
            json!({"UserName": "bob\"\u{1}", "Password": "x", "Tags": [{"Key": "k", "Value": 5}]}),
            json!({"PolicyDocument": "{\"Version\":\"2012-10-17\"}", "MaxItems": null}),
        ] {
            let size = serde_json::to_string(&Recorded(&input)).unwrap().len();
            assert!(size_bound(&input) >= size, "{input}");
        }
    }

    #[test]
    fn parameters_are_camel_case_and_secrets_hidden() {
        let p = recorded_parameters(
            &json!({"UserName": "alice", "NewPassword": "hunter2", "Tags": [{"Key": "k"}]}),
        );
        assert_eq!(
            p,
            json!({"userName": "alice", "newPassword": HIDDEN, "tags": [{"key": "k"}]})
        );
    }

    #[test]
    fn parameters_not_allowed_are_hidden_at_any_depth() {
        let p = recorded_parameters(&json!({"Format": "csv", "Body": "GAHT1,JBSWY3DPEHPK3PXP",
                    "ContextEntries": [{"ContextKeyName": "k", "Secret": "s"}]}));
        assert_eq!(
            p,
            json!({"format": "csv", "body": HIDDEN,
                   "contextEntries": [{"contextKeyName": "k", "secret": HIDDEN}]})
        );
    }

    #[test]
    fn parameters_over_the_budget_are_omitted_as_cloudtrail_does() {
        let input = json!({"PolicyDocument": "x".repeat(8 * 1024), "UserName": "bob"});
        let kept = serde_json::to_value(request_parameters(&input, MAX_PARAMETER_BYTES)).unwrap();
        assert_eq!(kept["userName"], "bob");
        let omitted =
            serde_json::to_value(request_parameters(&input, MAX_FAILED_CALL_PARAMETER_BYTES))
                .unwrap();
        assert_eq!(
            omitted,
            json!({"reason": "requestParameters too large", "omitted": true,
                   "originalSize": recorded_parameters(&input).to_string().len()})
        );
    }
}
