//! Acceptance of the live sources (issue #4) against the Azure fake: the live scan of a
//! synthetic tenant is the offline scan of the same tenant, with the fake applying or
//! ignoring `$filter`, under injected 5xx and active throttling; a page that stays broken
//! makes the report incomplete and names the source; incremental scans equal full ones.

#[path = "azure_fake/mod.rs"]
mod azure_fake;
#[path = "live_support/mod.rs"]
mod live_support;

use chrono::{Duration, Utc};

use azure_fake::{Endpoint, FaultRule, Faults, PageSizes};
use live_support::*;
use stepup::detect::model::Signal;
use stepup::sources::http::RetryPolicy;
use stepup::sources::{
    live_scan, run_job, Collected, JobOutcome, LiveScan, LiveScanOptions, NoProgress,
    SourceContext, SourceJob, SourcesSettings,
};
use stepup::state::{LocalDirStore, StateStore};

const USERS: usize = 600;
const DAYS: u32 = 14;

async fn scan(
    ctx: &SourceContext,
    t: &Tenant,
    sources: &SourcesSettings,
    store: Option<&dyn StateStore>,
    now: chrono::DateTime<Utc>,
) -> LiveScan {
    live_scan(
        ctx,
        LiveScanOptions {
            tenant: &t.settings(),
            sources,
            store,
            now,
            progress: &NoProgress,
        },
    )
    .await
    .expect("live scan")
}

/// The offline scan of what the live queries are specified to read, over the look-back.
fn expected(t: &Tenant, days: u32, now: chrono::DateTime<Utc>) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let from = now - Duration::days(i64::from(days));
    restrict(t.path(), dir.path(), from, now, true);
    comparable(&offline(dir.path(), &t.settings(), now))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_scan_equals_the_offline_scan_with_and_without_server_filters() {
    let t = Tenant::new(USERS, DAYS, 7);
    let fake = serve(t.path(), t.id(), scaled(5, 100));
    let sources = sources(&fake, DAYS, "5/100ms");
    let ctx = context(
        &fake,
        &secret_identity(&fake),
        &sources,
        RetryPolicy::fast(),
    );
    let want = expected(&t, DAYS, t.end());

    let filtered = scan(&ctx, &t, &sources, None, t.end()).await;
    assert_eq!(comparable(&filtered.scan), want);
    assert!(
        filtered.scan.report.complete,
        "{:?}",
        filtered.scan.report.problems
    );
    assert!(
        filtered.scan.report.summary.at_risk > 20,
        "the tenant has findings to compare"
    );
    assert_eq!(filtered.stats.refused, 0, "the fake applied every filter");
    let used = fake.counters();
    assert_eq!(
        used.of(Endpoint::SignIns).throttled,
        0,
        "the limiter kept to the budget"
    );
    assert_eq!(
        used.requests(azure_fake::Endpoint::Token),
        2,
        "one token per scope"
    );

    fake.set_apply_filters(false);
    let unfiltered = scan(&ctx, &t, &sources, None, t.end()).await;
    assert_eq!(
        comparable(&unfiltered.scan),
        want,
        "client-side checks alone give the same report"
    );
    assert!(
        unfiltered.stats.refused > 0,
        "the fake returned records the filters exclude"
    );

    // The full offline scan (every sign-in, every record's age) finds the same accounts with
    // the same signals, severities and owners; only outdated-client evidence may come from
    // MFA token refreshes, which the non-interactive query does not read.
    let full = offline(t.path(), &t.settings(), t.end());
    assert_eq!(full.report.summary, filtered.scan.report.summary);
    assert_eq!(
        full.report.accounts.len(),
        filtered.scan.report.accounts.len()
    );
    for (a, b) in full
        .report
        .accounts
        .iter()
        .zip(&filtered.scan.report.accounts)
    {
        assert_eq!(
            (a.user_id, &a.severity, &a.signals, &a.owner),
            (b.user_id, &b.severity, &b.signals, &b.owner)
        );
        let but_outdated = |acc: &stepup::report::model::AccountReport| {
            acc.evidence
                .iter()
                .filter(|e| e.signal != Signal::OutdatedClient)
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(but_outdated(a), but_outdated(b), "{}", a.user_id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_and_throttling_do_not_change_the_report() {
    let t = Tenant::new(USERS, DAYS, 8);
    let mut options = scaled(3, 500);
    // Small pages where the API lets the server choose: more requests, more faults.
    options.pages = PageSizes {
        registration: 60,
        activity: 100,
        arm_list: 50,
        ..PageSizes::default()
    };
    let fake = serve(t.path(), t.id(), options);
    // The client believes in a rate far above the fake's: the fake throttles.
    let sources = sources(&fake, DAYS, "50/100ms");
    let ctx = context(
        &fake,
        &secret_identity(&fake),
        &sources,
        RetryPolicy::fast(),
    );
    let mut faults = Faults::none().seed(42);
    for endpoint in [
        Endpoint::SignIns,
        Endpoint::Registration,
        Endpoint::Users,
        Endpoint::Subscriptions,
        Endpoint::Activity,
        Endpoint::RoleAssignments,
        Endpoint::RoleDefinitions,
    ] {
        faults = faults.rule(FaultRule::status(503).on(endpoint).probability(0.3));
    }
    fake.set_faults(faults);
    let got = scan(&ctx, &t, &sources, None, t.end()).await;
    assert!(got.scan.report.complete, "{:?}", got.scan.report.problems);
    assert_eq!(comparable(&got.scan), expected(&t, DAYS, t.end()));
    let c = fake.counters();
    assert!(
        c.total().faults > 10,
        "faults were injected: {:?}",
        c.total()
    );
    assert!(
        c.of(Endpoint::SignIns).throttled + c.of(Endpoint::Registration).throttled > 0,
        "the fake throttled: {:?} {:?}",
        c.of(Endpoint::SignIns),
        c.of(Endpoint::Registration)
    );
    assert!(got.stats.graph.throttled > 0 && got.stats.graph.transient > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_stays_broken_makes_the_report_incomplete() {
    let t = Tenant::new(300, 7, 9);
    let mut options = scaled(5, 100);
    options.pages.activity = 50;
    let fake = serve(t.path(), t.id(), options);
    let sources = sources(&fake, 7, "5/100ms");
    let ctx = context(
        &fake,
        &secret_identity(&fake),
        &sources,
        RetryPolicy::fast(),
    );
    let sub = azure_fake::FakeTenant::load(t.path(), t.id())
        .expect("tenant")
        .subscription_ids()[0]
        .clone();
    fake.set_faults(
        Faults::none().rule(
            FaultRule::status(500)
                .on(Endpoint::Activity)
                .subscription(&sub)
                .page(2),
        ),
    );
    let dir = tempfile::tempdir().expect("state");
    let store = LocalDirStore::new(dir.path());
    let got = scan(&ctx, &t, &sources, Some(&store), t.end()).await;
    let report = &got.scan.report;
    assert!(!report.complete);
    let problem = report
        .problems
        .iter()
        .find(|p| p.contains(&format!("activity log of {sub}")))
        .unwrap_or_else(|| panic!("no problem names the source: {:?}", report.problems));
    assert!(problem.contains("HTTP 500"), "{problem}");
    assert!(
        problem.contains("/providers/Microsoft.Insights/eventtypes/management/values"),
        "{problem}"
    );
    assert_eq!(got.stats.failed, vec![format!("activity log of {sub}")]);
    let json = serde_json::to_value(report).expect("json");
    assert_eq!(json["complete"], false);
    // The failed source keeps no state: the next scan reads it in full again.
    let keys = store
        .list(&format!("watermarks/{}/", t.id()))
        .await
        .expect("list");
    assert!(!keys.iter().any(|k| k.as_str().contains(&sub)), "{keys:?}");
    assert!(keys
        .iter()
        .any(|k| k.as_str().contains("signIns-interactive")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incremental_rescan_equals_a_full_scan_of_the_longer_window() {
    // One tenant of DAYS + 1 days; the first scan sees it as of one day earlier.
    let t = Tenant::new(USERS, DAYS + 1, 10);
    let day_before = t.end() - Duration::days(1);
    let earlier = tempfile::tempdir().expect("temp dir");
    restrict(
        t.path(),
        earlier.path(),
        t.end() - Duration::days(60),
        day_before,
        false,
    );
    let state = tempfile::tempdir().expect("state");
    let store = LocalDirStore::new(state.path());

    let first_fake = serve(earlier.path(), t.id(), scaled(5, 100));
    let sources_first = sources(&first_fake, DAYS, "5/100ms");
    let ctx = context(
        &first_fake,
        &secret_identity(&first_fake),
        &sources_first,
        RetryPolicy::fast(),
    );
    let first = scan(&ctx, &t, &sources_first, Some(&store), day_before).await;
    assert!(first.scan.report.complete);
    assert_eq!(
        first.stats.incremental_reads.len(),
        0,
        "nothing to build on yet"
    );
    let first_sign_ins = first_fake.counters().of(Endpoint::SignIns).records;
    let first_events = first_fake.counters().of(Endpoint::Activity).records;
    drop(first_fake);

    let fake = serve(t.path(), t.id(), scaled(5, 100));
    let sources = sources(&fake, DAYS, "5/100ms");
    let ctx = context(
        &fake,
        &secret_identity(&fake),
        &sources,
        RetryPolicy::fast(),
    );
    let second = scan(&ctx, &t, &sources, Some(&store), t.end()).await;
    assert!(second.scan.report.complete);
    assert!(
        second.stats.full_reads.is_empty(),
        "{:?}",
        second.stats.full_reads
    );
    assert_eq!(comparable(&second.scan), expected(&t, DAYS, t.end()));
    let c = fake.counters();
    let (sign_ins, events) = (
        c.of(Endpoint::SignIns).records,
        c.of(Endpoint::Activity).records,
    );
    assert!(
        sign_ins * 4 < first_sign_ins && events * 4 < first_events,
        "the re-scan reads only the last two days: sign-ins {sign_ins} vs {first_sign_ins}, events {events} vs {first_events}"
    );
    let full = scan(&ctx, &t, &sources, None, t.end()).await;
    assert_eq!(comparable(&full.scan), comparable(&second.scan));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpointed_job_continues_where_it_stopped() {
    let t = Tenant::new(300, 7, 11);
    let mut options = scaled(5, 100);
    options.pages.activity = 40;
    let fake = serve(t.path(), t.id(), options);
    let sources = sources(&fake, 7, "5/100ms");
    let ctx = context(
        &fake,
        &secret_identity(&fake),
        &sources,
        RetryPolicy::fast(),
    );
    let settings = t.settings();
    let sub = stepup::ids::SubscriptionId::parse(
        &azure_fake::FakeTenant::load(t.path(), t.id())
            .expect("tenant")
            .subscription_ids()[0],
    )
    .expect("subscription id");
    let job = SourceJob::ActivityLog {
        subscription: sub,
        from: t.end() - Duration::days(7),
        to: t.end(),
    };

    let mut whole = Collected::new(&settings);
    let outcome = run_job(&ctx, &job, None, None, &mut whole, &NoProgress).await;
    assert!(matches!(outcome, JobOutcome::Done { .. }), "{outcome:?}");
    assert!(whole.pages > 3, "the log spans pages");

    // A deadline that has passed stops after every page; each continuation starts from the
    // kept day aggregates (through JSON, as a queue message or blob would carry them).
    let mut cursor = None;
    let mut kept = (std::collections::BTreeMap::new(), None);
    let mut invocations = 0;
    let through = loop {
        invocations += 1;
        let days =
            serde_json::from_str(&serde_json::to_string(&kept.0).expect("json")).expect("json");
        let mut part = Collected::resume(&settings, days, kept.1);
        match run_job(
            &ctx,
            &job,
            cursor.take(),
            Some(std::time::Instant::now()),
            &mut part,
            &NoProgress,
        )
        .await
        {
            JobOutcome::Checkpoint { next_link } => {
                cursor = Some(next_link);
                kept = (part.event_partials(), part.newest);
            }
            JobOutcome::Done { through } => {
                kept = (part.event_partials(), part.newest);
                break through;
            }
            failed => panic!("{failed:?}"),
        }
    };
    assert_eq!(invocations as u64, whole.pages, "one page per invocation");
    assert_eq!(through, whole.newest);
    let finish = |days: std::collections::BTreeMap<
        chrono::NaiveDate,
        stepup::detect::aggregate::Partial,
    >| {
        let mut agg = stepup::detect::Aggregator::new(&settings);
        for (_, p) in days {
            agg.merge_partial(p);
        }
        agg.finish()
    };
    assert_eq!(finish(kept.0), finish(whole.event_partials()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arm_throttling_is_waited_out() {
    let t = Tenant::new(200, 3, 12);
    let mut options = scaled(5, 100);
    // Four reads per subscription in 3 s: the client pauses when the budget header says 0
    // and, the pause being shorter than the window, also meets 429s.
    options.arm_reads = azure_fake::RateLimit::new(4, std::time::Duration::from_secs(3));
    options.pages.activity = 100;
    let fake = serve(t.path(), t.id(), options);
    let sources = sources(&fake, 3, "5/100ms");
    let ctx = context(
        &fake,
        &secret_identity(&fake),
        &sources,
        RetryPolicy::fast(),
    );
    let got = scan(&ctx, &t, &sources, None, t.end()).await;
    assert!(got.scan.report.complete, "{:?}", got.scan.report.problems);
    assert_eq!(comparable(&got.scan), expected(&t, 3, t.end()));
    let c = fake.counters();
    let throttled: u64 = [
        Endpoint::Activity,
        Endpoint::RoleAssignments,
        Endpoint::RoleDefinitions,
    ]
    .iter()
    .map(|e| c.of(*e).throttled)
    .sum();
    assert!(throttled > 0, "ARM throttled the reads");
    assert_eq!(got.stats.arm.throttled, throttled);
}
