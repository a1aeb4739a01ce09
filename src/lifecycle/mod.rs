//! The account lifecycle (DESIGN.md §6): a record per (tenant, account), reconciliation of
//! each scan into those records (pure), and applying the resulting ticket actions exactly
//! once through a [`crate::tickets::TicketSink`], persisting through a
//! [`crate::state::StateStore`].
//!
//! Also the other lifecycle state: weekly snapshots, processed alert ids and watermarks.

pub mod alerts;
pub mod apply;
pub mod enforcement;
pub mod error;
pub mod reconcile;
pub mod record;
pub mod reports;
pub mod settings;
pub mod snapshot;
pub mod watermark;

pub use apply::{apply, load_records, ApplyError, ApplyReport};
pub use error::StoreError;
pub use reconcile::{reconcile, ActionKind, Reconciliation, ScanContext, TicketAction};
pub use record::{AccountRecord, AccountState, Quiet, QuietKind};
pub use reports::{load_report, save_report, ReportSlot};
pub use settings::LifecycleSettings;

#[cfg(test)]
mod apply_tests;
#[cfg(test)]
mod reconcile_tests;
#[cfg(test)]
pub(crate) mod testkit;
