//! The account lifecycle against a real ticket sink (GitHub Issues, loopback fake) and the
//! real local state store: faults leave accounts "ticket pending" and lose nothing, a crash
//! between "ticket created" and "state saved" never duplicates a ticket, a refused credential
//! names the setting.

mod ticket_support;

use chrono::{Duration, Utc};
use stepup::detect::model::Finding;
use stepup::input::ExportDir;
use stepup::lifecycle::{apply, ApplyError, LifecycleSettings, ScanContext};
use stepup::offline::{scan_dir, settings_for};
use stepup::secret::Secret;
use stepup::state::LocalDirStore;
use stepup::tickets::draft::draft_for;
use stepup::tickets::github::{GitHubConfig, GitHubSink};
use stepup::tickets::http::RetryPolicy;
use stepup::tickets::{TicketKey, TicketSink};
use ticket_support::conformance::FakeControl;
use ticket_support::fake_server::{Fault, Route};
use ticket_support::github::{FakeGitHub, OWNER, REPO, TOKEN};

struct World {
    findings: Vec<Finding>,
    ctx: ScanContext,
    _dir: tempfile::TempDir,
    store: LocalDirStore,
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let tenant_dir = dir.path().join("tenant");
    let opts = stepup::synth::SynthOptions::new(100, 7, 31);
    stepup::synth::generate(&opts, &tenant_dir).expect("synth");
    let export = ExportDir::open(&tenant_dir).expect("export");
    let settings = settings_for(&export, None, &Default::default()).expect("settings");
    let (scan, _) = scan_dir(&export, &settings, Utc::now()).expect("scan");
    let ctx = ScanContext {
        tenant: scan.report.tenant_id.expect("synth names its tenant"),
        at: Utc::now(),
        complete: scan.report.complete,
        enforcement: scan.report.enforcement,
        settings: LifecycleSettings::default(),
    };
    let store = LocalDirStore::new(dir.path().join("state"));
    World {
        findings: scan.detection.findings,
        ctx,
        store,
        _dir: dir,
    }
}

fn sink(fake: &FakeGitHub, token: &str) -> GitHubSink {
    let config = GitHubConfig {
        api_url: fake.server.base_url(),
        owner: OWNER.into(),
        repo: REPO.into(),
        token: Secret::new(token),
    };
    GitHubSink::new(&config, RetryPolicy::fast()).expect("sink")
}

fn stepup_issues(fake: &FakeGitHub) -> usize {
    fake.issues()
        .iter()
        .filter(|i| i.json.get("pull_request").is_none())
        .count()
}

#[tokio::test]
async fn server_errors_leave_tickets_pending_and_the_next_run_opens_each_once() {
    let mut w = world();
    let n = w.findings.len();
    assert!(n > 5, "the tenant has accounts at risk");
    let fake = FakeGitHub::start().await;
    let sink = sink(&fake, TOKEN);

    // Every create fails with 500 (not retried: a POST is not idempotent).
    fake.inject(
        Route::new("POST", "issues"),
        &vec![Fault::status(500); 10 * n],
    );
    let first = apply(&w.store, &sink, &w.findings, &w.ctx)
        .await
        .expect("a 500 is no reason to fail the run");
    assert_eq!(first.opened, 0);
    assert_eq!(first.pending.len(), n, "every account waits for its ticket");
    assert_eq!(stepup_issues(&fake), 0);

    fake.clear_faults();
    w.ctx.at += Duration::hours(24);
    let second = apply(&w.store, &sink, &w.findings, &w.ctx)
        .await
        .expect("run");
    assert_eq!(second.opened, n);
    assert!(second.pending.is_empty());
    assert_eq!(stepup_issues(&fake), n);

    w.ctx.at += Duration::hours(24);
    let third = apply(&w.store, &sink, &w.findings, &w.ctx)
        .await
        .expect("run");
    assert_eq!(third.opened, 0, "nothing opened twice");
    assert_eq!(stepup_issues(&fake), n);
}

#[tokio::test]
async fn a_crash_between_creating_a_ticket_and_saving_state_never_duplicates() {
    let w = world();
    let fake = FakeGitHub::start().await;
    let sink = sink(&fake, TOKEN);

    // The process created the first account's ticket, then died before saving its state.
    let f = &w.findings[0];
    let draft = draft_for(
        f,
        &w.ctx.tenant,
        &w.ctx.enforcement,
        w.ctx.settings.ticket_due_days,
        &stepup::guidance::for_finding(f, &w.ctx.enforcement),
    );
    sink.create(&draft).await.expect("created before the crash");

    let rerun = apply(&w.store, &sink, &w.findings, &w.ctx)
        .await
        .expect("rerun");
    assert_eq!(stepup_issues(&fake), w.findings.len());
    let key = TicketKey {
        tenant: w.ctx.tenant,
        user: f.user_id,
    };
    assert_eq!(
        fake.count(&key),
        1,
        "exactly one ticket for the crashed account"
    );
    assert!(rerun.pending.is_empty());
}

#[tokio::test]
async fn a_refused_credential_names_the_setting_and_keeps_every_account() {
    let w = world();
    let fake = FakeGitHub::start().await;
    let bad = sink(&fake, "not-the-token");
    let err = apply(&w.store, &bad, &w.findings, &w.ctx)
        .await
        .expect_err("401 stops the ticket calls");
    assert!(matches!(err, ApplyError::Unauthorized { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("STEPUP_GITHUB_TOKEN"), "{text}");
    assert!(!text.contains("not-the-token"), "the secret never shows");
    assert_eq!(stepup_issues(&fake), 0);

    // Fixed credential: every account still gets its ticket.
    let good = sink(&fake, TOKEN);
    let mut ctx = w.ctx;
    ctx.at += Duration::hours(1);
    let run = apply(&w.store, &good, &w.findings, &ctx)
        .await
        .expect("run");
    assert_eq!(run.opened, w.findings.len());
}
