//! The local state store and ticket outbox the CLI uses (`stepup demo`, `stepup tickets`):
//! the state folder as a [`LocalDirStore`], the Markdown outbox as a [`FileSink`].

use std::path::Path;

use crate::state::{LocalDirStore, StateStore};
use crate::tickets::file::FileSink;
use crate::tickets::TicketSink;

/// The state store of a local state folder.
pub(super) fn local_store(dir: &Path) -> Box<dyn StateStore> {
    Box::new(LocalDirStore::new(dir))
}

/// The Markdown ticket outbox in `dir`.
pub(super) fn outbox_sink(dir: &Path) -> Box<dyn TicketSink> {
    Box::new(FileSink::new(dir))
}
