//! The digest for people and scripts: plain text for a terminal, and JSON (`stepup digest
//! --format json`), whose first keys (`generatedAt`, `readinessPercent`, `atRisk`,
//! `accountsScanned`, `bySeverity.<s>.count|change`, `enforcement`, `complete`) are kept
//! stable; `change` is since the previous scan, `weekChange` since last week's snapshot.

use serde_json::{json, Map, Value};

use super::data::DigestData;
use crate::detect::model::Severity;
use crate::lifecycle::snapshot::WeeklySnapshot;
use crate::report::model::ScanReport;

fn count(r: &ScanReport, s: Severity) -> i64 {
    r.summary.by_severity.get(&s).copied().unwrap_or(0) as i64
}

fn week_count(w: &WeeklySnapshot, s: Severity) -> i64 {
    w.by_severity.get(&s).copied().unwrap_or(0) as i64
}

fn week_at_risk(w: &WeeklySnapshot) -> usize {
    w.by_severity.values().sum()
}

/// The digest as JSON.
pub fn to_json(d: &DigestData) -> Value {
    let latest = &d.latest;
    let by: Map<String, Value> = Severity::DESCENDING
        .iter()
        .map(|s| {
            let now = count(latest, *s);
            let change = d.previous_report.as_ref().map(|p| now - count(p, *s));
            let week_change = d
                .previous
                .as_ref()
                .map(|p| week_count(&d.current, *s) - week_count(p, *s));
            (
                s.as_str().to_string(),
                json!({ "count": now, "change": change, "weekChange": week_change }),
            )
        })
        .collect();
    let owners: Vec<Value> = d
        .top_owners
        .iter()
        .map(|(owner, open)| json!({ "owner": owner, "open": open }))
        .collect();
    let burn_down: Vec<Value> = d
        .history
        .iter()
        .map(|w| json!({ "week": w.week, "atRisk": week_at_risk(w) }))
        .collect();
    json!({
        "generatedAt": latest.generated_at,
        "readinessPercent": (latest.readiness_percent() * 10.0).round() / 10.0,
        "atRisk": latest.summary.at_risk,
        "accountsScanned": latest.summary.accounts_scanned,
        "bySeverity": by,
        "enforcement": latest.enforcement,
        "complete": latest.complete,
        "tenantId": d.tenant,
        "week": d.current.week,
        "openTickets": d.open_tickets,
        "topOwners": owners,
        "newlyRemediated": d.newly_remediated,
        "overdue": d.overdue,
        "disabledWithCredentials": d.disabled_with_credentials,
        "burnDown": burn_down,
    })
}

/// The digest as text for a terminal.
pub fn to_text(d: &DigestData) -> String {
    let latest = &d.latest;
    let mut out = format!(
        "stepup readiness digest ({}) — tenant {}, week {}\nPhase 2 {}\nreadiness {:.1}% — {} of {} accounts at risk, {} open ticket(s)\n",
        latest.generated_at,
        d.tenant,
        d.current.week,
        latest.enforcement.headline(),
        latest.readiness_percent(),
        latest.summary.at_risk,
        latest.summary.accounts_scanned,
        d.open_tickets,
    );
    for s in Severity::DESCENDING {
        let now = count(latest, s);
        let change = match &d.previous_report {
            Some(p) => format!(" ({:+} since the last scan)", now - count(p, s)),
            None => String::new(),
        };
        out.push_str(&format!("  {:<8} {now}{change}\n", s.as_str()));
    }
    if d.history.len() > 1 {
        let weeks: Vec<String> = d
            .history
            .iter()
            .map(|w| format!("{} {}", w.week, week_at_risk(w)))
            .collect();
        out.push_str(&format!("at risk per week: {}\n", weeks.join(", ")));
    }
    let owners: Vec<String> = d
        .top_owners
        .iter()
        .map(|(o, n)| format!("{o} — {n} open"))
        .collect();
    for (title, items) in [
        ("top owners with open items", &owners),
        ("newly remediated", &d.newly_remediated),
        ("overdue tickets", &d.overdue),
        (
            "disabled accounts that still hold credentials",
            &d.disabled_with_credentials,
        ),
    ] {
        if items.is_empty() {
            out.push_str(&format!("{title}: none\n"));
        } else {
            out.push_str(&format!("{title}:\n"));
        }
        for item in items.iter().take(crate::teams::cards::MAX_LIST) {
            out.push_str(&format!("  - {item}\n"));
        }
        if items.len() > crate::teams::cards::MAX_LIST {
            out.push_str(&format!(
                "  - …and {} more\n",
                items.len() - crate::teams::cards::MAX_LIST
            ));
        }
    }
    if !latest.complete {
        out.push_str("the last scan was incomplete: nothing was resolved\n");
    }
    out
}
