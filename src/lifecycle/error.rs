//! The lifecycle's state failures: the store's own, or a key that cannot be formed.

use crate::state::{KeyError, StateError};

/// A lifecycle state failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The state store failed (I/O, access, conflicts beyond the retries, bad JSON).
    #[error(transparent)]
    State(#[from] StateError),
    /// A key could not be formed from its parts (a source name, an alert id).
    #[error(transparent)]
    Key(#[from] KeyError),
}
