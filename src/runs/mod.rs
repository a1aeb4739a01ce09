//! A scan run over the queues (DESIGN.md §5): the `scan-worker` side of [`crate::jobs`].
//!
//! - A **plan** job lists the tenant's subscriptions, opens the run's ledger and fans out one
//!   source job per tenant source and per subscription ([`ScanRunner::plan`]).
//! - A **source** job reads its source in *legs* (the sign-in job has two: interactive and
//!   non-interactive; a subscription's role job reads assignments and custom definitions)
//!   within the job budget. Nearing the budget it keeps a [`Checkpoint`] in state (each
//!   leg's next link and what it read so far) and asks for its continuation. Read to the
//!   end, it saves the incremental state of its event sources and its [`SourceResult`], then
//!   records itself in the ledger ([`ScanRunner::source`]).
//! - The one job whose completion makes the run whole **reconciles** it
//!   ([`ScanRunner::finish`]): merges every result, reads managers and sponsors of the
//!   accounts the ownership map does not cover, builds the report, keeps it and the findings
//!   in state, takes the weekly snapshot, reconciles the tickets (a partial run resolves
//!   nothing) and plans one owner notice per owner for `stepup-notify`.
//!
//! Everything a later invocation needs is in state under `runs/<runId>/`, written before the
//! messages that refer to it are queued (output bindings are sent when the function
//! returns), so a worker killed at any point is simply run again.

mod checkpoint;
mod connections;
mod finish;
mod legs;
mod notices;
mod planner;
mod results;
mod runner;
mod source_worker;
mod window;

pub use checkpoint::{checkpoint_key, Checkpoint};
pub use connections::Connections;
pub use legs::{EventLeg, Leg, LegStatus};
pub use notices::{owner_messages, resolve_accounts, ACCOUNTS_INLINE};
pub use results::{result_key, SourceResult, SUBSCRIPTIONS_JOB};
pub use runner::{RunEnv, RunError, ScanRunner, Step};
pub use window::RunWindow;
