//! The CSV format: one row per reported account, for spreadsheets and ticket imports.

use std::io::{self, Write};

use super::labels::{earliest_evidence, latest_evidence};
use super::scan::Scan;

/// The header row, in column order.
pub const CSV_HEADER: [&str; 8] = [
    "userId",
    "userPrincipalName",
    "severity",
    "signals",
    "owner",
    "firstEvidenceAt",
    "lastEvidenceAt",
    "evidenceCount",
];

/// Writes the header and one row per account in `scan.report.accounts`.
pub(crate) fn write(scan: &Scan, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    for a in &scan.report.accounts {
        let signals = a
            .signals
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(";");
        w.write_record([
            a.user_id.to_string(),
            a.user_principal_name.clone().unwrap_or_default(),
            a.severity.to_string(),
            signals,
            a.owner.clone().unwrap_or_default(),
            earliest_evidence(a)
                .map(|e| e.at.clone())
                .unwrap_or_default(),
            latest_evidence(a).map(|e| e.at.clone()).unwrap_or_default(),
            a.evidence.len().to_string(),
        ])?;
    }
    w.flush()
}
