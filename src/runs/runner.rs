//! The scan runner: what `scan-worker` does with each `stepup-jobs` message.

use std::sync::Arc;
use std::time::Duration;

use super::connections::Connections;
use crate::config::Config;
use crate::config::IdentityConfig;
use crate::jobs::{Broadcast, JobMessage, LedgerError, OwnerNotice};
use crate::lifecycle::{LifecycleSettings, StoreError};
use crate::settings::TenantSettings;
use crate::sources::{ConnectError, ConnectOptions, SourcesSettings};
use crate::state::StateStore;
use crate::tickets::factory::TicketConfig;

/// Why a job could not be run (the queue delivers it again).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The store failed.
    #[error("state: {0}")]
    State(#[from] StoreError),
    /// The store failed.
    #[error("state: {0}")]
    Store(#[from] crate::state::StateError),
    /// The run ledger failed.
    #[error("run ledger: {0}")]
    Ledger(#[from] LedgerError),
    /// The tenant's sources cannot be set up (settings or credential).
    #[error("sources: {0}")]
    Connect(#[from] ConnectError),
    /// Reconciling the run failed.
    #[error("{0:#}")]
    Reconcile(anyhow::Error),
}

/// What the runner needs from the configuration.
#[derive(Debug, Clone)]
pub struct RunEnv {
    /// The tenant settings every tenant is scanned with (tenant id and date set per run).
    pub tenant: TenantSettings,
    /// Graph/ARM base URLs, look-back, overlap, subscriptions, rates.
    pub sources: SourcesSettings,
    /// The credential's `AZURE_*` settings.
    pub identity: IdentityConfig,
    /// Ticket lifecycle settings.
    pub lifecycle: LifecycleSettings,
    /// The ticket system.
    pub tickets: TicketConfig,
    /// Retries of ticket-system calls (the default; tests shorten it).
    pub ticket_retry: crate::tickets::http::RetryPolicy,
    /// `STEPUP_RENOTIFY_DAYS`.
    pub renotify_days: u32,
    /// `STEPUP_JOB_BUDGET_SECONDS`.
    pub job_budget: Duration,
    /// Transport overrides (tests).
    pub connect: ConnectOptions,
}

impl RunEnv {
    /// The runner's settings from the configuration.
    pub fn from_config(config: &Config) -> Self {
        Self {
            tenant: config.tenant.clone(),
            sources: config.sources.clone(),
            identity: config.identity.clone(),
            lifecycle: config.lifecycle,
            tickets: config.tickets.clone(),
            ticket_retry: crate::tickets::http::RetryPolicy::default(),
            renotify_days: config.teams.renotify_days,
            job_budget: config.orchestration.job_budget,
            connect: ConnectOptions::default(),
        }
    }
}

/// What one job produced: messages for the function's output bindings and log lines.
#[derive(Debug, Clone, Default)]
pub struct Step {
    /// Messages for `stepup-jobs` (source jobs of a plan, a continuation).
    pub jobs: Vec<JobMessage>,
    /// Owner notices for `stepup-notify` (from the job that reconciled the run).
    pub notices: Vec<OwnerNotice>,
    /// Enforcement broadcasts that waited for this tenant's scan, for `stepup-notify`.
    pub broadcasts: Vec<Broadcast>,
    /// What happened, one line each.
    pub log: Vec<String>,
}

impl Step {
    pub(super) fn say(&mut self, line: impl Into<String>) {
        self.log.push(line.into());
    }
}

/// Runs `stepup-jobs` messages.
pub struct ScanRunner {
    pub(super) env: RunEnv,
    pub(super) store: Arc<dyn StateStore>,
    pub(super) connections: Connections,
}

impl std::fmt::Debug for ScanRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanRunner").finish_non_exhaustive()
    }
}

impl ScanRunner {
    /// A runner over `store`.
    pub fn new(env: RunEnv, store: Arc<dyn StateStore>) -> Self {
        let connections = Connections::new(
            env.identity.clone(),
            env.sources.clone(),
            env.connect.clone(),
        );
        Self {
            env,
            store,
            connections,
        }
    }

    /// Runs one `stepup-jobs` message at `now` (a boxed `Send` future, for handlers).
    /// `last_delivery` tells that the queue will not deliver it again: a source job that
    /// fails then is recorded as failed, so that its run finishes (partial); the returned
    /// flag says so (the caller records the message as a dead letter).
    pub fn run<'a>(
        &'a self,
        message: &'a JobMessage,
        now: chrono::DateTime<chrono::Utc>,
        last_delivery: bool,
    ) -> futures_util::future::BoxFuture<'a, (Result<Step, RunError>, Option<String>)> {
        Box::pin(async move {
            match message {
                JobMessage::Plan(plan) => (self.plan(plan, now).await, None),
                JobMessage::Source(job) => match self.source(job).await {
                    Err(e) if last_delivery => {
                        let why = e.to_string();
                        (self.give_up(job, &why, now).await, Some(why))
                    }
                    other => (other, None),
                },
            }
        })
    }
}
