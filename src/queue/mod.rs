//! Storage queues: where work that must not run inside an HTTP request goes (DESIGN.md §5).
//!
//! - [`MessageQueue`]: puts one message on a named queue.
//! - [`StorageQueues`]: Azure Queue Storage through the official `azure_storage_queue`
//!   crate, with an Entra token credential (the managed identity in Azure); Azurite in tests.
//! - [`StateQueues`]: the embedded default without a queue endpoint: messages are written to
//!   the state store under `queued/<queue>/`, where nothing consumes them automatically.
//!
//! Messages are JSON objects stored as their plain JSON text: `host.json` sets
//! `extensions.queues.messageEncoding` to `none`, so the queue trigger hands the stored text
//! to the worker unchanged (see [`send_json`]).

mod config;
mod name;
mod state_queue;
mod storage;

use async_trait::async_trait;
use serde::Serialize;

pub use config::{parse_queue_url, QUEUE_URL_VAR};
pub use name::{QueueName, JOBS_QUEUE, NOTIFY_QUEUE};
pub use state_queue::StateQueues;
pub use storage::StorageQueues;

/// The largest message text Queue Storage takes (64 KiB).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// A message could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The message is not a JSON object (the Functions host would mangle it, and the
    /// workers refuse it).
    #[error("queue {queue}: a message must be a JSON object")]
    NotAnObject {
        /// The queue.
        queue: String,
    },
    /// The message is too large for Queue Storage.
    #[error(
        "queue {queue}: a message of {bytes} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit"
    )]
    TooLarge {
        /// The queue.
        queue: String,
        /// The message size.
        bytes: usize,
    },
    /// The service refused our identity.
    #[error("queue {queue}: access denied: {message}")]
    Denied {
        /// The queue.
        queue: String,
        /// Why, without secrets.
        message: String,
    },
    /// Anything else: network, service, encoding.
    #[error("queue {queue}: {message}")]
    Failed {
        /// The queue.
        queue: String,
        /// What happened, without secrets.
        message: String,
    },
}

/// Puts messages on named queues.
#[async_trait]
pub trait MessageQueue: Send + Sync {
    /// Enqueues `text` (already checked JSON object text) on `queue`; returns once the
    /// service has stored it.
    async fn send(&self, queue: &QueueName, text: String) -> Result<(), QueueError>;
}

/// Serialises `message` and enqueues its JSON text. Refuses anything but a JSON object, and
/// texts over [`MAX_MESSAGE_BYTES`].
pub async fn send_json<T: Serialize + ?Sized>(
    queues: &dyn MessageQueue,
    queue: &QueueName,
    message: &T,
) -> Result<(), QueueError> {
    let text = serde_json::to_string(message).map_err(|e| QueueError::Failed {
        queue: queue.to_string(),
        message: format!("encoding the message: {e}"),
    })?;
    // Compact JSON text of an object is the only kind that starts with `{`.
    if !text.starts_with('{') {
        return Err(QueueError::NotAnObject {
            queue: queue.to_string(),
        });
    }
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(QueueError::TooLarge {
            queue: queue.to_string(),
            bytes: text.len(),
        });
    }
    queues.send(queue, text).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<(String, String)>>);

    #[async_trait]
    impl MessageQueue for Recorder {
        async fn send(&self, queue: &QueueName, text: String) -> Result<(), QueueError> {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((queue.to_string(), text));
            Ok(())
        }
    }

    #[tokio::test]
    async fn only_json_objects_within_the_limit_are_sent() {
        let recorder = Recorder::default();
        let jobs = QueueName::jobs();
        send_json(
            &recorder,
            &jobs,
            &serde_json::json!({"kind": "plan", "x": "\"q\""}),
        )
        .await
        .unwrap();
        assert!(matches!(
            send_json(&recorder, &jobs, "aGVsbG8=").await,
            Err(QueueError::NotAnObject { .. })
        ));
        assert!(matches!(
            send_json(&recorder, &jobs, &[1, 2]).await,
            Err(QueueError::NotAnObject { .. })
        ));
        let big = serde_json::json!({ "pad": "x".repeat(MAX_MESSAGE_BYTES) });
        assert!(matches!(
            send_json(&recorder, &jobs, &big).await,
            Err(QueueError::TooLarge { .. })
        ));
        let sent = recorder.0.lock().unwrap().clone();
        assert_eq!(
            sent,
            vec![(
                "stepup-jobs".to_string(),
                r#"{"kind":"plan","x":"\"q\""}"#.to_string()
            )]
        );
    }
}
