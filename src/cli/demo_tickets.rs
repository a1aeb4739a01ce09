//! The demo's ticket step: reconcile the scan into the local state and write the tickets to
//! the local outbox.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::lifecycle::snapshot::WeeklySnapshot;
use crate::lifecycle::{apply, ApplyReport, LifecycleSettings, ScanContext};
use crate::report::Scan;
use crate::state::StateStore;
use crate::tickets::TicketSink;

/// Reconciles `scan` into `store` and applies the ticket actions to `sink`.
pub(super) fn track(
    scan: &Scan,
    store: &dyn StateStore,
    sink: &dyn TicketSink,
    settings: LifecycleSettings,
    now: DateTime<Utc>,
) -> anyhow::Result<ApplyReport> {
    let tenant = scan
        .report
        .tenant_id
        .context("the scan names no tenant (set tenant_id in stepup.toml or STEPUP_TENANT_ID)")?;
    let ctx = ScanContext {
        tenant,
        at: now,
        complete: scan.report.complete,
        enforcement: scan.report.enforcement,
        settings,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        WeeklySnapshot::of(tenant, &scan.report, now)
            .save(store)
            .await
            .context("cannot save the weekly snapshot")?;
        Ok(apply(store, sink, &scan.detection.findings, &ctx).await?)
    })
}

/// Runs the ticket step of `stepup demo` in `state` and prints one line about it.
/// The demo always writes to the file outbox inside its own state folder, whatever ticket
/// system the environment names: it never touches a real ticket system.
pub(super) fn run(
    scan: &Scan,
    state: &Path,
    settings: LifecycleSettings,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let outbox = state.join("tickets");
    let store = super::backends::local_store(state);
    let sink = super::backends::outbox_sink(&outbox);
    let r = track(scan, store.as_ref(), sink.as_ref(), settings, now)?;
    println!(
        "tickets: {} opened, {} updated, {} resolved, {} reopened, {} pending: {}",
        r.opened,
        r.updated,
        r.resolved,
        r.reopened,
        r.pending.len(),
        outbox.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::model::Detection;
    use crate::lifecycle::testkit::{critical, day, tenant, MemorySink, MemoryStore};
    use crate::report::model::ScanReport;

    fn scan_of(findings: Vec<crate::detect::model::Finding>, complete: bool) -> Scan {
        let detection = Detection {
            accounts_scanned: 10,
            findings,
            ..Detection::default()
        };
        let problems = if complete {
            vec![]
        } else {
            vec!["signIns.json: line 3".into()]
        };
        let date = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        let report = ScanReport::build(&detection, Some(tenant()), date, day(0), problems);
        Scan { report, detection }
    }

    #[test]
    fn the_demo_scan_opens_then_resolves_tickets() {
        let store = MemoryStore::default();
        let sink = MemorySink::default();
        let s = LifecycleSettings::default();
        let r = track(&scan_of(vec![critical(1)], true), &store, &sink, s, day(0)).unwrap();
        assert_eq!(r.opened, 1);
        let r = track(&scan_of(vec![], false), &store, &sink, s, day(1)).unwrap();
        assert_eq!(r.resolved, 0);
        track(&scan_of(vec![], true), &store, &sink, s, day(2)).unwrap();
        let r = track(&scan_of(vec![], true), &store, &sink, s, day(3)).unwrap();
        assert_eq!(r.resolved, 1);

        let mut no_tenant = scan_of(vec![critical(1)], true);
        no_tenant.report.tenant_id = None;
        let err = track(&no_tenant, &store, &sink, s, day(4)).unwrap_err();
        assert!(err.to_string().contains("tenant_id"), "{err}");
        let weeks: Vec<String> = store
            .keys()
            .into_iter()
            .filter(|k| k.starts_with("snapshots/"))
            .collect();
        // Day 0 is Sunday 2026-11-01 (week 44); days 1-4 fall in week 45.
        assert_eq!(
            weeks,
            [
                format!("snapshots/{}/2026-W44.json", tenant()),
                format!("snapshots/{}/2026-W45.json", tenant())
            ]
        );
    }
}
