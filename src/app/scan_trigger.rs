//! How handlers ask for a scan (chat `scan`, a Service Health notice) without running it:
//! the request is recorded and answered at once; the heavy work happens elsewhere.

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::state::{Condition, StateKey, StateStore};

/// A scan someone asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanRequest {
    /// Who or what asked (`teams:<aadObjectId>`, `service-health:<trackingId>`).
    pub requested_by: String,
    /// Why, in a few words.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A scan request could not be recorded.
#[derive(Debug, thiserror::Error)]
#[error("cannot request a scan: {0}")]
pub struct TriggerError(pub String);

/// Queues a scan.
#[async_trait]
pub trait ScanTrigger: Send + Sync {
    /// Records the request; returns once it is durable, long before the scan runs.
    async fn request_scan(&self, request: ScanRequest) -> Result<(), TriggerError>;

    /// Asks for a scan of one tenant (a Service Health notice concerns its own tenant).
    /// Triggers that cannot aim at a tenant scan everything.
    async fn request_tenant_scan(
        &self,
        tenant: crate::ids::TenantId,
        request: ScanRequest,
    ) -> Result<(), TriggerError> {
        let _ = tenant;
        self.request_scan(request).await
    }
}

/// Writes requests to the state store under `requests/scan-<time>.json` (the embedded
/// default, before a queue is configured).
pub struct StateScanTrigger {
    store: std::sync::Arc<dyn StateStore>,
}

impl StateScanTrigger {
    /// Requests go to `store`.
    pub fn new(store: std::sync::Arc<dyn StateStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl ScanTrigger for StateScanTrigger {
    async fn request_scan(&self, request: ScanRequest) -> Result<(), TriggerError> {
        let key = StateKey::parse(&format!(
            "requests/scan-{}.json",
            request.at.format("%Y%m%dT%H%M%S%.fZ")
        ))
        .map_err(|e| TriggerError(e.to_string()))?;
        let body = serde_json::to_vec(&request).map_err(|e| TriggerError(e.to_string()))?;
        self.store
            .put(&key, Bytes::from(body), Condition::Always)
            .await
            .map_err(|e| TriggerError(e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LocalDirStore;

    #[tokio::test]
    async fn a_request_is_stored_where_a_scan_can_find_it() {
        let dir = tempfile::tempdir().unwrap();
        let store: std::sync::Arc<dyn StateStore> =
            std::sync::Arc::new(LocalDirStore::new(dir.path()));
        let trigger = StateScanTrigger::new(store.clone());
        let at = "2026-11-22T10:00:00Z".parse().unwrap();
        let request = ScanRequest {
            requested_by: "teams:someone".into(),
            reason: "chat".into(),
            at,
        };
        trigger.request_scan(request.clone()).await.unwrap();
        let keys = store.list("requests/").await.unwrap();
        assert_eq!(keys.len(), 1);
        let stored: ScanRequest = crate::state::get_json(store.as_ref(), &keys[0])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored, request);
    }
}
