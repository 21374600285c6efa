//! The scale benchmark's fixture (`bench/scale.sh`): an account of a given number of users,
//! written directly through the store in large transactions (minutes for 100,000 users, not
//! the hours of one API call per entity), into a fresh data directory that `iamd serve` then
//! opens.
//!
//!     scale_fixture DATA_DIR USERS
//!
//! For U users: each user in 1–3 of U/200 groups (at least 5), with 1–2 access keys, every
//! second one with a login profile and a virtual MFA device; U/10 customer managed policies (at
//! least 20) of 5–30 statements with conditions and policy variables; U/50 roles (at least
//! 10); 10·U audit records. So 100,000 users come with 500 groups, 10,000 policies, 2,000 roles
//! and 1,000,000 audit records. Plus the probe user `scale-probe`: in 3 groups, 10 attached
//! policies (one of them allows IAM reads), with the access key printed on stdout
//! (`PROBE_KEY_ID=...`, `PROBE_SECRET=...`) for the authorized call. Root's key comes from
//! `IAMD_ROOT_ACCESS_KEY_ID` / `IAMD_ROOT_SECRET_ACCESS_KEY` as for `iamd serve`.

use std::sync::Arc;
use std::time::Instant;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use iamd_core::crypto::{access_key_id, unique_id, AccessKeyKind, UniqueIdKind};
use iamd_core::entities::{groups, mfa_devices, policies, roles, users, Kind};
use iamd_core::model::{
    AccessKey, Document, Group, KeyStatus, LoginProfile, ManagedPolicy, MfaDevice, MfaKind,
    PolicyVersion, Role, User,
};
use iamd_core::{Account, AuditRecord, IamError, Txn};
use iamd_policy::PolicyKind;

const PROBE_USER: &str = "scale-probe";
const PROBE_KEY_ID: &str = "AKIASCALEPROBEKEY234";
const PROBE_SECRET: &str = "scaleProbeSecret/0123456789abcdefghijklmn";
/// Entities (or audit records) per transaction.
const BATCH: usize = 5000;

type Fallible<T> = Result<T, String>;

fn main() -> Fallible<()> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(users)) = (args.next(), args.next()) else {
        return Err("usage: scale_fixture DATA_DIR USERS".into());
    };
    let users: usize = users.parse().map_err(|e| format!("USERS: {e}"))?;
    let mut config = iamd_server::Config::new(dir.into());
    config.root_access_key_id = std::env::var("IAMD_ROOT_ACCESS_KEY_ID").ok();
    config.root_secret_access_key = std::env::var("IAMD_ROOT_SECRET_ACCESS_KEY").ok();
    let clock = Arc::new(iamd_core::clock::SystemClock);
    let account = iamd_server::open_account(&config, clock)?;
    let sizes = Sizes::of(users);
    let mut f = Fixture {
        account: &account,
        acct: account.account_id(),
        rng: 0x9e37_79b9_7f4a_7c15,
        password_hash: iamd_core::crypto::hash_password("Scale-Fixture-Password-1")
            .map_err(|e| format!("{e:?}"))?,
    };
    let started = Instant::now();
    f.policies(sizes.policies)?;
    f.groups(&sizes)?;
    f.roles(&sizes)?;
    f.users(&sizes)?;
    f.probe(&sizes)?;
    f.audit(users, sizes.audit)?;
    eprintln!(
        "scale_fixture: {users} users, {} groups, {} policies, {} roles, {} audit records in {:.1} s",
        sizes.groups,
        sizes.policies,
        sizes.roles,
        sizes.audit,
        started.elapsed().as_secs_f64()
    );
    println!("PROBE_USER={PROBE_USER}\nPROBE_KEY_ID={PROBE_KEY_ID}\nPROBE_SECRET={PROBE_SECRET}");
    Ok(())
}

struct Sizes {
    users: usize,
    groups: usize,
    policies: usize,
    roles: usize,
    audit: usize,
}

impl Sizes {
    fn of(users: usize) -> Sizes {
        Sizes {
            users,
            groups: (users / 200).max(5),
            policies: (users / 10).max(20),
            roles: (users / 50).max(10),
            audit: users * 10,
        }
    }
}

struct Fixture<'a> {
    account: &'a Account,
    acct: String,
    rng: u64,
    password_hash: String,
}

fn ioerr(e: IamError) -> String {
    format!("{}: {}", e.code, e.message)
}

fn policy_name(i: usize) -> String {
    format!("policy-{i:05}")
}

fn group_name(i: usize) -> String {
    format!("group-{i:04}")
}

impl Fixture<'_> {
    /// xorshift64*: the same fixture on every run.
    fn next(&mut self, below: usize) -> usize {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % below.max(1)
    }

    /// Runs `each(txn, i)` for i in 0..n, `BATCH` to a transaction.
    fn batched(
        &mut self,
        n: usize,
        mut each: impl FnMut(&mut Self, &mut Txn, usize) -> Result<(), IamError>,
    ) -> Fallible<()> {
        let mut start = 0;
        while start < n {
            let end = (start + BATCH).min(n);
            let account = self.account;
            account
                .write(|txn| (start..end).try_for_each(|i| each(self, txn, i)))
                .map_err(ioerr)?;
            start = end;
        }
        Ok(())
    }

    fn arn(&self, kind: &str, name: &str) -> String {
        format!("arn:aws:iam::{}:{kind}/{name}", self.acct)
    }

    /// A document of 5–30 statements with conditions and policy variables.
    fn policy_text(&mut self) -> String {
        const SERVICES: [&str; 6] = ["s3", "ec2", "dynamodb", "sqs", "sns", "kms"];
        const VERBS: [&str; 6] = ["Get", "List", "Describe", "Put", "Delete", "Update"];
        let n = 5 + self.next(26);
        let mut statements = Vec::with_capacity(n);
        for s in 0..n {
            let service = SERVICES[self.next(SERVICES.len())];
            let verb = VERBS[self.next(VERBS.len())];
            let effect = if self.next(6) == 0 { "Deny" } else { "Allow" };
            let condition = match self.next(4) {
                0 => {
                    r#","Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}"#
                }
                1 => r#","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
                2 => r#","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
                _ => "",
            };
            // S3 ARNs have no region or account (AWS refuses them).
            let scope = if service == "s3" { ":" } else { "*:*" };
            statements.push(format!(
                r#"{{"Sid":"S{s}","Effect":"{effect}","Action":["{service}:{verb}*","{service}:Tag*"],"Resource":"arn:aws:{service}:{scope}:${{aws:username}}/*"{condition}}}"#
            ));
        }
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            statements.join(",")
        )
    }

    fn save_policy(&mut self, txn: &mut Txn, name: String, text: &str) -> Result<(), IamError> {
        let document = Document::compile(&name, text, PolicyKind::Identity)?;
        let policy = ManagedPolicy {
            arn: self.arn("policy", &name),
            name,
            id: unique_id(UniqueIdKind::Policy).map_err(|_| IamError::service_failure())?,
            path: "/".into(),
            description: None,
            create_date: txn.now,
            update_date: txn.now,
            default_version: "v1".into(),
            versions: vec![PolicyVersion {
                id: "v1".into(),
                document,
                create_date: txn.now,
            }],
            next_version: 2,
            tags: Vec::new(),
        };
        policies::save_policy(txn, policy)
    }

    fn policies(&mut self, n: usize) -> Fallible<()> {
        self.batched(n, |f, txn, i| {
            let text = f.policy_text();
            f.save_policy(txn, policy_name(i), &text)
        })?;
        let account = self.account;
        account
            .write(|txn| {
                let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}"#;
                self.save_policy(txn, "probe-iam-read".into(), allow)
            })
            .map_err(ioerr)
    }

    /// `k` distinct policy ARNs out of the first `of`.
    fn some_policies(&mut self, k: usize, of: usize) -> Vec<String> {
        let mut picked: Vec<String> = Vec::new();
        while picked.len() < k.min(of) {
            let i = self.next(of);
            let arn = self.arn("policy", &policy_name(i));
            if !picked.contains(&arn) {
                picked.push(arn);
            }
        }
        picked
    }

    fn groups(&mut self, sizes: &Sizes) -> Fallible<()> {
        self.batched(sizes.groups, |f, txn, i| {
            let name = group_name(i);
            let group = Group {
                arn: f.arn("group", &name),
                name,
                id: unique_id(UniqueIdKind::Group).map_err(|_| IamError::service_failure())?,
                path: "/".into(),
                create_date: txn.now,
                inline: Default::default(),
                attached: f.some_policies(2, sizes.policies),
            };
            groups::save_group(txn, group)
        })
    }

    fn roles(&mut self, sizes: &Sizes) -> Fallible<()> {
        self.batched(sizes.roles, |f, txn, i| {
            let name = format!("role-{i:05}");
            let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
            let extra = 1 + f.next(3);
            let role = Role {
                arn: f.arn("role", &name),
                assume_role_policy: Document::compile(&name, trust, PolicyKind::Resource)?,
                name,
                id: unique_id(UniqueIdKind::Role).map_err(|_| IamError::service_failure())?,
                path: "/".into(),
                create_date: txn.now,
                description: None,
                max_session_duration: 3600,
                tags: Vec::new(),
                inline: Default::default(),
                attached: f.some_policies(extra, sizes.policies),
                boundary: None,
                last_used: None,
                linked_service: None,
            };
            roles::save_role(txn, role)
        })
    }

    fn user(
        &mut self,
        txn: &mut Txn,
        name: String,
        groups: Vec<String>,
        attached: Vec<String>,
    ) -> Result<(), IamError> {
        let user = User {
            arn: self.arn("user", &name),
            name,
            id: unique_id(UniqueIdKind::User).map_err(|_| IamError::service_failure())?,
            path: "/".into(),
            create_date: txn.now,
            tags: Vec::new(),
            inline: Default::default(),
            attached,
            groups,
            boundary: None,
        };
        users::save_user(txn, user)
    }

    fn access_key(
        &self,
        txn: &mut Txn,
        user: &str,
        id: String,
        secret: &str,
    ) -> Result<(), IamError> {
        let fail = |_| IamError::service_failure();
        let sealed = self
            .account
            .sealing
            .seal(secret.as_bytes(), id.as_bytes())
            .map_err(fail)?;
        let key = AccessKey {
            id,
            user: Some(user.to_string()),
            status: KeyStatus::Active,
            create_date: txn.now,
            sealed_secret: B64.encode(sealed),
        };
        txn.put(Kind::AccessKey, &key.id, &key)?;
        txn.state.access_keys.insert(key.id.clone(), Arc::new(key));
        Ok(())
    }

    fn login_and_mfa(&self, txn: &mut Txn, user: &str) -> Result<(), IamError> {
        let fail = |_| IamError::service_failure();
        let profile = LoginProfile {
            user: user.to_string(),
            password_hash: self.password_hash.clone(),
            create_date: txn.now,
            password_reset_required: false,
            password_last_changed: txn.now,
            password_last_used: None,
            history: Vec::new(),
        };
        let key = user.to_lowercase();
        txn.put(Kind::LoginProfile, &key, &profile)?;
        txn.state.login_profiles.insert(key, Arc::new(profile));
        let serial = self.arn("mfa", user);
        let seed = iamd_core::crypto::generate_seed().map_err(|_| IamError::service_failure())?;
        let sealed = self
            .account
            .sealing
            .seal(&seed[..], serial.as_bytes())
            .map_err(fail)?;
        let device = MfaDevice {
            serial,
            name: user.to_string(),
            path: "/".into(),
            kind: MfaKind::Virtual,
            sealed_seed: B64.encode(sealed),
            user: Some(user.to_string()),
            enable_date: Some(txn.now),
            create_date: txn.now,
            last_used_step: None,
            throttle: Default::default(),
            pending_throttles: Default::default(),
            tags: Vec::new(),
            security_key: None,
        };
        mfa_devices::save_device(txn, device)
    }

    fn users(&mut self, sizes: &Sizes) -> Fallible<()> {
        self.batched(sizes.users, |f, txn, i| {
            let name = format!("user-{i:06}");
            let mut member_of: Vec<String> = Vec::new();
            for _ in 0..1 + f.next(3) {
                let g = group_name(f.next(sizes.groups));
                if !member_of.contains(&g) {
                    member_of.push(g);
                }
            }
            let count = f.next(3);
            let attached = f.some_policies(count, sizes.policies);
            f.user(txn, name.clone(), member_of, attached)?;
            for _ in 0..1 + f.next(2) {
                let id = access_key_id(AccessKeyKind::LongTerm)
                    .map_err(|_| IamError::service_failure())?;
                f.access_key(txn, &name, id, PROBE_SECRET)?;
            }
            if i % 2 == 0 {
                f.login_and_mfa(txn, &name)?;
            }
            Ok(())
        })
    }

    /// The user of the authorized call: 3 groups, 10 attached policies, a known key.
    fn probe(&mut self, sizes: &Sizes) -> Fallible<()> {
        self.batched(1, |f, txn, _| {
            let member_of = (0..3).map(group_name).collect();
            let mut attached = f.some_policies(9, sizes.policies);
            attached.push(f.arn("policy", "probe-iam-read"));
            f.user(txn, PROBE_USER.into(), member_of, attached)?;
            f.access_key(txn, PROBE_USER, PROBE_KEY_ID.into(), PROBE_SECRET)
        })
    }

    /// CloudTrail-shaped records of the users' calls over the last 80 days.
    fn audit(&mut self, users: usize, n: usize) -> Fallible<()> {
        const NAMES: [(&str, bool); 5] = [
            ("GetUser", true),
            ("ListGroupsForUser", true),
            ("CreateAccessKey", false),
            ("AttachUserPolicy", false),
            ("GetCallerIdentity", true),
        ];
        let acct = self.acct.clone();
        self.batched(n, |f, txn, i| {
            let user = format!("user-{:06}", f.next(users));
            let (event, read_only) = NAMES[f.next(NAMES.len())];
            let time = txn.now - f.next(80 * 86_400) as i64;
            let id = format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                i,
                f.next(65536),
                f.next(4096),
                f.next(4096),
                f.next(1 << 30)
            );
            let body = serde_json::json!({
                "eventVersion": "1.08",
                "userIdentity": {
                    "type": "IAMUser",
                    "arn": format!("arn:aws:iam::{acct}:user/{user}"),
                    "accountId": acct,
                    "accessKeyId": "AKIASCALEFIXTURE0000",
                    "userName": user,
                },
                "eventTime": iamd_time::format_iso8601(time),
                "eventSource": "iam.amazonaws.com",
                "eventName": event,
                "awsRegion": "us-east-1",
                "sourceIPAddress": "10.0.0.1",
                "userAgent": "scale-fixture",
                "requestParameters": {"userName": user},
                "responseElements": null,
                "requestID": id,
                "eventID": id,
                "readOnly": read_only,
                "eventType": "AwsApiCall",
                "managementEvent": true,
                "recipientAccountId": acct,
                "eventCategory": "Management",
            });
            txn.audit(AuditRecord {
                event_id: id,
                event_time: time,
                event_name: event.into(),
                event_source: "iam.amazonaws.com".into(),
                username: user,
                body: body.to_string(),
                // The store reads the lookup fields from the body.
                lookup: Default::default(),
            });
            Ok(())
        })
    }
}
