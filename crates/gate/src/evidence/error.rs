//! Why the evidence log refused: the one error type of the writer
//! ([`super::log`]) and of opening a log again (`recover`).

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

/// Why an entry was not appended, or the log not opened.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EvidenceError {
    /// An I/O operation failed while opening the log.
    #[error("evidence log {}: {op} failed: {source}", path.display())]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: Arc<io::Error>,
    },
    /// Writing a batch failed: this entry is not recorded, and the log now
    /// refuses every append.
    #[error(
        "evidence log {}: {op} failed: {source}; the entry was not recorded and the log refuses further appends",
        path.display()
    )]
    Write {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: Arc<io::Error>,
    },
    /// The log failed earlier and refuses appends until it is reopened.
    #[error(
        "evidence log {} is unhealthy since an earlier failure ({cause}); it refuses every append until reopened",
        dir.display()
    )]
    Unhealthy { dir: PathBuf, cause: String },
    /// The log on disk is damaged where it must be continued.
    #[error("evidence log {}: {detail}", path.display())]
    Corrupt { path: PathBuf, detail: String },
    /// Another process (or another `EvidenceLog`) writes this directory.
    #[error(
        "evidence log {}: locked by another writer (one process writes a log directory at a time)",
        path.display()
    )]
    Locked { path: PathBuf },
    /// The entry cannot be recorded as it is (it would not read back).
    #[error("evidence entry refused: {0}")]
    InvalidEntry(String),
    /// The shared store (PostgreSQL) failed or cannot be reached; the entry
    /// is not recorded. Unlike the local log, the store recovers by itself
    /// when the database answers again.
    #[error("evidence store: {0}")]
    Database(String),
    /// The writer has stopped (the log was closed, or its thread died).
    #[error("evidence log {}: the writer has stopped", dir.display())]
    Closed { dir: PathBuf },
}
