//! `stepup scan` without `--from`: the live scan of one tenant through Graph and ARM, with
//! the same report formats as the offline scan, a progress bar on stderr when it is a
//! terminal, and incremental state in the local state folder (unless `--full`).

use anyhow::{bail, Context};
use chrono::Utc;

use super::args::ScanArgs;
use super::scan::{warn_problems, write_report};
use super::scan_progress::ScanProgress;
use crate::config::Config;
use crate::ids::{SubscriptionId, TenantId};
use crate::settings::TenantSettings;
use crate::sources::{connect, live_scan, ConnectOptions, LiveScanOptions};
use crate::state::LocalDirStore;

/// Warnings, plus the one line that says which credential is used.
pub(super) const LOG_FILTER: &str = "warn,stepup::sources::credential=info";

/// Runs a live scan.
pub(super) fn run(args: ScanArgs, config: &Config) -> anyhow::Result<()> {
    let tenant = match args.tenant.as_deref() {
        Some(t) => TenantId::parse(t).with_context(|| format!("--tenant {t:?}"))?,
        None => match config.tenant.tenant_id {
            Some(t) => t,
            None => bail!(
                "a live scan needs a tenant: pass --tenant or set STEPUP_TENANT_ID (or AZURE_TENANT_ID), or scan an export with --from DIR"
            ),
        },
    };
    let mut sources = config.sources.clone();
    if let Some(list) = args.subscriptions.as_deref() {
        sources.subscriptions = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| SubscriptionId::parse(s).with_context(|| format!("--subscriptions {s:?}")))
            .collect::<anyhow::Result<_>>()?;
    }
    let mut settings = match args.settings.as_deref() {
        Some(path) => TenantSettings::load(path)?,
        None => config.tenant.clone(),
    };
    settings.tenant_id = Some(tenant);
    let ctx = connect(
        &config.identity,
        &sources,
        tenant,
        ConnectOptions::default(),
    )?;
    let store = (!args.full).then(|| LocalDirStore::new(&config.state.dir));
    let progress = ScanProgress::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let scanned = runtime.block_on(live_scan(
        &ctx,
        LiveScanOptions {
            tenant: &settings,
            sources: &sources,
            store: store.as_ref().map(|s| s as &dyn crate::state::StateStore),
            now: Utc::now(),
            progress: &progress,
        },
    ));
    progress.finish();
    let scanned = scanned?;
    if scanned.stats.records == 0 && !scanned.stats.failed.is_empty() {
        // Nothing at all could be read (a credential or permission problem): say why instead
        // of printing an empty report.
        let why = scanned
            .scan
            .report
            .problems
            .first()
            .cloned()
            .unwrap_or_default();
        bail!("the live scan read nothing: {why}");
    }
    let scan = scanned.scan;
    warn_problems(&scan);
    let scan = match args.min_severity {
        Some(min) => scan.with_min_severity(min),
        None => scan,
    };
    write_report(&scan, args.format.into(), args.out.as_deref())
}
