//! The AWS CLI as a process, signing with any credentials, against a test server.
//!
//! The CLI is `$IAMD_TEST_AWS_CLI`, else `aws` on PATH (`scripts/test` installs it). Without it
//! a test fails: it is never skipped.

use std::process::Command;

use serde_json::Value;

use super::{Server, REGION, ROOT_KEY_ID, ROOT_SECRET};

/// One `aws` invocation's outcome.
pub struct Outcome {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn json(&self) -> Value {
        assert!(self.ok, "aws failed: {}", self.stderr);
        if self.stdout.trim().is_empty() {
            return Value::Null;
        }
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("aws printed no JSON ({e}): {}", self.stdout))
    }

    pub fn denied(&self, operation: &str, message: &str) {
        assert!(!self.ok, "aws {operation} should fail: {}", self.stdout);
        let expected = format!(
            "An error occurred (AccessDenied) when calling the {operation} operation: {message}"
        );
        assert!(
            self.stderr.contains(&expected),
            "stderr:\n{}\nlacks:\n{expected}",
            self.stderr
        );
    }
}

pub struct Cli<'a> {
    program: String,
    server: &'a Server,
    home: tempfile::TempDir,
}

impl<'a> Cli<'a> {
    pub fn new(server: &'a Server) -> Self {
        let program = std::env::var("IAMD_TEST_AWS_CLI").unwrap_or_else(|_| "aws".into());
        let version = Command::new(&program).arg("--version").output();
        match version {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "`{program} --version` failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => panic!(
                "the AWS CLI `{program}` cannot run ({e}): run scripts/test, which installs it, \
                 or set IAMD_TEST_AWS_CLI"
            ),
        }
        Cli {
            program,
            server,
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// A private directory for files the CLI writes (`--outfile`).
    pub fn dir(&self) -> &std::path::Path {
        self.home.path()
    }

    /// Runs `aws ARGS --endpoint-url ... --output json` signing with `key_id`/`secret`.
    pub fn run(&self, key_id: &str, secret: &str, args: &[&str]) -> Outcome {
        self.run_with_token(key_id, secret, None, args)
    }

    /// As [`run`](Self::run), with temporary credentials' session token.
    pub fn run_with_token(
        &self,
        key_id: &str,
        secret: &str,
        token: Option<&str>,
        args: &[&str],
    ) -> Outcome {
        let mut command = Command::new(&self.program);
        if let Some(token) = token {
            command.env("AWS_SESSION_TOKEN", token);
        } else {
            command.env_remove("AWS_SESSION_TOKEN");
        }
        let out = command
            .args(args)
            .args(["--endpoint-url", &self.server.endpoint, "--output", "json"])
            .env("AWS_ACCESS_KEY_ID", key_id)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_DEFAULT_REGION", REGION)
            .env("AWS_CONFIG_FILE", self.home.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home.path().join("credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_PAGER", "")
            .env("AWS_MAX_ATTEMPTS", "1")
            .env("HOME", self.home.path())
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_REGION")
            .output()
            .unwrap();
        Outcome {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn root(&self, args: &[&str]) -> Value {
        self.run(ROOT_KEY_ID, ROOT_SECRET, args).json()
    }
}
