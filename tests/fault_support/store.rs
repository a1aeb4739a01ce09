//! A [`StateStore`] wrapper that fails one chosen write: the process "killed" at that step.
//!
//! Writes are `put` and `delete`. With [`Crash::Before`] the k-th write is refused (it never
//! reaches the store); with [`Crash::After`] it reaches the store and the caller is told it
//! failed (the process died before it saw the answer). Either way the caller gets an error,
//! as a worker that died there never returns, and the queue delivers its message again.
//!
//! It can also hold the next writes of run ledgers (`runs/<runId>.json`) until a number of
//! writers have arrived ([`CrashingStore::gate_ledger`]): workers that read the ledger and
//! write it back at the same moment, so that all but one meet an ETag conflict.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use stepup::state::{Condition, ETag, StateError, StateKey, StateStore, Versioned};

/// Where the crash falls relative to the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crash {
    /// The write is lost.
    Before,
    /// The write is done, the answer is lost.
    After,
}

/// The wrapper.
pub struct CrashingStore {
    inner: Arc<dyn StateStore>,
    writes: AtomicUsize,
    conflicts: AtomicUsize,
    crash: Mutex<Option<(usize, Crash)>>,
    crashed: Mutex<Vec<String>>,
    gate: Mutex<Option<(usize, Arc<tokio::sync::Barrier>)>>,
}

/// Whether a key is a run's ledger.
fn is_ledger(key: &StateKey) -> bool {
    key.as_str().strip_prefix("runs/").is_some_and(|rest| {
        !rest.contains('/') && rest.ends_with(".json") && !rest.ends_with(".reconciled.json")
    })
}

impl CrashingStore {
    /// Wraps `inner`; no crash planned.
    pub fn new(inner: Arc<dyn StateStore>) -> Self {
        Self {
            inner,
            writes: AtomicUsize::new(0),
            conflicts: AtomicUsize::new(0),
            crash: Mutex::new(None),
            crashed: Mutex::new(Vec::new()),
            gate: Mutex::new(None),
        }
    }

    /// Crashes at the `k`-th write from now on (1-based, counted from the start).
    pub fn crash_at(&self, k: usize, how: Crash) {
        *self.crash.lock().unwrap_or_else(|e| e.into_inner()) = Some((k, how));
    }

    /// Holds the next `writers` ledger writes until all of them have arrived (at most 20 s,
    /// so a writer that never comes fails the test's assertions instead of hanging it).
    pub fn gate_ledger(&self, writers: usize) {
        *self.gate.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((writers, Arc::new(tokio::sync::Barrier::new(writers))));
    }

    async fn pass_gate(&self, key: &StateKey) {
        if !is_ledger(key) {
            return;
        }
        let barrier = {
            let mut gate = self.gate.lock().unwrap_or_else(|e| e.into_inner());
            match gate.as_mut() {
                Some((left, barrier)) if *left > 0 => {
                    *left -= 1;
                    Some(barrier.clone())
                }
                _ => None,
            }
        };
        if let Some(barrier) = barrier {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(20), barrier.wait()).await;
        }
    }

    /// Writes so far.
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }

    /// Conditional writes refused because someone else wrote first (ETag conflicts).
    pub fn conflicts(&self) -> usize {
        self.conflicts.load(Ordering::SeqCst)
    }

    /// The keys whose write crashed.
    pub fn crashed(&self) -> Vec<String> {
        self.crashed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// `Some(how)` when this write is the planned crash.
    fn tick(&self, key: &StateKey) -> Option<Crash> {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        let planned = *self.crash.lock().unwrap_or_else(|e| e.into_inner());
        match planned {
            Some((k, how)) if k == n => {
                self.crashed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(key.as_str().to_owned());
                Some(how)
            }
            _ => None,
        }
    }
}

fn killed(key: &StateKey) -> StateError {
    StateError::Failed {
        key: key.as_str().to_owned(),
        message: "the worker was killed here (injected)".into(),
    }
}

#[async_trait]
impl StateStore for CrashingStore {
    async fn get(&self, key: &StateKey) -> Result<Option<Versioned>, StateError> {
        self.inner.get(key).await
    }

    async fn put(
        &self,
        key: &StateKey,
        body: Bytes,
        condition: Condition,
    ) -> Result<ETag, StateError> {
        match self.tick(key) {
            Some(Crash::Before) => Err(killed(key)),
            Some(Crash::After) => {
                self.inner.put(key, body, condition).await?;
                Err(killed(key))
            }
            None => {
                self.pass_gate(key).await;
                let put = self.inner.put(key, body, condition).await;
                if matches!(put, Err(StateError::Conflict { .. })) {
                    self.conflicts.fetch_add(1, Ordering::SeqCst);
                }
                put
            }
        }
    }

    async fn delete(&self, key: &StateKey, condition: Condition) -> Result<(), StateError> {
        match self.tick(key) {
            Some(Crash::Before) => Err(killed(key)),
            Some(Crash::After) => {
                self.inner.delete(key, condition).await?;
                Err(killed(key))
            }
            None => self.inner.delete(key, condition).await,
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<StateKey>, StateError> {
        self.inner.list(prefix).await
    }

    async fn version(&self, key: &StateKey) -> Result<Option<ETag>, StateError> {
        self.inner.version(key).await
    }
}
