//! The Functions host's queue side, on Azurite's queue service:
//! - queue output bindings: each message an invocation returns under a `queue` output
//!   binding is put on that binding's queue, as the stored text (`messageEncoding: none`);
//! - queue triggers: a pump receives a message from a function's trigger queue and invokes
//!   the function in the host's wire form with the message's real metadata (`Id`,
//!   `DequeueCount`, `InsertionTime`, `ExpirationTime`, `NextVisibleTime`, `PopReceipt`).
//!   On success the outputs are enqueued and the message deleted; on failure it is released
//!   for redelivery (its `DequeueCount` grows), and once it has failed `maxDequeueCount`
//!   times (host.json) it is copied to `<queue>-poison` and deleted.
//!
//! The host releases a failed message for `visibilityTimeout` (30 s in host.json); the
//! pump makes it visible again at once, so tests do not wait.

use azure_core::time::OffsetDateTime;
use azure_storage_queue::models::{QueueClientReceiveMessagesOptions, QueueMessage};
use azure_storage_queue::{QueueServiceClient, QueueServiceClientOptions};
use chrono::{DateTime, Utc};

use super::app_layout::AppLayout;
use super::azurite::Azurite;
use super::emulator::HostEmulator;
use super::payloads::{queue_request_with, QueueDelivery, QueueMessageMetadata, QueueWire};
use super::replies::{queue_messages, Invocation};

/// What became of a delivered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// The function succeeded: outputs enqueued, message deleted.
    Deleted,
    /// The function failed: the message is visible again for another delivery.
    Released,
    /// The function failed its last allowed delivery: the message went to `<queue>-poison`.
    Poisoned,
}

/// One delivery the pump made.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The queue.
    pub queue: String,
    /// The function invoked.
    pub function: String,
    /// The message text.
    pub text: String,
    /// The message's `DequeueCount` on this delivery.
    pub dequeue_count: u32,
    /// The handler's answer.
    pub invocation: Invocation,
    /// What the host did with the message.
    pub disposition: Disposition,
}

/// The queue side of the emulated host.
pub struct QueueBridge {
    service: QueueServiceClient,
    max_dequeue_count: u32,
}

fn chrono_of(t: Option<OffsetDateTime>) -> DateTime<Utc> {
    t.and_then(|t| DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()))
        .unwrap_or_else(Utc::now)
}

impl QueueBridge {
    /// The bridge of `layout`'s app to `azurite`'s queue service.
    pub fn new(azurite: &Azurite, layout: &AppLayout) -> Self {
        let service = QueueServiceClient::new(
            azurite.queue_url(),
            Some(Azurite::credential()),
            Some(QueueServiceClientOptions {
                client_options: azurite.client_options(),
                ..Default::default()
            }),
        )
        .expect("queue service client");
        let max_dequeue_count = layout
            .host
            .extensions
            .queues
            .as_ref()
            .and_then(|q| q.max_dequeue_count)
            .unwrap_or(5);
        Self {
            service,
            max_dequeue_count,
        }
    }

    fn client(&self, queue: &str) -> azure_storage_queue::QueueClient {
        self.service.queue_client(queue).expect("queue client")
    }

    /// Creates a queue if it is missing.
    pub async fn ensure(&self, queue: &str) {
        if let Err(e) = self.client(queue).create(None).await {
            assert_eq!(
                e.http_status(),
                Some(azure_core::http::StatusCode::Conflict),
                "create queue {queue}: {e}"
            );
        }
    }

    /// Puts a message's text on a queue.
    pub async fn send(&self, queue: &str, text: &str) {
        self.ensure(queue).await;
        let message = QueueMessage {
            message_text: Some(text.to_string()),
        };
        self.client(queue)
            .send_message(message.try_into().expect("XML body"), None)
            .await
            .unwrap_or_else(|e| panic!("send to {queue}: {e}"));
    }

    /// The texts waiting on a queue (up to 32), without dequeuing them.
    pub async fn peek(&self, queue: &str) -> Vec<String> {
        self.ensure(queue).await;
        let options = azure_storage_queue::models::QueueClientPeekMessagesOptions {
            number_of_messages: Some(32),
            ..Default::default()
        };
        let peeked = self
            .client(queue)
            .peek_messages(Some(options))
            .await
            .unwrap_or_else(|e| panic!("peek {queue}: {e}"))
            .into_model()
            .expect("peeked messages");
        peeked
            .items
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| m.message_text)
            .collect()
    }

    /// Enqueues what a successful invocation returned under its `queue` output bindings;
    /// returns how many messages.
    pub async fn put_outputs(&self, emulator: &HostEmulator, invocation: &Invocation) -> usize {
        let result = invocation
            .result()
            .unwrap_or_else(|e| panic!("the host would fail this invocation: {e}"));
        let (_, function) = emulator
            .layout()
            .function(&invocation.function)
            .unwrap_or_else(|| panic!("no function {}", invocation.function));
        let mut sent = 0;
        for (name, value) in &result.outputs {
            let Some(binding) = function.outputs().find(|b| &b.name == name) else {
                continue; // the host ignores outputs without a binding
            };
            if !binding.is("queue") {
                continue;
            }
            let queue = binding
                .queue_name
                .clone()
                .unwrap_or_else(|| panic!("{name}: queue binding without queueName"));
            for text in queue_messages(value).unwrap_or_else(|e| panic!("{name}: {e}")) {
                self.send(&queue, &text).await;
                sent += 1;
            }
        }
        sent
    }

    /// The function a queue triggers, with its trigger binding's name.
    fn triggered_by(&self, emulator: &HostEmulator, queue: &str) -> (String, String) {
        emulator
            .layout()
            .functions
            .iter()
            .find_map(|(name, f)| {
                f.trigger()
                    .filter(|t| t.is("queueTrigger") && t.queue_name.as_deref() == Some(queue))
                    .map(|t| (name.clone(), t.name.clone()))
            })
            .unwrap_or_else(|| panic!("no function is triggered by queue {queue}"))
    }

    /// Receives one message from `queue` and delivers it; `None` when the queue is empty.
    pub async fn pump_once(&self, emulator: &HostEmulator, queue: &str) -> Option<Delivery> {
        self.ensure(queue).await;
        let client = self.client(queue);
        let options = QueueClientReceiveMessagesOptions {
            number_of_messages: Some(1),
            visibility_timeout: Some(60),
            ..Default::default()
        };
        let received = client
            .receive_messages(Some(options))
            .await
            .unwrap_or_else(|e| panic!("receive from {queue}: {e}"))
            .into_model()
            .expect("received messages");
        let message = received.items.unwrap_or_default().into_iter().next()?;
        let id = message.message_id.clone().expect("MessageId");
        let pop_receipt = message.pop_receipt.clone().expect("PopReceipt");
        let text = message.message_text.clone().unwrap_or_default();
        let dequeue_count = u32::try_from(message.dequeue_count.unwrap_or(1)).unwrap_or(u32::MAX);
        let (function, binding) = self.triggered_by(emulator, queue);
        let metadata = QueueMessageMetadata {
            id: id.clone(),
            pop_receipt: pop_receipt.clone(),
            insertion_time: chrono_of(message.insertion_time),
            expiration_time: chrono_of(message.expiration_time),
            next_visible_time: chrono_of(message.time_next_visible),
        };
        let delivery = QueueDelivery {
            function: &function,
            binding: &binding,
            message: &text,
            dequeue_count,
        };
        let body = queue_request_with(&delivery, &metadata, QueueWire::Host, Utc::now());
        let invocation = emulator.invoke_raw(&function, body.to_string()).await;
        let disposition = if invocation.result().is_ok() {
            self.put_outputs(emulator, &invocation).await;
            client
                .delete_message(&id, &pop_receipt, None)
                .await
                .unwrap_or_else(|e| panic!("delete from {queue}: {e}"));
            Disposition::Deleted
        } else if dequeue_count >= self.max_dequeue_count {
            self.send(&format!("{queue}-poison"), &text).await;
            client
                .delete_message(&id, &pop_receipt, None)
                .await
                .unwrap_or_else(|e| panic!("delete from {queue}: {e}"));
            Disposition::Poisoned
        } else {
            client
                .update_message(&id, &pop_receipt, 0, None)
                .await
                .unwrap_or_else(|e| panic!("release on {queue}: {e}"));
            Disposition::Released
        };
        Some(Delivery {
            queue: queue.to_string(),
            function,
            text,
            dequeue_count,
            invocation,
            disposition,
        })
    }

    /// Pumps `queues` in turn until all are empty or `limit` deliveries were made.
    pub async fn drain(
        &self,
        emulator: &HostEmulator,
        queues: &[&str],
        limit: usize,
    ) -> Vec<Delivery> {
        let mut deliveries = Vec::new();
        loop {
            let mut idle = true;
            for queue in queues {
                if deliveries.len() >= limit {
                    return deliveries;
                }
                if let Some(d) = self.pump_once(emulator, queue).await {
                    deliveries.push(d);
                    idle = false;
                }
            }
            if idle {
                return deliveries;
            }
        }
    }
}
