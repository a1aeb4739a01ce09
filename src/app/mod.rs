//! Binds the Azure Functions to stepup behaviour: which handler serves which function of
//! `function-defs/`.

mod context;
mod http;
mod queues;
pub mod scan_trigger;
mod teams_http;
mod timers;

use std::sync::Arc;

use crate::functions::Registry;

pub use context::{system_clock, AppContext, Clock};
pub use scan_trigger::{ScanRequest, ScanTrigger, StateScanTrigger, TriggerError};
pub use teams_http::{TeamsChat, ANSWER_BUDGET};

/// The function names of `function-defs/`, each served by a handler here.
pub const FUNCTIONS: [&str; 4] = ["scan", "digest", "scan-worker", "notify-worker"];
/// The HTTP routes of `function-defs/` (below `/api/`).
pub const ROUTES: [&str; 2] = ["service-health", "teams"];

/// The registry of every stepup function, sharing `ctx`.
pub fn registry(ctx: Arc<AppContext>) -> Registry {
    Registry::new()
        .function("scan", timers::Scan)
        .function("digest", timers::Digest)
        .function("scan-worker", queues::ScanWorker)
        .function("notify-worker", queues::NotifyWorker)
        .route("service-health", http::ServiceHealth)
        .route("teams", TeamsChat::new(ctx))
}
