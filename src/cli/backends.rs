//! The local state store and ticket outbox the CLI uses (`stepup demo`, `stepup tickets`).
//!
//! LEAD: [`local_store`] is the one wiring point left. The local directory store
//! (`crate::state::LocalDirStore`) is built in parallel by another helper and is not on
//! `main` yet; once merged, replace its body with `Ok(Box::new(LocalDirStore::new(dir)?))`
//! (mapping the error). Until then it says so, `stepup tickets` fails with that message and
//! the demo skips its ticket step.

use std::path::Path;

use crate::state::StateStore;
use crate::tickets::file::FileSink;
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
pub(super) fn outbox_sink(dir: &Path) -> Result<Box<dyn TicketSink>, Unavailable> {
    Ok(Box::new(FileSink::new(dir)))
}
