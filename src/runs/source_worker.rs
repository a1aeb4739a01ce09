//! A source job: read its legs within the budget, checkpoint or complete, record it.

use std::time::Instant;

use chrono::{DateTime, Utc};
use futures_util::future::join_all;

use super::checkpoint::{checkpoint_key, Checkpoint};
use super::legs::{Leg, LegStatus};
use super::results::SourceResult;
use super::runner::{RunError, ScanRunner, Step};
use super::window::RunWindow;
use crate::detect::Aggregator;
use crate::jobs::{
    load_run, record_job, Completion, Cursor, JobMessage, JobOutcome, LedgerError, SourceJob,
    MAX_DEQUEUE_COUNT,
};
use crate::lifecycle::watermark::get_watermark;
use crate::sources::incremental::{self, kept_days, SourcePlan};
use crate::state::Condition;

impl ScanRunner {
    /// Runs one leg of a source job: reads until done or the job budget, then either queues
    /// the continuation (with a checkpoint in state) or records the job in the run's ledger,
    /// reconciling the run when it was the last.
    pub async fn source(&self, job: &SourceJob) -> Result<Step, RunError> {
        let store = self.store.as_ref();
        let key = job.source.key();
        let mut step = Step::default();
        let Some(ledger) = load_run(store, &job.run_id).await? else {
            return Err(LedgerError::UnknownRun(job.run_id.to_string()).into());
        };
        if ledger.outcomes.contains_key(&key) {
            if ledger.finished.as_ref().is_some_and(|f| f.by == key)
                && !self.reconciled(&ledger.run_id).await?
            {
                step.say(format!(
                    "run {}: {key} finished the run before it was reconciled; reconciling now",
                    job.run_id
                ));
                return self.finish(&ledger, &mut step).await.map(|()| step);
            }
            step.say(format!(
                "run {}: {key} was recorded before (a redelivery); nothing to do",
                job.run_id
            ));
            return Ok(step);
        }

        let window = RunWindow::of(
            store,
            &self.env.tenant,
            &self.env.sources,
            job.tenant,
            ledger.created_at,
        )
        .await?;
        let checkpoint = checkpoint_key(&job.run_id, &key)?;
        let resumed = match &job.cursor {
            // The message names its checkpoint, but only the run's own key is read.
            Some(_) => Checkpoint::load(store, &checkpoint).await?,
            None => None,
        };
        let legs = match resumed {
            Some(c) => c.legs,
            None => {
                if job.cursor.is_some() {
                    step.say(format!(
                        "run {}: {key}: its checkpoint is gone; reading from the start",
                        job.run_id
                    ));
                }
                Leg::plan(&job.source, &window, store).await?
            }
        };
        let ctx = self.connections.of(job.tenant)?;
        let deadline = Instant::now() + self.env.job_budget;
        let mut running = Vec::with_capacity(legs.len());
        for leg in legs {
            let (ctx, settings) = (ctx.clone(), window.settings.clone());
            running.push(async move { leg.run(&ctx, &settings, Some(deadline)).await });
        }
        let legs = join_all(running).await;

        let now = window.now;
        let failed: Vec<String> = legs
            .iter()
            .filter_map(|l| match &l.status {
                LegStatus::Failed { reason } => Some(reason.clone()),
                _ => None,
            })
            .collect();
        if !failed.is_empty() {
            step.say(format!(
                "run {}: {key} failed: {}",
                job.run_id,
                failed.join("; ")
            ));
            let outcome = JobOutcome::Failed {
                at: now,
                reason: failed.join("; "),
            };
            let completion = record_job(store, &job.run_id, &key, outcome, now).await?;
            self.forget_checkpoint(&checkpoint).await;
            return self.completed(&key, completion, step).await;
        }
        if let Some(next_link) = legs.iter().find_map(|l| match &l.status {
            LegStatus::Continue { next_link } => Some(next_link.clone()),
            _ => None,
        }) {
            let pages: u64 = legs.iter().map(|l| l.pages).sum();
            let saved = Checkpoint {
                run_id: job.run_id.clone(),
                job: key.clone(),
                legs,
            }
            .save(store)
            .await?;
            step.say(format!(
                "run {}: {key}: the job budget ran out after {pages} page(s); continuing in a new job",
                job.run_id
            ));
            step.jobs.push(JobMessage::Source(job.continued(Cursor {
                next_link: Some(next_link),
                partial: Some(saved.as_str().to_owned()),
                pages: u32::try_from(pages).unwrap_or(u32::MAX),
            })));
            return Ok(step);
        }

        let outcome = match self.complete(&window, legs).await? {
            Ok(result) => {
                result.save(store, &job.run_id, &key).await?;
                step.say(format!(
                    "run {}: {key} read: {} page(s), {} record(s)",
                    job.run_id, result.pages, result.records
                ));
                JobOutcome::Done { at: now }
            }
            Err(reason) => JobOutcome::Failed { at: now, reason },
        };
        let completion = record_job(store, &job.run_id, &key, outcome, now).await?;
        self.forget_checkpoint(&checkpoint).await;
        self.completed(&key, completion, step).await
    }

    /// Records a job that failed its last delivery as failed, so that the run finishes
    /// (partial) instead of waiting for it.
    pub async fn give_up(
        &self,
        job: &SourceJob,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<Step, RunError> {
        let key = job.source.key();
        let mut step = Step::default();
        step.say(format!(
            "run {}: {key} failed its last delivery ({why}); recorded as failed",
            job.run_id
        ));
        let outcome = JobOutcome::Failed {
            at: now,
            reason: format!("{key}: given up after {MAX_DEQUEUE_COUNT} deliveries: {why}"),
        };
        let completion = record_job(self.store.as_ref(), &job.run_id, &key, outcome, now).await?;
        self.completed(&key, completion, step).await
    }

    /// What follows a recorded job: reconciling the run when it was the last.
    async fn completed(
        &self,
        key: &str,
        completion: Completion,
        mut step: Step,
    ) -> Result<Step, RunError> {
        match completion {
            Completion::Last(ledger) => {
                step.say(format!(
                    "run {}: {key} was the last job; reconciling",
                    ledger.run_id
                ));
                self.finish(&ledger, &mut step).await?;
            }
            Completion::Recorded { remaining } => {
                step.say(format!(
                    "{key} recorded; {remaining} job(s) of the run remain"
                ));
            }
            Completion::AlreadyRecorded => {
                step.say(format!("{key} was recorded by another delivery"));
            }
        }
        Ok(step)
    }

    /// Saves the incremental state of the event legs and merges everything the legs read,
    /// with the days kept from earlier scans, into one result. `Err` (a reason) when the
    /// kept days changed under the run: the next run reads them again.
    async fn complete(
        &self,
        window: &RunWindow,
        legs: Vec<Leg>,
    ) -> Result<Result<SourceResult, String>, RunError> {
        let store = self.store.as_ref();
        let enforcement = window.enforcement();
        let mut agg = Aggregator::new(&window.settings);
        let mut result = SourceResult::default();
        for leg in legs {
            if let Some(event) = &leg.event {
                let Some(kept) = kept_days(
                    store,
                    &window.tenant,
                    &event.name,
                    event.window_start,
                    event.from,
                    enforcement,
                )
                .await?
                else {
                    return Ok(Err(format!(
                        "{}: the days kept from earlier scans changed during the run; the next run reads them again",
                        leg.job.source()
                    )));
                };
                let watermark = get_watermark(store, &window.tenant, &event.name)
                    .await?
                    .map(|w| w.through);
                let plan = SourcePlan {
                    source: event.name.clone(),
                    window_start: event.window_start,
                    from: event.from,
                    full: event.full,
                    kept: Vec::new(),
                    watermark,
                };
                incremental::save(
                    store,
                    &window.tenant,
                    &plan,
                    window.now,
                    leg.days.clone(),
                    leg.newest,
                    enforcement,
                )
                .await?;
                for partial in kept {
                    agg.merge_partial(partial);
                }
                if event.full {
                    result.full_reads.push(event.name.clone());
                } else {
                    result.incremental_reads.push(event.name.clone());
                }
            }
            for partial in leg.days.into_values() {
                agg.merge_partial(partial);
            }
            agg.merge_partial(leg.directory);
            result.pages += leg.pages;
            result.records += leg.records;
            result.refused += leg.refused;
            result.problems.extend(leg.problems);
        }
        result.partial = agg.into_partial();
        Ok(Ok(result))
    }

    async fn forget_checkpoint(&self, key: &crate::state::StateKey) {
        if let Err(e) = self.store.delete(key, Condition::Always).await {
            tracing::warn!(key = %key, error = %e, "cannot delete a finished job's checkpoint");
        }
    }
}
