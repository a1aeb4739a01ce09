//! Binds the Azure Functions to stepup behaviour: which handler serves which function of
//! `function-defs/`.

mod http;
mod queues;
mod timers;

use crate::functions::Registry;

/// The function names of `function-defs/`, each served by a handler here.
pub const FUNCTIONS: [&str; 4] = ["scan", "digest", "scan-worker", "notify-worker"];
/// The HTTP routes of `function-defs/` (below `/api/`).
pub const ROUTES: [&str; 2] = ["service-health", "teams"];

/// The registry of every stepup function.
pub fn registry() -> Registry {
    Registry::new()
        .function("scan", timers::Scan)
        .function("digest", timers::Digest)
        .function("scan-worker", queues::ScanWorker)
        .function("notify-worker", queues::NotifyWorker)
        .route("service-health", http::ServiceHealth)
        .route("teams", http::Teams)
}
