//! Teams delivery settings, read through a lookup (the process environment is read only in
//! `src/config.rs`): the default channel's webhook, the outbox folder, the request rate per
//! webhook URL and the renotify window.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use crate::secret::Secret;

/// Default of `STEPUP_TEAMS_RATE`: Teams accepts 4 requests a second per webhook.
pub const DEFAULT_RATE: u32 = 4;
/// Default of `STEPUP_RENOTIFY_DAYS`.
pub const DEFAULT_RENOTIFY_DAYS: u32 = 7;

/// A Teams setting with a wrong value; never carries the value of a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct TeamsSettingError {
    /// The setting.
    pub name: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// Where Teams messages go and how often owners hear from stepup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamsSettings {
    /// `STEPUP_TEAMS_WEBHOOK`: the default channel's Workflows (or legacy incoming) webhook.
    /// Unset: messages for the default channel go to the outbox folder.
    pub webhook: Option<Secret>,
    /// `STEPUP_TEAMS_DIR`, when set; otherwise the outbox is `<state dir>/teams`.
    pub outbox: Option<PathBuf>,
    /// `STEPUP_TEAMS_RATE`: requests per second to one webhook URL (1–1000, default 4).
    pub rate: NonZeroU32,
    /// `STEPUP_RENOTIFY_DAYS`: days before an owner hears again about an unchanged account
    /// (1–365, default 7).
    pub renotify_days: u32,
}

impl Default for TeamsSettings {
    fn default() -> Self {
        Self {
            webhook: None,
            outbox: None,
            rate: NonZeroU32::new(DEFAULT_RATE).unwrap_or(NonZeroU32::MIN),
            renotify_days: DEFAULT_RENOTIFY_DAYS,
        }
    }
}

impl TeamsSettings {
    /// Reads the settings through `lookup` (unset or blank means the default).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, TeamsSettingError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let webhook = get("STEPUP_TEAMS_WEBHOOK")
            .map(|v| webhook_url("STEPUP_TEAMS_WEBHOOK", "the default channel", v.trim()))
            .transpose()?;
        let rate = number(&get, "STEPUP_TEAMS_RATE", DEFAULT_RATE, 1..=1000)?;
        Ok(Self {
            webhook,
            outbox: get("STEPUP_TEAMS_DIR").map(|d| PathBuf::from(d.trim())),
            rate: NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN),
            renotify_days: number(&get, "STEPUP_RENOTIFY_DAYS", DEFAULT_RENOTIFY_DAYS, 1..=365)?,
        })
    }

    /// The outbox folder: `STEPUP_TEAMS_DIR`, else `<state_dir>/teams`.
    pub fn outbox_dir(&self, state_dir: &Path) -> PathBuf {
        self.outbox
            .clone()
            .unwrap_or_else(|| state_dir.join("teams"))
    }
}

/// Checks a webhook URL: `https://…` (plain `http://` only on a loopback host, for local
/// fakes), no user or password. Errors name `setting` and `channel`, never the URL: it
/// carries the webhook's signature.
pub fn webhook_url(
    setting: &'static str,
    channel: &str,
    raw: &str,
) -> Result<Secret, TeamsSettingError> {
    let invalid = |why: &str| TeamsSettingError {
        name: setting,
        message: format!("the webhook of {channel} is not usable: {why}"),
    };
    let url = url::Url::parse(raw).map_err(|e| invalid(&format!("not a URL ({e})")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(invalid("plain http is allowed only for localhost")),
        _ => return Err(invalid("the scheme must be https")),
    }
    if url.host().is_none() {
        return Err(invalid("no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("a user or password in the URL"));
    }
    Ok(Secret::new(raw))
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, TeamsSettingError> {
    match get(name) {
        None => Ok(default),
        Some(text) => crate::config::parse_whole_number(&text, range)
            .map_err(|message| TeamsSettingError { name, message }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<TeamsSettings, TeamsSettingError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TeamsSettings::from_lookup(|k| {
            pairs
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_and_values() {
        let none = read(&[]).unwrap();
        assert_eq!(none, TeamsSettings::default());
        assert_eq!((none.rate.get(), none.renotify_days), (4, 7));
        assert_eq!(
            none.outbox_dir(Path::new("/state")),
            PathBuf::from("/state/teams")
        );

        let set = read(&[
            ("STEPUP_TEAMS_WEBHOOK", "https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s3cr3t"),
            ("STEPUP_TEAMS_DIR", "/var/outbox"),
            ("STEPUP_TEAMS_RATE", " 2 "),
            ("STEPUP_RENOTIFY_DAYS", "14"),
        ])
        .unwrap();
        assert!(set.webhook.is_some());
        assert!(!format!("{set:?}").contains("s3cr3t"));
        assert_eq!(
            set.outbox_dir(Path::new("/state")),
            PathBuf::from("/var/outbox")
        );
        assert_eq!((set.rate.get(), set.renotify_days), (2, 14));
    }

    #[test]
    fn bad_values_name_the_setting_and_never_the_webhook() {
        for (name, value) in [
            ("STEPUP_TEAMS_RATE", "0"),
            ("STEPUP_TEAMS_RATE", "four"),
            ("STEPUP_RENOTIFY_DAYS", "0"),
            ("STEPUP_RENOTIFY_DAYS", "366"),
            (
                "STEPUP_TEAMS_WEBHOOK",
                "http://hooks.example.com/x?sig=s3cr3t",
            ),
            (
                "STEPUP_TEAMS_WEBHOOK",
                "ftp://hooks.example.com/x?sig=s3cr3t",
            ),
            (
                "STEPUP_TEAMS_WEBHOOK",
                "https://me:s3cr3t@hooks.example.com/x",
            ),
            ("STEPUP_TEAMS_WEBHOOK", "s3cr3t"),
        ] {
            let err = read(&[(name, value)]).unwrap_err();
            assert_eq!(err.name, name, "{value}");
            assert!(!err.to_string().contains("s3cr3t"), "{err}");
        }
        assert!(read(&[("STEPUP_TEAMS_WEBHOOK", "http://127.0.0.1:9/hook")]).is_ok());
    }
}
