//! Words for people: signal, client and CI names, and the small facts every human format
//! shows (account name, latest and earliest evidence, readiness).

use crate::detect::model::{CiSystem, Client, OwnerRule, Signal};

use super::model::{AccountReport, EvidenceReport, ScanReport};

/// A short human name for a signal.
pub fn signal_label(signal: Signal) -> &'static str {
    match signal {
        Signal::SingleFactorArmWrite => "single-factor ARM write",
        Signal::SingleFactorSignin => "single-factor sign-in",
        Signal::NonInteractive => "unattended token refresh",
        Signal::Ropc => "password in a script (ROPC)",
        Signal::NoMfaMethod => "no MFA method",
        Signal::BreakGlassWeakMfa => "break-glass without phishing-resistant MFA",
        Signal::OutdatedClient => "outdated client",
    }
}

/// A human name for a client.
pub fn client_label(client: Client) -> &'static str {
    match client {
        Client::AzureCli => "Azure CLI",
        Client::AzurePowerShell => "Azure PowerShell",
        Client::MobileApp => "Azure mobile app",
        Client::Terraform => "Terraform",
        Client::BicepAzd => "Bicep / azd",
        Client::Ansible => "Ansible",
        Client::RestSdk => "REST / SDK",
        Client::Portal => "Azure portal",
    }
}

/// A human name for a CI system.
pub fn ci_label(ci: CiSystem) -> &'static str {
    match ci {
        CiSystem::GitHubActions => "GitHub Actions",
        CiSystem::AzurePipelines => "Azure Pipelines",
    }
}

/// How the owner was found, in words.
pub fn owner_rule_label(rule: OwnerRule) -> &'static str {
    match rule {
        OwnerRule::OwnershipMap => "ownership map",
        OwnerRule::Sponsor => "Entra sponsor",
        OwnerRule::Manager => "manager",
        OwnerRule::SubscriptionTag => "subscription owner tag",
        OwnerRule::Default => "default owner",
    }
}

/// The UPN, or the object id when no source named the account.
pub fn account_name(account: &AccountReport) -> String {
    account
        .user_principal_name
        .clone()
        .unwrap_or_else(|| account.user_id.to_string())
}

/// The newest evidence line (report times are uniform RFC 3339 UTC, so they sort as text).
pub fn latest_evidence(account: &AccountReport) -> Option<&EvidenceReport> {
    account.evidence.iter().max_by(|a, b| a.at.cmp(&b.at))
}

/// The oldest evidence line.
pub fn earliest_evidence(account: &AccountReport) -> Option<&EvidenceReport> {
    account.evidence.iter().min_by(|a, b| a.at.cmp(&b.at))
}

/// Readiness as people read it: `92.3%`, rounded down so that a scan with any account at
/// risk never reads 100%.
pub fn readiness(report: &ScanReport) -> String {
    format!("{:.1}%", (report.readiness_percent() * 10.0).floor() / 10.0)
}

/// "Showing 3 of 12 at-risk accounts (severity filter)" when the list was filtered.
pub fn filter_note(report: &ScanReport) -> Option<String> {
    (report.accounts.len() < report.summary.at_risk).then(|| {
        format!(
            "Showing {} of {} at-risk accounts (severity filter); counts above cover the whole scan.",
            report.accounts.len(),
            report.summary.at_risk
        )
    })
}

/// The postponement facts every human format states (the link is added by each format).
pub fn postponement_note(report: &ScanReport) -> String {
    let last = crate::calendar::Phase2::last_postponement_date();
    if report.enforcement.postponable {
        format!(
            "A Global Administrator can still postpone Phase 2 (to {last} at the latest). \
             After {last}, or once enforced, only a Microsoft support request lifts enforcement, temporarily."
        )
    } else {
        format!(
            "Self-service postponement is no longer available: once enforced, and in any case \
             after {last}, only a Microsoft support request lifts enforcement, temporarily."
        )
    }
}
