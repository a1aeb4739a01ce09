//! Builds a tenant's [`SourceContext`]: the credential the environment selects, one token
//! cache, Graph and ARM clients on one azure_core transport, and the identity-report limiter.

use std::sync::Arc;

use azure_core::http::HttpClient;
use azure_identity::Executor;

use super::credential::{build_credential, CredentialError, CredentialOptions};
use super::http::{parse_base_url, ApiClient, BaseUrlError, ReportLimiter, RetryPolicy};
use super::job::SourceContext;
use super::settings::SourcesSettings;
use super::token::TokenSource;
use crate::config::IdentityConfig;
use crate::ids::TenantId;

/// Why a tenant's sources cannot be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// `STEPUP_GRAPH_URL` or `STEPUP_ARM_URL` is unusable.
    #[error(transparent)]
    BaseUrl(#[from] BaseUrlError),
    /// The credential cannot be built.
    #[error(transparent)]
    Credential(#[from] CredentialError),
}

/// What the environment does not say: the transport, the retry policy, a shared limiter.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// The HTTP client of every call (default: azure_core's reqwest client).
    pub http: Option<Arc<dyn HttpClient>>,
    /// Runs `az` for the Azure CLI credential (default: azure_identity's).
    pub az_executor: Option<Arc<dyn Executor>>,
    /// The retry policy (default: [`RetryPolicy::default`]).
    pub policy: Option<RetryPolicy>,
    /// A limiter shared with other tenants' contexts (default: a new one at
    /// `STEPUP_GRAPH_REPORT_RATE`).
    pub limiter: Option<Arc<ReportLimiter>>,
}

/// Sets up one tenant's sources.
pub fn connect(
    identity: &IdentityConfig,
    sources: &SourcesSettings,
    tenant: TenantId,
    options: ConnectOptions,
) -> Result<SourceContext, ConnectError> {
    let graph_base = parse_base_url("STEPUP_GRAPH_URL", &sources.graph_url)?;
    let arm_base = parse_base_url("STEPUP_ARM_URL", &sources.arm_url)?;
    let http = options
        .http
        .clone()
        .unwrap_or_else(|| azure_core::http::new_http_client(None));
    let credential = build_credential(
        identity,
        &tenant,
        &CredentialOptions {
            http: Some(http.clone()),
            az_executor: options.az_executor.clone(),
        },
    )?;
    let tokens = Arc::new(TokenSource::new(credential));
    let policy = options.policy.unwrap_or_default();
    Ok(SourceContext {
        tenant,
        graph: Arc::new(ApiClient::new(
            "Graph",
            graph_base,
            tokens.clone(),
            http.clone(),
            policy,
        )),
        arm: Arc::new(ApiClient::new("ARM", arm_base, tokens, http, policy)),
        limiter: options
            .limiter
            .unwrap_or_else(|| Arc::new(ReportLimiter::new(sources.graph_report_rate))),
    })
}
