//! Acknowledged writes survive `kill -9`: a server on a data directory is given users, a
//! group, policies, a login profile, an access key and an enabled virtual MFA device, then
//! killed with SIGKILL right after its last answer (no shutdown code runs). A new server on
//! the same directory has all of it, the access key still signs requests and the MFA device
//! still checks codes (their secrets were sealed on disk and are unsealed again), and no
//! secret is in the database files in clear text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use support::{fixture, fresh_step, mfa_seed, totp_code, Server, ROOT_SECRET};

const ALICE: &str = "arn:aws:iam::123456789012:user/alice";
const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";
const PASSWORD: &str = "Durable-Passw0rd!";

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Asserts that no database file in `data` (`iamd.db` and its WAL and shared-memory files)
/// holds any of `secrets` (name, bytes) in clear text; `iamd.db` must exist, and the files
/// must hold the records written (a policy name, in clear text), else the search proves
/// nothing; nor does any audit record, decoded.
fn assert_sealed(data: &Path, secrets: &[(&str, &[u8])]) {
    assert!(data.join("iamd.db").is_file(), "no iamd.db in {data:?}");
    let mut records_seen = false;
    for entry in std::fs::read_dir(data).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("iamd.db") {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        records_seen |= contains(&bytes, b"force-mfa-ja");
        for (what, secret) in secrets {
            assert!(
                !contains(&bytes, secret),
                "{name} holds the {what} in clear text"
            );
        }
    }
    assert!(
        records_seen,
        "the database files in {data:?} lack the records written"
    );
    // Audit records are stored compressed, where a byte search proves nothing: decoded.
    let audit = support::audit_text(data);
    assert!(
        audit.contains("CreateUser"),
        "the audit records of {data:?} lack the calls made"
    );
    for (what, secret) in secrets {
        assert!(
            !contains(audit.as_bytes(), secret),
            "an audit record holds the {what}"
        );
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let first = Server::start_in(&data);
    let iam = first.iam();
    let (key_id, secret) = first.user_with_key("alice").await;
    iam.create_user()
        .user_name("bob")
        .path("/team/")
        .send()
        .await
        .unwrap();
    iam.create_login_profile()
        .user_name("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("developers")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("developers")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let policy_arn = iam
        .create_policy()
        .policy_name("force-mfa-ja")
        .policy_document(fixture("seed002-force-mfa-blog-ja.json"))
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    iam.attach_group_policy()
        .group_name("developers")
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("bob")
        .policy_name("admin")
        .policy_document(fixture("administrator-access.json"))
        .send()
        .await
        .unwrap();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    let seed = mfa_seed(&device);
    let seed_text = iamd_core::crypto::base32::encode(&seed);
    let step = fresh_step().await;
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(SERIAL)
        .authentication_code1(totp_code(&seed, step - 2))
        .authentication_code2(totp_code(&seed, step - 1))
        .send()
        .await
        .unwrap();
    // The last write is acknowledged: kill at once.
    first.kill();

    let secrets: [(&str, &[u8]); 5] = [
        ("secret access key", secret.as_bytes()),
        ("MFA seed (Base32)", seed_text.as_bytes()),
        ("MFA seed", &seed),
        ("password", PASSWORD.as_bytes()),
        ("root secret access key", ROOT_SECRET.as_bytes()),
    ];
    assert_sealed(&data, &secrets);

    let second = Server::start_in(&data);
    let iam = second.iam();

    let users = iam.list_users().send().await.unwrap().users;
    let names: Vec<(&str, &str)> = users
        .iter()
        .map(|u| (u.path.as_str(), u.user_name.as_str()))
        .collect();
    assert_eq!(names, [("/", "alice"), ("/team/", "bob")]);
    iam.get_login_profile()
        .user_name("alice")
        .send()
        .await
        .unwrap();

    let group = iam
        .get_group()
        .group_name("developers")
        .send()
        .await
        .unwrap();
    let members: Vec<&str> = group.users.iter().map(|u| u.user_name.as_str()).collect();
    assert_eq!(members, ["alice"]);
    let attached = iam
        .list_attached_group_policies()
        .group_name("developers")
        .send()
        .await
        .unwrap()
        .attached_policies
        .unwrap();
    assert_eq!(attached.len(), 1, "{attached:?}");
    assert_eq!(attached[0].policy_arn.as_deref(), Some(policy_arn.as_str()));
    let policy = iam
        .get_policy()
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    assert_eq!(policy.attachment_count, Some(1));
    let inline = iam
        .get_user_policy()
        .user_name("bob")
        .policy_name("admin")
        .send()
        .await
        .unwrap();
    let document: serde_json::Value =
        serde_json::from_str(&support::percent_decode(&inline.policy_document)).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&fixture("administrator-access.json")).unwrap();
    assert_eq!(document, expected);

    let keys = iam
        .list_access_keys()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .access_key_metadata;
    let ids: Vec<Option<&str>> = keys.iter().map(|k| k.access_key_id.as_deref()).collect();
    assert_eq!(ids, [Some(key_id.as_str())]);

    let devices = iam
        .list_mfa_devices()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .mfa_devices;
    let serials: Vec<&str> = devices.iter().map(|d| d.serial_number.as_str()).collect();
    assert_eq!(serials, [SERIAL]);

    // The access key still signs: the server unsealed its secret again.
    let sts = second.sts_as(&key_id, &secret);
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some(ALICE));
    // The device's seed was unsealed too, and its replay state kept: the codes used to enable
    // it are refused, the next one gives an MFA session, which passes the group's policy.
    let replayed = sts
        .get_session_token()
        .serial_number(SERIAL)
        .token_code(totp_code(&seed, step - 1))
        .send()
        .await
        .unwrap_err();
    let (code, message) = support::code_message(replayed);
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        message,
        "MultiFactorAuthentication failed with invalid MFA one time pass code."
    );
    let creds = sts
        .get_session_token()
        .serial_number(SERIAL)
        .token_code(totp_code(&seed, step))
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let denied = second
        .iam_as(&key_id, &secret)
        .get_user()
        .send()
        .await
        .unwrap_err();
    let (code, message) = support::code_message(denied);
    assert_eq!(
        code, "AccessDenied",
        "without MFA the group's policy denies"
    );
    assert!(message.contains("with an explicit deny"), "{message}");
    let user = second
        .iam_session(&creds)
        .get_user()
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(user.arn, ALICE);

    let mode = std::fs::metadata(data.join("sealing.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "sealing.key mode {mode:o}");
    second.kill();
    assert_sealed(&data, &secrets);
}
