//! The live scan of one tenant, in process: every source job of the tenant (Graph
//! identity reports through the tenant's limiter, the subscriptions' ARM jobs in parallel
//! with bounded concurrency), incremental state when a store is given, managers and sponsors
//! of the at-risk accounts the ownership map does not cover, and the same [`Scan`] as
//! [`crate::offline::scan_dir`]. A source that fails makes the report incomplete
//! (`"complete": false`) with a problem that names it; its state is left as it was.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use futures_util::{future, stream, StreamExt};

use super::graph::sign_ins::SignInKind;
use super::http::StatsSnapshot;
use super::incremental::{self, floor_day, SourcePlan};
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

/// One job's result.
struct Ran {
    job: SourceJob,
    plan: Option<SourcePlan>,
    collected: Collected,
    outcome: JobOutcome,
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

    let mut graph_jobs = vec![SourceJob::Users, SourceJob::Registration];
    let mut plans = BTreeMap::new();
    for kind in [SignInKind::Interactive, SignInKind::NonInteractive] {
        let job = SourceJob::SignIns {
            kind,
            from: sign_in_start,
            to: now,
        };
        let name = job.state_name().unwrap_or_default();
        let plan = incremental::plan(
            opts.store,
            &ctx.tenant,
            &name,
            sign_in_start,
            overlap,
            enforcement,
        )
        .await?;
        graph_jobs.push(SourceJob::SignIns {
            kind,
            from: plan.from,
            to: now,
        });
        plans.insert(name, plan);
    }
    opts.progress.planned(graph_jobs.len() + 1);

    let run = |job: SourceJob, plan: Option<SourcePlan>| async move {
        let mut collected = Collected::new(opts.tenant);
        let outcome = run_job(ctx, &job, None, None, &mut collected, opts.progress).await;
        Ran {
            job,
            plan,
            collected,
            outcome,
        }
    };

    let graph_side = future::join_all(
        graph_jobs
            .into_iter()
            .map(|job| {
                let plan = job.state_name().and_then(|n| plans.get(&n).cloned());
                run(job, plan)
            })
            .collect::<Vec<_>>(),
    );
    let arm_side = async {
        let listed = run(SourceJob::Subscriptions, None).await;
        let subscriptions: Vec<SubscriptionId> = if opts.sources.subscriptions.is_empty() {
            let mut s = listed.collected.subscriptions.clone();
            s.sort();
            s.dedup();
            s
        } else {
            opts.sources.subscriptions.clone()
        };
        let mut jobs = Vec::new();
        for sub in subscriptions {
            let name = format!("activityLog-{sub}");
            let plan = incremental::plan(
                opts.store,
                &ctx.tenant,
                &name,
                window_start,
                overlap,
                enforcement,
            )
            .await?;
            jobs.push((
                SourceJob::ActivityLog {
                    subscription: sub,
                    from: plan.from,
                    to: now,
                },
                Some(plan),
            ));
            jobs.push((SourceJob::RoleAssignments { subscription: sub }, None));
            jobs.push((SourceJob::RoleDefinitions { subscription: sub }, None));
        }
        opts.progress.planned(jobs.len());
        let mut ran: Vec<Ran> = stream::iter(jobs.into_iter().map(|(job, plan)| run(job, plan)))
            .buffer_unordered(opts.sources.arm_concurrency.max(1))
            .collect()
            .await;
        ran.push(listed);
        Ok::<_, LiveError>(ran)
    };
    let started = std::time::Instant::now();
    let (graph_ran, arm_ran) = future::join(graph_side, arm_side).await;
    let read_time = started.elapsed();
    let mut ran = graph_ran;
    ran.extend(arm_ran?);

    let mut stats = LiveStats::default();
    stats.phases.push(("read", read_time));
    let phase = std::time::Instant::now();
    let mut problems = Vec::new();
    let mut agg = Aggregator::new(opts.tenant);
    for r in ran {
        stats.pages += r.collected.pages;
        stats.records += r.collected.records;
        stats.refused += r.collected.refused;
        problems.extend(r.collected.problems.iter().cloned());
        let done = match &r.outcome {
            JobOutcome::Done { .. } => true,
            JobOutcome::Failed { source, reason } => {
                stats.failed.push(source.clone());
                problems.push(format!("{source}: {reason}"));
                false
            }
            JobOutcome::Checkpoint { .. } => {
                // No deadline is set here, so a checkpoint cannot happen; treat it as
                // unfinished all the same.
                problems.push(format!("{}: not read to the end", r.job.source()));
                false
            }
        };
        absorb(
            &mut agg,
            r,
            done,
            &mut stats,
            opts,
            &ctx.tenant,
            enforcement,
        )
        .await?;
    }
    agg.cover(window_start, now);
    stats.phases.push(("merge and state", phase.elapsed()));
    let phase = std::time::Instant::now();

    // Owners on demand: managers and sponsors of at-risk accounts the map does not cover.
    let first = agg.clone().finish();
    let need: Vec<ObjectId> = first
        .findings
        .iter()
        .filter(|f| {
            f.owner
                .as_ref()
                .is_none_or(|o| o.rule != OwnerRule::OwnershipMap)
        })
        .map(|f| f.user_id)
        .collect();
    if !need.is_empty() {
        opts.progress.planned(1);
        let owners = run(SourceJob::Owners { users: need }, None).await;
        if let JobOutcome::Failed { source, reason } = &owners.outcome {
            stats.failed.push(source.clone());
            problems.push(format!("{source}: {reason}"));
        }
        problems.extend(owners.collected.problems.iter().cloned());
        stats.pages += owners.collected.pages;
        agg.merge(owners.collected.directory);
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

/// Merges one job's records (and, for event sources, the kept days) and saves the source's
/// incremental state when it was read to the end.
async fn absorb(
    agg: &mut Aggregator,
    r: Ran,
    done: bool,
    stats: &mut LiveStats,
    opts: LiveScanOptions<'_>,
    tenant: &crate::ids::TenantId,
    enforcement: chrono::NaiveDate,
) -> Result<(), LiveError> {
    let Ran {
        plan, collected, ..
    } = r;
    agg.merge(collected.directory);
    let Some(plan) = plan else {
        // Directory sources have no days; event records would not come without a plan.
        for (_, day) in collected.days {
            agg.merge(day);
        }
        return Ok(());
    };
    if plan.full {
        stats.full_reads.push(plan.source.clone());
    } else {
        stats
            .incremental_reads
            .push((plan.source.clone(), plan.from));
    }
    for kept in plan.kept.iter().cloned() {
        agg.merge_partial(kept);
    }
    let mut partials = BTreeMap::new();
    for (day, day_agg) in collected.days {
        if opts.store.is_some() && done {
            partials.insert(day, day_agg.clone().into_partial());
        }
        agg.merge(day_agg);
    }
    if let (Some(store), true) = (opts.store, done) {
        incremental::save(
            store,
            tenant,
            &plan,
            opts.now,
            partials,
            collected.newest,
            enforcement,
        )
        .await?;
    }
    Ok(())
}
