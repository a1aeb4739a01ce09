//! Why the fake could not start or load a tenant.

use std::path::PathBuf;

/// An error starting the fake or loading its data.
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    /// The export directory could not be opened or read.
    #[error("cannot read the export directory: {0}")]
    Input(#[from] stepup::input::InputError),
    /// A file of the export had malformed records.
    #[error("{file}: {problems} malformed record(s), first: {first}")]
    Malformed {
        /// The file.
        file: PathBuf,
        /// How many records were malformed.
        problems: usize,
        /// The first problem, as text.
        first: String,
    },
    /// A record lacked a field the fake indexes on (a time stamp, a subscription id).
    #[error("{file}: record {index} has no usable {field}")]
    MissingField {
        /// The file.
        file: &'static str,
        /// The record's position in the file (0-based).
        index: usize,
        /// The field.
        field: &'static str,
    },
    /// Two tenants with the same id were given.
    #[error("tenant {0} was given twice")]
    DuplicateTenant(String),
    /// No tenant was given.
    #[error("the fake needs at least one tenant")]
    NoTenant,
    /// Binding a loopback port, or starting the server's runtime, failed.
    #[error("cannot start the server: {0}")]
    Io(#[from] std::io::Error),
    /// The self-signed certificate could not be made.
    #[error("cannot make the TLS certificate: {0}")]
    Tls(String),
    /// A `$filter` given to a helper did not parse.
    #[error("invalid filter: {0}")]
    Filter(String),
}
