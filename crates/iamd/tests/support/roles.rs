//! Roles for the end-to-end tests: a trust policy, and creating a role with it.

use aws_sdk_iam::types::Tag;

/// A trust policy letting EC2 assume the role.
pub const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// A tag, for the SDK's builders.
pub fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().expect("tag")
}

/// Creates role `name` at `path` trusting EC2.
pub async fn create_role(iam: &aws_sdk_iam::Client, name: &str, path: &str) {
    iam.create_role()
        .role_name(name)
        .path(path)
        .assume_role_policy_document(EC2_TRUST)
        .send()
        .await
        .expect("CreateRole");
}
