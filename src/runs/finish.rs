//! Reconciling a run: merge every job's result into the report, keep it, reconcile the
//! tickets and plan one owner notice per owner.

use anyhow::Context as _;
use bytes::Bytes;

use super::legs::{Leg, LegStatus};
use super::notices::owner_messages;
use super::results::SourceResult;
use super::runner::{RunError, ScanRunner, Step};
use super::window::RunWindow;
use crate::detect::Aggregator;
use crate::jobs::{JobOutcome, RunId, RunLedger};
use crate::lifecycle::snapshot::WeeklySnapshot;
use crate::lifecycle::{apply, load_records, save_report, ApplyError, ScanContext};
use crate::report::model::ScanReport;
use crate::report::Scan;
use crate::sources::live::owners_needed;
use crate::sources::SourceJob;
use crate::state::{get_json, Condition, StateKey};
use crate::teams::digest::pending_broadcasts;
use crate::teams::notify::{plan, save_findings, PlanInput};

/// The state key that says a run was reconciled: `runs/<runId>.reconciled.json`.
fn reconciled_key(run_id: &RunId) -> Result<StateKey, crate::lifecycle::StoreError> {
    Ok(StateKey::parse(&format!("runs/{run_id}.reconciled.json"))?)
}

impl ScanRunner {
    /// Whether `run_id` was reconciled.
    pub async fn reconciled(&self, run_id: &RunId) -> Result<bool, RunError> {
        let mark: Option<serde_json::Value> =
            get_json(self.store.as_ref(), &reconciled_key(run_id)?).await?;
        Ok(mark.is_some())
    }

    /// Reconciles a finished run. Safe to run again (a redelivered last job): the report is
    /// replaced, tickets are found by key before one is created, and notices carry sent marks.
    pub async fn finish(&self, ledger: &RunLedger, step: &mut Step) -> Result<(), RunError> {
        let store = self.store.as_ref();
        let window = RunWindow::of(
            store,
            &self.env.tenant,
            &self.env.sources,
            ledger.tenant,
            ledger.created_at,
        )
        .await?;
        let tenant = window.tenant;
        let mut agg = Aggregator::new(&window.settings);
        let mut problems = Vec::new();
        for (key, outcome) in &ledger.outcomes {
            match outcome {
                JobOutcome::Done { .. } => {
                    match SourceResult::load(store, &ledger.run_id, key).await? {
                        Some(result) => {
                            agg.merge_partial(result.partial);
                            problems.extend(result.problems);
                        }
                        None => problems.push(format!("{key}: its result is missing from state")),
                    }
                }
                JobOutcome::Failed { reason, .. } => problems.push(reason.clone()),
            }
        }
        agg.cover(window.window_start, window.now);

        // Owners on demand: managers and sponsors of at-risk accounts the map does not cover.
        let need = owners_needed(&agg);
        if !need.is_empty() {
            match self.connections.of(tenant) {
                Ok(ctx) => {
                    let leg = Leg::new(SourceJob::Owners { users: need }, None)
                        .run(&ctx, &window.settings, None)
                        .await;
                    if let LegStatus::Failed { reason } = &leg.status {
                        problems.push(reason.clone());
                    }
                    problems.extend(leg.problems);
                    agg.merge_partial(leg.directory);
                }
                Err(e) => problems.push(format!("managers and sponsors: {e}")),
            }
        }
        let detection = agg.finish();
        let report = ScanReport::build(
            &detection,
            Some(tenant),
            window.enforcement(),
            window.now,
            problems,
        );
        let scan = Scan { report, detection };
        self.keep(&scan, &window)
            .await
            .map_err(RunError::Reconcile)?;
        step.say(format!(
            "run {}: {} account(s) scanned, {} at risk, {}",
            ledger.run_id,
            scan.report.summary.accounts_scanned,
            scan.report.summary.at_risk,
            if scan.report.complete {
                "complete".to_string()
            } else {
                format!("partial: {}", scan.report.problems.join("; "))
            }
        ));

        match self.tickets(&scan, &window, step).await {
            Ok(()) => {}
            Err(ApplyError::Unauthorized { .. }) => {} // said in the step; records are saved
            Err(e) => return Err(RunError::Reconcile(anyhow::Error::new(e))),
        }

        let records = load_records(store, &tenant).await?;
        let planned = plan(&PlanInput {
            tenant,
            scan_at: window.now,
            enforcement: scan.report.enforcement,
            findings: &scan.detection.findings,
            records: &records,
            settings: &window.settings,
            renotify_days: self.env.renotify_days,
            now: window.now,
        });
        let notices = owner_messages(store, &ledger.run_id, tenant, &planned.notices).await?;
        step.say(format!(
            "run {}: {} owner notice(s) about {} account(s) queued, {} account(s) not due",
            ledger.run_id,
            notices.len(),
            planned.accounts(),
            planned.skipped.len()
        ));
        step.notices = notices;
        step.broadcasts = pending_broadcasts(store, &tenant).await?;
        if !step.broadcasts.is_empty() {
            step.say(format!(
                "run {}: {} enforcement broadcast(s) that waited for a scan queued",
                ledger.run_id,
                step.broadcasts.len()
            ));
        }

        let mark = serde_json::json!({"runId": ledger.run_id, "at": window.now});
        store
            .put(
                &reconciled_key(&ledger.run_id)?,
                Bytes::from(mark.to_string()),
                Condition::Always,
            )
            .await?;
        self.clean_up(&ledger.run_id).await;
        Ok(())
    }

    /// Keeps the report (latest and previous), the findings and the weekly snapshot.
    async fn keep(&self, scan: &Scan, window: &RunWindow) -> anyhow::Result<()> {
        let store = self.store.as_ref();
        save_report(store, &window.tenant, &scan.report)
            .await
            .context("cannot keep the report in state")?;
        save_findings(store, &window.tenant, &scan.detection.findings)
            .await
            .context("cannot keep the findings in state")?;
        WeeklySnapshot::of(window.tenant, &scan.report, window.now)
            .save(store)
            .await
            .context("cannot save the weekly snapshot")?;
        Ok(())
    }

    /// Reconciles the tickets: a partial run opens and updates but resolves nothing.
    async fn tickets(
        &self,
        scan: &Scan,
        window: &RunWindow,
        step: &mut Step,
    ) -> Result<(), ApplyError> {
        let sink = match self.env.tickets.open(self.env.ticket_retry) {
            Ok(sink) => sink,
            Err(e) => {
                step.say(format!(
                    "tickets: the ticket system cannot be used ({e}); tickets wait for the next run"
                ));
                return Ok(());
            }
        };
        let ctx = ScanContext {
            tenant: window.tenant,
            at: window.now,
            complete: scan.report.complete,
            enforcement: scan.report.enforcement,
            settings: self.env.lifecycle,
        };
        match apply(
            self.store.as_ref(),
            sink.as_ref(),
            &scan.detection.findings,
            &ctx,
        )
        .await
        {
            Ok(r) => {
                step.say(format!(
                    "tickets: {} opened, {} updated, {} resolved, {} reopened, {} pending",
                    r.opened,
                    r.updated,
                    r.resolved,
                    r.reopened,
                    r.pending.len()
                ));
                Ok(())
            }
            Err(e @ ApplyError::Unauthorized { .. }) => {
                step.say(format!("tickets: {e}"));
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Deletes what the run's jobs kept (results, checkpoints); the ledger stays.
    async fn clean_up(&self, run_id: &RunId) {
        let store = self.store.as_ref();
        let prefix = format!("runs/{run_id}/");
        match store.list(&prefix).await {
            Ok(keys) => {
                for key in keys {
                    if let Err(e) = store.delete(&key, Condition::Always).await {
                        tracing::warn!(key = %key, error = %e, "cannot delete a finished run's state");
                    }
                }
            }
            Err(e) => {
                tracing::warn!(run = %run_id, error = %e, "cannot list a finished run's state")
            }
        }
    }
}
