//! iamd on PostgreSQL (`iamd serve --database postgres://...`), through the AWS SDK: the
//! account outlives its server, and several servers on one database serve one account.
//! Each test works in a database of its own on the server `IAMD_TEST_POSTGRES_URL` names
//! (scripts/test prepares it); without it these tests fail, saying so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use support::nodes::{node, nodes, within};
use support::{code_message, fresh_step, mfa_seed, totp_code, Server};

#[tokio::test]
async fn the_account_outlives_its_server() {
    let url = iamd_store::postgres::test_database::fresh("e2e_restart");
    let first = node(&url, &[]);
    let (key_id, secret) = first.user_with_key("alice").await;
    first
        .iam()
        .create_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    first.kill();

    let second = node(&url, &[]);
    let user = second
        .iam()
        .get_user()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user.unwrap().user_name, "alice");
    second
        .iam()
        .get_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    // The key (its secret sealed in the database) still signs requests.
    let me = second
        .sts_as(&key_id, &secret)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(me.arn.unwrap().ends_with(":user/alice"));
}

#[tokio::test]
async fn three_nodes_serve_one_account() {
    let url = iamd_store::postgres::test_database::fresh("e2e_nodes");
    let all = nodes(&url, 3);
    let (a, b) = (&all[0], &all[1]);

    // A key created on A signs requests on B within a second.
    let (key_id, secret) = a.user_with_key("alice").await;
    let on_b = b.sts_as(&key_id, &secret);
    within(Duration::from_secs(1), || async {
        on_b.get_caller_identity().send().await.is_ok()
    })
    .await;

    // Deactivated on A: refused on B within a second.
    a.iam()
        .update_access_key()
        .user_name("alice")
        .access_key_id(&key_id)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    within(Duration::from_secs(1), || async {
        match on_b.get_caller_identity().send().await {
            Ok(_) => false,
            Err(e) => code_message(e).0 == "InvalidClientTokenId",
        }
    })
    .await;

    // The same user name created on all three at once: exactly one succeeds, the others get
    // AWS's error (their writes, built on a snapshot without the user, run again after
    // catching up).
    for round in 0..5 {
        let name = format!("bob{round}");
        let clients: Vec<_> = all.iter().map(Server::iam).collect();
        let (first, second, third) = tokio::join!(
            clients[0].create_user().user_name(&name).send(),
            clients[1].create_user().user_name(&name).send(),
            clients[2].create_user().user_name(&name).send()
        );
        let errors: Vec<_> = [first.err(), second.err(), third.err()]
            .into_iter()
            .flatten()
            .map(|e| code_message(e).0)
            .collect();
        assert_eq!(
            errors,
            ["EntityAlreadyExists", "EntityAlreadyExists"],
            "round {round}"
        );
    }
    let users = all[2].iam().list_users().send().await.unwrap().users;
    assert_eq!(users.len(), 6, "alice and bob0..bob4 on the third node");

    // A key's last use on A (flushed every 5 s) is what B answers too.
    let (used_id, used_secret) = a.user_with_key("erin").await;
    a.sts_as(&used_id, &used_secret)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    within(Duration::from_secs(10), || async {
        // Until B has followed A's commits the key is unknown there.
        let Ok(answer) = b
            .iam()
            .get_access_key_last_used()
            .access_key_id(&used_id)
            .send()
            .await
        else {
            return false;
        };
        answer
            .access_key_last_used
            .is_some_and(|l| l.last_used_date.is_some() && l.service_name == "sts")
    })
    .await;
}

/// A user with an access key and an enabled virtual MFA device (enabled with the codes of
/// the two steps before `step`, so the code of `step` is the first one left).
struct MfaUser {
    key_id: String,
    secret: String,
    seed: Vec<u8>,
    serial: String,
    step: u64,
}

async fn user_with_mfa(server: &Server, name: &str) -> MfaUser {
    let (key_id, secret) = server.user_with_key(name).await;
    let device = server
        .iam()
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(name)
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    let seed = mfa_seed(&device);
    let step = fresh_step().await;
    server
        .iam()
        .enable_mfa_device()
        .user_name(name)
        .serial_number(&device.serial_number)
        .authentication_code1(totp_code(&seed, step - 2))
        .authentication_code2(totp_code(&seed, step - 1))
        .send()
        .await
        .unwrap();
    MfaUser {
        key_id,
        secret,
        seed,
        serial: device.serial_number,
        step,
    }
}

/// GetSessionToken on `server` with `user`'s key and the MFA code `code`; the error code
/// when refused.
async fn session_with_code(server: &Server, user: &MfaUser, code: &str) -> Result<(), String> {
    server
        .sts_as(&user.key_id, &user.secret)
        .get_session_token()
        .serial_number(&user.serial)
        .token_code(code)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code_message(e).0)
}

#[tokio::test]
async fn an_mfa_code_used_on_one_node_is_refused_on_another() {
    let url = iamd_store::postgres::test_database::fresh("e2e_mfa");
    let a = node(&url, &[]);
    let b = node(&url, &[]);
    let carol = user_with_mfa(&a, "carol").await;
    let code = totp_code(&carol.seed, carol.step);
    session_with_code(&a, &carol, &code).await.unwrap();
    // At once on B, whether or not B has seen A's use yet.
    let replay = session_with_code(&b, &carol, &code).await;
    assert_eq!(replay, Err("AccessDenied".into()));

    // The next code sent to both at once: exactly one accepts it, whichever snapshot each
    // node had (the replay record is committed before a code is accepted).
    let code = totp_code(&carol.seed, carol.step + 1);
    let (first, second) = tokio::join!(
        session_with_code(&a, &carol, &code),
        session_with_code(&b, &carol, &code)
    );
    let errors: Vec<_> = [first.err(), second.err()].into_iter().flatten().collect();
    assert_eq!(errors, ["AccessDenied"]);
}

#[tokio::test]
async fn mfa_failures_are_counted_across_nodes() {
    let url = iamd_store::postgres::test_database::fresh("e2e_mfa_throttle");
    let a = node(&url, &[]);
    let b = node(&url, &[]);
    let dave = user_with_mfa(&a, "dave").await;
    let valid: Vec<String> = (dave.step - 1..=dave.step + 1)
        .map(|s| totp_code(&dave.seed, s))
        .collect();
    let wrong = ["000000", "111111", "222222"]
        .into_iter()
        .find(|c| !valid.iter().any(|v| v == c))
        .unwrap();
    // Five wrong codes in a row, spread over both nodes (three on A, two on B)...
    for attempt in 0..5 {
        let server = if attempt % 2 == 0 { &a } else { &b };
        let refused = session_with_code(server, &dave, wrong).await;
        assert_eq!(refused, Err("AccessDenied".into()));
    }
    // ...lock the device on both: even the right code is refused on B, which saw only two.
    let locked = session_with_code(&b, &dave, &totp_code(&dave.seed, dave.step)).await;
    assert_eq!(locked, Err("AccessDenied".into()));
}

/// A TCP proxy to PostgreSQL (127.0.0.1:5432) on a port of its own: cutting it is the
/// database going away for the nodes behind it (PostgreSQL itself is shared by other tests).
struct Proxy {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    streams: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl Proxy {
    fn start(port: u16) -> Proxy {
        use std::net::{TcpListener, TcpStream};
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = Proxy {
            port,
            stop: Default::default(),
            streams: Default::default(),
        };
        let (stop, streams) = (proxy.stop.clone(), proxy.streams.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect("127.0.0.1:5432") else {
                    continue;
                };
                let mut kept = streams.lock().unwrap();
                kept.push(client.try_clone().unwrap());
                kept.push(server.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        proxy
    }

    /// Closes every connection and stops listening: connections are then refused.
    fn cut(self) -> u16 {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
        for stream in self.streams.lock().unwrap().drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        self.port
    }
}

#[tokio::test]
async fn without_the_database_reads_go_on_writes_fail_fast_then_authentication_stops() {
    let url = iamd_store::postgres::test_database::fresh("e2e_outage");
    let proxy = Proxy::start(0);
    let (user, database) = url
        .split_once("@127.0.0.1:5432/")
        .expect("the test server at 127.0.0.1:5432");
    let via_proxy = format!("{user}@127.0.0.1:{}/{database}", proxy.port);
    let cut_off = node(&via_proxy, &["--max-staleness", "3"]);
    let other = node(&url, &[]);
    let (key_id, secret) = cut_off.user_with_key("alice").await;

    let port = proxy.cut();
    // Reads are served from the snapshot; the key still signs.
    cut_off
        .iam()
        .get_user()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    cut_off
        .sts_as(&key_id, &secret)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    // A write fails with ServiceFailure instead of hanging.
    let write = cut_off.iam().create_user().user_name("bob").send();
    let err = tokio::time::timeout(Duration::from_secs(20), write)
        .await
        .expect("a write fails within 20 s")
        .expect_err("no database");
    assert_eq!(code_message(err).0, "ServiceFailure");
    // Meanwhile another node writes.
    other
        .iam()
        .create_user()
        .user_name("carol")
        .send()
        .await
        .unwrap();
    // Past --max-staleness without the database, the node refuses authentications: the key
    // may have been revoked on another node meanwhile.
    let signer = cut_off.sts_as(&key_id, &secret);
    within(Duration::from_secs(10), || async {
        match signer.get_caller_identity().send().await {
            Ok(_) => false,
            Err(e) => code_message(e).0 == "ServiceFailure",
        }
    })
    .await;

    // The database comes back: writes work again and the node catches up by itself.
    let _proxy = Proxy::start(port);
    within(Duration::from_secs(10), || async {
        cut_off
            .iam()
            .create_user()
            .user_name("bob")
            .send()
            .await
            .is_ok()
    })
    .await;
    within(Duration::from_secs(5), || async {
        cut_off
            .iam()
            .get_user()
            .user_name("carol")
            .send()
            .await
            .is_ok()
    })
    .await;
    signer.get_caller_identity().send().await.unwrap();
}

#[tokio::test]
async fn a_node_killed_under_write_load_loses_no_acknowledged_write() {
    let url = iamd_store::postgres::test_database::fresh("e2e_kill");
    let mut all = nodes(&url, 2);
    let (a, b) = (all.remove(0), all.remove(0));
    // Four writers at once (their writes share commits), until the node is gone; killed once
    // 20 writes were acknowledged (whatever the machine's speed).
    let counted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let iam = a.iam();
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                for i in 0.. {
                    let name = format!("w{w}-{i}");
                    if iam.create_user().user_name(&name).send().await.is_err() {
                        break;
                    }
                    acknowledged.push(name);
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                acknowledged
            })
        })
        .collect();
    within(Duration::from_secs(30), || async {
        counted.load(std::sync::atomic::Ordering::SeqCst) >= 20
    })
    .await;
    a.kill();
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    assert!(
        !acknowledged.is_empty(),
        "writes were acknowledged before the kill"
    );
    // Every acknowledged user is on the other node, which keeps serving, writes included.
    within(Duration::from_secs(2), || async {
        let listed = b.iam().list_users().max_items(1000).send().await.unwrap();
        acknowledged
            .iter()
            .all(|name| listed.users.iter().any(|u| &u.user_name == name))
    })
    .await;
    b.iam()
        .create_user()
        .user_name("after")
        .send()
        .await
        .unwrap();
}
