//! The time window and tenant settings of one run, the same for every job of the run: the
//! run's "now" is when its ledger was opened.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::ids::TenantId;
use crate::lifecycle::enforcement::noticed_date;
use crate::lifecycle::StoreError;
use crate::settings::TenantSettings;
use crate::sources::incremental::floor_day;
use crate::sources::live::SIGN_IN_RETENTION_DAYS;
use crate::sources::SourcesSettings;
use crate::state::StateStore;

/// What every job of a run reads against.
#[derive(Debug, Clone)]
pub struct RunWindow {
    /// The tenant.
    pub tenant: TenantId,
    /// The tenant's settings, with its tenant id and enforcement date.
    pub settings: TenantSettings,
    /// The run's time.
    pub now: DateTime<Utc>,
    /// The first instant of the look-back (midnight UTC).
    pub window_start: DateTime<Utc>,
    /// The first instant of the sign-in window (Graph keeps 30 days).
    pub sign_in_start: DateTime<Utc>,
    /// How far before a watermark an incremental read starts.
    pub overlap: Duration,
}

impl RunWindow {
    /// The window of a run of `tenant` at `now`. The enforcement date is the one the latest
    /// Service Health notice gave the tenant, else the configured one, else Phase 2's start.
    pub async fn of(
        store: &dyn StateStore,
        base: &TenantSettings,
        sources: &SourcesSettings,
        tenant: TenantId,
        now: DateTime<Utc>,
    ) -> Result<Self, StoreError> {
        let mut settings = base.clone();
        settings.tenant_id = Some(tenant);
        if let Some(noticed) = noticed_date(store, &tenant).await? {
            settings.enforcement_date = Some(noticed.date);
        }
        let lookback = sources.lookback();
        Ok(Self {
            tenant,
            settings,
            now,
            window_start: floor_day(now - lookback),
            sign_in_start: floor_day(now - lookback.min(Duration::days(SIGN_IN_RETENTION_DAYS))),
            overlap: sources.overlap(),
        })
    }

    /// The enforcement date the run weighs writes against.
    pub fn enforcement(&self) -> NaiveDate {
        self.settings.effective_enforcement_date()
    }
}
