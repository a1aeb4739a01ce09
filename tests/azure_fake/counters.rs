//! Request, page and record counts per endpoint, kept in atomics and read as snapshots.

use std::sync::atomic::{AtomicU64, Ordering};

/// The kinds of request the fake answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    /// `POST {authority}/{tenant}/oauth2/v2.0/token`.
    Token,
    /// `GET {authority}/{tenant}/v2.0/.well-known/openid-configuration`.
    Discovery,
    /// The App Service managed-identity endpoint (`IDENTITY_ENDPOINT`).
    ManagedIdentity,
    /// Graph `auditLogs/signIns`.
    SignIns,
    /// Graph `reports/authenticationMethods/userRegistrationDetails`.
    Registration,
    /// Graph `users` and `users/{id}`.
    Users,
    /// Graph `users/{id}/manager`.
    Manager,
    /// Graph `users/{id}/sponsors`.
    Sponsors,
    /// ARM `GET /subscriptions` and `GET /subscriptions/{id}`.
    Subscriptions,
    /// ARM activity log (`eventtypes/management/values`).
    Activity,
    /// ARM role assignments.
    RoleAssignments,
    /// ARM role definitions.
    RoleDefinitions,
    /// Anything else (answered 4xx).
    Other,
}

impl Endpoint {
    /// Every endpoint, in declaration order.
    pub const ALL: [Endpoint; 13] = [
        Endpoint::Token,
        Endpoint::Discovery,
        Endpoint::ManagedIdentity,
        Endpoint::SignIns,
        Endpoint::Registration,
        Endpoint::Users,
        Endpoint::Manager,
        Endpoint::Sponsors,
        Endpoint::Subscriptions,
        Endpoint::Activity,
        Endpoint::RoleAssignments,
        Endpoint::RoleDefinitions,
        Endpoint::Other,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// Whether Graph counts it as an identity-and-access report (the 5 / 10 s limit).
    pub fn is_report(self) -> bool {
        matches!(self, Endpoint::SignIns | Endpoint::Registration)
    }
}

/// What happened at one endpoint (or in total).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndpointCounts {
    /// Requests received, whatever the answer.
    pub requests: u64,
    /// Successful answers (200); for list endpoints, pages served.
    pub pages: u64,
    /// Records in successful list pages.
    pub records: u64,
    /// 429 answers.
    pub throttled: u64,
    /// Injected faults (status, hold, truncation, broken page).
    pub faults: u64,
    /// 401 answers (missing, unknown, expired or wrong-audience tokens; bad credentials).
    pub unauthorized: u64,
    /// Other 4xx answers (bad filter, bad api-version, unknown path or subscription, …).
    pub rejected: u64,
}

impl EndpointCounts {
    fn add(&mut self, o: &EndpointCounts) {
        self.requests += o.requests;
        self.pages += o.pages;
        self.records += o.records;
        self.throttled += o.throttled;
        self.faults += o.faults;
        self.unauthorized += o.unauthorized;
        self.rejected += o.rejected;
    }
}

/// A snapshot of every endpoint's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    by: [EndpointCounts; 13],
}

impl Counters {
    /// The counts of one endpoint.
    pub fn of(&self, endpoint: Endpoint) -> EndpointCounts {
        self.by[endpoint.index()]
    }

    /// The sum over every endpoint.
    pub fn total(&self) -> EndpointCounts {
        let mut t = EndpointCounts::default();
        for c in &self.by {
            t.add(c);
        }
        t
    }

    /// Requests at `endpoint` (shorthand for `of(endpoint).requests`).
    pub fn requests(&self, endpoint: Endpoint) -> u64 {
        self.of(endpoint).requests
    }

    /// What changed between `earlier` and this snapshot.
    pub fn since(&self, earlier: &Counters) -> Counters {
        let mut out = Counters::default();
        for (i, c) in self.by.iter().enumerate() {
            let e = &earlier.by[i];
            out.by[i] = EndpointCounts {
                requests: c.requests.saturating_sub(e.requests),
                pages: c.pages.saturating_sub(e.pages),
                records: c.records.saturating_sub(e.records),
                throttled: c.throttled.saturating_sub(e.throttled),
                faults: c.faults.saturating_sub(e.faults),
                unauthorized: c.unauthorized.saturating_sub(e.unauthorized),
                rejected: c.rejected.saturating_sub(e.rejected),
            };
        }
        out
    }
}

/// One endpoint's live counters.
#[derive(Debug, Default)]
struct Cells {
    requests: AtomicU64,
    pages: AtomicU64,
    records: AtomicU64,
    throttled: AtomicU64,
    faults: AtomicU64,
    unauthorized: AtomicU64,
    rejected: AtomicU64,
}

/// The server's live counters.
#[derive(Debug, Default)]
pub(crate) struct LiveCounters {
    by: [Cells; 13],
}

/// How a request ended, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// 200 with this many records (0 for non-list answers).
    Served(u64),
    /// 429.
    Throttled,
    /// An injected fault.
    Fault,
    /// 401.
    Unauthorized,
    /// Another 4xx.
    Rejected,
}

impl LiveCounters {
    /// Counts a received request.
    pub(crate) fn request(&self, endpoint: Endpoint) {
        self.by[endpoint.index()]
            .requests
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Counts how a request ended.
    pub(crate) fn outcome(&self, endpoint: Endpoint, outcome: Outcome) {
        let c = &self.by[endpoint.index()];
        let cell = match outcome {
            Outcome::Served(records) => {
                c.records.fetch_add(records, Ordering::Relaxed);
                &c.pages
            }
            Outcome::Throttled => &c.throttled,
            Outcome::Fault => &c.faults,
            Outcome::Unauthorized => &c.unauthorized,
            Outcome::Rejected => &c.rejected,
        };
        cell.fetch_add(1, Ordering::Relaxed);
    }

    /// A snapshot.
    pub(crate) fn snapshot(&self) -> Counters {
        let mut out = Counters::default();
        for (i, c) in self.by.iter().enumerate() {
            out.by[i] = EndpointCounts {
                requests: c.requests.load(Ordering::Relaxed),
                pages: c.pages.load(Ordering::Relaxed),
                records: c.records.load(Ordering::Relaxed),
                throttled: c.throttled.load(Ordering::Relaxed),
                faults: c.faults.load(Ordering::Relaxed),
                unauthorized: c.unauthorized.load(Ordering::Relaxed),
                rejected: c.rejected.load(Ordering::Relaxed),
            };
        }
        out
    }
}
