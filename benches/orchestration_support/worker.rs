//! One scan-worker invocation in a process of its own, for the orchestration benchmark: the
//! bench re-executes itself with `ORCH_BENCH_WORKER=<setup file>` and a `stepup-jobs`
//! message as JSON on stdin; this side builds a [`ScanRunner`] over the shared state folder
//! and the fake's URLs (over loopback, trusting the fake's certificate), runs the message and
//! prints what it produced, its time and its peak RSS (`VmHWM`) as one JSON line on stdout.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use stepup::config::IdentityConfig;
use stepup::ids::TenantId;
use stepup::jobs::{JobMessage, OwnerNotice};
use stepup::lifecycle::LifecycleSettings;
use stepup::runs::{RunEnv, ScanRunner};
use stepup::secret::Secret;
use stepup::settings::TenantSettings;
use stepup::sources::http::RetryPolicy;
use stepup::sources::{ConnectOptions, Rate, SourcesSettings};
use stepup::state::{LocalDirStore, StateStore};
use stepup::tickets::factory::TicketConfig;

/// The environment variable naming the setup file; set, the bench runs as a worker.
pub const WORKER_ENV: &str = "ORCH_BENCH_WORKER";
/// Set to `1` on a message's last delivery (a failing source job is then given up).
pub const LAST_DELIVERY_ENV: &str = "ORCH_BENCH_LAST_DELIVERY";

/// Everything a worker needs besides its message (written once by the bench).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Setup {
    /// The synthetic export (its `stepup.toml` is the tenant's settings).
    pub export_dir: PathBuf,
    /// The state folder every worker shares.
    pub state_dir: PathBuf,
    /// The ticket file outbox.
    pub tickets_dir: PathBuf,
    /// The fake's Graph base URL.
    pub graph_url: String,
    /// The fake's ARM base URL.
    pub arm_url: String,
    /// The fake's token authority (HTTPS).
    pub authority_url: String,
    /// The fake's certificate (PEM file).
    pub cert_pem: PathBuf,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The app registration.
    pub client_id: String,
    /// Its secret (the fake's; nothing real).
    pub client_secret: String,
    /// `STEPUP_GRAPH_REPORT_RATE`.
    pub report_rate: String,
    /// `STEPUP_LOOKBACK_DAYS`.
    pub lookback_days: u32,
    /// `STEPUP_JOB_BUDGET_SECONDS`, in milliseconds (time-scaled).
    pub budget_ms: u64,
    /// The runs' "now".
    pub now: chrono::DateTime<chrono::Utc>,
}

/// What one invocation printed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    /// Messages for `stepup-jobs`.
    pub jobs: Vec<JobMessage>,
    /// Messages for `stepup-notify`.
    pub notices: Vec<OwnerNotice>,
    /// The job's log lines.
    pub log: Vec<String>,
    /// The job's error (the queue delivers it again), if any.
    pub error: Option<String>,
    /// Set when a last delivery was given up (recorded as failed).
    pub given_up: Option<String>,
    /// Seconds inside `ScanRunner::run`.
    pub run_seconds: f64,
    /// Seconds from process start (`main`) to the printed answer.
    pub process_seconds: f64,
    /// Peak resident set (KiB) of this process.
    pub vm_hwm_kib: u64,
}

/// `VmHWM` of this process in KiB (0 when `/proc` does not say).
pub fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn http_client(pem: &str) -> Arc<dyn azure_core::http::HttpClient> {
    let cert = reqwest_azure::Certificate::from_pem(pem.as_bytes()).expect("certificate");
    let client = reqwest_azure::Client::builder()
        .tls_certs_only([cert])
        .no_proxy()
        .build()
        .expect("HTTP client");
    Arc::new(client)
}

fn runner(setup: &Setup) -> ScanRunner {
    let pem = std::fs::read_to_string(&setup.cert_pem).expect("read the fake's certificate");
    let tenant = TenantSettings::load(&setup.export_dir.join("stepup.toml")).expect("settings");
    let env = RunEnv {
        tenant,
        sources: SourcesSettings {
            graph_url: setup.graph_url.clone(),
            arm_url: setup.arm_url.clone(),
            lookback_days: setup.lookback_days,
            overlap_minutes: 120,
            subscriptions: Vec::new(),
            graph_report_rate: Rate::parse(&setup.report_rate).expect("rate"),
            arm_concurrency: 4,
        },
        identity: IdentityConfig {
            tenant_id: Some(setup.tenant_id),
            client_id: Some(setup.client_id.clone()),
            client_secret: Some(Secret::new(setup.client_secret.clone())),
            authority_host: Some(setup.authority_url.clone()),
            ..IdentityConfig::default()
        },
        lifecycle: LifecycleSettings::default(),
        tickets: TicketConfig::file_outbox(&setup.tickets_dir),
        ticket_retry: stepup::tickets::http::RetryPolicy::default(),
        renotify_days: 7,
        job_budget: Duration::from_millis(setup.budget_ms),
        connect: ConnectOptions {
            http: Some(http_client(&pem)),
            policy: Some(RetryPolicy::default()),
            ..ConnectOptions::default()
        },
    };
    let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(&setup.state_dir));
    ScanRunner::new(env, store)
}

/// The worker's `main`: one message from stdin, one JSON line on stdout.
pub fn main(setup_file: &str, last_delivery: bool) {
    let started = Instant::now();
    let setup: Setup = serde_json::from_slice(&std::fs::read(setup_file).expect("setup file"))
        .expect("setup JSON");
    let message: JobMessage =
        serde_json::from_reader(std::io::stdin().lock()).expect("a JobMessage on stdin");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let runner = runner(&setup);
    let ran = Instant::now();
    let (step, given_up) = runtime.block_on(runner.run(&message, setup.now, last_delivery));
    let run_seconds = ran.elapsed().as_secs_f64();
    let (step, error) = match step {
        Ok(step) => (step, None),
        Err(e) => (Default::default(), Some(e.to_string())),
    };
    let outcome = Outcome {
        jobs: step.jobs,
        notices: step.notices,
        log: step.log,
        error,
        given_up,
        run_seconds,
        process_seconds: started.elapsed().as_secs_f64(),
        vm_hwm_kib: vm_hwm_kib(),
    };
    println!("{}", serde_json::to_string(&outcome).expect("outcome JSON"));
}
