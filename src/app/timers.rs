//! Timer-triggered functions: the daily scan planner and the weekly digest.

use std::sync::Arc;

use async_trait::async_trait;

use super::context::AppContext;
use crate::jobs::plan_scan;

use crate::functions::{
    FunctionHandler, HandlerError, InvocationLog, InvocationRequest, InvocationResponse,
};

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

/// `digest`: posts the weekly readiness digest (delivered by the Teams work).
pub struct Digest;

#[async_trait]
impl FunctionHandler for Digest {
    async fn invoke(
        &self,
        request: InvocationRequest,
        log: &InvocationLog,
    ) -> Result<InvocationResponse, HandlerError> {
        request
            .timer("timer")
            .map_err(|e| HandlerError::BadInput(e.to_string()))?;
        log.info("digest: no Teams delivery is configured in this build; nothing posted");
        Ok(InvocationResponse::default())
    }
}
