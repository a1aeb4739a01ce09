//! Live scan of a synthetic tenant served by the Azure fake with a fixed latency per request:
//! how close the wall time comes to the identity-report throttle bound (report pages × the
//! spacing the limit allows: 2 s at Graph's 5 per 10 s), the Graph requests made against a
//! full pull of every successful in-scope sign-in, the 429s received, and an incremental
//! re-scan after one more day of data.
//!
//! ```sh
//! cargo bench --bench live_scan                                  # 20,000 users, time ÷ 10
//! STEPUP_BENCH_USERS=2000 cargo bench --bench live_scan          # smaller tenant
//! STEPUP_BENCH_REAL_RATE=1 cargo bench --bench live_scan         # Graph's real 5/10 s, 100 ms
//! ```
//!
//! By default both time constants are divided by ten (the report limit is 5 per 1 s for the
//! fake and the client, the latency 10 ms), which keeps their ratio and the run short.

#[path = "../tests/azure_fake/mod.rs"]
mod azure_fake;
#[path = "../tests/live_support/mod.rs"]
mod live_support;

use std::time::{Duration, Instant};

use azure_fake::{Faults, Listing};
use live_support::*;
use stepup::sources::http::RetryPolicy;
use stepup::sources::{live_scan, LiveScan, LiveScanOptions, NoProgress, SourceContext};
use stepup::state::{LocalDirStore, StateStore};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

async fn scan_at(
    ctx: &SourceContext,
    t: &Tenant,
    sources: &stepup::sources::SourcesSettings,
    store: &dyn StateStore,
    now: chrono::DateTime<chrono::Utc>,
) -> (LiveScan, Duration) {
    let settings = t.settings();
    let started = Instant::now();
    let scan = live_scan(
        ctx,
        LiveScanOptions {
            tenant: &settings,
            sources,
            store: Some(store),
            now,
            progress: &NoProgress,
        },
    )
    .await
    .expect("live scan");
    (scan, started.elapsed())
}

fn main() {
    let users = env_number("STEPUP_BENCH_USERS", 20_000) as usize;
    let real = env_number("STEPUP_BENCH_REAL_RATE", 0) == 1;
    let scale: u32 = if real { 1 } else { 10 };
    let window_ms = 10_000 / u64::from(scale);
    let latency = Duration::from_millis(100) / scale;
    let rate = format!("5/{window_ms}ms");
    let lookback = 30;

    let started = Instant::now();
    let t = Tenant::new(users, lookback + 1, 1);
    let synth_time = started.elapsed();
    let fake = serve(t.path(), t.id(), scaled(5, window_ms));
    fake.set_faults(Faults::none().latency(latency));
    let sources = sources(&fake, lookback, &rate);
    let ctx = context(
        &fake,
        &secret_identity(&fake),
        &sources,
        RetryPolicy::default(),
    );
    let state = tempfile::tempdir().expect("state dir");
    let store = LocalDirStore::new(state.path());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let day_before = t.end() - chrono::Duration::days(1);
    let (first, first_time) = runtime.block_on(scan_at(&ctx, &t, &sources, &store, day_before));
    let after_first = fake.counters();
    let (second, second_time) = runtime.block_on(scan_at(&ctx, &t, &sources, &store, t.end()));
    let second_graph = second.stats.graph.requests - first.stats.graph.requests;
    let second_reports = second.stats.graph.report_requests - first.stats.graph.report_requests;
    let second_throttled = second.stats.graph.throttled - first.stats.graph.throttled;
    let second_arm = second.stats.arm.requests - first.stats.arm.requests;
    let _ = after_first;

    // A full pull of every successful in-scope sign-in over the first scan's window.
    let from = live_support_floor(day_before - chrono::Duration::days(i64::from(lookback)));
    let scope = format!(
        "({} or resourceId eq '{SERVICE_MANAGEMENT_API}')",
        IN_SCOPE_APPS
            .iter()
            .map(|a| format!("appId eq '{a}'"))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    let full_pull: usize = ["interactiveUser", "nonInteractiveUser"]
        .iter()
        .map(|kind| {
            let filter = format!(
                "createdDateTime ge {} and createdDateTime le {} and status/errorCode eq 0 and {scope} and signInEventTypes/any(t: t eq '{kind}')",
                from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                day_before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            );
            fake.need(Listing::SignIns(Some(&filter)), 1000)
                .expect("need")
                .pages
        })
        .sum();
    let spacing = Duration::from_millis(window_ms) / 5;
    let report_pages = first.stats.graph.report_requests;
    let bound = spacing * u32::try_from(report_pages).unwrap_or(u32::MAX);
    let sign_in_pages =
        report_pages.saturating_sub(after_first.requests(azure_fake::Endpoint::Registration));

    println!("live_scan: {users} users, {lookback}-day look-back, report limit {rate}, latency {latency:?} per request (time ÷ {scale})");
    println!("  synthesis: {:.1} s", synth_time.as_secs_f64());
    println!(
        "  first scan: {:.2} s wall; {report_pages} report requests (sign-ins {sign_in_pages}, registration {}); throttle bound {:.2} s; wall / bound = {:.3} (goal <= 1.05)",
        first_time.as_secs_f64(),
        report_pages - sign_in_pages,
        bound.as_secs_f64(),
        first_time.as_secs_f64() / bound.as_secs_f64().max(f64::EPSILON),
    );
    println!(
        "  Graph requests: {} in all ({} sign-in pages); a full pull of every successful in-scope sign-in needs {full_pull} pages: sign-in pages / full pull = {:.3} (goal <= 0.3)",
        first.stats.graph.requests,
        sign_in_pages,
        sign_in_pages as f64 / full_pull.max(1) as f64,
    );
    println!(
        "  429s received: {}; other transient failures: {}; ARM requests: {}; records used {}, refused {}",
        first.stats.graph.throttled + first.stats.arm.throttled,
        first.stats.graph.transient + first.stats.arm.transient,
        first.stats.arm.requests,
        first.stats.records,
        first.stats.refused,
    );
    println!(
        "  incremental re-scan one day later: {:.2} s wall; Graph requests {second_graph} (report {second_reports}); ARM requests {second_arm}; 429s {second_throttled}; {} sources incremental, {} in full",
        second_time.as_secs_f64(),
        second.stats.incremental_reads.len(),
        second.stats.full_reads.len(),
    );
    let phases = |scan: &LiveScan| {
        scan.stats
            .phases
            .iter()
            .map(|(name, d)| format!("{name} {:.2} s", d.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("  phases of the first scan: {}", phases(&first));
    println!("  phases of the re-scan: {}", phases(&second));
    println!(
        "  findings: first {} at risk, re-scan {} at risk (complete: {}, {})",
        first.scan.report.summary.at_risk,
        second.scan.report.summary.at_risk,
        first.scan.report.complete,
        second.scan.report.complete,
    );
}

fn live_support_floor(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    stepup::sources::incremental::floor_day(t)
}
