//! The labelled personas of a synthetic tenant and what DESIGN.md §3 says each must
//! produce: the signals and severity of a reported account, or why it is never reported.
//!
//! This table is written from the contract, independently of the detection code, so that
//! detection can be tested against it by exact match.

use crate::detect::model::{Severity, Signal};

use Signal::{
    BreakGlassWeakMfa as B, NoMfaMethod as M, NonInteractive as N, OutdatedClient as O, Ropc as R,
    SingleFactorArmWrite as S, SingleFactorSignin as I,
};

/// One kind of account in a synthetic tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Persona {
    /// `az login -u -p` in a nightly cron job on a server with Azure CLI 2.60: ROPC sign-ins,
    /// token refreshes on the same server, single-factor writes (mostly failing since
    /// enforcement).
    RopcCron,
    /// `Connect-AzAccount -Credential` (ROPC) on a jump host whose token cache is used by a
    /// second server: refreshes and writes from an IP with no interactive sign-in.
    RopcSharedCache,
    /// `az login -u -p` in an inventory script that only reads: ROPC without writes.
    RopcReaderScript,
    /// An Azure Automation runbook signing in a user with a credential asset (ROPC) through
    /// Az PowerShell 9.7.1, no MFA method registered, single-factor writes.
    RunbookUser,
    /// An Azure Pipelines job refreshing a user's token on hosted agents and deploying.
    PipelineAzureDevOps,
    /// A GitHub Actions workflow refreshing a user's token (Azure CLI 2.71) and deploying.
    PipelineGitHubActions,
    /// A person with no MFA method who writes from Azure CLI and holds Contributor.
    NoMfaWriter,
    /// A person with no MFA method who writes through a group's role (no direct assignment).
    NoMfaWriterViaGroup,
    /// A B2B guest with no MFA method in this tenant who writes (caller = home e-mail).
    GuestNoMfaWriter,
    /// A person with MFA registered who signs in to Azure CLI with a password and writes.
    CliSingleFactorWriter,
    /// The same with Az PowerShell 14.3.0 (the minimum version: not outdated), amr `pwd,rsa`.
    PowerShellSingleFactorWriter,
    /// MFA in the portal, then single-factor Azure CLI 2.76.0 (not outdated) writes.
    PortalThenCliWriter,
    /// A B2B guest writing single-factor; its activity-log caller is its home e-mail.
    GuestWriter,
    /// Single-factor writes that all failed after enforcement (amr `wia`).
    FailedWriter,
    /// Single-factor writes from `AZURECLI/2.60.0`.
    OutdatedCliWriter,
    /// Single-factor writes (amr `fed`) with no in-scope sign-in in the export.
    ArmOnlyWriter,
    /// No MFA method, built-in Contributor, no Azure activity.
    NoMfaContributor,
    /// No MFA method, custom role with `Microsoft.Network/dnsZones/A/*`.
    NoMfaDnsOperator,
    /// No MFA method, a role definition known neither to the export nor as built-in.
    NoMfaUnknownRole,
    /// No MFA method, Contributor, single-factor Azure CLI sign-ins but no writes.
    NoMfaCliSignin,
    /// The emergency-access account with only phone and push methods.
    BreakGlassWeak,
    /// Single-factor Azure CLI sign-ins and workstation refreshes, no ARM events.
    SingleFactorSigninOnly,
    /// Single-factor Azure CLI sign-ins whose ARM events are only POST `/action` calls and
    /// reads: no single-factor write, but the sign-ins still count.
    SingleFactorReadsAndActions,
    /// Single-factor sign-ins from VS Code (an out-of-scope app) to the Service Management API.
    VsCodeArmSignin,
    /// Single-factor sign-ins from the Azure mobile app.
    MobileAppSingleFactor,
    /// Single-factor Azure CLI 2.8.0 sign-ins (2.8 < 2.76 numerically), no writes.
    OutdatedSingleFactorSignin,
    /// MFA-satisfied Azure CLI 2.60.0 user writing with `pwd,mfa`.
    OutdatedCliMfa,
    /// MFA-satisfied Az PowerShell 14.2.0 user writing with `rsa,mfa`.
    OutdatedPowerShellMfa,
    /// MFA-satisfied Azure CLI user with current clients and `pwd,mfa`/`rsa,mfa` writes.
    MfaCliWriter,
    /// Federated user: single-factor sign-ins "MFA requirement satisfied by claim in the
    /// token", writes with `fed,mfa`.
    FederatedMfaClaim,
    /// MFA at the workstation; refreshes from the same IP satisfied by the token's claim.
    WorkstationMfaRefresh,
    /// Only failed sign-ins (MFA required, wrong password, failed ROPC) with an old client.
    FailedSigninsOnly,
    /// A disabled service account that ran ROPC writes before it was disabled.
    DisabledLeaver,
    /// A disabled account without MFA that still holds Contributor.
    DisabledDormant,
    /// No MFA method, only the built-in Reader role.
    NoMfaReader,
    /// No MFA method, only built-in Monitoring Reader (whose actions include
    /// `Microsoft.Support/*`, but built-in "…Reader" roles are read-only).
    NoMfaMonitoringReader,
    /// No MFA method, only the custom read-only role (`Microsoft.Consumption/*/read`).
    NoMfaCustomReadOnly,
    /// The emergency-access account with a FIDO2 security key.
    BreakGlassFido2,
    /// Single-factor sign-ins to Teams, Outlook, OneDrive and Graph Explorer only.
    OutOfScopeAppsOnly,
    /// An application service principal (secret or certificate).
    ServicePrincipal,
    /// A managed identity (system- or user-assigned).
    ManagedIdentity,
    /// Ordinary MFA users of Microsoft 365 and Azure: the bulk of the tenant.
    Noise,
}

/// What the contract says about a persona.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectation {
    /// Reported with exactly these signals (contract order) and this severity.
    Reported {
        /// The highest severity that applies.
        severity: Severity,
        /// Every signal that holds.
        signals: &'static [Signal],
    },
    /// Never reported, for this reason (the `reason` of `expected.json`'s `excluded`).
    Excluded {
        /// Why the account is not at risk.
        reason: &'static str,
    },
    /// Ordinary users: never reported, not listed one by one.
    Noise,
}

/// How many accounts of a persona a tenant holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Exactly one (the two configured break-glass accounts).
    One,
    /// The tenant's per-persona count, which grows with the number of users.
    Scaled,
    /// Workload identities, counted separately.
    Workload,
    /// Everyone else.
    Rest,
}

use Expectation::{Excluded, Reported};
use Severity::{Critical, High, Low, Medium};

impl Persona {
    /// Every persona, most severe first; `Noise` last.
    pub const ALL: [Persona; 42] = [
        Persona::RopcCron,
        Persona::RopcSharedCache,
        Persona::RopcReaderScript,
        Persona::RunbookUser,
        Persona::PipelineAzureDevOps,
        Persona::PipelineGitHubActions,
        Persona::NoMfaWriter,
        Persona::NoMfaWriterViaGroup,
        Persona::GuestNoMfaWriter,
        Persona::CliSingleFactorWriter,
        Persona::PowerShellSingleFactorWriter,
        Persona::PortalThenCliWriter,
        Persona::GuestWriter,
        Persona::FailedWriter,
        Persona::OutdatedCliWriter,
        Persona::ArmOnlyWriter,
        Persona::NoMfaContributor,
        Persona::NoMfaDnsOperator,
        Persona::NoMfaUnknownRole,
        Persona::NoMfaCliSignin,
        Persona::BreakGlassWeak,
        Persona::SingleFactorSigninOnly,
        Persona::SingleFactorReadsAndActions,
        Persona::VsCodeArmSignin,
        Persona::MobileAppSingleFactor,
        Persona::OutdatedSingleFactorSignin,
        Persona::OutdatedCliMfa,
        Persona::OutdatedPowerShellMfa,
        Persona::MfaCliWriter,
        Persona::FederatedMfaClaim,
        Persona::WorkstationMfaRefresh,
        Persona::FailedSigninsOnly,
        Persona::DisabledLeaver,
        Persona::DisabledDormant,
        Persona::NoMfaReader,
        Persona::NoMfaMonitoringReader,
        Persona::NoMfaCustomReadOnly,
        Persona::BreakGlassFido2,
        Persona::OutOfScopeAppsOnly,
        Persona::ServicePrincipal,
        Persona::ManagedIdentity,
        Persona::Noise,
    ];

    /// The label written to `expected.json` (snake case).
    pub fn name(self) -> &'static str {
        match self {
            Persona::RopcCron => "ropc_cron",
            Persona::RopcSharedCache => "ropc_shared_cache",
            Persona::RopcReaderScript => "ropc_reader_script",
            Persona::RunbookUser => "runbook_user",
            Persona::PipelineAzureDevOps => "pipeline_azure_devops",
            Persona::PipelineGitHubActions => "pipeline_github_actions",
            Persona::NoMfaWriter => "no_mfa_writer",
            Persona::NoMfaWriterViaGroup => "no_mfa_writer_via_group",
            Persona::GuestNoMfaWriter => "guest_no_mfa_writer",
            Persona::CliSingleFactorWriter => "cli_single_factor_writer",
            Persona::PowerShellSingleFactorWriter => "powershell_single_factor_writer",
            Persona::PortalThenCliWriter => "portal_then_cli_writer",
            Persona::GuestWriter => "guest_writer",
            Persona::FailedWriter => "failed_writer",
            Persona::OutdatedCliWriter => "outdated_cli_writer",
            Persona::ArmOnlyWriter => "arm_only_writer",
            Persona::NoMfaContributor => "no_mfa_contributor",
            Persona::NoMfaDnsOperator => "no_mfa_dns_operator",
            Persona::NoMfaUnknownRole => "no_mfa_unknown_role",
            Persona::NoMfaCliSignin => "no_mfa_cli_signin",
            Persona::BreakGlassWeak => "break_glass_weak",
            Persona::SingleFactorSigninOnly => "single_factor_signin_only",
            Persona::SingleFactorReadsAndActions => "single_factor_reads_and_actions",
            Persona::VsCodeArmSignin => "vscode_arm_signin",
            Persona::MobileAppSingleFactor => "mobile_app_single_factor",
            Persona::OutdatedSingleFactorSignin => "outdated_single_factor_signin",
            Persona::OutdatedCliMfa => "outdated_cli_mfa",
            Persona::OutdatedPowerShellMfa => "outdated_powershell_mfa",
            Persona::MfaCliWriter => "mfa_cli_writer",
            Persona::FederatedMfaClaim => "federated_mfa_claim",
            Persona::WorkstationMfaRefresh => "workstation_mfa_refresh",
            Persona::FailedSigninsOnly => "failed_signins_only",
            Persona::DisabledLeaver => "disabled_leaver",
            Persona::DisabledDormant => "disabled_dormant",
            Persona::NoMfaReader => "no_mfa_reader",
            Persona::NoMfaMonitoringReader => "no_mfa_monitoring_reader",
            Persona::NoMfaCustomReadOnly => "no_mfa_custom_read_only",
            Persona::BreakGlassFido2 => "break_glass_fido2",
            Persona::OutOfScopeAppsOnly => "out_of_scope_apps_only",
            Persona::ServicePrincipal => "service_principal",
            Persona::ManagedIdentity => "managed_identity",
            Persona::Noise => "noise",
        }
    }

    /// What DESIGN.md §3 says this persona produces.
    ///
    /// Reasoning kept next to the answer: `ropc` and `non_interactive` only hold on
    /// successful single-factor in-scope sign-ins, which are themselves
    /// `single_factor_signin`, so every persona with either is critical. ROPC sign-ins are
    /// interactive: refreshes on the same host as the ROPC login are not `non_interactive`.
    pub fn expectation(self) -> Expectation {
        match self {
            // Same server for login and refreshes: no non_interactive; CLI 2.60 is outdated.
            Persona::RopcCron => reported(Critical, &[S, I, R, O]),
            // Refreshes from a host with no interactive sign-in; PowerShell 14.5 is current.
            Persona::RopcSharedCache => reported(Critical, &[S, I, N, R]),
            // ropc + single_factor_signin is critical without any write.
            Persona::RopcReaderScript => reported(Critical, &[I, R]),
            Persona::RunbookUser => reported(Critical, &[S, I, R, M, O]),
            Persona::PipelineAzureDevOps => reported(Critical, &[S, I, N]),
            Persona::PipelineGitHubActions => reported(Critical, &[S, I, N, O]),
            // no_mfa_method + single_factor_arm_write.
            Persona::NoMfaWriter => reported(Critical, &[S, I, M]),
            // no_mfa_method holds through the writes themselves.
            Persona::NoMfaWriterViaGroup => reported(Critical, &[S, I, M]),
            Persona::GuestNoMfaWriter => reported(Critical, &[S, I, M]),
            Persona::CliSingleFactorWriter => reported(High, &[S, I]),
            Persona::PowerShellSingleFactorWriter => reported(High, &[S, I]),
            Persona::PortalThenCliWriter => reported(High, &[S, I]),
            Persona::GuestWriter => reported(High, &[S, I]),
            Persona::FailedWriter => reported(High, &[S, I]),
            Persona::OutdatedCliWriter => reported(High, &[S, I, O]),
            Persona::ArmOnlyWriter => reported(High, &[S]),
            Persona::NoMfaContributor => reported(Medium, &[M]),
            Persona::NoMfaDnsOperator => reported(Medium, &[M]),
            Persona::NoMfaUnknownRole => reported(Medium, &[M]),
            Persona::NoMfaCliSignin => reported(Medium, &[I, M]),
            Persona::BreakGlassWeak => reported(Medium, &[B]),
            // Workstation refreshes are not non_interactive, but they are single-factor.
            Persona::SingleFactorSigninOnly => reported(Medium, &[I]),
            Persona::SingleFactorReadsAndActions => reported(Medium, &[I]),
            Persona::VsCodeArmSignin => reported(Medium, &[I]),
            Persona::MobileAppSingleFactor => reported(Medium, &[I]),
            Persona::OutdatedSingleFactorSignin => reported(Medium, &[I, O]),
            Persona::OutdatedCliMfa => reported(Low, &[O]),
            Persona::OutdatedPowerShellMfa => reported(Low, &[O]),
            Persona::MfaCliWriter => Excluded {
                reason: "mfa_satisfied",
            },
            Persona::FederatedMfaClaim => Excluded {
                reason: "federated_mfa_claim",
            },
            Persona::WorkstationMfaRefresh => Excluded {
                reason: "mfa_satisfied",
            },
            Persona::FailedSigninsOnly => Excluded {
                reason: "failed_signins_only",
            },
            Persona::DisabledLeaver | Persona::DisabledDormant => Excluded { reason: "disabled" },
            Persona::NoMfaReader
            | Persona::NoMfaMonitoringReader
            | Persona::NoMfaCustomReadOnly => Excluded {
                reason: "read_only_role",
            },
            Persona::BreakGlassFido2 => Excluded {
                reason: "phishing_resistant_break_glass",
            },
            Persona::OutOfScopeAppsOnly => Excluded {
                reason: "out_of_scope_apps_only",
            },
            Persona::ServicePrincipal => Excluded {
                reason: "service_principal",
            },
            Persona::ManagedIdentity => Excluded {
                reason: "managed_identity",
            },
            Persona::Noise => Expectation::Noise,
        }
    }

    /// How many accounts of this persona a tenant holds.
    pub fn count(self) -> Count {
        match self {
            Persona::BreakGlassWeak | Persona::BreakGlassFido2 => Count::One,
            Persona::ServicePrincipal | Persona::ManagedIdentity => Count::Workload,
            Persona::Noise => Count::Rest,
            _ => Count::Scaled,
        }
    }

    /// Whether accounts of this persona are disabled in the directory.
    pub fn disabled(self) -> bool {
        matches!(self, Persona::DisabledLeaver | Persona::DisabledDormant)
    }

    /// Whether this persona is a workload identity rather than a user account.
    pub fn workload(self) -> bool {
        self.count() == Count::Workload
    }
}

const fn reported(severity: Severity, signals: &'static [Signal]) -> Expectation {
    Reported { severity, signals }
}

/// The severity DESIGN.md §3 assigns to a set of signals, for checking the table above
/// against the rules (the rules, restated; not the detection code).
pub fn severity_of(signals: &[Signal]) -> Option<Severity> {
    let has = |s: Signal| signals.contains(&s);
    let write = has(S);
    let unattended = has(R) || has(N);
    if (unattended && (write || has(I))) || (has(M) && write) {
        Some(Critical)
    } else if write {
        Some(High)
    } else if has(M) || has(B) || has(I) {
        Some(Medium)
    } else if has(O) {
        Some(Low)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reported_persona_agrees_with_the_severity_rules() {
        for p in Persona::ALL {
            if let Reported { severity, signals } = p.expectation() {
                assert_eq!(severity_of(signals), Some(severity), "{}", p.name());
                assert!(!signals.is_empty(), "{}", p.name());
            }
        }
    }

    #[test]
    fn names_are_unique_snake_case() {
        let mut names: Vec<&str> = Persona::ALL.iter().map(|p| p.name()).collect();
        assert!(names.iter().all(|n| n
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Persona::ALL.len());
    }

    #[test]
    fn the_table_covers_every_signal_and_severity() {
        let mut signals = std::collections::BTreeSet::new();
        let mut severities = std::collections::BTreeSet::new();
        for p in Persona::ALL {
            if let Reported {
                severity,
                signals: s,
            } = p.expectation()
            {
                severities.insert(severity);
                signals.extend(s.iter().copied());
            }
        }
        assert_eq!(signals.len(), Signal::ALL.len());
        assert_eq!(severities.len(), Severity::DESCENDING.len());
    }
}
