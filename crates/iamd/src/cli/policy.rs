//! `iamd policy validate`, `simulate`, `lint` and `journey`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use iamd_policy::{NamedPolicy, Policy, PolicyError, PolicyKind};

pub use super::lint::{JourneyArgs, LintArgs};
pub use super::simulate::SimulateArgs;
use super::{exit, fail, out, ERROR, NO, OK};

/// `iamd policy ...`
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Checks policy documents as AWS would (MalformedPolicyDocument with AWS's messages).
    ///
    /// Prints `FILE: ok` or `FILE: MalformedPolicyDocument: <message> (at <place>: <detail>)`
    /// for each file. Exit status: 0 all valid, 1 some invalid, 2 usage error or unreadable file.
    Validate(ValidateArgs),
    /// Decides one request against policies and explains the decision.
    ///
    /// Exit status: 0 allowed, 1 denied (explicitly or implicitly), 2 errors (unreadable file,
    /// invalid policy, bad ARN or context).
    Simulate(SimulateArgs),
    /// Judges a policy set by evaluating it: AWS validation, and the MFA rollout pitfalls
    /// (lockouts, device swap, keys slipping past a `Bool` deny, ...) found by deciding the
    /// onboarding journey's requests with and without MFA.
    ///
    /// Exit status: 0 clean, 1 a finding at or above --fail-on, 2 usage error or unusable
    /// input (unreadable file, not JSON, Terraform).
    Lint(LintArgs),
    /// Walks the onboarding journey (console J1, or CLI J2 with --cli) for a user with these
    /// policies: each step's decision and deciding statement, where the user gets stuck, and
    /// what a password alone could do.
    ///
    /// Exit status: 0 the user gets through, 1 stuck, 2 usage error or unusable input.
    Journey(JourneyArgs),
}

/// Which rules a document is validated under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Identity-based policies, permissions boundaries, session policies: no `Principal`.
    Identity,
    /// Resource-based and role trust policies: `Principal` or `NotPrincipal` required.
    Resource,
}

/// Arguments of `iamd policy validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The policy documents (JSON).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Validate as identity-based or as resource-based (trust) policies.
    #[arg(long, value_enum, default_value_t = Kind::Identity)]
    kind: Kind,
    /// Same as `--kind resource`.
    #[arg(long, conflicts_with = "kind")]
    resource_policy: bool,
}

/// Runs a `policy` command and returns the process's exit code.
pub fn run(command: PolicyCommand) -> ExitCode {
    exit(match command {
        PolicyCommand::Validate(args) => validate(&args),
        PolicyCommand::Simulate(args) => super::simulate::run(&args),
        PolicyCommand::Lint(args) => super::lint::run_lint(&args),
        PolicyCommand::Journey(args) => super::lint::run_journey(&args),
    })
}

fn validate(args: &ValidateArgs) -> u8 {
    let kind = if args.resource_policy {
        PolicyKind::Resource
    } else {
        match args.kind {
            Kind::Identity => PolicyKind::Identity,
            Kind::Resource => PolicyKind::Resource,
        }
    };
    let mut code = OK;
    for file in &args.files {
        let result = match load(file, kind) {
            Ok(_) => {
                out(&format!("{}: ok\n", file.display()));
                OK
            }
            Err(Failure::Invalid(error)) => {
                out(&format!("{}: {error}\n", file.display()));
                NO
            }
            Err(Failure::Unreadable(message)) => {
                fail(&message);
                ERROR
            }
        };
        code = code.max(result);
    }
    code
}

/// Why a policy file could not be used.
#[derive(Debug)]
pub enum Failure {
    /// The file could not be read (message ready for the user).
    Unreadable(String),
    /// The document is not a valid policy.
    Invalid(PolicyError),
}

/// Reads and parses a policy file.
pub fn load(path: &Path, kind: PolicyKind) -> Result<Policy, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Unreadable(format!("cannot read {}: {e}", path.display())))?;
    Policy::parse(&text, kind).map_err(Failure::Invalid)
}

/// Reads a policy file for `simulate`, named after the file (without `.json`). Prints what
/// went wrong and returns `None` on failure.
pub fn load_named(path: &Path, kind: PolicyKind) -> Option<NamedPolicy> {
    match load(path, kind) {
        Ok(policy) => {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            Some(NamedPolicy { name, policy })
        }
        Err(Failure::Unreadable(message)) => {
            fail(&message);
            None
        }
        Err(Failure::Invalid(error)) => {
            fail(&format!("{}: {error}", path.display()));
            None
        }
    }
}
