//! The weekly readiness digest from state (issue #6 item 4) and the posts to the default
//! channel.
//!
//! - [`load_digest`]: the digest of a tenant from its stored reports, weekly snapshots and
//!   account records ([`DigestData`]); [`render`] prints it as text or JSON.
//! - [`post_digest`]: takes the weekly snapshot and posts the digest card, once per run
//!   ([`weekly_run`] for the timer); [`post_broadcast`]: the enforcement broadcast card.

pub mod data;
pub mod pending;
pub mod post;
pub mod render;

pub use data::{load_digest, report_time, tenants_with_reports, DigestData, HISTORY_WEEKS};
pub use pending::{defer_broadcast, forget_broadcast, pending_broadcasts};
pub use post::{post_broadcast, post_digest, weekly_run, DigestPost};
