//! Injected faults: latency, 5xx, held responses, truncated bodies and permanently broken
//! pages, chosen by seeded randomness or counters so that runs repeat.

use std::sync::Mutex;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::counters::Endpoint;

/// How a truncated body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TruncateMode {
    /// The first half of the body, framed as a complete response (`Content-Length` of the
    /// half, then `Connection: close`): the client reads invalid JSON.
    Clean,
    /// The full `Content-Length` is announced, half the body is sent, then the connection is
    /// closed: the client's body read fails.
    Abort,
}

/// What a fault does to the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultAction {
    /// Answer this status (a 5xx, usually) with the service's error shape; `Some(s)` adds
    /// `Retry-After: s`.
    Status(u16, Option<u64>),
    /// Hold the response this long before answering normally (longer than the client's
    /// timeout: a timeout).
    Hold(Duration),
    /// Send a truncated body.
    Truncate(TruncateMode),
}

/// When a fault fires (among the requests its endpoints and subscription match).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// Every matching request.
    Always,
    /// Each matching request with this probability (seeded: runs repeat).
    Probability(f64),
    /// Every n-th matching request (the n-th, 2n-th, …).
    EveryNth(u64),
    /// The next n matching requests, then never again.
    Next(u64),
    /// Every request for page n (1-based) of a paged listing: a permanently broken page.
    Page(u32),
}

/// One fault: what, where and when.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// What it does.
    pub action: FaultAction,
    /// Endpoints it applies to (empty: every endpoint).
    pub endpoints: Vec<Endpoint>,
    /// Only requests for this subscription (ARM), if set.
    pub subscription: Option<String>,
    /// When it fires.
    pub trigger: Trigger,
}

impl FaultRule {
    /// A rule answering `status` (always, on every endpoint, until narrowed).
    pub fn status(status: u16) -> Self {
        Self::new(FaultAction::Status(status, None))
    }

    /// A rule holding responses for `hold`.
    pub fn hold(hold: Duration) -> Self {
        Self::new(FaultAction::Hold(hold))
    }

    /// A rule truncating bodies.
    pub fn truncate(mode: TruncateMode) -> Self {
        Self::new(FaultAction::Truncate(mode))
    }

    /// A rule doing `action`.
    pub fn new(action: FaultAction) -> Self {
        Self {
            action,
            endpoints: Vec::new(),
            subscription: None,
            trigger: Trigger::Always,
        }
    }

    /// Adds `Retry-After: secs` to a status fault.
    pub fn retry_after(mut self, secs: u64) -> Self {
        if let FaultAction::Status(s, _) = self.action {
            self.action = FaultAction::Status(s, Some(secs));
        }
        self
    }

    /// Narrows the rule to `endpoint` (call again to add more).
    pub fn on(mut self, endpoint: Endpoint) -> Self {
        self.endpoints.push(endpoint);
        self
    }

    /// Narrows the rule to one subscription.
    pub fn subscription(mut self, id: &str) -> Self {
        self.subscription = Some(id.to_ascii_lowercase());
        self
    }

    /// Fires with probability `p`.
    pub fn probability(mut self, p: f64) -> Self {
        self.trigger = Trigger::Probability(p);
        self
    }

    /// Fires on every `n`-th matching request.
    pub fn every(mut self, n: u64) -> Self {
        self.trigger = Trigger::EveryNth(n.max(1));
        self
    }

    /// Fires on the next `n` matching requests only.
    pub fn next(mut self, n: u64) -> Self {
        self.trigger = Trigger::Next(n);
        self
    }

    /// Fires on every request for page `n` (1-based): a permanently broken page.
    pub fn page(mut self, n: u32) -> Self {
        self.trigger = Trigger::Page(n);
        self
    }

    fn matches(&self, at: &FaultSite<'_>) -> bool {
        (self.endpoints.is_empty() || self.endpoints.contains(&at.endpoint))
            && self
                .subscription
                .as_deref()
                .is_none_or(|s| at.subscription.is_some_and(|a| a.eq_ignore_ascii_case(s)))
    }
}

/// The faults in force: a fixed latency and rules (the first that fires wins).
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Whether faults are on at all (a master switch; latency included).
    pub enabled: bool,
    /// Added to every request before it is handled.
    pub latency: Duration,
    /// The rules, tried in order.
    pub rules: Vec<FaultRule>,
    /// Seed of the probability triggers.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            enabled: true,
            latency: Duration::ZERO,
            rules: Vec::new(),
            seed: 1,
        }
    }
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Sets the fixed latency.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Adds a rule.
    pub fn rule(mut self, rule: FaultRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Sets the seed of the probability triggers.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// Where a request is, for matching rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FaultSite<'a> {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The subscription, for ARM requests.
    pub subscription: Option<&'a str>,
    /// The page asked for (1 = no skip token), for list requests.
    pub page: Option<u32>,
}

/// The faults and their running state (counters, random stream).
#[derive(Debug)]
pub(crate) struct FaultState {
    inner: Mutex<Running>,
}

#[derive(Debug)]
struct Running {
    faults: Faults,
    seen: Vec<u64>,
    rng: ChaCha8Rng,
}

impl Running {
    fn new(faults: Faults) -> Self {
        Self {
            seen: vec![0; faults.rules.len()],
            rng: ChaCha8Rng::seed_from_u64(faults.seed),
            faults,
        }
    }
}

impl FaultState {
    /// The state for `faults`.
    pub(crate) fn new(faults: Faults) -> Self {
        Self {
            inner: Mutex::new(Running::new(faults)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Running> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the faults (counters and random stream restart).
    pub(crate) fn set(&self, faults: Faults) {
        *self.lock() = Running::new(faults);
    }

    /// Turns every fault on or off, keeping the rules.
    pub(crate) fn set_enabled(&self, enabled: bool) {
        self.lock().faults.enabled = enabled;
    }

    /// The latency to add now.
    pub(crate) fn latency(&self) -> Duration {
        let r = self.lock();
        if r.faults.enabled {
            r.faults.latency
        } else {
            Duration::ZERO
        }
    }

    /// The fault to inject at `site`, if one fires.
    pub(crate) fn pick(&self, site: &FaultSite<'_>) -> Option<FaultAction> {
        let mut guard = self.lock();
        let r = &mut *guard;
        if !r.faults.enabled {
            return None;
        }
        for (i, rule) in r.faults.rules.iter().enumerate() {
            if !rule.matches(site) {
                continue;
            }
            r.seen[i] += 1;
            let n = r.seen[i];
            let fires = match rule.trigger {
                Trigger::Always => true,
                Trigger::Probability(p) => r.rng.gen::<f64>() < p,
                Trigger::EveryNth(k) => n.is_multiple_of(k.max(1)),
                Trigger::Next(k) => n <= k,
                Trigger::Page(p) => site.page == Some(p),
            };
            if fires {
                return Some(rule.action);
            }
        }
        None
    }
}
