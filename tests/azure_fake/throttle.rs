//! Sliding-window rate limits keyed by (app, tenant) or subscription.
//!
//! Graph documents its report limit as "N requests per window", not a token bucket, so the
//! fake keeps the instants of the accepted requests of each key and admits a request when
//! fewer than N fall in the last window. A rejected request does not count, and its
//! `Retry-After` is when the oldest accepted request leaves the window.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::options::RateLimit;

/// The answer of a limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Admitted; this many requests remain in the window.
    Admitted { remaining: u32 },
    /// Rejected; retry after this long.
    Rejected { retry_after: Duration },
}

/// Sliding windows, one per key.
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: Mutex<RateLimit>,
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limiter {
    /// A limiter with `limit` for every key.
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit: Mutex::new(limit),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Replaces the limit (the windows' history is kept).
    pub(crate) fn set_limit(&self, limit: RateLimit) {
        *self.limit.lock().unwrap_or_else(|e| e.into_inner()) = limit;
    }

    /// Admits or rejects one request of `key` now.
    pub(crate) fn admit(&self, key: &str) -> Admission {
        let limit = *self.limit.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let log = windows.entry(key.to_string()).or_default();
        while log
            .front()
            .is_some_and(|t| now.duration_since(*t) >= limit.window)
        {
            log.pop_front();
        }
        if log.len() < limit.requests as usize {
            log.push_back(now);
            return Admission::Admitted {
                remaining: limit.requests.saturating_sub(log.len() as u32),
            };
        }
        let oldest = log.front().copied().unwrap_or(now);
        Admission::Rejected {
            retry_after: limit.window.saturating_sub(now.duration_since(oldest)),
        }
    }

    /// Forgets every key's history.
    pub(crate) fn reset(&self) {
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// `Retry-After` in whole seconds (at least 1), as HTTP wants it.
pub(crate) fn retry_after_secs(d: Duration) -> u64 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1)
}
