//! Offline scan throughput and memory.
//!
//! Run: `cargo bench --bench scan` (tenant size with `SCAN_BENCH_USERS`, default 50000).
//!
//! 1. Synthesises a 30-day tenant (cached under `target/bench-data/`).
//! 2. Parses every input file with bare `serde_json` into `IgnoredAny` (bytes in memory) and
//!    runs the full offline scan (read + parse + detect), in the same run; prints MB/s per
//!    core and the ratio.
//! 3. Runs `stepup scan` as a child process on a 7-day and a 30-day tenant of the same users
//!    and prints each one's peak RSS: memory follows accounts, not events.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::de::IgnoredAny;

fn users() -> usize {
    std::env::var("SCAN_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000)
}

/// Synthesises (once) a tenant of `users` users over `days` days.
fn tenant(users: usize, days: u32) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("u{users}-d{days}"));
    if !dir.join("expected.json").exists() {
        let started = Instant::now();
        let opts = stepup::synth::SynthOptions::new(users, days, 42);
        stepup::synth::generate(&opts, &dir).expect("synthesise the bench tenant");
        eprintln!(
            "synthesised {users} users x {days} days in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    dir
}

/// Every input file of the export layout.
fn files() -> impl Iterator<Item = &'static str> {
    stepup::input::ExportFile::ALL.iter().map(|f| f.file_name())
}

/// Bare serde_json: every JSON document in every file (array, page or JSON Lines) into
/// IgnoredAny. Returns (seconds parsing bytes already in memory, seconds reading the file and
/// parsing it, bytes).
fn ignored_any_seconds(dir: &Path) -> (f64, f64, u64) {
    let mut parse_only = 0.0;
    let mut read_and_parse = 0.0;
    let mut bytes = 0u64;
    for f in files() {
        let started = Instant::now();
        let Ok(data) = std::fs::read(dir.join(f)) else {
            continue;
        };
        let read = started.elapsed().as_secs_f64();
        bytes += data.len() as u64;
        let started = Instant::now();
        for doc in serde_json::Deserializer::from_slice(&data).into_iter::<IgnoredAny>() {
            doc.expect("valid JSON");
        }
        let parse = started.elapsed().as_secs_f64();
        parse_only += parse;
        read_and_parse += read + parse;
    }
    (parse_only, read_and_parse, bytes)
}

fn scan_seconds(dir: &Path) -> (f64, u64, usize) {
    let export = stepup::input::ExportDir::open(dir).expect("export dir");
    let settings =
        stepup::offline::settings_for(&export, None, &Default::default()).expect("settings");
    let started = Instant::now();
    let (scan, totals) =
        stepup::offline::scan_dir(&export, &settings, chrono::Utc::now()).expect("scan");
    (
        started.elapsed().as_secs_f64(),
        totals.bytes,
        scan.report.summary.at_risk,
    )
}

/// Peak RSS (KiB) of `stepup scan --from dir` as a child process: its `VmHWM`, read until
/// it exits. (`getrusage` would not do: Linux carries the parent's high-water mark over exec.)
fn child_peak_rss_kib(dir: &Path) -> u64 {
    let exe = env!("CARGO_BIN_EXE_stepup");
    let mut child = Command::new(exe)
        .args(["scan", "--format", "json", "--out", "/dev/null", "--from"])
        .arg(dir)
        .spawn()
        .expect("spawn stepup scan");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kib);
            }
        }
        if let Some(status) = child.try_wait().expect("wait for stepup scan") {
            assert!(status.success(), "stepup scan failed");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    peak
}

fn main() {
    let users = users();
    let dir30 = tenant(users, 30);
    let dir7 = tenant(users, 7);

    // Warm the page cache so both measurements read from memory-speed storage.
    let _ = ignored_any_seconds(&dir30);
    let (bare_s, bare_io_s, bare_bytes) = ignored_any_seconds(&dir30);
    let (scan_s, scan_bytes, at_risk) = scan_seconds(&dir30);
    let mb = |b: u64| b as f64 / 1e6;
    let bare_rate = mb(bare_bytes) / bare_s;
    let bare_io_rate = mb(bare_bytes) / bare_io_s;
    let scan_rate = mb(scan_bytes) / scan_s;
    println!(
        "offline scan, {users} users x 30 days, {:.0} MB of JSON:",
        mb(scan_bytes)
    );
    println!(
        "  bare serde_json IgnoredAny, bytes in memory  {bare_rate:8.1} MB/s  ({bare_s:.2} s)"
    );
    println!("  bare serde_json IgnoredAny, read + parse     {bare_io_rate:8.1} MB/s  ({bare_io_s:.2} s)");
    println!("  stepup scan: read + parse + detect (1 core)  {scan_rate:8.1} MB/s  ({scan_s:.2} s, {at_risk} at risk)");
    println!(
        "  ratio scan / bare in memory                  {:8.2}",
        scan_rate / bare_rate
    );
    println!(
        "  ratio scan / bare read + parse               {:8.2}",
        scan_rate / bare_io_rate
    );

    let rss30 = child_peak_rss_kib(&dir30);
    let rss7 = child_peak_rss_kib(&dir7);
    let size = |d: &Path| -> u64 {
        files()
            .filter_map(|f| std::fs::metadata(d.join(f)).ok())
            .map(|m| m.len())
            .sum()
    };
    println!("peak RSS of `stepup scan` (child process):");
    println!(
        "  {users} users x  7 days ({:6.0} MB input): {:6.1} MiB",
        mb(size(&dir7)),
        rss7 as f64 / 1024.0
    );
    println!(
        "  {users} users x 30 days ({:6.0} MB input): {:6.1} MiB",
        mb(size(&dir30)),
        rss30 as f64 / 1024.0
    );
}
