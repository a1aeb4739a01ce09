//! `stepup digest`: the readiness digest from the state folder — latest and previous scan
//! reports, weekly snapshots and account records — printed as text or JSON, or posted to
//! the default Teams channel (`--post`: the webhook when `STEPUP_TEAMS_WEBHOOK` is set,
//! else the outbox).

use std::path::Path;

use anyhow::{bail, Context};
use chrono::Utc;

use super::args::{DigestArgs, OutputFormat};
use crate::config::Config;
use crate::ids::TenantId;
use crate::state::StateStore;
use crate::teams::delivery::sink_from_settings;
use crate::teams::digest::{
    load_digest, post_digest, render, tenants_with_reports, DigestData, DigestPost,
};
use crate::teams::notify::run_stamp;

/// Runs `stepup digest`.
pub fn run(args: DigestArgs) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let state = args.state_dir.clone().unwrap_or(config.state.dir.clone());
    let store = super::backends::local_store(&state);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let now = Utc::now();
    let digests = runtime.block_on(async {
        let tenants = tenants(store.as_ref(), &args, &config, &state).await?;
        let mut digests = Vec::new();
        for tenant in &tenants {
            if args.post {
                digests.push(post(store.as_ref(), &config, &state, tenant, now).await?);
            } else if let Some(d) = load_digest(store.as_ref(), tenant, now).await? {
                digests.push(d);
            }
        }
        anyhow::Ok(digests)
    })?;
    let text = match args.format {
        OutputFormat::Json => {
            let docs: Vec<serde_json::Value> = digests.iter().map(render::to_json).collect();
            let doc = match <[_; 1]>::try_from(docs) {
                Ok([one]) => one,
                Err(many) => serde_json::Value::Array(many),
            };
            format!("{}\n", serde_json::to_string_pretty(&doc)?)
        }
        OutputFormat::Table => digests
            .iter()
            .map(render::to_text)
            .collect::<Vec<_>>()
            .join("\n"),
        other => bail!("digest prints table or json, not {other:?}"),
    };
    super::to_stdout(|out| out.write_all(text.as_bytes()))
}

/// The tenants to digest: `--tenant`, else the configured tenant when it has a scan, else
/// every tenant with a stored scan.
async fn tenants(
    store: &dyn StateStore,
    args: &DigestArgs,
    config: &Config,
    state: &Path,
) -> anyhow::Result<Vec<TenantId>> {
    let stored = tenants_with_reports(store)
        .await
        .with_context(|| format!("cannot read the state in {}", state.display()))?;
    let wanted = args.tenant.or(config.tenant.tenant_id);
    let tenants: Vec<TenantId> = match wanted {
        Some(t) if stored.contains(&t) => vec![t],
        Some(t) if args.tenant.is_some() => {
            bail!("no scan of tenant {t} in {}", state.display())
        }
        _ => stored,
    };
    if tenants.is_empty() {
        bail!(
            "no scan in {}: run `stepup demo` or a scan first",
            state.display()
        );
    }
    Ok(tenants)
}

/// Posts one tenant's digest and says where it went (on stderr: stdout is the digest).
async fn post(
    store: &dyn StateStore,
    config: &Config,
    state: &Path,
    tenant: &TenantId,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<DigestData> {
    let sink = sink_from_settings(&config.teams, &config.tenant, state)?;
    let run = format!("digest-{}", run_stamp(now));
    match post_digest(store, sink.as_ref(), tenant, now, &run).await? {
        DigestPost::NoReport => bail!("no scan of tenant {tenant}: nothing to post"),
        DigestPost::Posted { digest, outcome } => {
            let place = match sink.kind() {
                "outbox" => format!("the outbox {}", config.teams.outbox_dir(state).display()),
                kind => format!("the default channel ({kind})"),
            };
            eprintln!(
                "digest of tenant {tenant} posted to {place} ({} message)",
                outcome.posted
            );
            Ok(*digest)
        }
    }
}
