//! Storage backends behind `iamd_core::Store`. One conformance suite (`conformance`) runs
//! against every backend.

pub mod conformance;
mod sqlite;

pub use sqlite::SqliteStore;
