//! The chat commands' settings, read through a lookup (only `src/config.rs` reads the
//! process environment): the outgoing webhook's HMAC secret, the admins and the longest
//! snooze.

use crate::ids::ObjectId;
use crate::lifecycle::record::DEFAULT_MAX_SNOOZE_DAYS;
use crate::secret::Secret;

use super::hmac::{keys_from, HmacKey};

/// The secret's variable.
pub const HMAC_SECRET_VAR: &str = "STEPUP_TEAMS_HMAC_SECRET";
/// The admins' variable.
pub const ADMINS_VAR: &str = "STEPUP_ADMINS";
/// The longest snooze's variable.
pub const MAX_SNOOZE_DAYS_VAR: &str = "STEPUP_MAX_SNOOZE_DAYS";
/// The largest value `STEPUP_MAX_SNOOZE_DAYS` accepts.
pub const MAX_SNOOZE_DAYS_LIMIT: u32 = 90;

/// A chat setting with a wrong value (never the value of the secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ChatSettingError {
    /// The variable.
    pub name: &'static str,
    /// What is wrong.
    pub message: String,
}

/// Who may ack or snooze any account: by UPN (or e-mail) or by Entra object id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admins {
    /// UPNs and e-mail addresses, lowercased.
    pub names: Vec<String>,
    /// Object ids.
    pub ids: Vec<ObjectId>,
}

impl Admins {
    /// Whether `id` or one of `names` (UPN, mail; any case) is an admin.
    pub fn contains(&self, id: Option<&ObjectId>, names: &[&str]) -> bool {
        id.is_some_and(|id| self.ids.contains(id))
            || names
                .iter()
                .any(|n| self.names.iter().any(|a| a.eq_ignore_ascii_case(n.trim())))
    }

    /// Whether no admin is configured.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.ids.is_empty()
    }
}

/// Settings of the Teams chat commands.
#[derive(Debug, Clone)]
pub struct ChatSettings {
    /// `STEPUP_TEAMS_HMAC_SECRET`, decoded: one key per team's outgoing webhook; none:
    /// chat commands are refused.
    pub hmac_keys: Vec<HmacKey>,
    /// `STEPUP_ADMINS`.
    pub admins: Admins,
    /// `STEPUP_MAX_SNOOZE_DAYS` (1-90, default 30).
    pub max_snooze_days: u32,
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self {
            hmac_keys: Vec::new(),
            admins: Admins::default(),
            max_snooze_days: DEFAULT_MAX_SNOOZE_DAYS as u32,
        }
    }
}

impl ChatSettings {
    /// Reads the settings through `lookup` (unset or blank means the default).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ChatSettingError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let hmac_keys = get(HMAC_SECRET_VAR)
            .map(|v| keys_from(&Secret::new(v)))
            .transpose()
            .map_err(|e| ChatSettingError {
                name: HMAC_SECRET_VAR,
                message: e.to_string(),
            })?
            .unwrap_or_default();
        let admins = get(ADMINS_VAR)
            .map(|v| parse_admins(&v))
            .transpose()?
            .unwrap_or_default();
        let max_snooze_days = match get(MAX_SNOOZE_DAYS_VAR) {
            None => DEFAULT_MAX_SNOOZE_DAYS as u32,
            Some(text) => match text.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_SNOOZE_DAYS_LIMIT).contains(&n) => n,
                _ => {
                    return Err(ChatSettingError {
                        name: MAX_SNOOZE_DAYS_VAR,
                        message: format!(
                            "expected a whole number from 1 to {MAX_SNOOZE_DAYS_LIMIT}, got {:?}",
                            text.chars().take(40).collect::<String>()
                        ),
                    })
                }
            },
        };
        Ok(Self {
            hmac_keys,
            admins,
            max_snooze_days,
        })
    }
}

/// `a@contoso.com, 1b2c…` → admins; each entry is a GUID or contains `@`.
fn parse_admins(value: &str) -> Result<Admins, ChatSettingError> {
    let mut admins = Admins::default();
    for entry in value
        .split([',', ';'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        if let Ok(id) = ObjectId::parse(entry) {
            admins.ids.push(id);
        } else if entry.contains('@') && !entry.contains(char::is_whitespace) {
            admins.names.push(entry.to_ascii_lowercase());
        } else {
            return Err(ChatSettingError {
                name: ADMINS_VAR,
                message: format!(
                    "{:?} is neither a UPN nor an object id",
                    entry.chars().take(80).collect::<String>()
                ),
            });
        }
    }
    Ok(admins)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<ChatSettings, ChatSettingError> {
        ChatSettings::from_lookup(|k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults_refuse_chat_and_snooze_up_to_30_days() {
        let s = settings(&[]).unwrap();
        assert!(s.hmac_keys.is_empty());
        assert!(s.admins.is_empty());
        assert_eq!(s.max_snooze_days, 30);
    }

    #[test]
    fn values_are_parsed_and_checked() {
        let s = settings(&[
            (HMAC_SECRET_VAR, "c2VjcmV0LWtleS1ieXRlcw=="),
            (
                ADMINS_VAR,
                "Ada@Contoso.com; 1b2c3d4e-0000-0000-0000-000000000001",
            ),
            (MAX_SNOOZE_DAYS_VAR, " 90 "),
        ])
        .unwrap();
        assert_eq!(s.hmac_keys.len(), 1);
        assert_eq!(s.admins.names, ["ada@contoso.com"]);
        assert_eq!(s.admins.ids.len(), 1);
        assert!(s.admins.contains(None, &["ADA@contoso.com"]));
        assert!(s.admins.contains(Some(&s.admins.ids[0]), &[]));
        assert!(!s.admins.contains(None, &["bob@contoso.com"]));
        assert_eq!(s.max_snooze_days, 90);

        for (pairs, name) in [
            (vec![(HMAC_SECRET_VAR, "not base64!")], HMAC_SECRET_VAR),
            (vec![(ADMINS_VAR, "ada")], ADMINS_VAR),
            (vec![(MAX_SNOOZE_DAYS_VAR, "0")], MAX_SNOOZE_DAYS_VAR),
            (vec![(MAX_SNOOZE_DAYS_VAR, "91")], MAX_SNOOZE_DAYS_VAR),
            (vec![(MAX_SNOOZE_DAYS_VAR, "a week")], MAX_SNOOZE_DAYS_VAR),
        ] {
            let e = settings(&pairs).unwrap_err();
            assert_eq!(e.name, name, "{pairs:?}");
        }
    }

    #[test]
    fn a_bad_secret_is_named_but_never_shown() {
        let e = settings(&[(HMAC_SECRET_VAR, "sup3r-s3cret!")]).unwrap_err();
        assert!(!e.to_string().contains("sup3r"), "{e}");
        let ok = settings(&[(HMAC_SECRET_VAR, "c2VjcmV0LWtleS1ieXRlcw==")]).unwrap();
        assert!(!format!("{ok:?}").contains("c2VjcmV0"));
    }
}
