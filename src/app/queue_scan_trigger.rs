//! Scan requests as plan jobs on `stepup-jobs`: one run per tenant, started by the
//! `scan-worker` that takes the plan.

use std::sync::Arc;

use async_trait::async_trait;

use super::scan_trigger::{ScanRequest, ScanTrigger, TriggerError};
use crate::ids::TenantId;
use crate::jobs::plan_scan;
use crate::queue::{send_json, MessageQueue, QueueName};

/// Queues a plan job per tenant.
pub struct QueueScanTrigger {
    queues: Arc<dyn MessageQueue>,
    tenants: Vec<TenantId>,
}

impl QueueScanTrigger {
    /// Requests go to `queues`; a scan of everything covers `tenants`.
    pub fn new(queues: Arc<dyn MessageQueue>, tenants: Vec<TenantId>) -> Self {
        Self { queues, tenants }
    }

    async fn plan(&self, tenants: &[TenantId], request: &ScanRequest) -> Result<(), TriggerError> {
        if tenants.is_empty() {
            return Err(TriggerError(
                "no tenant to scan: set STEPUP_TENANT_ID (and STEPUP_TENANTS for more)".into(),
            ));
        }
        for job in plan_scan(tenants, &request.reason, &request.requested_by, request.at) {
            send_json(self.queues.as_ref(), &QueueName::jobs(), &job)
                .await
                .map_err(|e| TriggerError(e.to_string()))?;
        }
        Ok(())
    }
}

#[async_trait]
impl ScanTrigger for QueueScanTrigger {
    async fn request_scan(&self, request: ScanRequest) -> Result<(), TriggerError> {
        self.plan(&self.tenants, &request).await
    }

    async fn request_tenant_scan(
        &self,
        tenant: TenantId,
        request: ScanRequest,
    ) -> Result<(), TriggerError> {
        self.plan(&[tenant], &request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::JobMessage;
    use crate::queue::StateQueues;
    use crate::state::{get_json, LocalDirStore, StateStore};

    #[tokio::test]
    async fn a_request_becomes_one_plan_per_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(dir.path()));
        let a = TenantId::parse("00000000-0000-0000-0000-00000000000a").unwrap();
        let b = TenantId::parse("00000000-0000-0000-0000-00000000000b").unwrap();
        let trigger = QueueScanTrigger::new(Arc::new(StateQueues::new(store.clone())), vec![a, b]);
        let request = ScanRequest {
            requested_by: "teams:someone".into(),
            reason: "chat scan".into(),
            at: "2026-11-22T10:00:00Z".parse().unwrap(),
        };
        trigger.request_scan(request.clone()).await.unwrap();
        trigger.request_tenant_scan(b, request).await.unwrap();
        let keys = store
            .list(&StateQueues::prefix(&QueueName::jobs()))
            .await
            .unwrap();
        let mut tenants = Vec::new();
        for key in keys {
            match get_json::<JobMessage>(store.as_ref(), &key)
                .await
                .unwrap()
                .unwrap()
            {
                JobMessage::Plan(p) => {
                    assert_eq!(p.requested_by, "teams:someone");
                    tenants.push(p.tenant);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(tenants, vec![a, b, b]);
        let none = QueueScanTrigger::new(Arc::new(StateQueues::new(store)), vec![]);
        let err = none
            .request_scan(ScanRequest {
                requested_by: "x".into(),
                reason: "y".into(),
                at: "2026-11-22T10:00:00Z".parse().unwrap(),
            })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("STEPUP_TENANT_ID"), "{err}");
    }
}
