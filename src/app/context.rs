//! What every handler shares: the configuration, the state store and the clock.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::queue_scan_trigger::QueueScanTrigger;
use super::scan_trigger::{ScanTrigger, StateScanTrigger};
use crate::config::Config;
use crate::ids::TenantId;
use crate::jobs::tenants_to_scan;
use crate::queue::{MessageQueue, StateQueues};
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
    /// Where queued work goes from handlers that have no queue output binding (the HTTP
    /// functions): Queue Storage once configured, state otherwise.
    pub queues: Arc<dyn MessageQueue>,
}

impl AppContext {
    /// A context from its parts; scan requests are recorded in `store`.
    pub fn new(config: Config, store: Arc<dyn StateStore>, clock: Clock) -> Self {
        Self {
            config,
            scans: Arc::new(StateScanTrigger::new(store.clone())),
            queues: Arc::new(StateQueues::new(store.clone())),
            store,
            clock,
        }
    }

    /// The same context with work queued on `queues`; scan requests become plan jobs there.
    pub fn with_queues(mut self, queues: Arc<dyn MessageQueue>) -> Self {
        self.scans = Arc::new(QueueScanTrigger::new(queues.clone(), self.tenants()));
        self.queues = queues;
        self
    }

    /// The tenants a scan covers: `STEPUP_TENANT_ID`, then `STEPUP_TENANTS`.
    pub fn tenants(&self) -> Vec<TenantId> {
        tenants_to_scan(
            self.config.tenant.tenant_id,
            &self.config.orchestration.extra_tenants,
        )
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
