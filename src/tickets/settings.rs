//! Which ticket system to use (`STEPUP_TICKETS`) and the errors of sink settings. Every sink's
//! settings are read through a lookup closure, never from the environment directly.

use std::str::FromStr;

/// A sink setting that is missing or unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketSettingError {
    /// A required setting is absent or empty.
    #[error("{setting} is required for the {system} ticket sink")]
    Missing {
        /// The system.
        system: &'static str,
        /// The setting.
        setting: &'static str,
    },
    /// A setting has a value we cannot use (secrets are never echoed).
    #[error("{setting} is not valid: {why}")]
    Invalid {
        /// The setting.
        setting: &'static str,
        /// Why.
        why: String,
    },
}

/// The ticket systems stepup can write to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketSystem {
    /// Markdown files in an outbox folder (the default).
    #[default]
    File,
    /// Azure DevOps Boards.
    AzureDevOps,
    /// GitHub Issues.
    GitHub,
    /// Jira Cloud.
    Jira,
    /// ServiceNow incidents.
    ServiceNow,
}

impl TicketSystem {
    /// Every system, in the order of the documentation.
    pub const ALL: [TicketSystem; 5] = [
        TicketSystem::File,
        TicketSystem::AzureDevOps,
        TicketSystem::GitHub,
        TicketSystem::Jira,
        TicketSystem::ServiceNow,
    ];

    /// The setting value and the name of the system in [`super::TicketRef::system`].
    pub fn as_str(self) -> &'static str {
        match self {
            TicketSystem::File => "file",
            TicketSystem::AzureDevOps => "azure-devops",
            TicketSystem::GitHub => "github",
            TicketSystem::Jira => "jira",
            TicketSystem::ServiceNow => "servicenow",
        }
    }

    /// Reads `STEPUP_TICKETS` (default `file`).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, TicketSettingError> {
        match lookup("STEPUP_TICKETS") {
            Some(v) if !v.trim().is_empty() => v.parse(),
            _ => Ok(Self::default()),
        }
    }
}

impl FromStr for TicketSystem {
    type Err = TicketSettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == wanted)
            .ok_or_else(|| TicketSettingError::Invalid {
                setting: "STEPUP_TICKETS",
                why: format!(
                    "{s:?} is not one of {}",
                    Self::ALL.map(Self::as_str).join(", ")
                ),
            })
    }
}

/// A required, non-empty, trimmed setting.
pub(crate) fn required(
    lookup: &impl Fn(&str) -> Option<String>,
    system: &'static str,
    setting: &'static str,
) -> Result<String, TicketSettingError> {
    optional(lookup, setting).ok_or(TicketSettingError::Missing { system, setting })
}

/// An optional setting: absent and blank are the same.
pub(crate) fn optional(
    lookup: &impl Fn(&str) -> Option<String>,
    setting: &'static str,
) -> Option<String> {
    lookup(setting)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_defaults_to_file_and_parses_every_name() {
        assert_eq!(TicketSystem::from_lookup(|_| None), Ok(TicketSystem::File));
        assert_eq!(
            TicketSystem::from_lookup(|_| Some("  ".into())),
            Ok(TicketSystem::File)
        );
        for t in TicketSystem::ALL {
            assert_eq!(t.as_str().to_uppercase().parse::<TicketSystem>(), Ok(t));
        }
        let err = "trello".parse::<TicketSystem>().unwrap_err();
        assert!(err.to_string().contains("STEPUP_TICKETS"), "{err}");
        assert!(err.to_string().contains("azure-devops"), "{err}");
    }

    #[test]
    fn required_names_the_setting() {
        let lookup = |k: &str| (k == "A").then(|| " x ".to_string());
        assert_eq!(required(&lookup, "s", "A"), Ok("x".into()));
        assert_eq!(
            required(&lookup, "s", "B"),
            Err(TicketSettingError::Missing {
                system: "s",
                setting: "B"
            })
        );
    }
}
