//! Live sources (DESIGN.md §2, §5): Microsoft Graph (sign-ins, registration details, users,
//! managers and sponsors) and Azure Resource Manager (subscriptions, the activity log, role
//! assignments and definitions), read with azure_identity credentials and fed into the same
//! [`Aggregator`](crate::detect::Aggregator) as the offline scan.

pub mod arm;
pub mod certificate;
pub mod connect;
pub mod credential;
pub mod graph;
pub mod http;
pub mod incremental;
pub mod job;
pub mod live;
pub mod settings;
pub mod token;

pub use connect::{connect, ConnectError, ConnectOptions};
pub use job::{run_job, Collected, JobOutcome, NoProgress, Progress, SourceContext, SourceJob};
pub use live::{live_scan, LiveError, LiveScan, LiveScanOptions, LiveStats};
pub use settings::{Rate, SourcesSettings};
