//! Queue-triggered functions: scan jobs (notifications: `notify_worker`).

use async_trait::async_trait;
use serde_json::Value;

use crate::functions::{
    FunctionHandler, HandlerError, InvocationLog, InvocationRequest, InvocationResponse,
};
use crate::jobs::JobMessage;

/// Reads the queue message of `binding` as a JSON object, or fails as bad input.
fn job(request: &InvocationRequest, binding: &str) -> Result<(Value, u32), HandlerError> {
    let message = request
        .queue(binding)
        .map_err(|e| HandlerError::BadInput(e.to_string()))?;
    let value: Value = message
        .json()
        .map_err(|e| HandlerError::BadInput(e.to_string()))?;
    if !value.is_object() {
        return Err(HandlerError::BadInput(
            "a job message must be a JSON object".into(),
        ));
    }
    Ok((value, message.metadata.dequeue_count))
}

/// `scan-worker`: runs one scan job from `stepup-jobs`.
pub struct ScanWorker;

#[async_trait]
impl FunctionHandler for ScanWorker {
    async fn invoke(
        &self,
        request: InvocationRequest,
        log: &InvocationLog,
    ) -> Result<InvocationResponse, HandlerError> {
        let (job, dequeue_count) = job(&request, "job")?;
        let job: JobMessage = serde_json::from_value(job)
            .map_err(|e| HandlerError::BadInput(format!("not a stepup-jobs message: {e}")))?;
        let what = match &job {
            JobMessage::Plan(p) => format!("plan of run {} for tenant {}", p.run_id, p.tenant),
            JobMessage::Source(s) => format!(
                "source {} of run {} for tenant {}",
                s.source.key(),
                s.run_id,
                s.tenant
            ),
        };
        log.info(format!(
            "scan-worker: {what} (delivery {dequeue_count}) has no runner in this build; acknowledged"
        ));
        Ok(InvocationResponse::default())
    }
}
