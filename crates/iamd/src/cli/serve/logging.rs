//! The log: `tracing` events on standard error, as text or JSON lines, filtered by level.
//!
//! Lines are handed to a writer thread that writes them to standard error in batches: a
//! request's thread neither makes a system call nor waits for stderr's lock for its log line
//! (one `write` and a contended lock per request otherwise, at `info`). The thread flushes
//! whenever no line is waiting, so lines still appear at once on an idle server; when lines
//! come faster than standard error takes them, loggers wait (nothing is dropped).

use clap::ValueEnum;
use serde::Deserialize;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// `TIME LEVEL TARGET: message key=value ...`
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `message` and the fields.
    Json,
}

/// As in the settings: `"text"`, `"json"`.
impl std::fmt::Debug for LogFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.name())
    }
}

impl LogFormat {
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }
}

/// Checks a filter (`info`, `warn,iamd::request=off`, ...).
pub fn parse_filter(filter: &str) -> Result<EnvFilter, String> {
    EnvFilter::try_new(filter).map_err(|e| format!("log level `{filter}`: {e}"))
}

/// Installs the subscriber for the process. Lines still waiting are written when the returned
/// guard is dropped: keep it until the process ends.
pub fn init(format: LogFormat, filter: &str) -> Result<LogGuard, String> {
    let filter = parse_filter(filter)?;
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(LINES_WAITING)
        .thread_name("iamd-log")
        .finish(std::io::BufWriter::with_capacity(
            BATCH_BYTES,
            std::io::stderr(),
        ));
    let builder = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_env_filter(filter);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
    installed.map_err(|e| format!("cannot start logging: {e}"))?;
    Ok(LogGuard(guard))
}

/// Flushes the lines still waiting when dropped (see [`init`]).
pub struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

/// Lines that may wait for the writer thread before loggers wait for it.
const LINES_WAITING: usize = 65_536;
/// The writer thread's buffer: lines are written in batches of up to this many bytes.
const BATCH_BYTES: usize = 64 << 10;
