//! JSON values in a [`StateStore`]: read, and read-modify-write with optimistic concurrency
//! (re-read and re-apply when someone else wrote in between).

use std::time::Duration;

use bytes::Bytes;
use rand::Rng;
use serde::{de::DeserializeOwned, Serialize};

use super::{Condition, StateError, StateKey, StateStore};

/// How many times [`update_json`] tries before giving up with [`StateError::Conflict`].
pub const MAX_UPDATE_ATTEMPTS: u32 = 10;

/// Reads a JSON value; `None` when the key is absent.
pub async fn get_json<T: DeserializeOwned>(
    store: &dyn StateStore,
    key: &StateKey,
) -> Result<Option<T>, StateError> {
    match store.get(key).await? {
        None => Ok(None),
        Some(found) => decode(key, &found.body).map(Some),
    }
}

/// Writes `value` as compact JSON at `key` when `condition` holds; the store's answer (the
/// new ETag, or [`StateError::Conflict`] when the condition failed) is returned as is.
pub async fn put_json<T: Serialize + ?Sized>(
    store: &dyn StateStore,
    key: &StateKey,
    value: &T,
    condition: Condition,
) -> Result<super::ETag, StateError> {
    let body = serde_json::to_vec(value).map_err(|e| StateError::Failed {
        key: key.to_string(),
        message: format!("encoding JSON: {e}"),
    })?;
    store.put(key, Bytes::from(body), condition).await
}

/// Reads the value at `key` (`None` when absent), applies `f`, and writes the result only if
/// nobody wrote in between (`If-Match` the version read, or `If-None-Match: *`). On a
/// conflict it sleeps a little (jittered, growing) and starts again from a fresh read, at most
/// [`MAX_UPDATE_ATTEMPTS`] times. `f` may therefore run more than once; an error from `f`
/// stops the update and is returned as [`StateError::Failed`]. Returns the value written.
pub async fn update_json<T, F>(
    store: &dyn StateStore,
    key: &StateKey,
    f: F,
) -> Result<T, StateError>
where
    T: Serialize + DeserializeOwned,
    F: FnMut(Option<T>) -> anyhow::Result<T>,
{
    update(store, key, f, false).await
}

/// [`update_json`], except that a value `f` leaves as it was stored is not written again:
/// the update then counts as done at the read. Many concurrent updates that mostly change
/// nothing (retried deliveries of one alert) no longer conflict with each other.
pub async fn update_json_if_changed<T, F>(
    store: &dyn StateStore,
    key: &StateKey,
    f: F,
) -> Result<T, StateError>
where
    T: Serialize + DeserializeOwned,
    F: FnMut(Option<T>) -> anyhow::Result<T>,
{
    update(store, key, f, true).await
}

async fn update<T, F>(
    store: &dyn StateStore,
    key: &StateKey,
    mut f: F,
    skip_unchanged: bool,
) -> Result<T, StateError>
where
    T: Serialize + DeserializeOwned,
    F: FnMut(Option<T>) -> anyhow::Result<T>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let found = store.get(key).await?;
        let stored_body = found.as_ref().map(|f| f.body.clone());
        let (current, condition) = match found {
            None => (None, Condition::IfAbsent),
            Some(found) => (
                Some(decode::<T>(key, &found.body)?),
                Condition::IfMatch(found.etag),
            ),
        };
        let next = f(current).map_err(|e| StateError::Failed {
            key: key.to_string(),
            message: format!("{e:#}"),
        })?;
        let body = serde_json::to_vec_pretty(&next).map_err(|e| StateError::Failed {
            key: key.to_string(),
            message: format!("encoding JSON: {e}"),
        })?;
        if skip_unchanged && stored_body.as_deref() == Some(body.as_slice()) {
            return Ok(next);
        }
        match store.put(key, Bytes::from(body), condition).await {
            Ok(_) => return Ok(next),
            Err(StateError::Conflict { .. }) if attempt < MAX_UPDATE_ATTEMPTS => {
                tokio::time::sleep(backoff(attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A short random pause that grows with the attempt number (up to ~200 ms).
fn backoff(attempt: u32) -> Duration {
    let ceiling = 2u64.saturating_pow(attempt.min(7)) + 2;
    Duration::from_millis(rand::thread_rng().gen_range(1..=ceiling))
}

/// Parses a stored body.
fn decode<T: DeserializeOwned>(key: &StateKey, body: &[u8]) -> Result<T, StateError> {
    serde_json::from_slice(body).map_err(|e| StateError::Failed {
        key: key.to_string(),
        message: format!("stored value is not the expected JSON: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LocalDirStore;

    #[tokio::test]
    async fn update_creates_then_modifies_and_get_reads_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalDirStore::new(dir.path());
        let key = StateKey::parse("counters/a.json").expect("key");
        assert_eq!(get_json::<u32>(&store, &key).await.expect("get"), None);
        let first = update_json(&store, &key, |n: Option<u32>| Ok(n.unwrap_or(0) + 1))
            .await
            .expect("create");
        let second = update_json(&store, &key, |n: Option<u32>| Ok(n.unwrap_or(0) + 1))
            .await
            .expect("update");
        assert_eq!((first, second), (1, 2));
        assert_eq!(get_json::<u32>(&store, &key).await.expect("get"), Some(2));
    }

    #[tokio::test]
    async fn an_error_from_the_closure_writes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalDirStore::new(dir.path());
        let key = StateKey::parse("x.json").expect("key");
        let err = update_json(&store, &key, |_: Option<u32>| anyhow::bail!("no thanks"))
            .await
            .expect_err("closure failed");
        assert!(err.to_string().contains("no thanks"), "{err}");
        assert!(store.get(&key).await.expect("get").is_none());
    }

    #[tokio::test]
    async fn a_body_of_the_wrong_shape_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalDirStore::new(dir.path());
        let key = StateKey::parse("x.json").expect("key");
        store
            .put(&key, Bytes::from_static(b"{not json"), Condition::Always)
            .await
            .expect("put");
        let err = get_json::<u32>(&store, &key).await.expect_err("bad JSON");
        assert!(matches!(err, StateError::Failed { .. }), "{err}");
    }

    #[test]
    fn backoff_stays_small() {
        for attempt in 1..=MAX_UPDATE_ATTEMPTS {
            assert!(backoff(attempt) <= Duration::from_millis(130));
        }
    }
}
