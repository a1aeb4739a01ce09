//! Source results: what a source job read, merged into one partial aggregate, kept in state
//! under `runs/<runId>/results/<job>.json` until the run is reconciled.

use serde::{Deserialize, Serialize};

use crate::detect::aggregate::Partial;
use crate::jobs::RunId;
use crate::lifecycle::StoreError;
use crate::state::{get_json, put_json, Condition, StateKey, StateStore};

/// The ledger key of the subscription listing the plan job reads itself (its result holds
/// the subscriptions' tags, which name owners).
pub const SUBSCRIPTIONS_JOB: &str = "subscriptions";

/// What one source job read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceResult {
    /// Everything read (kept incremental days included), as one partial aggregate.
    pub partial: Partial,
    /// Malformed records, one line each.
    #[serde(default)]
    pub problems: Vec<String>,
    /// Pages read.
    #[serde(default)]
    pub pages: u64,
    /// Records used.
    #[serde(default)]
    pub records: u64,
    /// Records the client-side check refused.
    #[serde(default)]
    pub refused: u64,
    /// Event sources read in full (no usable incremental state).
    #[serde(default)]
    pub full_reads: Vec<String>,
    /// Event sources read incrementally.
    #[serde(default)]
    pub incremental_reads: Vec<String>,
}

/// The state key of a job's result.
pub fn result_key(run_id: &RunId, job: &str) -> Result<StateKey, StoreError> {
    Ok(StateKey::parse(&format!(
        "runs/{run_id}/results/{job}.json"
    ))?)
}

impl SourceResult {
    /// Stores it for `job` of `run_id`.
    pub async fn save(
        &self,
        store: &dyn StateStore,
        run_id: &RunId,
        job: &str,
    ) -> Result<(), StoreError> {
        put_json(store, &result_key(run_id, job)?, self, Condition::Always).await?;
        Ok(())
    }

    /// The stored result of `job` of `run_id`, if any.
    pub async fn load(
        store: &dyn StateStore,
        run_id: &RunId,
        job: &str,
    ) -> Result<Option<Self>, StoreError> {
        Ok(get_json(store, &result_key(run_id, job)?).await?)
    }
}
