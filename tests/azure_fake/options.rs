//! What the fake accepts and how strict it is: credentials, token lifetime, rate limits and
//! page sizes.

use std::time::Duration;

/// `requests` per sliding `window`, counted over accepted requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in any window.
    pub requests: u32,
    /// The window.
    pub window: Duration,
}

impl RateLimit {
    /// `requests` per `window`.
    pub const fn new(requests: u32, window: Duration) -> Self {
        Self { requests, window }
    }
}

/// The credentials the token authority and the managed-identity endpoint accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeCredentials {
    /// The app registration's client id (confidential client).
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// A federated assertion accepted for `client_id` (workload identity), if any.
    pub client_assertion: Option<String>,
    /// The certificate (PEM) whose key signs accepted certificate assertions; `None`: the
    /// fake makes one (`AzureFake::client_certificate_pem` gives it with its key).
    pub client_certificate_pem: Option<String>,
    /// The `IDENTITY_HEADER` secret of the managed-identity endpoint.
    pub identity_header: String,
    /// The managed identity's client id (system-assigned; `client_id=` must match it if given).
    pub managed_identity_client_id: String,
}

impl Default for FakeCredentials {
    fn default() -> Self {
        Self {
            client_id: "5a1f0c2e-7b7d-4c1e-9d55-0f6a1b2c3d4e".into(),
            client_secret: "fake~client~secret~0123456789".into(),
            client_assertion: Some("fake.federated.assertion".into()),
            client_certificate_pem: None,
            identity_header: "fake-identity-header-secret".into(),
            managed_identity_client_id: "9e8d7c6b-5a49-4837-a625-140302f1e0d9".into(),
        }
    }
}

/// Default and maximum `$top` / page sizes per endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSizes {
    /// `auditLogs/signIns`: default and maximum 1000 (Graph's documented size).
    pub sign_ins: usize,
    /// `userRegistrationDetails`: default and maximum page.
    pub registration: usize,
    /// `users` default page (Graph: 100).
    pub users_default: usize,
    /// `users` maximum `$top` (Graph: 999).
    pub users_max: usize,
    /// ARM activity-log events per page.
    pub activity: usize,
    /// ARM role assignments, role definitions and subscriptions per page.
    pub arm_list: usize,
}

impl Default for PageSizes {
    fn default() -> Self {
        Self {
            sign_ins: 1000,
            registration: 1000,
            users_default: 100,
            users_max: 999,
            activity: 200,
            arm_list: 1000,
        }
    }
}

/// How the fake behaves; [`Default`] is Graph's and ARM's documented behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeOptions {
    /// The credentials accepted.
    pub credentials: FakeCredentials,
    /// Lifetime of issued access tokens (`expires_in`); short lifetimes test refresh.
    pub token_lifetime: Duration,
    /// Whether `$filter` is applied (`false`: every record of the endpoint is returned, every
    /// sign-in event type included, so only the client's own re-check keeps results right; a
    /// malformed filter is still refused).
    pub apply_filters: bool,
    /// Graph identity-and-access reports (sign-ins, registration details), per app and
    /// tenant: 5 per 10 s.
    pub report_limit: RateLimit,
    /// Every other Graph endpoint, per app and tenant.
    pub graph_limit: RateLimit,
    /// ARM reads per subscription (and per tenant for `GET /subscriptions`): 12000 an hour.
    pub arm_reads: RateLimit,
    /// Page sizes.
    pub pages: PageSizes,
}

impl Default for FakeOptions {
    fn default() -> Self {
        Self {
            credentials: FakeCredentials::default(),
            token_lifetime: Duration::from_secs(3599),
            apply_filters: true,
            report_limit: RateLimit::new(5, Duration::from_secs(10)),
            graph_limit: RateLimit::new(2000, Duration::from_secs(10)),
            arm_reads: RateLimit::new(12_000, Duration::from_secs(3600)),
            pages: PageSizes::default(),
        }
    }
}
