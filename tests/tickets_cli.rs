//! `stepup demo` writes tickets to its outbox exactly once and `stepup tickets` shows the
//! lifecycle of each account, driven through the binary.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn stepup(args: &[&str], state: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stepup"));
    cmd.args(args).env_remove("RUST_LOG");
    for var in [
        "STEPUP_ENFORCEMENT_DATE",
        "STEPUP_BREAK_GLASS",
        "STEPUP_OWNERS",
        "STEPUP_DEFAULT_OWNER",
        "STEPUP_TENANT_ID",
        "STEPUP_TICKETS_DIR",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("STEPUP_STATE_DIR", state);
    cmd.output().expect("run stepup")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn demo_opens_each_ticket_once_and_tickets_shows_them() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");

    let empty = stepup(&["tickets"], &state);
    assert!(empty.status.success(), "{}", text(&empty));
    assert!(text(&empty).contains("No accounts tracked"));

    let first = stepup(&["demo", "--users", "120"], &state);
    assert!(first.status.success(), "{}", text(&first));
    let line = text(&first)
        .lines()
        .find(|l| l.starts_with("tickets: "))
        .map(str::to_string)
        .expect("demo reports its tickets");
    let opened: usize = line
        .trim_start_matches("tickets: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("count");
    assert!(opened > 0, "{line}");
    let outbox: Vec<_> = std::fs::read_dir(state.join("tickets"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(outbox.len(), opened);

    let again = stepup(&["demo", "--users", "120"], &state);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        text(&again).contains("tickets: 0 opened, 0 updated"),
        "{}",
        text(&again)
    );
    assert_eq!(
        std::fs::read_dir(state.join("tickets")).unwrap().count(),
        opened
    );

    let json = stepup(&["tickets", "--format", "json"], &state);
    assert!(json.status.success(), "{}", text(&json));
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    let accounts = doc["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), opened);
    for a in accounts {
        assert_eq!(a["state"], "atRisk");
        assert_eq!(a["ticket"]["system"], "file");
        assert_eq!(a["ticketPending"], false);
        assert!(a["due"].is_string());
    }

    let table = stepup(&["tickets"], &state);
    assert!(table.status.success());
    assert!(
        text(&table).contains(&format!(
            "{opened} accounts tracked: {opened} at risk, 0 ticket(s) pending"
        )),
        "{}",
        text(&table)
    );

    let bad = stepup(&["tickets", "--format", "html"], &state);
    assert_eq!(bad.status.code(), Some(1));
}
