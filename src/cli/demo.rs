//! `stepup demo`: the whole job on the bundled demo tenant, with state in a local folder:
//! scan, reports, tickets in the ticket outbox, the report kept in state and the owner
//! notices due in the Teams outbox.

use std::path::Path;

use anyhow::Context;
use chrono::{NaiveTime, Utc};

use super::args::DemoArgs;
use super::scan::{warn_problems, write_report};
use crate::config::Config;
use crate::detect::model::Severity;
use crate::input::ExportDir;
use crate::offline::{scan_dir, settings_for};
use crate::report::model::ScanReport;
use crate::report::Format;
use crate::synth::{generate, SynthOptions};

/// The demo tenant's seed: the same tenant on every machine.
const DEMO_SEED: u64 = 2026;
/// How many accounts the summary lists.
const TOP: usize = 8;

/// Runs `stepup demo`.
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    super::logging::init(config.log_format, "warn");
    let state = args.state_dir.unwrap_or(config.state.dir.clone());
    let tenant_dir = state.join("demo-tenant");
    let reports = state.join("reports");
    std::fs::create_dir_all(&reports)
        .with_context(|| format!("cannot create {}", reports.display()))?;

    // The demo tenant's activity ends today, so its evidence is as fresh as a live scan's.
    let now = Utc::now();
    let mut opts = SynthOptions::new(args.users.max(100), 30, DEMO_SEED);
    opts.end = now.date_naive().and_time(NaiveTime::MIN).and_utc();
    generate(&opts, &tenant_dir)
        .with_context(|| format!("cannot write the demo tenant to {}", tenant_dir.display()))?;

    let dir = ExportDir::open(&tenant_dir)?;
    let settings = settings_for(&dir, None, &config.tenant)?;
    let (scan, totals) = scan_dir(&dir, &settings, now)?;
    warn_problems(&scan);

    let html = reports.join("readiness.html");
    write_report(&scan, Format::Html, Some(&html))?;
    write_report(&scan, Format::Md, Some(&reports.join("readiness.md")))?;

    print_summary(&scan.report, totals.records, &tenant_dir, &html);
    super::demo_tickets::run(&scan, &state, config.lifecycle, now)?;
    super::demo_teams::run(&scan, &state, &settings, config.teams.renotify_days, now)
}

fn print_summary(report: &ScanReport, records: u64, tenant: &Path, html: &Path) {
    let s = &report.summary;
    let count = |sev: Severity| s.by_severity.get(&sev).copied().unwrap_or(0);
    println!("stepup demo — synthetic tenant in {}", tenant.display());
    println!("  Phase 2 {}", report.enforcement.headline());
    println!(
        "  scanned {} accounts from {} records: {} at risk, readiness {:.1}%",
        s.accounts_scanned,
        records,
        s.at_risk,
        report.readiness_percent()
    );
    println!(
        "  critical {} · high {} · medium {} · low {}",
        count(Severity::Critical),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low)
    );
    println!("  most urgent:");
    for a in report.accounts.iter().take(TOP) {
        let signals: Vec<&str> = a.signals.iter().map(|s| s.as_str()).collect();
        println!(
            "    {:<8} {:<45} {}",
            a.severity.as_str(),
            a.user_principal_name.as_deref().unwrap_or("(no UPN)"),
            signals.join(", ")
        );
    }
    if report.accounts.len() > TOP {
        println!("    … and {} more", report.accounts.len() - TOP);
    }
    println!("report: {}", html.display());
}
