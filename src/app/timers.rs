//! Timer-triggered functions: the daily scan planner and the weekly digest.

use std::sync::Arc;

use anyhow::Context as _;
use async_trait::async_trait;

use super::context::AppContext;
use crate::jobs::plan_scan;

use crate::functions::{
    FunctionHandler, HandlerError, InvocationLog, InvocationRequest, InvocationResponse,
};
use crate::teams::delivery::sink_from_settings;
use crate::teams::digest::{post_digest, tenants_with_reports, weekly_run, DigestPost};

/// `scan`: plans the daily scan: one plan job per tenant (`STEPUP_TENANT_ID`,
/// `STEPUP_TENANTS`) on `stepup-jobs`, through the function's `jobs` queue output binding.
pub struct Scan {
    ctx: Arc<AppContext>,
}

impl Scan {
    /// The planner, sharing `ctx`.
    pub fn new(ctx: Arc<AppContext>) -> Self {
        Self { ctx }
    }
}

#[async_trait]
impl FunctionHandler for Scan {
    async fn invoke(
        &self,
        request: InvocationRequest,
        log: &InvocationLog,
    ) -> Result<InvocationResponse, HandlerError> {
        let timer = request
            .timer("timer")
            .map_err(|e| HandlerError::BadInput(e.to_string()))?;
        if timer.is_past_due {
            log.warn("scan timer is past due; running now");
        }
        let tenants = self.ctx.tenants();
        if tenants.is_empty() {
            log.warn("scan: no tenant is configured (STEPUP_TENANT_ID); nothing planned");
            return Ok(InvocationResponse::default());
        }
        let jobs = plan_scan(&tenants, "daily scan", "timer:scan", self.ctx.now());
        let mut response = InvocationResponse::default();
        response
            .push_queue_messages("jobs", &jobs)
            .map_err(|e| HandlerError::Failed(anyhow::anyhow!("encoding the plan jobs: {e}")))?;
        log.info(format!(
            "scan: planned {} run(s), one per tenant, on stepup-jobs",
            jobs.len()
        ));
        Ok(response)
    }
}

/// `digest`: for every tenant with a stored scan, takes the weekly snapshot and posts the
/// readiness digest to the default Teams channel (the outbox when no webhook is set), at
/// most once per ISO week: a timer that fires again (past due, a restart) posts nothing new.
pub struct Digest {
    ctx: Arc<AppContext>,
}

impl Digest {
    /// The handler, sharing `ctx`.
    pub fn new(ctx: Arc<AppContext>) -> Self {
        Self { ctx }
    }
}

#[async_trait]
impl FunctionHandler for Digest {
    async fn invoke(
        &self,
        request: InvocationRequest,
        log: &InvocationLog,
    ) -> Result<InvocationResponse, HandlerError> {
        let timer = request
            .timer("timer")
            .map_err(|e| HandlerError::BadInput(e.to_string()))?;
        if timer.is_past_due {
            log.warn("digest timer is past due; running now");
        }
        let ctx = &self.ctx;
        let now = ctx.now();
        let store = ctx.store.as_ref();
        let tenants = tenants_with_reports(store)
            .await
            .context("cannot list the stored scan reports")?;
        if tenants.is_empty() {
            log.info("digest: no scan is stored yet; nothing to post");
            return Ok(InvocationResponse::default());
        }
        let sink = sink_from_settings(&ctx.config.teams, &ctx.config.tenant, &ctx.config.state.dir)
            .context("cannot set up Teams delivery")?;
        let run = weekly_run(now);
        let mut failed = Vec::new();
        for tenant in &tenants {
            match post_digest(store, sink.as_ref(), tenant, now, &run).await {
                Ok(DigestPost::Posted { digest, outcome }) if outcome.posted > 0 => {
                    log.info(format!(
                        "digest: tenant {tenant}, week {}: posted ({} at risk) via {}",
                        digest.current.week,
                        digest.latest.summary.at_risk,
                        sink.kind()
                    ))
                }
                Ok(DigestPost::Posted { .. }) => {
                    log.info(format!("digest: tenant {tenant}: already posted for {run}"))
                }
                Ok(DigestPost::NoReport) => {
                    log.info(format!("digest: tenant {tenant}: no scan stored"))
                }
                Err(e) => {
                    log.error(format!("digest: tenant {tenant}: {e}"));
                    failed.push(tenant.to_string());
                }
            }
        }
        if !failed.is_empty() {
            return Err(HandlerError::Failed(anyhow::anyhow!(
                "the digest of {} tenant(s) was not posted: {}; the next run tries again",
                failed.len(),
                failed.join(", ")
            )));
        }
        Ok(InvocationResponse::default())
    }
}
