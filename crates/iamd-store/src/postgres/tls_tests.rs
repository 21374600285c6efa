//! TLS to a real server: a throwaway PostgreSQL cluster with `ssl=on` (initdb and pg_ctl of
//! the machine's PostgreSQL, run as the `postgres` user when the tests run as root, which
//! initdb refuses), its certificate signed by a test CA made with openssl.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

/// The newest PostgreSQL's programs (`/usr/lib/postgresql/N/bin`, Debian's layout).
fn bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL installed (/usr/lib/postgresql; scripts/test-postgres installs it)")
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("initdb under /usr/lib/postgresql/*/bin")
        .1
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `program` run as the cluster's owner.
fn as_owner(program: &Path) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// A CA (`ca.crt`, `ca.key`) in `dir`, named `name`.
fn make_ca(dir: &Path, name: &str) -> PathBuf {
    let cert = dir.join(format!("{name}.crt"));
    run(Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .arg("-keyout")
        .arg(dir.join(format!("{name}.key")))
        .arg("-out")
        .arg(&cert)
        .args(["-subj", &format!("/CN={name}")]));
    cert
}

/// A running cluster; stopped when dropped.
struct Cluster {
    _dir: tempfile::TempDir,
    data: PathBuf,
    port: u16,
    /// The CA that signed the server's certificate.
    ca: PathBuf,
    /// Another CA.
    other_ca: PathBuf,
}

impl Cluster {
    fn start() -> Cluster {
        let bin = bin_dir();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        run(Command::new("chmod").arg("777").arg(root));
        let ca = make_ca(root, "ca");
        let other_ca = make_ca(root, "other");
        // The server's certificate names only `localhost`.
        let (key, cert) = (root.join("server.key"), root.join("server.crt"));
        run(Command::new("openssl")
            .args([
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
            ])
            .arg("-nodes")
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(root.join("server.csr"))
            .args(["-subj", "/CN=localhost"]));
        std::fs::write(root.join("ext"), "subjectAltName=DNS:localhost\n").unwrap();
        run(Command::new("openssl")
            .args(["x509", "-req", "-days", "2", "-in"])
            .arg(root.join("server.csr"))
            .arg("-CA")
            .arg(&ca)
            .arg("-CAkey")
            .arg(root.join("ca.key"))
            .arg("-CAcreateserial")
            .arg("-out")
            .arg(&cert)
            .arg("-extfile")
            .arg(root.join("ext")));
        let data = root.join("data");
        run(as_owner(&bin.join("initdb"))
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(&data));
        for file in [&key, &cert] {
            let target = data.join(file.file_name().unwrap());
            std::fs::copy(file, &target).unwrap();
            run(Command::new("chmod").arg("600").arg(&target));
        }
        // The files in the data directory belong to its owner (the server insists).
        let owner = std::fs::metadata(data.join("PG_VERSION")).unwrap();
        use std::os::unix::fs::MetadataExt;
        run(Command::new("chown")
            .arg(format!("{}:{}", owner.uid(), owner.gid()))
            .arg(data.join("server.key"))
            .arg(data.join("server.crt")));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c ssl=on -c fsync=off",
            root.display()
        );
        run(as_owner(&bin.join("pg_ctl"))
            .args(["-w", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(root.join("log"))
            .args(["-o", &options, "start"]));
        Cluster {
            _dir: dir,
            data,
            port,
            ca,
            other_ca,
        }
    }

    fn url(&self, host: &str, query: &str) -> String {
        format!("postgres://postgres@{host}:{}/postgres?{query}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_owner(&bin_dir().join("pg_ctl"))
            .args(["-m", "immediate", "-D"])
            .arg(&self.data)
            .arg("stop")
            .output();
    }
}

/// Whether the store's connections are encrypted (the server's own view).
fn encrypted(store: &PostgresStore) -> bool {
    let rows = store
        .query(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            Vec::new(),
        )
        .unwrap();
    rows[0].get(0)
}

#[test]
fn tls_as_the_url_asks_against_a_real_server() {
    let cluster = Cluster::start();
    let ca = cluster.ca.display().to_string();

    // verify-full: the CA and the host name checked; the store works over it.
    let url = cluster.url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let store = PostgresStore::open(&url).unwrap();
    assert!(encrypted(&store));
    crate::conformance::run(&store);
    drop(store);

    // The certificate names localhost, not 127.0.0.1: verify-full refuses, verify-ca
    // (the chain only) accepts.
    let err = PostgresStore::open(&cluster.url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ))
    .err()
    .unwrap();
    assert!(err.0.contains("certificate not valid for name"), "{err}");
    let verify_ca = cluster.url("127.0.0.1", &format!("sslmode=verify-ca&sslrootcert={ca}"));
    assert!(encrypted(&PostgresStore::open(&verify_ca).unwrap()));

    // Another CA: refused, in one line naming the server and the reason.
    let other = cluster.other_ca.display();
    let err = PostgresStore::open(&cluster.url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={other}"),
    ))
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "store: postgres: cannot connect to localhost:{}/postgres: error performing TLS handshake: invalid peer certificate: UnknownIssuer",
            cluster.port
        )
    );

    // require: encrypted, the certificate not checked (libpq's behaviour); disable: plain.
    let require = PostgresStore::open(&cluster.url("127.0.0.1", "sslmode=require")).unwrap();
    assert!(encrypted(&require));
    let plain = PostgresStore::open(&cluster.url("127.0.0.1", "sslmode=disable")).unwrap();
    assert!(!encrypted(&plain));
}
