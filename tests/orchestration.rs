//! Orchestration end to end (issue #7), through the host emulator: `stepup serve` runs as the
//! Functions host runs it, its queue output bindings go to Azurite's queue service and the
//! host's pump triggers `scan-worker` and `notify-worker` from it. The child reads a
//! synthetic tenant from the Azure fake (HTTPS, its managed identity, which also gets the
//! child its Azurite tokens), files tickets in a fake GitHub and posts to a fake Teams
//! webhook. What the run stores is compared with the offline scan of what the live queries
//! are specified to read.

#[path = "azure_fake/mod.rs"]
mod azure_fake;
#[path = "live_support/mod.rs"]
mod live_support;
mod support;
mod teams_support;
mod ticket_support;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use azure_fake::{AzureFake, FakeOptions};
use live_support::{comparable, offline, restrict, serve, Tenant};
use stepup::config::Config;
use stepup::jobs::{JobMessage, NotifyMessage, RunLedger};
use stepup::lifecycle::{load_report, ReportSlot};
use stepup::report::model::ScanReport;
use stepup::settings::{OwnerEntry, TenantSettings};
use stepup::state::{get_json, LocalDirStore, StateStore};
use support::azurite::Azurite;
use support::emulator::HostEmulator;
use support::queue_bridge::{Delivery, Disposition, QueueBridge};
use stepup::teams::cards::MAX_OWNER_MESSAGES;
use teams_support::fake_webhook::{FakeWebhook, Kind};
use teams_support::mentioned;
use ticket_support::github::{FakeGitHub, OWNER, REPO, TOKEN};

/// Days of look-back (and of the synthetic tenant).
const DAYS: u32 = 7;
/// The queues the host pumps.
const QUEUES: [&str; 2] = ["stepup-jobs", "stepup-notify"];
/// The most deliveries one drain makes (a guard against a loop).
const MAX_DELIVERIES: usize = 2_000;
/// The Teams webhook's id in the fake.
const CHANNEL: &str = "default";

/// Everything a run talks to, and the child's settings.
struct Rig {
    tenant: Tenant,
    fake: AzureFake,
    azurite: Azurite,
    github: FakeGitHub,
    teams: FakeWebhook,
    state: tempfile::TempDir,
    _certs: tempfile::TempDir,
    env: BTreeMap<String, String>,
}

impl Rig {
    /// A synthetic tenant of `users` ending now, served by a fake with `options`; `extra`
    /// settings override the defaults.
    async fn start(users: usize, seed: u64, options: FakeOptions, extra: &[(&str, &str)]) -> Self {
        let tenant = Tenant::ending(users, DAYS, seed, Utc::now());
        let fake = serve(tenant.path(), tenant.id(), options);
        let azurite = Azurite::start_with_queues();
        let github = FakeGitHub::start().await;
        let teams = FakeWebhook::start(4).await;
        let webhook = teams.add(Kind::Workflows, CHANNEL);
        let state = tempfile::tempdir().expect("state dir");
        let certs = tempfile::tempdir().expect("cert dir");
        // The child trusts Azurite's certificate and the fake's.
        let pem = certs.path().join("trusted.pem");
        let azurite_pem = std::fs::read_to_string(azurite.cert_path()).expect("Azurite cert");
        std::fs::write(&pem, format!("{azurite_pem}\n{}", fake.cert_pem())).expect("write PEM");

        let settings = tenant.settings();
        let owners: Vec<String> = settings
            .owners
            .iter()
            .map(|r| {
                let who = match &r.entry {
                    OwnerEntry::Plain(o) => o.clone(),
                    OwnerEntry::Rich(r) => r.owner.clone(),
                };
                format!("{}={who}", r.pattern)
            })
            .collect();
        let mut env: BTreeMap<String, String> = [
            ("STEPUP_TENANT_ID", tenant.id().to_string()),
            ("STEPUP_GRAPH_URL", fake.graph_url_https()),
            ("STEPUP_ARM_URL", fake.arm_url_https()),
            ("IDENTITY_ENDPOINT", fake.identity_endpoint()),
            ("IDENTITY_HEADER", fake.identity_header().to_string()),
            ("SSL_CERT_FILE", pem.display().to_string()),
            ("STEPUP_STORAGE_QUEUE_URL", azurite.queue_url().to_string()),
            ("STEPUP_STATE_DIR", state.path().display().to_string()),
            ("STEPUP_LOOKBACK_DAYS", DAYS.to_string()),
            ("STEPUP_GRAPH_REPORT_RATE", "1000/1s".into()),
            ("STEPUP_TICKETS", "github".into()),
            ("STEPUP_GITHUB_API_URL", github.server.base_url()),
            ("STEPUP_GITHUB_REPO", format!("{OWNER}/{REPO}")),
            ("STEPUP_GITHUB_TOKEN", TOKEN.into()),
            ("STEPUP_TEAMS_WEBHOOK", webhook),
            (
                "STEPUP_ENFORCEMENT_DATE",
                settings
                    .enforcement_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ),
            ("STEPUP_BREAK_GLASS", settings.break_glass.join(",")),
            ("STEPUP_OWNERS", owners.join(";")),
            (
                "STEPUP_DEFAULT_OWNER",
                settings.default_owner.clone().unwrap_or_default(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for (k, v) in extra {
            env.insert((*k).to_string(), (*v).to_string());
        }
        Self {
            tenant,
            fake,
            azurite,
            github,
            teams,
            state,
            _certs: certs,
            env,
        }
    }

    /// Starts `stepup serve` behind the emulated host.
    async fn host(&self) -> HostEmulator {
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        HostEmulator::start_with_env(&env).await
    }

    fn store(&self) -> LocalDirStore {
        LocalDirStore::new(self.state.path())
    }

    /// The tenant settings the child reads from its environment.
    fn settings(&self) -> TenantSettings {
        let config = Config::from_lookup(|k| self.env.get(k).cloned()).expect("child config");
        let mut settings = config.tenant;
        settings.tenant_id = Some(self.tenant.id());
        settings
    }

    /// The offline scan of what a run at `now` is specified to read.
    fn expected(&self, now: DateTime<Utc>) -> Value {
        let dir = tempfile::tempdir().expect("temp dir");
        let from = (now - Duration::days(i64::from(DAYS)))
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc();
        restrict(self.tenant.path(), dir.path(), from, now, true);
        comparable(&offline(dir.path(), &self.settings(), now))
    }

    /// The tenant's latest stored report.
    async fn report(&self) -> ScanReport {
        load_report(&self.store(), &self.tenant.id(), ReportSlot::Latest)
            .await
            .expect("read the report")
            .expect("a report is stored")
    }

    /// Every run ledger (`runs/<runId>.json`), oldest first.
    async fn ledgers(&self) -> Vec<RunLedger> {
        let store = self.store();
        let mut ledgers = Vec::new();
        for key in store.list("runs/").await.expect("list runs") {
            let name = key.as_str().trim_start_matches("runs/");
            if name.contains('/') || !name.ends_with(".json") || name.ends_with(".reconciled.json")
            {
                continue;
            }
            let ledger: RunLedger = get_json(&store, &key)
                .await
                .expect("read a ledger")
                .expect("a listed ledger");
            ledgers.push(ledger);
        }
        ledgers.sort_by_key(|l| l.created_at);
        ledgers
    }

    /// The stepup issues in the fake GitHub (pull requests left out).
    fn issues(&self) -> Vec<Value> {
        self.github
            .issues()
            .into_iter()
            .filter(|i| i.json.get("pull_request").is_none())
            .map(|i| i.json)
            .collect()
    }
}

/// Who the Teams messages mention (lowercase).
fn mentions(posted: &[Value]) -> BTreeSet<String> {
    posted
        .iter()
        .map(|m| mentioned(m).unwrap_or_default().to_lowercase())
        .collect()
}

/// A report as JSON without `generatedAt`.
fn comparable_report(report: &ScanReport) -> Value {
    let mut v = serde_json::to_value(report).expect("report JSON");
    if let Some(o) = v.as_object_mut() {
        o.remove("generatedAt");
    }
    v
}

/// What a report says of each account: severity, signals, owner.
fn accounts(report: &Value) -> Vec<(String, Value, Value, Value)> {
    report["accounts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x["userId"].as_str().unwrap_or_default().to_string(),
                        x["severity"].clone(),
                        x["signals"].clone(),
                        x["owner"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Panics with the handler's reasons if a delivery failed.
fn all_succeeded(deliveries: &[Delivery], host: &HostEmulator) {
    for d in deliveries {
        assert_eq!(
            d.disposition,
            Disposition::Deleted,
            "{} failed on {} (delivery {}): {:?}\n{}\n--- stderr ---\n{}",
            d.function,
            d.queue,
            d.dequeue_count,
            d.invocation.reason(),
            d.text,
            host.stderr()
        );
    }
}

/// The owner notices among the deliveries.
fn owner_notices(deliveries: &[Delivery]) -> Vec<String> {
    deliveries
        .iter()
        .filter(|d| d.queue == "stepup-notify")
        .filter_map(|d| match serde_json::from_str::<NotifyMessage>(&d.text) {
            Ok(NotifyMessage::OwnerNotice(n)) => Some(n.owner),
            _ => None,
        })
        .collect()
}

/// How many plan jobs the deliveries ran.
fn plans(deliveries: &[Delivery]) -> usize {
    deliveries
        .iter()
        .filter(|d| d.queue == "stepup-jobs")
        .filter(|d| matches!(serde_json::from_str(&d.text), Ok(JobMessage::Plan(_))))
        .count()
}

/// Fires the `scan` timer and pumps both queues until they are empty.
async fn scheduled_run(rig: &Rig, host: &HostEmulator, bridge: &QueueBridge) -> Vec<Delivery> {
    let timer = host.invoke_timer("scan", false).await;
    assert_eq!(bridge.put_outputs(host, &timer).await, 1, "one plan job");
    let deliveries = bridge.drain(host, &QUEUES, MAX_DELIVERIES).await;
    assert!(deliveries.len() < MAX_DELIVERIES, "the queues drained");
    all_succeeded(&deliveries, host);
    let _ = rig;
    deliveries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timer_runs_jobs_workers_tickets_and_notices() {
    let rig = Rig::start(300, 71, FakeOptions::default(), &[]).await;
    let host = rig.host().await;
    let bridge = QueueBridge::new(&rig.azurite, host.layout());

    let deliveries = scheduled_run(&rig, &host, &bridge).await;
    assert_eq!(plans(&deliveries), 1);
    let ledgers = rig.ledgers().await;
    if ledgers.len() != 1 {
        for d in &deliveries {
            eprintln!("{} {:?}", d.text, d.invocation.result().map(|r| r.logs.clone()));
        }
        eprintln!("{:?}", rig.store().list("").await);
    }
    assert_eq!(ledgers.len(), 1, "one run");
    let run = &ledgers[0];
    assert!(run.finished.is_some(), "the run finished: {run:?}");

    let report = rig.report().await;
    assert!(report.complete, "{:?}", report.problems);
    assert!(report.summary.at_risk > 5, "the tenant has accounts at risk");
    let got = comparable_report(&report);
    let want = rig.expected(run.created_at);
    assert_eq!(accounts(&got), accounts(&want));
    assert_eq!(got, want);

    // One ticket per account at risk.
    let issues = rig.issues();
    assert_eq!(issues.len(), report.summary.at_risk, "one ticket per account");
    for account in &report.accounts {
        let id = account.user_id.to_string();
        let naming = issues
            .iter()
            .filter(|i| i["body"].as_str().is_some_and(|b| b.contains(&id)))
            .count();
        assert_eq!(naming, 1, "exactly one ticket names {id}");
    }

    // Each owner notice reaches Teams once: its messages (a long notice is split over a
    // few) mention its owner, and none is posted twice, even when every notice is
    // delivered again.
    let notices = owner_notices(&deliveries);
    assert!(!notices.is_empty(), "owners were notified");
    let owners: BTreeSet<String> = notices.iter().map(|o| o.to_lowercase()).collect();
    assert_eq!(owners.len(), notices.len(), "one notice per owner");
    let posted = rig.teams.received(CHANNEL);
    assert_eq!(mentions(&posted), owners, "every owner, and only them");
    assert!(posted.len() <= notices.len() * MAX_OWNER_MESSAGES);
    let bodies: BTreeSet<String> = posted.iter().map(Value::to_string).collect();
    assert_eq!(bodies.len(), posted.len(), "no message twice");
    for d in deliveries.iter().filter(|d| d.queue == "stepup-notify") {
        bridge.send("stepup-notify", &d.text).await;
    }
    let again = bridge.drain(&host, &QUEUES, MAX_DELIVERIES).await;
    all_succeeded(&again, &host);
    assert_eq!(again.len(), notices.len());
    assert_eq!(rig.teams.received(CHANNEL), posted, "nothing posted again");
}
