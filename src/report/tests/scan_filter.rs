//! `Scan::with_min_severity` filters the accounts but keeps the whole scan's counts.

use super::fixture::{render, scan};
use crate::detect::model::Severity;
use crate::report::Format;

#[test]
fn min_severity_filters_accounts_and_findings_but_not_the_summary() {
    let full = scan(true, Vec::new());
    let summary = full.report.summary.clone();
    let high = full.with_min_severity(Severity::High);
    assert_eq!(high.report.summary, summary);
    assert_eq!(high.report.accounts.len(), 3);
    assert!(high
        .report
        .accounts
        .iter()
        .all(|a| a.severity >= Severity::High));
    assert_eq!(high.detection.findings.len(), 3);
    assert!(high.is_filtered());

    let table = render(&high, Format::Table);
    assert!(table.contains("Showing 3 of 7 at-risk accounts"), "{table}");
    assert!(!table.contains("dev.anna@contoso.com"));

    let all = scan(true, Vec::new()).with_min_severity(Severity::Low);
    assert_eq!(all.report.accounts.len(), 7);
    assert!(!all.is_filtered());
}
