//! The demo's Teams step: keep the scan report in state (latest and previous, for the
//! digest and chat) and its findings (for queued notices), then plan the owner notices that are due and write them to the Teams
//! outbox in the state folder. Like tickets, the demo never posts to a real webhook.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::lifecycle::{load_records, save_report};
use crate::report::Scan;
use crate::settings::TenantSettings;
use crate::state::StateStore;
use crate::teams::delivery::{OutboxSink, TeamsSink};
use crate::teams::notify::{deliver_all, plan, save_findings, PlanInput, RunReport};

/// Notices delivered at once (the outbox has no rate limit).
const CONCURRENCY: usize = 8;

/// What the Teams step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TeamsStep {
    /// Owner notices planned.
    pub notices: usize,
    /// Accounts in them.
    pub accounts: usize,
    /// Accounts not due (notified recently, acked, snoozed, no owner).
    pub not_due: usize,
    /// What delivering did.
    pub run: RunReport,
}

/// Saves the report and delivers the due owner notices to `sink`.
pub(super) async fn notify(
    scan: &Scan,
    store: &dyn StateStore,
    sink: &dyn TeamsSink,
    settings: &TenantSettings,
    renotify_days: u32,
    now: DateTime<Utc>,
) -> anyhow::Result<TeamsStep> {
    let tenant = scan
        .report
        .tenant_id
        .context("the scan names no tenant (set tenant_id in stepup.toml or STEPUP_TENANT_ID)")?;
    save_report(store, &tenant, &scan.report)
        .await
        .context("cannot keep the report in state")?;
    save_findings(store, &tenant, &scan.detection.findings)
        .await
        .context("cannot keep the findings in state")?;
    let records = load_records(store, &tenant)
        .await
        .context("cannot read the account records")?;
    let plan = plan(&PlanInput {
        tenant,
        scan_at: now,
        enforcement: scan.report.enforcement,
        findings: &scan.detection.findings,
        records: &records,
        settings,
        renotify_days,
        now,
    });
    let run = deliver_all(&plan.notices, sink, store, now, CONCURRENCY).await;
    if let Some((owner, error)) = run.failed.first() {
        anyhow::bail!("the notice to {owner} was not written: {error}");
    }
    Ok(TeamsStep {
        notices: plan.notices.len(),
        accounts: plan.accounts(),
        not_due: plan.skipped.len(),
        run,
    })
}

/// Runs the Teams step of `stepup demo` in `state` and prints one line about it.
pub(super) fn run(
    scan: &Scan,
    state: &Path,
    settings: &TenantSettings,
    renotify_days: u32,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let outbox = state.join("teams");
    let store = super::backends::local_store(state);
    let sink = OutboxSink::new(&outbox);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let step = runtime.block_on(notify(
        scan,
        store.as_ref(),
        &sink,
        settings,
        renotify_days,
        now,
    ))?;
    println!(
        "teams: {} owner notices ({} messages) about {} accounts, {} not due: {}",
        step.notices,
        step.run.messages,
        step.accounts,
        step.not_due,
        outbox.display()
    );
    Ok(())
}
