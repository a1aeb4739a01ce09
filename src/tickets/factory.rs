//! Which ticket system to write to, chosen by `STEPUP_TICKETS`, and its settings, read and
//! checked once at start-up.

use std::path::Path;
use std::sync::Arc;

use super::azure_devops::{AzureDevOpsConfig, AzureDevOpsSink};
use super::file::{FileSink, FileSinkConfig};
use super::github::{GitHubConfig, GitHubSink};
use super::http::RetryPolicy;
use super::jira::config::JiraConfig;
use super::jira::JiraSink;
use super::servicenow::config::ServiceNowConfig;
use super::servicenow::ServiceNowSink;
use super::settings::{TicketSettingError, TicketSystem};
use super::{TicketError, TicketSink};

/// The configured ticket system with its settings.
#[derive(Debug, Clone)]
pub enum TicketConfig {
    /// Markdown files in an outbox folder (the embedded default).
    File(FileSinkConfig),
    /// Azure DevOps Boards.
    AzureDevOps(AzureDevOpsConfig),
    /// GitHub Issues.
    GitHub(GitHubConfig),
    /// Jira Cloud.
    Jira(JiraConfig),
    /// ServiceNow incidents.
    ServiceNow(ServiceNowConfig),
}

impl TicketConfig {
    /// Reads `STEPUP_TICKETS` and the chosen system's settings; the file outbox defaults to
    /// `<state_dir>/tickets`.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        state_dir: &Path,
    ) -> Result<Self, TicketSettingError> {
        Ok(match TicketSystem::from_lookup(&lookup)? {
            TicketSystem::File => Self::File(FileSinkConfig::from_lookup(&lookup, state_dir)),
            TicketSystem::AzureDevOps => {
                Self::AzureDevOps(AzureDevOpsConfig::from_lookup(&lookup)?)
            }
            TicketSystem::GitHub => Self::GitHub(GitHubConfig::from_lookup(&lookup)?),
            TicketSystem::Jira => Self::Jira(JiraConfig::from_lookup(&lookup)?),
            TicketSystem::ServiceNow => Self::ServiceNow(ServiceNowConfig::from_lookup(&lookup)?),
        })
    }

    /// The file outbox in `dir`, whatever the environment says (for `stepup demo`).
    pub fn file_outbox(dir: &Path) -> Self {
        Self::File(FileSinkConfig::from_lookup(|_| None, dir))
    }

    /// Opens the sink.
    pub fn open(&self, policy: RetryPolicy) -> Result<Arc<dyn TicketSink>, TicketError> {
        Ok(match self {
            Self::File(c) => Arc::new(FileSink::from_config(c)),
            Self::AzureDevOps(c) => {
                if c.pat.is_none() {
                    return Err(TicketError::Unauthorized {
                        system: "azure-devops",
                        message: "set STEPUP_ADO_PAT (Entra tokens for Azure DevOps come with the managed-identity credential chain)".into(),
                    });
                }
                Arc::new(AzureDevOpsSink::new(c, policy)?)
            }
            Self::GitHub(c) => Arc::new(GitHubSink::new(c, policy)?),
            Self::Jira(c) => Arc::new(JiraSink::new(c, policy)?),
            Self::ServiceNow(c) => Arc::new(ServiceNowSink::new(c, policy)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<TicketConfig, TicketSettingError> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        TicketConfig::from_lookup(|k| map.get(k).map(|v| v.to_string()), Path::new("/tmp/s"))
    }

    #[test]
    fn the_file_outbox_is_the_default() {
        assert!(matches!(config(&[]), Ok(TicketConfig::File(_))));
        assert!(config(&[]).unwrap().open(RetryPolicy::default()).is_ok());
    }

    #[test]
    fn a_chosen_system_needs_its_settings_and_names_them() {
        let err = config(&[("STEPUP_TICKETS", "jira")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("STEPUP_JIRA_"), "{err}");
        let err = config(&[("STEPUP_TICKETS", "trello")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("STEPUP_TICKETS"), "{err}");
        let ado = config(&[
            ("STEPUP_TICKETS", "azure-devops"),
            ("STEPUP_ADO_ORG_URL", "https://dev.azure.com/contoso"),
            ("STEPUP_ADO_PROJECT", "Platform"),
        ])
        .unwrap();
        let err = ado.open(RetryPolicy::default()).err().unwrap().to_string();
        assert!(err.contains("STEPUP_ADO_PAT"), "{err}");
    }
}
