//! The state every handler shares: tenants, options, tokens, limits, faults and counters.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;

use super::client_cert::ClientCert;
use super::counters::LiveCounters;
use super::faults::FaultState;
use super::options::FakeOptions;
use super::tenant::TenantData;
use super::throttle::Limiter;
use super::tokens::TokenStore;

/// Which service a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// Microsoft Graph.
    Graph,
    /// Azure Resource Manager.
    Arm,
    /// The token authority and the managed-identity endpoint.
    Authority,
}

/// The listeners' ports.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ports {
    /// Graph.
    pub graph: u16,
    /// ARM.
    pub arm: u16,
    /// Authority.
    pub authority: u16,
}

/// Shared state.
#[derive(Debug)]
pub(crate) struct State {
    /// Tenants by lowercase id.
    pub tenants: HashMap<String, TenantData>,
    /// The first tenant given: the managed identity's home.
    pub home_tenant: Option<String>,
    /// The options given at start (credentials, page sizes, limits).
    pub options: FakeOptions,
    /// The ports.
    pub ports: Ports,
    /// Whether `$filter` is applied (switchable at run time).
    pub apply_filters: AtomicBool,
    /// Token lifetime (switchable at run time).
    pub token_lifetime: Mutex<Duration>,
    /// Issued tokens.
    pub tokens: TokenStore,
    /// The certificate accepted for certificate assertions.
    pub client_cert: ClientCert,
    /// Graph report limit per (app, tenant).
    pub report_limit: Limiter,
    /// Other Graph endpoints' limit per (app, tenant).
    pub graph_limit: Limiter,
    /// ARM reads per subscription (and per tenant).
    pub arm_reads: Limiter,
    /// Faults.
    pub faults: FaultState,
    /// Counters.
    pub counters: LiveCounters,
    /// Flips to `true` at shutdown.
    pub shutdown: watch::Receiver<bool>,
}

impl State {
    /// Whether filters are applied now.
    pub(crate) fn filters_on(&self) -> bool {
        self.apply_filters.load(Ordering::Relaxed)
    }

    /// The token lifetime now.
    pub(crate) fn lifetime(&self) -> Duration {
        *self
            .token_lifetime
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The tenant owning subscription `sub` (lowercase).
    pub(crate) fn tenant_of_subscription(&self, sub: &str) -> Option<&TenantData> {
        self.tenants.values().find(|t| t.has_subscription(sub))
    }

    /// Base URLs (http and https) of a service.
    pub(crate) fn bases(&self, service: Service) -> [String; 2] {
        let port = match service {
            Service::Graph => self.ports.graph,
            Service::Arm => self.ports.arm,
            Service::Authority => self.ports.authority,
        };
        [
            format!("http://127.0.0.1:{port}"),
            format!("https://127.0.0.1:{port}"),
        ]
    }

    /// Sleeps for `d`, or less if the fake shuts down meanwhile.
    pub(crate) async fn sleep(&self, d: Duration) {
        if d.is_zero() {
            return;
        }
        let mut stop = self.shutdown.clone();
        tokio::select! {
            _ = tokio::time::sleep(d) => {}
            _ = stop.wait_for(|s| *s) => {}
        }
    }
}
