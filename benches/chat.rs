//! Chat command latency under load: `stepup`'s HTTP server (in process, the same registry
//! `stepup serve` runs) over a state folder with 100,000 stored accounts, driven on
//! loopback by 200 concurrent keep-alive connections sending signed outgoing-webhook
//! activities with a mix of commands. Prints p50/p90/p99/p99.9/max per command and overall,
//! and the throughput.
//!
//! Run: `cargo bench --bench chat`. Knobs (environment): CHAT_BENCH_ACCOUNTS (100000),
//! CHAT_BENCH_CONNECTIONS (200), CHAT_BENCH_SECONDS (30), CHAT_BENCH_WRITES_PERCENT (2:
//! the share of ack/snooze, which write an account record through the store's lock and
//! fsync).

#[path = "chat_support/seed.rs"]
mod seed;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Utc;
use hdrhistogram::Histogram;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const TOKEN: &str = "q6yp3v1nXg2Q6tW8uJ5o0cWb9eJ4kYh7fV2sL1mN3pE=";
const ADMIN: usize = 0;
/// The name of the server's threads (workers and blocking pool), for CPU accounting.
const SERVER_THREADS: &str = "chat-server";

/// CPU seconds (user + system) used so far by this process's threads, split into the
/// server's and the rest (the load driver), from `/proc/self/task/*/stat`. Threads that
/// ended are not counted: the server's blocking threads linger 10 s, long enough.
fn cpu_seconds() -> (f64, f64) {
    let ticks = 100.0; // USER_HZ on Linux
    let (mut server, mut other) = (0.0, 0.0);
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return (0.0, 0.0);
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state … utime stime …`: fields 14 and 15, counted after the comm.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = &stat[open + 1..close];
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        let used = fields
            .get(11)
            .zip(fields.get(12))
            .and_then(|(u, s)| Some(u.parse::<f64>().ok()? + s.parse::<f64>().ok()?))
            .unwrap_or(0.0)
            / ticks;
        if comm.starts_with(SERVER_THREADS) {
            server += used;
        } else {
            other += used;
        }
    }
    (server, other)
}

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One prepared request: the command's label, the body and its signature.
struct Prepared {
    label: &'static str,
    body: bytes::Bytes,
    auth: String,
}

fn sign(body: &[u8]) -> String {
    let key = STANDARD.decode(TOKEN).expect("token");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("key");
    mac.update(body);
    format!("HMAC {}", STANDARD.encode(mac.finalize().into_bytes()))
}

fn prepare(label: &'static str, from: String, text: String) -> Prepared {
    let body = serde_json::json!({
        "type": "message", "id": "1700000000000",
        "timestamp": Utc::now().to_rfc3339(),
        "from": {"id": "29:bench", "name": "Bench", "aadObjectId": from},
        "conversation": {"id": "19:bench@thread.skype"},
        "text": format!("<at>stepup</at> {text}"),
        "channelData": {"tenant": {"id": seed::TENANT}}
    })
    .to_string();
    let auth = sign(body.as_bytes());
    Prepared {
        label,
        body: body.into(),
        auth,
    }
}

/// A deterministic mix of commands over the seeded accounts and owners.
fn mix(accounts: usize, writes_percent: u64, n: usize) -> Vec<Prepared> {
    let owners = accounts.div_ceil(seed::PER_OWNER);
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |m: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % m as u64) as usize
    };
    let admin = seed::owner_id(ADMIN).to_string();
    (0..n)
        .map(|_| {
            let roll = next(100) as u64;
            let account = next(accounts);
            let o = account / seed::PER_OWNER;
            if roll < writes_percent {
                let from = seed::owner_id(o).to_string();
                if roll.is_multiple_of(2) {
                    return prepare("ack", from, format!("ack {} on it", seed::upn(account)));
                }
                return prepare(
                    "snooze",
                    admin.clone(),
                    format!("snooze {} 7 freeze", seed::upn(account)),
                );
            }
            let someone = seed::user_id(next(accounts)).to_string();
            match roll % 20 {
                0..=4 => prepare("status", someone, "status".into()),
                5..=10 => prepare(
                    "status <upn>",
                    someone,
                    format!("status {}", seed::upn(account)),
                ),
                11..=13 => prepare(
                    "owner <upn>",
                    someone,
                    format!("owner {}", seed::owner(next(owners))),
                ),
                14..=15 => prepare("digest", someone, "digest".into()),
                16 => prepare("scan", someone, "scan".into()),
                17 => prepare("status me", someone, "status me".into()),
                _ => prepare("help", someone, "help".into()),
            }
        })
        .collect()
}

/// Starts the server in its own runtime (2 workers, like the Functions worker's cores).
fn start_server(state: &std::path::Path) -> SocketAddr {
    let state = state.display().to_string();
    let admin = seed::owner_id(ADMIN).to_string();
    let settings: BTreeMap<&str, String> = [
        ("STEPUP_STATE_DIR", state),
        ("STEPUP_TENANT_ID", seed::TENANT.to_string()),
        ("STEPUP_TEAMS_HMAC_SECRET", TOKEN.to_string()),
        ("STEPUP_ADMINS", admin),
    ]
    .into_iter()
    .collect();
    let config = stepup::config::Config::from_lookup(|k| settings.get(k).cloned()).expect("config");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(SERVER_THREADS)
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let store = config.state.open(None).await.expect("state store");
            let ctx = Arc::new(stepup::app::AppContext::new(
                config,
                store,
                stepup::app::system_clock(),
            ));
            let registry = stepup::app::registry(ctx);
            stepup::functions::serve(
                SocketAddr::from(([127, 0, 0, 1], 0)),
                registry,
                |bound| tx.send(bound).expect("report the address"),
                std::future::pending(),
            )
            .await
            .expect("serve");
        });
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the server listens")
}

/// Sends `p` once; the latency when the answer is a 200 message with a card.
async fn send(
    client: &reqwest::Client,
    url: &reqwest::Url,
    p: &Prepared,
) -> Result<Duration, String> {
    let started = Instant::now();
    let response = client
        .post(url.clone())
        .header("Content-Type", "application/json")
        .header("Authorization", &p.auth)
        .body(p.body.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    if status != 200 || !body.windows(12).any(|w| w == b"AdaptiveCard") {
        return Err(format!(
            "{status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ));
    }
    Ok(elapsed)
}

/// Waits until `text` is answered with a card containing `needle`; returns the wait.
async fn until(client: &reqwest::Client, url: &reqwest::Url, text: &str, needle: &str) -> Duration {
    let started = Instant::now();
    let someone = seed::user_id(1).to_string();
    loop {
        let p = prepare("warm-up", someone.clone(), text.into());
        let body = client
            .post(url.clone())
            .header("Content-Type", "application/json")
            .header("Authorization", &p.auth)
            .body(p.body.clone())
            .send()
            .await
            .and_then(|r| r.error_for_status());
        if let Ok(r) = body {
            if r.text().await.is_ok_and(|t| t.contains(needle)) {
                return started.elapsed();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "no answer to {text:?} with {needle:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

fn line(label: &str, h: &Histogram<u64>) {
    println!(
        "  {label:<14} n={:<7} p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  p99.9 {:>7.2} ms  max {:>7.2} ms",
        h.len(),
        ms(h.value_at_quantile(0.50)),
        ms(h.value_at_quantile(0.90)),
        ms(h.value_at_quantile(0.99)),
        ms(h.value_at_quantile(0.999)),
        ms(h.max()),
    );
}

fn main() {
    let accounts = knob("CHAT_BENCH_ACCOUNTS", 100_000) as usize;
    let connections = knob("CHAT_BENCH_CONNECTIONS", 200) as usize;
    let seconds = knob("CHAT_BENCH_SECONDS", 30);
    let writes = knob("CHAT_BENCH_WRITES_PERCENT", 2).min(100);

    let state = tempfile::tempdir().expect("state dir");
    let driver = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("driver runtime");
    let started = Instant::now();
    driver.block_on(seed::seed(state.path(), accounts, Utc::now()));
    println!(
        "seeded {accounts} accounts (report, records, snapshots, people) in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let addr = start_server(state.path());
    let url: reqwest::Url = format!("http://{addr}/api/teams").parse().expect("URL");
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    driver.block_on(async {
        let index = until(&client, &url, "status", "accounts at risk").await;
        let records = until(&client, &url, "digest", "Weekly MFA readiness").await;
        println!(
            "first answers: index of the latest report after {:.2} s, digest (all records read) {:.2} s later",
            index.as_secs_f64(),
            records.as_secs_f64()
        );
    });

    let prepared = Arc::new(mix(accounts, writes, 8192));
    let cursor = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let labels: Vec<&'static str> = {
        let mut l: Vec<&str> = prepared.iter().map(|p| p.label).collect();
        l.sort();
        l.dedup();
        l
    };
    println!("driving {connections} connections for {seconds} s ({writes}% ack/snooze) at {url} …");
    let cpu_before = cpu_seconds();
    let (overall, by_label, elapsed) = driver.block_on(async {
        let run_started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (client, url, prepared, cursor, stop, errors, labels) = (
                client.clone(),
                url.clone(),
                prepared.clone(),
                cursor.clone(),
                stop.clone(),
                errors.clone(),
                labels.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let new =
                    || Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
                let mut mine: BTreeMap<&'static str, Histogram<u64>> =
                    labels.iter().map(|l| (*l, new())).collect();
                while !stop.load(Ordering::Relaxed) {
                    let p = &prepared[cursor.fetch_add(1, Ordering::Relaxed) % prepared.len()];
                    match send(&client, &url, p).await {
                        Ok(d) => {
                            if let Some(h) = mine.get_mut(p.label) {
                                h.saturating_record(d.as_micros() as u64);
                            }
                        }
                        Err(e) => {
                            if errors.fetch_add(1, Ordering::Relaxed) < 3 {
                                eprintln!("{}: {e}", p.label);
                            }
                        }
                    }
                }
                mine
            }));
        }
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        let mut by_label: BTreeMap<&'static str, Histogram<u64>> = BTreeMap::new();
        for t in tasks {
            for (label, h) in t.await.expect("worker") {
                by_label
                    .entry(label)
                    .or_insert_with(|| {
                        Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram")
                    })
                    .add(&h)
                    .expect("merge");
            }
        }
        let mut overall = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
        for h in by_label.values() {
            overall.add(h).expect("merge");
        }
        (overall, by_label, run_started.elapsed())
    });

    let cpu_after = cpu_seconds();
    println!(
        "chat commands, {accounts} stored accounts, {connections} concurrent connections on loopback, {:.1} s:",
        elapsed.as_secs_f64()
    );
    line("all", &overall);
    for (label, h) in &by_label {
        line(label, h);
    }
    let answers = overall.len().max(1) as f64;
    println!(
        "  CPU per answer: server {:.0} µs, load driver {:.0} µs (machine load average: {})",
        (cpu_after.0 - cpu_before.0) * 1e6 / answers,
        (cpu_after.1 - cpu_before.1) * 1e6 / answers,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split(' ')
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "  throughput {:.0} answers/s, {} errors; goal p99 < 50 ms: {}",
        overall.len() as f64 / elapsed.as_secs_f64(),
        errors.load(Ordering::Relaxed),
        if ms(overall.value_at_quantile(0.99)) < 50.0 {
            "met"
        } else {
            "NOT met"
        }
    );
}
