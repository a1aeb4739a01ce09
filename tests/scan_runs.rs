//! The scan runner (issue #7) in process against the Azure fake: a run queued as plan and
//! source jobs gives the report of the in-process live scan, however its jobs are cut by the
//! budget, killed and delivered again; a source that stays broken makes the run partial, and
//! a partial run resolves no ticket. The queue is a FIFO of the messages each job returns.

#[path = "azure_fake/mod.rs"]
mod azure_fake;
#[path = "live_support/mod.rs"]
mod live_support;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use azure_fake::{Endpoint, FaultRule, Faults, PageSizes};
use live_support::*;
use stepup::ids::TenantId;
use stepup::jobs::{plan_scan, JobMessage, OwnerNotice};
use stepup::lifecycle::{load_records, load_report, LifecycleSettings, ReportSlot};
use stepup::report::model::ScanReport;
use stepup::runs::{RunEnv, ScanRunner};
use stepup::sources::http::{ReportLimiter, RetryPolicy};
use stepup::sources::{live_scan, ConnectOptions, LiveScanOptions, NoProgress, SourcesSettings};
use stepup::state::{LocalDirStore, StateStore};
use stepup::tickets::factory::TicketConfig;

const USERS: usize = 400;
const DAYS: u32 = 14;

/// A runner on `store` against the fake, with a job budget of `budget`.
fn runner(
    fake: &azure_fake::AzureFake,
    t: &Tenant,
    sources: &SourcesSettings,
    store: Arc<dyn StateStore>,
    tickets: &std::path::Path,
    budget: Duration,
) -> ScanRunner {
    let env = RunEnv {
        tenant: t.settings(),
        sources: sources.clone(),
        identity: secret_identity(fake),
        lifecycle: LifecycleSettings {
            resolve_after_scans: 1,
            ..LifecycleSettings::default()
        },
        tickets: TicketConfig::file_outbox(tickets),
        ticket_retry: stepup::tickets::http::RetryPolicy::fast(),
        renotify_days: 7,
        job_budget: budget,
        connect: ConnectOptions {
            http: Some(http_client(fake)),
            policy: Some(RetryPolicy::fast()),
            limiter: Some(Arc::new(ReportLimiter::new(sources.graph_report_rate))),
            ..ConnectOptions::default()
        },
    };
    ScanRunner::new(env, store)
}

/// What a pumped run did.
#[derive(Debug, Default)]
struct Pumped {
    invocations: usize,
    continuations: usize,
    notices: Vec<OwnerNotice>,
    broadcasts: Vec<stepup::jobs::Broadcast>,
    log: Vec<String>,
}

/// Runs one scan of `tenant` through the runner: a plan job, then every message the jobs
/// return, in order, until the queue is empty. `kill` is asked before each source job
/// whether to kill it mid-flight (the job is dropped after `kill_after` and its message
/// delivered again, as the queue does when a worker dies).
async fn pump(
    runner: &ScanRunner,
    tenant: TenantId,
    at: chrono::DateTime<chrono::Utc>,
    mut kill: impl FnMut(usize) -> Option<Duration>,
) -> Pumped {
    let mut queue: VecDeque<JobMessage> = plan_scan(&[tenant], "test", "test", at).into();
    let mut out = Pumped::default();
    while let Some(message) = queue.pop_front() {
        out.invocations += 1;
        if let JobMessage::Source(s) = &message {
            if s.cursor.is_some() {
                out.continuations += 1;
            }
            if let Some(after) = kill(out.invocations) {
                // Killed mid-job: no output, the message comes back.
                let _ = tokio::time::timeout(after, runner.run(&message, at, false)).await;
                queue.push_front(message);
                continue;
            }
        }
        let (step, given_up) = runner.run(&message, at, false).await;
        assert!(given_up.is_none());
        let step = step.unwrap_or_else(|e| panic!("{message:?}: {e}"));
        queue.extend(step.jobs);
        out.notices.extend(step.notices);
        out.broadcasts.extend(step.broadcasts);
        out.log.extend(step.log);
    }
    out
}

/// Accounts, severities, signals and owners of a report, plus its summary.
fn essence(report: &ScanReport) -> serde_json::Value {
    serde_json::json!({
        "summary": report.summary,
        "complete": report.complete,
        "accounts": report.accounts.iter().map(|a| serde_json::json!({
            "id": a.user_id, "severity": a.severity, "signals": a.signals, "owner": a.owner,
        })).collect::<Vec<_>>(),
    })
}

async fn stored_report(store: &dyn StateStore, tenant: &TenantId) -> ScanReport {
    load_report(store, tenant, ReportSlot::Latest)
        .await
        .expect("read report")
        .expect("a report was kept")
}

async fn in_process_live_scan(
    fake: &azure_fake::AzureFake,
    t: &Tenant,
    sources: &SourcesSettings,
) -> ScanReport {
    let ctx = context(fake, &secret_identity(fake), sources, RetryPolicy::fast());
    live_scan(
        &ctx,
        LiveScanOptions {
            tenant: &t.settings(),
            sources,
            store: None,
            now: t.end(),
            progress: &NoProgress,
        },
    )
    .await
    .expect("live scan")
    .scan
    .report
}

/// Files below `dir`, recursively.
fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| {
                if e.path().is_dir() {
                    count_files(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

fn small_pages() -> PageSizes {
    PageSizes {
        sign_ins: 200,
        registration: 80,
        activity: 60,
        arm_list: 20,
        ..PageSizes::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_run_equals_the_live_scan_however_its_jobs_are_cut() {
    let t = Tenant::new(USERS, DAYS, 21);
    let mut options = scaled(4, 100);
    options.pages = small_pages();
    let fake = serve(t.path(), t.id(), options);
    // The client believes in a higher rate than the fake's: the fake throttles.
    let sources = sources(&fake, DAYS, "10/100ms");
    let want = essence(&in_process_live_scan(&fake, &t, &sources).await);
    assert!(
        want["summary"]["atRisk"].as_u64().unwrap_or(0) > 10,
        "{want}"
    );

    // Whole jobs.
    let state = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(state.path()));
    let tickets = state.path().join("tickets");
    let r = runner(
        &fake,
        &t,
        &sources,
        store.clone(),
        &tickets,
        Duration::from_secs(600),
    );
    let whole = pump(&r, t.id(), t.end(), |_| None).await;
    let report = stored_report(store.as_ref(), &t.id()).await;
    assert_eq!(essence(&report), want);
    assert_eq!(whole.continuations, 0);
    // A plan, 3 tenant jobs and 2 per subscription.
    let subs = azure_fake::FakeTenant::load(t.path(), t.id())
        .expect("tenant")
        .subscription_ids()
        .len();
    assert_eq!(whole.invocations, 1 + 3 + 2 * subs, "{:?}", whole.log);
    assert!(
        fake.counters().of(Endpoint::SignIns).throttled
            + fake.counters().of(Endpoint::Registration).throttled
            > 0,
        "the fake throttled the run"
    );

    // Tickets: one per account that has one, in the outbox; notices: one message per owner
    // naming exactly the accounts of that owner the report lists.
    let records = load_records(store.as_ref(), &t.id())
        .await
        .expect("records");
    let ticketed = records.iter().filter(|r| r.ticket.is_some()).count();
    let files = count_files(&tickets);
    assert!(ticketed > 0 && files >= ticketed, "{ticketed} {files}");
    let mut owners: Vec<String> = whole
        .notices
        .iter()
        .map(|n| n.owner.to_lowercase())
        .collect();
    owners.sort();
    let before = owners.len();
    owners.dedup();
    assert_eq!(before, owners.len(), "one notice per owner");
    let mut noticed: Vec<_> = whole
        .notices
        .iter()
        .flat_map(|n| n.accounts.clone())
        .collect();
    noticed.sort();
    let mut owned: Vec<_> = report
        .accounts
        .iter()
        .filter(|a| a.owner.is_some())
        .map(|a| a.user_id)
        .collect();
    owned.sort();
    assert_eq!(
        noticed, owned,
        "every owned at-risk account is in one notice"
    );

    // Cut at every page, and killed mid-job now and then, into fresh state: the same report.
    let state = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(state.path()));
    let r = runner(
        &fake,
        &t,
        &sources,
        store.clone(),
        &state.path().join("tickets"),
        Duration::ZERO,
    );
    let mut kills = 0;
    let cut = pump(&r, t.id(), t.end(), |n| {
        (n % 7 == 3 && kills < 6).then(|| {
            kills += 1;
            Duration::from_millis(30)
        })
    })
    .await;
    assert!(kills >= 3, "{kills}");
    assert!(
        cut.continuations > 20,
        "every page ends a job: {}",
        cut.continuations
    );
    let report = stored_report(store.as_ref(), &t.id()).await;
    assert_eq!(essence(&report), want);
    let leftovers = store.list("runs/").await.expect("list");
    assert!(
        leftovers
            .iter()
            .all(|k| !k.as_str().contains("/checkpoints/") && !k.as_str().contains("/results/")),
        "a reconciled run leaves only its ledger: {leftovers:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_run_says_what_failed_and_resolves_no_ticket() {
    let t = Tenant::new(300, 7, 22);
    let fake = serve(t.path(), t.id(), scaled(5, 100));
    let sources = sources(&fake, 7, "5/100ms");
    let state = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(state.path()));
    let r = runner(
        &fake,
        &t,
        &sources,
        store.clone(),
        &state.path().join("tickets"),
        Duration::from_secs(600),
    );
    // A Service Health broadcast that came before any scan waited in state: the first run
    // queues it (its card shows the run's report).
    let waiting = stepup::jobs::Broadcast {
        tenant: t.id(),
        enforcement_date: None,
        notice: stepup::jobs::NoticeRef {
            tracking_id: Some("YT4M-9QZ".into()),
            communication_id: None,
            title: "Mandatory MFA for Azure Resource Manager".into(),
            published_at: None,
        },
        dedupe_key: "alert-1/YT4M-9QZ/comm-1".into(),
    };
    stepup::teams::digest::defer_broadcast(store.as_ref(), &waiting)
        .await
        .expect("defer");
    let run = pump(&r, t.id(), t.end(), |_| None).await;
    assert_eq!(run.broadcasts, vec![waiting]);
    let first = stored_report(store.as_ref(), &t.id()).await;
    assert!(first.complete);
    let open = |records: &[stepup::lifecycle::AccountRecord]| {
        records
            .iter()
            .filter(|r| r.ticket.as_ref().is_some_and(|t| !t.resolved))
            .count()
    };
    let opened = open(
        &load_records(store.as_ref(), &t.id())
            .await
            .expect("records"),
    );
    assert!(opened > 5, "{opened}");

    // The sign-ins stay broken: most findings vanish, but nothing may be resolved.
    fake.set_faults(Faults::none().rule(FaultRule::status(500).on(Endpoint::SignIns).page(1)));
    let later = t.end() + chrono::Duration::hours(1);
    let partial = pump(&r, t.id(), later, |_| None).await;
    let second = stored_report(store.as_ref(), &t.id()).await;
    assert!(!second.complete);
    assert!(
        second.problems.iter().any(|p| p.contains("sign-ins")),
        "{:?}",
        second.problems
    );
    assert!(second.summary.at_risk < first.summary.at_risk);
    let records = load_records(store.as_ref(), &t.id())
        .await
        .expect("records");
    assert_eq!(
        open(&records),
        opened,
        "no ticket resolved: {:?}",
        partial.log
    );

    // A complete run that sees the same shrinking (the sign-ins left the look-back) does
    // resolve: only the partial data held the tickets open.
    fake.set_faults(Faults::none());
    let run = pump(&r, t.id(), t.end() + chrono::Duration::days(10), |_| None).await;
    let third = stored_report(store.as_ref(), &t.id()).await;
    assert!(third.complete, "{:?}", third.problems);
    assert!(third.summary.at_risk < first.summary.at_risk);
    let records = load_records(store.as_ref(), &t.id())
        .await
        .expect("records");
    assert!(open(&records) < opened, "{:?}", run.log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_tenants_run_side_by_side_without_mixing() {
    // An MSP's tenants (STEPUP_TENANTS): one multi-tenant app, one fake serving both.
    let a = Tenant::new(250, 7, 23);
    let b = Tenant::new(250, 7, 24);
    assert_ne!(a.id(), b.id());
    let fake = azure_fake::AzureFake::start_many(
        vec![
            azure_fake::FakeTenant::load(a.path(), a.id()).expect("tenant a"),
            azure_fake::FakeTenant::load(b.path(), b.id()).expect("tenant b"),
        ],
        scaled(5, 100),
    )
    .expect("fake");
    let sources = sources(&fake, 7, "5/100ms");
    let state = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(state.path()));
    let r = runner(
        &fake,
        &a,
        &sources,
        store.clone(),
        &state.path().join("tickets"),
        Duration::from_secs(600),
    );

    // Both plans on one queue: their jobs interleave.
    let mut queue: VecDeque<JobMessage> =
        plan_scan(&[a.id(), b.id()], "test", "test", a.end()).into();
    let mut notices = Vec::new();
    while let Some(message) = queue.pop_front() {
        let (step, _) = r.run(&message, a.end(), false).await;
        let step = step.expect("job");
        queue.extend(step.jobs);
        notices.extend(step.notices);
    }
    for t in [&a, &b] {
        // Each tenant is scanned with the shared settings and its own id.
        let mut settings = a.settings();
        settings.tenant_id = Some(t.id());
        let ctx = stepup::sources::connect(
            &secret_identity(&fake),
            &sources,
            t.id(),
            ConnectOptions {
                http: Some(http_client(&fake)),
                policy: Some(RetryPolicy::fast()),
                ..ConnectOptions::default()
            },
        )
        .expect("connect");
        let want = live_scan(
            &ctx,
            LiveScanOptions {
                tenant: &settings,
                sources: &sources,
                store: None,
                now: a.end(),
                progress: &NoProgress,
            },
        )
        .await
        .expect("live scan")
        .scan
        .report;
        let got = stored_report(store.as_ref(), &t.id()).await;
        assert_eq!(got.tenant_id, Some(t.id()));
        assert!(got.summary.at_risk > 5);
        assert_eq!(essence(&got), essence(&want));
        let ids: std::collections::HashSet<_> = got.accounts.iter().map(|x| x.user_id).collect();
        for n in notices.iter().filter(|n| n.tenant == t.id()) {
            assert!(n.accounts.iter().all(|id| ids.contains(id)), "{n:?}");
        }
    }
    assert!(notices.iter().any(|n| n.tenant == a.id()));
    assert!(notices.iter().any(|n| n.tenant == b.id()));
}
