//! Jira Cloud settings (`STEPUP_JIRA_*`), read through a lookup closure.

use std::collections::BTreeMap;

use super::SYSTEM;
use crate::secret::Secret;
use crate::tickets::setting_values::pairs;
use crate::tickets::settings::{optional, required, TicketSettingError};

/// The site URL.
pub const URL: &str = "STEPUP_JIRA_URL";
/// The project key issues are created in.
pub const PROJECT: &str = "STEPUP_JIRA_PROJECT";
/// The issue type name.
pub const ISSUE_TYPE: &str = "STEPUP_JIRA_ISSUE_TYPE";
/// The Atlassian account e-mail of the API token.
pub const EMAIL: &str = "STEPUP_JIRA_EMAIL";
/// The API token (secret).
pub const API_TOKEN: &str = "STEPUP_JIRA_API_TOKEN";
/// Owner UPN/e-mail → Jira accountId pairs, for assignees.
pub const ACCOUNT_IDS: &str = "STEPUP_JIRA_ACCOUNT_IDS";

/// The default issue type.
pub const DEFAULT_ISSUE_TYPE: &str = "Task";

/// How to reach one Jira Cloud site.
#[derive(Debug, Clone)]
pub struct JiraConfig {
    /// Site URL, e.g. `https://acme.atlassian.net` (checked when the sink is built).
    pub base_url: String,
    /// Default project key (the ownership map's project overrides it).
    pub project: String,
    /// Issue type name (`Task` unless set).
    pub issue_type: String,
    /// Account e-mail for Basic auth.
    pub email: String,
    /// API token for Basic auth.
    pub api_token: Secret,
    /// Lower-cased owner UPN/e-mail → Jira accountId.
    pub account_ids: BTreeMap<String, String>,
}

impl JiraConfig {
    /// Reads the `STEPUP_JIRA_*` settings through `lookup`.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, TicketSettingError> {
        Ok(Self {
            base_url: required(&lookup, SYSTEM, URL)?,
            project: required(&lookup, SYSTEM, PROJECT)?,
            issue_type: optional(&lookup, ISSUE_TYPE)
                .unwrap_or_else(|| DEFAULT_ISSUE_TYPE.to_owned()),
            email: required(&lookup, SYSTEM, EMAIL)?,
            api_token: Secret::new(required(&lookup, SYSTEM, API_TOKEN)?),
            account_ids: match optional(&lookup, ACCOUNT_IDS) {
                Some(v) => pairs(ACCOUNT_IDS, &v)?,
                None => BTreeMap::new(),
            },
        })
    }

    /// The Jira accountId configured for an owner, if any.
    pub fn account_id(&self, owner: &str) -> Option<&str> {
        self.account_ids
            .get(&owner.trim().to_lowercase())
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<JiraConfig, TicketSettingError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        JiraConfig::from_lookup(|name| map.get(name).cloned())
    }

    const FULL: &[(&str, &str)] = &[
        (URL, "https://acme.atlassian.net/"),
        (PROJECT, "OPS"),
        (EMAIL, "bot@acme.com"),
        (API_TOKEN, "tok-123"),
        (ACCOUNT_IDS, "Ann@acme.com=5b10ac8d82e05b22cc7d4ef5"),
    ];

    #[test]
    fn unset_url_is_missing() {
        assert_eq!(
            read(&[(PROJECT, "OPS")]).unwrap_err(),
            TicketSettingError::Missing {
                system: "jira",
                setting: URL
            }
        );
    }

    #[test]
    fn reads_every_setting_with_defaults() {
        let c = read(FULL).unwrap();
        assert_eq!(c.base_url, "https://acme.atlassian.net/");
        assert_eq!(c.project, "OPS");
        assert_eq!(c.issue_type, "Task");
        assert_eq!(c.email, "bot@acme.com");
        assert_eq!(c.api_token.expose(), "tok-123");
        assert_eq!(
            c.account_id("ann@ACME.com"),
            Some("5b10ac8d82e05b22cc7d4ef5")
        );
        assert_eq!(c.account_id("bob@acme.com"), None);
    }

    #[test]
    fn missing_token_names_the_setting_without_a_value() {
        let partial: Vec<_> = FULL
            .iter()
            .copied()
            .filter(|(k, _)| *k != API_TOKEN)
            .collect();
        let err = read(&partial).unwrap_err();
        assert_eq!(
            err,
            TicketSettingError::Missing {
                system: "jira",
                setting: API_TOKEN
            }
        );
        let bad: Vec<_> = FULL
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    if *k == ACCOUNT_IDS {
                        "ann@acme.com"
                    } else {
                        *v
                    },
                )
            })
            .collect();
        assert!(matches!(
            read(&bad).unwrap_err(),
            TicketSettingError::Invalid {
                setting: ACCOUNT_IDS,
                ..
            }
        ));
    }

    #[test]
    fn debug_output_hides_the_token() {
        let c = read(FULL).unwrap();
        assert!(!format!("{c:?}").contains("tok-123"));
    }
}
