//! Cold start of the custom handler: process start → the port accepts connections.
//!
//! Run: `cargo bench --bench cold_start` (builds in the release-like bench profile).
//! Prints the median, p90 and min over repeated runs and the binary's size.

use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn one_start(exe: &str) -> Duration {
    let port = free_port();
    let started = Instant::now();
    let mut child = Command::new(exe)
        .arg("serve")
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn stepup serve");
    let deadline = started + Duration::from_secs(10);
    let elapsed = loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break started.elapsed();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("stepup serve did not accept connections within 10 s");
        }
        std::thread::sleep(Duration::from_micros(200));
    };
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

fn main() {
    let exe = env!("CARGO_BIN_EXE_stepup");
    let runs: usize = std::env::var("COLD_START_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    // One warm-up so the page cache holds the binary, as it would on a warm worker.
    one_start(exe);
    let mut samples: Vec<Duration> = (0..runs).map(|_| one_start(exe)).collect();
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let size = std::fs::metadata(exe).map(|m| m.len()).unwrap_or(0);
    println!("cold start (process start -> accepting), {runs} runs:");
    println!("  median {:.2} ms", ms(samples[runs / 2]));
    println!("  p90    {:.2} ms", ms(samples[(runs * 9) / 10]));
    println!("  min    {:.2} ms", ms(samples[0]));
    println!("binary: {exe} ({:.2} MiB)", size as f64 / (1024.0 * 1024.0));
}
