//! CSV parses back with one row per account.

use super::fixture::{render, scan};
use crate::report::{Format, CSV_HEADER};

#[test]
fn csv_has_one_row_per_account_with_the_right_fields() {
    let s = scan(true, Vec::new());
    let text = render(&s, Format::Csv);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), s.report.accounts.len());
    for (row, a) in rows.iter().zip(&s.report.accounts) {
        assert_eq!(&row[0], a.user_id.to_string());
        assert_eq!(&row[1], a.user_principal_name.as_deref().unwrap_or(""));
        assert_eq!(&row[2], a.severity.as_str());
        let signals: Vec<&str> = row[3].split(';').collect();
        let expected: Vec<&str> = a.signals.iter().map(|s| s.as_str()).collect();
        assert_eq!(signals, expected);
        assert_eq!(&row[4], a.owner.as_deref().unwrap_or(""));
        assert_eq!(row[7].parse::<usize>().unwrap(), a.evidence.len());
    }
    // The cron account: evidence on the 20th (write) and 21st (ROPC).
    assert_eq!(&rows[0][5], "2026-11-20T02:05:00Z");
    assert_eq!(&rows[0][6], "2026-11-21T02:05:00Z");
    // The markup UPN survives as data, quoted or not, unchanged.
    assert!(rows.iter().any(|r| &r[1] == super::fixture::EVIL_UPN));
    // The account without a UPN keeps its id and an empty UPN.
    assert!(rows
        .iter()
        .any(|r| r[1].is_empty() && r[3] == *"single_factor_signin"));
}

#[test]
fn csv_of_a_clean_scan_is_just_the_header() {
    let mut s = scan(true, Vec::new());
    s.report.accounts.clear();
    let text = render(&s, Format::Csv);
    assert_eq!(text.lines().count(), 1);
    assert_eq!(text.trim_end(), CSV_HEADER.join(","));
}
