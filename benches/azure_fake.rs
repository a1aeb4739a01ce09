//! The Graph / ARM fake at scale: how long a big tenant takes to load, the memory it holds,
//! and how fast the fake serves a month of sign-ins and activity log over HTTP — the ceiling
//! a live-source benchmark against it stays under.
//!
//! Run: `cargo bench --bench azure_fake` (tenant size with `AZURE_FAKE_BENCH_USERS`, default
//! 20000; the tenant is synthesised once and cached under `target/bench-data/`).

#[path = "../tests/azure_fake/mod.rs"]
mod azure_fake;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use azure_fake::{AzureFake, FakeOptions, FakeTenant, Listing, RateLimit};
use serde_json::Value;

/// In-scope app ids and the Service Management API resource (DESIGN §1).
const IN_SCOPE: &str = "(appId in ('04b07795-8ddb-461a-bbee-02f9e1bf7b46','1950a258-227b-4e31-a9cf-717495945fc2','0c1307d4-29d6-4389-a11c-5cbe7f65d7fa') or resourceId eq '797f4846-ba00-4fd7-ba43-dac1f8f63013')";

fn users() -> usize {
    std::env::var("AZURE_FAKE_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

fn tenant_dir(users: usize) -> (PathBuf, stepup::synth::SynthOptions) {
    let opts = stepup::synth::SynthOptions::new(users, 30, 42);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("u{users}-d30"));
    if !dir.join("expected.json").exists() {
        let started = Instant::now();
        stepup::synth::generate(&opts, &dir).expect("synthesise the bench tenant");
        eprintln!(
            "synthesised {users} users x 30 days in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    (dir, opts)
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

/// Follows next links from `url`: (records, pages, body bytes, seconds).
async fn pull(client: &reqwest::Client, token: &str, url: String) -> (usize, usize, usize, f64) {
    let started = Instant::now();
    let (mut records, mut pages, mut bytes, mut next) = (0, 0, 0, Some(url));
    while let Some(url) = next {
        let body = client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        let page: Value = serde_json::from_slice(&body).expect("page");
        records += page["value"].as_array().map_or(0, Vec::len);
        pages += 1;
        bytes += body.len();
        next = page
            .get("@odata.nextLink")
            .or(page.get("nextLink"))
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    (records, pages, bytes, started.elapsed().as_secs_f64())
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn line(what: &str, (records, pages, bytes, secs): (usize, usize, usize, f64)) {
    println!(
        "  {what:<44} {records:>9} records {pages:>6} pages {:>8.1} MB  {:>9.0} records/s  {:>6.1} MB/s",
        bytes as f64 / 1e6,
        records as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
}

fn main() {
    let users = users();
    let (dir, opts) = tenant_dir(users);
    let before = rss_mib();
    let started = Instant::now();
    let tenant = FakeTenant::load(&dir, opts.tenant_id).expect("load");
    let load_s = started.elapsed().as_secs_f64();
    let counts = tenant.counts();
    let subs = tenant.subscription_ids();
    println!(
        "azure fake, {users} users x 30 days: loaded {} sign-ins, {} events, {} users in {load_s:.1} s; RSS +{:.0} MiB",
        counts.sign_ins,
        counts.events,
        counts.users,
        rss_mib() - before
    );
    let options = FakeOptions {
        report_limit: RateLimit::new(1_000_000, Duration::from_secs(1)),
        arm_reads: RateLimit::new(1_000_000, Duration::from_secs(1)),
        ..FakeOptions::default()
    };
    let fake = AzureFake::start(tenant, options).expect("start");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::builder().no_proxy().build().expect("client");
        let token_for = |scope: &'static str| {
            let url = format!("{}/{}/oauth2/v2.0/token", fake.authority_url_http(), fake.tenant_id());
            let form = [("grant_type", "client_credentials".to_string()), ("client_id", fake.client_id().to_string()), ("client_secret", fake.client_secret().to_string()), ("scope", scope.to_string())];
            let client = client.clone();
            async move {
                let body: Value = client.post(url).form(&form).send().await.expect("token").json().await.expect("json");
                body["access_token"].as_str().expect("token").to_string()
            }
        };
        let graph = token_for("https://graph.microsoft.com/.default").await;
        let arm = token_for("https://management.azure.com/.default").await;
        println!("served over loopback HTTP (client parse included):");
        let month = format!("signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser') and status/errorCode eq 0 and {IN_SCOPE}");
        let url = format!("{}/beta/auditLogs/signIns?$top=1000&$filter={}", fake.graph_url(), enc(&month));
        let got = pull(&client, &graph, url).await;
        line("in-scope successful user sign-ins, month", got);
        let need = fake.need(Listing::SignIns(Some(&month)), 1000).expect("need");
        println!("    need(): {} records in {} pages (the pull took {} pages)", need.records, need.pages, got.1);
        fake.set_apply_filters(false);
        let url = format!("{}/beta/auditLogs/signIns?$top=1000", fake.graph_url());
        line("every sign-in, filters off", pull(&client, &graph, url).await);
        fake.set_apply_filters(true);
        let (mut total, started) = ((0, 0, 0, 0.0), Instant::now());
        for sub in &subs {
            let filter = "eventTimestamp ge '2026-10-21T00:00:00Z' and eventTimestamp le '2026-11-20T00:00:00Z'";
            let url = format!("{}/subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter={}", fake.arm_url(), enc(filter));
            let (r, p, b, _) = pull(&client, &arm, url).await;
            total = (total.0 + r, total.1 + p, total.2 + b, 0.0);
        }
        total.3 = started.elapsed().as_secs_f64();
        line(&format!("activity log, month, {} subscriptions", subs.len()), total);
    });
    let c = fake.counters().total();
    println!(
        "counters: {} requests, {} pages, {} records",
        c.requests, c.pages, c.records
    );
}
