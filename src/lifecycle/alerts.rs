//! Processed alert ids (Service Health notices and the like), so an alert delivered twice
//! is handled once: `alerts/<tenantId>/<id>.json`.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::TenantId;
use crate::state::{Condition, StateError, StateKey, StateStore};

use crate::state::get_json;

use super::error::StoreError;

/// The record of one processed alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessedAlert {
    /// The alert's id as the source gave it.
    pub id: String,
    /// When stepup handled it.
    pub processed_at: DateTime<Utc>,
}

/// The state key of an alert id. Ids may hold any character, so everything but ASCII
/// letters, digits, `.` and `-` is written as `_XX` (hex of each UTF-8 byte): reversible,
/// and safe as a file and blob name.
pub fn alert_key(tenant: &TenantId, id: &str) -> Result<StateKey, crate::state::KeyError> {
    let mut safe = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || (b == b'.' && !safe.is_empty()) {
            safe.push(char::from(b));
        } else {
            safe.push_str(&format!("_{b:02X}"));
        }
    }
    super::record::key(format!("alerts/{tenant}/{safe}.json"))
}

/// Marks an alert processed; `Ok(true)` the first time, `Ok(false)` when it already was
/// (another delivery or a concurrent worker got there first).
pub async fn mark_processed(
    store: &dyn StateStore,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let key = alert_key(tenant, id)?;
    let record = ProcessedAlert {
        id: id.to_string(),
        processed_at: now,
    };
    let body = serde_json::to_vec(&record).map_err(|e| StateError::Failed {
        key: key.to_string(),
        message: format!("encoding JSON: {e}"),
    })?;
    match store
        .put(&key, Bytes::from(body), Condition::IfAbsent)
        .await
    {
        Ok(_) => Ok(true),
        Err(StateError::Conflict { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// When an alert was processed, if it was.
pub async fn processed(
    store: &dyn StateStore,
    tenant: &TenantId,
    id: &str,
) -> Result<Option<ProcessedAlert>, StoreError> {
    Ok(get_json(store, &alert_key(tenant, id)?).await?)
}
