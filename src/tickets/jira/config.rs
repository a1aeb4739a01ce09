//! Jira Cloud settings (`STEPUP_JIRA_*`), read through a lookup closure.

use std::collections::BTreeMap;

use super::{wire, SYSTEM};
use crate::detect::model::Severity;
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
/// Severity → priority name pairs, or `off`.
pub const PRIORITIES: &str = "STEPUP_JIRA_PRIORITIES";

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
    /// Priority names by severity (`critical`, `high`, `medium`, `low`); `None` when the
    /// project has no priority field on its screens (`STEPUP_JIRA_PRIORITIES=off`).
    pub priorities: Option<BTreeMap<String, String>>,
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
            priorities: priorities(optional(&lookup, PRIORITIES).as_deref())?,
        })
    }

    /// The priority name of a severity, unless priorities are off.
    pub fn priority(&self, severity: Severity) -> Option<&str> {
        self.priorities
            .as_ref()
            .and_then(|p| p.get(severity.as_str()))
            .map(String::as_str)
    }

    /// The Jira accountId configured for an owner, if any.
    pub fn account_id(&self, owner: &str) -> Option<&str> {
        self.account_ids
            .get(&owner.trim().to_lowercase())
            .map(String::as_str)
    }
}

/// Jira's default priority names, overridden per severity by `critical=P1;…`, or `off`.
fn priorities(value: Option<&str>) -> Result<Option<BTreeMap<String, String>>, TicketSettingError> {
    if value.is_some_and(|v| v.eq_ignore_ascii_case("off")) {
        return Ok(None);
    }
    let mut map: BTreeMap<String, String> = Severity::DESCENDING
        .iter()
        .map(|s| (s.as_str().to_owned(), wire::priority(*s).to_owned()))
        .collect();
    for (severity, name) in pairs(PRIORITIES, value.unwrap_or(""))? {
        if !map.contains_key(&severity) {
            return Err(TicketSettingError::Invalid {
                setting: PRIORITIES,
                why: format!("{severity:?} is not critical, high, medium or low"),
            });
        }
        map.insert(severity, name);
    }
    Ok(Some(map))
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
        assert_eq!(c.priority(Severity::Critical), Some("Highest"));
        assert_eq!(c.priority(Severity::Low), Some("Low"));
    }

    #[test]
    fn priorities_can_be_renamed_or_turned_off() {
        let mut custom = FULL.to_vec();
        custom.push((PRIORITIES, "critical=P1; high=P2"));
        let c = read(&custom).unwrap();
        assert_eq!(c.priority(Severity::Critical), Some("P1"));
        assert_eq!(c.priority(Severity::High), Some("P2"));
        assert_eq!(c.priority(Severity::Medium), Some("Medium"));
        let mut off = FULL.to_vec();
        off.push((PRIORITIES, "OFF"));
        assert_eq!(read(&off).unwrap().priority(Severity::Critical), None);
        let mut bad = FULL.to_vec();
        bad.push((PRIORITIES, "urgent=P0"));
        assert!(matches!(
            read(&bad).unwrap_err(),
            TicketSettingError::Invalid {
                setting: PRIORITIES,
                ..
            }
        ));
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
