//! Timer-triggered functions: the daily scan planner and the weekly digest.

use async_trait::async_trait;

use crate::functions::{
    FunctionHandler, HandlerError, InvocationLog, InvocationRequest, InvocationResponse,
};

/// `scan`: plans a scan run. Planning jobs onto `stepup-jobs` needs the live sources; until
/// they are configured the run plans nothing and says so.
pub struct Scan;

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
        log.info("scan: no live sources are configured in this build; no jobs planned");
        Ok(InvocationResponse::default())
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
