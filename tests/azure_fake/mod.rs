//! A faithful local fake of Microsoft Graph, Azure Resource Manager and the Entra token
//! authority, for tests and benchmarks.
//!
//! Include it from an integration test with `#[path = "azure_fake/mod.rs"] mod azure_fake;`
//! or from a bench with `#[path = "../tests/azure_fake/mod.rs"] mod azure_fake;`. It serves
//! an export directory (DESIGN §4, as `stepup synth` writes it) loaded once at start.
//!
//! ```ignore
//! let dir = tempfile::tempdir()?;
//! let opts = stepup::synth::SynthOptions::new(200, 7, 1);
//! stepup::synth::generate(&opts, dir.path())?;
//! let tenant = FakeTenant::load(dir.path(), opts.tenant_id)?;
//! let fake = AzureFake::start(tenant, FakeOptions::default())?;
//! // STEPUP_GRAPH_URL = fake.graph_url(), STEPUP_ARM_URL = fake.arm_url(),
//! // AZURE_AUTHORITY_HOST = fake.authority_url() (https: the client trusts fake.cert_pem()),
//! // AZURE_TENANT_ID = fake.tenant_id(), AZURE_CLIENT_ID / AZURE_CLIENT_SECRET =
//! // fake.client_id() / fake.client_secret(); or IDENTITY_ENDPOINT / IDENTITY_HEADER =
//! // fake.identity_endpoint() / fake.identity_header().
//! fake.set_faults(Faults::none().rule(FaultRule::status(503).on(Endpoint::SignIns).probability(0.2)));
//! let before = fake.counters();
//! // … run the client …
//! let used = fake.counters().since(&before);
//! let least = fake.need(Listing::SignIns(Some("status/errorCode eq 0")), 1000)?;
//! assert!(used.of(Endpoint::SignIns).pages >= least.pages as u64);
//! ```
//!
//! Each service has its own loopback port (random) and answers HTTP and HTTPS on it (a
//! self-signed certificate for `127.0.0.1`). The fake runs on a Tokio runtime in a thread
//! of its own, so it works from synchronous code and from any runtime, and its CPU time is
//! apart from the client's.
//!
//! What it serves:
//! - Authority: `POST /{tenant}/oauth2/v2.0/token` (`client_credentials` with
//!   `client_secret`, a federated `client_assertion`, or a certificate assertion: JWT with
//!   `x5t`/`x5t#S256`, signature, `aud` = the token endpoint, `iss` = `sub` = client id);
//!   one `scope` ending in `/.default` naming Graph, ARM or Storage (public ids or the fake's URLs);
//!   AADSTS errors (`error`, `error_description`, `error_codes`); OpenID discovery at
//!   `GET /{tenant}/v2.0/.well-known/openid-configuration`. App Service managed
//!   identity: `GET /msi/token?api-version=2019-08-01&resource=…[&client_id=…]` with
//!   `X-IDENTITY-HEADER`, answering `expires_on` as a string. Tokens are JWT-shaped opaque
//!   strings bound to an audience, tenant, client and expiry.
//! - Graph `/beta` and `/v1.0`: `auditLogs/signIns` (newest first, `$top` ≤ 1000; only
//!   interactive sign-ins unless the filter names `signInEventTypes`),
//!   `reports/authenticationMethods/userRegistrationDetails`, `users` (default property set
//!   unless `$select`; `$top` ≤ 999, default 100; `$expand=manager,sponsors`), `users/{id or
//!   upn}`, `users/{id}/manager` (404 `Request_ResourceNotFound` when none),
//!   `users/{id}/sponsors`. `$filter`, `$select`, `$top`, `@odata.nextLink` with
//!   `$skiptoken`; other `$` options, unknown properties and bad filters are 400
//!   `BadRequest` ("Invalid filter clause: …"). 401 `InvalidAuthenticationToken` for
//!   missing, unknown, expired or ARM tokens.
//! - ARM: `GET /subscriptions[/{id}]?api-version=2022-12-01`, the activity log
//!   (`…/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01`,
//!   ARM's restricted filter: `eventTimestamp ge/le '…'` (a start required) and `eq` on
//!   resourceGroupName, resourceUri, resourceProvider, correlationId, caller, status,
//!   levels; `$select`; `nextLink` with `$skipToken`), role assignments at a scope (at, above
//!   and below; `atScope()`, `principalId eq`, `assignedTo()`) and role definitions
//!   (`roleName eq`, `type eq`; built-in ids under the subscription). Errors:
//!   `MissingApiVersionParameter`, `InvalidApiVersionParameter` / `NoRegisteredProviderFound`,
//!   `InvalidSubscriptionId`, `SubscriptionNotFound`, `AuthenticationFailed`,
//!   `InvalidAuthenticationToken`, `ExpiredAuthenticationToken`,
//!   `InvalidAuthenticationTokenAudience`, `InvalidAuthenticationTokenTenant`,
//!   `SubscriptionRequestsThrottled`; `x-ms-ratelimit-remaining-subscription-reads` (or
//!   `-tenant-reads`) on admitted answers.
//!
//! Knobs: [`FakeOptions`] at start (credentials, token lifetime, limits, page sizes,
//! `apply_filters`); at run time [`AzureFake::set_faults`], `set_faults_enabled`,
//! `set_apply_filters`, `set_token_lifetime`, `expire_tokens`, `set_report_limit`,
//! `set_arm_reads`, `reset_limits`. Faults ([`FaultRule`]): a status (5xx, optional
//! `Retry-After`), a hold (a timeout), a truncated body ([`TruncateMode::Clean`]: a short,
//! well-framed body, the client's JSON parse fails; [`TruncateMode::Abort`]: the connection
//! closes mid-body), per endpoint and subscription, always, with a seeded probability, every
//! n-th, the next n, or on page n for good (a permanently broken page); plus a fixed latency.
//!
//! Simplified: one app registration and one managed identity; no permissions or licences
//! (no 403s); no retention limits (every record is served, whatever its age); `$filter`
//! property support is not checked per property (any documented property, any operator);
//! string comparison ignores case everywhere; the IMDS endpoint (a fixed IP in
//! azure_identity) is not served; `assignedTo()` does not expand groups.

#![allow(dead_code)]

mod arm;
mod arm_lists;
mod auth;
mod authority;
mod client_cert;
mod counters;
mod error;
mod faults;
mod graph;
mod graph_list;
mod need;
mod odata;
mod options;
mod query;
mod records;
mod reply;
mod request;
mod schemas;
mod server;
mod state;
mod tenant;
mod throttle;
mod tls;
mod tokens;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::watch;

// Re-exports for the tests and benches that include this module; each uses some.
#[allow(unused_imports)]
pub use counters::{Counters, Endpoint, EndpointCounts};
#[allow(unused_imports)]
pub use error::FakeError;
#[allow(unused_imports)]
pub use faults::{FaultAction, FaultRule, Faults, Trigger, TruncateMode};
#[allow(unused_imports)]
pub use options::{FakeCredentials, FakeOptions, PageSizes, RateLimit};
#[allow(unused_imports)]
pub use tenant::{FakeTenant, TenantCounts};
#[allow(unused_imports)]
pub use tokens::Audience;

use state::{Ports, Service, State};

/// How many records, and pages of a given size, a listing would take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// Matching records.
    pub records: usize,
    /// Pages (requests) to read them all; an empty listing is one page.
    pub pages: usize,
}

/// A listing to size with [`AzureFake::need`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing<'a> {
    /// `auditLogs/signIns` with this `$filter` (none: interactive sign-ins).
    SignIns(Option<&'a str>),
    /// `userRegistrationDetails` with this `$filter`.
    Registration(Option<&'a str>),
    /// `users` with this `$filter`.
    Users(Option<&'a str>),
    /// One subscription's activity log with this (ARM-grammar) `$filter`.
    Activity(&'a str, &'a str),
}

/// A running fake; stops when dropped (or with [`AzureFake::shutdown`]).
pub struct AzureFake {
    state: Arc<State>,
    cert_pem: String,
    stop: watch::Sender<bool>,
    thread: Mutex<Option<JoinHandle<()>>>,
    stopped: AtomicBool,
}

impl AzureFake {
    /// Starts serving one tenant.
    pub fn start(tenant: FakeTenant, options: FakeOptions) -> Result<Self, FakeError> {
        Self::start_many(vec![tenant], options)
    }

    /// Starts serving several tenants (a multi-tenant app: tokens name their tenant; the
    /// managed identity lives in the first).
    pub fn start_many(tenants: Vec<FakeTenant>, options: FakeOptions) -> Result<Self, FakeError> {
        let home_tenant = tenants.first().map(|t| t.data.id.clone());
        if home_tenant.is_none() {
            return Err(FakeError::NoTenant);
        }
        let mut by_id = HashMap::new();
        for t in tenants {
            let id = t.data.id.clone();
            if by_id.insert(id.clone(), t.data).is_some() {
                return Err(FakeError::DuplicateTenant(id));
            }
        }
        let tls = tls::make()?;
        let client_cert = match &options.credentials.client_certificate_pem {
            Some(pem) => client_cert::ClientCert::from_pem(pem)?,
            None => client_cert::ClientCert::generate()?,
        };
        let bind = || -> Result<(std::net::TcpListener, u16), FakeError> {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            l.set_nonblocking(true)?;
            let port = l.local_addr()?.port();
            Ok((l, port))
        };
        let (graph, graph_port) = bind()?;
        let (arm, arm_port) = bind()?;
        let (authority, authority_port) = bind()?;
        let (stop, shutdown) = watch::channel(false);
        let state = Arc::new(State {
            tenants: by_id,
            home_tenant,
            ports: Ports {
                graph: graph_port,
                arm: arm_port,
                authority: authority_port,
            },
            apply_filters: AtomicBool::new(options.apply_filters),
            token_lifetime: Mutex::new(options.token_lifetime),
            tokens: Default::default(),
            client_cert,
            report_limit: throttle::Limiter::new(options.report_limit),
            graph_limit: throttle::Limiter::new(options.graph_limit),
            arm_reads: throttle::Limiter::new(options.arm_reads),
            faults: faults::FaultState::new(Faults::none()),
            counters: Default::default(),
            shutdown,
            options,
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("azure-fake")
            .enable_all()
            .build()?;
        let cert_pem = tls.cert_pem.clone();
        let st = state.clone();
        let mut wait = state.shutdown.clone();
        let thread = std::thread::Builder::new()
            .name("azure-fake".into())
            .spawn(move || {
                for (listener, service, port) in [
                    (graph, Service::Graph, graph_port),
                    (arm, Service::Arm, arm_port),
                    (authority, Service::Authority, authority_port),
                ] {
                    runtime.spawn(server::run(
                        listener,
                        service,
                        port,
                        st.clone(),
                        tls.clone(),
                    ));
                }
                runtime.block_on(async move {
                    let _ = wait.wait_for(|s| *s).await;
                });
                runtime.shutdown_timeout(Duration::from_secs(2));
            })?;
        Ok(Self {
            cert_pem,
            state,
            stop,
            thread: Mutex::new(Some(thread)),
            stopped: AtomicBool::new(false),
        })
    }

    /// Graph's base URL over HTTP (`http://127.0.0.1:<port>`; add `/beta/…`), as
    /// `STEPUP_GRAPH_URL` takes it.
    pub fn graph_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.state.ports.graph)
    }

    /// Graph's base URL over HTTPS (trust [`Self::cert_pem`]).
    pub fn graph_url_https(&self) -> String {
        format!("https://127.0.0.1:{}", self.state.ports.graph)
    }

    /// ARM's base URL over HTTP, as `STEPUP_ARM_URL` takes it.
    pub fn arm_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.state.ports.arm)
    }

    /// ARM's base URL over HTTPS.
    pub fn arm_url_https(&self) -> String {
        format!("https://127.0.0.1:{}", self.state.ports.arm)
    }

    /// The token authority over HTTPS, as `AZURE_AUTHORITY_HOST` takes it (azure_identity
    /// refuses a plain-HTTP authority): tokens at `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn authority_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.state.ports.authority)
    }

    /// The token authority over plain HTTP (for hand-written clients).
    pub fn authority_url_http(&self) -> String {
        format!("http://127.0.0.1:{}", self.state.ports.authority)
    }

    /// The App Service managed-identity endpoint (`IDENTITY_ENDPOINT`).
    pub fn identity_endpoint(&self) -> String {
        format!(
            "http://127.0.0.1:{}{}",
            self.state.ports.authority,
            authority::MSI_PATH
        )
    }

    /// The `IDENTITY_HEADER` secret the managed-identity endpoint wants.
    pub fn identity_header(&self) -> &str {
        &self.state.options.credentials.identity_header
    }

    /// The self-signed certificate (PEM) of the HTTPS side of every port.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The (first) tenant's id.
    pub fn tenant_id(&self) -> &str {
        self.state.home_tenant.as_deref().unwrap_or_default()
    }

    /// Every tenant's id.
    pub fn tenant_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.state.tenants.keys().cloned().collect();
        ids.sort();
        ids
    }

    /// The app registration's client id the authority accepts.
    pub fn client_id(&self) -> &str {
        &self.state.options.credentials.client_id
    }

    /// Its client secret.
    pub fn client_secret(&self) -> &str {
        &self.state.options.credentials.client_secret
    }

    /// The federated assertion the authority accepts for [`Self::client_id`], if any.
    pub fn client_assertion(&self) -> Option<&str> {
        self.state.options.credentials.client_assertion.as_deref()
    }

    /// The client certificate and its private key (PEM, one file's content) when the fake
    /// made them (`FakeCredentials::client_certificate_pem` was `None`): sign assertions with
    /// it, or point `AZURE_CLIENT_CERTIFICATE_PATH` at a file holding it.
    pub fn client_certificate_pem(&self) -> Option<&str> {
        self.state.client_cert.with_key.as_deref()
    }

    /// The managed identity's client id.
    pub fn managed_identity_client_id(&self) -> &str {
        &self.state.options.credentials.managed_identity_client_id
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        self.state.counters.snapshot()
    }

    /// Replaces the faults (their counters and random stream restart).
    pub fn set_faults(&self, faults: Faults) {
        self.state.faults.set(faults);
    }

    /// Turns faults on or off, keeping the rules.
    pub fn set_faults_enabled(&self, enabled: bool) {
        self.state.faults.set_enabled(enabled);
    }

    /// Applies `$filter` (`true`) or ignores it and returns every record of the endpoint.
    pub fn set_apply_filters(&self, apply: bool) {
        self.state.apply_filters.store(apply, Ordering::Relaxed);
    }

    /// Sets the lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        *self
            .state
            .token_lifetime
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = lifetime;
    }

    /// Expires every token issued so far (the next call with one gets a 401).
    pub fn expire_tokens(&self) {
        self.state.tokens.expire_all();
    }

    /// Issues a token directly (not counted as a token request), for tests of a client that
    /// takes a token.
    pub fn issue_token(&self, audience: Audience) -> String {
        let tenant = self.tenant_id().to_string();
        self.state
            .tokens
            .issue(audience, &tenant, self.client_id(), self.state.lifetime())
            .0
    }

    /// Every access token issued so far (the secrets a client must never print).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state.tokens.all()
    }

    /// Sets the Graph report limit (sign-ins, registration details).
    pub fn set_report_limit(&self, limit: RateLimit) {
        self.state.report_limit.set_limit(limit);
    }

    /// Sets the ARM read budget per subscription (and per tenant).
    pub fn set_arm_reads(&self, limit: RateLimit) {
        self.state.arm_reads.set_limit(limit);
    }

    /// Forgets every rate limiter's history.
    pub fn reset_limits(&self) {
        self.state.report_limit.reset();
        self.state.graph_limit.reset();
        self.state.arm_reads.reset();
    }

    /// How many records and pages of `top` a listing of the (first) tenant would take with
    /// filters applied: what a client pulling exactly that needs.
    pub fn need(&self, listing: Listing<'_>, top: usize) -> Result<Need, FakeError> {
        let records = need::records(&self.state, listing)?;
        Ok(Need {
            records,
            pages: query::pages_for(records, top),
        })
    }

    /// Stops the servers and waits for their thread.
    pub fn shutdown(&self) {
        if self.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        let _ = self.stop.send(true);
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

impl Drop for AzureFake {
    fn drop(&mut self) {
        self.shutdown();
    }
}
