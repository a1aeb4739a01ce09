//! The queued scan end to end against the Graph/ARM fake (issue #7): a synthetic tenant of
//! many subscriptions run as `stepup-jobs` messages (a plan job, then every message the jobs
//! return, first in first out, until the queue is empty), each invocation in a worker
//! process of its own, `ORCH_BENCH_CONCURRENCY` at a time (default 6: the host's `batchSize`
//! 4 + `newBatchThreshold` 2 on one instance; 1 runs them one after another).
//!
//! Prints the wall time against the identity-report throttle bound (report pages × the
//! spacing the limit allows: 2 s at Graph's 5 per 10 s), the invocations (plan, source jobs,
//! continuations, redeliveries) and queue messages produced (`stepup-jobs`,
//! `stepup-notify`), the state written, where the time went, and the peak RSS of one worker
//! (the largest `VmHWM` of any worker process, and which job it was).
//!
//! ```sh
//! cargo bench --bench orchestration                              # 5,000 users, 100 subs, time ÷ 10
//! ORCH_BENCH_USERS=50000 cargo bench --bench orchestration       # issue #7's size
//! STEPUP_BENCH_REAL_RATE=1 cargo bench --bench orchestration     # Graph's real 5/10 s, 100 ms
//! ```
//!
//! Knobs: `ORCH_BENCH_USERS` (5000), `ORCH_BENCH_SUBS` (100), `ORCH_BENCH_DAYS` (14: synthetic
//! days and the look-back), `STEPUP_JOB_BUDGET_SECONDS` (480, divided by the time scale).
//! By default both time constants (report limit, latency per request) and the job budget are
//! divided by ten, which keeps their ratios and the run short. The fake stays in the bench
//! process; workers reach it over loopback (HTTPS authority, trusting its certificate).

#[path = "../tests/azure_fake/mod.rs"]
mod azure_fake;
#[path = "../tests/live_support/mod.rs"]
mod live_support;
#[path = "orchestration_support/worker.rs"]
mod worker;

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use azure_fake::{Endpoint, Faults};
use live_support::{scaled, serve, Tenant};
use stepup::jobs::{plan_scan, JobMessage, MAX_DEQUEUE_COUNT};
use stepup::synth::{generate, SynthOptions};
use worker::{Outcome, Setup, LAST_DELIVERY_ENV, WORKER_ENV};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Bytes and files below `dir`.
fn dir_size(dir: &Path) -> (u64, u64) {
    std::fs::read_dir(dir).map_or((0, 0), |entries| {
        entries.filter_map(Result::ok).fold((0, 0), |(b, n), e| {
            let path = e.path();
            if path.is_dir() {
                let (db, dn) = dir_size(&path);
                (b + db, n + dn)
            } else {
                (b + e.metadata().map_or(0, |m| m.len()), n + 1)
            }
        })
    })
}

/// The message's job, for the figures: `plan`, or the source key (`+` when continued).
fn label(message: &JobMessage) -> String {
    match message {
        JobMessage::Plan(_) => "plan".into(),
        JobMessage::Source(s) if s.cursor.is_some() => format!("{} (continued)", s.source.key()),
        JobMessage::Source(s) => s.source.key(),
    }
}

/// Runs one delivery of `message` in a worker process.
fn invoke(setup_file: &Path, message: &JobMessage, last: bool) -> Outcome {
    let exe = std::env::current_exe().expect("the bench's own path");
    let mut child = Command::new(exe)
        .env(WORKER_ENV, setup_file)
        .env(LAST_DELIVERY_ENV, if last { "1" } else { "0" })
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn a worker");
    let body = serde_json::to_vec(message).expect("message JSON");
    child
        .stdin
        .take()
        .expect("worker stdin")
        .write_all(&body)
        .expect("write the message");
    let out = child.wait_with_output().expect("worker output");
    assert!(out.status.success(), "worker failed on {}", label(message));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("worker answer {line:?}: {e}"))
}

/// What the run did, summed over invocations.
#[derive(Debug, Default)]
struct Totals {
    plans: usize,
    sources: usize,
    continuations: usize,
    redeliveries: usize,
    given_up: usize,
    jobs_queued: usize,
    notices_queued: usize,
    notice_accounts: usize,
    /// (seconds outside the job: process start, runtime, connect), per invocation summed.
    overhead: f64,
    tenant_seconds: f64,
    subscription_seconds: f64,
    plan_seconds: f64,
    /// (seconds in the job, label)
    slowest: Vec<(f64, String)>,
    peak: (u64, String),
    errors: Vec<String>,
    summary: Vec<String>,
}

/// The queue and the run's totals, shared by the pump's threads.
struct Pump {
    queue: VecDeque<(JobMessage, u32)>,
    in_flight: usize,
    totals: Totals,
}

/// Runs the messages with `concurrency` workers at a time (the host runs up to `batchSize` +
/// `newBatchThreshold` = 6 queue jobs per instance), first in first out, until the queue is
/// empty and no worker runs.
fn pump(setup_file: &Path, first: Vec<JobMessage>, concurrency: usize) -> Totals {
    let shared = Mutex::new(Pump {
        queue: first.into_iter().map(|m| (m, 1)).collect(),
        in_flight: 0,
        totals: Totals::default(),
    });
    let changed = Condvar::new();
    std::thread::scope(|scope| {
        for _ in 0..concurrency.max(1) {
            scope.spawn(|| loop {
                let (message, delivery) = {
                    let mut p = shared.lock().unwrap_or_else(|e| e.into_inner());
                    loop {
                        if let Some(next) = p.queue.pop_front() {
                            p.in_flight += 1;
                            break next;
                        }
                        if p.in_flight == 0 {
                            changed.notify_all();
                            return;
                        }
                        p = changed.wait(p).unwrap_or_else(|e| e.into_inner());
                    }
                };
                let started = Instant::now();
                let out = invoke(setup_file, &message, delivery >= MAX_DEQUEUE_COUNT);
                let elapsed = started.elapsed().as_secs_f64();
                let mut p = shared.lock().unwrap_or_else(|e| e.into_inner());
                let Pump { queue, totals, .. } = &mut *p;
                record(totals, queue, message, delivery, elapsed, out);
                p.in_flight -= 1;
                changed.notify_all();
            });
        }
    });
    let mut t = shared
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .totals;
    t.slowest
        .sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    t
}

/// Adds one invocation to the totals and queues what it produced (or the message again).
fn record(
    t: &mut Totals,
    queue: &mut VecDeque<(JobMessage, u32)>,
    message: JobMessage,
    delivery: u32,
    elapsed: f64,
    out: Outcome,
) {
    let name = label(&message);
    t.overhead += (elapsed - out.run_seconds).max(0.0);
    match &message {
        JobMessage::Plan(_) => {
            t.plans += 1;
            t.plan_seconds += out.run_seconds;
        }
        JobMessage::Source(s) => {
            t.sources += 1;
            t.continuations += usize::from(s.cursor.is_some());
            if s.source.key().contains('-') {
                t.subscription_seconds += out.run_seconds;
            } else {
                t.tenant_seconds += out.run_seconds;
            }
        }
    }
    t.redeliveries += usize::from(delivery > 1);
    let reconciled = out.log.iter().any(|l| l.contains("account(s) scanned"));
    let name = if reconciled {
        format!("{name} + reconcile")
    } else {
        name
    };
    if out.vm_hwm_kib > t.peak.0 {
        t.peak = (out.vm_hwm_kib, name.clone());
    }
    t.slowest.push((out.run_seconds, name.clone()));
    if let Some(e) = out.error {
        t.errors.push(format!("{name}: {e}"));
        if delivery < MAX_DEQUEUE_COUNT {
            queue.push_back((message, delivery + 1));
        }
        return;
    }
    t.given_up += usize::from(out.given_up.is_some());
    if reconciled {
        t.summary = out.log.clone();
    }
    t.jobs_queued += out.jobs.len();
    t.notices_queued += out.notices.len();
    t.notice_accounts += out.notices.iter().map(|n| n.accounts.len()).sum::<usize>();
    queue.extend(out.jobs.into_iter().map(|m| (m, 1)));
}

fn main() {
    if let Ok(setup_file) = std::env::var(WORKER_ENV) {
        let last = std::env::var(LAST_DELIVERY_ENV).is_ok_and(|v| v == "1");
        worker::main(&setup_file, last);
        return;
    }
    let users = env_number("ORCH_BENCH_USERS", 5_000) as usize;
    let subscriptions = env_number("ORCH_BENCH_SUBS", 100) as usize;
    let concurrency = env_number("ORCH_BENCH_CONCURRENCY", 6) as usize;
    let days = env_number("ORCH_BENCH_DAYS", 14) as u32;
    let real = env_number("STEPUP_BENCH_REAL_RATE", 0) == 1;
    let scale: u32 = if real { 1 } else { 10 };
    let window_ms = 10_000 / u64::from(scale);
    let latency = Duration::from_millis(100) / scale;
    let budget_ms = env_number("STEPUP_JOB_BUDGET_SECONDS", 480) * 1000 / u64::from(scale);
    let rate = format!("5/{window_ms}ms");

    let started = Instant::now();
    let dir = tempfile::tempdir().expect("export dir");
    let mut opts = SynthOptions::new(users, days, 7);
    opts.subscriptions = subscriptions;
    generate(&opts, dir.path()).expect("synthesise");
    let tenant = Tenant { dir, opts };
    let synth_time = started.elapsed();
    let loading = Instant::now();
    let fake = serve(tenant.path(), tenant.id(), scaled(5, window_ms));
    fake.set_faults(Faults::none().latency(latency));
    let load_time = loading.elapsed();
    let fake_rss = worker::vm_hwm_kib();

    let work = tempfile::tempdir().expect("work dir");
    let cert_pem = work.path().join("fake-cert.pem");
    std::fs::write(&cert_pem, fake.cert_pem()).expect("write certificate");
    let setup = Setup {
        export_dir: tenant.path().to_path_buf(),
        state_dir: work.path().join("state"),
        tickets_dir: work.path().join("tickets"),
        graph_url: fake.graph_url(),
        arm_url: fake.arm_url(),
        authority_url: fake.authority_url(),
        cert_pem,
        tenant_id: tenant.id(),
        client_id: fake.client_id().to_string(),
        client_secret: fake.client_secret().to_string(),
        report_rate: rate.clone(),
        lookback_days: days,
        budget_ms,
        now: tenant.end(),
    };
    std::fs::create_dir_all(&setup.state_dir).expect("state dir");
    let setup_file = work.path().join("setup.json");
    std::fs::write(&setup_file, serde_json::to_vec(&setup).expect("setup JSON"))
        .expect("write setup");

    let running = Instant::now();
    let totals = pump(
        &setup_file,
        plan_scan(&[tenant.id()], "bench", "bench", tenant.end()),
        concurrency,
    );
    let wall = running.elapsed();
    let counters = fake.counters();

    let report_pages =
        counters.of(Endpoint::SignIns).pages + counters.of(Endpoint::Registration).pages;
    let bound =
        Duration::from_millis(window_ms) / 5 * u32::try_from(report_pages).unwrap_or(u32::MAX);
    let (state_bytes, state_files) = dir_size(&setup.state_dir);
    let (_, ticket_files) = dir_size(&setup.tickets_dir);
    let invocations = totals.plans + totals.sources;

    println!(
        "orchestration: {users} users, {subscriptions} subscriptions, {days} days; report limit {rate}, latency {latency:?} per request, job budget {:.0} s (time ÷ {scale}); {concurrency} worker(s) at a time",
        budget_ms as f64 / 1000.0
    );
    println!(
        "  synthesis {:.1} s; fake loaded in {:.1} s, holding {:.0} MiB (bench process VmHWM)",
        synth_time.as_secs_f64(),
        load_time.as_secs_f64(),
        fake_rss as f64 / 1024.0
    );
    println!(
        "  run: {:.2} s wall; {report_pages} report pages (sign-ins {}, registration {}); throttle bound {:.2} s; wall / bound = {:.2}",
        wall.as_secs_f64(),
        counters.of(Endpoint::SignIns).pages,
        counters.of(Endpoint::Registration).pages,
        bound.as_secs_f64(),
        wall.as_secs_f64() / bound.as_secs_f64().max(f64::EPSILON),
    );
    println!(
        "  invocations: {invocations} (plan {}, source jobs {} of which continuations {}; redeliveries {}, given up {})",
        totals.plans, totals.sources, totals.continuations, totals.redeliveries, totals.given_up
    );
    println!(
        "  queue messages produced: stepup-jobs {} (+ the plan), stepup-notify {} (about {} accounts)",
        totals.jobs_queued, totals.notices_queued, totals.notice_accounts
    );
    println!(
        "  state at the end: {:.2} MiB in {state_files} files; ticket outbox {ticket_files} files",
        state_bytes as f64 / (1024.0 * 1024.0)
    );
    println!(
        "  time in jobs: plan {:.2} s, tenant sources {:.2} s, subscription sources {:.2} s; worker start-up and connect {:.2} s in all ({:.0} ms each)",
        totals.plan_seconds,
        totals.tenant_seconds,
        totals.subscription_seconds,
        totals.overhead,
        totals.overhead * 1000.0 / invocations.max(1) as f64,
    );
    let slowest: Vec<String> = totals
        .slowest
        .iter()
        .take(5)
        .map(|(s, n)| format!("{n} {s:.2} s"))
        .collect();
    println!("  slowest jobs: {}", slowest.join(", "));
    println!(
        "  peak RSS of one worker: {:.1} MiB ({})",
        totals.peak.0 as f64 / 1024.0,
        totals.peak.1
    );
    let total = counters.total();
    println!(
        "  fake: {} requests ({} token, {} Graph users/manager/sponsors, {} ARM); 429s {}",
        total.requests,
        counters.requests(Endpoint::Token),
        counters.requests(Endpoint::Users)
            + counters.requests(Endpoint::Manager)
            + counters.requests(Endpoint::Sponsors),
        counters.requests(Endpoint::Subscriptions)
            + counters.requests(Endpoint::Activity)
            + counters.requests(Endpoint::RoleAssignments)
            + counters.requests(Endpoint::RoleDefinitions),
        total.throttled,
    );
    for line in &totals.summary {
        println!("  reconcile: {line}");
    }
    for e in totals.errors.iter().take(5) {
        println!("  error (delivered again): {e}");
    }
}
