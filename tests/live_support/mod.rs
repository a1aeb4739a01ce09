//! Shared pieces of the live-source tests and the live-scan benchmark: a synthetic tenant
//! served by the Azure fake, a tenant context connected to it through the real credential
//! path (client secret against the fake's HTTPS authority), the offline scan to compare with,
//! and an export restricted to what the live queries are specified to read.
//!
//! Include with `#[path = "live_support/mod.rs"] mod live_support;` after
//! `#[path = "azure_fake/mod.rs"] mod azure_fake;`.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::azure_fake::{AzureFake, FakeOptions, FakeTenant, RateLimit};
use stepup::config::IdentityConfig;
use stepup::ids::TenantId;
use stepup::input::ExportDir;
use stepup::report::Scan;
use stepup::secret::Secret;
use stepup::settings::TenantSettings;
use stepup::sources::http::{ReportLimiter, RetryPolicy};
use stepup::sources::{connect, ConnectOptions, Rate, SourceContext, SourcesSettings};
use stepup::synth::{generate, SynthOptions};

/// In-scope app ids and the Service Management API (DESIGN.md §1), stated here again so the
/// tests do not take the client's word for them.
pub const IN_SCOPE_APPS: [&str; 3] = [
    "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    "1950a258-227b-4e31-a9cf-717495945fc2",
    "0c1307d4-29d6-4389-a11c-5cbe7f65d7fa",
];
/// The Service Management API's resource id.
pub const SERVICE_MANAGEMENT_API: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

/// A synthetic tenant on disk.
pub struct Tenant {
    /// The export directory (keeps the files alive).
    pub dir: tempfile::TempDir,
    /// How it was made.
    pub opts: SynthOptions,
}

impl Tenant {
    /// Synthesises `users` users over `days` days.
    pub fn new(users: usize, days: u32, seed: u64) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let opts = SynthOptions::new(users, days, seed);
        generate(&opts, dir.path()).expect("synthesise");
        Self { dir, opts }
    }

    /// Synthesises a tenant whose window ends at `end` (whole seconds).
    pub fn ending(users: usize, days: u32, seed: u64, end: DateTime<Utc>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut opts = SynthOptions::new(users, days, seed);
        opts.end = DateTime::from_timestamp(end.timestamp(), 0).expect("end");
        generate(&opts, dir.path()).expect("synthesise");
        Self { dir, opts }
    }

    /// The export directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The tenant's settings (`stepup.toml`).
    pub fn settings(&self) -> TenantSettings {
        TenantSettings::load(&self.path().join("stepup.toml")).expect("tenant settings")
    }

    /// The end of the synthetic window: the live scans' "now".
    pub fn end(&self) -> DateTime<Utc> {
        self.opts.end
    }

    /// The tenant id.
    pub fn id(&self) -> TenantId {
        self.opts.tenant_id
    }
}

/// Serves `dir` (tenant `id`) with a report limit of `report_limit` per `window`.
pub fn serve(dir: &Path, id: TenantId, options: FakeOptions) -> AzureFake {
    let tenant = FakeTenant::load(dir, id).expect("load tenant");
    AzureFake::start(tenant, options).expect("start fake")
}

/// Fake options with a time-scaled report limit (`requests` per `window_ms`).
pub fn scaled(requests: u32, window_ms: u64) -> FakeOptions {
    FakeOptions {
        report_limit: RateLimit::new(requests, Duration::from_millis(window_ms)),
        ..FakeOptions::default()
    }
}

/// An azure_core HTTP client that trusts the fake's certificate (HTTPS authority) and
/// speaks plain HTTP to its Graph and ARM ports.
pub fn http_client(fake: &AzureFake) -> Arc<dyn azure_core::http::HttpClient> {
    let cert =
        reqwest_azure::Certificate::from_pem(fake.cert_pem().as_bytes()).expect("certificate");
    let client = reqwest_azure::Client::builder()
        .tls_certs_only([cert])
        .no_proxy()
        .build()
        .expect("HTTP client");
    Arc::new(client)
}

/// The `AZURE_*` identity of the fake's app registration (client secret).
pub fn secret_identity(fake: &AzureFake) -> IdentityConfig {
    IdentityConfig {
        tenant_id: TenantId::parse(fake.tenant_id()).ok(),
        client_id: Some(fake.client_id().to_string()),
        client_secret: Some(Secret::new(fake.client_secret())),
        authority_host: Some(fake.authority_url()),
        ..IdentityConfig::default()
    }
}

/// Source settings pointing at the fake: look-back `days`, client report rate `rate`.
pub fn sources(fake: &AzureFake, days: u32, rate: &str) -> SourcesSettings {
    SourcesSettings {
        graph_url: fake.graph_url(),
        arm_url: fake.arm_url(),
        lookback_days: days,
        overlap_minutes: 120,
        subscriptions: Vec::new(),
        graph_report_rate: Rate::parse(rate).expect("rate"),
        arm_concurrency: 4,
    }
}

/// A tenant context on the fake through the real credential path.
pub fn context(
    fake: &AzureFake,
    identity: &IdentityConfig,
    sources: &SourcesSettings,
    policy: RetryPolicy,
) -> SourceContext {
    connect(
        identity,
        sources,
        TenantId::parse(fake.tenant_id()).expect("tenant id"),
        ConnectOptions {
            http: Some(http_client(fake)),
            policy: Some(policy),
            limiter: Some(Arc::new(ReportLimiter::new(sources.graph_report_rate))),
            ..ConnectOptions::default()
        },
    )
    .expect("connect")
}

/// The offline scan of an export directory, as of `now`.
pub fn offline(dir: &Path, settings: &TenantSettings, now: DateTime<Utc>) -> Scan {
    let export = ExportDir::open(dir).expect("export dir");
    stepup::offline::scan_dir(&export, settings, now)
        .expect("offline scan")
        .0
}

/// Every record of an export file (array, page or JSON Lines).
pub fn records(dir: &Path, file: &str) -> Vec<Value> {
    let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
        return Vec::new();
    };
    let t = text.trim_start();
    if t.starts_with('[') {
        return serde_json::from_str(t).expect("array");
    }
    if let Ok(Value::Object(page)) = serde_json::from_str::<Value>(t) {
        if let Some(Value::Array(v)) = page.get("value") {
            return v.clone();
        }
    }
    t.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("line"))
        .collect()
}

fn time(v: &Value, field: &str) -> DateTime<Utc> {
    v[field]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .expect("record time")
}

/// Whether a sign-in is one the live queries are specified to read (DESIGN.md §2, the
/// sources issue): successful, to an in-scope app or the Service Management API, and either
/// interactive, or non-interactive and single-factor.
pub fn specified_sign_in(s: &Value) -> bool {
    let types = s["signInEventTypes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let has = |t: &str| types.iter().any(|x| x == t);
    let in_scope = s["appId"]
        .as_str()
        .is_some_and(|a| IN_SCOPE_APPS.contains(&a))
        || s["resourceId"] == SERVICE_MANAGEMENT_API;
    let single_factor = s["authenticationRequirement"] == "singleFactorAuthentication";
    s["status"]["errorCode"] == 0
        && in_scope
        && (has("interactiveUser") || (has("nonInteractiveUser") && single_factor))
}

/// Copies an export, keeping only events in `from..=to` and, with `specified`, only the
/// sign-ins the live queries read. The directory files are copied as they are.
pub fn restrict(src: &Path, dst: &Path, from: DateTime<Utc>, to: DateTime<Utc>, specified: bool) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for entry in std::fs::read_dir(src).expect("read dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().to_string();
        if name != "signIns.json" && name != "activityLog.json" {
            std::fs::copy(entry.path(), dst.join(&name)).expect("copy");
        }
    }
    let keep = |file: &str, field: &str, pick: &dyn Fn(&Value) -> bool| {
        let lines: Vec<String> = records(src, file)
            .into_iter()
            .filter(|r| {
                let t = time(r, field);
                t >= from && t <= to && pick(r)
            })
            .map(|r| r.to_string())
            .collect();
        std::fs::write(dst.join(file), lines.join("\n")).expect("write");
    };
    keep("signIns.json", "createdDateTime", &|s| {
        !specified || specified_sign_in(s)
    });
    keep("activityLog.json", "eventTimestamp", &|_| true);
}

/// A report as JSON without `generatedAt` (the only field that depends on the clock).
pub fn comparable(scan: &Scan) -> Value {
    let mut v = serde_json::to_value(&scan.report).expect("report JSON");
    if let Some(o) = v.as_object_mut() {
        o.remove("generatedAt");
    }
    v
}
