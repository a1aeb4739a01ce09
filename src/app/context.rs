//! What every handler shares: the configuration, the state store and the clock.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::scan_trigger::{ScanTrigger, StateScanTrigger};
use crate::config::Config;
use crate::state::StateStore;

/// The time source handlers use (tests pin it).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// Everything the function handlers share, built once at start-up.
pub struct AppContext {
    /// The configuration read at start-up.
    pub config: Config,
    /// Durable state (Blob Storage in Azure, a local folder otherwise).
    pub store: Arc<dyn StateStore>,
    /// Now.
    pub clock: Clock,
    /// Where scan requests go (the job queue once configured; state otherwise).
    pub scans: Arc<dyn ScanTrigger>,
}

impl AppContext {
    /// A context from its parts; scan requests are recorded in `store`.
    pub fn new(config: Config, store: Arc<dyn StateStore>, clock: Clock) -> Self {
        Self {
            config,
            scans: Arc::new(StateScanTrigger::new(store.clone())),
            store,
            clock,
        }
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
}

impl std::fmt::Debug for AppContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppContext")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
