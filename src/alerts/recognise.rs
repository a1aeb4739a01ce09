//! Which Service Health events are the tenant's mandatory-MFA (Phase 2) enforcement notice:
//! a configured tracking id (`STEPUP_ALERT_TRACKING_IDS`), or a title/communication that
//! speaks of multifactor authentication being required on Azure Resource Manager, Azure CLI
//! or Azure PowerShell. Service incidents are never recognised by their text: an outage of
//! MFA sign-ins is not an enforcement notice.

use std::sync::LazyLock;

use regex::Regex;

use super::event::ServiceHealthEvent;

/// Why an event was recognised as the enforcement notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recognition {
    /// Its tracking id is one of the configured ones.
    TrackingId(String),
    /// Its text is about MFA enforcement on the ARM control plane.
    Text,
}

/// Mentions of multifactor authentication.
static MFA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(multi[- ]?factor[- ]authentication|mfa)\b")
        .unwrap_or_else(|e| unreachable!("fixed pattern: {e}"))
});

/// Mentions of the ARM control plane or its command-line clients.
static ARM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(azure resource manager|azure cli|azure command[- ]line interface|azure powershell|az powershell|management\.azure\.com)\b",
    )
    .unwrap_or_else(|e| unreachable!("fixed pattern: {e}"))
});

/// Words of a requirement being put in force.
static REQUIREMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(enforc\w*|requir\w*|mandatory|phase 2)\b")
        .unwrap_or_else(|e| unreachable!("fixed pattern: {e}"))
});

/// Recognises enforcement notices.
#[derive(Debug, Clone, Default)]
pub struct NoticeMatcher {
    /// Tracking ids that are enforcement notices, upper-cased.
    tracking_ids: Vec<String>,
}

impl NoticeMatcher {
    /// A matcher that also recognises these tracking ids (compared case-insensitively).
    pub fn new(tracking_ids: &[String]) -> Self {
        Self {
            tracking_ids: tracking_ids
                .iter()
                .map(|t| t.trim().to_ascii_uppercase())
                .filter(|t| !t.is_empty())
                .collect(),
        }
    }

    /// Whether `event` is an MFA enforcement notice, and why.
    pub fn recognise(&self, event: &ServiceHealthEvent) -> Option<Recognition> {
        if let Some(id) = &event.tracking_id {
            if self.tracking_ids.contains(&id.trim().to_ascii_uppercase()) {
                return Some(Recognition::TrackingId(id.clone()));
            }
        }
        let incident = event
            .incident_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("Incident"));
        (!incident && is_enforcement_text(&event.text())).then_some(Recognition::Text)
    }
}

/// Whether a text speaks of MFA being required on ARM, Azure CLI or Azure PowerShell.
pub fn is_enforcement_text(text: &str) -> bool {
    MFA.is_match(text) && ARM.is_match(text) && REQUIREMENT.is_match(text)
}
