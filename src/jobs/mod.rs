//! Scan orchestration over the queues (DESIGN.md §5): the message contracts of
//! `stepup-jobs` and `stepup-notify`, the multi-tenant plan, the run ledger that tells the
//! last finishing job to reconcile, and the record of messages given up on.
//!
//! How a scan flows:
//! 1. `scan` (timer) or a scan request queues one [`PlanJob`] per tenant ([`plan_scan`]).
//! 2. `scan-worker` takes a plan: lists the tenant's subscriptions, [`open_run`] with the
//!    job keys of [`plan_run`], and queues those [`SourceJob`]s.
//! 3. `scan-worker` takes a source job: reads it within the job budget; if it nears the
//!    budget it saves its partial result, queues [`SourceJob::continued`] and stops; when the
//!    source is read it calls [`record_job`]. The one call that gets [`Completion::Last`]
//!    reconciles the run and queues one [`OwnerNotice`] per owner on `stepup-notify`.
//! 4. A job failing its last delivery ([`is_last_delivery`]) is recorded
//!    ([`record_dead_letter`]) and, for a source job, recorded as failed in the ledger, so
//!    the run still finishes — as partial.

mod dead_letters;
mod ledger;
mod messages;
mod plan;
mod run_id;
mod settings;

pub use dead_letters::{
    dead_letters_since, is_last_delivery, record_dead_letter, DeadLetter, MAX_DEQUEUE_COUNT,
};
pub use ledger::{
    load_run, open_run, record_job, run_key, Completion, Finished, JobOutcome, LedgerError,
    RunLedger,
};
pub use messages::{
    Broadcast, Cursor, DigestRequest, JobMessage, NoticeRef, NotifyMessage, OwnerNotice, PlanJob,
    Source, SourceJob,
};
pub use plan::{job_keys, plan_run, plan_scan, tenants_to_scan};
pub use run_id::RunId;
pub use settings::{OrchestrationSettings, OrchestrationSettingsError, DEFAULT_JOB_BUDGET};
