//! Teams delivery through the real parts: the outbox and the webhook sink pass one
//! conformance suite; the webhook sink against a loopback fake of Workflows and legacy
//! incoming webhooks (rate enforced per URL, faults injected); the digest timer through the
//! Functions host emulator; and every card a run writes validates with the adaptivecards SDK.

mod support;
mod teams_support;

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use stepup::lifecycle::{save_report, AccountRecord};
use stepup::secret::Secret;
use stepup::settings::TenantSettings;
use stepup::state::{get_json, LocalDirStore, StateStore};
use stepup::teams::cards::chat_reply;
use stepup::teams::channel::{Channel, ChannelBook};
use stepup::teams::delivery::{DeliveryError, Message, OutboxSink, TeamsSink, WebhookSink};
use stepup::teams::notify::{deliver, deliver_all};
use stepup::tickets::http::RetryPolicy;
use teams_support::conformance::{self, Harness};
use teams_support::fake_webhook::{FakeWebhook, Fault, Kind};
use teams_support::{day, finding, findings, mentioned, plan_at, tenant};

/// Retries sized for a loopback fake (enough attempts for every injected fault plus the
/// odd rate-limit answer).
fn fast(timeout: Duration) -> RetryPolicy {
    RetryPolicy {
        max_attempts: 10,
        min_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(5),
        timeout,
    }
}

/// The ownership map of the tests: `svc-deploy-000[0-2]` accounts go to team Platform.
fn settings_with(team_url: &str) -> TenantSettings {
    TenantSettings::from_toml(
        &format!(
            "[owners]\n\"svc-deploy-000[0-2]@contoso.com\" = {{ owner = \"owner-00000@contoso.com\", team = \"Platform\", teams_webhook = \"{team_url}\" }}\n"
        ),
        "stepup.toml",
    )
    .expect("settings")
}

fn team_channel() -> Channel {
    Channel::Team {
        rule: "svc-deploy-000[0-2]@contoso.com".into(),
        team: Some("Platform".into()),
    }
}

/// The webhook sink: the default channel a Workflows URL, team Platform a legacy one.
struct Webhooks {
    fake: FakeWebhook,
    sink: Arc<WebhookSink>,
    team_url: String,
}

impl Webhooks {
    async fn start(rate: u32, policy: RetryPolicy) -> Self {
        let fake = FakeWebhook::start(rate).await;
        let default_url = fake.add(Kind::Workflows, "default");
        let team_url = fake.add(Kind::Legacy, "platform");
        let book = ChannelBook::new(Some(Secret::new(default_url))).with_team(
            "svc-deploy-000[0-2]@contoso.com",
            Secret::new(team_url.clone()),
        );
        let rate = NonZeroU32::new(rate).expect("rate");
        let sink = Arc::new(WebhookSink::new(book, rate, policy).expect("sink"));
        Self {
            fake,
            sink,
            team_url,
        }
    }
}

#[async_trait]
impl Harness for Webhooks {
    fn sink(&self) -> Arc<dyn TeamsSink> {
        self.sink.clone()
    }
    fn team(&self) -> Channel {
        team_channel()
    }
    fn settings(&self) -> TenantSettings {
        settings_with(&self.team_url)
    }
    async fn delivered(&self, channel: &Channel) -> Vec<Value> {
        match channel {
            Channel::Default => self.fake.received("default"),
            Channel::Team { .. } => self.fake.received("platform"),
        }
    }
}

/// The outbox in a temporary folder.
struct Outbox {
    dir: tempfile::TempDir,
    sink: Arc<OutboxSink>,
}

impl Outbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let sink = Arc::new(OutboxSink::new(dir.path().join("teams")));
        Self { dir, sink }
    }
}

/// The `.json` files below `dir`, sorted by name.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    files
}

#[async_trait]
impl Harness for Outbox {
    fn sink(&self) -> Arc<dyn TeamsSink> {
        self.sink.clone()
    }
    fn team(&self) -> Channel {
        team_channel()
    }
    fn settings(&self) -> TenantSettings {
        settings_with("https://hooks.example.com/platform?sig=unused")
    }
    async fn delivered(&self, channel: &Channel) -> Vec<Value> {
        json_files(&self.dir.path().join("teams").join(channel.slug()))
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read")).expect("json"))
            .collect()
    }
}

#[tokio::test]
async fn the_outbox_passes_the_conformance_suite() {
    let outbox = Outbox::new();
    conformance::run(&outbox).await;
    // Each message also has its plain-text rendering beside it.
    let default = outbox.dir.path().join("teams/default");
    let text = std::fs::read_to_string(default.join("c1-first.txt")).expect("text file");
    assert!(text.starts_with("To: the default channel"), "{text}");
    assert!(text.contains("one"), "{text}");
}

#[tokio::test]
async fn webhooks_pass_the_conformance_suite() {
    let hooks = Webhooks::start(50, fast(Duration::from_secs(5))).await;
    conformance::run(&hooks).await;
    let stats = hooks.fake.stats();
    assert_eq!(stats.unauthorized, 0);
    assert_eq!(
        stats.accepted,
        stats.requests - stats.throttled - stats.early
    );
}

#[tokio::test]
async fn with_429s_and_5xx_injected_every_owner_gets_exactly_one_message() {
    let hooks = Webhooks::start(20, fast(Duration::from_secs(5))).await;
    hooks.fake.inject(
        "default",
        &[
            Fault::Status(429, Some(1)),
            Fault::Status(500, None),
            Fault::Status(502, None),
            Fault::Status(503, Some(1)),
            Fault::Status(429, None),
        ],
    );
    hooks.fake.inject(
        "platform",
        &[
            Fault::LegacyText(429),
            Fault::Status(429, Some(1)),
            Fault::LegacyText(500),
            Fault::Status(504, None),
        ],
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::new(dir.path());
    // 24 owners; owner 0 (svc-deploy-0000…0002) lands in team Platform's channel.
    let all = findings(24, 3);
    let plan = plan_at(&store, &all, &hooks.settings(), day(0)).await;
    assert_eq!(plan.notices.len(), 24);
    let report = deliver_all(&plan.notices, hooks.sink.as_ref(), &store, day(0), 8).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.delivered, 24);
    assert!(
        report.throttled >= 3,
        "the injected 429s were seen: {report:?}"
    );

    let mut got: Vec<String> = hooks
        .fake
        .received("default")
        .iter()
        .chain(hooks.fake.received("platform").iter())
        .filter_map(mentioned)
        .collect();
    got.sort();
    let mut want: Vec<String> = plan.notices.iter().map(|n| n.owner.who.clone()).collect();
    want.sort();
    assert_eq!(
        got,
        want,
        "one message per owner, none twice, none lost; {:?}",
        hooks.fake.stats()
    );
    assert_eq!(hooks.fake.stats().injected, 9);
    assert_eq!(report.recorded, all.len());

    // The next run the same day sends nothing: every account was just notified.
    let again = plan_at(
        &store,
        &all,
        &hooks.settings(),
        day(0) + chrono::Duration::hours(2),
    )
    .await;
    assert!(again.notices.is_empty());
}

#[tokio::test]
async fn retry_after_holds_the_whole_url() {
    let hooks = Webhooks::start(5, fast(Duration::from_secs(5))).await;
    hooks.fake.inject("default", &[Fault::Status(429, Some(1))]);
    let sink = hooks.sink();
    let first = Message::new(Channel::Default, "first", chat_reply("first", &[]));
    let posted = sink.post(&first).await.expect("posted after waiting");
    assert_eq!((posted.attempts, posted.throttled), (2, 1));

    // Six at once: the first is throttled; the others, queued at the rate limiter
    // meanwhile, wait for the Retry-After too instead of meeting the 429 themselves.
    hooks.fake.inject("default", &[Fault::Status(429, Some(1))]);
    let messages: Vec<Message> = (0..6)
        .map(|i| Message::new(Channel::Default, &format!("next{i}"), chat_reply("n", &[])))
        .collect();
    let results = futures_util::future::join_all(messages.iter().map(|m| sink.post(m))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let stats = hooks.fake.stats();
    assert_eq!(stats.early, 0, "nothing was sent before Retry-After was up");
    assert_eq!(hooks.fake.received("default").len(), 7);
}

#[tokio::test]
async fn what_retrying_cannot_fix_is_not_retried_and_names_the_channel_only() {
    let hooks = Webhooks::start(50, fast(Duration::from_secs(5))).await;
    let sink = hooks.sink();
    let m = |name: &str, channel: Channel| Message::new(channel, name, chat_reply(name, &[]));

    hooks.fake.inject("default", &[Fault::Status(400, None)]);
    let err = sink
        .post(&m("bad", Channel::Default))
        .await
        .expect_err("400");
    assert!(
        matches!(err, DeliveryError::Rejected { status: 400, .. }),
        "{err}"
    );
    assert_eq!(hooks.fake.stats().requests, 1, "a 400 is not retried");

    hooks.fake.inject("platform", &[Fault::LegacyText(413)]);
    let err = sink.post(&m("big", team_channel())).await.expect_err("413");
    assert!(
        matches!(err, DeliveryError::Rejected { status: 413, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("team Platform"), "{err}");

    hooks.fake.inject("default", &[Fault::Status(404, None)]);
    let err = sink
        .post(&m("gone", Channel::Default))
        .await
        .expect_err("404");
    assert!(
        matches!(err, DeliveryError::Unauthorized { status: 404, .. }),
        "{err}"
    );

    // A URL with a wrong signature.
    let wrong = hooks
        .team_url
        .replace("IncomingWebhook/sig", "IncomingWebhook/gis");
    let forged = format!(
        "http://{}/workflows/default/triggers/manual/paths/invoke?sig=forged",
        hooks.fake.addr()
    );
    for url in [forged, wrong] {
        let book = ChannelBook::new(Some(Secret::new(url.clone())));
        let sink =
            WebhookSink::new(book, NonZeroU32::MIN, fast(Duration::from_secs(5))).expect("sink");
        let err = sink
            .post(&m("forged", Channel::Default))
            .await
            .expect_err("refused");
        assert!(matches!(err, DeliveryError::Unauthorized { .. }), "{err}");
        assert!(
            !err.to_string().contains(&url) && !err.to_string().contains("sig"),
            "{err}"
        );
    }

    // No webhook for a team and no fallback: an error naming the team.
    let sink = WebhookSink::new(
        ChannelBook::new(None),
        NonZeroU32::MIN,
        fast(Duration::from_secs(5)),
    )
    .expect("sink");
    let err = sink
        .post(&m("nowhere", team_channel()))
        .await
        .expect_err("no channel");
    assert!(matches!(err, DeliveryError::NoChannel { .. }), "{err}");
    assert!(err.to_string().contains("team Platform"), "{err}");
}

#[tokio::test]
async fn a_timeout_is_never_posted_twice_and_the_next_run_tries_again() {
    let hooks = Webhooks::start(50, fast(Duration::from_millis(500))).await;
    hooks
        .fake
        .inject("platform", &[Fault::Timeout(Duration::from_secs(2))]);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::new(dir.path());
    let owned = findings(1, 2); // owner 0: the team channel
    let plan = plan_at(&store, &owned, &hooks.settings(), day(0)).await;
    let notice = &plan.notices[0];

    let done = deliver(notice, hooks.sink.as_ref(), &store, day(0))
        .await
        .expect("delivered");
    assert_eq!((done.outcome.posted, done.outcome.uncertain), (0, 1));
    assert_eq!(done.recorded, 0, "an uncertain notice is not recorded");
    let again = deliver(notice, hooks.sink.as_ref(), &store, day(0))
        .await
        .expect("again");
    assert_eq!(again.outcome.posted, 0, "not posted twice in one run");

    // The next run (the next day) brings the accounts up again, and they arrive.
    let next = plan_at(&store, &owned, &hooks.settings(), day(1)).await;
    assert_eq!(next.accounts(), 2, "{:?}", next.skipped);
    let done = deliver(&next.notices[0], hooks.sink.as_ref(), &store, day(1))
        .await
        .expect("delivered");
    assert_eq!((done.outcome.posted, done.recorded), (1, 2));
    assert_eq!(hooks.fake.received("platform").len(), 1);
    let record: AccountRecord =
        get_json(&store, &AccountRecord::key_of(&tenant(), &owned[0].user_id))
            .await
            .expect("read")
            .expect("record");
    assert_eq!(record.notices.len(), 1);
}

/// Runs tests/node/validate-cards.js (Microsoft's adaptivecards SDK) over `files`.
fn validate_cards(files: &[PathBuf]) {
    let node = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    assert!(
        node.join("node_modules/adaptivecards").is_dir(),
        "the adaptivecards SDK is not installed: run `npm ci --prefix tests/node` (scripts/test does)"
    );
    let out = std::process::Command::new("node")
        .arg(node.join("validate-cards.js"))
        .args(files)
        .output()
        .expect("run node (is Node.js installed?)");
    assert!(
        out.status.success(),
        "card validation failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).matches("ok ").count(),
        files.len()
    );
}

#[tokio::test]
async fn every_card_a_run_writes_validates_with_the_adaptivecards_sdk() {
    use stepup::input::ExportDir;
    use stepup::offline::{scan_dir, settings_for};
    use stepup::teams::digest::{post_broadcast, post_digest, weekly_run};

    let temp = tempfile::tempdir().expect("temp dir");
    let tenant_dir = temp.path().join("tenant");
    stepup::synth::generate(&stepup::synth::SynthOptions::new(150, 7, 11), &tenant_dir)
        .expect("synth");
    let export = ExportDir::open(&tenant_dir).expect("export");
    let settings = settings_for(&export, None, &Default::default()).expect("settings");
    let now = chrono::Utc::now();
    let (scan, _) = scan_dir(&export, &settings, now).expect("scan");
    let tenant = scan.report.tenant_id.expect("synth names its tenant");

    let state = temp.path().join("state");
    let store = LocalDirStore::new(&state);
    save_report(&store, &tenant, &scan.report)
        .await
        .expect("report");
    let previous = stepup::lifecycle::load_records(&store, &tenant)
        .await
        .expect("records");
    let ctx = stepup::lifecycle::ScanContext {
        tenant,
        at: now,
        complete: true,
        enforcement: scan.report.enforcement,
        settings: Default::default(),
    };
    for r in stepup::lifecycle::reconcile(&previous, &scan.detection.findings, &ctx).records {
        stepup::state::update_json(&store, &r.key(), |_: Option<AccountRecord>| Ok(r.clone()))
            .await
            .expect("record");
    }
    let records = stepup::lifecycle::load_records(&store, &tenant)
        .await
        .expect("records");
    let plan = stepup::teams::notify::plan(&stepup::teams::notify::PlanInput {
        tenant,
        scan_at: now,
        enforcement: scan.report.enforcement,
        findings: &scan.detection.findings,
        records: &records,
        settings: &settings,
        renotify_days: 7,
        now,
    });
    assert!(plan.notices.len() > 1);
    let outbox = OutboxSink::new(temp.path().join("outbox"));
    let run = deliver_all(&plan.notices, &outbox, &store, now, 4).await;
    assert!(run.failed.is_empty(), "{:?}", run.failed);
    post_digest(&store, &outbox, &tenant, now, &weekly_run(now))
        .await
        .expect("digest");
    let first = post_broadcast(&store, &outbox, &tenant, "ZNL8-LP0", None, now)
        .await
        .expect("broadcast")
        .expect("a report is stored");
    assert_eq!(first.posted, 1);
    // The same Service Health notice again (a redelivered alert): nothing new.
    let again = post_broadcast(&store, &outbox, &tenant, "ZNL8-LP0", None, now)
        .await
        .expect("broadcast")
        .expect("a report is stored");
    assert_eq!((again.posted, again.already), (0, 1));

    let files = json_files(&temp.path().join("outbox/default"));
    assert_eq!(
        files.len(),
        run.messages + 2,
        "notices, digest and broadcast"
    );
    validate_cards(&files);
}

#[tokio::test]
async fn the_digest_timer_posts_the_digest_once_a_week_through_the_host() {
    use stepup::detect::model::Detection;
    use stepup::report::model::ScanReport;
    use support::emulator::HostEmulator;

    let state = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::new(state.path());
    let now = chrono::Utc::now();
    let mut all = findings(3, 2);
    all.push(finding(90, "owner-00001@contoso.com"));
    let detection = Detection {
        accounts_scanned: 40,
        findings: all.clone(),
        ..Detection::default()
    };
    let date = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).expect("date");
    let report = ScanReport::build(&detection, Some(tenant()), date, now, Vec::new());
    save_report(&store, &tenant(), &report)
        .await
        .expect("report");
    teams_support::store_records(&store, &all, now).await;

    let fake = FakeWebhook::start(4).await;
    let url = fake.add(Kind::Workflows, "digest");
    let state_dir = state.path().to_string_lossy().into_owned();
    let host = HostEmulator::start_with_env(&[
        ("STEPUP_STATE_DIR", state_dir.as_str()),
        ("STEPUP_TEAMS_WEBHOOK", url.as_str()),
    ])
    .await;
    for past_due in [false, true] {
        let invocation = host.invoke_timer("digest", past_due).await;
        assert_eq!(
            invocation.status,
            200,
            "{}\n{}",
            invocation.body,
            host.stderr()
        );
    }
    let received = fake.received("digest");
    assert_eq!(
        received.len(),
        1,
        "one digest a week, however often the timer fires"
    );
    let card = &received[0]["attachments"][0]["content"];
    let text = card.to_string();
    assert!(text.contains("Weekly MFA readiness"), "{text}");
    assert!(text.contains("owner-00001@contoso.com — 3 open"), "{text}");
    assert!(text.contains(r#""Chart.Line""#), "{text}");
    assert!(
        !host.stderr().contains("sig-digest"),
        "the webhook URL is never logged"
    );

    let week = stepup::lifecycle::snapshot::iso_week(now);
    let key = stepup::lifecycle::snapshot::WeeklySnapshot::key_of(&tenant(), &week).expect("key");
    assert!(
        store.get(&key).await.expect("read").is_some(),
        "the weekly snapshot was taken"
    );
}

#[tokio::test]
async fn the_notify_worker_delivers_queued_messages_once_through_the_host() {
    use stepup::detect::model::Detection;
    use stepup::jobs::{Broadcast, NoticeRef, NotifyMessage, OwnerNotice, RunId};
    use stepup::report::model::ScanReport;
    use stepup::teams::notify::save_findings;
    use support::emulator::HostEmulator;

    let state = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::new(state.path());
    let now = chrono::Utc::now();
    let all = findings(2, 3);
    let detection = Detection {
        accounts_scanned: 30,
        findings: all.clone(),
        ..Detection::default()
    };
    let date = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).expect("date");
    let report = ScanReport::build(&detection, Some(tenant()), date, now, Vec::new());
    save_report(&store, &tenant(), &report)
        .await
        .expect("report");
    save_findings(&store, &tenant(), &all)
        .await
        .expect("findings");
    teams_support::store_records(&store, &all, now).await;

    let fake = FakeWebhook::start(4).await;
    let url = fake.add(Kind::Workflows, "default");
    let state_dir = state.path().to_string_lossy().into_owned();
    let host = HostEmulator::start_with_env(&[
        ("STEPUP_STATE_DIR", state_dir.as_str()),
        ("STEPUP_TEAMS_WEBHOOK", url.as_str()),
    ])
    .await;

    // Owner 1's notice, delivered twice (the queue redelivers): posted once, recorded once.
    let owned: Vec<_> = all[3..].iter().map(|f| f.user_id).collect();
    let notice = NotifyMessage::OwnerNotice(OwnerNotice {
        run_id: RunId::new(now),
        tenant: tenant(),
        owner: "owner-00001@contoso.com".into(),
        accounts: owned.clone(),
        accounts_key: None,
    });
    let text = serde_json::to_string(&notice).expect("json");
    for delivery in [1, 2] {
        let invocation = host.invoke_queue("notify-worker", &text, delivery).await;
        assert_eq!(
            invocation.status,
            200,
            "{}\n{}",
            invocation.body,
            host.stderr()
        );
    }
    let received = fake.received("default");
    assert_eq!(
        received.len(),
        1,
        "once, however often the queue delivers it"
    );
    assert_eq!(
        mentioned(&received[0]).as_deref(),
        Some("owner-00001@contoso.com")
    );
    let card = received[0].to_string();
    assert!(card.contains("svc-deploy-0003@contoso.com") && !card.contains("svc-deploy-0000@"));
    for id in &owned {
        let record: AccountRecord = get_json(&store, &AccountRecord::key_of(&tenant(), id))
            .await
            .expect("read")
            .expect("record");
        assert_eq!(record.notices.len(), 1);
    }

    // The enforcement broadcast of a Service Health notice.
    let broadcast = NotifyMessage::Broadcast(Broadcast {
        tenant: tenant(),
        enforcement_date: None,
        notice: NoticeRef {
            tracking_id: Some("ZNL8-LP0".into()),
            communication_id: None,
            title: "Mandatory MFA for Azure Resource Manager".into(),
            published_at: None,
        },
        dedupe_key: "ZNL8-LP0".into(),
    });
    let text = serde_json::to_string(&broadcast).expect("json");
    let invocation = host.invoke_queue("notify-worker", &text, 1).await;
    assert_eq!(invocation.status, 200, "{}", invocation.body);
    let received = fake.received("default");
    assert_eq!(received.len(), 2);
    assert!(received[1]
        .to_string()
        .contains("Mandatory Azure MFA (Phase 2)"));

    // What is no stepup-notify message is refused, not retried.
    let invocation = host
        .invoke_queue("notify-worker", r#"{"kind":"owner"}"#, 1)
        .await;
    assert_eq!(invocation.status, 400, "{}", invocation.body);
}
