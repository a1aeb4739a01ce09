//! The local state store and ticket outbox the CLI uses (`stepup demo`, `stepup tickets`).
//!
//! LEAD: these two functions are the only wiring point. The local directory store
//! (`crate::state::LocalDirStore`) and the file sink (`crate::tickets::file::FileSink`) are
//! built in parallel by other helpers and are not on `main` yet; once merged, replace the
//! bodies with `Ok(Box::new(LocalDirStore::new(dir)?))` and
//! `Ok(Box::new(FileSink::new(dir)))`. Until then both say so and the demo skips the
//! ticket step.

use std::path::Path;

use crate::state::StateStore;
use crate::tickets::TicketSink;

/// Why a backend is not available.
#[derive(Debug, thiserror::Error)]
#[error("{0} is not built into this version yet")]
pub struct Unavailable(pub &'static str);

/// The state store of a local state folder.
pub(super) fn local_store(_dir: &Path) -> Result<Box<dyn StateStore>, Unavailable> {
    Err(Unavailable("the local state store"))
}

/// The Markdown ticket outbox in `dir`.
pub(super) fn outbox_sink(_dir: &Path) -> Result<Box<dyn TicketSink>, Unavailable> {
    Err(Unavailable("the file ticket outbox"))
}
