//! ServiceNow settings (`STEPUP_SERVICENOW_*`), read through a lookup closure.

use super::SYSTEM;
use crate::secret::Secret;
use crate::tickets::setting_values::boolean;
use crate::tickets::settings::{optional, required, TicketSettingError};

/// The instance URL.
pub const URL: &str = "STEPUP_SERVICENOW_URL";
/// Basic auth user.
pub const USER: &str = "STEPUP_SERVICENOW_USER";
/// Basic auth password (secret).
pub const PASSWORD: &str = "STEPUP_SERVICENOW_PASSWORD";
/// OAuth bearer token (secret), instead of user and password.
pub const TOKEN: &str = "STEPUP_SERVICENOW_TOKEN";
/// Assignment group of new incidents.
pub const ASSIGNMENT_GROUP: &str = "STEPUP_SERVICENOW_ASSIGNMENT_GROUP";
/// Close code used when resolving.
pub const CLOSE_CODE: &str = "STEPUP_SERVICENOW_CLOSE_CODE";
/// Whether to look the owner up in `sys_user` and set `assigned_to`.
pub const ASSIGN_OWNER: &str = "STEPUP_SERVICENOW_ASSIGN_OWNER";

/// The default close code: the out-of-the-box `incident.close_code` choice of current
/// releases (older instances use `Solved (Permanently)`; set `STEPUP_SERVICENOW_CLOSE_CODE`).
pub const DEFAULT_CLOSE_CODE: &str = "Solution provided";

/// How stepup authenticates to the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceNowAuth {
    /// HTTP Basic with an integration user.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: Secret,
    },
    /// An OAuth access token, sent as `Authorization: Bearer`.
    Bearer(Secret),
}

/// How to reach one ServiceNow instance.
#[derive(Debug, Clone)]
pub struct ServiceNowConfig {
    /// Instance URL, e.g. `https://acme.service-now.com` (checked when the sink is built).
    pub base_url: String,
    /// Credential.
    pub auth: ServiceNowAuth,
    /// Default assignment group (sys_id or name); the ownership map's project overrides it.
    pub assignment_group: Option<String>,
    /// `close_code` of resolved incidents.
    pub close_code: String,
    /// Look owners up by e-mail in `sys_user` and set `assigned_to`.
    pub assign_owner: bool,
}

impl ServiceNowConfig {
    /// Reads the `STEPUP_SERVICENOW_*` settings through `lookup`. A token wins over user
    /// and password.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, TicketSettingError> {
        let base_url = required(&lookup, SYSTEM, URL)?;
        let auth = match optional(&lookup, TOKEN) {
            Some(token) => ServiceNowAuth::Bearer(Secret::new(token)),
            None => ServiceNowAuth::Basic {
                user: required(&lookup, SYSTEM, USER)?,
                password: Secret::new(required(&lookup, SYSTEM, PASSWORD)?),
            },
        };
        Ok(Self {
            base_url,
            auth,
            assignment_group: optional(&lookup, ASSIGNMENT_GROUP),
            close_code: optional(&lookup, CLOSE_CODE)
                .unwrap_or_else(|| DEFAULT_CLOSE_CODE.to_owned()),
            assign_owner: boolean(&lookup, ASSIGN_OWNER, true)?,
        })
    }

    /// The setting to fix when the instance answers 401/403.
    pub fn credential_settings(&self) -> &'static str {
        match self.auth {
            ServiceNowAuth::Basic { .. } => "STEPUP_SERVICENOW_USER / STEPUP_SERVICENOW_PASSWORD",
            ServiceNowAuth::Bearer(_) => TOKEN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<ServiceNowConfig, TicketSettingError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ServiceNowConfig::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn unset_url_is_missing() {
        assert_eq!(
            read(&[(USER, "u")]).unwrap_err(),
            TicketSettingError::Missing {
                system: "servicenow",
                setting: URL
            }
        );
    }

    #[test]
    fn basic_auth_with_defaults() {
        let c = read(&[
            (URL, "https://acme.service-now.com/"),
            (USER, "stepup.integration"),
            (PASSWORD, "pw-1"),
        ])
        .unwrap();
        assert_eq!(c.base_url, "https://acme.service-now.com/");
        assert_eq!(
            c.auth,
            ServiceNowAuth::Basic {
                user: "stepup.integration".into(),
                password: Secret::new("pw-1")
            }
        );
        assert_eq!(c.close_code, DEFAULT_CLOSE_CODE);
        assert_eq!(c.assignment_group, None);
        assert!(c.assign_owner);
        assert!(!format!("{c:?}").contains("pw-1"));
    }

    #[test]
    fn token_wins_and_options_are_read() {
        let c = read(&[
            (URL, "https://acme.service-now.com"),
            (TOKEN, "tok"),
            (ASSIGNMENT_GROUP, "Cloud Platform"),
            (CLOSE_CODE, "Solved (Permanently)"),
            (ASSIGN_OWNER, "false"),
        ])
        .unwrap();
        assert_eq!(c.auth, ServiceNowAuth::Bearer(Secret::new("tok")));
        assert_eq!(c.assignment_group.as_deref(), Some("Cloud Platform"));
        assert_eq!(c.close_code, "Solved (Permanently)");
        assert!(!c.assign_owner);
        assert_eq!(c.credential_settings(), TOKEN);
    }

    #[test]
    fn missing_password_is_named() {
        let err = read(&[(URL, "https://x.service-now.com"), (USER, "u")]).unwrap_err();
        assert_eq!(
            err,
            TicketSettingError::Missing {
                system: "servicenow",
                setting: PASSWORD
            }
        );
    }
}
