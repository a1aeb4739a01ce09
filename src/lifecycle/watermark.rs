//! Incremental-read watermarks per tenant and source: `watermarks/<tenantId>/<source>.json`.
//! Live sources use them to pull only what is new; a watermark only moves forward.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::TenantId;
use crate::state::{StateKey, StateStore};

use crate::state::{get_json, update_json};

use super::error::StoreError;

/// How far a source has been read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Watermark {
    /// Everything up to this time has been read.
    pub through: DateTime<Utc>,
    /// When the watermark was written.
    pub updated_at: DateTime<Utc>,
    /// An opaque continuation (a `nextLink`), when a read was checkpointed mid-way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The state key of a source's watermark. `source` is a short name such as `signIns` or
/// `activityLog-<subscriptionId>` (letters, digits, `.`, `_`, `-`).
pub fn watermark_key(tenant: &TenantId, source: &str) -> Result<StateKey, crate::state::KeyError> {
    super::record::key(format!("watermarks/{tenant}/{source}.json"))
}

/// Reads a source's watermark.
pub async fn get_watermark(
    store: &dyn StateStore,
    tenant: &TenantId,
    source: &str,
) -> Result<Option<Watermark>, StoreError> {
    Ok(get_json(store, &watermark_key(tenant, source)?).await?)
}

/// Writes a source's watermark unless the stored one is already further; returns the
/// watermark in force afterwards.
pub async fn put_watermark(
    store: &dyn StateStore,
    tenant: &TenantId,
    source: &str,
    mark: Watermark,
) -> Result<Watermark, StoreError> {
    let key = watermark_key(tenant, source)?;
    let kept = update_json::<Watermark, _>(store, &key, |old| {
        Ok(match old {
            Some(old) if old.through > mark.through => old,
            _ => mark.clone(),
        })
    })
    .await?;
    Ok(kept)
}
