//! The weekly readiness digest: readiness, counts by severity with the change since last
//! week, a burn-down line chart against the enforcement date, a donut of severities, top
//! owners with open items, newly remediated accounts, overdue tickets and disabled
//! accounts that still hold credentials.

use chrono::{NaiveTime, TimeZone, Utc};
use serde_json::{json, Value};

use crate::calendar::EnforcementStatus;
use crate::detect::model::Severity;
use crate::lifecycle::snapshot::{iso_week, WeeklySnapshot};

use super::elements::{
    adaptive_card, bullets, colored, facts, heading, note, safe_text, subheading,
};
use super::fit::fit_list;

/// The most entries any digest list shows before "and N more".
pub const MAX_LIST: usize = 15;

/// What the digest is built from.
#[derive(Debug, Clone, Copy)]
pub struct DigestInput<'a> {
    /// This week's snapshot.
    pub current: &'a WeeklySnapshot,
    /// Last week's, when there is one.
    pub previous: Option<&'a WeeklySnapshot>,
    /// Earlier weeks for the burn-down (any order; `current` is added when missing).
    pub history: &'a [WeeklySnapshot],
    /// The tenant's Phase 2 status.
    pub enforcement: &'a EnforcementStatus,
    /// Owners with open items and how many, most first.
    pub top_owners: &'a [(String, usize)],
    /// Accounts resolved since last week (UPNs or ids).
    pub newly_remediated: &'a [String],
    /// Overdue tickets, one line each (account and ticket).
    pub overdue: &'a [String],
    /// Disabled accounts that still hold credentials.
    pub disabled_with_credentials: &'a [String],
}

/// The digest card.
pub fn digest(input: &DigestInput<'_>) -> Value {
    let owners: Vec<String> = input
        .top_owners
        .iter()
        .map(|(who, n)| format!("{} — {n} open", safe_text(who)))
        .collect();
    let lists: [(&str, Vec<String>); 4] = [
        ("Top owners with open items", owners),
        ("Newly remediated", safe_all(input.newly_remediated)),
        ("Overdue tickets", safe_all(input.overdue)),
        (
            "Disabled accounts that still hold credentials",
            safe_all(input.disabled_with_credentials),
        ),
    ];
    let longest = lists
        .iter()
        .map(|(_, l)| l.len())
        .max()
        .unwrap_or(0)
        .min(MAX_LIST);
    fit_list(longest, |cap| {
        let mut body = vec![
            heading(format!(
                "Weekly MFA readiness — {}",
                safe_text(&input.current.week)
            )),
            colored(
                format!("Phase 2: {}", input.enforcement.headline()),
                if input.enforcement.enforced {
                    "Attention"
                } else {
                    "Warning"
                },
            ),
            facts(&summary(input)),
            burn_down(input),
            donut(input.current),
        ];
        for (title, items) in &lists {
            body.push(subheading(*title));
            if items.is_empty() {
                body.push(note("None."));
            } else {
                let shown = items.len().min(cap);
                body.push(bullets(&items[..shown], items.len() - shown));
            }
        }
        if !input.current.complete {
            body.push(note("This week's scan was incomplete: counts may be low."));
        }
        adaptive_card(body, vec![], &[])
    })
}

fn safe_all(items: &[String]) -> Vec<String> {
    items.iter().map(|s| safe_text(s)).collect()
}

/// Accounts at risk in a snapshot.
fn at_risk(s: &WeeklySnapshot) -> usize {
    s.by_severity.values().sum()
}

/// `(+3)`, `(−2)`, `(±0)`, or nothing without a previous week.
fn change(now: f64, before: Option<f64>, unit: &str) -> String {
    match before {
        None => String::new(),
        Some(b) => {
            let d = now - b;
            if d.abs() < 0.05 {
                " (±0 since last week)".to_owned()
            } else if d > 0.0 {
                format!(" (+{}{unit} since last week)", trim(d))
            } else {
                format!(" (−{}{unit} since last week)", trim(-d))
            }
        }
    }
}

fn trim(x: f64) -> String {
    if x.fract().abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn summary(input: &DigestInput<'_>) -> Vec<(String, String)> {
    let cur = input.current;
    let prev = input.previous;
    let readiness = (cur.readiness_percent * 10.0).floor() / 10.0;
    let mut pairs = vec![
        (
            "Readiness".to_owned(),
            format!(
                "{readiness:.1}%{}",
                change(
                    readiness,
                    prev.map(|p| (p.readiness_percent * 10.0).floor() / 10.0),
                    " points"
                )
            ),
        ),
        (
            "Accounts scanned".to_owned(),
            cur.accounts_scanned.to_string(),
        ),
        (
            "At risk".to_owned(),
            format!(
                "{}{}",
                at_risk(cur),
                change(at_risk(cur) as f64, prev.map(|p| at_risk(p) as f64), "")
            ),
        ),
    ];
    for s in Severity::DESCENDING {
        let n = |snap: &WeeklySnapshot| snap.by_severity.get(&s).copied().unwrap_or(0) as f64;
        pairs.push((
            format!("  {s}"),
            format!("{}{}", n(cur), change(n(cur), prev.map(n), "")),
        ));
    }
    pairs
}

/// The burn-down: at-risk accounts per week, and (before enforcement) the line to zero on
/// the enforcement date.
fn burn_down(input: &DigestInput<'_>) -> Value {
    let mut weeks: Vec<&WeeklySnapshot> = input.history.iter().collect();
    if !weeks.iter().any(|w| w.week == input.current.week) {
        weeks.push(input.current);
    }
    weeks.sort_by(|a, b| a.week.cmp(&b.week));
    weeks.dedup_by(|a, b| a.week == b.week);
    let points: Vec<Value> = weeks
        .iter()
        .map(|w| json!({ "x": w.week, "y": at_risk(w) }))
        .collect();
    let mut data = vec![json!({ "legend": "accounts at risk", "values": points })];
    let e = input.enforcement;
    let title = if e.enforced {
        format!("At-risk accounts per week (enforced since {})", e.date)
    } else {
        let deadline = Utc.from_utc_datetime(&e.date.and_time(NaiveTime::MIN));
        data.push(json!({
            "legend": format!("goal: 0 by {}", e.date),
            "values": [
                { "x": input.current.week, "y": at_risk(input.current) },
                { "x": iso_week(deadline), "y": 0 },
            ],
        }));
        format!("At-risk accounts per week (enforcement {})", e.date)
    };
    json!({
        "type": "Chart.Line",
        "title": title,
        "xAxisTitle": "ISO week",
        "yAxisTitle": "accounts at risk",
        "data": data,
    })
}

/// This week's at-risk accounts by severity.
fn donut(current: &WeeklySnapshot) -> Value {
    let data: Vec<Value> = Severity::DESCENDING
        .iter()
        .map(|s| json!({ "legend": s.as_str(), "value": current.by_severity.get(s).copied().unwrap_or(0) }))
        .collect();
    json!({ "type": "Chart.Donut", "title": "At risk by severity", "data": data })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;

    use super::*;
    use crate::ids::TenantId;
    use crate::teams::cards::fits;

    fn snap(week: &str, counts: [usize; 4], scanned: usize) -> WeeklySnapshot {
        let by_severity: BTreeMap<Severity, usize> =
            Severity::DESCENDING.iter().copied().zip(counts).collect();
        let at: usize = counts.iter().sum();
        WeeklySnapshot {
            tenant: TenantId::parse("11111111-2222-4333-8444-555555555555").unwrap(),
            week: week.into(),
            taken_at: Utc::now(),
            complete: true,
            accounts_scanned: scanned,
            by_severity,
            at_risk: Vec::new(),
            readiness_percent: 100.0 * (scanned - at) as f64 / scanned as f64,
        }
    }

    #[test]
    fn digest_shows_changes_charts_and_cut_lists() {
        let prev = snap("2026-W46", [4, 5, 6, 1], 100);
        let cur = snap("2026-W47", [3, 5, 8, 0], 100);
        let older = snap("2026-W45", [6, 6, 6, 2], 100);
        let enforcement = EnforcementStatus::on(
            NaiveDate::from_ymd_opt(2026, 12, 14).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        );
        let remediated: Vec<String> = (0..40).map(|i| format!("fixed{i}@contoso.com")).collect();
        let input = DigestInput {
            current: &cur,
            previous: Some(&prev),
            history: &[prev.clone(), older],
            enforcement: &enforcement,
            top_owners: &[("a@contoso.com".into(), 7)],
            newly_remediated: &remediated,
            overdue: &[],
            disabled_with_credentials: &["<at>gone</at>@contoso.com".into()],
        };
        let card = digest(&input);
        assert!(fits(&card));
        let raw = card.to_string();
        assert!(raw.contains("\"3 (−1 since last week)\""), "{raw}");
        assert!(raw.contains("\"8 (+2 since last week)\""));
        assert!(raw.contains("\"5 (±0 since last week)\""));
        assert!(raw.contains("84.0% (±0 since last week)"));
        assert!(raw.contains(&format!("…and {} more", 40 - MAX_LIST)));
        assert!(!raw.contains("<at>"));
        let body = card["body"].as_array().unwrap();
        let line = body.iter().find(|e| e["type"] == "Chart.Line").unwrap();
        let xs: Vec<&str> = line["data"][0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["x"].as_str().unwrap())
            .collect();
        assert_eq!(xs, ["2026-W45", "2026-W46", "2026-W47"]);
        assert_eq!(
            line["data"][1]["values"][1],
            json!({"x": "2026-W51", "y": 0})
        );
        let donut = body.iter().find(|e| e["type"] == "Chart.Donut").unwrap();
        assert_eq!(donut["data"][0], json!({"legend": "critical", "value": 3}));
    }
}
