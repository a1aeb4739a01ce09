//! Owner notices (issue #6): who hears about which accounts in a run, and delivering it.
//!
//! The flow of a run:
//! 1. [`plan`] (pure): the latest scan's findings + the tenant's account records
//!    ([`crate::lifecycle::load_records`]) + settings + now → one [`OwnerNotice`] per
//!    (owner, channel) with the accounts that are due ([`policy`]).
//! 2. Each notice is serde-serializable: the orchestration queues one per owner on
//!    `stepup-notify` ([`queue::to_message`] keeps a notice too large for a queue message
//!    in state and queues its key; [`queue::from_message`] gets it back).
//!    The queue contract of main's orchestration (`jobs::OwnerNotice`) names only account
//!    ids: [`from_state::save_findings`] keeps the run's findings and
//!    [`from_state::notices_for`] rebuilds the notice in the worker.
//! 3. The `notify-worker` calls [`deliver`] with the notice, a [`crate::teams::delivery::TeamsSink`]
//!    and the state store: it posts the owner notice cards at most once per run and records
//!    the notice in each account's record. [`deliver_all`] does a whole run in-process.

pub mod deliver;
pub mod from_state;
pub mod notice;
pub mod plan;
pub mod policy;
pub mod queue;

pub use deliver::{deliver, deliver_all, run_stamp, Delivered, RunReport};
pub use from_state::{load_findings, notices_for, save_findings};
pub use notice::{NoticeAccount, NoticeTicket, OwnerNotice, MAX_EVIDENCE};
pub use plan::{plan, Plan, PlanInput, Skipped};
pub use policy::{decide, DueReason, SkipReason, DEADLINE_DAYS};
pub use queue::{from_message, to_message, NoticeMessage, MAX_INLINE_BYTES};
