//! The embedded default without a queue endpoint: each message is written to the state
//! store as `queued/<queue>/<time>-<random>.json`, for an operator (or a test) to see.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::Utc;

use super::{MessageQueue, QueueError, QueueName};
use crate::state::{Condition, StateKey, StateStore};

/// Messages kept in state instead of a queue.
pub struct StateQueues {
    store: Arc<dyn StateStore>,
}

impl StateQueues {
    /// Messages go to `store`.
    pub fn new(store: Arc<dyn StateStore>) -> Self {
        Self { store }
    }

    /// The prefix under which a queue's messages are kept.
    pub fn prefix(queue: &QueueName) -> String {
        format!("queued/{queue}/")
    }
}

#[async_trait]
impl MessageQueue for StateQueues {
    async fn send(&self, queue: &QueueName, text: String) -> Result<(), QueueError> {
        let failed = |message: String| QueueError::Failed {
            queue: queue.to_string(),
            message,
        };
        let key = StateKey::parse(&format!(
            "{}{}-{:08x}.json",
            Self::prefix(queue),
            Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
            rand::random::<u32>()
        ))
        .map_err(|e| failed(e.to_string()))?;
        self.store
            .put(&key, Bytes::from(text), Condition::IfAbsent)
            .await
            .map_err(|e| failed(e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LocalDirStore;

    #[tokio::test]
    async fn messages_land_in_state_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(dir.path()));
        let queues = StateQueues::new(store.clone());
        let notify = QueueName::notify();
        for i in 0..3 {
            super::super::send_json(&queues, &notify, &serde_json::json!({ "n": i }))
                .await
                .unwrap();
        }
        let keys = store.list(&StateQueues::prefix(&notify)).await.unwrap();
        assert_eq!(keys.len(), 3);
        let mut seen = Vec::new();
        for key in keys {
            let body = store.get(&key).await.unwrap().unwrap().body;
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            seen.push(v["n"].as_i64().unwrap());
        }
        assert_eq!(seen, vec![0, 1, 2]);
    }
}
