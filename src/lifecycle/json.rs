//! JSON values in a [`StateStore`]: read, and read-modify-write with ETag concurrency.
//!
//! This is the lifecycle's own copy of the `update_json` loop (re-read and re-apply on a
//! conflict); it can give way to `crate::state::json::update_json` once that exists.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::state::{Condition, StateError, StateKey, StateStore};

/// How often a read-modify-write is retried after conflicts before giving up.
pub const MAX_ATTEMPTS: u32 = 8;

/// A JSON state failure.
#[derive(Debug, thiserror::Error)]
pub enum JsonStateError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StateError),
    /// A stored value is not the JSON expected.
    #[error("{key}: stored value is not valid: {message}")]
    Corrupt {
        /// The key.
        key: String,
        /// The parse error.
        message: String,
    },
    /// A key could not be formed from its parts.
    #[error(transparent)]
    Key(#[from] crate::state::KeyError),
    /// Others kept changing the key.
    #[error("{key}: still conflicting after {MAX_ATTEMPTS} attempts")]
    Contended {
        /// The key.
        key: String,
    },
}

/// Reads a JSON value; `None` when the key is absent.
pub async fn load_json<T: DeserializeOwned>(
    store: &dyn StateStore,
    key: &StateKey,
) -> Result<Option<T>, JsonStateError> {
    match store.get(key).await? {
        None => Ok(None),
        Some(v) => parse(key, &v.body).map(Some),
    }
}

/// Reads `key`, lets `f` decide the new value from the current one (`None` when absent),
/// and writes it only if nobody changed it meanwhile; on a conflict re-reads and calls `f`
/// again. `f` returning `None` leaves the key as it is. Returns what was written (or kept).
pub async fn update_json<T, F>(
    store: &dyn StateStore,
    key: &StateKey,
    mut f: F,
) -> Result<Option<T>, JsonStateError>
where
    T: Serialize + DeserializeOwned,
    F: FnMut(Option<T>) -> Option<T>,
{
    for _ in 0..MAX_ATTEMPTS {
        let current = store.get(key).await?;
        let (value, condition) = match current {
            None => (None, Condition::IfAbsent),
            Some(v) => (Some(parse::<T>(key, &v.body)?), Condition::IfMatch(v.etag)),
        };
        let Some(next) = f(value) else {
            return Ok(None);
        };
        let body = serde_json::to_vec_pretty(&next).map_err(|e| JsonStateError::Corrupt {
            key: key.to_string(),
            message: e.to_string(),
        })?;
        match store.put(key, Bytes::from(body), condition).await {
            Ok(_) => return Ok(Some(next)),
            Err(StateError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(JsonStateError::Contended {
        key: key.to_string(),
    })
}

fn parse<T: DeserializeOwned>(key: &StateKey, body: &[u8]) -> Result<T, JsonStateError> {
    serde_json::from_slice(body).map_err(|e| JsonStateError::Corrupt {
        key: key.to_string(),
        message: e.to_string(),
    })
}
