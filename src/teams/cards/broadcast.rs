//! The enforcement broadcast (posted on a Service Health notice): the date, what is in
//! scope, how many accounts are at risk by severity, the worst accounts and what to do.

use serde_json::Value;

use crate::calendar::{EnforcementStatus, DOCS_URL, POSTPONE_URL};
use crate::detect::model::{Finding, Severity};
use crate::report::labels::signal_label;
use crate::report::model::ScanReport;

use super::elements::{
    adaptive_card, bullets, colored, facts, heading, note, open_url, safe_text, subheading, text,
};
use super::fit::fit_list;

/// The most accounts a broadcast names.
pub const MAX_WORST: usize = 10;

/// The broadcast card for `report`'s tenant; `worst` are the accounts to name, most severe
/// first (at most [`MAX_WORST`] are shown, the rest counted).
pub fn broadcast(report: &ScanReport, enforcement: &EnforcementStatus, worst: &[Finding]) -> Value {
    let lines: Vec<String> = worst.iter().take(MAX_WORST).map(worst_line).collect();
    // Accounts at risk that are not named, so the count is honest even when the list is cut.
    let at_risk = report.summary.at_risk.max(worst.len());
    fit_list(lines.len(), |shown| {
        let mut body = vec![
            heading("Mandatory Azure MFA (Phase 2) for Azure Resource Manager"),
            colored(
                enforcement.headline(),
                if enforcement.enforced {
                    "Attention"
                } else {
                    "Warning"
                },
            ),
            text(
                "**Scope:** every create, update and delete through Azure Resource Manager — \
                 Azure CLI, Azure PowerShell, infrastructure as code (Terraform, Bicep, Ansible) \
                 and REST/SDK calls — needs multifactor authentication. Reads are not affected. \
                 Workload identities (service principals, managed identities) are not in scope.",
            ),
            facts(&counts(report, enforcement)),
        ];
        if shown > 0 {
            body.push(subheading("Accounts at most risk"));
            body.push(bullets(&lines[..shown], at_risk - shown));
        }
        body.push(subheading("What to do"));
        body.push(bullets(
            &[
                "Owners: open your notice or ticket and follow the migration steps for each account.".to_owned(),
                "Automation signing in as a user: move it to a workload identity (managed identity or workload identity federation).".to_owned(),
                "People: register MFA and update Azure CLI to 2.76+ / Az PowerShell to 14.3+.".to_owned(),
                format!(
                    "Postponement is a last resort for a Global Administrator with elevated access: [aka.ms/postponePhase2MFA]({POSTPONE_URL}); after 2026-07-01 only a Microsoft support request lifts enforcement."
                ),
            ],
            0,
        ));
        body.push(note(format!(
            "Scan of {}.",
            safe_text(&report.generated_at)
        )));
        adaptive_card(body, vec![open_url("Microsoft's guidance", DOCS_URL)], &[])
    })
}

/// The facts: dates, scanned, at risk by severity, readiness.
fn counts(report: &ScanReport, enforcement: &EnforcementStatus) -> Vec<(String, String)> {
    let mut pairs = vec![
        ("Enforcement date".to_owned(), enforcement.date.to_string()),
        (
            "Report date".to_owned(),
            report.generated_at.get(..10).unwrap_or("").to_owned(),
        ),
        (
            "Accounts scanned".to_owned(),
            report.summary.accounts_scanned.to_string(),
        ),
        ("At risk".to_owned(), report.summary.at_risk.to_string()),
    ];
    for s in Severity::DESCENDING {
        let n = report.summary.by_severity.get(&s).copied().unwrap_or(0);
        pairs.push((format!("  {s}"), n.to_string()));
    }
    pairs.push((
        "Readiness".to_owned(),
        crate::report::labels::readiness(report),
    ));
    if !report.complete {
        pairs.push(("Note".to_owned(), "the scan was incomplete".to_owned()));
    }
    pairs
}

/// One line for a named account.
fn worst_line(f: &Finding) -> String {
    let name = f
        .upn
        .as_deref()
        .map_or_else(|| f.user_id.to_string(), safe_text);
    let signals: Vec<&str> = f.signals.iter().map(|s| signal_label(*s)).collect();
    let owner = f
        .owner
        .as_ref()
        .map(|o| format!(" (owner {})", safe_text(&o.who)))
        .unwrap_or_default();
    format!(
        "**{name}** — {} — {}{owner}",
        f.severity,
        signals.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::detect::model::{Detection, Signal};
    use crate::ids::ObjectId;
    use crate::teams::cards::fits;

    fn finding(n: u32, severity: Severity) -> Finding {
        Finding {
            user_id: ObjectId::parse(&format!("00000000-0000-4000-8000-{n:012}")).unwrap(),
            upn: Some(format!("user{n:02}@contoso.com")),
            display_name: None,
            kind: None,
            break_glass: false,
            severity,
            signals: BTreeSet::from([Signal::Ropc]),
            evidence: Vec::new(),
            clients: BTreeSet::new(),
            ci: BTreeSet::new(),
            subscriptions: BTreeSet::new(),
            owner: None,
        }
    }

    #[test]
    fn names_at_most_ten_and_counts_the_rest() {
        let findings: Vec<Finding> = (0..25)
            .map(|n| {
                finding(
                    n,
                    if n < 5 {
                        Severity::Critical
                    } else {
                        Severity::Medium
                    },
                )
            })
            .collect();
        let detection = Detection {
            accounts_scanned: 200,
            findings: findings.clone(),
            ..Default::default()
        };
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap();
        let date = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        let report = ScanReport::build(&detection, None, date, now, Vec::new());
        let card = broadcast(&report, &report.enforcement, &findings);
        assert!(fits(&card));
        let raw = card.to_string();
        assert!(raw.contains("user09@contoso.com") && !raw.contains("user10@contoso.com"));
        assert!(raw.contains("…and 15 more"));
        assert!(raw.contains("enforced since 2025-10-01"));
        assert!(
            raw.contains(r#"{"title":"  critical","value":"5"}"#),
            "{raw}"
        );
        assert!(raw.contains(r#"{"title":"  medium","value":"20"}"#));
        assert!(raw.contains(r#"{"title":"Report date","value":"2026-11-22"}"#));
        assert!(raw.contains("87.5%"));
        assert!(raw.contains("aka.ms/postponePhase2MFA"));
    }
}
