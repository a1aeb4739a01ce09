//! Azure Queue Storage through the official `azure_storage_queue` crate, with an Entra
//! token credential (the managed identity in Azure; Azurite's `--oauth basic` in tests). A
//! queue that does not exist yet is created on first use. Error messages come from the
//! service response or the credential, never from a token.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use azure_core::credentials::TokenCredential;
use azure_core::error::ErrorKind;
use azure_core::http::{ClientOptions, StatusCode, Url};
use azure_storage_queue::models::QueueMessage;
use azure_storage_queue::{QueueClient, QueueServiceClient, QueueServiceClientOptions};

use super::{MessageQueue, QueueError, QueueName};

/// Queues of one storage account.
pub struct StorageQueues {
    service: QueueServiceClient,
    /// Queues known to exist (created or used successfully).
    known: Mutex<HashSet<String>>,
}

impl StorageQueues {
    /// Queues below the account's queue endpoint (`https://<account>.queue.core.windows.net`,
    /// or Azurite's `https://127.0.0.1:<port>/devstoreaccount1`).
    pub fn new(
        account_url: &Url,
        credential: Arc<dyn TokenCredential>,
        client_options: ClientOptions,
    ) -> Result<Self, QueueError> {
        let mut url = account_url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
        }
        let service = QueueServiceClient::new(
            url,
            Some(credential),
            Some(QueueServiceClientOptions {
                client_options,
                ..Default::default()
            }),
        )
        .map_err(|e| map_error("(account)", e))?;
        Ok(Self {
            service,
            known: Mutex::new(HashSet::new()),
        })
    }

    fn client(&self, queue: &QueueName) -> Result<QueueClient, QueueError> {
        self.service
            .queue_client(queue.as_str())
            .map_err(|e| map_error(queue.as_str(), e))
    }

    /// Creates `queue` if it does not exist.
    pub async fn ensure(&self, queue: &QueueName) -> Result<(), QueueError> {
        match self.client(queue)?.create(None).await {
            Ok(_) => {}
            Err(e) if e.http_status() == Some(StatusCode::Conflict) => {}
            Err(e) => return Err(map_error(queue.as_str(), e)),
        }
        self.known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(queue.to_string());
        Ok(())
    }

    async fn put(&self, client: &QueueClient, text: &str) -> azure_core::Result<()> {
        let message = QueueMessage {
            message_text: Some(text.to_string()),
        };
        client.send_message(message.try_into()?, None).await?;
        Ok(())
    }
}

impl std::fmt::Debug for StorageQueues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageQueues")
            .field("endpoint", &self.service.url().as_str())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl MessageQueue for StorageQueues {
    async fn send(&self, queue: &QueueName, text: String) -> Result<(), QueueError> {
        let client = self.client(queue)?;
        let known = self
            .known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(queue.as_str());
        if !known {
            self.ensure(queue).await?;
        }
        match self.put(&client, &text).await {
            Ok(()) => Ok(()),
            // Deleted since we created it: create it again, once.
            Err(e) if e.http_status() == Some(StatusCode::NotFound) => {
                self.ensure(queue).await?;
                self.put(&client, &text)
                    .await
                    .map_err(|e| map_error(queue.as_str(), e))
            }
            Err(e) => Err(map_error(queue.as_str(), e)),
        }
    }
}

/// Maps an SDK error: denials, and the rest with the service's message.
fn map_error(queue: &str, e: azure_core::Error) -> QueueError {
    let queue = queue.to_string();
    match e.http_status() {
        Some(StatusCode::Unauthorized | StatusCode::Forbidden) => QueueError::Denied {
            queue,
            message: e.to_string(),
        },
        _ if matches!(e.kind(), ErrorKind::Credential) => QueueError::Denied {
            queue,
            message: format!("getting a token: {e}"),
        },
        _ => QueueError::Failed {
            queue,
            message: e.to_string(),
        },
    }
}
