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

use azure_fake::{AzureFake, Endpoint, FakeOptions, FaultRule, Faults};
use azure_storage_queue::models::QueueClientReceiveMessagesOptions;
use live_support::{comparable, offline, restrict, scaled, serve, Tenant};
use stepup::config::Config;
use stepup::jobs::{JobMessage, NotifyMessage, RunLedger};
use stepup::lifecycle::{load_report, ReportSlot};
use stepup::report::model::ScanReport;
use stepup::settings::{OwnerEntry, TenantSettings};
use stepup::state::{get_json, LocalDirStore, StateStore};
use stepup::teams::cards::MAX_OWNER_MESSAGES;
use support::azurite::Azurite;
use support::emulator::{HostEmulator, FUNCTION_KEY};
use support::payloads::{queue_request_with, QueueDelivery, QueueMessageMetadata, QueueWire};
use support::queue_bridge::{Delivery, Disposition, QueueBridge};
use teams_support::fake_webhook::{FakeWebhook, Kind};
use teams_support::mentioned;
use ticket_support::github::{FakeGitHub, OWNER, REPO, TOKEN};

/// Days of look-back (and of the synthetic tenant).
const DAYS: u32 = 7;
/// The queues the host pumps.
const QUEUES: [&str; 2] = ["stepup-jobs", "stepup-notify"];
/// The most deliveries one drain makes (a guard against a loop).
const MAX_DELIVERIES: usize = 2_000;
/// An MFA enforcement notice from Service Health (common alert schema).
const NOTICE: &str = include_str!("fixtures/alerts/common_mfa_notice.json");
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
async fn scheduled_run(host: &HostEmulator, bridge: &QueueBridge) -> Vec<Delivery> {
    let timer = host.invoke_timer("scan", false).await;
    assert_eq!(bridge.put_outputs(host, &timer).await, 1, "one plan job");
    let deliveries = bridge.drain(host, &QUEUES, MAX_DELIVERIES).await;
    assert!(deliveries.len() < MAX_DELIVERIES, "the queues drained");
    all_succeeded(&deliveries, host);
    deliveries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timer_runs_jobs_workers_tickets_and_notices() {
    let rig = Rig::start(300, 71, FakeOptions::default(), &[]).await;
    let host = rig.host().await;
    let bridge = QueueBridge::new(&rig.azurite, host.layout());

    let deliveries = scheduled_run(&host, &bridge).await;
    assert_eq!(plans(&deliveries), 1);
    let ledgers = rig.ledgers().await;
    assert_eq!(ledgers.len(), 1, "one run");
    let run = &ledgers[0];
    assert!(run.finished.is_some(), "the run finished: {run:?}");

    let report = rig.report().await;
    assert!(report.complete, "{:?}", report.problems);
    assert!(
        report.summary.at_risk > 5,
        "the tenant has accounts at risk"
    );
    let got = comparable_report(&report);
    let want = rig.expected(run.created_at);
    assert_eq!(accounts(&got), accounts(&want));
    assert_eq!(got, want);

    // One ticket per account at risk.
    let issues = rig.issues();
    assert_eq!(
        issues.len(),
        report.summary.at_risk,
        "one ticket per account"
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_posted_five_times_broadcasts_once_and_scans_once() {
    let rig = Rig::start(150, 72, FakeOptions::default(), &[]).await;
    let host = rig.host().await;
    let bridge = QueueBridge::new(&rig.azurite, host.layout());
    // The tenant was scanned before: the broadcast reports its latest scan.
    scheduled_run(&host, &bridge).await;
    assert_eq!(rig.ledgers().await.len(), 1);
    let before = rig.teams.received(CHANNEL).len();

    // The action group retries: the same notice arrives five times.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let reply = host
            .http(
                "POST",
                &format!("service-health?code={FUNCTION_KEY}"),
                &[("Content-Type", "application/json")],
                NOTICE,
            )
            .await;
        statuses.push(reply.status);
    }
    assert_eq!(statuses[0], 202, "{statuses:?}\n{}", host.stderr());
    assert!(
        statuses.iter().all(|s| (200..300).contains(s)),
        "{statuses:?}"
    );

    let deliveries = bridge.drain(&host, &QUEUES, MAX_DELIVERIES).await;
    all_succeeded(&deliveries, &host);
    assert_eq!(plans(&deliveries), 1, "one plan job");
    let ledgers = rig.ledgers().await;
    assert_eq!(ledgers.len(), 2, "one more run");
    assert!(ledgers.iter().all(|l| l.finished.is_some()));
    let broadcasts = deliveries
        .iter()
        .filter(|d| {
            matches!(
                serde_json::from_str(&d.text),
                Ok(NotifyMessage::Broadcast(_))
            )
        })
        .count();
    assert_eq!(broadcasts, 1, "one broadcast queued");
    // The run's owner notices are not due again (renotify after 7 days): the one new
    // message is the broadcast.
    assert_eq!(rig.teams.received(CHANNEL).len(), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_before_the_first_scan_is_broadcast_once_the_scan_is_stored() {
    let rig = Rig::start(150, 73, FakeOptions::default(), &[]).await;
    let host = rig.host().await;
    let bridge = QueueBridge::new(&rig.azurite, host.layout());
    let reply = host
        .http(
            "POST",
            &format!("service-health?code={FUNCTION_KEY}"),
            &[("Content-Type", "application/json")],
            NOTICE,
        )
        .await;
    assert_eq!(reply.status, 202, "{}", host.stderr());

    let deliveries = bridge.drain(&host, &QUEUES, MAX_DELIVERIES).await;
    all_succeeded(&deliveries, &host);
    assert_eq!(plans(&deliveries), 1, "the notice's scan ran");
    let broadcasts: Vec<&Delivery> = deliveries
        .iter()
        .filter(|d| {
            matches!(
                serde_json::from_str(&d.text),
                Ok(NotifyMessage::Broadcast(_))
            )
        })
        .collect();
    // Queued by the alert (no scan yet: kept), then again by the run that stored the report.
    assert_eq!(broadcasts.len(), 2, "{}", host.stderr());
    let posted: Vec<Value> = rig
        .teams
        .received(CHANNEL)
        .into_iter()
        .filter(|m| m.to_string().contains("Mandatory Azure MFA (Phase 2)"))
        .collect();
    assert_eq!(
        posted.len(),
        1,
        "the broadcast is posted once, after the scan"
    );
}

/// The queue service of Azurite, as the test's own client.
fn queue_service(azurite: &Azurite) -> azure_storage_queue::QueueServiceClient {
    azure_storage_queue::QueueServiceClient::new(
        azurite.queue_url(),
        Some(Azurite::credential()),
        Some(azure_storage_queue::QueueServiceClientOptions {
            client_options: azurite.client_options(),
            ..Default::default()
        }),
    )
    .expect("queue service client")
}

/// Fake options with small pages and some latency, so that jobs of a one-second budget
/// continue several times.
fn slow_small_pages() -> FakeOptions {
    // Graph's page sizes are what the client asks for ($top); ARM's are the server's.
    let mut options = scaled(1000, 1000);
    options.pages.activity = 20;
    options.pages.arm_list = 5;
    options
}

/// How many continuations (source jobs with a cursor) the deliveries ran.
fn continuations(deliveries: &[Delivery]) -> usize {
    deliveries
        .iter()
        .filter(|d| {
            matches!(serde_json::from_str(&d.text), Ok(JobMessage::Source(j)) if j.cursor.is_some())
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_job_is_continued_to_the_same_result() {
    let rig = Rig::start(
        200,
        73,
        slow_small_pages(),
        &[("STEPUP_JOB_BUDGET_SECONDS", "1")],
    )
    .await;
    rig.fake
        .set_faults(Faults::none().latency(std::time::Duration::from_millis(150)));
    let first = rig.host().await;
    let bridge = QueueBridge::new(&rig.azurite, first.layout());
    let timer = first.invoke_timer("scan", false).await;
    assert_eq!(bridge.put_outputs(&first, &timer).await, 1);
    let plan = bridge
        .pump_once(&first, "stepup-jobs")
        .await
        .expect("the plan job");
    all_succeeded(std::slice::from_ref(&plan), &first);

    // The host takes a source job (hidden for 3 s) and invokes the worker, which dies
    // while it reads.
    let jobs = queue_service(&rig.azurite)
        .queue_client("stepup-jobs")
        .expect("queue client");
    let received = jobs
        .receive_messages(Some(QueueClientReceiveMessagesOptions {
            number_of_messages: Some(1),
            visibility_timeout: Some(3),
            ..Default::default()
        }))
        .await
        .expect("receive")
        .into_model()
        .expect("messages");
    let message = received
        .items
        .unwrap_or_default()
        .into_iter()
        .next()
        .expect("a source job");
    let killed = message.message_text.clone().unwrap_or_default();
    let body = queue_request_with(
        &QueueDelivery {
            function: "scan-worker",
            binding: "job",
            message: &killed,
            dequeue_count: 1,
        },
        &QueueMessageMetadata {
            id: message.message_id.clone().unwrap_or_default(),
            pop_receipt: message.pop_receipt.clone().unwrap_or_default(),
            insertion_time: Utc::now(),
            expiration_time: Utc::now() + Duration::days(7),
            next_visible_time: Utc::now() + Duration::seconds(3),
        },
        QueueWire::Host,
        Utc::now(),
    );
    let before = rig.fake.counters().total().requests;
    let url = format!("http://127.0.0.1:{}/scan-worker", first.port());
    let invocation = tokio::spawn(async move {
        reqwest::Client::new()
            .post(url)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    for _ in 0..200 {
        if rig.fake.counters().total().requests >= before + 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        rig.fake.counters().total().requests >= before + 3,
        "the worker was reading"
    );
    drop(first); // kills `stepup serve` mid-invocation
    assert!(
        invocation.await.expect("join").is_err(),
        "the invocation died with its worker"
    );

    // A new instance; the message becomes visible again and is delivered again.
    let second = rig.host().await;
    let mut deliveries = Vec::new();
    for _ in 0..30 {
        deliveries.extend(bridge.drain(&second, &QUEUES, MAX_DELIVERIES).await);
        // The killed message comes back once its visibility timeout is over.
        let ledgers = rig.ledgers().await;
        let finished = !ledgers.is_empty() && ledgers.iter().all(|l| l.finished.is_some());
        if finished && deliveries.iter().any(|d| d.text == killed) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    all_succeeded(&deliveries, &second);
    let again = deliveries
        .iter()
        .find(|d| d.text == killed)
        .expect("the killed job was delivered again");
    assert_eq!(again.dequeue_count, 2);
    assert!(continuations(&deliveries) > 0, "jobs continued in new jobs");

    let ledgers = rig.ledgers().await;
    assert_eq!(ledgers.len(), 1);
    let report = rig.report().await;
    assert!(report.complete, "{:?}", report.problems);
    assert_eq!(
        comparable_report(&report),
        rig.expected(ledgers[0].created_at)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_during_the_run_gives_the_same_result() {
    let rig = Rig::start(
        300,
        74,
        scaled(1, 1000),
        &[("STEPUP_GRAPH_REPORT_RATE", "20/1s")],
    )
    .await;
    let host = rig.host().await;
    let bridge = QueueBridge::new(&rig.azurite, host.layout());
    scheduled_run(&host, &bridge).await;
    let used = rig.fake.counters();
    let throttled: u64 = Endpoint::ALL
        .iter()
        .filter(|e| e.is_report())
        .map(|e| used.of(*e).throttled)
        .sum();
    assert!(throttled > 0, "the fake throttled the report reads");
    let ledgers = rig.ledgers().await;
    assert_eq!(ledgers.len(), 1);
    let report = rig.report().await;
    assert!(report.complete, "{:?}", report.problems);
    assert_eq!(
        comparable_report(&report),
        rig.expected(ledgers[0].created_at)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incomplete_run_resolves_no_ticket() {
    let rig = Rig::start(
        200,
        75,
        FakeOptions::default(),
        &[("STEPUP_RESOLVE_AFTER_SCANS", "1")],
    )
    .await;
    let host = rig.host().await;
    let bridge = QueueBridge::new(&rig.azurite, host.layout());
    scheduled_run(&host, &bridge).await;
    let first = rig.report().await;
    assert!(first.complete);
    let opened = rig.issues();
    assert_eq!(opened.len(), first.summary.at_risk);
    assert!(opened.iter().all(|i| i["state"] == "open"));

    // The sign-ins stay broken (the permission was withdrawn): the run is partial and sees fewer accounts at risk, which
    // a complete run would resolve (one clean scan is enough here).
    rig.fake
        .set_faults(Faults::none().rule(FaultRule::status(403).on(Endpoint::SignIns).page(1)));
    scheduled_run(&host, &bridge).await;
    let second = rig.report().await;
    assert!(!second.complete, "the run is partial");
    assert!(
        second
            .problems
            .iter()
            .any(|p| p.contains("signIns") || p.contains("sign-ins") || p.contains("signins")),
        "the failed source is named: {:?}",
        second.problems
    );
    assert!(
        second.summary.at_risk < first.summary.at_risk,
        "findings shrank: {} then {}",
        first.summary.at_risk,
        second.summary.at_risk
    );
    let after = rig.issues();
    assert_eq!(after.len(), opened.len(), "no ticket opened or lost");
    assert!(
        after.iter().all(|i| i["state"] == "open"),
        "no ticket resolved"
    );
}
