//! The alert settings: `STEPUP_ALERT_AUDIENCE` and `STEPUP_ALERT_TRACKING_IDS`.

/// Setting: the secure-webhook audience.
pub const AUDIENCE_VAR: &str = "STEPUP_ALERT_AUDIENCE";
/// Setting: tracking ids of enforcement notices.
pub const TRACKING_IDS_VAR: &str = "STEPUP_ALERT_TRACKING_IDS";

/// How `/api/service-health` authenticates and recognises notices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertSettings {
    /// When set, requests need a valid secure-webhook bearer token for this audience.
    pub audience: Option<String>,
    /// Service Health tracking ids that are MFA enforcement notices.
    pub tracking_ids: Vec<String>,
}

/// A setting with a value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct AlertSettingsError {
    /// The setting.
    pub name: &'static str,
    /// What is wrong.
    pub message: String,
}

impl AlertSettings {
    /// Reads the settings through `lookup`; unset or empty values take the defaults.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, AlertSettingsError> {
        let audience = lookup(AUDIENCE_VAR)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(a) = &audience {
            if a.chars().any(char::is_whitespace) {
                return Err(AlertSettingsError {
                    name: AUDIENCE_VAR,
                    message: "an audience is one app id URI or client id, without blanks".into(),
                });
            }
        }
        let tracking_ids = lookup(TRACKING_IDS_VAR)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>();
        if let Some(bad) = tracking_ids.iter().find(|t| {
            !t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        }) {
            return Err(AlertSettingsError {
                name: TRACKING_IDS_VAR,
                message: format!(
                    "{bad:?} is not a tracking id (letters, digits and hyphens, e.g. ABCD-123)"
                ),
            });
        }
        Ok(Self {
            audience,
            tracking_ids,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<AlertSettings, AlertSettingsError> {
        AlertSettings::from_lookup(|k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults_and_values() {
        assert_eq!(read(&[]).unwrap(), AlertSettings::default());
        let s = read(&[
            (AUDIENCE_VAR, " api://stepup-alerts "),
            (TRACKING_IDS_VAR, "ABCD-123, ,WXYZ-9"),
        ])
        .unwrap();
        assert_eq!(s.audience.as_deref(), Some("api://stepup-alerts"));
        assert_eq!(s.tracking_ids, vec!["ABCD-123", "WXYZ-9"]);
        assert_eq!(
            read(&[(TRACKING_IDS_VAR, "AB CD")]).unwrap_err().name,
            TRACKING_IDS_VAR
        );
        assert_eq!(
            read(&[(AUDIENCE_VAR, "a b")]).unwrap_err().name,
            AUDIENCE_VAR
        );
    }
}
