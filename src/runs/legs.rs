//! Legs: the reads one queue job consists of, and how far each got. The sign-in job reads
//! the interactive and the non-interactive sign-ins; a subscription's role job reads its
//! role assignments and custom role definitions; every other job has one leg.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::window::RunWindow;
use crate::detect::aggregate::Partial;
use crate::jobs::Source;
use crate::lifecycle::StoreError;
use crate::settings::TenantSettings;
use crate::sources::graph::sign_ins::SignInKind;
use crate::sources::incremental;
use crate::sources::{run_job, Collected, JobOutcome, NoProgress, SourceContext, SourceJob};
use crate::state::StateStore;

/// Where a leg is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "camelCase")]
pub enum LegStatus {
    /// Not started.
    Start,
    /// Stopped at the budget: go on from this page.
    #[serde(rename_all = "camelCase")]
    Continue {
        /// The next page.
        next_link: String,
    },
    /// Read to the end.
    Done,
    /// A page stayed broken after its retries.
    Failed {
        /// Which call failed and why.
        reason: String,
    },
}

/// An event source's incremental read: which state it belongs to and what it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventLeg {
    /// The state name (`signIns-interactive`, `activityLog-<subscription>`).
    pub name: String,
    /// The source's window start (midnight UTC).
    pub window_start: DateTime<Utc>,
    /// Where the read starts (the incremental plan's `from`).
    pub from: DateTime<Utc>,
    /// Whether the whole window is read.
    pub full: bool,
}

/// One read of a job, with what it read so far.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Leg {
    /// What is read.
    pub job: SourceJob,
    /// For event sources, the incremental read.
    #[serde(default)]
    pub event: Option<EventLeg>,
    /// How far it got.
    pub status: LegStatus,
    /// Event records read so far, by UTC day.
    #[serde(default)]
    pub days: BTreeMap<NaiveDate, Partial>,
    /// Directory records read so far.
    #[serde(default)]
    pub directory: Partial,
    /// The newest event time seen.
    #[serde(default)]
    pub newest: Option<DateTime<Utc>>,
    /// Pages read.
    #[serde(default)]
    pub pages: u64,
    /// Records used.
    #[serde(default)]
    pub records: u64,
    /// Records the client-side check refused.
    #[serde(default)]
    pub refused: u64,
    /// Malformed records, one line each.
    #[serde(default)]
    pub problems: Vec<String>,
}

impl Leg {
    pub(super) fn new(job: SourceJob, event: Option<EventLeg>) -> Self {
        Self {
            job,
            event,
            status: LegStatus::Start,
            days: BTreeMap::new(),
            directory: Partial::default(),
            newest: None,
            pages: 0,
            records: 0,
            refused: 0,
            problems: Vec::new(),
        }
    }

    /// The legs of a queue job's source, event legs planned from the incremental state.
    pub async fn plan(
        source: &Source,
        window: &RunWindow,
        store: &dyn StateStore,
    ) -> Result<Vec<Leg>, StoreError> {
        let now = window.now;
        Ok(match source {
            Source::SignIns => {
                let mut legs = Vec::new();
                for kind in [SignInKind::Interactive, SignInKind::NonInteractive] {
                    let name = format!("signIns-{}", kind.name());
                    let event = Self::event(store, window, name, window.sign_in_start).await?;
                    let job = SourceJob::SignIns {
                        kind,
                        from: event.from,
                        to: now,
                    };
                    legs.push(Leg::new(job, Some(event)));
                }
                legs
            }
            Source::RegistrationDetails => vec![Leg::new(SourceJob::Registration, None)],
            Source::Users => vec![Leg::new(SourceJob::Users, None)],
            Source::ActivityLog { subscription } => {
                let name = format!("activityLog-{subscription}");
                let event = Self::event(store, window, name, window.window_start).await?;
                let job = SourceJob::ActivityLog {
                    subscription: *subscription,
                    from: event.from,
                    to: now,
                };
                vec![Leg::new(job, Some(event))]
            }
            Source::RoleAssignments { subscription } => vec![
                Leg::new(
                    SourceJob::RoleAssignments {
                        subscription: *subscription,
                    },
                    None,
                ),
                Leg::new(
                    SourceJob::RoleDefinitions {
                        subscription: *subscription,
                    },
                    None,
                ),
            ],
        })
    }

    /// The leg listing the tenant's subscriptions (run by the plan job).
    pub fn subscriptions() -> Self {
        Leg::new(SourceJob::Subscriptions, None)
    }

    async fn event(
        store: &dyn StateStore,
        window: &RunWindow,
        name: String,
        start: DateTime<Utc>,
    ) -> Result<EventLeg, StoreError> {
        let plan = incremental::plan(
            Some(store),
            &window.tenant,
            &name,
            start,
            window.overlap,
            window.enforcement(),
        )
        .await?;
        Ok(EventLeg {
            name,
            window_start: plan.window_start,
            from: plan.from,
            full: plan.full,
        })
    }

    /// Reads on from where the leg stopped until it is done, fails, or `deadline` passes.
    pub async fn run(
        mut self,
        ctx: &SourceContext,
        settings: &TenantSettings,
        deadline: Option<Instant>,
    ) -> Self {
        let cursor = match &self.status {
            LegStatus::Start => None,
            LegStatus::Continue { next_link } => Some(next_link.clone()),
            LegStatus::Done | LegStatus::Failed { .. } => return self,
        };
        let mut c = Collected::resume(settings, std::mem::take(&mut self.days), self.newest);
        c.directory
            .merge_partial(std::mem::take(&mut self.directory));
        let outcome = run_job(ctx, &self.job, cursor, deadline, &mut c, &NoProgress).await;
        self.status = match outcome {
            JobOutcome::Done { .. } => LegStatus::Done,
            JobOutcome::Checkpoint { next_link } => LegStatus::Continue { next_link },
            JobOutcome::Failed { source, reason } => LegStatus::Failed {
                reason: format!("{source}: {reason}"),
            },
        };
        self.days = c.event_partials();
        self.newest = c.newest;
        self.pages += c.pages;
        self.records += c.records;
        self.refused += c.refused;
        self.problems.extend(c.problems);
        self.directory = c.directory.into_partial();
        self
    }

    /// The subscriptions a subscriptions leg listed.
    pub fn listed_subscriptions(&self) -> Vec<crate::ids::SubscriptionId> {
        self.directory.subscription_ids()
    }
}
