//! One finding and its severity.

use serde::Serialize;

/// How serious a finding is, most serious first (`--fail-on` compares in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Security,
    Warning,
    Suggestion,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Security => "security",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }

    /// Parses `error`, `security`, `warning` or `suggestion`.
    pub fn parse(text: &str) -> Option<Severity> {
        [
            Severity::Error,
            Severity::Security,
            Severity::Warning,
            Severity::Suggestion,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Whether a finding of this severity is at or above `threshold`.
    pub fn reaches(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

/// A finding about a statement (or a whole document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub file: String,
    pub code: &'static str,
    pub severity: Severity,
    /// The statement's `Sid`, or `#N` (from 1) when it has none.
    pub statement: Option<String>,
    /// The line where the statement starts.
    pub line: Option<usize>,
    pub message: String,
    pub fix: String,
}
