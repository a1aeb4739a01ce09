//! Throughput of the export reader against a bare serde_json parse of the same bytes.
//!
//! Run with `cargo bench --bench input_read` (set `STEPUP_BENCH_MB` to change the ~200 MB
//! size). For each layout it writes realistic sign-in records (~1.5 KB each) to a temporary
//! file and prints MB/s of (a) `serde_json` parsing the whole file from memory into
//! `IgnoredAny`, (b) `stepup::input::read_file` streaming the file from disk into a sign-in
//! type that keeps eleven fields, and the ratio b/a; for reference also (c) `serde_json`
//! parsing the whole file from memory into the same sign-in type, and b/c (what the reader
//! costs on top of serde_json itself).

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// The fields a detector keeps from a sign-in.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct SignIn {
    id: Uuid,
    created_date_time: String,
    user_id: Uuid,
    user_principal_name: String,
    app_id: Uuid,
    ip_address: String,
    authentication_requirement: String,
    authentication_protocol: Option<String>,
    is_interactive: bool,
    user_agent: Option<String>,
    status: Status,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Status {
    error_code: i64,
    additional_details: Option<String>,
}

/// A page, for the typed reference parse.
#[derive(Deserialize)]
struct Page {
    value: Vec<SignIn>,
}

/// (c): serde_json alone, from memory, into the same record type.
fn typed_reference(bytes: &[u8], layout: Layout) -> u64 {
    let de = || serde_json::Deserializer::from_slice(bytes);
    let count = |n: usize| n as u64;
    match layout {
        Layout::Array => de()
            .into_iter::<Vec<SignIn>>()
            .map(|v| count(v.expect("parses").len()))
            .sum(),
        Layout::Page | Layout::PagesPerLine => de()
            .into_iter::<Page>()
            .map(|p| count(p.expect("parses").value.len()))
            .sum(),
        Layout::JsonLines => de()
            .into_iter::<SignIn>()
            .map(|r| count(usize::from(black_box(r.is_ok()))))
            .sum(),
    }
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn guid(&mut self) -> String {
        Uuid::from_u64_pair(self.next(), self.next()).to_string()
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const APPS: [&str; 4] = [
    "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    "1950a258-227b-4e31-a9cf-717495945fc2",
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
    "00000003-0000-0000-c000-000000000000",
];

/// One Graph signIn object of roughly 1.5 KB.
fn sign_in(rng: &mut Rng) -> String {
    let user = rng.below(5000);
    let ok = rng.below(10) != 0;
    let agent = rng.pick(&[
        "python/3.11.4 (Linux-5.15.0-1051-azure-x86_64-with-glibc2.35) AZURECLI/2.60.0 (DEB)",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 Edg/128.0.0.0",
        "AzurePowershell/v14.2.0 PSVersion/v7.4.5 Microsoft.Azure.PowerShell.Cmdlets.Accounts",
    ]);
    json!({
        "id": rng.guid(),
        "createdDateTime": format!("2026-11-{:02}T{:02}:{:02}:{:02}Z", 1 + rng.below(20), rng.below(24), rng.below(60), rng.below(60)),
        "userDisplayName": format!("User {user}"),
        "userPrincipalName": format!("user{user}@contoso.com"),
        "userId": Uuid::from_u64_pair(user, 7).to_string(),
        "appId": rng.pick(&APPS),
        "appDisplayName": "Microsoft Azure CLI",
        "ipAddress": format!("10.{}.{}.{}", rng.below(256), rng.below(256), rng.below(256)),
        "userAgent": agent,
        "conditionalAccessStatus": "notApplied",
        "isInteractive": rng.below(2) == 0,
        "authenticationProtocol": rng.pick(&["none", "ropc", "deviceCode"]),
        "authenticationRequirement": rng.pick(&["singleFactorAuthentication", "multiFactorAuthentication"]),
        "signInEventTypes": ["interactiveUser"],
        "resourceDisplayName": "Windows Azure Service Management API",
        "resourceId": "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "status": {
            "errorCode": if ok { 0 } else { 50126 },
            "failureReason": if ok { "Other." } else { "Invalid username or password." },
            "additionalDetails": if rng.below(4) == 0 { json!("MFA requirement satisfied by claim in the token") } else { json!(null) }
        },
        "deviceDetail": {
            "deviceId": "", "displayName": "", "operatingSystem": rng.pick(&["Linux", "Windows10", "MacOs"]),
            "browser": "Python Requests 2.31", "isCompliant": false, "isManaged": false
        },
        "location": {
            "city": "Amsterdam", "state": "Noord-Holland", "countryOrRegion": "NL"
        },
        "appliedConditionalAccessPolicies": [
            { "id": rng.guid(), "displayName": "Require MFA for admins {break-glass excluded}",
              "enforcedGrantControls": ["Mfa"], "result": "notApplied" }
        ],
        "authenticationDetails": [
            { "authenticationStepDateTime": "2026-11-02T08:15:30Z", "authenticationMethod": "Password",
              "succeeded": ok, "authenticationStepRequirement": "Primary authentication" }
        ],
        "authenticationProcessingDetails": [
            { "key": "Legacy TLS (TLS 1.0, 1.1, 3DES)", "value": "False" }
        ],
        "networkLocationDetails": [],
        "mfaDetail": null,
    })
    .to_string()
}

#[derive(Clone, Copy)]
enum Layout {
    Array,
    Page,
    JsonLines,
    PagesPerLine,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::Array => "JSON array",
            Layout::Page => "one API page",
            Layout::JsonLines => "JSON Lines",
            Layout::PagesPerLine => "pages of 1000, one a line",
        }
    }
}

/// Writes about `target` bytes of sign-ins in `layout`; returns the number of records.
fn write_file(out: &mut impl Write, layout: Layout, target: u64) -> std::io::Result<u64> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let context =
        r#""@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns""#;
    let next = r#""@odata.nextLink":"https://graph.microsoft.com/beta/auditLogs/signIns?$top=1000&$skiptoken=0d4cbd0e7b7a2f1c""#;
    let (head, sep, tail) = match layout {
        Layout::Array => ("[".to_owned(), ",\n", "]\n".to_owned()),
        Layout::Page => (
            format!("{{{context},\"value\":["),
            ",",
            format!("],{next}}}\n"),
        ),
        Layout::JsonLines => (String::new(), "\n", "\n".to_owned()),
        Layout::PagesPerLine => (
            format!("{{{context},\"value\":["),
            ",",
            format!("],{next}}}\n"),
        ),
    };
    out.write_all(head.as_bytes())?;
    let (mut written, mut records) = (0u64, 0u64);
    while written < target {
        if records > 0 {
            if matches!(layout, Layout::PagesPerLine) && records % 1000 == 0 {
                out.write_all(tail.as_bytes())?;
                out.write_all(head.as_bytes())?;
            } else {
                out.write_all(sep.as_bytes())?;
            }
        }
        let record = sign_in(&mut rng);
        out.write_all(record.as_bytes())?;
        written += record.len() as u64 + 1;
        records += 1;
    }
    out.write_all(tail.as_bytes())?;
    Ok(records)
}

/// The fastest of a few runs.
fn best(runs: usize, mut f: impl FnMut() -> u64) -> (Duration, u64) {
    let mut best = (Duration::MAX, 0);
    for _ in 0..runs {
        let start = Instant::now();
        let n = f();
        best = best.min((start.elapsed(), n));
    }
    best
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

fn main() -> std::io::Result<()> {
    let target_mb: u64 = std::env::var("STEPUP_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let runs = 3;
    println!("input_read: ~{target_mb} MB of sign-ins per layout, best of {runs} runs");
    for layout in [
        Layout::Array,
        Layout::Page,
        Layout::JsonLines,
        Layout::PagesPerLine,
    ] {
        let mut file = tempfile::NamedTempFile::new()?;
        let records = {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file.as_file_mut());
            let records = write_file(&mut out, layout, target_mb * 1_000_000)?;
            out.flush()?;
            records
        };
        let bytes = std::fs::read(file.path())?;

        let (bare, values) = best(runs, || {
            let mut values = 0;
            for value in serde_json::Deserializer::from_slice(&bytes).into_iter::<IgnoredAny>() {
                black_box(value.expect("generated JSON parses"));
                values += 1;
            }
            values
        });
        let (ours, read) = best(runs, || {
            let mut failed = 0i64;
            let stats = stepup::input::read_file(file.path(), |s: SignIn| {
                failed += i64::from(s.status.error_code != 0);
                black_box(&s);
            })
            .expect("the file opens");
            assert!(stats.problems.is_empty(), "{:?}", stats.problems.first());
            black_box(failed);
            stats.records
        });
        assert_eq!(read, records);
        let (typed, parsed) = best(runs, || typed_reference(&bytes, layout));
        assert_eq!(parsed, records);
        black_box(values);
        let (a, b, c) = (
            mb_per_s(bytes.len(), bare),
            mb_per_s(bytes.len(), ours),
            mb_per_s(bytes.len(), typed),
        );
        println!(
            "{}: {:.1} MB, {records} records of {} bytes on average",
            layout.name(),
            bytes.len() as f64 / 1e6,
            bytes.len() as u64 / records.max(1)
        );
        println!("  (a) serde_json -> IgnoredAny, from memory {a:>8.1} MB/s");
        println!(
            "  (b) read_file  -> SignIn, from disk       {b:>8.1} MB/s   b/a = {:.2}",
            b / a
        );
        println!(
            "  (c) serde_json -> SignIn, from memory     {c:>8.1} MB/s   b/c = {:.2}",
            b / c
        );
    }
    Ok(())
}
