//! The commands of the `iamd` binary and what they share.
//!
//! Exit codes everywhere: 0 success (allowed, valid), 1 a negative answer (denied, invalid),
//! 2 usage errors and anything that kept the command from answering (unreadable files, ...).

pub mod audit;
mod aws_files;
pub mod backup;
mod lint;
pub mod mfa;
mod mfa_session;
pub mod policy;
pub mod serve;
mod signed_http;
mod simulate;
pub mod store;

use std::io::Write;
use std::process::ExitCode;

/// The command answered yes (valid, allowed).
pub const OK: u8 = 0;
/// The command answered no (invalid, denied).
pub const NO: u8 = 1;
/// Usage errors and failures: the command could not answer.
pub const ERROR: u8 = 2;

/// Prints to standard output; a closed pipe is not worth a panic.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Prints `iamd: <message>` to standard error.
pub fn fail(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "iamd: {message}");
}

/// Turns one of the codes above into the process's exit code.
pub fn exit(code: u8) -> ExitCode {
    ExitCode::from(code)
}
