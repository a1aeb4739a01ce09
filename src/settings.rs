//! Tenant settings: `stepup.toml` in an export directory, or the `STEPUP_*` environment in
//! Azure (DESIGN.md §4).

use std::path::Path;

use chrono::NaiveDate;
use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;

use crate::ids::TenantId;

/// Why settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has a wrong value.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, with the key.
        message: String,
    },
}

/// One entry of the ownership map: who owns the accounts a glob matches.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum OwnerEntry {
    /// The plain form: `"svc-*@contoso.com" = "platform-team@contoso.com"`.
    Plain(String),
    /// The rich form with a team, a Teams webhook and a ticket project.
    Rich(RichOwner),
}

/// The rich form of an ownership entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RichOwner {
    /// The owner's UPN or e-mail address.
    pub owner: String,
    /// A team name shown in tickets and digests.
    #[serde(default)]
    pub team: Option<String>,
    /// A Teams webhook for this team's notices (a secret: it carries a signature).
    #[serde(default)]
    pub teams_webhook: Option<crate::secret::Secret>,
    /// The ticket project or queue for this team.
    #[serde(default)]
    pub ticket_project: Option<String>,
}

impl<'de> Deserialize<'de> for crate::secret::Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(crate::secret::Secret::new)
    }
}

impl OwnerEntry {
    /// The owner's address.
    pub fn owner(&self) -> &str {
        match self {
            OwnerEntry::Plain(o) => o,
            OwnerEntry::Rich(r) => &r.owner,
        }
    }
}

/// A compiled ownership rule: UPN glob (case-insensitive) → owner.
#[derive(Debug, Clone)]
pub struct OwnerRule {
    /// The glob as written.
    pub pattern: String,
    matcher: GlobMatcher,
    /// Who owns matching accounts.
    pub entry: OwnerEntry,
}

impl OwnerRule {
    /// Whether the rule matches a UPN or an object id.
    pub fn matches(&self, upn_or_id: &str) -> bool {
        self.matcher.is_match(upn_or_id.to_ascii_lowercase())
    }
}

/// Tenant settings.
#[derive(Debug, Clone, Default)]
pub struct TenantSettings {
    /// The tenant's id, when configured.
    pub tenant_id: Option<TenantId>,
    /// The tenant's own Phase 2 date; `None` means the rollout start.
    pub enforcement_date: Option<NaiveDate>,
    /// Emergency-access accounts by UPN or object id (lowercased).
    pub break_glass: Vec<String>,
    /// The ownership map, in file order: first match wins.
    pub owners: Vec<OwnerRule>,
    /// The owner when no rule, sponsor, manager or tag names one.
    pub default_owner: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    #[serde(default)]
    tenant_id: Option<TenantId>,
    #[serde(default)]
    enforcement_date: Option<NaiveDate>,
    #[serde(default)]
    break_glass: Vec<String>,
    #[serde(default)]
    owners: toml::Table,
    #[serde(default)]
    default_owner: Option<String>,
}

impl TenantSettings {
    /// Parses `stepup.toml` text; `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, SettingsError> {
        let invalid = |message: String| SettingsError::Invalid {
            path: origin.to_string(),
            message,
        };
        let raw: RawSettings =
            toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        let mut owners = Vec::with_capacity(raw.owners.len());
        for (pattern, value) in raw.owners {
            let entry = OwnerEntry::deserialize(value)
                .map_err(|e| invalid(format!("owners.{pattern:?}: {e}")))?;
            owners.push(OwnerRule::compile(&pattern, entry).map_err(invalid)?);
        }
        Ok(Self {
            tenant_id: raw.tenant_id,
            enforcement_date: raw.enforcement_date,
            break_glass: raw
                .break_glass
                .iter()
                .map(|b| b.trim().to_ascii_lowercase())
                .collect(),
            owners,
            default_owner: raw.default_owner,
        })
    }

    /// Reads `stepup.toml` from a file.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// The Phase 2 date in force: the tenant's own, else the rollout start.
    pub fn effective_enforcement_date(&self) -> NaiveDate {
        self.enforcement_date
            .unwrap_or_else(crate::calendar::Phase2::rollout_start)
    }

    /// Whether a UPN or object id names a configured emergency-access account.
    pub fn is_break_glass(&self, upn: Option<&str>, id: &str) -> bool {
        self.break_glass
            .iter()
            .any(|b| b.eq_ignore_ascii_case(id) || upn.is_some_and(|u| b.eq_ignore_ascii_case(u)))
    }

    /// The first ownership rule matching a UPN (or, failing that, the object id).
    pub fn owner_rule_for(&self, upn: Option<&str>, id: &str) -> Option<&OwnerRule> {
        self.owners
            .iter()
            .find(|r| upn.is_some_and(|u| r.matches(u)) || r.matches(id))
    }
}

impl OwnerRule {
    /// Compiles a case-insensitive UPN glob.
    pub fn compile(pattern: &str, entry: OwnerEntry) -> Result<Self, String> {
        let matcher = GlobBuilder::new(&pattern.to_ascii_lowercase())
            .case_insensitive(true)
            .literal_separator(false)
            .build()
            .map_err(|e| format!("owners.{pattern:?}: not a valid glob: {e}"))?
            .compile_matcher();
        Ok(Self {
            pattern: pattern.to_string(),
            matcher,
            entry,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
enforcement_date = "2025-10-01"
break_glass = ["BG-admin01@contoso.onmicrosoft.com"]
default_owner = "cloud-admins@contoso.com"

[owners]
"svc-*@contoso.com" = "platform-team@contoso.com"
"*@contoso.com" = { owner = "it@contoso.com", team = "IT", teams_webhook = "https://example.invalid/hook?sig=abc" }
"#;

    #[test]
    fn parses_the_documented_shape_in_order() {
        let s = TenantSettings::from_toml(SAMPLE, "stepup.toml").unwrap();
        assert_eq!(s.effective_enforcement_date().to_string(), "2025-10-01");
        assert!(s.is_break_glass(Some("bg-admin01@contoso.onmicrosoft.com"), "x"));
        let first = s
            .owner_rule_for(Some("SVC-deploy@contoso.com"), "x")
            .unwrap();
        assert_eq!(first.entry.owner(), "platform-team@contoso.com");
        let second = s.owner_rule_for(Some("alice@contoso.com"), "x").unwrap();
        assert_eq!(second.entry.owner(), "it@contoso.com");
        assert!(s.owner_rule_for(Some("bob@fabrikam.com"), "x").is_none());
        assert!(
            !format!("{s:?}").contains("sig=abc"),
            "webhook must not print"
        );
    }

    #[test]
    fn wrong_values_name_the_key() {
        let err = TenantSettings::from_toml("enforcement_date = \"soon\"", "x/stepup.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x/stepup.toml:"), "{err}");
        assert!(
            err.contains("input contains invalid characters")
                || err.contains("premature end of input"),
            "{err}"
        );
        let err = TenantSettings::from_toml("owners = { \"a\" = 3 }", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("owners.\"a\""), "{err}");
        let err = TenantSettings::from_toml("colour = 1", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `colour`"), "{err}");
    }
}
