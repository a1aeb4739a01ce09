//! The terminal table lists every account under a header.

use super::fixture::{render, scan, EVIL_UPN, TENANT};
use crate::report::labels::account_name;
use crate::report::Format;

#[test]
fn table_has_the_header_and_every_account() {
    let s = scan(true, Vec::new());
    let text = render(&s, Format::Table);
    assert!(text.contains(TENANT), "{text}");
    assert!(text.contains("enforced since 2025-10-01 (417 days): these calls fail now"));
    assert!(
        text.contains("Readiness 82.5%: 7 of 40 accounts at risk"),
        "{text}"
    );
    assert!(
        text.contains("critical 2, high 1, medium 3, low 1"),
        "{text}"
    );
    for a in &s.report.accounts {
        assert!(
            text.contains(&account_name(a)),
            "missing {}",
            account_name(a)
        );
    }
    assert!(text.contains(EVIL_UPN));
    assert!(text.contains("platform-team@contoso.com"));
    // Latest evidence of the cron account, not the older write.
    assert!(text.contains("2026-11-21T02:05:00Z"), "{text}");
    assert!(!text.contains("2026-11-20T02:05:00Z"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour codes");
    assert!(!text.contains("WARNING"));
}

#[test]
fn table_shows_days_left_and_incomplete_warning() {
    let s = scan(
        false,
        vec!["activityLog.json: line 7: expected value".into()],
    );
    let text = render(&s, Format::Table);
    assert!(
        text.contains("enforced from 2026-12-01: 9 days left"),
        "{text}"
    );
    assert!(text.contains("WARNING: incomplete scan"));
    assert!(text.contains("activityLog.json: line 7: expected value"));
}

#[test]
fn clean_scan_says_so() {
    let mut s = scan(true, Vec::new());
    s.report.accounts.clear();
    s.report.summary.at_risk = 0;
    let text = render(&s, Format::Table);
    assert!(text.contains("No accounts at risk."), "{text}");
}

#[test]
fn terminal_escapes_in_account_data_are_neutralised() {
    let mut s = scan(true, Vec::new());
    s.report.accounts[0].user_principal_name = Some("evil\u{1b}[31m@contoso.com".into());
    let text = render(&s, Format::Table);
    assert!(!text.contains('\u{1b}'));
    assert!(text.contains("evil?[31m@contoso.com"));
}
