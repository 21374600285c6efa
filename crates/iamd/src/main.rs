//! `iamd`: the server and its offline tools. This file only parses the command line and
//! hands over to the module of each command.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod cli;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A self-hosted AWS IAM and STS service.
#[derive(Debug, Parser)]
#[command(name = "iamd", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the IAM and STS API server (embedded SQLite in the data directory).
    Serve(cli::serve::ServeArgs),
    /// Offline policy tools: validate, simulate and lint IAM policy documents; walk the onboarding journey.
    #[command(subcommand)]
    Policy(cli::policy::PolicyCommand),
    /// MFA on a running iamd: import hardware TOTP tokens; MFA session credentials for the CLI.
    #[command(subcommand)]
    Mfa(cli::mfa::MfaCommand),
    /// Audits of a running iamd: MFA coverage and unused credentials, the event history.
    #[command(subcommand)]
    Audit(cli::audit::AuditCommand),
    /// Copy the database while the server runs (consistent; without the sealing key).
    Backup(cli::backup::BackupArgs),
    /// Restore a backup into a new data directory, after checking it.
    Restore(cli::backup::RestoreArgs),
    /// Database tools: copy an account into a new database (SQLite to PostgreSQL).
    #[command(subcommand)]
    Store(cli::store::StoreCommand),
}

fn main() -> ExitCode {
    // The matches too: `serve` tells flags and environment variables from defaults.
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match cli.command {
        Command::Serve(args) => {
            let serve = matches.subcommand_matches("serve").unwrap_or(&matches);
            cli::serve::run(args, serve)
        }
        Command::Policy(command) => cli::policy::run(command),
        Command::Mfa(command) => cli::mfa::run(command),
        Command::Audit(command) => cli::audit::run(command),
        Command::Backup(args) => cli::backup::backup(args),
        Command::Restore(args) => cli::backup::restore(args),
        Command::Store(command) => cli::store::run(command),
    }
}
