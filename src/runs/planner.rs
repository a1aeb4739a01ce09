//! The plan job: list the tenant's subscriptions, open the run's ledger, fan out its jobs.

use chrono::{DateTime, Utc};

use super::legs::{Leg, LegStatus};
use super::results::{SourceResult, SUBSCRIPTIONS_JOB};
use super::runner::{RunError, ScanRunner, Step};
use super::window::RunWindow;
use crate::jobs::{
    job_keys, load_run, open_run, plan_run, record_job, JobMessage, JobOutcome, PlanJob, Source,
    SourceJob,
};

impl ScanRunner {
    /// Plans the run of `plan`: the tenant sources and, per subscription (the configured
    /// ones, else every one listed), its activity log and role assignments. A plan delivered
    /// again queues the jobs of its stored ledger that have not finished.
    pub async fn plan(&self, plan: &PlanJob, now: DateTime<Utc>) -> Result<Step, RunError> {
        let store = self.store.as_ref();
        let mut step = Step::default();
        if let Some(ledger) = load_run(store, &plan.run_id).await? {
            let jobs: Vec<JobMessage> = ledger
                .expected
                .iter()
                .filter(|k| !ledger.outcomes.contains_key(*k))
                .filter_map(|k| Source::from_key(k))
                .map(|source| {
                    JobMessage::Source(SourceJob {
                        run_id: plan.run_id.clone(),
                        tenant: plan.tenant,
                        source,
                        cursor: None,
                        attempt: 0,
                    })
                })
                .collect();
            step.say(format!(
                "run {}: planned before; {} unfinished job(s) queued again",
                plan.run_id,
                jobs.len()
            ));
            step.jobs = jobs;
            return Ok(step);
        }

        let window =
            RunWindow::of(store, &self.env.tenant, &self.env.sources, plan.tenant, now).await?;
        let ctx = self.connections.of(plan.tenant)?;
        let deadline = std::time::Instant::now() + self.env.job_budget;
        let listing = Leg::subscriptions()
            .run(&ctx, &window.settings, Some(deadline))
            .await;
        let listed = listing.listed_subscriptions();
        let configured = &self.env.sources.subscriptions;
        let subscriptions = if configured.is_empty() {
            listed.clone()
        } else {
            configured.clone()
        };
        let listing_outcome = match &listing.status {
            LegStatus::Done => JobOutcome::Done { at: now },
            LegStatus::Failed { reason } => JobOutcome::Failed {
                at: now,
                reason: reason.clone(),
            },
            LegStatus::Start | LegStatus::Continue { .. } => JobOutcome::Failed {
                at: now,
                reason: "subscriptions: not listed within the job budget".into(),
            },
        };
        SourceResult {
            pages: listing.pages,
            records: listing.records,
            problems: listing.problems.clone(),
            partial: listing.directory,
            ..SourceResult::default()
        }
        .save(store, &plan.run_id, SUBSCRIPTIONS_JOB)
        .await?;

        let jobs = plan_run(&plan.run_id, plan.tenant, &subscriptions);
        let mut keys = job_keys(&jobs);
        keys.push(SUBSCRIPTIONS_JOB.to_string());
        open_run(store, &plan.run_id, plan.tenant, &plan.reason, keys, now).await?;
        // Other jobs remain, so this is never the run's last.
        record_job(
            store,
            &plan.run_id,
            SUBSCRIPTIONS_JOB,
            listing_outcome.clone(),
            now,
        )
        .await?;
        if let JobOutcome::Failed { reason, .. } = &listing_outcome {
            step.say(format!(
                "run {}: listing subscriptions failed ({reason}); the run reads the tenant sources and {} configured subscription(s), and will be partial",
                plan.run_id,
                configured.len()
            ));
        }
        step.say(format!(
            "run {} of tenant {} ({}): {} job(s) for {} subscription(s) queued",
            plan.run_id,
            plan.tenant,
            plan.reason,
            jobs.len(),
            subscriptions.len()
        ));
        step.jobs = jobs;
        Ok(step)
    }
}
