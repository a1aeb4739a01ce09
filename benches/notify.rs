//! Owner notices for 5,000 owners against a fake webhook that enforces Teams' rate.
//!
//! Run: `cargo bench --bench notify`. Settings (environment):
//! - `NOTIFY_BENCH_OWNERS` (default 5000), `NOTIFY_BENCH_ACCOUNTS` per owner (default 2);
//! - `NOTIFY_BENCH_RATE`: requests per second the fake webhook allows per URL and the
//!   client's `STEPUP_TEAMS_RATE` (default 40: the run is time-scaled to finish in about
//!   two minutes; `NOTIFY_BENCH_RATE=4` is Teams' real rate, bound 1,250 s for 5,000);
//! - `NOTIFY_BENCH_CONCURRENCY`: notices in flight (default 16);
//! - `NOTIFY_BENCH_STATE`: the parent folder of the state (the real `LocalDirStore`;
//!   default `/dev/shm` when present, so the time-scaled run measures delivery against the
//!   rate rather than this machine's `fsync`; the set-up line shows the cost of a write on
//!   the chosen disk).
//!
//! Every owner's notice is one message to the default channel (a Workflows URL on the
//! loopback fake, fixed one-second windows, 429 + `Retry-After` over the rate). The lower
//! bound of delivery is owners / rate; the figure that matters is the ratio of the wall
//! time to it. Printed: state set-up, plan and card build times, delivery wall time, the
//! ratio to the bound, requests and 429s seen.

#[allow(dead_code)]
#[path = "../tests/teams_support/fake_webhook.rs"]
mod fake_webhook;

use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use fake_webhook::{FakeWebhook, Kind};
use stepup::calendar::EnforcementStatus;
use stepup::detect::model::{
    Client, Evidence, EvidenceContext, Finding, Owner, OwnerRule, Severity, Signal,
};
use stepup::ids::{ObjectId, TenantId};
use stepup::lifecycle::{load_records, reconcile, AccountRecord, LifecycleSettings, ScanContext};
use stepup::secret::Secret;
use stepup::settings::TenantSettings;
use stepup::state::{update_json, LocalDirStore};
use stepup::teams::channel::ChannelBook;
use stepup::teams::delivery::{WebhookSink, DEFAULT_RETRY};
use stepup::teams::notify::{deliver_all, plan, PlanInput};

fn env_or(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|v| *v > 0)
        .unwrap_or(default)
}

fn finding(n: u32, owner: u32) -> Finding {
    let signals: BTreeSet<Signal> = [Signal::Ropc, Signal::SingleFactorArmWrite].into();
    Finding {
        user_id: ObjectId::parse(&format!("00000000-0000-4000-8000-{n:012}")).expect("id"),
        upn: Some(format!("svc-job-{n:06}@contoso.com")),
        display_name: Some(format!("Job {n}")),
        kind: None,
        break_glass: false,
        severity: if n.is_multiple_of(3) {
            Severity::Critical
        } else {
            Severity::High
        },
        evidence: signals
            .iter()
            .map(|s| Evidence {
                signal: *s,
                at: Utc::now(),
                detail: format!(
                    "{s}: Microsoft.Web/sites/write from 10.0.{}.{}",
                    n / 250 % 250,
                    n % 250
                ),
                context: EvidenceContext::default(),
            })
            .collect(),
        signals,
        clients: [Client::AzureCli].into(),
        ci: BTreeSet::new(),
        subscriptions: BTreeSet::new(),
        owner: Some(Owner {
            who: format!("owner-{owner:05}@contoso.com"),
            rule: OwnerRule::OwnershipMap,
            team: None,
            ticket_project: None,
        }),
    }
}

fn main() {
    let owners = env_or("NOTIFY_BENCH_OWNERS", 5000);
    let per_owner = env_or("NOTIFY_BENCH_ACCOUNTS", 2);
    let rate = env_or("NOTIFY_BENCH_RATE", 40);
    let concurrency = env_or("NOTIFY_BENCH_CONCURRENCY", 16) as usize;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(owners, per_owner, rate, concurrency));
}

async fn run(owners: u32, per_owner: u32, rate: u32, concurrency: usize) {
    let tenant = TenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").expect("tenant");
    let now = Utc::now();
    let enforcement = EnforcementStatus::on(
        NaiveDate::from_ymd_opt(2025, 10, 1).expect("date"),
        now.date_naive(),
    );
    let findings: Vec<Finding> = (0..owners)
        .flat_map(|o| (0..per_owner).map(move |k| finding(o * per_owner + k, o)))
        .collect();

    // State: the account records a scan's reconciliation leaves (not part of the figure).
    let parent = std::env::var_os("NOTIFY_BENCH_STATE")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            let shm = std::path::Path::new("/dev/shm");
            shm.is_dir().then(|| shm.to_path_buf())
        })
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(&parent).expect("temp dir");
    let store = LocalDirStore::new(dir.path());
    let started = Instant::now();
    let scan = ScanContext {
        tenant,
        at: now,
        complete: true,
        enforcement,
        settings: LifecycleSettings::default(),
    };
    for r in reconcile(&[], &findings, &scan).records {
        update_json(&store, &r.key(), |_: Option<AccountRecord>| Ok(r.clone()))
            .await
            .expect("store a record");
    }
    let records = load_records(&store, &tenant).await.expect("records");
    let setup = started.elapsed();

    // Build: the plan (pure) and every notice's cards.
    let started = Instant::now();
    let settings = TenantSettings::default();
    let plan = plan(&PlanInput {
        tenant,
        scan_at: now,
        enforcement,
        findings: &findings,
        records: &records,
        settings: &settings,
        renotify_days: 7,
        now,
    });
    let planned = started.elapsed();
    let started = Instant::now();
    let messages: usize = plan.notices.iter().map(|n| n.messages().len()).sum();
    let built = started.elapsed();
    assert_eq!(plan.notices.len(), owners as usize);

    // Deliver against the fake at `rate` per second.
    let fake = FakeWebhook::start(rate).await;
    let url = fake.add(Kind::Workflows, "default");
    let sink = WebhookSink::new(
        ChannelBook::new(Some(Secret::new(url))),
        NonZeroU32::new(rate).expect("rate"),
        DEFAULT_RETRY,
    )
    .expect("sink");
    let started = Instant::now();
    let report = deliver_all(&plan.notices, &sink, &store, now, concurrency).await;
    let wall = started.elapsed();
    let stats = fake.stats();
    assert!(
        report.failed.is_empty(),
        "{:?}",
        &report.failed[..report.failed.len().min(3)]
    );
    assert_eq!(
        fake.received("default").len(),
        messages,
        "each message once"
    );

    let bound = Duration::from_secs_f64(messages as f64 / f64::from(rate));
    println!("notify: {owners} owners x {per_owner} accounts, {messages} messages, fake and client at {rate} requests/s per URL, {concurrency} notices in flight");
    println!(
        "  state in {}: set-up of {} records (not counted) {:.2} s, {:.2} ms a write",
        parent.display(),
        records.len(),
        setup.as_secs_f64(),
        setup.as_secs_f64() * 1000.0 / records.len().max(1) as f64
    );
    println!(
        "  plan (pure)                          {:>9.3} s",
        planned.as_secs_f64()
    );
    println!(
        "  build cards (all notices, again inside delivery) {:.3} s",
        built.as_secs_f64()
    );
    println!(
        "  deliver (cards + post + sent marks + records) {:>9.2} s",
        wall.as_secs_f64()
    );
    println!(
        "  bound: messages / rate               {:>9.2} s",
        bound.as_secs_f64()
    );
    let total = planned + wall;
    println!(
        "  ratio (plan + deliver) / bound       {:>9.3}",
        total.as_secs_f64() / bound.as_secs_f64()
    );
    println!(
        "  requests {}, accepted {}, 429s: {} over the rate + {} before Retry-After (client saw {})",
        stats.requests, stats.accepted, stats.throttled, stats.early, report.throttled
    );
    if rate != 4 {
        // What does not scale with the rate (state, cards) is at most the time beyond the
        // bound; at Teams' rate most of it overlaps the waits.
        let real = messages as f64 / 4.0;
        let overhead = (total.as_secs_f64() - bound.as_secs_f64()).max(0.0);
        println!(
            "  at Teams' 4/s: bound {real:.0} s; with this run's {overhead:.1} s beyond its bound, at most {:.0} s, ratio <= {:.3}",
            real + overhead,
            (real + overhead) / real
        );
    }
}
