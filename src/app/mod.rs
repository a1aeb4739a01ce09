//! Binds the Azure Functions to stepup behaviour: which handler serves which function of
//! `function-defs/`.

mod context;
mod dead_letter_guard;
mod http;
mod jwks;
mod notify_worker;
mod queue_scan_trigger;
mod queues;
pub mod scan_trigger;
mod service_health_http;
mod service_health_notice;
mod teams_http;
mod timers;

#[cfg(test)]
mod service_health_tests;

use std::sync::Arc;

use crate::functions::Registry;

pub use context::{system_clock, AppContext, Clock};
pub use queue_scan_trigger::QueueScanTrigger;
pub use scan_trigger::{ScanRequest, ScanTrigger, StateScanTrigger, TriggerError};
pub use service_health_notice::NoticeOutcome;
pub use teams_http::{TeamsChat, ANSWER_BUDGET};

/// The function names of `function-defs/`, each served by a handler here.
pub const FUNCTIONS: [&str; 4] = ["scan", "digest", "scan-worker", "notify-worker"];
/// The HTTP routes of `function-defs/` (below `/api/`).
pub const ROUTES: [&str; 2] = ["service-health", "teams"];

/// The registry of every stepup function, sharing `ctx`.
pub fn registry(ctx: Arc<AppContext>) -> Registry {
    Registry::new()
        .function("scan", timers::Scan::new(ctx.clone()))
        .function("digest", timers::Digest::new(ctx.clone()))
        .function(
            "scan-worker",
            dead_letter_guard::RecordsDeadLetters::new(
                queues::ScanWorker::new(ctx.clone()),
                ctx.clone(),
                crate::queue::JOBS_QUEUE,
                "job",
            ),
        )
        .function(
            "notify-worker",
            dead_letter_guard::RecordsDeadLetters::new(
                notify_worker::NotifyWorker::new(ctx.clone()),
                ctx.clone(),
                crate::queue::NOTIFY_QUEUE,
                "notice",
            ),
        )
        .route(
            "service-health",
            service_health_http::ServiceHealth::new(ctx.clone()),
        )
        .route("teams", TeamsChat::new(ctx))
}
