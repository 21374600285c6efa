//! Checks of a request's input that AWS makes before any authorization: a caller without
//! the permission still learns that the input is malformed.
//!
//! AssumeRole: AWS's answers recorded by LocalStack's AWS-validated snapshots
//! (`tests/aws/services/sts/test_sts.snapshot.json`: `test_sts_invalid_parameters`,
//! `test_assume_role_tag_validation`, `test_iam_role_chaining_override_transitive_tags`).

use serde_json::Value;

use crate::error::IamError;
use crate::model::Tag;

/// AWS's answer to a `PolicyArn` that is not an ARN (the issue tracker's record of AWS's
/// answer, issue 16; AWS's text has the two spaces).
pub const UNPARSABLE_ARN: &str = "Invalid ARN:  Could not be parsed!";

/// `ValidationError` for an IAM request whose `PolicyArn` is not an ARN, whatever the
/// operation (Attach*/Detach*, GetPolicy, the version operations, ...): AWS refuses it
/// before looking at the caller's permissions.
pub(super) fn malformed_policy_arn(input: &Value) -> Option<IamError> {
    let arn = input.get("PolicyArn")?.as_str()?;
    iamd_policy::Arn::parse(arn)
        .is_none()
        .then(|| IamError::validation(UNPARSABLE_ARN))
}

pub(super) const DUPLICATE_TAG_KEYS: &str =
    "Duplicate tag keys found. Please note that Tag keys are case insensitive.";
pub(super) const TRANSITIVE_NOT_TAGGED: &str =
    "The specified transitive tag key must be included in the requested tags.";
pub(super) const TRANSITIVE_CONFLICT: &str = "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.";

/// A `RoleArn` AWS can parse: `arn:partition:service:region:account:resource` with a
/// partition, a service and a resource (region and account may be empty). Otherwise
/// `ValidationError` "`{arn}` is invalid", before the caller's authorization is looked at.
pub(super) fn check_role_arn(arn: &str) -> Result<(), IamError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = matches!(
        parts.as_slice(),
        ["arn", partition, service, _, _, resource]
            if !partition.is_empty() && !service.is_empty() && !resource.is_empty()
    );
    if ok {
        Ok(())
    } else {
        Err(IamError::validation(format!("{arn} is invalid")))
    }
}

/// Session tags: keys unique regardless of case; each transitive key among the tags
/// (regardless of case); no tag whose key is a transitive key of the calling session.
pub(super) fn check_session_tags(
    tags: &[Tag],
    transitive_keys: &[String],
    inherited: &[Tag],
) -> Result<(), IamError> {
    let invalid = |message: &str| IamError::new("InvalidParameterValue", 400, message);
    if has_duplicate_keys(tags) {
        return Err(invalid(DUPLICATE_TAG_KEYS));
    }
    let tagged = |key: &str| tags.iter().any(|t| t.key.eq_ignore_ascii_case(key));
    if !transitive_keys.iter().all(|k| tagged(k)) {
        return Err(invalid(TRANSITIVE_NOT_TAGGED));
    }
    if inherited.iter().any(|t| tagged(&t.key)) {
        return Err(invalid(TRANSITIVE_CONFLICT));
    }
    Ok(())
}

/// IAM's rule for the tags of one request (CreateUser, CreateRole, TagUser, ...): keys
/// unique regardless of case, `InvalidInput` otherwise (an AWS answer to CreateRole quoted
/// in a public build log; moto's `DuplicateTags`).
pub(crate) fn check_unique_tag_keys(tags: &[Tag]) -> Result<(), IamError> {
    if has_duplicate_keys(tags) {
        return Err(IamError::invalid_input(DUPLICATE_TAG_KEYS));
    }
    Ok(())
}

fn has_duplicate_keys(tags: &[Tag]) -> bool {
    tags.iter().enumerate().any(|(i, tag)| {
        tags.iter()
            .take(i)
            .any(|t| t.key.eq_ignore_ascii_case(&tag.key))
    })
}
