//! Fresh databases for tests on PostgreSQL: the server named by `IAMD_TEST_POSTGRES_URL`
//! (`scripts/test` starts one and sets it). Without it the tests fail, saying so: a test
//! that cannot run must not pass.

use tokio_postgres::Config;

use super::runtime::Runtime;
use crate::StoreError;

pub const VARIABLE: &str = "IAMD_TEST_POSTGRES_URL";

/// The URL of a new, empty database `NAME` on the test server (an old one of that name is
/// dropped first). Panics, naming the variable, when `IAMD_TEST_POSTGRES_URL` is not set.
#[allow(clippy::panic)]
pub fn fresh(name: &str) -> String {
    let Ok(base) = std::env::var(VARIABLE) else {
        panic!(
            "{VARIABLE} is not set: the PostgreSQL tests need a server (scripts/test starts one; \
             or set {VARIABLE}=postgres://postgres@127.0.0.1:5432/iamd_test)"
        );
    };
    match create(&base, name) {
        Ok(url) => url,
        Err(e) => panic!("cannot create test database {name} on {VARIABLE}: {e}"),
    }
}

fn create(base: &str, name: &str) -> Result<String, StoreError> {
    let (config, tls) = super::parse_url(base)?;
    let database = format!("{}_{name}", config.get_dbname().unwrap_or("iamd_test"));
    let url = {
        let mut config = config.clone();
        config.dbname(&database);
        to_url(&config)
    };
    let runtime = Runtime::start()?;
    // CREATE DATABASE waits for a checkpoint: with many test databases written at once on a
    // busy machine that took over the store's 10 s (a failed run, 2026-12-07).
    runtime.run_within(std::time::Duration::from_secs(120), async move {
        let client = super::pool::connect(&config, &tls).await?;
        // Two statements: neither may run inside a (multi-statement) transaction.
        client
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
            ))
            .await
            .map_err(super::fail)?;
        client
            .batch_execute(&format!("CREATE DATABASE \"{database}\""))
            .await
            .map_err(super::fail)
    })?;
    Ok(url)
}

/// The URL of a TCP configuration (what the tests use), with its password if it has one.
fn to_url(config: &Config) -> String {
    let mut user = config.get_user().unwrap_or("postgres").to_string();
    if let Some(password) = config.get_password() {
        user.push(':');
        for &byte in password {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                user.push(char::from(byte));
            } else {
                user.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    format!(
        "postgres://{user}@{}/{}",
        super::pool::describe(config)
            .rsplit_once('/')
            .map_or("", |(h, _)| h),
        config.get_dbname().unwrap_or("postgres")
    )
}
