//! Errors that stop a file or an export directory from being read at all.

use std::io;
use std::path::PathBuf;

/// Why an export directory or a file in it could not be read. Problems inside a file are
/// not errors: they are [`RecordProblem`](super::RecordProblem)s in the [`ReadStats`](super::ReadStats).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The export directory does not exist.
    #[error("export directory {} does not exist", path.display())]
    DirNotFound {
        /// The directory asked for.
        path: PathBuf,
    },
    /// The path exists but is not a directory.
    #[error("{} is not a directory", path.display())]
    NotADirectory {
        /// The path asked for.
        path: PathBuf,
    },
    /// The export directory holds neither sign-ins nor activity-log events.
    #[error("export directory {} has neither signIns.json nor activityLog.json", path.display())]
    NothingToScan {
        /// The directory asked for.
        path: PathBuf,
    },
    /// A file or directory could not be opened or inspected.
    #[error("cannot open {}: {source}", path.display())]
    Open {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}
