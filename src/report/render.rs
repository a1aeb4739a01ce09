//! One entry point for every format.

use std::io::{self, Write};

use super::format::Format;
use super::scan::Scan;
use super::{csv_rows, html, markdown, table};

/// Renders `scan` as `format` to `out`. JSON is `scan.report` exactly (the §4 contract);
/// the human formats also use `scan.detection` for rich evidence and guidance.
pub fn render(scan: &Scan, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &scan.report)?;
            writeln!(out)
        }
        Format::Table => table::write(scan, out),
        Format::Md => markdown::write(scan, out),
        Format::Html => html::write(scan, out),
        Format::Csv => csv_rows::write(scan, out),
    }
}
