//! The latest scan report per tenant, kept in state for chat answers and the digest:
//! `reports/<tenantId>/latest.json` (the report before it: `previous.json`).

use crate::ids::TenantId;
use crate::report::model::ScanReport;
use crate::state::{get_json, Condition, StateKey, StateStore};

use super::error::StoreError;

/// Which stored report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportSlot {
    /// The last scan's.
    Latest,
    /// The one before it.
    Previous,
}

/// The state key of a tenant's stored report.
pub fn report_key(tenant: &TenantId, slot: ReportSlot) -> StateKey {
    let name = match slot {
        ReportSlot::Latest => "latest",
        ReportSlot::Previous => "previous",
    };
    super::record::key(format!("reports/{tenant}/{name}.json"))
        .expect("a tenant id and a fixed name always form a valid key")
}

/// Stores `report` as the tenant's latest, keeping the one it replaces as previous.
pub async fn save_report(
    store: &dyn StateStore,
    tenant: &TenantId,
    report: &ScanReport,
) -> Result<(), StoreError> {
    let latest = report_key(tenant, ReportSlot::Latest);
    if let Some(old) = store.get(&latest).await? {
        store
            .put(
                &report_key(tenant, ReportSlot::Previous),
                old.body,
                Condition::Always,
            )
            .await?;
    }
    crate::state::put_json(store, &latest, report, Condition::Always).await?;
    Ok(())
}

/// Reads a tenant's stored report; `None` before the first scan.
pub async fn load_report(
    store: &dyn StateStore,
    tenant: &TenantId,
    slot: ReportSlot,
) -> Result<Option<ScanReport>, StoreError> {
    Ok(get_json(store, &report_key(tenant, slot)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LocalDirStore;

    fn report(at_risk: usize) -> ScanReport {
        let mut r: ScanReport = serde_json::from_value(serde_json::json!({
            "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "generatedAt": "2026-11-22T06:00:00Z", "complete": true,
            "enforcement": {"phase": "phase2", "date": "2025-10-01", "enforced": true, "daysLeft": 0, "daysSince": 417, "postponable": false},
            "summary": {"accountsScanned": 10, "atRisk": 0,
                        "bySeverity": {"critical": 0, "high": 0, "medium": 0, "low": 0}},
            "accounts": []
        }))
        .unwrap();
        r.summary.at_risk = at_risk;
        r
    }

    #[tokio::test]
    async fn latest_replaces_and_previous_keeps_the_one_before() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalDirStore::new(dir.path());
        let tenant = TenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap();
        assert!(load_report(&store, &tenant, ReportSlot::Latest)
            .await
            .unwrap()
            .is_none());
        save_report(&store, &tenant, &report(3)).await.unwrap();
        save_report(&store, &tenant, &report(5)).await.unwrap();
        let latest = load_report(&store, &tenant, ReportSlot::Latest)
            .await
            .unwrap();
        let previous = load_report(&store, &tenant, ReportSlot::Previous)
            .await
            .unwrap();
        assert_eq!(latest.unwrap().summary.at_risk, 5);
        assert_eq!(previous.unwrap().summary.at_risk, 3);
    }
}
