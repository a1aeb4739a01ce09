//! One [`SourceContext`] per tenant per process: the credential's token cache and the
//! identity-report limiter are shared by every job a worker instance runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::config::IdentityConfig;
use crate::ids::TenantId;
use crate::sources::http::ReportLimiter;
use crate::sources::{connect, ConnectError, ConnectOptions, SourceContext, SourcesSettings};

/// The tenants' source contexts, built on first use.
#[derive(Debug)]
pub struct Connections {
    identity: IdentityConfig,
    sources: SourcesSettings,
    options: ConnectOptions,
    built: Mutex<HashMap<TenantId, Arc<SourceContext>>>,
}

impl Connections {
    /// Contexts built from `identity` and `sources`; `options` may set the transport. One
    /// limiter is shared by every tenant (it keys its windows by tenant).
    pub fn new(
        identity: IdentityConfig,
        sources: SourcesSettings,
        options: ConnectOptions,
    ) -> Self {
        let mut options = options;
        if options.limiter.is_none() {
            options.limiter = Some(Arc::new(ReportLimiter::new(sources.graph_report_rate)));
        }
        Self {
            identity,
            sources,
            options,
            built: Mutex::new(HashMap::new()),
        }
    }

    /// The sources settings.
    pub fn sources(&self) -> &SourcesSettings {
        &self.sources
    }

    /// The context of `tenant`.
    pub fn of(&self, tenant: TenantId) -> Result<Arc<SourceContext>, ConnectError> {
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(ctx) = built.get(&tenant) {
            return Ok(ctx.clone());
        }
        let ctx = Arc::new(connect(
            &self.identity,
            &self.sources,
            tenant,
            self.options.clone(),
        )?);
        built.insert(tenant, ctx.clone());
        Ok(ctx)
    }
}
