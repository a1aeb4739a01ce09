//! `stepup digest`: the readiness digest from the last scan kept in the state folder.

use std::path::Path;

use anyhow::{bail, Context};
use serde_json::json;

use super::args::{DigestArgs, OutputFormat};
use crate::config::Config;
use crate::detect::model::Severity;
use crate::report::model::ScanReport;

/// Runs `stepup digest`.
pub fn run(args: DigestArgs) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let state = args.state_dir.unwrap_or(config.state.dir.clone());
    let reports = state.join("reports");
    let latest = load(&reports.join("latest.json"))?.with_context(|| {
        format!(
            "no scan in {}: run `stepup demo` or a scan first",
            state.display()
        )
    })?;
    let previous = load(&reports.join("previous.json"))?;
    let text = match args.format {
        OutputFormat::Json => {
            let doc = digest_json(&latest, previous.as_ref());
            format!("{}\n", serde_json::to_string_pretty(&doc)?)
        }
        OutputFormat::Table => digest_text(&latest, previous.as_ref()),
        other => bail!("digest prints table or json, not {other:?}"),
    };
    super::to_stdout(|out| out.write_all(text.as_bytes()))
}

fn load(path: &Path) -> anyhow::Result<Option<ScanReport>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .with_context(|| format!("{} is not a stepup report", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn count(r: &ScanReport, s: Severity) -> i64 {
    r.summary.by_severity.get(&s).copied().unwrap_or(0) as i64
}

fn digest_json(latest: &ScanReport, previous: Option<&ScanReport>) -> serde_json::Value {
    let by: serde_json::Map<String, serde_json::Value> = Severity::DESCENDING
        .iter()
        .map(|s| {
            let now = count(latest, *s);
            let change = previous.map(|p| now - count(p, *s));
            (
                s.as_str().to_string(),
                json!({ "count": now, "change": change }),
            )
        })
        .collect();
    json!({
        "generatedAt": latest.generated_at,
        "readinessPercent": (latest.readiness_percent() * 10.0).round() / 10.0,
        "atRisk": latest.summary.at_risk,
        "accountsScanned": latest.summary.accounts_scanned,
        "bySeverity": by,
        "enforcement": latest.enforcement,
        "complete": latest.complete,
    })
}

fn digest_text(latest: &ScanReport, previous: Option<&ScanReport>) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "stepup readiness digest ({})\nPhase 2 {}\nreadiness {:.1}% — {} of {} accounts at risk\n",
        latest.generated_at,
        latest.enforcement.headline(),
        latest.readiness_percent(),
        latest.summary.at_risk,
        latest.summary.accounts_scanned
    ));
    for s in Severity::DESCENDING {
        let now = count(latest, s);
        let change = match previous {
            Some(p) => format!(" ({:+})", now - count(p, s)),
            None => String::new(),
        };
        out.push_str(&format!("  {:<8} {now}{change}\n", s.as_str()));
    }
    if !latest.complete {
        out.push_str("the last scan was incomplete: nothing was resolved\n");
    }
    out
}
