//! A value derived from one stored key, rebuilt only when the key's version changes.
//!
//! Chat answers must come fast from state that is large (a 100,000-account report) and
//! changes rarely (once per scan). [`StateCache`] keeps the derived value in memory and, at
//! most once per `every`, asks the store for the key's version ([`StateStore::version`], a
//! metadata call). When the version moved, the value is rebuilt in the background while
//! requests keep getting the previous one; only the very first request waits for a build.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

use crate::state::{ETag, StateKey, StateStore, Versioned};

/// Builds the derived value from the key's stored bytes (the store is there for related
/// keys). Errors are one line.
pub type Builder<T> = Arc<
    dyn Fn(Arc<dyn StateStore>, Versioned) -> BoxFuture<'static, Result<T, String>> + Send + Sync,
>;

/// A derived value and the version of the key it was built from.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The key's version.
    pub etag: ETag,
    /// The value.
    pub value: T,
}

/// The stored value could not be read or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CacheError(pub String);

struct Inner<T> {
    value: Option<Arc<Loaded<T>>>,
    checked_at: Option<Instant>,
    rebuilding: bool,
    /// Why the last check failed, while there is no value to fall back on.
    failed: Option<CacheError>,
}

/// See the module documentation.
pub struct StateCache<T> {
    store: Arc<dyn StateStore>,
    key: StateKey,
    every: Duration,
    build: Builder<T>,
    inner: RwLock<Inner<T>>,
}

/// How often callers waiting for the first load look whether it ended.
const FIRST_LOAD_POLL: Duration = Duration::from_millis(10);

impl<T: Send + Sync + 'static> StateCache<T> {
    /// A cache of `build(key)`, checking the key's version at most once per `every`.
    pub fn new(
        store: Arc<dyn StateStore>,
        key: StateKey,
        every: Duration,
        build: Builder<T>,
    ) -> Self {
        Self {
            store,
            key,
            every,
            build,
            inner: RwLock::new(Inner {
                value: None,
                checked_at: None,
                rebuilding: false,
                failed: None,
            }),
        }
    }

    /// The current value (`None` while the key is absent). Fast when fresh; checks the
    /// version when due; rebuilds in the background when it changed; waits only when there
    /// is no value yet.
    pub async fn get(self: &Arc<Self>) -> Result<Option<Arc<Loaded<T>>>, CacheError> {
        let (current, due) = self.peek();
        match current {
            Some(value) => {
                if due {
                    self.check_in_background();
                }
                Ok(Some(value))
            }
            None if !due && !self.rebuilding() => match self.failure() {
                Some(e) => Err(e),
                None => Ok(None),
            },
            None => self.first_load().await,
        }
    }

    /// The value now, and whether a version check is due.
    fn peek(&self) -> (Option<Arc<Loaded<T>>>, bool) {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let due = !inner.rebuilding && inner.checked_at.is_none_or(|at| at.elapsed() >= self.every);
        (inner.value.clone(), due)
    }

    fn rebuilding(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .rebuilding
    }

    fn failure(&self) -> Option<CacheError> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner.failed.clone()
    }

    /// Claims the next check; false when another task has it or it is not due.
    fn claim(&self) -> bool {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let due = inner.checked_at.is_none_or(|at| at.elapsed() >= self.every);
        if inner.rebuilding || !due {
            return false;
        }
        inner.rebuilding = true;
        true
    }

    /// Ends a check: a new value (possibly none), or the error (the old value stays).
    fn finish(&self, outcome: Result<Option<Arc<Loaded<T>>>, CacheError>) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.rebuilding = false;
        inner.checked_at = Some(Instant::now());
        match outcome {
            Ok(value) => {
                inner.value = value;
                inner.failed = None;
            }
            Err(e) => inner.failed = Some(e),
        }
    }

    fn check_in_background(self: &Arc<Self>) {
        if !self.claim() {
            return;
        }
        let this = self.clone();
        let run = async move {
            let outcome = this.refresh().await;
            if let Err(e) = &outcome {
                tracing::warn!(key = %this.key, "keeping the cached value: {e}");
            }
            this.finish(outcome);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(run);
            }
            Err(_) => self.finish(Err(CacheError("no async runtime to refresh in".into()))),
        }
    }

    /// The first load: one spawned task builds (a caller that gives up waiting does not
    /// cancel it), every caller waits for it to end.
    async fn first_load(self: &Arc<Self>) -> Result<Option<Arc<Loaded<T>>>, CacheError> {
        if self.claim() {
            let this = self.clone();
            let build = tokio::spawn(async move {
                let outcome = this.refresh().await;
                this.finish(outcome);
            });
            if let Err(e) = build.await {
                self.finish(Err(CacheError(format!("loading failed: {e}"))));
            }
        }
        loop {
            {
                let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
                if !inner.rebuilding {
                    return match (&inner.value, &inner.failed) {
                        (Some(v), _) => Ok(Some(v.clone())),
                        (None, Some(e)) => Err(e.clone()),
                        (None, None) => Ok(None),
                    };
                }
            }
            tokio::time::sleep(FIRST_LOAD_POLL).await;
        }
    }

    /// Reads the version and rebuilds when it moved. `Ok(new value)`.
    async fn refresh(&self) -> Result<Option<Arc<Loaded<T>>>, CacheError> {
        let current = self.peek().0;
        let version = self
            .store
            .version(&self.key)
            .await
            .map_err(|e| CacheError(e.to_string()))?;
        match (version, current) {
            (None, _) => Ok(None),
            (Some(v), Some(cur)) if cur.etag == v => Ok(Some(cur)),
            (Some(_), _) => {
                let Some(found) = self
                    .store
                    .get(&self.key)
                    .await
                    .map_err(|e| CacheError(e.to_string()))?
                else {
                    return Ok(None);
                };
                let etag = found.etag.clone();
                let value = (self.build)(self.store.clone(), found)
                    .await
                    .map_err(|e| CacheError(format!("{}: {e}", self.key)))?;
                Ok(Some(Arc::new(Loaded { etag, value })))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Condition, LocalDirStore};
    use bytes::Bytes;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counting(builds: Arc<AtomicUsize>) -> Builder<String> {
        Arc::new(move |_store, found: Versioned| {
            builds.fetch_add(1, Ordering::SeqCst);
            Box::pin(
                async move { String::from_utf8(found.body.to_vec()).map_err(|e| e.to_string()) },
            )
        })
    }

    async fn wait_for(cache: &Arc<StateCache<String>>, want: &str) {
        for _ in 0..200 {
            if cache.get().await.unwrap().is_some_and(|v| v.value == want) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the cache never showed {want:?}");
    }

    #[tokio::test]
    async fn rebuilds_only_when_the_version_moves() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(dir.path()));
        let key = StateKey::parse("reports/x/latest.json").unwrap();
        let builds = Arc::new(AtomicUsize::new(0));
        let cache = Arc::new(StateCache::new(
            store.clone(),
            key.clone(),
            Duration::ZERO,
            counting(builds.clone()),
        ));
        assert!(cache.get().await.unwrap().is_none(), "absent key");

        store
            .put(&key, Bytes::from_static(b"one"), Condition::Always)
            .await
            .unwrap();
        assert_eq!(cache.get().await.unwrap().unwrap().value, "one");
        for _ in 0..5 {
            assert_eq!(cache.get().await.unwrap().unwrap().value, "one");
            tokio::task::yield_now().await;
        }
        wait_for(&cache, "one").await;
        assert_eq!(builds.load(Ordering::SeqCst), 1, "same version, no rebuild");

        store
            .put(&key, Bytes::from_static(b"two"), Condition::Always)
            .await
            .unwrap();
        wait_for(&cache, "two").await;
        assert_eq!(builds.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_caller_that_gives_up_does_not_cancel_the_first_load() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(dir.path()));
        let key = StateKey::parse("big.json").unwrap();
        store
            .put(&key, Bytes::from_static(b"big"), Condition::Always)
            .await
            .unwrap();
        let builds = Arc::new(AtomicUsize::new(0));
        let counter = builds.clone();
        let slow: Builder<String> = Arc::new(move |_store, found: Versioned| {
            counter.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Ok(String::from_utf8_lossy(&found.body).into_owned())
            })
        });
        let cache = Arc::new(StateCache::new(store, key, Duration::from_secs(60), slow));
        let gave_up = tokio::time::timeout(Duration::from_millis(20), cache.get()).await;
        assert!(
            gave_up.is_err(),
            "the build takes longer than the caller waits"
        );
        let waiting = tokio::time::timeout(Duration::from_millis(20), cache.get()).await;
        assert!(
            waiting.is_err(),
            "a second caller waits for the same build, not nothing"
        );
        assert_eq!(cache.get().await.unwrap().unwrap().value, "big");
        assert_eq!(
            builds.load(Ordering::SeqCst),
            1,
            "one build for all callers"
        );
    }

    #[tokio::test]
    async fn a_fresh_value_is_not_checked_again() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(dir.path()));
        let key = StateKey::parse("people/x.json").unwrap();
        store
            .put(&key, Bytes::from_static(b"one"), Condition::Always)
            .await
            .unwrap();
        let builds = Arc::new(AtomicUsize::new(0));
        let cache = Arc::new(StateCache::new(
            store.clone(),
            key.clone(),
            Duration::from_secs(3600),
            counting(builds.clone()),
        ));
        assert_eq!(cache.get().await.unwrap().unwrap().value, "one");
        store
            .put(&key, Bytes::from_static(b"two"), Condition::Always)
            .await
            .unwrap();
        assert_eq!(
            cache.get().await.unwrap().unwrap().value,
            "one",
            "within the interval"
        );
        assert_eq!(builds.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_build_is_an_error_then_the_old_value_stays() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(dir.path()));
        let key = StateKey::parse("k.json").unwrap();
        store
            .put(&key, Bytes::from_static(&[0xff]), Condition::Always)
            .await
            .unwrap();
        let cache = Arc::new(StateCache::new(
            store.clone(),
            key.clone(),
            Duration::ZERO,
            counting(Arc::new(AtomicUsize::new(0))),
        ));
        let e = cache.get().await.unwrap_err();
        assert!(e.0.starts_with("k.json: "), "{e}");
        store
            .put(&key, Bytes::from_static(b"ok"), Condition::Always)
            .await
            .unwrap();
        assert_eq!(cache.get().await.unwrap().unwrap().value, "ok");
        store
            .put(&key, Bytes::from_static(&[0xff]), Condition::Always)
            .await
            .unwrap();
        for _ in 0..20 {
            assert_eq!(cache.get().await.unwrap().unwrap().value, "ok");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
