//! Weekly snapshots for trends: `snapshots/<tenantId>/<ISO-week>.json`.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::detect::model::Severity;
use crate::ids::{ObjectId, TenantId};
use crate::report::model::ScanReport;
use crate::state::{StateKey, StateStore};

use crate::state::{get_json, update_json};

use super::error::StoreError;

/// Readiness of one tenant in one ISO week (the latest complete scan of the week wins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeeklySnapshot {
    /// The tenant.
    pub tenant: TenantId,
    /// The ISO week, `2026-W47`.
    pub week: String,
    /// The scan it was taken from.
    pub taken_at: DateTime<Utc>,
    /// Whether that scan was complete.
    pub complete: bool,
    /// Accounts scanned.
    pub accounts_scanned: usize,
    /// At-risk accounts per severity.
    pub by_severity: BTreeMap<Severity, usize>,
    /// The at-risk accounts, sorted.
    pub at_risk: Vec<ObjectId>,
    /// Share of scanned accounts not at risk, in percent.
    pub readiness_percent: f64,
}

/// The ISO week of a time: `2026-W47`.
pub fn iso_week(at: DateTime<Utc>) -> String {
    let w = at.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

impl WeeklySnapshot {
    /// The snapshot of a scan report.
    pub fn of(tenant: TenantId, report: &ScanReport, taken_at: DateTime<Utc>) -> Self {
        let mut at_risk: Vec<ObjectId> = report.accounts.iter().map(|a| a.user_id).collect();
        at_risk.sort();
        at_risk.dedup();
        Self {
            tenant,
            week: iso_week(taken_at),
            taken_at,
            complete: report.complete,
            accounts_scanned: report.summary.accounts_scanned,
            by_severity: report.summary.by_severity.clone(),
            at_risk,
            readiness_percent: report.readiness_percent(),
        }
    }

    /// The state key: `snapshots/<tenantId>/<ISO-week>.json`.
    pub fn key_of(tenant: &TenantId, week: &str) -> Result<StateKey, crate::state::KeyError> {
        super::record::key(format!("snapshots/{tenant}/{week}.json"))
    }

    /// Saves the snapshot: a later scan of the same week replaces an earlier one, except
    /// that an incomplete scan never replaces a complete one.
    pub async fn save(&self, store: &dyn StateStore) -> Result<(), StoreError> {
        let key = Self::key_of(&self.tenant, &self.week)?;
        update_json::<WeeklySnapshot, _>(store, &key, |old| {
            Ok(match old {
                Some(old) if old.complete && !self.complete => old,
                Some(old) if old.taken_at > self.taken_at && old.complete == self.complete => old,
                _ => self.clone(),
            })
        })
        .await?;
        Ok(())
    }

    /// Loads the snapshot of a week.
    pub async fn load(
        store: &dyn StateStore,
        tenant: &TenantId,
        week: &str,
    ) -> Result<Option<Self>, StoreError> {
        let key = Self::key_of(tenant, week)?;
        Ok(get_json(store, &key).await?)
    }
}
