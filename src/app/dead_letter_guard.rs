//! Wraps a queue-triggered handler so that a message failing its last delivery (the host
//! moves it to `<queue>-poison` next) is recorded in state for the digest
//! ([`crate::jobs::record_dead_letter`]): nothing is dropped silently.

use std::sync::Arc;

use async_trait::async_trait;

use super::context::AppContext;
use crate::functions::{
    FunctionHandler, HandlerError, InvocationLog, InvocationRequest, InvocationResponse,
};
use crate::jobs::{is_last_delivery, record_dead_letter, DeadLetter};

/// A queue handler whose last failed deliveries are recorded.
pub struct RecordsDeadLetters<H> {
    inner: H,
    ctx: Arc<AppContext>,
    queue: &'static str,
    binding: &'static str,
}

impl<H> RecordsDeadLetters<H> {
    /// Wraps `inner`, triggered by `queue` through its `binding`.
    pub fn new(inner: H, ctx: Arc<AppContext>, queue: &'static str, binding: &'static str) -> Self {
        Self {
            inner,
            ctx,
            queue,
            binding,
        }
    }
}

#[async_trait]
impl<H: FunctionHandler> FunctionHandler for RecordsDeadLetters<H> {
    async fn invoke(
        &self,
        request: InvocationRequest,
        log: &InvocationLog,
    ) -> Result<InvocationResponse, HandlerError> {
        let message = request.queue(self.binding).ok();
        let result = self.inner.invoke(request, log).await;
        if let (Err(e), Some(message)) = (&result, message) {
            if is_last_delivery(message.metadata.dequeue_count) {
                let letter = DeadLetter::new(
                    self.queue,
                    message.metadata.id.as_deref().unwrap_or("unknown"),
                    message.metadata.dequeue_count,
                    &e.to_string(),
                    &message.text,
                    self.ctx.now(),
                );
                match record_dead_letter(self.ctx.store.as_ref(), &letter).await {
                    Ok(()) => log.error(format!(
                        "{}: message {} failed its last delivery and goes to {}-poison; recorded for the digest",
                        self.queue, letter.message_id, self.queue
                    )),
                    Err(store) => log.error(format!(
                        "{}: message {} failed its last delivery; recording it failed too: {store}",
                        self.queue, letter.message_id
                    )),
                }
            }
        }
        result
    }
}
