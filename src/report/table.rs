//! The terminal format: a short header and one table row per account. No colours, so the
//! output is the same on a terminal, in a pipe and in a log.

use std::io::{self, Write};

use comfy_table::{presets, ColumnConstraint, ContentArrangement, Table};

use crate::detect::model::Severity;

use super::labels::{account_name, filter_note, latest_evidence, readiness};
use super::scan::Scan;

/// The widest the table gets; cells wrap to fit.
const WIDTH: u16 = 150;
/// Evidence details longer than this are cut with an ellipsis.
const DETAIL_CHARS: usize = 90;

/// Writes the header and the accounts table.
pub(crate) fn write(scan: &Scan, out: &mut dyn Write) -> io::Result<()> {
    let r = &scan.report;
    let tenant = r
        .tenant_id
        .map_or_else(|| "unknown tenant".to_owned(), |t| t.to_string());
    writeln!(out, "Azure MFA Phase 2 readiness: tenant {tenant}")?;
    writeln!(out, "Generated {}", r.generated_at)?;
    writeln!(out, "Phase 2 {}", r.enforcement.headline())?;
    let counts = Severity::DESCENDING
        .iter()
        .map(|s| format!("{s} {}", r.summary.by_severity.get(s).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(", ");
    writeln!(
        out,
        "Readiness {}: {} of {} accounts at risk ({counts})",
        readiness(r),
        r.summary.at_risk,
        r.summary.accounts_scanned
    )?;
    if !r.complete {
        writeln!(
            out,
            "WARNING: incomplete scan; nothing is resolved from it. Problems:"
        )?;
        for p in &r.problems {
            writeln!(out, "  - {}", printable(p))?;
        }
    }
    if let Some(note) = filter_note(r) {
        writeln!(out, "{note}")?;
    }
    writeln!(out)?;

    if r.accounts.is_empty() {
        return writeln!(out, "No accounts at risk.");
    }
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(WIDTH)
        .set_header(["Severity", "Account", "Signals", "Owner", "Latest evidence"]);
    for a in &r.accounts {
        let latest = latest_evidence(a).map_or_else(String::new, |e| {
            format!("{}\n{}", e.at, shorten(&printable(&e.detail), DETAIL_CHARS))
        });
        table.add_row([
            a.severity.to_string(),
            printable(&account_name(a)),
            a.signals
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            a.owner.as_deref().map_or_else(|| "-".to_owned(), printable),
            latest,
        ]);
    }
    // Account names and signal names are never wrapped, so they can be copied.
    for i in [1, 2] {
        if let Some(column) = table.column_mut(i) {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    writeln!(out, "{table}")
}

/// `text` with control characters (terminal escapes, line breaks) replaced by `?`/spaces,
/// so account data cannot drive the terminal.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '?',
            c => c,
        })
        .collect()
}

/// `text` cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}
