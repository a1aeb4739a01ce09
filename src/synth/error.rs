//! Why a synthetic tenant could not be generated.

use std::path::PathBuf;

/// A generation failure.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The options cannot make a tenant (too few users, no days, …).
    #[error("invalid synth options: {0}")]
    InvalidOptions(String),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A record could not be serialised (or `expected.json` could not be read back).
    #[error("JSON error in {path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The serde error.
        source: serde_json::Error,
    },
}
