//! The per-tenant limiter of Graph's identity reports (sign-ins, registration details):
//! at most `STEPUP_GRAPH_REPORT_RATE` requests (Graph documents 5 per 10 s per app per
//! tenant), evenly spaced, so that no window of that length ever holds more than the budget
//! even when the service counts requests in a sliding window. Requests are spaced a little
//! wider than the exact quotient, for the latency that can bunch requests up on arrival.
//! A throttled answer holds the tenant back until its `Retry-After` has passed.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota};

use crate::ids::TenantId;
use crate::sources::settings::Rate;

/// Spacing margin over `window / requests` (1 %).
const MARGIN_DIVISOR: u32 = 100;

/// Request pacing per tenant.
#[derive(Debug)]
pub struct ReportLimiter {
    rate: Rate,
    spacing: Duration,
    limiter: DefaultKeyedRateLimiter<TenantId>,
    holds: Mutex<HashMap<TenantId, Instant>>,
}

impl ReportLimiter {
    /// A limiter for `rate` per tenant.
    pub fn new(rate: Rate) -> Self {
        let base = rate.spacing();
        let spacing = base + base / MARGIN_DIVISOR;
        // `with_period` is `None` only for a zero period, which `Rate` rules out; a
        // nanosecond is the harmless fallback.
        let quota = Quota::with_period(spacing)
            .or_else(|| Quota::with_period(Duration::from_nanos(1)))
            .map(|q| q.allow_burst(NonZeroU32::MIN));
        let limiter = match quota {
            Some(q) => DefaultKeyedRateLimiter::keyed(q),
            None => DefaultKeyedRateLimiter::keyed(Quota::per_second(NonZeroU32::MAX)),
        };
        Self {
            rate,
            spacing,
            limiter,
            holds: Mutex::new(HashMap::new()),
        }
    }

    /// The configured rate.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// The spacing between two requests of one tenant.
    pub fn spacing(&self) -> Duration {
        self.spacing
    }

    /// Waits until `tenant` may send one more report request.
    pub async fn acquire(&self, tenant: &TenantId) {
        loop {
            let hold = self.hold_of(tenant);
            match hold {
                Some(until) if until > Instant::now() => {
                    tokio::time::sleep_until(until.into()).await;
                }
                _ => break,
            }
        }
        self.limiter.until_key_ready(tenant).await;
    }

    /// Holds `tenant` back until `until` (a throttled answer's `Retry-After`).
    pub fn hold(&self, tenant: &TenantId, until: Instant) {
        if let Ok(mut holds) = self.holds.lock() {
            let slot = holds.entry(*tenant).or_insert(until);
            *slot = (*slot).max(until);
        }
    }

    fn hold_of(&self, tenant: &TenantId) -> Option<Instant> {
        self.holds.lock().ok()?.get(tenant).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(n: u8) -> TenantId {
        TenantId::parse(&format!("00000000-0000-0000-0000-0000000000{n:02}")).unwrap()
    }

    /// Sends `n` acquisitions for one tenant and returns their offsets from the start.
    async fn offsets(l: &ReportLimiter, t: &TenantId, n: usize) -> Vec<Duration> {
        let start = Instant::now();
        let mut out = Vec::new();
        for _ in 0..n {
            l.acquire(t).await;
            out.push(start.elapsed());
        }
        out
    }

    #[tokio::test]
    async fn never_more_than_the_budget_in_any_window() {
        // 5 per 100 ms: any 100 ms window holds at most 5 acquisitions.
        let rate = Rate::parse("5/100ms").unwrap();
        let l = ReportLimiter::new(rate);
        assert!(l.spacing() >= Duration::from_millis(20));
        let at = offsets(&l, &tenant(1), 12).await;
        for (i, a) in at.iter().enumerate() {
            let in_window = at[i..]
                .iter()
                .take_while(|b| **b - *a < rate.window)
                .count();
            assert!(in_window <= 5, "{in_window} within one window: {at:?}");
        }
    }

    #[tokio::test]
    async fn tenants_have_their_own_budget() {
        let l = ReportLimiter::new(Rate::parse("1/10s").unwrap());
        let start = Instant::now();
        l.acquire(&tenant(1)).await;
        l.acquire(&tenant(2)).await;
        l.acquire(&tenant(3)).await;
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "three tenants' first requests need no wait"
        );
    }

    #[tokio::test]
    async fn a_hold_delays_the_tenant_only() {
        let l = ReportLimiter::new(Rate::parse("1000/1s").unwrap());
        let held = tenant(1);
        let until = Instant::now() + Duration::from_secs(2);
        l.hold(&held, until);
        l.acquire(&tenant(2)).await;
        assert!(Instant::now() < until, "another tenant is not held");
        l.acquire(&held).await;
        assert!(
            Instant::now() >= until,
            "the held tenant waits out its hold"
        );
    }
}
