//! Checkpoints: what a source job read before its budget ran out, kept in state under
//! `runs/<runId>/checkpoints/<job>.json` until its continuation reads on. A checkpoint is
//! written whole (every leg's link and records together), so a continuation that is run
//! twice, or a leg that dies after writing one, always resumes from a consistent point.

use serde::{Deserialize, Serialize};

use super::legs::Leg;
use crate::jobs::RunId;
use crate::lifecycle::StoreError;
use crate::state::{get_json, put_json, Condition, StateKey, StateStore};

/// A source job's progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    /// The run.
    pub run_id: RunId,
    /// The job's ledger key.
    pub job: String,
    /// The legs, as far as they got.
    pub legs: Vec<Leg>,
}

/// The state key of a job's checkpoint.
pub fn checkpoint_key(run_id: &RunId, job: &str) -> Result<StateKey, StoreError> {
    Ok(StateKey::parse(&format!(
        "runs/{run_id}/checkpoints/{job}.json"
    ))?)
}

impl Checkpoint {
    /// Stores it, returning its key.
    pub async fn save(&self, store: &dyn StateStore) -> Result<StateKey, StoreError> {
        let key = checkpoint_key(&self.run_id, &self.job)?;
        put_json(store, &key, self, Condition::Always).await?;
        Ok(key)
    }

    /// The checkpoint stored under `key`, if any.
    pub async fn load(store: &dyn StateStore, key: &StateKey) -> Result<Option<Self>, StoreError> {
        Ok(get_json(store, key).await?)
    }
}
