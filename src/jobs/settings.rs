//! The orchestration settings: the tenants a scan covers, the queue endpoint, the job time
//! budget, and the Service Health alert settings.

use std::time::Duration;

use azure_core::http::Url;

use crate::alerts::settings::{AlertSettings, AlertSettingsError};
use crate::ids::TenantId;
use crate::queue::{parse_queue_url, QUEUE_URL_VAR};

/// Setting: more tenants to scan.
pub const TENANTS_VAR: &str = "STEPUP_TENANTS";
/// Setting: seconds a job runs before it checkpoints.
pub const JOB_BUDGET_VAR: &str = "STEPUP_JOB_BUDGET_SECONDS";
/// The default job budget (8 minutes, under the 10-minute function timeout).
pub const DEFAULT_JOB_BUDGET: Duration = Duration::from_secs(480);

/// A setting with a value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct OrchestrationSettingsError {
    /// The setting.
    pub name: &'static str,
    /// What is wrong.
    pub message: String,
}

impl From<AlertSettingsError> for OrchestrationSettingsError {
    fn from(e: AlertSettingsError) -> Self {
        Self {
            name: e.name,
            message: e.message,
        }
    }
}

/// How scans fan out and alerts come in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrchestrationSettings {
    /// Tenants to scan besides `STEPUP_TENANT_ID` (MSPs, Lighthouse).
    pub extra_tenants: Vec<TenantId>,
    /// The queue endpoint; without it, queued work is kept in state.
    pub queue_url: Option<Url>,
    /// How long a job runs before it checkpoints and queues its continuation.
    pub job_budget: Duration,
    /// `/api/service-health`.
    pub alerts: AlertSettings,
}

impl Default for OrchestrationSettings {
    fn default() -> Self {
        Self {
            extra_tenants: Vec::new(),
            queue_url: None,
            job_budget: DEFAULT_JOB_BUDGET,
            alerts: AlertSettings::default(),
        }
    }
}

impl OrchestrationSettings {
    /// Reads the settings through `lookup`; unset or empty values take the defaults.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, OrchestrationSettingsError> {
        let value = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let err =
            |name: &'static str, message: String| OrchestrationSettingsError { name, message };
        let mut extra_tenants = Vec::new();
        for part in value(TENANTS_VAR).unwrap_or_default().split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let tenant = TenantId::parse(part).map_err(|e| err(TENANTS_VAR, e.to_string()))?;
            if !extra_tenants.contains(&tenant) {
                extra_tenants.push(tenant);
            }
        }
        let queue_url = value(QUEUE_URL_VAR)
            .map(|v| parse_queue_url(&v).map_err(|m| err(QUEUE_URL_VAR, m)))
            .transpose()?;
        let job_budget = match value(JOB_BUDGET_VAR) {
            None => DEFAULT_JOB_BUDGET,
            Some(v) => match v.parse::<u64>() {
                // Short budgets are allowed: they make jobs continue often (tests, trials).
                Ok(s) if (1..=590).contains(&s) => Duration::from_secs(s),
                _ => {
                    return Err(err(
                        JOB_BUDGET_VAR,
                        format!("{v:?} is not a number of seconds between 1 and 590 (the function timeout is 600)"),
                    ))
                }
            },
        };
        Ok(Self {
            extra_tenants,
            queue_url,
            job_budget,
            alerts: AlertSettings::from_lookup(&lookup)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<OrchestrationSettings, OrchestrationSettingsError> {
        OrchestrationSettings::from_lookup(|k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults_values_and_errors() {
        assert_eq!(read(&[]).unwrap(), OrchestrationSettings::default());
        let s = read(&[
            (TENANTS_VAR, "00000000-0000-0000-0000-000000000002, 00000000-0000-0000-0000-000000000002,,00000000-0000-0000-0000-000000000003"),
            (QUEUE_URL_VAR, "https://acct.queue.core.windows.net"),
            (JOB_BUDGET_VAR, "300"),
            ("STEPUP_ALERT_AUDIENCE", "api://stepup"),
        ])
        .unwrap();
        assert_eq!(s.extra_tenants.len(), 2);
        assert_eq!(s.job_budget, Duration::from_secs(300));
        assert!(s.queue_url.is_some());
        let short = read(&[(JOB_BUDGET_VAR, "1")]).unwrap();
        assert_eq!(short.job_budget, Duration::from_secs(1));
        assert_eq!(s.alerts.audience.as_deref(), Some("api://stepup"));
        for (pairs, name) in [
            (vec![(TENANTS_VAR, "contoso")], TENANTS_VAR),
            (
                vec![(QUEUE_URL_VAR, "http://acct.queue.core.windows.net")],
                QUEUE_URL_VAR,
            ),
            (vec![(JOB_BUDGET_VAR, "600")], JOB_BUDGET_VAR),
            (vec![(JOB_BUDGET_VAR, "0")], JOB_BUDGET_VAR),
            (vec![(JOB_BUDGET_VAR, "soon")], JOB_BUDGET_VAR),
            (
                vec![("STEPUP_ALERT_TRACKING_IDS", "a b")],
                "STEPUP_ALERT_TRACKING_IDS",
            ),
        ] {
            assert_eq!(read(&pairs).unwrap_err().name, name);
        }
    }
}
