//! What detection produces: signals, severities, evidence and findings.
//!
//! These types are shared by the detection core, the report renderers, the migration
//! guidance and (later) the lifecycle, tickets and Teams cards.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AppId, ObjectId, SubscriptionId};

/// A reason an account breaks under Phase 2 (DESIGN.md §3). The serde names are the
/// report's stable contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// A user's ARM create/update/delete whose token lacked `mfa`.
    SingleFactorArmWrite,
    /// A successful single-factor sign-in to an in-scope app or the Service Management API.
    SingleFactorSignin,
    /// Single-factor non-interactive sign-ins from an IP where the user never signs in
    /// interactively: a token refreshed on a machine nobody sits at.
    NonInteractive,
    /// A resource-owner password credentials (username + password) sign-in.
    Ropc,
    /// No MFA method registered while holding write access.
    NoMfaMethod,
    /// An emergency-access account without a phishing-resistant method.
    BreakGlassWeakMfa,
    /// Azure CLI < 2.76 or Az PowerShell < 14.3 seen in a user agent.
    OutdatedClient,
}

impl Signal {
    /// Every signal, in contract order.
    pub const ALL: [Signal; 7] = [
        Signal::SingleFactorArmWrite,
        Signal::SingleFactorSignin,
        Signal::NonInteractive,
        Signal::Ropc,
        Signal::NoMfaMethod,
        Signal::BreakGlassWeakMfa,
        Signal::OutdatedClient,
    ];

    /// The contract name (`single_factor_arm_write`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::SingleFactorArmWrite => "single_factor_arm_write",
            Signal::SingleFactorSignin => "single_factor_signin",
            Signal::NonInteractive => "non_interactive",
            Signal::Ropc => "ropc",
            Signal::NoMfaMethod => "no_mfa_method",
            Signal::BreakGlassWeakMfa => "break_glass_weak_mfa",
            Signal::OutdatedClient => "outdated_client",
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How badly an account breaks. Ordered so that `Critical` is the greatest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Only an outdated client.
    Low,
    /// Needs MFA registered or a client/habit change before the person's next write.
    Medium,
    /// A person writes to ARM without MFA.
    High,
    /// Will fail unattended: nobody is there to answer the MFA prompt.
    Critical,
}

impl Severity {
    /// Most severe first.
    pub const DESCENDING: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// The contract name (`critical`, `high`, `medium`, `low`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "critical" => Ok(Severity::Critical),
            "high" => Ok(Severity::High),
            "medium" => Ok(Severity::Medium),
            "low" => Ok(Severity::Low),
            other => Err(format!(
                "unknown severity {other:?} (expected critical, high, medium or low)"
            )),
        }
    }
}

/// The client a request or sign-in came from, as far as app id and user agent tell.
/// Guidance is chosen per client seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    /// Azure CLI (`az`).
    AzureCli,
    /// Azure PowerShell (`Az` modules).
    AzurePowerShell,
    /// The Azure mobile app.
    MobileApp,
    /// Terraform (azurerm / azapi providers).
    Terraform,
    /// Bicep deployments or the Azure Developer CLI (`azd`).
    BicepAzd,
    /// Ansible's azure collection.
    Ansible,
    /// Direct REST or an Azure SDK.
    RestSdk,
    /// The Azure portal (Phase 1; seen, not in Phase 2 scope).
    Portal,
}

/// A CI system a sign-in or write came from, when the user agent or IP says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiSystem {
    /// GitHub Actions runners.
    GitHubActions,
    /// Azure Pipelines agents.
    AzurePipelines,
}

/// Where an event came from, kept with evidence so people see what broke.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceContext {
    /// The application id of the client.
    pub app_id: Option<AppId>,
    /// The client as classified from app id and user agent.
    pub client: Option<Client>,
    /// The CI system, when recognisable.
    pub ci: Option<CiSystem>,
    /// The ARM operation (`authorization.action`), for writes.
    pub operation: Option<String>,
    /// The subscription written to.
    pub subscription: Option<SubscriptionId>,
    /// The caller's IP address.
    pub ip: Option<String>,
    /// The user agent string.
    pub user_agent: Option<String>,
    /// Whether the sign-in was interactive.
    pub interactive: Option<bool>,
    /// The event's status (`Succeeded`, `Failed`, …), for writes.
    pub status: Option<String>,
}

/// One piece of evidence for one signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The signal this supports.
    pub signal: Signal,
    /// When the event happened.
    pub at: DateTime<Utc>,
    /// A one-line human summary (the report's `detail`).
    pub detail: String,
    /// Structured context for cards, guidance and the HTML report.
    pub context: EvidenceContext,
}

/// Owner of an account and the rule that chose it (DESIGN.md §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// Who owns the remediation (a UPN or e-mail address).
    pub who: String,
    /// Which rule chose it.
    pub rule: OwnerRule,
    /// The owner's team, from a rich ownership-map entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The ticket project / repository / queue for this owner, from a rich ownership-map
    /// entry; tickets go there instead of the system's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_project: Option<String>,
}

/// The owner-resolution rule that matched, first match wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OwnerRule {
    /// The ownership map in settings.
    OwnershipMap,
    /// An Entra sponsor of the account.
    Sponsor,
    /// The account's manager.
    Manager,
    /// The `owner` tag of a subscription the account wrote to.
    SubscriptionTag,
    /// The configured default owner.
    Default,
}

/// Whether the directory lists the account as a member or a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserKind {
    /// A member of the tenant.
    Member,
    /// A B2B guest.
    Guest,
}

/// One at-risk account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The account's object id (the join key).
    pub user_id: ObjectId,
    /// The directory UPN (never an activity-log `caller`), when any source named it.
    pub upn: Option<String>,
    /// Display name, when known.
    pub display_name: Option<String>,
    /// Member or guest, when known.
    pub kind: Option<UserKind>,
    /// Whether the account is a configured emergency-access account.
    pub break_glass: bool,
    /// The highest severity that applies.
    pub severity: Severity,
    /// Signals that hold, in contract order.
    pub signals: BTreeSet<Signal>,
    /// The most recent and most telling events, a few per signal, newest first within a signal.
    pub evidence: Vec<Evidence>,
    /// Clients seen in the account's in-scope activity.
    pub clients: BTreeSet<Client>,
    /// CI systems seen.
    pub ci: BTreeSet<CiSystem>,
    /// Subscriptions the account wrote to (for owner tags).
    pub subscriptions: BTreeSet<SubscriptionId>,
    /// The owner, once owner resolution has run.
    pub owner: Option<Owner>,
}

/// A disabled account that still holds credentials (digest-only, never owner work).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisabledAccount {
    /// The account's object id.
    pub user_id: ObjectId,
    /// The directory UPN, when known.
    pub upn: Option<String>,
}

/// What a detection run over a set of records produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detection {
    /// Distinct user accounts seen in any source (service principals excluded).
    pub accounts_scanned: usize,
    /// At-risk accounts, most severe first, then by UPN, then by id.
    pub findings: Vec<Finding>,
    /// Disabled accounts that would otherwise have been reported.
    pub disabled: Vec<DisabledAccount>,
    /// The time span of the events used (oldest, newest).
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}
