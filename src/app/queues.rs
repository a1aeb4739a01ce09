//! Queue-triggered functions: scan jobs (notifications: `notify_worker`).

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use super::context::AppContext;
use crate::functions::{
    FunctionHandler, HandlerError, InvocationLog, InvocationRequest, InvocationResponse,
};
use crate::jobs::{is_last_delivery, record_dead_letter, DeadLetter, JobMessage, NotifyMessage};
use crate::queue::JOBS_QUEUE;
use crate::runs::{RunEnv, ScanRunner};

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

/// `scan-worker`: runs one `stepup-jobs` message ([`ScanRunner`]): a plan fans out its
/// source jobs on the `jobs` output, a source job reads (queueing its continuation when the
/// budget runs out), and the job that finishes a run queues its owner notices on `notify`.
pub struct ScanWorker {
    ctx: Arc<AppContext>,
    runner: ScanRunner,
}

impl ScanWorker {
    /// The worker, sharing `ctx`.
    pub fn new(ctx: Arc<AppContext>) -> Self {
        let runner = ScanRunner::new(RunEnv::from_config(&ctx.config), ctx.store.clone());
        Self { ctx, runner }
    }
}

#[async_trait]
impl FunctionHandler for ScanWorker {
    async fn invoke(
        &self,
        request: InvocationRequest,
        log: &InvocationLog,
    ) -> Result<InvocationResponse, HandlerError> {
        let (value, dequeue_count) = job(&request, "job")?;
        let job: JobMessage = serde_json::from_value(value)
            .map_err(|e| HandlerError::BadInput(format!("not a stepup-jobs message: {e}")))?;
        let now = self.ctx.now();
        let (step, given_up) = self
            .runner
            .run(&job, now, is_last_delivery(dequeue_count))
            .await;
        // A source job's last delivery failed: it is recorded as failed in its run; the
        // message is recorded for the digest here, since the invocation succeeds.
        if let Some(why) = given_up {
            let queued = request.queue("job").ok();
            let letter = DeadLetter::new(
                JOBS_QUEUE,
                queued
                    .as_ref()
                    .and_then(|q| q.metadata.id.as_deref())
                    .unwrap_or("unknown"),
                dequeue_count,
                &why,
                queued.as_ref().map_or("", |q| q.text.as_str()),
                now,
            );
            if let Err(store) = record_dead_letter(self.ctx.store.as_ref(), &letter).await {
                log.error(format!(
                    "scan-worker: recording a dead letter failed: {store}"
                ));
            }
        }
        let step = step.map_err(|e| HandlerError::Failed(anyhow::Error::new(e)))?;
        for line in &step.log {
            log.info(format!("scan-worker: {line}"));
        }
        let mut response = InvocationResponse::default();
        response
            .push_queue_messages("jobs", &step.jobs)
            .map_err(|e| HandlerError::Failed(anyhow::anyhow!("encoding the jobs: {e}")))?;
        response
            .push_queue_messages(
                "notify",
                step.notices
                    .into_iter()
                    .map(NotifyMessage::OwnerNotice)
                    .chain(step.broadcasts.into_iter().map(NotifyMessage::Broadcast)),
            )
            .map_err(|e| HandlerError::Failed(anyhow::anyhow!("encoding the notices: {e}")))?;
        Ok(response)
    }
}
