//! The live scan of one tenant, in process: every source job of the tenant (Graph
//! identity reports through the tenant's limiter, the subscriptions' ARM jobs in parallel
//! with bounded concurrency), incremental state when a store is given, managers and sponsors
//! of the at-risk accounts the ownership map does not cover, and the same [`Scan`] as
//! [`crate::offline::scan_dir`]. A source that fails makes the report incomplete
//! (`"complete": false`) with a problem that names it; its state is left as it was.

use chrono::{DateTime, Duration, Utc};
use futures_util::{future, stream, StreamExt};

use super::graph::sign_ins::SignInKind;
use super::http::StatsSnapshot;
use super::incremental::{self, floor_day};
use super::job::{run_job, Collected, JobOutcome, Progress, SourceContext, SourceJob};
use super::settings::SourcesSettings;
use crate::detect::model::OwnerRule;
use crate::detect::Aggregator;
use crate::ids::{ObjectId, SubscriptionId};
use crate::lifecycle::StoreError;
use crate::report::model::ScanReport;
use crate::report::Scan;
use crate::settings::TenantSettings;
use crate::state::StateStore;

/// Days Graph keeps sign-ins.
pub const SIGN_IN_RETENTION_DAYS: i64 = 30;

/// Why a live scan could not run at all (a failing source only makes it incomplete).
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The incremental state could not be read or written.
    #[error("incremental state: {0}")]
    State(#[from] StoreError),
}

/// What a live scan needs besides the tenant's clients.
#[derive(Clone, Copy)]
pub struct LiveScanOptions<'a> {
    /// The tenant's settings (enforcement date, break-glass accounts, owners).
    pub tenant: &'a TenantSettings,
    /// Look-back, overlap, subscriptions, ARM concurrency.
    pub sources: &'a SourcesSettings,
    /// Incremental state; `None` reads the whole look-back and keeps nothing.
    pub store: Option<&'a dyn StateStore>,
    /// The scan's time ("now").
    pub now: DateTime<Utc>,
    /// Progress reports.
    pub progress: &'a dyn Progress,
}

/// Figures of one live scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveStats {
    /// Graph calls.
    pub graph: StatsSnapshot,
    /// ARM calls.
    pub arm: StatsSnapshot,
    /// Pages read.
    pub pages: u64,
    /// Records used.
    pub records: u64,
    /// Records the client-side check refused.
    pub refused: u64,
    /// Event sources read in full (no usable incremental state).
    pub full_reads: Vec<String>,
    /// Event sources read incrementally, with the instant they were read from.
    pub incremental_reads: Vec<(String, DateTime<Utc>)>,
    /// Sources that failed.
    pub failed: Vec<String>,
    /// Time spent per phase: `read` (every source job), `merge and state` (merging the
    /// records and the kept days, saving the incremental state), `owners` (managers and
    /// sponsors on demand, with the preliminary detection), `detection`.
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

/// A finished live scan.
#[derive(Debug, Clone)]
pub struct LiveScan {
    /// The report and detection, as an offline scan gives them.
    pub scan: Scan,
    /// What it took.
    pub stats: LiveStats,
}

/// One job's result, its records already folded: directory records in one aggregator,
/// event records (kept days and fresh ones) in another.
struct Ran {
    job: SourceJob,
    outcome: JobOutcome,
    directory: Aggregator,
    events: Option<Aggregator>,
    /// An event source's state name, whether it was read in full, and from when.
    plan: Option<(String, bool, DateTime<Utc>)>,
    pages: u64,
    records: u64,
    refused: u64,
    problems: Vec<String>,
    subscriptions: Vec<SubscriptionId>,
}

impl Ran {
    fn new(job: SourceJob, outcome: JobOutcome, c: Collected, events: Option<Aggregator>) -> Self {
        Self {
            job,
            outcome,
            directory: c.directory,
            events,
            plan: None,
            pages: c.pages,
            records: c.records,
            refused: c.refused,
            problems: c.problems,
            subscriptions: c.subscriptions,
        }
    }
}

/// The at-risk accounts whose owner the ownership map does not name: their managers and
/// sponsors are read on demand (a preliminary detection of what `agg` holds).
pub fn owners_needed(agg: &Aggregator) -> Vec<ObjectId> {
    agg.clone()
        .finish()
        .findings
        .iter()
        .filter(|f| {
            f.owner
                .as_ref()
                .is_none_or(|o| o.rule != OwnerRule::OwnershipMap)
        })
        .map(|f| f.user_id)
        .collect()
}

/// Scans one tenant live.
pub async fn live_scan(
    ctx: &SourceContext,
    opts: LiveScanOptions<'_>,
) -> Result<LiveScan, LiveError> {
    let now = opts.now;
    let enforcement = opts.tenant.effective_enforcement_date();
    let lookback = opts.sources.lookback();
    let window_start = floor_day(now - lookback);
    let sign_in_start = floor_day(now - lookback.min(Duration::days(SIGN_IN_RETENTION_DAYS)));
    let overlap = opts.sources.overlap();

    let run = |job: SourceJob| async move {
        let mut collected = Collected::new(opts.tenant);
        let outcome = run_job(ctx, &job, None, None, &mut collected, opts.progress).await;
        Ran::new(job, outcome, collected, None)
    };
    // An event source: plan from its state, read, save its state when read to the end, and
    // fold the kept and fresh days into one aggregator — all while other sources still read.
    let event = |name: String,
                 start: DateTime<Utc>,
                 job_from: Box<dyn Fn(DateTime<Utc>) -> SourceJob + Send>| async move {
        let plan =
            incremental::plan(opts.store, &ctx.tenant, &name, start, overlap, enforcement).await?;
        let job = job_from(plan.from);
        let mut collected = Collected::new(opts.tenant);
        let outcome = run_job(ctx, &job, None, None, &mut collected, opts.progress).await;
        if let (Some(store), JobOutcome::Done { .. }) = (opts.store, &outcome) {
            let partials = collected.event_partials();
            incremental::save(
                store,
                &ctx.tenant,
                &plan,
                now,
                partials,
                collected.newest,
                enforcement,
            )
            .await?;
        }
        let mut events = Aggregator::new(opts.tenant);
        for kept in plan.kept {
            events.merge_partial(kept);
        }
        for day in std::mem::take(&mut collected.days).into_values() {
            events.merge(day);
        }
        let mut ran = Ran::new(job, outcome, collected, Some(events));
        ran.plan = Some((name, plan.full, plan.from));
        Ok::<_, LiveError>(ran)
    };

    opts.progress.planned(5);
    let sign_ins = [SignInKind::Interactive, SignInKind::NonInteractive].map(|kind| {
        let name = SourceJob::SignIns {
            kind,
            from: now,
            to: now,
        }
        .state_name()
        .unwrap_or_default();
        event(
            name,
            sign_in_start,
            Box::new(move |from| SourceJob::SignIns {
                kind,
                from,
                to: now,
            }),
        )
    });
    let graph_side = future::join3(
        future::try_join_all(sign_ins),
        run(SourceJob::Registration),
        run(SourceJob::Users),
    );
    let arm_side = async {
        let listed = run(SourceJob::Subscriptions).await;
        let subscriptions: Vec<SubscriptionId> = if opts.sources.subscriptions.is_empty() {
            let mut s = listed.subscriptions.clone();
            s.sort();
            s.dedup();
            s
        } else {
            opts.sources.subscriptions.clone()
        };
        opts.progress.planned(subscriptions.len() * 3);
        let mut jobs = Vec::new();
        for sub in subscriptions {
            jobs.push(future::Either::Left(event(
                format!("activityLog-{sub}"),
                window_start,
                Box::new(move |from| SourceJob::ActivityLog {
                    subscription: sub,
                    from,
                    to: now,
                }),
            )));
            for job in [
                SourceJob::RoleAssignments { subscription: sub },
                SourceJob::RoleDefinitions { subscription: sub },
            ] {
                jobs.push(future::Either::Right(async move { Ok(run(job).await) }));
            }
        }
        let ran: Vec<Result<Ran, LiveError>> = stream::iter(jobs)
            .buffer_unordered(opts.sources.arm_concurrency.max(1))
            .collect()
            .await;
        let mut ran = ran.into_iter().collect::<Result<Vec<_>, _>>()?;
        ran.push(listed);
        Ok::<_, LiveError>(ran)
    };
    let started = std::time::Instant::now();
    let ((sign_ins, registration, users), arm_ran) = future::join(graph_side, arm_side).await;
    let read_time = started.elapsed();
    let mut ran = sign_ins?;
    ran.push(registration);
    ran.push(users);
    ran.extend(arm_ran?);

    let mut stats = LiveStats::default();
    stats.phases.push(("read", read_time));
    let phase = std::time::Instant::now();
    let mut problems = Vec::new();
    let mut agg = Aggregator::new(opts.tenant);
    for r in ran {
        stats.pages += r.pages;
        stats.records += r.records;
        stats.refused += r.refused;
        problems.extend(r.problems);
        match &r.outcome {
            JobOutcome::Done { .. } => {}
            JobOutcome::Failed { source, reason } => {
                stats.failed.push(source.clone());
                problems.push(format!("{source}: {reason}"));
            }
            JobOutcome::Checkpoint { .. } => {
                // No deadline is set here, so a checkpoint cannot happen; treat it as
                // unfinished all the same.
                problems.push(format!("{}: not read to the end", r.job.source()));
            }
        }
        match r.plan {
            Some((name, true, _)) => stats.full_reads.push(name),
            Some((name, false, from)) => stats.incremental_reads.push((name, from)),
            None => {}
        }
        agg.merge(r.directory);
        if let Some(events) = r.events {
            agg.merge(events);
        }
    }
    agg.cover(window_start, now);
    stats.phases.push(("merge and state", phase.elapsed()));
    let phase = std::time::Instant::now();

    // Owners on demand: managers and sponsors of at-risk accounts the map does not cover.
    let need = owners_needed(&agg);
    if !need.is_empty() {
        opts.progress.planned(1);
        let owners = run(SourceJob::Owners { users: need }).await;
        if let JobOutcome::Failed { source, reason } = &owners.outcome {
            stats.failed.push(source.clone());
            problems.push(format!("{source}: {reason}"));
        }
        problems.extend(owners.problems);
        stats.pages += owners.pages;
        agg.merge(owners.directory);
    }
    stats.phases.push(("owners", phase.elapsed()));
    let phase = std::time::Instant::now();
    let detection = agg.finish();
    stats.phases.push(("detection", phase.elapsed()));
    stats.graph = ctx.graph.stats();
    stats.arm = ctx.arm.stats();
    let report = ScanReport::build(&detection, Some(ctx.tenant), enforcement, now, problems);
    Ok(LiveScan {
        scan: Scan { report, detection },
        stats,
    })
}
