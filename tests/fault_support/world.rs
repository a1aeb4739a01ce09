//! One world per matrix cell: a synthetic tenant behind the Azure fake, the GitHub Issues
//! fake, the Teams webhook fake and a local state store (behind [`CrashingStore`]), and the
//! scan runner and owner-notice delivery wired to them as the function app wires them.
//!
//! [`World::run`] is one whole scan as the queues carry it: the plan job, every job the jobs
//! return (a FIFO), each message delivered again when its job fails (up to the queue's
//! `MAX_DEQUEUE_COUNT`, the last delivery flagged), then every owner notice through the
//! notify-worker's sequence (`resolve_accounts` → `notices_for` → `deliver`), retried the
//! same way.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use stepup::jobs::{plan_scan, JobMessage, OwnerNotice, MAX_DEQUEUE_COUNT};
use stepup::lifecycle::{load_report, LifecycleSettings, ReportSlot};
use stepup::report::model::ScanReport;
use stepup::runs::{resolve_accounts, RunEnv, ScanRunner, Step};
use stepup::secret::Secret;
use stepup::sources::http::{ReportLimiter, RetryPolicy};
use stepup::sources::{ConnectOptions, SourcesSettings};
use stepup::state::{LocalDirStore, StateStore};
use stepup::teams::channel::ChannelBook;
use stepup::teams::delivery::WebhookSink;
use stepup::teams::notify::{deliver, notices_for};
use stepup::tickets::factory::TicketConfig;
use stepup::tickets::github::GitHubConfig;

use super::store::CrashingStore;
use crate::azure_fake::AzureFake;
use crate::live_support::{http_client, secret_identity, sources, Tenant};
use crate::teams_support::fake_webhook::{FakeWebhook, Kind};
use crate::ticket_support::github::{FakeGitHub, OWNER, REPO, TOKEN};

/// The webhook's name in the Teams fake.
pub const CHANNEL: &str = "owners";
/// `STEPUP_RENOTIFY_DAYS`.
pub const RENOTIFY_DAYS: u32 = 7;

/// What one scan did.
#[derive(Debug, Default)]
pub struct Ran {
    /// The report kept in state after the run (`None`: none kept).
    pub report: Option<ScanReport>,
    /// The runner's log lines and every failed delivery's error.
    pub log: Vec<String>,
    /// Errors of job deliveries (each redelivered).
    pub job_errors: Vec<String>,
    /// Jobs whose last delivery failed (dead letters).
    pub given_up: Vec<String>,
    /// Errors of owner-notice deliveries.
    pub notify_errors: Vec<String>,
    /// Owner-notice messages that failed every delivery (dead letters).
    pub notify_dead: usize,
    /// Owner-notice messages the run queued.
    pub notices: Vec<OwnerNotice>,
    /// Notify-worker log: posted / already / uncertain per notice.
    pub posted: usize,
    /// Messages an earlier delivery had posted.
    pub already: usize,
    /// Messages that may or may not have reached Teams.
    pub uncertain: usize,
    /// Steps that reconciled the run (a log line saying so).
    pub reconciles: usize,
}

impl Ran {
    /// Everything said, one string (for assertion messages and `contains`).
    pub fn said(&self) -> String {
        let mut all = self.log.clone();
        all.extend(self.job_errors.iter().cloned());
        all.extend(self.notify_errors.iter().cloned());
        all.join("\n")
    }
}

/// A cell's world.
pub struct World {
    /// The Azure fake (shared by the cells of one test; faults are reset per cell).
    pub azure: Arc<AzureFake>,
    /// The tenant served.
    pub tenant: Arc<Tenant>,
    /// The ticket system.
    pub github: FakeGitHub,
    /// Teams.
    pub teams: FakeWebhook,
    /// The state store, with its crash switch.
    pub store: Arc<CrashingStore>,
    /// The runner.
    pub runner: ScanRunner,
    /// The Teams sink.
    pub sink: WebhookSink,
    /// Whether the queue delivers every message (jobs and notices) twice, both outputs
    /// queued (at-least-once delivery at its worst).
    pub twice: AtomicBool,
    _state: tempfile::TempDir,
}

/// The sources settings the matrix uses (client rate above the fake's: it throttles now
/// and then).
pub fn matrix_sources(azure: &AzureFake, days: u32) -> SourcesSettings {
    sources(azure, days, "20/100ms")
}

/// The source retry policy: fast, with a client timeout short enough for the hold cells.
pub fn source_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        timeout: Duration::from_millis(1500),
        max_retry_after: Duration::from_secs(2),
        ..RetryPolicy::fast()
    }
}

/// Teams retries: three attempts, short delays, `Retry-After` up to 2 s.
pub fn teams_policy() -> stepup::tickets::http::RetryPolicy {
    stepup::tickets::http::RetryPolicy {
        max_attempts: 3,
        min_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
    }
}

impl World {
    /// A fresh world on `azure` serving `tenant`: empty state, no tickets, no messages.
    pub async fn new(azure: Arc<AzureFake>, tenant: Arc<Tenant>, days: u32) -> Self {
        let state = tempfile::tempdir().expect("temp dir");
        let local: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(state.path()));
        let store = Arc::new(CrashingStore::new(local));
        let github = FakeGitHub::start().await;
        // GitHub's own largest page: every find reads the repository's issues.
        github.set_max_per_page(100);
        let teams = FakeWebhook::start(100).await;
        let url = teams.add(Kind::Workflows, CHANNEL);
        let sink = WebhookSink::new(
            ChannelBook::new(Some(Secret::new(url))),
            NonZeroU32::new(50).expect("rate"),
            teams_policy(),
        )
        .expect("Teams sink");
        let sources = matrix_sources(&azure, days);
        let env = RunEnv {
            tenant: tenant.settings(),
            sources: sources.clone(),
            identity: secret_identity(&azure),
            lifecycle: LifecycleSettings {
                resolve_after_scans: 1,
                ..LifecycleSettings::default()
            },
            tickets: TicketConfig::GitHub(GitHubConfig {
                api_url: github.server.base_url(),
                owner: OWNER.into(),
                repo: REPO.into(),
                token: Secret::new(TOKEN),
            }),
            ticket_retry: stepup::tickets::http::RetryPolicy::fast(),
            renotify_days: RENOTIFY_DAYS,
            job_budget: Duration::from_secs(600),
            connect: ConnectOptions {
                http: Some(http_client(&azure)),
                policy: Some(source_policy()),
                limiter: Some(Arc::new(ReportLimiter::new(sources.graph_report_rate))),
                ..ConnectOptions::default()
            },
        };
        let runner = ScanRunner::new(env, store.clone());
        Self {
            azure,
            tenant,
            github,
            teams,
            store,
            runner,
            sink,
            twice: AtomicBool::new(false),
            _state: state,
        }
    }

    /// The store as the trait object.
    pub fn state(&self) -> &dyn StateStore {
        self.store.as_ref()
    }

    /// The report kept in state.
    pub async fn report(&self) -> Option<ScanReport> {
        load_report(self.state(), &self.tenant.id(), ReportSlot::Latest)
            .await
            .expect("read the report")
    }

    /// One job message delivered until it succeeds (or its last delivery): its step.
    pub async fn job(&self, message: &JobMessage, at: DateTime<Utc>, ran: &mut Ran) -> Step {
        for dequeue in 1..=MAX_DEQUEUE_COUNT {
            let last = dequeue == MAX_DEQUEUE_COUNT;
            let (step, given_up) = self.runner.run(message, at, last).await;
            if let Some(why) = given_up {
                ran.given_up.push(why);
            }
            match step {
                Ok(step) => return step,
                Err(e) => ran.job_errors.push(format!("delivery {dequeue}: {e}")),
            }
        }
        Step::default()
    }

    /// Takes a job's step into the run: its log, jobs and notices.
    pub fn take(step: Step, queue: &mut VecDeque<JobMessage>, ran: &mut Ran) {
        ran.reconciles += step
            .log
            .iter()
            .filter(|l| {
                l.contains("was the last job; reconciling") || l.contains("reconciling now")
            })
            .count();
        ran.log.extend(step.log);
        queue.extend(step.jobs);
        ran.notices.extend(step.notices);
    }

    /// The scan's jobs, from the plan until the queue is empty.
    pub async fn scan(&self, at: DateTime<Utc>, ran: &mut Ran) {
        let mut queue: VecDeque<JobMessage> =
            plan_scan(&[self.tenant.id()], "test", "fault-matrix", at).into();
        while let Some(message) = queue.pop_front() {
            let times = if self.twice.load(Ordering::SeqCst) {
                2
            } else {
                1
            };
            for _ in 0..times {
                let step = self.job(&message, at, ran).await;
                Self::take(step, &mut queue, ran);
            }
        }
    }

    /// Delivers one owner-notice message as the notify-worker does, again on failure.
    pub async fn notify(&self, message: &OwnerNotice, at: DateTime<Utc>, ran: &mut Ran) {
        for dequeue in 1..=MAX_DEQUEUE_COUNT {
            match self.notify_once(message, at, ran).await {
                Ok(()) => return,
                Err(e) => ran.notify_errors.push(format!(
                    "notice to {} (delivery {dequeue}): {e:#}",
                    message.owner
                )),
            }
        }
        ran.notify_dead += 1;
    }

    async fn notify_once(
        &self,
        message: &OwnerNotice,
        at: DateTime<Utc>,
        ran: &mut Ran,
    ) -> anyhow::Result<()> {
        let store = self.state();
        let message = resolve_accounts(store, message).await?;
        let notices =
            notices_for(store, &message, &self.tenant.settings(), RENOTIFY_DAYS, at).await?;
        for notice in &notices {
            let done = deliver(notice, &self.sink, store, at).await?;
            ran.posted += done.outcome.posted;
            ran.already += done.outcome.already;
            ran.uncertain += done.outcome.uncertain;
        }
        Ok(())
    }

    /// One whole scan at `at` and the delivery of its owner notices.
    pub async fn run(&self, at: DateTime<Utc>) -> Ran {
        let mut ran = Ran::default();
        self.scan(at, &mut ran).await;
        let notices = ran.notices.clone();
        for message in &notices {
            let times = if self.twice.load(Ordering::SeqCst) {
                2
            } else {
                1
            };
            for _ in 0..times {
                self.notify(message, at, &mut ran).await;
            }
        }
        ran.report = self.report().await;
        ran
    }
}
