//! Login profiles, the account password policy and ChangePassword, called as the server
//! would; and the seed 001 lockout (no password change without MFA) at the engine level.
//! argon2 is slow in debug builds: each test hashes only a few times.

use serde_json::{json, Value};

use super::super::passwords::check_password;
use crate::account::Account;
use crate::authz::{Caller, MfaInfo, SessionKind};
use crate::error::IamError;
use crate::model::PasswordPolicy;
use crate::testing::{account, call, root, user, ACCOUNT_ID};

const SEED000: &str =
    include_str!("../../../../../fixtures/policies/seed000-force-mfa-blog-ko.json");
const SEED001: &str =
    include_str!("../../../../../fixtures/policies/seed001-aws-docs-manage-own-mfa.json");
const CHANGE_PASSWORD: &str =
    include_str!("../../../../../fixtures/policies/iam-user-change-password.json");

fn iam(acct: &Account, caller: &Caller, action: &str, input: Value) -> Result<Value, IamError> {
    call(acct, caller, "iam", action, input)
}

/// Calls as root and expects success.
fn ok(acct: &Account, action: &str, input: Value) -> Value {
    iam(acct, &root(), action, input).unwrap()
}

/// Calls as root and expects an error with `code`, `status` and `message`.
fn fails(acct: &Account, action: &str, input: Value, code: &str, status: u16, message: &str) {
    let e = iam(acct, &root(), action, input).unwrap_err();
    assert_eq!(
        (e.code, e.status, e.message.as_str()),
        (code, status, message),
        "{action}"
    );
}

/// Creates user `name` with inline policies `docs` (name, document), as root.
fn create_user(acct: &Account, name: &str, docs: &[(&str, &str)]) {
    ok(acct, "CreateUser", json!({"UserName": name}));
    for (policy, doc) in docs {
        ok(
            acct,
            "PutUserPolicy",
            json!({"UserName": name, "PolicyName": policy, "PolicyDocument": doc}),
        );
    }
}

const VIOLATION: &str = "Password does not conform to the account password policy.";

fn policy(min: u32) -> PasswordPolicy {
    PasswordPolicy {
        minimum_password_length: min,
        require_symbols: false,
        require_numbers: false,
        require_uppercase_characters: false,
        require_lowercase_characters: false,
        allow_users_to_change_password: false,
        max_password_age: None,
        password_reuse_prevention: None,
        hard_expiry: false,
    }
}

#[test]
fn password_rules() {
    // No account policy: AWS's default (8 characters, three kinds of four).
    assert!(check_password("abcDEF12", None).is_ok());
    assert!(check_password("abcdef1'", None).is_ok());
    assert_eq!(check_password("abcdefgh", None).unwrap_err().len(), 1);
    assert_eq!(check_password("aB1", None).unwrap_err().len(), 1);
    assert_eq!(check_password("abc", None).unwrap_err().len(), 2);
    // A policy with defaults: 6 characters, nothing else.
    let p = policy(6);
    assert!(check_password("abcdef", Some(&p)).is_ok());
    assert!(check_password("abcde", Some(&p)).is_err());
    assert!(check_password(&"a".repeat(129), Some(&p)).is_err());
    // Each kind; only AWS's symbols count (`~` and `<` are not among them).
    let strict = PasswordPolicy {
        require_symbols: true,
        require_numbers: true,
        require_uppercase_characters: true,
        require_lowercase_characters: true,
        ..policy(10)
    };
    assert!(check_password("Abcdefgh1'", Some(&strict)).is_ok());
    assert!(check_password("Abcdefgh1|", Some(&strict)).is_ok());
    let reasons = check_password("abcdefgh1~<", Some(&strict)).unwrap_err();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("uppercase")));
    assert!(reasons.iter().any(|r| r.contains("symbol")));
    let reasons = check_password("É", Some(&strict)).unwrap_err();
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    for symbol in "!@#$%^&*()_+-=[]{}|'".chars() {
        assert!(check_password(&format!("Abcdefgh1{symbol}"), Some(&strict)).is_ok());
    }
}

#[test]
fn account_password_policy() {
    let (acct, _) = account();
    let missing = format!("The Password Policy with domain name {ACCOUNT_ID} cannot be found.");
    fails(
        &acct,
        "GetAccountPasswordPolicy",
        json!({}),
        "NoSuchEntity",
        404,
        &missing,
    );
    let none = "The account policy with name PasswordPolicy cannot be found.";
    fails(
        &acct,
        "DeleteAccountPasswordPolicy",
        json!({}),
        "NoSuchEntity",
        404,
        none,
    );

    // An empty update sets every default (LocalStack's recording of AWS).
    ok(&acct, "UpdateAccountPasswordPolicy", json!({}));
    assert_eq!(
        ok(&acct, "GetAccountPasswordPolicy", json!({})),
        json!({"PasswordPolicy": {
            "AllowUsersToChangePassword": false, "ExpirePasswords": false,
            "MinimumPasswordLength": 6, "RequireLowercaseCharacters": false,
            "RequireNumbers": false, "RequireSymbols": false, "RequireUppercaseCharacters": false
        }})
    );
    let custom = json!({
        "AllowUsersToChangePassword": true, "HardExpiry": true, "MaxPasswordAge": 60,
        "MinimumPasswordLength": 10, "PasswordReusePrevention": 3,
        "RequireLowercaseCharacters": true, "RequireNumbers": true, "RequireSymbols": true,
        "RequireUppercaseCharacters": true
    });
    ok(&acct, "UpdateAccountPasswordPolicy", custom.clone());
    let mut expected = custom;
    expected["ExpirePasswords"] = json!(true);
    assert_eq!(
        ok(&acct, "GetAccountPasswordPolicy", json!({})),
        json!({ "PasswordPolicy": expected })
    );
    // No partial update: omitted members go back to their defaults.
    ok(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"RequireNumbers": true}),
    );
    let got = ok(&acct, "GetAccountPasswordPolicy", json!({}))["PasswordPolicy"].clone();
    assert_eq!(got["MinimumPasswordLength"], 6);
    assert_eq!(got["RequireNumbers"], true);
    assert_eq!(got["RequireSymbols"], false);
    assert_eq!(got["ExpirePasswords"], false);
    assert!(got.get("MaxPasswordAge").is_none() && got.get("HardExpiry").is_none());
    assert!(got.get("PasswordReusePrevention").is_none());

    // Ranges: one ValidationError listing every violation, AWS's order and wording.
    fails(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"MaxPasswordAge": 1096, "MinimumPasswordLength": 129, "PasswordReusePrevention": 25}),
        "ValidationError",
        400,
        "3 validation errors detected: Value at 'minimumPasswordLength' failed to satisfy \
         constraint: Member must have value less than or equal to 128; Value at \
         'passwordReusePrevention' failed to satisfy constraint: Member must have value less \
         than or equal to 24; Value at 'maxPasswordAge' failed to satisfy constraint: Member \
         must have value less than or equal to 1095",
    );
    fails(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"MinimumPasswordLength": 5}),
        "ValidationError",
        400,
        "1 validation error detected: Value at 'minimumPasswordLength' failed to satisfy \
         constraint: Member must have value greater than or equal to 6",
    );
    for (member, bad) in [("MaxPasswordAge", 0), ("PasswordReusePrevention", 0)] {
        let e = iam(
            &acct,
            &root(),
            "UpdateAccountPasswordPolicy",
            json!({member: bad}),
        )
        .unwrap_err();
        assert!(
            e.message
                .starts_with("1 validation error detected: Value at '")
                && e.message
                    .ends_with("Member must have value greater than or equal to 1"),
            "{}",
            e.message
        );
    }
    // Bounds are accepted; a refused update changed nothing.
    ok(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"MinimumPasswordLength": 128, "MaxPasswordAge": 1095, "PasswordReusePrevention": 24}),
    );
    let got = ok(&acct, "GetAccountPasswordPolicy", json!({}));
    assert_eq!(got["PasswordPolicy"]["MinimumPasswordLength"], 128);
    assert_eq!(got["PasswordPolicy"]["PasswordReusePrevention"], 24);

    ok(&acct, "DeleteAccountPasswordPolicy", json!({}));
    fails(
        &acct,
        "GetAccountPasswordPolicy",
        json!({}),
        "NoSuchEntity",
        404,
        &missing,
    );
    fails(
        &acct,
        "DeleteAccountPasswordPolicy",
        json!({}),
        "NoSuchEntity",
        404,
        none,
    );

    // Resource `*`: a user allowed GetAccountPasswordPolicy only cannot update it.
    create_user(&acct, "dana", &[("cp", CHANGE_PASSWORD)]);
    let dana = user(&acct, "dana", None);
    let e = iam(&acct, &dana, "UpdateAccountPasswordPolicy", json!({})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(
        e.message
            .contains("iam:UpdateAccountPasswordPolicy on resource: *"),
        "{}",
        e.message
    );
    let e = iam(&acct, &dana, "GetAccountPasswordPolicy", json!({})).unwrap_err();
    assert_eq!(e.code, "NoSuchEntity");
}

#[test]
fn login_profile_lifecycle() {
    let (acct, _) = account();
    create_user(&acct, "Alice", &[]);
    let lost = "Login Profile for User Alice cannot be found.";
    fails(
        &acct,
        "GetLoginProfile",
        json!({"UserName": "alice"}),
        "NoSuchEntity",
        404,
        lost,
    );
    fails(
        &acct,
        "DeleteLoginProfile",
        json!({"UserName": "alice"}),
        "NoSuchEntity",
        404,
        lost,
    );
    fails(
        &acct,
        "CreateLoginProfile",
        json!({"UserName": "bob", "Password": "Secret-Pass-1"}),
        "NoSuchEntity",
        404,
        "The user with name bob cannot be found.",
    );
    // No policy: AWS's default policy applies.
    let weak = json!({"UserName": "alice", "Password": "password"});
    fails(
        &acct,
        "CreateLoginProfile",
        weak,
        "PasswordPolicyViolation",
        400,
        VIOLATION,
    );
    ok(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"MinimumPasswordLength": 12}),
    );
    let short = json!({"UserName": "alice", "Password": "Short-1"});
    fails(
        &acct,
        "CreateLoginProfile",
        short,
        "PasswordPolicyViolation",
        400,
        VIOLATION,
    );

    let secret = "first temporary secret";
    let created = ok(
        &acct,
        "CreateLoginProfile",
        json!({"UserName": "alice", "Password": secret, "PasswordResetRequired": true}),
    );
    assert_eq!(
        created,
        json!({"LoginProfile": {
            "UserName": "Alice", "CreateDate": acct.now(), "PasswordResetRequired": true
        }})
    );
    let dup = json!({"UserName": "ALICE", "Password": secret});
    let text = "Login Profile for user Alice already exists.";
    fails(
        &acct,
        "CreateLoginProfile",
        dup,
        "EntityAlreadyExists",
        409,
        text,
    );
    assert_eq!(
        ok(&acct, "GetLoginProfile", json!({"UserName": "alice"})),
        created
    );
    // Stored as an argon2id hash; the password is in neither the state nor the audit log.
    let state = acct.snapshot();
    let stored = state.login_profiles.get("alice").unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
    for event in acct.audit_events(50).unwrap() {
        assert!(!event.body.contains(secret), "{}", event.body);
        assert!(!event.body.contains("argon2"), "{}", event.body);
    }

    // Update: the flag alone, then a password that breaks the policy, then a good one.
    ok(
        &acct,
        "UpdateLoginProfile",
        json!({"UserName": "alice", "PasswordResetRequired": false}),
    );
    let got = ok(&acct, "GetLoginProfile", json!({"UserName": "alice"}));
    assert_eq!(got["LoginProfile"]["PasswordResetRequired"], false);
    let bad = json!({"UserName": "alice", "Password": "too short"});
    fails(
        &acct,
        "UpdateLoginProfile",
        bad,
        "PasswordPolicyViolation",
        400,
        VIOLATION,
    );
    ok(
        &acct,
        "UpdateLoginProfile",
        json!({"UserName": "alice", "Password": "second temporary secret", "PasswordResetRequired": true}),
    );
    let state = acct.snapshot();
    let updated = state.login_profiles.get("alice").unwrap();
    assert_ne!(updated.password_hash, stored.password_hash);
    assert_eq!(updated.history, vec![stored.password_hash.clone()]);
    assert!(updated.password_reset_required);
    let gone = json!({"UserName": "nobody", "PasswordResetRequired": true});
    let text = "The user with name nobody cannot be found.";
    fails(&acct, "UpdateLoginProfile", gone, "NoSuchEntity", 404, text);

    // Authorization is on the user's ARN.
    create_user(&acct, "eve", &[]);
    let eve = user(&acct, "eve", None);
    let e = iam(&acct, &eve, "GetLoginProfile", json!({"UserName": "alice"})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(
        e.message
            .contains("iam:GetLoginProfile on resource: arn:aws:iam::111122223333:user/Alice"),
        "{}",
        e.message
    );

    ok(&acct, "DeleteLoginProfile", json!({"UserName": "alice"}));
    fails(
        &acct,
        "GetLoginProfile",
        json!({"UserName": "alice"}),
        "NoSuchEntity",
        404,
        lost,
    );
    fails(
        &acct,
        "DeleteLoginProfile",
        json!({"UserName": "alice"}),
        "NoSuchEntity",
        404,
        lost,
    );
    // Root must name a user.
    let e = iam(&acct, &root(), "GetLoginProfile", json!({})).unwrap_err();
    assert_eq!(e.code, "ValidationError");
}

#[test]
fn change_password_as_the_user() {
    let (acct, _) = account();
    let self_service = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:ChangePassword",
        "Resource": "arn:aws:iam::*:user/${aws:username}"
    }]})
    .to_string();
    create_user(&acct, "alice", &[("self", &self_service)]);
    create_user(&acct, "bob", &[]);
    ok(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"MinimumPasswordLength": 8, "PasswordReusePrevention": 2}),
    );
    let first = "first password";
    ok(
        &acct,
        "CreateLoginProfile",
        json!({"UserName": "alice", "Password": first, "PasswordResetRequired": true}),
    );
    let alice = user(&acct, "alice", None);
    let change = |caller: &Caller, old: &str, new: &str| {
        iam(
            &acct,
            caller,
            "ChangePassword",
            json!({"OldPassword": old, "NewPassword": new}),
        )
    };

    // Root has no password to change here; bob may not change his; bob has no profile.
    let e = change(&root(), first, "whatever password").unwrap_err();
    assert_eq!((e.code, e.status), ("InvalidUserType", 400));
    let bob = user(&acct, "bob", None);
    let e = change(&bob, first, "whatever password").unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(
        e.message
            .contains("because no identity-based policy allows"),
        "{}",
        e.message
    );
    ok(
        &acct,
        "PutUserPolicy",
        json!({"UserName": "bob", "PolicyName": "self", "PolicyDocument": self_service}),
    );
    let e = change(&bob, first, "whatever password").unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            "NoSuchEntity",
            "Login Profile for User bob cannot be found."
        )
    );

    // Wrong old password; new password too short; new password = current (reuse).
    let e = change(&alice, "not my password", "second password").unwrap_err();
    assert_eq!(
        (e.code, e.status, e.message.as_str()),
        ("AccessDenied", 403, "The old password is incorrect.")
    );
    let e = change(&alice, first, "short").unwrap_err();
    assert_eq!(
        (e.code, e.status, e.message.as_str()),
        ("PasswordPolicyViolation", 400, VIOLATION)
    );
    let e = change(&alice, first, first).unwrap_err();
    assert_eq!(e.code, "PasswordPolicyViolation");

    // Success clears the reset flag and keeps the old hash.
    change(&alice, first, "second password").unwrap();
    let got = ok(&acct, "GetLoginProfile", json!({"UserName": "alice"}));
    assert_eq!(got["LoginProfile"]["PasswordResetRequired"], false);
    let state = acct.snapshot();
    let profile = state.login_profiles.get("alice").unwrap();
    assert_eq!(profile.history.len(), 1);
    assert_eq!(profile.password_last_changed, acct.now());
    // The previous password is within the last 2: refused. The old one no longer works.
    let e = change(&alice, "second password", first).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("PasswordPolicyViolation", VIOLATION)
    );
    let e = change(&alice, first, "third password").unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    // The audit log records the change without either password.
    let events = acct.audit_events(50).unwrap();
    let recorded = events
        .iter()
        .find(|e| e.event_name == "ChangePassword")
        .unwrap();
    assert!(!recorded.body.contains(first), "{}", recorded.body);
    assert!(
        !recorded.body.contains("second password"),
        "{}",
        recorded.body
    );
}

#[test]
fn hard_expiry_blocks_change_password() {
    let (acct, clock) = account();
    create_user(&acct, "carol", &[("cp", CHANGE_PASSWORD)]);
    ok(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"MaxPasswordAge": 1, "HardExpiry": true}),
    );
    ok(
        &acct,
        "CreateLoginProfile",
        json!({"UserName": "carol", "Password": "carol's secret"}),
    );
    clock.advance(std::time::Duration::from_secs(86_400));
    let carol = user(&acct, "carol", None);
    let e = iam(
        &acct,
        &carol,
        "ChangePassword",
        json!({"OldPassword": "carol's secret", "NewPassword": "another secret"}),
    )
    .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(e.message.contains("administrator"), "{}", e.message);
}

/// A console sign-in of `name` without MFA (`aws:MultiFactorAuthPresent` = false).
fn console(acct: &Account, name: &str) -> Caller {
    let mut caller = user(acct, name, None);
    caller.session = Some(SessionKind::Console);
    caller.mfa = Some(MfaInfo {
        present: false,
        authenticated_at: None,
    });
    caller
}

/// Seed 001 (with the change-password policy a console attaches) denies ChangePassword
/// without MFA, explicitly; seed 000 lists it among the actions allowed without MFA.
#[test]
fn seed001_locks_out_password_change_without_mfa() {
    let (acct, _) = account();
    create_user(
        &acct,
        "alice",
        &[("seed001", SEED001), ("cp", CHANGE_PASSWORD)],
    );
    // Seed 000 exceeds the inline size quota: attached as a managed policy.
    create_user(&acct, "carol", &[]);
    let seed000 = ok(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "seed000", "PolicyDocument": SEED000}),
    );
    ok(
        &acct,
        "AttachUserPolicy",
        json!({"UserName": "carol", "PolicyArn": seed000["Policy"]["Arn"]}),
    );
    let input = json!({"OldPassword": "Temporary-secret-1", "NewPassword": "A-new-secret-2"});
    // Long-term access keys (the MFA key absent), then a console sign-in without MFA.
    for alice in [user(&acct, "alice", None), console(&acct, "alice")] {
        let e = iam(&acct, &alice, "ChangePassword", input.clone()).unwrap_err();
        assert_eq!(e.code, "AccessDenied");
        assert!(
            e.message.starts_with(
                "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: \
                 iam:ChangePassword on resource: arn:aws:iam::111122223333:user/alice with an \
                 explicit deny in an identity-based policy"
            ),
            "{}",
            e.message
        );
    }
    // With MFA the deny does not apply (authorization passes; no profile yet).
    let with_mfa = user(
        &acct,
        "alice",
        Some(MfaInfo {
            present: true,
            authenticated_at: Some(acct.now()),
        }),
    );
    let e = iam(&acct, &with_mfa, "ChangePassword", input.clone()).unwrap_err();
    assert_eq!(e.code, "NoSuchEntity");

    ok(
        &acct,
        "CreateLoginProfile",
        json!({"UserName": "carol", "Password": "Temporary-secret-1", "PasswordResetRequired": true}),
    );
    let carol = console(&acct, "carol");
    iam(&acct, &carol, "ChangePassword", input).unwrap();
    let got = ok(&acct, "GetLoginProfile", json!({"UserName": "carol"}));
    assert_eq!(got["LoginProfile"]["PasswordResetRequired"], false);
}

/// AllowUsersToChangePassword lets every user change its own password (and read the password
/// policy) without a policy, and nothing more; an explicit deny still wins.
#[test]
fn allow_users_to_change_password_grants_change_password_to_every_user() {
    let (acct, _) = account();
    let deny = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": "iam:ChangePassword", "Resource": "*"
    }]})
    .to_string();
    create_user(&acct, "bob", &[]);
    create_user(&acct, "carol", &[("deny", &deny)]);
    for name in ["bob", "carol"] {
        ok(
            &acct,
            "CreateLoginProfile",
            json!({"UserName": name, "Password": "First-Passw0rd"}),
        );
    }
    let bob = user(&acct, "bob", None);
    let carol = user(&acct, "carol", None);
    let change = |caller: &Caller, input: Value| iam(&acct, caller, "ChangePassword", input);
    let own = json!({"OldPassword": "First-Passw0rd", "NewPassword": "Second-Passw0rd"});

    let e = change(&bob, own.clone()).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    let e = iam(&acct, &bob, "GetAccountPasswordPolicy", json!({})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");

    ok(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"AllowUsersToChangePassword": true}),
    );
    change(&bob, own.clone()).unwrap();
    let got = iam(&acct, &bob, "GetAccountPasswordPolicy", json!({})).unwrap();
    assert_eq!(got["PasswordPolicy"]["AllowUsersToChangePassword"], true);
    // Only that: bob still may not read other users or his own user.
    let e = iam(&acct, &bob, "GetUser", json!({"UserName": "bob"})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    // An explicit deny wins over the account-level grant.
    let e = change(&carol, own.clone()).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(e.message.contains("explicit deny"), "{}", e.message);

    ok(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"AllowUsersToChangePassword": false}),
    );
    let again = json!({"OldPassword": "Second-Passw0rd", "NewPassword": "Third-Passw0rd"});
    assert_eq!(change(&bob, again).unwrap_err().code, "AccessDenied");
}

#[test]
fn wrong_old_passwords_are_throttled_per_user() {
    // Security review, finding 8: ChangePassword guesses were not throttled.
    let (acct, clock) = account();
    create_user(&acct, "alice", &[]);
    ok(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"AllowUsersToChangePassword": true}),
    );
    let right = "Right password 1";
    ok(
        &acct,
        "CreateLoginProfile",
        json!({"UserName": "alice", "Password": right}),
    );
    let alice = user(&acct, "alice", None);
    let change = |old: &str| {
        iam(
            &acct,
            &alice,
            "ChangePassword",
            json!({"OldPassword": old, "NewPassword": "New password 22"}),
        )
    };
    for _ in 0..4 {
        let e = change("guess").unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("AccessDenied", "The old password is incorrect.")
        );
    }
    let e = change("guess").unwrap_err();
    assert_eq!((e.code, e.status), ("LimitExceeded", 409), "{}", e.message);
    let e = change(right).unwrap_err();
    assert_eq!(
        e.message,
        "Too many wrong passwords for user alice: no password is checked for 60 more seconds."
    );
    clock.advance(std::time::Duration::from_secs(61));
    change(right).unwrap();
}
