//! Where a Teams message goes: the default channel (`STEPUP_TEAMS_WEBHOOK`) or a team's
//! channel named by a rich ownership-map entry (`teams_webhook`). A [`Channel`] names a
//! channel without its URL, so it can be logged, queued and written to state; the URLs
//! (secrets: they carry the webhook's signature) live only in a [`ChannelBook`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::secret::Secret;
use crate::settings::{OwnerEntry, TenantSettings};

use super::settings::{webhook_url, TeamsSettingError};

/// A channel, by name only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Channel {
    /// The default channel (`STEPUP_TEAMS_WEBHOOK`, or the outbox).
    Default,
    /// The channel of the ownership-map entry whose glob is `rule`.
    Team {
        /// The entry's UPN glob, as written (unique in the map).
        rule: String,
        /// The entry's team name, when it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team: Option<String>,
    },
}

impl Channel {
    /// The channel of an account: its ownership-map entry's team channel when that entry
    /// names a Teams webhook, otherwise the default channel.
    pub fn for_account(settings: &TenantSettings, upn: Option<&str>, user_id: &str) -> Self {
        match settings.owner_rule_for(upn, user_id) {
            Some(rule) => match &rule.entry {
                OwnerEntry::Rich(rich) if rich.teams_webhook.is_some() => Channel::Team {
                    rule: rule.pattern.clone(),
                    team: rich.team.clone(),
                },
                _ => Channel::Default,
            },
            None => Channel::Default,
        }
    }

    /// A name safe in file names and state keys: `default`, or `team-<name>-<hash>` (the
    /// hash of the rule keeps two rules with similar names apart).
    pub fn slug(&self) -> String {
        match self {
            Channel::Default => "default".to_owned(),
            Channel::Team { rule, team } => format!(
                "team-{}-{}",
                slug(team.as_deref().unwrap_or(rule), 40),
                short_hash(rule)
            ),
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Channel::Default => f.write_str("the default channel"),
            Channel::Team {
                team: Some(team), ..
            } => write!(f, "the channel of team {team}"),
            Channel::Team { rule, team: None } => {
                write!(f, "the channel of owners rule {rule:?}")
            }
        }
    }
}

/// The webhook URL of every configured channel. Never printed: `Debug` shows channel names.
#[derive(Clone, Default)]
pub struct ChannelBook {
    default: Option<Secret>,
    teams: BTreeMap<String, Secret>,
}

impl fmt::Debug for ChannelBook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChannelBook")
            .field("default", &self.default.is_some())
            .field("teams", &self.teams.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ChannelBook {
    /// A book with only the default channel (or none).
    pub fn new(default: Option<Secret>) -> Self {
        Self {
            default,
            teams: BTreeMap::new(),
        }
    }

    /// Adds the channel of the ownership-map entry `rule`.
    pub fn with_team(mut self, rule: impl Into<String>, url: Secret) -> Self {
        self.teams.insert(rule.into(), url);
        self
    }

    /// The default channel's webhook and every rich ownership-map entry's `teams_webhook`,
    /// each checked (https; errors name the channel, never the URL).
    pub fn from_settings(
        default: Option<Secret>,
        tenant: &TenantSettings,
    ) -> Result<Self, TeamsSettingError> {
        let mut book = Self::new(default);
        for rule in &tenant.owners {
            if let OwnerEntry::Rich(rich) = &rule.entry {
                if let Some(url) = &rich.teams_webhook {
                    let channel = Channel::Team {
                        rule: rule.pattern.clone(),
                        team: rich.team.clone(),
                    };
                    let url = webhook_url("owners", &channel.to_string(), url.expose())?;
                    book.teams.insert(rule.pattern.clone(), url);
                }
            }
        }
        Ok(book)
    }

    /// The webhook of `channel`, when configured.
    pub fn url(&self, channel: &Channel) -> Option<&Secret> {
        match channel {
            Channel::Default => self.default.as_ref(),
            Channel::Team { rule, .. } => self.teams.get(rule),
        }
    }

    /// Whether no channel has a webhook (everything goes to the outbox).
    pub fn is_empty(&self) -> bool {
        self.default.is_none() && self.teams.is_empty()
    }
}

/// Lowercase letters, digits, `.`, `_` and `-` from `text` (others become `_`), at most
/// `max` characters; never empty.
pub fn slug(text: &str, max: usize) -> String {
    let s: String = text
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '.' | '-' | '_' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            '@' => '_',
            _ => '_',
        })
        .take(max)
        .collect();
    let s = s.trim_matches('.').to_owned();
    if s.is_empty() {
        "_".to_owned()
    } else {
        s
    }
}

/// The first 8 hex digits of SHA-256 of `text`: stable across builds and machines.
pub fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
[owners]
"svc-*@contoso.com" = { owner = "platform@contoso.com", team = "Platform", teams_webhook = "https://hooks.example.com/platform?sig=s3cr3t" }
"ops-*@contoso.com" = { owner = "ops@contoso.com", team = "Ops" }
"*@contoso.com" = "it@contoso.com"
"#;

    #[test]
    fn accounts_go_to_their_team_channel_when_it_has_a_webhook() {
        let settings = TenantSettings::from_toml(TOML, "stepup.toml").unwrap();
        let platform = Channel::for_account(&settings, Some("svc-deploy@contoso.com"), "x");
        assert_eq!(
            platform,
            Channel::Team {
                rule: "svc-*@contoso.com".into(),
                team: Some("Platform".into())
            }
        );
        assert_eq!(
            Channel::for_account(&settings, Some("ops-1@contoso.com"), "x"),
            Channel::Default,
            "a team without a webhook uses the default channel"
        );
        assert_eq!(
            Channel::for_account(&settings, Some("bob@fabrikam.com"), "x"),
            Channel::Default
        );

        let book = ChannelBook::from_settings(None, &settings).unwrap();
        assert!(book.url(&platform).is_some());
        assert!(book.url(&Channel::Default).is_none());
        assert!(!format!("{book:?}").contains("s3cr3t"));
        assert_eq!(platform.to_string(), "the channel of team Platform");
        assert!(platform.slug().starts_with("team-platform-"));
    }

    #[test]
    fn a_bad_team_webhook_names_the_team_not_the_url() {
        let toml = r#"
[owners]
"svc-*" = { owner = "p@contoso.com", team = "Platform", teams_webhook = "http://hooks.example.com/x?sig=s3cr3t" }
"#;
        let settings = TenantSettings::from_toml(toml, "stepup.toml").unwrap();
        let err = ChannelBook::from_settings(None, &settings).unwrap_err();
        assert!(err.to_string().contains("team Platform"), "{err}");
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }

    #[test]
    fn slugs_are_safe_and_stable() {
        assert_eq!(
            slug("Platform-Team@Contoso.com", 60),
            "platform-team_contoso.com"
        );
        assert_eq!(slug("../..", 60), "_");
        assert_eq!(short_hash("svc-*"), short_hash("svc-*"));
        assert_ne!(short_hash("svc-*"), short_hash("svc-?"));
        let json = serde_json::to_value(Channel::Default).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "default"}));
    }
}
