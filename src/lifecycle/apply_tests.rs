//! Applying plans against the in-memory store and sink: exactly once, faults, the whole
//! lifecycle, and the other lifecycle state (snapshots, alerts, watermarks).

use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use chrono::Duration;

use crate::state::{Condition, ETag, StateError, StateKey, StateStore, Versioned};
use crate::tickets::{TicketKey, TicketState};

use super::alerts::{alert_key, mark_processed, processed};
use super::apply::{apply, load_records, ApplyError, DOWN_AFTER};
use super::record::{AccountRecord, AccountState};
use super::testkit::{critical, day, scan, tenant, user, Fault, MemorySink, MemoryStore};
use super::watermark::{get_watermark, put_watermark, Watermark};

fn key(n: u8) -> TicketKey {
    TicketKey {
        tenant: tenant(),
        user: user(n),
    }
}

async fn record(store: &MemoryStore, n: u8) -> AccountRecord {
    let records = load_records(store, &tenant()).await.unwrap();
    records.into_iter().find(|r| r.user_id == user(n)).unwrap()
}

/// A store whose writes fail while `down` is set (a process killed before saving).
#[derive(Default)]
struct DownStore {
    inner: MemoryStore,
    down: AtomicBool,
}

#[async_trait]
impl StateStore for DownStore {
    async fn get(&self, key: &StateKey) -> Result<Option<Versioned>, StateError> {
        self.inner.get(key).await
    }
    async fn put(&self, key: &StateKey, body: Bytes, c: Condition) -> Result<ETag, StateError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StateError::Failed {
                key: key.to_string(),
                message: "killed".into(),
            });
        }
        self.inner.put(key, body, c).await
    }
    async fn delete(&self, key: &StateKey, c: Condition) -> Result<(), StateError> {
        self.inner.delete(key, c).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<StateKey>, StateError> {
        self.inner.list(prefix).await
    }
}

#[tokio::test]
async fn opens_once_and_a_second_run_changes_nothing() {
    let store = MemoryStore::default();
    let sink = MemorySink::default();
    let report = apply(&store, &sink, &[critical(1), critical(2)], &scan(0, true))
        .await
        .unwrap();
    assert_eq!((report.opened, report.records_written), (2, 2));
    assert!(report.pending.is_empty());
    let t = sink.ticket(&key(1)).unwrap();
    assert_eq!(
        t.draft.title,
        "[stepup] critical: svc-1@contoso.com breaks under Azure MFA enforcement"
    );
    assert_eq!(
        t.draft.assignee.as_deref(),
        Some("platform-team@contoso.com")
    );
    // Enforced since 2025-10-01: due 14 days after the scan.
    assert_eq!(t.draft.due, (day(0) + Duration::days(14)).date_naive());
    let r = record(&store, 1).await;
    assert_eq!(r.ticket.as_ref().unwrap().id, "1");
    assert_eq!(r.due, Some(t.draft.due));
    assert!(!r.ticket_pending());

    sink.calls.lock().unwrap().clear();
    let report = apply(&store, &sink, &[critical(1), critical(2)], &scan(1, true))
        .await
        .unwrap();
    assert_eq!(report.opened + report.updated, 0);
    assert!(
        sink.calls.lock().unwrap().is_empty(),
        "nothing to tell the ticket system"
    );
    assert_eq!(record(&store, 1).await.last_seen, day(1));
}

#[tokio::test]
async fn a_crash_between_create_and_save_leaves_exactly_one_ticket() {
    let store = DownStore::default();
    let sink = MemorySink::default();
    store.down.store(true, Ordering::SeqCst);
    let err = apply(&store, &sink, &[critical(1)], &scan(0, true))
        .await
        .unwrap_err();
    assert!(matches!(err, ApplyError::State(_)), "{err}");
    assert_eq!(sink.count(&key(1)), 1, "created before the crash");
    assert!(store.inner.keys().is_empty(), "nothing saved");

    store.down.store(false, Ordering::SeqCst);
    apply(&store, &sink, &[critical(1)], &scan(1, true))
        .await
        .unwrap();
    assert_eq!(sink.count(&key(1)), 1, "found by key, not created again");
    let r = record(&store.inner, 1).await;
    assert_eq!(r.ticket.as_ref().unwrap().id, "1");
    assert!(r.history.iter().any(|t| t.event.contains("found by key")));
}

#[tokio::test]
async fn a_failing_ticket_system_leaves_the_ticket_pending_until_the_next_run() {
    for fault in [Fault::ServerError, Fault::Throttled] {
        let store = MemoryStore::default();
        let sink = MemorySink::default();
        sink.fail_next(&[fault]);
        let report = apply(&store, &sink, &[critical(1)], &scan(0, true))
            .await
            .unwrap();
        assert_eq!(report.opened, 0);
        assert_eq!(report.pending.len(), 1, "{fault:?}");
        assert_eq!(sink.count(&key(1)), 0);
        let r = record(&store, 1).await;
        assert_eq!(r.ticket_label(), "ticket pending");
        assert_eq!(r.pending.as_ref().unwrap().attempts, 1);
        assert!(r.pending.as_ref().unwrap().last_error.contains("memory"));

        let report = apply(&store, &sink, &[critical(1)], &scan(1, true))
            .await
            .unwrap();
        assert_eq!(report.opened, 1);
        assert_eq!(sink.count(&key(1)), 1);
        let r = record(&store, 1).await;
        assert!(r.pending.is_none() && !r.ticket_pending());
    }
}

#[tokio::test]
async fn a_ticket_system_down_for_the_run_is_not_called_for_every_account() {
    // Found by the fault matrix: with the ticket API answering 5xx to everything, every
    // account spent the sink's retries (28 accounts: 2½ minutes in one reconcile job).
    let store = MemoryStore::default();
    let sink = MemorySink::default();
    sink.fail_next(&[Fault::ServerError; 1000]);
    let findings: Vec<_> = (1..=10).map(critical).collect();
    let report = apply(&store, &sink, &findings, &scan(0, true))
        .await
        .unwrap();
    assert_eq!(report.opened, 0);
    assert_eq!(report.pending.len(), 10, "every account stays pending");
    let calls = sink.calls.lock().unwrap().len();
    assert_eq!(
        calls, DOWN_AFTER,
        "no call after {DOWN_AFTER} failures in a row"
    );
    let r = record(&store, 10).await;
    assert!(r.pending.unwrap().last_error.contains("not called"));

    // One failure between successes does not stop the run; the next run opens the rest.
    let sink = MemorySink::default();
    sink.fail_next(&[Fault::ServerError]);
    let report = apply(&store, &sink, &findings, &scan(1, true))
        .await
        .unwrap();
    assert_eq!((report.opened, report.pending.len()), (9, 1));
    let report = apply(&store, &sink, &findings, &scan(2, true))
        .await
        .unwrap();
    assert_eq!(report.opened, 1);
    assert!((1..=10).all(|n| sink.count(&key(n)) == 1));
}

#[tokio::test]
async fn a_refused_credential_is_a_clear_error_and_loses_nothing() {
    let store = MemoryStore::default();
    let sink = MemorySink::default();
    sink.fail_next(&[Fault::Unauthorized]);
    let err = apply(&store, &sink, &[critical(1), critical(2)], &scan(0, true))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(
        err,
        ApplyError::Unauthorized {
            system: "memory",
            pending: 2,
            ..
        }
    ));
    assert!(
        text.contains("memory refused stepup's credential"),
        "{text}"
    );
    assert!(text.contains("token expired"), "{text}");
    assert!(text.contains("setting"), "{text}");
    assert_eq!(
        sink.calls.lock().unwrap().len(),
        1,
        "no more calls after a 401"
    );
    assert!(record(&store, 2).await.ticket_pending());

    apply(&store, &sink, &[critical(1), critical(2)], &scan(1, true))
        .await
        .unwrap();
    assert_eq!((sink.count(&key(1)), sink.count(&key(2))), (1, 1));
}

#[tokio::test]
async fn the_whole_lifecycle_reaches_the_ticket_system() {
    let store = MemoryStore::default();
    let sink = MemorySink::default();
    apply(&store, &sink, &[critical(1)], &scan(0, true))
        .await
        .unwrap();
    apply(&store, &sink, &[], &scan(1, true)).await.unwrap();
    apply(&store, &sink, &[], &scan(2, false)).await.unwrap();
    assert_eq!(sink.ticket(&key(1)).unwrap().state, TicketState::Open);
    let report = apply(&store, &sink, &[], &scan(3, true)).await.unwrap();
    assert_eq!(report.resolved, 1);
    let t = sink.ticket(&key(1)).unwrap();
    assert_eq!(t.state, TicketState::Resolved);
    assert!(t.notes.last().unwrap().contains("Resolved by stepup"));
    assert!(matches!(
        record(&store, 1).await.state,
        AccountState::Resolved { .. }
    ));

    let report = apply(&store, &sink, &[critical(1)], &scan(9, true))
        .await
        .unwrap();
    assert_eq!(report.reopened, 1);
    assert_eq!(sink.count(&key(1)), 1);
    assert_eq!(sink.ticket(&key(1)).unwrap().state, TicketState::Open);
    let r = record(&store, 1).await;
    assert_eq!(r.state, AccountState::AtRisk);
    assert!(r
        .history
        .iter()
        .any(|t| t.event.starts_with("ticket reopened")));
}

#[tokio::test]
async fn alerts_are_processed_once_and_watermarks_only_move_forward() {
    let store = MemoryStore::default();
    let id = "/subscriptions/x/providers/Microsoft.ResourceHealth/events/VN_1-2 _";
    assert!(mark_processed(&store, &tenant(), id, day(0)).await.unwrap());
    assert!(!mark_processed(&store, &tenant(), id, day(1)).await.unwrap());
    assert_eq!(
        processed(&store, &tenant(), id)
            .await
            .unwrap()
            .unwrap()
            .processed_at,
        day(0)
    );
    let k = alert_key(&tenant(), id).unwrap();
    assert!(k.as_str().ends_with("_2Fsubscriptions_2Fx_2Fproviders_2FMicrosoft.ResourceHealth_2Fevents_2FVN_5F1-2_20_5F.json"), "{k}");
    assert_ne!(
        alert_key(&tenant(), "a_b").unwrap(),
        alert_key(&tenant(), "a/b").unwrap()
    );

    let mark = |n| Watermark {
        through: day(n),
        updated_at: day(n),
        cursor: None,
    };
    put_watermark(&store, &tenant(), "signIns", mark(5))
        .await
        .unwrap();
    let kept = put_watermark(&store, &tenant(), "signIns", mark(3))
        .await
        .unwrap();
    assert_eq!(kept.through, day(5));
    assert_eq!(
        get_watermark(&store, &tenant(), "signIns")
            .await
            .unwrap()
            .unwrap()
            .through,
        day(5)
    );
    assert!(get_watermark(&store, &tenant(), "../x").await.is_err());
}

#[tokio::test]
async fn a_fix_before_any_ticket_leaves_nothing_pending() {
    let store = MemoryStore::default();
    let sink = MemorySink::default();
    sink.fail_next(&[Fault::ServerError]);
    apply(&store, &sink, &[critical(1)], &scan(0, true))
        .await
        .unwrap();
    apply(&store, &sink, &[], &scan(1, true)).await.unwrap();
    let report = apply(&store, &sink, &[], &scan(2, true)).await.unwrap();
    assert_eq!(report.resolved, 0, "no ticket to resolve");
    let r = record(&store, 1).await;
    assert!(matches!(r.state, AccountState::Resolved { .. }));
    assert!(!r.ticket_pending());
    assert_eq!(sink.count(&key(1)), 0);
}

#[tokio::test]
async fn weekly_snapshots_keep_the_latest_complete_scan_of_the_week() {
    use super::snapshot::{iso_week, WeeklySnapshot};
    use crate::detect::model::Detection;
    use crate::report::model::ScanReport;

    let store = MemoryStore::default();
    let report = |findings: Vec<crate::detect::model::Finding>, complete: bool| {
        let detection = Detection {
            accounts_scanned: 10,
            findings,
            ..Detection::default()
        };
        let problems = if complete {
            vec![]
        } else {
            vec!["x".to_string()]
        };
        let date = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        ScanReport::build(&detection, Some(tenant()), date, day(0), problems)
    };
    assert_eq!(iso_week(day(0)), "2026-W44");
    let two = WeeklySnapshot::of(
        tenant(),
        &report(vec![critical(2), critical(1)], true),
        day(0),
    );
    assert_eq!(two.at_risk, [user(1), user(2)]);
    assert!((two.readiness_percent - 80.0).abs() < 1e-9);
    two.save(&store).await.unwrap();

    let partial = WeeklySnapshot::of(
        tenant(),
        &report(vec![], false),
        day(0) + Duration::hours(1),
    );
    partial.save(&store).await.unwrap();
    let week = iso_week(day(0));
    let kept = WeeklySnapshot::load(&store, &tenant(), &week)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept, two,
        "an incomplete scan never replaces a complete one"
    );

    let later = WeeklySnapshot::of(
        tenant(),
        &report(vec![critical(1)], true),
        day(0) + Duration::hours(2),
    );
    later.save(&store).await.unwrap();
    let kept = WeeklySnapshot::load(&store, &tenant(), &week)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.at_risk, [user(1)]);
    assert_eq!(
        kept.by_severity[&crate::detect::model::Severity::Critical],
        1
    );
}

#[tokio::test]
async fn with_the_file_outbox_a_crash_and_rerun_leave_one_ticket_then_resolve_it() {
    use crate::tickets::file::FileSink;
    use crate::tickets::TicketSink;

    let dir = tempfile::tempdir().unwrap();
    let sink = FileSink::new(dir.path());
    let store = DownStore::default();
    store.down.store(true, Ordering::SeqCst);
    assert!(apply(&store, &sink, &[critical(1)], &scan(0, true))
        .await
        .is_err());
    store.down.store(false, Ordering::SeqCst);
    apply(&store, &sink, &[critical(1)], &scan(1, true))
        .await
        .unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(
        text.contains("breaks under Azure MFA enforcement"),
        "{text}"
    );

    apply(&store, &sink, &[], &scan(2, true)).await.unwrap();
    apply(&store, &sink, &[], &scan(3, true)).await.unwrap();
    let found = sink.find(&key(1)).await.unwrap().unwrap();
    assert_eq!(found.state, TicketState::Resolved);
    let r = record(&store.inner, 1).await;
    assert_eq!(r.ticket.as_ref().unwrap().system, "file");
}

#[tokio::test]
async fn a_ticket_in_a_system_no_longer_configured_is_found_or_opened_in_the_new_one() {
    use crate::detect::model::{Severity, Signal};
    use crate::tickets::file::FileSink;

    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::default();
    apply(
        &store,
        &FileSink::new(dir.path()),
        &[critical(1)],
        &scan(0, true),
    )
    .await
    .unwrap();
    assert_eq!(record(&store, 1).await.ticket.unwrap().system, "file");

    let sink = MemorySink::default();
    let changed = super::testkit::finding(1, Severity::High, &[Signal::SingleFactorArmWrite]);
    apply(&store, &sink, &[changed], &scan(1, true))
        .await
        .unwrap();
    assert_eq!(sink.count(&key(1)), 1);
    assert_eq!(sink.calls.lock().unwrap()[..2], ["find", "create"]);
    let r = record(&store, 1).await;
    assert_eq!(r.ticket.as_ref().unwrap().system, "memory");
    assert!(!r.ticket_pending());
}
