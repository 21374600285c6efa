//! Instance profiles and the role they hold through the official AWS SDK for Rust against a
//! real `iamd serve`; roles and instance profiles survive a restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::roles::{create_role, tag, EC2_TRUST};
use support::{code_message, percent_decode, Server};

const READ_S3: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#;

#[tokio::test]
async fn instance_profiles() {
    let server = Server::start();
    let iam = server.iam();
    create_role(&iam, "R1", "/").await;
    create_role(&iam, "R2", "/").await;
    let profile = iam
        .create_instance_profile()
        .instance_profile_name("Web")
        .path("/app/")
        .tags(tag("k", "v"))
        .send()
        .await
        .unwrap()
        .instance_profile
        .unwrap();
    assert_eq!(
        profile.arn,
        "arn:aws:iam::123456789012:instance-profile/app/Web"
    );
    assert!(profile.instance_profile_id.starts_with("AIPA"));
    let (code, message) = code_message(
        iam.create_instance_profile()
            .instance_profile_name("web")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "EntityAlreadyExists",
            "Instance Profile web already exists."
        )
    );

    iam.add_role_to_instance_profile()
        .instance_profile_name("Web")
        .role_name("R1")
        .send()
        .await
        .unwrap();
    let (code, message) = code_message(
        iam.add_role_to_instance_profile()
            .instance_profile_name("Web")
            .role_name("R2")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "LimitExceeded",
            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"
        )
    );
    let got = iam
        .get_instance_profile()
        .instance_profile_name("Web")
        .send()
        .await
        .unwrap()
        .instance_profile
        .unwrap();
    assert_eq!(got.roles()[0].role_name, "R1");
    assert_eq!(got.tags().len(), 1);
    let listed = iam.list_instance_profiles().send().await.unwrap();
    assert_eq!(listed.instance_profiles().len(), 1);
    let for_role = iam
        .list_instance_profiles_for_role()
        .role_name("R1")
        .send()
        .await
        .unwrap();
    assert_eq!(for_role.instance_profiles()[0].instance_profile_name, "Web");

    let (code, message) = code_message(iam.delete_role().role_name("R1").send().await.unwrap_err());
    let in_profile = "Cannot delete entity, must remove roles from instance profile first.";
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("DeleteConflict", in_profile)
    );
    let (code, _) = code_message(
        iam.delete_instance_profile()
            .instance_profile_name("Web")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "DeleteConflict");

    iam.tag_instance_profile()
        .instance_profile_name("Web")
        .tags(tag("k2", "v2"))
        .send()
        .await
        .unwrap();
    iam.untag_instance_profile()
        .instance_profile_name("Web")
        .tag_keys("k")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_instance_profile_tags()
        .instance_profile_name("Web")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = tags.tags().iter().map(|t| t.key()).collect();
    assert_eq!(keys, ["k2"]);

    iam.remove_role_from_instance_profile()
        .instance_profile_name("Web")
        .role_name("R1")
        .send()
        .await
        .unwrap();
    iam.delete_instance_profile()
        .instance_profile_name("Web")
        .send()
        .await
        .unwrap();
    let (code, message) = code_message(
        iam.get_instance_profile()
            .instance_profile_name("Web")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NoSuchEntity", "Instance Profile Web cannot be found.")
    );
    iam.delete_role().role_name("R1").send().await.unwrap();
}

#[tokio::test]
async fn roles_and_instance_profiles_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = Server::start_in(&data);
    let iam = first.iam();
    create_role(&iam, "Kept", "/keep/").await;
    iam.put_role_policy()
        .role_name("Kept")
        .policy_name("read")
        .policy_document(READ_S3)
        .send()
        .await
        .unwrap();
    iam.create_instance_profile()
        .instance_profile_name("Box")
        .send()
        .await
        .unwrap();
    iam.add_role_to_instance_profile()
        .instance_profile_name("Box")
        .role_name("Kept")
        .send()
        .await
        .unwrap();
    first.kill();

    let second = Server::start_in(&data);
    let iam = second.iam();
    let role = iam.get_role().role_name("kept").send().await.unwrap();
    let role = role.role().unwrap();
    assert_eq!(role.arn, "arn:aws:iam::123456789012:role/keep/Kept");
    let document = role.assume_role_policy_document().unwrap();
    assert_eq!(percent_decode(document), EC2_TRUST);
    let names = iam
        .list_role_policies()
        .role_name("Kept")
        .send()
        .await
        .unwrap();
    assert_eq!(names.policy_names(), ["read"]);
    let profile = iam
        .get_instance_profile()
        .instance_profile_name("Box")
        .send()
        .await
        .unwrap();
    assert_eq!(
        profile.instance_profile().unwrap().roles()[0].role_name,
        "Kept"
    );
}
