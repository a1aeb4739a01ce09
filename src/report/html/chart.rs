//! The readiness donut: one slice per severity plus the ready accounts, drawn with
//! plotters' SVG backend (no fonts or system libraries needed) and inlined in the page.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::detect::model::Severity;

use super::super::model::ScanReport;

/// The donut's side in pixels.
const SIZE: u32 = 220;

/// A slice colour per severity (the page's CSS uses the same values).
pub(crate) fn severity_rgb(severity: Severity) -> RGBColor {
    match severity {
        Severity::Critical => RGBColor(0xb4, 0x23, 0x18),
        Severity::High => RGBColor(0xe0, 0x63, 0x0b),
        Severity::Medium => RGBColor(0xd9, 0xa4, 0x06),
        Severity::Low => RGBColor(0x3b, 0x6e, 0xc6),
    }
}

/// Ready accounts.
pub(crate) const READY_RGB: RGBColor = RGBColor(0x2e, 0x7d, 0x32);
/// An empty scan.
const EMPTY_RGB: RGBColor = RGBColor(0xd0, 0xd5, 0xdd);

/// The donut as an `<svg>` element: slices by severity and ready accounts, readiness in
/// the middle.
pub(crate) fn readiness_donut(report: &ScanReport) -> Result<String, String> {
    let mut sizes = Vec::new();
    let mut colors = Vec::new();
    for s in Severity::DESCENDING {
        let n = report.summary.by_severity.get(&s).copied().unwrap_or(0);
        if n > 0 {
            sizes.push(n as f64);
            colors.push(severity_rgb(s));
        }
    }
    let ready = report
        .summary
        .accounts_scanned
        .saturating_sub(report.summary.at_risk);
    if ready > 0 {
        sizes.push(ready as f64);
        colors.push(READY_RGB);
    }
    if sizes.is_empty() {
        sizes.push(1.0);
        colors.push(EMPTY_RGB);
    }
    let labels = vec![""; sizes.len()];

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE, SIZE)).into_drawing_area();
        let center = ((SIZE / 2) as i32, (SIZE / 2) as i32);
        let radius = f64::from(SIZE) / 2.0 - 6.0;
        let mut pie = Pie::new(&center, &radius, &sizes, &colors, &labels);
        pie.start_angle(-90.0);
        pie.donut_hole(radius * 0.62);
        pie.label_style(("sans-serif", 1).into_font().color(&TRANSPARENT));
        root.draw(&pie).map_err(|e| e.to_string())?;

        let big = ("sans-serif", 36)
            .into_font()
            .style(FontStyle::Bold)
            .color(&RGBColor(0x1f, 0x29, 0x37))
            .pos(Pos::new(HPos::Center, VPos::Center));
        let small = ("sans-serif", 15)
            .into_font()
            .color(&RGBColor(0x5b, 0x67, 0x78))
            .pos(Pos::new(HPos::Center, VPos::Center));
        let percent = super::super::labels::readiness(report);
        root.draw(&Text::new(percent, (center.0, center.1 - 8), big))
            .map_err(|e| e.to_string())?;
        root.draw(&Text::new("ready", (center.0, center.1 + 22), small))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
