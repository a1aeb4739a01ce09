//! What the matrix asserts after every run, shared by every cell: no duplicate ticket, no
//! duplicate Teams message, no lost finding, no ticket resolved on partial data, and a
//! partial run's report naming what failed.

use std::collections::{BTreeMap, BTreeSet};

use stepup::report::model::ScanReport;

use super::world::{Ran, World, CHANNEL};

/// What a world looked like after a run: enough to compare a faulted world with the
/// baseline's at the same step.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The report kept in state.
    pub report: ScanReport,
    /// Ticket keys (the issues' markers) with an open issue.
    pub open: BTreeSet<String>,
    /// Ticket keys whose issue is closed.
    pub closed: BTreeSet<String>,
    /// Envelopes Teams took in this run, as JSON text.
    pub messages: Vec<String>,
}

/// Accounts, severities, signals and owners of a report, plus its summary and completeness.
pub fn essence(report: &ScanReport) -> serde_json::Value {
    serde_json::json!({
        "summary": report.summary,
        "complete": report.complete,
        "accounts": report.accounts.iter().map(|a| serde_json::json!({
            "id": a.user_id, "severity": a.severity, "signals": a.signals, "owner": a.owner,
        })).collect::<Vec<_>>(),
    })
}

/// The report's account ids.
pub fn accounts(report: &ScanReport) -> BTreeSet<String> {
    report
        .accounts
        .iter()
        .map(|a| a.user_id.to_string())
        .collect()
}

/// Every stepup issue's key marker with the issues' states, in creation order.
pub fn tickets(world: &World) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for issue in world.github.issues() {
        if issue.json.get("pull_request").is_some() {
            continue;
        }
        let body = issue.json["body"].as_str().unwrap_or_default();
        let Some(marker) = body
            .split("<!-- ")
            .nth(1)
            .and_then(|rest| rest.split(" -->").next())
        else {
            panic!("an issue without its key marker: {body}");
        };
        out.entry(marker.to_owned())
            .or_default()
            .push(issue.json["state"].as_str().unwrap_or_default().to_owned());
    }
    out
}

/// The envelopes Teams took so far.
pub fn messages(world: &World) -> Vec<String> {
    world
        .teams
        .received(CHANNEL)
        .iter()
        .map(|e| e.to_string())
        .collect()
}

/// Looks at `world` after `ran`, whose run started when Teams had taken `before` messages.
/// Asserts the invariants every run keeps whatever failed: each account at most one
/// ticket, no Teams message twice in a run.
pub fn look(world: &World, ran: &Ran, before: usize, cell: &str) -> Seen {
    let report = ran
        .report
        .clone()
        .unwrap_or_else(|| panic!("{cell}: no report was kept\n{}", ran.said()));
    let tickets = tickets(world);
    for (key, states) in &tickets {
        assert_eq!(
            states.len(),
            1,
            "{cell}: duplicate ticket for {key}: {states:?}"
        );
    }
    let all = messages(world);
    let messages: Vec<String> = all.get(before..).unwrap_or_default().to_vec();
    let distinct: BTreeSet<&String> = messages.iter().collect();
    assert_eq!(
        distinct.len(),
        messages.len(),
        "{cell}: a Teams message was posted twice in one run"
    );
    let open = tickets
        .iter()
        .filter(|(_, s)| s[0] == "open")
        .map(|(k, _)| k.clone())
        .collect();
    let closed = tickets
        .iter()
        .filter(|(_, s)| s[0] != "open")
        .map(|(k, _)| k.clone())
        .collect();
    Seen {
        report,
        open,
        closed,
        messages,
    }
}

/// No lost finding and nothing resolved on partial data, against the baseline at the
/// same step. A complete run has every account of the baseline; a partial one has no
/// account the baseline lacks, says it is partial and names `source` in its problems,
/// and has closed no ticket the run before had open.
pub fn compare(cell: &str, got: &Seen, prior: Option<&Seen>, want: &Seen, partial: Option<&str>) {
    let (have, need) = (accounts(&got.report), accounts(&want.report));
    match partial {
        None => {
            assert!(
                got.report.complete,
                "{cell}: the run should be complete: {:?}",
                got.report.problems
            );
            let lost: Vec<_> = need.difference(&have).collect();
            assert!(lost.is_empty(), "{cell}: findings lost: {lost:?}");
        }
        Some(source) => {
            assert!(!got.report.complete, "{cell}: the run should be partial");
            assert!(
                got.report.problems.iter().any(|p| p.contains(source)),
                "{cell}: the report's problems should name {source}: {:?}",
                got.report.problems
            );
            let phantom: Vec<_> = have.difference(&need).collect();
            assert!(
                phantom.is_empty(),
                "{cell}: findings from nowhere: {phantom:?}"
            );
            let before = prior.map(|p| p.closed.clone()).unwrap_or_default();
            let resolved: Vec<_> = got.closed.difference(&before).collect();
            assert!(
                resolved.is_empty(),
                "{cell}: tickets resolved on partial data: {resolved:?}"
            );
        }
    }
    // Never a ticket closed that the baseline keeps open.
    let wrongly: Vec<_> = got.closed.intersection(&want.open).collect();
    assert!(
        wrongly.is_empty(),
        "{cell}: tickets closed that should be open: {wrongly:?}"
    );
}

/// After recovery the world equals the baseline: the same report, exactly one ticket per
/// key with the same states, and every owner the baseline told was told (once per run).
pub fn recovered(cell: &str, got: &Seen, want: &Seen, told: &[String], want_told: &[String]) {
    assert_eq!(
        essence(&got.report),
        essence(&want.report),
        "{cell}: the recovered report differs from the baseline's"
    );
    assert_eq!(got.open, want.open, "{cell}: open tickets differ");
    assert_eq!(got.closed, want.closed, "{cell}: closed tickets differ");
    let owners = |all: &[String]| -> BTreeSet<String> {
        all.iter()
            .filter_map(|m| {
                serde_json::from_str::<serde_json::Value>(m)
                    .ok()
                    .and_then(|e| crate::teams_support::mentioned(&e))
            })
            .collect()
    };
    assert_eq!(
        owners(told),
        owners(want_told),
        "{cell}: the owners told differ from the baseline's"
    );
}
