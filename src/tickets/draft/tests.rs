//! Ticket drafts: title, body sections, due dates, postponement caveats, the key marker.

use chrono::NaiveDate;

use super::*;
use crate::calendar::EnforcementStatus;
use crate::detect::model::{Severity, Signal};
use crate::guidance::for_finding;
use crate::lifecycle::testkit::{critical, finding, tenant};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn draft(f: &Finding, e: &EnforcementStatus) -> TicketDraft {
    let g = for_finding(f, e).for_tenant(&tenant());
    draft_for(f, &tenant(), e, 14, &g)
}

#[test]
fn an_enforced_tenant_gets_a_due_date_from_today_and_no_postponement() {
    let e = EnforcementStatus::on(date(2025, 10, 1), date(2026, 11, 22));
    let mut f = critical(1);
    f.upn = Some("svc-deploy@contoso.com".into());
    let d = draft(&f, &e);
    assert_eq!(
        d.title,
        "[stepup] critical: svc-deploy@contoso.com breaks under Azure MFA enforcement"
    );
    assert_eq!(d.due, date(2026, 12, 6));
    assert_eq!(d.severity, Severity::Critical);
    assert_eq!(
        d.key.to_string(),
        format!("stepup:{}:{}", tenant(), f.user_id)
    );
    assert_eq!(d.assignee.as_deref(), Some("platform-team@contoso.com"));
    let b = &d.body;
    assert!(
        b.contains("enforced since 2025-10-01 (417 days): these calls fail now"),
        "{b}"
    );
    assert!(
        b.contains("- **Due:** 2026-12-06 (already enforced)"),
        "{b}"
    );
    assert!(
        b.contains("- **Owner:** platform-team@contoso.com (by ownership map)"),
        "{b}"
    );
    assert!(b.contains("`ropc` (password in a script (ROPC))"), "{b}");
    assert!(b.contains("| signal | when (UTC) | what happened |"), "{b}");
    // The pipe in the evidence detail is escaped, so the table keeps three columns.
    assert!(b.contains("ropc \\| seen from 10.0.0.1"), "{b}");
    assert!(b.contains("## What to do"), "{b}");
    assert!(b.contains("## Blocked right now?"), "{b}");
    let g = for_finding(&f, &e);
    assert!(!g.unblock.is_empty());
    assert!(
        b.contains(&g.unblock[0].title),
        "the immediate unblock: {b}"
    );
    assert!(b.contains("no longer available"), "{b}");
    assert!(b.contains(POSTPONE_URL));
    assert!(
        b.contains(&tenant().to_string()),
        "tenant filled into the steps"
    );
    assert!(!b.contains("<tenant-id>"));
    assert_eq!(b.lines().last().unwrap(), marker_line(&d.key));
    assert!(marker_line(&d.key).starts_with("stepup-key: stepup:"));
}

#[test]
fn an_upcoming_date_is_the_due_date_and_postponement_is_offered_while_open() {
    let f = finding(2, Severity::High, &[Signal::SingleFactorArmWrite]);
    let enforced = EnforcementStatus::on(date(2025, 10, 1), date(2026, 11, 22));
    assert!(
        draft(&f, &enforced).body.contains("--claims-challenge"),
        "a person can re-authenticate now"
    );
    let upcoming = EnforcementStatus::on(date(2026, 12, 1), date(2026, 11, 22));
    let d = draft(&f, &upcoming);
    assert_eq!(d.due, date(2026, 12, 1));
    assert!(
        d.body.contains("enforced from 2026-12-01: 9 days left"),
        "{}",
        d.body
    );
    assert!(d.body.contains("(the enforcement date)"));

    let open = EnforcementStatus::on(date(2026, 3, 1), date(2026, 1, 10));
    let d = draft(&f, &open);
    assert_eq!(d.due, date(2026, 3, 1));
    assert!(
        d.body
            .contains("A Global Administrator can postpone Phase 2"),
        "{}",
        d.body
    );
    assert!(d.body.contains("2026-07-01 at the"), "{}", d.body);
}

#[test]
fn an_account_without_upn_or_owner_still_gets_a_useful_ticket() {
    let mut f = finding(3, Severity::Medium, &[Signal::NoMfaMethod]);
    f.upn = None;
    f.owner = None;
    f.evidence.clear();
    let e = EnforcementStatus::on(date(2025, 10, 1), date(2026, 11, 22));
    let d = draft(&f, &e);
    assert!(d.title.contains(&f.user_id.to_string()), "{}", d.title);
    assert!(d.assignee.is_none());
    assert!(d.body.contains("none found"));
    assert!(!d.body.contains("## Evidence"));
}

#[test]
fn markup_in_names_cannot_break_the_body() {
    let mut f = critical(4);
    f.upn = Some("<img src=x>|*x*@contoso.com".into());
    let e = EnforcementStatus::on(date(2025, 10, 1), date(2026, 11, 22));
    let d = draft(&f, &e);
    // Outside code blocks (where it is inert) the name is escaped.
    let account = d
        .body
        .lines()
        .find(|l| l.starts_with("- **Account:**"))
        .unwrap();
    assert!(!account.contains("<img"), "{account}");
    assert!(
        account.contains("&lt;img src=x&gt;\\|\\*x\\*@contoso.com"),
        "{account}"
    );
}
