//! `stepup scan`, `synth`, `demo` and `digest` driven as a user would: through the binary.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn stepup(args: &[&str], state: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stepup"));
    cmd.args(args).env_remove("RUST_LOG");
    for var in [
        "STEPUP_ENFORCEMENT_DATE",
        "STEPUP_BREAK_GLASS",
        "STEPUP_OWNERS",
        "STEPUP_DEFAULT_OWNER",
        "STEPUP_TENANT_ID",
        "STEPUP_TEAMS_WEBHOOK",
        "STEPUP_TEAMS_DIR",
    ] {
        cmd.env_remove(var);
    }
    if let Some(state) = state {
        cmd.env("STEPUP_STATE_DIR", state);
    }
    cmd.output().expect("run stepup")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn synth(dir: &Path, users: &str, days: &str, seed: &str) {
    let out = stepup(
        &[
            "synth",
            "--users",
            users,
            "--days",
            days,
            "--seed",
            seed,
            "--out",
            dir.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "synth failed: {}", stderr(&out));
}

fn scan_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--from", dir.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = stepup(&args, None);
    assert!(out.status.success(), "scan failed: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("scan --format json prints JSON")
}

/// (userId, severity, signals) of each account, as the report lists them.
fn account_keys(accounts: &Value) -> Vec<(String, String, Vec<String>)> {
    accounts
        .as_array()
        .expect("accounts array")
        .iter()
        .map(|a| {
            let mut signals: Vec<String> = a["signals"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            signals.sort();
            (
                a["userId"].as_str().unwrap().to_string(),
                a["severity"].as_str().unwrap().to_string(),
                signals,
            )
        })
        .collect()
}

#[test]
fn scan_of_a_synthetic_tenant_matches_its_expected_report_exactly() {
    for (users, days, seed) in [("300", "14", "5"), ("120", "30", "77")] {
        let tmp = tempfile::tempdir().unwrap();
        synth(tmp.path(), users, days, seed);
        let report = scan_json(tmp.path(), &[]);
        let expected: Value =
            serde_json::from_slice(&std::fs::read(tmp.path().join("expected.json")).unwrap())
                .unwrap();

        assert_eq!(report["complete"], true);
        assert_eq!(
            report["summary"]["accountsScanned"],
            expected["accountsScanned"]
        );
        let mut got = account_keys(&report["accounts"]);
        let mut want = account_keys(&expected["accounts"]);
        got.sort();
        want.sort();
        assert_eq!(
            got, want,
            "seed {seed}: detection differs from the personas' labels"
        );

        // Most severe first, and the UPN is the directory's.
        let rank = |s: &str| {
            ["critical", "high", "medium", "low"]
                .iter()
                .position(|x| *x == s)
        };
        let severities: Vec<usize> = report["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| rank(a["severity"].as_str().unwrap()).unwrap())
            .collect();
        assert!(severities.windows(2).all(|w| w[0] <= w[1]));
        for a in expected["accounts"].as_array().unwrap() {
            let found = report["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["userId"] == a["userId"])
                .unwrap();
            assert_eq!(found["userPrincipalName"], a["userPrincipalName"]);
        }
        // Excluded personas never appear.
        for x in expected["excluded"].as_array().unwrap() {
            assert!(
                !report["accounts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["userId"] == x["userId"]),
                "excluded persona {} was reported",
                x["persona"]
            );
        }
    }
}

#[test]
fn the_report_does_not_depend_on_the_file_layout() {
    let tmp = tempfile::tempdir().unwrap();
    synth(tmp.path(), "150", "10", "3");
    let before = scan_json(tmp.path(), &[]);

    // Rewrite every file in another layout: JSON Lines become one page, pages and arrays
    // become JSON Lines.
    for name in [
        "signIns.json",
        "activityLog.json",
        "userRegistrationDetails.json",
        "users.json",
        "roleAssignments.json",
        "subscriptions.json",
    ] {
        let path = tmp.path().join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let records: Vec<Value> = serde_json::Deserializer::from_str(&text)
            .into_iter::<Value>()
            .flat_map(|doc| match doc.unwrap() {
                Value::Array(items) => items,
                Value::Object(mut page) if page.get("value").is_some_and(Value::is_array) => {
                    match page.remove("value") {
                        Some(Value::Array(items)) => items,
                        _ => unreachable!(),
                    }
                }
                other => vec![other],
            })
            .collect();
        let rewritten = if text.trim_start().starts_with('{') && !text.contains("\"value\"") {
            serde_json::json!({ "@odata.nextLink": null, "value": records }).to_string()
        } else {
            records
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join("\r\n")
        };
        std::fs::write(&path, rewritten).unwrap();
    }
    let after = scan_json(tmp.path(), &[]);
    assert_eq!(before["summary"], after["summary"]);
    assert_eq!(before["accounts"], after["accounts"]);
}

#[test]
fn every_format_renders_and_min_severity_filters() {
    let tmp = tempfile::tempdir().unwrap();
    synth(tmp.path(), "200", "7", "9");
    let dir = tmp.path().to_str().unwrap();
    let full = scan_json(tmp.path(), &[]);
    let at_risk = full["summary"]["atRisk"].as_u64().unwrap() as usize;
    assert!(at_risk > 0);

    let html = tmp.path().join("report.html");
    let out = stepup(
        &[
            "scan",
            "--from",
            dir,
            "--format",
            "html",
            "--out",
            html.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "the severity chart is inline SVG");
    assert!(!html.contains("<script src") && !html.contains("<link rel=\"stylesheet\""));

    let csv = stepup(&["scan", "--from", dir, "--format", "csv"], None);
    assert!(csv.status.success());
    assert_eq!(
        stdout(&csv).lines().count(),
        at_risk + 1,
        "header + one row per account"
    );

    let md = stepup(&["scan", "--from", dir, "--format", "md"], None);
    assert!(md.status.success());
    assert!(stdout(&md).starts_with('#'));

    let table = stepup(&["scan", "--from", dir], None);
    assert!(table.status.success());
    let first = full["accounts"][0]["userPrincipalName"].as_str().unwrap();
    assert!(stdout(&table).contains(first));

    let high = scan_json(tmp.path(), &["--min-severity", "high"]);
    let kept = high["accounts"].as_array().unwrap();
    assert!(!kept.is_empty());
    assert!(kept
        .iter()
        .all(|a| a["severity"] == "critical" || a["severity"] == "high"));
    let expected_kept = full["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["severity"] == "critical" || a["severity"] == "high")
        .count();
    assert_eq!(kept.len(), expected_kept);
}

#[test]
fn a_malformed_record_is_reported_and_the_scan_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    synth(tmp.path(), "100", "7", "11");
    let clean = scan_json(tmp.path(), &[]);
    let path = tmp.path().join("signIns.json");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let lines = text.lines().count();
    text.push_str("{\"id\": 42, \"userId\": \"not-a-guid\", \"createdDateTime\": \"yesterday\"}\n");
    std::fs::write(&path, text).unwrap();

    let out = stepup(
        &[
            "scan",
            "--from",
            tmp.path().to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], false);
    let problem = report["problems"][0].as_str().unwrap();
    assert!(
        problem.starts_with(&format!("signIns.json: line {}", lines + 1)),
        "{problem}"
    );
    assert!(stderr(&out).contains("signIns.json: line"));
    assert_eq!(
        report["accounts"], clean["accounts"],
        "nothing else was lost"
    );
}

#[test]
fn bad_directories_and_usage_are_one_line_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    let out = stepup(&["scan", "--from", missing.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("stepup: "));

    std::fs::write(tmp.path().join("users.json"), "[]").unwrap();
    let out = stepup(&["scan", "--from", tmp.path().to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("signIns.json"), "{}", stderr(&out));

    let out = stepup(&["scan", "--format", "pdf"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = stepup(&["scan", "--min-severity", "urgent", "--from", "."], None);
    assert_eq!(out.status.code(), Some(2));
    let out = stepup(
        &[
            "synth",
            "--users",
            "0",
            "--out",
            tmp.path().to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    for cmd in ["serve", "scan", "demo", "digest", "synth", "tickets"] {
        let out = stepup(&[cmd, "--help"], None);
        assert!(out.status.success());
        assert!(stdout(&out).contains("Usage: stepup"), "{cmd} --help");
    }
}

#[test]
fn demo_writes_the_report_and_digest_reads_it() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let out = stepup(&["demo", "--users", "120"], Some(&state));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let report = text
        .lines()
        .find_map(|l| l.strip_prefix("report: "))
        .expect("demo names its report");
    assert!(Path::new(report).exists());
    assert!(text.contains("at risk"));

    let digest = stepup(&["digest"], Some(&state));
    assert!(digest.status.success(), "{}", stderr(&digest));
    assert!(stdout(&digest).contains("readiness"));

    // The owner notices due went to the Teams outbox, a card and its text per message.
    let notices = |text: &str| -> usize {
        text.lines()
            .find_map(|l| l.strip_prefix("teams: "))
            .and_then(|l| l.split(' ').next())
            .and_then(|n| n.parse().ok())
            .expect("demo reports its owner notices")
    };
    assert!(notices(&text) > 0, "{text}");
    let outbox = state.join("teams/default");
    let files = std::fs::read_dir(&outbox).unwrap().count();
    assert!(files >= 2 * notices(&text), "{files} files");

    // A second demo run keeps the first report as the digest's baseline, and sends no
    // owner notice again the same day.
    let again = stepup(&["demo", "--users", "120"], Some(&state));
    assert!(again.status.success());
    assert_eq!(notices(&stdout(&again)), 0, "{}", stdout(&again));
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), files);
    let digest = stepup(&["digest", "--format", "json"], Some(&state));
    let doc: Value = serde_json::from_slice(&digest.stdout).unwrap();
    assert_eq!(doc["bySeverity"]["critical"]["change"], 0);
    assert!(doc["topOwners"][0]["open"].as_u64().unwrap() > 0, "{doc}");

    // --post puts the digest card in the outbox too.
    let posted = stepup(&["digest", "--post"], Some(&state));
    assert!(posted.status.success(), "{}", stderr(&posted));
    assert!(
        stderr(&posted).contains("posted to the outbox"),
        "{}",
        stderr(&posted)
    );
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), files + 2);

    let empty = stepup(&["digest"], Some(&tmp.path().join("empty")));
    assert_eq!(empty.status.code(), Some(1));
    assert!(stderr(&empty).contains("stepup demo"));
}
