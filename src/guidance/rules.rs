//! The selection tables: which catalog steps, unblock steps and headline a finding gets,
//! as ordered `(condition, steps)` rows. Rows are evaluated top to bottom and their steps
//! appended in order, skipping steps already chosen, so the most relevant rows come first.

use crate::calendar::EnforcementStatus;
use crate::detect::model::{CiSystem, Client, Finding, Signal, UserKind};

use super::catalog::StepId::{self, *};

/// A condition on a finding and the tenant's enforcement status.
#[derive(Debug, Clone, Copy)]
pub(crate) enum When {
    /// A signal holds.
    Signal(Signal),
    /// A client was seen.
    Client(Client),
    /// A CI system was seen.
    Ci(CiSystem),
    /// Any CI system was seen.
    AnyCi,
    /// Nobody is there to answer an MFA prompt: ROPC, non-interactive refreshes or CI.
    Unattended,
    /// The account is a B2B guest.
    Guest,
    /// Phase 2 is enforced for the tenant.
    Enforced,
    /// A Global Administrator can still postpone.
    Postponable,
    /// Every condition holds.
    All(&'static [When]),
    /// At least one condition holds.
    Any(&'static [When]),
    /// The condition does not hold.
    Not(&'static When),
}

impl When {
    /// Whether the condition holds for `finding` under `enforcement`.
    pub(crate) fn holds(&self, finding: &Finding, enforcement: &EnforcementStatus) -> bool {
        match self {
            When::Signal(s) => finding.signals.contains(s),
            When::Client(c) => finding.clients.contains(c),
            When::Ci(c) => finding.ci.contains(c),
            When::AnyCi => !finding.ci.is_empty(),
            When::Unattended => {
                !finding.ci.is_empty()
                    || finding.signals.contains(&Signal::Ropc)
                    || finding.signals.contains(&Signal::NonInteractive)
            }
            When::Guest => finding.kind == Some(UserKind::Guest),
            When::Enforced => enforcement.enforced,
            When::Postponable => enforcement.postponable,
            When::All(all) => all.iter().all(|w| w.holds(finding, enforcement)),
            When::Any(any) => any.iter().any(|w| w.holds(finding, enforcement)),
            When::Not(w) => !w.holds(finding, enforcement),
        }
    }
}

const PERSON: When = When::Not(&When::Unattended);
const MACHINE_NO_CI: When = When::All(&[When::Unattended, When::Not(&When::AnyCi)]);
/// Clients whose interactive users sign in through Azure CLI (IaC tools reuse its login).
const CLI_FAMILY: When = When::Any(&[
    When::Client(Client::AzureCli),
    When::Client(Client::Terraform),
    When::Client(Client::BicepAzd),
    When::Client(Client::Ansible),
    When::Client(Client::RestSdk),
]);
/// No in-scope client is known (nothing, or only the portal).
const NO_CLIENT: When = When::Not(&When::Any(&[
    CLI_FAMILY,
    When::Client(Client::AzurePowerShell),
    When::Client(Client::MobileApp),
]));
/// No automation client is known for an unattended job.
const NO_AUTOMATION_CLIENT: When = When::Not(&When::Any(&[
    When::Client(Client::AzureCli),
    When::Client(Client::AzurePowerShell),
    When::Client(Client::Terraform),
    When::Client(Client::BicepAzd),
    When::Client(Client::Ansible),
    When::Client(Client::RestSdk),
]));
const WRITES_WITHOUT_MFA: When = When::Any(&[
    When::Signal(Signal::SingleFactorArmWrite),
    When::Signal(Signal::SingleFactorSignin),
]);
const OUTDATED: When = When::Signal(Signal::OutdatedClient);
const NEEDS_PERSON_UNBLOCK: When = When::All(&[
    PERSON,
    When::Any(&[
        WRITES_WITHOUT_MFA,
        When::Signal(Signal::NoMfaMethod),
        OUTDATED,
    ]),
]);

/// The durable steps, most relevant first.
pub(crate) const STEP_RULES: &[(When, &[StepId])] = &[
    (
        When::Signal(Signal::BreakGlassWeakMfa),
        &[BreakGlassPhishingResistant],
    ),
    // External CI: OIDC federation.
    (
        When::Ci(CiSystem::GitHubActions),
        &[GithubFederatedCredential, GithubAzureLogin],
    ),
    (
        When::Ci(CiSystem::AzurePipelines),
        &[PipelinesWorkloadIdentity],
    ),
    (
        When::All(&[When::Client(Client::Terraform), When::AnyCi]),
        &[TerraformOidc],
    ),
    (
        When::All(&[When::Client(Client::BicepAzd), When::AnyCi]),
        &[AzdFederated],
    ),
    (
        When::All(&[When::Client(Client::Ansible), When::AnyCi]),
        &[AnsibleCi],
    ),
    // Unattended jobs on a machine: managed identity first, certificate outside Azure.
    (
        When::All(&[MACHINE_NO_CI, When::Client(Client::Terraform)]),
        &[TerraformMsi],
    ),
    (
        When::All(&[MACHINE_NO_CI, When::Client(Client::BicepAzd)]),
        &[AzdManagedIdentity],
    ),
    (
        When::All(&[MACHINE_NO_CI, When::Client(Client::Ansible)]),
        &[AnsibleMsi],
    ),
    (
        When::All(&[MACHINE_NO_CI, When::Client(Client::AzureCli)]),
        &[CliManagedIdentity, CliCertificate],
    ),
    (
        When::All(&[MACHINE_NO_CI, When::Client(Client::AzurePowerShell)]),
        &[PwshManagedIdentity, PwshCertificate],
    ),
    (
        When::All(&[When::Unattended, When::Client(Client::RestSdk)]),
        &[SdkWorkloadIdentity],
    ),
    (
        When::All(&[MACHINE_NO_CI, NO_AUTOMATION_CLIENT]),
        &[CliManagedIdentity, CliCertificate],
    ),
    (When::Unattended, &[GrantRoles, RetireUserCredential]),
    // People.
    (
        When::All(&[When::Signal(Signal::NoMfaMethod), When::Guest]),
        &[RegisterMfaGuest],
    ),
    (When::Signal(Signal::NoMfaMethod), &[RegisterMfa]),
    (
        When::All(&[OUTDATED, When::Client(Client::AzureCli)]),
        &[UpgradeCli],
    ),
    (
        When::All(&[OUTDATED, When::Client(Client::AzurePowerShell)]),
        &[UpgradeAz],
    ),
    (
        When::All(&[
            OUTDATED,
            When::Not(&When::Client(Client::AzureCli)),
            When::Not(&When::Client(Client::AzurePowerShell)),
        ]),
        &[UpgradeCli, UpgradeAz],
    ),
    (
        When::All(&[
            PERSON,
            WRITES_WITHOUT_MFA,
            When::Any(&[CLI_FAMILY, NO_CLIENT]),
        ]),
        &[SignInWithMfaCli],
    ),
    (
        When::All(&[
            PERSON,
            WRITES_WITHOUT_MFA,
            When::Client(Client::AzurePowerShell),
        ]),
        &[SignInWithMfaPwsh],
    ),
    (
        When::All(&[PERSON, WRITES_WITHOUT_MFA, When::Client(Client::MobileApp)]),
        &[MobileAppMfa],
    ),
    (
        When::All(&[PERSON, WRITES_WITHOUT_MFA]),
        &[RequireMfaConditionalAccess],
    ),
];

/// What gets a blocked person or job through today.
pub(crate) const UNBLOCK_RULES: &[(When, &[StepId])] = &[
    (
        When::All(&[NEEDS_PERSON_UNBLOCK, When::Any(&[CLI_FAMILY, NO_CLIENT])]),
        &[UnblockCli],
    ),
    (
        When::All(&[NEEDS_PERSON_UNBLOCK, When::Client(Client::AzurePowerShell)]),
        &[UnblockPwsh],
    ),
    (
        When::All(&[NEEDS_PERSON_UNBLOCK, When::Client(Client::MobileApp)]),
        &[UnblockMobile],
    ),
    (
        When::All(&[When::Unattended, When::Enforced]),
        &[SupportRequest],
    ),
    (
        When::All(&[When::Unattended, When::Postponable]),
        &[Postpone],
    ),
    (
        When::All(&[
            When::Unattended,
            When::Not(&When::Enforced),
            When::Not(&When::Postponable),
        ]),
        &[MigrateBeforeDate],
    ),
];

/// The headline's first half: the first row that holds wins.
pub(crate) const HEADLINE_RULES: &[(When, &str)] = &[
    (
        When::Signal(Signal::BreakGlassWeakMfa),
        "Emergency-access account without a phishing-resistant method: register FIDO2 or certificate-based authentication",
    ),
    (
        When::Ci(CiSystem::GitHubActions),
        "A GitHub Actions workflow signs in as this user: switch it to OIDC workload identity federation",
    ),
    (
        When::Ci(CiSystem::AzurePipelines),
        "An Azure Pipelines job signs in as this user: switch it to a workload identity service connection",
    ),
    (
        When::Signal(Signal::Ropc),
        "A script signs in as this user with a password (ROPC): move it to a managed identity or a certificate service principal",
    ),
    (
        When::Unattended,
        "An unattended job uses this user's token: move it to a workload identity",
    ),
    (
        When::Signal(Signal::NoMfaMethod),
        "No MFA method registered: register one before the next Azure change",
    ),
    (
        When::Signal(Signal::SingleFactorArmWrite),
        "Azure changes made without MFA: sign in with MFA",
    ),
    (
        When::Signal(Signal::SingleFactorSignin),
        "Single-factor sign-ins to Azure management tools: sign in with MFA",
    ),
    (
        OUTDATED,
        "Outdated Azure client: upgrade to Azure CLI @MIN_CLI@ / Az @MIN_AZ@ or later",
    ),
];

/// The headline when no row holds.
pub(crate) const FALLBACK_HEADLINE: &str = "Review this account's Azure sign-ins";
