//! Timestamps as AWS writes them (the calendar is [`iamd_time`]'s).

/// `2026-11-23T08:44:41Z` for Unix seconds.
pub use iamd_time::format_iso8601 as iso8601;

/// Unix seconds for exactly `2015-02-06T18:39:46Z` (UTC, whole seconds only).
pub use iamd_time::parse_iso8601_exact as parse_iso8601;
