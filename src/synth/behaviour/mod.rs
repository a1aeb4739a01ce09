//! What each persona does on one day. Every persona's defining activity happens on its
//! anchor day (within the newest seven days), so its signals hold whatever the window.

mod office;
mod people;
mod unattended;
mod workloads;

pub(crate) use workloads::workload_day;

use rand::Rng;

use super::catalog::apps;
use super::catalog::user_agents;
use super::persona::Persona;
use super::plan::Ua;
use super::population::{AccountKind, UserSpec};
use super::sessions::{DayCx, Outcome};
use office::{graph_explorer, office};
use people::{
    arm_only, failed_only, federated, mobile_app, noise_azure, portal, reads_and_actions,
    single_factor, with_mfa,
};
use unattended::{leaver, pipeline, ropc_cron, ropc_reader, ropc_shared_cache, runbook};

/// How a user's Microsoft 365 sign-ins authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OfficeAuth {
    /// MFA now, or the token's MFA claim.
    Mfa,
    /// Password only (no MFA method registered, or out-of-scope apps only).
    SingleFactor,
    /// AD FS with the MFA claim.
    Federated,
}

/// Plans one user's day.
pub(crate) fn user_day(cx: &mut DayCx, u: &UserSpec) {
    let anchor = cx.day == u.anchor_day;
    let office_auth = if u.mfa_registered {
        OfficeAuth::Mfa
    } else {
        OfficeAuth::SingleFactor
    };
    if u.kind == AccountKind::Person && u.enabled && u.persona != Persona::FailedSigninsOnly {
        let mode = match u.persona {
            Persona::FederatedMfaClaim => OfficeAuth::Federated,
            Persona::OutOfScopeAppsOnly => OfficeAuth::SingleFactor,
            _ => office_auth,
        };
        office(
            cx,
            u,
            mode,
            anchor && u.persona == Persona::OutOfScopeAppsOnly,
        );
    }
    let busy = anchor || (cx.weekday && cx.rng.gen_bool(0.4));
    match u.persona {
        Persona::RopcCron => ropc_cron(cx, u),
        Persona::RopcSharedCache => ropc_shared_cache(cx, u, anchor),
        Persona::RopcReaderScript => ropc_reader(cx, u),
        Persona::RunbookUser => runbook(cx, u),
        Persona::PipelineAzureDevOps | Persona::PipelineGitHubActions => pipeline(cx, u, anchor),
        Persona::NoMfaWriter
        | Persona::NoMfaWriterViaGroup
        | Persona::GuestNoMfaWriter
        | Persona::CliSingleFactorWriter
        | Persona::GuestWriter
        | Persona::OutdatedCliWriter => {
            if busy {
                single_factor(
                    cx,
                    u,
                    &apps::AZURE_CLI,
                    Ua::Cli,
                    "pwd",
                    1,
                    Outcome::Mixed(0.5),
                );
            }
        }
        Persona::FailedWriter => {
            if busy {
                single_factor(cx, u, &apps::AZURE_CLI, Ua::Cli, "wia", 1, Outcome::Fail);
            }
        }
        Persona::PowerShellSingleFactorWriter => {
            if busy {
                let ps = &apps::AZURE_POWERSHELL;
                single_factor(cx, u, ps, Ua::PowerShell, "pwd,rsa", 1, Outcome::Mixed(0.5));
            }
        }
        Persona::PortalThenCliWriter => {
            if cx.weekday && cx.rng.gen_bool(0.5) {
                portal(cx, u, 2);
            }
            if busy {
                single_factor(
                    cx,
                    u,
                    &apps::AZURE_CLI,
                    Ua::Cli,
                    "pwd",
                    1,
                    Outcome::Mixed(0.5),
                );
            }
        }
        Persona::ArmOnlyWriter => {
            if busy {
                arm_only(cx, u);
            }
        }
        Persona::NoMfaCliSignin
        | Persona::SingleFactorSigninOnly
        | Persona::OutdatedSingleFactorSignin => {
            if busy {
                single_factor(cx, u, &apps::AZURE_CLI, Ua::Cli, "pwd", 0, Outcome::Succeed);
            }
        }
        Persona::SingleFactorReadsAndActions => {
            if busy {
                reads_and_actions(cx, u);
            }
        }
        Persona::VsCodeArmSignin => {
            if busy {
                let ua = Ua::Static(user_agents::VS_CODE);
                single_factor(cx, u, &apps::VS_CODE, ua, "pwd", 0, Outcome::Succeed);
            }
        }
        Persona::MobileAppSingleFactor => {
            if busy {
                mobile_app(cx, u);
            }
        }
        Persona::BreakGlassWeak | Persona::BreakGlassFido2 => {
            if anchor {
                portal(cx, u, 0);
            }
        }
        Persona::OutdatedCliMfa | Persona::MfaCliWriter | Persona::WorkstationMfaRefresh => {
            if busy {
                with_mfa(cx, u, &apps::AZURE_CLI, Ua::Cli);
            }
        }
        Persona::OutdatedPowerShellMfa => {
            if busy {
                with_mfa(cx, u, &apps::AZURE_POWERSHELL, Ua::PowerShell);
            }
        }
        Persona::FederatedMfaClaim => {
            if busy {
                federated(cx, u);
            }
        }
        Persona::FailedSigninsOnly => {
            if busy {
                failed_only(cx, u);
            }
        }
        Persona::DisabledLeaver => leaver(cx, u),
        Persona::OutOfScopeAppsOnly => {
            if busy && cx.rng.gen_bool(0.5) {
                graph_explorer(cx, u);
            }
        }
        Persona::Noise => {
            if u.arm_user && cx.weekday && cx.rng.gen_bool(0.3) {
                noise_azure(cx, u);
            }
        }
        Persona::NoMfaContributor
        | Persona::NoMfaDnsOperator
        | Persona::NoMfaUnknownRole
        | Persona::DisabledDormant
        | Persona::NoMfaReader
        | Persona::NoMfaMonitoringReader
        | Persona::NoMfaCustomReadOnly
        | Persona::ServicePrincipal
        | Persona::ManagedIdentity => {}
    }
}
